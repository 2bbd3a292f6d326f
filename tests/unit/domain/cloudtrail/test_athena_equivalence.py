"""The Athena path gives the local scan's policy: same files, same usage, same documents.

The Trino query is transpiled by sqlglot to DuckDB and run over a DuckDB table shaped like Athena's
CloudTrail table (``athena_duckdb``), filled from the very files the local scan reads; its rows go through
``summarize_rows`` (the same matcher and mapper) and the policies are compared with the local scan's.
"""

from __future__ import annotations

import glob
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.domain.cloudtrail.athena import (
    AthenaTable,
    TableLayout,
    build_queries,
    build_query,
    summarize_rows,
)
from policygen_operator.domain.cloudtrail.local import Listing, local_files
from policygen_operator.domain.cloudtrail.principals import Principal, parse_principal
from policygen_operator.domain.cloudtrail.scan import ScanResult, ScanSpec, default_mapper
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import run_scan
from policygen_operator.domain.iam.canonical import canonical_json
from policygen_operator.domain.iam.policy import PolicyOptions, build_policies
from tests.fixtures.scripts import load_script
from tests.unit.domain.cloudtrail.athena_duckdb import cloudtrail_table, run_trino
from tests.unit.domain.cloudtrail.fakes import ROLE, athena_call, record, role_identity, write_gz

ROOT = Path(__file__).resolve().parents[4]
SAMPLES = ROOT / "examples" / "cloudtrail" / "AWSLogs"
TABLE = AthenaTable("cloudtrail", "logs")
# One delivery file of 2026-11-24 in the delivery layout, for the tests that write their own records
ONE_DAY_FILE = Path(
    "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/"
    "111122223333_CloudTrail_us-east-1_20261124T0905Z_AbCdEfGh12345678.json.gz"
)
SAMPLE_WINDOW = Window(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
SAMPLE_PRINCIPALS = (
    "arn:aws:iam::111122223333:role/service-role/order-processor",
    "arn:aws:iam::111122223333:role/ci-deployer",
    "arn:aws:iam::111122223333:user/people/alice",
    "arn:aws:iam::111122223333:user/bob",
)


def local_scan(root: Path, principals: tuple[Principal, ...], window: Window) -> ScanResult:
    items = local_files(str(root), window, Listing())
    return run_scan(ScanSpec(principals, window), items, workers=1)


def athena_scan(paths: list[str], principals: tuple[Principal, ...], window: Window) -> ScanResult:
    connection = cloudtrail_table(paths)
    rows = run_trino(connection, build_query(TABLE, principals, window))
    return summarize_rows(rows, principals, default_mapper())


def policies(result: ScanResult, arn: str) -> str:
    usage = result.summary.principals.get(arn)
    documents = build_policies(usage.allowed, PolicyOptions()) if usage else []
    return json.dumps([json.loads(canonical_json(d)) for d in documents])


def usage_of(result: ScanResult) -> dict[str, Any]:
    data = result.summary.to_dict()
    return {
        "principals": data["principals"],
        "unmapped": data["unmapped"],
        "ignored": data["ignored"],
        "eventsMatched": data["eventsMatched"],
        "matched": dict(result.matched),
    }


def assert_same(local: ScanResult, athena: ScanResult, arns: list[str]) -> None:
    assert usage_of(athena) == usage_of(local)
    for arn in arns:
        assert policies(athena, arn) == policies(local, arn), arn


@pytest.mark.parametrize("arn", SAMPLE_PRINCIPALS)
def test_samples_one_principal(arn: str) -> None:
    principals = (parse_principal(arn),)
    paths = sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True))
    local = local_scan(SAMPLES, principals, SAMPLE_WINDOW)
    athena = athena_scan(paths, principals, SAMPLE_WINDOW)
    assert local.summary.events_matched > 0  # the comparison is about something
    assert policies(local, arn) != "[]"
    assert_same(local, athena, [arn])


def test_samples_all_principals_in_one_query() -> None:
    principals = tuple(parse_principal(a) for a in SAMPLE_PRINCIPALS)
    paths = sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True))
    assert_same(
        local_scan(SAMPLES, principals, SAMPLE_WINDOW),
        athena_scan(paths, principals, SAMPLE_WINDOW),
        list(SAMPLE_PRINCIPALS),
    )


