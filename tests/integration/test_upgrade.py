"""Upgrading an installed operator to this tree's chart and deploy/, on a control plane of its own.

Helm installs a chart's crds/ on `helm install` only: "There is no support at this time for upgrading or
deleting CRDs using Helm" (Helm docs, Chart Best Practices, "Custom Resource Definitions", "Some caveats (and
explanations)"). A user who only runs `helm upgrade` keeps the old CRDs, and the API server then refuses the
new enum values and drops the new fields (a structural schema prunes unknown fields): a PolicyGeneration
asking for ``dryRun: true`` would be stored without it and the operator would push. docs/operator.md
"Upgrading" documents the CRD step; these tests run it against a release without `format: cloudformation` and
``pullRequest.dryRun`` (``old_release``), and check that without the step the new field is lost.

Each test gets a control plane of its own (about 3 s to start): CRDs are cluster-wide, and installing old ones
on the session's shared API server would change them under every other test.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.controlplane.cluster import ControlPlane
from tests.controlplane.fixtures import started
from tests.integration.operator_harness import OPERATOR_ACCOUNT, ROOT, Operator, running_operator

pytestmark = pytest.mark.controlplane

CHART_CRDS = ROOT / "charts" / "policygen-operator" / "crds"
NAMESPACE = "policygen-system"


@pytest.fixture
def plane(tmp_path: Path) -> Iterator[ControlPlane]:
    """An empty control plane for this test alone (etcd and kube-apiserver; no controller is needed to create
    and read custom resources)."""
    with started(
        ControlPlane(state_dir=tmp_path / "plane", controller_manager=False, die_with_parent=True)
    ) as plane:
        yield plane


@pytest.fixture
def cluster(plane: ControlPlane) -> Path:
    """The admin kubeconfig of ``plane``."""
    return plane.kubeconfig


@pytest.fixture
def old_release(tmp_path: Path) -> Path:
    """charts/, crds/ and deploy/ as a release before this one's CRD additions: this tree's, with the fields
    and enum value it added taken out of every CRD (``THIS_RELEASE``). Made here rather than read from git
    (the release before them is 72c20ba): a clone for CI may be shallow."""
    target = tmp_path / "old"
    for folder in ("charts", "crds", "deploy"):
        shutil.copytree(ROOT / folder, target / folder)
    for path in sorted(target.rglob("policygen.io_*.yaml")):
        crd = yaml.safe_load(path.read_text())
        _without_this_release(crd)
        path.write_text(yaml.safe_dump(crd, sort_keys=False))
    return target


# What this release added to the CRDs: spec.output.pullRequest.dryRun, status.pullRequest.baseSha and .diff,
# and format: cloudformation (two releases back; taken out too, as the refusal test below reads it).
THIS_RELEASE = ("dryRun", "baseSha", "diff")


def _without_this_release(node: Any) -> None:
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for field in THIS_RELEASE:
                properties.pop(field, None)
        if isinstance(node.get("enum"), list) and "cloudformation" in node["enum"]:
            node["enum"].remove("cloudformation")
        for value in node.values():
            _without_this_release(value)
    elif isinstance(node, list):
        for value in node:
            _without_this_release(value)


class Kubectl:
    def __init__(self, kubectl: str, kubeconfig: Path) -> None:
        self.base = [kubectl, "--kubeconfig", str(kubeconfig)]

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.base, *args], input=stdin, capture_output=True, text=True)

    def ok(self, *args: str, stdin: str | None = None) -> str:
        done = self(*args, stdin=stdin)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def get(self, what: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        where = ["-n", namespace] if namespace else []
        return dict(json.loads(self.ok("get", what, name, *where, "-o", "json")))


def policy_generation(name: str, format: str = "terraform", **pull_request: Any) -> str:
    """A PolicyGeneration that opens a pull request through an admin's PolicyRepository."""
    return json.dumps(
        {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "PolicyGeneration",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {
                "principalArn": "arn:aws:iam::111122223333:role/orders",
                "sourceRef": {"name": "trail"},
                "output": {
                    "pullRequest": {
                        "repositoryRef": {"name": "infra"},
                        "path": "iam/orders.tf",
                        "format": format,
                        **pull_request,
                    }
                },
            },
        }
    )


