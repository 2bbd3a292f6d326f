"""The rightsizing service with an in-memory Kubernetes and IAM, and the real engine on the sample logs.

The real API server, moto's IAM and S3 are exercised by tests/integration/test_rightsizing_operator.py; here
the point is the decisions: one child per distinct role, children of vanished roles deleted, ONE scan for
every role, a scan only when due, granted-versus-used in each child's status and ConfigMap, parent totals.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.adapters.aws.errors import PERMANENT, AwsError
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.engine import ScanCancelled
from policygen_operator.domain.rightsizing import IRSA, POD_IDENTITY, Binding, child_name
from policygen_operator.services import metrics
from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.generation import (
    GenerationRequest,
    GenerationResult,
    Progress,
    run_generation,
)
from policygen_operator.services.pullrequest import GroupRequest, PullRequestSpec, PullRequestStatus
from policygen_operator.services.rightsizing import FED_BY, PARENT_UID, Parent, RightsizingService
from policygen_operator.settings import OperatorSettings
from tests.fixtures.crd_schema import check_status
from tests.fixtures.kube import FakeKube, merge_patch
from tests.fixtures.podidentity import assume_role, call, session_name, write_delivery_file
from tests.fixtures.rightsizing import FakeAws

ROOT = Path(__file__).resolve().parents[3]
ORDERS = "arn:aws:iam::111122223333:role/service-role/order-processor"
DEPLOYER = "arn:aws:iam::111122223333:role/ci-deployer"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
SPEC = {
    "childNamespace": "fleet",
    "cloudTrail": {"local": {"path": str(ROOT / "examples" / "cloudtrail" / "AWSLogs")}},
    "window": {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
    "guards": {"minEvents": 1},
}


class CountingEngine:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.lock = threading.Lock()

    def __call__(self, request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        with self.lock:
            self.calls.append(request.principals)
        return run_generation(request, progress, cancel)


def parent(status: Mapping[str, Any] | None = None, generation: int = 1) -> Parent:
    return Parent(
        "ClusterRightsizing",
        None,
        "fleet",
        "uid-parent",
        generation,
        SPEC,
        dict(status or {}),
        {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "ClusterRightsizing",
            "name": "fleet",
            "uid": "uid-parent",
        },
    )


def run(service: RightsizingService, target: Parent) -> Any:
    """One pass; what the handler would write must be what the parent's schema keeps (crd_schema)."""
    outcome = asyncio.run(service.reconcile(target))
    check_status("clusterrightsizings" if target.namespace is None else "rightsizings", outcome.status)
    return outcome


def service(kube: FakeKube, engine: CountingEngine) -> RightsizingService:
    settings = OperatorSettings(progress_interval=0.05)
    return RightsizingService(settings, kube, FakeAws(), ThreadPoolExecutor(2), engine, clock=lambda: NOW)


def test_one_child_per_role_one_scan_counts_and_garbage_collection() -> None:
    kube = FakeKube(
        {
            "team-a": [
                Binding(ORDERS, IRSA, "team-a", "orders"),
                Binding(DEPLOYER, IRSA, "team-a", "deploy"),
            ],
            "team-b": [Binding(ORDERS, IRSA, "team-b", "orders-replica")],
        }
    )
    engine = CountingEngine()
    svc = service(kube, engine)
    outcome = run(svc, parent())
    assert outcome.failure is None, outcome.message
    assert engine.calls == [(DEPLOYER, ORDERS)]  # ONE scan for both roles
    names = {child_name("fleet", ORDERS), child_name("fleet", DEPLOYER)}
    assert {name for _, name in kube.objects} == names
    orders = kube.objects[("fleet", child_name("fleet", ORDERS))]
    assert orders["metadata"]["annotations"][FED_BY] == "ClusterRightsizing/fleet"
    assert orders["metadata"]["labels"][PARENT_UID] == "uid-parent"
    assert orders["spec"]["principalArn"] == ORDERS
    right = orders["status"]["rightsizing"]
    assert right["serviceAccounts"] == ["team-a/orders", "team-b/orders-replica"]
    assert [c["status"] for c in orders["status"]["conditions"] if c["type"] == "Ready"] == ["True"]
    cm = kube.configmaps[("fleet", f"{child_name('fleet', ORDERS)}-policy")]
    detail = json.loads(cm["data"]["rightsizing.json"])
    # hand count: granted = all s3 and sqs actions and dynamodb:GetItem; used = the granted ones it called
    used_granted = [a for a in detail["used"] if a.split(":")[0] in ("s3", "sqs") or a == "dynamodb:GetItem"]
    assert right["grantedActions"] == len(detail["granted"])
    assert right["unusedActions"] == right["grantedActions"] - len(used_granted)
    assert json.loads(cm["data"]["policy.json"])["Statement"]
    status = outcome.status
    assert status["rolesFound"] == 2 and status["serviceAccounts"] == 3 and status["namespaces"] == 2
    assert status["unusedActions"] == sum(r["unusedActions"] for r in status["roles"])
    assert status["lastScan"]["roles"] == [DEPLOYER, ORDERS]
    [(kind, reason, message)] = outcome.events
    assert (kind, reason) == ("Normal", "Succeeded") and message.startswith("one scan for 2 roles")
    text = metrics.REGISTRY.get_sample_value(
        "policygen_rightsizing_scans_total", {"parent": "ClusterRightsizing/fleet"}
    )
    assert text is not None and text >= 1

    # Rediscovery without changes: no new scan.
    again = run(svc, parent(status))
    assert engine.calls == [(DEPLOYER, ORDERS)]
    assert again.status["lastScan"] == status["lastScan"]
    assert again.events == []  # nothing happened worth an event
    assert [c["reason"] for c in again.status["conditions"] if c["type"] == "Scanned"] == ["UpToDate"]

    # The deployer's annotation is removed: its child goes, no scan is needed for a role that left.
    kube.accounts["team-a"] = [Binding(ORDERS, IRSA, "team-a", "orders")]
    after = run(svc, parent(again.status))
    assert kube.deleted == [child_name("fleet", DEPLOYER)]
    assert engine.calls == [(DEPLOYER, ORDERS)]
    assert after.status["rolesFound"] == 1 and [r["arn"] for r in after.status["roles"]] == [ORDERS]
    assert (
        metrics.REGISTRY.get_sample_value(
            "policygen_rightsizing_role_actions",
            {"parent": "ClusterRightsizing/fleet", "role": DEPLOYER, "kind": "granted"},
        )
        is not None
    )  # series dropped only at the next scan, which re-publishes every current role

    # A new role not covered by the last scan: one new scan for all roles.
    kube.accounts["team-b"].append(Binding(DEPLOYER, IRSA, "team-b", "deploy"))
    assert after.status["lastScan"]["roles"] == [ORDERS]
    run(svc, parent(after.status))
    assert engine.calls == [(DEPLOYER, ORDERS), (DEPLOYER, ORDERS)]
    assert "rightsizing" in kube.objects[("fleet", child_name("fleet", DEPLOYER))]["status"]


