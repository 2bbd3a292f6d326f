"""Cluster rightsizing, the pure part: which roles the workloads run as, and granted versus used per role.

Discovery adapters (IRSA ServiceAccounts, EKS Pod Identity associations, ACK ``Role`` objects) each return
``Binding`` values; ``group_roles`` folds them into one ``DiscoveredRole`` per role ARN, so several
ServiceAccounts sharing a role give one role with the ServiceAccounts listed, and one child per role.

``analyze`` compares a role's expanded grant (``domain/iam/granted.py``) with its usage from the scan, and
applies the guards users of Repokid and the unused-access analyzers expect: no removal is proposed for a role
observed for too few days or with too few events, actions to always keep are never called unused, and
excluded principals are reported as excluded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policygen_operator.domain.iam.granted import Grant
from policygen_operator.domain.iam.reference import Reference, action_pattern
from policygen_operator.domain.usage import PrincipalUsage, ServiceAccountUsage

IRSA = "irsa"
POD_IDENTITY = "pod-identity"
# Pod Identity associations whose pods' sessions CloudTrail does not tie to a ServiceAccount (botocore's EKS
# model, PodIdentityAssociation): ``disableSessionTags`` ("The value of true disables these tags"), and a
# ``targetRoleArn`` ("This role is assumed by using the EKS Pod Identity association role, then the
# credentials for this role are injected into the Pod"): the pods' calls are the target's, its AssumeRole
# made by the association role's session, not by EKS with the tags in its request (where the tags of such
# a chained session show in CloudTrail is not documented). Both roles are in scope then, per role.
POD_IDENTITY_UNTAGGED = "pod-identity-untagged"
POD_IDENTITY_TARGET = "pod-identity-target"
POD_IDENTITY_CHAIN = "pod-identity-chain"  # the association's own role, which assumes the target
ACK = "ack"
# What CloudTrail lets us attribute: a Pod Identity session carries the namespace and ServiceAccount as
# session tags, an IRSA session (AssumeRoleWithWebIdentity) only the role: a shared IRSA role cannot be split.
ATTRIBUTION = {
    IRSA: "role",
    POD_IDENTITY: "service-account",
    POD_IDENTITY_UNTAGGED: "role",
    POD_IDENTITY_TARGET: "role",
    POD_IDENTITY_CHAIN: "role",
    ACK: "role",
}
NOT_SPLIT = (
    "usage is reported per role: IRSA sessions (AssumeRoleWithWebIdentity), roles reached through ACK and "
    "Pod Identity associations without session tags or with a target role carry no namespace or "
    "ServiceAccount in CloudTrail, so a shared role's usage cannot be split"
)


@dataclass(frozen=True, order=True)
class Binding:
    """One place a role was found: a ServiceAccount (IRSA, Pod Identity) or an ACK ``Role`` object."""

    role_arn: str
    via: str  # irsa | pod-identity | ack
    namespace: str
    name: str  # the ServiceAccount, or the ACK Role object

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass
class DiscoveredRole:
    arn: str
    service_accounts: list[str] = field(default_factory=list)  # "namespace/name", sorted, distinct
    ack_roles: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The role's name (the last path segment of the ARN)."""
        return self.arn.rsplit("/", 1)[-1]

    @property
    def attribution(self) -> str:
        """Usage can be split per ServiceAccount only when every way the role is reached allows it."""
        splittable = bool(self.via) and all(ATTRIBUTION[via] == "service-account" for via in self.via)
        return "service-account" if splittable else "role"

    def to_dict(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "serviceAccounts": self.service_accounts,
            "ackRoles": self.ack_roles,
            "via": self.via,
            "attribution": self.attribution,
        }


