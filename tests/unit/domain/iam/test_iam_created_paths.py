"""An IAM entity a call creates is at the path the call gives, and at ``/`` when it gives none.

"Path: ... This parameter is optional. If it is not included, it defaults to a slash (/)" (IAM API
Reference, CreateRole, CreateUser, CreateGroup, CreateInstanceProfile and CreatePolicy). A bare name in any
other call may name an entity under a path the record does not show, so it is granted under any path
(``role/NAME`` and ``role/*/NAME``); a create has no such doubt. CreatePolicy without a path was granted
``policy/*`` with a finding: its template needed the path.
"""

from __future__ import annotations

import pytest

from tests.unit.domain.iam.records import ACCOUNT, granted

BASE = f"arn:aws:iam::{ACCOUNT}"


@pytest.mark.parametrize(
    ("name", "params", "arn"),
    [
        ("CreateRole", {"roleName": "app", "assumeRolePolicyDocument": "{}"}, f"{BASE}:role/app"),
        ("CreateUser", {"userName": "Bob"}, f"{BASE}:user/Bob"),
        ("CreateGroup", {"groupName": "devs"}, f"{BASE}:group/devs"),
        ("CreateInstanceProfile", {"instanceProfileName": "ip"}, f"{BASE}:instance-profile/ip"),
        ("CreatePolicy", {"policyName": "p", "policyDocument": "{}"}, f"{BASE}:policy/p"),
        (
            "CreatePolicy",
            {"policyName": "p", "policyDocument": "{}", "path": "/team/"},
            f"{BASE}:policy/team/p",
        ),
        (
            "CreateRole",
            {"roleName": "app", "path": "/svc/", "assumeRolePolicyDocument": "{}"},
            f"{BASE}:role/svc/app",
        ),
    ],
)
def test_a_created_entity_is_at_its_path(name: str, params: dict[str, str], arn: str) -> None:
    assert granted("iam.amazonaws.com", name, params) == {(f"iam:{name}", arn)}


def test_a_bare_name_elsewhere_may_be_under_any_path() -> None:
    params = {"roleName": "app", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    assert granted("iam.amazonaws.com", "AttachRolePolicy", params) == {
        ("iam:AttachRolePolicy", f"{BASE}:role/app"),
        ("iam:AttachRolePolicy", f"{BASE}:role/*/app"),
    }
