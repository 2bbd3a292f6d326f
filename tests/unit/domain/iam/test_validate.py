"""Validation findings: grammar, action names, resource shapes, size."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.arn import pattern_fits_format
from policygen_operator.domain.iam.validate import Finding, validate_policy

ACCOUNT = "111122223333"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str] | str, resources: list[str] | str, sid: str = "S1") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def codes(findings: list[Finding], severity: str = "error") -> set[str]:
    return {f.code for f in findings if f.severity == severity}


VALID = [
    policy(allow(["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::b/*"])),
    policy(allow("s3:ListBucket", "arn:aws:s3:::b")),
    policy(allow(["dynamodb:Query"], [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/T/index/*"])),
    policy(allow(["lambda:InvokeFunction"], [f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:f:live"])),
    policy(
        allow(
            ["secretsmanager:GetSecretValue"],
            [f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-*"],
        )
    ),
    policy(
        allow(
            ["iam:GetRole"],
            [
                f"arn:aws-us-gov:iam::{ACCOUNT}:role/*/deployer",
                f"arn:aws-us-gov:iam::{ACCOUNT}:role/deployer",
            ],
        )
    ),
    policy(allow(["sqs:SendMessage", "sqs:ReceiveMessage"], [f"arn:aws:sqs:*:{ACCOUNT}:jobs-*"])),
    policy(allow(["ec2:DescribeInstances", "s3:ListAllMyBuckets"], "*")),
    policy(
        allow(["s3:Get*"], ["arn:aws:s3:::b/*"]),
        allow(["kms:Decrypt"], [f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*"], "S2"),
    ),
]


@pytest.mark.parametrize("document", VALID)
def test_valid_policies_have_no_errors(document: dict[str, Any]) -> None:
    assert codes(validate_policy(document)) == set()


INVALID: list[tuple[str, Any, str]] = [
    ("not an object", ["Version"], "grammar"),
    ("statement not a list", {"Version": "2012-10-17", "Statement": "Allow"}, "grammar"),
    ("empty statements", {"Version": "2012-10-17", "Statement": []}, "grammar"),
    (
        "bad version",
        {"Version": "2020-01-01", "Statement": [allow("s3:ListBucket", "arn:aws:s3:::b")]},
        "version",
    ),
    (
        "missing effect",
        policy({"Sid": "A", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}),
        "grammar",
    ),
    ("bad effect", policy({**allow("s3:ListBucket", "arn:aws:s3:::b"), "Effect": "Permit"}), "grammar"),
    ("action and notaction", policy({**allow("s3:ListBucket", "*"), "NotAction": "s3:GetObject"}), "grammar"),
    ("no resource", policy({"Sid": "A", "Effect": "Allow", "Action": "s3:ListBucket"}), "grammar"),
    (
        "principal in identity policy",
        policy({**allow("s3:ListBucket", "*"), "Principal": {"AWS": "*"}}),
        "grammar",
    ),
    ("unknown element", policy({**allow("s3:ListBucket", "*"), "Actions": ["s3:GetObject"]}), "grammar"),
    ("empty action list", policy(allow([], "*")), "grammar"),
    (
        "duplicate sid",
        policy(allow("s3:ListBucket", "*", "Same"), allow("s3:GetObject", "*", "Same")),
        "duplicate-sid",
    ),
    ("sid with punctuation", policy(allow("s3:ListBucket", "*", "read-s3")), "sid"),
    ("invented action", policy(allow(["signin:ConsoleLogin"], "*")), "unknown-action"),
    (
        "invented action of a real service",
        policy(allow(["s3:ListObjectsV2"], "arn:aws:s3:::b")),
        "unknown-action",
    ),
    ("wildcard matching nothing", policy(allow(["s3:Frob*"], "*")), "unknown-action"),
    ("action not service:name", policy(allow(["GetObject"], "*")), "action"),
    ("resource not an ARN", policy(allow(["s3:GetObject"], ["bucket/key"])), "arn"),
    ("bucket ARN for an object action", policy(allow(["s3:GetObject"], ["arn:aws:s3:::b"])), "resource-type"),
    (
        "object ARN for a bucket action",
        policy(allow(["s3:ListBucket"], ["arn:aws:s3:::b/k"])),
        "resource-type",
    ),
    (
        "queue ARN for a table action",
        policy(allow(["dynamodb:GetItem"], [f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"])),
        "resource-type",
    ),
    (
        "kms alias for decrypt",
        policy(allow(["kms:Decrypt"], [f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app"])),
        "resource-type",
    ),
    (
        "region in an IAM ARN",
        policy(allow(["iam:GetRole"], [f"arn:aws:iam:us-east-1:{ACCOUNT}:user/x"])),
        "resource-type",
    ),
    (
        "ARN for an action without resources",
        policy(allow(["s3:ListAllMyBuckets"], ["arn:aws:s3:::b"])),
        "resource-type",
    ),
]


@pytest.mark.parametrize(("document", "code"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_policies(document: Any, code: str) -> None:
    assert code in codes(validate_policy(document))


def test_too_big_is_an_error() -> None:
    resources = [f"arn:aws:s3:::bucket/path/to/object-{i:05}" for i in range(200)]
    findings = validate_policy(policy(allow(["s3:GetObject"], resources)))
    assert "size" in codes(findings)
    assert "size" not in codes(validate_policy(policy(allow(["s3:GetObject"], resources[:50]))))


def test_custom_limit() -> None:
    document = policy(allow(["s3:GetObject"], [f"arn:aws:s3:::b/{i}" for i in range(20)]))
    assert "size" in codes(validate_policy(document, max_characters=200))


def test_star_on_an_action_that_takes_resources_is_a_warning() -> None:
    findings = validate_policy(policy(allow(["sqs:SendMessage", "ec2:DescribeInstances"], "*")))
    assert codes(findings) == set()
    warnings = [f for f in findings if f.code == "wildcard-resource"]
    assert (
        len(warnings) == 1 and "sqs:SendMessage" in warnings[0].message and "ec2" not in warnings[0].message
    )
    assert warnings[0].sid == "S1"


def test_findings_name_the_statement() -> None:
    findings = validate_policy(
        policy(allow(["s3:ListBucket"], "arn:aws:s3:::b", "Good"), allow(["s3:Nope"], "*", "Bad"))
    )
    assert [(f.sid, f.code) for f in findings if f.severity == "error"] == [("Bad", "unknown-action")]
    assert findings[0].to_dict()["sid"] == "Bad"


@pytest.mark.parametrize(
    ("pattern", "arn_format", "fits"),
    [
        ("arn:aws:s3:::b/*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", True),
        ("arn:aws:s3:::*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", True),
        ("arn:aws:s3:::b", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", False),
        ("arn:aws:sqs:*:*:q", "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", True),
        ("arn:aws:sqs:us-east-1:1:2:q", "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", True),
        ("arn:aws:iam::1:role/a", "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}", False),
        ("arn:aws:iam:x:1:role/a", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", False),
        ("arn:aws:kms:?s-east-1:1:key/k", "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}", True),
        # a * the reference writes for the resource's name (DMS "rep:*"): any name, never none
        (
            "arn:aws:dms:us-east-1:1:rep:EX4MBJ2NMRDL3BMAYJOXUGYPUE",
            "arn:${Partition}:dms:${Region}:${Account}:rep:*",
            True,
        ),
        ("arn:aws:dms:us-east-1:1:rep:", "arn:${Partition}:dms:${Region}:${Account}:rep:*", False),
        ("arn:aws:dms:us-east-1:1:task:T", "arn:${Partition}:dms:${Region}:${Account}:rep:*", False),
        # and for any Region or account (Braket's devices), within its field
        (
            "arn:aws:braket:us-east-1::device/qpu/ionq/Aria-1",
            "arn:${Partition}:braket:*:*:device/${DeviceId}",
            True,
        ),
        ("arn:aws:braket:us-east-1:1:2:device/d", "arn:${Partition}:braket:*:*:device/${DeviceId}", False),
    ],
)
def test_pattern_against_format(pattern: str, arn_format: str, fits: bool) -> None:
    assert pattern_fits_format(pattern, arn_format) is fits


def test_a_dms_replication_instance_the_mapper_names_passes_validation() -> None:
    """The mapper names DMS resources by the reference's ``rep:*`` format (the documented
    RebootReplicationInstance record); validation failed on it and no policy at all was written."""
    arn = "arn:aws:dms:us-east-1:123456789012:rep:EX4MBJ2NMRDL3BMAYJOXUGYPUE"
    findings = validate_policy(policy(allow("dms:RebootReplicationInstance", arn)))
    assert codes(findings) == set()


def test_concrete_resources_fit_a_format_exactly_as_the_token_walk_says() -> None:
    """The regex shortcut for wildcard-free resources gives the token walk's answer on every format of
    the reference data, for ARNs of the right and of neighbouring shapes."""
    from policygen_operator.domain.iam.arn import _format_tokens, _intersect, _policy_tokens
    from policygen_operator.domain.iam.reference import load_reference, split_formats

    services = load_reference()._services
    formats = sorted(
        {f for name in services for raw in services[name]["r"].values() for f in split_formats(raw)}
    )
    assert len(formats) > 500
    arns = [
        "arn:aws:s3:::bucket",
        "arn:aws:s3:::bucket/key/with:colon",
        "arn:aws:s3:::bucket/",
        "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
        "arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/2026",
        "arn:aws:iam::111122223333:role/path/app",
        "arn:aws:iam::111122223333:role/",
        "arn:aws:sqs:eu-west-1:111122223333:jobs",
        "arn:aws:lambda:us-east-1:111122223333:function:worker:1",
        "arn:aws:kms:us-east-1:111122223333:key/1234-abcd",
        "arn:aws-cn:ec2:cn-north-1:111122223333:instance/i-1",
        "arn:aws:ec2:us-east-1::image/ami-1",
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/x:log-stream:s",
        "arn:aws:sts::111122223333:assumed-role/app/s",
        "line\nbreak",
    ]
    for arn_format in formats:
        example = arn_format.replace("${Partition}", "aws").replace("${Region}", "us-east-1")
        example = example.replace("${Account}", ACCOUNT)
        for arn in [*arns, example.replace("${", "x").replace("}", "y")]:
            expected = _intersect(_policy_tokens(arn), _format_tokens(arn_format))
            assert pattern_fits_format(arn, arn_format) is expected, (arn, arn_format)


def test_the_validator_accepts_an_arn_of_every_format_the_mapper_accepts() -> None:
    """For every ARN format of the reference, an ARN filled in (each variable and each ``*`` the format
    writes given a value) has the format's shape for the mapper (``ResourceType.matches``) and for the
    validator alike: the validator refusing what the mapper names fails the whole run."""
    import re

    from policygen_operator.domain.iam.reference import load_reference, resource_type, split_formats

    services = load_reference()._services
    formats = sorted(
        {f for name in services for raw in services[name]["r"].values() for f in split_formats(raw)}
    )
    values = {"Partition": "aws", "Region": "us-east-1", "Account": "111122223333"}
    disagree = []
    for arn_format in formats:
        arn = re.sub(r"\$\{([^}]+)\}", lambda m: values.get(m.group(1), "name1"), arn_format).replace(
            "*", "x1"
        )
        if resource_type("t", arn_format, True).matches(arn) != pattern_fits_format(arn, arn_format):
            disagree.append((arn_format, arn))
    assert len(formats) > 500
    assert disagree == []