def test_child_namespace_missing_is_permanent() -> None:
    kube = FakeKube({})
    svc = service(kube, CountingEngine())
    bad = Parent("ClusterRightsizing", None, "x", "u", 1, {**SPEC, "childNamespace": ""}, {}, {})
    outcome = run(svc, bad)
    assert outcome.failure == "permanent" and "childNamespace" in outcome.message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"cloudTrail": {"s3": {"bucket": "org-trail", "regions": ["us-est-1"]}}},
            "spec.cloudTrail.s3.regions",
        ),
        ({"aws": {"region": "us-est-1"}}, "spec.aws.region"),
        (
            {"discovery": {"podIdentity": {"clusterName": "prod", "region": "us-est-1"}}},
            "spec.discovery.podIdentity.region",
        ),
    ],
)
def test_a_region_no_partition_has_is_permanent_before_discovery(changes: dict[str, Any], field: str) -> None:
    """us-est-1 has a region's shape, so the CRD lets it in: the scan read no region folder and reported
    the roles' granted actions as unused; aws.region (IAM, EKS) named an endpoint that does not exist."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    engine = CountingEngine()
    bad = Parent("ClusterRightsizing", None, "x", "u", 1, {**SPEC, **changes}, {}, {})
    outcome = run(service(kube, engine), bad)
    assert outcome.failure == "permanent" and f"{field}: 'us-est-1' is not an AWS region" in outcome.message
    assert [c["reason"] for c in outcome.status["conditions"] if c["type"] == "Discovered"] == ["InvalidSpec"]
    assert engine.calls == [] and kube.objects == {}


def test_children_only_in_a_watched_namespace() -> None:
    """Issue 10: under a namespace list a ClusterRightsizing's children would land where nobody reconciles
    them (and deploy/'s RBAC grants nothing): refused with a condition that says what to ask for."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    engine = CountingEngine()
    settings = OperatorSettings(progress_interval=0.05, namespaces=("policygen-system", "team-*"))
    svc = RightsizingService(settings, kube, FakeAws(), ThreadPoolExecutor(1), engine, clock=lambda: NOW)
    outcome = run(svc, parent())  # childNamespace "fleet" is not in the list
    assert outcome.failure == "permanent" and "'fleet' is not watched" in outcome.message
    assert [c["reason"] for c in outcome.status["conditions"] if c["type"] == "Discovered"] == [
        "ChildNamespaceNotWatched"
    ]
    assert engine.calls == [] and not [key for key in kube.objects if key[0] == "fleet"]
    watched = RightsizingService(
        OperatorSettings(progress_interval=0.05, namespaces=("fleet",)),
        kube,
        FakeAws(),
        ThreadPoolExecutor(1),
        engine,
        clock=lambda: NOW,
    )
    assert run(watched, parent()).failure is None


def test_no_roles_is_ready_without_a_scan() -> None:
    engine = CountingEngine()
    outcome = run(service(FakeKube({"empty": []}), engine), parent())
    assert engine.calls == [] and outcome.status["rolesFound"] == 0
    assert [c["status"] for c in outcome.status["conditions"] if c["type"] == "Ready"] == ["True"]


def test_namespaced_rightsizing_covers_its_namespace_and_owns_children_there() -> None:
    """Multi-tenant (the default): the namespace's CloudTrailSource decides which roles it may rightsize."""
    kube = FakeKube(
        {
            "team-a": [
                Binding(ORDERS, IRSA, "team-a", "orders"),
                Binding(DEPLOYER, IRSA, "team-a", "deploy"),
            ],
            "team-b": [Binding(DEPLOYER, IRSA, "team-b", "deploy")],  # another namespace: out of scope
        }
    )
    trail = {"local": {"path": SPEC["cloudTrail"]["local"]["path"]}}
    kube.admin_objects[("cloudtrailsources", "team-a", "trail")] = {
        "spec": {**trail, "allowedPrincipals": ["arn:aws:iam::111122223333:role/service-role/*"]}
    }
    reads: list[str] = []
    read = kube.get_policygen_object

    async def counted(plural: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        reads.append(name)
        return await read(plural, namespace, name)

    kube.get_policygen_object = counted  # type: ignore[method-assign]
    engine = CountingEngine()
    spec = {k: v for k, v in SPEC.items() if k not in ("childNamespace", "cloudTrail")}
    spec["sourceRef"] = {"name": "trail"}
    owner = {"apiVersion": "policygen.io/v1alpha1", "kind": "Rightsizing", "name": "mine", "uid": "uid-ns"}
    target = Parent("Rightsizing", "team-a", "mine", "uid-ns", 1, spec, {}, owner)
    kube.parent_uid = "uid-ns"
    outcome = run(service(kube, engine), target)
    assert outcome.failure is None, outcome.message
    assert engine.calls == [(ORDERS,)]
    assert outcome.status["rolesNotAllowed"] == [DEPLOYER]  # not in the source's allowedPrincipals
    assert reads == ["trail"]  # the source is read once per pass, not once per role
    assert list(kube.objects) == [("team-a", child_name("mine", ORDERS))]
    child = kube.objects[("team-a", child_name("mine", ORDERS))]
    assert child["metadata"]["annotations"][FED_BY] == "Rightsizing/team-a/mine"
    assert child["metadata"]["ownerReferences"] == [owner]
    assert child["spec"]["sourceRef"] == {"name": "trail"} and "cloudTrail" not in child["spec"]
    assert outcome.status["namespaces"] == 1 and outcome.status["rolesFound"] == 1


def test_namespaced_rightsizing_with_an_inline_source_is_refused_unless_single_tenant() -> None:
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    spec = {k: v for k, v in SPEC.items() if k != "childNamespace"}
    target = Parent("Rightsizing", "team-a", "mine", "uid-ns", 1, spec, {}, {})
    kube.parent_uid = "uid-ns"
    outcome = run(service(kube, CountingEngine()), target)
    assert outcome.failure == "permanent" and "spec.sourceRef" in outcome.message
    assert [c["reason"] for c in outcome.status["conditions"] if c["type"] == "Discovered"] == [
        "SourceNotAllowed"
    ]
    assert kube.objects == {}
    single = RightsizingService(
        OperatorSettings(progress_interval=0.05, single_tenant=True),
        kube,
        FakeAws(),
        ThreadPoolExecutor(1),
        CountingEngine(),
        clock=lambda: NOW,
    )
    assert run(single, target).failure is None


def test_excluded_principals_get_no_child_and_keep_actions_are_not_unused() -> None:
    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "o"), Binding(DEPLOYER, IRSA, "team-a", "d")]}
    )
    spec = {**SPEC, "guards": {"excludePrincipals": ["arn:aws:iam::*:role/ci-*"], "keepActions": ["sqs:*"]}}
    target = Parent("ClusterRightsizing", None, "fleet", "uid-parent", 1, spec, {}, {})
    outcome = run(service(kube, CountingEngine()), target)
    assert [r["arn"] for r in outcome.status["roles"]] == [ORDERS]
    cm = kube.configmaps[("fleet", f"{child_name('fleet', ORDERS)}-policy")]
    detail = json.loads(cm["data"]["rightsizing.json"])
    assert detail["kept"] and all(a.startswith("sqs:") for a in detail["kept"])
    assert not any(a.startswith("sqs:") for a in detail["unused"])


