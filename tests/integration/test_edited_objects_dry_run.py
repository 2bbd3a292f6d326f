"""Edited ACK and Crossplane objects are accepted by the real CRD schemas (issue 10): the ACK iam-controller's
Role and Policy CRDs and the Upbound provider's Role, Policy and RolePolicyAttachment CRDs (tests/fixtures/,
sources noted there) are installed on the test control plane, and every file policygen edits is server-side
dry-run (`kubectl apply --dry-run=server`): a field the provider does not know or a wrong type fails here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest
from tests.integration.operator_harness import ROOT

# upbound/configuration-aws-eks apis/pat/composition.yaml's pipeline with a role whose external name is
# written, as the unit tests edit it
from tests.unit.domain.gitops.test_crossplane_compositions import PIPELINE as COMPOSITION

pytestmark = pytest.mark.controlplane

FIXTURES = ROOT / "tests" / "fixtures"
KINDS = ("roles", "policies", "rolepolicyattachments")
CRDS = [
    FIXTURES / "ack" / "iam.services.k8s.aws_roles.yaml",
    FIXTURES / "ack" / "iam.services.k8s.aws_policies.yaml",
    FIXTURES / "crossplane" / "iam.aws.upbound.io_roles.yaml",
    FIXTURES / "crossplane" / "iam.aws.upbound.io_policies.yaml",
    FIXTURES / "crossplane" / "iam.aws.upbound.io_rolepolicyattachments.yaml",
    *(FIXTURES / "crossplane" / f"iam.aws.m.upbound.io_{kind}.yaml" for kind in KINDS),
]
POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "S3", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]},
        {
            "Sid": "Sqs",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": ["arn:aws:sqs:us-east-1:111122223333:q"],
        },
    ],
}
REQUEST = EditRequest("arn:aws:iam::111122223333:role/payments-api", (POLICY, POLICY), (POWER,))
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)

ACK = f"""\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
spec:
  name: payments-api
  assumeRolePolicyDocument: '{TRUST}'
  policies:
    - {POWER}
"""
UPBOUND = f"""\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  name: payments-api
  labels:
    app: payments
spec:
  forProvider:
    assumeRolePolicy: '{TRUST}'
  providerConfigRef:
    name: default
---
apiVersion: iam.aws.upbound.io/v1beta1
kind: RolePolicyAttachment
metadata:
  name: payments-api-poweruser
spec:
  forProvider:
    policyArn: {POWER}
    roleSelector:
      matchLabels:
        app: payments
  providerConfigRef:
    name: default
