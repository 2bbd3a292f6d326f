"""Reconcile with tenancy (issue 10): a PolicyGeneration that names an admin's source and repository is
scanned and proposed with the admin's settings; a refusal is a condition and nothing is scanned or read."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.services import reconcile as rec
from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.generation import GenerationRequest, GenerationResult
from policygen_operator.services.pullrequest import (
    Credentials,
    PullRequestContext,
    PullRequestSpec,
    PullRequestStatus,
)
from policygen_operator.settings import OperatorSettings
from tests.fixtures.kube import FakeKube
from tests.unit.services.test_reconcile import PRINCIPAL, TOKEN, result, target

SOURCE = {
    "spec": {
        "s3": {"bucket": "org-trail", "endpointURL": "https://s3.mirror.example"},
        "aws": {"roleArn": "arn:aws:iam::111122223333:role/reader", "externalId": "ext-42"},
        "allowedPrincipals": ["arn:aws:iam::111122223333:role/payments-*"],
        "namespaces": {"names": ["ns"]},
    }
}
REPOSITORY = {
    "spec": {
        "provider": "github",
        "url": "https://github.com/acme/infra.git",
        "credentialsSecretRef": {"name": "forge"},
        "allowedPaths": ["iam/**"],
        "namespaces": {"names": ["ns"]},
    }
}
SPEC = {
    "principalArn": PRINCIPAL,
    "sourceRef": {"kind": "ClusterCloudTrailSource", "name": "org"},
    "window": {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"},
    "output": {
        "pullRequest": {
            "repositoryRef": {"kind": "ClusterPolicyRepository", "name": "infra"},
            "path": "iam",
            "format": "ack",
        }
    },
}


@pytest.fixture
def executor() -> Any:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


def kube_with_objects() -> FakeKube:
    kube = FakeKube()
    kube.admin_objects[("clustercloudtrailsources", None, "org")] = SOURCE
    kube.admin_objects[("clusterpolicyrepositories", None, "infra")] = REPOSITORY
    kube.namespace_labels_by_name["ns"] = {}
    kube.secrets[("policygen-system", "forge")] = {"token": TOKEN}
    return kube


def reconciler(
    kube: FakeKube, executor: ThreadPoolExecutor, scans: list[GenerationRequest], prs: list[Any]
) -> rec.Reconciler:
    def generate(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        scans.append(request)
        return result()

    def open_pull_request(
        spec: PullRequestSpec, context: PullRequestContext, credentials: Credentials, allowed: tuple[str, ...]
    ) -> PullRequestStatus:
        prs.append((spec, credentials, allowed))
        return PullRequestStatus(
            "https://github.com/acme/infra/pull/1", 1, "policygen/ns/pay", "abc", "open", True
        )

    settings = OperatorSettings(progress_interval=0.02, operator_namespace="policygen-system")
    return rec.Reconciler(
        settings,
        kube,
        executor,
        generate=generate,
        open_pull_request=open_pull_request,
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
    )


async def test_refs_resolve_to_the_admins_source_repository_and_credentials(
    executor: ThreadPoolExecutor,
) -> None:
    kube, scans, prs = kube_with_objects(), [], []
    outcome = await reconciler(kube, executor, scans, prs).reconcile(target(kube, spec=SPEC))
    assert outcome.failure is None, outcome.message
    [request] = scans
    assert request.source.bucket == "org-trail" and request.source.endpoint_url == "https://s3.mirror.example"
    assert request.aws.role_arn == "arn:aws:iam::111122223333:role/reader"
    assert request.aws.external_id == "ext-42"
    assert request.aws.session_name == "policygen-ns.pay"
    assert dict(request.aws.session_tags) == {
        "policygen.io/namespace": "ns",
        "policygen.io/name": "pay",
        "policygen.io/source": "ClusterCloudTrailSource/org",
    }
    [(spec, credentials, allowed)] = prs
    assert spec.repository == "https://github.com/acme/infra.git" and spec.path == "iam"
    assert (
        credentials.token == TOKEN
    )  # from the operator's namespace, where the cluster repository's Secret is
    assert allowed == ("https://github.com/acme/infra.git",)


def other_namespace(kube: FakeKube, spec: dict[str, Any]) -> None:
    source = {"spec": {**SOURCE["spec"], "namespaces": {"names": ["other"]}}}
    kube.admin_objects[("clustercloudtrailsources", None, "org")] = source


def admin_principal(kube: FakeKube, spec: dict[str, Any]) -> None:
    spec["principalArn"] = "arn:aws:iam::111122223333:role/admin"


def path_outside(kube: FakeKube, spec: dict[str, Any]) -> None:
    spec["output"]["pullRequest"]["path"] = "prod"


def inline_metadata_endpoint(kube: FakeKube, spec: dict[str, Any]) -> None:
    """A team's own endpoint: today the operator would sign requests to the instance metadata address."""
    del spec["sourceRef"]
    spec["cloudTrail"] = {"s3": {"bucket": "b", "endpointURL": "http://169.254.169.254"}}


