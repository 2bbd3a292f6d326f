"""`make cluster-up` / `make cluster-down` (the `tests.controlplane.cluster` module they call): both safe to
run twice, and down leaves no process, listening port or state behind. Uses a state folder of its own, so it
neither touches a developer's `.cluster/` nor the session's control plane."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.controlplane.cluster import REPO_ROOT, ControlPlane, listening_ports
from tests.controlplane.fixtures import find_kubectl

pytestmark = pytest.mark.controlplane


def cluster(command: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.controlplane.cluster", command, "--state-dir", str(state_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_cluster_up_twice_then_down_twice_leaves_nothing_behind(tmp_path: Path) -> None:
    state_dir = tmp_path / "cluster"
    missing = ControlPlane(state_dir).missing_binaries()
    if missing:
        pytest.skip(f"control plane binaries not built ({', '.join(missing)}); run `make controlplane`")
    try:
        first = cluster("up", state_dir)
        assert first.returncode == 0, first.stderr
        assert "control plane ready in" in first.stderr
        state = json.loads((state_dir / "state.json").read_text())
        pids: dict[str, int] = state["pids"]
        ports: list[int] = state["ports"]
        assert set(pids) == {"etcd", "kube-apiserver", "kube-controller-manager"}
        assert all(alive(pid) for pid in pids.values())
        assert set(ports) <= listening_ports()

        second = cluster("up", state_dir)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr
        assert json.loads((state_dir / "state.json").read_text())["pids"] == pids

        kubectl = find_kubectl()
        if kubectl:
            ready = subprocess.run(
                [kubectl, f"--kubeconfig={state_dir / 'kubeconfig'}", "get", "--raw", "/readyz"],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert ready.stdout.strip() == "ok", ready.stderr
        assert cluster("env", state_dir).stdout.strip() == f"export KUBECONFIG={state_dir / 'kubeconfig'}"
    finally:
        down = cluster("down", state_dir)
    assert down.returncode == 0, down.stderr
    assert not any(alive(pid) for pid in pids.values()), pids
    assert not set(ports) & listening_ports()
    assert not state_dir.exists()
    again = cluster("down", state_dir)
    assert again.returncode == 0, again.stderr
    assert cluster("status", state_dir).returncode == 1


def test_down_never_signals_a_process_it_did_not_start(tmp_path: Path) -> None:
    """A stale state file whose pid now belongs to someone else (here: this test's own process) is ignored."""
    state_dir = tmp_path / "stale"
    state_dir.mkdir()
    (state_dir / "state.json").write_text(json.dumps({"pids": {"kube-apiserver": os.getpid()}}))
    down = cluster("down", state_dir)
    assert down.returncode == 0, down.stderr
    assert not state_dir.exists()
