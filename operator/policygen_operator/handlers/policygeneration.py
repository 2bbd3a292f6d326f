"""kopf handlers for PolicyGeneration: read the kwargs, call the reconcile service, write ``patch.status``.

Everything with logic lives in ``services/reconcile.py``; this module only translates between kopf and the
service (the ``Outcome``'s failure class becomes ``kopf.PermanentError`` or ``kopf.TemporaryError``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import kopf

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import GROUP, PLURAL, VERSION, KubeClient
from policygen_operator.domain.timeutil import utcnow
from policygen_operator.handlers.inflight import InFlight
from policygen_operator.services import metrics
from policygen_operator.services.adminrefs import (
    NAMESPACE_ANNOTATION,
    REPOSITORY_ANNOTATION,
    SOURCE_ANNOTATION,
    namespace_rerun_due,
    run_saw,
)
from policygen_operator.services.installed_crds import OutdatedCrds, check_installed_crds
from policygen_operator.services.reconcile import Reconciler, Target
from policygen_operator.services.rightsizing import FED_BY
from policygen_operator.services.status import Event, Outcome, scheduled_run_due
from policygen_operator.settings import OperatorSettings, from_env

# Read at import because kopf fixes a timer's interval when the decorator runs.
_SCHEDULE_CHECK = from_env().schedule_check_interval
_ADMIN_SOURCE = ("metadata", "annotations", SOURCE_ANNOTATION)
_ADMIN_REPOSITORY = ("metadata", "annotations", REPOSITORY_ANNOTATION)
_NAMESPACE_LABELS = ("metadata", "annotations", NAMESPACE_ANNOTATION)


@kopf.on.startup()
async def start(settings: kopf.OperatorSettings, memo: kopf.Memo, logger: kopf.Logger, **_: Any) -> None:
    """One executor, one Kubernetes client and one reconciler for the whole process, shared through memo;
    but first, refuse to run against CRDs that would drop fields this operator relies on (installed_crds)."""
    app: OperatorSettings = memo.get("app") or from_env()
    configure_kopf(settings)
    memo.app = app
    memo.inflight = InFlight()
    memo.kube = await KubeClient.connect()
    try:
        await check_installed_crds(memo.kube)
    except OutdatedCrds as outdated:
        await memo.kube.close()
        raise kopf.PermanentError(str(outdated)) from outdated  # kopf stops: nothing is reconciled
    memo.executor = ThreadPoolExecutor(
        max_workers=app.max_concurrent_scans, thread_name_prefix="policygen-scan"
    )
    memo.reconciler = Reconciler(app, memo.kube, memo.executor)
    metrics.serve(app.metrics_port)
    logger.info("policygen operator started: %d concurrent scans", app.max_concurrent_scans)


@kopf.on.login()
async def login(
    logger: kopf.Logger, settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any
) -> kopf.ConnectionInfo | None:
    """kopf's own login through kubernetes_asyncio (in the cluster or from a kubeconfig), plus a default
    namespace: kopf would post a cluster-scoped object's events there, and without one in ``default``. (A
    ClusterRightsizing's are not kopf's: the operator posts them in ``default`` itself, naming no namespace
    for the object, where ``kubectl describe`` finds them; services/rightsizing.py ``post_events``.) That
    client library knows no context namespace, so its login never sets one."""
    info = await kopf.login_via_async_client(logger=logger, settings=settings)
    if info is None:
        return None
    app: OperatorSettings = memo.get("app") or from_env()
    return dataclasses.replace(info, default_namespace=app.operator_namespace)


def configure_kopf(settings: kopf.OperatorSettings) -> None:
    """kopf's knobs, chosen deliberately rather than inherited (see docs/operator.md, "Settings")."""
    # Progress and the last-handled spec live in our own annotations, not in status: status stays the API.
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="policygen.io")
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix="policygen.io", key="last-handled-configuration"
    )
    settings.persistence.finalizer = "policygen.io/finalizer"
    # Watches that hang on a half-dead connection would silently stop reconciling: bound them.
    settings.watching.server_timeout = 270
    settings.watching.client_timeout = 300
    settings.watching.connect_timeout = 10
    settings.networking.request_timeout = 60
    # Only explicit transition events (started, succeeded, failed) are posted, never log lines.
    settings.posting.loggers = False
    settings.posting.level = logging.INFO
    # No CRD/namespace scanning: the CRD is installed with the chart, and the RBAC stays smaller.
    settings.scanning.disabled = True


@kopf.on.cleanup()
async def stop(memo: kopf.Memo, **_: Any) -> None:
    await memo.inflight.drained()  # the passes kopf left running still use the client
    memo.executor.shutdown(wait=False, cancel_futures=True)
    await memo.kube.close()


@kopf.on.probe(id="runsInFlight")
def runs_in_flight(**_: Any) -> float:
    return float(metrics.IN_FLIGHT._value.get())


# Children of a Rightsizing carry FED_BY: the parent's one scan feeds them, they are never scanned one by one.
@kopf.on.create(GROUP, VERSION, PLURAL, annotations={FED_BY: kopf.ABSENT})
@kopf.on.update(GROUP, VERSION, PLURAL, field="spec", annotations={FED_BY: kopf.ABSENT})
async def generate(
    body: kopf.Body,
    spec: kopf.Spec,
    status: kopf.Status,
    meta: kopf.Meta,
    retry: int,
    memo: kopf.Memo,
    patch: kopf.Patch,
    **_: Any,
) -> None:
    """Create, spec update: regenerate.

    kopf reruns this after a restart until it has succeeded once.
    """
    target = _target(body, spec, status, meta, retry)
    memo.inflight.enter()
    async with _lock(memo):
        outcome = await memo.reconciler.reconcile(target, _announcer(body))
    _apply(outcome, body, patch)


