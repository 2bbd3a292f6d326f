"""GetServiceLinkedRoleDeletionStatus names the role in its deletion task's id; it was granted ``*`` with
the resource-undetermined finding."""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MAPPER = EventMapper()


def test_the_role_is_read_from_the_deletion_task_id() -> None:
    """IAM API Reference, GetServiceLinkedRoleDeletionStatus: "DeletionTaskId: ... returned by the
    DeleteServiceLinkedRole operation in the format task/aws-service-role/<service-principal-name>/
    <role-name>/<task-uuid>"; the role's ARN is ``role/aws-service-role/SERVICE/NAME`` (reference:
    ``role/${RoleNameWithPath}``)."""
    task = (
        "task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/"
        "ec720f7a-c0ba-4838-be33-f72e1873dd52"
    )
    event = MAPPER.map(
        cloudtrail_record("iam.amazonaws.com", "GetServiceLinkedRoleDeletionStatus", {"deletionTaskId": task})
    )
    role = (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/elasticbeanstalk.amazonaws.com/"
        "AWSServiceRoleForElasticBeanstalk"
    )
    assert event.uses == (("iam:GetServiceLinkedRoleDeletionStatus", role),)
    assert event.notes == ()


def test_an_id_of_another_shape_names_no_role() -> None:
    event = MAPPER.map(
        cloudtrail_record(
            "iam.amazonaws.com", "GetServiceLinkedRoleDeletionStatus", {"deletionTaskId": "not-a-task"}
        )
    )
    assert event.uses == (("iam:GetServiceLinkedRoleDeletionStatus", "*"),)
