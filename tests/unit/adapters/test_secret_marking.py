"""Only Secrets marked for policygen are read as credentials (issue 10): a ServiceAccount token Secret that
happens to have a ``token`` key was handed to the forge before. Drives KubeClient.read_secret with a fake
CoreV1Api returning the generated client's V1Secret."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from kubernetes_asyncio import client

from policygen_operator.adapters.kubernetes.client import KubeClient

TOKEN = base64.b64encode(b"s3cr3t").decode()


class FakeCore:
    def __init__(self, secret: client.V1Secret) -> None:
        self.secret = secret

    async def read_namespaced_secret(self, name: str, namespace: str) -> client.V1Secret:
        return self.secret


def secret(type_: str | None, labels: dict[str, str] | None) -> client.V1Secret:
    return client.V1Secret(
        type=type_, metadata=client.V1ObjectMeta(name="s", labels=labels), data={"token": TOKEN}
    )


@pytest.mark.parametrize(
    ("type_", "labels", "read"),
    [
        ("kubernetes.io/service-account-token", None, False),
        ("Opaque", None, False),
        ("Opaque", {"policygen.io/credentials": "false"}, False),
        ("Opaque", {"policygen.io/credentials": "true"}, True),
        ("policygen.io/credentials", None, True),
    ],
)
async def test_only_marked_secrets_are_read(type_: str, labels: dict[str, str] | None, read: bool) -> None:
    kube: Any = KubeClient.__new__(KubeClient)
    kube._core = FakeCore(secret(type_, labels))
    data = await kube.read_secret("ns", "s")
    assert (data == {"token": "s3cr3t"}) if read else data is None
