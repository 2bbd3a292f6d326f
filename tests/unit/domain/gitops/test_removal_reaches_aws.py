"""A pull request that removes a broad attachment must detach it once merged: settings that leave it attached
in AWS are refused, naming the setting and what to do.

Crossplane: what the provider does when a managed resource is deleted is crossplane-runtime's
pkg/reconciler/managed/policies.go (``LegacyManagementPoliciesResolver.ShouldDelete``: Delete only when
``deletionPolicy`` is Delete and ``managementPolicies`` allows Delete, or a non-default list has Delete;
``ManagementPoliciesResolver.ShouldDelete`` for v2's namespaced kinds, which have no ``deletionPolicy``);
``crossplane.io/paused: "true"`` stops every reconciliation (reconciler.go, meta.IsPaused). The objects'
fields are those of provider-upjet-aws's CRDs (package/crds/iam.aws.upbound.io_rolepolicyattachments.yaml:
``deletionPolicy`` enum Orphan/Delete, ``managementPolicies`` items Observe/Create/Update/Delete/
LateInitialize/*). GitOps tools: Argo CD's ``argocd.argoproj.io/sync-options: Prune=false`` (Sync Options,
"No Prune Resources"), Flux's ``kustomize.toolkit.fluxcd.io/prune: disabled`` and
``kustomize.toolkit.fluxcd.io/ssa: IfNotPresent`` (kustomize-controller, "Controlling the apply behavior of
in-cluster objects"). Compositions: Crossplane garbage-collects the composed resource of a removed template
by its template name; classic mode with unnamed templates associates by position and deletes none
(crossplane v1.20.0 internal/controller/apiextensions/composite/composition_pt.go, AssociateByOrder).
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER
from tests.unit.domain.gitops.test_crossplane_compositions import CLASSIC_UNNAMED, PIPELINE

REQUEST = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER,))

ROLE_AND_ATTACHMENT = f"""\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  name: payments-api
spec:
  forProvider:
    assumeRolePolicy: '{{}}'
---
apiVersion: iam.aws.upbound.io/v1beta1
kind: RolePolicyAttachment
metadata:
  name: payments-api-power
  annotations: {{}}
spec:
  forProvider:
    policyArn: {POWER}
    roleRef:
      name: payments-api
"""
KEPT = "removing it from the files would leave the policy attached to 'payments-api' in AWS: "


def _attachment_with(spec: str = "", annotation: str = "", group: str = "iam.aws.upbound.io") -> str:
    text = ROLE_AND_ATTACHMENT.replace("iam.aws.upbound.io/", f"{group}/")
    if annotation:
        text = text.replace("  annotations: {}\n", f"  annotations:\n    {annotation}\n")
    return text.replace("spec:\n  forProvider:\n    policyArn", f"spec:\n{spec}  forProvider:\n    policyArn")


def _refused(files: dict[str, str]) -> str:
    with pytest.raises(GitOpsEditError) as err:
        edit_files("crossplane", files, REQUEST, "iam")
    return str(err.value)


@pytest.mark.parametrize(
    ("spec", "annotation", "group", "setting"),
    [
        (
            "  deletionPolicy: Orphan\n",
            "",
            "iam.aws.upbound.io",
            "deletionPolicy: Orphan; give it deletionPolicy: Delete",
        ),
        (
            "  managementPolicies: [Observe, Create, Update, LateInitialize]\n",
            "",
            "iam.aws.upbound.io",
            "managementPolicies ['Observe', 'Create', 'Update', 'LateInitialize'] without Delete",
        ),
        (
            "  deletionPolicy: Orphan\n  managementPolicies: ['*']\n",
            "",
            "iam.aws.upbound.io",
            "deletionPolicy: Orphan",  # the default list does not override Orphan
        ),
        (
            "  managementPolicies: [Observe]\n",
            "",
            "iam.aws.m.upbound.io",
            "managementPolicies ['Observe'] without Delete; give it managementPolicies that include Delete",
        ),
        (
            "  managementPolicies: []\n",
            "",
            "iam.aws.upbound.io",
            "managementPolicies: [] (the resource is paused)",
        ),
        ("", 'crossplane.io/paused: "true"', "iam.aws.upbound.io", "annotation crossplane.io/paused: 'true'"),
        (
            "",
            "argocd.argoproj.io/sync-options: Prune=false,ServerSideApply=true",
            "iam.aws.upbound.io",
            "annotation argocd.argoproj.io/sync-options: 'Prune=false,ServerSideApply=true' (Argo CD never "
            "prunes it); remove Prune=false",
        ),
        (
            "",
            "kustomize.toolkit.fluxcd.io/prune: disabled",
            "iam.aws.upbound.io",
            "annotation kustomize.toolkit.fluxcd.io/prune: 'disabled' (Flux never garbage-collects it)",
        ),
        # an attachment a Helm chart installs: helm upgrade (and Flux's helm-controller) keeps it once it
        # leaves the chart (helm/helm pkg/kube/client.go Update), so the provider never detaches the policy
        (
            "",
            "helm.sh/resource-policy: keep",
            "iam.aws.upbound.io",
            "annotation helm.sh/resource-policy: 'keep' (helm upgrade, and Flux's helm-controller",
        ),
    ],
)
def test_an_attachment_that_would_stay_in_aws_is_not_removed(
    spec: str, annotation: str, group: str, setting: str
) -> None:
    message = _refused({"iam/payments.yaml": _attachment_with(spec, annotation, group)})
    assert message.startswith(
        f"iam/payments.yaml (document 2): RolePolicyAttachment payments-api-power ({POWER}) attaches a "
        f"policy to be replaced, but {KEPT}{setting}"
    )
    assert "Nothing was changed" in message


def test_an_explicit_management_policy_with_delete_overrides_orphan() -> None:
    """policies.go: a non-default managementPolicies that lists Delete deletes the external resource whatever
    deletionPolicy says; the default ['*'] does not (see above)."""
    text = _attachment_with(
        "  deletionPolicy: Orphan\n  managementPolicies: [Observe, Create, Update, Delete]\n"
    )
    result = edit_files("crossplane", {"iam/payments.yaml": text}, REQUEST, "iam")
    assert result.detached == [POWER]


def test_a_role_whose_managed_policy_arns_edit_would_not_reach_aws_is_refused() -> None:
    role = f"""\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  name: payments-api
  annotations:
    kustomize.toolkit.fluxcd.io/ssa: IfNotPresent
