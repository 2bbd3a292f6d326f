"""Kustomize patches of a Crossplane Composition whose template holds the edited Role.

An overlay can patch the Composition instead of a bare Role: a JSON 6902 op on
``/spec/resources/N/base/spec/forProvider/managedPolicyArns`` (classic mode) or
``/spec/pipeline/N/input/resources/M/base/...`` (a function-patch-and-transform step) puts its list in the
composed Role of every composite resource made in that overlay, whatever the base says. A strategic-merge
patch of a Composition (a custom resource: no strategic merge, "Update API Objects in Place Using kubectl
patch" in the Kubernetes docs) replaces ``spec.resources`` and ``spec.pipeline`` whole, named templates
included: checked with ``kubectl kustomize`` (kustomize v5.5.0), a patch giving one template of each list
left the Composition that one template alone, the step without its ``functionRef``.

The Composition is cut from the pipeline of upbound/configuration-aws-eks apis/pat/composition.yaml
(commit 6fac8648a93a56aa724bb24d225124ace9629892), its Role listing its policies in managedPolicyArns as
that configuration's roles do. Before, no patch of a Composition was read: every case here was edited.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import crossplane
from policygen_operator.domain.gitops.model import EditResult, GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.kustomize_layouts import CLOUDWATCH, OVERLAY, REQUEST

READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
NAME = "xpayments.aws.platform.example.org"

ROLE = f"""\
          - name: appRole
            base:
              apiVersion: iam.aws.upbound.io/v1beta1
              kind: Role
              metadata:
                annotations:
                  crossplane.io/external-name: payments-api
              spec:
                forProvider:
                  assumeRolePolicy: '{{}}'
                  managedPolicyArns:
                    - {POWER}
                    - {CLOUDWATCH}
"""
ATTACHMENT = f"""\
          - name: appRolePowerUser
            base:
              apiVersion: iam.aws.upbound.io/v1beta1
              kind: RolePolicyAttachment
              spec:
                forProvider:
                  policyArn: {POWER}
                  role: payments-api
"""
HEAD = f"""\
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: {NAME}
spec:
  compositeTypeRef:
    apiVersion: aws.platform.example.org/v1alpha1
    kind: XPayments
"""
PIPELINE = (
    HEAD
    + """\
  mode: Pipeline
  pipeline:
    - step: patch-and-transform
      functionRef:
        name: crossplane-contrib-function-patch-and-transform
      input:
        apiVersion: pt.fn.crossplane.io/v1beta1
        kind: Resources
        resources:
"""
    + ROLE
)
# classic mode (spec.resources): the same template, two levels less indented
CLASSIC = HEAD + "  resources:\n" + "".join(line[6:] + "\n" for line in ROLE.splitlines())
IN_PIPELINE = "/spec/pipeline/0/input/resources/0/base/spec/forProvider/managedPolicyArns"
IN_CLASSIC = "/spec/resources/0/base/spec/forProvider/managedPolicyArns"

TARGET = (
    f"    target:\n      group: apiextensions.crossplane.io\n      kind: Composition\n      name: {NAME}\n"
)


def indented(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line for line in text.splitlines(keepends=True))


def inline(patch: str, target: str = TARGET) -> str:
    return f"patches:\n  - patch: |-\n{indented(patch, 6)}{target}"


def tree(base: str, kustomization: str, **extra: str) -> dict[str, str]:
    return {
        "base/composition.yaml": base,
        "base/kustomization.yaml": "resources:\n  - composition.yaml\n",
        "overlays/prod/kustomization.yaml": OVERLAY + kustomization,
        **{f"overlays/prod/{name.replace('_', '.')}": text for name, text in extra.items()},
    }


def refusal(files: dict[str, str]) -> str:
    with pytest.raises(GitOpsEditError) as err:
        crossplane.edit(files, REQUEST)
    return str(err.value)


def dotted(pointer: str) -> str:
    return pointer.strip("/").replace("/", ".")


@pytest.mark.parametrize(("base", "pointer"), [(PIPELINE, IN_PIPELINE), (CLASSIC, IN_CLASSIC)])
def test_a_json_patch_adding_the_broad_arn_to_the_composed_role_is_refused(base: str, pointer: str) -> None:
    ops = f"- op: add\n  path: {pointer}/-\n  value: {POWER}\n"
    message = refusal(tree(base, inline(ops)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Composition "
        f"{NAME}: its op 1 (add {pointer}/-) puts {POWER} in {dotted(pointer)}, so the overlay keeps the "
        "broad policy whatever the base says"
    ), message
    assert message.endswith("Nothing was changed"), message


def test_a_json_patch_file_replacing_the_list_with_the_broad_arn_is_refused() -> None:
    ops = f"- op: replace\n  path: {IN_PIPELINE}\n  value:\n    - {POWER}\n"
    listed = "patchesJson6902:\n  - path: policies.yaml\n" + TARGET
    message = refusal(tree(PIPELINE, listed, policies_yaml=ops))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patchesJson6902[0] (the JSON 6902 patch "
        f"overlays/prod/policies.yaml) targets Composition {NAME}: its op 1 (replace {IN_PIPELINE}) puts "
        f"{POWER} in {dotted(IN_PIPELINE)}"
    ), message


def test_an_op_naming_a_policy_of_the_composed_role_by_position_is_refused() -> None:
    """Removing the broad ARN by index in the overlay names CloudWatch once the base no longer lists it."""
    message = refusal(tree(PIPELINE, inline(f"- op: remove\n  path: {IN_PIPELINE}/0\n")))
    assert (
        f"its op 1 (remove {IN_PIPELINE}/0) names item 0 of {dotted(IN_PIPELINE)} by position: {POWER} "
        f"before this edit, {CLOUDWATCH} after it"
    ) in message, message


def test_an_op_naming_a_template_the_edit_moves_is_refused() -> None:
    """The broad attachment's template before the Role goes: the Role's template moves from 1 to 0, and an op
    naming template 1 names the new Policy's."""
    base = PIPELINE.replace(ROLE, ATTACHMENT + ROLE)
    ops = "- op: add\n  path: /spec/pipeline/0/input/resources/1/base/metadata/labels\n"
    ops += "  value:\n    env: prod\n"
    message = refusal(tree(base, inline(ops)))
    assert (
        "its op 1 (add /spec/pipeline/0/input/resources/1/base/metadata/labels) names template 1 of "
        "spec.pipeline.0.input.resources by position: resource appRole before this edit, resource "
        "payments-api-policygen after it, so the overlay would patch another template than it did"
    ) in message, message


