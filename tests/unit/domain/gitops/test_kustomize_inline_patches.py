"""Strategic-merge patches written inline in a kustomization (``patches: - patch: |-`` with or without a
``target``, ``patchesStrategicMerge: - |-``), and a kustomization file named ``Kustomization``.

Kustomize's ``patches`` field takes a strategic-merge patch or a JSON 6902 one, told apart by content; a
strategic-merge patch without a target is applied to the resource of its own id, one with a target to every
resource the target selects, whatever the patch names (kustomize api/internal/builtins/PatchTransformer.go,
``transformStrategicMerge``; api/resmap/reswrangler.go ``ApplySmPatch`` gives the patch the resource's
kind and version). A patch of a custom resource replaces its lists whole (no strategic merge for custom
resources, "Update API Objects in Place Using kubectl patch" in the Kubernetes docs): an inline patch
listing a broad policy keeps it in that overlay whatever the base says, as the same document in a patch
file would. Kustomize reads a kustomization named ``kustomization.yaml``, ``kustomization.yml`` or
``Kustomization`` (api/konfig/general.go, ``RecognizedKustomizationFileNames``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policygen_operator.domain.gitops import ack, crossplane
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError
from policygen_operator.services.pullrequest import read_files
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.kustomize_layouts import (
    ACK_BASE,
    CLOUDWATCH,
    CROSSPLANE_BASE,
    OVERLAY,
    REQUEST,
    TARGET,
)

ACK_HEAD = "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata:\n  name: payments-api\n"
ACK_POLICIES = ACK_HEAD + f"spec:\n  policies:\n    - {POWER}\n    - {CLOUDWATCH}\n"
ACK_TAGS = ACK_HEAD + "spec:\n  tags:\n    - key: env\n      value: prod\n"

CROSSPLANE_HEAD = "apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata:\n  name: payments-api\n"
CROSSPLANE_POLICIES = CROSSPLANE_HEAD + f"spec:\n  forProvider:\n    managedPolicyArns:\n      - {POWER}\n"
CROSSPLANE_TAGS = CROSSPLANE_HEAD + "spec:\n  forProvider:\n    tags:\n      env: prod\n"


def indented(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line for line in text.splitlines(keepends=True))


def inline(patch: str, target: str = "") -> str:
    return f"patches:\n  - patch: |-\n{indented(patch, 6)}{target}"


def legacy(patch: str) -> str:
    return f"patchesStrategicMerge:\n  - |-\n{indented(patch, 4)}"


def tree(base: str, kustomization: str, name: str = "kustomization.yaml") -> dict[str, str]:
    return {
        "base/role.yaml": base,
        "base/kustomization.yaml": "resources:\n  - role.yaml\n",
        f"overlays/prod/{name}": OVERLAY + kustomization,
    }


def refusal(edit: Callable[[dict[str, str], EditRequest], EditResult], files: dict[str, str]) -> str:
    with pytest.raises(GitOpsEditError) as err:
        edit(files, REQUEST)
    return str(err.value)


def test_an_inline_patch_of_the_ack_role_listing_the_broad_arn_is_refused_naming_the_entry() -> None:
    message = refusal(ack.edit, tree(ACK_BASE, inline(ACK_POLICIES)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline strategic-merge patch) of Role "
        f"payments-api lists {POWER} in spec.policies, which replaces the Role's list where the overlay is "
        "applied: policygen does not edit patches"
    ), message
    assert message.endswith("Nothing was changed"), message


def test_a_targeted_inline_patch_is_read_whatever_it_names() -> None:
    """With a target, kustomize applies the patch to the Roles it selects: the patch's own name does not
    matter (kustomize's docs write ``name: not-important``)."""
    patch = ACK_POLICIES.replace("name: payments-api", "name: not-important")
    message = refusal(ack.edit, tree(ACK_BASE, inline(patch, TARGET)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline strategic-merge patch) of Role "
        f"payments-api lists {POWER} in spec.policies"
    ), message
    other = TARGET.replace("name: payments-api", "name: orders-.*")
    result = ack.edit(tree(ACK_BASE, inline(ACK_POLICIES, other)), REQUEST)
    assert result.detached == [POWER]


def test_an_inline_patch_of_another_role_or_of_other_fields_changes_nothing() -> None:
    for patch in (ACK_TAGS, ACK_POLICIES.replace("name: payments-api", "name: orders-api")):
        result = ack.edit(tree(ACK_BASE, inline(patch)), REQUEST)
        assert result.detached == [POWER]
        assert set(result.changes) == {"base/role.yaml"}


def test_the_legacy_inline_patches_strategic_merge_string_is_read() -> None:
    message = refusal(ack.edit, tree(ACK_BASE, legacy(ACK_POLICIES)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patchesStrategicMerge[0] (an inline strategic-merge patch) of "
        f"Role payments-api lists {POWER} in spec.policies"
    ), message
    assert ack.edit(tree(ACK_BASE, legacy(ACK_TAGS)), REQUEST).detached == [POWER]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(inline, id="patches"),
        pytest.param(legacy, id="patchesStrategicMerge"),
        pytest.param(lambda p: inline(p, TARGET), id="patches-target"),
    ],
)
def test_an_inline_patch_setting_a_crossplane_roles_managed_policy_arns_is_refused(
    write: Callable[[str], str],
) -> None:
    message = refusal(crossplane.edit, tree(CROSSPLANE_BASE, write(CROSSPLANE_POLICIES)))
    field = "patchesStrategicMerge" if write is legacy else "patches"
    assert message.startswith(
        f"overlays/prod/kustomization.yaml: {field}[0] (an inline strategic-merge patch) is a Kustomize "
        "patch of Role payments-api that sets its policies (a patch replaces the list whole): policygen does "
        "not edit patches"
    ), message
    result = crossplane.edit(tree(CROSSPLANE_BASE, write(CROSSPLANE_TAGS)), REQUEST)
    assert result.detached == [POWER]
    assert set(result.changes) == {"base/role.yaml"}


