"""Refuse to run against CRDs older than the operator: the API server would drop fields it relies on.

Helm installs a chart's ``crds/`` on ``helm install`` only and never upgrades them (Helm docs, Chart Best
Practices, "Custom Resource Definitions", "Some caveats (and explanations)"), so ``helm upgrade`` alone runs
this operator against the CRDs of the release first installed. A structural schema keeps only the fields it
specifies: the API server prunes the others when an object is written (Kubernetes docs, "Extend the Kubernetes
API with CustomResourceDefinitions", "Field pruning"). A PolicyGeneration asking for ``dryRun: true`` through
a client that does not ask for strict field validation would then be stored without it, and this operator
would push the branch and open the pull request the user only wanted to preview; the preview's ``diff`` it
writes to status would be dropped too. Nothing of that is visible from the operator's side, so it checks at
start-up.

The schemas come from the API server's OpenAPI v3 document of the group
(``/openapi/v3/apis/policygen.io/v1alpha1``), which every authenticated identity may read (the
``system:discovery`` ClusterRole: Kubernetes docs, "Using RBAC Authorization", "API discovery roles"), so the
check needs no RBAC beyond what the operator has.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from policygen_operator.adapters.kubernetes.client import GROUP, VERSION, KubernetesError

logger = logging.getLogger(__name__)

# Fields added after the first release whose loss is silent and changes what the operator does or reports;
# `[]` steps into a list's items. A kind whose CRD is not installed at all is not checked (kopf reports that).
RELIED_ON: Mapping[str, tuple[str, ...]] = {
    "PolicyGeneration": (
        "spec.output.pullRequest.dryRun",
        "status.pullRequest.baseSha",
        "status.pullRequest.diff",
    ),
    "Rightsizing": ("spec.output.pullRequest.dryRun", "status.roles[].pullRequest.baseSha"),
    "ClusterRightsizing": ("spec.output.pullRequest.dryRun", "status.roles[].pullRequest.baseSha"),
}
UPGRADE_HINT = (
    "upgrade the CRDs before the operator: `kubectl apply --server-side --force-conflicts -f "
    "charts/policygen-operator/crds/` for the Helm chart (helm upgrade never upgrades them), or "
    '`kubectl apply -k deploy/`; see docs/operator.md "Upgrading"'
)


class OutdatedCrds(Exception):
    """The installed CRDs lack fields this operator relies on; the message names them and the fix."""


class PublishedSchemas(Protocol):
    async def published_schemas(self) -> dict[str, Any] | None: ...


def schema_name(kind: str) -> str:
    """The OpenAPI component name the API server gives a custom resource's schema (reversed group)."""
    return ".".join([*reversed(GROUP.split(".")), VERSION, kind])


def has_field(schema: Mapping[str, Any], path: str) -> bool:
    node: Any = schema
    for step in path.split("."):
        name, is_list = (step[:-2], True) if step.endswith("[]") else (step, False)
        node = (node.get("properties") or {}).get(name) if isinstance(node, Mapping) else None
        if is_list and isinstance(node, Mapping):
            node = node.get("items")
        if not isinstance(node, Mapping):
            return False
    return True


def missing_fields(document: Mapping[str, Any]) -> list[str]:
    """``Kind path`` for every relied-on field the installed CRDs do not specify."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    missing: list[str] = []
    for kind, paths in RELIED_ON.items():
        schema = schemas.get(schema_name(kind))
        if isinstance(schema, Mapping):
            missing.extend(f"{kind} {path}" for path in paths if not has_field(schema, path))
    return missing


async def check_installed_crds(kube: PublishedSchemas) -> None:
    """Raise ``OutdatedCrds`` when a relied-on field is missing. When the schemas cannot be read (a cluster
    that restricts /openapi), say so loudly and go on: not knowing is not evidence of old CRDs."""
    try:
        document = await kube.published_schemas()
    except KubernetesError as error:
        logger.warning(
            "could not read the installed CRDs' schemas (%s): if they are older than this operator, fields "
            "such as spec.output.pullRequest.dryRun are dropped by the API server; %s",
            error,
            UPGRADE_HINT,
        )
        return
    missing = missing_fields(document or {})
    if missing:
        raise OutdatedCrds(
            f"the installed CRDs are older than this operator: the API server does not know "
            f"{', '.join(missing)} and drops them from every object written (a PolicyGeneration's "
            f"dryRun: true would be lost and its pull request pushed); {UPGRADE_HINT}"
        )
