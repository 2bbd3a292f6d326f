"""``policygen pr --report`` tells the reviewer what the scan could not read, and refuses to replace a managed
policy on incomplete data unless asked, as the operator does (``spec.output.pullRequest.allowIncomplete``).

Before, the command read only the window, the counts, the findings and the denied calls from the report: a
scan that skipped files for AccessDenied gave a pull request detaching PowerUserAccess without a word, while
the operator refuses that same pull request (``IncompleteData``).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.cli import pr
from policygen_operator.cli.main import EXIT_OK, EXIT_USAGE, main
from policygen_operator.domain.gitops.description import DescriptionInput, body
from policygen_operator.domain.gitops.model import EditResult
from policygen_operator.services.pullrequest import PullRequestStatus
from tests.unit.services.test_completeness import POWER, SKIPPED, executor, run  # noqa: F401
from tests.unit.services.test_reconcile import PR_SPEC, result, target

PRINCIPAL = "arn:aws:iam::111122223333:role/app"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The contexts the command would open a pull request with (no forge, no git)."""
    calls: list[Any] = []

    def reconcile_pull_request(spec: Any, context: Any, credentials: Any, allowed: Any) -> PullRequestStatus:
        calls.append(context)
        return PullRequestStatus(
            branch="policygen/app", head_sha="0" * 40, changed=True, url=None, state="pushed", number=None
        )

    monkeypatch.setattr(pr, "reconcile_pull_request", reconcile_pull_request)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-unit-test")
    return calls


def argv(tmp_path: Path, report: dict[str, Any], *flags: str) -> list[str]:
    (tmp_path / "policy.json").write_text(json.dumps(POLICY))
    (tmp_path / "report.json").write_text(json.dumps(report))
    return [
        "pr", "--policy", str(tmp_path / "policy.json"), "--principal", PRINCIPAL,
        "--repository", "https://github.com/acme/infra.git", "--path", "iam/", "--format", "ack",
        "--report", str(tmp_path / "report.json"), *flags,
    ]  # fmt: skip


REPORT = {"eventsScanned": 10, "filesSkipped": SKIPPED, "badRecords": 3}


def test_replacing_on_skipped_files_is_refused_naming_the_way_out(
    tmp_path: Path, opened: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv(tmp_path, REPORT, "--replace-managed-policy", POWER)) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "policygen pr: --report: not proposing to replace arn:aws:iam::aws:policy/PowerUserAccess" in err
    assert "5 file(s) skipped (AccessDenied 2, Archived 1, KMS 1, Unreadable 1)" in err
    assert "--allow-incomplete" in err
    assert opened == []  # refused before any clone or request


def test_allow_incomplete_opens_it_and_the_description_says_what_is_missing(
    tmp_path: Path, opened: list[Any]
) -> None:
    assert main(argv(tmp_path, REPORT, "--replace-managed-policy", POWER, "--allow-incomplete")) == EXIT_OK
    [context] = opened
    assert context.files_skipped == {"AccessDenied": 2, "Archived": 1, "KMS": 1, "Unreadable": 1}
    assert context.bad_records == 3
    text = body(DescriptionInput(context, (POWER,), EditResult(detached=[POWER], role_location="r.yaml")))
    assert "**Incomplete data:** 5 delivery file(s) of the window could not be read" in text
    assert "**Incomplete data:** 3 record(s) of the files read could not be used" in text


def test_the_description_says_what_a_bad_record_is_as_the_report_counts_it(
    tmp_path: Path, opened: list[Any]
) -> None:
    """badRecords counts malformed records and records of the role lacking a field the policy needs
    (docs/cli.md, "Bad input"), which CloudTrail wrote: the description called them "not CloudTrail's"."""
    assert main(argv(tmp_path, REPORT)) == EXIT_OK
    text = body(DescriptionInput(opened[0], (), EditResult(role_location="r.yaml")))
    assert "could not be used (malformed, or lacking a field the policy needs" in text
    assert "not CloudTrail's" not in text


