"""Mistakes a first run of ``policygen generate`` makes, each refused or said naming the flag or file.

Found by using the CLI as a new user would: a window out of datetime's range ended in an OverflowError's
traceback and exit 1 (the exit code of "worth retrying"), where every other bad window is a usage error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.cli.main import EXIT_ERROR, EXIT_USAGE, main
from policygen_operator.domain.timeutil import parse_duration
from tests.unit.domain.cloudtrail.fakes import ROLE, record, role_identity, write_gz

SAMPLES = Path(__file__).resolve().parents[3] / "examples" / "cloudtrail"
ORDER = "arn:aws:iam::111122223333:role/service-role/order-processor"
WINDOW = ["--start", "2026-11-01", "--end", "2026-12-01"]


@pytest.mark.parametrize(
    ("window", "said"),
    [
        (["--lookback", "10000000w"], "--lookback: 10000000w before --end reaches back past the year 1"),
        (["--lookback", "99999999999999999999d"], "--lookback: '99999999999999999999d' is longer than"),
        (["--end", "0001-01-01T00:30:00Z", "--lookback", "1h"], "--lookback: 1h before --end reaches"),
        (["--end", "9999-12-31T23:59:00Z", "--lookback", "1d"], "--end: 9999-12-31T23:59:00Z is after 2100"),
        (["--start", "9999-12-31T22:00:00Z", "--end", "9999-12-31T23:59:59Z"], "--end: 9999-12-31T23:59:59Z"),
    ],
)
def test_a_window_out_of_range_is_a_usage_error_naming_its_flag(
    window: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "policy.json"
    with pytest.raises(SystemExit) as exited:
        main(["generate", "--logs", str(SAMPLES), "--principal", ORDER, *window, "--output", str(out)])
    assert exited.value.code == EXIT_USAGE
    assert said in capsys.readouterr().err
    assert not out.exists()


def test_a_duration_too_long_for_a_timedelta_is_a_value_error() -> None:
    """The CRD's lookback and interval read it too: their refusal names the field, not an OverflowError."""
    with pytest.raises(ValueError, match="longer than a duration can be"):
        parse_duration("99999999999999999999d")