spec:
  forProvider:
    managedPolicyArns:
      - {POWER}
"""
    message = _refused({"iam/role.yaml": role})
    assert message.startswith(
        "iam/role.yaml: Role payments-api: its spec.forProvider.managedPolicyArns holds the role's policies, "
        "but an edit of it would not reach AWS: annotation kustomize.toolkit.fluxcd.io/ssa: 'IfNotPresent'"
    )
    observed = role.replace(
        "  annotations:\n    kustomize.toolkit.fluxcd.io/ssa: IfNotPresent\n", ""
    ).replace("spec:\n", "spec:\n  managementPolicies: [Observe]\n")
    assert "managementPolicies ['Observe'] without Update" in _refused({"iam/role.yaml": observed})


PIPELINE_PATH = "apis/composition.yaml"
ATTACHMENT_BASE = (
    "              kind: RolePolicyAttachment\n              spec:\n                forProvider:\n"
)


def _composition_refused(text: str) -> str:
    with pytest.raises(GitOpsEditError) as err:
        edit_files("crossplane", {PIPELINE_PATH: text}, REQUEST, "apis")
    return str(err.value)


def _composed_role_listing_power(spec: str = "", patch: str = "") -> str:
    """PIPELINE's Role alone, listing the broad policy in managedPolicyArns (as configuration-aws-eks's roles
    do), with ``spec`` before its forProvider and ``patch`` after its base."""
    text = PIPELINE[: PIPELINE.index("          - name: appRolePowerUser\n")].replace(
        "              spec:\n                forProvider:\n                  assumeRolePolicy",
        f"              spec:\n{spec}                forProvider:\n                  managedPolicyArns:\n"
        f"                    - {POWER}\n                  assumeRolePolicy",
    )
    assert POWER in text
    return text.rstrip("\n") + "\n" + patch if patch else text


def test_a_composed_role_whose_managed_policy_arns_edit_would_not_reach_aws_is_refused() -> None:
    """A composed Role's managedPolicyArns whose edit Crossplane would not send to AWS, by the base's
    managementPolicies or by a patch that sets them from the composite (its value is not in the code)."""
    observed = _composition_refused(
        _composed_role_listing_power(spec="                managementPolicies: [Observe]\n")
    )
    assert "pipeline step patch-and-transform, resource appRole: " in observed
    assert "spec.forProvider.managedPolicyArns holds " in observed
    assert (
        "but an edit of it would not reach AWS: managementPolicies ['Observe'] without Update (Crossplane "
        "does not update the external resource)"
    ) in observed
    patch = (
        "              - fromFieldPath: spec.parameters.managementPolicies\n"
        "                toFieldPath: spec.managementPolicies\n"
    )
    patched = _composition_refused(_composed_role_listing_power(patch=patch))
    assert (
        "would not reach AWS: a patch sets its management policy (FromCompositeFieldPath "
        "spec.parameters.managementPolicies to spec.managementPolicies), which the code does not give"
    ) in patched


def test_a_composed_attachment_that_orphans_is_not_removed() -> None:
    text = PIPELINE.replace(
        ATTACHMENT_BASE, ATTACHMENT_BASE.replace("spec:\n", "spec:\n                deletionPolicy: Orphan\n")
    )
    message = _composition_refused(text)
    assert f"resource appRolePowerUser: RolePolicyAttachment {POWER}" in message
    assert f"{KEPT}deletionPolicy: Orphan" in message


def test_a_composed_attachment_whose_deletion_policy_is_patched_is_not_removed() -> None:
    """platform-ref-aws's Compositions patch spec.deletionPolicy from the composite's parameters: the value
    each composite resource gives is not in the code."""
    patch = (
        "              - fromFieldPath: spec.parameters.deletionPolicy\n"
        "                toFieldPath: spec.deletionPolicy\n"
    )
    text = PIPELINE.rstrip("\n") + "\n" + patch
    message = _composition_refused(text)
    assert (
        f"{KEPT}a patch sets what decides whether Crossplane deletes it (FromCompositeFieldPath "
        "spec.parameters.deletionPolicy to spec.deletionPolicy)"
    ) in message


def test_an_unnamed_template_of_a_classic_composition_is_not_removed() -> None:
    message = _composition_refused(CLASSIC_UNNAMED)
    assert (
        f"spec.resources, resource #2: RolePolicyAttachment {POWER} (roleSelector.matchLabels "
        "{'role': 'app'} with matchControllerRef) attaches a policy to be replaced, but its Composition's "
        "templates have no names: in classic mode (spec.resources) Crossplane matches unnamed templates to "
        "the composed resources by position and deletes none"
    ) in message


def test_a_role_whose_selected_label_a_patch_writes_makes_the_selection_uncertain() -> None:
    """A second Role whose base has other labels, but whose 'role' label a patch sets from the composite:
    the attachment's selector may pick it, so removing the attachment could detach another role's policy."""
    second = PIPELINE[
        PIPELINE.index("          - name: appRole\n") : PIPELINE.index("          - name: appRolePowerUser")
    ]
    second = (
        second.replace("name: appRole\n", "name: workerRole\n")
        .replace("external-name: payments-api", "external-name: payments-worker")
        .replace("labels:\n                  role: app", "labels:\n                  role: worker")
        .replace(
            "            patches:\n",
            "            patches:\n              - fromFieldPath: spec.parameters.workerLabel\n"
            "                toFieldPath: metadata.labels[role]\n",
        )
    )
    text = PIPELINE.replace(
        "          - name: appRolePowerUser\n", second + "          - name: appRolePowerUser\n"
    )
    message = _composition_refused(text)
    assert (
        "roleSelector.matchLabels {'role': 'app'} with matchControllerRef may match 2 Roles of the "
        "Composition"
    ) in message
    assert (
        "resource workerRole (its labels patched: FromCompositeFieldPath spec.parameters.workerLabel to "
        "metadata.labels[role])"
    ) in message


# ACK: the IAM controller resolves spec.policyRefs into spec.policies and refuses a Role that gives both
# (aws-controllers-k8s/iam-controller pkg/resource/role/references.go at 1bb7fc9, validateReferenceFields:
# ResourceReferenceAndIDNotSupportedFor("Policies", "PolicyRefs")); a refused Role is not reconciled, so
# syncManagedPolicies (hooks.go) never detaches anything. The Role's fields are the ACK IAM Role's
# (spec.name, spec.policies: ARNs, spec.policyRefs: [{from: {name}}]); read-only is the ACK runtime's
# services.k8s.aws/read-only annotation (apis/core/v1alpha1/annotations.go).
ACK_ROLE = f"""\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
  annotations: {{}}
