"""The Rightsizing and ClusterRightsizing CRDs on the real API server: what `kubectl apply` refuses."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.controlplane.client import ApiError, KubeClient
from tests.integration.operator_harness import API

pytestmark = pytest.mark.controlplane

TRAIL = {"s3": {"bucket": "org-trail"}}
PULL_REQUEST = {"repositoryRef": {"name": "infra"}, "path": "iam/{role}.json", "format": "json"}


def rightsizing(namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "Rightsizing",
        "metadata": {"name": "r", "namespace": namespace},
        "spec": spec,
    }


@pytest.fixture
def crds(kubectl: str, kubeconfig: Path, operator_kubeconfig: Path) -> None:
    for crd in ("rightsizings.policygen.io", "clusterrightsizings.policygen.io"):
        subprocess.run(
            [kubectl, "--kubeconfig", str(kubeconfig), "wait", "--for=condition=Established", f"crd/{crd}"],
            check=True,
            capture_output=True,
        )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "exactly one of sourceRef"),
        ({"cloudTrail": TRAIL, "sourceRef": {"name": "t"}}, "exactly one of sourceRef"),
        ({"sourceRef": {"name": "t"}, "aws": {"roleArn": "arn:aws:iam::111122223333:role/x"}}, "roleArn"),
        ({"cloudTrail": TRAIL, "output": {"mode": "pullRequest"}}, "needs output.pullRequest"),
        ({"cloudTrail": TRAIL, "output": {"mode": "everything"}}, "Unsupported value"),
        ({"cloudTrail": TRAIL, "guards": {"minEvents": -1}}, "minEvents"),
        ({"cloudTrail": TRAIL, "guards": {"keepActions": ["not an action"]}}, "keepActions"),
        ({"cloudTrail": TRAIL, "unknownField": 1}, "unknown field"),
        ({"cloudTrail": TRAIL, "output": {"pullRequest": {**PULL_REQUEST, "grouping": "team"}}}, "grouping"),
        # label keys and values as Kubernetes takes them (API Concepts, "Labels and Selectors": syntax and
        # character set): a key with a space would match no ServiceAccount, and a value with a comma would
        # join a second requirement to the selector the operator lists with
        ({"cloudTrail": TRAIL, "serviceAccountSelector": {"matchLabels": {"team name": "a"}}}, "label key"),
        ({"cloudTrail": TRAIL, "serviceAccountSelector": {"matchLabels": {"-team": "a"}}}, "label key"),
        ({"cloudTrail": TRAIL, "serviceAccountSelector": {"matchLabels": {"a/b/c": "a"}}}, "label key"),
        ({"cloudTrail": TRAIL, "serviceAccountSelector": {"matchLabels": {"x" * 64: "a"}}}, "label key"),
        (
            {"cloudTrail": TRAIL, "serviceAccountSelector": {"matchLabels": {"app": "a,team=b"}}},
            "serviceAccountSelector.matchLabels.app",
        ),
    ],
)
def test_bad_specs_are_refused_naming_the_field(
    kube_admin: KubeClient, namespace: str, crds: None, spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(ApiError) as refused:
        kube_admin.request(
            "POST",
            f"{API}/namespaces/{namespace}/rightsizings?fieldValidation=Strict",
            rightsizing(namespace, spec),
        )
    assert refused.value.status == 422 or refused.value.status == 400
    assert message in str(refused.value), str(refused.value)


def test_defaults_and_a_cluster_rightsizing_needs_a_child_namespace(
    kube_admin: KubeClient, namespace: str, crds: None
) -> None:
    made = kube_admin.post(
        f"{API}/namespaces/{namespace}/rightsizings", rightsizing(namespace, {"cloudTrail": TRAIL})
    )
    assert made["spec"]["discovery"] == {"irsa": True, "ackRoles": True}
    assert made["spec"]["output"] == {"mode": "report"}
    grouped = rightsizing(namespace, {"cloudTrail": TRAIL, "output": {"pullRequest": PULL_REQUEST}})
    grouped["metadata"]["name"] = "grouped"
    made = kube_admin.post(f"{API}/namespaces/{namespace}/rightsizings", grouped)
    assert made["spec"]["output"]["pullRequest"]["grouping"] == "role"  # one pull request per role
    cluster = {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "ClusterRightsizing",
        "metadata": {"name": f"c-{namespace}"},
    }
    with pytest.raises(ApiError) as refused:
        kube_admin.post(f"{API}/clusterrightsizings", {**cluster, "spec": {"cloudTrail": TRAIL}})
    assert "childNamespace" in str(refused.value)


def test_label_selectors_take_every_valid_label_and_refuse_bad_keys_of_namespaces(
    kube_admin: KubeClient, namespace: str, crds: None
) -> None:
    labels = {"app.kubernetes.io/name": "orders", "team": "", "a" * 63: "b" * 63, f"{'p' * 200}.io/x": "v"}
    made = kube_admin.post(
        f"{API}/namespaces/{namespace}/rightsizings",
        rightsizing(namespace, {"cloudTrail": TRAIL, "serviceAccountSelector": {"matchLabels": labels}}),
    )
    assert made["spec"]["serviceAccountSelector"]["matchLabels"] == labels
    cluster = {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "ClusterRightsizing",
        "metadata": {"name": f"labels-{namespace}"},
        "spec": {
            "cloudTrail": TRAIL,
            "childNamespace": namespace,
            "namespaceSelector": {"matchLabels": labels},
        },
    }
    kube_admin.post(f"{API}/clusterrightsizings", cluster)
    kube_admin.delete(f"{API}/clusterrightsizings/labels-{namespace}")
    cluster["spec"]["namespaceSelector"] = {"matchLabels": {"team/": "a"}}  # type: ignore[index]
    with pytest.raises(ApiError) as refused:
        kube_admin.post(f"{API}/clusterrightsizings", cluster)
    assert "namespaceSelector.matchLabels" in str(refused.value) and "label key" in str(refused.value)