def pull_request(k: Kubectl, name: str) -> dict[str, Any]:
    return dict(k.get("policygeneration", name, NAMESPACE)["spec"]["output"]["pullRequest"])


def crd_knows_dry_run(k: Kubectl) -> bool:
    crd = k.get("crd", "policygenerations.policygen.io")
    [version] = crd["spec"]["versions"]
    pr = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["output"]["properties"]
    return "dryRun" in pr["pullRequest"]["properties"]


def assert_the_old_crds_lose_the_new_fields(k: Kubectl) -> None:
    """What a user with the old CRDs sees: kubectl (field validation Strict by default) refuses dryRun; a
    client that does not ask for Strict (kubectl --validate=warn or false; a request that names no
    fieldValidation gets the API server's default, Warn) has it dropped: the object is stored as a pull
    request to push. The new enum value is refused either way."""
    strict = k("apply", "-f", "-", stdin=policy_generation("preview", dryRun=True))
    assert strict.returncode != 0
    assert 'unknown field "spec.output.pullRequest.dryRun"' in strict.stderr
    lenient = k("apply", "--validate=warn", "-f", "-", stdin=policy_generation("preview", dryRun=True))
    assert lenient.returncode == 0, lenient.stderr
    assert 'unknown field "spec.output.pullRequest.dryRun"' in lenient.stderr  # only a warning
    assert "dryRun" not in pull_request(k, "preview")
    k.ok("delete", "policygeneration", "preview", "-n", NAMESPACE)
    refused = k("apply", "-f", "-", stdin=policy_generation("cfn", format="cloudformation"))
    assert refused.returncode != 0
    assert 'spec.output.pullRequest.format: Unsupported value: "cloudformation"' in refused.stderr


def assert_the_new_fields_are_kept_and_the_old_object_is_intact(k: Kubectl, before: dict[str, Any]) -> None:
    k.ok("apply", "-f", "-", stdin=policy_generation("preview", format="cloudformation", dryRun=True))
    assert pull_request(k, "preview")["dryRun"] is True
    assert pull_request(k, "preview")["format"] == "cloudformation"
    after = k.get("policygeneration", "orders", NAMESPACE)
    assert after["spec"] == before["spec"]
    assert after["metadata"]["uid"] == before["metadata"]["uid"]
    # The old object still validates against the new schema (an update re-validates it).
    k.ok("label", "policygeneration", "orders", "-n", NAMESPACE, "upgraded=yes")
    k.ok("apply", "--server-side", "--dry-run=server", "-f", "-", stdin=policy_generation("orders"))