class FailingAws(FakeAws):
    def __init__(self, permanence: Permanence) -> None:
        self.permanence = permanence

    def role_policies(self, aws: Any, role_arn: str) -> Any:
        raise AwsError(f"reading role x: {self.permanence}", permanence=self.permanence, field="aws")


@pytest.mark.parametrize(
    ("permanence", "failure"), [(Permanence.TEMPORARY, "temporary"), (PERMANENT, "permanent")]
)
def test_an_iam_failure_fails_the_scan_step_with_its_own_permanence(
    permanence: Permanence, failure: str
) -> None:
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    settings = OperatorSettings(progress_interval=0.05)
    svc = RightsizingService(
        settings, kube, FailingAws(permanence), ThreadPoolExecutor(1), CountingEngine(), clock=lambda: NOW
    )
    outcome = run(svc, parent())
    assert outcome.failure == failure and "reading role x" in outcome.message
    scanned = [c for c in outcome.status["conditions"] if c["type"] == "Scanned"]
    assert scanned[0]["status"] == "False"
    assert [c["status"] for c in outcome.status["conditions"] if c["type"] == "Ready"] == ["False"]
    assert [e[:2] for e in outcome.events] == [("Warning", "Failed")]
    again = run(svc, parent(outcome.status))  # the same failure on the next pass: no second event
    assert again.failure == failure and again.events == []


def test_deleting_the_parent_mid_scan_cancels_it_after_writing_progress() -> None:
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})

    def slow_engine(request: GenerationRequest, progress: Any, cancel: threading.Event) -> GenerationResult:
        for files in range(1, 400):
            progress(Progress(files, None, files * 500, files))
            if files == 3:
                kube.parent_exists = False  # `kubectl delete clusterrightsizing fleet` while it scans
            if cancel.wait(0.02):
                raise ScanCancelled("cancelled")
        raise AssertionError("the scan was not cancelled")

    settings = OperatorSettings(progress_interval=0.05)
    svc = RightsizingService(settings, kube, FakeAws(), ThreadPoolExecutor(1), slow_engine, clock=lambda: NOW)
    outcome = run(svc, parent())
    assert outcome.cancelled and outcome.status == {}
    assert kube.parent_status["lastScan"]["filesScanned"] >= 1  # progress reached the status first
    child = kube.objects[("fleet", child_name("fleet", ORDERS))]["status"]  # the scan's start only:
    assert "rightsizing" not in child and "policy" not in child  # no child was fed
    assert [c["reason"] for c in child["conditions"]] == ["Generating"]  # test_rightsizing_children_scanning


