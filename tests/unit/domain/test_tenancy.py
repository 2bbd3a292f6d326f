"""Who may use a cluster object, which principals a source covers, which paths a repository lets be edited."""

from __future__ import annotations

import pytest

from policygen_operator.domain.tenancy import (
    namespace_allowed,
    path_allowed,
    principal_allowed,
    selector_matches,
)

LABELS = {"team": "a", "env": "prod"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ({"matchLabels": {"team": "a"}}, True),
        ({"matchLabels": {"team": "b"}}, False),
        ({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]}, True),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}, False),
        ({"matchExpressions": [{"key": "team", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}, False),
        ({"matchExpressions": [{"key": "team", "operator": "Bogus"}]}, False),
        ({}, False),  # an empty selector opens nothing (a Deployment's would select everything)
    ],
)
def test_selector(selector: dict[str, object], matches: bool) -> None:
    assert selector_matches(selector, LABELS) is matches


def test_namespaces_by_name_or_selector_and_none_by_default() -> None:
    assert namespace_allowed({"names": ["team-a"]}, "team-a", {})
    assert namespace_allowed({"selector": {"matchLabels": {"team": "a"}}}, "x", LABELS)
    assert not namespace_allowed({"names": ["team-b"]}, "team-a", LABELS)
    assert not namespace_allowed(None, "team-a", LABELS)
    assert not namespace_allowed({}, "team-a", LABELS)


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        ("arn:aws:iam::111122223333:role/team-a-api", True),
        ("arn:aws:iam::111122223333:role/team-b-api", False),
        ("arn:aws:iam::444455556666:role/team-a-api", False),
        ("arn:aws:iam::111122223333:role/team-a-x/victim", False),  # * does not cross /
        ("arn:aws:iam::111122223333:user/team-a-api", False),
    ],
)
def test_principal_patterns(principal: str, allowed: bool) -> None:
    assert principal_allowed(["arn:aws:iam::111122223333:role/team-a-*"], principal) is allowed


@pytest.mark.parametrize(
    ("pattern", "path", "allowed"),
    [
        ("teams/a/**", "teams/a", True),
        ("teams/a/**", "teams/a/iam/roles.yaml", True),
        ("teams/a/**", "teams/ab/iam", False),
        ("teams/a/**", "teams", False),
        ("iam/*.yaml", "iam/x.yaml", True),
        ("iam/*.yaml", "iam/sub/x.yaml", False),
        ("teams/a", "teams/a", True),
        ("teams/a", "teams/a/x", False),
        ("**", "", True),
        ("teams/**", "", False),
    ],
)
def test_path_patterns(pattern: str, path: str, allowed: bool) -> None:
    assert path_allowed([pattern], path) is allowed
