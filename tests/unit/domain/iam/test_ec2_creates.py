"""EC2 calls that create what only the response names (RunInstances, CreateFleet, CreateVolume,
CreateSnapshot, CreateSecurityGroup) are granted on ARNs, not on ``*``: what the call creates on
``TYPE/*`` (its id does not exist before the call; the EC2 User Guide's example policies grant
``instance/*``, ``volume/*``, ``network-interface/*``, ``snapshot/*``), what the request names on its exact
ARN, and what it leaves to a default on ``TYPE/*`` with the resource-undetermined finding naming the type.

Records are shaped as CloudTrail writes EC2's Query API: lists as ``xSet: {"items": [...]}`` (CloudTrail
User Guide, "CloudTrail log file examples", Amazon EC2 log examples), RunInstances' image and key pair inside
``instancesSet.items`` (a RunInstances record from the AWS CLI:
https://github.com/wazuh/wazuh/issues/36209, where ``items`` is one object), CreateFleet's parameters inside
``CreateFleetRequest`` with the SDK's capitalised names (Karpenter's node launches; the Query API names
``TagSpecification`` and ``LaunchTemplateConfigs``, EC2 API Reference, CreateFleet).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper, MappedEvent
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted

EC2 = "ec2.amazonaws.com"
REGION = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
AMI = "ami-0abcdef1234567890"
SUBNET = "subnet-0123456789abcdef0"
GROUP = "sg-0123456789abcdef0"
TEMPLATE = "lt-0123456789abcdef0"
IMAGE_ARN = f"arn:aws:ec2:us-east-1::image/{AMI}"  # images have no account in their ARN
# "RunInstances requires an AMI and creates an instance. ... Launching into a VPC requires a subnet, and
# creates a network interface. Launching from an Amazon EBS-backed AMI creates a volume." (EC2 User Guide,
# "Example policies to control access the Amazon EC2 API", "Launch instances (RunInstances)")
LAUNCHED = {
    ("ec2:RunInstances", f"{REGION}:instance/*"),
    ("ec2:RunInstances", f"{REGION}:network-interface/*"),
    ("ec2:RunInstances", f"{REGION}:volume/*"),
}


def mapped(name: str, params: dict[str, Any], mapper: EventMapper | None = None) -> MappedEvent:
    event = (mapper or EventMapper()).map(cloudtrail_record(EC2, name, params))
    assert event.kind == "mapped", event
    assert all(arn != "*" for _, arn in event.uses), event.uses
    return event


def undetermined(event: MappedEvent) -> str:
    (note,) = [n for n in event.notes if n[1] == "resource-undetermined"]
    assert note[0] == "warning"
    return note[2]


def run_instances(**params: Any) -> dict[str, Any]:
    """RunInstances as the AWS CLI's call is logged (wazuh/wazuh#36209), with the given parameters."""
    return {
        "instancesSet": {"items": [{"imageId": AMI, "minCount": 1, "maxCount": 1}]},
        "instanceType": "t3.micro",
        "blockDeviceMapping": {},
        "monitoring": {"enabled": False},
        "disableApiTermination": False,
        "disableApiStop": False,
        **params,
    }


def test_run_instances_is_granted_on_what_it_creates_and_what_the_request_names() -> None:
    """The image, subnet, security group and key pair by their ARNs (EC2 User Guide, "Launch instances
    (RunInstances)": "arn:aws:ec2:region::image/ami-9e1670f7", "subnet/subnet-12345678")."""
    params = run_instances(
        instancesSet={"items": [{"imageId": AMI, "minCount": 1, "maxCount": 1, "keyName": "deploy"}]},
        subnetId=SUBNET,
        groupSet={"items": [{"groupId": GROUP}]},
    )
    assert granted(EC2, "RunInstances", params) == LAUNCHED | {
        ("ec2:RunInstances", IMAGE_ARN),
        ("ec2:RunInstances", f"{REGION}:subnet/{SUBNET}"),
        ("ec2:RunInstances", f"{REGION}:security-group/{GROUP}"),
        ("ec2:RunInstances", f"{REGION}:key-pair/deploy"),
    }


