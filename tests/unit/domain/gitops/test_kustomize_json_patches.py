"""JSON 6902 patches of an edited Role in a kustomization (``patches`` with a ``target``, and the legacy
``patchesJson6902``).

Kustomize's ``patches`` field takes a strategic-merge patch or a JSON 6902 one, told apart by content: a
patch that decodes as a list of JSON Patch operations is applied to every resource its ``target`` selects
(kustomize api/internal/builtins/PatchTransformer.go; the Kustomization reference at
kubectl.docs.kubernetes.io, "patches" and "patchesJson6902"). The target is a selector: group, version,
kind, name and namespace are anchored regular expressions, labelSelector and annotationSelector are
Kubernetes label selectors (api/types/selector.go, resmap Select). An op that adds a broad ARN to the
Role's policies keeps that policy in the overlay whatever the base says; an op that names a list item by
position names another policy once the edit removed the broad one.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import ack, crossplane, kustomize
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.kustomize_layouts import CLOUDWATCH, CROSSPLANE_BASE, OVERLAY, REQUEST, TARGET

READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"

# aws-controllers-k8s/iam-controller test/e2e/resources/role_simple.yaml, named, labelled and given policies
ACK_BASE = f"""\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
  namespace: payments
  labels:
    app: payments
  annotations:
    team: billing
spec:
  name: payments-api
  assumeRolePolicyDocument: '{{}}'
  policies:
    - {POWER}
    - {CLOUDWATCH}
