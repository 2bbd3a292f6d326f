"""Reconcile a Rightsizing or ClusterRightsizing: discover roles, one child per role, scan once, report.

Level-based, every time it runs (spec change, or the periodic timer):

1. discover the roles in scope (IRSA ServiceAccounts, ACK ``Role`` objects, EKS Pod Identity associations);
2. make the children match: one ``PolicyGeneration`` per distinct role, named ``child_name(parent, arn)``,
   labelled with the parent's uid and owned by the parent; children of roles no longer found are deleted;
3. when a scan is due (new spec, a role not covered by the last scan, or ``spec.schedule``), ONE scan of
   CloudTrail for every role, then per role: its policy, its granted policies from IAM, granted versus used;
4. write each child's status and ConfigMap (the children carry ``policygen.io/fed-by``, so the
   PolicyGeneration handlers leave them alone and never scan them one by one), metrics, the parent's totals.

Where the logs are follows the tenancy rules of ``services/tenancy.py``: ``spec.sourceRef`` names an
admin's CloudTrailSource (its ``allowedPrincipals`` decide which discovered roles this parent may rightsize;
the others are listed in ``status.rolesNotAllowed`` and get no child), and an inline ``spec.cloudTrail`` is
honoured for a namespaced Rightsizing only when the operator runs single-tenant. A ClusterRightsizing is
cluster-scoped, so only cluster admins can write one: it may use either form. The same holds for the pull
requests' repository.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import (
    CLUSTER_EVENTS_NAMESPACE,
    EventReporter,
    KubernetesError,
    ObjectState,
)
from policygen_operator.domain.engine import ScanCancelled
from policygen_operator.domain.iam.granted import Grant, expand_policies, within_boundary
from policygen_operator.domain.iam.reference import load_reference
from policygen_operator.domain.rightsizing import (
    Binding,
    DiscoveredRole,
    Guards,
    RoleAnalysis,
    analyze,
    child_name,
    group_roles,
    split_by_service_account,
)
from policygen_operator.domain.timeutil import iso, utcnow
from policygen_operator.domain.wording import counted
from policygen_operator.services import conditions as c
from policygen_operator.services import metrics
from policygen_operator.services import spec as specs
from policygen_operator.services.errors import (
    InvalidRequestError,
    PolicygenError,
    classify,
    is_unexpected,
)
from policygen_operator.services.generation import (
    AwsAccess,
    GenerationRequest,
    GenerationResult,
    NoMatchingEvents,
    PolicyValidationFailed,
    PrincipalResult,
    Progress,
    run_generation,
)
from policygen_operator.services.publish import ConfigMapPort, policies_sha256, publish_configmap
from policygen_operator.services.pullrequest import (
    Credentials,
    FileEdit,
    GroupRequest,
    PullRequestSpec,
    PullRequestStatus,
    reconcile_group_pull_request,
    reconcile_pull_request,
    scan_context,
)
from policygen_operator.services.reasons import EventReason, Reason
from policygen_operator.services.reconcile import OpenPullRequest, SecretPort, read_credentials
from policygen_operator.services.scanthread import Generate, LatestProgress, scan_in_thread
from policygen_operator.services.status import (
    RUN_COUNTERS,
    athena_run,
    completeness,
    incomplete_refusal,
    kept_policy,
    mark_generating,
    policy_status,
    progress_fields,
    pull_request_condition,
    pull_request_patch,
    pull_request_status,
    record_counts,
    skipped_counts,
    started_run,
)
from policygen_operator.services.tenancy import (
    SourceAccess,
    TenancyCache,
    TenancyPort,
    resolve_repository,
    resolve_source,
)
from policygen_operator.settings import OperatorSettings

PERMANENT = Permanence.PERMANENT
logger = logging.getLogger(__name__)

FED_BY = "policygen.io/fed-by"
PARENT_UID = "policygen.io/rightsizing-uid"
PARENT_NAME = "policygen.io/rightsizing"
ROLE_HASH = "policygen.io/role"
DETAIL_KEY = "rightsizing.json"
DISCOVERED, SCANNED = "Discovered", "Scanned"


@dataclass(frozen=True)
class Parent:
    kind: str  # Rightsizing | ClusterRightsizing
    namespace: str | None  # None: cluster-scoped
    name: str
    uid: str
    generation: int
    spec: Mapping[str, Any]
    status: Mapping[str, Any]
    owner_reference: Mapping[str, Any]

    @property
    def child_namespace(self) -> str:
        return self.namespace or str(self.spec.get("childNamespace") or "")

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.namespace + '/' if self.namespace else ''}{self.name}"


class RightsizingKubePort(ConfigMapPort, SecretPort, TenancyPort, Protocol):
    async def namespaces(
        self, match_labels: Mapping[str, str] | None, names: list[str] | None
    ) -> list[str]: ...
    async def irsa_bindings(
        self, namespace: str, match_labels: Mapping[str, str] | None
    ) -> list[Binding]: ...
    async def ack_bindings(self, namespace: str, account: str | None) -> list[Binding]: ...
    async def children(
        self, selector: str, namespaces: Sequence[str] | None = None
    ) -> list[dict[str, Any]]: ...
    async def create_child(self, namespace: str, body: dict[str, Any]) -> None: ...
    async def patch_child_spec(self, namespace: str, name: str, spec: Mapping[str, Any]) -> None: ...
    async def delete_child(self, namespace: str, name: str) -> None: ...
    async def patch_parent_status(
        self, namespace: str | None, name: str, status: Mapping[str, Any]
    ) -> bool: ...
    async def parent_state(self, namespace: str | None, name: str) -> ObjectState: ...
    async def patch_status(self, namespace: str, name: str, status: Mapping[str, Any]) -> ObjectState: ...
    async def post_cluster_event(
        self,
        involved: Mapping[str, str],
        type_: str,
        reason: str,
        message: str,
        reporter: EventReporter,
    ) -> None: ...


Event = tuple[str, str, str]  # (Normal|Warning, reason, message)
PostEvent = Callable[[str, str, str], None]  # the handler's kopf.event for the object: type, reason, message


class AwsPort(Protocol):
    """IAM and EKS reads; synchronous (boto3), run in the executor."""

    def role_policies(self, aws: AwsAccess, role_arn: str) -> Any: ...  # adapters.aws.iam.RolePolicies
    def pod_identity(self, aws: AwsAccess, cluster: str, namespaces: set[str]) -> list[Binding]: ...


@dataclass
class ParentOutcome:
    status: dict[str, Any] = field(default_factory=dict)
    failure: Permanence | None = None
    message: str = ""
    delay: float = 0.0
    cancelled: bool = False  # the parent went away or changed mid-scan: nothing to write
    events: list[Event] = field(default_factory=list)


def guards(spec: Mapping[str, Any]) -> Guards:
    raw = spec.get("guards") or {}
    return Guards(
        min_days_observed=float(raw.get("minDaysObserved") or 0),
        min_events=int(raw.get("minEvents") or 0),
        keep_actions=tuple(raw.get("keepActions") or ()),
    )


def child_spec(parent: Parent, role_arn: str) -> dict[str, Any]:
    """What a child asks for: the parent's source (reference or inline), window and policy options."""
    spec: dict[str, Any] = {"principalArn": role_arn}
    for key in ("sourceRef", "cloudTrail", "window", "aws"):
        if parent.spec.get(key):
            spec[key] = dict(parent.spec[key])
    if "sourceRef" in spec and "aws" in spec:
        spec["aws"].pop("roleArn", None)  # with a source, the admin's source picks the role
        if not spec["aws"]:
            del spec["aws"]
    policy = parent.spec.get("policy") or {}
    if policy:
        spec["policy"] = dict(policy)
    return spec


