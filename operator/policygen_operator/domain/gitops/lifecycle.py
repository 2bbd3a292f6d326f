"""What keeps a merged change from reaching AWS: settings on a Kubernetes object that leave an attachment in
place after its object leaves the files, or that keep an edit of the object from being applied.

A pull request that says it replaces a broad policy must detach it once merged. Removing a Crossplane
``RolePolicyAttachment`` from the files detaches nothing by itself: the GitOps tool must delete the object
(prune), and the provider must then delete the external attachment. Editing a Role's list detaches only if
the tool applies the edit and the controller sends it to AWS. Each setting below breaks one link of that
chain; the editors refuse a change that relies on it and say which setting and what to do.

Sources: crossplane-runtime pkg/reconciler/managed/policies.go (``LegacyManagementPoliciesResolver.
ShouldDelete`` for cluster-scoped resources that have ``deletionPolicy``, ``ManagementPoliciesResolver`` for
Crossplane v2's namespaced ones, which have only ``managementPolicies``; ``ShouldUpdate``; an empty list is
paused) and reconciler.go (the ``crossplane.io/paused`` annotation stops every reconciliation, deletion
included); Argo CD's sync option ``Prune=false`` (``argocd.argoproj.io/sync-options``); Flux
kustomize-controller's ``kustomize.toolkit.fluxcd.io/prune: disabled`` (excluded from garbage collection),
``kustomize.toolkit.fluxcd.io/reconcile: disabled`` (neither applied nor pruned) and
``kustomize.toolkit.fluxcd.io/ssa: IfNotPresent`` / ``Ignore`` (created if missing, never updated / never
applied); Helm's ``helm.sh/resource-policy: keep`` (helm/helm pkg/kube/client.go Update: an object of the
previous release that the new one lacks is not deleted when it has the annotation, value ``keep``; Flux's
helm-controller upgrades through Helm's library; Argo CD v2.7+ reads it like ``Delete=false``, which only
counts when the Application is deleted: gitops-engine pkg/sync/sync_context.go pruneObject checks
``Prune=false`` alone); the ACK runtime's ``services.k8s.aws/read-only: "true"``
(apis/core/v1alpha1/annotations.go; the reconciler skips every update of a read-only resource, feature gate
ReadOnlyResources on by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

ARGO_SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
FLUX_PRUNE = "kustomize.toolkit.fluxcd.io/prune"
FLUX_RECONCILE = "kustomize.toolkit.fluxcd.io/reconcile"
FLUX_SSA = "kustomize.toolkit.fluxcd.io/ssa"
CROSSPLANE_PAUSED = "crossplane.io/paused"
HELM_RESOURCE_POLICY = "helm.sh/resource-policy"
ACK_READ_ONLY = "services.k8s.aws/read-only"


class Object(Protocol):
    """A Kubernetes object as the editors hold it: a bare document, or a Composition template's base."""

    def get(self, *keys: str) -> Any: ...


@dataclass(frozen=True)
class Blocker:
    """A setting that keeps the change from reaching AWS: what it is, and what the user can do."""

    setting: str
    remedy: str


def _annotations(obj: Object) -> dict[str, Any]:
    annotations = obj.get("metadata", "annotations")
    return annotations if isinstance(annotations, dict) else {}


def _shown(key: str, value: object) -> str:
    return f"annotation {key}: {value!r}"


def _flux_says(annotations: dict[str, Any], key: str, *values: str) -> bool:
    """Whether a Flux annotation holds one of ``values`` (lower case), whatever case the file writes: one
    reading for the four settings, so that none is read more strictly than the others."""
    return str(annotations.get(key, "")).lower() in values


# a Flux annotation is the object's own: the change that removes it is the one Flux applies
_FLUX_REMEDY = "remove that annotation in a change of its own and let Flux apply it"


def never_pruned(obj: Object) -> Blocker | None:
    """Why a GitOps tool leaves the object in the cluster when its file no longer holds it."""
    annotations = _annotations(obj)
    options = [o.strip() for o in str(annotations.get(ARGO_SYNC_OPTIONS, "")).split(",")]
    if "Prune=false" in options:
        return Blocker(
            f"{_shown(ARGO_SYNC_OPTIONS, annotations[ARGO_SYNC_OPTIONS])} (Argo CD never prunes it)",
            "remove Prune=false from that annotation in a change of its own and let Argo CD sync it",
        )
    if _flux_says(annotations, FLUX_PRUNE, "disabled"):
        return Blocker(
            f"{_shown(FLUX_PRUNE, annotations[FLUX_PRUNE])} (Flux never garbage-collects it)",
            _FLUX_REMEDY,
        )
    if _flux_says(annotations, FLUX_RECONCILE, "disabled"):
        return Blocker(
            f"{_shown(FLUX_RECONCILE, annotations[FLUX_RECONCILE])} (Flux neither applies nor prunes it)",
            _FLUX_REMEDY,
        )
    if str(annotations.get(HELM_RESOURCE_POLICY, "")).strip() == "keep":
        return Blocker(
            f"{_shown(HELM_RESOURCE_POLICY, annotations[HELM_RESOURCE_POLICY])} (helm upgrade, and Flux's "
            "helm-controller, which upgrades with Helm, skip deleting an object with it when it leaves the "
            "chart; Argo CD would prune it, as it reads the annotation only when the Application is "
            "deleted, but which of them applies the files policygen cannot tell)",
            "remove the annotation in a change of its own and let the release be upgraded with it gone",
        )
    return None


