"""A Git token with whitespace around it is used without it; one that cannot be a token is refused for good.

``kubectl create secret generic git --from-file=token=./token.txt`` keeps the file's trailing newline (the
Kubernetes documentation, "Managing Secrets using kubectl": the key's value is the file's content), and an
editor saves one. The operator sent ``Bearer TOKEN\\n``; Python's http.client refused the header value in
a ValueError nobody classified, so the pull request failed as a temporary ``InternalError``, retried for
ever. GitHub and GitLab tokens never hold whitespace, so whitespace around one is removed; whitespace or a
control character inside, or nothing left, is a permanent ``CredentialsInvalid`` naming the Secret and its
key, never the token. ``policygen pr`` reads its environment variable the same way.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.cli.main import EXIT_ERROR, EXIT_USAGE, main
from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.pullrequest import (
    Credentials,
    PullRequestContext,
    PullRequestSpec,
    PullRequestStatus,
    clean_token,
)
from policygen_operator.services.reconcile import read_credentials
from tests.fixtures.kube import FakeKube
from tests.unit.services.test_reconcile import PR_SPEC, reconciler, result, target

TOKEN = "ghp_unitTEST0123456789abcdefABCDEF"
LOOPBACK = "http://127.0.0.1:1/acme/infra.git"  # nothing listens on port 1: no network


@pytest.fixture
def executor() -> Any:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


def kube_with_token(token: str) -> FakeKube:
    kube = FakeKube()
    kube.secrets[("ns", "git")] = {"token": token}
    return kube


@pytest.mark.parametrize("raw", [TOKEN + "\n", TOKEN + "\r\n", f"  {TOKEN}\t\n", "\n" + TOKEN])
async def test_whitespace_around_the_token_is_removed(raw: str) -> None:
    credentials = await read_credentials(kube_with_token(raw), "ns", "git", "github")
    assert credentials.token == TOKEN


async def test_the_operator_opens_the_pull_request_with_the_token_of_a_file_secret(
    executor: ThreadPoolExecutor,
) -> None:
    """End to end through the reconcile: the forge is given the token without its newline."""
    kube = kube_with_token(TOKEN + "\n")
    given: list[Credentials] = []

    def open_pr(
        spec: PullRequestSpec, context: PullRequestContext, credentials: Credentials, allowed: tuple[str, ...]
    ) -> PullRequestStatus:
        given.append(credentials)
        url = "https://github.com/acme/infra/pull/1"
        return PullRequestStatus(url, 1, "policygen/ns/pay", "a", "open", True)

    rec = reconciler(kube, executor, lambda req, p, c: result(), open_pull_request=open_pr)
    rec.settings = replace(rec.settings, allowed_repositories=("*",))
    outcome = await rec.reconcile(target(kube, spec=PR_SPEC))
    assert outcome.failure is None, outcome.message
    assert [c.token for c in given] == [TOKEN]


async def test_a_newline_ended_token_is_no_internal_error_with_the_real_forge_client(
    executor: ThreadPoolExecutor,
) -> None:
    """The reported failure: the real pull-request service with a Secret's token ending in a newline was an
    InternalError (http.client's "Invalid header value"); now the token reaches the forge, which is not
    there (a refused connection on the loopback: temporary)."""
    kube = kube_with_token(TOKEN + "\n")
    pull_request = {
        "provider": "gitlab",
        "repository": LOOPBACK,
        "apiURL": "http://127.0.0.1:1/api/v4",
        "path": "iam/app.json",
        "format": "json",
        "credentialsSecretRef": {"name": "git"},
    }
    spec = {**PR_SPEC, "output": {"pullRequest": pull_request}}
    rec = reconciler(kube, executor, lambda req, p, c: result())
    rec.settings = replace(rec.settings, allowed_repositories=(LOOPBACK,))
    outcome = await rec.reconcile(target(kube, spec=spec))
    pr = next(c for c in outcome.status["conditions"] if c["type"] == "PullRequestOpened")
    assert pr["reason"] != "InternalError" and "Invalid header value" not in pr["message"], pr
    assert TOKEN not in json.dumps(outcome.status)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("ghp_abc\ndef", "whitespace"),
        ("ghp_abc def", "whitespace"),
        ("ghp_abc\x00def", "control character"),
        ("\n", "empty"),
        (" \t\r\n", "empty"),
    ],
)
async def test_a_token_that_cannot_be_one_is_a_permanent_condition_naming_the_secret(
    raw: str, says: str, executor: ThreadPoolExecutor
) -> None:
    kube = kube_with_token(raw)
    called: list[Credentials] = []

    def open_pr(*args: Any) -> PullRequestStatus:
        called.append(args[2])
        raise AssertionError("no pull request with a token that cannot be one")

    rec = reconciler(kube, executor, lambda req, p, c: result(), open_pull_request=open_pr)
    rec.settings = replace(rec.settings, allowed_repositories=("*",))
    outcome = await rec.reconcile(target(kube, spec=PR_SPEC))
    assert outcome.failure == "permanent" and outcome.delay == 0 and called == []
    pr = next(c for c in outcome.status["conditions"] if c["type"] == "PullRequestOpened")
    assert (pr["status"], pr["reason"]) == ("False", "CredentialsInvalid")
    assert "Secret ns/git" in pr["message"] and "key 'token'" in pr["message"] and says in pr["message"]
    assert "retrying" not in pr["message"]
    for part in ("ghp_abc", "def"):
        assert part not in pr["message"] and part not in outcome.message


def test_a_generic_git_password_may_hold_spaces_but_no_control_character() -> None:
    """provider git sends the password only inside Basic credentials (base64), where a space is fine."""
    assert clean_token(" pass word \n", "git", "x", "f") == "pass word"
    with pytest.raises(InvalidRequestError, match="control character"):
        clean_token("pass\x1bword", "git", "x", "f")


def pr_argv(tmp_path: Path, *flags: str) -> list[str]:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    argv = ["pr", "--policy", str(policy), "--principal", "arn:aws:iam::111122223333:role/app"]
    return [*argv, "--path", "iam/app.json", "--format", "json", "--repository", LOOPBACK, *flags]


def test_the_cli_strips_the_token_of_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PR_TOKEN", TOKEN + "\n")
    argv = pr_argv(tmp_path, "--provider", "gitlab", "--token-env", "PR_TOKEN")
    assert main([*argv, "--api-url", "http://127.0.0.1:1/api/v4"]) == EXIT_ERROR  # nothing listens
    err = capsys.readouterr().err
    assert "Invalid header value" not in err and "unexpected error" not in err and TOKEN not in err, err


@pytest.mark.parametrize(("raw", "says"), [("ghp_abc\ndef", "whitespace"), ("\n", "empty")])
def test_the_cli_refuses_a_token_that_cannot_be_one_as_a_usage_error(
    raw: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PR_TOKEN", raw)
    argv = pr_argv(tmp_path, "--provider", "gitlab", "--token-env", "PR_TOKEN")
    assert main([*argv, "--api-url", "http://127.0.0.1:1/api/v4"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "PR_TOKEN" in err and says in err and "ghp_abc" not in err, err


def test_a_repository_objects_change_reruns_a_generation_refused_for_its_token() -> None:
    """As for CredentialsMissing: the repository object names the Secret (and its namespace), so an admin's
    change to it may lift the refusal (services/adminrefs.py)."""
    from policygen_operator.services.reasons import decided_by

    assert decided_by("CredentialsInvalid") == decided_by("CredentialsMissing") == "repository"
