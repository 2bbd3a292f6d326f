"""Issue 9 item 1: resource ARNs are complete and deterministic.

Records are shaped as the services' API references and the CloudTrail User Guide document them
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html):
request parameters in CloudTrail's lowerCamelCase spelling, the identity block of an IAM user.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.iam.arn import covers
from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.policy import build_policies
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity

ALICE = f"arn:aws:iam::{ACCOUNT}:user/Alice"
WINDOW = Window(datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
MAPPER = EventMapper()


def by_alice(source: str, name: str, params: dict[str, Any] | None) -> dict[str, Any]:
    return cloudtrail_record(source, name, params, identity=user_identity(user="Alice"))


def test_update_user_renaming_bob_is_granted_on_bob_and_the_new_name_not_on_the_caller() -> None:
    """https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html: "To change a user name,
    the requester must have appropriate permissions on both the source object and the target object.
    For example, to change Bob to Robert, the entity making the request must have permission on Bob and
    Robert"."""
    event = MAPPER.map(
        by_alice("iam.amazonaws.com", "UpdateUser", {"userName": "Bob", "newUserName": "Robert"})
    )
    resources = {arn for action, arn in event.uses if action == "iam:UpdateUser"}
    assert any(covers(r, f"arn:aws:iam::{ACCOUNT}:user/Bob") for r in resources)
    assert any(covers(r, f"arn:aws:iam::{ACCOUNT}:user/Robert") for r in resources)
    assert not any(covers(r, ALICE) for r in resources)


def test_update_group_rename_names_both_groups() -> None:
    """https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateGroup.html (same rule as UpdateUser)."""
    event = MAPPER.map(
        by_alice("iam.amazonaws.com", "UpdateGroup", {"groupName": "Test", "newGroupName": "Test_1"})
    )
    resources = {arn for _, arn in event.uses}
    assert f"arn:aws:iam::{ACCOUNT}:group/Test" in resources
    assert f"arn:aws:iam::{ACCOUNT}:group/Test_1" in resources


def test_self_service_call_without_a_user_name_acts_on_the_caller() -> None:
    """https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html: "If the UserName is
    not specified, the user name is determined implicitly based on the Amazon Web Services access key ID
    used to sign the request"."""
    event = MAPPER.map(by_alice("iam.amazonaws.com", "ListAccessKeys", None))
    assert event.uses == (("iam:ListAccessKeys", ALICE),)
    named = MAPPER.map(by_alice("iam.amazonaws.com", "ListAccessKeys", {"userName": "Bob"}))
    assert ALICE not in {arn for _, arn in named.uses}


# ---- property tests: order and batching never change the policy; every named identifier is covered ----

Shape = Callable[[str], tuple[str, str, dict[str, Any], list[tuple[str, str]]]]


