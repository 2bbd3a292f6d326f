"""STS GetFederationToken and IAM CreateVirtualMFADevice are granted on the resource their request names.

GetFederationToken: "Name: The name of the federated user" (STS API Reference); its ARN is
``arn:aws:sts::ACCOUNT:federated-user/NAME``, as the IAM User Guide's policy grants the call: "Action":
"sts:GetFederationToken", "Resource": ["arn:aws:sts::123456789012:federated-user/Manager*"] ("Permissions for
GetFederationToken"). The record is shaped as Stratus Red Team's detonation log of
aws.persistence.sts-federation-token (DataDog/stratus-red-team, docs/detonation-logs), whose response names
``federatedUser.arn`` ``arn:aws:sts::742491224508:federated-user/stratus_red_team``.

CreateVirtualMFADevice: "VirtualMFADeviceName: ... Use with path to uniquely identify a virtual MFA device",
"Path: ... If it is not included, it defaults to a slash (/)" (IAM API Reference); the record is shaped as
Filebeat's create-virtual-mfa-device-json.log (elastic/beats x-pack/filebeat/module/aws/cloudtrail/test):
``{"virtualMFADeviceName": "Alice", "path": "/"}``, whose response's serial number is ``...:mfa/Alice``.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity


def mapped(source: str, name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record(source, name, params, identity=user_identity()))
    assert event.kind == "mapped"
    return event


def test_a_federation_token_is_granted_on_the_federated_user() -> None:
    policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    event = mapped("sts.amazonaws.com", "GetFederationToken", {"name": "stratus_red_team", "policy": policy})
    assert event.uses == (
        ("sts:GetFederationToken", f"arn:aws:sts::{ACCOUNT}:federated-user/stratus_red_team"),
    )
    assert event.notes == ()


@pytest.mark.parametrize(
    ("params", "device"),
    [
        ({"virtualMFADeviceName": "Alice", "path": "/"}, "mfa/Alice"),
        ({"virtualMFADeviceName": "Alice"}, "mfa/Alice"),
        ({"virtualMFADeviceName": "Alice", "path": "/division_abc/"}, "mfa/division_abc/Alice"),
    ],
)
def test_a_virtual_mfa_device_is_created_at_its_path(params: dict[str, str], device: str) -> None:
    event = mapped("iam.amazonaws.com", "CreateVirtualMFADevice", params)
    assert event.uses == (("iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:{device}"),)
    assert event.notes == ()
