"""A pull request's token never reaches a message, in any of the forms it can take there.

The masking was a plain replacement of the token's text, and only of the errors of git and of the forge: a
repository URL refused for its scheme was echoed with its userinfo (``ssh://x-access-token:TOKEN@...``, or
the token percent-encoded), whatever token it held; the HTTP client's own exception for a token that ends
in a newline (a Secret made from a file) names the header value, ``b'Bearer TOKEN\\n'``, which holds the
token but not its text with the newline, and went on unmasked to ``policygen pr``'s traceback, to the
operator's log and to the status condition (a Secret's or variable's token is now stripped of its
newline first, ``pullrequest.clean_token``; the service still masks the error for a token handed to it
as it is). The tests fail on the code before, except two git-message cases
the plain replacement covered already (the token as it is in a URL, and the repr of the password with its
newline), kept as guards.
"""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import traceback
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.adapters.git.errors import GitCommandError
from policygen_operator.adapters.git.masking import masked
from policygen_operator.adapters.git.repo import Workspace, basic_auth_header
from policygen_operator.cli.main import EXIT_ERROR, EXIT_USAGE, main
from policygen_operator.services.errors import PolicygenError
from policygen_operator.services.pullrequest import (
    Credentials,
    PullRequestContext,
    PullRequestSpec,
    reconcile_pull_request,
)

TOKEN = "ghp_unitTEST0123456789abcdefABCDEF"
# a generic git host's password: characters a URL must percent-encode
PASSWORD = "p@ss/w0rd+x:y"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
# No network: http:// is allowed on the loopback only, and nothing listens on port 1.
LOOPBACK = "http://127.0.0.1:1/acme/infra.git"


def pr(tmp_path: Path, *flags: str) -> list[str]:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY))
    argv = ["pr", "--policy", str(policy), "--principal", "arn:aws:iam::111122223333:role/app"]
    return [*argv, "--path", "iam/app.json", "--format", "json", *flags]


@pytest.mark.parametrize(
    "repository",
    [
        f"ssh://x-access-token:{TOKEN}@github.com/acme/infra.git",
        f"git://oauth2:{TOKEN}@gitlab.example.com/acme/infra.git",
        "ssh://me:p%40ss%2Fw0rd%2Bx%3Ay@git.example.com/acme/infra.git",  # PASSWORD, percent-encoded
        "ssh://someone-elses-secret@git.example.com/acme/infra.git",  # not the token: masked as well
    ],
)
def test_a_refused_repository_url_is_echoed_without_its_userinfo(
    repository: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    assert main(pr(tmp_path, "--repository", repository, "--allow-repository", "*")) == EXIT_USAGE
    err = capsys.readouterr().err
    userinfo = repository.split("://", 1)[1].rsplit("@", 1)[0]
    assert userinfo not in err and TOKEN not in err, err
    assert "--repository: repository 'ssh://***@" in err or "--repository: repository 'git://***@" in err


@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_a_token_with_a_trailing_newline_never_shows(
    provider: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``export GITHUB_TOKEN="$(cat token; echo)"``: http.client refused the header value in a ValueError
    that repeats it (Python's http.client, ``putheader``: "Invalid header value"). The newline is now
    removed before the token is used (``pullrequest.clean_token``, test_token_whitespace.py), so the forge
    is reached (nothing listens: refused); the service's masking of that ValueError is held by the test
    below, which hands the service such a token directly."""
    monkeypatch.setenv("PR_TOKEN", TOKEN + "\n")
    argv = pr(tmp_path, "--repository", LOOPBACK, "--provider", provider, "--token-env", "PR_TOKEN")
    with caplog.at_level(logging.DEBUG):
        assert main([*argv, "--api-url", "http://127.0.0.1:1/api/v4"]) == EXIT_ERROR
    out = capsys.readouterr()
    assert TOKEN not in out.err + out.out + caplog.text, out.err
    assert "Invalid header value" not in out.err and "refused" in out.err, out.err


def test_the_service_masks_an_unexpected_error_for_the_operator_too(caplog: pytest.LogCaptureFixture) -> None:
    """What the operator writes into the PullRequestOpened condition and its log."""
    spec = PullRequestSpec(
        provider="gitlab",
        repository=LOOPBACK,
        base_branch="main",
        path="iam/app.json",
        format="json",
        replace_managed_policies=(),
        api_url="http://127.0.0.1:1/api/v4",
    )
    context = PullRequestContext(
        name="app",
        principal="arn:aws:iam::111122223333:role/app",
        policies=[POLICY],
        window_start="2026-11-01T00:00:00Z",
        window_end="2026-12-01T00:00:00Z",
        events_scanned=0,
        events_matched=0,
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(PolicygenError) as raised:
        reconcile_pull_request(spec, context, Credentials(token=TOKEN + "\r\n"), (LOOPBACK,))
    assert TOKEN not in str(raised.value) and TOKEN not in caplog.text
    assert TOKEN not in "".join(traceback.format_exception(raised.value))  # as a log would print it
    assert raised.value.reason == "InternalError"
    assert "ValueError" in caplog.text  # the traceback is logged, masked


@pytest.mark.parametrize(
    ("text", "left"),
    [
        (
            f"fatal: unable to access 'https://x-access-token:{TOKEN}@github.com/acme/infra.git/'",
            "github.com",
        ),
        (
            "fatal: unable to access 'https://me:p%40ss%2Fw0rd%2Bx%3Ay@git.example.com/a/b/'",
            "git.example.com",
        ),
        ("error: p%40ss%2Fw0rd%2Bx%3Ay rejected", "rejected"),  # the password percent-encoded, no URL
        ("error: p%40ss%2fw0rd%2bx%3ay rejected", "rejected"),  # lower-case escapes
        ("error: p%40ss/w0rd%2Bx%3Ay rejected", "rejected"),  # quote()'s default keeps '/'
        ("header b'Basic " + base64.b64encode(f"me:{PASSWORD}".encode()).decode() + "' refused", "refused"),
        ("Invalid header value b'p@ss/w0rd+x:y\\r\\n'", "Invalid header value"),
    ],
)
def test_git_messages_are_masked_in_every_form_of_the_secret(
    text: str, left: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """git anonymises the URLs of its own messages (``unable to access 'https://host/...'``), but what a
    remote or a proxy answers it repeats as it came: every form is masked, whatever the URL's userinfo."""

    def failing(args: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(args, 128, "", text)

    monkeypatch.setattr(subprocess, "run", failing)
    workspace = Workspace(LOOPBACK, tmp_path / "repo", basic_auth_header("me", PASSWORD), PASSWORD)
    with pytest.raises(GitCommandError) as raised:
        workspace.head()
    message = str(raised.value)
    for form in ("p@ss", "w0rd", "p%40ss", base64.b64encode(f"me:{PASSWORD}".encode()).decode()):
        assert form not in message, message
    assert left in message


def test_masked_leaves_text_without_secrets_alone() -> None:
    text = "fatal: repository 'https://github.com/acme/infra.git/' not found; see git@github.com:acme"
    assert masked(text, TOKEN) == text
    assert masked("a token of '' masks nothing", "") == "a token of '' masks nothing"
