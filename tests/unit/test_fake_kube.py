"""The shared fake Kubernetes client (tests/fixtures/kube.py) offers what the services call, as the real
clients declare it: a port method added or changed in the services or the adapters fails here first."""

from __future__ import annotations

import inspect

import pytest

from policygen_operator.adapters.kubernetes.client import KubeClient
from policygen_operator.adapters.kubernetes.rightsizing import RightsizingKube
from policygen_operator.services.publish import ConfigMapPort
from policygen_operator.services.reconcile import KubePort
from policygen_operator.services.rightsizing import RightsizingKubePort
from policygen_operator.services.tenancy import TenancyPort
from tests.fixtures.kube import FakeKube


def _port_methods(*ports: type) -> set[str]:
    return {
        name
        for port in ports
        for klass in port.__mro__
        for name, member in vars(klass).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


@pytest.mark.parametrize(
    ("port", "real"),
    [(KubePort, KubeClient), (RightsizingKubePort, RightsizingKube), (TenancyPort, KubeClient)],
    ids=["pgen", "rs", "tenancy"],
)
def test_fake_has_every_port_method_with_the_real_clients_signature(port: type, real: type) -> None:
    methods = _port_methods(port, ConfigMapPort)
    assert {"put_configmap"} <= methods
    for name in sorted(methods):
        fake = getattr(FakeKube, name)
        assert inspect.iscoroutinefunction(fake), name
        assert inspect.signature(fake) == inspect.signature(getattr(real, name)), name
