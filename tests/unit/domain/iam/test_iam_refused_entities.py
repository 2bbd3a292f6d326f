"""IAM names the entity it refused by its kind and name, not by an ARN, and a refused IAM call is logged
without its request parameters. Records as TrailDiscover publishes them (https://github.com/adanalvarez/
TrailDiscover, CC-BY-4.0, docs/logExamples/, vendored under tests/fixtures/public-cloudtrail/traildiscover):
calls made with the AWS CLI through DataDog's Grimoire in a real account and captured from its trail, the
account id and keys redacted upstream. ``iam:AttachRolePolicy`` refused "on resource: role TrailDiscover"
was granted on ``*`` with ``--include-denied`` (every role of the account could be given any policy), and
so were the other refused calls on a role, a group, an instance profile or a policy: the message names the
resource, and only an ARN in it was read."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper

MAPPER = EventMapper()
ACCOUNT = "111111111111"
CALLER = f"arn:aws:iam::{ACCOUNT}:user/TrailDiscover"


def _refused(name: str, resource: str, time: str = "2024-08-18T11:30:49Z") -> dict[str, Any]:
    """AttachRolePolicy.json.cloudtrail as it is there, for another call and refused resource."""
    return {
        "awsRegion": "us-east-1",
        "errorCode": "AccessDenied",
        "errorMessage": f"User: {CALLER} is not authorized to perform: iam:{name} on resource: {resource} "
        f"because no identity-based policy allows the iam:{name} action",
        "eventCategory": "Management",
        "eventID": "7cfaafa9-f396-4389-aa8c-67a29ce73b4e",
        "eventName": name,
        "eventSource": "iam.amazonaws.com",
        "eventTime": time,
        "eventType": "AwsApiCall",
        "eventVersion": "1.09",
        "managementEvent": True,
        "readOnly": False,
        "recipientAccountId": ACCOUNT,
        "requestID": "38761281-e338-4846-b3c4-fd60a917dc8e",
        "requestParameters": None,
        "responseElements": None,
        "sourceIPAddress": "0.0.0.0",
        "tlsDetails": {
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": "iam.amazonaws.com",
            "tlsVersion": "TLSv1.3",
        },
        "userAgent": "aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux#0.0.0.0-microsoft-standard-WSL2 "
        "md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython exec-env/grimoire_c65b0090-dde5-4bd2-9f9d-"
        "2d315cb3782b cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off "
        "md/command#iam.attach-role-policy",
        "userIdentity": {
            "accessKeyId": "AKIA****************",
            "accountId": ACCOUNT,
            "arn": CALLER,
            "principalId": "AROA****************:User",
            "type": "IAMUser",
            "userName": "TrailDiscover",
        },
    }


def _iam(kind: str, name: str) -> tuple[str, ...]:
    """A name without its path: the entity under any path, as a request's bare name is read."""
    return (f"arn:aws:iam::{ACCOUNT}:{kind}/{name}", f"arn:aws:iam::{ACCOUNT}:{kind}/*/{name}")


@pytest.mark.parametrize(
    ("name", "resource", "granted"),
    [
        # AttachRolePolicy.json.cloudtrail, DetachRolePolicy.json.cloudtrail, PutRolePolicy.json.cloudtrail,
        # UpdateAssumeRolePolicy.json.cloudtrail
        ("AttachRolePolicy", "role TrailDiscover", _iam("role", "TrailDiscover")),
        ("DetachRolePolicy", "role TrailDiscover", _iam("role", "TrailDiscover")),
        ("PutRolePolicy", "role TrailDiscover-Role", _iam("role", "TrailDiscover-Role")),
        ("UpdateAssumeRolePolicy", "role TrailDiscover-Role", _iam("role", "TrailDiscover-Role")),
        # AddUserToGroup.json.cloudtrail, PutGroupPolicy.json.cloudtrail
        ("AddUserToGroup", "group TrailDiscover", _iam("group", "TrailDiscover")),
        ("PutGroupPolicy", "group TrailDiscover", _iam("group", "TrailDiscover")),
        # AddRoleToInstanceProfile.json.cloudtrail
        (
            "AddRoleToInstanceProfile",
            "instance profile TrailDiscover",
            _iam("instance-profile", "TrailDiscover"),
        ),
        # CreatePolicyVersion.json.cloudtrail, SetDefaultPolicyVersion.json.cloudtrail
        (
            "CreatePolicyVersion",
            f"policy arn:aws:iam::{ACCOUNT}:policy/TrailDiscover",
            (f"arn:aws:iam::{ACCOUNT}:policy/TrailDiscover",),
        ),
        (
            "SetDefaultPolicyVersion",
            f"policy arn:aws:iam::{ACCOUNT}:policy/TrailDiscover",
            (f"arn:aws:iam::{ACCOUNT}:policy/TrailDiscover",),
        ),
    ],
)
def test_the_refused_entity_is_granted_not_every_one(
    name: str, resource: str, granted: tuple[str, ...]
) -> None:
    event = MAPPER.map(_refused(name, resource))
    assert event.denied
    assert {arn for action, arn in event.uses if action == f"iam:{name}"} == set(granted)
    assert not [n for n in event.notes if n[1] == "resource-undetermined"]


def test_the_callers_own_user_is_its_one_arn() -> None:
    """ListAccessKeys.json.cloudtrail: "on resource: user TrailDiscover", the caller itself."""
    event = MAPPER.map(_refused("ListAccessKeys", "user TrailDiscover"))
    assert event.uses == (("iam:ListAccessKeys", CALLER),)


def test_an_empty_name_names_nothing() -> None:
    """ListSSHPublicKeys.json.cloudtrail says "on resource: user  because ...": no name, read as before (a
    user call without UserName is on the caller)."""
    event = MAPPER.map(_refused("ListSSHPublicKeys", "user "))
    assert event.uses == (("iam:ListSSHPublicKeys", CALLER),)


def test_two_refused_roles_are_two_grants() -> None:
    """The memo must tell two records apart by the entity their message names."""
    first = MAPPER.map(_refused("AttachRolePolicy", "role first"))
    second = MAPPER.map(_refused("AttachRolePolicy", "role second"))
    assert {arn for _, arn in first.uses} == set(_iam("role", "first"))
    assert {arn for _, arn in second.uses} == set(_iam("role", "second"))