spec:
  name: payments-api
  policies:
    - {POWER}
    - arn:aws:iam::aws:policy/CloudWatchLogsFullAccess
"""


def _ack(text: str) -> str:
    result = edit_files("ack", {"iam/role.yaml": text}, REQUEST, "iam")
    assert result.detached == [POWER]
    out = result.changes["iam/role.yaml"]
    assert out is not None
    return out


def test_an_ack_role_that_keeps_other_policies_lists_the_generated_one_by_arn() -> None:
    out = _ack(ACK_ROLE)
    assert out.startswith(
        ACK_ROLE.replace(f"    - {POWER}\n", "").replace(
            "CloudWatchLogsFullAccess\n",
            "CloudWatchLogsFullAccess\n    - arn:aws:iam::123456789012:policy/payments-api-policygen\n",
        )
    )
    assert "policyRefs" not in out and "kind: Policy\n" in out
    assert edit_files("ack", {"iam/role.yaml": out}, REQUEST, "iam").changes == {}


def test_an_ack_role_whose_only_policy_goes_gets_a_policy_ref() -> None:
    out = _ack(ACK_ROLE.replace("    - arn:aws:iam::aws:policy/CloudWatchLogsFullAccess\n", ""))
    assert "  policyRefs:\n    - from:\n        name: payments-api-policygen\n" in out
    assert "policies:" not in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("  annotations: {}\n", '  annotations:\n    services.k8s.aws/read-only: "true"\n'),
            "iam/role.yaml (document 1): an edit of Role payments-api would not reach AWS: annotation "
            "services.k8s.aws/read-only: 'true' (the ACK controller skips every update of a read-only "
            "resource)",
        ),
        (
            ("  annotations: {}\n", "  annotations:\n    kustomize.toolkit.fluxcd.io/reconcile: disabled\n"),
            "an edit of Role payments-api would not reach AWS: annotation "
            "kustomize.toolkit.fluxcd.io/reconcile: 'disabled' (Flux no longer applies it)",
        ),
        (
            ("spec:\n", "spec:\n  policyRefs:\n    - from:\n        name: audit\n"),
            "Role payments-api gives both spec.policies and spec.policyRefs, which the ACK IAM controller "
            "refuses to reconcile",
        ),
    ],
)
def test_an_ack_role_whose_edit_would_not_reach_aws_is_refused(change: tuple[str, str], message: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        edit_files("ack", {"iam/role.yaml": ACK_ROLE.replace(*change)}, REQUEST, "iam")
    assert message in str(err.value)


def test_the_change_list_says_the_gitops_tool_must_prune_the_removed_attachment() -> None:
    result = edit_files("crossplane", {"iam/payments.yaml": _attachment_with()}, REQUEST, "iam")
    assert (
        f"iam/payments.yaml (document 2): RolePolicyAttachment payments-api-power ({POWER}): removed (the "
        "policy is detached once the object is deleted from the cluster: the GitOps tool must prune it, "
        "Argo CD with prune in its sync, Flux with spec.prune: true)"
    ) in result.notes


# An XRD and a claim as Crossplane's "Composition revisions" documents them: an XRD's
# spec.defaultCompositionUpdatePolicy, a claim's spec.compositionUpdatePolicy: Manual with its
# compositionRevisionRef (crossplane apis/apiextensions/v1/xrd_types.go, DefaultCompositionUpdatePolicy).
XRD_AND_CLAIM = """\
apiVersion: apiextensions.crossplane.io/v1
kind: CompositeResourceDefinition
metadata:
  name: xpayments.aws.platform.example.org
