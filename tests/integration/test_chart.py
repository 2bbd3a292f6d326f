"""The Helm chart and deploy/ against the real API server (server-side dry-run), and against each other.

helm is built from its Go module by `make controlplane` (tests/controlplane/build.sh) into .cache/bin.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.controlplane.client import KubeClient
from tests.controlplane.cluster import DEFAULT_BIN_DIR
from tests.integration.operator_harness import ROOT, can_i

pytestmark = pytest.mark.controlplane

CHART = ROOT / "charts" / "policygen-operator"
HELM = DEFAULT_BIN_DIR / "helm"


@pytest.fixture(scope="module")
def helm() -> str:
    if not HELM.exists():
        pytest.skip(f"helm not built ({HELM} missing); run `make controlplane`")
    return str(HELM)


def render(helm: str, *args: str) -> str:
    return render_release(helm, "pg", *args)


def docs(text: str) -> list[dict[str, Any]]:
    return [d for d in YAML(typ="safe").load_all(text) if d]


def dry_run(kubectl: str, kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [kubectl, "--kubeconfig", str(kubeconfig), "apply", "--dry-run=server", *args],
        input=stdin,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def system_namespace(kube_admin: KubeClient) -> str:
    kube_admin.create_if_absent(
        "/api/v1/namespaces",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "policygen-system"}},
    )
    return "policygen-system"


def test_helm_lint_and_the_values_schema(helm: str) -> None:
    lint = subprocess.run([helm, "lint", "--strict", str(CHART)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    bad = subprocess.run(
        [helm, "template", "pg", str(CHART), "--set", "maxConcurrentScans=0"], capture_output=True, text=True
    )
    assert bad.returncode != 0 and "maxConcurrentScans" in bad.stderr
    typo = subprocess.run(
        [helm, "template", "pg", str(CHART), "--set", "watchNamespace=x"], capture_output=True, text=True
    )
    assert typo.returncode != 0 and "watchNamespace" in typo.stderr


def refusal(helm: str, *args: str) -> str:
    """helm's message refusing the values (empty when it rendered them)."""
    done = subprocess.run([helm, "template", "pg", str(CHART), *args], capture_output=True, text=True)
    return "" if done.returncode == 0 else done.stderr


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (["--set", "image.tag=1.0 beta"], "/image/tag"),
        (["--set", "image.tag=v1:2"], "/image/tag"),
        (["--set", "image.repository=Ghcr.io/Policygen Image"], "/image/repository"),
        (["--set", "image.repository="], "/image/repository"),
        # A typo under resources used to leave the pod without limits, silently.
        (["--set", "resources.limit.memory=1Gi"], "/resources"),
        (["--set-json", 'resources={"limits": {"memory": true}}'], "/resources/limits/memory"),
        (["--set-json", 'imagePullSecrets=[{"nme": "regcred"}]'], "/imagePullSecrets/0"),
        (["--set-json", 'extraEnv=[{"name": "", "value": "x"}]'], "/extraEnv/0/name"),
        (["--set", "priorityClassName=High Priority"], "/priorityClassName"),
        # Fields Kubernetes fixes (core/v1 Toleration, VolumeMount, EnvVar): a typo was rendered and refused
        # only by the API server at install, or (tolerations) dropped by it without a word.
        (["--set-json", 'tolerations=[{"key": "k", "operater": "Exists"}]'], "/tolerations/0"),
        (["--set-json", 'tolerations=[{"key": "k", "operator": "Equals"}]'], "/tolerations/0/operator"),
        (["--set-json", 'tolerations=[{"key": "k", "effect": "NoScheduled"}]'], "/tolerations/0/effect"),
        # and the API server's own rules for them (validateTolerations)
        (["--set-json", 'tolerations=[{"operator": "Equal", "value": "x"}]'], "/tolerations/0/operator"),
        (
            ["--set-json", 'tolerations=[{"key": "k", "operator": "Exists", "value": "x"}]'],
            "/tolerations/0/value",
        ),
        (
            ["--set-json", 'tolerations=[{"key": "k", "effect": "NoSchedule", "tolerationSeconds": 30}]'],
            "/tolerations/0/effect",
        ),
        (["--set-json", 'extraVolumeMounts=[{"name": "trail", "mountpath": "/x"}]'], "/extraVolumeMounts/0"),
        (["--set-json", 'extraVolumes=[{"name": "Trail", "emptyDir": {}}]'], "/extraVolumes/0/name"),
        (["--set-json", 'extraEnv=[{"name": "A", "valu": "x"}]'], "/extraEnv/0"),
        (["--set", "image.digest=sha256:abc"], "/image/digest"),
        (["--set", f"image.digest=md5:{'a' * 32}"], "/image/digest"),
    ],
)
def test_the_values_schema_refuses_bad_values_naming_the_field(
    helm: str, values: list[str], field: str
) -> None:
    assert f"at '{field}'" in refusal(helm, *values)


