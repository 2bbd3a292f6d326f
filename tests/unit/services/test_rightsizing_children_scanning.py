"""A Rightsizing's children say that their parent's scan is under way, as a PolicyGeneration's own run does.

The parent said ``Scanning`` from its scan's start, but its child PolicyGenerations said nothing until the
results were written: a new child had an empty status for the whole scan (minutes to hours on an
organization trail), and a child of a changed spec went on with its old generation's Ready. A child now gets
what a PolicyGeneration's run writes at its start: ``lastRun`` of this scan (its start and window, no
completion, no counters of the scan before) and, when its conditions do not describe its generation yet,
Ready Unknown with reason ``Generating``. The write is level-based: a child that already says so is not
written again, and lastTransitionTime moves only when a status flips (Kubernetes API conventions, "Typical
status properties"). A scan that fails says so in each child, as a PolicyGeneration's failed run does.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from policygen_operator.adapters.kubernetes.client import ObjectState
from policygen_operator.domain.engine import ScanCancelled
from policygen_operator.domain.rightsizing import IRSA, Binding, child_name
from policygen_operator.services.errors import TemporaryError
from policygen_operator.services.generation import GenerationRequest, GenerationResult, run_generation
from policygen_operator.services.rightsizing import RightsizingService
from policygen_operator.settings import OperatorSettings
from tests.fixtures.kube import FakeKube
from tests.fixtures.rightsizing import FakeAws
from tests.unit.services.test_rightsizing import NOW, ORDERS, SPEC, parent, run

CHILD = ("fleet", child_name("fleet", ORDERS))
SCHEDULED = {**SPEC, "schedule": {"interval": "24h"}}


class CountingKube(FakeKube):
    """A FakeKube that keeps every status write of a child, in order."""

    def __init__(self) -> None:
        super().__init__({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
        self.child_writes: list[dict[str, Any]] = []

    async def patch_status(self, namespace: str, name: str, status: Mapping[str, Any]) -> ObjectState:
        if (namespace, name) in self.objects:
            self.child_writes.append(dict(status))
        return await super().patch_status(namespace, name, status)


def service(kube: FakeKube, engine: Any, clock: datetime = NOW) -> RightsizingService:
    settings = OperatorSettings(progress_interval=0.05)
    return RightsizingService(settings, kube, FakeAws(), ThreadPoolExecutor(1), engine, clock=lambda: clock)


def child_status(kube: FakeKube) -> dict[str, Any]:
    """The child's status as the API server holds it (a merge patch's None is a deletion)."""
    status = dict(kube.objects[CHILD].get("status") or {})
    if "lastRun" in status:
        status["lastRun"] = {k: v for k, v in status["lastRun"].items() if v is not None}
    return status


def conditions(status: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: dict(c) for c in status.get("conditions") or ()}


class SeeingEngine:
    """The real engine, keeping the child's status as it was when the scan began."""

    def __init__(self, kube: FakeKube) -> None:
        self.kube = kube
        self.seen: list[dict[str, Any]] = []
        self.writes_before: list[int] = []

    def __call__(self, request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        self.seen.append(child_status(self.kube))
        if isinstance(self.kube, CountingKube):
            self.writes_before.append(len(self.kube.child_writes))
        return run_generation(request, progress, cancel)


def test_a_new_child_says_its_parent_is_scanning_until_the_results_are_written() -> None:
    kube = CountingKube()
    engine = SeeingEngine(kube)
    outcome = run(service(kube, engine), parent())
    assert outcome.failure is None, outcome.message
    [during] = engine.seen
    ready = conditions(during)["Ready"]
    assert (ready["status"], ready["reason"]) == ("Unknown", "Generating")
    assert "ClusterRightsizing/fleet" in ready["message"] and ready["observedGeneration"] == 1
    assert ready["lastTransitionTime"] == "2026-12-01T00:00:00Z"
    assert during["observedGeneration"] == 1
    last = during["lastRun"]
    assert last["startTime"] == "2026-12-01T00:00:00Z" and "completionTime" not in last
    assert (last["windowStart"], last["windowEnd"]) == ("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
    assert engine.writes_before == [1]  # one write per child at the scan's start
    after = child_status(kube)
    assert conditions(after)["Ready"]["status"] == "True" and after["lastRun"]["completionTime"]
    assert after["lastRun"]["startTime"] == last["startTime"]  # the same run, from its start to its end


def test_a_child_that_already_says_so_is_not_written_again() -> None:
    """A scan cut off (the parent's spec changed under it, or the operator restarted) left the child saying
    the parent scans; the next pass's scan starting at that very time writes nothing to it before it runs."""
    kube = CountingKube()

    def cut_off(request: GenerationRequest, progress: Any, cancel: threading.Event) -> GenerationResult:
        raise ScanCancelled("the parent's spec changed")

    assert run(service(kube, cut_off), parent()).cancelled
    said = child_status(kube)
    assert conditions(said)["Ready"]["reason"] == "Generating" and len(kube.child_writes) == 1

    engine = SeeingEngine(kube)
    outcome = run(service(kube, engine), parent())
    assert outcome.failure is None, outcome.message
    assert engine.writes_before == [1]  # no second start write: the child said so already
    assert engine.seen == [said]


def test_a_scheduled_scan_shows_in_the_childs_last_run_and_leaves_ready_alone() -> None:
    """A child whose conditions describe its generation: as a PolicyGeneration's scheduled run, Ready stays
    (no flap of ``kubectl wait`` or alerts, lastTransitionTime unmoved), and lastRun is the new run's."""
    kube = CountingKube()
    first = run(service(kube, SeeingEngine(kube)), replace(parent(), spec=SCHEDULED))
    before = conditions(child_status(kube))
    due = datetime(2026, 12, 2, 1, tzinfo=UTC)
    engine = SeeingEngine(kube)
    outcome = run(service(kube, engine, due), replace(parent(first.status), spec=SCHEDULED))
    assert outcome.failure is None, outcome.message
    [during] = engine.seen
    assert conditions(during) == before
    assert during["lastRun"]["startTime"] == "2026-12-02T01:00:00Z"
    assert "completionTime" not in during["lastRun"]
    assert "filesScanned" not in during["lastRun"]  # the last scan's counters are not this one's
    after = conditions(child_status(kube))
    assert after["Ready"]["lastTransitionTime"] == before["Ready"]["lastTransitionTime"]


def test_a_failed_scan_says_so_in_the_children() -> None:
    """The children of a scan that failed do not go on saying the parent scans: Generated (and Ready) False
    with the parent's failure, and their lastRun is complete, as a PolicyGeneration's failed run."""
    kube = CountingKube()

    def failing(request: GenerationRequest, progress: Any, cancel: threading.Event) -> GenerationResult:
        raise TemporaryError("S3 throttled the listing")

    outcome = run(service(kube, failing), parent())
    assert outcome.failure == "temporary"
    status = child_status(kube)
    generated = conditions(status)["Generated"]
    assert (generated["status"], generated["reason"]) == ("False", "TemporaryFailure")
    assert "ClusterRightsizing/fleet" in generated["message"] and "S3 throttled" in generated["message"]
    assert conditions(status)["Ready"]["status"] == "False"
    assert status["lastRun"]["completionTime"] == "2026-12-01T00:00:00Z"