def test_window_cuts_the_same_records() -> None:
    """A window that ends mid-day: eventtime bounds and partition days agree with the local scan."""
    principals = tuple(parse_principal(a) for a in SAMPLE_PRINCIPALS)
    window = Window(datetime(2026, 11, 24, 10, tzinfo=UTC), datetime(2026, 11, 25, 12, tzinfo=UTC))
    paths = sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True))
    local = local_scan(SAMPLES, principals, window)
    athena = athena_scan(paths, principals, window)
    full = local_scan(SAMPLES, principals, SAMPLE_WINDOW)
    assert 0 < local.summary.events_matched < full.summary.events_matched
    assert_same(local, athena, list(SAMPLE_PRINCIPALS))


# AWS's documented CloudTrail tables (Athena user guide, "Querying AWS CloudTrail logs"; the awsdocs
# amazon-athena-user-guide repository, doc_source/cloudtrail-logs.md): the CloudTrail console's (not
# partitioned), manual partitioning's of one account and of an organization trail, partition projection's
# (one account and Region, by day), and the one ``policygen athena ddl`` makes for several.
LAYOUTS = {
    "console": (),
    "manual": ("region", "year", "month", "day"),
    "manual-organization": ("account", "region", "year", "month", "day"),
    "projection": ("timestamp",),
    "policygen-multi": ("account", "region", "timestamp"),
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
@pytest.mark.parametrize(
    ("accounts", "regions"),
    [((), ()), (("111122223333",), ()), (("111122223333",), ("us-east-1",)), (("444455556666",), ())],
)
def test_account_and_region_on_every_documented_table_layout(
    layout: str, accounts: tuple[str, ...], regions: tuple[str, ...]
) -> None:
    """--account/--region on a table without ``account``/``region`` partitions (a single-account trail's,
    as the CloudTrail console and the Athena guide make it) filtered a column the table does not have, and
    the query failed; and a table partitioned by year/month/day (or not at all) had no ``timestamp``. The
    query names what the layout has and filters recipientaccountid/awsregion otherwise: the rows are the
    local scan's with the same --account/--region, whatever the layout."""
    principals = tuple(parse_principal(a) for a in SAMPLE_PRINCIPALS)
    paths = sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True))
    shape = TableLayout(LAYOUTS[layout])
    sql = build_query(TABLE, principals, SAMPLE_WINDOW, accounts=accounts, regions=regions, layout=shape)
    rows = run_trino(cloudtrail_table(paths, partitions=shape.partitions), sql)
    athena = summarize_rows(
        rows, principals, default_mapper(), accounts=frozenset(accounts), regions=frozenset(regions)
    )
    spec = ScanSpec(principals, SAMPLE_WINDOW, accounts=frozenset(accounts), regions=frozenset(regions))
    local = run_scan(spec, local_files(str(SAMPLES), SAMPLE_WINDOW, Listing()), workers=1)
    assert_same(local, athena, list(SAMPLE_PRINCIPALS))
    everything = local_scan(SAMPLES, principals, SAMPLE_WINDOW).summary.events_matched
    if accounts == ("444455556666",):  # not the trail's account: nothing
        assert athena.summary.events_matched == 0
    elif regions:  # the samples have eu-west-1 records too
        assert 0 < athena.summary.events_matched < everything
    else:
        assert athena.summary.events_matched == everything


# Tables users make otherwise than the guide's DDL, each with the predicate that prunes its day partitions:
# a Glue crawler's, whose non key=value folders are named partition_0, partition_1, ... below the table's
# location (AWS Glue Developer Guide, "Managing partitions for ETL output in AWS Glue"; the delivery path
# AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD of the CloudTrail User Guide's "Finding your CloudTrail log
# files"), crawled from AWSLogs/ and from an account's CloudTrail/ folder; manual partitions declared int
# (the guide's ALTER TABLE ADD PARTITION takes any Hive type); a dt day key with partition projection of
# type date (Athena user guide, "Supported types for partition projection": projection.dt.format).
CRAWLED = tuple(f"partition_{n}" for n in range(6))
USER_TABLES: dict[str, tuple[TableLayout, dict[str, Any], str]] = {
    "crawler-from-awslogs": (
        TableLayout(CRAWLED, ("string",) * 6, "s3://trail-bucket/AWSLogs/"),
        {
            "sources": dict(
                zip(CRAWLED, ("account", "cloudtrail", "region", "year", "month", "day"), strict=True)
            )
        },
        "(partition_3 = '2026' AND partition_4 = '11' AND partition_5 BETWEEN '20' AND '30')",
    ),
    "crawler-from-account": (
        TableLayout(CRAWLED[:4], (), "s3://trail-bucket/AWSLogs/111122223333/CloudTrail"),
        {"sources": dict(zip(CRAWLED, ("region", "year", "month", "day"), strict=False))},
        "(partition_1 = '2026' AND partition_2 = '11' AND partition_3 BETWEEN '20' AND '30')",
    ),
    "manual-int": (
        TableLayout(("region", "year", "month", "day"), ("string", "int", "int", "bigint")),
        {"types": {"year": "INT", "month": "INT", "day": "BIGINT"}},
        "(year = 2026 AND month = 11 AND day BETWEEN 20 AND 30)",
    ),
    "dt-projection": (
        TableLayout(("dt",), ("string",), date_formats=(("dt", "yyyy-MM-dd"),)),
        {"sources": {"dt": "date"}},
        "\"dt\" BETWEEN '2026-11-20' AND '2026-12-01'",
    ),
}


