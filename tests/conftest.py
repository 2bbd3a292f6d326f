"""Fixtures shared by every test folder, loaded as plugins (not re-exported imports): the control plane's
(tests/controlplane/fixtures.py), moto's (tests/fixtures/aws.py), the local EKS Pod Identity endpoint
(tests/fixtures/eks.py), local listeners (tests/fixtures/listeners.py) and the operator's kubeconfig
(tests/integration/operator_harness.py). Test doubles that are classes, not fixtures (tests/fixtures/kube.py's
FakeKube), are imported where used."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.controlplane.fixtures",
    "tests.fixtures.aws",
    "tests.fixtures.eks",
    "tests.fixtures.listeners",
    "tests.integration.operator_harness",
]

_CONTROL_PLANE_FIXTURES = {
    "control_plane",
    "kubeconfig",
    "kube_admin",
    "namespace",
    "serviceaccount_kubeconfig",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the control plane is marked `controlplane` even if its author forgot, so
    `-m "not controlplane"` reliably leaves the cluster out."""
    for item in items:
        if _CONTROL_PLANE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.controlplane)