def test_an_ack_inline_patch_naming_spec_name_is_refused_when_it_sets_the_policies_at_all() -> None:
    """As ``find_role`` refuses such a document in a patch file: the overlay's list replaces the base's."""
    patch = ACK_HEAD + f"spec:\n  name: payments-api\n  policies:\n    - {CLOUDWATCH}\n"
    message = refusal(ack.edit, tree(ACK_BASE, inline(patch)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline strategic-merge patch) is a Kustomize patch "
        "of Role payments-api that sets its policies (a patch replaces the list whole)"
    ), message


def test_the_second_document_of_an_inline_patch_is_named() -> None:
    patch = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n---\n" + ACK_POLICIES
    message = refusal(ack.edit, tree(ACK_BASE, inline(patch)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline strategic-merge patch, document 2) of Role "
    ), message


def test_a_kustomization_named_kustomization_is_read_like_kustomization_yaml() -> None:
    """Its patch files are patches, its inline patches and JSON 6902 patches are read."""
    files = tree(CROSSPLANE_BASE, "patches:\n  - path: role.yaml\n", name="Kustomization")
    message = refusal(crossplane.edit, files | {"overlays/prod/role.yaml": CROSSPLANE_POLICIES})
    assert message.startswith(
        "overlays/prod/role.yaml (document 1) is a Kustomize patch (overlays/prod/Kustomization) of Role "
        "payments-api that sets its policies"
    ), message
    message = refusal(ack.edit, tree(ACK_BASE, inline(ACK_POLICIES), name="Kustomization"))
    assert message.startswith("overlays/prod/Kustomization: patches[0] (an inline strategic-merge patch)")
    ops = f"- op: add\n  path: /spec/policies/-\n  value: {POWER}\n"
    message = refusal(ack.edit, tree(ACK_BASE, inline(ops, TARGET), name="Kustomization"))
    assert message.startswith("overlays/prod/Kustomization: patches[0] (an inline JSON 6902 patch)"), message


def test_a_kustomization_named_kustomization_is_read_from_the_repository(tmp_path: Path) -> None:
    for name, text in tree(CROSSPLANE_BASE, inline(CROSSPLANE_POLICIES), name="Kustomization").items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    files = read_files(tmp_path, "")
    assert "overlays/prod/Kustomization" in files
    assert refusal(crossplane.edit, files).startswith("overlays/prod/Kustomization: patches[0] ")
