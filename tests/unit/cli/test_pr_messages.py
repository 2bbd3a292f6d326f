"""``policygen pr`` names its own flags in its errors, not the fields of ``spec.output.pullRequest``.

Before, the checks the command shares with the operator printed, for example,
``baseBranch 'bad..name' is not a valid branch name (spec.output.pullRequest.baseBranch)``: names a user of
the command never wrote. These checks run before any network call.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policygen_operator.cli.main import EXIT_USAGE, main

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
REPOSITORY = "https://github.com/acme/infra.git"
CRD_NAMES = ("spec.", "pullRequest", "baseBranch", "apiURL", "replaceManagedPolicies", "credentialsSecretRef")


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--base-branch", "bad..name"], "--base-branch 'bad..name' is not a valid branch name"),
        (["--base-branch", "policygen/x"], "--base-branch may not be a policygen/ branch"),
        (["--api-url", "http://github.com/api/v3"], "--api-url must use https://"),
        (["--api-url", "https://evil.example/api/v3"], "--api-url https://evil.example is not on the"),
        (["--label", "a,b"], "--label: labels may not be empty or contain commas"),
        (["--path", "../infra"], "--path: path '../infra' may not contain '..'"),
        (["--repository", "https://me:pw@github.com/acme/infra.git"], "--repository: repository URL may not"),
    ],
)
def test_errors_name_the_flag(
    flags: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-unit-test")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY))
    argv = ["pr", "--policy", str(policy), "--principal", "arn:aws:iam::111122223333:role/app"]
    argv += ["--repository", REPOSITORY, "--path", "iam/app.json", "--format", "json", *flags]
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"policygen pr: {said}" in err
    assert not [name for name in CRD_NAMES if name in err], err
    assert "Secret" not in err  # the command reads its token from --token-env's variable


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam::111122223333:user/people/alice",  # a user: not defined with a role's attachments
        "arn:aws:iam::11112222333:role/app",  # 11 digits
        "app",  # the role's name alone
    ],
)
def test_a_principal_that_is_no_role_is_refused_before_any_network_call(
    principal: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, it was refused only once the repository was cloned; with the forge out of reach, the run
    said so and exited 1 (worth retrying), never that --principal was wrong."""
    from policygen_operator.cli import pr

    def reconcile(*_: object) -> None:
        raise AssertionError("the request went on to the forge")

    monkeypatch.setattr(pr, "reconcile_pull_request", reconcile)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-unit-test")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY))
    argv = ["pr", "--policy", str(policy), "--principal", principal]
    argv += ["--repository", REPOSITORY, "--path", "iam/app.json", "--format", "json"]
    assert main(argv) == EXIT_USAGE
    said = f"policygen pr: --principal: principal {principal!r} is not an IAM role ARN"
    assert said in capsys.readouterr().err


def test_help_names_the_branch_pushed(capsys: pytest.CaptureFixture[str]) -> None:
    """The help said policygen/<name>; the command pushes policygen/<name>_<hash> (``branch_name``: a name
    that is no Kubernetes namespace/name gets 8 hex digits of its sha256), the branch a user looks for."""
    from policygen_operator.services.pullrequest import branch_name

    with pytest.raises(SystemExit):
        main(["pr", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "commit on the branch policygen/<name>_<hash> (hash: 8 hex digits of the name's sha256)" in text
    assert "--name NAME names the branch policygen/<name>_<hash> (default: the role name)" in text
    assert re.fullmatch(r"policygen/order-processor_[0-9a-f]{8}", branch_name("order-processor"))
    # a namespace/name has no hash: the help says so, as a --name team-a/prod pushes policygen/team-a/prod
    assert "a Kubernetes NAMESPACE/NAME is used as it is, policygen/NAMESPACE/NAME" in text
    assert branch_name("team-a/prod") == "policygen/team-a/prod"
