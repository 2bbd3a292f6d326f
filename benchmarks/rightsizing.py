"""Cluster rightsizing at fleet size: 500 ServiceAccounts and 200 roles discovered, scanned ONCE, analysed.

    .venv/bin/python benchmarks/rightsizing.py                  # 200,000 events, in-memory Kubernetes
    .venv/bin/python benchmarks/rightsizing.py --events 1000000 --controlplane
    .venv/bin/python benchmarks/rightsizing.py --events 1000000 --pod-identity

The logs are the benchmark generator's (``benchmarks/generate.py``: 300 principals, 200 of them roles), made
once under ``benchmarks/out/``. 500 ServiceAccounts in 25 namespaces carry the 200 role ARNs (100 roles shared
by two or more ServiceAccounts). The real ``RightsizingService`` runs one reconcile: discovery, one child per
role, ONE scan by the real engine for all 200 roles, IAM policies expanded against the reference (an in-memory
IAM: every role has the same broad managed policy), granted versus used per role, child statuses and
ConfigMaps. Kubernetes is in memory by default; ``--controlplane`` makes the discovery step list the 500
ServiceAccounts from a real kube-apiserver (``make controlplane`` first) and prints that step separately.
With ``--pod-identity`` the 500 ServiceAccounts reach their roles through EKS Pod Identity associations
instead (the IAM port lists them), so usage is split per ServiceAccount: every role session of the logs
is an EKS Pod Identity one, a new one every hour as a pod's refreshed credentials are (``eks-bench-N-HOUR``,
a copy of the logs under ``benchmarks/out/``), and a file of its own holds EKS's ``AssumeRole`` of each
with the pod's session tags (``tests/fixtures/podidentity.py``), so each session's calls go to the first
ServiceAccount of its role.
Printed: seconds per step, the scan's events per second, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from isal import igzip  # noqa: E402
from tests.fixtures import podidentity  # noqa: E402
from tests.fixtures.kube import FakeKube  # noqa: E402
from tests.fixtures.rightsizing import FakeAws  # noqa: E402

import generate  # noqa: E402
from policygen_operator.domain.rightsizing import IRSA, POD_IDENTITY, Binding  # noqa: E402
from policygen_operator.services.generation import run_generation  # noqa: E402
from policygen_operator.services.rightsizing import Parent, RightsizingService  # noqa: E402
from policygen_operator.settings import OperatorSettings  # noqa: E402

ACCOUNTS, NAMESPACES = 500, 25


def roles() -> list[str]:
    found = []
    for identity in generate.PRINCIPAL_LIST:
        issuer = (identity.get("sessionContext") or {}).get("sessionIssuer")  # type: ignore[union-attr]
        if issuer:
            found.append(str(issuer["arn"]))
    return found[:200]  # the generator has 201 roles


def bindings(arns: list[str], via: str = IRSA) -> dict[str, list[Binding]]:
    """500 ServiceAccounts over 25 namespaces: every role at least once, the first 100 roles more often."""
    out: dict[str, list[Binding]] = {f"team-{n:02d}": [] for n in range(NAMESPACES)}
    for number in range(ACCOUNTS):
        arn = arns[number] if number < len(arns) else arns[number % 100]
        namespace = f"team-{number % NAMESPACES:02d}"
        out[namespace].append(Binding(arn, via, namespace, f"sa-{number:03d}"))
    return out


class PodIdentityAws(FakeAws):
    """The IAM port whose EKS cluster "bench" has a Pod Identity association per ServiceAccount."""

    def __init__(self, found: list[Binding]) -> None:
        self.found = found

    def pod_identity(self, aws: Any, cluster: str, namespaces: set[str]) -> list[Binding]:
        return [binding for binding in self.found if binding.namespace in namespaces]


def logs(events: int) -> Path:
    out = ROOT / "benchmarks" / "out" / f"rightsizing-{events}"
    if not (out / "AWSLogs").exists():
        print(f"generating {events} events into {out} ...", flush=True)
        generate.generate(out, events)
    return out


def pod_identity_logs(events: int, accounts: dict[str, list[Binding]]) -> Path:
    """``logs(events)`` with every role session an EKS Pod Identity one, a new one each hour (a pod's
    credentials refreshed), and EKS's AssumeRole of each, naming the first ServiceAccount of its role."""
    out = ROOT / "benchmarks" / "out" / f"rightsizing-{events}-pod-identity-hourly-compact"
    if (out / "AWSLogs").exists():
        return out
    source = logs(events)
    print(f"writing the Pod Identity copy of {source} into {out} ...", flush=True)
    partial = out.with_name(out.name + ".partial")  # renamed when whole: an interrupted copy is made again
    shutil.rmtree(partial, ignore_errors=True)
    hours: set[str] = set()
    for path in sorted(source.rglob("*.json.gz")):
        target = partial / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        hour = HOUR_OF_FILE.search(path.name).group(1)  # type: ignore[union-attr]
        hours.add(hour)
        text = SESSION_TEXT.sub(rb"/eks-bench-\1-" + hour.encode(), igzip.decompress(path.read_bytes()))
        target.write_bytes(igzip.compress(text, 1))
    every = [binding for found in accounts.values() for binding in found]
    first = {binding.role_arn: binding for binding in reversed(every)}  # the first binding of each role
    starts: dict[str, list[dict[str, Any]]] = {hour: [] for hour in hours}  # a delivery file an hour
    for identity in generate.PRINCIPAL_LIST:
        arn = str(identity["arn"])
        issuer = (identity.get("sessionContext") or {}).get("sessionIssuer")  # type: ignore[union-attr]
        if not issuer or issuer["arn"] not in first:
            continue
        binding = first[issuer["arn"]]
        for hour in sorted(hours):
            session = SESSION.sub(rf"/eks-bench-\1-{hour}", arn)
            time = f"{hour[:4]}-{hour[4:6]}-{hour[6:8]}T{hour[9:11]}:00:00Z"
            made = podidentity.assume_role(
                issuer["arn"], binding.namespace, binding.name, binding.name, hour, time
            )
            made["requestParameters"]["roleSessionName"] = session.rsplit("/", 1)[-1]
            made["responseElements"]["assumedRoleUser"]["arn"] = session
            starts[hour].append(made)
    for hour, made in starts.items():
        folder = partial / "AWSLogs" / generate.ACCOUNT / "CloudTrail" / "us-east-1" / hour[:4] / hour[4:6]
        name = f"{generate.ACCOUNT}_CloudTrail_us-east-1_{hour}00Z_PODIDENTITY00000.json.gz"
        # compact, as CloudTrail writes every delivery file (the scan reads a spaced one as a whole document)
        text = json.dumps({"Records": made}, separators=(",", ":"))
        (folder / hour[6:8] / name).write_bytes(igzip.compress(text.encode(), 1))
    partial.rename(out)
    return out