def test_a_folder_that_cannot_be_listed_is_named_as_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A subfolder without read permission was passed over by ``os.walk`` without a word: the run said
    "0 file(s) skipped", ``--strict`` passed, and ``policygen pr --report`` proposed detaching the broad
    policy on a policy short of the folder's actions. (Denied by a stand-in for ``os.scandir``: the tests
    may run as root, whom a mode of 000 does not stop.)"""
    import os
    import shutil

    logs = tmp_path / "logs"
    shutil.copytree(SAMPLES / "AWSLogs", logs / "readable")
    locked = logs / "locked"
    shutil.copytree(SAMPLES / "AWSLogs", locked)
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.fspath(path).rstrip(os.sep) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = tmp_path / "report.json"
    argv = ["generate", "--logs", str(logs), "--principal", ORDER, *WINDOW, "--workers", "1"]
    assert main([*argv, "--output", str(tmp_path / "p.json"), "--report", str(report)]) == 0
    skipped = json.loads(report.read_text())["filesSkipped"]
    assert skipped == {f"{locked}{os.sep}": "folder not listed: Permission denied"}
    assert f"skipped {locked}{os.sep}: folder not listed" in capsys.readouterr().err
    assert main([*argv, "--strict", "--quiet"]) == EXIT_ERROR


def test_quiet_keeps_the_warnings_about_the_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/cli.md: "--quiet turns progress and the closing summary off (warnings and errors still
    print)". The findings printed as ``warning:`` (here: 12 parameters named by one pattern, which also
    allows parameters no call read) were printed inside the summary, so --quiet dropped them."""
    calls = [
        record(role_identity(), "GetParameter", "ssm.amazonaws.com", requestParameters={"name": f"/app/p{n}"})
        for n in range(12)
    ]
    write_gz(tmp_path / "logs" / "calls.json.gz", calls)
    argv = ["generate", "--logs", str(tmp_path / "logs"), "--principal", ROLE, *WINDOW]
    assert main([*argv, "--output", str(tmp_path / "p.json")]) == 0
    loud = capsys.readouterr().err
    warnings = [line for line in loud.splitlines() if line.startswith("policygen generate: warning: ")]
    assert any("parameter/app/p* stands for 12 ARN(s)" in line for line in warnings)
    assert main([*argv, "--output", str(tmp_path / "p.json"), "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == warnings


@pytest.mark.parametrize("action", ["kms", "kms:", "kms Decrypt", "kms.Decrypt"])
def test_an_exclude_action_that_is_no_action_is_a_usage_error(
    action: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--exclude-action kms`` (meant as ``kms:*``) matched no action and left kms:Decrypt in the policy,
    without a word."""
    out = tmp_path / "policy.json"
    argv = ["generate", "--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--output", str(out)]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--exclude-action", "s3:Get*", "--exclude-action", action])
    assert exited.value.code == EXIT_USAGE
    assert f"--exclude-action: {action!r} is not an IAM action or pattern" in capsys.readouterr().err
    assert not out.exists()
    assert main([*argv, "--exclude-action", "kms:*", "--exclude-action", "iam:*AccessKey*", "--quiet"]) == 0
    assert "kms:" not in out.read_text()


@pytest.mark.parametrize(
    ("logs", "meant"),
    [
        ("s3:/my-trail-bucket/logs", "s3://my-trail-bucket/logs"),
        ("S3://my-trail-bucket", "s3://my-trail-bucket"),
    ],
)
def test_a_mistyped_source_uri_says_the_uri_meant(
    logs: str, meant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``s3:/bucket`` (one slash) or ``S3://`` is read as a local path: "no such file or folder" alone did
    not say why a bucket that exists was not read."""
    with pytest.raises(SystemExit) as exited:
        main(["generate", "--logs", logs, "--principal", ORDER])
    assert exited.value.code == EXIT_USAGE
    assert f"--logs: {logs}: no such file or folder; did you mean {meant}?" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("action", "meant"),
    [
        ("kms:Decryp", "kms:Decrypt"),
        ("kmss:Decrypt", "kms:Decrypt"),
        ("KMSS:*", "kms:*"),
        ("kmss:Decrypt*", "kms:Decrypt*"),
        ("kms:Frobnicate", ""),
        # the literal start of a wildcard name, corrected to the closest start of the namespace's names
        ("kms:Decrpt*", "kms:Decrypt*"),
        ("kms:Frob*", ""),
        # the namespace corrected, the pattern still matches nothing: no pattern is suggested that would
        # exclude nothing too
        ("kmss:Frob*", ""),
    ],
)
def test_an_exclude_action_naming_no_action_is_said_with_the_action_meant(
    action: str, meant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--exclude-action kms:Decryp`` (the right form, no such action) excluded nothing and said nothing:
    kms:Decrypt stayed in the policy. It is a warning, and the run goes on as before (an action newer than
    the reference data is still excluded)."""
    out, report = tmp_path / "policy.json", tmp_path / "report.json"
    argv = ["generate", "--logs", str(SAMPLES), "--principal", ORDER, *WINDOW]
    argv += ["--output", str(out), "--report", str(report)]
    assert main([*argv, "--exclude-action", action, "--exclude-action", "s3:Get*"]) == 0
    err = capsys.readouterr().err
    warned = [line for line in err.splitlines() if "--exclude-action" in line]
    assert len(warned) == 1
    assert warned[0].startswith(
        f"policygen generate: warning: --exclude-action: {action!r} names no IAM action of the reference data"
    )
    assert warned[0].endswith(f"; did you mean {meant}?") if meant else "did you mean" not in warned[0]
    assert err.count("names no IAM action") == 1  # before the scan, not again with the report's warnings
    # the report keeps it, as the operator's ConfigMap does for spec.policy.excludeActions
    said = warned[0].partition("--exclude-action: ")[2]
    assert f"excluded action {said}" in json.loads(report.read_text())["warnings"]
    assert "kms:Decrypt" in out.read_text()


@pytest.mark.parametrize("action", ["kms:Decrypt", "KMS:decrypt", "kms:Decrypt*", "kms:*crypt", "*:Decrypt"])
def test_an_exclude_action_naming_an_action_says_nothing(
    action: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "policy.json"
    argv = ["generate", "--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--quiet"]
    argv += ["--output", str(out)]
    assert main([*argv, "--exclude-action", action]) == 0
    assert "--exclude-action" not in capsys.readouterr().err
    assert "kms:Decrypt" not in out.read_text()