def test_a_scan_starts_with_a_last_scan_of_its_own() -> None:
    """The parent's status is merged: a scan's progress went into the last scan's lastScan, which went on
    showing that scan's start, completion time, window, roles and counters beside the new scan's progress
    (kubectl's Last-Scan column said a scan had completed while one ran). From its start, lastScan is the
    running scan's: its start, generation and window, nothing of the scan before."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    before = {
        "startTime": "2026-11-20T00:00:00Z",
        "completionTime": "2026-11-20T00:05:00Z",
        "generation": 1,
        "windowStart": "2026-10-21T00:00:00Z",
        "windowEnd": "2026-11-20T00:00:00Z",
        "roles": [ORDERS],
        "filesScanned": 900,
        "filesTotal": 900,
        "foldersListed": 40,
        "objectsListed": 950,
        "eventsScanned": 70_000,
        "eventsMatched": 1_200,
        "durationSeconds": 300.0,
    }
    kube.parent_status = {"lastScan": dict(before)}
    kube.parent_generation = 2
    during: list[dict[str, Any]] = []

    def engine(request: GenerationRequest, progress: Any, cancel: threading.Event) -> GenerationResult:
        during.append(copy.deepcopy(kube.parent_status["lastScan"]))  # as `kubectl get -o yaml` shows it
        progress(Progress(2, 9, 300, 4))
        cancel.wait(0.2)
        during.append(copy.deepcopy(kube.parent_status["lastScan"]))
        return run_generation(request, progress, cancel)

    settings = OperatorSettings(progress_interval=0.05)
    svc = RightsizingService(settings, kube, FakeAws(), ThreadPoolExecutor(1), engine, clock=lambda: NOW)
    outcome = run(svc, parent({"lastScan": before}, generation=2))
    assert outcome.failure is None, outcome.message
    started = {
        "startTime": "2026-12-01T00:00:00Z",
        "generation": 2,
        "windowStart": "2026-11-01T00:00:00Z",
        "windowEnd": "2026-12-01T00:00:00Z",
    }
    assert during[0] == started
    assert during[1] == {
        **started,
        "filesScanned": 2,
        "filesTotal": 9,
        "eventsScanned": 300,
        "eventsMatched": 4,
    }
    assert outcome.status["lastScan"]["completionTime"] == "2026-12-01T00:00:00Z"


def written_by_a_pass() -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """What one scanning pass writes: its progress patches of the parent's status (a scan that lists, then
    knows its files total), the parent's final status, and its children's statuses."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    written: list[dict[str, Any]] = []
    patch = kube.patch_parent_status

    async def recorded(namespace: str | None, name: str, status: Mapping[str, Any]) -> bool:
        written.append(dict(status))
        return await patch(namespace, name, status)

    kube.patch_parent_status = recorded  # type: ignore[method-assign]

    def listing_engine(
        request: GenerationRequest, progress: Any, cancel: threading.Event
    ) -> GenerationResult:
        progress(Progress(0, None, 0, 0, folders_listed=12, objects_listed=340))
        cancel.wait(0.2)
        progress(Progress(3, 7, 1500, 3, folders_listed=12, objects_listed=340))
        cancel.wait(0.2)
        return run_generation(request, progress, cancel)

    settings = OperatorSettings(progress_interval=0.05)
    svc = RightsizingService(
        settings, kube, FakeAws(), ThreadPoolExecutor(1), listing_engine, clock=lambda: NOW
    )
    outcome = asyncio.run(svc.reconcile(parent()))
    assert outcome.failure is None, outcome.message
    return written, outcome.status, [child["status"] for child in kube.objects.values()]


def test_every_status_field_a_pass_writes_is_one_the_schemas_keep() -> None:
    """What a pass writes, its progress (``lastScan`` while it scans: files total once listed, folders and
    objects listed, as the CLI shows them), its final status and its children's, against the CRD schemas:
    the API server drops a field its schema lacks without an error (lastScan had no filesTotal, so a
    Rightsizing's progress never showed how many files the scan had to read). The control-plane side:
    tests/integration/test_operator_schema.py."""
    progress, final, children = written_by_a_pass()
    assert any(w["lastScan"].get("filesTotal") == 7 for w in progress)
    for status in [*progress, final]:
        check_status("clusterrightsizings", status)
        check_status("rightsizings", status)
    for status in children:
        check_status("policygenerations", status)


def test_a_new_parent_spec_is_copied_into_the_children_and_scanned_again() -> None:
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    engine = CountingEngine()
    svc = service(kube, engine)
    first = run(svc, parent())
    narrower = {**SPEC, "window": {"start": "2026-11-20T00:00:00Z", "end": "2026-12-01T00:00:00Z"}}
    owner = {"apiVersion": "policygen.io/v1alpha1", "kind": "ClusterRightsizing", "name": "fleet", "uid": "u"}
    second = Parent("ClusterRightsizing", None, "fleet", "uid-parent", 2, narrower, first.status, owner)
    kube.parent_generation = 2
    outcome = run(svc, second)
    assert outcome.failure is None, outcome.message
    child = kube.objects[("fleet", child_name("fleet", ORDERS))]
    assert child["spec"]["window"] == narrower["window"]
    assert len(engine.calls) == 2  # a new generation is always scanned
    assert outcome.status["lastScan"]["windowStart"] == "2026-11-20T00:00:00Z"


def test_moving_the_child_namespace_moves_the_children() -> None:
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    svc = service(kube, CountingEngine())
    first = run(svc, parent())
    moved = {**SPEC, "childNamespace": "fleet-2"}
    owner = {"apiVersion": "policygen.io/v1alpha1", "kind": "ClusterRightsizing", "name": "fleet", "uid": "u"}
    kube.parent_generation = 2
    run(svc, Parent("ClusterRightsizing", None, "fleet", "uid-parent", 2, moved, first.status, owner))
    assert list(kube.objects) == [("fleet-2", child_name("fleet", ORDERS))]
    assert kube.deleted == [child_name("fleet", ORDERS)]


def test_a_team_cannot_point_pod_identity_discovery_at_its_own_endpoint() -> None:
    kube = FakeKube({"team-a": []})
    kube.admin_objects[("cloudtrailsources", "team-a", "trail")] = {
        "spec": {"local": {"path": "/logs"}, "allowedPrincipals": ["*"]}
    }
    spec = {
        "sourceRef": {"name": "trail"},
        "discovery": {"podIdentity": {"clusterName": "prod", "endpointURL": "http://attacker.example"}},
    }
    outcome = run(service(kube, CountingEngine()), Parent("Rightsizing", "team-a", "r", "u", 1, spec, {}, {}))
    assert outcome.failure == "permanent" and "endpointURL" in outcome.message
    assert [c["reason"] for c in outcome.status["conditions"] if c["type"] == "Discovered"] == [
        "APIHostNotAllowed"
    ]


