"""Checks of an identity policy document before anyone is asked to attach it.

Errors are what IAM would reject, or what would make the policy grant something other than it says:
bad grammar, an action the Service Authorization Reference does not know, a resource ARN that no
resource type of the statement's actions has, an ARN on an action that takes no resource (IAM then
grants nothing), a document over 6,144 characters. Warnings are legal but worth a look: ``*`` for an
action that takes resources. The validator reads any document (ours or a hand-written one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from policygen_operator.domain.iam.arn import pattern_fits_format, split_arn
from policygen_operator.domain.iam.canonical import policy_characters
from policygen_operator.domain.iam.policy import MANAGED_POLICY_MAX_CHARACTERS
from policygen_operator.domain.iam.reference import Reference, load_reference

Severity = Literal["error", "warning", "info"]
_SID = re.compile(r"^[A-Za-z0-9]*$")
_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
_KNOWN_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Principal",
        "NotPrincipal",
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    code: str
    message: str
    sid: str | None = None
    part: int | None = None  # 1-based part of a split policy, once the caller knows which

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of reports, status and pull requests: ``part`` and ``sid`` only when known."""
        out: dict[str, Any] = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.part is not None:
            out["part"] = self.part
        if self.sid:
            out["sid"] = self.sid
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Back from that JSON form (a status or report written earlier); unknown severities read as info."""
        severity = str(data.get("severity", ""))
        part = data.get("part")
        return cls(
            severity=cast(Severity, severity if severity in ("error", "warning", "info") else "info"),
            code=str(data.get("code", "")),
            message=str(data.get("message", "")),
            sid=str(data["sid"]) if data.get("sid") else None,
            part=int(part) if part is not None else None,
        )


def validate_policy(
    document: Any, *, max_characters: int = MANAGED_POLICY_MAX_CHARACTERS, reference: Reference | None = None
) -> list[Finding]:
    """Every finding for one document, in statement order."""
    ref = reference or load_reference()
    findings: list[Finding] = []
    if not isinstance(document, dict):
        return [Finding("error", "grammar", "the policy is not a JSON object")]
    version = document.get("Version")
    if version is None:
        findings.append(
            Finding("warning", "version", "no Version: IAM assumes 2008-10-17 (no policy variables)")
        )
    elif version not in ("2012-10-17", "2008-10-17"):
        findings.append(Finding("error", "version", f"Version {version!r} is not 2012-10-17 or 2008-10-17"))
    for key in document:
        if key not in ("Version", "Statement", "Id"):
            findings.append(Finding("error", "grammar", f"unknown top-level element {key!r}"))
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        findings.append(Finding("error", "grammar", "Statement must be a non-empty list of statements"))
        statements = []
    sids: set[str] = set()
    for index, statement in enumerate(statements):
        findings.extend(_statement(statement, index, sids, ref))
    size = policy_characters(document)
    if size > max_characters:
        findings.append(
            Finding("error", "size", f"{size} characters without white space; the limit is {max_characters}")
        )
    return findings


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def _statement(statement: Any, index: int, sids: set[str], ref: Reference) -> list[Finding]:
    if not isinstance(statement, dict):
        return [Finding("error", "grammar", f"statement {index + 1} is not a JSON object")]
    sid = statement.get("Sid")
    label = sid if isinstance(sid, str) else None
    out: list[Finding] = []

    def add(severity: Severity, code: str, message: str) -> None:
        out.append(Finding(severity, code, message, label))

    for key in statement:
        if key not in _KNOWN_STATEMENT_KEYS:
            add("error", "grammar", f"unknown statement element {key!r}")
    if sid is not None:
        if not isinstance(sid, str) or not _SID.match(sid):
            add("error", "sid", f"Sid {sid!r} must be letters and digits only")
        elif sid in sids:
            add("error", "duplicate-sid", f"Sid {sid!r} is used by more than one statement")
        else:
            sids.add(sid)
    if statement.get("Effect") not in ("Allow", "Deny"):
        add("error", "grammar", f"Effect must be Allow or Deny, not {statement.get('Effect')!r}")
    if "Principal" in statement or "NotPrincipal" in statement:
        add("error", "grammar", "an identity policy has no Principal")
    actions = _one_of(statement, "Action", "NotAction", add)
    resources = _one_of(statement, "Resource", "NotResource", add)
    if "Condition" in statement and not isinstance(statement["Condition"], dict):
        add("error", "grammar", "Condition must be an object")
    if actions is None or resources is None:
        return out
    known = _check_actions(actions, ref, add)
    if "Action" in statement and "Resource" in statement and statement.get("Effect") == "Allow":
        _check_resources(known, resources, ref, add)
    elif "Resource" in statement:
        for arn in resources:
            if arn != "*" and split_arn(arn) is None:
                add("error", "arn", f"{arn!r} is not an ARN (arn:partition:service:region:account:resource)")
    return out


def _one_of(statement: dict[str, Any], name: str, negated: str, add: Any) -> list[str] | None:
    present = [k for k in (name, negated) if k in statement]
    if len(present) != 1:
        add("error", "grammar", f"a statement needs exactly one of {name} and {negated}")
        return None
    values = _strings(statement[present[0]])
    if values is None:
        add("error", "grammar", f"{present[0]} must be a string or a non-empty list of strings")
    return values


def _check_actions(actions: Iterable[str], ref: Reference, add: Any) -> dict[str, bool]:
    """Report unknown actions; return the reference's names of the known ones (wildcards expanded), each
    with whether the statement named it explicitly."""
    known: dict[str, bool] = {}
    for action in actions:
        if action == "*":
            add("warning", "wildcard-action", "Action * grants every action of every service")
            continue
        if not _ACTION.match(action):
            add("error", "action", f"{action!r} is not service:Action")
            continue
        if "*" in action or "?" in action:
            matched = ref.expand(action)
            if not matched:
                add(
                    "error",
                    "unknown-action",
                    f"{action!r} matches no action in the Service Authorization Reference",
                )
            for expanded in matched:
                known.setdefault(expanded, False)
            continue
        name = ref.action_name(action)
        if name is None:
            add("error", "unknown-action", f"{action!r} is not in the Service Authorization Reference")
        else:
            known[name] = True
    return known


def _check_resources(actions: dict[str, bool], resources: list[str], ref: Reference, add: Any) -> None:
    """Every ARN must suit some action; every explicitly named action must get some ARN it can use (an
    ``s3:Get*`` need not find a bucket and an object for each of the actions it expands to)."""
    types = {action: ref.resource_types(action) for action in actions}
    wildcard = "*" in resources
    if wildcard:
        taking = sorted(a for a, t in types.items() if t)
        if taking:
            add(
                "warning",
                "wildcard-resource",
                f"Resource * for actions that take resources: {', '.join(taking)}",
            )
    served: set[str] = set()
    for arn in resources:
        if arn == "*":
            continue
        if split_arn(arn) is None:
            add("error", "arn", f"{arn!r} is not an ARN (arn:partition:service:region:account:resource)")
            continue
        users = [
            a for a, ts in types.items() if any(pattern_fits_format(arn, f) for t in ts for f in t.formats)
        ]
        if not users:
            add(
                "error",
                "resource-type",
                f"{arn!r} has the shape of no resource type of this statement's actions",
            )
        served.update(users)
    if wildcard:
        return
    for action in sorted(types):
        if action in served or not actions[action]:
            continue
        if not types[action]:
            add(
                "error",
                "resource-type",
                f"{action} takes no resource: it needs Resource *, an ARN grants nothing",
            )
        else:
            add(
                "error",
                "resource-type",
                f"{action}: no Resource of this statement has one of its resource types",
            )