spec:
  group: aws.platform.example.org
  names:
    kind: XPayments
    plural: xpayments
  claimNames:
    kind: Payments
    plural: payments
  defaultCompositionUpdatePolicy: Manual
  versions:
    - name: v1alpha1
      served: true
      referenceable: true
---
apiVersion: aws.platform.example.org/v1alpha1
kind: Payments
metadata:
  name: checkout
  namespace: team-a
spec:
  compositionUpdatePolicy: Manual
  compositionRevisionRef:
    name: xpayments.aws.platform.example.org-ad265bc
"""


def test_the_change_list_names_composites_pinned_to_their_composition_revision() -> None:
    result = edit_files(
        "crossplane", {PIPELINE_PATH: PIPELINE, "apis/xrd.yaml": XRD_AND_CLAIM}, REQUEST, "apis"
    )
    assert result.detached == [POWER]
    assert result.notes[-1] == (
        "composite resources whose compositionUpdatePolicy is Manual stay on their CompositionRevision, with "
        "the broad attachment, until each is moved to the new revision: in these files, apis/xrd.yaml "
        "(document 1): CompositeResourceDefinition xpayments.aws.platform.example.org "
        "(defaultCompositionUpdatePolicy: Manual), apis/xrd.yaml (document 2): Payments checkout "
        "(compositionUpdatePolicy: Manual)"
    )
