"""STS AssumeRoot is authorized on the member account's root (the reference's ``root-user`` type,
``arn:${Partition}:iam::${Account}:root``), which the request names by ``targetPrincipal``: "The member
account principal ARN or account ID" (STS API Reference, AssumeRoot). It was granted ``*`` with the
resource-undetermined finding: every member account's root."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record, role_identity

MANAGEMENT = "111111111111"
MEMBER = "222222222222"
# IAM User Guide, "Track privileged tasks in AWS CloudTrail": the AssumeRoot event's requestParameters
DOCUMENTED = {
    "targetPrincipal": MEMBER,
    "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
}


def assume_root(mapper: EventMapper, params: dict[str, Any]) -> Any:
    return mapper.map(
        cloudtrail_record(
            "sts.amazonaws.com",
            "AssumeRoot",
            params,
            region="us-west-2",
            account=MANAGEMENT,
            identity=role_identity(account=MANAGEMENT, role="JohnDoe"),
        )
    )


@pytest.mark.parametrize("target", [MEMBER, f"arn:aws:iam::{MEMBER}:root"])
def test_assume_root_is_granted_on_the_member_accounts_root(target: str) -> None:
    event = assume_root(EventMapper(), {**DOCUMENTED, "targetPrincipal": target})
    assert event.uses == (("sts:AssumeRoot", f"arn:aws:iam::{MEMBER}:root"),)
    assert event.notes == ()


def test_each_member_account_is_its_own_grant() -> None:
    """The memo keys on ``targetPrincipal``: another member account is another root."""
    mapper = EventMapper()
    first = assume_root(mapper, DOCUMENTED)
    second = assume_root(mapper, {**DOCUMENTED, "targetPrincipal": "333333333333"})
    assert first.uses == (("sts:AssumeRoot", f"arn:aws:iam::{MEMBER}:root"),)
    assert second.uses == (("sts:AssumeRoot", "arn:aws:iam::333333333333:root"),)


def test_without_a_target_it_stays_star_and_said() -> None:
    event = assume_root(EventMapper(), {"taskPolicyArn": DOCUMENTED["taskPolicyArn"]})
    assert event.uses == (("sts:AssumeRoot", "*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]
