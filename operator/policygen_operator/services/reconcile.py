"""Reconcile one PolicyGeneration: the spec's desired state -> a scan -> status, ConfigMap, pull request.

This is the single service the kopf handlers call, and it only orchestrates: ``services.status`` shapes
what goes into status, ``services.scanthread`` runs the scan in a worker thread with progress and
cancellation. It never raises for an expected failure: it returns an ``Outcome`` with the status to write
and a classification (permanent or temporary) that the handler turns into kopf's own errors. Keeping kopf
out of here lets unit tests drive every path with plain fakes.

Words: *publish* means writing the policy to its ConfigMap (the ``Published`` condition); the pull request
is *proposed*; *deliver* is both.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import KubernetesError, ObjectState
from policygen_operator.domain.engine import ScanCancelled
from policygen_operator.domain.iam.validate import Finding, validate_policy
from policygen_operator.domain.tenancy import session_name
from policygen_operator.domain.timeutil import iso, utcnow
from policygen_operator.domain.wording import counted
from policygen_operator.services import conditions as c
from policygen_operator.services import metrics
from policygen_operator.services import spec as specs
from policygen_operator.services import status as st
from policygen_operator.services.errors import (
    InvalidRequestError,
    NoMatchingEventsError,
    PolicygenError,
    ValidationFailedError,
    classify,
    is_unexpected,
)
from policygen_operator.services.generation import (
    GenerationRequest,
    GenerationResult,
    PrincipalResult,
    Progress,
    run_generation,
)
from policygen_operator.services.publish import (
    ConfigMapPort,
    policies_sha256,
    publish_configmap,
    published_policies,
)
from policygen_operator.services.pullrequest import (
    Credentials,
    PullRequestContext,
    PullRequestSpec,
    PullRequestStatus,
    clean_token,
    reconcile_pull_request,
    scan_context,
)
from policygen_operator.services.reasons import (
    READ_FAILURES,
    REPOSITORY_FAILURES,
    EventReason,
    Reason,
    decided_by,
)
from policygen_operator.services.scanthread import Generate, LatestProgress, scan_in_thread
from policygen_operator.services.status import Event, Outcome
from policygen_operator.services.tenancy import Resolved, TenancyPort, resolve
from policygen_operator.settings import OperatorSettings

logger = logging.getLogger(__name__)

OpenPullRequest = Callable[
    [PullRequestSpec, PullRequestContext, Credentials, tuple[str, ...]], PullRequestStatus
]


class KubePort(ConfigMapPort, TenancyPort, Protocol):
    async def patch_status(self, namespace: str, name: str, status: Mapping[str, Any]) -> ObjectState: ...

    async def get_state(self, namespace: str, name: str) -> ObjectState: ...

    async def read_secret(self, namespace: str, name: str) -> dict[str, str] | None: ...

    async def read_configmap_data(self, namespace: str, name: str) -> dict[str, str] | None: ...


@dataclass(frozen=True)
class Target:
    """One PolicyGeneration as the handler sees it."""

    namespace: str
    name: str
    uid: str
    generation: int
    spec: Mapping[str, Any]
    status: Mapping[str, Any]
    owner_reference: Mapping[str, Any]
    retry: int = 0


@dataclass(frozen=True)
class _Attempt:
    """One reconcile of one target: what every step after the spec check needs."""

    target: Target
    request: GenerationRequest
    pr_target: specs.PullRequestTarget | None
    conds: c.Conditions
    run: dict[str, Any]  # status.lastRun as written at the start
    source_ref: str | None = None  # "ClusterCloudTrailSource/org": the admin's object the scan reads


class Reconciler:
    def __init__(
        self,
        settings: OperatorSettings,
        kube: KubePort,
        executor: Executor,
        generate: Generate = run_generation,
        open_pull_request: OpenPullRequest = reconcile_pull_request,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.kube = kube
        self.executor = executor
        self.generate = generate
        self.open_pull_request = open_pull_request
        self.clock = clock
        # Scan admission: one semaphore for all scans, one per namespace (issue 10: one team cannot take every
        # slot). A queued reconcile waits here without touching the API server, and checks once when let in.
        self._slots = asyncio.Semaphore(settings.max_concurrent_scans)
        self._namespace_slots: dict[str, asyncio.Semaphore] = {}
        # A finished scan whose delivery failed for a temporary reason (API server or ConfigMap write down):
        # kopf's retry of the same uid and generation delivers it instead of scanning again.
        self._undelivered: dict[tuple[str, str], tuple[str, int, GenerationResult]] = {}

    @contextlib.asynccontextmanager
    async def _scan_slot(self, namespace: str) -> AsyncIterator[None]:
        """The namespace's slot first, then a global one: a namespace at its limit holds no global slot."""
        own = self._namespace_slots.setdefault(
            namespace, asyncio.Semaphore(self.settings.namespace_scan_limit())
        )
        async with own, self._slots:
            yield

    async def reconcile(self, target: Target, announce: Callable[[Event], None] | None = None) -> Outcome:
        """One run of ``target``; ``announce`` posts an event at once (the handler's ``kopf.event``).

        ``Started`` goes through ``announce`` when the scan begins, not into the outcome, which is posted only
        when the run returns: a scan may take hours, and ``kubectl describe`` should say one is running.
        Without ``announce`` it is dropped.
        """
        now = self.clock()
        conds = c.Conditions(target.status.get("conditions"), iso(now), target.generation)
        try:
            resolved = await resolve(
                target.spec,
                target.namespace,
                self.kube,
                operator_namespace=self.settings.operator_namespace,
                single_tenant=self.settings.single_tenant,
            )
            request, pr_target = self._requests(target, resolved, now)
        except Exception as raw:  # refusals (permanent), a source not there yet or an API outage (temporary)
            err = classify(raw)
            metrics.GENERATIONS.labels(_result_label(err, raw)).inc()
            return self._failed(target, conds, err, {})
        if target.retry and pr_target is not None:
            published = await self._published_for_pull_request(target)
            if published is not None:
                context = self._context_from_status(target, request, published)
                return await self._pull_request(target, conds, pr_target, {}, context)

        admin_generations = {
            "sourceGeneration": resolved.source.generation,
            "repositoryGeneration": resolved.repository.generation if resolved.repository else None,
        }
        run = st.started_run(now, target.generation, request.start, request.end, admin_generations)
        st.mark_generating(
            conds, target.status, target.generation, f"scanning CloudTrail for generation {target.generation}"
        )
        started = await self._patch(
            target, {"observedGeneration": target.generation, "conditions": conds.as_list(), "lastRun": run}
        )
        if started is not None and not started.exists:
            return Outcome(cancelled=True)
        if announce is not None and not target.retry:  # a retry carries on what its first attempt announced
            announce(Event("Normal", EventReason.STARTED, f"Generating for generation {target.generation}"))

        metrics.IN_FLIGHT.inc()
        began = time.monotonic()
        try:
            attempt = _Attempt(target, request, pr_target, conds, run, resolved.source.ref)
            outcome = await self._generate_and_deliver(attempt)
        finally:
            metrics.IN_FLIGHT.dec()
            metrics.DURATION.observe(time.monotonic() - began)
        return outcome

    def _requests(
        self, target: Target, resolved: Resolved, now: datetime
    ) -> tuple[GenerationRequest, specs.PullRequestTarget | None]:
        """The scan and the pull request the resolved spec asks for, with the session naming who asked."""
        request = specs.generation_request(
            resolved.spec,
            now,
            default_region=self.settings.aws_region,
            aws_endpoint_url=self.settings.aws_endpoint_url,
            workers=self.settings.scan_workers,
            max_file_bytes=self.settings.max_file_bytes,
        )
        tags = [("policygen.io/namespace", target.namespace), ("policygen.io/name", target.name)]
        tags += [("policygen.io/source", resolved.source.ref)] if resolved.source.ref else []
        aws = replace(
            request.aws,
            session_name=session_name(f"{target.namespace}.{target.name}"),
            session_tags=tuple(tags),
            external_id=resolved.source.external_id,
        )
        pr_target = specs.pull_request(resolved.spec)
        repository = resolved.repository
        if pr_target is not None and repository is not None:
            allowed = (pr_target.spec.repository,) if repository.ref else None
            pr_target = replace(
                pr_target,
                secret_namespace=repository.secret_namespace,
                allowed_repositories=allowed,
                repository_ref=repository.ref,
            )
        return replace(request, aws=aws), pr_target

    async def _generate_and_deliver(self, attempt: _Attempt) -> Outcome:
        key = (attempt.target.namespace, attempt.target.name)
        outcome = await self._scan_and_deliver(attempt)
        if outcome.failure is not Permanence.TEMPORARY:
            self._undelivered.pop(key, None)
        return outcome

    async def _scan_and_deliver(self, attempt: _Attempt) -> Outcome:
        target, request, conds, run = attempt.target, attempt.request, attempt.conds, attempt.run
        key = (target.namespace, target.name)
        kept = self._undelivered.get(key)
        if target.retry and kept is not None and kept[:2] == (target.uid, target.generation):
            logger.info("%s/%s: delivering the scan that finished before the last failure", *key)
            return await self._check_and_deliver(attempt, kept[2])
        latest = LatestProgress()
        try:
            async with self._scan_slot(target.namespace):
                if await self._still_wanted(target, None) is False:
                    raise ScanCancelled("deleted or changed while waiting for a scan slot")
                async with asyncio.timeout(self.settings.scan_timeout):
                    result = await scan_in_thread(
                        self.executor,
                        self.generate,
                        request,
                        latest,
                        functools.partial(self._still_wanted, target),
                        self.settings.progress_interval,
                        f"{target.namespace}/{target.name}",
                    )
        except TimeoutError:
            # The scan was cancelled (its thread stops at the next file). Permanent: the same window would
            # take as long again; a narrower window or a spec change starts over.
            metrics.GENERATIONS.labels("invalid").inc()
            timed_out = InvalidRequestError(
                f"the scan ran longer than {self.settings.scan_timeout:.0f}s (POLICYGEN_SCAN_TIMEOUT) and "
                "was stopped: narrow spec.window or the source's accounts and regions, or ask the admin "
                "for a longer limit",
                field="spec.window",
                reason=Reason.SCAN_TIMED_OUT,
            )
            return self._failed(target, conds, timed_out, self._completed_run(run, latest.value))
        except ScanCancelled:
            metrics.GENERATIONS.labels("cancelled").inc()
            return Outcome(cancelled=True)
        except Exception as raw:  # classified, whatever it is: an engine bug must not kill the handler loop
            if is_unexpected(raw):
                logger.exception("generation of %s/%s failed unexpectedly", target.namespace, target.name)
            err = classify(raw)
            metrics.GENERATIONS.labels(_result_label(err, raw)).inc()
            note = (
                _not_retried(target.spec, attempt.source_ref, _SOURCE) if err.reason in READ_FAILURES else ""
            )
            return self._failed(target, conds, err, self._completed_run(run, latest.value), note)
        self._undelivered[key] = (target.uid, target.generation, result)
        return await self._check_and_deliver(attempt, result)

    async def _check_and_deliver(self, attempt: _Attempt, result: GenerationResult) -> Outcome:
        target, request, conds, run = attempt.target, attempt.request, attempt.conds, attempt.run
        principal = request.principals[0]
        found = result.results.get(principal)
        if found is None or not found.policies:
            nothing = NoMatchingEventsError(f"no CloudTrail event of {principal} in the window")
            metrics.GENERATIONS.labels("no_events").inc()
            return self._failed(target, conds, nothing, self._completed_run(run, None, result))
        metrics.EVENTS_SCANNED.inc(result.summary.events_scanned)

        try:
            state = await self.kube.get_state(target.namespace, target.name)
        except Exception as raw:  # the scan is kept for the retry (see _undelivered)
            return self._failed(target, conds, classify(raw), self._completed_run(run, None, result))
        if not state.exists or state.uid != target.uid or state.generation != target.generation:
            metrics.GENERATIONS.labels("cancelled").inc()
            return Outcome(cancelled=True)  # deleted or changed while we scanned: nothing to publish
        return await self._deliver(attempt, result, found)

    async def _still_wanted(self, target: Target, progress: Progress | None) -> bool | None:
        """The bridge's check: write new progress to status; is the object still this generation?"""
        try:
            if progress is not None:
                state = await self.kube.patch_status(
                    target.namespace, target.name, {"lastRun": st.progress_fields(progress)}
                )
            else:
                state = await self.kube.get_state(target.namespace, target.name)
        except KubernetesError as err:
            logger.warning("progress of %s/%s not written: %s", target.namespace, target.name, err)
            return None
        return state.exists and state.uid == target.uid and state.generation == target.generation

    async def _deliver(self, attempt: _Attempt, result: GenerationResult, found: PrincipalResult) -> Outcome:
        target, conds = attempt.target, attempt.conds
        cm_name = specs.configmap_name(target.name, target.spec)
        sha256 = policies_sha256(found.policies)
        previous = target.status.get("policy") or {}
        status: dict[str, Any] = {
            "observedGeneration": target.generation,
            "lastRun": self._completed_run(attempt.run, None, result),
            "deniedActions": list(found.denied_actions),
            "unmappedEvents": sum(result.summary.unmapped.values()),
        }
        changed = previous.get("sha256") != sha256
        summary = (
            f"{counted(len(found.actions), 'action')} in {counted(len(found.services), 'service')} "
            f"from {counted(result.summary.events_matched, 'event')}"
        )
        conds.set(c.GENERATED, True, Reason.GENERATED, summary)
        skipped = st.skipped_counts(result.summary.skipped_files)
        conds.set(c.COMPLETE, *st.completeness(result, skipped))
        source = f"{target.namespace}/{target.name}"
        # What this object's status says it last published under this name (a deleted one is put back).
        same_name = (target.status.get("configMapRef") or {}).get("name") == cm_name
        published_here = previous.get("sha256") if same_name else None
        try:
            published = await publish_configmap(
                self.kube,
                target.namespace,
                cm_name,
                found.policies,
                target.owner_reference,
                source,
                result.report,
                published=published_here,
            )
        except Exception as raw:
            # status.policy (and the ACTIONS/PARTS columns) stays the last policy that was published.
            return self._step_failed(target, conds, c.PUBLISHED, raw, status, Reason.CONFIGMAP_REJECTED)
        if published.changed:
            metrics.CONFIGMAP_WRITES.inc()
        # Only now: status.policy is the last *published* policy, never one a failed write left nowhere.
        if changed or previous.get("generation") != target.generation:
            status["policy"] = st.policy_status(found, sha256, target.generation)
        status["findings"] = [st.finding_status(f) for f in found.findings]
        status["configMapRef"] = {"name": cm_name, "key": specs.POLICY_KEY}
        verb = "updated" if published.changed else "unchanged"
        repaired = f" (restored: {'; '.join(published.repaired)})" if published.repaired else ""
        conds.set(
            c.PUBLISHED,
            True,
            Reason.CONFIGMAP_UPDATED if published.changed else Reason.CONFIGMAP_UNCHANGED,
            f"ConfigMap {cm_name} {verb}{repaired}",
        )
        metrics.GENERATIONS.labels("succeeded").inc()
        if attempt.pr_target is None:
            conds.remove(c.PULL_REQUEST_OPENED)
            if target.status.get("pullRequest"):
                status["pullRequest"] = None  # merge patch: no pull request is wanted any more
            return self._outcome(target, conds, status)
        if not self._pull_request_due(target, changed):
            return self._outcome(target, conds, status)
        context = scan_context(
            f"{target.namespace}/{target.name}", found.principal, found, attempt.request, result, skipped
        )
        return await self._pull_request(target, conds, attempt.pr_target, status, context)

    async def _published_for_pull_request(self, target: Target) -> list[dict[str, Any]] | None:
        """The published policy when a kopf retry has only the pull request left to do, else None.

        A temporary pull-request failure (forge down, rate limited) makes kopf retry the whole handler; the
        policy of this generation is then already in status and in the ConfigMap, so the retry reads it back
        instead of scanning CloudTrail again. Anything that does not match exactly means a full run, and so
        does a policy read back that no longer validates (an error finding): the pull request is only ever
        opened for a policy that passed validation, whoever changed the ConfigMap and status in between.
        """
        status = target.status
        policy = status.get("policy") or {}
        done = all(
            st.condition(status, t).get("status") == c.TRUE
            and st.condition(status, t).get("observedGeneration") == target.generation
            for t in (c.GENERATED, c.PUBLISHED)
        )
        # kopf retries only after a temporary failure, so a False pull-request condition of this generation
        # on a retry is the temporary failure this retry is for.
        pending = st.condition(status, c.PULL_REQUEST_OPENED)
        if not (
            done
            and policy.get("generation") == target.generation
            and pending.get("status") == c.FALSE
            and pending.get("observedGeneration") == target.generation
        ):
            return None
        name = specs.configmap_name(target.name, target.spec)
        try:
            policies = published_policies(await self.kube.read_configmap_data(target.namespace, name) or {})
        except (KubernetesError, ValueError):
            return None
        if not policies or policies_sha256(policies) != policy.get("sha256"):
            return None
        if any(f.severity == "error" for part in policies for f in validate_policy(part)):
            logger.warning(
                "%s/%s: the published policy does not validate; scanning again", target.namespace, target.name
            )
            return None
        return policies

    def _context_from_status(
        self, target: Target, request: GenerationRequest, policies: list[dict[str, Any]]
    ) -> PullRequestContext:
        """The pull request's text from what the last scan wrote into status (its window, not a new one)."""
        last_run = target.status.get("lastRun") or {}
        return PullRequestContext(
            name=f"{target.namespace}/{target.name}",
            principal=request.principals[0],
            policies=policies,
            window_start=str(last_run.get("windowStart", iso(request.start))),
            window_end=str(last_run.get("windowEnd", iso(request.end))),
            events_scanned=int(last_run.get("eventsScanned") or 0),
            events_matched=int(last_run.get("eventsMatched") or 0),
            findings=[Finding.from_dict(f) for f in target.status.get("findings") or []],
            denied_actions=list(target.status.get("deniedActions") or []),
            files_skipped=_skipped_from_status(target.status),
            bad_records=int(last_run.get("badRecords") or 0),
        )

    def _pull_request_due(self, target: Target, policy_changed: bool) -> bool:
        """Level-based: open or refresh unless the PR already reflects this policy and this spec."""
        pr_condition = st.condition(target.status, c.PULL_REQUEST_OPENED)
        return (
            policy_changed
            or not target.status.get("pullRequest")
            or pr_condition.get("status") != c.TRUE
            or target.status.get("observedGeneration") != target.generation
            or pr_condition.get("observedGeneration") != target.generation
        )

    async def _pull_request(
        self,
        target: Target,
        conds: c.Conditions,
        pr_target: specs.PullRequestTarget,
        status: dict[str, Any],
        context: PullRequestContext,
    ) -> Outcome:
        status["observedGeneration"] = target.generation
        try:
            _check_complete_enough(target.spec, pr_target, context)
            credentials = await read_credentials(
                self.kube,
                pr_target.secret_namespace or target.namespace,
                pr_target.secret_name,
                pr_target.spec.provider,
            )
            allowed = pr_target.allowed_repositories
            loop = asyncio.get_running_loop()
            opened = await loop.run_in_executor(
                self.executor,
                functools.partial(
                    self.open_pull_request,
                    pr_target.spec,
                    context,
                    credentials,
                    self.settings.allowed_repositories if allowed is None else allowed,
                ),
            )
        except Exception as raw:
            # A permanent Kubernetes error here is the Secret refused (RBAC): the same as the ConfigMap step.
            return self._step_failed(
                target,
                conds,
                c.PULL_REQUEST_OPENED,
                raw,
                status,
                Reason.CREDENTIALS_UNREADABLE,
                lambda err: (
                    _not_retried(target.spec, pr_target.repository_ref, _REPOSITORY)
                    if err.reason in REPOSITORY_FAILURES and err.permanence is Permanence.PERMANENT
                    else ""
                ),
            )
        status["pullRequest"] = st.pull_request_patch(opened, target.status.get("pullRequest"))
        conds.set(c.PULL_REQUEST_OPENED, True, *st.pull_request_condition(opened))
        return self._outcome(target, conds, status)

    def _delay(self, target: Target, err: PolicygenError) -> float:
        """The backoff for this attempt, or longer when the other side said when to come back. A missing
        admin object waits ``ADMIN_OBJECT_RETRY`` at most: the admin creating it ends the refusal, and its
        creation annotates this resource (services/adminrefs.py), but kopf holds the handler until the
        delay given ends, which the doubling backoff made ten minutes after a long absence."""
        backoff = self.settings.backoff(target.retry)
        if decided_by(err.reason) is not None:
            backoff = min(backoff, ADMIN_OBJECT_RETRY)
        return max(backoff, err.retry_after or 0.0)

    def _outcome(
        self, target: Target, conds: c.Conditions, status: dict[str, Any], err: PolicygenError | None = None
    ) -> Outcome:
        if err is None:
            return st.outcome(target.status, conds, status)
        delay = self._delay(target, err) if err.permanence is Permanence.TEMPORARY else 0.0
        return st.outcome(target.status, conds, status, err.permanence, str(err), delay)

    def _failed(
        self,
        target: Target,
        conds: c.Conditions,
        err: PolicygenError,
        last_run: dict[str, Any],
        note: str = "",
    ) -> Outcome:
        """A failed run says what to fix, and that the last good policy (if any) is still in place."""
        delay = self._delay(target, err) if err.permanence is Permanence.TEMPORARY else None
        message = st.failure_message(err, target.status, target.retry, delay, note)
        conds.set(c.GENERATED, False, err.reason, message)
        status: dict[str, Any] = {"observedGeneration": target.generation}
        if last_run:
            status["lastRun"] = last_run
        return self._outcome(target, conds, status, err)

    def _step_failed(
        self,
        target: Target,
        conds: c.Conditions,
        type_: str,
        raw: Exception,
        status: dict[str, Any],
        refused: Reason,
        note: Callable[[PolicygenError], str] = lambda err: "",
    ) -> Outcome:
        """A failed output step (ConfigMap, pull request): classified like every failure, on its condition;
        ``note`` adds what a permanent failure waits for."""
        if is_unexpected(raw):
            logger.exception("%s of %s/%s failed unexpectedly", type_, target.namespace, target.name)
        err = classify(raw, reason=refused)
        message = str(err) + note(err)
        if err.permanence is Permanence.TEMPORARY:
            message += f"; retrying in {self._delay(target, err):.0f}s"
        if type_ == c.PUBLISHED:  # nothing of this run was published: say what still is
            message += st.kept_policy(target.status)
        conds.set(type_, False, err.reason, message)
        return self._outcome(target, conds, status, err)

    def _completed_run(
        self, run: dict[str, Any], progress: Progress | None, result: GenerationResult | None = None
    ) -> dict[str, Any]:
        return st.completed_run(run, self.clock(), progress, result)

    async def _patch(self, target: Target, status: Mapping[str, Any]) -> ObjectState | None:
        try:
            return await self.kube.patch_status(target.namespace, target.name, status)
        except KubernetesError as err:
            logger.warning("status of %s/%s not written: %s", target.namespace, target.name, err)
            return None


