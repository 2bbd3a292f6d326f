"""Pytest fixtures around the real control plane; `tests/conftest.py` loads them as a plugin.

One control plane per test session (start-up costs seconds, a namespace costs milliseconds), in a temporary
folder of its own so it never touches the `.cluster/` of `make cluster-up`. Each test gets a fresh namespace.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest

from tests.controlplane.client import ApiError, KubeClient
from tests.controlplane.cluster import DEFAULT_BIN_DIR, ControlPlane


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """etcd + kube-apiserver (RBAC) + kube-controller-manager for the whole session; skipped only when the
    binaries were not built (`make test` builds them first, so CI never skips)."""
    _interrupt_on_sigterm()
    with started(
        ControlPlane(state_dir=tmp_path_factory.mktemp("controlplane"), die_with_parent=True)
    ) as plane:
        yield plane


@contextlib.contextmanager
def started(plane: ControlPlane) -> Iterator[ControlPlane]:
    """``plane`` running for a `with` block and stopped after it, whatever happens; the test is skipped
    when the binaries were not built. Also for a test that needs a control plane of its own
    (`tests/integration/test_upgrade.py`: CRDs are cluster-wide)."""
    missing = plane.missing_binaries()
    if missing:
        pytest.skip(
            f"control plane binaries not built ({', '.join(missing)} missing in {plane.bin_dir}); "
            "run `make controlplane`"
        )
    plane.register_cleanup()
    plane.up()
    try:
        yield plane
    finally:
        plane.down(quiet=True)


def _interrupt_on_sigterm() -> None:
    """Turn SIGTERM (a CI timeout, `kill`) into KeyboardInterrupt, on which pytest still runs the finalizers
    that stop the control plane and remove its folder. SIGKILL is covered by the parent-death signal."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


@pytest.fixture(scope="session")
def kubeconfig(control_plane: ControlPlane) -> Path:
    """The admin kubeconfig (group system:masters) of the session's control plane."""
    return control_plane.kubeconfig


@pytest.fixture(scope="session")
def kube_admin(control_plane: ControlPlane) -> KubeClient:
    """A small REST client with admin rights, for arranging and checking API objects."""
    return control_plane.admin_client()


@pytest.fixture
def namespace(kube_admin: KubeClient) -> Iterator[str]:
    """A fresh namespace for one test, deleted afterwards (the namespace controller empties it)."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    kube_admin.post(
        "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    )
    yield name
    try:
        kube_admin.delete(f"/api/v1/namespaces/{name}")
    except ApiError as error:
        if error.status != 404:
            raise


@pytest.fixture(scope="session")
def serviceaccount_kubeconfig(control_plane: ControlPlane) -> Callable[[str, str], Path]:
    """`serviceaccount_kubeconfig(namespace, name) -> path`: a kubeconfig that acts as that ServiceAccount
    (token from the TokenRequest API), so the operator can run with exactly the RBAC `deploy/` grants it."""
    return control_plane.serviceaccount_kubeconfig


def find_kubectl() -> str | None:
    """The kubectl built with the control plane (same version), else one on PATH."""
    built = DEFAULT_BIN_DIR / "kubectl"
    if os.access(built, os.X_OK):
        return str(built)
    return shutil.which("kubectl")


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = find_kubectl()
    if path is None:
        pytest.skip(f"no kubectl: neither {DEFAULT_BIN_DIR / 'kubectl'} (make controlplane) nor one on PATH")
    return path


@pytest.fixture(scope="session")
def helm() -> str:
    """The helm built with the control plane (`make controlplane`), for rendering and installing the chart."""
    path = DEFAULT_BIN_DIR / "helm"
    if not os.access(path, os.X_OK):
        pytest.skip(f"helm not built ({path} missing); run `make controlplane`")
    return str(path)
