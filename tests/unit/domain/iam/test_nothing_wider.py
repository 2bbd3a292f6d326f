"""Issue 9 item 3: nothing wider than observed. Records shaped as the API references document them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.policy import build_policies
from policygen_operator.domain.iam.validate import validate_policy
from policygen_operator.domain.usage import Usage
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, s3_data_event, user_identity

MAPPER = EventMapper()
ALICE = f"arn:aws:iam::{ACCOUNT}:user/Alice"


def run_task() -> dict[str, object]:
    """https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html: the task definition's
    task and execution roles are passed, the request names neither."""
    return cloudtrail_record(
        "ecs.amazonaws.com",
        "RunTask",
        {"cluster": "default", "taskDefinition": "web:3", "count": 1, "launchType": "FARGATE"},
        identity=user_identity(user="Alice"),
    )


def test_pass_role_is_never_granted_on_star_and_the_call_is_named() -> None:
    event = MAPPER.map(run_task())
    assert all(action != "iam:PassRole" for action, _ in event.uses)
    assert ("ecs:RunTask", f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:3") in event.uses
    assert [(s, c) for s, c, _ in event.notes] == [("warning", "pass-role-left-out")]
    assert "ecs.amazonaws.com:RunTask" in event.notes[0][2]


def test_pass_role_named_by_the_call_is_granted_on_that_role() -> None:
    """https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html: ``Role`` names the role."""
    event = MAPPER.map(
        cloudtrail_record(
            "lambda.amazonaws.com",
            "CreateFunction20150331",
            {
                "functionName": "f",
                "role": f"arn:aws:iam::{ACCOUNT}:role/lambda-exec",
                "runtime": "python3.12",
            },
            identity=user_identity(),
        )
    )
    assert ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/lambda-exec") in event.uses
    assert event.notes == ()


def test_the_scan_carries_the_finding_to_the_principal() -> None:
    spec = ScanSpec(
        (parse_principal(ALICE),), Window(datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    )
    scanner = Scanner(spec, EventMapper())
    scanner.scan_bytes("f.json", json.dumps({"Records": [run_task(), run_task()]}).encode())
    notes = scanner.take_result().notes[ALICE]
    assert [(note[1], count) for note, count in notes.items()] == [("pass-role-left-out", 2)]


def test_wildcard_characters_in_a_key_are_escaped() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html (special
    characters ${*}, ${?}, ${$}); https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html."""
    event = MAPPER.map(s3_data_event("GetObject", "amzn-s3-demo-bucket", "reports/*draft?.csv"))
    assert event.uses == (("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/reports/${*}draft${?}.csv"),)
    dollar = MAPPER.map(
        cloudtrail_record(
            "s3.amazonaws.com",
            "GetObject",
            {"bucketName": "b", "key": "price$5.txt"},
            identity=user_identity(),
        )
    )
    assert dollar.uses == (("s3:GetObject", "arn:aws:s3:::b/price${$}5.txt"),)
    policy = build_policies({use: Usage(1, "t", "t") for use in event.uses})
    assert [f for f in validate_policy(policy[0]) if f.severity == "error"] == []


def test_a_name_that_cannot_be_written_is_an_error_finding_not_a_wider_grant() -> None:
    event = MAPPER.map(
        cloudtrail_record(
            "s3.amazonaws.com",
            "GetObject",
            {"bucketName": "b", "key": "bad\x01name"},
            identity=user_identity(),
        )
    )
    assert event.uses == ()
    assert [(s, c) for s, c, _ in event.notes] == [("error", "resource-not-writable")]


def test_compaction_never_cuts_inside_an_escape() -> None:
    uses = {("s3:GetObject", f"arn:aws:s3:::b/dir/a${{*}}{n}.csv"): Usage(1, "t", "t") for n in range(20)}
    (document,) = build_policies(uses)
    resources = document["Statement"][0]["Resource"]
    resources = [resources] if isinstance(resources, str) else resources
    assert all(not r.endswith("${*") and "${" not in r.rsplit("}", 1)[-1] for r in resources), resources


def test_a_star_grant_comes_with_a_finding_naming_the_call() -> None:
    """https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryExecution.html: "Requires you to
    have access to the workgroup in which the query ran", while the request names only the query's id.
    (RunInstances and then CreateNetworkInterface, the calls this test used before, are now granted on what
    they create and the ARNs their requests name.)"""
    event = MAPPER.map(
        cloudtrail_record(
            "athena.amazonaws.com",
            "GetQueryExecution",
            {"queryExecutionId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"},
            identity=user_identity(),
        )
    )
    starred = sorted({action for action, arn in event.uses if arn == "*"})
    assert "athena:GetQueryExecution" in starred
    (note,) = [n for n in event.notes if n[1] == "resource-undetermined"]
    assert note[0] == "warning" and note[2].startswith("athena.amazonaws.com:GetQueryExecution: ")


def test_objects_named_only_by_a_prefix_are_granted_under_it_and_said() -> None:
    """S3 DeleteObjects "does not indicate the list of files deleted" (Stratus Red Team's record of the
    call, whose shape this copies): resources[] gives the object part as an ARNPrefix only, so every key
    under it is granted, with a finding naming the call, never silently."""
    record = cloudtrail_record(
        "s3.amazonaws.com",
        "DeleteObjects",
        {"bucketName": "target-bucket", "Host": "target-bucket.s3.us-east-1.amazonaws.com", "delete": ""},
        resources=[
            {"type": "AWS::S3::Object", "ARNPrefix": "arn:aws:s3:::target-bucket/"},
            {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::target-bucket"},
        ],
        data_event=True,
    )
    event = MAPPER.map(record)
    assert event.uses == (("s3:DeleteObject", "arn:aws:s3:::target-bucket/*"),)
    # and the version permission a delete of specific versions needs, which the record cannot show
    # (test_delete_objects_versions.py)
    assert [(s, c) for s, c, _ in event.notes] == [
        ("warning", "resource-undetermined"),
        ("info", "permission-not-granted"),
    ]
    assert "DeleteObjects: s3:DeleteObject on arn:aws:s3:::target-bucket/*" in event.notes[0][2]
    # a key that holds a * is written exactly and is no prefix
    exact = s3_data_event("GetObject", "target-bucket", "reports/*draft.csv")
    assert MAPPER.map(exact).notes == ()