def _retried_when(spec: Mapping[str, Any]) -> str:
    """What runs a PolicyGeneration again after a permanent failure, besides its admin objects' changes."""
    scheduled = bool((spec.get("schedule") or {}).get("interval"))
    return "the spec changes" + (" or the next scheduled run" if scheduled else "")


class _AdminObject(NamedTuple):
    """What an admin object holds that a run depends on, as the not-retried message names it."""

    holds: str
    noun: str
    otherwise: str = ""


_SOURCE = _AdminObject(
    "the logs' location and access (bucket, prefix, accounts, regions, role)",
    "source",
    ", else fix this PolicyGeneration's spec",
)
_REPOSITORY = _AdminObject("its url, provider and credentials", "repository object")


def _not_retried(spec: Mapping[str, Any], admin_ref: str | None, admin: _AdminObject) -> str:
    """What a permanent failure waits for, and whose fix it may be: what an admin object the spec names
    holds (where the logs are read and with which role; a repository's URL and credentials) the team cannot
    edit, and its admin's change runs the PolicyGeneration again (services/adminrefs.py). A temporary
    failure says when its next try is instead."""
    until = _retried_when(spec)
    if admin_ref is None:
        return f"; not retried until {until}"
    kind, _, name = admin_ref.partition("/")
    return (
        f"; not retried until {until} or {kind} {name} does: {admin.holds} are that {admin.noun}'s, so if "
        f"one of those is wrong ask its admin to fix it{admin.otherwise}"
    )