@pytest.mark.parametrize(
    "ops",
    [
        "- op: add\n  path: /metadata/labels\n  value:\n    env: prod\n",
        f"- op: add\n  path: {IN_PIPELINE}/-\n  value: {READONLY}\n",
        "- op: add\n  path: /spec/pipeline/0/input/resources/0/base/spec/forProvider/tags\n"
        "  value:\n    env: prod\n",
        f"- op: remove\n  path: {IN_PIPELINE}\n",
    ],
)
def test_a_json_patch_of_other_fields_of_the_composition_changes_nothing(ops: str) -> None:
    files = tree(PIPELINE, inline(ops))
    result = crossplane.edit(files, REQUEST)
    alone = crossplane.edit({k: v for k, v in files.items() if k.startswith("base/")}, REQUEST)
    assert result.detached == [POWER]
    assert result.changes == alone.changes and list(result.changes) == ["base/composition.yaml"]


PATCH = f"apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: {NAME}\n" + (
    PIPELINE[PIPELINE.index("spec:\n") :].replace(
        "  compositeTypeRef:\n    apiVersion: aws.platform.example.org/v1alpha1\n    kind: XPayments\n", ""
    )
)


@pytest.mark.parametrize("how", ["file", "legacy file", "inline", "inline with a target"])
def test_a_strategic_merge_patch_giving_the_pipeline_with_the_broad_arn_is_refused(how: str) -> None:
    patch = PATCH.replace(f"                    - {CLOUDWATCH}\n", "")
    if how == "file":
        files = tree(PIPELINE, "patches:\n  - path: composition.yaml\n", composition_yaml=patch)
        where = "overlays/prod/composition.yaml (document 1)"
    elif how == "legacy file":
        files = tree(PIPELINE, "patchesStrategicMerge:\n  - composition.yaml\n", composition_yaml=patch)
        where = "overlays/prod/composition.yaml (document 1)"
    else:
        given = patch.replace(f"  name: {NAME}\n", "  name: any\n") if how != "inline" else patch
        files = tree(PIPELINE, inline(given, TARGET if how != "inline" else ""))
        where = "overlays/prod/kustomization.yaml: patches[0] (an inline strategic-merge patch)"
    message = refusal(files)
    assert message.startswith(
        f"{where} is a Kustomize patch of Composition {NAME} that gives its spec.pipeline, which replaces "
        f"the Composition's list whole where the overlay is applied, and it holds {POWER}"
    ), message
    assert message.endswith("Nothing was changed"), message


