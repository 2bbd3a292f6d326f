"""The broad AWS managed policies we can describe offline, and what detaching them takes away.

AWS does not publish managed policy documents without credentials, so the few broad ones we support are
shipped in ``data/managed_policies/`` (source and versions in SOURCES.md there). For any other ARN we say
that we do not know its document rather than guess.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class ManagedPolicy:
    name: str
    arn: str
    version_id: str
    updated: str
    document: dict[str, Any]

    def statements(self) -> list[dict[str, Any]]:
        statements = self.document.get("Statement", [])
        return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


@cache
def _shipped() -> dict[str, ManagedPolicy]:
    folder = resources.files("policygen_operator").joinpath("data", "managed_policies")
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            policy = ManagedPolicy(
                data["name"], data["arn"], data["versionId"], data["updated"], data["document"]
            )
            found[_arn_tail(policy.arn)] = policy
    return found


def _arn_tail(arn: str) -> str:
    """``policy/PowerUserAccess`` of any partition, so GovCloud and China ARNs find the same document."""
    return arn.split(":", 5)[-1]


def lookup(arn: str) -> ManagedPolicy | None:
    if not re.match(r"^arn:[\w-]+:iam::aws:policy/", arn):
        return None
    return _shipped().get(_arn_tail(arn))


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.I)


def action_matches(pattern: str, action: str) -> bool:
    return bool(_pattern(pattern).match(action))


def allows(policy: ManagedPolicy, action: str) -> bool:
    """Whether an Allow statement of the managed policy covers ``action`` (they all use Resource "*")."""
    for statement in policy.statements():
        if statement.get("Effect") != "Allow":
            continue
        if "Action" in statement and any(action_matches(p, action) for p in _as_list(statement["Action"])):
            return True
        if "NotAction" in statement and not any(
            action_matches(p, action) for p in _as_list(statement["NotAction"])
        ):
            return True
    return False


def describe(policy: ManagedPolicy) -> list[str]:
    """Plain-language lines for what each Allow statement grants."""
    lines = []
    for statement in policy.statements():
        if statement.get("Effect") != "Allow":
            continue
        resources_ = _as_list(statement.get("Resource")) or ["*"]
        on = "all resources" if resources_ == ["*"] else ", ".join(resources_)
        if "NotAction" in statement:
            excluded = ", ".join(f"`{p}`" for p in _as_list(statement["NotAction"]))
            lines.append(f"every action of every AWS service except {excluded}, on {on}")
        else:
            patterns = _as_list(statement.get("Action"))
            if patterns == ["*"]:
                lines.append(f"every action of every AWS service, on {on}")
                continue
            services = sorted({p.split(":", 1)[0] for p in patterns if ":" in p})
            if len(patterns) <= 12:
                lines.append(f"{', '.join(f'`{p}`' for p in patterns)}, on {on}")
            else:
                lines.append(
                    f"{len(patterns)} action patterns in {len(services)} services "
                    f"(e.g. {', '.join(f'`{p}`' for p in patterns[:4])}), on {on}"
                )
    return lines