def child_body(parent: Parent, role: DiscoveredRole) -> dict[str, Any]:
    name = child_name(parent.name, role.arn)
    return {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "PolicyGeneration",
        "metadata": {
            "name": name,
            "namespace": parent.child_namespace,
            "labels": {
                PARENT_UID: parent.uid,
                PARENT_NAME: parent.name[:63].rstrip("-_."),
                ROLE_HASH: name.rsplit("-", 1)[-1],
                "app.kubernetes.io/managed-by": "policygen",
            },
            "annotations": {FED_BY: parent.ref},
            "ownerReferences": [dict(parent.owner_reference)],
        },
        "spec": child_spec(parent, role.arn),
    }


OpenGroupPullRequest = Callable[
    [PullRequestSpec, GroupRequest, Credentials, tuple[str, ...]], PullRequestStatus
]


def home_namespace(role: DiscoveredRole) -> str:
    """The namespace whose grouped pull request carries ``role``: the first (sorted) where it was found.

    A role shared across namespaces is edited in one pull request only, so two open pull requests never
    change the same file.
    """
    return min(ref.split("/", 1)[0] for ref in [*role.service_accounts, *role.ack_roles])


class RoleRun(NamedTuple):
    """One role after the parent's scan: what its child's status, ConfigMap and pull request are made of."""

    parent: Parent
    role: DiscoveredRole
    child: Mapping[str, Any]
    found: PrincipalResult
    analysis: RoleAnalysis
    result: GenerationResult
    request: GenerationRequest
    tenancy: TenancyPort


