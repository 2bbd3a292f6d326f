"""A launch template's calls name it by id or by name; its ARN holds the id.

``LaunchTemplateId`` or ``LaunchTemplateName`` (EC2 API Reference, CreateLaunchTemplateVersion,
ModifyLaunchTemplate, DeleteLaunchTemplate, DeleteLaunchTemplateVersions), logged in EC2's request-object
shape. By name the record cannot give the ARN: every launch template in the account and region, said, where
the table's reading gave ``*``.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted

TEMPLATES = f"arn:aws:ec2:us-east-1:{ACCOUNT}:launch-template"
NAMES = [
    "CreateLaunchTemplateVersion",
    "ModifyLaunchTemplate",
    "DeleteLaunchTemplate",
    "DeleteLaunchTemplateVersions",
]


@pytest.mark.parametrize("name", NAMES)
def test_by_id_the_template_by_name_every_template_said(name: str) -> None:
    by_id = {f"{name}Request": {"LaunchTemplateId": "lt-0123456789abcdef0"}}
    assert granted("ec2.amazonaws.com", name, by_id) == {(f"ec2:{name}", f"{TEMPLATES}/lt-0123456789abcdef0")}
    event = EventMapper().map(
        cloudtrail_record(
            "ec2.amazonaws.com", name, {f"{name}Request": {"LaunchTemplateName": "karpenter/a"}}
        )
    )
    assert event.uses == ((f"ec2:{name}", f"{TEMPLATES}/*"),)
    [note] = event.notes
    assert note[1] == "resource-undetermined" and "a launch template given by name, not by its id" in note[2]
