"""EC2 copies are granted on the source in its Region and on the copy; an address by IP is said, not ``*``.

CopyImage and CopySnapshot are logged in the destination Region, with "SourceRegion: The name of the Region
that contains the AMI to copy" (the snapshot, for CopySnapshot) and "SourceImageId" / "SourceSnapshotId" (EC2
API Reference). Both resources are checked: "Starting October 28, 2024, you can specify resource-level
permissions for the CopyImage action on the source AMI. Resource-level permissions for the target AMI are
available as before" (EC2 User Guide, "Grant permissions to copy Amazon EC2 AMIs", whose example grants
"arn:aws:ec2:*::image/*" and "arn:aws:ec2:*::snapshot/*"), and CopySnapshot can "enforce resource-level
permissions for both the destination snapshot getting created and the source snapshot" (AWS Storage Blog,
"Enhancing resource-level permissions for copying Amazon EBS snapshots"). CopyImage was granted ``*`` and
CopySnapshot the source's id in the call's Region, where it is not.

AssociateAddress, DisassociateAddress and ReleaseAddress take "PublicIp: The Elastic IP address" instead of
"AllocationId" (EC2 API Reference), but the address's ARN holds the allocation id: by IP they were granted
``*`` without any finding. Records in CloudTrail's lowerCamelCase, as EC2's Query API is logged.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record


def mapped(name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record("ec2.amazonaws.com", name, params, region="eu-west-1"))
    assert event.kind == "mapped"
    return event


def test_an_image_copy_is_granted_on_the_source_in_its_region_and_on_the_copy() -> None:
    params = {"sourceRegion": "us-east-1", "sourceImageId": "ami-0abcdef1234567890", "name": "web-eu"}
    event = mapped("CopyImage", params)
    assert set(event.uses) == {
        ("ec2:CopyImage", "arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890"),
        ("ec2:CopyImage", "arn:aws:ec2:eu-west-1::image/*"),
        ("ec2:CopyImage", "arn:aws:ec2:eu-west-1::snapshot/*"),
        ("ec2:CopyImage", "arn:aws:ec2:us-east-1::snapshot/*"),
    }
    assert [note[1] for note in event.notes] == ["resource-undetermined"]
    assert "the call creates the image" in event.notes[0][2]


def test_a_snapshot_copy_reads_its_source_in_the_source_region() -> None:
    params = {"sourceRegion": "us-east-1", "sourceSnapshotId": "snap-066877671789bd71b", "description": "dr"}
    event = mapped("CopySnapshot", params)
    assert set(event.uses) == {
        ("ec2:CopySnapshot", "arn:aws:ec2:us-east-1::snapshot/snap-066877671789bd71b"),
        ("ec2:CopySnapshot", "arn:aws:ec2:eu-west-1::snapshot/*"),
    }


def test_an_address_by_its_public_ip_is_every_address_said() -> None:
    for name in ("DisassociateAddress", "ReleaseAddress"):
        event = mapped(name, {"publicIp": "203.0.113.25"})
        assert event.uses == ((f"ec2:{name}", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:elastic-ip/*"),)
        assert [note[1] for note in event.notes] == ["resource-undetermined"]
        assert "given by its public IP" in event.notes[0][2]


def test_an_address_by_ip_beside_its_instance() -> None:
    event = mapped("AssociateAddress", {"publicIp": "203.0.113.25", "instanceId": "i-0123456789abcdef0"})
    assert set(event.uses) == {
        ("ec2:AssociateAddress", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:elastic-ip/*"),
        ("ec2:AssociateAddress", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0123456789abcdef0"),
    }
