"""A ``*`` given where the API takes a name is every one of them, said (``fill.every_asked``), also where the
ARN's variable joins that name to others: QuickSight's group ARN ends in ``group/${ResourceId}``, the
namespace and the group's name (``arn:aws:quicksight:us-east-1:111122223333:group/default/GROUP``), a Lambda
function's ``function:${FunctionName}`` takes the qualifier after a ``:``, and a bare IAM name is granted
under any path (``user/*/NAME``). Such a variable's value held ``${*}`` among other characters and was kept
literal as a name would be, so the call was granted on a resource named ``*``, which matches nothing.

None of these names may hold a ``*``: "Pattern: [\\w+=,.@-]+" (IAM API Reference, GetUser's UserName),
"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)
(:(\\$LATEST|[a-zA-Z0-9-_]+))?" (Lambda API Reference, GetFunction's FunctionName). An S3 key may, and
keeps ``${*}``; a ``*`` among a name's other characters stays a character of it.

Measured by calling every mapped botocore operation with ``*`` in each top-level string parameter: 201 of
18,254 calls were granted an ARN holding ``${*}``, 33 are now (24 S3 keys, name prefixes of List calls,
DMS ``subgrp``, CodeDeploy's ``%many`` template).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

QUICKSIGHT = f"arn:aws:quicksight:us-east-1:{ACCOUNT}"


def mapped(source: str, name: str, params: dict[str, Any]) -> tuple[set[tuple[str, str]], list[str]]:
    event = EventMapper().map(cloudtrail_record(f"{source}.amazonaws.com", name, params))
    return set(event.uses), [text for _, code, text in event.notes if code == "resource-undetermined"]


@pytest.mark.parametrize(
    ("source", "name", "params", "arn"),
    [
        ("iam", "GetUser", {"userName": "*"}, f"arn:aws:iam::{ACCOUNT}:user/*"),
        (
            "iam",
            "DeleteRolePolicy",
            {"roleName": "*", "policyName": "inline"},
            f"arn:aws:iam::{ACCOUNT}:role/*",
        ),
        (
            "lambda",
            "GetFunction",
            {"functionName": "*", "qualifier": "prod"},
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:*:prod",
        ),
        (
            "quicksight",
            "DescribeGroup",
            {"awsAccountId": ACCOUNT, "namespace": "default", "groupName": "*"},
            f"{QUICKSIGHT}:group/default/*",
        ),
    ],
)
def test_a_name_given_as_star_is_every_one(source: str, name: str, params: dict[str, Any], arn: str) -> None:
    uses, said = mapped(source, name, params)
    assert uses == {(f"{source}:{name}", arn)}
    assert len(said) == 1 and 'the request names "*", read as every one' in said[0]


def test_a_star_among_a_names_characters_stays_literal() -> None:
    """The guard: ``team-*`` is a name, not a pattern."""
    uses, said = mapped(
        "quicksight",
        "DescribeGroup",
        {"awsAccountId": ACCOUNT, "namespace": "default", "groupName": "team-*"},
    )
    assert uses == {("quicksight:DescribeGroup", f"{QUICKSIGHT}:group/default/team-${{*}}")}
    assert not said


def test_an_object_key_part_may_be_an_asterisk() -> None:
    """The guard: "Safe characters ... Asterisk (*)" (Amazon S3 User Guide, "Naming Amazon S3 objects"): the
    key ``reports/*`` is one object, though its ``*`` is a whole part between slashes."""
    uses, said = mapped("s3", "GetObject", {"bucketName": "amzn-s3-demo-bucket", "key": "reports/*"})
    assert uses == {("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/reports/${*}")}
    assert not said