def test_grouping_per_namespace_makes_one_pull_request_per_namespace() -> None:
    """``grouping: namespace``: the service hands the pull-request service ONE request per namespace with
    every proposed role's file (a role shared by two namespaces goes with the first; a held-back role with
    none); each role's child gets that pull request's outcome. ``role`` (the default) asks per role."""
    third = "arn:aws:iam::111122223333:role/reporting"
    kube = FakeKube(
        {
            "team-a": [
                Binding(ORDERS, IRSA, "team-a", "orders"),
                Binding(DEPLOYER, IRSA, "team-a", "deploy"),
            ],
            "team-b": [Binding(ORDERS, IRSA, "team-b", "replica"), Binding(third, IRSA, "team-b", "reports")],
        }
    )
    groups: list[GroupRequest] = []
    singles: list[str] = []

    def open_group(spec: PullRequestSpec, group: GroupRequest, *_: Any) -> PullRequestStatus:
        groups.append(group)
        if group.namespace == "team-b":
            raise InvalidRequestError(
                f"{group.edits[0].path}: cannot edit", field="spec.output.pullRequest.path"
            )
        return PullRequestStatus("https://forge/pr/7", 7, "policygen/x", "abc", "open", True)

    def open_single(spec: PullRequestSpec, context: Any, *_: Any) -> PullRequestStatus:
        singles.append(spec.path)
        return PullRequestStatus(None, None, "policygen/y", "def", "pushed", True)

    pull_request = {"provider": "git", "repository": "file:///repo", "path": "iam/{namespace}/{role}.json"}
    spec = {
        **SPEC,
        "guards": {},
        "output": {
            "mode": "pullRequest",
            "pullRequest": {**pull_request, "format": "json", "grouping": "namespace"},
        },
    }
    settings = OperatorSettings(progress_interval=0.05, single_tenant=True)
    svc = RightsizingService(
        settings,
        kube,
        FakeAws(),
        ThreadPoolExecutor(2),
        clock=lambda: NOW,
        open_pull_request=open_single,
        open_group_pull_request=open_group,
    )
    target = replace(parent(), spec=spec)
    outcome = run(svc, target)
    assert outcome.failure is None, outcome.message
    assert singles == []
    # the reporting role made no call: no policy, nothing to propose; team-b's group would be empty
    assert [(g.namespace, [e.path for e in g.edits]) for g in groups] == [
        ("team-a", ["iam/team-a/ci-deployer.json", "iam/team-a/order-processor.json"])
    ]
    assert groups[0].name == "ClusterRightsizing/fleet/namespace/team-a"
    for arn in (ORDERS, DEPLOYER):
        status = kube.objects[("fleet", child_name("fleet", arn))]["status"]
        assert status["pullRequest"]["url"] == "https://forge/pr/7"

    # team-b's group fails: its role carries the failure, naming the file.
    kube.accounts["team-b"] = [Binding(DEPLOYER, IRSA, "team-b", "deploy")]
    kube.accounts["team-a"] = [Binding(ORDERS, IRSA, "team-a", "orders")]
    groups.clear()
    kube.parent_generation = 2
    run(svc, replace(target, generation=2))
    assert [(g.namespace, [e.path for e in g.edits]) for g in groups] == [
        ("team-a", ["iam/team-a/order-processor.json"]),
        ("team-b", ["iam/team-b/ci-deployer.json"]),
    ]
    status = kube.objects[("fleet", child_name("fleet", DEPLOYER))]["status"]
    [opened] = [c for c in status["conditions"] if c["type"] == "PullRequestOpened"]
    assert (opened["status"], opened["message"]) == ("False", "iam/team-b/ci-deployer.json: cannot edit")

    # grouping role (the default): one request per role.
    per_role = {**spec, "output": {"mode": "pullRequest", "pullRequest": {**pull_request, "format": "json"}}}
    run(svc, replace(target, generation=3, spec=per_role))
    assert sorted(singles) == ["iam/team-a/order-processor.json", "iam/team-b/ci-deployer.json"]


def test_pod_identity_usage_is_split_per_service_account_and_irsa_says_it_cannot_be(tmp_path: Path) -> None:
    """A role shared by two ServiceAccounts through EKS Pod Identity: the child's status and ConfigMap give
    each ServiceAccount's usage (from the sessions' AssumeRole tags, records as AWS documents them:
    https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html); an IRSA role says it cannot be
    split."""
    shared = "arn:aws:iam::111122223333:role/shared-reader"
    irsa = "arn:aws:iam::111122223333:role/irsa-reader"
    reader = session_name("reader-1", "1a2b3c4d")
    auditor = session_name("auditor-1", "5e6f7a8b")
    t = "2026-11-24T10:{:02d}:00Z".format
    write_delivery_file(
        tmp_path,
        [
            assume_role(shared, "team-a", "reader", "reader-1", "1a2b3c4d", t(0)),
            assume_role(shared, "team-b", "auditor", "auditor-1", "5e6f7a8b", t(1)),
            call(shared, reader, "s3", "ListBuckets", t(5), Host="s3.eu-west-1.amazonaws.com"),
            call(shared, auditor, "sqs", "ListQueues", t(6)),
            call(irsa, "botocore-session-1764000000", "sqs", "ListQueues", t(7)),
        ],
    )
    kube = FakeKube(
        {
            "team-a": [Binding(shared, POD_IDENTITY, "team-a", "reader"), Binding(irsa, IRSA, "team-a", "x")],
            "team-b": [
                Binding(shared, POD_IDENTITY, "team-b", "auditor"),
                Binding(irsa, IRSA, "team-b", "y"),
            ],
        }
    )
    spec = {**SPEC, "cloudTrail": {"local": {"path": str(tmp_path / "AWSLogs")}}}
    outcome = run(service(kube, CountingEngine()), replace(parent(), spec=spec))
    assert outcome.failure is None, outcome.message

    status = kube.objects[("fleet", child_name("fleet", shared))]["status"]["rightsizing"]
    assert status["attribution"] == "service-account"
    assert status["serviceAccountUsage"] == [
        {"serviceAccount": "team-a/reader", "usedActions": 1, "sessions": 1},
        {"serviceAccount": "team-b/auditor", "usedActions": 1, "sessions": 1},
    ]
    detail = json.loads(
        kube.configmaps[("fleet", f"{child_name('fleet', shared)}-policy")]["data"]["rightsizing.json"]
    )
    split = detail["byServiceAccount"]["serviceAccounts"]
    assert list(split["team-a/reader"]["used"]) == ["s3:ListAllMyBuckets"]
    assert list(split["team-b/auditor"]["used"]) == ["sqs:ListQueues"]

    other = kube.objects[("fleet", child_name("fleet", irsa))]["status"]["rightsizing"]
    assert other["attribution"] == "role" and "serviceAccountUsage" not in other
    detail = json.loads(
        kube.configmaps[("fleet", f"{child_name('fleet', irsa)}-policy")]["data"]["rightsizing.json"]
    )
    assert "cannot be split" in detail["attributionNote"] and "byServiceAccount" not in detail


