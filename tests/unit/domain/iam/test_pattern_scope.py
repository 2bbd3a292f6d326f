"""A type granted whole is said to be where its ARNs put it: an organization's, an account's, or an account's
in a Region.

Every such finding said "in the account and region", whatever the type: AWS Organizations' CreatePolicy is
granted ``policy/o-*/*/p-*``, the reference's ``arn:${Partition}:organizations::${Account}:policy/
o-${OrganizationId}/${PolicyType}/p-${PolicyId}`` (Service Authorization Reference), which has no Region and
is a policy of the organization ("CreatePolicy: Creates a policy of a specified type that you can attach to a
root, an organizational unit (OU), or an individual Amazon Web Services account", Organizations API
Reference); IAM's ``role/*`` and Route 53's ``hostedzone/*`` have no Region either. Found in the last
session's notes (the CreatePolicy wording), reproduced with the records below. Records as CloudTrail logs
these management events, in the APIs' lowerCamelCase.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record


def finding(source: str, name: str, params: dict[str, Any]) -> str:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    [(_, _, message)] = [n for n in event.notes if n[1] == "resource-undetermined"]
    return message


def test_a_policy_an_organization_creates_is_the_organization_s() -> None:
    params = {
        "name": "DenyLeavingOrg",
        "description": "Deny leaving the organization",
        "type": "SERVICE_CONTROL_POLICY",
        "content": '{"Version":"2012-10-17","Statement":[{"Effect":"Deny",'
        '"Action":"organizations:LeaveOrganization","Resource":"*"}]}',
    }
    message = finding("organizations.amazonaws.com", "CreatePolicy", params)
    assert "on policy/o-*/*/p-* in the organization: the call creates the policy" in message
    assert "in the account" not in message


@pytest.mark.parametrize(
    ("source", "name", "params", "said"),
    [
        # "*" where a name belongs, read as every one of the type (``fill.every_asked``)
        ("organizations", "DescribePolicy", {"policyId": "*"}, "policy/o-*/*/p-* in the organization:"),
        ("iam", "GetRole", {"roleName": "*"}, "role/* in the account:"),
        ("route53", "ChangeResourceRecordSets", {"hostedZoneId": "*"}, "hostedzone/* in the account:"),
        ("dynamodb", "DescribeTable", {"tableName": "*"}, "table/* in the account and region:"),
    ],
)
def test_every_one_of_a_type_is_said_where_its_arns_are(
    source: str, name: str, params: dict[str, Any], said: str
) -> None:
    assert said in finding(f"{source}.amazonaws.com", name, params)