# a delivery file's hour (``..._20260901T0005Z_...``), and a generated role session's name in its ARN
HOUR_OF_FILE = re.compile(r"_(\d{8}T\d{2})\d{2}Z_")
SESSION = re.compile(r"/session-(\d+)")
SESSION_TEXT = re.compile(rb"/session-(\d+)")


def parent(path: Path, pod_identity: bool = False) -> Parent:
    spec: dict[str, Any] = {
        "childNamespace": "fleet",
        "cloudTrail": {"local": {"path": str(path)}},
        "window": {"start": "2026-08-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
    }
    if pod_identity:
        spec["discovery"] = {"irsa": False, "podIdentity": {"clusterName": "bench", "region": "us-east-1"}}
    owner = {"apiVersion": "policygen.io/v1alpha1", "kind": "ClusterRightsizing", "name": "bench", "uid": "u"}
    return Parent("ClusterRightsizing", None, "bench", "uid-bench", 1, spec, {}, owner)


def controlplane_discovery(accounts: dict[str, list[Binding]]) -> None:
    """Create the 500 ServiceAccounts on a real API server, then time the adapter's listing of them."""
    import tempfile

    from tests.controlplane.cluster import ControlPlane

    from policygen_operator.adapters.kubernetes.rightsizing import RightsizingKube

    with tempfile.TemporaryDirectory() as state:
        plane = ControlPlane(state_dir=Path(state), die_with_parent=True)
        if plane.missing_binaries():
            sys.exit(f"control plane binaries missing: {plane.missing_binaries()} (make controlplane)")
        plane.up()
        try:
            admin = plane.admin_client()
            for namespace, found in accounts.items():
                admin.post(
                    "/api/v1/namespaces",
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
                )
                for b in found:
                    meta = {"name": b.name, "annotations": {"eks.amazonaws.com/role-arn": b.role_arn}}
                    admin.post(f"/api/v1/namespaces/{namespace}/serviceaccounts", {"metadata": meta})

            async def discover() -> tuple[int, float]:
                from kubernetes_asyncio import client, config

                configuration = client.Configuration()
                await config.load_kube_config(str(plane.kubeconfig), client_configuration=configuration)
                kube = RightsizingKube(client.ApiClient(configuration))
                began = time.perf_counter()
                names = await kube.namespaces(None, list(accounts))
                total = 0
                for namespace in names:
                    total += len(await kube.irsa_bindings(namespace, None))
                seconds = time.perf_counter() - began
                await kube.close()
                return total, seconds

            total, seconds = asyncio.run(discover())
            where = f"{total} ServiceAccounts in {len(accounts)} namespaces"
            print(f"discovery on kube-apiserver: {where}, {seconds:.3f} s")
        finally:
            plane.down(quiet=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--controlplane", action="store_true")
    parser.add_argument("--pod-identity", action="store_true", help="roles reached by EKS Pod Identity")
    args = parser.parse_args()
    if args.controlplane and args.pod_identity:
        parser.error("--controlplane lists IRSA ServiceAccounts: it cannot be combined with --pod-identity")
    arns = roles()
    accounts = bindings(arns, POD_IDENTITY if args.pod_identity else IRSA)
    aws = FakeAws()
    if args.pod_identity:
        path = pod_identity_logs(args.events, accounts)
        aws = PodIdentityAws([binding for found in accounts.values() for binding in found])
        accounts = {namespace: [] for namespace in accounts}  # no IRSA annotation on them
    else:
        path = logs(args.events)
    if args.controlplane:
        controlplane_discovery(accounts)
    kube = FakeKube(accounts)
    # the parent the scan's progress checks find (another uid reads as a deleted and re-created parent,
    # which cancels the scan at its first progress report, a second in)
    kube.parent_uid = parent(path, args.pod_identity).uid
    scans: list[float] = []

    def timed_engine(request: Any, progress: Any, cancel: Any) -> Any:
        began = time.perf_counter()
        result = run_generation(request, progress, cancel)
        scans.append(time.perf_counter() - began)
        return result

    service = RightsizingService(
        OperatorSettings(progress_interval=1.0), kube, aws, ThreadPoolExecutor(2), timed_engine
    )
    began = time.perf_counter()
    outcome = asyncio.run(service.reconcile(parent(path, args.pod_identity)))
    total = time.perf_counter() - began
    if outcome.failure:
        sys.exit(f"reconcile failed: {outcome.message}")
    if outcome.cancelled:
        sys.exit("reconcile cancelled: the scan found its parent deleted or changed")
    status = outcome.status
    scan = status["lastScan"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found = f"{status['serviceAccounts']} ServiceAccounts, {status['namespaces']} namespaces"
    print(f"discovered: {found}, {status['rolesFound']} roles")
    print(f"scans: {len(scans)}; events scanned: {scan['eventsScanned']}, matched: {scan['eventsMatched']}")
    print(f"scan: {scans[0]:.2f} s ({scan['eventsScanned'] / scans[0]:,.0f} events/s)")
    print(
        f"reconcile total (discovery, 200 children, scan, 200 analyses, statuses, ConfigMaps): {total:.2f} s"
    )
    print(f"everything but the scan: {total - scans[0]:.2f} s")
    print(f"roles with unused access: {status['rolesWithUnused']}, unused actions: {status['unusedActions']}")
    if args.pod_identity:  # each role's session attributed to a ServiceAccount by its AssumeRole's tags
        split = [
            usage
            for child in kube.objects.values()
            for usage in (child.get("status") or {}).get("rightsizing", {}).get("serviceAccountUsage", [])
            if usage.get("usedActions")
        ]
        sessions = sum(usage.get("sessions", 0) for usage in split)
        print(f"ServiceAccounts with usage of their own (Pod Identity sessions split): {len(split)}")
        print(f"sessions attributed to them: {sessions:,}")
    print(f"peak RSS of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
