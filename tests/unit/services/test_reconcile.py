"""The reconcile service with an in-memory Kubernetes and a stand-in engine: every outcome class.

The real engine and the real API server are exercised by tests/integration/test_operator*.py; here the
point is the decisions: what goes into status, when the ConfigMap is (not) written, which failures are
permanent, that cancellation stops the scan and that a token never leaks.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import KubernetesError
from policygen_operator.domain.engine import ScanCancelled
from policygen_operator.domain.usage import UsageSummary
from policygen_operator.services import reconcile as rec
from policygen_operator.services import status as st
from policygen_operator.services.errors import (
    InvalidRequestError,
    NoMatchingEventsError,
    TemporaryError,
)
from policygen_operator.services.generation import (
    GenerationRequest,
    GenerationResult,
    PrincipalResult,
    Progress,
)
from policygen_operator.services.pullrequest import (
    Credentials,
    PullRequestContext,
    PullRequestSpec,
    PullRequestStatus,
)
from policygen_operator.settings import OperatorSettings
from tests.fixtures.crd_schema import check_status
from tests.fixtures.kube import FakeKube

PRINCIPAL = "arn:aws:iam::111122223333:role/payments-api"
SPEC = {
    "principalArn": PRINCIPAL,
    "cloudTrail": {"local": {"path": "/logs"}},
    "window": {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"},
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "S3", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    ],
}
TOKEN = "ghp_supersecrettoken123"
PR_SPEC = {
    **SPEC,
    "output": {
        "pullRequest": {
            "provider": "github",
            "repository": "https://github.com/acme/infra.git",
            "path": "iam/",
            "format": "ack",
            "credentialsSecretRef": {"name": "git"},
        }
    },
}


def result(policy: dict[str, Any] = POLICY) -> GenerationResult:
    summary = UsageSummary(files_scanned=2, events_scanned=10, events_matched=4)
    found = PrincipalResult(
        principal=PRINCIPAL,
        policies=[policy],
        findings=[],
        actions=["s3:GetObject"],
        services=["s3"],
        characters=120,
        denied_actions=["iam:CreateRole"],
    )
    return GenerationResult(summary=summary, results={PRINCIPAL: found}, report={"principals": [PRINCIPAL]})


def target(
    kube: FakeKube, status: Mapping[str, Any] | None = None, spec: Mapping[str, Any] = SPEC, retry: int = 0
) -> rec.Target:
    owner = {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "PolicyGeneration",
        "name": "pay",
        "uid": kube.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }
    return rec.Target(
        namespace="ns",
        name="pay",
        uid=kube.uid,
        generation=kube.generation,
        spec=spec,
        status=status or {},
        owner_reference=owner,
        retry=retry,
    )


@pytest.fixture
def executor() -> Any:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


def reconciler(kube: FakeKube, executor: ThreadPoolExecutor, generate: Any, **kw: Any) -> rec.Reconciler:
    settings = OperatorSettings(
        progress_interval=0.02, retry_backoff=30, retry_backoff_max=600, single_tenant=True
    )
    reconciler = rec.Reconciler(
        settings, kube, executor, generate=generate, clock=lambda: datetime(2026, 3, 1, tzinfo=UTC), **kw
    )
    reconcile = reconciler.reconcile

    async def checked(*args: Any, **kwargs: Any) -> st.Outcome:
        """What the handler would write must be what the PolicyGeneration schema keeps (crd_schema)."""
        outcome = await reconcile(*args, **kwargs)
        check_status("policygenerations", outcome.status)
        return outcome

    reconciler.reconcile = checked  # type: ignore[method-assign]
    return reconciler


def ready(outcome: st.Outcome) -> dict[str, Any]:
    return next(c for c in outcome.status["conditions"] if c["type"] == "Ready")


async def test_success_publishes_configmap_and_status(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    outcome = await reconciler(kube, executor, lambda r, p, c: result()).reconcile(target(kube))
    assert outcome.failure is None
    assert ready(outcome)["status"] == "True"
    assert outcome.status["observedGeneration"] == 1
    assert outcome.status["policy"]["actions"] == 1 and outcome.status["policy"]["parts"] == 1
    assert '"s3:GetObject"' in outcome.status["policy"]["document"]
    assert outcome.status["configMapRef"] == {"name": "pay-policy", "key": "policy.json"}
    assert outcome.status["deniedActions"] == ["iam:CreateRole"]
    generated = next(c for c in outcome.status["conditions"] if c["type"] == "Generated")
    assert generated["message"] == "1 action in 1 service from 4 events"
    cm = kube.configmaps[("ns", "pay-policy")]
    assert cm["metadata"]["ownerReferences"][0]["uid"] == "uid-1"
    assert '"s3:GetObject"' in cm["data"]["policy.json"]
    assert [e.reason for e in outcome.events] == ["Succeeded"]  # Started was announced (the test below)
    # The run was announced before the scan: Ready=Unknown, lastRun.startTime, observedGeneration.
    first = kube.status_patches[0]
    assert first["lastRun"]["startTime"] == "2026-03-01T00:00:00Z"
    assert [c["status"] for c in first["conditions"] if c["type"] == "Ready"] == ["Unknown"]


async def test_started_is_posted_when_the_run_begins_not_with_its_result(
    executor: ThreadPoolExecutor,
) -> None:
    """A scan may take hours: ``kubectl describe`` must say one is running while it runs. The demo's
    operator showed Started and Succeeded with one timestamp, the end of the run: Started rode in the
    outcome, which the handler posts only when the run returns."""
    kube = FakeKube()
    posted: list[st.Event] = []
    seen_by_the_scan: list[list[str]] = []

    def scan(req: GenerationRequest, p: Any, c: Any) -> GenerationResult:
        seen_by_the_scan.append([e.reason for e in posted])
        return result()

    outcome = await reconciler(kube, executor, scan).reconcile(target(kube), announce=posted.append)
    assert seen_by_the_scan == [["Started"]]
    assert [e.reason for e in posted] == ["Started"] and posted[0].message == "Generating for generation 1"
    assert [e.reason for e in outcome.events] == ["Succeeded"]  # Started is not posted twice
    # kopf's retry of the same run carries on what its first attempt announced.
    await reconciler(kube, executor, scan).reconcile(target(kube, retry=1), announce=posted.append)
    assert [e.reason for e in posted] == ["Started"]


async def test_same_policy_again_writes_nothing(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    r = reconciler(kube, executor, lambda req, p, c: result())
    first = await r.reconcile(target(kube))
    # Same meaning, other key order: canonical comparison says unchanged.
    reordered = {"Statement": POLICY["Statement"], "Version": "2012-10-17"}
    r.generate = lambda req, p, c: result(reordered)
    second = await r.reconcile(target(kube, status=first.status))
    assert kube.configmap_writes == 1
    assert "policy" not in second.status
    published = next(c for c in second.status["conditions"] if c["type"] == "Published")
    assert published["reason"] == "ConfigMapUnchanged"
    assert [e.reason for e in second.events] == []  # no Succeeded: nothing transitioned


async def test_a_rerun_restores_a_configmap_edited_behind_the_annotations_back(
    executor: ThreadPoolExecutor,
) -> None:
    kube = FakeKube()
    r = reconciler(kube, executor, lambda req, p, c: result())
    first = await r.reconcile(target(kube))
    widened = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"] = json.dumps(widened)
    second = await r.reconcile(target(kube, status=first.status))
    assert kube.configmap_writes == 2
    assert json.loads(kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"]) == POLICY
    published = next(c for c in second.status["conditions"] if c["type"] == "Published")
    assert (published["status"], published["reason"]) == ("True", "ConfigMapUpdated")
    assert "restored: its data did not hold this policy" in published["message"]


async def test_a_rerun_says_it_re_created_a_deleted_configmap(executor: ThreadPoolExecutor) -> None:
    """ConfigMaps are not watched: a deleted one comes back with the next run (a schedule's, on the demo's
    control plane). Its Published condition said only "updated", as for a new policy, so whoever deleted it
    could not tell that the operator had put it back; an edited one already said "restored"."""
    kube = FakeKube()
    r = reconciler(kube, executor, lambda req, p, c: result())
    first = await r.reconcile(target(kube))
    del kube.configmaps[("ns", "pay-policy")]
    second = await r.reconcile(target(kube, status=first.status))
    assert json.loads(kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"]) == POLICY
    published = next(c for c in second.status["conditions"] if c["type"] == "Published")
    assert (published["status"], published["reason"]) == ("True", "ConfigMapUpdated")
    assert published["message"] == "ConfigMap pay-policy updated (restored: it did not exist)"
    # A new policy in a new ConfigMap is no repair.
    other = await r.reconcile(
        target(kube, status=first.status, spec={**SPEC, "output": {"configMap": {"name": "x"}}})
    )
    assert next(c for c in other.status["conditions"] if c["type"] == "Published")["message"] == (
        "ConfigMap x updated"
    )


async def test_invalid_source_is_permanent_and_says_what_to_fix(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()

    def missing_bucket(req: GenerationRequest, p: Any, c: Any) -> GenerationResult:
        raise InvalidRequestError(
            "bucket org-trail does not exist", field="spec.cloudTrail.s3.bucket", reason="BucketNotFound"
        )

    outcome = await reconciler(kube, executor, missing_bucket).reconcile(target(kube))
    assert outcome.failure == "permanent"
    assert (ready(outcome)["status"], ready(outcome)["reason"]) == ("False", "BucketNotFound")
    assert "org-trail does not exist" in ready(outcome)["message"]
    assert kube.configmaps == {}
    assert [e.reason for e in outcome.events] == ["Failed"]


async def test_temporary_failure_backs_off_and_keeps_the_last_good_policy(
    executor: ThreadPoolExecutor,
) -> None:
    kube = FakeKube()
    r = reconciler(kube, executor, lambda req, p, c: result())
    good = await r.reconcile(target(kube))

    def throttled(req: GenerationRequest, p: Any, c: Any) -> GenerationResult:
        raise TemporaryError("S3 SlowDown")

    r.generate = throttled
    first = await r.reconcile(target(kube, status=good.status, retry=0))
    assert (first.failure, first.delay) == ("temporary", 30)
    message = ready(first)["message"]
    assert "S3 SlowDown" in message and "retrying in 30s" in message and "last good policy" in message
    again = await r.reconcile(target(kube, status={**good.status, **first.status}, retry=2))
    assert again.delay == 120
    assert [e.reason for e in again.events] == []  # same failure again: no event storm
    assert kube.configmap_writes == 1


async def test_no_matching_events_is_permanent(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()

    def nothing(req: GenerationRequest, p: Any, c: Any) -> GenerationResult:
        raise NoMatchingEventsError("no event of the principal in the window")

    outcome = await reconciler(kube, executor, nothing).reconcile(target(kube))
    assert outcome.failure == "permanent" and ready(outcome)["reason"] == "NoMatchingEvents"


async def test_deleting_mid_run_cancels_the_scan_and_publishes_nothing(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    saw_cancel = threading.Event()

    def slow(req: GenerationRequest, progress: Any, cancel: threading.Event) -> GenerationResult:
        for files in range(1000):
            progress(Progress(files, 1000, files * 10, files))
            if cancel.wait(0.01):
                saw_cancel.set()
                raise ScanCancelled("cancelled")
        return result()

    r = reconciler(kube, executor, slow)
    task = asyncio.ensure_future(r.reconcile(target(kube)))
    await asyncio.sleep(0.1)
    assert any(
        (p.get("lastRun") or {}).get("filesScanned") is not None for p in kube.status_patches
    )  # progress
    kube.exists = False
    outcome = await asyncio.wait_for(task, 5)
    assert outcome.cancelled and saw_cancel.is_set()
    assert kube.configmaps == {}


async def test_spec_change_mid_run_cancels(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()

    def slow(req: GenerationRequest, progress: Any, cancel: threading.Event) -> GenerationResult:
        if cancel.wait(5):
            raise ScanCancelled("cancelled")
        return result()

    task = asyncio.ensure_future(reconciler(kube, executor, slow).reconcile(target(kube)))
    await asyncio.sleep(0.05)
    kube.generation = 2
    started = time.monotonic()
    outcome = await asyncio.wait_for(task, 5)
    assert outcome.cancelled and time.monotonic() - started < 2


async def test_pull_request_uses_the_secret_and_never_leaks_the_token(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    kube.secrets[("ns", "git")] = {"token": TOKEN, "username": "bot"}
    calls: list[tuple[PullRequestSpec, PullRequestContext, Credentials, tuple[str, ...]]] = []

    def open_pr(
        spec: PullRequestSpec, context: PullRequestContext, credentials: Credentials, allowed: tuple[str, ...]
    ) -> PullRequestStatus:
        calls.append((spec, context, credentials, allowed))
        return PullRequestStatus(
            url="https://github.com/acme/infra/pull/7",
            number=7,
            branch="policygen/ns/pay",
            head_sha="abc123",
            state="open",
            changed=True,
        )

    spec = PR_SPEC
    r = reconciler(kube, executor, lambda req, p, c: result(), open_pull_request=open_pr)
    outcome = await r.reconcile(target(kube, spec=spec))
    assert outcome.failure is None and ready(outcome)["status"] == "True"
    assert outcome.status["pullRequest"] == {
        "url": "https://github.com/acme/infra/pull/7",
        "number": 7,
        "branch": "policygen/ns/pay",
        "headSha": "abc123",
        "state": "open",
    }
    [(_, context, credentials, _)] = calls
    assert credentials == Credentials(token=TOKEN, username="bot")
    assert context.principal == PRINCIPAL and context.name == "ns/pay"
    assert TOKEN not in repr(outcome) and TOKEN not in repr(kube.status_patches)
    # Same policy, PR already open for this generation: not called again.
    await r.reconcile(target(kube, status=outcome.status, spec=spec))
    assert len(calls) == 1
    # The pull request is no longer wanted: its condition and status go.
    dropped = await r.reconcile(target(kube, status=outcome.status))
    assert dropped.status["pullRequest"] is None
    assert "PullRequestOpened" not in [c["type"] for c in dropped.status["conditions"]]


async def test_a_temporary_pull_request_failure_is_retried_without_a_new_scan(
    executor: ThreadPoolExecutor,
) -> None:
    kube = FakeKube()
    kube.secrets[("ns", "git")] = {"token": TOKEN}
    scans: list[GenerationRequest] = []
    contexts: list[PullRequestContext] = []

    def generate(req: GenerationRequest, p: Any, c: Any) -> GenerationResult:
        scans.append(req)
        return result()

    def open_pr(
        spec: PullRequestSpec, context: PullRequestContext, credentials: Credentials, allowed: tuple[str, ...]
    ) -> PullRequestStatus:
        contexts.append(context)
        if len(contexts) == 1:
            raise TemporaryError("github.com: HTTP 503")
        return PullRequestStatus(
            "https://github.com/acme/infra/pull/8", 8, "policygen/ns-pay", "abc", "open", True
        )

    r = reconciler(kube, executor, generate, open_pull_request=open_pr)
    failed = await r.reconcile(target(kube, spec=PR_SPEC))
    assert failed.failure == "temporary" and ready(failed)["reason"] == "TemporaryFailure"
    status = {**failed.status}
    retried = await r.reconcile(target(kube, status=status, spec=PR_SPEC, retry=1))
    assert retried.failure is None and ready(retried)["status"] == "True", retried
    assert len(scans) == 1  # the retry read the published policy back instead of scanning again
    assert retried.status["pullRequest"]["number"] == 8
    first, second = contexts
    assert second.policies == first.policies and second.denied_actions == first.denied_actions
    assert (second.window_start, second.window_end, second.events_scanned, second.events_matched) == (
        first.window_start,
        first.window_end,
        first.events_scanned,
        first.events_matched,
    )
    assert "lastRun" not in retried.status and [e.reason for e in retried.events] == ["Succeeded"]

    # A ConfigMap that no longer holds the policy in status is not trusted: a fresh reconciler (an operator
    # restart: nothing kept in memory) scans again; the same one delivers the scan it kept (issue 10).
    contexts.clear()
    kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"] = "{}"
    fresh = reconciler(kube, executor, generate, open_pull_request=open_pr)
    rescanned = await fresh.reconcile(target(kube, status=status, spec=PR_SPEC, retry=1))
    assert len(scans) == 2 and rescanned.failure == "temporary"  # the first call of open_pr fails again


async def test_missing_secret_fails_the_pull_request_permanently(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    spec = PR_SPEC  # no Secret "git" in this FakeKube
    outcome = await reconciler(kube, executor, lambda req, p, c: result()).reconcile(target(kube, spec=spec))
    assert outcome.failure == "permanent"
    pr = next(c for c in outcome.status["conditions"] if c["type"] == "PullRequestOpened")
    assert (pr["status"], pr["reason"]) == ("False", "CredentialsMissing")
    assert ready(outcome)["reason"] == "CredentialsMissing"
    assert ("ns", "pay-policy") in kube.configmaps  # the ConfigMap is still published


async def test_configmap_owned_by_someone_else_is_not_overwritten(executor: ThreadPoolExecutor) -> None:
    """A ConfigMap of that name that policygen did not write is left alone, and the conflict is retried with
    backoff: seen on the control plane, deleting the other ConfigMap started nothing (the failure was
    permanent and ConfigMaps are not watched), so the PolicyGeneration stayed in conflict until its spec
    changed. The retry delivers the scan it kept: the logs are not read again."""
    kube = FakeKube()
    kube.configmaps[("ns", "pay-policy")] = {
        "metadata": {"name": "pay-policy", "annotations": {}},
        "data": {"x": "y"},
    }
    scans: list[int] = []

    def generate(req: Any, p: Any, c: Any) -> GenerationResult:
        scans.append(1)
        return result()

    r = reconciler(kube, executor, generate)
    outcome = await r.reconcile(target(kube))
    assert outcome.failure == "temporary" and ready(outcome)["reason"] == "ConfigMapConflict"
    assert kube.configmaps[("ns", "pay-policy")]["data"] == {"x": "y"}
    assert ready(outcome)["message"] == (
        "ConfigMap ns/pay-policy exists and is not managed by this PolicyGeneration (it is left alone); "
        "choose another spec.output.configMap.name, or delete that ConfigMap: the write is tried again with "
        "backoff, the scan's result kept; retrying in 30s"
    )
    del kube.configmaps[("ns", "pay-policy")]  # the owner removes theirs
    retried = await r.reconcile(target(kube, status=outcome.status, retry=1))
    assert retried.failure is None and ready(retried)["status"] == "True"
    assert json.loads(kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"]) == POLICY
    assert len(scans) == 1


def test_schedule_due() -> None:
    settings = OperatorSettings(single_tenant=True)
    now = datetime(2026, 3, 2, tzinfo=UTC)
    spec = {**SPEC, "schedule": {"interval": "24h"}}
    done = {"observedGeneration": 1, "lastRun": {"completionTime": "2026-03-01T00:00:00Z"}}
    assert st.scheduled_run_due(spec, done, 1, now, settings)
    assert not st.scheduled_run_due(spec, done, 2, now, settings)  # new spec: the update handler runs it
    assert not st.scheduled_run_due(SPEC, done, 1, now, settings)
    recent = {"observedGeneration": 1, "lastRun": {"completionTime": "2026-03-01T12:00:00Z"}}
    assert not st.scheduled_run_due(spec, recent, 1, now, settings)
    running = {"observedGeneration": 1, "lastRun": {"startTime": "2026-03-01T12:00:00Z"}}
    assert not st.scheduled_run_due(spec, running, 1, now, settings)


@pytest.mark.parametrize(
    ("reason", "due"),
    [("SourceNotAllowed", False), ("PrincipalNotAllowed", False), ("NoMatchingEvents", True)],
)
def test_a_schedule_waits_for_the_admin_when_the_admin_refused(reason: str, due: bool) -> None:
    """A refusal the admin's object decides is lifted by the admin's change, which reruns the resource at
    once (services/adminrefs.py); a refused run writes no new completion time, so the schedule found the
    last good run's long past and ran (refused again) at every timer tick (the day-two journey). Other
    failures keep their schedule: a principal without events may make some by the next interval."""
    settings = OperatorSettings(single_tenant=True)
    spec = {**SPEC, "schedule": {"interval": "24h"}}
    status = {
        "observedGeneration": 1,
        "lastRun": {"completionTime": "2026-03-01T00:00:00Z"},
        "conditions": [{"type": "Generated", "status": "False", "reason": reason}],
    }
    assert st.scheduled_run_due(spec, status, 1, datetime(2026, 3, 5, tzinfo=UTC), settings) is due


class RefusingKube(FakeKube):
    """A FakeKube whose Secret read or ConfigMap write fails with a chosen error."""

    def __init__(self, secret_error: Exception | None = None, put_error: Exception | None = None) -> None:
        super().__init__()
        self.secret_error, self.put_error = secret_error, put_error

    async def read_secret(self, namespace: str, name: str) -> dict[str, str] | None:
        if self.secret_error is not None:
            raise self.secret_error
        return await super().read_secret(namespace, name)

    async def put_configmap(self, namespace: str, body: dict[str, Any]) -> None:
        if self.put_error is not None:
            raise self.put_error
        await super().put_configmap(namespace, body)


PERMANENT_K8S = KubernetesError("HTTP 403: forbidden", permanence=Permanence.PERMANENT)


@pytest.mark.parametrize(
    ("kube", "condition", "failure", "reason"),
    [
        # The ConfigMap step and the pull-request step read a KubernetesError the same way.
        (RefusingKube(put_error=PERMANENT_K8S), "Published", "permanent", "ConfigMapRejected"),
        (RefusingKube(put_error=KubernetesError("HTTP 500")), "Published", "temporary", "TemporaryFailure"),
        (RefusingKube(secret_error=PERMANENT_K8S), "PullRequestOpened", "permanent", "CredentialsUnreadable"),
        (
            RefusingKube(secret_error=KubernetesError("HTTP 503")),
            "PullRequestOpened",
            "temporary",
            "TemporaryFailure",
        ),
        # The rule for unknown errors holds in every step: temporary, InternalError.
        (RefusingKube(put_error=RuntimeError("bug")), "Published", "temporary", "InternalError"),
        (RefusingKube(secret_error=KeyError("bug")), "PullRequestOpened", "temporary", "InternalError"),
    ],
)
async def test_output_steps_classify_failures_alike(
    executor: ThreadPoolExecutor, kube: RefusingKube, condition: str, failure: str, reason: str
) -> None:
    kube.secrets[("ns", "git")] = {"token": TOKEN}
    r = reconciler(kube, executor, lambda req, p, c: result(), open_pull_request=lambda *a: None)
    outcome = await r.reconcile(target(kube, spec=PR_SPEC))
    assert outcome.failure == failure
    step = next(x for x in outcome.status["conditions"] if x["type"] == condition)
    assert (step["status"], step["reason"]) == ("False", reason)
    assert ready(outcome)["reason"] == reason
    assert (outcome.delay > 0) is (failure == "temporary")


WIDER = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@pytest.mark.parametrize("reason", ["ConfigMapConflict", "ConfigMapRejected"])
async def test_a_failed_publish_keeps_the_last_published_policy_in_status(
    executor: ThreadPoolExecutor, reason: str
) -> None:
    kube = RefusingKube()
    r = reconciler(kube, executor, lambda req, p, c: result())
    first = await r.reconcile(target(kube))
    published = first.status["policy"]
    # The next generation yields another policy, and its ConfigMap write fails.
    kube.generation = 2
    spec: Mapping[str, Any] = SPEC
    if reason == "ConfigMapConflict":
        spec = {**SPEC, "output": {"configMap": {"name": "taken"}}}
        kube.configmaps[("ns", "taken")] = {"metadata": {"name": "taken", "annotations": {}}, "data": {}}
    else:
        kube.put_error = PERMANENT_K8S  # e.g. the admission policy after someone removed the managed-by label
    r.generate = lambda req, p, c: result(WIDER)
    failed = await r.reconcile(target(kube, status=first.status, spec=spec))
    permanence = "temporary" if reason == "ConfigMapConflict" else "permanent"  # the owner may delete theirs
    assert failed.failure == permanence and ready(failed)["reason"] == reason
    # A merge patch without "policy" leaves status.policy (and ACTIONS/PARTS) as published.
    assert "policy" not in failed.status and "findings" not in failed.status
    step = next(x for x in failed.status["conditions"] if x["type"] == "Published")
    kept = f"the last good policy (generation 1, sha256 {published['sha256'][:12]}) is kept"
    assert kept in step["message"]
    assert json.loads(kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"]) == POLICY


async def test_a_first_publish_that_fails_claims_no_policy(executor: ThreadPoolExecutor) -> None:
    kube = RefusingKube(put_error=PERMANENT_K8S)
    outcome = await reconciler(kube, executor, lambda req, p, c: result()).reconcile(target(kube))
    assert ready(outcome)["reason"] == "ConfigMapRejected"
    assert "policy" not in outcome.status and "configMapRef" not in outcome.status


async def test_unknown_engine_error_is_temporary_internal_error(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()

    def broken(req: GenerationRequest, p: Any, c: Any) -> GenerationResult:
        raise ZeroDivisionError("division by zero")

    outcome = await reconciler(kube, executor, broken).reconcile(target(kube))
    assert (outcome.failure, outcome.delay) == ("temporary", 30)
    assert ready(outcome)["reason"] == "InternalError"
    assert "ZeroDivisionError" in ready(outcome)["message"]


async def test_retry_after_from_the_other_side_outlasts_the_backoff(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    kube.secrets[("ns", "git")] = {"token": TOKEN}

    def limited(*_: Any) -> PullRequestStatus:
        raise TemporaryError("github.com: HTTP 429", retry_after=300)

    r = reconciler(kube, executor, lambda req, p, c: result(), open_pull_request=limited)
    outcome = await r.reconcile(target(kube, spec=PR_SPEC))
    assert (outcome.failure, outcome.delay) == ("temporary", 300)
    step = next(x for x in outcome.status["conditions"] if x["type"] == "PullRequestOpened")
    assert "retrying in 300s" in step["message"]


async def test_a_split_policy_says_how_many_parts_and_where_each_is(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    second = {"Version": "2012-10-17", "Statement": [{**POLICY["Statement"][0], "Sid": "S3b"}]}
    split = result()
    split.results[PRINCIPAL].policies.append(second)
    outcome = await reconciler(kube, executor, lambda r, p, c: split).reconcile(target(kube))
    policy = outcome.status["policy"]
    assert policy["parts"] == 2 and policy["partKeys"] == ["policy.json", "policy-part2.json"]
    assert '"S3b"' not in policy["document"]  # document is part 1 only
    data = kube.configmaps[("ns", outcome.status["configMapRef"]["name"])]["data"]
    assert [k for k in policy["partKeys"] if k in data] == policy["partKeys"]
    assert '"S3b"' in data["policy-part2.json"]
