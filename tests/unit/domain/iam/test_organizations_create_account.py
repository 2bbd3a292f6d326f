"""Organizations ``CreateAccount`` hands the service no role: its ``roleName`` is "The name of an IAM role
that Organizations automatically preconfigures in the new member account" (Organizations API Reference,
CreateAccount, RoleName), made by Organizations in an account that does not exist yet. iam-dataset's table
passed it as a role, so every account created with a RoleName got the ``pass-role-left-out`` warning,
which asks for an iam:PassRole no call needs. What the Organizations User Guide does list besides
organizations:CreateAccount is iam:CreateServiceLinkedRole for organizations.amazonaws.com ("Creating an AWS
account in your organization", minimum permissions), while the API Reference says Organizations creates that
role itself: said (``permission-not-granted``), not granted.

The record is the User Guide's CreateAccount example ("Logging and monitoring in AWS Organizations",
awsdocs/aws-organizations-docs, doc_source/orgs_security_incident-response.md), with the optional RoleName
the API takes.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record

RESPONSE = {
    "createAccountStatus": {
        "accountName": "****",
        "state": "IN_PROGRESS",
        "id": "car-examplecreateaccountrequestid111",
        "requestedTimestamp": "Sep 16, 2020 9:20:50 PM",
    }
}


def create(name: str, params: dict[str, Any]) -> Any:
    return EventMapper().map(
        cloudtrail_record("organizations.amazonaws.com", name, params, response_elements=RESPONSE)
    )


@pytest.mark.parametrize("role", [{}, {"roleName": "OrganizationAccountAccessRole"}])
def test_create_account_passes_no_role(role: dict[str, Any]) -> None:
    event = create("CreateAccount", {"tags": [], "email": "****", "accountName": "****", **role})
    assert event.kind == "mapped"
    assert set(event.uses) == {("organizations:CreateAccount", "*")}
    codes = [code for _, code, _ in event.notes]
    assert "pass-role-left-out" not in codes
    assert codes == ["permission-not-granted"]
    assert "iam:CreateServiceLinkedRole" in event.notes[0][2]
    assert "organizations.amazonaws.com" in event.notes[0][2]


def test_create_govcloud_account_passes_no_role() -> None:
    params = {"email": "****", "accountName": "****", "roleName": "OrganizationAccountAccessRole"}
    event = create("CreateGovCloudAccount", params)
    assert event.kind == "mapped"
    assert set(event.uses) == {("organizations:CreateGovCloudAccount", "*")}
    assert "pass-role-left-out" not in [code for _, code, _ in event.notes]


SERVICE_ROLE = (
    "arn:aws:iam::111122223333:role/aws-service-role/"
    "organizations.amazonaws.com/AWSServiceRoleForOrganizations"
)


def test_the_finding_goes_when_the_permission_is_granted() -> None:
    """A call that is granted the action (a denied record naming it) is not told it is missing."""
    message = (
        "User: arn:aws:sts::111122223333:assumed-role/app-role/s is not authorized to perform: "
        f"iam:CreateServiceLinkedRole on resource: {SERVICE_ROLE}"
    )
    params = {"email": "****", "accountName": "****"}
    event = EventMapper().map(
        cloudtrail_record(
            "organizations.amazonaws.com",
            "CreateAccount",
            params,
            error_code="AccessDenied",
            error_message=message,
        )
    )
    assert ("iam:CreateServiceLinkedRole", SERVICE_ROLE) in event.uses
    assert "permission-not-granted" not in [code for _, code, _ in event.notes]
