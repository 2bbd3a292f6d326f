"""The Athena client flow on moto's server mode: start, poll with progress, read seeded rows, cancel.

moto runs no SQL: its ``/moto-api/static/athena/query-results`` queue hands the next query its rows. The
rows seeded here are the real result of the window's query, computed by DuckDB over the sample files
(``tests/unit/domain/cloudtrail/athena_duckdb.py``), so the flow ends in the local scan's policy. moto's
state manager holds executions in QUEUED/RUNNING for a few polls, which the progress and cancel tests need.
Failed states and pagination are in ``tests/unit/adapters/test_athena_stubber.py`` (moto cannot fail a
query or split results into pages).
"""

from __future__ import annotations

import contextlib
import glob
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
import requests

from policygen_operator.adapters.aws.athena import AthenaQuery, QueryStatus
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.cloudtrail.athena import (
    COLUMNS,
    POLICYGEN_LAYOUT,
    AthenaTable,
    TableLayout,
    build_query,
)
from policygen_operator.domain.cloudtrail.local import Listing, local_files
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import ScanCancelled, run_scan
from policygen_operator.services.athena import AthenaLogs, scan_athena
from tests.fixtures.aws import MOTO_CREDENTIALS, moto_client
from tests.unit.domain.cloudtrail.athena_duckdb import cloudtrail_table, run_trino
from tests.unit.domain.cloudtrail.test_athena_equivalence import SAMPLES, local_scan, policies

pytestmark = pytest.mark.moto

TABLE = AthenaTable(
    "cloudtrail", "logs", workgroup="primary", output_location="s3://athena-results/policygen/"
)
WINDOW = Window(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
ROLE = "arn:aws:iam::111122223333:role/service-role/order-processor"
USER = "arn:aws:iam::111122223333:user/people/alice"


def register(
    endpoint: str,
    table: AthenaTable,
    partitions: tuple[str, ...] = POLICYGEN_LAYOUT.partitions,
    location: str | None = None,
) -> None:
    """The table in moto's Glue catalog with ``partitions`` as its partition keys and ``location`` as its
    StorageDescriptor's (what the service reads before it writes the query: Glue API reference,
    CreateTable/GetTable, TableInput.PartitionKeys, StorageDescriptor.Location)."""
    glue = moto_client("glue", endpoint)
    with contextlib.suppress(glue.exceptions.AlreadyExistsException):
        glue.create_database(DatabaseInput={"Name": table.database})
    with contextlib.suppress(glue.exceptions.EntityNotFoundException):
        glue.delete_table(DatabaseName=table.database, Name=table.table)
    glue.create_table(
        DatabaseName=table.database,
        TableInput={
            "Name": table.table,
            "TableType": "EXTERNAL_TABLE",
            "PartitionKeys": [{"Name": name, "Type": "string"} for name in partitions],
            **({"StorageDescriptor": {"Location": location}} if location else {}),
        },
    )


def seed(
    endpoint: str,
    rows: list[dict[str, str | None]],
    partitions: tuple[str, ...] = POLICYGEN_LAYOUT.partitions,
    location: str | None = None,
) -> None:
    """Queue one query result: Athena's header row first, NULLs as cells without VarCharValue; and the
    table in the catalog with ``partitions`` (by default the multi-account table of ``policygen athena
    ddl``, which the query assumed before it read the table's layout)."""
    register(endpoint, TABLE, partitions, location)
    header = {"Data": [{"VarCharValue": name} for name in COLUMNS]}
    data = [
        {"Data": [{"VarCharValue": row[n]} if row.get(n) is not None else {} for n in COLUMNS]}
        for row in rows
    ]
    info = [{"Name": name, "Type": "varchar"} for name in COLUMNS]
    response = requests.post(
        f"{endpoint}/moto-api/static/athena/query-results",
        json={"results": [{"rows": [header, *data], "column_info": info}]},
        timeout=10,
    )
    assert response.status_code == 201


@pytest.fixture
def held(moto_server: str) -> Iterator[None]:
    """Executions advance one state every 2 polls (QUEUED, RUNNING, SUCCEEDED) while the test runs."""
    base = f"{moto_server}/moto-api/state-manager"
    transition = {"progression": "manual", "times": 2}
    requests.post(
        f"{base}/set-transition",
        json={"model_name": "athena::execution", "transition": transition},
        timeout=10,
    ).raise_for_status()
    yield
    requests.post(f"{base}/unset-transition", json={"model_name": "athena::execution"}, timeout=10)


def session() -> boto3.Session:
    return boto3.Session(region_name="us-east-1", **MOTO_CREDENTIALS)


def test_query_rows_give_the_local_policy(moto_server: str, held: None) -> None:
    principals = (parse_principal(ROLE), parse_principal(USER))
    connection = cloudtrail_table(sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True)))
    seed(moto_server, run_trino(connection, build_query(TABLE, principals, WINDOW)))
    lines: list[str] = []
    result, details = scan_athena(
        AthenaLogs(TABLE, endpoint_url=moto_server),
        principals,
        WINDOW,
        session=session(),
        progress=lambda q: lines.append(q.line),
    )
    local = local_scan(SAMPLES, principals, WINDOW)
    for arn in (ROLE, USER):
        assert policies(result, arn) == policies(local, arn) != "[]"
    assert details["rows"] > 0 and details["bytesScanned"] == 0  # moto scans nothing
    assert details["estimatedCostUSD"] == pytest.approx(5e-5)  # Athena's 10 MB minimum
    assert details["outputLocation"].startswith("s3://athena-results/policygen/")
    # the execution was started with the table's database, catalog and workgroup, and the query itself
    athena = moto_client("athena", moto_server)
    execution = athena.get_query_execution(QueryExecutionId=details["queryExecutionId"])["QueryExecution"]
    assert execution["QueryExecutionContext"]["Database"] == "cloudtrail"
    assert execution["WorkGroup"] == "primary"
    assert "\"timestamp\" BETWEEN '2026/11/20'" in execution["Query"]
    assert any("QUEUED" in line for line in lines) and any("RUNNING" in line for line in lines)
    assert "rows" in lines[-1] and "estimated cost" in lines[-1]