@pytest.mark.parametrize("name", USER_TABLES, ids=list(USER_TABLES))
@pytest.mark.parametrize(("accounts", "regions"), [((), ()), (("111122223333",), ("us-east-1",))])
def test_tables_users_make_are_pruned_by_day_and_give_the_local_scans_usage(
    name: str, accounts: tuple[str, ...], regions: tuple[str, ...]
) -> None:
    """A crawler's partition_N table, int-typed year/month/day and a projected dt key were read whole (no
    day predicate: every query billed for the whole trail), and the int keys would have been compared with
    quoted strings had they been named: the query now prunes each by its days, with literals of the key's
    type, and the rows still give the local scan's usage."""
    layout, table_options, pruned = USER_TABLES[name]
    principals = tuple(parse_principal(a) for a in SAMPLE_PRINCIPALS)
    paths = sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True))
    sql = build_query(TABLE, principals, SAMPLE_WINDOW, accounts=accounts, regions=regions, layout=layout)
    assert pruned in sql
    rows = run_trino(cloudtrail_table(paths, partitions=layout.partitions, **table_options), sql)
    athena = summarize_rows(
        rows, principals, default_mapper(), accounts=frozenset(accounts), regions=frozenset(regions)
    )
    spec = ScanSpec(principals, SAMPLE_WINDOW, accounts=frozenset(accounts), regions=frozenset(regions))
    local = run_scan(spec, local_files(str(SAMPLES), SAMPLE_WINDOW, Listing()), workers=1)
    assert_same(local, athena, list(SAMPLE_PRINCIPALS))
    assert athena.summary.events_matched > 0


def test_fleet_of_50_principals_in_one_query(tmp_path: Path) -> None:
    generator = load_script("benchmarks/generate.py")
    for index in range(12):  # 6,000 records, written here (the generator's pool cannot pickle us)
        generator.write_file(tmp_path, index)
    arns = []
    for identity in generator.PRINCIPAL_LIST[:50]:
        issuer = (identity.get("sessionContext") or {}).get("sessionIssuer")
        arns.append(issuer["arn"] if issuer else identity["arn"])
    principals = tuple(parse_principal(a) for a in arns)
    window = Window(generator.START, generator.START.replace(day=2))
    paths = sorted(glob.glob(str(tmp_path / "**" / "*.json.gz"), recursive=True))
    local = local_scan(tmp_path, principals, window)
    athena = athena_scan(paths, principals, window)
    assert len([a for a in arns if local.matched.get(a)]) == 50  # every principal has events
    assert_same(local, athena, arns)