def test_the_metrics_and_health_ports_must_differ(helm: str) -> None:
    """One port for both rendered a pod whose second listener cannot bind (the operator fails to start)."""
    message = refusal(helm, "--set", "metrics.port=8080")
    assert "metrics.port and liveness.port are both 8080" in message
    assert not refusal(helm, "--set", "metrics.port=0")


def test_the_values_schema_accepts_real_world_values(helm: str) -> None:
    assert not refusal(
        helm,
        *["--set", "image.repository=registry.example.com:5000/platform/policy_gen"],
        *["--set", "image.tag=1.2.3-rc.1_build.7"],
        *["--set-json", 'imagePullSecrets=[{"name": "regcred"}]'],
        *["--set-json", 'resources={"requests": {"cpu": 0.5}, "limits": {"nvidia.com/gpu": 1}}'],
        *["--set-json", 'extraEnv=[{"name": "AWS_PROFILE", "value": "x"}]'],
        *["--set", "priorityClassName=system-cluster-critical"],
        # the tolerations of Kubernetes' documentation (Taints and Tolerations) and a mounted trail folder
        *[
            "--set-json",
            'tolerations=[{"key": "key1", "operator": "Equal", "value": "value1", "effect": "NoSchedule"}, '
            '{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", '
            '"tolerationSeconds": 6000}, {"operator": "Exists"}]',
        ],
        *[
            "--set-json",
            'extraVolumes=[{"name": "trail", "persistentVolumeClaim": {"claimName": "cloudtrail"}}]',
        ],
        *[
            "--set-json",
            'extraVolumeMounts=[{"name": "trail", "mountPath": "/var/cloudtrail", "readOnly": true}]',
        ],
        *[
            "--set-json",
            'extraEnv=[{"name": "AWS_REGION", "valueFrom": {"configMapKeyRef": {"name": "a", "key": "r"}}}]',
        ],
    )


def test_an_image_digest_pins_the_image(helm: str) -> None:
    digest = "sha256:" + "0123456789abcdef" * 4
    (deployment,) = [
        d for d in docs(render(helm, "--set", f"image.digest={digest}")) if d["kind"] == "Deployment"
    ]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"ghcr.io/policygen/policygen@{digest}"
    (deployment,) = [d for d in docs(render(helm, "--set", "image.tag=1.2.3")) if d["kind"] == "Deployment"]
    assert (
        deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        == "ghcr.io/policygen/policygen:1.2.3"
    )


def test_chart_applies_with_server_side_dry_run(
    helm: str, kubectl: str, kubeconfig: Path, system_namespace: str
) -> None:
    crd = subprocess.run(
        [
            kubectl,
            "--kubeconfig",
            str(kubeconfig),
            "apply",
            "--server-side",
            "-f",
            str(ROOT / "crds" / "policygen.io_policygenerations.yaml"),
        ],
        capture_output=True,
        text=True,
    )
    assert crd.returncode == 0, crd.stderr
    rendered = render(
        helm, "--include-crds", "--set", "serviceAccount.irsaRoleArn=arn:aws:iam::111122223333:role/pg"
    )
    kinds = sorted(d["kind"] for d in docs(rendered))
    assert kinds[:4] == ["ClusterRole", "ClusterRole", "ClusterRole", "ClusterRoleBinding"]
    assert kinds[4:] == [
        *["CustomResourceDefinition"] * (len(kinds) - 15),
        "Deployment",
        "NetworkPolicy",
        "Role",  # events in default, for a ClusterRightsizing's
        "RoleBinding",
        "RoleBinding",
        "RoleBinding",
        "ServiceAccount",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingAdmissionPolicyBinding",
    ]
    out = dry_run(kubectl, kubeconfig, "-f", "-", stdin=rendered)
    assert "deployment.apps/pg-policygen-operator created (server dry run)" in out, out
    account = next(d for d in docs(rendered) if d["kind"] == "ServiceAccount")
    assert account["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/pg"
    }