"""
# Crossplane v2's namespaced group: the namespace comes from where the files are applied (as a GitOps tool
# applies them), the provider config names its kind
NAMESPACED = UPBOUND.replace("iam.aws.upbound.io/", "iam.aws.m.upbound.io/").replace(
    "  providerConfigRef:\n    name: default\n",
    "  providerConfigRef:\n    kind: ProviderConfig\n    name: default\n",
)


@pytest.fixture(scope="module")
def provider_crds(kubectl: str, kubeconfig: Path) -> None:
    for crd in CRDS:
        subprocess.run(
            [kubectl, f"--kubeconfig={kubeconfig}", "apply", "--server-side", "-f", str(crd)],
            check=True,
            capture_output=True,
            text=True,
        )
    names = ["roles.iam.services.k8s.aws", "policies.iam.services.k8s.aws", "roles.iam.aws.upbound.io"]
    names += ["policies.iam.aws.upbound.io", "rolepolicyattachments.iam.aws.upbound.io"]
    names += [f"{kind}.iam.aws.m.upbound.io" for kind in KINDS]
    subprocess.run(
        [kubectl, f"--kubeconfig={kubeconfig}", "wait", "--for=condition=Established", "--timeout=60s"]
        + [f"crd/{n}" for n in names],
        check=True,
        capture_output=True,
        text=True,
    )


def dry_run(kubectl: str, kubeconfig: Path, namespace: str, text: str) -> str:
    done = subprocess.run(
        [
            kubectl,
            f"--kubeconfig={kubeconfig}",
            "-n",
            namespace,
            "apply",
            "--dry-run=server",
            "--validate=strict",
            "-f",
            "-",
        ],
        input=text,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("fmt", "original"), [("ack", ACK), ("crossplane", UPBOUND), ("crossplane", NAMESPACED)]
)
def test_every_edited_file_passes_the_providers_schema(
    kubectl: str, kubeconfig: Path, namespace: str, provider_crds: None, fmt: str, original: str
) -> None:
    dry_run(kubectl, kubeconfig, namespace, original)  # the starting point is valid too
    result = edit_files(fmt, {"iam/role.yaml": original}, REQUEST, "iam")
    assert result.detached == [POWER]
    edited = result.changes["iam/role.yaml"]
    assert edited is not None and POWER not in edited
    out = dry_run(kubectl, kubeconfig, namespace, edited)
    assert out.count("(server dry run)") == edited.count("\nkind: ") + edited.startswith("kind: ")
    assert "payments-api-policygen-2" in out  # both parts of the split policy went through


# Crossplane's Composition (v1.20.9, the last release with classic mode besides Pipeline) and
# function-patch-and-transform's input (tests/fixtures/crossplane/SOURCE.md): a Composition's templates are
# embedded objects its own schema does not check, so each is dry-run as an object of its provider's CRD, and
# a pipeline step's input as a pt.fn.crossplane.io Resources object.
COMPOSITION_CRDS = [
    FIXTURES / "crossplane" / "apiextensions.crossplane.io_compositions.yaml",
    FIXTURES / "crossplane" / "pt.fn.crossplane.io_resources.yaml",
]


@pytest.fixture(scope="module")
def composition_crds(kubectl: str, kubeconfig: Path, provider_crds: None) -> None:
    for crd in COMPOSITION_CRDS:
        subprocess.run(
            [kubectl, f"--kubeconfig={kubeconfig}", "apply", "--server-side", "-f", str(crd)],
            check=True,
            capture_output=True,
            text=True,
        )
    names = ["crd/compositions.apiextensions.crossplane.io", "crd/resources.pt.fn.crossplane.io"]
    subprocess.run(
        [
            kubectl,
            f"--kubeconfig={kubeconfig}",
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            *names,
        ],
        check=True,
        capture_output=True,
        text=True,
    )


def _templates(text: str) -> list[str]:
    """The Composition's inputs and templates as objects of their own, each with a name to dry-run."""
    data = yaml.safe_load(text)
    objects = []
    lists = [data["spec"].get("resources") or []]
    for index, step in enumerate(data["spec"].get("pipeline") or []):
        given = dict(step["input"], metadata={"name": f"input-{index}"})
        objects.append(yaml.safe_dump(given))
        lists.append(given["resources"])
    for entries in lists:
        for index, entry in enumerate(entries):
            base = dict(entry["base"])
            base["metadata"] = {"name": f"template-{index}", **(base.get("metadata") or {})}
            objects.append(yaml.safe_dump(base))
    return objects


@pytest.mark.parametrize("group", ["iam.aws.upbound.io", "iam.aws.m.upbound.io"])
@pytest.mark.parametrize("mode", ["Pipeline", "classic"])
def test_an_edited_composition_passes_crossplanes_schema_and_its_templates_the_providers(
    kubectl: str, kubeconfig: Path, namespace: str, composition_crds: None, group: str, mode: str
) -> None:
    original = COMPOSITION.replace("iam.aws.upbound.io/", f"{group}/")
    if mode == "classic":
        original = _classic(original)
    request = EditRequest("arn:aws:iam::111122223333:role/payments-api", (POLICY,), (POWER,))
    result = edit_files("crossplane", {"apis/composition.yaml": original}, request, "apis")
    assert result.detached == [POWER]
    edited = result.changes["apis/composition.yaml"]
    assert edited is not None and POWER not in edited
    for text in (original, edited):
        dry_run(kubectl, kubeconfig, namespace, text)
        objects = _templates(text)
        for one in objects:
            dry_run(kubectl, kubeconfig, namespace, one)
    assert [yaml.safe_load(o)["kind"] for o in objects] == (["Resources"] if mode == "Pipeline" else []) + [
        "Role",
        "Policy",
        "RolePolicyAttachment",
    ]


def _classic(text: str) -> str:
    """The same templates in classic mode: spec.patchSets and spec.resources."""
    data = yaml.safe_load(text)
    given = data["spec"].pop("pipeline")[0]["input"]
    del data["spec"]["mode"]
    data["spec"]["patchSets"] = given["patchSets"]
    data["spec"]["resources"] = given["resources"]
    return yaml.safe_dump(data, sort_keys=False)
