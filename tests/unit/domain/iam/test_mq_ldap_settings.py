"""Amazon MQ's LDAP settings name no IAM role, and its broker calls pass none.

MQ API Reference, LdapServerMetadataInput (CreateBroker's and UpdateBroker's ``ldapServerMetadata``):
"roleBase: The distinguished name of the node in the directory information tree (DIT) to search for roles or
groups", "roleName: Specifies the LDAP attribute that identifies the group name attribute in the object
returned from the group membership query", "userRoleName: Specifies the name of the LDAP attribute for the
user group membership": LDAP attribute names and search bases (``cn``, ``memberOf`` here). iam-dataset
grants UpdateBroker iam:PassRole on those values and CreateBroker iam:PassRole on ``*``; neither AWS
reference lists iam:PassRole for the calls ("To create a broker, you must either use the AmazonMQFullAccess
IAM policy or include the following EC2 permissions", MQ API Reference, CreateBroker). Every broker with LDAP
settings was reported as passing a role it does not name (``pass-role-left-out``). Records in the REST API's
lowerCamelCase, as CloudTrail logs MQ's requests.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record

LDAP = {
    "hosts": ["ldap.example.com"],
    "roleBase": "ou=group,dc=example,dc=com",
    "roleName": "cn",
    "roleSearchMatching": "(member=uid={0})",
    "roleSearchSubtree": True,
    "serviceAccountUsername": "mq-service",
    "userBase": "ou=users,dc=example,dc=com",
    "userRoleName": "memberOf",
    "userSearchMatching": "(uid={0})",
    "userSearchSubtree": True,
}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        (
            "CreateBroker",
            {
                "brokerName": "orders",
                "engineType": "ACTIVEMQ",
                "engineVersion": "5.18",
                "hostInstanceType": "mq.m5.large",
                "deploymentMode": "SINGLE_INSTANCE",
                "publiclyAccessible": False,
                "autoMinorVersionUpgrade": True,
                "authenticationStrategy": "LDAP",
                "ldapServerMetadata": LDAP,
                "users": [{"username": "admin"}],
            },
        ),
        (
            "UpdateBroker",
            {
                "brokerId": "b-1234a5b6-78cd-901e-2fgh-3i45j6k178l9",
                "authenticationStrategy": "LDAP",
                "ldapServerMetadata": LDAP,
            },
        ),
    ],
)
def test_a_broker_s_ldap_settings_pass_no_role(name: str, params: dict[str, Any]) -> None:
    event = EventMapper().map(cloudtrail_record("mq.amazonaws.com", name, params))
    assert all(action != "iam:PassRole" for action, _ in event.uses)
    assert "pass-role-left-out" not in {code for _, code, _ in event.notes}