def _shapes() -> list[Shape]:
    """(eventSource, eventName, requestParameters, [(action, ARN the call touched)]) per identifier.
    Parameters as the API references name them, in CloudTrail's spelling."""
    r, a = "us-east-1", ACCOUNT
    return [
        lambda i: (  # API_DescribeInstanceAttribute.html
            "ec2.amazonaws.com",
            "DescribeInstanceAttribute",
            {"instanceId": f"i-0{i}", "attribute": "instanceType"},
            [("ec2:DescribeInstanceAttribute", f"arn:aws:ec2:{r}:{a}:instance/i-0{i}")],
        ),
        lambda i: (  # API_GetItem.html
            "dynamodb.amazonaws.com",
            "GetItem",
            {"tableName": f"orders-{i}", "key": {"id": {"S": "1"}}},
            [("dynamodb:GetItem", f"arn:aws:dynamodb:{r}:{a}:table/orders-{i}")],
        ),
        lambda i: (  # API_Invoke.html
            "lambda.amazonaws.com",
            "Invoke",
            {"functionName": f"fn-{i}"},
            [("lambda:InvokeFunction", f"arn:aws:lambda:{r}:{a}:function:fn-{i}")],
        ),
        lambda i: (  # API_SendMessage.html
            "sqs.amazonaws.com",
            "SendMessage",
            {"queueUrl": f"https://sqs.{r}.amazonaws.com/{a}/queue-{i}", "messageBody": "x"},
            [("sqs:SendMessage", f"arn:aws:sqs:{r}:{a}:queue-{i}")],
        ),
        lambda i: (  # API_Publish.html
            "sns.amazonaws.com",
            "Publish",
            {"topicArn": f"arn:aws:sns:{r}:{a}:topic-{i}", "message": "x"},
            [("sns:Publish", f"arn:aws:sns:{r}:{a}:topic-{i}")],
        ),
        lambda i: (  # API_GetRole.html
            "iam.amazonaws.com",
            "GetRole",
            {"roleName": f"role-{i}"},
            [("iam:GetRole", f"arn:aws:iam::{a}:role/role-{i}")],
        ),
        lambda i: (  # API_UpdateUser.html
            "iam.amazonaws.com",
            "UpdateUser",
            {"userName": f"user-{i}", "newUserName": f"renamed-{i}"},
            [
                ("iam:UpdateUser", f"arn:aws:iam::{a}:user/user-{i}"),
                ("iam:UpdateUser", f"arn:aws:iam::{a}:user/renamed-{i}"),
            ],
        ),
        lambda i: (  # API_GetSecretValue.html (the ARN ends in six random characters)
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": f"db-{i}"},
            [("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{r}:{a}:secret:db-{i}-AbC123")],
        ),
        lambda i: (  # API_CreateLogStream.html
            "logs.amazonaws.com",
            "CreateLogStream",
            {"logGroupName": f"/app/{i}", "logStreamName": f"s-{i}"},
            [("logs:CreateLogStream", f"arn:aws:logs:{r}:{a}:log-group:/app/{i}:log-stream:s-{i}")],
        ),
        lambda i: (  # API_GetParameter.html
            "ssm.amazonaws.com",
            "GetParameter",
            {"name": f"/app/param-{i}"},
            [("ssm:GetParameter", f"arn:aws:ssm:{r}:{a}:parameter/app/param-{i}")],
        ),
        lambda i: (  # API_StopInstances.html (CloudTrail writes InstanceIds as instancesSet.items)
            "ec2.amazonaws.com",
            "StopInstances",
            {
                "instancesSet": {"items": [{"instanceId": f"i-a{i}"}, {"instanceId": f"i-b{i}"}]},
                "force": False,
            },
            [
                ("ec2:StopInstances", f"arn:aws:ec2:{r}:{a}:instance/i-a{i}"),
                ("ec2:StopInstances", f"arn:aws:ec2:{r}:{a}:instance/i-b{i}"),
            ],
        ),
        lambda i: (  # API_DescribeKey.html
            "kms.amazonaws.com",
            "DescribeKey",
            {"keyId": f"arn:aws:kms:{r}:{a}:key/1234abcd-12ab-34cd-56ef-{int(i):012d}"},
            [("kms:DescribeKey", f"arn:aws:kms:{r}:{a}:key/1234abcd-12ab-34cd-56ef-{int(i):012d}")],
        ),
        lambda i: (  # s3 GetObject data event (API_GetObject.html; CloudTrail writes bucketName and key)
            "s3.amazonaws.com",
            "GetObject",
            {
                "bucketName": f"bucket-{i}",
                "key": f"dir/obj-{i}.csv",
                "Host": f"bucket-{i}.s3.{r}.amazonaws.com",
            },
            [("s3:GetObject", f"arn:aws:s3:::bucket-{i}/dir/obj-{i}.csv")],
        ),
        lambda i: (  # API_GetOpsItem.html: the type's noun for the format's generic ``${ResourceId}``
            "ssm.amazonaws.com",
            "GetOpsItem",
            {"opsItemId": f"oi-0{i}"},
            [("ssm:GetOpsItem", f"arn:aws:ssm:{r}:{a}:opsitem/oi-0{i}")],
        ),
        lambda i: (  # networkmanager API_DeleteDevice.html: two types sharing ``${ResourceId}``
            "networkmanager.amazonaws.com",
            "DeleteDevice",
            {"globalNetworkId": f"global-network-0{i}", "deviceId": f"device-0{i}"},
            [
                (
                    "networkmanager:DeleteDevice",
                    f"arn:aws:networkmanager::{a}:device/global-network-0{i}/device-0{i}",
                ),
                (
                    "networkmanager:DeleteDevice",
                    f"arn:aws:networkmanager::{a}:global-network/global-network-0{i}",
                ),
            ],
        ),
        lambda i: (  # dms API_StartReplicationTask.html: a format the reference writes as ``task:*``
            "dms.amazonaws.com",
            "StartReplicationTask",
            {"replicationTaskArn": f"arn:aws:dms:{r}:{a}:task:TASK{i}", "startReplicationTaskType": "reload"},
            [("dms:StartReplicationTask", f"arn:aws:dms:{r}:{a}:task:TASK{i}")],
        ),
    ]