def _skipped_from_status(status: Mapping[str, Any]) -> dict[str, int]:
    """The retry path's skipped-file count: from lastRun (kinds are only in the Complete message)."""
    if st.condition(status, c.COMPLETE).get("status") != c.FALSE:
        return {}
    count = int((status.get("lastRun") or {}).get("filesSkipped") or 0)
    return {"Unreadable": count} if count else {}


def _check_complete_enough(
    spec: Mapping[str, Any], pr_target: specs.PullRequestTarget, context: PullRequestContext
) -> None:
    """No pull request that replaces a managed policy from incomplete data, unless the resource opts in.

    A file skipped for AccessDenied, KMS, archiving or corruption, or a record that could not be used, may
    hold the only record of an action the role needs; detaching PowerUserAccess on such a policy would break
    the role. Adding a policy without replacing anything is harmless and goes ahead, with the counts in the
    description.
    """
    incomplete = context.files_skipped or context.bad_records
    if not incomplete or not pr_target.spec.replace_managed_policies:
        return
    if ((spec.get("output") or {}).get("pullRequest") or {}).get("allowIncomplete"):
        return
    raise st.incomplete_refusal(
        f"replace {', '.join(pr_target.spec.replace_managed_policies)}",
        dict(sorted(context.files_skipped.items())),
        "set spec.output.pullRequest.allowIncomplete: true (the Complete condition and the ConfigMap's "
        "report name what was not read)",
        "spec.output.pullRequest",
        context.bad_records,
    )