def missing_repository(kube: FakeKube, spec: dict[str, Any]) -> None:
    spec["output"]["pullRequest"]["repositoryRef"] = {"kind": "PolicyRepository", "name": "x"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (other_namespace, "SourceNotAllowed"),
        (admin_principal, "PrincipalNotAllowed"),
        (path_outside, "PathNotAllowed"),
        (inline_metadata_endpoint, "SourceNotAllowed"),
        (missing_repository, "RepositoryRefNotFound"),
    ],
)
async def test_refusals_are_conditions_and_nothing_is_scanned_or_sent(
    executor: ThreadPoolExecutor, change: Any, reason: str
) -> None:
    kube, scans, prs = kube_with_objects(), [], []
    spec = {**SPEC, "output": {"pullRequest": dict(SPEC["output"]["pullRequest"])}}
    change(kube, spec)
    outcome = await reconciler(kube, executor, scans, prs).reconcile(target(kube, spec=spec))
    ready = _condition(outcome, "Ready")
    assert (ready["status"], ready["reason"]) == ("False", reason)
    assert "admin" in ready["message"]
    assert scans == [] and prs == [] and kube.configmap_writes == 0


async def test_the_retry_path_revalidates_the_stored_policy(executor: ThreadPoolExecutor) -> None:
    """Issue 10: a policy read back for a pull-request retry that no longer validates (the ConfigMap and the
    status sha256 both changed to an invalid document) is not proposed: the retry scans again."""
    from policygen_operator.services.publish import policies_sha256, pretty
    from tests.unit.services.test_reconcile import PR_SPEC

    kube = FakeKube()
    kube.secrets[("ns", "git")] = {"token": TOKEN}
    scans: list[GenerationRequest] = []
    calls: list[Any] = []

    def generate(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        scans.append(request)
        return result()

    def open_pull_request(spec: Any, context: PullRequestContext, credentials: Any, allowed: Any) -> Any:
        calls.append(context)
        if len(calls) == 1:
            from policygen_operator.services.errors import TemporaryError

            raise TemporaryError("forge down")
        return PullRequestStatus(
            "https://github.com/acme/infra/pull/1", 1, "policygen/ns/pay", "a", "open", True
        )

    settings = OperatorSettings(progress_interval=0.02, single_tenant=True, allowed_repositories=("*",))
    r = rec.Reconciler(
        settings,
        kube,
        executor,
        generate=generate,
        open_pull_request=open_pull_request,
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
    )
    failed = await r.reconcile(target(kube, spec=PR_SPEC))
    bad = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Bogus": 1}],
    }
    kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"] = pretty(bad)
    status = {**failed.status, "policy": {**failed.status["policy"], "sha256": policies_sha256([bad])}}
    await r.reconcile(target(kube, status=status, spec=PR_SPEC, retry=1))
    assert len(calls) == 2 and bad not in calls[1].policies  # the scan's own policy, not the tampered one
    assert calls[1].policies == calls[0].policies


async def test_a_run_records_the_generations_of_the_admin_objects_it_read(
    executor: ThreadPoolExecutor,
) -> None:
    """So that a nudge for a change this run already saw is not a second scan (``adminrefs.run_saw``)."""
    kube = kube_with_objects()
    kube.admin_objects[("clustercloudtrailsources", None, "org")] = {**SOURCE, "metadata": {"generation": 4}}
    kube.admin_objects[("clusterpolicyrepositories", None, "infra")] = {
        **REPOSITORY,
        "metadata": {"generation": 7},
    }
    outcome = await reconciler(kube, executor, [], []).reconcile(target(kube, spec=SPEC))
    assert outcome.failure is None, outcome.message
    last = outcome.status["lastRun"]
    assert (last["sourceGeneration"], last["repositoryGeneration"]) == (4, 7) and last["completionTime"]
    # written with the run's start, before the scan: a nudge's handler waits for the run, never sees less
    assert kube.status_patches[0]["lastRun"]["sourceGeneration"] == 4


