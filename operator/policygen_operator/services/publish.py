"""Publish a generated policy to a ConfigMap, and only when what it holds differs in meaning.

GitOps tools and controllers watch that ConfigMap; rewriting it with the same policy in another key order
would wake all of them for nothing. So the comparison is by meaning (the canonical JSON's sha256), and an
unchanged ConfigMap costs one GET. The comparison is with what the ConfigMap actually holds, its data as
well as its sha256 annotation: both are as easy to edit as each other, so the annotation alone proves
nothing, and a policy someone widened in place must be put back by the next run (level-based: the
observed object is driven to the desired one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from policygen_operator.adapters.kubernetes.client import ConfigMapObject
from policygen_operator.domain.iam.canonical import canonical_json, policy_sha256
from policygen_operator.services.errors import TemporaryError
from policygen_operator.services.reasons import Reason
from policygen_operator.services.spec import POLICY_KEY

SHA_ANNOTATION = "policygen.io/policy-sha256"
SOURCE_ANNOTATION = "policygen.io/source"
REPORT_KEY = "report.json"
# A ConfigMap holds at most 1 MiB; the policies themselves are a few KiB (IAM caps a managed policy at 6,144
# characters), so the report goes in only while it leaves ample room.
MAX_REPORT_BYTES = 256 * 1024
_PART_KEY = re.compile(r"policy(-part[0-9]+)?\.json")

logger = logging.getLogger(__name__)


class ConfigMapPort(Protocol):
    async def read_configmap(self, namespace: str, name: str) -> ConfigMapObject | None: ...

    async def put_configmap(self, namespace: str, body: dict[str, Any]) -> None: ...


def policies_sha256(policies: Sequence[Mapping[str, Any]]) -> str:
    """One digest for all parts: the part's own digest when there is one part, else a digest of digests."""
    if len(policies) == 1:
        return policy_sha256(dict(policies[0]))
    joined = "\n".join(policy_sha256(dict(p)) for p in policies)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def part_key(index: int) -> str:
    """``policy.json`` for the first part (what users script against), ``policy-partN.json`` after it."""
    return POLICY_KEY if index == 0 else f"policy-part{index + 1}.json"


def published_policies(data: Mapping[str, str]) -> list[dict[str, Any]]:
    """The parts a ConfigMap's data holds, in order (``policy.json``, ``policy-part2.json``, ...)."""
    policies: list[dict[str, Any]] = []
    while part_key(len(policies)) in data:
        policies.append(json.loads(data[part_key(len(policies))]))
    return policies


