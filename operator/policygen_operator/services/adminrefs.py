"""An admin's change to a source or repository reaches the PolicyGenerations that name it.

A PolicyGeneration's outcome depends on its own spec and on the admin objects it names (``spec.sourceRef``,
``spec.output.pullRequest.repositoryRef``): whether its namespace, principal and path are allowed, where the
credentials are. kopf reruns a PolicyGeneration when its own spec changes, so without this a refusal such as
``SourceNotAllowed`` would wait for a spec change or its schedule after the admin had fixed the source.

Level-based: for every watch event of an admin object (the operator's start-up listing included), each
PolicyGeneration naming it whose outcome that object decides gets the object's generation in an annotation
(``refs.policygen.io/source-generation`` or ``.../repository-generation``; ``absent`` once it is deleted).
A changed annotation is a change kopf hands to the PolicyGeneration's handler, which reconciles as usual; an
annotation already at that value is left alone, so repeated events and restarts patch nothing.

"Decides" means: its last run was refused for something that object decides (``reasons.decided_by``), or
failed for good in the step that used it (``FAILED_WITH``: the source's bucket did not exist), or
the object as the event shows it refuses it now (the admin removed its namespace, principal or path), or its
spec has not been resolved yet (``status.observedGeneration`` behind: its first reconcile may be reading the
object as it was before this event, and would otherwise keep a refusal the admin has already lifted). A
PolicyGeneration that was allowed and still is keeps its result until its next run (schedule or spec
change): an admin's edit of one shared source must not rescan every team's window at once.

A Namespace's labels decide too: a cluster source or repository serves the namespaces its
``spec.namespaces.selector`` matches. For every watch event of a Namespace, each PolicyGeneration there that
names a cluster object and whose last run those labels now contradict (refused for its namespace,
``SourceNotAllowed``/``RepositoryNotAllowed``, but allowed now; or the reverse), or whose spec has not been
resolved yet, gets ``refs.policygen.io/namespace-labels``: the decision and the Namespace's resourceVersion
(``allowed@812``). Its handler reruns only while the PolicyGeneration's status still disagrees with that
decision (``namespace_rerun_due``), so a nudge that raced a run which already read the new labels scans
nothing. Labels that change nothing (a PolicyGeneration allowed before and now) patch nothing.

The annotations' prefix is not ``policygen.io/``: kopf ignores its own storage prefix when it diffs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from policygen_operator.services import conditions as c
from policygen_operator.services.errors import PolicygenError
from policygen_operator.services.reasons import READ_FAILURES, REPOSITORY_FAILURES, Reason, decided_by
from policygen_operator.services.status import condition
from policygen_operator.services.tenancy import (
    REPOSITORY_KINDS,
    SOURCE_KINDS,
    TenancyCache,
    TenancyPort,
    resolve_repository,
    resolve_source,
)

logger = logging.getLogger(__name__)

SOURCE_ANNOTATION = "refs.policygen.io/source-generation"
REPOSITORY_ANNOTATION = "refs.policygen.io/repository-generation"
ANNOTATIONS = {"source": SOURCE_ANNOTATION, "repository": REPOSITORY_ANNOTATION}
ABSENT = "absent"
NAMESPACE_ANNOTATION = "refs.policygen.io/namespace-labels"
# What a Namespace's labels decide (through a cluster object's spec.namespaces), and the annotation's words.
NAMESPACE_REASONS = frozenset({Reason.SOURCE_NOT_ALLOWED, Reason.REPOSITORY_NOT_ALLOWED})
ALLOWED, REFUSED, UNKNOWN = "allowed", "refused", "unknown"

# Where a run records the generation of each admin object it read (status.lastRun).
RUN_FIELDS = {"source": "sourceGeneration", "repository": "repositoryGeneration"}

AdminKey = tuple[str, str | None, str]  # (kind, namespace or None for a cluster kind, name)


@dataclass(frozen=True)
class Referrer:
    """A PolicyGeneration as the admin objects see it: what it asks for and what its last run was told."""

    namespace: str
    name: str
    spec: Mapping[str, Any]
    waiting: frozenset[str]  # "source" / "repository": refused last time for what that object decides
    evaluated: bool  # status.observedGeneration is its generation: its references were resolved for this spec
    annotations: Mapping[str, str]  # the annotations this module writes, as they are
    namespace_refused: bool = False  # last run refused because a cluster object does not serve its namespace


def references(
    namespace: str,
    name: str,
    spec: Mapping[str, Any],
    status: Mapping[str, Any],
    annotations: Mapping[str, str],
    generation: int | None = None,
) -> dict[AdminKey, Referrer]:
    """The admin objects a PolicyGeneration names, each with the PolicyGeneration (kopf's index entries)."""
    waiting = frozenset(
        role
        for type_ in (c.GENERATED, c.PULL_REQUEST_OPENED)
        if condition(status, type_).get("status") == c.FALSE
        and (role := waits_on(type_, condition(status, type_).get("reason"))) is not None
    )
    mine = {k: str(v) for k, v in annotations.items() if k in (*ANNOTATIONS.values(), NAMESPACE_ANNOTATION)}
    evaluated = generation is None or status.get("observedGeneration") == generation
    referrer = Referrer(namespace, name, dict(spec), waiting, evaluated, mine, namespace_refused(status))
    pull_request = (spec.get("output") or {}).get("pullRequest") or {}
    keys: dict[AdminKey, Referrer] = {}
    for ref, kinds, default in (
        (spec.get("sourceRef"), SOURCE_KINDS, "CloudTrailSource"),
        (pull_request.get("repositoryRef"), REPOSITORY_KINDS, "PolicyRepository"),
    ):
        kind = str((ref or {}).get("kind") or default)
        if ref and kind in kinds:
            where = None if kind.startswith("Cluster") else namespace
            keys[(kind, where, str(ref.get("name") or ""))] = referrer
    return keys


# Permanent failures of the step that used an admin's object, by the condition that carries them: what the
# object names may be their cause (a source's bucket, prefix, regions or role: NoSuchBucket is `InvalidSpec`,
# a wrong prefix or region list reads nothing, `NoMatchingEvents`; a repository's URL or credentials:
# `RepositoryNotFound`, `Unauthorized`), and the team cannot fix that in its own spec. A change to the object
# reruns them, as it reruns the refusals it decides; nothing else is rescanned (a Ready PolicyGeneration keeps
# its result), and a failure its own spec caused costs one refusal before anything is read.
FAILED_WITH: Mapping[tuple[str, str], str] = {
    **{(c.GENERATED, reason): "source" for reason in READ_FAILURES},
    **{(c.PULL_REQUEST_OPENED, reason): "repository" for reason in REPOSITORY_FAILURES},
}


def waits_on(condition_type: str, reason: object) -> str | None:
    """``"source"`` or ``"repository"``: the admin object whose change may lift a failure read back from a
    condition (a refusal it decides, or a permanent failure of the step that used it)."""
    role = decided_by(reason)
    if role is None and isinstance(reason, str):
        role = FAILED_WITH.get((condition_type, reason))
    return role


def namespace_references(
    namespace: str,
    name: str,
    spec: Mapping[str, Any],
    status: Mapping[str, Any],
    annotations: Mapping[str, str],
    generation: int | None = None,
) -> dict[str, Referrer]:
    """A PolicyGeneration by its namespace, when it names a cluster object (whose ``spec.namespaces`` may
    select the namespace by its labels); nothing otherwise (kopf's index of PolicyGenerations by
    namespace)."""
    keys = references(namespace, name, spec, status, annotations, generation)
    cluster = [referrer for (_, where, _), referrer in keys.items() if where is None]
    return {namespace: cluster[0]} if cluster else {}


def namespace_refused(status: Mapping[str, Any]) -> bool:
    """Whether the last run was refused because a cluster object does not serve the namespace."""
    return any(
        condition(status, type_).get("status") == c.FALSE
        and condition(status, type_).get("reason") in NAMESPACE_REASONS
        for type_ in (c.GENERATED, c.PULL_REQUEST_OPENED)
    )


def namespace_rerun_due(status: Mapping[str, Any], generation: int, annotations: Mapping[str, str]) -> bool:
    """Whether a Namespace's nudge (``refs.policygen.io/namespace-labels``) calls for a run: the status of
    this spec still disagrees with what the labels decided (refused for its namespace, yet allowed now, or
    the reverse), or the decision is unknown. kopf hands this the body after a run in progress has written
    its status, so a nudge that raced a run which already read the new labels runs nothing."""
    decision = str(annotations.get(NAMESPACE_ANNOTATION) or "").partition("@")[0]
    if decision not in (ALLOWED, REFUSED) or status.get("observedGeneration") != generation:
        return True
    return namespace_refused(status) != (decision == REFUSED)


def run_saw(status: Mapping[str, Any], generation: int, annotations: Mapping[str, str]) -> bool:
    """Whether the last finished run of this spec read each admin object at the generation its annotation
    now carries: the nudge then brings nothing that run did not see, and running again would only repeat its
    scan (a second Athena query, billed). This happens when an object's event finds a PolicyGeneration whose
    first run is under way: ``nudge`` cannot tell whether that run read the object before or after the change,
    the run's ``status.lastRun`` can. A run refused before it read an object (no ``lastRun`` for this
    generation) or one that read an older generation is run again.
    """
    run = status.get("lastRun") or {}
    if run.get("generation") != generation or not run.get("completionTime"):
        return False
    return all(
        str(run.get(RUN_FIELDS[role])) == annotations[annotation]
        for role, annotation in ANNOTATIONS.items()
        if annotation in annotations
    )


class AnnotatePort(TenancyPort, Protocol):
    async def annotate_policygeneration(
        self, namespace: str, name: str, annotations: Mapping[str, str]
    ) -> None:
        """Merge-patch annotations onto a PolicyGeneration (a missing one is not an error)."""
        ...


class AdminRefs:
    def __init__(self, kube: AnnotatePort, operator_namespace: str) -> None:
        self.kube = kube
        self.operator_namespace = operator_namespace

    async def nudge(
        self, key: AdminKey, body: Mapping[str, Any] | None, referrers: Iterable[Referrer]
    ) -> list[tuple[str, str]]:
        """Annotate the referrers this object's current state decides; ``body`` None: it was deleted."""
        kind, namespace, name = key
        role = "source" if kind in SOURCE_KINDS else "repository"
        annotation = ANNOTATIONS[role]
        value = ABSENT if body is None else str((body.get("metadata") or {}).get("generation") or "")
        view = TenancyCache(self.kube)  # the object as the event shows it; namespaces read once per event
        plural = {**SOURCE_KINDS, **REPOSITORY_KINDS}[kind]
        view.pin(plural, namespace, name, None if body is None else dict(body))
        nudged: list[tuple[str, str]] = []
        for referrer in referrers:
            if referrer.annotations.get(annotation) == value:
                continue
            settled = referrer.evaluated and role not in referrer.waiting
            if settled and not await self._refuses(role, referrer, view):
                continue
            await self.kube.annotate_policygeneration(referrer.namespace, referrer.name, {annotation: value})
            nudged.append((referrer.namespace, referrer.name))
        return nudged

    async def nudge_namespace(
        self, namespace: str, body: Mapping[str, Any] | None, referrers: Iterable[Referrer]
    ) -> list[tuple[str, str]]:
        """Annotate the PolicyGenerations of ``namespace`` whose last run its labels (as ``body``, the watch
        event's Namespace, shows them) now contradict; ``body`` None: deleted, its PolicyGenerations go
        too."""
        if body is None:
            return []
        meta = body.get("metadata") or {}
        view = TenancyCache(self.kube)  # each cluster object read once per event, the labels not at all
        view.pin_labels(namespace, {str(k): str(v) for k, v in (meta.get("labels") or {}).items()})
        nudged: list[tuple[str, str]] = []
        for referrer in referrers:
            refused = await self._namespace_refuses(referrer, view)
            if referrer.evaluated and refused is referrer.namespace_refused:
                continue
            word = UNKNOWN if refused is None else REFUSED if refused else ALLOWED
            value = f"{word}@{meta.get('resourceVersion') or ''}"
            if referrer.annotations.get(NAMESPACE_ANNOTATION) == value:
                continue
            await self.kube.annotate_policygeneration(
                referrer.namespace, referrer.name, {NAMESPACE_ANNOTATION: value}
            )
            nudged.append((referrer.namespace, referrer.name))
        return nudged

    async def _namespace_refuses(self, referrer: Referrer, view: TenancyPort) -> bool | None:
        """Whether a cluster object the PolicyGeneration names refuses its namespace; None: could not tell
        (its reconcile then decides). Other refusals (principal, path, a missing object) are not the
        namespace's: their objects' own events carry them."""
        pull_request = (referrer.spec.get("output") or {}).get("pullRequest") or {}
        refs = {"source": referrer.spec.get("sourceRef"), "repository": pull_request.get("repositoryRef")}
        for role, ref in refs.items():
            if not str((ref or {}).get("kind") or "").startswith("Cluster"):
                continue
            try:
                if role == "source":
                    await resolve_source(referrer.spec, referrer.namespace, view)
                else:
                    await resolve_repository(
                        referrer.spec, referrer.namespace, view, operator_namespace=self.operator_namespace
                    )
            except PolicygenError as err:
                if err.reason in NAMESPACE_REASONS:
                    return True
            except Exception as err:  # an API outage while reading the cluster object
                logger.warning(
                    "%s/%s: could not check its namespace (%s)", referrer.namespace, referrer.name, err
                )
                return None
        return False

    async def _refuses(self, role: str, referrer: Referrer, view: TenancyPort) -> bool:
        """Whether the object refuses this PolicyGeneration now; an error answering it counts as yes (its own
        reconcile then says what is wrong)."""
        try:
            if role == "source":
                await resolve_source(referrer.spec, referrer.namespace, view)
            else:
                await resolve_repository(
                    referrer.spec, referrer.namespace, view, operator_namespace=self.operator_namespace
                )
        except PolicygenError:
            return True
        except Exception as err:  # an API outage while reading a Namespace: let the reconcile decide
            logger.warning("%s/%s: could not check its %s (%s)", referrer.namespace, referrer.name, role, err)
            return True
        return False
