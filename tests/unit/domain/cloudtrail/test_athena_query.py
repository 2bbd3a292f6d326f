"""The Athena query text, the source URI, the cost estimate and the table DDL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlglot
from sqlglot import exp

from policygen_operator.domain.cloudtrail.athena import (
    AthenaSourceError,
    AthenaTable,
    TableLayout,
    _principal,
    build_query,
    crawler_roles,
    estimated_cost_usd,
    layout_notes,
    parse_athena_uri,
    record_of,
    summarize_rows,
)
from policygen_operator.domain.cloudtrail.athena_ddl import DdlError, TrailTable, create_table
from policygen_operator.domain.cloudtrail.principals import PrincipalMatcher, parse_principal
from policygen_operator.domain.cloudtrail.scan import MAX_OTHER_PATHS, ScanResult
from policygen_operator.domain.cloudtrail.window import Window

ROLE = parse_principal("arn:aws:iam::111122223333:role/service-role/orders")
USER = parse_principal("arn:aws:iam::111122223333:user/people/alice")
WINDOW = Window(datetime(2026, 11, 24, 22, tzinfo=UTC), datetime(2026, 11, 26, 23, 30, tzinfo=UTC))


def where_of(sql: str) -> str:
    parsed = sqlglot.parse_one(sql, read="trino")
    where = parsed.find(exp.Where)
    assert where is not None
    return where.sql("trino")


def test_query_always_prunes_by_delivery_day_and_bounds_event_time() -> None:
    sql = build_query(AthenaTable("db", "trail"), (ROLE,), WINDOW)
    where = where_of(sql)
    # the last day is the window's end plus the delivery lag (23:30 + 1 h is the next day)
    assert "\"timestamp\" BETWEEN '2026/11/24' AND '2026/11/27'" in where
    assert "eventtime >= '2026-11-24T22:00:00Z'" in where
    assert "eventtime < '2026-11-26T23:30:00Z'" in where
    assert "'arn:aws:sts::111122223333:assumed-role/orders/'" in where
    assert "account IN" not in where and "region IN" not in where


def test_query_prunes_account_and_region_partitions_when_asked() -> None:
    sql = build_query(
        AthenaTable("db", "trail"), (ROLE, USER), WINDOW, accounts=("444455556666",), regions=("eu-west-1",)
    )
    where = where_of(sql)
    assert "account IN ('444455556666')" in where
    assert "region IN ('eu-west-1')" in where
    assert "useridentity.arn IN ('arn:aws:iam::111122223333:user/people/alice')" in where


def test_manual_day_partitions_are_named_month_by_month_across_a_year_end() -> None:
    """A table of the Athena guide's manual partitioning (``region, year, month, day``, the folder names):
    the window's days as one term a month, on the partition keys alone; no ``timestamp``, and the Region
    asked for on its ``region`` partition, the account (no such partition) left to ``summarize_rows``."""
    window = Window(datetime(2025, 12, 30, tzinfo=UTC), datetime(2026, 1, 2, 12, tzinfo=UTC))
    layout = TableLayout(("region", "year", "month", "day"))
    sql = build_query(
        AthenaTable("db", "trail"),
        (ROLE,),
        window,
        accounts=("111122223333",),
        regions=("eu-west-1",),
        layout=layout,
    )
    where = where_of(sql)
    assert (
        "((year = '2025' AND month = '12' AND day BETWEEN '30' AND '31') "
        "OR (year = '2026' AND month = '01' AND day BETWEEN '01' AND '02'))"
    ) in where
    assert '"timestamp"' not in where and "region IN ('eu-west-1')" in where
    assert "recipientaccountid" not in where  # the account's rows are kept by summarize_rows, and counted
    console = build_query(AthenaTable("db", "trail"), (ROLE,), window, layout=TableLayout(()))
    assert "year" not in where_of(console) and '"timestamp"' not in where_of(console)
    assert layout_notes(AthenaTable("db", "trail"), TableLayout(())) and not layout_notes(
        AthenaTable("db", "trail"), layout
    )


@pytest.mark.parametrize(
    ("location", "keys", "expected"),
    [
        # a crawler run on s3://bucket/AWSLogs/ of one account's trail: account, "CloudTrail", region, y/m/d
        ("s3://b/AWSLogs/", 6, {"account": 0, "cloudtrail": 1, "region": 2, "year": 3, "month": 4, "day": 5}),
        # ... of an organization trail: the O-ID comes first
        ("s3://b/AWSLogs", 7, {"account": 1, "cloudtrail": 2, "region": 3, "year": 4, "month": 5, "day": 6}),
        (
            "s3://b/prefix/AWSLogs/o-abc123defg/",
            6,
            {"account": 0, "cloudtrail": 1, "region": 2, "year": 3, "month": 4, "day": 5},
        ),
        # from an account's folder: CloudTrail beside CloudTrail-Digest, kept to CloudTrail by the query
        ("s3://b/AWSLogs/111122223333/", 5, {"cloudtrail": 0, "region": 1, "year": 2, "month": 3, "day": 4}),
        ("s3://b/AWSLogs/111122223333/CloudTrail/", 4, {"region": 0, "year": 1, "month": 2, "day": 3}),
        ("s3://b/AWSLogs/111122223333/CloudTrail/eu-west-1", 3, {"year": 0, "month": 1, "day": 2}),
        # what the location does not tell: no AWSLogs/ in it, or levels that do not add up to the day
        ("s3://b/", 7, None),
        ("s3://b/trail/", 8, None),
        ("s3://b/AWSLogs/", 5, None),
        ("s3://b/AWSLogs/111122223333/CloudTrail-Digest/", 4, None),
        (None, 6, None),
    ],
)
def test_a_crawlers_partition_keys_are_read_from_the_table_location(
    location: str | None, keys: int, expected: dict[str, int] | None
) -> None:
    """A Glue crawler names the folders below the table's location partition_0, partition_1, ... (AWS Glue
    Developer Guide, "Managing partitions for ETL output in AWS Glue"); the location says which delivery
    level (AWSLogs/[O-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD) each is, or nothing where it could be any."""
    partitions = tuple(f"partition_{n}" for n in range(keys))
    roles = crawler_roles(partitions, location)
    assert roles == (None if expected is None else {k: f"partition_{n}" for k, n in expected.items()})


def test_a_crawlers_table_it_cannot_read_says_why_and_what_to_do() -> None:
    layout = TableLayout(tuple(f"partition_{n}" for n in range(7)), location="s3://b/")
    where = where_of(build_query(AthenaTable("db", "trail"), (ROLE,), WINDOW, layout=layout))
    assert "partition_" not in where
    (note,) = layout_notes(AthenaTable("db", "trail"), layout)
    assert "s3://b/" in note and "must reach AWSLogs/" in note and "rename the keys" in note


def test_integer_day_keys_are_compared_with_numbers() -> None:
    """year/month/day declared int: Athena refuses ``year = '2026'`` on an int column (Trino has no
    implicit varchar-to-integer cast); the literal follows the type GetTable gives."""
    typed = TableLayout(("year", "month", "day"), ("int", "int", "int"))
    where = where_of(build_query(AthenaTable("db", "trail"), (ROLE,), WINDOW, layout=typed))
    assert "year = 2026" in where and "'2026'" not in where


@pytest.mark.parametrize(
    ("formats", "types", "pruned"),
    [
        ((("dt", "yyyy-MM-dd"),), ("string",), True),
        ((("dt", "yyyy/MM/dd"),), ("string",), True),
        ((("dt", "dd-MM-yyyy"),), ("string",), False),  # sorts by day of month, not by date
        ((), ("string",), False),  # not projected: nothing says how its values are written
        ((("dt", "yyyyMMdd"),), ("int",), False),
    ],
)
def test_a_dt_key_is_pruned_only_by_a_declared_sortable_date_format(
    formats: tuple[tuple[str, str], ...], types: tuple[str, ...], pruned: bool
) -> None:
    layout = TableLayout(("dt",), types, date_formats=formats)
    where = where_of(build_query(AthenaTable("db", "trail"), (ROLE,), WINDOW, layout=layout))
    assert ('"dt" BETWEEN' in where) is pruned
    assert bool(layout_notes(AthenaTable("db", "trail"), layout)) is not pruned


def test_principal_text_is_quoted_not_injected() -> None:
    odd = parse_principal("arn:aws:iam::111122223333:user/o'path/alice")  # paths may hold a quote
    where = where_of(build_query(AthenaTable("db", "trail"), (odd,), WINDOW))
    assert "useridentity.arn IN ('arn:aws:iam::111122223333:user/o''path/alice')" in where


def test_query_groups_every_selected_column_but_the_aggregates() -> None:
    parsed = sqlglot.parse_one(build_query(AthenaTable("db", "trail"), (USER,), WINDOW), read="trino")
    group = parsed.find(exp.Group)
    assert group is not None
    assert len(group.expressions) == len(parsed.expressions) - 3
    assert '"awsdatacatalog"."db"."trail"' in parsed.sql("trino")


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("athena://db.trail", (None, "AwsDataCatalog", "db", "trail")),
        ("athena://primary@db.trail", ("primary", "AwsDataCatalog", "db", "trail")),
        ("athena://wg-1@other_catalog.db.trail", ("wg-1", "other_catalog", "db", "trail")),
    ],
)
def test_source_uri(uri: str, expected: tuple[str | None, str, str, str]) -> None:
    table = parse_athena_uri(uri, "s3://results/policygen/")
    assert (table.workgroup, table.catalog, table.database, table.table) == expected
    assert table.output_location == "s3://results/policygen/"


@pytest.mark.parametrize("uri", ["athena://trail", "athena://db.tr'ail", "s3://db.trail", "athena://a.b.c.d"])
def test_bad_source_uri(uri: str) -> None:
    with pytest.raises(AthenaSourceError):
        parse_athena_uri(uri)


@pytest.mark.parametrize(
    "names", [("db\n", "trail"), ("db", "trail\n"), ("db", "trail", "cat\n"), ("db", "tr\u0661il\u00e9")]
)
def test_table_names_are_plain_ascii_to_the_end(names: tuple[str, ...]) -> None:
    """A trailing newline passed re.match's "$" into the query's quoted identifiers."""
    with pytest.raises(AthenaSourceError):
        AthenaTable(*names)


def test_output_location_must_be_s3() -> None:
    with pytest.raises(AthenaSourceError):
        AthenaTable("db", "trail", output_location="/tmp/results")


def test_cost_is_per_megabyte_with_a_ten_megabyte_minimum() -> None:
    assert estimated_cost_usd(0) == estimated_cost_usd(10 * 10**6) == pytest.approx(5e-5)
    assert estimated_cost_usd(10**12) == pytest.approx(5.0)
    assert estimated_cost_usd(10**12 + 1) == pytest.approx(5.000005)


ROW = {  # one result row of build_query's query: alice's GetObject
    "identity": USER.arn,
    "identity_type": "IAMUser",
    "identity_account": "111122223333",
    "recipient_account": "111122223333",
    "aws_region": "eu-west-1",
    "event_source": "s3.amazonaws.com",
    "event_name": "GetObject",
    "event_type": "AwsApiCall",
    "request_parameters": '{"bucketName":"b","key":"k"}',
}


def test_record_of_a_row_carries_what_the_mapper_reads() -> None:
    record = record_of(
        {
            **ROW,
            "error_code": "AccessDenied",
            "not_authorized": "true",
            "resource_arns": '["arn:aws:s3:::b/k","arn:aws:s3:::b"]',
        }
    )
    assert record["errorMessage"] == "not authorized to perform"
    assert record["resources"] == [{"ARN": "arn:aws:s3:::b/k"}, {"ARN": "arn:aws:s3:::b"}]
    assert record["userIdentity"] == {
        "arn": USER.arn,
        "type": "IAMUser",
        "accountId": "111122223333",
    }


def test_ddl_single_account_and_region_is_aws_documented_shape() -> None:
    ddl = create_table(TrailTable("trail-bucket", accounts=("111122223333",), regions=("eu-west-1",)))
    parsed = sqlglot.parse_one(ddl, read="hive")
    assert isinstance(parsed, exp.Create)
    assert "PARTITIONED BY (`timestamp` STRING)" in ddl
    assert "LOCATION 's3://trail-bucket/AWSLogs/111122223333/CloudTrail/eu-west-1/'" in ddl
    assert (
        "'storage.location.template'='s3://trail-bucket/AWSLogs/111122223333/CloudTrail/eu-west-1/${timestamp}'"
        in ddl
    )
    assert "'projection.timestamp.format'='yyyy/MM/dd'" in ddl
    assert "CloudTrailInputFormat" in ddl


def test_ddl_organization_trail_projects_accounts_and_regions() -> None:
    ddl = create_table(
        TrailTable(
            "org-trail",
            database="audit",
            table="org_logs",
            prefix="/central/",
            organization_id="o-abc123def4",
            accounts=("111122223333", "444455556666"),
            first_day=date(2025, 6, 1),
        )
    )
    base = "s3://org-trail/central/AWSLogs/o-abc123def4/"
    assert "CREATE EXTERNAL TABLE IF NOT EXISTS `audit`.`org_logs`" in ddl
    assert "PARTITIONED BY (account STRING, region STRING, `timestamp` STRING)" in ddl
    assert f"'storage.location.template'='{base}${{account}}/CloudTrail/${{region}}/${{timestamp}}'" in ddl
    assert "'projection.account.values'='111122223333,444455556666'" in ddl
    assert "us-east-1" in ddl and "eu-west-1" in ddl  # every region by default
    assert "'projection.timestamp.range'='2025/06/01,NOW'" in ddl


def test_ddl_organization_trail_of_one_account_and_region_still_has_account_and_region_partitions() -> None:
    """As documented (docs/athena.md, the CLI's help): an organization trail gets account and region
    partitions whatever it starts with, so accounts joining later are one ALTER TABLE away and
    --account/--region prune it; it was given the single-account, day-only layout."""
    ddl = create_table(
        TrailTable(
            "org-trail", organization_id="o-abc123def4", accounts=("111122223333",), regions=("eu-west-1",)
        )
    )
    assert "PARTITIONED BY (account STRING, region STRING, `timestamp` STRING)" in ddl
    assert "LOCATION 's3://org-trail/AWSLogs/o-abc123def4/'" in ddl
    template = "s3://org-trail/AWSLogs/o-abc123def4/${account}/CloudTrail/${region}/${timestamp}"
    assert f"'storage.location.template'='{template}'" in ddl
    assert "'projection.region.values'='eu-west-1'" in ddl


def test_ddl_default_regions_are_every_commercial_region_cloudtrail_runs_in() -> None:
    """The default region enum is all projection ever reads: a region missing from it (Taipei ap-east-2 and
    Auckland ap-southeast-6 were) is a region whose events a multi-region trail's table silently drops."""
    import botocore.session

    from policygen_operator.domain.cloudtrail.athena_ddl import DEFAULT_REGIONS

    regions = set(botocore.session.get_session().get_available_regions("cloudtrail", "aws"))
    assert regions - set(DEFAULT_REGIONS) == set()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bucket": "Bad_Bucket", "accounts": ("111122223333",)},
        {"bucket": "b-1", "accounts": ()},
        {"bucket": "b-1", "accounts": ("1234",)},
        {"bucket": "b-1", "accounts": ("111122223333",), "regions": ("Mars",)},
        {"bucket": "b-1", "accounts": ("111122223333",), "organization_id": "org"},
        {"bucket": "b-1", "accounts": ("111122223333",), "table": "drop table"},
        # a trailing newline passed re.match's "$", and "\d" took any script's digits: into the statement
        {"bucket": "b-1\n", "accounts": ("111122223333",)},
        {"bucket": "b-1", "accounts": ("111122223333",), "database": "audit\n"},
        {"bucket": "b-1", "accounts": ("111122223333\n",)},
        {"bucket": "b-1", "accounts": ("\u0661" * 12,)},  # ARABIC-INDIC DIGIT ONE
        {"bucket": "b-1", "accounts": ("111122223333",), "regions": ("eu-west-1\n",)},
        {"bucket": "b-1", "accounts": ("111122223333",), "regions": ("eu-west-\u0661",)},
        {"bucket": "b-1", "accounts": ("111122223333",), "organization_id": "o-abc123def4\n"},
        {"bucket": "b-1", "accounts": ("111122223333",), "prefix": "logs\n"},
    ],
)
def test_ddl_refuses_bad_options(kwargs: dict[str, object]) -> None:
    with pytest.raises(DdlError):
        TrailTable(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "prefix",
    [
        "x'\nCOMMENT 'injected",  # would close LOCATION's string and add to the statement
        "logs\\",  # Hive string literals take backslash escapes: \\' would keep the string open
        "logs/${account}",  # would change the projection's location template
        "central logs",
        "ü/logs",
        "a" * 201,  # CloudTrail's S3 key prefix is at most 200 characters
    ],
)
def test_ddl_refuses_a_prefix_it_cannot_put_in_a_string_literal(prefix: str) -> None:
    with pytest.raises(DdlError, match="prefix"):
        TrailTable("b-1", accounts=("111122223333",), prefix=prefix)


