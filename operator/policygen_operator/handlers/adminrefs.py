"""kopf handlers that carry an admin's change of a source or repository to the PolicyGenerations naming it.

An index of PolicyGenerations by the admin objects they name, and a watch-event handler per admin kind that
calls ``services.adminrefs.AdminRefs.nudge`` (the service decides whom to annotate). Events only: the
operator never writes the admin's objects, so it needs list and watch on them, not patch.

Namespaces likewise: a cluster object's ``spec.namespaces.selector`` grants a namespace by its labels, so a
Namespace's events (``AdminRefs.nudge_namespace``) reach the PolicyGenerations in it. ``kopf.on.event``
stores no state on the object (no progress, no diff base), so Namespaces are never patched.
"""

from __future__ import annotations

from typing import Any

import kopf

from policygen_operator.adapters.kubernetes.client import GROUP, PLURAL, VERSION
from policygen_operator.services.adminrefs import (
    AdminKey,
    AdminRefs,
    Referrer,
    namespace_references,
    references,
)
from policygen_operator.services.rightsizing import FED_BY
from policygen_operator.services.tenancy import REPOSITORY_KINDS, SOURCE_KINDS


@kopf.on.startup()
async def start_admin_refs(memo: kopf.Memo, **_: Any) -> None:
    """After the PolicyGeneration start-up (registered first), which made the Kubernetes client."""
    memo.admin_refs = AdminRefs(memo.kube, memo.app.operator_namespace)


@kopf.index(GROUP, VERSION, PLURAL, annotations={FED_BY: kopf.ABSENT})
def policygeneration_refs(
    namespace: str | None,
    name: str,
    spec: kopf.Spec,
    status: kopf.Status,
    annotations: kopf.Annotations,
    meta: kopf.Meta,
    **_: Any,
) -> dict[AdminKey, Referrer]:
    return references(str(namespace), name, spec, status, annotations, meta.get("generation"))


@kopf.on.event(GROUP, VERSION, SOURCE_KINDS["CloudTrailSource"])
@kopf.on.event(GROUP, VERSION, SOURCE_KINDS["ClusterCloudTrailSource"])
@kopf.on.event(GROUP, VERSION, REPOSITORY_KINDS["PolicyRepository"])
@kopf.on.event(GROUP, VERSION, REPOSITORY_KINDS["ClusterPolicyRepository"])
async def admin_object_changed(
    type: str, body: kopf.Body, memo: kopf.Memo, logger: kopf.Logger, **kwargs: Any
) -> None:
    """Every event (the start-up listing too): the PolicyGenerations it decides get its generation."""
    meta = body["metadata"]
    key: AdminKey = (str(body["kind"]), meta.get("namespace") or None, str(meta["name"]))
    index: kopf.Index[AdminKey, Referrer] = kwargs["policygeneration_refs"]  # policygeneration_refs above
    current = None if type == "DELETED" else dict(body)
    nudged = await memo.admin_refs.nudge(key, current, list(index.get(key, ())))
    for namespace, name in nudged:
        logger.info("%s/%s changed: PolicyGeneration %s/%s runs again", key[0], key[2], namespace, name)


@kopf.index(GROUP, VERSION, PLURAL, annotations={FED_BY: kopf.ABSENT})
def policygeneration_namespaces(
    namespace: str | None,
    name: str,
    spec: kopf.Spec,
    status: kopf.Status,
    annotations: kopf.Annotations,
    meta: kopf.Meta,
    **_: Any,
) -> dict[str, Referrer]:
    return namespace_references(str(namespace), name, spec, status, annotations, meta.get("generation"))


@kopf.on.event("v1", "namespaces")
async def namespace_changed(
    type: str, body: kopf.Body, memo: kopf.Memo, logger: kopf.Logger, **kwargs: Any
) -> None:
    """Every event (the start-up listing too): its labels may grant or revoke a cluster object's service."""
    name = str(body["metadata"]["name"])
    index: kopf.Index[str, Referrer] = kwargs["policygeneration_namespaces"]  # the index above
    current = None if type == "DELETED" else dict(body)
    nudged = await memo.admin_refs.nudge_namespace(name, current, list(index.get(name, ())))
    for namespace, pgen in nudged:
        logger.info("Namespace %s labels changed: PolicyGeneration %s/%s runs again", name, namespace, pgen)