# An admin changed the source or repository it names (handlers/adminrefs.py annotated it): run again,
# unless the last run already read that generation of it.
@kopf.on.update(GROUP, VERSION, PLURAL, field=_ADMIN_SOURCE, annotations={FED_BY: kopf.ABSENT})
@kopf.on.update(GROUP, VERSION, PLURAL, field=_ADMIN_REPOSITORY, annotations={FED_BY: kopf.ABSENT})
async def rerun_for_admin_change(
    body: kopf.Body,
    spec: kopf.Spec,
    status: kopf.Status,
    meta: kopf.Meta,
    retry: int,
    memo: kopf.Memo,
    patch: kopf.Patch,
    **_: Any,
) -> None:
    """kopf hands this the body after a run in progress for the object has written its status (one worker
    per object), so a nudge that raced the first run finds that run's ``lastRun`` here."""
    if run_saw(status, int(meta["generation"]), dict(meta.annotations)):
        return
    await _rerun(body, spec, status, meta, retry, memo, patch)


# Its Namespace's labels now grant or revoke a cluster object's service (handlers/adminrefs.py annotated it):
# run again while the status still says otherwise.
@kopf.on.update(GROUP, VERSION, PLURAL, field=_NAMESPACE_LABELS, annotations={FED_BY: kopf.ABSENT})
async def rerun_for_namespace_change(
    body: kopf.Body,
    spec: kopf.Spec,
    status: kopf.Status,
    meta: kopf.Meta,
    retry: int,
    memo: kopf.Memo,
    patch: kopf.Patch,
    **_: Any,
) -> None:
    if namespace_rerun_due(status, int(meta["generation"]), dict(meta.annotations)):
        await _rerun(body, spec, status, meta, retry, memo, patch)


async def _rerun(
    body: kopf.Body,
    spec: kopf.Spec,
    status: kopf.Status,
    meta: kopf.Meta,
    retry: int,
    memo: kopf.Memo,
    patch: kopf.Patch,
) -> None:
    target = _target(body, spec, status, meta, retry)
    memo.inflight.enter()
    async with _lock(memo):
        outcome = await memo.reconciler.reconcile(target, _announcer(body))
    _apply(outcome, body, patch)


@kopf.timer(
    GROUP,
    VERSION,
    PLURAL,
    interval=_SCHEDULE_CHECK,
    initial_delay=_SCHEDULE_CHECK,
    annotations={FED_BY: kopf.ABSENT},
    when=lambda spec, **_: bool(spec.get("schedule")),
)
async def scheduled(
    body: kopf.Body,
    spec: kopf.Spec,
    status: kopf.Status,
    meta: kopf.Meta,
    memo: kopf.Memo,
    patch: kopf.Patch,
    **_: Any,
) -> None:
    """``spec.schedule.interval``: regenerate when due; a run in progress for this object wins."""
    if (
        not scheduled_run_due(spec, status, int(meta["generation"]), utcnow(), memo.app)
        or _lock(memo).locked()
    ):
        return
    memo.inflight.enter()
    async with _lock(memo):
        # Not announced: a rerun of an unchanged spec every interval would post a Started each time with
        # nothing after it. Its outcome posts what changed (Succeeded for a new policy, Failed on a failure).
        outcome = await memo.reconciler.reconcile(_target(body, spec, status, meta, 0))
    _apply(outcome, body, patch, raise_failures=False)  # the next due time is the retry


def _target(body: kopf.Body, spec: kopf.Spec, status: kopf.Status, meta: kopf.Meta, retry: int) -> Target:
    return Target(
        namespace=str(meta["namespace"]),
        name=str(meta["name"]),
        uid=str(meta["uid"]),
        generation=int(meta["generation"]),
        spec=dict(spec),
        status=dict(status),
        owner_reference=kopf.build_owner_reference(body),
        retry=retry,
    )


def _announcer(body: kopf.Body) -> Callable[[Event], None]:
    """Posts at once (kopf's poster sends it while the handler still runs), for what cannot wait for the
    outcome: ``Started`` of a scan that may take hours."""

    def announce(event: Event) -> None:
        kopf.event(body, type=event.type, reason=event.reason, message=event.message)

    return announce


def _lock(memo: kopf.Memo) -> asyncio.Lock:
    """Per object (kopf's memo is per object): the timer and the spec handlers never scan concurrently."""
    if "lock" not in memo:
        memo["lock"] = asyncio.Lock()
    lock: asyncio.Lock = memo["lock"]
    return lock


def _apply(outcome: Outcome, body: kopf.Body, patch: kopf.Patch, raise_failures: bool = True) -> None:
    patch.status.update(outcome.status)
    for event in outcome.events:
        kopf.event(body, type=event.type, reason=event.reason, message=event.message)
    if not raise_failures:
        return
    if outcome.failure is Permanence.PERMANENT:
        raise kopf.PermanentError(outcome.message)
    if outcome.failure is Permanence.TEMPORARY:
        raise kopf.TemporaryError(outcome.message, delay=outcome.delay)
