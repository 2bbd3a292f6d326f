"""`make demo` as a user runs it: examples/demo.sh from start to a Ready PolicyGeneration, then cleaned up.

It starts its own control plane (in .demo/, not the test session's), moto's S3 server and the operator, so it
is the slowest test here (about 20 s); it needs the binaries `make controlplane` builds.
"""

from __future__ import annotations

import os
import subprocess

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
