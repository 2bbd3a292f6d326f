"""Stopping the operator (a rollout's SIGTERM): the clients close only after the passes kopf left running."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import kopf

from policygen_operator.handlers import policygeneration, rightsizing
from policygen_operator.handlers.inflight import InFlight


class Kube:
    def __init__(self, order: list[str], name: str) -> None:
        self.order, self.name = order, name

    async def close(self) -> None:
        self.order.append(f"{self.name} closed")


async def test_the_clients_close_after_the_pass_kopf_left_running() -> None:
    """kopf does not wait for a timer in the middle of a pass when the operator stops: it logs "Timer
    'rediscover' did not exit in time. Leaving it orphaned." and runs the cleanup, which closed the clients
    under it. On the demo's control plane two SIGTERMs in five ended in ERROR lines (discovery for fleet
    failed unexpectedly, with a traceback of the closed connection, and kopf's status patch retried against a
    closed session)."""
    order: list[str] = []
    executor: Any = SimpleNamespace(shutdown=lambda **_: order.append("executor stopped"))
    memo = kopf.Memo(
        inflight=InFlight(),
        kube=Kube(order, "kube"),
        executor=executor,
        rightsizing=SimpleNamespace(kube=Kube(order, "rightsizing kube")),
    )

    async def a_pass() -> None:
        memo.inflight.enter()
        await asyncio.sleep(0.2)
        order.append("status patched")

    task = asyncio.create_task(a_pass())
    await asyncio.sleep(0)
    await policygeneration.stop(memo=memo)
    await rightsizing.stop_rightsizing(memo=memo)
    assert task.done()
    assert order == ["status patched", "executor stopped", "kube closed", "rightsizing kube closed"]


async def test_a_pass_that_does_not_end_holds_the_stop_only_so_long() -> None:
    """A scan may run for hours: the stop waits a bounded time, then closes as before."""
    inflight = InFlight(limit=0.1)

    async def forever() -> None:
        inflight.enter()
        await asyncio.sleep(3600)

    task = asyncio.create_task(forever())
    await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await inflight.drained()
    assert loop.time() - began < 1.0 and not task.done()
    task.cancel()