def never_applied(obj: Object) -> Blocker | None:
    """Why an edit of the object's file never reaches the object in the cluster."""
    annotations = _annotations(obj)
    if _flux_says(annotations, FLUX_RECONCILE, "disabled"):
        return Blocker(
            f"{_shown(FLUX_RECONCILE, annotations[FLUX_RECONCILE])} (Flux no longer applies it)",
            _FLUX_REMEDY,
        )
    if _flux_says(annotations, FLUX_SSA, "ifnotpresent", "ignore"):
        return Blocker(
            f"{_shown(FLUX_SSA, annotations[FLUX_SSA])} (Flux does not update an object that exists)",
            _FLUX_REMEDY,
        )
    return None


def _management_policies(obj: Object) -> list[str] | None:
    policies = obj.get("spec", "managementPolicies")
    if policies is None:
        return ["*"]  # the CRDs' default
    return [str(p) for p in policies] if isinstance(policies, list) else None


def _paused(obj: Object) -> Blocker | None:
    annotations = _annotations(obj)
    if str(annotations.get(CROSSPLANE_PAUSED, "")) == "true":
        return Blocker(
            f"{_shown(CROSSPLANE_PAUSED, annotations[CROSSPLANE_PAUSED])} (Crossplane does not reconcile a "
            "paused resource, not even its deletion)",
            "remove the annotation in a change of its own and let Crossplane reconcile it",
        )
    if _management_policies(obj) == []:
        return Blocker(
            "managementPolicies: [] (the resource is paused)",
            "give it managementPolicies ['*'] in a change of its own and let Crossplane reconcile it",
        )
    return None


def crossplane_orphans(obj: Object, *, namespaced: bool) -> Blocker | None:
    """Why Crossplane would delete the managed resource but leave its external resource (here: the policy
    stays attached). A cluster-scoped resource deletes it when ``deletionPolicy`` is Delete (the default) and
    ``managementPolicies`` allows Delete, or when a non-default ``managementPolicies`` lists Delete; a
    namespaced one (no ``deletionPolicy``) when ``managementPolicies`` allows Delete."""
    paused = _paused(obj)
    if paused is not None:
        return paused
    policies = _management_policies(obj)
    if policies is None:
        return None  # not a list: the API server refuses it, nothing of ours to judge
    allows_delete = "Delete" in policies or "*" in policies
    remedy = (
        "give it managementPolicies that include Delete in a change of its own and let it sync"
        if namespaced
        else "give it deletionPolicy: Delete (and managementPolicies ['*'] or a list with Delete) in a "
        "change of its own and let it sync"
    )
    if namespaced:
        return None if allows_delete else Blocker(f"managementPolicies {policies} without Delete", remedy)
    deletion = str(obj.get("spec", "deletionPolicy") or "Delete")
    if deletion == "Delete" and allows_delete:
        return None
    if set(policies) != {"*"} and "Delete" in policies:
        return None  # a non-default list with Delete overrides deletionPolicy: Orphan
    if deletion != "Delete":
        return Blocker(f"deletionPolicy: {deletion}", remedy)
    return Blocker(f"managementPolicies {policies} without Delete", remedy)


def crossplane_no_update(obj: Object) -> Blocker | None:
    """Why Crossplane would not send an edit of the managed resource's spec to AWS."""
    paused = _paused(obj)
    if paused is not None:
        return paused
    policies = _management_policies(obj)
    if policies is None or "Update" in policies or "*" in policies:
        return None
    return Blocker(
        f"managementPolicies {policies} without Update (Crossplane does not update the external resource)",
        "give it managementPolicies that include Update in a change of its own and let it sync",
    )


def ack_no_update(obj: Object) -> Blocker | None:
    """Why the ACK controller would not send an edit of the resource's spec to AWS."""
    annotations = _annotations(obj)
    if str(annotations.get(ACK_READ_ONLY, "")).lower() == "true":
        return Blocker(
            f"{_shown(ACK_READ_ONLY, annotations[ACK_READ_ONLY])} (the ACK controller skips every update "
            "of a read-only resource)",
            "remove the annotation in a change of its own, or detach the policy by hand",
        )
    return None


def kept_on_removal(obj: Object, *, namespaced: bool) -> Blocker | None:
    """Why deleting this Crossplane managed resource's document from the files leaves the external one."""
    return never_pruned(obj) or crossplane_orphans(obj, namespaced=namespaced)


def not_updated(obj: Object, *, controller: str) -> Blocker | None:
    """Why an edit of this object's file (a Role's list of policies) does not reach AWS."""
    found = never_applied(obj)
    if found is not None:
        return found
    return crossplane_no_update(obj) if controller == "crossplane" else ack_no_update(obj)