def test_account_on_a_single_account_table_filters_the_records_account(moto_server: str, held: None) -> None:
    """AWS's table of one account's trail (partition projection by ``timestamp`` alone, as the Athena
    guide's example and ``policygen athena ddl`` for one account and Region make it) has no ``account`` or
    ``region`` column: --account/--region named them and Athena failed the query (COLUMN_NOT_FOUND), so
    docs/athena.md told users to leave them out. The service reads the table's partition keys from Glue
    and the query names none of them: the rows of other accounts and Regions come back and are passed over
    and counted as the file scan counts them (``eventsExcludedByAccountOrRegion``); it runs on such a
    table."""
    principals = (parse_principal(ROLE), parse_principal(USER))
    layout = TableLayout(("timestamp",))
    paths = sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True))
    connection = cloudtrail_table(paths, partitions=layout.partitions)  # no account or region column
    asked = {"accounts": ("111122223333",), "regions": ("us-east-1",)}
    rows = run_trino(connection, build_query(TABLE, principals, WINDOW, layout=layout, **asked))
    seed(moto_server, rows, layout.partitions)
    source = AthenaLogs(
        TABLE, account_ids=asked["accounts"], regions=asked["regions"], endpoint_url=moto_server
    )
    result, details = scan_athena(source, principals, WINDOW, session=session())
    sent = moto_client("athena", moto_server).get_query_execution(
        QueryExecutionId=details["queryExecutionId"]
    )
    query = sent["QueryExecution"]["Query"]
    assert "account IN" not in query and "region IN" not in query
    assert unordered(run_trino(connection, query)) == unordered(rows)  # the query the service sent runs here
    spec = ScanSpec(
        principals, WINDOW, accounts=frozenset(asked["accounts"]), regions=frozenset(asked["regions"])
    )
    local = run_scan(spec, local_files(str(SAMPLES), WINDOW, Listing()), workers=1)
    for arn in (ROLE, USER):
        assert policies(result, arn) == policies(local, arn)
    assert result.summary.events_matched == local.summary.events_matched > 0
    assert result.records_filtered_out == local.records_filtered_out > 0  # the samples' eu-west-1 records


def test_progress_reports_every_poll_until_succeeded(moto_server: str, held: None) -> None:
    seed(moto_server, [])
    statuses: list[QueryStatus] = []
    sleeps: list[float] = []
    query = AthenaQuery(moto_client("athena", moto_server), TABLE, sleep=sleeps.append)
    outcome = query.run("SELECT 1", progress=statuses.append)
    states = [s.state for s in statuses]
    assert states[0] == "QUEUED" and states[-1] == "SUCCEEDED" and "RUNNING" in states
    assert sleeps == sorted(sleeps) and len(sleeps) == len(states) - 1  # backing off, no sleep after the end
    assert list(query.rows(outcome.execution_id)) == []  # the header row alone is not a row


def test_cancel_stops_the_query_on_athena(moto_server: str, held: None) -> None:
    cancel = threading.Event()
    query = AthenaQuery(moto_client("athena", moto_server), TABLE, sleep=lambda _: cancel.set())
    seen: list[QueryStatus] = []
    with pytest.raises(ScanCancelled):
        query.run("SELECT 1", progress=seen.append, cancelled=cancel.is_set)
    state = moto_client("athena", moto_server).get_query_execution(QueryExecutionId=seen[0].execution_id)
    assert state["QueryExecution"]["Status"]["State"] == "CANCELLED"


def test_a_query_cancelled_by_someone_else_is_a_temporary_failure(moto_server: str, held: None) -> None:
    other = moto_client("athena", moto_server)
    query = AthenaQuery(moto_client("athena", moto_server), TABLE, sleep=lambda _: None)

    def stop_it(status: QueryStatus) -> None:
        other.stop_query_execution(QueryExecutionId=status.execution_id)

    with pytest.raises(Exception) as caught:
        query.run("SELECT 1", progress=stop_it)
    assert getattr(caught.value, "permanence", None) is Permanence.TEMPORARY
    assert "CANCELLED" in str(caught.value)