def test_an_admins_change_to_the_source_reaches_the_next_pass() -> None:
    """Issue 10: a Rightsizing resolves its source on every pass (its timer), so an admin's change to
    allowedPrincipals adds or removes roles at the next pass (a PolicyGeneration needs adminrefs)."""
    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "orders"), Binding(DEPLOYER, IRSA, "team-a", "deploy")]}
    )
    trail = {"local": {"path": SPEC["cloudTrail"]["local"]["path"]}}
    key = ("cloudtrailsources", "team-a", "trail")
    kube.admin_objects[key] = {"spec": {**trail, "allowedPrincipals": [ORDERS]}}
    engine = CountingEngine()
    spec = {k: v for k, v in SPEC.items() if k not in ("childNamespace", "cloudTrail")}
    spec["sourceRef"] = {"name": "trail"}
    kube.parent_uid = "uid-ns"
    rightsizing = service(kube, engine)
    first = run(rightsizing, Parent("Rightsizing", "team-a", "mine", "uid-ns", 1, spec, {}, {}))
    assert first.status["rolesNotAllowed"] == [DEPLOYER] and engine.calls == [(ORDERS,)]

    kube.admin_objects[key] = {"spec": {**trail, "allowedPrincipals": [ORDERS, DEPLOYER]}}
    second = run(rightsizing, Parent("Rightsizing", "team-a", "mine", "uid-ns", 1, spec, first.status, {}))
    assert second.status["rolesNotAllowed"] == []
    assert set(engine.calls[-1]) == {ORDERS, DEPLOYER}  # the newly allowed role is scanned at once
    assert ("team-a", child_name("mine", DEPLOYER)) in kube.objects

    kube.admin_objects[key] = {"spec": {**trail, "allowedPrincipals": [ORDERS]}}
    third = run(rightsizing, Parent("Rightsizing", "team-a", "mine", "uid-ns", 1, spec, second.status, {}))
    assert third.status["rolesNotAllowed"] == [DEPLOYER]
    assert ("team-a", child_name("mine", DEPLOYER)) not in kube.objects


def test_a_grouped_pull_request_reads_its_credentials_secret_once() -> None:
    """The roles of one namespace's pull request share the parent's repository and so its credentials Secret:
    one read per group, not one per role (200 roles would be 200 API reads on every pass)."""
    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "orders"), Binding(DEPLOYER, IRSA, "team-a", "deploy")]}
    )
    reads: list[tuple[str, str]] = []
    read_secret = kube.read_secret

    async def counting_read_secret(namespace: str, name: str) -> dict[str, str] | None:
        reads.append((namespace, name))
        return await read_secret(namespace, name)

    kube.read_secret = counting_read_secret  # type: ignore[method-assign]
    groups: list[tuple[GroupRequest, str]] = []

    def open_group(
        spec: PullRequestSpec, group: GroupRequest, credentials: Any, *_: Any
    ) -> PullRequestStatus:
        groups.append((group, credentials.token))
        return PullRequestStatus("https://forge/pr/8", 8, "policygen/x", "abc", "open", True)

    pull_request = {
        "provider": "github",
        "repository": "https://github.com/acme/infra.git",
        "path": "iam/{role}.json",
        "format": "json",
        "grouping": "namespace",
        "credentialsSecretRef": {"name": "forge"},
    }
    spec = {**SPEC, "guards": {}, "output": {"mode": "pullRequest", "pullRequest": pull_request}}
    settings = OperatorSettings(progress_interval=0.05, single_tenant=True)
    for namespace in ("fleet", "team-a", settings.operator_namespace):
        kube.secrets[(namespace, "forge")] = {"token": "s3cret"}
    svc = RightsizingService(
        settings,
        kube,
        FakeAws(),
        ThreadPoolExecutor(2),
        clock=lambda: NOW,
        open_group_pull_request=open_group,
    )
    outcome = run(svc, replace(parent(), spec=spec))
    assert outcome.failure is None, outcome.message
    assert [(len(group.edits), token) for group, token in groups] == [(2, "s3cret")]
    assert len(reads) == 1, reads