def test_chart_with_watched_namespaces_binds_per_namespace(
    helm: str, kubectl: str, kubeconfig: Path, system_namespace: str, namespace: str
) -> None:
    rendered = render(
        helm, "--set", f"watchNamespaces={{{namespace}}}", "--set", "rbac.pullRequestSecrets=false"
    )
    objects = docs(rendered)
    # Only the cluster-scoped role (admin objects, Namespaces, ClusterRightsizing) is bound cluster-wide.
    assert [d["metadata"]["name"] for d in objects if d["kind"] == "ClusterRoleBinding"] == [
        "pg-policygen-operator-cluster"
    ]
    [binding] = [d for d in objects if d["kind"] == "RoleBinding" and d["roleRef"]["kind"] == "ClusterRole"]
    assert binding["metadata"]["namespace"] == namespace
    # and, in default, only a ClusterRightsizing's events (nothing in the operator's namespace the list leaves
    # out: kopf posts no event there any more)
    [events] = [d for d in objects if d["kind"] == "Role"]
    assert (events["metadata"]["namespace"], events["rules"]) == (
        "default",
        [{"apiGroups": [""], "resources": ["events"], "verbs": ["create"]}],
    )
    assert not [
        d
        for d in objects
        if d["kind"] in ("Role", "RoleBinding") and d["metadata"]["namespace"] == "policygen-system"
    ]
    assert all(
        "secrets" not in rule["resources"]
        for d in objects
        if d["kind"] == "ClusterRole"
        for rule in d["rules"]
    )
    assert watch_env(objects) == {"POLICYGEN_WATCH_NAMESPACES": namespace}
    dry_run(kubectl, kubeconfig, "-f", "-", stdin=rendered)


