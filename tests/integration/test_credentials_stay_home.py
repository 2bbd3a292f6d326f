"""Credentials go only where the admin said (issue 10): local listeners prove that no token arrives.

Each test starts a "trap" listener that records every request it gets; the operator's code is pointed at
it the way a team could (a free apiURL, a redirect from the forge, a redirect from the git remote). Before
the fixes the trap received ``Authorization: Bearer <token>`` (urllib re-sends headers on a redirect, and
git follows the first redirect with its extra header).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from policygen_operator.adapters.git.errors import AdapterError, ForgeError
from policygen_operator.adapters.git.github import GitHub
from policygen_operator.adapters.git.repo import Workspace, basic_auth_header
from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.pullrequest import (
    Credentials,
    PullRequestContext,
    PullRequestSpec,
    reconcile_pull_request,
)
from tests.fixtures.listeners import TOKEN, Listener


@pytest.fixture
def redirector(trap: Listener) -> Iterator[Listener]:
    listener = Listener(redirect_to=trap.url).start()
    yield listener
    listener.stop()


def context() -> PullRequestContext:
    return PullRequestContext("team/a", "arn:aws:iam::123456789012:role/payments-api", [{}], "a", "b", 1, 1)


def test_api_url_of_another_host_gets_nothing(trap: Listener, redirector: Listener) -> None:
    """A team's apiURL pointing at its own listener: refused before any request, the listener sees nothing."""
    spec = PullRequestSpec(
        "github", f"{redirector.url}/acme/infra.git", "main", "iam", "ack", (), api_url=f"{trap.url}/api/v3"
    )
    with pytest.raises(InvalidRequestError) as err:
        reconcile_pull_request(spec, context(), Credentials(TOKEN), (f"{redirector.url}/acme/*",))
    assert err.value.reason == "APIHostNotAllowed"
    assert trap.requests == [] and redirector.requests == []


def test_forge_api_redirect_is_not_followed_with_the_token(trap: Listener, redirector: Listener) -> None:
    forge = GitHub(f"{redirector.url}/acme/infra.git", TOKEN, f"{redirector.url}/api/v3")
    with pytest.raises(ForgeError, match="never follow redirects"):
        forge.check_access()
    assert len(redirector.requests) == 1  # the admin's host did get the call it was meant to get
    assert trap.requests == [] and not trap.saw_token()


def test_git_remote_redirect_is_not_followed_with_the_token(
    trap: Listener, redirector: Listener, tmp_path: Path
) -> None:
    workspace = Workspace(
        f"{redirector.url}/acme/infra.git",
        tmp_path / "repo",
        basic_auth_header("x-access-token", TOKEN),
        TOKEN,
    )
    with pytest.raises(AdapterError) as err:
        workspace.clone("main")
    assert TOKEN not in str(err.value)
    assert redirector.requests, "git did not reach the remote at all"
    assert trap.requests == [] and not trap.saw_token()
