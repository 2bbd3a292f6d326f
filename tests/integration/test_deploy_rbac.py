"""deploy/'s RBAC on the real API server (issue 10): the operator reaches a namespace once the admin adds it.

`kubectl auth can-i --as` the operator's ServiceAccount asks the API server (a SubjectAccessReview):
these answers are the cluster's, not a reading of the YAML. The namespaced grants come from RoleBindings: one
in policygen-system from deploy/ itself, one per team namespace from deploy/watch-namespace/ (and, for its own
repository's credentials, deploy/secrets-namespace/), applied the way docs/operator.md tells an admin to.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.integration.operator_harness import (
    OPERATOR_ACCOUNT,
    OPERATOR_NAMESPACE,
    ROOT,
    can_i,
    install_deploy,
    watch_namespace,
)

pytestmark = pytest.mark.controlplane

# What the operator does in a namespace it watches (the main role) and where a repository needs credentials.
NAMESPACED = [
    ("list", "policygenerations.policygen.io"),
    ("watch", "policygenerations.policygen.io"),
    ("patch", "policygenerations.policygen.io/status"),
    ("create", "configmaps"),
    ("get", "cloudtrailsources.policygen.io"),
    ("get", "policyrepositories.policygen.io"),
    ("list", "rightsizings.policygen.io"),
]


def test_deploy_reaches_a_team_namespace_only_after_the_admin_adds_it(
    kubectl: str, kubeconfig: Path, namespace: str
) -> None:
    install_deploy(kubectl, kubeconfig)

    def allowed(ns: str) -> dict[tuple[str, str], bool]:
        return {(v, r): can_i(kubectl, kubeconfig, v, r, ns) for v, r in [*NAMESPACED, ("get", "secrets")]}

    # Before (cluster-wide bindings) every answer here was yes.
    assert not any(allowed(namespace).values())
    assert not any(allowed("kube-system").values())
    # default: a ClusterRightsizing's events, where `kubectl describe` finds them; create only, nothing else.
    assert can_i(kubectl, kubeconfig, "create", "events", "default")
    assert not any(allowed("default").values())
    for verb in ("get", "list", "watch", "update", "patch", "delete"):
        assert not can_i(kubectl, kubeconfig, verb, "events", "default"), verb
    # The operator's own namespace: what deploy/ watches by default, and ClusterPolicyRepository credentials.
    assert all(allowed(OPERATOR_NAMESPACE).values())
    # The cluster-scoped reads of the -cluster role (admin objects, Namespaces, ClusterRightsizing and its
    # discovery lists), and nothing of Secrets anywhere but by name where bound.
    for verb, resource in [
        ("get", "clustercloudtrailsources.policygen.io"),
        ("get", "clusterpolicyrepositories.policygen.io"),
        ("list", "namespaces"),
        ("watch", "namespaces"),
        ("watch", "clusterrightsizings.policygen.io"),
        ("patch", "clusterrightsizings.policygen.io/status"),
    ]:
        assert can_i(kubectl, kubeconfig, verb, resource), (verb, resource)
    assert can_i(kubectl, kubeconfig, "list", "serviceaccounts", namespace)
    assert not can_i(kubectl, kubeconfig, "list", "secrets", OPERATOR_NAMESPACE)
    assert not can_i(kubectl, kubeconfig, "update", "clustercloudtrailsources.policygen.io")
    # Status is patched, never read through its subresource (the object's get/watch carries it).
    assert not can_i(kubectl, kubeconfig, "get", "clusterrightsizings.policygen.io/status")
    # Namespaces are watched for their labels (kopf.on.event, which stores nothing on them): never written.
    for verb in ("patch", "update", "create", "delete"):
        assert not can_i(kubectl, kubeconfig, verb, "namespaces"), verb

    watch_namespace(kubectl, kubeconfig, namespace, secrets=False)
    now = allowed(namespace)
    assert now.pop(("get", "secrets")) is False  # watched, but its Secrets are not readable yet
    assert all(now.values()), now
    for status in ("policygenerations.policygen.io/status", "rightsizings.policygen.io/status"):
        assert not can_i(kubectl, kubeconfig, "get", status, namespace), status
    watch_namespace(kubectl, kubeconfig, namespace)
    assert can_i(kubectl, kubeconfig, "get", "secrets", namespace)
    assert not any(allowed("kube-system").values())


def docs(text: str) -> list[dict[str, Any]]:
    return [d for d in YAML(typ="safe").load_all(text) if d]


def test_the_example_overlay_adds_a_team_namespace_in_both_places(kubectl: str) -> None:
    """examples/deploy-overlay/ (the documented GitOps way): the RoleBindings in team-a and the namespace in
    POLICYGEN_WATCH_NAMESPACES; still only the -cluster role is bound cluster-wide."""
    rendered = subprocess.run(
        [kubectl, "kustomize", str(ROOT / "examples" / "deploy-overlay")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    objects = docs(rendered)
    bound: dict[tuple[str, str], list[str]] = {}
    for d in objects:
        if d["kind"] in ("RoleBinding", "ClusterRoleBinding"):
            [subject] = d["subjects"]
            assert (subject["namespace"], subject["name"]) == (OPERATOR_NAMESPACE, OPERATOR_ACCOUNT)
            key = (d["kind"], d["roleRef"]["name"])
            bound.setdefault(key, []).append(d["metadata"].get("namespace", "*"))
    assert bound == {
        ("RoleBinding", "policygen-operator"): [OPERATOR_NAMESPACE, "team-a"],
        ("RoleBinding", "policygen-operator-secrets"): [OPERATOR_NAMESPACE, "team-a"],
        ("RoleBinding", "policygen-operator-cluster-events"): ["default"],
        ("ClusterRoleBinding", "policygen-operator-cluster"): ["*"],
    }
    deployment = next(d for d in objects if d["kind"] == "Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["POLICYGEN_WATCH_NAMESPACES"] == "policygen-system,team-a"
    assert "POLICYGEN_ALL_NAMESPACES" not in env
