"""The Kubernetes side of rightsizing: discovery (namespaces, IRSA ServiceAccounts, ACK ``Role`` objects) and
the child ``PolicyGeneration`` objects a parent owns (list by label, create, delete, status).

Discovery reads what is there each time (level-based): a ServiceAccount whose annotation was removed simply is
not found again, and the service deletes the child of a role nobody runs as any more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kubernetes_asyncio.client.rest import ApiException

from policygen_operator.adapters.kubernetes.client import (
    GROUP,
    MERGE_PATCH,
    PLURAL,
    VERSION,
    KubeClient,
    ObjectState,
    _error,
)
from policygen_operator.domain.partitions import PARTITION_ALTERNATIVES
from policygen_operator.domain.rightsizing import ACK, IRSA, Binding

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
ACK_GROUP, ACK_VERSION, ACK_PLURAL = "iam.services.k8s.aws", "v1alpha1", "roles"
RIGHTSIZING_PLURAL = "rightsizings"
CLUSTER_RIGHTSIZING_PLURAL = "clusterrightsizings"
_ROLE_ARN = re.compile(
    rf"^arn:({PARTITION_ALTERNATIVES}):iam::[0-9]{{12}}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]+$"
)


def label_selector(match_labels: Mapping[str, str] | None) -> str:
    """``matchLabels`` as a label selector string; empty selects everything."""
    return ",".join(f"{k}={v}" for k, v in sorted((match_labels or {}).items()))


def ack_role_arn(role: Mapping[str, Any], account: str | None, partition: str = "aws") -> str | None:
    """The ARN ACK reported, else one built from spec.path and spec.name when the account is known."""
    arn = ((role.get("status") or {}).get("ackResourceMetadata") or {}).get("arn")
    if arn:
        return str(arn)
    spec = role.get("spec") or {}
    owner = ((role.get("status") or {}).get("ackResourceMetadata") or {}).get("ownerAccountID") or account
    if not owner or not spec.get("name"):
        return None
    path = spec.get("path") or "/"
    return f"arn:{partition}:iam::{owner}:role{path}{spec['name']}"


class RightsizingKube(KubeClient):
    """The operator's client (status, ConfigMaps) plus discovery and the children's calls."""

    async def namespaces(self, match_labels: Mapping[str, str] | None, names: list[str] | None) -> list[str]:
        try:
            found = await self._core.list_namespace(label_selector=label_selector(match_labels))
        except ApiException as exc:
            raise _error("listing namespaces", exc) from exc
        wanted = set(names or ())
        return sorted(
            ns.metadata.name
            for ns in found.items
            if (not wanted or ns.metadata.name in wanted) and not ns.metadata.deletion_timestamp
        )

    async def irsa_bindings(self, namespace: str, match_labels: Mapping[str, str] | None) -> list[Binding]:
        """ServiceAccounts of a namespace annotated with a role ARN (a malformed annotation is skipped)."""
        try:
            found = await self._core.list_namespaced_service_account(
                namespace, label_selector=label_selector(match_labels)
            )
        except ApiException as exc:
            raise _error(f"listing ServiceAccounts of {namespace}", exc) from exc
        out: list[Binding] = []
        for account in found.items:
            arn = (account.metadata.annotations or {}).get(IRSA_ANNOTATION, "").strip()
            if _ROLE_ARN.match(arn):
                out.append(Binding(arn, IRSA, namespace, account.metadata.name))
        return out

    async def ack_bindings(self, namespace: str, account: str | None) -> list[Binding]:
        """ACK ``Role`` objects of a namespace; none when the ACK CRD is not installed."""
        try:
            found = await self._custom.list_namespaced_custom_object(
                ACK_GROUP, ACK_VERSION, namespace, ACK_PLURAL
            )
        except ApiException as exc:
            if exc.status == 404:
                return []
            raise _error(f"listing ACK Roles of {namespace}", exc) from exc
        out: list[Binding] = []
        for role in found.get("items", []):
            arn = ack_role_arn(role, account)
            if arn and _ROLE_ARN.match(arn):
                out.append(Binding(arn, ACK, namespace, role["metadata"]["name"]))
        return out

    async def children(self, selector: str, namespaces: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The labelled PolicyGenerations: cluster-wide (None), or in each of ``namespaces`` (the operator's
        RBAC under a namespace list has no cluster-wide list)."""
        items: list[dict[str, Any]] = []
        try:
            if namespaces is None:
                found = await self._custom.list_cluster_custom_object(
                    GROUP, VERSION, PLURAL, label_selector=selector
                )
                return list(found.get("items", []))
            for namespace in namespaces:
                found = await self._custom.list_namespaced_custom_object(
                    GROUP, VERSION, namespace, PLURAL, label_selector=selector
                )
                items.extend(found.get("items", []))
        except ApiException as exc:
            raise _error("listing child PolicyGenerations", exc) from exc
        return items

    async def create_child(self, namespace: str, body: dict[str, Any]) -> None:
        try:
            await self._custom.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body)
        except ApiException as exc:
            if exc.status != 409:
                raise _error(
                    f"creating PolicyGeneration {namespace}/{body['metadata']['name']}", exc
                ) from exc

    async def patch_child_spec(self, namespace: str, name: str, spec: Mapping[str, Any]) -> None:
        await self._merge_patch(
            namespace, name, {"spec": dict(spec)}, f"updating PolicyGeneration {namespace}/{name}"
        )

    async def delete_child(self, namespace: str, name: str) -> None:
        try:
            await self._custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)
        except ApiException as exc:
            if exc.status != 404:
                raise _error(f"deleting PolicyGeneration {namespace}/{name}", exc) from exc

    async def parent_state(self, namespace: str | None, name: str) -> ObjectState:
        """Whether a parent still exists (not being deleted), and its generation and uid."""
        try:
            if namespace:
                body = await self._custom.get_namespaced_custom_object(
                    GROUP, VERSION, namespace, RIGHTSIZING_PLURAL, name
                )
            else:
                body = await self._custom.get_cluster_custom_object(
                    GROUP, VERSION, CLUSTER_RIGHTSIZING_PLURAL, name
                )
        except ApiException as exc:
            if exc.status == 404:
                return ObjectState(exists=False)
            raise _error(f"reading rightsizing {namespace or ''}/{name}", exc) from exc
        meta = body.get("metadata", {})
        return ObjectState(not meta.get("deletionTimestamp"), meta.get("generation"), meta.get("uid"))

    async def patch_parent_status(self, namespace: str | None, name: str, status: Mapping[str, Any]) -> bool:
        """Merge-patch a parent's status; False when the parent is gone."""
        body = {"status": dict(status)}
        try:
            if namespace:
                await self._custom.patch_namespaced_custom_object_status(
                    GROUP,
                    VERSION,
                    namespace,
                    RIGHTSIZING_PLURAL,
                    name,
                    body,
                    _content_type=MERGE_PATCH,  # type: ignore[call-arg]
                )
            else:
                await self._custom.patch_cluster_custom_object_status(
                    GROUP,
                    VERSION,
                    CLUSTER_RIGHTSIZING_PLURAL,
                    name,
                    body,
                    _content_type=MERGE_PATCH,  # type: ignore[call-arg]
                )
        except ApiException as exc:
            if exc.status == 404:
                return False
            raise _error(f"patching the status of rightsizing {namespace or ''}/{name}", exc) from exc
        return True
