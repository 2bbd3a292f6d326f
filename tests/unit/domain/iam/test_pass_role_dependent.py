"""A call that hands a role to a service needs ``iam:PassRole`` on that role ("To pass a role ... to an AWS
service, a user must have permissions to pass the role", IAM User Guide, "Grant a user permissions to pass a
role to an AWS service"). The SDK table grants it for the calls it knows; the Service Authorization
Reference lists ``iam:PassRole`` among the dependent actions of 254 actions, and for those the table does not
cover the mapper now grants it on the role ARNs the request passes, never on ``*`` and never on a role the
request names for another reason.

Parameters as the API references name them (Access Analyzer StartPolicyGeneration: ``cloudTrailDetails.
accessRole`` is the role the service uses, ``policyGenerationDetails.principalArn`` the one it analyses;
EC2 Image Builder CreateImage: ``executionRole``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import passed_roles
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

ACCESS = f"arn:aws:iam::{ACCOUNT}:role/access-analyzer-trail"
ANALYSED = f"arn:aws:iam::{ACCOUNT}:role/app"


def passed(source: str, name: str, params: dict[str, Any], mapper: EventMapper | None = None) -> set[str]:
    mapped = (mapper or EventMapper()).map(cloudtrail_record(source, name, params))
    assert mapped.kind == "mapped", mapped
    return {resource for action, resource in mapped.uses if action == "iam:PassRole"}


def test_the_role_handed_to_the_service_is_passed_and_the_analysed_one_is_not() -> None:
    params = {
        "policyGenerationDetails": {"principalArn": ANALYSED},
        "cloudTrailDetails": {"accessRole": ACCESS, "trails": [], "startTime": "2026-11-01T00:00:00Z"},
    }
    assert passed("access-analyzer.amazonaws.com", "StartPolicyGeneration", params) == {ACCESS}


def test_an_execution_role_is_passed() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/image-builder"
    params = {"imageRecipeArn": "r", "infrastructureConfigurationArn": "i", "executionRole": role}
    assert passed("imagebuilder.amazonaws.com", "CreateImage", params) == {role}


def test_no_role_in_the_request_passes_none() -> None:
    params = {"imageRecipeArn": "r", "infrastructureConfigurationArn": "i"}
    assert passed("imagebuilder.amazonaws.com", "CreateImage", params) == set()


def test_the_memo_keeps_calls_passing_different_roles_apart() -> None:
    mapper = EventMapper()
    params = {"imageRecipeArn": "r", "infrastructureConfigurationArn": "i"}
    for role in ("one", "two", "one"):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{role}"
        assert passed(
            "imagebuilder.amazonaws.com", "CreateImage", {**params, "executionRole": arn}, mapper
        ) == {arn}


def test_a_role_passed_by_name_is_passed() -> None:
    """Image Builder CreateImage: "executionRole: The name or Amazon Resource Name (ARN) for the IAM role
    you create that grants Image Builder access to perform workflow actions" (API Reference): by name, the
    role of the call's account under any path."""
    params = {"imageRecipeArn": "r", "infrastructureConfigurationArn": "i", "executionRole": "image-builder"}
    mapped = EventMapper().map(cloudtrail_record("imagebuilder.amazonaws.com", "CreateImage", params))
    assert {r for a, r in mapped.uses if a == "iam:PassRole"} == {
        f"arn:aws:iam::{ACCOUNT}:role/image-builder",
        f"arn:aws:iam::{ACCOUNT}:role/*/image-builder",
    }
    assert "pass-role-left-out" not in {n[1] for n in mapped.notes}


def test_sns_delivery_status_roles_are_passed() -> None:
    """SNS topic attributes name the roles SNS logs delivery status with (``...FeedbackRoleArn``)."""
    role = f"arn:aws:iam::{ACCOUNT}:role/sns-delivery-status"
    params = {"name": "alerts", "attributes": {"LambdaSuccessFeedbackRoleArn": role}}
    assert passed("sns.amazonaws.com", "CreateTopic", params) == {role}


def test_a_run_task_passing_override_roles_gets_them_and_one_passing_none_is_said() -> None:
    """ECS RunTask passes the task definition's roles (not in the request: left out and said) or the ones
    its ``overrides`` name (RunTask API reference: ``overrides.taskRoleArn``, ``executionRoleArn``)."""
    base = {"cluster": "orders", "taskDefinition": "orders-worker:7"}
    task, execution = (f"arn:aws:iam::{ACCOUNT}:role/{n}" for n in ("orders-task", "orders-exec"))
    overrides = {"overrides": {"taskRoleArn": task, "executionRoleArn": execution}}
    assert passed("ecs.amazonaws.com", "RunTask", {**base, **overrides}) == {task, execution}
    mapped = EventMapper().map(cloudtrail_record("ecs.amazonaws.com", "RunTask", base))
    assert "iam:PassRole" not in {a for a, _ in mapped.uses}
    assert [n[1] for n in mapped.notes] == ["pass-role-left-out"]


A = "arn:aws:iam::111122223333:role/a"