def test_items_written_as_one_object_are_read() -> None:
    """wazuh/wazuh#36209 shows ``"instancesSet": {"items": {"imageId": ...}}`` for one instance."""
    params = run_instances(
        instancesSet={"items": {"imageId": AMI, "minCount": 1, "maxCount": 1}},
        subnetId=SUBNET,
        groupSet={"items": {"groupId": GROUP}},
    )
    assert ("ec2:RunInstances", IMAGE_ARN) in granted(EC2, "RunInstances", params)


def test_the_default_subnet_and_security_group_are_their_type_in_the_account_with_the_finding() -> None:
    """ "If you don't specify a subnet ID, we choose a default subnet from your default VPC"; "If you don't
    specify a security group ID, we use the default security group for the VPC" (EC2 API Reference,
    RunInstances): neither is in the record, so each is granted as every one of its type in the account
    and region, never as ``*``, and the finding names both."""
    event = mapped("RunInstances", run_instances())
    assert set(event.uses) == LAUNCHED | {
        ("ec2:RunInstances", IMAGE_ARN),
        ("ec2:RunInstances", f"{REGION}:subnet/*"),
        ("ec2:RunInstances", f"{REGION}:security-group/*"),
    }
    message = undetermined(event)
    assert message.startswith(
        "ec2.amazonaws.com:RunInstances: ec2:RunInstances on security-group/*, subnet/*"
    )
    assert "default subnet" in message and "default group" in message
    assert event.reason == ""  # nothing is granted on *


def test_network_interfaces_name_the_subnet_and_groups_and_an_existing_interface() -> None:
    """ "If you specify a network interface, you must specify any subnets as part of the network interface"
    (EC2 API Reference, RunInstances, SubnetId); CloudTrail writes them as ``networkInterfaceSet.items``."""
    params = run_instances(
        networkInterfaceSet={
            "items": [
                {
                    "deviceIndex": 0,
                    "subnetId": SUBNET,
                    "associatePublicIpAddress": True,
                    "groupSet": {"items": [{"groupId": GROUP}]},
                },
                {"deviceIndex": 1, "networkInterfaceId": "eni-0123456789abcdef0"},
            ]
        }
    )
    assert granted(EC2, "RunInstances", params) == LAUNCHED | {
        ("ec2:RunInstances", IMAGE_ARN),
        ("ec2:RunInstances", f"{REGION}:subnet/{SUBNET}"),
        ("ec2:RunInstances", f"{REGION}:security-group/{GROUP}"),
        ("ec2:RunInstances", f"{REGION}:network-interface/eni-0123456789abcdef0"),
    }


def test_a_launch_template_by_id_is_its_arn_and_the_ami_it_supplies_is_said() -> None:
    """ "ImageId: ... An AMI ID is required to launch an instance and must be specified here or in a launch
    template" (EC2 API Reference, RunInstances); the template's ARN holds its id
    ("arn:aws:ec2:region:account:launch-template/lt-09477bcd97b0d310e", EC2 User Guide, "Launch instances
    (RunInstances)", launch templates)."""
    params = {
        "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
        "launchTemplate": {"launchTemplateId": TEMPLATE, "version": "1"},
        "subnetId": SUBNET,
        "groupSet": {"items": [{"groupId": GROUP}]},
    }
    event = mapped("RunInstances", params)
    uses = set(event.uses)
    assert ("ec2:RunInstances", f"{REGION}:launch-template/{TEMPLATE}") in uses
    assert ("ec2:RunInstances", "arn:aws:ec2:us-east-1::image/*") in uses
    assert "ec2:RunInstances on image/*" in undetermined(event)
    assert "launch template's AMI" in undetermined(event)


def test_a_launch_template_given_by_name_cannot_be_written_as_its_id_and_says_so() -> None:
    params = {
        "instancesSet": {"items": [{"imageId": AMI, "minCount": 1, "maxCount": 1}]},
        "launchTemplate": {"launchTemplateName": "web", "version": "$Latest"},
        "subnetId": SUBNET,
        "groupSet": {"items": [{"groupId": GROUP}]},
    }
    event = mapped("RunInstances", params)
    assert ("ec2:RunInstances", f"{REGION}:launch-template/*") in set(event.uses)
    message = undetermined(event)
    assert "launch-template/*" in message and "launch template given by name" in message


