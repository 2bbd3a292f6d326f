"""The control plane built from Go modules behaves as a real one: kubectl works against it, RBAC is enforced,
CRD schemas and CEL rules are checked by the API server, the controller manager collects garbage."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.controlplane.client import ApiError, KubeClient

pytestmark = pytest.mark.controlplane


def run_kubectl(
    kubectl: str, kubeconfig: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [kubectl, f"--kubeconfig={kubeconfig}", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def apply(
    kubectl: str, kubeconfig: Path, *documents: dict[str, Any], flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    manifest = {"apiVersion": "v1", "kind": "List", "items": list(documents)}
    return run_kubectl(kubectl, kubeconfig, "apply", *flags, "-f", "-", stdin=json.dumps(manifest))


def eventually(check: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s")


def widget_crd(group: str) -> dict[str, Any]:
    """A namespaced CRD whose schema has bounds, an enum and a CEL rule across two fields."""
    spec_schema = {
        "type": "object",
        "required": ["mode"],
        "properties": {
            "mode": {"type": "string", "enum": ["observe", "enforce"]},
            "minReplicas": {"type": "integer", "minimum": 1},
            "maxReplicas": {"type": "integer", "maximum": 10},
        },
        "x-kubernetes-validations": [
            {
                "rule": "!has(self.minReplicas) || !has(self.maxReplicas)"
                " || self.minReplicas <= self.maxReplicas",
                "message": "minReplicas must not exceed maxReplicas",
            },
        ],
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": spec_schema}}},
                }
            ],
        },
    }


def widget(group: str, namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{group}/v1",
        "kind": "Widget",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


@pytest.fixture
def widget_group(kubectl: str, kubeconfig: Path) -> Iterator[str]:
    """A Widget CRD in a group of its own (CRDs are cluster-wide), Established, deleted after the test."""
    group = f"t{uuid.uuid4().hex[:8]}.policygen.test"
    result = apply(kubectl, kubeconfig, widget_crd(group))
    assert result.returncode == 0, result.stderr
    waited = run_kubectl(
        kubectl, kubeconfig, "wait", "--for=condition=Established", "--timeout=60s", f"crd/widgets.{group}"
    )
    assert waited.returncode == 0, waited.stderr
    yield group
    run_kubectl(kubectl, kubeconfig, "delete", f"crd/widgets.{group}", "--wait=false")


def test_readyz_says_ok(kubectl: str, kubeconfig: Path) -> None:
    result = run_kubectl(kubectl, kubeconfig, "get", "--raw", "/readyz")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_server_reports_the_pinned_version(kubectl: str, kubeconfig: Path) -> None:
    result = run_kubectl(kubectl, kubeconfig, "version", "-o", "json")
    assert result.returncode == 0, result.stderr
    server = json.loads(result.stdout)["serverVersion"]
    assert (server["major"], server["minor"]) == ("1", "33"), server


def test_kubectl_applies_a_crd_and_an_object_of_it(
    kubectl: str, kubeconfig: Path, namespace: str, widget_group: str
) -> None:
    result = apply(
        kubectl, kubeconfig, widget(widget_group, namespace, "first", mode="observe", minReplicas=2)
    )
    assert result.returncode == 0, result.stderr
    got = run_kubectl(
        kubectl, kubeconfig, "get", f"widgets.{widget_group}", "first", "-n", namespace, "-o", "json"
    )
    assert got.returncode == 0, got.stderr
    stored = json.loads(got.stdout)
    assert stored["spec"] == {"mode": "observe", "minReplicas": 2}
    assert stored["metadata"]["uid"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"mode": "observe", "minReplicas": 5, "maxReplicas": 3}, "minReplicas must not exceed maxReplicas"),
        ({"mode": "destroy"}, 'spec.mode: Unsupported value: "destroy"'),
        ({"mode": "observe", "minReplicas": 0}, "spec.minReplicas: Invalid value: 0"),
        ({"minReplicas": 1}, "spec.mode: Required value"),
        ({"mode": "observe", "maxReplicas": "many"}, 'spec.maxReplicas: Invalid value: "string"'),
    ],
    ids=["cel-rule", "enum", "minimum", "required", "type"],
)
def test_api_server_refuses_objects_that_break_the_schema(
    kubectl: str, kubeconfig: Path, namespace: str, widget_group: str, spec: dict[str, Any], message: str
) -> None:
    """kubectl's own checks are off (--validate=false): the refusal and its message come from the server."""
    result = apply(
        kubectl, kubeconfig, widget(widget_group, namespace, "bad", **spec), flags=("--validate=false",)
    )
    assert result.returncode != 0
    assert "is invalid" in result.stderr, result.stderr
    assert message in result.stderr, result.stderr
    missing = run_kubectl(kubectl, kubeconfig, "get", f"widgets.{widget_group}", "bad", "-n", namespace)
    assert "NotFound" in missing.stderr