# The longest wait for an admin object a resource names that does not exist yet (SourceNotFound,
# RepositoryRefNotFound): one read of it a retry, at most once a minute a resource.
ADMIN_OBJECT_RETRY = 60.0


def _result_label(err: PolicygenError, raw: BaseException) -> str:
    """The ``result`` label of the generations metric."""
    if is_unexpected(raw):
        return "error"
    if err.permanence is Permanence.TEMPORARY:
        return "temporary"
    if isinstance(err, NoMatchingEventsError):
        return "no_events"
    if isinstance(err, ValidationFailedError):
        return "validation_failed"
    return "invalid"


class SecretPort(Protocol):
    async def read_secret(self, namespace: str, name: str) -> dict[str, str] | None: ...


async def read_credentials(
    kube: SecretPort, namespace: str, secret_name: str | None, provider: str
) -> Credentials:
    """A pull request's token from ``credentialsSecretRef`` (none for a ``git`` push without one), without
    the whitespace around it (``pullrequest.clean_token``: a Secret made ``--from-file`` keeps a newline)."""
    if secret_name is None:
        return Credentials(token="")
    data = await kube.read_secret(namespace, secret_name)
    if data is None or not data.get("token"):
        raise InvalidRequestError(
            f"Secret {namespace}/{secret_name} is missing, has no key 'token', is not marked for "
            "policygen (type policygen.io/credentials or label policygen.io/credentials=true), or the "
            "operator may not read it",
            field="spec.output.pullRequest.credentialsSecretRef",
            reason=Reason.CREDENTIALS_MISSING,
        )
    where = f"key 'token' of Secret {namespace}/{secret_name}"
    token = clean_token(data["token"], provider, where, "spec.output.pullRequest.credentialsSecretRef")
    return Credentials(token=token, username=(data.get("username") or "").strip() or None)