"""
ADD_POWER = f"- op: add\n  path: /spec/policies/-\n  value: {POWER}\n"


def indented(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line for line in text.splitlines(keepends=True))


def inline(ops: str, target: str = TARGET, field: str = "patches") -> str:
    return f"{field}:\n  - patch: |-\n{indented(ops, 6)}{target}"


def tree(kustomization: str, **extra: str) -> dict[str, str]:
    return {
        "base/role.yaml": ACK_BASE,
        "base/kustomization.yaml": "resources:\n  - role.yaml\n",
        "overlays/prod/kustomization.yaml": OVERLAY + kustomization,
        **{f"overlays/prod/{name.replace('_', '.')}": text for name, text in extra.items()},
    }


def refusal(files: dict[str, str]) -> str:
    with pytest.raises(GitOpsEditError) as err:
        ack.edit(files, REQUEST)
    return str(err.value)


def test_an_inline_patch_adding_the_broad_arn_is_refused_naming_the_kustomization_and_the_op() -> None:
    message = refusal(tree(inline(ADD_POWER)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role "
        f"payments-api: its op 1 (add /spec/policies/-) puts {POWER} in spec.policies, so the overlay keeps "
        "the broad policy whatever the base says"
    ), message
    assert message.endswith("Nothing was changed"), message


def test_a_patch_file_listed_with_a_target_is_read_yaml_or_json() -> None:
    listed = "patches:\n  - path: policies.yaml\n" + TARGET
    message = refusal(tree(listed, policies_yaml=ADD_POWER))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (the JSON 6902 patch overlays/prod/policies.yaml) "
        f"targets Role payments-api: its op 1 (add /spec/policies/-) puts {POWER}"
    ), message
    as_json = f'[{{"op": "add", "path": "/spec/policies/-", "value": "{POWER}"}}]'
    listed = "patches:\n  - path: policies.json\n" + TARGET
    message = refusal(tree(listed, policies_json=as_json))
    assert "(the JSON 6902 patch overlays/prod/policies.json) targets Role payments-api" in message


@pytest.mark.parametrize("by_path", [True, False])
def test_the_legacy_patches_json6902_field_is_read(by_path: bool) -> None:
    target = "    target:\n      group: iam.services.k8s.aws\n      version: v1alpha1\n      kind: Role\n"
    target += "      name: payments-api\n"
    if by_path:
        files = tree("patchesJson6902:\n  - path: policies.yaml\n" + target, policies_yaml=ADD_POWER)
    else:
        files = tree(inline(ADD_POWER, target, field="patchesJson6902"))
    message = refusal(files)
    assert message.startswith("overlays/prod/kustomization.yaml: patchesJson6902[0] ("), message
    assert f"its op 1 (add /spec/policies/-) puts {POWER} in spec.policies" in message


@pytest.mark.parametrize(
    ("ops", "op"),
    [
        (f"- op: replace\n  path: /spec/policies\n  value:\n    - {POWER}\n", "replace /spec/policies"),
        (f"- op: add\n  path: /spec/policies/0\n  value: {POWER}\n", "add /spec/policies/0"),
        (
            f"- op: add\n  path: /spec\n  value:\n    name: payments-api\n    policies: [{POWER}]\n",
            "add /spec",
        ),
        (
            f"- op: add\n  path: /metadata/annotations/broad\n  value: {POWER}\n"
            "- op: copy\n  from: /metadata/annotations/broad\n  path: /spec/policies/-\n",
            "copy /metadata/annotations/broad to /spec/policies/-",
        ),
        (
            f"- op: add\n  path: /metadata/annotations/broad\n  value: {POWER}\n"
            "- op: move\n  from: /metadata/annotations/broad\n  path: /spec/policies/-\n",
            "move /metadata/annotations/broad to /spec/policies/-",
        ),
    ],
)
def test_every_op_that_lands_the_broad_arn_in_the_list_is_named(ops: str, op: str) -> None:
    message = refusal(tree(inline(ops)))
    assert f"its op {ops.count('- op:')} ({op}) puts {POWER} in spec.policies" in message, message


@pytest.mark.parametrize(
    "target",
    [
        "    target:\n      kind: Role\n      name: payments-.*\n",
        "    target:\n      kind: Role\n      labelSelector: app=payments,tier notin (web)\n",
        "    target:\n      annotationSelector: team in (billing, ops)\n",
        "    target:\n      group: iam.services.k8s.aws\n      kind: Role\n      namespace: payments\n",
    ],
)
def test_a_target_selects_as_kustomize_does(target: str) -> None:
    """Regular expressions anchored at both ends, and label selectors on labels and annotations."""
    assert "its op 1 (add /spec/policies/-)" in refusal(tree(inline(ADD_POWER, target)))


@pytest.mark.parametrize(
    "target",
    [
        "    target:\n      kind: Role\n      name: payments\n",  # anchored: not a prefix match
        "    target:\n      kind: Role\n      name: other-api\n",
        "    target:\n      kind: Policy\n      name: payments-api\n",
        "    target:\n      group: iam.aws.upbound.io\n      kind: Role\n",
        "    target:\n      kind: Role\n      namespace: billing\n",
        "    target:\n      kind: Role\n      labelSelector: app!=payments\n",
        "    target:\n      kind: Role\n      annotationSelector: '!team'\n",
    ],
)
def test_a_patch_of_another_resource_does_not_stop_the_edit(target: str) -> None:
    files = tree(inline(ADD_POWER, target))
    result = ack.edit(files, REQUEST)
    assert result.detached == [POWER]
    assert set(result.changes) == {"base/role.yaml"}


def test_a_patch_of_other_fields_changes_nothing() -> None:
    ops = "- op: add\n  path: /spec/tags\n  value:\n    - key: env\n      value: prod\n"
    ops += "- op: replace\n  path: /spec/description\n  value: payments in prod\n"
    listed = "patches:\n  - path: tags.yaml\n" + TARGET
    result = ack.edit(tree(listed, tags_yaml=ops), REQUEST)
    assert result.detached == [POWER]
    assert set(result.changes) == {"base/role.yaml"}


@pytest.mark.parametrize(
    "ops",
    [
        "- op: remove\n  path: /spec/policies\n",
        f"- op: replace\n  path: /spec/policies\n  value:\n    - {READONLY}\n",
        f"- op: add\n  path: /spec/policies/-\n  value: {READONLY}\n",
    ],
)
def test_a_patch_that_drops_the_broad_arn_or_adds_another_is_no_problem(ops: str) -> None:
    result = ack.edit(tree(inline(ops)), REQUEST)
    assert result.detached == [POWER]
    assert set(result.changes) == {"base/role.yaml"}


def test_an_op_naming_the_broad_arn_by_position_is_refused() -> None:
    """The edit removes the broad ARN from the base's list: item 0 is another policy afterwards, which the
    overlay would then remove instead (``kustomize build`` gives no error)."""
    message = refusal(tree(inline("- op: remove\n  path: /spec/policies/0\n")))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role "
        "payments-api: its op 1 (remove /spec/policies/0) names item 0 of spec.policies by position: "
        f"{POWER} before this edit, {CLOUDWATCH} after it"
    ), message


def test_an_op_that_would_no_longer_apply_is_refused() -> None:
    """A Role whose only policy is the broad one loses spec.policies (its generated policy goes to
    spec.policyRefs): a test of the old list fails ``kustomize build`` of the overlay."""
    base = ACK_BASE.replace(f"    - {CLOUDWATCH}\n", "")
    ops = f"- op: test\n  path: /spec/policies\n  value:\n    - {POWER}\n"
    files = tree(inline(ops)) | {"base/role.yaml": base}
    message = refusal(files)
    assert "its op 1 (test /spec/policies) would no longer apply once the Role is edited" in message, message


def test_a_strategic_merge_patch_in_the_patches_field_is_left_to_the_patch_file_checks() -> None:
    """Told apart from a JSON 6902 patch by its content (a mapping, not a list of ops)."""
    smp = "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata:\n  name: payments-api\n"
    smp += "spec:\n  description: prod\n"
    result = ack.edit(tree(inline(smp)), REQUEST)
    assert result.detached == [POWER]


def test_a_crossplane_roles_managed_policy_arns_are_read_too() -> None:
    ops = f"- op: add\n  path: /spec/forProvider/managedPolicyArns/-\n  value: {POWER}\n"
    files = tree(inline(ops, "    target:\n      group: iam.aws.upbound.io\n      name: payments-api\n"))
    files["base/role.yaml"] = CROSSPLANE_BASE
    with pytest.raises(GitOpsEditError) as err:
        crossplane.edit(files, REQUEST)
    assert (
        "its op 1 (add /spec/forProvider/managedPolicyArns/-) puts "
        f"{POWER} in spec.forProvider.managedPolicyArns" in str(err.value)
    ), str(err.value)


def test_a_crossplane_patch_of_tags_changes_nothing() -> None:
    ops = "- op: add\n  path: /spec/forProvider/tags\n  value:\n    env: prod\n"
    files = tree(inline(ops))
    files["base/role.yaml"] = CROSSPLANE_BASE
    result = crossplane.edit(files, REQUEST)
    assert result.detached == [POWER]
    assert set(result.changes) == {"base/role.yaml"}


@pytest.mark.parametrize(
    ("selector", "selected"),
    [
        ("app", True),
        ("!app", False),
        ("app==payments", True),
        ("app=payments, team", False),
        ("app in (web,payments),!team", True),
        ("tier notin (web)", True),
        ("app notin (payments)", False),
        ("app in (web", False),  # does not parse: kustomize fails the build, nothing is selected
    ],
)
def test_label_selectors_read_as_kubernetes_writes_them(selector: str, selected: bool) -> None:
    """ "Labels and Selectors" in the Kubernetes docs: equality- and set-based requirements, all to hold."""
    assert kustomize.matches_selector(selector, {"app": "payments"}) is selected


ROLE = {"metadata": {"name": "r", "annotations": {}}, "spec": {"policies": [POWER, CLOUDWATCH]}}


@pytest.mark.parametrize(
    ("op", "policies", "added"),
    [
        ({"op": "add", "path": "/spec/policies/-2", "value": "X"}, [POWER, "X", CLOUDWATCH], {}),
        ({"op": "add", "path": "/spec/policies/01", "value": "X"}, [POWER, "X", CLOUDWATCH], {}),
        ({"op": "replace", "path": "/spec/policies/-1", "value": "X"}, [POWER, "X"], {}),
        ({"op": "replace", "path": "/spec/missing", "value": "X"}, [POWER, CLOUDWATCH], {"missing": "X"}),
        ({"op": "copy", "from": "/spec/missing", "path": "/spec/policies/-"}, [POWER, CLOUDWATCH, None], {}),
        ({"op": "test", "path": "/spec/missing", "value": None}, [POWER, CLOUDWATCH], {}),
        ({"op": "move", "from": "/spec/policies/0", "path": "/spec/other"}, [CLOUDWATCH], {"other": POWER}),
    ],
)
def test_ops_apply_as_kustomize_applies_them(
    op: dict[str, object], policies: list[object], added: dict[str, object]
) -> None:
    """The results ``kubectl kustomize`` (kustomize v5.5.0, evanphx/json-patch) gave for each op on this
    Role: negative indexes, and a missing key that ``replace`` adds and ``copy``/``test`` read as null."""
    assert kustomize.apply_op(ROLE, op)["spec"] == {"policies": policies, **added}


@pytest.mark.parametrize(
    "op",
    [
        {"op": "add", "path": "/spec/policies/3", "value": "X"},
        {"op": "add", "path": "/spec/policies/-4", "value": "X"},
        {"op": "add", "path": "/spec/x/y", "value": "X"},
        {"op": "replace", "path": "/spec/policies/5", "value": "X"},
        {"op": "replace", "path": "/spec/x/y", "value": "X"},
        {"op": "remove", "path": "/spec/missing"},
        {"op": "copy", "from": "/spec/x/missing", "path": "/spec/policies/-"},
        {"op": "move", "from": "/spec/missing", "path": "/spec/policies/-"},
        {"op": "test", "path": "/spec/missing", "value": "a"},
        {"op": "bogus", "path": "/spec/policies/0", "value": "X"},
    ],
)
def test_ops_that_kustomize_build_fails_on(op: dict[str, object]) -> None:
    with pytest.raises(kustomize.OpFailed):
        kustomize.apply_op(ROLE, op)


def test_a_replace_of_a_list_the_edit_removed_puts_it_back() -> None:
    """The Role's only policy is the broad one: the edit removes spec.policies (the generated policy goes to
    spec.policyRefs). kustomize's replace of the missing list adds it, so the overlay keeps the broad ARN
    (and gives both lists, which the ACK controller refuses)."""
    base = ACK_BASE.replace(f"    - {CLOUDWATCH}\n", "")
    ops = f"- op: replace\n  path: /spec/policies\n  value:\n    - {POWER}\n"
    message = refusal(tree(inline(ops)) | {"base/role.yaml": base})
    assert f"its op 1 (replace /spec/policies) puts {POWER} in spec.policies" in message, message
