"""What reconcile_pull_request refuses before any network call: allow-list, URLs, paths, names."""

from __future__ import annotations

import subprocess

import pytest

from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.pullrequest import (
    PullRequestSpec,
    branch_name,
    check_repository,
    check_request,
    safe_relative_path,
)

ALLOW = ("https://github.com/acme/*",)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://github.com/acme/infra.git", True),
        ("https://GitHub.com/acme/infra/", True),
        ("https://github.com/evil/infra.git", False),
        ("https://github.com/acme-evil/infra.git", False),
    ],
)
def test_allow_list_globs(url: str, allowed: bool) -> None:
    if allowed:
        check_repository(url, ALLOW)
    else:
        with pytest.raises(InvalidRequestError, match="not in the allowed repositories"):
            check_repository(url, ALLOW)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://github.com/acme/infra.git", "allow-list is empty"),
        ("git@github.com:acme/infra.git", "only https://"),
        ("ssh://git@github.com/acme/infra.git", "only https://"),
        ("https://x-access-token:abc@github.com/acme/infra.git", "may not contain credentials"),
        ("http://github.com/acme/infra.git", "must use https://"),
    ],
)
def test_refused_repositories(url: str, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        check_repository(url, () if "empty" in message else ("*",))


def test_http_is_allowed_on_the_loopback_only() -> None:
    check_repository("http://127.0.0.1:8080/acme/infra.git", ("http://127.0.0.1:8080/acme/*",))


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../x", "a/../../b", "a/..", "C:/x", "a\\b", ".git/config", ""]
)
def test_paths_that_leave_the_repository(path: str) -> None:
    with pytest.raises(InvalidRequestError):
        safe_relative_path(path)


@pytest.mark.parametrize(
    ("path", "normalised"), [("iam/", "iam"), ("./iam//roles.yaml", "iam/roles.yaml"), (".", "")]
)
def test_paths_inside(path: str, normalised: str) -> None:
    assert safe_relative_path(path) == normalised


@pytest.mark.parametrize(
    ("name", "branch"),
    [
        ("payments/payments-api", "policygen/payments/payments-api"),
        ("team/a-prod", "policygen/team/a-prod"),
        ("team-a/prod", "policygen/team-a/prod"),
        ("ns/v1.2", "policygen/ns/v1.2"),
        ("A B..c", "policygen/a-b.c_25ea6731"),
        ("x.lock", "policygen/x.lock_f53b5310"),
        ("///", "policygen/policy_732c4e97"),
        ("payments-api", "policygen/payments-api_682a1c47"),
    ],
)
def test_branch_names_are_deterministic_and_valid(name: str, branch: str) -> None:
    assert branch_name(name) == branch == branch_name(name)
    assert subprocess.run(["git", "check-ref-format", f"refs/heads/{branch}"], check=False).returncode == 0


def test_branch_names_do_not_collide_across_namespaces() -> None:
    """``team/a-prod`` and ``team-a/prod`` shared ``policygen/team-a-prod`` before; a CLI name that looks
    like a namespace (``team``) must not become a ref where another is a ref folder (``policygen/team/x``).
    """
    names = ["team/a-prod", "team-a/prod", "team-a-prod", "team", "team/a.prod", "Team/A-prod"]
    branches = [branch_name(n) for n in names]
    assert len(set(branches)) == len(names)
    for one in branches:
        assert not any(other.startswith(one + "/") for other in branches)


def spec(**changes: object) -> PullRequestSpec:
    base = {
        "provider": "github",
        "repository": "https://github.com/acme/infra.git",
        "base_branch": "main",
        "path": "iam",
        "format": "ack",
        "replace_managed_policies": (),
    }
    return PullRequestSpec(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "token", "field"),
    [
        ({"provider": "bitbucket"}, "t", "provider"),
        ({"format": "cdk"}, "t", "format"),
        ({"base_branch": "policygen/payments-api"}, "t", "baseBranch"),
        ({"base_branch": "-x"}, "t", "baseBranch"),
        ({"labels": ("a,b",)}, "t", "labels"),
        ({}, "", "credentialsSecretRef"),
        ({"api_url": "http://ghe.example.com/api/v3"}, "t", "apiURL"),
    ],
)
def test_request_checks_name_the_field(changes: dict[str, object], token: str, field: str) -> None:
    with pytest.raises(InvalidRequestError) as err:
        check_request(spec(**changes), ALLOW, token)
    assert err.value.field == f"spec.output.pullRequest.{field}"


def test_provider_git_needs_no_token() -> None:
    check_request(spec(provider="git"), ALLOW, "")
