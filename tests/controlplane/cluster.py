"""Start and stop a local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager; no kubelet.

This is the envtest approach with binaries the project builds itself (`tests/controlplane/build.sh`).
Everything the processes need is generated under one state folder (`.cluster/` for `make cluster-up`, a
temporary folder for the pytest session), so `down` only has to stop the processes
recorded there and delete the folder.

    python -m tests.controlplane.cluster up|down|env|status [--state-dir DIR] [--bin-dir DIR]
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.controlplane import pki as pki_mod
from tests.controlplane.client import ApiError, KubeClient

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN_DIR = Path(os.environ.get("POLICYGEN_BIN_DIR", REPO_ROOT / ".cache" / "bin"))
DEFAULT_STATE_DIR = REPO_ROOT / ".cluster"
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
# Without a kubelet, only controllers that act on API objects are useful: ownerReference garbage collection,
# namespace deletion, the default ServiceAccount of each namespace, the kube-root-ca.crt ConfigMap.
CONTROLLERS = ",".join(
    [
        "garbage-collector-controller",
        "namespace-controller",
        "serviceaccount-controller",
        "serviceaccount-token-controller",
        "root-ca-certificate-publisher-controller",
    ]
)
STOP_ORDER = ("kube-controller-manager", "kube-apiserver", "etcd")
PR_SET_PDEATHSIG = 1


class ControlPlaneError(RuntimeError):
    """The control plane could not be started; the message carries the tail of the failing process's log."""


