"""Fixtures shared by every test folder: the control plane's (tests/controlplane/fixtures.py), moto's
(tests/fixtures/aws.py) and the operator's kubeconfig (tests/integration/operator_harness.py)."""

from __future__ import annotations

import pytest

from tests.controlplane.fixtures import (  # noqa: F401  (re-exported fixtures)
    control_plane,
    helm,
    kube_admin,
    kubeconfig,
    kubectl,
    namespace,
    serviceaccount_kubeconfig,
)
from tests.fixtures.aws import moto_server  # noqa: F401  (re-exported fixture)
from tests.integration.operator_harness import operator_kubeconfig  # noqa: F401  (re-exported fixture)

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
