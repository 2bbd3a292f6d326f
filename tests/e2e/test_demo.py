"""`make demo` as a user runs it: examples/demo.sh from start to a Ready PolicyGeneration, then cleaned up.

It starts its own control plane (in .demo/, not the test session's), moto's S3 server and the operator, so it
is the slowest test here (about 20 s); it needs the binaries `make controlplane` builds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.controlplane.cluster import DEFAULT_BIN_DIR
from tests.integration.operator_harness import ROOT, free_port

pytestmark = pytest.mark.controlplane


def test_demo_reaches_ready_prints_the_policy_and_cleans_up() -> None:
    if not (DEFAULT_BIN_DIR / "kube-apiserver").exists():
        pytest.skip("control plane binaries not built; run `make controlplane`")
    state = ROOT / ".demo"
    if state.exists():
        pytest.skip(".demo/ exists: a demo is running on this checkout (make demo-down stops it)")
    env = {k: v for k, v in os.environ.items() if k != "KEEP"}
    env["DEMO_S3_PORT"] = str(free_port())
    done = subprocess.run(
        ["bash", str(ROOT / "examples" / "demo.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert "Ready=True (Ready)" in out
    assert '"Version": "2012-10-17"' in out  # the policy, from status and from the ConfigMap
    assert out.count('"dynamodb:GetItem"') == 2
    row = next(line for line in out.splitlines() if line.startswith("order-processor "))
    assert "arn:aws:iam::111122223333:role/service-role/order-processor" in row and " True " in row
    assert "cleaning up" in out
    assert not state.exists(), "the demo left .demo/ behind"


# What examples/demo.sh runs besides bash builtins, Python and the binaries `make controlplane` builds.
DEMO_TOOLS = ("cat", "dirname", "mkdir", "rm", "sed", "seq", "sleep", "tail")


def test_kept_demo_runs_and_is_looked_at_with_only_what_the_readme_needs(tmp_path: Path) -> None:
    """The README promises Python and Go, nothing else. The demo polled the operator's liveness with curl
    (without it, 150 silent failed polls), and `KEEP=1 make demo` ended with only `export KUBECONFIG=...`:
    on a machine whose only kubectl is the one `make controlplane` built, a user's `kubectl get pgen` was
    'command not found', and with one on the PATH it listed the `default` namespace, not the demo's. Found
    running the demo and then docs/operator.md's commands as a new user. Here the demo runs with a PATH of
    core utilities only (no curl, no kubectl), and the lines it prints are run as they are."""
    if not (DEFAULT_BIN_DIR / "kube-apiserver").exists():
        pytest.skip("control plane binaries not built; run `make controlplane`")
    state = ROOT / ".demo"
    if state.exists():
        pytest.skip(".demo/ exists: a demo is running on this checkout (make demo-down stops it)")
    bash = shutil.which("bash")
    assert bash
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in DEMO_TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (tools / tool).symlink_to(found)
    env = {k: v for k, v in os.environ.items() if k not in ("KEEP", "KUBECONFIG")}
    env.update(PATH=str(tools), KEEP="1", DEMO_S3_PORT=str(free_port()))
    try:
        done = subprocess.run(
            [bash, str(ROOT / "examples" / "demo.sh")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        out = done.stdout + done.stderr
        assert done.returncode == 0, out[-4000:]
        assert "Ready=True (Ready)" in out
        told = out.split("still running (KEEP=1)", 1)[1].splitlines()[1:]
        lines = [line for line in told if line.startswith(("export ", "kubectl "))]
        assert any(line.startswith("kubectl ") for line in lines), told
        looked = subprocess.run(
            [bash, "-c", "set -e\n" + "\n".join(lines)],
            env={"PATH": str(tools), "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert looked.returncode == 0, looked.stderr
        assert "policygeneration.policygen.io/order-processor" in looked.stdout, looked.stdout
        assert "configmap/order-processor-policy" in looked.stdout and "fleet" in looked.stdout
    finally:
        subprocess.run([bash, str(ROOT / "examples" / "demo.sh"), "down"], cwd=ROOT, env=env, timeout=120)
    assert not state.exists(), "demo.sh down left .demo/ behind"