def free_port() -> int:
    """A loopback port that was free a moment ago (the kernel picks it: parallel sessions rarely collide)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening_ports() -> set[int]:
    """Ports with a listening TCP socket on this machine, read from /proc (no ss or netstat needed)."""
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as handle:
            next(handle)
            for line in handle:
                fields = line.split()
                if fields[3] == "0A":  # TCP_LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM from the kernel when its parent dies, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _kubeconfig_text(server: str, ca: bytes, user: dict[str, str], name: str) -> str:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "policygen",
                "cluster": {"server": server, "certificate-authority-data": base64.b64encode(ca).decode()},
            }
        ],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": "policygen", "user": name}}],
        "current-context": name,
    }
    return json.dumps(config, indent=2) + "\n"  # JSON is YAML: kubectl, client-go and Python clients read it


@dataclass
class ControlPlane:
    """One control plane whose whole state lives in `state_dir`."""

    state_dir: Path = DEFAULT_STATE_DIR
    bin_dir: Path = DEFAULT_BIN_DIR
    controller_manager: bool = True
    die_with_parent: bool = False
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))
    _children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.state_dir = Path(self.state_dir).resolve()
        self.bin_dir = Path(self.bin_dir).resolve()

    # -- paths and state -------------------------------------------------------------------------------------
    @property
    def kubeconfig(self) -> Path:
        return self.state_dir / "kubeconfig"

    @property
    def pki(self) -> pki_mod.Pki:
        return pki_mod.Pki(self.state_dir / "pki")

    @property
    def _state_file(self) -> Path:
        return self.state_dir / "state.json"

    def state(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self._state_file.read_text()))
        except (OSError, ValueError):
            return {}

    def _save(self, state: dict[str, Any]) -> None:
        tmp = self._state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self._state_file)

    @property
    def server(self) -> str:
        return str(self.state()["server"])

    def missing_binaries(self) -> list[str]:
        names = ["etcd", "kube-apiserver"] + (["kube-controller-manager"] if self.controller_manager else [])
        return [name for name in names if not os.access(self.bin_dir / name, os.X_OK)]

    def admin_client(self) -> KubeClient:
        p = self.pki
        return KubeClient(self.server, p.ca_cert, p.admin_cert, p.admin_key)

    # -- processes -------------------------------------------------------------------------------------------
    def _ours(self, pid: int) -> bool:
        """True when `pid` is alive and is one of ours (its command line names our state folder),
        so a recycled pid of somebody else's process is never signalled."""
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            status = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        if status.rsplit(")", 1)[1].split()[0] == "Z":
            return False
        return f"{self.state_dir}/".encode() in cmdline

    def _alive(self, name: str, pid: int) -> bool:
        """Our own children are asked directly: right after exec their /proc cmdline can still be empty."""
        child = self._children.get(name)
        if child is not None and child.pid == pid:
            return child.poll() is None
        return self._ours(pid)

    def _spawn(self, name: str, args: list[str]) -> int:
        logs = self.state_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / f"{name}.log", "ab") as out:
            child = subprocess.Popen(
                [str(self.bin_dir / name), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.state_dir,
                start_new_session=True,
                preexec_fn=_die_with_parent if self.die_with_parent else None,
            )
        self._children[name] = child
        state = self.state()
        state.setdefault("pids", {})[name] = child.pid
        self._save(state)
        return child.pid

    def _log_tail(self, name: str, lines: int = 25) -> str:
        try:
            text = (self.state_dir / "logs" / f"{name}.log").read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _wait(self, name: str, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pid = self.state()["pids"][name]
        while time.monotonic() < deadline:
            if not self._alive(name, pid):
                raise ControlPlaneError(
                    f"{name} exited during start-up; its log ends with:\n{self._log_tail(name)}"
                )
            with contextlib.suppress(Exception):
                if ready():
                    return
            time.sleep(0.2)
        raise ControlPlaneError(
            f"{name} not ready after {timeout:.0f} s; its log ends with:\n{self._log_tail(name)}"
        )

    # -- the public operations -------------------------------------------------------------------------------
    def is_running(self) -> bool:
        state = self.state()
        pids: dict[str, int] = state.get("pids", {})
        expected = {"etcd", "kube-apiserver"} | (
            {"kube-controller-manager"} if self.controller_manager else set()
        )
        if not expected <= pids.keys() or not all(self._alive(n, pid) for n, pid in pids.items()):
            return False
        try:
            return bool(self.admin_client().get("/readyz") == "ok")
        except (OSError, ApiError, KeyError):
            return False

    def up(self, timeout: float = 180.0) -> float:
        """Start everything unless it already runs; returns the seconds it took (0 when it was running)."""
        if self.is_running():
            self.log(f"control plane already running: {self.server} (kubeconfig {self.kubeconfig})")
            return 0.0
        missing = self.missing_binaries()
        if missing:
            raise ControlPlaneError(
                f"missing {', '.join(missing)} in {self.bin_dir}: run `make controlplane`"
            )
        self.down(quiet=True)  # leftovers of a half-started or crashed control plane
        started = time.monotonic()
        for attempt in range(1, 4):
            try:
                self._start(timeout)
                break
            except ControlPlaneError as error:
                self.down(quiet=True, keep_logs=True)
                # A port picked as free can be taken by someone else before our process binds it: pick again.
                if "address already in use" not in str(error) or attempt == 3:
                    raise
                self.log(f"a port was taken meanwhile; starting again ({error})")
            except BaseException:
                self.down(quiet=True, keep_logs=True)
                raise
        elapsed = time.monotonic() - started
        self.log(f"control plane ready in {elapsed:.1f} s: {self.server} (kubeconfig {self.kubeconfig})")
        return elapsed

    def _start(self, timeout: float) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        p = pki_mod.generate(self.state_dir / "pki")
        etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
        etcd_url = f"http://127.0.0.1:{etcd_port}"
        server = f"https://127.0.0.1:{api_port}"
        self._save(
            {"server": server, "etcd": etcd_url, "ports": [etcd_port, peer_port, api_port], "pids": {}}
        )
        peer_url = f"http://127.0.0.1:{peer_port}"
        self._spawn(
            "etcd",
            [
                "--name=policygen",
                f"--data-dir={self.state_dir / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=policygen={peer_url}",
                "--initial-cluster-state=new",
                "--unsafe-no-fsync",
                "--log-level=warn",
            ],
        )
        self._wait("etcd", lambda: _http_json(f"{etcd_url}/health").get("health") == "true", timeout)

        self._spawn(
            "kube-apiserver",
            [
                f"--etcd-servers={etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={api_port}",
                f"--tls-cert-file={p.serving_cert}",
                f"--tls-private-key-file={p.serving_key}",
                f"--client-ca-file={p.ca_cert}",
                f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
                f"--service-account-key-file={p.sa_pub}",
                f"--service-account-signing-key-file={p.sa_key}",
                "--authorization-mode=RBAC",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--allow-privileged=true",
                # Pods never run here; without this plugin a Pod is not refused while its namespace's default
                # ServiceAccount is still being created (envtest disables it for the same reason).
                "--disable-admission-plugins=ServiceAccount",
                "--endpoint-reconciler-type=none",
                "--profiling=false",
                f"--cert-dir={self.state_dir / 'pki'}",
            ],
        )
        self._write_kubeconfig(
            self.kubeconfig,
            {
                "client-certificate-data": base64.b64encode(p.admin_cert.read_bytes()).decode(),
                "client-key-data": base64.b64encode(p.admin_key.read_bytes()).decode(),
            },
            "policygen-admin",
        )
        self._wait("kube-apiserver", lambda: self.admin_client().get("/readyz") == "ok", timeout)

        if self.controller_manager:
            self._spawn(
                "kube-controller-manager",
                [
                    f"--kubeconfig={self.kubeconfig}",
                    f"--controllers={CONTROLLERS}",
                    "--leader-elect=false",
                    "--secure-port=0",
                    f"--service-account-private-key-file={p.sa_key}",
                    f"--root-ca-file={p.ca_cert}",
                    "--use-service-account-credentials=false",
                ],
            )
            # Ready when the ServiceAccount controller has done its first piece of work.
            self._wait(
                "kube-controller-manager",
                lambda: bool(self.admin_client().get("/api/v1/namespaces/default/serviceaccounts/default")),
                timeout,
            )

    def _write_kubeconfig(self, path: Path, user: dict[str, str], name: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_kubeconfig_text(self.server, self.pki.ca_cert.read_bytes(), user, name))
        path.chmod(0o600)
        return path

    def down(self, quiet: bool = False, keep_logs: bool = False) -> None:
        """Stop the recorded processes (SIGTERM, then SIGKILL after 15 s) and delete the state folder."""
        pids: dict[str, int] = self.state().get("pids", {})
        for name in sorted(pids, key=lambda n: STOP_ORDER.index(n) if n in STOP_ORDER else -1):
            self._stop(name, pids[name])
        self._children.clear()
        if self.state_dir.exists():
            if keep_logs:
                for entry in self.state_dir.iterdir():
                    if entry.name != "logs":
                        _remove(entry)
            else:
                shutil.rmtree(self.state_dir, ignore_errors=True)
            if not quiet:
                self.log(f"control plane stopped; removed {self.state_dir}")

    def _stop(self, name: str, pid: int) -> None:
        for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            if not self._alive(name, pid):
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, sig)  # started with a session of its own: pgid == pid
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and self._alive(name, pid):
                time.sleep(0.1)
        child = self._children.get(name)
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)

    # -- identities for tests --------------------------------------------------------------------------------
    def serviceaccount_kubeconfig(
        self, namespace: str, name: str, path: Path | None = None, expiration_seconds: int = 3600
    ) -> Path:
        """A kubeconfig that authenticates as ServiceAccount `namespace/name` with a token from the
        TokenRequest API, so a test acts with exactly the RBAC granted to that account. Creates the
        account if absent."""
        admin = self.admin_client()
        admin.create_if_absent(
            f"/api/v1/namespaces/{namespace}/serviceaccounts",
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}},
        )
        answer = admin.post(
            f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token",
            {
                "apiVersion": "authentication.k8s.io/v1",
                "kind": "TokenRequest",
                "spec": {"expirationSeconds": expiration_seconds},
            },
        )
        target = path or self.state_dir / "kubeconfigs" / f"{namespace}.{name}.kubeconfig"
        return self._write_kubeconfig(target, {"token": answer["status"]["token"]}, f"{namespace}:{name}")

    def serviceaccount_client(self, namespace: str, name: str) -> KubeClient:
        config = json.loads(self.serviceaccount_kubeconfig(namespace, name).read_text())
        return KubeClient(self.server, self.pki.ca_cert, token=config["users"][0]["user"]["token"])

    def register_cleanup(self) -> None:
        """Stop on interpreter exit too (an interrupted test session); die_with_parent covers SIGKILL."""
        atexit.register(self.down, quiet=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _http_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.loads(response.read()))


