"""What the operator's integration tests share: install deploy/, run `policygen operator`, wait on status.

The operator runs as a real subprocess (`policygen operator --namespace NS`) with the kubeconfig of the
ServiceAccount that deploy/ creates, so every test also proves that deploy/'s RBAC is enough.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.controlplane.client import ApiError, KubeClient
from tests.controlplane.cluster import free_port

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "examples" / "cloudtrail"
POLICYGEN = Path(sys.executable).with_name("policygen")
API = "/apis/policygen.io/v1alpha1"
OPERATOR_NAMESPACE = "policygen-system"
OPERATOR_ACCOUNT = "policygen-operator"
# A principal of the shipped sample logs (examples/make_cloudtrail_samples.py) and a window around them.
SAMPLE_PRINCIPAL = "arn:aws:iam::111122223333:role/service-role/order-processor"
SAMPLE_WINDOW = {"start": "2026-11-20T00:00:00Z", "end": "2026-11-28T00:00:00Z"}
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
# The ACK Role of SAMPLE_PRINCIPAL with PowerUserAccess attached, as a team's repository holds it: the file
# the operator's pull request runs edit (its comment is there to be kept).
SAMPLE_ROLE_YAML = """\
# order-processor, reconciled by ACK
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: order-processor
spec:
  name: order-processor
  path: /service-role/
  policies:
    - arn:aws:iam::aws:policy/PowerUserAccess