def holds_policies(data: Mapping[str, str], policies: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a ConfigMap's data holds exactly these parts, by meaning (any key order or indentation), and no
    other part: a ``policy-part3.json`` left over or added would be read as part of the policy."""
    keys = {k for k in data if _PART_KEY.fullmatch(k)}
    if keys != {part_key(i) for i in range(len(policies))}:
        return False
    try:
        return policies_sha256(published_policies(data)) == policies_sha256(policies)
    except (ValueError, TypeError):  # not JSON, or not a JSON object: not this policy either
        return False


def pretty(document: Mapping[str, Any]) -> str:
    """The canonical form, indented for people: same meaning, same bytes, every time."""
    return json.dumps(json.loads(canonical_json(dict(document))), indent=2) + "\n"


def configmap_body(
    name: str,
    policies: Sequence[Mapping[str, Any]],
    sha256: str,
    owner_reference: Mapping[str, Any],
    source: str,
    report: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    data = {part_key(i): pretty(p) for i, p in enumerate(policies)}
    owner_name = str(owner_reference.get("name", ""))
    if report is not None:
        text = json.dumps(report, indent=2, sort_keys=True, default=str) + "\n"
        if len(text.encode("utf-8")) <= MAX_REPORT_BYTES:
            data[REPORT_KEY] = text
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            # Label values cannot hold "/": the label names the owner within the namespace, the
            # annotation keeps the full namespace/name that the ownership check compares.
            "labels": {
                "app.kubernetes.io/managed-by": "policygen",
                "policygen.io/policygeneration": owner_name,
            },
            "annotations": {SHA_ANNOTATION: sha256, SOURCE_ANNOTATION: source},
            "ownerReferences": [dict(owner_reference)],
        },
        "data": data,
    }


@dataclass(frozen=True)
class Published:
    """``changed``: the ConfigMap was written. ``repaired``: what was wrong with a ConfigMap that already
    claimed or held this policy (empty for a new policy or a new ConfigMap), for the condition's message."""

    name: str
    changed: bool
    repaired: tuple[str, ...] = ()


async def publish_configmap(
    kube: ConfigMapPort,
    namespace: str,
    name: str,
    policies: Sequence[Mapping[str, Any]],
    owner_reference: Mapping[str, Any],
    source: str,
    report: Mapping[str, Any] | None = None,
    extra: Mapping[str, str] | None = None,
    published: str | None = None,
    on_conflict: str = (
        "choose another spec.output.configMap.name, or delete that ConfigMap: the write is tried again with "
        "backoff, the scan's result kept"
    ),
) -> Published:
    """Write the ConfigMap unless it already holds this policy (in its data and its annotation) and names
    this owner (by uid) among its ownerReferences. ``extra``: more keys of the data, byte for byte (a
    rightsizing child's ``rightsizing.json``): one that differs is written again too. ``on_conflict``: what
    the reader can do about a ConfigMap of that name policygen did not write. ``published``: the sha256 its
    owner's status says it last published under this name; a missing ConfigMap that should hold that very
    policy was deleted behind the operator's back, and putting it back is a repair, said as such.

    That conflict is temporary: deleting the other ConfigMap resolves it without any change to the spec,
    and ConfigMaps are not watched (a watch of every ConfigMap of the cluster would need list and watch on
    all of them), so the write is tried again with backoff; a PolicyGeneration's retry delivers the scan it
    kept (``Reconciler._undelivered``) instead of scanning again. Overwriting is never right: the data is
    someone else's."""
    sha256 = policies_sha256(policies)
    current = await kube.read_configmap(namespace, name)
    if current is not None and current.annotations.get(SOURCE_ANNOTATION) != source:
        # Someone else's ConfigMap: overwriting it would destroy data we do not own.
        raise TemporaryError(
            f"ConfigMap {namespace}/{name} exists and is not managed by this PolicyGeneration (it is left "
            f"alone); {on_conflict}",
            field="spec.output.configMap.name",
            reason=Reason.CONFIGMAP_CONFLICT,
        )
    repaired: tuple[str, ...] = ()
    if current is None and published == sha256:
        repaired = ("it did not exist",)
        logger.warning("ConfigMap %s/%s: it did not exist; writing it again", namespace, name)
    if current is not None:
        held = holds_policies(current.data, policies) and all(
            current.data.get(key) == value for key, value in (extra or {}).items()
        )
        claimed = current.annotations.get(SHA_ANNOTATION) == sha256
        # The ownerReference is part of what the ConfigMap should hold: a PolicyGeneration created again
        # after `delete --cascade=orphan` adopts it (same source annotation) under a new uid, and without the
        # reference deleting it would leave the ConfigMap behind.
        owned = owner_reference.get("uid") in current.owner_uids
        if held and claimed and owned:
            return Published(name=name, changed=False)
        if held or claimed:  # one or both: not a new policy (that differs in both), so this is a repair
            repaired = tuple(
                what
                for ok, what in (
                    (held, "its data did not hold this policy"),
                    (claimed, f"its {SHA_ANNOTATION} did not match"),
                    (owned, "it was not owned by this PolicyGeneration"),
                )
                if not ok
            )
            logger.warning("ConfigMap %s/%s: %s; writing it again", namespace, name, "; ".join(repaired))
    body = configmap_body(name, policies, sha256, owner_reference, source, report)
    body["data"].update(extra or {})
    await kube.put_configmap(namespace, body)
    return Published(name=name, changed=True, repaired=repaired)
