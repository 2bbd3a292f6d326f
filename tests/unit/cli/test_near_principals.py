"""A principal that matched no event because its ARN is a near miss of a caller's is told the ARN meant.

Found by a new-user pass: ``--principal .../role/service-role/bench-targte`` (a typo), a path or an account
digit typed wrong, matched nothing, and the run said only that no event matched in the window. Callers' ARNs
are ``userIdentity.arn`` and, for a role's session, ``sessionContext.sessionIssuer.arn`` (CloudTrail User
Guide, "CloudTrail userIdentity element"); the scan does not collect them, so a few of the files listed are
read again, only when a principal matched nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policygen_operator.cli.main import EXIT_NO_MATCHING_EVENTS, EXIT_OK, main
from policygen_operator.services import generation
from tests.unit.domain.cloudtrail.fakes import (
    ACCOUNT,
    ROLE,
    USER,
    record,
    role_identity,
    user_identity,
    write_gz,
)

WINDOW = ["--start", "2026-11-24", "--end", "2026-11-25", "--workers", "1"]
OTHER = f"arn:aws:iam::{ACCOUNT}:role/service-role/billing-export"


def _logs(tmp_path: Path) -> Path:
    logs = tmp_path / "logs"
    write_gz(
        logs / "a.json.gz",
        [record(role_identity()), record(user_identity()), record(role_identity("billing-export"))],
    )
    return logs


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        (f"arn:aws:iam::{ACCOUNT}:role/service-role/apq", ROLE),  # the name
        (f"arn:aws:iam::{ACCOUNT}:role/service-role/billing-exprot", OTHER),  # two letters swapped
        ("arn:aws:iam::111122223334:role/service-role/app", ROLE),  # an account digit
        (f"arn:aws:iam::{ACCOUNT}:user/peple/alice", USER),  # the path
        (f"arn:aws:iam::{ACCOUNT}:user/people/Alice", USER),  # the case: IAM names are unique without it
    ],
)
def test_a_near_miss_is_told_the_callers_arn(
    given: str, meant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    argv = [
        "generate",
        "--logs",
        str(_logs(tmp_path)),
        "--principal",
        given,
        *WINDOW,
        "--report",
        str(report),
    ]
    assert main(argv) == EXIT_NO_MATCHING_EVENTS
    err = capsys.readouterr().err
    hint = f"{given} matched no event; did you mean {meant}, a caller in the first 1 file(s) read?"
    assert f"policygen generate: warning: {hint}" in err
    assert (
        f"policygen generate: no matching events: no event of the principal(s) in the window; {hint}" in err
    )
    assert hint in json.loads(report.read_text())["warnings"]


@pytest.mark.parametrize(
    "given",
    [
        f"arn:aws:iam::{ACCOUNT}:role/service-role/order-processor",  # like no caller
        f"arn:aws:iam::{ACCOUNT}:user/people/bob",  # a user of the same path, another short name
    ],
)
def test_a_principal_like_no_caller_is_told_no_arn(
    given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--logs", str(_logs(tmp_path)), "--principal", given, *WINDOW]) == 3
    assert "did you mean" not in capsys.readouterr().err


def test_a_principal_whose_calls_are_outside_the_window_is_told_no_other_arn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its own ARN is among the callers: the window is what is wrong, and a near name would mislead."""
    logs = tmp_path / "logs"
    near = record(role_identity("apps"))
    write_gz(logs / "a.json.gz", [record(role_identity(), time="2026-11-20T09:00:00Z"), near])
    assert main(["generate", "--logs", str(logs), "--principal", ROLE, *WINDOW]) == EXIT_NO_MATCHING_EVENTS
    err = capsys.readouterr().err
    assert "did you mean" not in err
    assert "outside the window" in err


def test_among_several_principals_the_one_that_missed_is_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The others' policies are written; the requested ones are no candidates for each other."""
    typo = f"arn:aws:iam::{ACCOUNT}:role/service-role/billing-exprot"
    out = tmp_path / "out"
    argv = ["generate", "--logs", str(_logs(tmp_path)), "--principal", ROLE, "--principal", typo]
    assert main([*argv, *WINDOW, "--output-dir", str(out)]) == EXIT_NO_MATCHING_EVENTS
    err = capsys.readouterr().err
    assert f"warning: {typo} matched no event; did you mean {OTHER}, a caller in the first 1 file(s)" in err
    assert (out / "app.json").exists()


def test_a_run_where_every_principal_matched_reads_nothing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def sample(*_: object, **__: object) -> None:
        raise AssertionError("sampled")

    monkeypatch.setattr(generation, "sample_callers", sample)
    argv = ["generate", "--logs", str(_logs(tmp_path)), "--principal", ROLE, *WINDOW, "--quiet"]
    assert main([*argv, "--output", str(tmp_path / "p.json")]) == EXIT_OK


def test_only_the_first_files_listed_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder of any size costs at most ``MAX_SAMPLE_FILES`` files read again (here 2 of 4): a caller
    only in a later file is not found."""
    monkeypatch.setattr(generation, "MAX_SAMPLE_FILES", 2)
    logs = tmp_path / "logs"
    for number in range(3):
        write_gz(logs / f"{number}.json.gz", [record(user_identity("bob"))])
    write_gz(logs / "3.json.gz", [record(role_identity())])
    typo = f"arn:aws:iam::{ACCOUNT}:role/service-role/apq"
    assert main(["generate", "--logs", str(logs), "--principal", typo, *WINDOW]) == EXIT_NO_MATCHING_EVENTS
    assert "did you mean" not in capsys.readouterr().err
    monkeypatch.setattr(generation, "MAX_SAMPLE_FILES", 4)
    assert main(["generate", "--logs", str(logs), "--principal", typo, *WINDOW]) == EXIT_NO_MATCHING_EVENTS
    assert f"did you mean {ROLE}, a caller in the first 4 file(s) read?" in capsys.readouterr().err