def test_fleet_split_over_several_queries_gives_the_one_query_result(tmp_path: Path) -> None:
    """Past Athena's query length the principals go into several queries (here with a small limit): the
    rows of all of them, summarized together, are the local scan's usage, with two same-name roles of
    other paths (one session prefix) kept in one query so their sessions' rows are not counted twice."""
    generator = load_script("benchmarks/generate.py")
    for index in range(4):
        generator.write_file(tmp_path, index)
    arns = []
    for identity in generator.PRINCIPAL_LIST[:30]:
        issuer = (identity.get("sessionContext") or {}).get("sessionIssuer")
        arns.append(issuer["arn"] if issuer else identity["arn"])
    roles = [a for a in arns if ":role/" in a]
    name = roles[0].rsplit("/", 1)[1]
    arns.append(f"arn:aws:iam::{roles[0].split(':')[4]}:role/other-path/{name}")  # same sessions, no events
    principals = tuple(parse_principal(a) for a in arns)
    window = Window(generator.START, generator.START.replace(day=2))
    paths = sorted(glob.glob(str(tmp_path / "**" / "*.json.gz"), recursive=True))
    whole = len(build_query(TABLE, principals, window).encode())
    single = len(build_query(TABLE, principals[:1], window).encode())
    limit = single + (whole - single) // 3  # room for a third of the principals each
    queries = build_queries(TABLE, principals, window, limit=limit)
    assert len(queries) >= 3 and all(len(q.encode()) <= limit for _, q in queries)
    together = next(batch for batch, _ in queries if any(p.arn == arns[-1] for p in batch))
    assert roles[0] in {p.arn for p in together}
    assert sorted(p.arn for batch, _ in queries for p in batch) == sorted(arns)
    connection = cloudtrail_table(paths)
    rows = [r for _, sql in queries for r in run_trino(connection, sql)]
    athena = summarize_rows(rows, principals, default_mapper())
    local = local_scan(tmp_path, principals, window)
    assert_same(local, athena, arns)


def one_file(tmp_path: Path, records: list[dict[str, Any]]) -> tuple[ScanResult, ScanResult]:
    """The role's usage from one delivery file of ``records`` on 2026-11-24: (local scan, Athena path)."""
    path = write_gz(
        tmp_path / ONE_DAY_FILE,
        records,
    )
    principals = (parse_principal(ROLE),)
    window = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
    return local_scan(tmp_path, principals, window), athena_scan([str(path)], principals, window)


def test_bedrock_calls_through_a_profile_are_granted_alike_through_the_query(tmp_path: Path) -> None:
    """Calls through a geographic inference profile, with and without additionalEventData.inferenceRegion
    (the Region that served each), are granted the same models in the same Regions through the query as
    through the files: the model in every Region of the profile's geography (test_bedrock_routing.py)."""

    def converse(region: str | None, time: str) -> dict[str, Any]:
        call = record(
            role_identity(),
            "Converse",
            source="bedrock.amazonaws.com",
            time=f"2026-11-24T{time}Z",
            requestParameters={"modelId": "us.anthropic.claude-3-5-sonnet-20241022-v2:0"},
            eventType="AwsApiCall",
            recipientAccountId="111122223333",
        )
        if region is not None:
            call["additionalEventData"] = {"inferenceRegion": region}
        return call

    records = [
        converse("us-west-2", "09:00:00"),
        converse("us-east-2", "09:01:00"),
        converse(None, "09:02:00"),
    ]
    local, athena = one_file(tmp_path, records)
    models = {r for _, r in athena.summary.principals[ROLE].allowed if ":foundation-model/" in r}
    assert {m.split(":")[3] for m in models} == {"us-*"}
    assert_same(local, athena, [ROLE])


def test_athena_query_reads_are_linked_to_their_start_through_the_query_too(tmp_path: Path) -> None:
    """The id StartQueryExecution returned (responseelements) comes back as a column, so a query's reads
    are granted on the workgroup it ran in, as the file scan grants them; a read whose start is not in the
    window keeps * with its finding in both."""
    query = "b621c254-74e0-48e3-9630-78ed857782f9"
    start = athena_call(
        "StartQueryExecution",
        {"clientRequestToken": "16bc6e70", "queryString": "SELECT 1", "workGroup": "etl"},
        "09:00:00",
        {"queryExecutionId": query},
    )
    reads = [
        athena_call("GetQueryResults", {"queryExecutionId": query}, "09:00:05"),
        athena_call("GetQueryExecution", {"queryExecutionId": query}, "09:00:03"),
        athena_call("GetQueryResults", {"queryExecutionId": "started-before-the-window"}, "09:05:00"),
    ]
    local, athena = one_file(tmp_path, [*reads, start])
    granted = set(athena.summary.principals[ROLE].allowed)
    workgroup = "arn:aws:athena:us-east-1:111122223333:workgroup/etl"
    assert {("athena:GetQueryResults", workgroup), ("athena:GetQueryExecution", workgroup)} <= granted
    assert ("athena:GetQueryResults", "*") in granted
    assert_same(local, athena, [ROLE])
    assert dict(athena.notes[ROLE]) == dict(local.notes[ROLE])


