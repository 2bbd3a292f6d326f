"""Results that say when they are incomplete (issue 10): files skipped for AccessDenied, KMS, archiving or
corruption give Complete=False with counts, the counts go into the pull request, and a pull request that
replaces a managed policy waits for complete data unless the resource sets allowIncomplete."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.domain.gitops.description import DescriptionInput, body
from policygen_operator.domain.gitops.model import EditResult
from policygen_operator.services import reconcile as rec
from policygen_operator.services import status as st
from policygen_operator.services.generation import GenerationResult
from policygen_operator.services.pullrequest import (
    Credentials,
    PullRequestContext,
    PullRequestSpec,
    PullRequestStatus,
)
from policygen_operator.settings import OperatorSettings
from tests.fixtures.kube import FakeKube
from tests.unit.services.test_reconcile import PR_SPEC, TOKEN, result, target

SKIPPED = {
    "s3://trail/a.json.gz": "unreadable S3 object: AccessDenied",
    "s3://trail/b.json.gz": "unreadable S3 object: AccessDenied",
    "s3://trail/c.json.gz": "unreadable S3 object: KMS.DisabledException",
    "s3://trail/d.json.gz": "unreadable S3 object: InvalidObjectState",
    "s3://trail/e.json.gz": "not a gzip file",
}
POWER = "arn:aws:iam::aws:policy/PowerUserAccess"


@pytest.fixture
def executor() -> Any:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


def incomplete() -> GenerationResult:
    done = result()
    done.summary.skipped_files.update(SKIPPED)
    return done


def run(executor: ThreadPoolExecutor, generated: GenerationResult) -> tuple[Any, list[Any]]:
    kube = FakeKube()
    kube.secrets[("ns", "git")] = {"token": TOKEN}
    opened: list[Any] = []

    def open_pull_request(
        spec: PullRequestSpec, context: PullRequestContext, credentials: Credentials, allowed: tuple[str, ...]
    ) -> PullRequestStatus:
        opened.append(context)
        return PullRequestStatus(
            "https://github.com/acme/infra/pull/1", 1, "policygen/ns/pay", "a", "open", True
        )

    settings = OperatorSettings(progress_interval=0.02, single_tenant=True, allowed_repositories=("*",))
    reconciler = rec.Reconciler(
        settings,
        kube,
        executor,
        generate=lambda r, p, c: generated,
        open_pull_request=open_pull_request,
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
    )
    return reconciler, opened


def conditions(outcome: Any) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in outcome.status["conditions"]}


def replacing(**extra: Any) -> dict[str, Any]:
    pr = {**PR_SPEC["output"]["pullRequest"], "replaceManagedPolicies": [POWER], **extra}
    return {**PR_SPEC, "output": {"pullRequest": pr}}


def test_skipped_counts_by_kind() -> None:
    assert st.skipped_counts(SKIPPED) == {"AccessDenied": 2, "Archived": 1, "KMS": 1, "Unreadable": 1}


async def test_complete_false_with_counts_and_no_replacing_pull_request(executor: ThreadPoolExecutor) -> None:
    reconciler, opened = run(executor, incomplete())
    outcome = await reconciler.reconcile(target(reconciler.kube, spec=replacing()))
    conds = conditions(outcome)
    assert (conds["Complete"]["status"], conds["Complete"]["reason"]) == ("False", "FilesSkipped")
    assert (
        "5 file(s) skipped (AccessDenied 2, Archived 1, KMS 1, Unreadable 1) of 7"
        in conds["Complete"]["message"]
    )
    assert outcome.status["lastRun"]["filesSkipped"] == 5
    assert conds["Published"]["status"] == "True"  # the policy itself is still published
    assert (conds["PullRequestOpened"]["status"], conds["PullRequestOpened"]["reason"]) == (
        "False",
        "IncompleteData",
    )
    assert "allowIncomplete" in conds["PullRequestOpened"]["message"]
    assert opened == []


async def test_allow_incomplete_opts_in_and_the_description_says_so(executor: ThreadPoolExecutor) -> None:
    spec = replacing(allowIncomplete=True)
    reconciler, opened = run(executor, incomplete())
    outcome = await reconciler.reconcile(target(reconciler.kube, spec=spec))
    assert conditions(outcome)["PullRequestOpened"]["status"] == "True"
    [context] = opened
    assert context.files_skipped == {"AccessDenied": 2, "Archived": 1, "KMS": 1, "Unreadable": 1}
    text = body(DescriptionInput(context, (POWER,), EditResult(detached=[POWER], role_location="r.yaml")))
    assert "**Incomplete data:** 5 delivery file(s) of the window could not be read" in text


async def test_complete_data_and_adding_without_replacing_go_ahead(executor: ThreadPoolExecutor) -> None:
    reconciler, opened = run(executor, result())
    outcome = await reconciler.reconcile(target(reconciler.kube, spec=replacing()))
    assert conditions(outcome)["Complete"]["reason"] == "AllFilesRead" and len(opened) == 1
    reconciler, opened = run(executor, incomplete())
    outcome = await reconciler.reconcile(target(reconciler.kube, spec=PR_SPEC))
    assert conditions(outcome)["PullRequestOpened"]["status"] == "True" and len(opened) == 1


def with_bad_records(count: int = 3) -> GenerationResult:
    done = result()
    done.summary.bad_records = count
    return done


async def test_bad_records_hold_back_a_replacing_pull_request_as_skipped_files_do(
    executor: ThreadPoolExecutor,
) -> None:
    """A record the scan could not use (malformed, or the role's lacking a field the policy needs) may be the
    only record of an action the role needs, as a skipped file may: detaching PowerUserAccess on its policy
    would break the role. Before, only skipped files held the pull request back; bad records made Complete
    False and the pull request went ahead."""
    reconciler, opened = run(executor, with_bad_records())
    outcome = await reconciler.reconcile(target(reconciler.kube, spec=replacing()))
    pr = conditions(outcome)["PullRequestOpened"]
    assert (pr["status"], pr["reason"]) == ("False", "IncompleteData")
    assert "3 record(s) could not be used" in pr["message"] and "allowIncomplete" in pr["message"]
    assert "access to those files" not in pr["message"]  # no file was skipped
    assert opened == []
    reconciler, opened = run(executor, with_bad_records())
    outcome = await reconciler.reconcile(target(reconciler.kube, spec=replacing(allowIncomplete=True)))
    assert conditions(outcome)["PullRequestOpened"]["status"] == "True" and opened[0].bad_records == 3
    reconciler, opened = run(executor, with_bad_records())
    outcome = await reconciler.reconcile(target(reconciler.kube, spec=PR_SPEC))  # adds, replaces nothing
    assert conditions(outcome)["PullRequestOpened"]["status"] == "True" and len(opened) == 1


def test_skipped_files_and_bad_records_are_refused_in_one_sentence() -> None:
    err = st.incomplete_refusal("replace X", {"AccessDenied": 1}, "opt in", "f", 2)
    assert str(err).startswith(
        "not proposing to replace X: 1 file(s) skipped (AccessDenied 1) and 2 record(s) could not be used"
    )
    assert "fix the access to those files (the next scan reads them) or opt in" in str(err)


def test_bad_records_alone_are_not_said_to_read_better_in_another_scan() -> None:
    """A malformed record is as malformed in the next scan: the way out is to check the records the report
    names and opt in, not to wait for them to become readable (the refusal said "run policygen generate
    again once they can be read" for them too)."""
    err = str(st.incomplete_refusal("replace X", {}, "opt in", "f", 2))
    assert (
        "another scan reads those records no better: if none of those named can be the role's, opt in" in err
    )
    assert "access to those files" not in err
