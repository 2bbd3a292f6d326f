"""A call throttled and logged without its request parameters is passed over, not granted on ``*``.

CloudTrail logs a call refused for its request rate with ``"errorCode": "ThrottlingException"``,
``"errorMessage": "Rate exceeded"`` and ``"requestParameters": null``: every one of the 102 throttled
records in the public datasets the QA pass read, all of them Terraform's in the invictus-ir AWS dataset as
republished in https://github.com/Yamato-Security/suzaku-sample-data (invictus-ir/218007301253_CloudTrail_
us-east-1_20230710T1215Z_nBsuPO1qSTEVerMD.json and its neighbours: 38 DeleteParameter, 25 PutParameter and
39 DescribeParameters calls, beside the 40 DeleteParameter and 42 PutParameter calls that named their
parameters). The mapper granted each throttled one its action on ``*`` with the resource-undetermined
finding: ``ssm:DeleteParameter`` on every parameter of the account, for a policy whose calls named 40.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec, default_mapper
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity

USER = f"arn:aws:iam::{ACCOUNT}:user/bert-jan"
PARAMETER = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/credentials/stratus-red-team/credentials-4"


def throttled(
    source: str, name: str, code: str = "ThrottlingException", params: Any = None
) -> dict[str, Any]:
    record = cloudtrail_record(
        source,
        name,
        params,
        identity=user_identity(user="bert-jan"),
        error_code=code,
        error_message="Rate exceeded",
    )
    record["responseElements"] = None
    return record


@pytest.mark.parametrize(
    ("source", "name", "code"),
    [
        ("ssm.amazonaws.com", "DeleteParameter", "ThrottlingException"),
        ("ssm.amazonaws.com", "PutParameter", "ThrottlingException"),
        # EC2 writes its errors with the Client. prefix in CloudTrail (as Client.UnauthorizedOperation)
        ("ec2.amazonaws.com", "TerminateInstances", "Client.RequestLimitExceeded"),
        ("iam.amazonaws.com", "DeleteRole", "Throttling"),
        ("lambda.amazonaws.com", "DeleteFunction20150331", "TooManyRequestsException"),
    ],
)
def test_a_throttled_call_without_parameters_is_ignored_with_its_code(
    source: str, name: str, code: str
) -> None:
    event = EventMapper().map(throttled(source, name, code))
    assert event.kind == "ignored"
    assert not event.denied
    assert event.uses == ()
    assert code in event.reason and "without its request parameters" in event.reason


def test_a_throttled_call_that_names_its_resource_is_mapped() -> None:
    event = EventMapper().map(
        throttled(
            "ssm.amazonaws.com",
            "DeleteParameter",
            params={"name": "/credentials/stratus-red-team/credentials-4"},
        )
    )
    assert event.kind == "mapped"
    assert event.uses == (("ssm:DeleteParameter", PARAMETER),)


def test_a_capacity_error_is_not_a_request_rate_refusal() -> None:
    """ProvisionedThroughputExceededException is about the table's capacity: the request was read."""
    params = {"tableName": "orders", "key": {"id": {"S": "1"}}}
    record = cloudtrail_record(
        "dynamodb.amazonaws.com", "GetItem", params, error_code="ProvisionedThroughputExceededException"
    )
    event = EventMapper().map(record)
    assert event.kind == "mapped"
    assert event.uses == (("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"),)


def test_the_scan_grants_the_retry_and_counts_the_throttled_call_as_ignored() -> None:
    """Terraform's sequence: a throttled DeleteParameter, then the SDK's retry that got through."""
    retry = cloudtrail_record(
        "ssm.amazonaws.com",
        "DeleteParameter",
        {"name": "/credentials/stratus-red-team/credentials-4"},
        identity=user_identity(user="bert-jan"),
        event_time="2024-03-18T09:15:43Z",
    )
    data = (
        '{"Records":['
        + ",".join(map(_json, [throttled("ssm.amazonaws.com", "DeleteParameter"), retry]))
        + "]}"
    )
    window = Window(datetime(2024, 3, 18, tzinfo=UTC), datetime(2024, 3, 19, tzinfo=UTC))
    scanner = Scanner(ScanSpec((parse_principal(USER),), window), default_mapper())
    scanner.scan_bytes("f.json", data.encode())
    result = scanner.take_result()
    usage = result.summary.principals[USER]
    assert set(usage.allowed) == {("ssm:DeleteParameter", PARAMETER)}
    assert result.ignored_reason("ssm.amazonaws.com:DeleteParameter") is not None


def _json(record: dict[str, Any]) -> str:
    import json

    return json.dumps(record)
