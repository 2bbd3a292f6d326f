"""The Athena adapter's failure states and pagination against botocore's own service model (Stubber).

moto cannot make a query fail or split its results into pages, so these go through botocore's Stubber,
which checks every request and response against the Athena service model the real client uses.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from policygen_operator.adapters.aws.athena import AthenaQuery, table_layout
from policygen_operator.adapters.aws.errors import AwsError
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.cloudtrail.athena import AthenaTable

TABLE = AthenaTable("cloudtrail", "logs", output_location="s3://results/")
QID = "11111111-2222-3333-4444-555555555555"


def client() -> Any:
    return boto3.client(
        "athena", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def started(stub: Stubber) -> None:
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": QID},
        {
            "QueryString": "SELECT 1",
            "QueryExecutionContext": {"Catalog": "AwsDataCatalog", "Database": "cloudtrail"},
            "ResultConfiguration": {"OutputLocation": "s3://results/"},
        },
    )


def execution(state: str, **status: Any) -> dict[str, Any]:
    return {
        "QueryExecution": {
            "QueryExecutionId": QID,
            "Status": {"State": state, **status},
            "Statistics": {"DataScannedInBytes": 123_000_000, "EngineExecutionTimeInMillis": 900},
        }
    }


def run_to(state: str, **status: Any) -> Exception:
    athena = client()
    with Stubber(athena) as stub:
        started(stub)
        stub.add_response("get_query_execution", execution("RUNNING"), {"QueryExecutionId": QID})
        stub.add_response("get_query_execution", execution(state, **status), {"QueryExecutionId": QID})
        with pytest.raises(AwsError) as caught:
            AthenaQuery(athena, TABLE, sleep=lambda _: None).run("SELECT 1")
        stub.assert_no_pending_responses()
    return caught.value


@pytest.mark.parametrize(
    ("status", "permanence"),
    [
        (
            {"AthenaError": {"ErrorCategory": 2, "ErrorType": 1301, "ErrorMessage": "TABLE_NOT_FOUND"}},
            "permanent",
        ),
        ({"AthenaError": {"ErrorCategory": 1, "ErrorType": 401, "ErrorMessage": "internal"}}, "temporary"),
        ({"AthenaError": {"ErrorCategory": 3, "Retryable": True, "ErrorMessage": "slow down"}}, "temporary"),
        ({"StateChangeReason": "Access Denied (Service: Amazon S3; Status Code: 403)"}, "permanent"),
        ({"StateChangeReason": "Query exhausted resources at this scale factor"}, "temporary"),
        # the result location's bucket is missing (or not the caller's): the same query fails the same way
        ({"StateChangeReason": "Unable to verify/create output bucket athena-results-gone"}, "permanent"),
        (
            {
                "StateChangeReason": "NoSuchBucket: The specified bucket does not exist",
                "AthenaError": {"ErrorCategory": 3, "ErrorMessage": "NoSuchBucket"},
            },
            "permanent",
        ),
    ],
)
def test_failed_query_is_classified(status: dict[str, Any], permanence: str) -> None:
    error = run_to("FAILED", **status)
    assert error.permanence is Permanence(permanence)
    assert "FAILED" in str(error) and "athena://" in str(error)
    for text in (status.get("StateChangeReason"), status.get("AthenaError", {}).get("ErrorMessage")):
        assert text is None or text in str(error)  # Athena's reason and its error message, both surfaced


def test_cancelled_by_the_workgroup_limit_is_permanent() -> None:
    error = run_to("CANCELLED", StateChangeReason="Query cancelled: the bytes scanned limit was exceeded")
    assert error.permanence is Permanence.PERMANENT


@pytest.mark.parametrize(
    ("code", "message", "permanence"),
    [
        ("TooManyRequestsException", "Rate exceeded", Permanence.TEMPORARY),
        ("InternalServerException", "oops", Permanence.TEMPORARY),
        ("InvalidRequestException", "WorkGroup is not found", Permanence.PERMANENT),
    ],
)
def test_refused_start_is_classified(code: str, message: str, permanence: Permanence) -> None:
    athena = client()
    with Stubber(athena) as stub:
        stub.add_client_error("start_query_execution", code, message)
        with pytest.raises(AwsError) as caught:
            AthenaQuery(athena, TABLE).run("SELECT 1")
    assert caught.value.permanence is permanence


def test_statistics_of_a_successful_query() -> None:
    athena = client()
    with Stubber(athena) as stub:
        started(stub)
        stub.add_response("get_query_execution", execution("SUCCEEDED"), {"QueryExecutionId": QID})
        outcome = AthenaQuery(athena, TABLE).run("SELECT 1")
    assert outcome.bytes_scanned == 123_000_000
    assert outcome.estimated_cost_usd == pytest.approx(123e6 / 1e12 * 5)


def page(rows: list[list[str | None]], token: str | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "ResultSet": {
            "Rows": [{"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in rows],
            "ResultSetMetadata": {
                "ColumnInfo": [{"Name": "a", "Type": "varchar"}, {"Name": "b", "Type": "varchar"}]
            },
        }
    }
    if token:
        response["NextToken"] = token
    return response


def test_rows_across_pages_skip_only_the_header() -> None:
    athena = client()
    with Stubber(athena) as stub:
        stub.add_response(
            "get_query_results",
            page([["a", "b"], ["1", None]], "t1"),
            {"QueryExecutionId": QID, "MaxResults": 1000},
        )
        stub.add_response(
            "get_query_results",
            page([["a", "b"], ["3", "4"]], None),  # a data row equal to the header, on page 2: kept
            {"QueryExecutionId": QID, "MaxResults": 1000, "NextToken": "t1"},
        )
        rows = list(AthenaQuery(athena, TABLE).rows(QID))
        stub.assert_no_pending_responses()
    assert rows == [{"a": "1", "b": None}, {"a": "a", "b": "b"}, {"a": "3", "b": "4"}]


def test_ctrl_c_while_waiting_stops_the_query() -> None:
    athena = client()

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    with Stubber(athena) as stub:
        started(stub)
        stub.add_response("get_query_execution", execution("RUNNING"), {"QueryExecutionId": QID})
        stub.add_response("stop_query_execution", {}, {"QueryExecutionId": QID})
        with pytest.raises(KeyboardInterrupt):
            AthenaQuery(athena, TABLE, sleep=interrupt).run("SELECT 1")
        stub.assert_no_pending_responses()


def test_a_query_that_never_finishes_is_stopped_at_the_timeout() -> None:
    """A query left QUEUED or RUNNING (a full queue, a stuck engine) is not waited on for ever: past the
    timeout it is stopped on Athena's side (no scan billed that nobody reads) and the error is temporary."""
    athena = client()
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with Stubber(athena) as stub:
        started(stub)
        for _ in range(4):  # at 0, 0.5, 1.25 and 2 s (the deadline)
            stub.add_response("get_query_execution", execution("QUEUED"), {"QueryExecutionId": QID})
        stub.add_response("stop_query_execution", {}, {"QueryExecutionId": QID})
        query = AthenaQuery(athena, TABLE, sleep=sleep, clock=lambda: now[0], timeout=2.0)
        with pytest.raises(AwsError) as caught:
            query.run("SELECT 1")
        stub.assert_no_pending_responses()
    assert caught.value.permanence is Permanence.TEMPORARY
    assert "did not finish within 2 s" in str(caught.value) and "QUEUED" in str(caught.value)
    assert now[0] < 4.0  # the last sleep is cut to the deadline


