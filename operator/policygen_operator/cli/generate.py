"""``policygen generate``: CloudTrail logs in, one least-privilege policy per principal out.

Only parsing, printing and file writing live here; the scan, the policy and the report come from
``services.generation.run_generation``, the same call the operator makes.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import json
import os
import re
import signal
import stat
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from policygen_operator.cli.main import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NO_MATCHING_EVENTS,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VALIDATION_FAILED,
    add_command,
)
from policygen_operator.services.errors import (
    InvalidRequestError,
    NoMatchingEventsError,
    PolicygenError,
    ValidationFailedError,
)

if TYPE_CHECKING:  # types only: the modules themselves are imported where used, for a fast start-up
    from policygen_operator.cli.main import Subparsers
    from policygen_operator.services.generation import GenerationRequest, GenerationResult, Progress

DEFAULT_LOOKBACK = "90d"
# A source URI with its scheme mistyped (s3:/bucket, S3://bucket, s3:bucket) is no such file or folder: the
# message says which URI was likely meant
_MISSPELT_SOURCE = re.compile(r"(s3|athena|lookup-events):/*", re.IGNORECASE)
# What --exclude-action takes: an action as a policy writes it, a service prefix and an action name, either
# with IAM's wildcards (IAM User Guide, "IAM JSON policy elements: Action": "s3:Get*", "iam:*AccessKey*")
_ACTION_PATTERN = re.compile(r"[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+")

DESCRIPTION = """\
Scan CloudTrail logs for the calls made by one or more IAM principals in a time window and print the
least-privilege IAM policy that allows exactly those calls.

Sources (--logs):
  PATH                  a file (whatever its name) or a folder: every .json, .json.gz, .jsonl(.gz)
                        and .ndjson(.gz) file below it, and every file of another name (a Firehose
                        object has none; any other .gz) that begins as JSON, gzip of JSON or a log
                        group export. In the AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
                        layout only the account, region and day folders the window needs are entered.
  s3://BUCKET[/PREFIX]  a trail bucket in that layout (organization trails too); only the prefixes the
                        window needs are listed, never the whole bucket. A prefix with no AWSLogs/ below
                        it (a Firehose archive, a log group export) is walked folder by folder, its time
                        folders (YYYY/MM/dd/HH/, year=/month=/day=/hour=/, dt=YYYY-MM-dd/) outside the
                        window not listed, its objects read as a folder's files are. Folders
                        beside an AWSLogs/ folder are counted, not read: give their own prefix.
  athena://[WORKGROUP@][CATALOG.]DATABASE.TABLE
                        one Athena query over a CloudTrail table (`policygen athena ddl` prints one) for
                        all principals (any of AWS's documented CloudTrail tables: the table's
                        partition keys are read from the catalog); --account/--region prune its
                        account/region partitions where it has them and keep the records of those
                        accounts and regions, as every source does.
  lookup-events://      CloudTrail's event history of each --region, for an account without a trail
                        bucket (management events of the last 90 days, 2 requests per second per
                        region); --lookup-state DIR keeps the pages read, so running the same command
                        again after a cut-off (throttling, Ctrl-C) resumes with the first run's window.
Forms read, in any mix: delivery files ({"Records": [...]}, plain or gzip), bare JSON arrays of records,
JSON Lines, saved `aws cloudtrail lookup-events` output ({"Events": [...]} or its items), a trail's
CloudWatch Logs events (`aws logs filter-log-events`/`get-log-events` output {"events": [...]}, subscription
payloads {"logEvents": [...]}, a log group exported to S3 by `aws logs create-export-task`, events saved
as text, an epoch-millisecond timestamp and a tab before each record), EventBridge
events of CloudTrail records ("AWS API Call via CloudTrail" and the other "... via CloudTrail" types), and
JSON objects written back to back ({...}{...}, as Kinesis Data Firehose delivers them to S3), and the records
a Firehose stream could not deliver (processing-failed/, splunk-failed/, ...: each base64 in rawData). A
file that cannot be read (truncated gzip, not JSON) or a record that cannot be used is skipped with a
warning naming it (--strict makes it an error). Delivery files whose name lies outside the window are not
read.

Principals (--principal, repeatable): an IAM role ARN matches the role's sessions (assumed-role), an IAM
user ARN matches the user. Partitions aws, aws-cn, aws-us-gov, the isolated ones (aws-iso, aws-iso-b,
aws-iso-e, aws-iso-f) and the European Sovereign Cloud's (aws-eusc).

Output: one principal -> the policy on stdout or in --output FILE. Several principals, or a policy split
because it passed IAM's 6,144-character limit -> --output-dir DIR gets NAME.json or NAME-partN.json per
principal (a split policy on stdout is printed as a JSON list of documents). Warnings and a summary go to
stderr. Every flag, the report and how files are skipped: docs/cli.md.
"""

EPILOG = """\
examples:
  policygen generate --logs examples/cloudtrail --start 2026-11-01 --end 2026-12-01 \\
      --principal arn:aws:iam::111122223333:role/service-role/order-processor
  policygen generate --logs s3://my-trail-bucket --region eu-west-1 --lookback 30d \\
      --principal arn:aws:iam::111122223333:user/ci/deployer --output deployer.json --report report.json
  policygen generate --logs s3://org-trail/AWSLogs/o-abc123def4/ --account 111122223333 \\
      --start 2026-09-01 --end 2026-10-01 --output-dir policies/ \\
      --principal arn:aws:iam::111122223333:role/app-a --principal arn:aws:iam::111122223333:role/app-b
  policygen generate --logs exports/lake.jsonl --principal arn:aws:iam::111122223333:role/app \\
      --no-resource-level --exclude-action 'kms:*'

exit codes:
  0    every policy written
  1    error: AWS unreachable or throttled, a full disk or an I/O error writing a file (worth retrying),
       or bad input with --strict
  2    usage error: a flag's value (the message names the flag), an output path that cannot be written,
       a missing bucket or folder, no access to the bucket
  3    no matching events for a principal: no policy written for it (the others are written)
  4    a policy failed validation: nothing written (the findings are in --report)
  130  interrupted (Ctrl-C): one line says what, if anything, was written