def watch_env(objects: list[dict[str, Any]]) -> dict[str, str]:
    """The Deployment's choice of namespaces (the operator refuses to start without one)."""
    deployment = next(d for d in objects if d["kind"] == "Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["operator"]
    names = ("POLICYGEN_WATCH_NAMESPACES", "POLICYGEN_ALL_NAMESPACES")
    return {e["name"]: e["value"] for e in container["env"] if e["name"] in names}


def bindings(objects: list[dict[str, Any]], prefix: str = "pg-") -> dict[tuple[str, str], list[str]]:
    """(binding kind, role name) -> the namespaces it is bound in ("*" for a ClusterRoleBinding)."""
    found: dict[tuple[str, str], list[str]] = {}
    for d in objects:
        if d["kind"] in ("RoleBinding", "ClusterRoleBinding"):
            key = (d["kind"], d["roleRef"]["name"].removeprefix(prefix + "policygen-operator"))
            found.setdefault(key, []).append(d["metadata"].get("namespace", "*"))
    return found


def test_by_default_the_operator_watches_and_reads_secrets_only_in_its_namespace(helm: str) -> None:
    """Issue 10: nothing cluster-wide unless the admin says so; Secrets never cluster-wide."""
    objects = docs(render(helm))
    assert bindings(objects) == {
        ("RoleBinding", ""): ["policygen-system"],
        ("RoleBinding", "-cluster-events"): ["default"],
        ("RoleBinding", "-secrets"): ["policygen-system"],
        ("ClusterRoleBinding", "-cluster"): ["*"],
    }
    assert watch_env(objects) == {"POLICYGEN_WATCH_NAMESPACES": "policygen-system"}
    [secrets] = [
        d for d in objects if d["kind"] == "ClusterRole" and d["metadata"]["name"].endswith("-secrets")
    ]
    assert secrets["rules"] == [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]
    assert all(
        "secrets" not in rule["resources"]
        for d in objects
        if d["kind"] == "ClusterRole" and d is not secrets
        for rule in d["rules"]
    )


def test_every_namespace_only_when_the_admin_says_and_secrets_still_per_namespace(helm: str) -> None:
    objects = docs(
        render(helm, "--set", "watchAllNamespaces=true", "--set", "rbac.secretNamespaces={team-a}")
    )
    assert bindings(objects) == {
        ("ClusterRoleBinding", ""): ["*"],
        ("ClusterRoleBinding", "-cluster"): ["*"],
        ("RoleBinding", "-cluster-events"): ["default"],
        ("RoleBinding", "-secrets"): ["policygen-system", "team-a"],
    }
    assert watch_env(objects) == {"POLICYGEN_ALL_NAMESPACES": "true"}
    both = subprocess.run(
        [
            helm,
            "template",
            "pg",
            str(CHART),
            "--set",
            "watchAllNamespaces=true",
            "--set",
            "watchNamespaces={a}",
        ],
        capture_output=True,
        text=True,
    )
    assert both.returncode != 0 and "not both" in both.stderr
    off = docs(
        render(helm, "--set", "rbac.pullRequestSecrets=false", "--set", "rbac.secretNamespaces={team-a}")
    )
    assert not [d for d in off if d["metadata"]["name"].endswith("-secrets")]


def test_the_operator_cannot_read_secrets_of_namespaces_not_listed(
    helm: str, kubectl: str, kubeconfig: Path, system_namespace: str, namespace: str
) -> None:
    """The chart's RBAC applied for real (cluster-wide watch, one listed namespace); the API server's
    authorizer (SubjectAccessReview behind `kubectl auth can-i --as`) answers for the operator's account."""
    release = f"r{namespace}"[:40]
    values = ["--set", "watchAllNamespaces=true", "--set", f"rbac.secretNamespaces={{{namespace}}}"]
    rendered = render_release(helm, release, *values)
    rbac = [
        d for d in docs(rendered) if d["kind"] in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
    ]
    account = f"{release}-policygen-operator"
    with applied(kubectl, kubeconfig, rbac):
        assert can_i(kubectl, kubeconfig, "get", "secrets", "policygen-system", account)
        assert can_i(kubectl, kubeconfig, "get", "secrets", namespace, account)
        assert not can_i(kubectl, kubeconfig, "get", "secrets", "kube-system", account)
        assert not can_i(kubectl, kubeconfig, "get", "secrets", "default", account)


def test_kubectl_apply_f_crds_installs_every_crd(kubectl: str, kubeconfig: Path) -> None:
    """The README's plain install, for real: no file in crds/ that kubectl cannot read (the kustomization
    deploy/ includes is crds/Kustomization, a name `apply -f` skips)."""
    done = subprocess.run(
        [kubectl, "--kubeconfig", str(kubeconfig), "apply", "-f", str(ROOT / "crds") + "/"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for path in sorted((ROOT / "crds").glob("*.yaml")):
        [crd] = docs(path.read_text())
        assert f"customresourcedefinition.apiextensions.k8s.io/{crd['metadata']['name']}" in done.stdout


def test_deploy_kustomization_applies_with_server_side_dry_run(kubectl: str, kubeconfig: Path) -> None:
    out = dry_run(kubectl, kubeconfig, "--server-side", "-k", str(ROOT / "deploy"))
    for name in (
        "customresourcedefinition.apiextensions.k8s.io/policygenerations.policygen.io",
        "clusterrole.rbac.authorization.k8s.io/policygen-operator",
        "deployment.apps/policygen-operator",
    ):
        assert name in out, out


def test_chart_and_deploy_grant_the_same_rules(helm: str, kubectl: str) -> None:
    kustomized = subprocess.run(
        [kubectl, "kustomize", str(ROOT / "deploy")], capture_output=True, text=True, check=True
    ).stdout
    chart_roles = {
        d["metadata"]["name"].removeprefix("pg-"): d["rules"]
        for d in docs(render(helm))
        if d["kind"] == "ClusterRole"
    }
    deploy_roles = {d["metadata"]["name"]: d["rules"] for d in docs(kustomized) if d["kind"] == "ClusterRole"}
    assert chart_roles == deploy_roles
    # the Role in default too (a ClusterRightsizing's events), in the same namespace
    chart_namespaced = {
        (d["metadata"]["namespace"], d["metadata"]["name"].removeprefix("pg-")): d["rules"]
        for d in docs(render(helm))
        if d["kind"] == "Role"
    }
    deploy_namespaced = {
        (d["metadata"]["namespace"], d["metadata"]["name"]): d["rules"]
        for d in docs(kustomized)
        if d["kind"] == "Role"
    }
    assert chart_namespaced == deploy_namespaced
    assert list(chart_namespaced) == [("default", "policygen-operator-cluster-events")]
    # ... bound the same way (issue 10: deploy/ is no longer the cluster-wide install) and watching the same.
    assert bindings(docs(kustomized), prefix="") == bindings(docs(render(helm)))
    assert watch_env(docs(kustomized)) == watch_env(docs(render(helm)))
    chart_pod = next(d for d in docs(render(helm)) if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    deploy_pod = next(d for d in docs(kustomized) if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert chart_pod["securityContext"] == deploy_pod["securityContext"]
    assert chart_pod["containers"][0]["securityContext"] == deploy_pod["containers"][0]["securityContext"]


def test_network_policy_limits_egress_and_keeps_metrics_in_the_pod(helm: str) -> None:
    """Issue 10: egress only DNS and the listed TCP ports; /metrics reachable only from metricsFrom."""
    [policy] = [d for d in docs(render(helm)) if d["kind"] == "NetworkPolicy"]
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["ingress"] == [{"ports": [{"port": 8080, "protocol": "TCP"}]}]
    ports = [p for rule in policy["spec"]["egress"] for p in rule["ports"]]
    assert {(p["port"], p["protocol"]) for p in ports} == {
        (53, "UDP"),
        (53, "TCP"),
        (443, "TCP"),
        (6443, "TCP"),
    }
    prometheus = '{"namespaceSelector": {"matchLabels": {"name": "monitoring"}}}'
    opened = render(helm, "--set-json", f"networkPolicy.metricsFrom=[{prometheus}]")
    [policy] = [d for d in docs(opened) if d["kind"] == "NetworkPolicy"]
    assert policy["spec"]["ingress"][1]["ports"] == [{"port": 9090, "protocol": "TCP"}]
    assert not [
        d for d in docs(render(helm, "--set", "networkPolicy.enabled=false")) if d["kind"] == "NetworkPolicy"
    ]


def test_an_empty_egress_port_list_never_opens_all_egress(helm: str) -> None:
    """An egress rule with neither `to` nor `ports` allows everything: egressPorts=[] used to render one."""
    assert "at '/networkPolicy/egressPorts'" in refusal(helm, "--set-json", "networkPolicy.egressPorts=[]")
    unchecked = render(helm, "--skip-schema-validation", "--set-json", "networkPolicy.egressPorts=[]")
    [policy] = [d for d in docs(unchecked) if d["kind"] == "NetworkPolicy"]
    assert policy["spec"]["egress"] == [
        {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}
    ]
    assert all(rule.get("ports") or rule.get("to") for rule in policy["spec"]["egress"])


def test_the_pods_pass_the_restricted_pod_security_standard_for_real(
    helm: str, kubectl: str, kubeconfig: Path, namespace: str
) -> None:
    """The API server's PodSecurity admission, enforcing "restricted" in a namespace, admits the chart's and
    deploy/'s pods (a Deployment only draws warnings; a Pod is refused), and refuses one without hardening."""
    base = [kubectl, "--kubeconfig", str(kubeconfig)]
    label = [*base, "label", "namespace", namespace, "pod-security.kubernetes.io/enforce=restricted"]
    subprocess.run(
        [*label, "pod-security.kubernetes.io/enforce-version=latest"], check=True, capture_output=True
    )
    kustomized = subprocess.run(
        [*base, "kustomize", str(ROOT / "deploy")], capture_output=True, text=True, check=True
    ).stdout
    volume = '[{"name": "trail", "persistentVolumeClaim": {"claimName": "cloudtrail", "readOnly": true}}]'
    mount = '[{"name": "trail", "mountPath": "/var/cloudtrail", "readOnly": true}]'
    sources = {
        "chart": render(helm),
        "chart-local-logs": render(
            helm, "--set-json", f"extraVolumes={volume}", "--set-json", f"extraVolumeMounts={mount}"
        ),
        "deploy": kustomized,
    }

    def admit(name: str, spec: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }
        return subprocess.run(
            [*base, "apply", "--server-side", "--dry-run=server", "-f", "-"],
            input=json.dumps(pod),
            capture_output=True,
            text=True,
        )

    for source, text in sources.items():
        deployment = next(d for d in docs(text) if d["kind"] == "Deployment")
        spec = deployment["spec"]["template"]["spec"]
        done = admit(source, spec)
        assert done.returncode == 0, (source, done.stderr)
        assert "Warning" not in done.stderr, (source, done.stderr)
    # The control: the same pod without its container's hardening is refused, naming what is missing.
    del spec["containers"][0]["securityContext"]
    refused = admit("unhardened", spec)
    assert refused.returncode != 0 and 'violates PodSecurity "restricted:latest"' in refused.stderr
    assert "allowPrivilegeEscalation != false" in refused.stderr


@pytest.mark.parametrize(
    ("values", "watched"),
    [
        ((), "policygen-system"),
        (("--set", "watchNamespaces={team-a,team-b}"), "team-a"),
        (("--set", "watchAllNamespaces=true"), "NAMESPACE"),
    ],
)
def test_the_install_notes_look_where_the_operator_watches(
    helm: str, kubeconfig: Path, values: tuple[str, ...], watched: str
) -> None:
    """`helm install` ended with 'Apply a PolicyGeneration (examples/policygeneration.yaml), then:
    kubectl get pgen': the example's PolicyGeneration is in policygen-demo, which the chart does not watch
    by default, and a bare `kubectl get pgen` looks in the kubeconfig's namespace. Found installing the
    chart as docs/operator.md says. The notes now say a PolicyGeneration is reconciled only in a watched
    namespace and name one in every command."""
    done = subprocess.run(
        [
            *(helm, "install", "pg", str(CHART), "-n", "policygen-system", "--dry-run=client"),
            *("--kubeconfig", str(kubeconfig), *values),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    notes = done.stdout.split("NOTES:", 1)[1]
    assert "only in a watched namespace" in " ".join(notes.split())
    commands = [line.strip() for line in notes.splitlines() if line.strip().startswith("kubectl")]
    assert len(commands) == 3 and all(c.startswith(f"kubectl -n {watched} ") for c in commands), notes


def test_kubectl_warns_of_a_policygen_object_in_a_namespace_the_operator_does_not_watch(
    helm: str, kubectl: str, kubeconfig: Path, kube_admin: KubeClient, namespace: str
) -> None:
    """A PolicyGeneration in a namespace the operator does not watch got no status at all, and nothing said
    why. The chart's watched-namespaces policy (applied for real) makes `kubectl apply` warn there, and
    only there; the object is still created (a warning, not a refusal). With watchAllNamespaces there is no
    such policy."""
    release = f"w{namespace}"[:40]
    rendered = render_release(helm, release, "--set", f"watchNamespaces={{{namespace}}}")
    policies = [d for d in docs(rendered) if "-watched-namespaces" in d["metadata"]["name"]]
    assert [d["kind"] for d in policies] == ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]
    assert not [
        d
        for d in docs(render_release(helm, release, "--set", "watchAllNamespaces=true"))
        if "-watched-namespaces" in d["metadata"]["name"]
    ]
    other = f"{namespace}-elsewhere"[:63]
    kube_admin.create_if_absent(
        "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": other}}
    )
    base = [kubectl, "--kubeconfig", str(kubeconfig)]
    crd = ROOT / "crds" / "policygen.io_policygenerations.yaml"
    subprocess.run([*base, "apply", "--server-side", "-f", str(crd)], check=True, capture_output=True)
    subprocess.run(
        [*base, "wait", "--for=condition=Established", "crd/policygenerations.policygen.io"], check=True
    )

    def apply(where: str, dry: bool = False) -> subprocess.CompletedProcess[str]:
        pgen = {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "PolicyGeneration",
            "metadata": {"name": "orders", "namespace": where},
            "spec": {
                "principalArn": "arn:aws:iam::111122223333:role/orders",
                "sourceRef": {"name": "trail"},
            },
        }
        extra = ["--dry-run=server"] if dry else []
        return subprocess.run(
            [*base, "apply", *extra, "-f", "-"], input=json.dumps(pgen), text=True, capture_output=True
        )

    with applied(kubectl, kubeconfig, policies):
        deadline = time.monotonic() + 30
        while "is not watched" not in (probe := apply(other, dry=True)).stderr:  # compiled by the API server
            assert time.monotonic() < deadline, probe.stderr
            time.sleep(0.3)
        unwatched = apply(other)
        assert unwatched.returncode == 0, unwatched.stderr
        said = " ".join(unwatched.stderr.split())
        assert said.startswith("Warning: "), said
        assert (
            f"namespace {other} is not watched by the policygen operator policygen-system/"
            f"{release}-policygen-operator: nothing acts on this object until the cluster admin adds the "
            "namespace to the chart value watchNamespaces"
        ) in said
        watched = apply(namespace)
        assert watched.returncode == 0 and "Warning" not in watched.stderr, watched.stderr


@contextlib.contextmanager
def applied(kubectl: str, kubeconfig: Path, objects: list[dict[str, Any]]) -> Iterator[None]:
    """``objects`` applied to the shared API server for the block, deleted after it whatever happens: the
    cluster-scoped ones (roles, admission policies) would reach other tests."""
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": objects})
    base = [kubectl, "--kubeconfig", str(kubeconfig)]
    done = subprocess.run([*base, "apply", "-f", "-"], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    try:
        yield
    finally:
        subprocess.run(
            [*base, "delete", "--ignore-not-found", "-f", "-"], input=text, capture_output=True, text=True
        )


def render_release(helm: str, release: str, *args: str) -> str:
    done = subprocess.run(
        [helm, "template", release, str(CHART), "--namespace", "policygen-system", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_a_cluster_rightsizings_events_are_allowed_where_kubectl_describe_finds_them(
    helm: str, kubectl: str, kubeconfig: Path, system_namespace: str, namespace: str
) -> None:
    """The operator posts a ClusterRightsizing's events in default, where an event about a cluster-scoped
    object is accepted and `kubectl describe` finds it (kopf posted them in the operator's namespace, and a
    Role -events there allowed it when watchNamespaces left that namespace out: describe never listed them).
    The chart's RBAC, applied for real: events may be created in default and nothing else there; nothing is
    granted in the operator's namespace the list leaves out; clusterEvents=false grants nothing in default."""
    release = f"e{namespace}"[:40]
    rendered = render_release(helm, release, "--set", f"watchNamespaces={{{namespace}}}")
    rbac = [
        d for d in docs(rendered) if d["kind"] in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
    ]
    account = f"{release}-policygen-operator"
    with applied(kubectl, kubeconfig, rbac):
        assert can_i(kubectl, kubeconfig, "create", "events", "default", account)
        assert can_i(kubectl, kubeconfig, "create", "events", namespace, account)  # the watched one
        for verb in ("get", "list", "update", "patch", "delete"):
            assert not can_i(kubectl, kubeconfig, verb, "events", "default", account), verb
        assert not can_i(kubectl, kubeconfig, "create", "configmaps", "default", account)
        assert not can_i(kubectl, kubeconfig, "create", "events", "policygen-system", account)
    off = render_release(
        helm, release, "--set", f"watchNamespaces={{{namespace}}}", "--set", "clusterEvents=false"
    )
    assert not [d for d in docs(off) if d["metadata"].get("namespace") == "default"]
    assert {"name": "POLICYGEN_CLUSTER_EVENTS", "value": "false"} in next(
        d for d in docs(off) if d["kind"] == "Deployment"
    )["spec"]["template"]["spec"]["containers"][0]["env"]