@pytest.mark.parametrize(
    ("params", "arns", "names", "unnamed"),
    [
        ({"RoleArn": A}, (A,), (), False),
        (
            {"serviceRoleArns": ["arn:aws-cn:iam::111122223333:role/b"]},
            ("arn:aws-cn:iam::111122223333:role/b",),
            (),
            False,
        ),
        (
            {"outer": [{"jobRole": "arn:aws:iam::111122223333:role/path/c"}]},
            ("arn:aws:iam::111122223333:role/path/c",),
            (),
            False,
        ),
        ({"principalArn": A}, (), (), False),  # not a role-named parameter
        ({"role": "arn:aws:iam::111122223333:user/u"}, (), (), True),  # role-named, but no role ARN
        ({"role": "my-role"}, (), ("my-role",), False),  # a role of the call's account, by name
        ({"role": "not a role name!"}, (), (), True),
        ({"roleName": "my-role"}, (), (), True),  # may be another kind of role's name
        ({"iamInstanceProfile": {"arn": "arn:aws:iam::111122223333:instance-profile/web"}}, (), (), True),
        ({"role": {"roleArn": 7}}, (), (), False),
        ({"roleName": ""}, (), (), False),
    ],
)
def test_passed_roles_reads_role_named_parameters_at_any_depth(
    params: dict[str, Any], arns: tuple[str, ...], names: tuple[str, ...], unnamed: bool
) -> None:
    assert passed_roles(params) == (arns, names, unnamed)


def test_a_role_passed_by_name_is_granted_in_the_calls_account_under_any_path() -> None:
    """EMR RunJobFlow: "ServiceRole: The IAM role that Amazon EMR assumes in order to access Amazon Web
    Services resources on your behalf" (EMR API Reference), given by name as the EMR console and CLI do
    ("EMR_DefaultRole"): iam:PassRole on that role, wherever its path, and no finding."""
    params = {"name": "etl", "releaseLabel": "emr-7.0.0", "serviceRole": "EMR_DefaultRole", "instances": {}}
    mapped = EventMapper().map(cloudtrail_record("elasticmapreduce.amazonaws.com", "RunJobFlow", params))
    roles = {resource for action, resource in mapped.uses if action == "iam:PassRole"}
    assert roles == {
        f"arn:aws:iam::{ACCOUNT}:role/EMR_DefaultRole",
        f"arn:aws:iam::{ACCOUNT}:role/*/EMR_DefaultRole",
    }
    assert "pass-role-left-out" not in {code for _, code, _ in mapped.notes}
    # with an instance profile by name as well, its role is still said to be left out
    profile = {**params, "jobFlowRole": "EMR_EC2_DefaultRole"}
    mapped = EventMapper().map(cloudtrail_record("elasticmapreduce.amazonaws.com", "RunJobFlow", profile))
    assert "pass-role-left-out" in {code for _, code, _ in mapped.notes}


def test_adding_a_role_to_an_instance_profile_passes_that_role_under_any_path() -> None:
    """ "The caller of this operation must be granted the PassRole permission on the IAM role" (IAM API
    Reference, AddRoleToInstanceProfile; Karpenter calls it for every node class). The role is named, so
    no pass-role-left-out finding; a bare name may sit under a path, as for every IAM name."""
    mapped = EventMapper().map(
        cloudtrail_record(
            "iam.amazonaws.com",
            "AddRoleToInstanceProfile",
            {"instanceProfileName": "karpenter_123", "roleName": "KarpenterNodeRole"},
        )
    )
    roles = {resource for action, resource in mapped.uses if action == "iam:PassRole"}
    assert roles == {
        f"arn:aws:iam::{ACCOUNT}:role/KarpenterNodeRole",
        f"arn:aws:iam::{ACCOUNT}:role/*/KarpenterNodeRole",
    }
    assert mapped.notes == ()


def test_a_role_named_in_a_record_without_its_account_is_left_out_and_said() -> None:
    """A role name is one of the call's account; a record that does not say the account (no
    recipientAccountId, no account in the identity, no caller ARN to read it from) cannot name its ARN.
    With the caller's ARN, its account stands in (``test_account_from_the_caller.py``)."""
    params = {"imageRecipeArn": "r", "infrastructureConfigurationArn": "i", "executionRole": "image-builder"}
    record = cloudtrail_record("imagebuilder.amazonaws.com", "CreateImage", params)
    record.pop("recipientAccountId", None)
    record["userIdentity"] = {"type": "AssumedRole", "principalId": "AROAEXAMPLE:session"}
    mapped = EventMapper().map(record)
    assert "iam:PassRole" not in {action for action, _ in mapped.uses}
    assert "pass-role-left-out" in {code for _, code, _ in mapped.notes}
    record = cloudtrail_record("imagebuilder.amazonaws.com", "CreateImage", params)
    record.pop("recipientAccountId", None)
    record["userIdentity"].pop("accountId", None)
    passed = {arn for action, arn in EventMapper().map(record).uses if action == "iam:PassRole"}
    assert passed == {
        f"arn:aws:iam::{ACCOUNT}:role/image-builder",
        f"arn:aws:iam::{ACCOUNT}:role/*/image-builder",
    }