def test_tags_on_create_go_on_what_the_call_creates_by_resource_type() -> None:
    """ "The tags to apply to the resources that are created during instance launch ... Instances, Volumes,
    Spot Instance requests, Network interfaces" (EC2 API Reference, RunInstances, TagSpecifications); the
    EC2 User Guide's "Tag instances on creation" grants ec2:CreateTags on "instance/*"."""
    tags = [{"key": "Name", "value": "web"}]
    params = run_instances(
        subnetId=SUBNET,
        groupSet={"items": [{"groupId": GROUP}]},
        tagSpecificationSet={
            "items": [{"resourceType": "instance", "tags": tags}, {"resourceType": "volume", "tags": tags}]
        },
    )
    uses = granted(EC2, "RunInstances", params)
    assert {u for u in uses if u[0] == "ec2:CreateTags"} == {
        ("ec2:CreateTags", f"{REGION}:instance/*"),
        ("ec2:CreateTags", f"{REGION}:volume/*"),
    }


def test_a_spot_launch_creates_a_spot_instance_request() -> None:
    """The EC2 User Guide's RunInstances tag examples grant "spot-instances-request/*" for Spot launches."""
    params = run_instances(
        subnetId=SUBNET,
        groupSet={"items": [{"groupId": GROUP}]},
        instanceMarketOptions={"marketType": "spot", "spotOptions": {"spotInstanceType": "one-time"}},
        tagSpecificationSet={"items": [{"resourceType": "spot-instances-request", "tags": [{"key": "a"}]}]},
    )
    uses = granted(EC2, "RunInstances", params)
    assert ("ec2:RunInstances", f"{REGION}:spot-instances-request/*") in uses
    assert ("ec2:CreateTags", f"{REGION}:spot-instances-request/*") in uses


def test_an_instance_profile_still_leaves_pass_role_out_with_the_finding() -> None:
    params = run_instances(
        subnetId=SUBNET,
        groupSet={"items": [{"groupId": GROUP}]},
        iamInstanceProfile={"name": "web-profile"},
    )
    event = mapped("RunInstances", params)
    assert [n[1] for n in event.notes] == ["pass-role-left-out"]
    assert not any(action == "iam:PassRole" for action, _ in event.uses)


def karpenter_fleet(subnet: str = SUBNET) -> dict[str, Any]:
    """A Karpenter node launch: an instant fleet from its launch template, overrides per subnet and AMI,
    tags for the fleet and its instances (CreateFleet's Query API names: LaunchTemplateConfigs,
    TagSpecification; one config is logged as one object)."""
    return {
        "CreateFleetRequest": {
            "Type": "instant",
            "TargetCapacitySpecification": {
                "DefaultTargetCapacityType": "on-demand",
                "TotalTargetCapacity": 1,
            },
            "LaunchTemplateConfigs": {
                "LaunchTemplateSpecification": {"LaunchTemplateId": TEMPLATE, "Version": "1"},
                "Overrides": [
                    {"InstanceType": "m5.large", "SubnetId": subnet, "ImageId": AMI, "tag": 1},
                    {"InstanceType": "m5a.large", "SubnetId": subnet, "ImageId": AMI, "tag": 2},
                ],
                "tag": 1,
            },
            "TagSpecification": [
                {
                    "ResourceType": "fleet",
                    "Tag": [{"Key": "karpenter.sh/nodepool", "Value": "default"}],
                    "tag": 1,
                },
                {
                    "ResourceType": "instance",
                    "Tag": [{"Key": "karpenter.sh/nodepool", "Value": "default"}],
                    "tag": 2,
                },
            ],
            "OnDemandOptions": {"AllocationStrategy": "lowest-price"},
        }
    }