def test_a_strategic_merge_patch_giving_the_pipeline_without_the_broad_arn_is_refused_too() -> None:
    """The overlay's Composition would keep the patch's templates: neither the removal nor the generated
    policy would reach it, while the change says the policy is replaced."""
    patch = PATCH.replace(f"                    - {POWER}\n", "")
    message = refusal(tree(PIPELINE, "patches:\n  - path: composition.yaml\n", composition_yaml=patch))
    assert message.startswith(
        f"overlays/prod/composition.yaml (document 1) is a Kustomize patch of Composition {NAME} that gives "
        "its spec.pipeline, which replaces the Composition's list whole where the overlay is applied, so "
        "that overlay would get none of this edit"
    ), message


def test_a_strategic_merge_patch_of_other_fields_changes_nothing() -> None:
    patch = (
        f"apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: {NAME}\n"
        "  labels:\n    env: prod\nspec:\n  writeConnectionSecretsToNamespace: crossplane-system\n"
    )
    for kustomization, extra in (
        ("patches:\n  - path: composition.yaml\n", {"composition_yaml": patch}),
        (inline(patch, ""), {}),
    ):
        files = tree(PIPELINE, kustomization, **extra)
        result: EditResult = crossplane.edit(files, REQUEST)
        assert result.detached == [POWER]
        assert list(result.changes) == ["base/composition.yaml"]


def template_value(template: str) -> str:
    """A template of ``ROLE``/``ATTACHMENT`` (a list item at 10 spaces) as an op's ``value``."""
    lines = [line[12:] for line in template.splitlines()]
    return "  value:\n" + "".join(f"    {line}\n" for line in lines)


IN_STEP = "/spec/pipeline/0/input/resources"


@pytest.mark.parametrize(
    ("base", "where", "template", "shown"),
    [
        (CLASSIC, "/spec/resources", ATTACHMENT, "resource appRolePowerUser"),
        (PIPELINE, IN_STEP, ATTACHMENT, "resource appRolePowerUser"),
        (PIPELINE, IN_STEP, ROLE.replace("appRole", "appRoleAgain"), "resource appRoleAgain"),
    ],
)
def test_an_op_adding_a_whole_template_holding_the_broad_arn_is_refused(
    base: str, where: str, template: str, shown: str
) -> None:
    """Added at the end or at a position, a template of the broad attachment (or a Role listing it) is
    composed in every composite resource of that overlay, whatever the base says."""
    for token in ("-", "0"):
        ops = f"- op: add\n  path: {where}/{token}\n" + template_value(template)
        message = refusal(tree(base, inline(ops)))
        assert message.startswith(
            "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Composition "
            f"{NAME}: its op 1 (add {where}/{token}) puts {shown} holding {POWER} in {dotted(where)}, so the "
            "overlay keeps the broad policy whatever the base says"
        ), message


def test_an_op_adding_a_template_without_the_broad_arn_changes_nothing() -> None:
    template = ATTACHMENT.replace(POWER, READONLY).replace("appRolePowerUser", "appRoleReadOnly")
    files = tree(PIPELINE, inline(f"- op: add\n  path: {IN_STEP}/-\n" + template_value(template)))
    result = crossplane.edit(files, REQUEST)
    assert result.detached == [POWER]
    assert list(result.changes) == ["base/composition.yaml"]


def test_an_op_making_a_template_of_the_overlay_hold_the_broad_arn_is_refused() -> None:
    """A ``replace`` of a field of another template puts the broad ARN in it just as an added one does."""
    template = ATTACHMENT.replace(POWER, READONLY).replace("appRolePowerUser", "appRoleReadOnly")
    base = PIPELINE.replace(ROLE, ROLE + template)
    ops = f"- op: replace\n  path: {IN_STEP}/1/base/spec/forProvider/policyArn\n  value: {POWER}\n"
    message = refusal(tree(base, inline(ops)))
    assert (
        f"its op 1 (replace {IN_STEP}/1/base/spec/forProvider/policyArn) puts resource appRoleReadOnly "
        f"holding {POWER} in {dotted(IN_STEP)}"
    ) in message, message


def test_a_broad_template_an_earlier_op_added_is_refused_when_a_later_one_is_removed() -> None:
    """Two ops add a template each holding the broad ARN and a third removes the second: the first stays
    composed in that overlay, so the patch is refused naming the op that put it."""
    again = ATTACHMENT.replace("appRolePowerUser", "appRoleAgain")
    ops = (
        f"- op: add\n  path: {IN_STEP}/0\n"
        + template_value(ATTACHMENT)
        + f"- op: add\n  path: {IN_STEP}/0\n"
        + template_value(again)
        + f"- op: remove\n  path: {IN_STEP}/0\n"
    )
    message = refusal(tree(PIPELINE, inline(ops)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Composition "
        f"{NAME}: its op 1 (add {IN_STEP}/0) puts resource appRolePowerUser holding {POWER} in "
        f"{dotted(IN_STEP)}, so the overlay keeps the broad policy whatever the base says"
    ), message
