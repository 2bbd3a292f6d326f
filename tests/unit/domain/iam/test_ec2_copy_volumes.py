"""EC2 CopyVolumes (the EBS CSI driver's volume clones) is granted on the volume it copies and on the copy.

"Creates a crash-consistent, point-in-time copy of an existing Amazon EBS volume"; "SourceVolumeId: The ID
of the source EBS volume to copy" (EC2 API Reference, CopyVolumes). The Service Authorization Reference
lists ``volume`` for ec2:CopyVolumes and ec2:CreateTags among its dependent actions; the driver's policy
(aws-ebs-csi-driver, docs/example-iam-policy.json) grants ec2:CopyVolumes on ``volume/vol-*`` and on
``volume/*`` with the request's tags, and ec2:CreateTags on ``volume/*`` for ``ec2:CreateAction``
CopyVolumes. The call was granted ``*`` with a finding, its tags too. The record is EC2's newer shape, the
request in one object named after the call with the SDK's names (see ``test_ec2_networking``).
"""

from __future__ import annotations

from typing import Any

from tests.unit.domain.iam.records import ACCOUNT, granted

VOLUMES = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume"
SOURCE = "vol-0a1b2c3d4e5f67890"


def copy(**extra: Any) -> dict[str, Any]:
    return {
        "CopyVolumesRequest": {
            "SourceVolumeId": SOURCE,
            "ClientToken": "9f86d081884c7d659a2feaa0c55ad015",
            "Size": 20,
            "VolumeType": "gp3",
            **extra,
        }
    }


def test_a_copy_is_granted_on_its_source_and_the_new_volume() -> None:
    assert granted("ec2.amazonaws.com", "CopyVolumes", copy()) == {
        ("ec2:CopyVolumes", f"{VOLUMES}/{SOURCE}"),
        ("ec2:CopyVolumes", f"{VOLUMES}/*"),
    }


def test_a_tagged_copy_is_tagged_on_the_new_volume() -> None:
    tags = {
        "tag": 1,
        "ResourceType": "volume",
        "Tag": {"tag": 1, "Key": "CSIVolumeName", "Value": "pvc-4f1e2d3c"},
    }
    assert granted("ec2.amazonaws.com", "CopyVolumes", copy(TagSpecification=tags)) == {
        ("ec2:CopyVolumes", f"{VOLUMES}/{SOURCE}"),
        ("ec2:CopyVolumes", f"{VOLUMES}/*"),
        ("ec2:CreateTags", f"{VOLUMES}/*"),
    }