SHAPES = _shapes()
calls = st.lists(st.tuples(st.integers(0, len(SHAPES) - 1), st.integers(0, 12)), min_size=1, max_size=40)


def _record(shape: int, ident: int, minute: int) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    source, name, params, touched = SHAPES[shape](str(ident))
    record = cloudtrail_record(
        source,
        name,
        params,
        identity=user_identity(user="Alice"),
        event_time=f"2024-03-18T09:{minute:02d}:00Z",
    )
    return record, touched


def _policy(files: list[list[dict[str, Any]]], batches: list[list[int]]) -> list[dict[str, Any]]:
    """Each batch of files scanned by its own scanner and mapper (as a worker would), results merged."""
    spec = ScanSpec((parse_principal(ALICE),), WINDOW)
    total = None
    for batch in batches:
        scanner = Scanner(spec, EventMapper())
        for index in batch:
            scanner.scan_bytes(f"f{index}.json", json.dumps({"Records": files[index]}).encode())
        result = scanner.take_result()
        total = result if total is None else total.merge(result)
    assert total is not None
    usage = total.summary.principals.get(ALICE)
    return build_policies(usage.allowed if usage else {})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=calls, data=st.data())
def test_any_order_and_any_split_into_files_and_batches_gives_the_same_policy(
    calls: list[tuple[int, int]], data: st.DataObject
) -> None:
    records = [_record(shape, ident, n % 60)[0] for n, (shape, ident) in enumerate(calls)]
    reference = _policy([records], [[0]])
    order = data.draw(st.permutations(range(len(records))))
    shuffled = [records[i] for i in order]
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(records) - 1)), max_size=6)))
    files = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(shuffled)], strict=True) if shuffled[a:b]]
    file_order = data.draw(st.permutations(range(len(files))))
    per_batch = data.draw(st.integers(1, max(1, len(files))))
    batches = [list(file_order[i : i + per_batch]) for i in range(0, len(files), per_batch)]
    assert _policy(files, batches) == reference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=calls)
def test_every_identifier_a_call_names_is_covered_by_its_grant(calls: list[tuple[int, int]]) -> None:
    built = [_record(shape, ident, n % 60) for n, (shape, ident) in enumerate(calls)]
    policy = _policy([[record for record, _ in built]], [[0]])
    grants: dict[str, list[str]] = {}
    for document in policy:
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            for action in actions:
                grants.setdefault(action, []).extend(resources)
    for record, touched in built:
        mapped = MAPPER.map(record)
        for action, arn in touched:
            granted = grants.get(action, [])
            if "*" in granted:
                assert any(code == "resource-undetermined" for _, code, _ in mapped.notes), (
                    f"{action} on * without a finding for {arn}"
                )
            else:
                assert any(covers(r, arn) for r in granted), f"{action} on {arn} not covered by {granted}"