def test_helm_upgrade_alone_keeps_the_old_crds_and_the_crd_step_fixes_it(
    cluster: Path, old_release: Path, helm: str, kubectl: str
) -> None:
    """docs/operator.md "Upgrading", with Helm: the old chart installed, a PolicyGeneration made; `helm
    upgrade` to this chart succeeds and leaves every CRD as it was (the control); the documented `kubectl
    apply --server-side --force-conflicts -f charts/policygen-operator/crds/` (without --force-conflicts it
    fails: helm owns .spec.versions) brings them up to date, and a later `helm upgrade` does not undo it."""
    k = Kubectl(kubectl, cluster)
    k.ok("create", "namespace", NAMESPACE)
    chart = ["--kubeconfig", str(cluster), "-n", NAMESPACE]
    old_chart = str(old_release / "charts" / "policygen-operator")
    new_chart = str(ROOT / "charts" / "policygen-operator")
    installed = subprocess.run([helm, "install", "pg", old_chart, *chart], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    k.ok("apply", "-f", "-", stdin=policy_generation("orders"))
    before = k.get("policygeneration", "orders", NAMESPACE)
    old_crd = k.get("crd", "policygenerations.policygen.io")

    upgraded = subprocess.run([helm, "upgrade", "pg", new_chart, *chart], capture_output=True, text=True)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "customresourcedefinition" not in (upgraded.stdout + upgraded.stderr).lower()  # not a word of it
    assert (
        k.get("crd", "policygenerations.policygen.io")["metadata"]["resourceVersion"]
        == (old_crd["metadata"]["resourceVersion"])
    ), "helm upgrade changed the CRD"
    assert not crd_knows_dry_run(k)
    assert_the_old_crds_lose_the_new_fields(k)

    conflict = k("apply", "--server-side", "-f", f"{CHART_CRDS}/")
    assert conflict.returncode != 0
    assert 'conflict with "helm"' in conflict.stderr and ".spec.versions" in conflict.stderr
    applied = k.ok("apply", "--server-side", "--force-conflicts", "-f", f"{CHART_CRDS}/")
    for path in sorted(CHART_CRDS.glob("*.yaml")):
        name = path.name.removeprefix("policygen.io_").removesuffix(".yaml")
        assert f"apiextensions.k8s.io/{name}.policygen.io serverside-applied" in applied
    k.ok("wait", "--for=condition=Established", "crd/policygenerations.policygen.io")
    assert crd_knows_dry_run(k)
    assert_the_new_fields_are_kept_and_the_old_object_is_intact(k, before)

    again = subprocess.run([helm, "upgrade", "pg", new_chart, *chart], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert crd_knows_dry_run(k)
    assert pull_request(k, "preview")["dryRun"] is True


def test_kubectl_apply_k_deploy_upgrades_the_crds(cluster: Path, old_release: Path, kubectl: str) -> None:
    """docs/operator.md "Upgrading", with deploy/: its kustomization includes ../crds, so the same
    `kubectl apply -k deploy/` that installed the old release upgrades the CRDs with everything else."""
    k = Kubectl(kubectl, cluster)
    k.ok("apply", "-k", str(old_release / "deploy"))
    k.ok("wait", "--for=condition=Established", "crd/policygenerations.policygen.io")
    k.ok("apply", "-f", "-", stdin=policy_generation("orders"))
    before = k.get("policygeneration", "orders", NAMESPACE)
    assert not crd_knows_dry_run(k)
    assert_the_old_crds_lose_the_new_fields(k)

    out = k.ok("apply", "-k", str(ROOT / "deploy"))
    assert "customresourcedefinition.apiextensions.k8s.io/policygenerations.policygen.io configured" in out
    assert crd_knows_dry_run(k)
    assert_the_new_fields_are_kept_and_the_old_object_is_intact(k, before)


def test_the_operator_refuses_to_start_on_crds_that_would_drop_dry_run(
    plane: ControlPlane, old_release: Path, kubectl: str, tmp_path: Path
) -> None:
    """The operator's start-up guard (services/installed_crds.py), as deploy/'s ServiceAccount (no RBAC was
    added for it: the schemas come from /openapi/v3): with the old CRDs it exits, naming the fields the API
    server would drop and the command that fixes it; after `kubectl apply -k deploy/` it starts."""
    k = Kubectl(kubectl, plane.kubeconfig)
    k.ok("apply", "-k", str(old_release / "deploy"))
    k.ok("wait", "--for=condition=Established", "crd/policygenerations.policygen.io")
    account = plane.serviceaccount_kubeconfig(NAMESPACE, OPERATOR_ACCOUNT)

    refused = Operator(NAMESPACE, account, tmp_path, {"POLICYGEN_SINGLE_TENANT": "false"})
    with contextlib.suppress(AssertionError):  # start() waits for a liveness endpoint that may never answer
        refused.start(timeout=20)
    assert refused.process is not None
    try:
        code: int | None = refused.process.wait(30)
    except subprocess.TimeoutExpired:
        code = None  # still running: it did not refuse
    finally:
        refused.kill()
    log = refused.log_text()
    assert code not in (None, 0), log
    assert "the installed CRDs are older than this operator" in log, log
    for field in (
        "PolicyGeneration spec.output.pullRequest.dryRun",
        "PolicyGeneration status.pullRequest.diff",
        "Rightsizing spec.output.pullRequest.dryRun",
        "ClusterRightsizing status.roles[].pullRequest.baseSha",
    ):
        assert field in log, log
    assert "kubectl apply --server-side --force-conflicts -f charts/policygen-operator/crds/" in log

    k.ok("apply", "-k", str(ROOT / "deploy"))
    with running_operator(NAMESPACE, account, tmp_path, {"POLICYGEN_SINGLE_TENANT": "false"}) as operator:
        assert operator.live()
        assert "the installed CRDs are older" not in operator.log_text()
