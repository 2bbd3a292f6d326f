"""Glue's column statistics and partition index calls are authorized by the table's and partition's actions.

The Service Authorization Reference's operation table ("Actions, resources, and condition keys for AWS Glue",
"API operations defined by AWS Glue", which "maps API operations to the IAM actions they authorize"; the same
data as the programmatic service reference, servicereference.us-east-1.amazonaws.com/v1/glue/glue.json,
"Operations"/"AuthorizedActions") gives each of them one action that is not the one of its own name:

- GetColumnStatisticsForTable -> glue:GetTable; UpdateColumnStatisticsForTable and
  DeleteColumnStatisticsForTable -> glue:UpdateTable;
- GetColumnStatisticsForPartition -> glue:GetPartition; UpdateColumnStatisticsForPartition and
  DeleteColumnStatisticsForPartition -> glue:UpdatePartition;
- CreatePartitionIndex and DeletePartitionIndex -> glue:UpdateTable.

The Glue API Reference says the same of the Get and Update calls ("The Identity and Access Management (IAM)
permission required for this operation is UpdateTable", UpdateColumnStatisticsForTable; "... is
UpdatePartition", UpdateColumnStatisticsForPartition). iam-dataset's table gave the two Update calls their own
actions alone, so a policy of it left them to be refused. The Delete calls' pages say DeleteTable and
DeletePartition, where the operation table says UpdateTable and UpdatePartition: the table's action is granted
and the other said (``permission-not-granted``), as granting DeleteTable would allow dropping the table.

GetPartitionIndexes has a row without actions in the operation table (as BatchCreatePartition and
PutResourcePolicy do) and no word in its API page: it keeps the table's glue:GetTable and gets the reference's
action of its own name ("Grants permission to retrieve partition indexes for a table"; "When you use an action
in a policy, you usually allow or deny access to the API operation or CLI command with the same name").

The records are shaped as the Glue API's members, in CloudTrail's lowerCamelCase ("Logging AWS Glue API calls
using AWS CloudTrail", AWS Glue Developer Guide).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted

GLUE = f"arn:aws:glue:us-east-1:{ACCOUNT}"
TABLE = (f"{GLUE}:catalog", f"{GLUE}:database/sales", f"{GLUE}:table/sales/orders")
ON_TABLE = {"catalogId": ACCOUNT, "databaseName": "sales", "tableName": "orders"}
ON_PARTITION = {**ON_TABLE, "partitionValues": ["2026", "11"]}
STATISTICS = [
    {
        "columnName": "order_id",
        "columnType": "bigint",
        "analyzedTime": "Nov 30, 2026, 11:02:17 PM",
        "statisticsData": {
            "type": "LONG",
            "longColumnStatisticsData": {
                "minimumValue": 1,
                "maximumValue": 982341,
                "numberOfNulls": 0,
                "numberOfDistinctValues": 982341,
            },
        },
    }
]


def on_the_table(*actions: str) -> set[tuple[str, str]]:
    return {(action, arn) for action in actions for arn in TABLE}


@pytest.mark.parametrize(
    ("name", "params", "actions"),
    [
        (
            "UpdateColumnStatisticsForTable",
            {**ON_TABLE, "columnStatisticsList": STATISTICS},
            ("glue:UpdateTable", "glue:UpdateColumnStatisticsForTable"),
        ),
        (
            "UpdateColumnStatisticsForPartition",
            {**ON_PARTITION, "columnStatisticsList": STATISTICS},
            ("glue:UpdatePartition", "glue:UpdateColumnStatisticsForPartition"),
        ),
    ],
)
def test_an_update_of_column_statistics_is_granted_the_action_aws_checks(
    name: str, params: dict[str, Any], actions: tuple[str, ...]
) -> None:
    assert granted("glue.amazonaws.com", name, params) == on_the_table(*actions)


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        ("GetColumnStatisticsForTable", {**ON_TABLE, "columnNames": ["order_id"]}, "glue:GetTable"),
        (
            "GetColumnStatisticsForPartition",
            {**ON_PARTITION, "columnNames": ["order_id"]},
            "glue:GetPartition",
        ),
        (
            "CreatePartitionIndex",
            {**ON_TABLE, "partitionIndex": {"keys": ["year", "month"], "indexName": "by_month"}},
            "glue:UpdateTable",
        ),
        ("DeletePartitionIndex", {**ON_TABLE, "indexName": "by_month"}, "glue:UpdateTable"),
    ],
)
def test_the_calls_the_operation_table_gives_one_action_are_granted_it(
    name: str, params: dict[str, Any], action: str
) -> None:
    assert granted("glue.amazonaws.com", name, params) == on_the_table(action)


@pytest.mark.parametrize(
    ("name", "params", "action", "other"),
    [
        (
            "DeleteColumnStatisticsForTable",
            {**ON_TABLE, "columnName": "order_id"},
            "glue:UpdateTable",
            "glue:DeleteTable",
        ),
        (
            "DeleteColumnStatisticsForPartition",
            {**ON_PARTITION, "columnName": "order_id"},
            "glue:UpdatePartition",
            "glue:DeletePartition",
        ),
    ],
)
def test_a_delete_of_column_statistics_says_the_action_its_api_page_names(
    name: str, params: dict[str, Any], action: str, other: str
) -> None:
    event = EventMapper().map(cloudtrail_record("glue.amazonaws.com", name, params))
    assert event.kind == "mapped", event
    assert set(event.uses) == on_the_table(action)
    [(severity, code, message)] = event.notes
    assert (severity, code) == ("info", "permission-not-granted")
    assert message.startswith(f"glue.amazonaws.com:{name}: {other} not granted: ")
    assert "API Reference" in message


def test_partition_indexes_are_read_with_the_table_action_and_their_own() -> None:
    assert granted("glue.amazonaws.com", "GetPartitionIndexes", ON_TABLE) == on_the_table(
        "glue:GetTable", "glue:GetPartitionIndexes"
    )
