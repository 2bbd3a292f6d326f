"""Glue's batch partition calls are authorized by the actions of their own names.

The Service Authorization Reference lists one for each ("Actions, resources, and condition keys for AWS
Glue": "BatchCreatePartition | Grants permission to create one or more partitions", "BatchDeletePartition |
Grants permission to delete one or more partitions", "BatchUpdatePartition | Grants permission to update one
or more partitions", each on ``catalog*``, ``database*`` and ``table*``), and "When you use an action in a
policy, you usually allow or deny access to the API operation or CLI command with the same name" (same page).
iam-dataset's table maps BatchUpdatePartition to ``glue:UpdatePartition`` alone, which no AWS page says; a
policy of it allowed the single update and left the batch call to be refused. The table's
``glue:UpdatePartition`` is kept beside it: no page says it is not checked too, and it allows no more than the
batch action on the same table. The records are shaped as the Glue API's members, in CloudTrail's
lowerCamelCase ("Logging AWS Glue API calls using AWS CloudTrail", AWS Glue Developer Guide).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, granted

GLUE = f"arn:aws:glue:us-east-1:{ACCOUNT}"
TABLE = (f"{GLUE}:catalog", f"{GLUE}:database/sales", f"{GLUE}:table/sales/orders")
VALUES = ["2026", "11"]
STORAGE = {"location": "s3://sales-lake/orders/year=2026/month=11/"}


def on_the_table(*actions: str) -> set[tuple[str, str]]:
    return {(action, arn) for action in actions for arn in TABLE}


def test_a_batch_update_is_granted_its_own_action_on_the_table() -> None:
    params: dict[str, Any] = {
        "catalogId": ACCOUNT,
        "databaseName": "sales",
        "tableName": "orders",
        "entries": [
            {
                "partitionValueList": VALUES,
                "partitionInput": {"values": VALUES, "storageDescriptor": STORAGE},
            }
        ],
    }
    assert granted("glue.amazonaws.com", "BatchUpdatePartition", params) == on_the_table(
        "glue:BatchUpdatePartition", "glue:UpdatePartition"
    )


@pytest.mark.parametrize(
    ("name", "members"),
    [
        ("BatchCreatePartition", {"partitionInputList": [{"values": VALUES, "storageDescriptor": STORAGE}]}),
        ("BatchDeletePartition", {"partitionsToDelete": [{"values": VALUES}]}),
    ],
)
def test_the_other_batch_partition_calls_keep_their_own_action(name: str, members: dict[str, Any]) -> None:
    params = {"databaseName": "sales", "tableName": "orders", **members}
    assert granted("glue.amazonaws.com", name, params) == on_the_table(f"glue:{name}")