async def test_a_permanent_scan_failure_says_it_waits_for_a_fix_and_whose(
    executor: ThreadPoolExecutor,
) -> None:
    """Seen on the control plane: a ClusterCloudTrailSource naming a bucket that does not exist gave the team
    `InvalidSpec: listing s3://.../AWSLogs/: NoSuchBucket: The specified bucket does not exist`: neither that
    it would not be retried (a temporary failure says when the next try is) nor that the bucket was the
    admin's, in an object the team cannot edit. The permanent failure now says both; a temporary one keeps
    its retry time."""
    kube, prs = kube_with_objects(), []
    failing = rec.Reconciler(
        OperatorSettings(progress_interval=0.02, operator_namespace="policygen-system"),
        kube,
        executor,
        generate=lambda request, progress, cancel: (_ for _ in ()).throw(
            InvalidRequestError(
                "listing s3://org-trail/AWSLogs/: NoSuchBucket: The specified bucket does not exist"
            )
        ),
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
    )
    outcome = await failing.reconcile(target(kube, spec=SPEC))
    generated = _condition(outcome, "Generated")
    assert generated["reason"] == "InvalidSpec"
    assert generated["message"] == (
        "listing s3://org-trail/AWSLogs/: NoSuchBucket: The specified bucket does not exist; not retried "
        "until the spec changes or ClusterCloudTrailSource org does: the logs' location and access (bucket, "
        "prefix, accounts, regions, role) are that source's, so if one of those is wrong ask its admin to "
        "fix it, else fix this PolicyGeneration's spec"
    )
    assert prs == []
    inline = {**SPEC, "cloudTrail": {"s3": {"bucket": "org-trail"}}}
    del inline["sourceRef"], inline["output"]
    single = rec.Reconciler(
        OperatorSettings(progress_interval=0.02, single_tenant=True),
        kube,
        executor,
        generate=failing.generate,
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
    )
    outcome = await single.reconcile(target(kube, spec=inline))
    generated = _condition(outcome, "Generated")
    assert generated["message"].endswith("does not exist; not retried until the spec changes")


async def test_a_repository_that_cannot_be_reached_names_the_admins_object(
    executor: ThreadPoolExecutor,
) -> None:
    """Seen on the control plane: a ClusterPolicyRepository whose url named no repository gave the team
    `PullRequestOpened=False/RepositoryNotFound` with git's stderr alone ("fatal: '/nonexistent/repo.git' does
    not appear to be a git repository ..."): not whose URL it was, nor that it is not retried."""
    kube, scans = kube_with_objects(), []

    def not_found(*args: Any) -> PullRequestStatus:
        raise InvalidRequestError(  # as services.pullrequest makes it of git's GitCommandError "not_found"
            "git ls-remote failed: fatal: repository 'https://github.com/acme/infra.git/' not found",
            reason="RepositoryNotFound",
        )

    r = reconciler(kube, executor, scans, [])
    r.open_pull_request = not_found
    outcome = await r.reconcile(target(kube, spec=SPEC))
    opened = _condition(outcome, "PullRequestOpened")
    assert opened["reason"] == "RepositoryNotFound"
    assert opened["message"] == (
        "git ls-remote failed: fatal: repository 'https://github.com/acme/infra.git/' not found; not retried "
        "until the spec changes or ClusterPolicyRepository infra does: its url, provider and credentials are "
        "that repository object's, so if one of those is wrong ask its admin to fix it"
    )


def _condition(outcome: Any, kind: str) -> dict[str, Any]:
    """The condition of that type an outcome's status holds (StopIteration when it holds none)."""
    return next(c for c in outcome.status["conditions"] if c["type"] == kind)


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        (("clustercloudtrailsources", None, "org"), "SourceNotFound"),
        (("clusterpolicyrepositories", None, "infra"), "RepositoryRefNotFound"),
    ],
)
async def test_a_missing_admin_object_is_retried_soon_however_long_it_has_been_missing(
    executor: ThreadPoolExecutor, missing: tuple[str, None, str], reason: str
) -> None:
    """The admin creating the source or repository is what ends the refusal, and the event of its creation
    annotates the PolicyGeneration (services/adminrefs.py), but kopf holds a handler in backoff until the
    delay it was given ends: after a long absence (backoff doubled to 600 s) the recovery waited up to ten
    minutes (the operator journey: re-created at 05:28:20, Ready on the next retry). The delay for a missing
    admin object stays short; other temporary failures keep the doubling backoff."""
    kube, scans, prs = kube_with_objects(), [], []
    del kube.admin_objects[missing]
    r = reconciler(kube, executor, scans, prs)
    r.settings = OperatorSettings(
        progress_interval=0.02, operator_namespace="policygen-system", retry_backoff=30, retry_backoff_max=600
    )
    outcome = await r.reconcile(target(kube, spec=SPEC, retry=6))  # 30 s doubled six times, capped at 600
    assert outcome.failure == "temporary"
    failed = next(c for c in outcome.status["conditions"] if c["type"] != "Ready" and c["reason"] == reason)
    assert failed and outcome.delay == rec.ADMIN_OBJECT_RETRY, outcome.delay
    assert rec.ADMIN_OBJECT_RETRY <= 60
