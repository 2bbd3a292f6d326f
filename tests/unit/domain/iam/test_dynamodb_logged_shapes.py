"""DynamoDB transactions and PartiQL batches as CloudTrail logs them, not as the SDK sends them.

The DynamoDB Developer Guide's example records ("Understanding DynamoDB log file entries") log
TransactWriteItems as ``requestItems[]`` with ``"operation": "Put" | "Update" | "Delete" | "ConditionCheck"``
and the table as ``tableName`` or ``TableName`` (both occur in one record), and BatchExecuteStatement as
``requestItems[].statement``. The SDK table's entries read only the SDK's shapes (``TransactItems[].Put``,
``Statements[].Statement``): a logged transaction or batch was "mapped" to no action at all, and its
permissions were missing from the policy without a word.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MUSIC = f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/Music"
KEY = {"Artist": "No One You Know", "SongTitle": "Call Me Today"}


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    record = cloudtrail_record(
        "dynamodb.amazonaws.com",
        name,
        params,
        region="us-west-2",
        resources=[{"accountId": ACCOUNT, "type": "AWS::DynamoDB::Table", "ARN": MUSIC}],
    )
    event = EventMapper().map(record)
    assert event.kind == "mapped"
    return set(event.uses)


def test_a_logged_transaction_grants_each_items_action_on_its_table() -> None:
    params = {
        "requestItems": [
            {
                "operation": "Put",
                "tableName": "Music",
                "key": KEY,
                "items": ["Artist", "SongTitle", "AlbumTitle"],
            },
            {
                "operation": "Update",
                "tableName": "Music",
                "key": KEY,
                "updateExpression": "SET #AT = :newval",
            },
            {
                "operation": "Delete",
                "TableName": "Music",
                "key": KEY,
                "conditionExpression": "#P between :lo and :hi",
            },
            {
                "operation": "ConditionCheck",
                "TableName": "Music",
                "Key": KEY,
                "ConditionExpression": "#P > :lo",
            },
        ],
        "returnConsumedCapacity": "TOTAL",
        "returnItemCollectionMetrics": "SIZE",
        "clientRequestToken": "driverId-1",
    }
    assert uses("TransactWriteItems", params) == {
        (f"dynamodb:{action}", MUSIC)
        for action in ("PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem")
    }


def test_each_operation_gets_only_the_tables_of_its_items() -> None:
    params = {
        "requestItems": [
            {"operation": "Put", "tableName": "Music"},
            {"operation": "ConditionCheck", "tableName": "Ledger"},
        ]
    }
    assert uses("TransactWriteItems", params) == {
        ("dynamodb:PutItem", MUSIC),
        ("dynamodb:ConditionCheckItem", MUSIC.replace("Music", "Ledger")),
    }


def test_a_logged_partiql_batch_grants_each_statements_kind() -> None:
    params = {
        "requestItems": [
            {"statement": "UPDATE Music SET Album = ***(Redacted) WHERE Artist = 'No One You Know'"},
            {"statement": "INSERT INTO Music VALUE {'Artist' : ***(Redacted), 'SongTitle' : ***(Redacted)}"},
        ]
    }
    assert uses("BatchExecuteStatement", params) == {
        ("dynamodb:PartiQLUpdate", MUSIC),
        ("dynamodb:PartiQLInsert", MUSIC),
    }


def test_the_sdk_shapes_still_map() -> None:
    transaction = {
        "transactItems": [{"put": {"tableName": "Music", "item": {}}}, {"delete": {"tableName": "Music"}}]
    }
    assert uses("TransactWriteItems", transaction) == {
        ("dynamodb:PutItem", MUSIC),
        ("dynamodb:DeleteItem", MUSIC),
    }
    reads = {"transactItems": [{"get": {"tableName": "Music", "key": KEY}}]}
    assert uses("TransactGetItems", reads) == {("dynamodb:GetItem", MUSIC)}
