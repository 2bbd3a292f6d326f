"""Who may use an admin's source or repository, and for what: pure matching, no Kubernetes client.

The tenancy model (docs/tenancy.md) follows cert-manager's Issuer/ClusterIssuer: admins own
``CloudTrailSource``/``ClusterCloudTrailSource`` and ``PolicyRepository``/``ClusterPolicyRepository`` objects;
a ``PolicyGeneration`` names one. These functions answer the three questions the resolution service asks:
may this namespace use a cluster object, may it ask about this principal, may it edit this path.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector (``matchLabels`` and ``matchExpressions``) against a label set.

    An empty selector matches nothing here, unlike in a Deployment: an admin who writes ``selector: {}``
    by mistake must not open a cluster object to every namespace.
    """
    match_labels: Mapping[str, str] = selector.get("matchLabels") or {}
    expressions: Sequence[Mapping[str, Any]] = selector.get("matchExpressions") or ()
    if not match_labels and not expressions:
        return False
    if any(labels.get(key) != value for key, value in match_labels.items()):
        return False
    for expression in expressions:
        key, operator = str(expression.get("key")), str(expression.get("operator"))
        values = [str(v) for v in expression.get("values") or ()]
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def namespace_allowed(
    namespaces: Mapping[str, Any] | None, namespace: str, labels: Mapping[str, str]
) -> bool:
    """``spec.namespaces`` of a cluster object: listed by name, or selected by the namespace's labels."""
    if not namespaces:
        return False
    if namespace in (namespaces.get("names") or ()):
        return True
    selector = namespaces.get("selector")
    return isinstance(selector, Mapping) and selector_matches(selector, labels)


@cache
def _arn_pattern(pattern: str) -> re.Pattern[str]:
    """``*`` and ``?`` stay within one ARN segment (never across ``:`` or ``/``)."""
    parts = []
    for char in pattern:
        parts.append("[^:/]*" if char == "*" else "[^:/]" if char == "?" else re.escape(char))
    return re.compile("".join(parts))


def principal_allowed(patterns: Sequence[str], principal: str) -> bool:
    """Whether ``principal`` matches one of the source's ``allowedPrincipals``.

    Wildcards do not cross ``/``, so ``role/team-a-*`` does not reach ``role/team-a-x/other-team``: a role
    with a path needs a pattern that says so (``role/*/team-a-*`` or ``role/team-a/*``).
    """
    return any(_arn_pattern(p).fullmatch(principal) for p in patterns)


@cache
def _path_pattern(pattern: str) -> re.Pattern[str]:
    """``**`` spans any number of whole segments (none included), ``*`` and ``?`` stay within one."""
    segments = pattern.strip("/").split("/")
    out = ""
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            out += "(?:.*)" if last else "(?:[^/]+/)*"
            continue
        body = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in segment)
        out += body + ("" if last else "/")
    if pattern.strip("/").endswith("/**"):
        out = out[: -len("/(?:.*)")] + "(?:/.*)?"
    return re.compile(out)


def path_allowed(patterns: Sequence[str], path: str) -> bool:
    """Whether the repository-relative ``path`` (a file or a folder) is one the repository lets be edited.

    ``path`` must already be normalised (``safe_relative_path``); ``teams/a/**`` allows ``teams/a`` and
    everything under it, ``iam/*.yaml`` one level of YAML files. The root (``""``) needs ``**``.
    """
    normalised = posixpath.normpath(path) if path else ""
    normalised = "" if normalised == "." else normalised
    return any(_path_pattern(p).fullmatch(normalised) for p in patterns)


def session_name(*parts: str) -> str:
    """An STS RoleSessionName (2-64 of ``[\\w+=,.@-]``) from parts, e.g. the namespace and the name."""
    text = re.sub(r"[^\w+=,.@-]+", "-", "-".join(["policygen", *parts])).strip("-")
    if len(text) > 64:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        text = f"{text[:55].rstrip('-')}-{digest}"
    return text


def tag_value(text: str) -> str:
    """An STS session tag value: at most 256 of letters, digits, spaces and ``_.:/=+-@``."""
    return re.sub(r"[^\w .:/=+@-]", "_", text)[:256]
