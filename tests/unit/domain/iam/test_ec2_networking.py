"""EC2's network, image, address and VPN create calls (``rules.EC2_CREATES``), and EC2's newer calls whose
CloudTrail record holds the request in one object named after it.

Shapes: the older calls as the Query API's ``xSet.items`` (CloudTrail User Guide, EC2 log examples); the
newer ones inside ``{"<Call>Request": {...}}`` with the SDK's capitalised names, lists as ``{"tag": N,
"content": VALUE}`` members named in the singular. Records of the second kind are quoted from Permiso's
Cloud Console Cartographer (https://github.com/Permiso-io-tools/CloudConsoleCartographer, Apache-2.0,
``Code/AddLabel.ps1``, commit 10156353), which lists real ``requestParameters`` of each console action:
``{"DeleteLaunchTemplateRequest":{"LaunchTemplateId":"lt-01234567890abcdef"}}``,
``{"CreateLaunchTemplateRequest":{"LaunchTemplateName":"minimalistLaunchTemplate",...}}``,
``{"CreateVpcEndpointRequest":{"TagSpecification":{"tag":1,"ResourceType":"vpc-endpoint",...},...}}``,
``{"CancelCapacityReservationRequest":{"CapacityReservationId":"cr-01234567890abcdef"}}``.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import query_shaped
from policygen_operator.domain.iam.mapping.rules import EC2_CREATES
from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record, granted

EC2 = "ec2.amazonaws.com"
HERE = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
VPC = "vpc-01234567890abcdef"
SUBNET = "subnet-01234567890abcdef"
TAGGED = {"tags": [{"key": "Name", "value": "private-a"}]}


def test_each_create_of_the_table_matches_the_reference() -> None:
    """What a call creates is one of its resource types, and the others listed are exactly the rest of the
    types the Service Authorization Reference marks required: a grant without one of them is refused."""
    reference = load_reference()
    for action, (created, required) in EC2_CREATES.items():
        types = reference.resource_types(action)
        assert created <= {t.key for t in types}, action
        assert set(required) == {t.key for t in types if t.required} - created, action


def test_a_vpc_without_tags_needs_no_tag_permission() -> None:
    """The SDK table granted ec2:CreateTags on ``*`` to every CreateVpc, tags or not."""
    assert granted(EC2, "CreateVpc", {"cidrBlock": "10.0.0.0/16"}) == {("ec2:CreateVpc", f"{HERE}:vpc/*")}


def test_a_tagged_subnet_in_a_named_vpc() -> None:
    """CreateSubnet: the new subnet, the VPC it is created in ("VpcId: The ID of the VPC", EC2 API
    Reference), and its tags on what it creates (the table put them under the vpc type)."""
    params = {
        "vpcId": VPC,
        "cidrBlock": "10.0.1.0/24",
        "tagSpecificationSet": {"items": [{"resourceType": "subnet", **TAGGED}]},
    }
    assert granted(EC2, "CreateSubnet", params) == {
        ("ec2:CreateSubnet", f"{HERE}:subnet/*"),
        ("ec2:CreateSubnet", f"{HERE}:vpc/{VPC}"),
        ("ec2:CreateTags", f"{HERE}:subnet/*"),
    }


def test_two_subnets_of_two_vpcs_in_one_mapper() -> None:
    mapper = EventMapper()
    other = "vpc-0fedcba9876543210"
    got = [
        {arn for _, arn in mapper.map(cloudtrail_record(EC2, "CreateSubnet", {"vpcId": vpc})).uses}
        for vpc in (VPC, other)
    ]
    assert got == [{f"{HERE}:subnet/*", f"{HERE}:vpc/{VPC}"}, {f"{HERE}:subnet/*", f"{HERE}:vpc/{other}"}]


def test_an_image_of_an_instance() -> None:
    """CreateImage makes an image and snapshots of the instance's volumes (neither has an account in its
    ARN) from the instance the request names."""
    params = {"instanceId": "i-01234567890abcdef", "name": "golden-2026-12", "noReboot": True}
    assert granted(EC2, "CreateImage", params) == {
        ("ec2:CreateImage", f"{HERE}:instance/i-01234567890abcdef"),
        ("ec2:CreateImage", "arn:aws:ec2:us-east-1::image/*"),
        ("ec2:CreateImage", "arn:aws:ec2:us-east-1::snapshot/*"),
    }


def test_the_peer_vpc_is_in_the_account_and_region_the_request_names() -> None:
    params = {
        "vpcId": VPC,
        "peerVpcId": "vpc-0fedcba9876543210",
        "peerOwnerId": OTHER_ACCOUNT,
        "peerRegion": "eu-west-1",
    }
    assert granted(EC2, "CreateVpcPeeringConnection", params) == {
        ("ec2:CreateVpcPeeringConnection", f"{HERE}:vpc-peering-connection/*"),
        ("ec2:CreateVpcPeeringConnection", f"{HERE}:vpc/{VPC}"),
        (
            "ec2:CreateVpcPeeringConnection",
            f"arn:aws:ec2:eu-west-1:{OTHER_ACCOUNT}:vpc/vpc-0fedcba9876543210",
        ),
    }


def test_a_nat_gateway_inside_its_request_object() -> None:
    params = {
        "CreateNatGatewayRequest": {
            "SubnetId": SUBNET,
            "AllocationId": "eipalloc-01234567890abcdef",
            "ConnectivityType": "public",
        }
    }
    assert granted(EC2, "CreateNatGateway", params) == {
        ("ec2:CreateNatGateway", f"{HERE}:natgateway/*"),
        ("ec2:CreateNatGateway", f"{HERE}:subnet/{SUBNET}"),
        ("ec2:CreateNatGateway", f"{HERE}:elastic-ip/eipalloc-01234567890abcdef"),
    }


def test_a_transit_gateway_attachment_with_a_query_list() -> None:
    params = {
        "CreateTransitGatewayVpcAttachmentRequest": {
            "TransitGatewayId": "tgw-01234567890abcdef",
            "VpcId": VPC,
            "SubnetIds": [{"tag": 1, "content": SUBNET}, {"tag": 2, "content": "subnet-0fedcba9876543210"}],
        }
    }
    assert granted(EC2, "CreateTransitGatewayVpcAttachment", params) == {
        ("ec2:CreateTransitGatewayVpcAttachment", f"{HERE}:transit-gateway-attachment/*"),
        ("ec2:CreateTransitGatewayVpcAttachment", f"{HERE}:transit-gateway/tgw-01234567890abcdef"),
        ("ec2:CreateTransitGatewayVpcAttachment", f"{HERE}:vpc/{VPC}"),
        ("ec2:CreateTransitGatewayVpcAttachment", f"{HERE}:subnet/{SUBNET}"),
        ("ec2:CreateTransitGatewayVpcAttachment", f"{HERE}:subnet/subnet-0fedcba9876543210"),
    }


def test_a_launch_template_from_the_console() -> None:
    params = {
        "CreateLaunchTemplateRequest": {
            "LaunchTemplateName": "minimalistLaunchTemplate",
            "LaunchTemplateData": {"InstanceType": "t2.nano"},
        }
    }
    assert granted(EC2, "CreateLaunchTemplate", params) == {
        ("ec2:CreateLaunchTemplate", f"{HERE}:launch-template/*")
    }


def test_an_endpoint_tagged_in_its_request_object() -> None:
    params = {
        "CreateVpcEndpointRequest": {
            "TagSpecification": {
                "tag": 1,
                "ResourceType": "vpc-endpoint",
                "Tag": {"tag": 1, "Value": "myVPCEndpoint1", "Key": "Name"},
            },
            "IpAddressType": "ipv4",
            "PrivateDnsEnabled": True,
            "VpcId": VPC,
            "ServiceName": "aws.api.us-east-1.kendra-ranking",
            "DnsOptions": {"DnsRecordIpType": "ipv4"},
            "VpcEndpointType": "Interface",
        }
    }
    event = EventMapper().map(cloudtrail_record(EC2, "CreateVpcEndpoint", params))
    assert {
        ("ec2:CreateVpcEndpoint", f"{HERE}:vpc-endpoint/*"),
        ("ec2:CreateVpcEndpoint", f"{HERE}:vpc/{VPC}"),
    } <= set(event.uses)
    assert ("ec2:CreateTags", f"{HERE}:vpc-endpoint/*") in event.uses


@pytest.mark.parametrize(
    ("name", "params", "resource"),
    [
        (
            "DeleteLaunchTemplate",
            {"DeleteLaunchTemplateRequest": {"LaunchTemplateId": "lt-01234567890abcdef"}},
            f"{HERE}:launch-template/lt-01234567890abcdef",
        ),
        (
            "CancelCapacityReservation",
            {"CancelCapacityReservationRequest": {"CapacityReservationId": "cr-01234567890abcdef"}},
            f"{HERE}:capacity-reservation/cr-01234567890abcdef",
        ),
        (
            "DeleteFleets",
            {
                "DeleteFleetsRequest": {
                    "FleetId": {"tag": 1, "content": "fleet-01234567890abcdef"},
                    "TerminateInstances": True,
                }
            },
            f"{HERE}:fleet/fleet-01234567890abcdef",
        ),
    ],
)
def test_a_call_inside_its_request_object_names_its_resource(
    name: str, params: dict[str, Any], resource: str
) -> None:
    """These were granted on ``*``: the table read the parameters at the top of requestParameters."""
    assert granted(EC2, name, params) == {(f"ec2:{name}", resource)}


def test_a_required_vpc_the_request_does_not_name_is_said() -> None:
    event = EventMapper().map(cloudtrail_record(EC2, "CreateRouteTable", {}))
    assert set(event.uses) == {
        ("ec2:CreateRouteTable", f"{HERE}:route-table/*"),
        ("ec2:CreateRouteTable", f"{HERE}:vpc/*"),
    }
    (note,) = event.notes
    assert note[1] == "resource-undetermined" and "vpc/*" in note[2]


def test_query_shaped_lists() -> None:
    shaped = query_shaped(
        {
            "SecurityGroupId": {"tag": 1, "content": "sg-1"},
            "InstanceType": [{"tag": 1, "content": "t3.micro"}, {"tag": 2, "content": "t3.small"}],
            "TagSpecification": {
                "tag": 1,
                "ResourceType": "vpc-endpoint",
                "Tag": {"tag": 1, "Key": "k", "Value": "v"},
            },
            "VpcId": VPC,
        }
    )
    tag = {"Key": "k", "Value": "v"}
    spec = {"ResourceType": "vpc-endpoint", "Tag": tag, "Tags": [tag]}  # each level in the SDK's names too
    assert shaped == {
        "SecurityGroupId": "sg-1",
        "SecurityGroupIds": ["sg-1"],
        "InstanceType": ["t3.micro", "t3.small"],
        "InstanceTypes": ["t3.micro", "t3.small"],
        "TagSpecification": spec,
        "TagSpecifications": [spec],
        "VpcId": VPC,
    }


def test_a_request_object_named_otherwise_than_its_call_is_read_too() -> None:
    """CloudTrail names some calls' request object by an abbreviated internal name: cloud-custodian's
    captured DeleteTransitGatewayVpcAttachment (tests/data/cwe/event-transit-gateway-delete-vpc-attachment
    .json, https://github.com/cloud-custodian/cloud-custodian, Apache-2.0) logs ``{"DelTGwVpcAttachReq":
    {"TransitGatewayAttachmentId": "tgw-attach-0814a77755bf02f0e"}}``; it was granted on ``*``. Each record
    is read for its own id (the memo keys on the object), and a lowerCamelCase parameter alone (the Query
    API's ``instancesSet``) is still the parameters themselves."""
    mapper = EventMapper()
    for attachment in ("tgw-attach-0814a77755bf02f0e", "tgw-attach-0123456789abcdef0"):
        params = {"DelTGwVpcAttachReq": {"TransitGatewayAttachmentId": attachment}}
        event = mapper.map(cloudtrail_record(EC2, "DeleteTransitGatewayVpcAttachment", params))
        assert not event.notes
        assert event.uses == (
            ("ec2:DeleteTransitGatewayVpcAttachment", f"{HERE}:transit-gateway-attachment/{attachment}"),
        )
    params = {"instancesSet": {"items": [{"instanceId": "i-0123456789abcdef0"}]}}
    assert granted(EC2, "TerminateInstances", params) == {
        ("ec2:TerminateInstances", f"{HERE}:instance/i-0123456789abcdef0")
    }
