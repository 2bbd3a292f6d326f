"""kopf handlers for Rightsizing and ClusterRightsizing: kwargs -> ``RightsizingService.reconcile`` -> status.

Spec changes reconcile at once; a timer rediscovers every ``POLICYGEN_RIGHTSIZING_INTERVAL`` seconds (a
removed annotation removes its child, a new role gets one), and the service scans only when a scan is due.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import kopf

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import GROUP, VERSION, EventReporter
from policygen_operator.adapters.kubernetes.rightsizing import (
    CLUSTER_RIGHTSIZING_PLURAL,
    RIGHTSIZING_PLURAL,
    RightsizingKube,
)
from policygen_operator.services.rightsizing import BotoAws, Parent, RightsizingService
from policygen_operator.settings import OperatorSettings, from_env

_INTERVAL = from_env().rightsizing_interval  # kopf fixes a timer's interval when the decorator runs


@kopf.on.startup()
async def start_rightsizing(memo: kopf.Memo, settings: kopf.OperatorSettings, **_: Any) -> None:
    """After the PolicyGeneration start-up (registered first): share its executor, so scans stay bounded.
    The events the service posts itself (a ClusterRightsizing's) name the reporter kopf names for its own."""
    app: OperatorSettings = memo.get("app") or from_env()
    executor = memo.get("executor") or ThreadPoolExecutor(app.max_concurrent_scans)
    kube = await RightsizingKube.connect()
    assert isinstance(kube, RightsizingKube)  # connect() builds cls
    posting = settings.posting
    reporter = EventReporter(
        posting.reporting_component, posting.reporting_instance, posting.event_name_prefix
    )
    memo.rightsizing = RightsizingService(app, kube, BotoAws(), executor, reporter=reporter)


@kopf.on.cleanup()
async def stop_rightsizing(memo: kopf.Memo, **_: Any) -> None:
    await memo.inflight.drained()  # a rediscovery kopf left running still uses the client
    await memo.rightsizing.kube.close()


@kopf.on.create(GROUP, VERSION, RIGHTSIZING_PLURAL)
@kopf.on.update(GROUP, VERSION, RIGHTSIZING_PLURAL, field="spec")
@kopf.on.create(GROUP, VERSION, CLUSTER_RIGHTSIZING_PLURAL)
@kopf.on.update(GROUP, VERSION, CLUSTER_RIGHTSIZING_PLURAL, field="spec")
async def rightsize(body: kopf.Body, memo: kopf.Memo, patch: kopf.Patch, **_: Any) -> None:
    """Create and spec change: discover, sync the children, scan (a new spec always calls for one)."""
    await _reconcile(body, memo, patch)


@kopf.timer(GROUP, VERSION, RIGHTSIZING_PLURAL, interval=_INTERVAL, initial_delay=_INTERVAL)
@kopf.timer(GROUP, VERSION, CLUSTER_RIGHTSIZING_PLURAL, interval=_INTERVAL, initial_delay=_INTERVAL)
async def rediscover(body: kopf.Body, memo: kopf.Memo, patch: kopf.Patch, **_: Any) -> None:
    """Periodically: children follow the roles found; a scan only when one is due."""
    await _reconcile(body, memo, patch)


async def _reconcile(body: kopf.Body, memo: kopf.Memo, patch: kopf.Patch) -> None:
    meta = body["metadata"]
    parent = Parent(
        kind=str(body["kind"]),
        namespace=meta.get("namespace") or None,
        name=str(meta["name"]),
        uid=str(meta["uid"]),
        generation=int(meta["generation"]),
        spec=dict(body.get("spec") or {}),
        status=dict(body.get("status") or {}),
        owner_reference=kopf.build_owner_reference(body),
    )
    if "lock" not in memo:
        memo["lock"] = asyncio.Lock()
    memo.inflight.enter()
    async with memo["lock"]:  # per object: the timer and the spec handlers never run together
        outcome = await memo.rightsizing.reconcile(parent)
    if outcome.cancelled:
        return
    patch.status.update(outcome.status)

    def post(type_: str, reason: str, message: str) -> None:
        kopf.event(body, type=type_, reason=reason, message=message)

    await memo.rightsizing.post_events(parent, outcome.events, post)
    if outcome.failure is Permanence.TEMPORARY:
        raise kopf.TemporaryError(outcome.message, delay=outcome.delay)