def test_a_pass_without_a_scan_keeps_each_roles_pull_request_in_the_parent_status() -> None:
    """The timer's passes between scans rewrite ``status.roles`` (a merge patch replaces the list): each row
    keeps what the last scan put there, the pull request included, not only the counts."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})

    def open_single(spec: PullRequestSpec, context: Any, *_: Any) -> PullRequestStatus:
        return PullRequestStatus("https://forge/pr/9", 9, "policygen/y", "def", "open", True)

    spec = {
        **SPEC,
        "output": {
            "mode": "pullRequest",
            "pullRequest": {
                "provider": "git",
                "repository": "file:///repo",
                "path": "{role}.json",
                "format": "json",
            },
        },
    }
    settings = OperatorSettings(progress_interval=0.05, single_tenant=True)
    svc = RightsizingService(
        settings, kube, FakeAws(), ThreadPoolExecutor(2), clock=lambda: NOW, open_pull_request=open_single
    )
    first = run(svc, replace(parent(), spec=spec))
    assert first.failure is None, first.message
    [row] = first.status["roles"]
    assert row["pullRequest"]["url"] == "https://forge/pr/9"
    again = run(svc, replace(parent(first.status), spec=spec))  # nothing due: no scan
    assert [c["reason"] for c in again.status["conditions"] if c["type"] == "Scanned"] == ["UpToDate"]
    assert again.status["roles"] == first.status["roles"]


class OneRoleFails(FakeAws):
    """IAM refuses (or throttles) the reading of one role; the others read fine."""

    def __init__(self, arn: str, permanence: Permanence) -> None:
        self.arn, self.permanence = arn, permanence

    def role_policies(self, aws: Any, role_arn: str) -> Any:
        if role_arn == self.arn:
            raise AwsError(f"reading {role_arn}: refused", permanence=self.permanence, field="aws")
        return super().role_policies(aws, role_arn)


@pytest.mark.parametrize("permanence", [Permanence.TEMPORARY, PERMANENT])
def test_one_role_that_iam_refuses_does_not_stop_the_other_roles_reports(permanence: Permanence) -> None:
    """One role's IAM read failing (AccessDenied on a role of another team, throttling) must not cost the
    fleet its reports: the other roles are reported from the same scan, the failed one's child and row say
    why, the parent is not Ready. A temporary failure leaves the role uncovered (the next pass scans again);
    a permanent one is kept, not retried every pass, and still reported on passes without a scan."""
    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "orders"), Binding(DEPLOYER, IRSA, "team-a", "deploy")]}
    )
    engine = CountingEngine()
    settings = OperatorSettings(progress_interval=0.05)
    svc = RightsizingService(
        settings, kube, OneRoleFails(DEPLOYER, permanence), ThreadPoolExecutor(2), engine, clock=lambda: NOW
    )
    outcome = run(svc, parent())
    svc.clock = lambda: NOW.replace(minute=1)  # the next pass, a minute later
    assert engine.calls == [(DEPLOYER, ORDERS)]
    orders = kube.objects[("fleet", child_name("fleet", ORDERS))]["status"]
    assert orders["rightsizing"]["grantedActions"] > 0
    assert [c["status"] for c in orders["conditions"] if c["type"] == "Ready"] == ["True"]
    deployer = kube.objects[("fleet", child_name("fleet", DEPLOYER))]["status"]
    [ready] = [c for c in deployer["conditions"] if c["type"] == "Ready"]
    assert ready["status"] == "False" and "refused" in ready["message"]
    rows = {r["arn"]: r for r in outcome.status["roles"]}
    assert rows[ORDERS]["grantedActions"] > 0 and "error" not in rows[ORDERS]
    assert "refused" in rows[DEPLOYER]["error"]["message"]
    assert outcome.status["grantedActions"] == rows[ORDERS]["grantedActions"]
    [scanned] = [c for c in outcome.status["conditions"] if c["type"] == "Scanned"]
    assert scanned["status"] == "False" and "1 of 2 roles" in scanned["message"]
    assert [c["status"] for c in outcome.status["conditions"] if c["type"] == "Ready"] == ["False"]
    assert [e[:2] for e in outcome.events] == [("Warning", "Failed")]
    covered = outcome.status["lastScan"]["roles"]
    again = run(svc, parent(outcome.status))
    if permanence is Permanence.TEMPORARY:
        assert covered == [ORDERS]
        assert len(engine.calls) == 2  # the role is not covered yet: scanned again
    else:
        assert covered == [DEPLOYER, ORDERS]
        assert len(engine.calls) == 1  # refused for good: not rescanned every pass
        [scanned] = [c for c in again.status["conditions"] if c["type"] == "Scanned"]
        assert scanned["status"] == "False" and "1 of 2 roles" in scanned["message"]
        assert {r["arn"]: r for r in again.status["roles"]}[DEPLOYER]["error"]
    assert again.events == []  # still failing the same way: no second event
    [before] = [c for c in outcome.status["conditions"] if c["type"] == "Scanned"]
    [after] = [c for c in again.status["conditions"] if c["type"] == "Scanned"]
    assert after["lastTransitionTime"] == before["lastTransitionTime"]  # False all along: no transition


def test_a_scan_that_finds_the_same_leaves_the_configmaps_alone_and_keeps_off_a_foreign_one() -> None:
    """Idempotent like a PolicyGeneration's: a scan whose policy and detail are unchanged writes no ConfigMap
    (hundreds of roles, one scan an hour: no replace per role per scan), a changed detail is written, and a
    ConfigMap of that name that policygen did not write is not overwritten (ConfigMapConflict)."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    svc = service(kube, CountingEngine())
    first = run(svc, parent())
    assert first.failure is None, first.message
    writes = kube.configmap_writes
    assert writes == 1
    kube.parent_generation = 2
    second = run(svc, parent(first.status, generation=2))  # a new spec generation: a scan, same result
    assert second.status["lastScan"]["generation"] == 2
    assert kube.configmap_writes == writes
    cm_key = ("fleet", f"{child_name('fleet', ORDERS)}-policy")
    detail = json.loads(kube.configmaps[cm_key]["data"]["rightsizing.json"])
    kube.configmaps[cm_key]["data"]["rightsizing.json"] = "{}\n"  # edited by hand: put right
    kube.parent_generation = 3
    run(svc, parent(second.status, generation=3))
    assert kube.configmap_writes == writes + 1
    assert json.loads(kube.configmaps[cm_key]["data"]["rightsizing.json"]) == detail

    kube.configmaps[cm_key]["metadata"]["annotations"] = {"owner": "someone else"}
    kube.parent_generation = 4
    run(svc, parent(second.status, generation=4))
    assert kube.configmaps[cm_key]["metadata"]["annotations"] == {"owner": "someone else"}
    status = kube.objects[("fleet", child_name("fleet", ORDERS))]["status"]
    [published] = [c for c in status["conditions"] if c["type"] == "Published"]
    assert (published["status"], published["reason"]) == ("False", "ConfigMapConflict")
    # a child's ConfigMap name is not the team's to choose: the advice is the parent's next scan
    assert published["message"] == (
        f"ConfigMap fleet/{child_name('fleet', ORDERS)}-policy exists and is not managed by this "
        "PolicyGeneration (it is left alone); delete that ConfigMap: the parent's next scan (a change of its "
        "spec, or its spec.schedule.interval) writes it"
    )