def test_api_server_answers_422_with_the_cel_message(
    kube_admin: KubeClient, namespace: str, widget_group: str
) -> None:
    bad = widget(widget_group, namespace, "bad", mode="enforce", minReplicas=4, maxReplicas=2)
    with pytest.raises(ApiError) as refused:
        kube_admin.post(f"/apis/{widget_group}/v1/namespaces/{namespace}/widgets", bad)
    assert refused.value.status == 422
    assert isinstance(refused.value.body, dict)
    assert refused.value.body["reason"] == "Invalid"
    causes = refused.value.body["details"]["causes"]
    assert {
        "reason": "FieldValueInvalid",
        "message": 'Invalid value: "object": minReplicas must not exceed maxReplicas',
        "field": "spec",
    } in causes, causes


def test_api_server_refuses_a_non_structural_crd(kubectl: str, kubeconfig: Path) -> None:
    crd = widget_crd(f"t{uuid.uuid4().hex[:8]}.policygen.test")
    del crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["mode"][
        "type"
    ]
    result = apply(kubectl, kubeconfig, crd)
    assert result.returncode != 0
    assert "must not be empty for specified object fields" in result.stderr, result.stderr


def test_rbac_grants_a_serviceaccount_exactly_its_role(
    kubectl: str,
    kube_admin: KubeClient,
    namespace: str,
    serviceaccount_kubeconfig: Callable[[str, str], Path],
) -> None:
    kube_admin.post(
        f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "configmap-writer"},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "create"]}],
        },
    )
    kube_admin.post(
        f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "writer"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "configmap-writer"},
            "subjects": [{"kind": "ServiceAccount", "name": "writer", "namespace": namespace}],
        },
    )
    config = serviceaccount_kubeconfig(namespace, "writer")

    whoami = run_kubectl(kubectl, config, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
    assert whoami.stdout == f"system:serviceaccount:{namespace}:writer", whoami.stderr

    for allowed in (
        ["create", "configmap", "made-by-sa", "--from-literal=a=b"],
        ["get", "configmap", "made-by-sa"],
        ["get", "configmaps"],
    ):
        result = run_kubectl(kubectl, config, "-n", namespace, *allowed)
        assert result.returncode == 0, (allowed, result.stderr)

    for refused in (
        ["delete", "configmap", "made-by-sa"],
        ["get", "secrets"],
        ["create", "secret", "generic", "s"],
        ["get", "configmaps", "-n", "default"],
        ["get", "namespaces"],
    ):
        result = run_kubectl(kubectl, config, "-n", namespace, *refused)
        assert result.returncode != 0, refused
        assert "Forbidden" in result.stderr or "forbidden" in result.stderr, (refused, result.stderr)
    kube_admin.get(f"/api/v1/namespaces/{namespace}/configmaps/made-by-sa")  # the delete really was refused


def test_garbage_collector_deletes_dependents_of_a_deleted_owner(
    kube_admin: KubeClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    owner = kube_admin.post(path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}})
    kube_admin.post(
        path,
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "dependent",
                "ownerReferences": [
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "name": "owner",
                        "uid": owner["metadata"]["uid"],
                    }
                ],
            },
        },
    )
    kube_admin.delete(f"{path}/owner")

    def dependent_gone() -> bool:
        try:
            kube_admin.get(f"{path}/dependent")
        except ApiError as error:
            return error.status == 404
        return False

    started = time.monotonic()
    eventually(dependent_gone, timeout=90, what="garbage collection of the dependent ConfigMap")
    print(f"collected {time.monotonic() - started:.1f} s after the owner's deletion")


def test_namespace_controller_finishes_a_namespace_deletion(kube_admin: KubeClient) -> None:
    name = f"t-{uuid.uuid4().hex[:10]}"
    kube_admin.post(
        "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    )
    kube_admin.post(
        f"/api/v1/namespaces/{name}/configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "content"}},
    )
    kube_admin.delete(f"/api/v1/namespaces/{name}")

    def namespace_gone() -> bool:
        try:
            kube_admin.get(f"/api/v1/namespaces/{name}")
        except ApiError as error:
            return error.status == 404
        return False

    eventually(namespace_gone, timeout=90, what=f"deletion of namespace {name}")


def test_garbage_collector_deletes_a_configmap_owned_by_a_custom_resource(
    kube_admin: KubeClient, namespace: str, widget_group: str
) -> None:
    """The operator's case: a ConfigMap owned by a custom resource goes with it, even right after the CRD was
    made (the collector learns the new kind at its next discovery sync, every 30 s)."""
    owner = kube_admin.post(
        f"/apis/{widget_group}/v1/namespaces/{namespace}/widgets",
        widget(widget_group, namespace, "owner", mode="observe"),
    )
    reference = {
        "apiVersion": f"{widget_group}/v1",
        "kind": "Widget",
        "name": "owner",
        "uid": owner["metadata"]["uid"],
    }
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    kube_admin.post(
        path,
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "out", "ownerReferences": [reference]},
        },
    )
    kube_admin.delete(f"/apis/{widget_group}/v1/namespaces/{namespace}/widgets/owner")

    def dependent_gone() -> bool:
        try:
            kube_admin.get(f"{path}/out")
        except ApiError as error:
            return error.status == 404
        return False

    started = time.monotonic()
    eventually(
        dependent_gone, timeout=120, what="garbage collection of a ConfigMap owned by a custom resource"
    )
    print(f"collected {time.monotonic() - started:.1f} s after the owner's deletion")
