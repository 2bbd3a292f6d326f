"""EC2 CreateTags and DeleteTags name their resources by id only: CloudTrail logs
``"resourcesSet": {"items": [{"resourceId": "i-..."}]}`` (CloudTrail User Guide, EC2 examples), while the SDK
table expects ARNs there. The id's prefix names its type (EC2 User Guide, "Resource IDs"), so each tagged
resource is granted by its ARN; before, every tag call was granted on ``*`` with a finding. Tag calls are
what controllers make all day (Karpenter, the EBS CSI driver, the Load Balancer Controller).
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

REGION_ARN = f"arn:aws:ec2:us-east-1:{ACCOUNT}"


def tag_call(name: str, *ids: str) -> tuple[set[tuple[str, str]], str]:
    params = {
        "resourcesSet": {"items": [{"resourceId": i} for i in ids]},
        "tagSet": {"items": [{"key": "karpenter.sh/nodepool", "value": "default"}]},
    }
    event = EventMapper().map(cloudtrail_record("ec2.amazonaws.com", name, params))
    assert event.kind == "mapped", event
    return set(event.uses), event.reason


@pytest.mark.parametrize("name", ["CreateTags", "DeleteTags"])
def test_each_tagged_resource_is_granted_by_its_arn(name: str) -> None:
    uses, reason = tag_call(name, "i-0123456789abcdef0", "vol-0123456789abcdef0", "sg-0123456789abcdef0")
    assert uses == {
        (f"ec2:{name}", f"{REGION_ARN}:instance/i-0123456789abcdef0"),
        (f"ec2:{name}", f"{REGION_ARN}:volume/vol-0123456789abcdef0"),
        (f"ec2:{name}", f"{REGION_ARN}:security-group/sg-0123456789abcdef0"),
    }
    assert reason == ""


def test_images_and_snapshots_have_no_account_in_their_arn() -> None:
    uses, _ = tag_call("CreateTags", "ami-0123456789abcdef0", "snap-0123456789abcdef0")
    assert uses == {
        ("ec2:CreateTags", "arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0"),
        ("ec2:CreateTags", "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0"),
    }


def test_prefixes_with_a_hyphen_are_their_own_types() -> None:
    uses, _ = tag_call("CreateTags", "tgw-attach-0123456789abcdef0", "tgw-0123456789abcdef0")
    assert uses == {
        ("ec2:CreateTags", f"{REGION_ARN}:transit-gateway-attachment/tgw-attach-0123456789abcdef0"),
        ("ec2:CreateTags", f"{REGION_ARN}:transit-gateway/tgw-0123456789abcdef0"),
    }


def test_one_id_of_an_unknown_kind_leaves_the_call_on_star_with_the_finding() -> None:
    """A grant naming the instance but not the placement group would refuse the call it came from."""
    uses, reason = tag_call("CreateTags", "i-0123456789abcdef0", "pg-0123456789abcdef0")
    assert uses == {("ec2:CreateTags", "*")}
    assert reason.startswith("resource not determined")