def test_a_denied_call_names_what_aws_refused_through_the_query_too(tmp_path: Path) -> None:
    """A denied call's errorMessage names the action and resource AWS checked ("not authorized to perform:
    ACTION on resource: ARN"), which the mapper takes where the request shows nothing (denied calls often
    carry no request parameters); the query returned only whether the message said "not authorized", so
    the Athena path granted * where the file scan named the function."""

    def denied(function: str, time: str, quoted: bool = False) -> dict[str, Any]:
        arn = f"arn:aws:lambda:us-east-1:111122223333:function:{function}"
        on = f'"{arn}"' if quoted else arn
        return record(
            role_identity(),
            "GetFunction20150331v2",
            source="lambda.amazonaws.com",
            time=f"2026-11-24T{time}Z",
            eventType="AwsApiCall",
            recipientAccountId="111122223333",
            errorCode="AccessDeniedException",
            errorMessage=(
                "User: arn:aws:sts::111122223333:assumed-role/app/session-1 is not authorized to perform: "
                f"lambda:GetFunction on resource: {on} because no identity-based policy allows the "
                "lambda:GetFunction action"
            ),
        )

    local, athena = one_file(
        tmp_path,
        [
            denied("orders", "09:00:00"),
            denied("billing", "09:01:00", quoted=True),
            denied("orders", "09:02:00"),
        ],
    )
    refused = {r for _, r in local.summary.principals[ROLE].denied}
    assert refused == {
        "arn:aws:lambda:us-east-1:111122223333:function:orders",
        "arn:aws:lambda:us-east-1:111122223333:function:billing",
    }
    assert_same(local, athena, [ROLE])


def test_groups_a_new_db_instance_got_from_the_response_reach_the_mapper_through_the_query_too(
    tmp_path: Path,
) -> None:
    """CreateDBInstance checks the parameter, option and subnet groups a request leaves to their defaults;
    the mapper reads them from the responseElements (RESPONSE_DEFAULTS), which the query did not return:
    the Athena path granted every group where the file scan named the defaults the instance got."""

    def create(name: str, time: str) -> dict[str, Any]:
        return record(
            role_identity(),
            "CreateDBInstance",
            source="rds.amazonaws.com",
            time=f"2026-11-24T{time}Z",
            eventType="AwsApiCall",
            recipientAccountId="111122223333",
            requestParameters={
                "dBInstanceIdentifier": name,
                "dBInstanceClass": "db.t3.micro",
                "engine": "mysql",
            },
            responseElements={
                "dBInstanceIdentifier": name,
                "dBParameterGroups": [
                    {"dBParameterGroupName": "default.mysql8.0", "parameterApplyStatus": "x"}
                ],
                "optionGroupMemberships": [{"optionGroupName": "default:mysql-8-0", "status": "in-sync"}],
                "dBSubnetGroup": {"dBSubnetGroupName": "default", "vpcId": "vpc-1"},
            },
        )

    local, athena = one_file(tmp_path, [create("orders", "09:00:00"), create("billing", "09:05:00")])
    granted = {r for _, r in local.summary.principals[ROLE].allowed}
    assert "arn:aws:rds:us-east-1:111122223333:pg:default.mysql8.0" in granted
    assert_same(local, athena, [ROLE])


def test_the_group_an_auto_scaling_termination_returns_reaches_the_mapper_through_the_query_too(
    tmp_path: Path,
) -> None:
    """TerminateInstanceInAutoScalingGroup names only an instance; the group it is authorized on is in the
    activity it returns (RESPONSE_DEFAULTS), which the query must return for the Athena path to grant it."""

    def terminate(group: str, time: str) -> dict[str, Any]:
        return record(
            role_identity(),
            "TerminateInstanceInAutoScalingGroup",
            source="autoscaling.amazonaws.com",
            time=f"2026-11-24T{time}Z",
            eventType="AwsApiCall",
            recipientAccountId="111122223333",
            requestParameters={"instanceId": "i-0598c7d356eba48d7", "shouldDecrementDesiredCapacity": True},
            responseElements={
                "activity": {
                    "activityId": "5e3a1f7c-2b9d-4c61-9d0e-7f1a2b3c4d5e",
                    "autoScalingGroupName": group,
                    "statusCode": "InProgress",
                }
            },
        )

    local, athena = one_file(
        tmp_path, [terminate("web-asg", "09:00:00"), terminate("worker-asg", "09:05:00")]
    )
    granted = {r for _, r in local.summary.principals[ROLE].allowed}
    groups = "arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:*:autoScalingGroupName"
    assert {f"{groups}/web-asg", f"{groups}/worker-asg"} <= granted
    assert_same(local, athena, [ROLE])


