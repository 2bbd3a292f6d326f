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
