"""An IAM user or role named by its bare name is granted under any path (``user/NAME`` and
``user/*/NAME``): the name alone does not say the path. But when the name is the calling user's own, or
the role of the calling session, the record's ``userIdentity`` says it: an IAM user's ``arn`` is its ARN
with its path, and an assumed role's ``sessionContext.sessionIssuer.arn`` is "The ARN of the source
(account, IAM role, or user) that got temporary security credentials" (CloudTrail User Guide,
"CloudTrail userIdentity element"). That one ARN is granted then.

A user's ARN with a path is shaped as the IAM User Guide's "IAM identifiers" shows it
(``arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/JaneDoe``); a role's session issuer with a
path as flaws2.cloud's public CloudTrail logs carry it (``role/service-role/level1``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, role_identity, user_identity

BASE = f"arn:aws:iam::{ACCOUNT}"


def user_at(path: str, name: str) -> dict[str, Any]:
    identity = user_identity(user=name)
    identity["arn"] = f"{BASE}:user/{path}{name}"
    return identity


def role_at(path: str, name: str) -> dict[str, Any]:
    identity = role_identity(role=name)
    identity["sessionContext"]["sessionIssuer"]["arn"] = f"{BASE}:role/{path}{name}"
    return identity


def uses(
    identity: dict[str, Any], name: str, params: dict[str, Any], mapper: EventMapper | None = None
) -> set[tuple[str, str]]:
    event = (mapper or EventMapper()).map(
        cloudtrail_record("iam.amazonaws.com", name, params, identity=identity)
    )
    assert event.kind == "mapped" and not event.reason, event
    return set(event.uses)


@pytest.mark.parametrize("name", ["GetUser", "CreateAccessKey", "ListAttachedUserPolicies"])
def test_the_calling_user_named_is_its_own_arn(name: str) -> None:
    identity = user_at("division_abc/subdivision_xyz/", "JaneDoe")
    assert uses(identity, name, {"userName": "JaneDoe"}) == {
        (f"iam:{name}", f"{BASE}:user/division_abc/subdivision_xyz/JaneDoe")
    }


def test_the_calling_user_at_the_root_path_is_not_granted_under_any_path() -> None:
    assert uses(user_at("", "JaneDoe"), "GetUser", {"userName": "JaneDoe"}) == {
        ("iam:GetUser", f"{BASE}:user/JaneDoe")
    }


def test_another_user_named_keeps_any_path() -> None:
    identity = user_at("division_abc/", "JaneDoe")
    assert uses(identity, "GetUser", {"userName": "Bob"}) == {
        ("iam:GetUser", f"{BASE}:user/Bob"),
        ("iam:GetUser", f"{BASE}:user/*/Bob"),
    }


def test_the_session_role_named_is_its_issuers_arn() -> None:
    identity = role_at("service-role/", "level1")
    assert uses(identity, "GetRole", {"roleName": "level1"}) == {
        ("iam:GetRole", f"{BASE}:role/service-role/level1")
    }


def test_another_role_named_by_a_session_keeps_any_path() -> None:
    identity = role_at("service-role/", "level1")
    assert uses(identity, "GetRole", {"roleName": "level2"}) == {
        ("iam:GetRole", f"{BASE}:role/level2"),
        ("iam:GetRole", f"{BASE}:role/*/level2"),
    }


def test_a_user_named_like_the_session_role_keeps_any_path() -> None:
    identity = role_at("service-role/", "level1")
    assert uses(identity, "GetUser", {"userName": "level1"}) == {
        ("iam:GetUser", f"{BASE}:user/level1"),
        ("iam:GetUser", f"{BASE}:user/*/level1"),
    }


def test_callers_at_different_paths_are_kept_apart() -> None:
    mapper = EventMapper()  # one memo: the same request of two callers
    for path in ("team-a/", "team-b/"):
        assert uses(role_at(path, "deploy"), "GetRole", {"roleName": "deploy"}, mapper) == {
            ("iam:GetRole", f"{BASE}:role/{path}deploy")
        }
        assert uses(user_at(path, "ci"), "GetUser", {"userName": "ci"}, mapper) == {
            ("iam:GetUser", f"{BASE}:user/{path}ci")
        }


# "Role names must be unique within your AWS account, and can't be made unique by case ... When a role name
# is used in a policy or as part of an ARN, the role name is case sensitive" (IAM User Guide, "Create a role
# to delegate permissions to an AWS service"); "Names are not distinguished by case" (IAM API Reference,
# CreateUser's UserName). A name in the caller's account spelled in another case is the caller's, and IAM
# compares Resource with its ARN, which keeps the case it was created with: the ARN the record gives.
@pytest.mark.parametrize("spelled", ["janedoe", "JANEDOE", "Janedoe"])
def test_the_calling_user_named_in_another_case_is_its_own_arn(spelled: str) -> None:
    identity = user_at("division_abc/subdivision_xyz/", "JaneDoe")
    assert uses(identity, "GetUser", {"userName": spelled}) == {
        ("iam:GetUser", f"{BASE}:user/division_abc/subdivision_xyz/JaneDoe")
    }


@pytest.mark.parametrize("spelled", ["Level1", "LEVEL1"])
def test_the_session_role_named_in_another_case_is_its_issuers_arn(spelled: str) -> None:
    identity = role_at("service-role/", "level1")
    assert uses(identity, "GetRole", {"roleName": spelled}) == {
        ("iam:GetRole", f"{BASE}:role/service-role/level1")
    }


def test_another_name_keeps_the_case_the_request_gives() -> None:
    """Only the caller's ARN is known: another entity's case is the request's, under any path."""
    identity = user_at("division_abc/", "JaneDoe")
    assert uses(identity, "GetUser", {"userName": "BOB"}) == {
        ("iam:GetUser", f"{BASE}:user/BOB"),
        ("iam:GetUser", f"{BASE}:user/*/BOB"),
    }
