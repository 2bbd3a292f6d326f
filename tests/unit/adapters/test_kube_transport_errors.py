"""A brief API-server outage is temporary (issue 10): aiohttp's connection errors from the Kubernetes client
become a temporary KubernetesError naming the call, instead of an unclassified exception (InternalError)."""

from __future__ import annotations

import socket

import pytest
from kubernetes_asyncio import client

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import KubeClient, KubernetesError


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_unreachable_api_server_is_a_temporary_error() -> None:
    configuration = client.Configuration(host=f"http://127.0.0.1:{closed_port()}")
    kube = KubeClient(client.ApiClient(configuration))
    try:
        with pytest.raises(KubernetesError) as err:
            await kube.patch_status("ns", "pay", {"lastRun": {}})
        assert err.value.permanence is Permanence.TEMPORARY
        assert "patch_status(ns, pay): the API server could not be reached" in str(err.value)
        with pytest.raises(KubernetesError):
            await kube.namespace_labels("ns")
    finally:
        await kube.close()