class RightsizingService:
    def __init__(
        self,
        settings: OperatorSettings,
        kube: RightsizingKubePort,
        aws: AwsPort,
        executor: Executor,
        generate: Generate = run_generation,
        clock: Callable[[], datetime] | None = None,
        open_pull_request: OpenPullRequest = reconcile_pull_request,
        open_group_pull_request: OpenGroupPullRequest = reconcile_group_pull_request,
        reporter: EventReporter | None = None,
    ) -> None:
        self.reporter = reporter or EventReporter()
        self.open_pull_request = open_pull_request
        self.open_group_pull_request = open_group_pull_request
        self.settings = settings
        self.kube = kube
        self.aws = aws
        self.executor = executor
        self.generate = generate
        self.clock = clock or utcnow
        self._written: dict[str, tuple[int, dict[str, Any]]] = {}  # parent uid -> (generation, status)

    async def _in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, functools.partial(fn, *args))

    @staticmethod
    def _check_regions(spec: Mapping[str, Any]) -> None:
        """Before discovery: a typo in a region is refused even when no role is found to scan for."""
        pod_identity = (spec.get("discovery") or {}).get("podIdentity") or {}
        specs.check_regions(
            (
                *specs.region_fields(
                    spec.get("cloudTrail") or {}, spec.get("aws") or {}, "spec.cloudTrail", "spec.aws"
                ),
                *specs.region_field(pod_identity, "spec.discovery.podIdentity"),
            )
        )

    def _aws(self, spec: Mapping[str, Any], region: str | None = None) -> AwsAccess:
        aws = spec.get("aws") or {}
        return AwsAccess(
            region=region or aws.get("region") or self.settings.aws_region,
            role_arn=aws.get("roleArn") or None,
            endpoint_url=self.settings.aws_endpoint_url,
        )

    async def discover(self, parent: Parent) -> tuple[list[DiscoveredRole], list[str]]:
        """The roles in scope, and the namespaces searched."""
        spec = parent.spec
        discovery = spec.get("discovery") or {}
        if parent.namespace:
            namespaces = [parent.namespace]
        else:
            selector = spec.get("namespaceSelector") or {}
            namespaces = await self.kube.namespaces(selector.get("matchLabels"), selector.get("names"))
        sa_labels = (spec.get("serviceAccountSelector") or {}).get("matchLabels")
        bindings: list[Binding] = []
        for namespace in namespaces:
            if discovery.get("irsa", True):
                bindings += await self.kube.irsa_bindings(namespace, sa_labels)
            if discovery.get("ackRoles", True):
                bindings += await self.kube.ack_bindings(namespace, discovery.get("accountId"))
        pod_identity = discovery.get("podIdentity") or {}
        if pod_identity.get("endpointURL") and parent.namespace and not self.settings.single_tenant:
            # A team must not point the operator's signed AWS requests at a host of its choosing.
            raise InvalidRequestError(
                "spec.discovery.podIdentity.endpointURL is only honoured for a ClusterRightsizing or when "
                "the operator runs single-tenant",
                field="spec.discovery.podIdentity.endpointURL",
                reason=Reason.API_HOST_NOT_ALLOWED,
            )
        if pod_identity.get("clusterName"):
            aws = self._aws(spec, pod_identity.get("region"))
            if pod_identity.get("endpointURL"):
                aws = AwsAccess(aws.region, aws.role_arn, str(pod_identity["endpointURL"]))
            bindings += await self._in_thread(
                self.aws.pod_identity, aws, str(pod_identity["clusterName"]), set(namespaces)
            )
        exclude = (spec.get("guards") or {}).get("excludePrincipals") or ()
        return group_roles(bindings, exclude), namespaces

    async def allowed_roles(
        self, parent: Parent, roles: list[DiscoveredRole], tenancy: TenancyPort
    ) -> tuple[SourceAccess | None, list[DiscoveredRole], list[str]]:
        """The source to scan and the roles it lets this parent ask about (and the ARNs it refuses).

        Resolved per role because a source's ``allowedPrincipals`` are per principal; any other refusal (no
        such source, an inline source in a multi-tenant operator) fails the whole parent.
        """
        namespace = parent.namespace or parent.child_namespace
        single_tenant = self.settings.single_tenant or parent.namespace is None
        access: SourceAccess | None = None
        allowed: list[DiscoveredRole] = []
        refused: list[str] = []
        for role in roles:
            try:
                access = await resolve_source(
                    {**parent.spec, "principalArn": role.arn},
                    namespace,
                    tenancy,
                    single_tenant=single_tenant,
                )
            except InvalidRequestError as err:
                if err.reason != Reason.PRINCIPAL_NOT_ALLOWED:
                    raise
                refused.append(role.arn)
                continue
            allowed.append(role)
        return access, allowed, refused

    async def sync_children(
        self, parent: Parent, roles: list[DiscoveredRole]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """Create missing children, update drifted specs, delete children of roles no longer found.

        Returns this parent's children by name, and the names it wants that another object holds (a create
        that met an existing object is not an error to the API adapter), each with who holds it."""
        desired = {child_name(parent.name, r.arn): r for r in roles}
        existing: dict[str, dict[str, Any]] = {}
        selector, scope = f"{PARENT_UID}={parent.uid}", self._child_scope(parent)
        for child in await self.kube.children(selector, scope):
            meta = child["metadata"]
            if meta["name"] in desired and meta.get("namespace") == parent.child_namespace:
                existing[meta["name"]] = child
            else:  # its role is gone, or spec.childNamespace moved: the old child goes
                await self.kube.delete_child(meta["namespace"], meta["name"])
        for name, role in desired.items():
            body = child_body(parent, role)
            if name not in existing:
                await self.kube.create_child(parent.child_namespace, body)
            elif existing[name].get("spec") != body["spec"]:
                await self.kube.patch_child_spec(parent.child_namespace, name, body["spec"])
        current = await self.kube.children(selector, scope)
        mine = {c["metadata"]["name"]: c for c in current if c["metadata"]["name"] in desired}
        missing = [name for name in desired if name not in mine]
        return mine, await self._holders(parent, missing) if missing else {}

    async def _holders(self, parent: Parent, names: list[str]) -> dict[str, str]:
        """Why each of ``names`` is not this parent's child although it exists: a Rightsizing and a
        ClusterRightsizing of the same name whose children land in one namespace ask for the same names
        (the name is made of the parent's name and the role), and a PolicyGeneration made by hand may have
        one. The holder is named from its ``policygen.io/fed-by`` annotation when it has one."""
        namespace = parent.child_namespace
        managed = await self.kube.children("app.kubernetes.io/managed-by=policygen", [namespace])
        fed_by = {
            c["metadata"]["name"]: (c["metadata"].get("annotations") or {}).get(FED_BY) for c in managed
        }
        holders: dict[str, str] = {}
        for name in names:
            holder = fed_by.get(name)
            who = f"a child of {holder}" if holder else "not a child of any Rightsizing or ClusterRightsizing"
            holders[name] = (
                f"the PolicyGeneration {namespace}/{name} this role's child would be already exists and is "
                f"{who}, so this {parent.kind} cannot own it; rename one of the two"
            )
        return holders

    def _child_scope(self, parent: Parent) -> list[str] | None:
        """Where to look for a parent's children: everywhere (None) only when every namespace is watched;
        else the watched namespaces by name (the RBAC grants no cluster-wide list), the childNamespace
        first. A child left in a namespace matched only by a glob, after childNamespace moved, is missed."""
        if self.settings.all_namespaces:
            return None
        exact = [ns for ns in self.settings.namespaces if not any(ch in ns for ch in "*?[!,")]
        return list(dict.fromkeys([parent.child_namespace, *exact]))

    def scan_due(self, parent: Parent, roles: list[DiscoveredRole], now: datetime) -> bool:
        last = parent.status.get("lastScan") or {}
        if not last.get("completionTime") or last.get("generation") != parent.generation:
            return True
        if {r.arn for r in roles} - set(last.get("roles") or ()):
            return True
        interval = specs.schedule_interval(parent.spec)
        if interval is None:
            return False
        finished = specs.parse_time(str(last["completionTime"]), "status.lastScan.completionTime")
        return (now - finished) >= interval

    async def reconcile(self, parent: Parent) -> ParentOutcome:
        parent = self._freshest(parent)
        outcome = await self._reconcile(parent)
        if outcome.status.get("lastScan"):
            self._written[parent.uid] = (parent.generation, outcome.status)
        return outcome

    async def post_events(self, parent: Parent, events: Sequence[Event], post_namespaced: PostEvent) -> None:
        """A pass's transition events where ``kubectl describe`` lists them.

        A namespaced Rightsizing's go through kopf (``post_namespaced``), into its own namespace. A
        ClusterRightsizing's kopf would post in the operator's namespace naming that namespace for the object,
        where ``kubectl describe`` never looks: they are posted here in ``default`` instead, unless
        ``POLICYGEN_CLUSTER_EVENTS`` is off. Best effort, as kopf's own posting: a refusal (no RoleBinding in
        ``default``) or an outage is one warning line for the transition and never fails the pass; the
        status holds the same news."""
        if parent.namespace:
            for type_, reason, message in events:
                post_namespaced(type_, reason, message)
            return
        if not self.settings.cluster_events:
            return
        involved = {key: str(parent.owner_reference[key]) for key in ("apiVersion", "kind", "name", "uid")}
        for type_, reason, message in events:
            try:
                await self.kube.post_cluster_event(involved, type_, reason, message, self.reporter)
            except KubernetesError as err:
                logger.warning(
                    "the event %s of %s was not posted in namespace %s (its status says the same): %s",
                    reason,
                    parent.ref,
                    CLUSTER_EVENTS_NAMESPACE,
                    err,
                )
                return  # the next one would meet the same refusal: one line for this transition

    def _check_child_namespace(self, parent: Parent) -> None:
        """A ClusterRightsizing's children go only to a namespace this operator watches (and, under deploy/'s
        or the chart's RBAC, may write): elsewhere they would be created, if at all, and never reconciled."""
        if self.settings.watches(parent.child_namespace):
            return
        raise InvalidRequestError(
            f"childNamespace {parent.child_namespace!r} is not watched by this operator (watched: "
            f"{', '.join(self.settings.namespaces)}): ask the admin to add it (POLICYGEN_WATCH_NAMESPACES or "
            "the chart's watchNamespaces, with its RoleBinding) or pick a watched namespace",
            field="spec.childNamespace",
            reason=Reason.CHILD_NAMESPACE_NOT_WATCHED,
        )

    def _freshest(self, parent: Parent) -> Parent:
        """The parent with the status this process last wrote, when kopf handed over an older one.

        A timer and a spec handler queued on the same object both carry the body from before the other ran;
        without this, the second would not see the first one's scan and would scan again.
        """
        written = self._written.get(parent.uid)
        if written is None or written[0] != parent.generation:
            return parent
        mine = str((written[1].get("lastScan") or {}).get("completionTime") or "")
        theirs = str((parent.status.get("lastScan") or {}).get("completionTime") or "")
        return replace(parent, status=written[1]) if mine > theirs else parent

    async def _reconcile(self, parent: Parent) -> ParentOutcome:
        now = self.clock()
        conds = c.Conditions(parent.status.get("conditions"), iso(now), parent.generation)
        status: dict[str, Any] = {"observedGeneration": parent.generation}
        try:
            if not parent.child_namespace:
                raise InvalidRequestError("spec.childNamespace is required", field="spec.childNamespace")
            self._check_child_namespace(parent)
            start, end = specs.window(parent.spec, now)
            self._check_regions(parent.spec)
            found, namespaces = await self.discover(parent)
            tenancy = TenancyCache(self.kube)
            access, roles, refused = await self.allowed_roles(parent, found, tenancy)
            children, taken = await self.sync_children(parent, roles)
        except Exception as raw:  # classified by the one rule (services.errors): unknown errors are temporary
            if is_unexpected(raw):
                logger.exception("discovery for %s failed unexpectedly", parent.name)
            err = classify(raw, reason=Reason.DISCOVERY_FAILED)
            return self._failed(conds, status, DISCOVERED, err, permanent=err.permanence is PERMANENT)
        accounts = sorted({sa for r in roles for sa in r.service_accounts})
        conds.set(
            DISCOVERED,
            True,
            Reason.ROLES_DISCOVERED,
            f"{len(roles)} roles from {len(accounts)} ServiceAccounts in {len(namespaces)} namespaces",
        )
        status.update(namespaces=len(namespaces), serviceAccounts=len(accounts), rolesFound=len(roles))
        status["rolesNotAllowed"] = refused
        previous = {r.get("arn"): r for r in parent.status.get("roles") or ()}
        rows = [self._row(parent, r, previous.get(r.arn)) for r in roles]
        scanned_now = False
        scanned: tuple[str, str]
        # A role whose child's name another object holds is never covered: once the name is free, its new
        # child gets a scan on the next pass (not at the next due scan).
        held = {r.arn for r in roles if child_name(parent.name, r.arn) in taken}
        if (
            roles
            and access is not None
            and self.scan_due(parent, [r for r in roles if r.arn not in held], now)
        ):
            aws = self._aws(parent.spec)
            request = GenerationRequest(
                principals=tuple(r.arn for r in roles),
                source=specs.source({"cloudTrail": access.cloud_trail}),
                start=start,
                end=end,
                resource_level=bool((parent.spec.get("policy") or {}).get("resourceLevel", True)),
                exclude_actions=tuple((parent.spec.get("policy") or {}).get("excludeActions") or ()),
                aws=AwsAccess(access.region or aws.region, access.role_arn or aws.role_arn, aws.endpoint_url),
                workers=self.settings.scan_workers,
                max_file_bytes=self.settings.max_file_bytes,
                split_sessions=tuple(r.arn for r in roles if r.attribution == "service-account"),
            )
            self._mark_scanning(parent, conds, len(roles), now)
            children = await self._mark_children_scanning(parent, children, request, now)
            try:
                rows = await self._scan_and_report(
                    parent, roles, children, request, status, now, tenancy, conds.as_list()
                )
            except ScanCancelled:
                logger.info("scan for %s cancelled: the parent was deleted or its spec changed", parent.ref)
                return ParentOutcome(cancelled=True)  # the next reconcile (if any) starts afresh
            except Exception as raw:  # the scan's errors and IAM's (AwsError), by the same one rule
                if is_unexpected(raw):
                    logger.exception("scan for %s failed unexpectedly", parent.name)
                err = classify(raw)
                await self._children_scan_failed(parent, children, err, now)
                return self._failed(conds, status, SCANNED, err, permanent=err.permanence is PERMANENT)
            status["lastScan"]["roles"] = [arn for arn in status["lastScan"]["roles"] if arn not in held]
            scanned = (Reason.SCANNED, f"one scan for {len(roles)} roles")
            scanned_now = True
        elif not roles:
            scanned = (Reason.NO_ROLES, "no role found in scope: nothing to scan")
        else:
            # A role that left is no longer covered: if it comes back, its new child needs a scan.
            last = dict(parent.status.get("lastScan") or {})
            last["roles"] = [arn for arn in last.get("roles") or () if arn in {r.arn for r in roles} - held]
            status["lastScan"] = last
            scanned = (Reason.UP_TO_DATE, "the last scan covers every role found")
        for row in rows:  # last: a name another object holds outweighs what a scan said of the role
            if row["child"] in taken:
                error = InvalidRequestError(taken[row["child"]], reason=Reason.CHILD_NAME_TAKEN)
                row["error"] = _role_error(error)
        failing = _roles_failed(rows)
        if failing is not None:  # some roles have no report: not Ready, the others are
            conds.set(SCANNED, False, failing[0], failing[1])
        else:
            conds.set(SCANNED, True, *scanned)
        status["roles"] = rows
        status.update(_totals(rows))
        conds.summarize([DISCOVERED, SCANNED])
        status["conditions"] = conds.as_list()
        outcome = ParentOutcome(status=status)
        if failing is not None:
            if conds.flipped(c.READY):  # on the transition only, as for a failed pass
                outcome.events.append(("Warning", EventReason.FAILED, f"{failing[0]}: {failing[1]}"[:1024]))
        elif scanned_now and status["lastScan"] != parent.status.get("lastScan"):
            message = (
                f"one scan for {len(roles)} roles: {status['grantedActions']} actions granted, "
                f"{status['unusedActions']} unused ({status['reductionPercent']}%)"
            )
            outcome.events.append(("Normal", EventReason.SUCCEEDED, message))
        return outcome

    @staticmethod
    def _mark_scanning(parent: Parent, conds: c.Conditions, roles: int, now: datetime) -> None:
        """Scanned (and Ready, its summary) from the start of a scan, as a PolicyGeneration's run says
        ``Generating`` from its start: without it, a new parent had no condition for the whole scan and a
        changed one went on saying Ready of its old spec.

        - No completed scan of this generation (a new parent, a new spec, a scan cut off): nothing is
          reported for this spec yet, so Unknown, reason Scanning (Ready Unknown with it).
        - The last scan of this generation completed and Scanned is True (a scheduled scan, a new role): its
          reports stand until this one ends, so Scanned stays True with reason Scanning and Ready stays
          True: a scheduled scan makes neither ``kubectl wait --for=condition=Ready`` nor an alert flap, as a
          PolicyGeneration's scheduled run leaves Ready alone.
        - Scanned False of this generation (a retry after a failure): the failure stands until the retry
          ends, as a PolicyGeneration's retry keeps its failure.

        ``Conditions.set`` moves lastTransitionTime only when the status flips (Kubernetes API conventions,
        "Typical status properties"), so the second case keeps both conditions' transition times.
        """
        scanned = conds.get(SCANNED)
        this_generation = scanned is not None and scanned.get("observedGeneration") == parent.generation
        if this_generation and conds.status_of(SCANNED) == c.FALSE:
            return
        last = parent.status.get("lastScan") or {}
        completed = last.get("completionTime") if last.get("generation") == parent.generation else None
        if this_generation and completed and conds.status_of(SCANNED) == c.TRUE:
            conds.set(
                SCANNED,
                c.TRUE,
                Reason.SCANNING,
                f"a new scan for {roles} roles is running since {iso(now)}; until it ends, the roles' "
                f"reports are the last scan's (completed {completed})",
            )
        else:
            conds.set(
                SCANNED,
                c.UNKNOWN,
                Reason.SCANNING,
                f"scanning CloudTrail for {roles} roles (generation {parent.generation}, since {iso(now)})",
            )
        conds.summarize([DISCOVERED, SCANNED])

    async def _mark_children_scanning(
        self,
        parent: Parent,
        children: dict[str, dict[str, Any]],
        request: GenerationRequest,
        now: datetime,
    ) -> dict[str, dict[str, Any]]:
        """Each child says the parent's scan is under way, as a PolicyGeneration's run says its own from the
        start (``services.reconcile``): ``lastRun`` is this scan's (start and window, no completion, no
        counters of the scan before), and a child whose conditions do not describe its generation yet (a new
        child, a changed spec) has Ready Unknown with reason ``Generating``; one whose conditions do keeps
        them (a scheduled scan leaves Ready alone, a retry keeps its failure). Without it a new child's
        status was empty for the whole scan.

        Level-based: a child whose status already says all this is not written (``_patch_child``). Returns
        the children with the status written, so that the end of the scan edits the conditions the API
        server holds (``Conditions.set`` moves lastTransitionTime only when a status flips)."""
        marked: dict[str, dict[str, Any]] = {}
        for name, child in children.items():
            before = child.get("status") or {}
            generation = int(child["metadata"].get("generation", 1))
            conds = c.Conditions(before.get("conditions"), iso(now), generation)
            mark_generating(
                conds,
                before,
                generation,
                f"scanning CloudTrail for generation {generation}: one scan by {parent.ref} for its "
                f"{len(request.principals)} roles, this one's among them",
            )
            patch = {
                "observedGeneration": generation,
                "conditions": conds.as_list(),
                "lastRun": started_run(now, generation, request.start, request.end),
            }
            marked[name] = await self._patch_child(child, patch)
        return marked

    async def _children_scan_failed(
        self, parent: Parent, children: dict[str, dict[str, Any]], err: PolicygenError, now: datetime
    ) -> None:
        """A failed scan in each child, as a PolicyGeneration's failed run: Generated False with the
        parent's failure (and what is kept), lastRun complete; not left saying the parent scans."""
        for child in children.values():
            before = child.get("status") or {}
            generation = int(child["metadata"].get("generation", 1))
            conds = c.Conditions(before.get("conditions"), iso(now), generation)
            message = f"the scan by {parent.ref} failed: {err}{kept_policy(before)}"
            conds.set(c.GENERATED, False, err.reason, message)
            conds.summarize([c.GENERATED])
            patch = {
                "observedGeneration": generation,
                "conditions": conds.as_list(),
                "lastRun": {"completionTime": iso(self.clock())},
            }
            await self._patch_child(child, patch)

    async def _patch_child(self, child: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
        """The child with ``patch`` merged into its status, written only when that changes what the API
        server holds (a merge patch's None deletes: RFC 7386); a refused write is logged, the child kept."""
        meta = child["metadata"]
        before = child.get("status") or {}
        after = _merged(before, patch)
        if after == _merged(before, {}):
            return child
        try:
            await self.kube.patch_status(meta["namespace"], meta["name"], patch)
        except KubernetesError as err:
            logger.warning("status of child %s/%s not written: %s", meta["namespace"], meta["name"], err)
            return child
        return {**child, "status": after}

    def _row(self, parent: Parent, role: DiscoveredRole, before: Mapping[str, Any] | None) -> dict[str, Any]:
        row: dict[str, Any] = {
            "arn": role.arn,
            "child": child_name(parent.name, role.arn),
            "serviceAccounts": role.service_accounts,
            "ackRoles": role.ack_roles,
            "via": role.via,
        }
        # What the last scan found (the pull request too): a pass without a scan rewrites the list as a whole.
        for key in (
            "grantedActions",
            "usedActions",
            "unusedActions",
            "reductionPercent",
            "removalProposed",
            "pullRequest",
            "error",
        ):
            if before and key in before:
                row[key] = before[key]
        return row

    async def _scan_and_report(
        self,
        parent: Parent,
        roles: list[DiscoveredRole],
        children: dict[str, dict[str, Any]],
        request: GenerationRequest,
        status: dict[str, Any],
        now: datetime,
        tenancy: TenancyPort,
        conditions: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        began = time.monotonic()
        result, progress = await self._scan(parent, request, now, conditions)
        metrics.RIGHTSIZING_SCANS.labels(parent.ref).inc()
        metrics.EVENTS_SCANNED.inc(result.summary.events_scanned)
        observed_days = (request.end - request.start).total_seconds() / 86400
        rows: list[dict[str, Any]] = []
        analysed: list[tuple[DiscoveredRole, RoleAnalysis, RoleRun | None]] = []
        failed: dict[str, tuple[Exception, PolicygenError]] = {}  # role ARN -> (raised, classified)
        for role in roles:
            found = result.results.get(role.arn)
            child = children.get(child_name(parent.name, role.arn))
            try:
                analysis = await self._analysis(parent, role, result, observed_days)
            except Exception as raw:  # one role IAM will not show must not cost the others their reports
                if is_unexpected(raw):
                    logger.exception("reading the policies of %s failed unexpectedly", role.arn)
                failed[role.arn] = (raw, classify(raw))
                continue
            run = None
            if child is not None and found is not None:
                run = RoleRun(parent, role, child, found, analysis, result, request, tenancy)
            analysed.append((role, analysis, run))
        if failed and len(failed) == len(roles):
            raise next(iter(failed.values()))[0]  # nothing to report: the scan step fails as a whole
        pull_requests = await self._pull_requests(parent, [run for _, _, run in analysed if run is not None])
        for role, analysis, run in analysed:
            opened = pull_requests.get(role.arn)
            if run is not None:
                await self._feed_child(run, now, opened)
            metrics.set_role(parent.ref, role.arn, analysis.counts())
            row = self._row(parent, role, None)
            if opened and opened.get("answer"):
                row["pullRequest"] = pull_request_status(opened["answer"], with_diff=False)
            counts = analysis.counts()
            row.update(
                {k: counts[k] for k in ("grantedActions", "usedActions", "unusedActions", "reductionPercent")}
            )
            row["removalProposed"] = counts["removalProposed"]
            rows.append(row)
        for arn, (_, err) in failed.items():
            role = next(r for r in roles if r.arn == arn)
            child = children.get(child_name(parent.name, arn))
            if child is not None:
                await self._role_failed(child, err, now)
            rows.append({**self._row(parent, role, None), "error": _role_error(err)})
        rows.sort(key=lambda row: str(row["arn"]))
        metrics.forget_roles(parent.ref, {r.arn for r in roles} - set(failed))
        # A role failed for now is not covered: the next pass scans again. One refused for good is covered
        # (retried with the next due scan), and its row keeps saying why until then.
        retry = {arn for arn, (_, err) in failed.items() if err.permanence is not PERMANENT}
        # The handler merges lastScan into the last one: every counter this scan has not got is unset (None),
        # or a file scan after an Athena one kept its query, an Athena scan the files counted before it, and
        # a scan too short for a progress report the last one's files total and listing counts.
        status["lastScan"] = {
            **{key: None for key in RUN_COUNTERS if key != "filesSkipped"},
            **progress_fields(progress),
            "startTime": iso(now),
            "completionTime": iso(self.clock()),
            "generation": parent.generation,
            "windowStart": iso(request.start),
            "windowEnd": iso(request.end),
            "roles": [r.arn for r in roles if r.arn not in retry],
            "filesScanned": result.summary.files_scanned,
            **record_counts(result.summary),
            "durationSeconds": round(time.monotonic() - began, 3),
        }
        if result.report.get("athena"):  # an Athena source reads no files: what the query scanned and cost
            status["lastScan"].update(
                filesScanned=None, filesTotal=None, foldersListed=None, objectsListed=None
            )
            status["lastScan"]["athena"] = athena_run(result.report["athena"])
        else:
            status["lastScan"]["athena"] = None
        return rows

    async def _scan(
        self,
        parent: Parent,
        request: GenerationRequest,
        now: datetime,
        conditions: list[dict[str, Any]],
    ) -> tuple[GenerationResult, Progress | None]:
        """The scan's result and its last progress report (what it listed, the files it had to read).

        ``status.lastScan`` is this scan's from its start: its progress is merged into what is there, and
        the last scan's start, completion, window, roles and counters read as this one's until it ended
        (a level-based status says what is running, not a mix of two scans). The roles it will cover are
        unset too: none is covered until it completes (``scan_due`` scans again after a failed one).
        ``conditions`` (``_mark_scanning``) go with it, whole: a merge patch replaces the list."""
        started = {**started_run(now, parent.generation, request.start, request.end), "roles": None}
        try:
            await self.kube.patch_parent_status(
                parent.namespace, parent.name, {"lastScan": started, "conditions": conditions}
            )
        except KubernetesError as err:  # the scan's own outcome is still written when it ends
            logger.warning("the start of the scan of %s not written: %s", parent.ref, err)

        async def still_wanted(progress: Progress | None) -> bool | None:
            """Progress into ``status.lastScan``; a deleted or re-specified parent cancels the scan."""
            try:
                if progress is not None:
                    await self.kube.patch_parent_status(
                        parent.namespace, parent.name, {"lastScan": progress_fields(progress)}
                    )
                state = await self.kube.parent_state(parent.namespace, parent.name)
            except KubernetesError as err:
                logger.warning("progress of %s not written: %s", parent.ref, err)
                return None
            return state.exists and state.uid == parent.uid and state.generation == parent.generation

        latest = LatestProgress()
        try:
            found = await scan_in_thread(
                self.executor,
                self.generate,
                request,
                latest,
                still_wanted,
                self.settings.progress_interval,
                parent.ref,
            )
        except (NoMatchingEvents, PolicyValidationFailed) as err:
            if err.result is None:
                raise
            found = err.result  # roles without events (or a bad part) still get their granted-vs-used report
        return found, latest.value

    async def _analysis(
        self, parent: Parent, role: DiscoveredRole, result: GenerationResult, observed_days: float
    ) -> RoleAnalysis:
        reference = load_reference()
        read = await self._in_thread(self.aws.role_policies, self._aws(parent.spec), role.arn)
        grant = expand_policies(read.policies, reference) if not read.missing else Grant()
        boundary: dict[str, Any] | None = None
        if read.boundary is not None:
            cut, applied = within_boundary(grant, expand_policies([read.boundary], reference))
            grant = cut
            boundary = {"arn": read.boundary.arn, "name": read.boundary.name, "applied": applied}
        analysis = analyze(
            role.arn,
            grant,
            result.summary.principals.get(role.arn),
            observed_days,
            guards(parent.spec),
            reference,
            boundary,
            int(((result.report.get("principals") or {}).get(role.arn) or {}).get("eventsMatched", 0)),
        )
        if read.missing:
            analysis.held_back.append("the role was not found in IAM")
        if role.attribution == "service-account":  # Pod Identity: its sessions name the ServiceAccount
            summary = result.summary
            analysis.by_service_account = split_by_service_account(
                summary.service_accounts.get(role.arn), summary.sessions.get(role.arn), reference
            )
        return analysis

    async def _role_failed(self, child: Mapping[str, Any], err: PolicygenError, now: datetime) -> None:
        """A child whose role's policies IAM did not give: not Ready, saying why; its last report (status,
        ConfigMap) is left as it was."""
        meta = child["metadata"]
        generation = int(meta.get("generation", 1))
        conds = c.Conditions((child.get("status") or {}).get("conditions"), iso(now), generation)
        conds.set(c.GENERATED, False, err.reason, f"the role's policies were not read from IAM: {err}")
        conds.summarize([c.GENERATED])
        try:
            await self.kube.patch_status(
                meta["namespace"],
                meta["name"],
                {
                    "observedGeneration": generation,
                    "conditions": conds.as_list(),
                    "lastRun": {"completionTime": iso(self.clock())},  # the run its start wrote is over
                },
            )
        except KubernetesError as error:
            logger.warning("status of child %s/%s not written: %s", meta["namespace"], meta["name"], error)

    async def _feed_child(self, run: RoleRun, now: datetime, opened: Mapping[str, Any] | None) -> None:
        """The child's ConfigMap (policy + detail) and status, from the parent's scan and pull request."""
        parent, role, child, found, analysis, result, request, _ = run
        meta = child["metadata"]
        namespace, name, generation = meta["namespace"], meta["name"], int(meta.get("generation", 1))
        cm_name = specs.configmap_name(name, child.get("spec") or {})
        owner = {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "PolicyGeneration",
            "name": name,
            "uid": meta["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
        detail = {**analysis.to_dict(), "discovered": role.to_dict(), "parent": parent.ref}
        bad = result.summary.bad_records_for(role.arn)  # not another role's record that lacked a field
        conds = c.Conditions((child.get("status") or {}).get("conditions"), iso(now), generation)
        child_status: dict[str, Any] = {
            "observedGeneration": generation,
            "lastRun": {
                "startTime": iso(now),
                "completionTime": iso(self.clock()),
                "generation": generation,
                "windowStart": iso(request.start),
                "windowEnd": iso(request.end),
                "filesScanned": result.summary.files_scanned,
                **record_counts(result.summary),
                # the role's own, as the report has them per principal; the scan's totals are the parent's
                "eventsMatched": result.report.get("principals", {})
                .get(role.arn, {})
                .get("eventsMatched", 0),
                "badRecords": bad,
            },
            "deniedActions": list(found.denied_actions),
            "rightsizing": {
                **analysis.counts(),
                "parent": parent.ref,
                "serviceAccounts": role.service_accounts,
                "attribution": role.attribution,
                **(
                    {"serviceAccountUsage": analysis.service_account_usage()}
                    if analysis.by_service_account is not None
                    else {}
                ),
                **({"permissionsBoundary": analysis.boundary["arn"]} if analysis.boundary else {}),
            },
        }
        if found.policies:
            child_status["policy"] = policy_status(found, policies_sha256(found.policies), generation)
            conds.set(
                c.GENERATED,
                True,
                Reason.GENERATED,
                f"{counted(len(found.actions), 'action')}, from the parent's scan",
            )
        else:
            conds.set(
                c.GENERATED,
                True,
                Reason.NO_ACTIVITY,
                "no event of the role in the window: every granted action is unused",
            )
        # the team reading its child learns there what the parent's scan could not read, as from its own run;
        # its ConfigMap holds no report naming them
        skipped = skipped_counts(result.summary.skipped_files)
        conds.set(c.COMPLETE, *completeness(result, skipped, report=False, bad_records=bad))
        try:
            # Written only when its policy or detail changed (and never over a ConfigMap policygen did not
            # write): a scan that finds the same replaces nothing, whatever the number of roles.
            published = await publish_configmap(
                self.kube,
                namespace,
                cm_name,
                found.policies,
                owner,
                f"{namespace}/{name}",
                extra={DETAIL_KEY: _json(detail)},
                on_conflict="delete that ConfigMap: the parent's next scan (a change of its spec, or its "
                "spec.schedule.interval) writes it",
            )
            child_status["configMapRef"] = {"name": cm_name, "key": specs.POLICY_KEY}
            conds.set(
                c.PUBLISHED,
                True,
                Reason.CONFIGMAP_UPDATED if published.changed else Reason.CONFIGMAP_UNCHANGED,
                f"ConfigMap {cm_name} {'written' if published.changed else 'unchanged'} "
                f"(policy and {DETAIL_KEY})",
            )
        except (KubernetesError, PolicygenError) as raw:  # a conflict: the next pass tries again
            err = classify(raw, reason=Reason.CONFIGMAP_REJECTED)
            conds.set(c.PUBLISHED, False, err.reason, str(err))
        required = [c.GENERATED, c.PUBLISHED]
        if opened is not None:
            conds.set(c.PULL_REQUEST_OPENED, opened["ok"], opened["reason"], opened["message"])
            required.append(c.PULL_REQUEST_OPENED)
            if opened.get("answer"):
                before = (child.get("status") or {}).get("pullRequest")
                child_status["pullRequest"] = pull_request_patch(opened["answer"], before)
        conds.summarize(required)
        child_status["conditions"] = conds.as_list()
        try:
            await self.kube.patch_status(namespace, name, child_status)
        except KubernetesError as err:
            logger.warning("status of child %s/%s not written: %s", namespace, name, err)

    async def _pull_requests(self, parent: Parent, runs: list[RoleRun]) -> dict[str, dict[str, Any]]:
        """``output.mode: pullRequest``: the pull requests of the roles whose removal is proposed (none while
        a guard holds a role back), by role ARN: one per role, or with ``output.pullRequest.grouping:
        namespace`` one per namespace editing all its roles' files (every role of it gets that one's
        outcome)."""
        output = parent.spec.get("output") or {}
        if output.get("mode") != "pullRequest" or not output.get("pullRequest"):
            return {}
        wanted = [run for run in runs if run.analysis.removal_proposed and run.found.policies]
        if str(output["pullRequest"].get("grouping") or "role") != "namespace":
            return {run.role.arn: await self._pull_request(run) for run in wanted}
        groups: dict[str, list[RoleRun]] = {}
        for run in wanted:
            groups.setdefault(home_namespace(run.role), []).append(run)
        opened: dict[str, dict[str, Any]] = {}
        for namespace, members in sorted(groups.items()):
            outcome = await self._group_pull_request(parent, namespace, members)
            opened.update({run.role.arn: outcome for run in members})
        return opened

    async def _target(
        self, run: RoleRun, secrets_read: dict[tuple[str, str | None], Credentials] | None = None
    ) -> tuple[PullRequestSpec, Credentials, Any]:
        """The repository (resolved like a PolicyGeneration's, ``{role}``/``{namespace}`` in the path filled
        in), its credentials and the pull request's text for one role; refuses incomplete data.
        ``secrets_read``: the Secrets a grouped pull request has read already (its roles share one)."""
        parent, role, child, found, analysis, result, request, _ = run
        output = parent.spec["output"]
        path = self._pr_path(output, role)
        repository = await resolve_repository(
            {"output": {"pullRequest": {**output["pullRequest"], "path": path}}},
            parent.namespace or parent.child_namespace,
            run.tenancy,
            operator_namespace=self.settings.operator_namespace,
            single_tenant=self.settings.single_tenant or parent.namespace is None,
        )
        assert repository is not None  # output.pullRequest is set
        target = specs.pull_request({"output": {"pullRequest": repository.pull_request}})
        assert target is not None
        secrets = repository.secret_namespace or parent.child_namespace
        key = (secrets, target.secret_name)
        if secrets_read is not None and key in secrets_read:
            credentials = secrets_read[key]
        else:
            credentials = await read_credentials(self.kube, secrets, target.secret_name, target.spec.provider)
            if secrets_read is not None:
                secrets_read[key] = credentials
        skipped = skipped_counts(result.summary.skipped_files)
        bad = result.summary.bad_records_for(role.arn)  # not another role's record that lacked a field
        if (skipped or bad) and not output["pullRequest"].get("allowIncomplete"):
            raise incomplete_refusal(  # every rightsizing pull request removes access
                "remove access",
                skipped,
                "set spec.output.pullRequest.allowIncomplete: true",
                "spec.output.pullRequest",
                bad,
            )
        meta = child["metadata"]
        context = scan_context(
            f"{meta['namespace']}/{meta['name']}",
            role.arn,
            found,
            request,
            result,
            skipped,
            analysis.unused,
            bad,
        )
        return target.spec, credentials, context

    async def _pull_request(self, run: RoleRun) -> dict[str, Any]:
        """One role's pull request replacing its policy with the generated one, the unused access in the
        description."""
        try:
            pr_spec, credentials, context = await self._target(run)
            status = await self._in_thread(
                self.open_pull_request, pr_spec, context, credentials, self.settings.allowed_repositories
            )
        except Exception as raw:  # one role's forge failure must not stop the other roles' reports
            return self._pull_request_failed(raw, run.role.arn)
        return self._pull_request_opened(status)

    async def _group_pull_request(
        self, parent: Parent, namespace: str, runs: list[RoleRun]
    ) -> dict[str, Any]:
        """One pull request for the roles of ``namespace``, on a branch named after the parent and the
        namespace; all their files or none (a file that cannot be edited fails the group, named)."""
        try:
            secrets_read: dict[tuple[str, str | None], Credentials] = {}
            targets = [await self._target(run, secrets_read) for run in runs]
            pr_spec, credentials, _ = targets[0]
            group = GroupRequest(
                f"{parent.ref}/namespace/{namespace}",
                namespace,
                tuple(FileEdit(spec.path, context) for spec, _, context in targets),
            )
            status = await self._in_thread(
                self.open_group_pull_request, pr_spec, group, credentials, self.settings.allowed_repositories
            )
        except Exception as raw:  # one namespace's failure must not stop the other namespaces' reports
            return self._pull_request_failed(raw, f"namespace {namespace}")
        return self._pull_request_opened(status)

    @staticmethod
    def _pull_request_failed(raw: Exception, what: str) -> dict[str, Any]:
        if is_unexpected(raw):
            logger.exception("pull request for %s failed unexpectedly", what)
        err = classify(raw, reason=Reason.PULL_REQUEST_REJECTED)
        reason = err.reason if err.permanence is PERMANENT else Reason.TEMPORARY_FAILURE
        return {"ok": False, "reason": reason, "message": str(err)}

    @staticmethod
    def _pull_request_opened(status: PullRequestStatus) -> dict[str, Any]:
        reason, message = pull_request_condition(status)
        return {
            "ok": True,
            "reason": reason,
            "message": message,
            "answer": status,
        }

    @staticmethod
    def _pr_path(output: Mapping[str, Any], role: DiscoveredRole) -> str:
        """``{role}`` in the path becomes the role's name (one file or folder per role), ``{namespace}`` the
        namespace whose pull request carries it (``home_namespace``)."""
        path = str(output["pullRequest"].get("path") or "").replace("{role}", role.name)
        return path.replace("{namespace}", home_namespace(role)) if "{namespace}" in path else path

    def _failed(
        self,
        conds: c.Conditions,
        status: dict[str, Any],
        type_: str,
        err: Exception,
        *,
        permanent: bool,
        reason: str | None = None,
    ) -> ParentOutcome:
        why = reason or (err.reason if isinstance(err, PolicygenError) else Reason.ERROR)
        conds.set(type_, False, why, str(err))
        conds.summarize([DISCOVERED, SCANNED] if type_ == SCANNED else [DISCOVERED])
        status["conditions"] = conds.as_list()
        delay = 0.0 if permanent else self.settings.backoff(0)
        outcome = ParentOutcome(status, PERMANENT if permanent else Permanence.TEMPORARY, str(err), delay)
        if conds.flipped(c.READY):  # on the transition only: a timer pass failing the same way posts nothing
            outcome.events.append(("Warning", EventReason.FAILED, f"{why}: {err}"[:1024]))
        return outcome


def _role_error(err: PolicygenError) -> dict[str, Any]:
    """A role row's ``error``: why the role has no report from the last scan."""
    return {"reason": str(err.reason), "message": str(err)[:1024], "permanent": err.permanence is PERMANENT}


def _roles_failed(rows: list[dict[str, Any]]) -> tuple[str, str] | None:
    """The Scanned condition's reason and message when some roles have no report (their rows say why)."""
    failed = [row for row in rows if row.get("error")]
    if not failed:
        return None
    named = "; ".join(f"{row['arn']}: {row['error']['message']}" for row in failed[:3])
    more = f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""
    message = f"{len(failed)} of {len(rows)} roles not analysed: {named}{more}; the others are reported"
    return str(failed[0]["error"]["reason"]), message


def _merged(status: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``status`` after the JSON merge patch ``patch`` (RFC 7386: an object merged key by key, None
    deletes), without the Nones a status read back never holds."""
    out = {k: v for k, v in status.items() if v is not None}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping):
            held = out.get(key)
            out[key] = _merged(held if isinstance(held, Mapping) else {}, value)
        else:
            out[key] = value
    for key, value in list(out.items()):
        if isinstance(value, Mapping):
            out[key] = _merged(value, {})
    return out


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    granted = sum(int(r.get("grantedActions") or 0) for r in rows)
    unused = sum(int(r.get("unusedActions") or 0) for r in rows)
    return {
        "rolesWithUnused": sum(1 for r in rows if r.get("unusedActions")),
        "grantedActions": granted,
        "unusedActions": unused,
        "reductionPercent": round(100 * unused / granted) if granted else 0,
    }


def _json(value: Any) -> str:
    import json

    return json.dumps(value, indent=2, sort_keys=True) + "\n"


class BotoAws:
    """``AwsPort`` on boto3: one IAM reader per identity (its managed-policy cache shared across roles)."""

    def __init__(self) -> None:
        self._readers: dict[AwsAccess, Any] = {}

    def _session(self, aws: AwsAccess) -> Any:
        from policygen_operator.adapters.aws.session import shared_session

        return shared_session(aws.region, aws.role_arn, aws.endpoint_url)

    def role_policies(self, aws: AwsAccess, role_arn: str) -> Any:
        from policygen_operator.adapters.aws.iam import IamPolicies

        reader = self._readers.get(aws)
        if reader is None:
            client = self._session(aws).client(
                "iam", endpoint_url=aws.endpoint_url, region_name=aws.region or "us-east-1"
            )
            reader = self._readers[aws] = IamPolicies(client)
        return reader.role(role_arn)

    def pod_identity(self, aws: AwsAccess, cluster: str, namespaces: set[str]) -> list[Binding]:
        from policygen_operator.adapters.aws.eks import pod_identity_bindings

        client = self._session(AwsAccess(aws.region, aws.role_arn)).client(
            "eks", endpoint_url=aws.endpoint_url, region_name=aws.region or "us-east-1"
        )
        return pod_identity_bindings(client, cluster, namespaces)
