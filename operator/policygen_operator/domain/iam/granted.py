"""What a role's policies grant, as concrete actions of the Service Authorization Reference.

Rightsizing compares what a role may do with what it did. The "may do" side comes from the role's attached
managed policies and inline policies: every ``Allow`` statement's ``Action`` patterns are expanded against the
shipped reference (``s3:Get*`` becomes the ~60 actions it names), and an unconditional ``Deny`` takes its
actions away again. Two things are *reported, never guessed*:

- ``NotAction`` statements: what they grant is "everything except", which depends on the resources and on
  services the reference may not list yet; counting it as ~22,000 actions would drown the report.
- ``Condition`` blocks: a conditional grant is still a grant (the role could use it), so its actions count as
  granted, and the statement is listed so a reader sees which grants hang on a condition. A conditional
  ``Deny`` is listed and not subtracted.

Resources are not compared: the analysis is per action, like IAM Access Analyzer's unused-access findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policygen_operator.domain.iam.reference import Reference

MANAGED = "managed"
INLINE = "inline"
BOUNDARY = "boundary"


@dataclass(frozen=True)
class PolicySource:
    """One policy of a role: a managed policy (by ARN) or an inline policy (by name), with its document."""

    kind: str  # managed | inline | boundary
    name: str
    document: Mapping[str, Any]
    arn: str | None = None


@dataclass(frozen=True)
class Unexpanded:
    """A statement the analysis reports instead of expanding (``NotAction``, a condition, an unknown name)."""

    policy: str
    sid: str | None
    effect: str
    what: str  # not-action | condition | unknown-action
    values: tuple[str, ...]  # the NotAction patterns, the condition keys or the unknown patterns
    actions: tuple[str, ...] = ()  # for a condition: the statement's actions, as written

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policy": self.policy, "effect": self.effect, "what": self.what}
        if self.sid:
            out["sid"] = self.sid
        out["values"] = list(self.values)
        if self.actions:
            out["actions"] = list(self.actions)
        return out


@dataclass
class Grant:
    """The expanded grant of a set of policies.

    ``actions`` maps each granted action (reference spelling) to the policies that grant it; ``denied`` holds
    actions an unconditional ``Deny`` removed; ``reported`` what was not expanded (see the module docstring).
    """

    actions: dict[str, list[str]] = field(default_factory=dict)
    denied: dict[str, list[str]] = field(default_factory=dict)
    conditional: set[str] = field(default_factory=set)
    reported: list[Unexpanded] = field(default_factory=list)

    @property
    def not_action(self) -> bool:
        """Whether some Allow statement uses NotAction (the grant is then a lower bound)."""
        return any(r.what == "not-action" and r.effect == "Allow" for r in self.reported)

    def services(self) -> list[str]:
        return sorted({a.split(":", 1)[0] for a in self.actions})


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        return [statements]
    if isinstance(statements, list):
        return [s for s in statements if isinstance(s, Mapping)]
    return []


def expand_policies(policies: Iterable[PolicySource], reference: Reference) -> Grant:
    """Allow minus unconditional Deny, over all policies of one role (boundaries excluded by the caller)."""
    grant = Grant()
    denials: list[tuple[str, str]] = []  # (action, policy)
    for policy in policies:
        for statement in _statements(policy.document):
            effect = str(statement.get("Effect", ""))
            sid = statement.get("Sid") if isinstance(statement.get("Sid"), str) else None
            if "NotAction" in statement:
                patterns = tuple(_strings(statement["NotAction"]))
                grant.reported.append(Unexpanded(policy.name, sid, effect, "not-action", patterns))
                continue
            patterns = tuple(_strings(statement.get("Action")))
            condition = statement.get("Condition")
            if condition:
                keys = tuple(
                    sorted(
                        f"{operator}:{key}"
                        for operator, block in condition.items()
                        for key in (block if isinstance(block, Mapping) else {})
                    )
                )
                grant.reported.append(Unexpanded(policy.name, sid, effect, "condition", keys, patterns))
            unknown: list[str] = []
            for pattern in patterns:
                expanded = reference.expand(pattern)
                if not expanded:
                    unknown.append(pattern)
                for action in expanded:
                    if effect == "Allow":
                        grant.actions.setdefault(action, []).append(policy.name)
                        if condition:
                            grant.conditional.add(action)
                    elif effect == "Deny" and not condition:
                        denials.append((action, policy.name))
            if unknown:
                grant.reported.append(Unexpanded(policy.name, sid, effect, "unknown-action", tuple(unknown)))
    for action, policy_name in denials:
        grant.denied.setdefault(action, []).append(policy_name)
        grant.actions.pop(action, None)
        grant.conditional.discard(action)
    for names in grant.actions.values():
        names[:] = sorted(set(names))
    return grant


def within_boundary(grant: Grant, boundary: Grant) -> tuple[Grant, bool]:
    """The grant cut to what a permissions boundary allows, and whether the cut could be made.

    A boundary with an Allow ``NotAction`` cannot be expanded honestly, so the grant is returned unchanged and
    ``False`` tells the report to say the boundary was shown but not applied.
    """
    if boundary.not_action:
        return grant, False
    kept = Grant(
        actions={a: p for a, p in grant.actions.items() if a in boundary.actions},
        denied=dict(grant.denied),
        conditional={a for a in grant.conditional if a in boundary.actions},
        reported=list(grant.reported),
    )
    return kept, True