def group_roles(bindings: Iterable[Binding], exclude: Iterable[str] = ()) -> list[DiscoveredRole]:
    """One entry per distinct role ARN, sorted by ARN; roles matching an ``exclude`` pattern are left out."""
    patterns = [action_pattern(p) for p in exclude]
    roles: dict[str, DiscoveredRole] = {}
    for binding in sorted(set(bindings)):
        if any(p.fullmatch(binding.role_arn) for p in patterns):
            continue
        role = roles.setdefault(binding.role_arn, DiscoveredRole(binding.role_arn))
        target = role.ack_roles if binding.via == ACK else role.service_accounts
        if binding.ref not in target:
            target.append(binding.ref)
        if binding.via not in role.via:
            role.via.append(binding.via)
    for role in roles.values():
        role.service_accounts.sort()
        role.ack_roles.sort()
        role.via.sort()
    return [roles[arn] for arn in sorted(roles)]


_NOT_DNS = re.compile(r"[^a-z0-9-]+")


def child_name(parent: str, role_arn: str) -> str:
    """A child's name: readable (parent, role name), unique (hash of the ARN), a DNS label (<= 63).

    Only 24 characters of the parent are kept: when its name is longer, the hash covers it too, so two
    parents sharing their first 24 characters never ask for the same child (a parent whose name fits keeps
    the name its children always had)."""
    hashed = role_arn if len(parent) <= 24 else f"{parent}\n{role_arn}"
    digest = hashlib.sha256(hashed.encode()).hexdigest()[:8]
    role = _NOT_DNS.sub("-", role_arn.rsplit("/", 1)[-1].lower()).strip("-")
    head = f"{parent[:24].strip('-')}-{role[:28].strip('-')}".strip("-")
    return f"{head}-{digest}"


@dataclass(frozen=True)
class Guards:
    min_days_observed: float = 0
    min_events: int = 0
    keep_actions: tuple[str, ...] = ()


@dataclass
class RoleAnalysis:
    """Granted versus used for one role: what the child's status counts and the ConfigMap details."""

    role_arn: str
    granted: list[str]
    used: dict[str, dict[str, Any]]  # action -> {"count", "lastSeen"}
    unused: list[str]
    kept: list[str]  # granted, unused, but on the keep list
    used_not_granted: list[str]  # seen in CloudTrail, not in the expanded grant (NotAction, other policies)
    services_granted: list[str]
    services_used: dict[str, str]  # service -> last seen
    services_unused: list[str]
    events: int
    observed_days: float
    held_back: list[str]  # why no removal is proposed; empty: the unused actions may be removed
    grant: Grant
    boundary: dict[str, Any] | None = None
    # Pod Identity roles: split_by_service_account's result; None: usage is per role (NOT_SPLIT says why)
    by_service_account: dict[str, Any] | None = None

    def service_account_usage(self) -> list[dict[str, Any]]:
        """The child status's short form: per ServiceAccount, how many actions and sessions."""
        if self.by_service_account is None:
            return []
        return [
            {"serviceAccount": sa, "usedActions": e["usedActions"], "sessions": e["sessions"]}
            for sa, e in self.by_service_account["serviceAccounts"].items()
        ]

    @property
    def removal_proposed(self) -> bool:
        return not self.held_back and bool(self.unused)

    @property
    def reduction_percent(self) -> int:
        return round(100 * len(self.unused) / len(self.granted)) if self.granted else 0

    def counts(self) -> dict[str, Any]:
        """The numbers a child's ``status.rightsizing`` carries."""
        return {
            "grantedActions": len(self.granted),
            "usedActions": len(self.used),
            "unusedActions": len(self.unused),
            "grantedServices": len(self.services_granted),
            "usedServices": len(self.services_used),
            "unusedServices": len(self.services_unused),
            "reductionPercent": self.reduction_percent,
            "removalProposed": self.removal_proposed,
            "heldBack": list(self.held_back),
            "notExpanded": len(self.grant.reported),
        }

    def to_dict(self) -> dict[str, Any]:
        """The ConfigMap's detail."""
        return {
            "roleArn": self.role_arn,
            **self.counts(),
            "eventsObserved": self.events,
            "daysObserved": round(self.observed_days, 2),
            "granted": {a: self.grant.actions.get(a, []) for a in self.granted},
            "used": self.used,
            "unused": self.unused,
            "kept": self.kept,
            "usedNotGranted": self.used_not_granted,
            "conditional": sorted(self.grant.conditional),
            "denied": sorted(self.grant.denied),
            "notExpanded": [r.to_dict() for r in self.grant.reported],
            "services": {
                "granted": self.services_granted,
                "used": self.services_used,
                "unused": self.services_unused,
            },
            **({"permissionsBoundary": self.boundary} if self.boundary else {}),
            **(
                {"byServiceAccount": self.by_service_account}
                if self.by_service_account is not None
                else {"attributionNote": NOT_SPLIT}
            ),
        }