def test_a_failed_poll_stops_the_query_it_leaves() -> None:
    """A poll that fails (throttled past the client's retries, a server error) gives up on the query:
    it is stopped first, or it would run on, billed, while a retry starts another."""
    athena = client()
    with Stubber(athena) as stub:
        started(stub)
        stub.add_response("get_query_execution", execution("RUNNING"), {"QueryExecutionId": QID})
        stub.add_client_error("get_query_execution", "InternalServerException", "oops")
        stub.add_response("stop_query_execution", {}, {"QueryExecutionId": QID})
        with pytest.raises(AwsError) as caught:
            AthenaQuery(athena, TABLE, sleep=lambda _: None).run("SELECT 1")
        stub.assert_no_pending_responses()
    assert caught.value.permanence is Permanence.TEMPORARY


class _Session:
    """A boto3 session's ``client`` and ``region_name``, handing out the stubbed clients by service."""

    region_name = "eu-west-1"

    def __init__(self, **clients: Any) -> None:
        self.clients = clients

    def client(self, service: str, **_: Any) -> Any:
        return self.clients[service]


def test_a_table_of_another_catalog_is_read_through_athena() -> None:
    """A catalog other than the account's own Glue one (a registered catalog of another account, a
    federated one) is not Glue's GetTable: Athena's GetTableMetadata resolves the catalog name as the query
    does (Athena API reference, GetTableMetadata: TableMetadata.PartitionKeys, Column {Name, Type})."""
    athena = client()
    with Stubber(athena) as stub:
        stub.add_response(
            "get_table_metadata",
            {
                "TableMetadata": {
                    "Name": "logs",
                    "PartitionKeys": [
                        {"Name": n, "Type": "string"} for n in ("Region", "year", "month", "day")
                    ],
                }
            },
            {"CatalogName": "audit_account", "DatabaseName": "cloudtrail", "TableName": "logs"},
        )
        layout = table_layout(
            _Session(athena=athena), AthenaTable("cloudtrail", "logs", catalog="audit_account")
        )
        stub.assert_no_pending_responses()
    assert layout.partitions == ("region", "year", "month", "day")
    assert layout.types == ("string",) * 4
    assert layout.day_partitions == "year/month/day"