@contextlib.contextmanager
def running(state_dir: Path, **kwargs: Any) -> Iterator[ControlPlane]:
    """A control plane for the duration of a `with` block, killed with the caller if the caller dies."""
    plane = ControlPlane(state_dir=state_dir, die_with_parent=True, **kwargs)
    plane.register_cleanup()
    plane.up()
    try:
        yield plane
    finally:
        plane.down(quiet=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.controlplane.cluster",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["up", "down", "env", "status"])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--bin-dir", type=Path, default=DEFAULT_BIN_DIR)
    parser.add_argument(
        "--no-controller-manager",
        action="store_true",
        help="run only etcd and kube-apiserver (no garbage collection, no namespace deletion)",
    )
    args = parser.parse_args(argv)
    plane = ControlPlane(args.state_dir, args.bin_dir, controller_manager=not args.no_controller_manager)
    try:
        if args.command == "up":
            plane.up()
            print(f"export KUBECONFIG={plane.kubeconfig}")
        elif args.command == "down":
            plane.down()
        elif args.command == "env":
            print(f"export KUBECONFIG={plane.kubeconfig}")
        elif plane.is_running():
            print(f"running: {plane.server} (kubeconfig {plane.kubeconfig})")
        else:
            print("not running")
            return 1
    except ControlPlaneError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