"""


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "generate", DESCRIPTION, EPILOG)
    source = parser.add_argument_group("what to scan")
    source.add_argument(
        "--logs",
        required=True,
        metavar="SOURCE",
        help="where the logs are: PATH, s3://BUCKET[/PREFIX], athena://[WORKGROUP@][CATALOG.]DATABASE.TABLE "
        "or lookup-events:// (above)",
    )
    source.add_argument(
        "--principal",
        action="append",
        required=True,
        metavar="ARN",
        help="IAM role or user ARN (repeatable: one scan, one policy per principal)",
    )
    source.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="ID",
        help="only these accounts' records, by recipientAccountId, in any layout; their delivery folders "
        "and account=/accountId= folders alone are listed (repeatable)",
    )
    source.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="REGION",
        help="only these regions' records, by awsRegion, in any layout; their delivery folders and "
        "region= folders alone are listed (repeatable); for lookup-events:// the regions whose history is "
        "read (default: the session's). A name no AWS partition has is refused",
    )
    source.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="scan processes (default: one per core this process may use); fewer leave cores to other work "
        "on a shared machine or CI runner and hold less memory (each holds up to --max-file-size), 1 scans "
        "in this process (a debugger, a profiler)",
    )
    source.add_argument(
        "--max-file-size",
        default="256M",
        metavar="SIZE",
        help="largest log file to hold, measured inflated (K, M, G are binary units; default: 256M): a file "
        "or gzip past it is skipped and named in the report, JSON Lines past it are read line by line; "
        "raise it when the report names log files skipped as too large, lower it where memory is short "
        "(up to one such file per --workers process)",
    )
    window = parser.add_argument_group("time window (default: the last 90 days)")
    window.add_argument(
        "--start", metavar="ISO8601", help="window start, e.g. 2026-09-01 or 2026-09-01T12:00:00Z"
    )
    window.add_argument("--end", metavar="ISO8601", help="window end (default: now)")
    window.add_argument(
        "--lookback", metavar="DURATION", help="window length before --end: 30m, 12h, 90d, 2w"
    )
    policy = parser.add_argument_group("policy")
    policy.add_argument(
        "--include-denied",
        action="store_true",
        help="also allow calls that were denied (they are always listed in the report)",
    )
    policy.add_argument(
        "--no-resource-level", action="store_true", help='actions only, every statement on "Resource": "*"'
    )
    policy.add_argument(
        "--exclude-action",
        action="append",
        default=[],
        metavar="ACTION",
        help="leave out an action; wildcards allowed, e.g. 'kms:*' (repeatable)",
    )
    output = parser.add_argument_group("output")
    target = output.add_mutually_exclusive_group()
    target.add_argument(
        "--output", metavar="FILE", help="write the policy here instead of stdout (atomic; - is stdout)"
    )
    target.add_argument("--output-dir", metavar="DIR", help="one file per principal (and part)")
    output.add_argument("--report", metavar="FILE", help="write a JSON report of the scan")
    output.add_argument(
        "--strict", action="store_true", help="fail (exit 1) on any unreadable file or record"
    )
    output.add_argument("--quiet", action="store_true", help="no progress and no summary on stderr")
    output.add_argument(
        "--progress", action="store_true", help="progress on stderr even when it is not a TTY"
    )
    aws = parser.add_argument_group(
        "AWS (s3://, athena:// and lookup-events:// sources; credentials from the standard boto3 chain)"
    )
    aws.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="endpoint URL for the AWS clients: an S3-compatible store (MinIO, moto, ...)",
    )
    aws.add_argument(
        "--organization-id",
        metavar="o-ID",
        help="s3:// only: the organization trail folder to read (default: any)",
    )
    aws.add_argument("--role-arn", metavar="ARN", help="assume this role before reading the logs")
    aws.add_argument(
        "--aws-region",
        metavar="REGION",
        help="region for the AWS clients (default: the boto3 chain's: AWS_REGION, the profile)",
    )
    aws.add_argument(
        "--athena-output",
        metavar="s3://BUCKET/PREFIX",
        help="Athena query results (default: the workgroup's)",
    )
    aws.add_argument(
        "--lookup-state",
        metavar="DIR",
        help="lookup-events://: keep the pages read and each region's next token in DIR, so a cut-off "
        "run resumes (with the window it started with) instead of starting over",
    )
    parser.set_defaults(func=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Ctrl-C (SIGINT) at any point: the scan's worker processes are stopped (domain.engine), temporary
    files removed, and one line says what, if anything, was written; exit 130."""
    _WRITTEN.clear()
    try:
        return _run(args)
    except (KeyboardInterrupt, RuntimeError) as error:
        if not _interrupted(error):
            raise
        written = ", ".join(_WRITTEN)
        newline = "\n" if sys.stderr.isatty() else ""  # past the progress line and the terminal's ^C
        said = f"only {written} written" if written else "nothing written"
        print(f"{newline}policygen generate: interrupted; {said}", file=sys.stderr)
        # Out at once: the scan's workers are gone and every file is in place or removed; what is left is
        # the interpreter's exit, which joins the worker pool's manager thread, and that join can hang.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


# What this run has written so far (paths, "stdout"), for the message of an interrupted run.
_WRITTEN: list[str] = []