def test_records_without_event_source_or_name_are_bad_records_through_the_query_too(tmp_path: Path) -> None:
    """eventSource and eventName are never optional (CloudTrail User Guide, "CloudTrail record contents":
    'Optional: False'), so the file scan counts a record of the principal without them as a bad record
    and names it; the query's ``eventname IS NOT NULL`` dropped such records without a count or a word."""
    good = record(role_identity(), "GetObject", time="2026-11-24T09:00:00Z")
    no_name = {
        k: v for k, v in record(role_identity(), time="2026-11-24T09:01:00Z").items() if k != "eventName"
    }
    no_source = {
        k: v for k, v in record(role_identity(), time="2026-11-24T09:02:00Z").items() if k != "eventSource"
    }
    neither = {
        k: v
        for k, v in record(role_identity(), time="2026-11-24T09:03:00Z").items()
        if k not in ("eventName", "eventSource")
    }
    # another role's record without eventName: neither path reads it (only the principals' records count)
    other = {k: v for k, v in record(role_identity("other")).items() if k != "eventName"}
    local, athena = one_file(tmp_path, [good, no_name, dict(no_name), no_source, neither, other])
    assert local.summary.bad_records == athena.summary.bad_records == 4
    assert_same(local, athena, [ROLE])
    said = [w for w in athena.warnings if "Athena's results" in w]
    assert sorted(w.rpartition(": ")[2] for w in said) == [
        "no eventName",
        "no eventSource",
        "no eventSource or eventName",
    ]
    assert any(w.startswith(f"skipped 2 record(s) of {ROLE} from 2026-11-24T09:01:00Z") for w in said)


@pytest.mark.parametrize("layout", ["policygen-multi", "manual", "projection", "console"])
def test_account_and_region_filters_keep_the_records_the_file_scan_keeps(tmp_path: Path, layout: str) -> None:
    """--account/--region keep records by recipientAccountId and awsRegion in every source (``ScanSpec``):
    the query prunes the account and region partitions, the folders files were delivered to, and its rows
    were all kept, so a record of another Region or account in a kept folder (a merged or copied file) was
    granted by Athena and passed over by the file scan. Counted as the file scan counts it, on every layout:
    a table without account or region partitions filtered recipientaccountid/awsregion in SQL, so the
    records it left out were not counted (eventsExcludedByAccountOrRegion 0 for 2)."""

    def get(region: str, account: str, key: str) -> dict[str, Any]:
        return record(
            role_identity(),
            "GetObject",
            requestParameters={"bucketName": "data", "key": key},
            resources=[{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::data/{key}"}],
            eventType="AwsApiCall",
            awsRegion=region,
            recipientAccountId=account,
        )

    path = write_gz(
        tmp_path / ONE_DAY_FILE,
        [
            get("us-east-1", "111122223333", "kept"),
            get("eu-west-1", "111122223333", "other-region"),
            get("us-east-1", "444455556666", "other-account"),
        ],
    )
    principals = (parse_principal(ROLE),)
    window = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
    accounts, regions = frozenset({"111122223333"}), frozenset({"us-east-1"})
    spec = ScanSpec(principals, window, accounts=accounts, regions=regions)
    local = run_scan(spec, local_files(str(tmp_path), window, Listing(), ("111122223333",), ("us-east-1",)))
    shape = TableLayout(LAYOUTS[layout])
    connection = cloudtrail_table([str(path)], partitions=shape.partitions)
    sql = build_query(
        TABLE, principals, window, accounts=("111122223333",), regions=("us-east-1",), layout=shape
    )
    athena = summarize_rows(
        run_trino(connection, sql), principals, default_mapper(), accounts=accounts, regions=regions
    )
    granted = {r for _, r in athena.summary.principals[ROLE].allowed}
    assert granted == {"arn:aws:s3:::data/kept"}
    assert athena.records_filtered_out == local.records_filtered_out == 2
    assert athena.summary.events_scanned == local.summary.events_scanned == 3
    assert_same(local, athena, [ROLE])
