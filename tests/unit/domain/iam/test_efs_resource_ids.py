"""EFS's tagging calls name a file system or an access point by id or ARN.

"ResourceId: The ID specifying the EFS resource", of the pattern ``fs(ap)?-[0-9a-f]{8,40}`` or the ARN of
either (EFS API Reference, TagResource, UntagResource, ListTagsForResource): the id's prefix says which. A
call by id was granted on ``*`` with a finding.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted

BASE = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}"


@pytest.mark.parametrize(
    ("name", "resource", "arn"),
    [
        ("TagResource", "fs-0123456789abcdef0", f"{BASE}:file-system/fs-0123456789abcdef0"),
        ("UntagResource", "fsap-0123456789abcdef0", f"{BASE}:access-point/fsap-0123456789abcdef0"),
        ("ListTagsForResource", f"{BASE}:file-system/fs-0a1b2c3d", f"{BASE}:file-system/fs-0a1b2c3d"),
    ],
)
def test_a_tag_call_is_granted_on_the_resource_its_id_names(name: str, resource: str, arn: str) -> None:
    assert granted("elasticfilesystem.amazonaws.com", name, {"resourceId": resource}) == {
        (f"elasticfilesystem:{name}", arn)
    }


def test_an_id_of_another_kind_is_not_guessed() -> None:
    record = cloudtrail_record(
        "elasticfilesystem.amazonaws.com", "ListTagsForResource", {"resourceId": "fsmt-0123456789abcdef0"}
    )
    assert EventMapper().map(record).uses == (("elasticfilesystem:ListTagsForResource", "*"),)