def _run(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args.parser
    if args.output == "-":  # the usual spelling of stdout, which is where the policy goes without --output
        args.output = None
    if args.output and args.report and _same_file(args.output, args.report):
        parser.error(
            f"--output/--report: {args.output!r} and {args.report!r} are the same file; the report "
            "would replace the policy"
        )
    for flag, path, folder in (
        ("--output", args.output, False),
        ("--output-dir", args.output_dir, True),
        ("--report", args.report, False),
    ):
        if path and (reason := _unwritable(path, folder)):
            parser.error(f"{flag}: cannot write {path}: {reason}")
    try:
        request = build_request(args)
    except UsageError as error:
        parser.error(str(error))  # exits with EXIT_USAGE
    if len(request.principals) > 1 and not args.output_dir:
        parser.error("--principal: several principals need --output-dir (one policy file per principal)")
    _warn_unknown_exclusions(args.exclude_action, sys.stderr)
    return execute(args, request, sys.stderr)


def _warn_unknown_exclusions(patterns: list[str], err: TextIO) -> None:
    """An --exclude-action value that names no action of the reference data, said before the scan (a long
    scan is not run in vain) with its likeliest intent (``Reference.unknown_patterns``); the report's
    warnings say it too, and the end of the run does not say it again (``_print_warnings``). Matched as
    the policy builder matches (IAM's wildcards, without case: IAM User Guide, "IAM JSON policy elements:
    Action")."""
    if not patterns:
        return
    from policygen_operator.domain.iam.reference import load_reference

    # the policy builder's reference, loaded once per process: no cost added to a run
    for said in load_reference().unknown_patterns(patterns):
        print(f"policygen generate: warning: --exclude-action: {said}", file=err)


def _same_file(first: str, second: str) -> bool:
    """Whether two paths name one file: the same path once resolved (links, ``..``), or, for files that
    exist, the same inode (a hard link)."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet): only the resolved paths could tell
        return False


def _unwritable(path: str, folder: bool) -> str | None:
    """Why ``path`` (a file, or with ``folder`` a directory made if missing) cannot be written, found before
    the scan: a scan can take an hour, and its result is lost if the file it goes to cannot be written.
    Looking (the type, ``os.access``, the mount's read-only flag) names the usual causes; a probe file then
    catches the rest, which looking cannot see: ``os.access`` grants root everything, and a folder such as
    /proc takes no new file whatever its mode says. The write itself still reports what neither can
    foresee (a disk that fills during the scan)."""
    target = os.path.abspath(path)
    if os.path.isdir(target) != folder and os.path.exists(target):
        return "it is a directory" if not folder else "it is a file, not a directory"
    if not folder and _stream(target):  # /dev/stdout, a named pipe: written in place, nothing is created
        return None if os.access(target, os.W_OK) else "no permission to write to it"
    existing = target if folder else os.path.dirname(target)
    while not os.path.exists(existing):  # folders the write would make: the first that exists decides
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        return f"{existing} is a file, not a directory"
    if _read_only(existing):
        return f"{existing} is on a read-only file system"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"no permission to write in {existing}"
    return _probe(target if folder else os.path.dirname(target))


def _probe(folder: str) -> str | None:
    """Why no file can be created in ``folder``, found by creating one (and the folders the write would
    make) and removing them again: a run that fails later (no matching events) leaves nothing behind. An
    error that may pass by itself (a full disk: ``_TRANSIENT_WRITE_ERRORS``) is no reason to refuse the run;
    the write at the end says it if it is still there."""
    made: list[str] = []
    with _interrupt_deferred():  # a Ctrl-C here must not leave the probe or a folder behind
        try:
            try:
                _make_folders(folder, made)
            except OSError as error:
                where = os.path.dirname(error.filename) if isinstance(error.filename, str) else folder
                return _refusal(f"no folder can be created in {where}", error)
            try:
                handle, probe = tempfile.mkstemp(prefix=".policygen-", suffix=".probe", dir=folder)
                os.close(handle)
                os.unlink(probe)
            except OSError as error:
                return _refusal(f"no file can be created in {folder}", error)
        finally:
            for each in reversed(made):
                with contextlib.suppress(OSError):
                    os.rmdir(each)
    return None


def _refusal(what: str, error: OSError) -> str | None:
    """The probe's reason to refuse the path, or None for an error that may pass by itself."""
    return None if error.errno in _TRANSIENT_WRITE_ERRORS else f"{what} ({error.strerror or error})"


def _read_only(folder: str) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:  # no statvfs for it: the write will tell
        return False


class UsageError(Exception):
    """A flag's value is wrong; the message starts with the flag."""


def build_request(args: argparse.Namespace) -> GenerationRequest:
    from policygen_operator.adapters.aws.regions import UnknownRegionError, check_regions
    from policygen_operator.domain.cloudtrail.athena import AthenaSourceError, parse_athena_uri
    from policygen_operator.domain.cloudtrail.limits import parse_size
    from policygen_operator.domain.cloudtrail.principals import PrincipalError, parse_principal
    from policygen_operator.services.athena import AthenaLogs
    from policygen_operator.services.generation import AwsAccess, GenerationRequest, LocalLogs, S3Logs
    from policygen_operator.services.lookup import LookupEventsLogs

    for arn in args.principal:
        try:
            parse_principal(arn)
        except PrincipalError as error:
            raise UsageError(f"--principal: {error}") from error
    start, end = _window(args)
    if args.lookup_state and not args.logs.startswith("lookup-events://"):
        raise UsageError("--lookup-state: only for --logs lookup-events://")
    if args.organization_id and not args.logs.startswith("s3://"):
        # Only the S3 listing picks a folder by it; elsewhere it would be ignored and the scan would read
        # every organization's records, not the one asked for.
        raise UsageError(
            "--organization-id: only for --logs s3://; an athena:// table reads the folders its LOCATION "
            "names (`policygen athena ddl --organization-id` builds one for an organization), and a local "
            "folder is read as given (point --logs at its AWSLogs/o-ID/ folder)"
        )
    if args.lookup_state:
        start, end = _resumed_window(args, start, end)
    accounts, regions = tuple(args.account), tuple(args.region)
    for account in accounts:
        if not (account.isdigit() and len(account) == 12):
            raise UsageError(f"--account: {account!r} is not a 12-digit account ID")
    try:
        check_regions(("--region", region) for region in regions)
    except UnknownRegionError as error:
        raise UsageError(f"{error.where}: {error}") from error
    for action in args.exclude_action:
        # an action is matched as SERVICE:NAME; a bare "kms" (meant as kms:*) excluded nothing, silently
        if not _ACTION_PATTERN.fullmatch(action):
            raise UsageError(
                f"--exclude-action: {action!r} is not an IAM action or pattern (SERVICE:ACTION, wildcards "
                "allowed: 'kms:*', 's3:Get*')"
            )
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers: must be at least 1")
    try:
        max_file_bytes = parse_size(args.max_file_size)
    except ValueError as error:
        raise UsageError(f"--max-file-size: {error}") from error
    source: LocalLogs | S3Logs | AthenaLogs | LookupEventsLogs
    if args.logs.startswith("lookup-events://"):
        source = LookupEventsLogs(
            regions, args.endpoint_url, state_dir=args.lookup_state, account_ids=accounts
        )
    elif args.logs.startswith("athena://"):
        try:
            table = parse_athena_uri(args.logs, args.athena_output)
        except AthenaSourceError as error:
            raise UsageError(f"--logs: {error}") from error
        source = AthenaLogs(table, accounts, regions, args.endpoint_url)
    elif args.logs.startswith("s3://"):
        bucket, _, prefix = args.logs[5:].partition("/")
        if not bucket:
            raise UsageError(f"--logs: {args.logs!r} names no bucket")
        source = S3Logs(bucket, prefix, args.organization_id, accounts, regions, args.endpoint_url)
    else:
        if not os.path.exists(args.logs):
            meant = _MISSPELT_SOURCE.match(args.logs)
            hint = f"; did you mean {meant[1].lower()}://{args.logs[meant.end() :]}?" if meant else ""
            raise UsageError(f"--logs: {args.logs}: no such file or folder{hint}")
        source = LocalLogs(args.logs, accounts, regions)
    return GenerationRequest(
        principals=tuple(dict.fromkeys(args.principal)),
        source=source,
        start=start,
        end=end,
        resource_level=not args.no_resource_level,
        include_denied=args.include_denied,
        exclude_actions=tuple(args.exclude_action),
        strict=args.strict,
        aws=AwsAccess(region=args.aws_region, role_arn=args.role_arn, endpoint_url=args.endpoint_url),
        workers=args.workers,
        max_file_bytes=max_file_bytes,
    )


def _resumed_window(args: argparse.Namespace, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """An unfinished read in --lookup-state fixes the window (a --lookback one would have moved on)."""
    from policygen_operator.services.errors import InvalidRequestError
    from policygen_operator.services.lookup import saved_window

    try:
        saved = saved_window(args.lookup_state)
    except InvalidRequestError as error:
        raise UsageError(f"--lookup-state: {error}") from error
    if saved is None:
        return start, end
    if args.start and (start, end) != saved:
        raise UsageError(
            f"--lookup-state: {args.lookup_state} holds an unfinished read of "
            f"{saved[0]:%Y-%m-%dT%H:%M:%SZ} to {saved[1]:%Y-%m-%dT%H:%M:%SZ}; give that window (or "
            "--lookback), or remove the directory"
        )
    if not args.quiet:
        print(
            f"policygen generate: resuming the LookupEvents read in {args.lookup_state} "
            f"({saved[0]:%Y-%m-%dT%H:%M:%SZ} to {saved[1]:%Y-%m-%dT%H:%M:%SZ})",
            file=sys.stderr,
        )
    return saved


def _window(args: argparse.Namespace) -> tuple[datetime, datetime]:
    from policygen_operator.domain.timeutil import LATEST_END, parse_duration, parse_instant

    def instant(flag: str, value: str) -> datetime:
        try:
            return parse_instant(value)
        except ValueError as error:
            raise UsageError(f"{flag}: {value!r} is not an ISO 8601 date or time ({error})") from error

    if args.start and args.lookback:
        raise UsageError("--lookback: give either --start or --lookback, not both")
    end = instant("--end", args.end) if args.end else datetime.now(UTC).replace(microsecond=0)
    if end > LATEST_END:  # the operator's bound on spec.window.end too
        raise UsageError(f"--end: {end:%Y-%m-%dT%H:%M:%SZ} is after {LATEST_END:%Y-%m-%d}")
    if args.start:
        start = instant("--start", args.start)
    else:
        lookback = args.lookback or DEFAULT_LOOKBACK
        try:
            start = end - parse_duration(lookback)
        except ValueError as error:
            raise UsageError(f"--lookback: {error}") from error
        except OverflowError:
            raise UsageError(f"--lookback: {lookback} before --end reaches back past the year 1") from None
    if not start < end:
        raise UsageError(
            f"--start: the window start ({start:%Y-%m-%dT%H:%M:%SZ}) must be before its end "
            f"({end:%Y-%m-%dT%H:%M:%SZ})"
        )
    return start, end


FIELD_FLAGS = {
    "principals": "--principal",
    "window": "--start/--end/--lookback",
    "logs": "--logs",
    "aws": "--endpoint-url/--role-arn",
    "strict": "--strict",
}


def execute(args: argparse.Namespace, request: GenerationRequest, err: TextIO) -> int:
    from policygen_operator.services.generation import BadInputError, run_generation

    progress = _ProgressPrinter(err) if (args.progress or err.isatty()) and not args.quiet else None
    try:
        result = run_generation(request, progress=progress)
    except PolicygenError as error:
        if progress:
            progress.finish()
        carried = getattr(error, "result", None)
        if carried is not None:
            _print_warnings(carried.report, err, bool(args.report))
            _write_report(args, carried.report, _outcome(error), err)
        flag = FIELD_FLAGS.get(error.field or "", error.field or "")
        if isinstance(error, BadInputError):
            print(f"policygen generate: error: {error}", file=err)
            return EXIT_ERROR
        if isinstance(error, InvalidRequestError):
            print(f"policygen generate: error: {flag + ': ' if flag else ''}{error}", file=err)
            return EXIT_USAGE
        if isinstance(error, NoMatchingEventsError):
            print(f"policygen generate: no matching events: {error}; no policy written", file=err)
            return EXIT_NO_MATCHING_EVENTS
        if isinstance(error, ValidationFailedError):
            print(f"policygen generate: validation failed: {error}; no policy written", file=err)
            return EXIT_VALIDATION_FAILED
        print(f"policygen generate: error: {error}", file=err)
        return EXIT_ERROR
    if progress:
        progress.finish()
    _print_warnings(result.report, err, bool(args.report))
    try:
        return _write_outputs(args, result, err)
    except WriteError as error:
        flag = "--output-dir" if args.output_dir else "--output"
        said = f"only {', '.join(error.written)} written" if error.written else "nothing written"
        print(f"policygen generate: error: {flag}: {error}; {said}", file=err)
        return EXIT_ERROR if error.transient else EXIT_USAGE


def _pretty(document: dict[str, Any]) -> str:
    """The canonical document (sorted, stable Sids), indented for people; same JSON value. Written as
    ``json.dumps(..., indent=2)`` writes it, by ``_write_indented`` (json's indenting encoder is its
    pure-Python one: a fleet's 300 policies were ~0.1 CPU s of it)."""
    from policygen_operator.domain.iam.canonical import canonical_json

    pieces: list[str] = []
    _write_indented(json.loads(canonical_json(document)), pieces.append, "\n")
    return "".join(pieces) + "\n"


def _write_outputs(args: argparse.Namespace, result: GenerationResult, err: TextIO) -> int:
    missing = [arn for arn, r in result.results.items() if not r.policies]
    written = {arn: r.policies for arn, r in result.results.items() if r.policies}
    if args.output_dir:
        files = _output_files(written)
        _write_all({os.path.join(args.output_dir, name): _pretty(doc) for name, doc in files})
        where = f"{len(files)} file(s) in {args.output_dir}"
    else:
        ((arn, policies),) = written.items()
        if len(policies) > 1 and args.output:
            _write_report(args, result.report, "splitNeedsOutputDir", err)
            print(
                f"policygen generate: error: --output: the policy of {arn} is split into {len(policies)} "
                "parts (IAM's 6,144-character limit); use --output-dir",
                file=err,
            )
            return EXIT_USAGE
        text = _pretty(policies[0]) if len(policies) == 1 else _json_list(policies)
        if args.output:
            _write_all({args.output: text})
            where = args.output
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            sys.stdout.flush()
            _WRITTEN.append("stdout")
            where = "stdout" + (f" (a JSON list of {len(policies)} parts)" if len(policies) > 1 else "")
    outcome = "noMatchingEventsForSome" if missing else "ok"
    _write_report(args, result.report, outcome, err)
    if not args.quiet:
        _print_summary(result.report, where, err)
    _print_findings(result.report, err, quiet=args.quiet, listed=bool(args.report))
    idle = 0  # principals with no event at all: a fleet asked for at once may have hundreds
    for arn in missing:
        refused = result.results[arn].denied_actions
        entry = result.report.get("principals", {}).get(arn, {})
        if refused and not args.include_denied:  # it did match: "no matching events" would mislead
            names = ", ".join(refused[:3]) + (", ..." if len(refused) > 3 else "")
            print(
                f"policygen generate: no policy written for {arn}: its calls were refused ({names}); "
                "--include-denied grants them",
                file=err,
            )
        elif entry.get("eventsMatched"):  # matched, but each needs no permission or was not understood
            why = _nothing_to_grant(entry, result.report.get("ignoredReasons", {}))
            print(f"policygen generate: no policy written for {arn}: {why}", file=err)
        elif own_bad := result.summary.bad_records_of.get(arn, 0):  # its calls, unusable: not "no events"
            print(
                f"policygen generate: no policy written for {arn}: {own_bad} of its record(s) could not be "
                "used (see the warnings)",
                file=err,
            )
        else:
            idle += 1
            if idle <= PRINTED_WARNINGS:
                print(f"policygen generate: no matching events for {arn}; no policy written for it", file=err)
    if idle > PRINTED_WARNINGS:
        more = idle - PRINTED_WARNINGS
        where = "the report lists them" if args.report else "--report FILE lists them"
        print(f"policygen generate: no matching events for {more} more principal(s) ({where})", file=err)
    return EXIT_NO_MATCHING_EVENTS if missing else EXIT_OK


def _nothing_to_grant(entry: dict[str, Any], reasons: dict[str, str]) -> str:
    """Why a principal's matched events gave no policy, from its report entry: a user sees that its events
    were found (the ARN and window are right) and what they were (ConsoleLogin needs no IAM action)."""
    parts: list[str] = []
    ignored: dict[str, int] = entry.get("ignored", {})
    unmapped: dict[str, int] = entry.get("unmapped", {})
    if ignored:
        why = [f"{key}: {reasons.get(key, 'ignored')}" for key in sorted(ignored)[:3]]
        parts.append(f"{sum(ignored.values())} ignored ({'; '.join(why)})")
    if unmapped:
        names = sorted(unmapped)
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        parts.append(f"{sum(unmapped.values())} not understood (unmapped: {', '.join(names[:3])}{more})")
    return f"its {entry['eventsMatched']} event(s) matched, none to allow: " + (
        "; ".join(parts) or "see the report"
    )


def _json_list(policies: list[dict[str, Any]]) -> str:
    return "[\n" + ",\n".join(_pretty(p).rstrip("\n") for p in policies) + "\n]\n"


def _output_files(written: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """``NAME.json`` or ``NAME-partN.json``, the name made longer until no two principals share it:
    ``ACCOUNT-NAME`` (two accounts' roles of one name), ``ACCOUNT-KIND-NAME`` (a user and a role of one
    name in one account: IAM names users and roles apart), then the path and the partition. A file name
    another principal's file already has takes ``-2``, ``-3``: one principal's policy never replaces
    another's."""
    from policygen_operator.domain.cloudtrail.principals import Principal, parse_principal

    def slug(path: str) -> str:
        return path.strip("/").replace("/", "_") + "_" if path.strip("/") else ""

    levels: tuple[Callable[[Principal], str], ...] = (
        lambda p: p.name,
        lambda p: f"{p.account}-{p.name}",
        lambda p: f"{p.account}-{p.kind}-{p.name}",
        lambda p: f"{p.account}-{p.kind}-{slug(p.path)}{p.name}",
        lambda p: f"{p.partition}-{p.account}-{p.kind}-{slug(p.path)}{p.name}",
    )
    principals = {arn: parse_principal(arn) for arn in written}
    counts = [Counter(level(p) for p in principals.values()) for level in levels]
    files: list[tuple[str, dict[str, Any]]] = []
    used: set[str] = set()
    for arn, policies in written.items():
        p = principals[arn]
        stem = next(
            (s for level, n in zip(levels, counts, strict=True) if n[s := level(p)] == 1), levels[-1](p)
        )
        names = _file_names(stem, len(policies))
        extra = 1
        while used.intersection(names):
            extra += 1
            names = _file_names(f"{stem}-{extra}", len(policies))
        used.update(names)
        files.extend(zip(names, policies, strict=True))
    return files


def _file_names(stem: str, parts: int) -> list[str]:
    return [f"{stem}.json"] if parts == 1 else [f"{stem}-part{n}.json" for n in range(1, parts + 1)]


# Write errors that may pass by themselves (space freed, a device back): exit 1, like AWS being unreachable.
# Any other (a directory in the way, no permission, a read-only file system) is the path's fault: exit 2.
_TRANSIENT_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN, errno.EBUSY})


class WriteError(Exception):
    """An output file could not be written; ``written``: the files already in place (a rename that failed
    after others), so the message can say exactly what the run left."""

    def __init__(self, path: str, error: OSError, written: list[str]) -> None:
        super().__init__(f"cannot write {path}: {error.strerror or error}")
        self.path = path
        self.transient = error.errno in _TRANSIENT_WRITE_ERRORS
        self.written = written


# What a file gets: its text, or a function that writes it to the open file in pieces (a report of hundreds of
# principals is tens of MB of JSON, and ``json.dumps`` of it with ``indent`` held several times that at once).
Content = str | Callable[[TextIO], None]


def _put(stream: TextIO, content: Content) -> None:
    """``content`` into ``stream``, ended by a newline."""
    if isinstance(content, str):
        stream.write(content if content.endswith("\n") else content + "\n")
    else:
        content(stream)
        stream.write("\n")


def _write_all(contents: Mapping[str, Content]) -> None:
    """All files or none: every file goes to a temporary name first, then all are renamed; on a failure the
    temporary files and the folders this call made are removed, and ``WriteError`` names the file.

    The file ends with the mode a plain write would give it: an existing file keeps its own, a new one
    gets 0666 less the umask (``mkstemp`` alone would make every file 0600, unreadable to the CI step or
    user that reads the policy next)."""
    staged: list[tuple[str, str]] = []
    made: list[str] = []  # folders created here, parents first
    renamed: list[str] = []
    new_mode = 0o666 & ~_umask()
    path = ""
    streams = {path: content for path, content in contents.items() if _stream(path)}
    try:
        for path, content in contents.items():
            if path in streams:
                continue
            folder = os.path.dirname(os.path.abspath(path))
            _make_folders(folder, made)
            handle, temporary = tempfile.mkstemp(prefix=".policygen-", suffix=".tmp", dir=folder)
            staged.append((temporary, path))
            try:
                mode = stat.S_IMODE(os.stat(path).st_mode)
            except FileNotFoundError:
                mode = new_mode
            os.fchmod(handle, mode)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                _put(stream, content)
        for _, path in staged:  # what would stop a rename half-way, found before the first
            if os.path.isdir(path) and not os.path.islink(path):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        with _interrupt_deferred():  # all renamed or none: a Ctrl-C here takes effect after the last
            for temporary, path in staged:
                os.replace(temporary, path)
                renamed.append(path)
        for path, content in streams.items():  # last: what a reader already took cannot be taken back
            with open(path, "w", encoding="utf-8") as stream:
                _put(stream, content)
            renamed.append(path)
        _WRITTEN.extend(contents)
    except OSError as error:
        _WRITTEN.extend(renamed)
        raise WriteError(path, error, renamed) from error
    finally:
        with _interrupt_deferred():
            for temporary, _ in staged:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            if not renamed:
                for folder in reversed(made):
                    with contextlib.suppress(OSError):
                        os.rmdir(folder)


def _stream(path: str) -> bool:
    """Whether ``path`` is written in place rather than replaced by a renamed temporary file: something other
    than a file or a folder once its links are followed (a terminal, a pipe, ``/dev/null``), or a link
    through /dev or /proc (``/dev/stdout`` -> ``/proc/self/fd/1``), which names a file this process has open,
    perhaps the one the shell redirected stdout to. Renaming over such a link replaced the link itself: as
    root, ``/dev/stdout`` became a regular file holding the policy, and stdout got nothing."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        return False
    if not stat.S_ISREG(mode):
        return True
    hop = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        if hop.startswith(("/dev/", "/proc/")):
            return True
        if not os.path.islink(hop):
            return False
        hop = os.path.abspath(os.path.join(os.path.dirname(hop), os.readlink(hop)))
    return False


def _make_folders(folder: str, made: list[str]) -> None:
    """``os.makedirs``, noting each folder it creates so a failed write can take them away again."""
    missing: list[str] = []
    while not os.path.isdir(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for each in reversed(missing):
        try:
            os.mkdir(each)
        except FileExistsError:
            if not os.path.isdir(each):  # a file in the way; a folder made meanwhile by another is fine
                raise
            continue
        made.append(each)


def _interrupted(error: BaseException) -> bool:
    """Whether ``error`` is Ctrl-C: a KeyboardInterrupt, or what CPython's threading raises when the
    interrupt lands inside ``Condition.wait`` (the scan pool's wait for a batch): the lock it released
    just before is released again on the way out, "RuntimeError: release unlocked lock", with the
    KeyboardInterrupt as its context (seen once in tests/integration/test_cli_generate.py's Ctrl-C test)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__context__
    return False


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """SIGINT held back until the block ends (then raised as KeyboardInterrupt, as usual)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _umask() -> int:
    """The process umask (reading it means setting it: set back at once; the CLI writes from one thread)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _write_report(args: argparse.Namespace, report: dict[str, Any], outcome: str, err: TextIO) -> None:
    if not args.report:
        return
    try:
        _write_all({args.report: functools.partial(_dump_report, {"outcome": outcome, **report})})
    except WriteError as error:
        print(f"policygen generate: warning: --report: {error}", file=err)


def _dump_report(report: dict[str, Any], stream: TextIO) -> None:
    """The report as ``json.dumps(report, indent=2)`` gives it, written as it is encoded: for 500 principals
    of 1M events (28 MB of JSON) the whole text and the encoder's list of pieces took the process from
    120 to 209 MB, more than the scan itself (benchmarks/README.md)."""
    _write_indented(report, stream.write, "\n")


# Strings of a list written at once (``_write_indented``): bounds what one write holds.
STRINGS_PER_WRITE = 1024


_LEAF_SCALARS = frozenset({str, int, bool, type(None)})


def _leaf_text(value: dict[Any, Any], newline: str) -> str | None:
    """``json.dumps(value, indent=2)``'s text at ``newline``'s level by orjson, for a dict of scalars and
    short lists of them (a report's per-action entry, a finding, a statement): 18,000 of them were half of
    the 500-principal report's ~0.3 CPU s. None where orjson's text may differ from json's (a float's
    exponent, a text past ASCII or with DEL, which json escapes, a key that is no string, an int past 64
    bits) and for a dict or list of more than ``STRINGS_PER_WRITE`` items (a scan's skipped files), which
    ``_write_indented`` writes in pieces so that no text of the whole is held."""
    if len(value) > STRINGS_PER_WRITE:
        return None
    for item in value.values():
        kind = item.__class__
        if kind is list or kind is tuple:
            if len(item) > STRINGS_PER_WRITE or not _LEAF_SCALARS.issuperset(map(type, item)):
                return None
        elif kind not in _LEAF_SCALARS:
            return None
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except TypeError:
        return None
    if not text.isascii() or b"\x7f" in text:
        return None
    return text.decode().replace("\n", newline)


def _write_indented(value: Any, write: Callable[[str], object], newline: str) -> None:
    """``json.dump(value, indent=2)``'s text, ``newline`` the line break and indent of ``value``'s own level.
    json's indenting encoder is its pure-Python one, a generator step per item; a fleet's report is mostly
    lists of ARNs (329,000 for 500 principals of 1M events), which this joins a thousand at a time by the
    C string encoder, and its other values are strings and integers written without a call to json."""
    inner = newline + "  "
    if isinstance(value, dict) and value:
        write("{")
        for number, (key, item) in enumerate(value.items()):
            name = key if isinstance(key, str) else _key_text(key)
            head = ("," if number else "") + inner + encode_basestring_ascii(name) + ": "
            text = _scalar_text(item)
            if text is None and item.__class__ is dict:
                text = _leaf_text(item, inner)
            if text is None:
                write(head)
                _write_indented(item, write, inner)
            else:
                write(head + text)
        write(newline + "}")
    elif isinstance(value, list | tuple) and value:
        if {*map(type, value)} == {str}:
            between = "," + inner
            for start in range(0, len(value), STRINGS_PER_WRITE):
                strings = value[start : start + STRINGS_PER_WRITE]
                write(
                    ("[" if start == 0 else ",") + inner + between.join(map(encode_basestring_ascii, strings))
                )
        else:
            for number, item in enumerate(value):
                write(("," if number else "[") + inner)
                _write_indented(item, write, inner)
        write(newline + "]")
    else:
        write(_scalar_text(value) or json.dumps(value))  # also a float, an empty container: "{}", "[]"


def _key_text(key: Any) -> str:
    """json's text of a key that is no string: 1 -> "1", None -> "null"; what json refuses, refused."""
    if key is None or isinstance(key, int | float):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _scalar_text(value: Any) -> str | None:
    """json's text of a string, an integer, a boolean or null (None for anything else)."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is int:
        return int.__repr__(value)
    return "null" if value is None else "true" if value is True else "false" if value is False else None


def _outcome(error: PolicygenError) -> str:
    return error.reason[:1].lower() + error.reason[1:]


# Findings printed on stderr besides the report: those that say a grant is not the call's exact resource, or
# that a permission the call may need is left out.
PRINTED_FINDINGS = frozenset(
    {
        "pass-role-left-out",
        "pass-role-unproven",
        "permission-not-granted",
        "granted-unseen",
        "resource-made-new",
        "resource-not-writable",
        "resource-two-readings",
        "resource-undetermined",
        "resource-wide",
        "compacted",
        "folded",
        "listed-for-absence",
    }
)


PRINTED_WARNINGS = 20  # on stderr; the report keeps up to the scan's MAX_WARNINGS
_NOT_KEPT = re.compile(r"\.\.\. and (\d+) more")


def _print_warnings(report: dict[str, Any], err: TextIO, listed: bool = False) -> None:
    """The first warnings, then how many more: an export of thousands of odd records is one problem said
    a thousand times, and a terminal full of it hides the summary below. ``listed``: --report was given."""
    from policygen_operator.services.generation import EXCLUDED_ACTION

    # said before the scan (``_warn_unknown_exclusions``)
    warnings = [w for w in report.get("warnings", []) if not w.startswith(EXCLUDED_ACTION)]
    for warning in warnings[:PRINTED_WARNINGS]:
        print(f"policygen generate: warning: {warning}", file=err)
    rest = warnings[PRINTED_WARNINGS:]
    if rest:  # the report's own last line may say how many it did not keep ("... and N more")
        dropped = _NOT_KEPT.fullmatch(rest[-1])
        more = len(rest) - 1 + int(dropped[1]) if dropped else len(rest)
        where = "see the report" if listed else "--report FILE keeps them"
        print(f"policygen generate: warning: ... and {more:,} more warning(s) ({where})", file=err)


def _print_summary(report: dict[str, Any], where: str, err: TextIO) -> None:
    athena = report.get("athena")
    if athena:
        print(
            f"policygen generate: Athena query {athena['queryExecutionId']}: {athena['rows']:,} row(s), "
            f"{report['eventsMatched']:,} event(s) matched, {athena['bytesScanned']:,} bytes scanned "
            f"(estimated ${athena['estimatedCostUSD']:,.4f}); policy written to {where}",
            file=err,
        )
        return
    rate = report.get("eventsPerSecond") or 0
    print(
        f"policygen generate: {report['filesScanned']} file(s), {report['eventsScanned']:,} event(s) scanned "
        f"({rate:,} events/s), {report['eventsMatched']:,} matched, {len(report['filesSkipped'])} file(s) "
        f"skipped; policy written to {where}",
        file=err,
    )
    _print_folders(report.get("foldersNotEntered") or {}, err)
    _print_other_logs(report.get("filesNotRead") or {}, err)
    excluded = report.get("eventsExcludedByAccountOrRegion") or 0
    if excluded:
        print(
            f"policygen generate: {excluded:,} event(s) of the principal(s) of other accounts or regions "
            "passed over (--account/--region: their recipientAccountId or awsRegion)",
            file=err,
        )
    _print_mapping(report, err)


def _print_folders(folders: dict[str, int], err: TextIO) -> None:
    """The folders passed over unlisted, said once with why: a run that read a part of a tree says so."""
    reasons = (
        ("outsideWindow", "outside the window"),
        ("excludedByAccountOrRegion", "of other accounts or regions (--account/--region)"),
        ("noCalls", "of no calls (digests, Insights, Lake query results)"),
        ("otherServices", "of other services' logs (AWSLogs/ACCOUNT/SERVICE/ beside CloudTrail/)"),
        ("besideTrail", "beside the trail's AWSLogs/ (give a folder's own s3:// prefix to read it)"),
    )
    parts = [f"{folders[key]:,} {why}" for key, why in reasons if folders.get(key)]
    if parts:
        total = sum(folders.get(key, 0) for key, _ in reasons)
        print(f"policygen generate: {total:,} folder(s) passed over unread: {', '.join(parts)}", file=err)


def _print_other_logs(files: dict[str, int], err: TextIO) -> None:
    """Other services' objects passed over by name or first bytes, said once by kind: a log bucket's
    millions of S3 access logs are why a run listed far more than it read."""
    kinds = (
        ("s3AccessLogs", "S3 server access logs"),
        ("cloudFrontLogs", "CloudFront logs"),
        ("athenaResults", "Athena query results"),
        ("tabularFiles", "CSV, Parquet, ORC or Avro files"),
    )
    parts = [f"{files[key]:,} {what}" for key, what in kinds if files.get(key)]
    if parts:
        print(f"policygen generate: other services' files passed over unread: {', '.join(parts)}", file=err)


def _print_mapping(report: dict[str, Any], err: TextIO) -> None:
    """What the mapper did not turn into permissions, said for what it is: events it did not understand
    (unmapped) apart from events that need no permission (ignored, with the reason). Its findings are
    ``_print_findings``', which --quiet does not silence."""
    unmapped = report.get("unmapped") or {}
    if unmapped:
        names = ", ".join(f"{key} x{count}" for key, count in list(unmapped.items())[:5])
        more = f" and {len(unmapped) - 5} more" if len(unmapped) > 5 else ""
        print(
            f"policygen generate: {sum(unmapped.values()):,} event(s) not understood, in no policy "
            f"(unmapped): {names}{more}",
            file=err,
        )
    ignored = report.get("ignored") or {}
    if ignored:
        reasons = report.get("ignoredReasons") or {}
        names = "; ".join(
            f"{key} x{count}: {reasons.get(key, 'ignored')}" for key, count in list(ignored.items())[:5]
        )
        more = f" and {len(ignored) - 5} more" if len(ignored) > 5 else ""
        print(f"policygen generate: {sum(ignored.values()):,} event(s) ignored ({names}{more})", file=err)


PRINTED_FINDINGS_LINES = 50  # on stderr; the report keeps every principal's findings
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _print_findings(
    report: dict[str, Any], err: TextIO, *, quiet: bool = False, listed: bool = False
) -> None:
    """The findings that say a grant is wider than the calls, or a permission left out (``PRINTED_FINDINGS``),
    each led by its severity. With --quiet, those of severity warning or error still are: they are about
    the policy written, not the run's progress, and --quiet is documented to keep warnings. At most
    ``PRINTED_FINDINGS_LINES``, errors first, then one line counting the rest: a fleet's 300 roles gave
    8,000 lines of patterns, which buried the errors and the summary. ``listed``: --report was given."""
    chosen = [
        (_SEVERITY_ORDER.get(finding.get("severity", ""), 3), arn, finding)
        for arn, principal in (report.get("principals") or {}).items()
        for finding in principal.get("findings", [])
        if finding.get("code") in PRINTED_FINDINGS and not (quiet and finding.get("severity") == "info")
    ]
    chosen.sort(key=lambda entry: entry[0])  # stable: each severity's findings in the report's order
    for _, arn, finding in chosen[:PRINTED_FINDINGS_LINES]:
        print(f"policygen generate: {finding['severity']}: {arn}: {finding['message']}", file=err)
    rest = chosen[PRINTED_FINDINGS_LINES:]
    if rest:
        by_severity = Counter(finding.get("severity", "?") for _, _, finding in rest)
        counts = ", ".join(f"{count:,} {severity}" for severity, count in by_severity.items())
        principals = len({arn for _, arn, _ in rest})
        where = "see the report" if listed else "--report FILE keeps them"
        print(
            f"policygen generate: ... and {len(rest):,} more finding(s) ({counts}) of {principals:,} "
            f"principal(s) ({where})",
            file=err,
        )


class _ProgressPrinter:
    """One status line on stderr, rewritten in place on a TTY; the engine calls it at most twice a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, progress: Progress) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        line = progress.detail or (
            f"scanning: {progress.files_scanned:,} files, {progress.events_scanned:,} events "
            f"({progress.events_scanned / elapsed:,.0f} events/s), {progress.events_matched:,} matched"
        )
        if progress.folders_listed and not progress.detail:
            line += f"; listed {progress.folders_listed:,} folders, {progress.objects_listed:,} objects"
        self.stream.write(f"\r{line}\x1b[K" if self.tty else line + "\n")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()