def conditions_during_and_after(
    kube: FakeKube, target: Parent, clock: datetime
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """One pass that scans: the parent's conditions by type as the API server holds them while the scan runs
    (the start patch merged into what the last pass's handler wrote), and as the pass writes them at the end;
    ``kube.parent_status`` is then the status the handler's merge patch leaves."""
    kube.parent_status = copy.deepcopy(dict(target.status))
    kube.parent_generation = target.generation
    during: list[dict[str, dict[str, Any]]] = []

    def engine(request: GenerationRequest, progress: Any, cancel: threading.Event) -> GenerationResult:
        during.append({c["type"]: dict(c) for c in kube.parent_status.get("conditions") or ()})
        return run_generation(request, progress, cancel)

    settings = OperatorSettings(progress_interval=0.05)
    svc = RightsizingService(settings, kube, FakeAws(), ThreadPoolExecutor(1), engine, clock=lambda: clock)
    outcome = run(svc, target)
    assert outcome.failure is None, outcome.message
    merge_patch(kube.parent_status, outcome.status)
    [seen] = during  # the pass scanned, once
    return seen, {c["type"]: c for c in outcome.status["conditions"]}


SCHEDULED = {**SPEC, "schedule": {"interval": "24h"}}


def test_a_first_scan_and_a_new_specs_scan_say_so_in_ready_as_a_policygenerations_run_does() -> None:
    """A PolicyGeneration's run for a generation its conditions do not describe yet starts with Ready Unknown
    (Generating); a Rightsizing's scan wrote only lastScan, so for the whole scan (minutes to hours on an
    organization trail) a new parent had no condition and a changed one went on saying Ready True of its old
    spec. Now Scanned and Ready are Unknown with reason Scanning from its start; lastTransitionTime moves when
    the status flips (to Unknown at the start, to True at the end), as the Kubernetes API conventions ask."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    first = replace(parent(), spec=SCHEDULED)
    during, after = conditions_during_and_after(kube, first, NOW)
    for type_ in ("Scanned", "Ready"):
        assert (during[type_]["status"], during[type_]["reason"]) == ("Unknown", "Scanning")
        assert during[type_]["observedGeneration"] == 1
        assert during[type_]["lastTransitionTime"] == "2026-12-01T00:00:00Z"
    assert "1 roles" in during["Scanned"]["message"]
    assert (during["Discovered"]["status"], during["Discovered"]["reason"]) == ("True", "RolesDiscovered")
    assert (after["Scanned"]["reason"], after["Ready"]["status"]) == ("Scanned", "True")

    # The spec changes: the conditions of generation 1 do not describe generation 2's scan.
    later = datetime(2026, 12, 1, 6, tzinfo=UTC)
    changed = replace(parent(kube.parent_status, generation=2), spec=SCHEDULED)
    during, after = conditions_during_and_after(kube, changed, later)
    for type_ in ("Scanned", "Ready"):
        assert (during[type_]["status"], during[type_]["reason"]) == ("Unknown", "Scanning")
        assert during[type_]["observedGeneration"] == 2
        assert during[type_]["lastTransitionTime"] == "2026-12-01T06:00:00Z"  # True -> Unknown
    assert after["Ready"]["status"] == "True"
    assert after["Ready"]["lastTransitionTime"] == "2026-12-01T06:00:00Z"  # Unknown -> True


def test_a_scheduled_scan_says_it_runs_without_flipping_ready() -> None:
    """A scheduled scan of a parent whose last scan covers its spec: the last scan's reports stand until it
    ends, so Scanned stays True (and Ready with it: ``kubectl wait --for=condition=Ready`` and alerts do not
    flap every interval, as a PolicyGeneration's scheduled run leaves Ready alone), with reason Scanning and a
    message saying since when; neither lastTransitionTime moves, at the start or at the end."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    _, first = conditions_during_and_after(kube, replace(parent(), spec=SCHEDULED), NOW)
    due = datetime(2026, 12, 2, 1, tzinfo=UTC)  # 25 hours later: the 24h schedule calls for a scan
    scheduled = replace(parent(kube.parent_status), spec=SCHEDULED)
    during, after = conditions_during_and_after(kube, scheduled, due)
    assert (during["Scanned"]["status"], during["Scanned"]["reason"]) == ("True", "Scanning")
    assert "2026-12-02T01:00:00Z" in during["Scanned"]["message"]
    assert (during["Ready"]["status"], during["Ready"]["reason"]) == ("True", "Ready")
    assert (after["Scanned"]["status"], after["Scanned"]["reason"]) == ("True", "Scanned")
    for type_ in ("Scanned", "Ready"):
        assert during[type_]["lastTransitionTime"] == first[type_]["lastTransitionTime"]
        assert after[type_]["lastTransitionTime"] == first[type_]["lastTransitionTime"]


def test_a_retry_after_a_failed_scan_keeps_the_failure_until_it_ends() -> None:
    """A scan of this generation that failed: the retry's start leaves Scanned and Ready False with the
    failure's reason (alerts on it do not flap, as a PolicyGeneration's retry keeps its failure). A guard
    for the rule above: the parent commit passes it too."""
    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    failed = {
        "type": "Scanned",
        "status": "False",
        "reason": "TemporaryFailure",
        "message": "throttled",
        "lastTransitionTime": "2026-11-30T00:00:00Z",
        "observedGeneration": 1,
    }
    ready = {**failed, "type": "Ready"}
    discovered = {**failed, "type": "Discovered", "status": "True", "reason": "RolesDiscovered"}
    status = {"observedGeneration": 1, "conditions": [ready, discovered, failed]}  # as _failed wrote them
    during, after = conditions_during_and_after(kube, parent(status), NOW)
    assert during["Scanned"] == failed
    assert during["Ready"] == ready
    assert after["Scanned"]["status"] == "True"