def test_adding_without_replacing_goes_ahead_with_the_counts(tmp_path: Path, opened: list[Any]) -> None:
    assert main(argv(tmp_path, REPORT)) == EXIT_OK
    assert opened[0].files_skipped and opened[0].bad_records == 3


def test_a_complete_report_says_nothing_of_it(tmp_path: Path, opened: list[Any]) -> None:
    report = {"eventsScanned": 10, "filesSkipped": {}, "badRecords": 0}
    assert main(argv(tmp_path, report, "--replace-managed-policy", POWER)) == EXIT_OK
    text = body(DescriptionInput(opened[0], (POWER,), EditResult(detached=[POWER], role_location="r.yaml")))
    assert "Incomplete data" not in text


@pytest.mark.parametrize(
    ("report", "said"),
    [
        ({"filesSkipped": ["a.json.gz"]}, "the report's filesSkipped is not an object of file -> reason"),
        ({"filesSkipped": {"a.json.gz": 3}}, "the report's filesSkipped is not an object of file -> reason"),
        ({"badRecords": "many"}, "the report's badRecords is not a count: 'many'"),
        ({"badRecords": -1}, "the report's badRecords is not a count: -1"),
        ({"badRecords": True}, "the report's badRecords is not a count: True"),
        ({"principals": ["x"]}, "the report's principals is not an object"),
        ({"principals": {PRINCIPAL: "x"}}, f"the report's {PRINCIPAL} is not an object"),
        (
            {"principals": {PRINCIPAL: {"findings": "x"}}},
            f"the report's findings of {PRINCIPAL} are not a list",
        ),
        (
            {"principals": {PRINCIPAL: {"eventsMatched": "3"}}},
            "the report's eventsMatched is not a count: '3'",
        ),
        ({"window": "2026-11"}, "the report's window is not an object"),
        ({"eventsScanned": "many"}, "the report's eventsScanned is not a count: 'many'"),
        ([{"eventsScanned": 1}], "report.json is not a report of policygen generate"),
    ],
)
def test_a_report_of_another_shape_is_named(
    report: Any, said: str, tmp_path: Path, opened: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv(tmp_path, report)) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("policygen pr: --report: ") and said in err
    assert opened == []


async def test_the_operator_tells_the_reviewer_of_bad_records(executor: ThreadPoolExecutor) -> None:  # noqa: F811
    scanned = result()
    scanned.summary.bad_records = 4
    reconciler, opened_contexts = run(executor, scanned)
    await reconciler.reconcile(target(reconciler.kube, spec=PR_SPEC))
    [context] = opened_contexts
    assert context.bad_records == 4
    text = body(DescriptionInput(context, (), EditResult(role_location="r.yaml")))
    assert "**Incomplete data:** 4 record(s) of the files read could not be used" in text


def test_replacing_on_bad_records_alone_is_refused_unless_allowed(
    tmp_path: Path, opened: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The operator's rule: records that could not be used hold back a replacing pull request too."""
    report = {"eventsScanned": 10, "badRecords": 2}
    assert main(argv(tmp_path, report, "--replace-managed-policy", POWER)) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "2 record(s) could not be used" in err and "--allow-incomplete" in err
    assert "once they can be read" not in err and "no better" in err  # a malformed record stays so
    assert opened == []
    assert main(argv(tmp_path, report, "--replace-managed-policy", POWER, "--allow-incomplete")) == EXIT_OK
    assert opened[0].bad_records == 2


def test_a_principals_own_count_is_read_from_a_report_of_several(tmp_path: Path, opened: list[Any]) -> None:
    """A report of several principals counts each one's bad records (its own and those of no known
    principal): another principal's record that lacked a field does not hold this one's pull request."""
    report = {"eventsScanned": 10, "badRecords": 2, "principals": {PRINCIPAL: {"badRecords": 0}}}
    assert main(argv(tmp_path, report, "--replace-managed-policy", POWER)) == EXIT_OK
    assert opened[0].bad_records == 0
