"""The shared fake Kubernetes client (tests/fixtures/kube.py) offers what the services call, as the real
client declares it: a port method added or changed in the services or the adapter fails here first."""

from __future__ import annotations

import inspect

from policygen_operator.adapters.kubernetes.client import KubeClient
from policygen_operator.services.publish import ConfigMapPort
from policygen_operator.services.reconcile import KubePort
from tests.fixtures.kube import FakeKube


def _port_methods() -> set[str]:
    return {
        name
        for port in (KubePort, ConfigMapPort)
        for name, member in vars(port).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def test_fake_has_every_port_method_with_the_real_clients_signature() -> None:
    methods = _port_methods()
    assert {"patch_status", "put_configmap", "read_secret"} <= methods
    for name in sorted(methods):
        real, fake = getattr(KubeClient, name), getattr(FakeKube, name)
        assert inspect.iscoroutinefunction(fake), name
        assert inspect.signature(fake) == inspect.signature(real), name
