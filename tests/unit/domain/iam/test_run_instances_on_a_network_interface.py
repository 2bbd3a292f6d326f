"""RunInstances on an existing network interface: the finding says where its subnet and groups come from.

A launch that attaches a network interface by id names no subnet and no security group: "If you specify a
network interface, you must specify any security groups as part of the network interface instead of using
this parameter" (SecurityGroupIds) and NetworkInterfaces[].SubnetId and .Groups "Applies only if creating a
network interface when launching an instance" (EC2 API Reference, RunInstances): the interface brings its own.
The grant stays every subnet and group of the account and region (the record does not say which the
interface has), but the finding named only the default subnet, the VPC's default group, a launch template
and groups by name, none of which applies. Found by the QA pass on the invictus-ir AWS dataset as republished
in https://github.com/Yamato-Security/suzaku-sample-data (Stratus Red Team's Terraform launches, e.g.
``"networkInterfaceSet": {"items": [{"networkInterfaceId": "eni-076fa9fb98a2500a7", "deviceIndex": 0}]}``).
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

EC2 = f"arn:aws:ec2:us-east-1:{ACCOUNT}:"


def test_the_finding_names_the_attached_interface_as_a_source() -> None:
    params = {
        "instancesSet": {"items": [{"imageId": "ami-029eb80bc237bec6f", "minCount": 1, "maxCount": 1}]},
        "instanceType": "t3.micro",
        "networkInterfaceSet": {
            "items": [
                {
                    "networkInterfaceId": "eni-076fa9fb98a2500a7",
                    "deviceIndex": 0,
                    "deleteOnTermination": False,
                }
            ]
        },
        "iamInstanceProfile": {"name": "stratus-red-team-ec2-steal-credentials-instance"},
    }
    event = EventMapper().map(cloudtrail_record("ec2.amazonaws.com", "RunInstances", params))
    resources = {arn for _, arn in event.uses}
    assert {
        f"{EC2}network-interface/eni-076fa9fb98a2500a7",
        f"{EC2}subnet/*",
        f"{EC2}security-group/*",
    } <= resources
    (finding,) = [text for _, code, text in event.notes if code == "resource-undetermined"]
    assert (
        "no subnet id: the default subnet, the launch template's, or that of a network interface attached"
        in finding
    )
    assert "those of a network interface attached by id" in finding
