"""Per-namespace scan slots (issue 10): one namespace cannot take every scan slot, and a queued reconcile
waits without asking the API server anything until it is let in."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from policygen_operator.services import reconcile as rec
from policygen_operator.services.generation import GenerationRequest, GenerationResult
from policygen_operator.settings import OperatorSettings
from tests.fixtures.kube import FakeKube
from tests.unit.services.test_reconcile import SPEC, result


class CountingKube(FakeKube):
    """Counts get_state calls (the polling a queued reconcile must not do)."""

    def __init__(self) -> None:
        super().__init__()
        self.state_calls = 0

    async def get_state(self, namespace: str, name: str) -> Any:
        self.state_calls += 1
        return await super().get_state(namespace, name)


def target(kube: FakeKube, namespace: str, name: str) -> rec.Target:
    return rec.Target(namespace, name, kube.uid, kube.generation, SPEC, {}, {"uid": kube.uid, "name": name})


def test_default_limit_is_half_the_slots() -> None:
    assert OperatorSettings(max_concurrent_scans=4).namespace_scan_limit() == 2
    assert OperatorSettings(max_concurrent_scans=1).namespace_scan_limit() == 1
    assert OperatorSettings(max_concurrent_scans=4, max_scans_per_namespace=3).namespace_scan_limit() == 3
    assert OperatorSettings(max_concurrent_scans=2, max_scans_per_namespace=9).namespace_scan_limit() == 2


async def test_one_namespace_cannot_take_every_slot() -> None:
    kube = CountingKube()
    running: dict[str, int] = {}
    most: dict[str, int] = {}
    release = threading.Event()
    lock = threading.Lock()

    def generate(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        namespace = request.aws.session_name.split("-", 1)[1].split(".")[0]  # policygen-<ns>.<name>
        with lock:
            running[namespace] = running.get(namespace, 0) + 1
            most[namespace] = max(most.get(namespace, 0), running[namespace])
        release.wait(5)
        with lock:
            running[namespace] -= 1
        return result()

    settings = OperatorSettings(max_concurrent_scans=2, progress_interval=0.05, single_tenant=True)
    with ThreadPoolExecutor(2) as pool:
        r = rec.Reconciler(
            settings, kube, pool, generate=generate, clock=lambda: datetime(2026, 3, 1, tzinfo=UTC)
        )
        team_a = [asyncio.create_task(r.reconcile(target(kube, "team-a", f"p{i}"))) for i in range(3)]
        await asyncio.sleep(0.3)
        team_b = asyncio.create_task(r.reconcile(target(kube, "team-b", "p")))
        await asyncio.sleep(0.3)
        assert running == {"team-a": 1, "team-b": 1}  # team-b got the second slot though team-a queued first
        calls_while_queued = kube.state_calls
        await asyncio.sleep(0.5)
        # Only the two running scans' tickers poll (every 0.05 s); the two queued reconciles ask nothing.
        assert kube.state_calls - calls_while_queued <= 2 * (0.5 / 0.05) + 2
        release.set()
        outcomes = await asyncio.gather(*team_a, team_b)
    assert most == {"team-a": 1, "team-b": 1}
    assert all(o.failure is None for o in outcomes)


async def test_a_finished_scan_survives_a_failed_write() -> None:
    """Issue 10: a temporary failure after the scan (the API server down while the ConfigMap is written) is
    retried by delivering the scan that finished, not by scanning the window again."""
    from policygen_operator.adapters.kubernetes.client import KubernetesError

    class FlakyKube(FakeKube):
        def __init__(self) -> None:
            super().__init__()
            self.fail = 1

        async def put_configmap(self, namespace: str, body: dict[str, Any]) -> None:
            if self.fail:
                self.fail -= 1
                raise KubernetesError("creating ConfigMap: the API server could not be reached")
            await super().put_configmap(namespace, body)

    kube = FlakyKube()
    scans: list[GenerationRequest] = []

    def generate(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        scans.append(request)
        return result()

    settings = OperatorSettings(progress_interval=0.05, single_tenant=True)
    with ThreadPoolExecutor(1) as pool:
        r = rec.Reconciler(
            settings, kube, pool, generate=generate, clock=lambda: datetime(2026, 3, 1, tzinfo=UTC)
        )
        failed = await r.reconcile(target(kube, "ns", "pay"))
        assert failed.failure == "temporary"
        retried = await r.reconcile(
            rec.Target(
                "ns", "pay", kube.uid, kube.generation, SPEC, failed.status, {"uid": kube.uid}, retry=1
            )
        )
    assert retried.failure is None and len(scans) == 1
    assert kube.configmap_writes == 1


async def test_a_scan_past_its_timeout_is_stopped_and_says_so() -> None:
    """Issue 10: a scan timeout; the scan thread sees the cancel event and the condition names the limit."""
    kube = FakeKube()
    saw_cancel = threading.Event()

    def generate(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        if cancel.wait(5):
            saw_cancel.set()
        return result()

    settings = OperatorSettings(progress_interval=0.05, single_tenant=True, scan_timeout=0.3)
    with ThreadPoolExecutor(1) as pool:
        r = rec.Reconciler(
            settings, kube, pool, generate=generate, clock=lambda: datetime(2026, 3, 1, tzinfo=UTC)
        )
        outcome = await r.reconcile(target(kube, "ns", "pay"))
    ready = next(c for c in outcome.status["conditions"] if c["type"] == "Ready")
    assert (outcome.failure, ready["reason"]) == ("permanent", "ScanTimedOut")
    assert "POLICYGEN_SCAN_TIMEOUT" in ready["message"]
    assert saw_cancel.wait(2)
