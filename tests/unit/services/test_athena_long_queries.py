"""Past Athena's query length (262,144 characters), the principals are split over several queries.

The whole client flow on botocore's Stubber (Athena's service model): every query sent is within the
limit, the rows of all of them make the usage, and the report adds up what they scanned and cost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from policygen_operator.domain.cloudtrail.athena import COLUMNS, AthenaTable
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.services.athena import AthenaLogs, QueryProgress, scan_athena

ROOT = Path(__file__).resolve().parents[3]
WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
ATHENA_QUERY_LIMIT = 262_144  # StartQueryExecution's QueryString, Athena API reference
SOURCE = AthenaLogs(AthenaTable("cloudtrail", "logs", output_location="s3://results/"))


def glue_table(partitions: tuple[str, ...] = ("account", "region", "timestamp")) -> Any:
    """A Glue client whose one GetTable answers a CloudTrail table of ``partitions`` (Glue API reference,
    GetTable: Table.PartitionKeys, a list of Column {Name, Type})."""
    glue = boto3.client(
        "glue", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    stub = Stubber(glue)
    stub.add_response(
        "get_table",
        {"Table": {"Name": "logs", "PartitionKeys": [{"Name": p, "Type": "string"} for p in partitions]}},
        {"DatabaseName": "cloudtrail", "Name": "logs"},
    )
    stub.activate()
    return glue


class Session:
    """What ``athena_client`` and ``table_layout`` ask of a boto3 session: the stubbed clients."""

    region_name = "eu-west-1"

    def __init__(self, client: Any, glue: Any = None) -> None:
        self._client = client
        self._glue = glue if glue is not None else glue_table()

    def client(self, service: str, *_: Any, **__: Any) -> Any:
        return self._glue if service == "glue" else self._client


def row(principal: int, events: int) -> dict[str, Any]:
    values = {
        "identity": f"arn:aws:sts::111122223333:assumed-role/team-{principal:05d}-service/s1",
        "issuer": f"arn:aws:iam::111122223333:role/team-{principal:05d}-service",
        "identity_type": "AssumedRole",
        "identity_account": "111122223333",
        "recipient_account": "111122223333",
        "aws_region": "eu-west-1",
        "event_source": "sqs.amazonaws.com",
        "event_name": "ListQueues",
        "not_authorized": "false",
        "events": str(events),
        "first_seen": "2026-11-24T09:00:00Z",
        "last_seen": "2026-11-24T10:00:00Z",
    }
    values["identity"] = values["identity"].rsplit("/", 1)[0] + "/"  # the query cuts the session name
    return {"Data": [{"VarCharValue": values[c]} if c in values else {} for c in COLUMNS]}


def test_a_fleet_past_the_query_length_is_split_and_its_rows_summed() -> None:
    arns = [f"arn:aws:iam::111122223333:role/team-{n:05d}-service" for n in range(4500)]
    principals = tuple(parse_principal(a) for a in arns)
    athena = boto3.client(
        "athena", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    sent: list[str] = []
    athena.meta.events.register(
        "provide-client-params.athena.StartQueryExecution",
        lambda params, **_: sent.append(params["QueryString"]),
    )
    header = {"Data": [{"VarCharValue": c} for c in COLUMNS]}
    metadata = {"ColumnInfo": [{"Name": c, "Type": "varchar"} for c in COLUMNS]}
    progress: list[QueryProgress] = []
    with Stubber(athena) as stub:
        for n, (qid, first) in enumerate((("q-1", 0), ("q-2", 4499))):
            stub.add_response("start_query_execution", {"QueryExecutionId": qid})
            stub.add_response(
                "get_query_execution",
                {
                    "QueryExecution": {
                        "QueryExecutionId": qid,
                        "Status": {"State": "SUCCEEDED"},
                        "Statistics": {
                            "DataScannedInBytes": 2_000_000_000,
                            "TotalExecutionTimeInMillis": 1000,
                        },
                    }
                },
                {"QueryExecutionId": qid},
            )
            rows = [header, row(first, n + 2)]
            stub.add_response(
                "get_query_results",
                {"ResultSet": {"Rows": rows, "ResultSetMetadata": metadata}},
                {"QueryExecutionId": qid, "MaxResults": 1000},
            )
        result, details = scan_athena(
            SOURCE, principals, WINDOW, session=Session(athena), progress=progress.append
        )
        stub.assert_no_pending_responses()
    assert len(sent) == 2 and all(len(q.encode()) <= ATHENA_QUERY_LIMIT for q in sent)
    assert (
        sum(
            f"'arn:aws:sts::111122223333:assumed-role/team-{n:05d}-service/'" in q
            for q in sent
            for n in (0, 4499)
        )
        == 2
    )
    assert result.matched == {arns[0]: 2, arns[4499]: 3}
    assert details["queryExecutionId"] == "q-1, q-2" and details["rows"] == 2
    assert details["bytesScanned"] == 4_000_000_000
    assert details["estimatedCostUSD"] == 0.02  # each query billed on its own: 2 x 2 GB at $5 per TB
    assert [q["queryExecutionId"] for q in details["queries"]] == ["q-1", "q-2"]
    assert [p.bytes_scanned for p in progress] == [2_000_000_000, 4_000_000_000, 4_000_000_000]


@pytest.mark.parametrize(
    ("partitions", "kept"),
    [
        (("account", "region", "timestamp"), ["account IN ('111122223333')", "region IN ('eu-west-1')"]),
        (("timestamp",), []),
    ],
)
def test_rows_of_accounts_and_regions_not_asked_are_passed_over_and_counted(
    partitions: tuple[str, ...], kept: list[str]
) -> None:
    """An Athena source's accountIds/regions prune the table's partitions (the delivery folders) and, as
    every source does (``scan.not_asked``), keep only the rows whose recipientAccountId and awsRegion were
    asked for: the rows of a kept partition were all granted, whatever Region or account their records
    were of."""
    athena = boto3.client(
        "athena", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    header = {"Data": [{"VarCharValue": c} for c in COLUMNS]}
    metadata = {"ColumnInfo": [{"Name": c, "Type": "varchar"} for c in COLUMNS]}

    def of(region: str, account: str, events: int) -> dict[str, Any]:
        data = row(0, events)
        data["Data"][COLUMNS.index("aws_region")] = {"VarCharValue": region}
        data["Data"][COLUMNS.index("recipient_account")] = {"VarCharValue": account}
        return data

    source = AthenaLogs(SOURCE.table, account_ids=("111122223333",), regions=("eu-west-1",))
    sent: list[str] = []
    with Stubber(athena) as stub:
        stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
        stub.add_response(
            "get_query_execution",
            {"QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": "SUCCEEDED"}}},
            {"QueryExecutionId": "q-1"},
        )
        rows = [
            header,
            of("eu-west-1", "111122223333", 2),
            of("us-east-1", "111122223333", 3),
            of("eu-west-1", "444455556666", 5),
        ]
        stub.add_response(
            "get_query_results",
            {"ResultSet": {"Rows": rows, "ResultSetMetadata": metadata}},
            {"QueryExecutionId": "q-1", "MaxResults": 1000},
        )
        principal = parse_principal("arn:aws:iam::111122223333:role/team-00000-service")
        athena.meta.events.register(
            "provide-client-params.athena.StartQueryExecution",
            lambda params, **_: sent.append(params["QueryString"]),
        )
        glue = glue_table(partitions)
        called: list[str] = []
        for client in (athena, glue):
            client.meta.events.register(
                "provide-client-params",
                lambda event_name, **_: called.append(":".join(event_name.split(".")[1:])),
            )
        result, _ = scan_athena(source, (principal,), WINDOW, session=Session(athena, glue))
    # the table's own partitions are pruned; a single-account table's (AWS's, no account or region
    # partition) rows of every account and Region come back, to be passed over and counted here
    assert all(each in sent[0] for each in kept)
    assert "recipientaccountid IN" not in sent[0] and "awsregion IN" not in sent[0]
    assert ("account IN" in sent[0]) == ("account" in partitions)
    assert result.matched == {principal.arn: 2}
    assert result.records_filtered_out == 8
    assert result.summary.events_scanned == 10
    # every call the run made is one the operator's role is told to allow (glue:GetTable came with 02e60a5)
    docs = (ROOT / "docs" / "athena.md").read_text()
    permissions = docs.partition("## Permissions")[2].partition("\n## ")[0]
    assert {"athena:StartQueryExecution", "glue:GetTable"} <= set(called)
    assert [c for c in called if f"`{c}`" not in permissions] == []
