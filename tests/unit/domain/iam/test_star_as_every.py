"""A request naming ``*`` where an id or name belongs: many APIs read it as "all", and the mapper wrote it as
IAM's literal ``${*}`` (a resource named ``*``), which matches no resource the call acted on: an under-grant
the policy refuses, silently. SSM SendCommand's ``"instanceIds": ["*"]`` was fixed alone (bccdfa7, in its
resolver); ``fill.every_asked`` now reads a whole ``*`` as every resource of its type for every call, said,
and keeps ``${*}`` where a name may hold ``*`` (``rules.STAR_IN_NAMES``: an S3 object key).

Found by this session's mapping pass; measured by calling every mapped botocore operation (coverage.py's
probe) with ``*`` for each top-level string parameter not named ``...Arn``: 8,440 of 18,647 calls were
granted an ARN holding ``${*}``, 202 still are (IAM names under a path, S3 keys, formats whose ``*`` is a
part of a longer value).
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

# ECS API Reference, RunTask, taskDefinition: "When you specify a task definition, you must either specify a
# specific revision, or all revisions in the ARN. ... To specify all revisions, use the wildcard (*) in the
# ARN. For example, to specify all revisions, use
# arn:aws:ecs:us-east-1:111122223333:task-definition/TaskFamilyName:*"
ALL_REVISIONS = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/TaskFamilyName:*"


def _run_task(task_definition: str) -> dict[str, object]:
    return cloudtrail_record(
        "ecs.amazonaws.com", "RunTask", {"cluster": "default", "taskDefinition": task_definition, "count": 1}
    )


def test_every_revision_of_a_task_definition_is_granted_on_every_revision() -> None:
    event = EventMapper().map(_run_task(ALL_REVISIONS))
    assert ("ecs:RunTask", ALL_REVISIONS) in event.uses
    assert not any("${*}" in arn for _, arn in event.uses)
    said = [text for _, code, text in event.notes if code == "resource-undetermined"]
    assert len(said) == 1
    assert 'task-definition/TaskFamilyName:* in the account and region: the request names "*"' in said[0]


def test_every_revision_by_family_is_granted_alike() -> None:
    """``family:revision`` is the short form the same parameter takes."""
    event = EventMapper().map(_run_task("TaskFamilyName:*"))
    assert ("ecs:RunTask", ALL_REVISIONS) in event.uses


def test_one_revision_is_one_revision() -> None:
    """The guard: a named revision is that revision, unsaid."""
    event = EventMapper().map(_run_task("TaskFamilyName:2"))
    assert ("ecs:RunTask", ALL_REVISIONS[:-1] + "2") in event.uses
    assert not any(code == "resource-undetermined" for _, code, _ in event.notes)


def test_an_object_key_may_be_an_asterisk() -> None:
    """The guard: "Safe characters ... Asterisk (*)" (Amazon S3 User Guide, "Naming Amazon S3 objects"): a
    key ``*`` is one object, IAM's ``${*}``, never every object of the bucket."""
    record = cloudtrail_record(
        "s3.amazonaws.com", "GetObject", {"bucketName": "amzn-s3-demo-bucket", "key": "*"}
    )
    event = EventMapper().map(record)
    assert event.uses == (("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/${*}"),)


def test_a_whole_star_in_each_place_of_a_format_and_a_star_inside_a_name() -> None:
    """The mechanism on the reference's types: a parent named ``*`` is every parent (Amplify's
    ``apps/${AppId}/branches/${BranchName}``); a value holding ``*`` among other characters is a name and
    stays literal; an ARN without ``${*}`` is untouched."""
    from policygen_operator.domain.iam.mapping.fill import every_asked  # new: the parent fails here

    types = load_reference().resource_types("amplify:GetBranch")
    base = f"arn:aws:amplify:us-east-1:{ACCOUNT}:apps"
    every: list[str] = []
    arns = [f"{base}/${{*}}/branches/${{*}}", f"{base}/d1/branches/main-${{*}}", f"{base}/d1/branches/main"]
    assert every_asked(types, arns, every) == [
        f"{base}/*/branches/*",
        f"{base}/d1/branches/main-${{*}}",
        f"{base}/d1/branches/main",
    ]
    assert every == [f"{base}/*/branches/*"]