def test_service_cancel_raises_the_scan_cancellation(moto_server: str, held: None) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ScanCancelled):
        scan_athena(
            AthenaLogs(TABLE, endpoint_url=moto_server),
            (parse_principal(ROLE),),
            WINDOW,
            session=session(),
            cancel=cancel,
        )


def test_an_unreachable_endpoint_is_a_temporary_failure() -> None:
    """Nothing listens on this endpoint: a temporary failure, not a crash."""
    from policygen_operator.services.errors import TemporaryError

    with pytest.raises(TemporaryError):
        scan_athena(
            AthenaLogs(TABLE, endpoint_url="http://127.0.0.1:9"),
            (parse_principal(ROLE),),
            WINDOW,
            session=session(),
        )


def test_cli_generate_on_athena_gives_the_local_policy(moto_server: str, tmp_path: Path) -> None:
    """``policygen generate --logs athena://WORKGROUP@DATABASE.TABLE`` as a user runs it (a subprocess)."""
    from tests.integration.test_cli_generate import WINDOW as CLI_WINDOW
    from tests.integration.test_cli_generate import policygen

    principals = (parse_principal(ROLE),)
    window = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    connection = cloudtrail_table(sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True)))
    seed(moto_server, run_trino(connection, build_query(TABLE, principals, window)))
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    report = tmp_path / "report.json"
    remote = policygen(
        "--logs",
        "athena://primary@cloudtrail.logs",
        "--athena-output",
        "s3://athena-results/policygen/",
        "--endpoint-url",
        moto_server,
        "--principal",
        ROLE,
        *CLI_WINDOW,
        "--report",
        str(report),
        env=env,
    )
    assert remote.returncode == 0, remote.stderr
    local = policygen("--logs", str(SAMPLES), "--principal", ROLE, *CLI_WINDOW)
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    data = json.loads(report.read_text())
    assert data["source"] == "athena://primary@AwsDataCatalog.cloudtrail.logs"
    assert data["athena"]["estimatedCostUSD"] > 0 and data["athena"]["rows"] > 0
    assert "estimated $" in remote.stderr
    bad = policygen("--logs", "athena://just-a-table", "--principal", ROLE, env=env)
    assert bad.returncode == 2 and "athena://" in bad.stderr


def test_cli_athena_ddl_prints_a_table_athena_can_parse() -> None:
    import subprocess
    import sys

    import sqlglot

    options = ["--bucket", "org-trail", "--organization-id", "o-abc123def4"]
    options += ["--account", "111122223333", "--account", "444455556666"]
    run = subprocess.run(
        [sys.executable, "-m", "policygen_operator.cli.main", "athena", "ddl", *options],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert sqlglot.parse_one(run.stdout.rstrip().rstrip(";"), read="hive") is not None
    assert "'projection.account.values'='111122223333,444455556666'" in run.stdout


def test_a_crawlers_table_is_pruned_by_the_days_its_location_shows(moto_server: str, held: None) -> None:
    """A Glue crawler run on s3://BUCKET/AWSLogs/ names the folders below it partition_0 ... partition_5
    (AWS Glue Developer Guide, "Managing partitions for ETL output in AWS Glue"): account, CloudTrail,
    Region, year, month, day. The query read such a table whole (no timestamp or year/month/day key); the
    service reads the location from Glue and prunes the day and Region keys it shows."""
    principals = (parse_principal(ROLE), parse_principal(USER))
    crawled = tuple(f"partition_{n}" for n in range(6))
    sources = dict(zip(crawled, ("account", "cloudtrail", "region", "year", "month", "day"), strict=True))
    paths = sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True))
    connection = cloudtrail_table(paths, partitions=crawled, sources=sources)
    location = "s3://trail-bucket/AWSLogs/"
    layout = TableLayout(crawled, location=location)
    rows = run_trino(
        connection, build_query(TABLE, principals, WINDOW, layout=layout, regions=("us-east-1",))
    )
    seed(moto_server, rows, crawled, location)
    source = AthenaLogs(TABLE, regions=("us-east-1",), endpoint_url=moto_server)
    result, details = scan_athena(source, principals, WINDOW, session=session())
    query = moto_client("athena", moto_server).get_query_execution(
        QueryExecutionId=details["queryExecutionId"]
    )["QueryExecution"]["Query"]
    assert "partition_3 = '2026' AND partition_4 = '11' AND partition_5 BETWEEN" in query
    assert "partition_2 IN ('us-east-1')" in query
    assert "partition_1 = 'CloudTrail'" in query  # not CloudTrail-Digest's files beside it
    assert unordered(run_trino(connection, query)) == unordered(rows)
    assert not any("read whole" in warning for warning in result.warnings)
    spec = ScanSpec(principals, WINDOW, regions=frozenset({"us-east-1"}))
    local = run_scan(spec, local_files(str(SAMPLES), WINDOW, Listing()), workers=1)
    for arn in (ROLE, USER):
        assert policies(result, arn) == policies(local, arn)


def unordered(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """Rows as a sorted list of their JSON: a query without ORDER BY returns them in any order (DuckDB's
    order changed with the plan of the query text the service sent, failing a CI run)."""
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)