def test_create_fleet_is_read_inside_its_request_object() -> None:
    """CreateFleet's own types (Service Authorization Reference: fleet and instance required; image,
    launch template, subnet, volume among the others); tags on the fleet and the instances ("If the fleet
    type is instant, specify a resource type of fleet to tag the fleet, instance to tag the instances",
    EC2 API Reference, CreateFleet, TagSpecifications)."""
    event = mapped("CreateFleet", karpenter_fleet())
    assert set(event.uses) == {
        ("ec2:CreateFleet", f"{REGION}:fleet/*"),
        ("ec2:CreateFleet", f"{REGION}:instance/*"),
        ("ec2:CreateFleet", f"{REGION}:volume/*"),
        ("ec2:CreateFleet", f"{REGION}:launch-template/{TEMPLATE}"),
        ("ec2:CreateFleet", f"{REGION}:subnet/{SUBNET}"),
        ("ec2:CreateFleet", IMAGE_ARN),
        ("ec2:CreateTags", f"{REGION}:fleet/*"),
        ("ec2:CreateTags", f"{REGION}:instance/*"),
    }
    assert not [n for n in event.notes if n[1] == "resource-undetermined"]


def test_create_volume_from_a_snapshot() -> None:
    """ "Create a volume": ec2:CreateVolume on "arn:aws:ec2:us-east-1:123456789012:volume/*" (EC2 User Guide,
    "Example policies to control access the Amazon EC2 API"); "SnapshotId: The snapshot from which to create
    the volume" (EC2 API Reference, CreateVolume); snapshots have no account in their ARN."""
    params = {
        "availabilityZone": "us-east-1a",
        "size": 20,
        "volumeType": "gp3",
        "encrypted": True,
        "snapshotId": "snap-0123456789abcdef0",
        "tagSpecificationSet": {"items": [{"resourceType": "volume", "tags": [{"key": "a", "value": "b"}]}]},
    }
    assert granted(EC2, "CreateVolume", params) == {
        ("ec2:CreateVolume", f"{REGION}:volume/*"),
        ("ec2:CreateVolume", "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0"),
        ("ec2:CreateTags", f"{REGION}:volume/*"),
    }


def test_create_snapshot_of_a_volume() -> None:
    """ "Create a snapshot": ec2:CreateSnapshot on "arn:aws:ec2:us-east-1::snapshot/*" and on the volume, and
    ec2:CreateTags on "arn:aws:ec2:us-east-1::snapshot/*" (EC2 User Guide, "Create a snapshot with tags")."""
    params = {
        "volumeId": "vol-0123456789abcdef0",
        "description": "nightly",
        "tagSpecificationSet": {
            "items": [{"resourceType": "snapshot", "tags": [{"key": "a", "value": "b"}]}]
        },
    }
    assert granted(EC2, "CreateSnapshot", params) == {
        ("ec2:CreateSnapshot", "arn:aws:ec2:us-east-1::snapshot/*"),
        ("ec2:CreateSnapshot", f"{REGION}:volume/vol-0123456789abcdef0"),
        ("ec2:CreateTags", "arn:aws:ec2:us-east-1::snapshot/*"),
    }


def test_create_security_group_in_the_vpc_it_names() -> None:
    params = {"groupName": "web", "groupDescription": "web tier", "vpcId": "vpc-0123456789abcdef0"}
    assert granted(EC2, "CreateSecurityGroup", params) == {
        ("ec2:CreateSecurityGroup", f"{REGION}:security-group/*"),
        ("ec2:CreateSecurityGroup", f"{REGION}:vpc/vpc-0123456789abcdef0"),
    }


def test_create_security_group_without_a_vpc_is_in_the_default_vpc_and_says_so() -> None:
    """ "VpcId: The ID of the VPC. Required for a nondefault VPC." (EC2 API Reference, CreateSecurityGroup)"""
    event = mapped("CreateSecurityGroup", {"groupName": "web", "groupDescription": "web tier"})
    assert set(event.uses) == {
        ("ec2:CreateSecurityGroup", f"{REGION}:security-group/*"),
        ("ec2:CreateSecurityGroup", f"{REGION}:vpc/*"),
    }
    assert "on vpc/*" in undetermined(event) and "default VPC" in undetermined(event)


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [
        ("RunInstances", run_instances(subnetId=SUBNET), run_instances(subnetId="subnet-0fedcba9876543210")),
        ("CreateFleet", karpenter_fleet(), karpenter_fleet("subnet-0fedcba9876543210")),
    ],
)
def test_calls_differing_only_in_their_subnet_do_not_share_a_grant(
    name: str, first: dict[str, Any], second: dict[str, Any]
) -> None:
    """The mapper memoises on the parameters a plan reads: the resolver's, and CreateFleet's whole request
    object."""
    mapper = EventMapper()
    one = {arn for _, arn in mapped(name, first, mapper).uses}
    other = {arn for _, arn in mapped(name, second, mapper).uses}
    assert f"{REGION}:subnet/{SUBNET}" in one and f"{REGION}:subnet/{SUBNET}" not in other
    assert f"{REGION}:subnet/subnet-0fedcba9876543210" in other


