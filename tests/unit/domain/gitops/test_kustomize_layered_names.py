"""A Role renamed or moved by a kustomization between its base and the overlay whose patch targets it.

Kustomize builds a kustomization's resources first, each base or intermediate overlay with its own
transformers (``namePrefix``, ``nameSuffix``, ``namespace``), so the overlay above sees the Role under the
name and namespace the layers below gave it (kubectl.docs.kubernetes.io, the Kustomization reference,
"namePrefix" and "namespace"; kustomize.io, "bases and overlays"). A patch's target is matched against the
resource's original id or its current one (kustomize api/resmap/reswrangler.go ``Select``): a patch of
``prod-payments-api`` in the overlay above a ``namePrefix: prod-`` layer is a patch of the edited Role.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policygen_operator.domain.gitops import ack, crossplane
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.kustomize_layouts import ACK_BASE, CROSSPLANE_BASE, REQUEST
from tests.unit.domain.gitops.test_kustomize_composition_patches import CLASSIC as COMPOSITION
from tests.unit.domain.gitops.test_kustomize_composition_patches import IN_CLASSIC, NAME

ADD_POWER = f"      - op: add\n        path: /spec/policies/-\n        value: {POWER}\n"
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def patched(name: str, namespace: str = "", ops: str = ADD_POWER) -> str:
    """The top overlay: the intermediate one as its resource, an inline JSON 6902 patch of ``name``."""
    where = f"      namespace: {namespace}\n" if namespace else ""
    return (
        f"{KUSTOMIZATION}resources:\n  - ../mid\npatches:\n  - patch: |-\n{ops}"
        f"    target:\n      kind: Role\n      name: {name}\n{where}"
    )


def tree(mid: str, top: str, base: str = ACK_BASE) -> dict[str, str]:
    return {
        "base/role.yaml": base,
        "base/kustomization.yaml": "resources:\n  - role.yaml\n",
        "overlays/mid/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - ../../base\n{mid}",
        "overlays/prod/kustomization.yaml": top,
    }


def refusal(
    files: dict[str, str], edit: Callable[[dict[str, str], EditRequest], EditResult] = ack.edit
) -> str:
    with pytest.raises(GitOpsEditError) as err:
        edit(files, REQUEST)
    return str(err.value)


def test_a_patch_of_the_name_an_intermediate_name_prefix_gives_is_refused() -> None:
    message = refusal(tree("namePrefix: prod-\n", patched("prod-payments-api")))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role payments-api "
        "(prod-payments-api as overlays/mid/kustomization.yaml gives it): its op 1 (add /spec/policies/-) "
        f"puts {POWER} in spec.policies, so the overlay keeps the broad policy whatever the base says"
    ), message


def test_a_patch_of_a_name_no_layer_gives_changes_nothing() -> None:
    for name in ("staging-payments-api", "payments-api-prod"):
        result = ack.edit(tree("namePrefix: prod-\n", patched(name)), REQUEST)
        assert result.detached == [POWER]
        assert set(result.changes) == {"base/role.yaml"}


def test_suffixes_and_prefixes_of_every_layer_below_add_up() -> None:
    """Two layers: the inner one's prefix first, the outer one's around it, as each builds in turn."""
    files = tree("namePrefix: prod-\nnameSuffix: -eu\n", "") | {
        "overlays/region/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - ../mid\nnamePrefix: x-\n",
        "overlays/prod/kustomization.yaml": patched("x-prod-payments-api-eu").replace("../mid", "../region"),
    }
    message = refusal(files)
    assert "(x-prod-payments-api-eu as overlays/region/kustomization.yaml gives it)" in message, message


def test_a_patch_of_the_namespace_an_intermediate_layer_gives_is_refused() -> None:
    message = refusal(tree("namespace: payments-prod\n", patched("payments-api", "payments-prod")))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role payments-api "
        "(in namespace payments-prod as overlays/mid/kustomization.yaml gives it): its op 1"
    ), message
    result = ack.edit(tree("namespace: payments-prod\n", patched("payments-api", "payments-dev")), REQUEST)
    assert result.detached == [POWER]


def test_the_original_name_still_selects_the_renamed_role() -> None:
    """``Select`` matches the original id too: the patch of the base's name is refused as before."""
    message = refusal(tree("namePrefix: prod-\n", patched("payments-api")))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role payments-api: "
    ), message


def test_a_crossplane_role_renamed_below_the_patch_is_refused() -> None:
    ops = f"      - op: add\n        path: /spec/forProvider/managedPolicyArns/-\n        value: {POWER}\n"
    files = tree("namePrefix: prod-\n", patched("prod-payments-api", ops=ops), CROSSPLANE_BASE)
    message = refusal(files, crossplane.edit)
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role payments-api "
        "(prod-payments-api as overlays/mid/kustomization.yaml gives it): its op 1"
    ), message


def test_an_inline_strategic_merge_patch_of_the_renamed_role_is_refused() -> None:
    """A strategic-merge patch with a target is selected the same way (``ack.patch_of``)."""
    patch = (
        "      apiVersion: iam.services.k8s.aws/v1alpha1\n      kind: Role\n      metadata:\n"
        f"        name: not-important\n      spec:\n        policies:\n          - {POWER}\n"
    )
    message = refusal(tree("namePrefix: prod-\n", patched("prod-payments-api", ops=patch)))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline strategic-merge patch) of Role payments-api "
        f"lists {POWER} in spec.policies"
    ), message
    result = ack.edit(tree("namePrefix: prod-\n", patched("dev-payments-api", ops=patch)), REQUEST)
    assert result.detached == [POWER]


def test_a_layer_that_does_not_hold_the_role_renames_nothing() -> None:
    """The prefix of a kustomization whose resources do not lead to the Role's file gives it no name."""
    files = tree("", patched("prod-payments-api")) | {
        "overlays/other/kustomization.yaml": (
            f"{KUSTOMIZATION}resources:\n  - deployment.yaml\nnamePrefix: prod-\n"
        ),
    }
    files["overlays/prod/kustomization.yaml"] = files["overlays/prod/kustomization.yaml"].replace(
        "  - ../mid\n", "  - ../mid\n  - ../other\n"
    )
    result = ack.edit(files, REQUEST)
    assert result.detached == [POWER]


def test_a_component_sees_the_role_as_the_resources_of_its_kustomization_give_it() -> None:
    """A component's patches run on the resources of the kustomization listing it, as built below."""
    component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n" + patched(
        "prod-payments-api"
    ).removeprefix(KUSTOMIZATION).removeprefix("resources:\n  - ../mid\n")
    top = f"{KUSTOMIZATION}resources:\n  - ../mid\ncomponents:\n  - ../policies\n"
    files = tree("namePrefix: prod-\n", top)
    message = refusal(files | {"overlays/policies/kustomization.yaml": component})
    assert message.startswith(
        "overlays/policies/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role "
        "payments-api (prod-payments-api as overlays/mid/kustomization.yaml gives it): its op 1"
    ), message


def test_a_composition_renamed_below_the_patch_is_read_as_a_role_is() -> None:
    ops = f"      - op: add\n        path: {IN_CLASSIC}/-\n        value: {POWER}\n"
    top = patched(f"prod-{NAME}", ops=ops).replace("kind: Role", "kind: Composition")
    files = tree("namePrefix: prod-\n", top) | {"base/role.yaml": COMPOSITION}
    with pytest.raises(GitOpsEditError) as err:
        crossplane.edit(files, REQUEST)
    assert str(err.value).startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Composition "
        f"{NAME} (prod-{NAME} as overlays/mid/kustomization.yaml gives it): its op 1"
    ), err.value
