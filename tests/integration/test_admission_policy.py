"""deploy/admissionpolicy.yaml on the real API server (issue 10): the operator's ServiceAccount may write only
ConfigMaps labelled app.kubernetes.io/managed-by=policygen and no Secret; RBAC alone lets it update any
ConfigMap (kube-system/aws-auth included). Other users are not affected."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.controlplane.client import ApiError, KubeClient
from tests.integration.operator_harness import (
    OPERATOR_ACCOUNT,
    OPERATOR_NAMESPACE,
    install_deploy,
    watch_namespace,
)

pytestmark = pytest.mark.controlplane

LABEL = {"app.kubernetes.io/managed-by": "policygen"}


def configmap(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}}


def refused(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ApiError) as err:
        call()
    assert err.value.status in (403, 422) and message in str(err.value), err.value


@pytest.fixture
def operator_client(
    kubectl: str, kubeconfig: Path, control_plane: Any, kube_admin: KubeClient, namespace: str
) -> KubeClient:
    install_deploy(kubectl, kubeconfig)
    # RBAC comes before admission: the operator may write ConfigMaps only where the admin added it.
    watch_namespace(kubectl, kubeconfig, namespace)
    client: KubeClient = control_plane.serviceaccount_client(OPERATOR_NAMESPACE, OPERATOR_ACCOUNT)
    # The policy takes effect once the API server has compiled it: probe with a write it must refuse.
    probe = f"/api/v1/namespaces/{namespace}/configmaps"
    deadline = time.monotonic() + 30
    while True:
        try:
            client.post(probe, configmap(f"probe-{int(time.monotonic() * 1000)}"))
        except ApiError as error:
            if "managed-by=policygen" in str(error):
                return client
        if time.monotonic() > deadline:
            pytest.fail("the ValidatingAdmissionPolicy never took effect")
        time.sleep(0.3)


def test_the_operator_writes_only_its_own_configmaps(
    operator_client: KubeClient, kube_admin: KubeClient, namespace: str
) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    operator_client.post(base, configmap("ours", LABEL))  # what services/publish.py writes
    ours = operator_client.get(f"{base}/ours")
    ours["data"] = {"k": "v2"}
    operator_client.request("PUT", f"{base}/ours", ours)

    kube_admin.post(base, configmap("aws-auth"))  # somebody else's, as kube-system/aws-auth is
    theirs = operator_client.get(f"{base}/aws-auth")
    theirs["data"] = {"mapRoles": "- rolearn: arn:aws:iam::111122223333:role/attacker"}
    refused(
        lambda: operator_client.request("PUT", f"{base}/aws-auth", theirs), "writes only ConfigMaps labelled"
    )
    theirs["metadata"]["labels"] = LABEL  # claiming it by adding the label does not help either
    refused(lambda: operator_client.request("PUT", f"{base}/aws-auth", theirs), "already labelled")
    refused(lambda: operator_client.post(base, configmap("unlabelled")), "managed-by=policygen")
    assert kube_admin.get(f"{base}/aws-auth")["data"] == {"k": "v"}

    # Others are not matched: the admin still writes unlabelled ConfigMaps.
    kube_admin.post(base, configmap("admin-owned"))


def test_the_operator_writes_no_secret(operator_client: KubeClient, namespace: str) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "labels": LABEL},
        "stringData": {"a": "b"},
    }
    refused(lambda: operator_client.post(f"/api/v1/namespaces/{namespace}/secrets", secret), "")