def test_calls_differing_only_in_their_tagged_types_do_not_share_a_grant() -> None:
    mapper = EventMapper()
    tags = [{"key": "a", "value": "b"}]
    first = run_instances(
        subnetId=SUBNET, tagSpecificationSet={"items": [{"resourceType": "instance", "tags": tags}]}
    )
    second = run_instances(
        subnetId=SUBNET, tagSpecificationSet={"items": [{"resourceType": "volume", "tags": tags}]}
    )
    assert ("ec2:CreateTags", f"{REGION}:instance/*") in mapped("RunInstances", first, mapper).uses
    assert ("ec2:CreateTags", f"{REGION}:volume/*") in mapped("RunInstances", second, mapper).uses


def test_tags_for_a_type_the_call_does_not_create_stay_undetermined() -> None:
    """Deliberate negative (the same on main): a tag specification for a type RunInstances does not create
    is not granted as if it were one: ec2:CreateTags on * with the finding."""
    params = run_instances(
        subnetId=SUBNET,
        groupSet={"items": [{"groupId": GROUP}]},
        tagSpecificationSet={"items": [{"resourceType": "elastic-gpu", "tags": [{"key": "a"}]}]},
    )
    event = EventMapper().map(cloudtrail_record(EC2, "RunInstances", params))
    assert ("ec2:CreateTags", "*") in event.uses
    assert event.reason.startswith("resource not determined") and "ec2:CreateTags" in event.reason


def test_create_network_interface_for_a_pod() -> None:
    """The Amazon VPC CNI plugin's call for each pod ENI, tagged at creation (its IAM policy,
    AmazonEKS_CNI_Policy, grants ec2:CreateNetworkInterface and ec2:CreateTags on network-interface/*):
    the new interface on ``network-interface/*``, the subnet and groups the request names on their ARNs
    (EC2 API Reference, CreateNetworkInterface: ``SubnetId``, ``Groups``, here ``groupSet.items``)."""
    params = {
        "subnetId": SUBNET,
        "description": "aws-K8S-i-0123456789abcdef0",
        "groupSet": {"items": [{"groupId": GROUP}, {"groupId": "sg-0fedcba9876543210"}]},
        "privateIpAddressesSet": {},
        "tagSpecificationSet": {
            "items": [
                {
                    "resourceType": "network-interface",
                    "tags": [{"key": "cluster.k8s.amazonaws.com/name", "value": "prod"}],
                }
            ]
        },
    }
    assert granted(EC2, "CreateNetworkInterface", params) == {
        ("ec2:CreateNetworkInterface", f"{REGION}:network-interface/*"),
        ("ec2:CreateNetworkInterface", f"{REGION}:subnet/{SUBNET}"),
        ("ec2:CreateNetworkInterface", f"{REGION}:security-group/{GROUP}"),
        ("ec2:CreateNetworkInterface", f"{REGION}:security-group/sg-0fedcba9876543210"),
        ("ec2:CreateTags", f"{REGION}:network-interface/*"),
    }


def test_create_network_interface_without_groups_names_none() -> None:
    """Security groups are optional for the call (Service Authorization Reference); the subnet is required."""
    params = {"subnetId": SUBNET, "groupSet": {}, "privateIpAddressesSet": {}}
    assert granted(EC2, "CreateNetworkInterface", params) == {
        ("ec2:CreateNetworkInterface", f"{REGION}:network-interface/*"),
        ("ec2:CreateNetworkInterface", f"{REGION}:subnet/{SUBNET}"),
    }
