"""``policygen athena ddl``: the CREATE EXTERNAL TABLE that ``--logs athena://DATABASE.TABLE`` reads.

Printed, not run: creating a table is a one-time change to a Glue catalog that the user reviews and runs
(Athena console, ``aws athena start-query-execution``, or their infrastructure code).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from policygen_operator.cli.main import EXIT_OK, add_command

if TYPE_CHECKING:
    from policygen_operator.cli.main import Subparsers

DESCRIPTION = """\
Print the CREATE EXTERNAL TABLE statement for a CloudTrail bucket, with partition projection (no crawler,
no ALTER TABLE ADD PARTITION), following AWS's documented CloudTrail table. One account and one region
give AWS's own layout (partitioned by day); several accounts or regions, or an organization trail, add
enum-projected account and region partitions. Run the statement once in Athena, then:
  policygen generate --logs athena://[WORKGROUP@]DATABASE.TABLE --principal ARN ...
"""

EPILOG = """\
examples:
  policygen athena ddl --bucket my-trail-bucket --account 111122223333 --region eu-west-1
  policygen athena ddl --bucket org-trail --organization-id o-abc123def4 --database audit \\
      --table org_trail --account 111122223333 --account 444455556666 --start-date 2025-01-01

exit codes: 0 statement printed, 2 usage error (the message names the flag).
"""


# The TrailTable field a DdlError is about -> the flag that sets it.
FLAGS = {
    "bucket": "--bucket",
    "database": "--database",
    "table": "--table",
    "prefix": "--prefix",
    "organization_id": "--organization-id",
    "accounts": "--account",
    "regions": "--region",
}


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "athena", "Athena helpers for CloudTrail tables.")
    commands = parser.add_subparsers(dest="athena_command", metavar="COMMAND", required=True)
    ddl = commands.add_parser(
        "ddl",
        help="print the CREATE EXTERNAL TABLE (partition projection) for a trail bucket",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ddl.add_argument("--bucket", required=True, help="the trail's S3 bucket")
    ddl.add_argument("--prefix", default="", help="the trail's S3 key prefix, if it has one (default: none)")
    ddl.add_argument("--organization-id", metavar="o-ID", help="an organization trail's ID")
    ddl.add_argument(
        "--account", action="append", required=True, metavar="ID", help="account folder (repeatable)"
    )
    ddl.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="REGION",
        help="region (repeatable; default: every commercial region CloudTrail runs in, as botocore lists "
        "them; a region opened later must be added to the table)",
    )
    ddl.add_argument("--database", default="default", help="Glue database (default: default)")
    ddl.add_argument("--table", default="cloudtrail_logs", help="table name (default: cloudtrail_logs)")
    ddl.add_argument(
        "--start-date",
        default="2020-01-01",
        metavar="YYYY-MM-DD",
        help="first day the projection covers (default: 2020-01-01)",
    )
    ddl.set_defaults(func=run_ddl, parser=ddl)


def run_ddl(args: argparse.Namespace) -> int:
    from policygen_operator.adapters.aws.regions import UnknownRegionError, check_regions
    from policygen_operator.domain.cloudtrail.athena_ddl import DdlError, TrailTable, create_table

    parser: argparse.ArgumentParser = args.parser
    try:  # projection reads only the regions listed: a typo's events never would be
        check_regions(("--region", region) for region in args.region)
    except UnknownRegionError as error:
        parser.error(f"{error.where}: {error}")
    try:
        first = date.fromisoformat(args.start_date)
    except ValueError:
        parser.error(f"--start-date: {args.start_date!r} is not a date like 2025-01-01")
    try:
        spec = TrailTable(
            bucket=args.bucket,
            database=args.database,
            table=args.table,
            prefix=args.prefix,
            organization_id=args.organization_id,
            accounts=tuple(dict.fromkeys(args.account)),
            regions=tuple(dict.fromkeys(args.region)),
            first_day=first,
        )
    except DdlError as error:
        parser.error(f"{FLAGS[error.field]}: {error}")
    sys.stdout.write(create_table(spec))
    return EXIT_OK