def split_by_service_account(
    accounts: Mapping[str, ServiceAccountUsage] | None,
    unattributed: Mapping[str, PrincipalUsage] | None,
    reference: Reference,
) -> dict[str, Any]:
    """A Pod Identity role's usage per ServiceAccount: each session's calls go to the ServiceAccount its
    ``AssumeRole`` tags name (``domain/cloudtrail/podidentity.py``; the scan does so as it reads,
    ``UsageSummary.session``). Sessions whose AssumeRole is not in the scanned logs (it happened before the
    window) are ``unattributed``, never guessed."""

    def used(usages: Iterable[PrincipalUsage]) -> dict[str, Any]:
        by_action = used_actions(usages, reference)
        return {"used": dict(sorted(by_action.items())), "usedActions": len(by_action)}

    return {
        "serviceAccounts": {
            account: {"sessions": len(found.sessions), "pods": sorted(found.pods), **used((found.usage,))}
            for account, found in sorted((accounts or {}).items())
        },
        "unattributed": {"sessions": len(unattributed or {}), **used((unattributed or {}).values())},
    }


def used_actions(usages: Iterable[PrincipalUsage], reference: Reference) -> dict[str, dict[str, Any]]:
    """The allowed calls of ``usages`` per action in the reference's spelling: their count and last time."""
    used: dict[str, dict[str, Any]] = {}
    for usage in usages:
        for (action, _), seen in usage.allowed.items():
            name = reference.action_name(action) or action
            entry = used.setdefault(name, {"count": 0, "lastSeen": seen.last_seen})
            entry["count"] += seen.count
            entry["lastSeen"] = max(entry["lastSeen"], seen.last_seen)
    return used


def _service(action: str) -> str:
    return action.split(":", 1)[0]


def analyze(
    role_arn: str,
    grant: Grant,
    usage: PrincipalUsage | None,
    observed_days: float,
    guards: Guards,
    reference: Reference,
    boundary: dict[str, Any] | None = None,
    events: int | None = None,
) -> RoleAnalysis:
    """Compare the grant with the allowed calls of the scan; names in the reference's spelling.

    ``events`` is the number of the role's CloudTrail events the scan matched (what ``min_events`` counts);
    without it, the calls of the usage table are summed, which counts an event once per action it needed.
    """
    if events is None:
        events = sum(
            u.count for table in ((usage.allowed, usage.denied) if usage else ()) for u in table.values()
        )
    used = used_actions((usage,) if usage else (), reference)
    granted = sorted(grant.actions)
    keep = [action_pattern(p.lower()) for p in guards.keep_actions]
    kept = [a for a in granted if a not in used and any(p.fullmatch(a.lower()) for p in keep)]
    kept_set = set(kept)
    unused = [a for a in granted if a not in used and a not in kept_set]
    services_used: dict[str, str] = {}
    for action, entry in used.items():
        service = _service(action)
        services_used[service] = max(services_used.get(service, ""), entry["lastSeen"])
    services_granted = grant.services()
    held: list[str] = []
    if observed_days < guards.min_days_observed:
        held.append(f"observed {observed_days:.1f} days, fewer than {guards.min_days_observed:g}")
    if events < guards.min_events:
        held.append(f"{events} events, fewer than {guards.min_events}")
    return RoleAnalysis(
        role_arn=role_arn,
        granted=granted,
        used=dict(sorted(used.items())),
        unused=unused,
        kept=kept,
        used_not_granted=sorted(a for a in used if a not in grant.actions),
        services_granted=services_granted,
        services_used=dict(sorted(services_used.items())),
        services_unused=[s for s in services_granted if s not in services_used],
        events=events,
        observed_days=observed_days,
        held_back=held,
        grant=grant,
        boundary=boundary,
    )