"""


def install_deploy(kubectl: str, kubeconfig: Path) -> None:
    """`kubectl apply -k deploy/` for real (no kubelet, so the Deployment never runs a pod)."""
    subprocess.run(
        [
            kubectl,
            "--kubeconfig",
            str(kubeconfig),
            "apply",
            "--server-side",
            "--force-conflicts",
            "-k",
            str(ROOT / "deploy"),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    subprocess.run(
        [
            kubectl,
            "--kubeconfig",
            str(kubeconfig),
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/policygenerations.policygen.io",
        ],
        check=True,
        capture_output=True,
        text=True,
    )


def watch_namespace(kubectl: str, kubeconfig: Path, namespace: str, secrets: bool = True) -> None:
    """What docs/operator.md tells an admin to do for a team namespace under deploy/'s RBAC (which binds
    nothing cluster-wide but the -cluster role): the RoleBinding of deploy/watch-namespace/ and, when the
    team's own repository needs credentials, of deploy/secrets-namespace/, applied into ``namespace``. (The
    other half, adding it to POLICYGEN_WATCH_NAMESPACES, is the `--namespace` the harness starts the
    operator with.)"""
    for folder in ("watch-namespace", "secrets-namespace") if secrets else ("watch-namespace",):
        rendered = subprocess.run(
            [kubectl, "kustomize", str(ROOT / "deploy" / folder)], check=True, capture_output=True, text=True
        ).stdout
        subprocess.run(
            [kubectl, "--kubeconfig", str(kubeconfig), "apply", "-n", namespace, "-f", "-"],
            input=rendered,
            check=True,
            capture_output=True,
            text=True,
        )


def can_i(
    kubectl: str,
    kubeconfig: Path,
    verb: str,
    resource: str,
    namespace: str | None = None,
    account: str = OPERATOR_ACCOUNT,
) -> bool:
    """`kubectl auth can-i --as` an account of policygen-system: the API server's authorizer answers (a
    SubjectAccessReview), so the answer is the cluster's, not a reading of the YAML."""
    scope = ["-n", namespace] if namespace else []
    as_account = ["--as", f"system:serviceaccount:{OPERATOR_NAMESPACE}:{account}"]
    # `KIND/status` is a subresource here; kubectl reads `KIND/NAME` as an object of KIND named NAME, so it
    # goes as --subresource (else every "patch .../status" answer was the main resource's).
    kind, _, subresource = resource.partition("/")
    what = [kind, "--subresource", subresource] if subresource else [resource]
    done = subprocess.run(
        [kubectl, "--kubeconfig", str(kubeconfig), "auth", "can-i", verb, *what, *scope, *as_account],
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() in ("yes", "no"), done.stdout + done.stderr
    return done.stdout.strip() == "yes"


@pytest.fixture(scope="session")
def operator_account_kubeconfig(
    kubectl: str, kubeconfig: Path, serviceaccount_kubeconfig: Callable[[str, str], Path]
) -> Path:
    """deploy/ installed once per session; the kubeconfig of its ServiceAccount (the operator's identity)."""
    install_deploy(kubectl, kubeconfig)
    return serviceaccount_kubeconfig(OPERATOR_NAMESPACE, OPERATOR_ACCOUNT)


@pytest.fixture
def operator_kubeconfig(
    kubectl: str, kubeconfig: Path, operator_account_kubeconfig: Path, namespace: str
) -> Path:
    """The operator's kubeconfig, with the test's namespace added the way an admin adds a team namespace
    (watch_namespace): deploy/ alone grants nothing in it. Other namespaces a test runs the operator in need
    their own watch_namespace call."""
    watch_namespace(kubectl, kubeconfig, namespace)
    return operator_account_kubeconfig


def pgen(namespace: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "PolicyGeneration",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def create(kube: KubeClient, namespace: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = kube.post(
        f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, name, spec)
    )
    return result


def get(kube: KubeClient, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        result: dict[str, Any] = kube.get(f"{API}/namespaces/{namespace}/policygenerations/{name}")
        return result
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def merge_patch(kube: KubeClient, path: str, body: dict[str, Any]) -> Any:
    return kube.request("PATCH", path, body, content_type="application/merge-patch+json")


def condition(obj: dict[str, Any] | None, type_: str) -> dict[str, Any]:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or ():
        if cond.get("type") == type_:
            return dict(cond)
    return {}


def wait_for(
    fetch: Callable[[], Any],
    predicate: Callable[[Any], bool],
    timeout: float,
    what: str,
    interval: float = 0.2,
) -> Any:
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = fetch()
        if predicate(value):
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {value!r}"[:4000])


def wait_ready(
    kube: KubeClient,
    namespace: str,
    name: str,
    timeout: float = 120,
    status: str = "True",
    generation: int | None = None,
) -> dict[str, Any]:
    def done(obj: dict[str, Any] | None) -> bool:
        if obj is None:
            return False
        wanted = generation or obj["metadata"]["generation"]
        return bool(
            condition(obj, "Ready").get("status") == status
            and obj.get("status", {}).get("observedGeneration") == wanted
        )

    result: dict[str, Any] = wait_for(
        lambda: get(kube, namespace, name), done, timeout, f"{namespace}/{name} Ready={status}"
    )
    return result


def events_for(kube: KubeClient, namespace: str, name: str) -> list[dict[str, Any]]:
    items = kube.get(f"/api/v1/namespaces/{namespace}/events")["items"]
    return [e for e in items if e.get("involvedObject", {}).get("name") == name]


def configmap(kube: KubeClient, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        result: dict[str, Any] = kube.get(f"/api/v1/namespaces/{namespace}/configmaps/{name}")
        return result
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def policygen_configmaps(kube: KubeClient, namespace: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = kube.get(
        f"/api/v1/namespaces/{namespace}/configmaps?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpolicygen"
    )["items"]
    return items


class Operator:
    """`policygen operator --namespace NS` as a subprocess, with its log in a file for post-mortems.

    ``command`` is what runs `policygen` (the venv's entry point; the image test runs it inside the image).
    """

    def __init__(
        self,
        namespace: str,
        kubeconfig: Path,
        log_dir: Path,
        env: dict[str, str] | None = None,
        command: Sequence[str] = (str(POLICYGEN),),
    ) -> None:
        self.command = list(command)
        self.namespace = namespace
        self.kubeconfig = kubeconfig
        self.log_path = log_dir / f"operator-{namespace}-{int(time.time() * 1000)}.log"
        self.liveness_port = free_port()
        self.metrics_port = free_port()
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def liveness_url(self) -> str:
        return f"http://127.0.0.1:{self.liveness_port}/healthz"

    def start(self, timeout: float = 30) -> Operator:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYGEN_", "AWS_"))}
        env.update(
            {
                "KUBECONFIG": str(self.kubeconfig),
                "POLICYGEN_PROGRESS_INTERVAL": "0.3",
                "POLICYGEN_LOG_FORMAT": "text",
                "POLICYGEN_LOG_LEVEL": "INFO",
                "POLICYGEN_MAX_CONCURRENT_SCANS": "2",
                "POLICYGEN_RETRY_BACKOFF": "2",
                # The operator tests below write inline sources and repositories (single-tenant); the tenancy
                # tests (test_tenancy_controlplane.py) start it with "false", as the chart does.
                "POLICYGEN_SINGLE_TENANT": "true",
                "POLICYGEN_OPERATOR_NAMESPACE": OPERATOR_NAMESPACE,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        env.update(self.extra_env)
        # The child writes the log (kept for post-mortems) through its own copy of the descriptor; ours closes
        # once it is handed over, so no open file is left for the garbage collector to warn about.
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    *self.command,
                    "operator",
                    "--namespace",
                    self.namespace,
                    "--liveness",
                    self.liveness_url,
                    "--metrics-port",
                    str(self.metrics_port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        wait_for(self.live, bool, timeout, f"the operator's liveness endpoint ({self.log_tail()})", 0.2)
        return self

    def live(self, timeout: float = 2.0) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"the operator exited: {self.log_tail()}")
        try:
            with urllib.request.urlopen(self.liveness_url, timeout=timeout) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
            text: str = response.read().decode()
            return text

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as when a node dies or the OOM killer strikes."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def running_operator(
    namespace: str, kubeconfig: Path, log_dir: Path, env: dict[str, str] | None = None
) -> Iterator[Operator]:
    operator = Operator(namespace, kubeconfig, log_dir, env).start()
    try:
        yield operator
    finally:
        operator.stop()


@pytest.fixture
def multi_tenant_operator(namespace: str, operator_kubeconfig: Path, tmp_path: Path) -> Iterator[Operator]:
    """The operator as the chart installs it (POLICYGEN_SINGLE_TENANT=false), under deploy/'s RBAC."""
    with running_operator(
        namespace, operator_kubeconfig, tmp_path, {"POLICYGEN_SINGLE_TENANT": "false"}
    ) as op:
        yield op


def upload_delivery_layout(s3: Any, bucket: str, root: Path, prefix: str = "") -> int:
    """Upload every file under ``root`` (which holds AWSLogs/...) to ``bucket`` with the same keys."""
    count = 0
    for path in sorted(root.rglob("*")):
        if path.is_file():
            key = (prefix.rstrip("/") + "/" if prefix else "") + path.relative_to(root).as_posix()
            s3.upload_file(str(path), bucket, key)
            count += 1
    return count


def make_large_logs(out: Path, events: int, copies: int = 8) -> str:
    """Delivery files from the benchmark generator (deterministic), hard-linked ``copies`` times.

    Generating records costs far more than scanning them, so a scan long enough to interrupt is made by
    generating once and linking the same files into several folders, all of which the scan reads.
    Returns the principal worth asking about.
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate as bench  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    base = out / "copy0"
    bench.generate(base, events, workers=1)
    for n in range(1, copies):
        shutil.copytree(base, out / f"copy{n}", copy_function=os.link)
    return str(bench.TARGET_ROLE)