def test_ddl_keeps_an_ordinary_prefix() -> None:
    ddl = create_table(
        TrailTable("b-1", accounts=("111122223333",), regions=("eu-west-1",), prefix="a/b_c.d-1")
    )
    assert "LOCATION 's3://b-1/a/b_c.d-1/AWSLogs/111122223333/CloudTrail/eu-west-1/'" in ddl


def test_athena_rows_keep_the_path_hint_as_bounded_as_the_file_scan() -> None:
    """Both sources note a same-name role of another path through ScanResult.other_path (one bound)."""
    role = parse_principal("arn:aws:iam::111122223333:role/app")
    matcher = PrincipalMatcher((role,))
    result = ScanResult()
    session_prefix = "arn:aws:sts::111122223333:assumed-role/app/"
    for n in range(MAX_OTHER_PATHS + 3):
        issuer = f"arn:aws:iam::111122223333:role/path{n}/app"
        assert _principal(matcher, session_prefix, issuer, result) is None
    assert len(result.other_paths[role.arn]) == MAX_OTHER_PATHS


def test_a_row_whose_parameters_nest_too_deeply_is_a_bad_record_not_a_crash() -> None:
    """Athena returns requestParameters as JSON text; the mapper parses it, and past Python's recursion
    limit that raised out of the summary (the file scan has the same guard)."""
    from policygen_operator.domain.cloudtrail.scan import default_mapper

    good = {**ROW, "events": "3", "first_seen": "2026-11-24T10:00:00Z", "last_seen": "2026-11-24T11:00:00Z"}
    deep = {**good, "request_parameters": '{"bucketName":"b","key":' + "[" * 1010 + "]" * 1010 + "}"}
    result = summarize_rows([deep, good], (USER,), default_mapper())
    assert result.summary.bad_records == 1
    assert result.warnings == ["skipped a row of Athena's results: nested too deeply to read"]
    assert result.summary.events_matched == 3
