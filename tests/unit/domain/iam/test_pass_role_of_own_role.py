"""``iam:PassRole`` of the role the calling session runs as: a job, function or project configured with the
caller's own role. Passing is checked on the role's ARN, with its path, like any other role: "To pass a role
(and its permissions) to an AWS service, a user must have permissions to pass the role to the service"
(IAM User Guide, "Grant a user permissions to pass a role to an AWS service"), whose example policy names
``arn:aws:iam::account-id:role/EC2-roles-for-XYZ-*``. The record gives that role's ARN with its path:
``sessionContext.sessionIssuer.arn`` is "The ARN of the source (account, IAM role, or user) that got
temporary security credentials" (CloudTrail User Guide, "CloudTrail userIdentity element"), here
``role/service-role/level1``, as flaws2.cloud's public logs carry a Lambda role.

Glue takes a role by name or by ARN ("Role: The name or Amazon Resource Name (ARN) of the IAM role
associated with this job", Glue API Reference, CreateJob), and iam-dataset's table kept what follows the
ARN's last slash, so a role under a path was passed as ``role/level1``, which names no role. Lambda and
CodeBuild take the role's ARN ("Role: The Amazon Resource Name (ARN) of the function's execution role",
Lambda API Reference, CreateFunction; CodeBuild's ``serviceRole``), read by the dependent actions' path.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, role_identity, user_identity

BASE = f"arn:aws:iam::{ACCOUNT}"
OWN = f"{BASE}:role/service-role/level1"
GLUE_JOB = {
    "name": "nightly",
    "command": {"name": "glueetl", "scriptLocation": "s3://scripts-111122223333/a.py"},
}


def session_of(path: str, name: str) -> dict[str, Any]:
    identity = role_identity(role=name)
    identity["sessionContext"]["sessionIssuer"]["arn"] = f"{BASE}:role/{path}{name}"
    return identity


def passed(
    source: str,
    name: str,
    params: dict[str, Any],
    identity: dict[str, Any] | None = None,
    mapper: EventMapper | None = None,
) -> set[str]:
    event = (mapper or EventMapper()).map(
        cloudtrail_record(source, name, params, identity=identity or session_of("service-role/", "level1"))
    )
    assert event.kind == "mapped", event
    assert "pass-role-left-out" not in [code for _, code, _ in event.notes]
    return {arn for action, arn in event.uses if action == "iam:PassRole"}


@pytest.mark.parametrize("role", ["level1", "Level1", OWN, "service-role/level1"])
def test_a_glue_job_given_the_sessions_own_role_passes_it_at_its_path(role: str) -> None:
    assert passed("glue.amazonaws.com", "CreateJob", {**GLUE_JOB, "role": role}) == {OWN}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("UpdateJob", {"jobName": "nightly", "jobUpdate": {"role": OWN, "command": GLUE_JOB["command"]}}),
        ("CreateCrawler", {"name": "raw", "role": OWN, "targets": {"s3Targets": [{"path": "s3://raw/"}]}}),
        ("UpdateCrawler", {"name": "raw", "role": OWN}),
        ("CreateMLTransform", {"name": "dedupe", "role": OWN, "inputRecordTables": [], "parameters": {}}),
        ("UpdateMLTransform", {"transformId": "tfm-0123456789abcdef", "role": OWN}),
    ],
)
def test_every_glue_role_arn_keeps_its_path(name: str, params: dict[str, Any]) -> None:
    assert passed("glue.amazonaws.com", name, params) == {OWN}


def test_another_role_by_name_keeps_any_path() -> None:
    assert passed("glue.amazonaws.com", "CreateJob", {**GLUE_JOB, "role": "etl"}) == {
        f"{BASE}:role/etl",
        f"{BASE}:role/*/etl",
    }


def test_a_role_by_name_of_an_iam_user_keeps_any_path() -> None:
    """An IAM user's call has no session role: a role named like the user is another entity."""
    identity = user_identity(user="level1")
    assert passed("glue.amazonaws.com", "CreateJob", {**GLUE_JOB, "role": "level1"}, identity) == {
        f"{BASE}:role/level1",
        f"{BASE}:role/*/level1",
    }


def test_batch_service_role_arn_keeps_its_path() -> None:
    """ "If your specified role has a path other than /, then you must either specify the full role ARN
    (recommended) or prefix the role name with the path" (Batch API Reference, UpdateComputeEnvironment)."""
    arn = f"{BASE}:role/service-role/AWSBatchServiceRole"
    for role in (arn, "service-role/AWSBatchServiceRole"):
        params = {"computeEnvironment": "ce", "serviceRole": role}
        assert passed("batch.amazonaws.com", "UpdateComputeEnvironment", params) == {arn}


def test_sessions_of_roles_at_different_paths_are_kept_apart() -> None:
    mapper = EventMapper()  # one memo: the same request of two sessions
    for path in ("team-a/", "team-b/"):
        params = {**GLUE_JOB, "role": "deploy"}
        assert passed("glue.amazonaws.com", "CreateJob", params, session_of(path, "deploy"), mapper) == {
            f"{BASE}:role/{path}deploy"
        }


@pytest.mark.parametrize(
    ("source", "name", "params"),
    [
        (
            "lambda.amazonaws.com",
            "CreateFunction20150331",
            {"functionName": "level1", "role": OWN, "runtime": "python3.12", "handler": "index.handler"},
        ),
        (
            "codebuild.amazonaws.com",
            "CreateProject",
            {
                "name": "build",
                "serviceRole": OWN,
                "source": {"type": "NO_SOURCE"},
                "artifacts": {"type": "NO_ARTIFACTS"},
                "environment": {
                    "type": "LINUX_CONTAINER",
                    "image": "aws/codebuild/standard:7.0",
                    "computeType": "BUILD_GENERAL1_SMALL",
                },
            },
        ),
    ],
)
def test_a_service_given_the_sessions_own_role_arn_passes_that_arn(
    source: str, name: str, params: dict[str, Any]
) -> None:
    assert passed(source, name, params) == {OWN}


def test_a_role_passed_by_its_own_bare_name_is_the_sessions_arn() -> None:
    """EMR's ``ServiceRole`` is a role's name ("EMR_DefaultRole"), read by the dependent actions' path."""
    identity = session_of("service-role/", "EMR_DefaultRole")
    params = {
        "name": "etl",
        "releaseLabel": "emr-7.1.0",
        "serviceRole": "EMR_DefaultRole",
        "instances": {"instanceCount": 1, "masterInstanceType": "m5.xlarge"},
    }
    assert passed("elasticmapreduce.amazonaws.com", "RunJobFlow", params, identity) == {
        f"{BASE}:role/service-role/EMR_DefaultRole"
    }