def test_glue_gives_the_key_types_the_location_and_projected_date_formats() -> None:
    """What the query needs of a table besides its key names: their types (an ``int`` year is compared with
    a number), the StorageDescriptor location (what a crawler's partition_N keys hold) and the date
    formats partition projection declares (Glue API reference, GetTable: Table.PartitionKeys Column
    {Name, Type}, Table.StorageDescriptor.Location, Table.Parameters; Athena user guide, "Setting up
    partition projection": projection.enabled, projection.KEY.type date, projection.KEY.format)."""
    glue = boto3.client(
        "glue", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    crawled = {
        "Name": "logs",
        "StorageDescriptor": {"Location": "s3://trail-bucket/AWSLogs/"},
        "PartitionKeys": [{"Name": f"partition_{n}", "Type": "string"} for n in range(6)],
    }
    projected = {
        "Name": "logs",
        "PartitionKeys": [{"Name": "dt", "Type": "string"}, {"Name": "hour", "Type": "int"}],
        "Parameters": {
            "projection.enabled": "true",
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy-MM-dd",
            "projection.dt.range": "2026-01-01,NOW",
            "projection.hour.type": "integer",
        },
    }
    with Stubber(glue) as stub:
        for table in (crawled, projected):
            stub.add_response("get_table", {"Table": table}, {"DatabaseName": "cloudtrail", "Name": "logs"})
        layouts = [table_layout(_Session(glue=glue), TABLE) for _ in range(2)]
        stub.assert_no_pending_responses()
    assert layouts[0].location == "s3://trail-bucket/AWSLogs/"
    assert layouts[0].roles == {
        "account": "partition_0",
        "cloudtrail": "partition_1",
        "region": "partition_2",
        "year": "partition_3",
        "month": "partition_4",
        "day": "partition_5",
    }
    assert layouts[1].types == ("string", "int")
    assert layouts[1].date_formats == (("dt", "yyyy-MM-dd"),)
    assert layouts[1].day_partitions == "date"


def test_a_missing_table_is_a_permanent_failure_before_any_query() -> None:
    glue = boto3.client(
        "glue", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(glue) as stub:
        stub.add_client_error("get_table", "EntityNotFoundException", "Table logs not found.")
        with pytest.raises(AwsError) as caught:
            table_layout(_Session(glue=glue), TABLE)
    assert caught.value.permanence is Permanence.PERMANENT
    assert "athena://AwsDataCatalog.cloudtrail.logs" in str(caught.value)
