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


# An ACK Role patch without a target or spec.name, named as the layers below the listing overlay name it
RENAMED_PATCH = f"""\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: prod-payments-api
  namespace: payments
spec:
  policies:
    - {POWER}
"""


def listing(field: str, resource: str = "../mid") -> str:
    """The top overlay listing ``role-patch.yaml`` as a patch without a target."""
    entry = "  - path: role-patch.yaml\n" if field == "patches" else "  - role-patch.yaml\n"
    return f"{KUSTOMIZATION}resources:\n  - {resource}\n{field}:\n{entry}"


@pytest.mark.parametrize("field", ["patches", "patchesStrategicMerge"])
def test_an_untargeted_patch_file_naming_the_renamed_role_is_refused(field: str) -> None:
    """Kustomize applies a patch without a target to the resource any of whose ids, the current one or
    one it had before (``PrevIds``), is the patch's own (resmap ``GetById``): the name a layer below gave
    the Role is one."""
    files = tree("namePrefix: prod-\n", listing(field)) | {"overlays/prod/role-patch.yaml": RENAMED_PATCH}
    message = refusal(files)
    assert message.startswith(
        "overlays/prod/role-patch.yaml (document 1): a patch of Role payments-api (prod-payments-api as "
        "overlays/mid/kustomization.yaml gives it; no spec.name: a Kustomize overlay's) lists "
        f"{POWER} in spec.policies"
    ), message


def test_an_untargeted_patch_file_of_a_name_no_layer_below_gives_changes_nothing() -> None:
    for name in ("dev-payments-api", "payments-api-prod"):
        patch = RENAMED_PATCH.replace("prod-payments-api", name)
        files = tree("namePrefix: prod-\n", listing("patches")) | {"overlays/prod/role-patch.yaml": patch}
        result = ack.edit(files, REQUEST)
        assert result.detached == [POWER]
    # the prefix of the overlay listing the patch applies after its patches: no name of the Role yet
    top = listing("patches", "../../base") + "namePrefix: prod-\n"
    files = tree("", top) | {"overlays/prod/role-patch.yaml": RENAMED_PATCH}
    assert ack.edit(files, REQUEST).detached == [POWER]


def test_every_name_the_role_had_below_names_it_for_an_untargeted_patch() -> None:
    """``GetById`` matches the ids a resource had before too, the one between two layers' prefixes, and
    the one between a layer's prefix and its suffix (each transformer stores the id it changes)."""
    mid = "namePrefix: prod-\nnameSuffix: -eu\n"
    files = tree(mid, "") | {
        "overlays/region/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - ../mid\nnamePrefix: x-\n",
        "overlays/prod/kustomization.yaml": listing("patches", "../region"),
        "overlays/prod/role-patch.yaml": RENAMED_PATCH,
    }
    message = refusal(files)
    assert "(prod-payments-api as overlays/mid/kustomization.yaml gives it; no spec.name" in message, message
    renamed = RENAMED_PATCH.replace("prod-payments-api", "x-prod-payments-api-eu")
    files["overlays/prod/role-patch.yaml"] = renamed
    message = refusal(files)
    assert "(x-prod-payments-api-eu as overlays/region/kustomization.yaml gives it; no" in message, message


def test_an_inline_untargeted_patch_naming_the_renamed_role_is_refused() -> None:
    inline = "".join(f"      {line}\n" for line in RENAMED_PATCH.splitlines())
    top = f"{KUSTOMIZATION}resources:\n  - ../mid\npatchesStrategicMerge:\n  - |-\n{inline}"
    message = refusal(tree("namePrefix: prod-\n", top))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patchesStrategicMerge[0] (an inline strategic-merge patch) of "
        f"Role payments-api lists {POWER} in spec.policies"
    ), message


def test_an_untargeted_crossplane_patch_file_naming_the_renamed_role_is_refused() -> None:
    patch = (
        "apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata:\n  name: prod-payments-api\n"
        f"spec:\n  forProvider:\n    managedPolicyArns:\n      - {POWER}\n"
    )
    files = tree("namePrefix: prod-\n", listing("patches"), CROSSPLANE_BASE)
    message = refusal(files | {"overlays/prod/role-patch.yaml": patch}, crossplane.edit)
    assert message.startswith(
        "overlays/prod/role-patch.yaml (document 1) is a Kustomize patch (overlays/prod/kustomization.yaml; "
        "prod-payments-api as overlays/mid/kustomization.yaml gives it) of Role payments-api that sets its "
        "policies"
    ), message


def test_an_untargeted_patch_of_the_renamed_composition_is_refused() -> None:
    patch = (
        "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n"
        f"  name: prod-{NAME}\nspec:\n  resources: []\n"
    )
    files = tree("namePrefix: prod-\n", listing("patches")) | {
        "base/role.yaml": COMPOSITION,
        "overlays/prod/role-patch.yaml": patch,
    }
    with pytest.raises(GitOpsEditError) as err:
        crossplane.edit(files, REQUEST)
    assert str(err.value).startswith(
        "overlays/prod/role-patch.yaml (document 1) is a Kustomize patch of Composition "
        f"{NAME} that gives its spec.resources"
    ), err.value


def labelled(selector: str, resource: str = "../mid") -> str:
    """The top overlay: an inline JSON 6902 patch of the Roles ``selector`` selects by their labels."""
    return (
        f"{KUSTOMIZATION}resources:\n  - {resource}\npatches:\n  - patch: |-\n{ADD_POWER}"
        f"    target:\n      kind: Role\n      labelSelector: {selector}\n"
    )


@pytest.mark.parametrize(
    "mid",
    [
        "commonLabels:\n  team: payments\n",
        "labels:\n  - pairs:\n      team: payments\n",
        "labels:\n  - pairs:\n      team: payments\n    includeSelectors: true\n",
    ],
)
def test_a_label_selector_of_a_label_a_layer_below_adds_is_refused(mid: str) -> None:
    """``Select`` matches a labelSelector against the resource's labels as built so far (resmap
    ``MatchesLabelSelector``); ``commonLabels`` and ``labels`` (with or without ``includeSelectors``) add
    theirs to ``metadata.labels`` (the Kustomization reference, "commonLabels", "labels")."""
    message = refusal(tree(mid, labelled("team=payments")))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role payments-api "
        "(labelled as overlays/mid/kustomization.yaml labels it): its op 1 (add /spec/policies/-) puts "
    ), message


def test_a_label_selector_no_layer_below_satisfies_changes_nothing() -> None:
    for mid, selector in [
        ("commonLabels:\n  team: payments\n", "team=billing"),
        ("commonLabels:\n  team: payments\n", "team,tier"),
        ("", "team=payments"),
    ]:
        result = ack.edit(tree(mid, labelled(selector)), REQUEST)
        assert result.detached == [POWER]


def test_a_label_a_layer_below_changes_no_longer_selects_the_role() -> None:
    """A label's value set again by a layer replaces the base's (the "commonLabels" reference: the value is
    overridden): the selector of the base's value selects nothing above it."""
    base = ACK_BASE.replace("  namespace: payments\n", "  namespace: payments\n  labels:\n    team: web\n")
    result = ack.edit(tree("commonLabels:\n  team: payments\n", labelled("team=web"), base), REQUEST)
    assert result.detached == [POWER]
    message = refusal(tree("", labelled("team=web"), base))
    assert "targets Role payments-api: its op 1" in message, message


def test_labels_of_two_layers_and_a_rename_add_up() -> None:
    files = tree("commonLabels:\n  team: payments\nnamePrefix: prod-\n", "") | {
        "overlays/region/kustomization.yaml": (
            f"{KUSTOMIZATION}resources:\n  - ../mid\nlabels:\n  - pairs:\n      region: eu\n"
        ),
        "overlays/prod/kustomization.yaml": labelled("team=payments,region in (eu)", "../region").replace(
            "      kind: Role\n", "      kind: Role\n      name: prod-payments-api\n"
        ),
    }
    message = refusal(files)
    assert (
        "targets Role payments-api (prod-payments-api as overlays/mid/kustomization.yaml gives it; labelled "
        "as overlays/region/kustomization.yaml labels it)"
    ) in message, message


def test_an_inline_strategic_merge_patch_selecting_by_a_layers_label_is_refused() -> None:
    patch = (
        "      apiVersion: iam.services.k8s.aws/v1alpha1\n      kind: Role\n      metadata:\n"
        f"        name: not-important\n      spec:\n        policies:\n          - {POWER}\n"
    )
    top = labelled("team=payments").replace(ADD_POWER, patch)
    message = refusal(tree("commonLabels:\n  team: payments\n", top))
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patches[0] (an inline strategic-merge patch) of Role payments-api "
        f"lists {POWER} in spec.policies"
    ), message


def same_layer(field: str, target: str, own: str) -> str:
    """An overlay over the base with its own ``own`` transformers and a JSON 6902 patch of ``target``."""
    return (
        f"{KUSTOMIZATION}resources:\n  - ../../base\n{own}{field}:\n  - patch: |-\n{ADD_POWER}"
        f"    target:\n      kind: Role\n{target}"
    )


def test_a_patch_sees_the_role_before_its_own_kustomizations_prefix() -> None:
    """In one kustomization ``patchesStrategicMerge`` and ``patches`` run before ``namespace``,
    ``namePrefix``, ``nameSuffix`` and the labels (kustomize api/internal/target/
    kusttarget_configplugin.go, ``configureBuiltinTransformers``): the overlay's own prefix gives the Role
    no name its ``patches`` select by."""
    for own, target in [
        ("namePrefix: prod-\n", "      name: prod-payments-api\n"),
        ("nameSuffix: -prod\n", "      name: payments-api-prod\n"),
        ("namespace: payments-prod\n", "      namespace: payments-prod\n"),
        ("commonLabels:\n  team: payments\n", "      labelSelector: team=payments\n"),
    ]:
        files = tree("", "") | {"overlays/prod/kustomization.yaml": same_layer("patches", target, own)}
        assert ack.edit(files, REQUEST).detached == [POWER]


@pytest.mark.parametrize(
    ("own", "target", "how"),
    [
        ("namePrefix: prod-\n", "      name: prod-payments-api\n", "prod-payments-api as"),
        ("namePrefix: prod-\nnameSuffix: -eu\n", "      name: prod-.*-eu\n", "prod-payments-api-eu as"),
        ("namespace: payments-prod\n", "      namespace: payments-prod\n", "in namespace payments-prod as"),
        ("commonLabels:\n  team: payments\n", "      labelSelector: team=payments\n", "labelled as"),
    ],
)
def test_a_legacy_json_6902_patch_sees_the_role_after_its_own_kustomizations_prefix(
    own: str, target: str, how: str
) -> None:
    """``patchesJson6902`` runs after the kustomization's ``namespace``, ``namePrefix``, ``nameSuffix`` and
    labels (``configureBuiltinTransformers`` lists ``PatchJson6902Transformer`` after them)."""
    files = tree("", "") | {"overlays/prod/kustomization.yaml": same_layer("patchesJson6902", target, own)}
    message = refusal(files)
    assert message.startswith(
        "overlays/prod/kustomization.yaml: patchesJson6902[0] (an inline JSON 6902 patch) targets Role "
        f"payments-api ({how} overlays/prod/kustomization.yaml "
    ), message


def test_a_components_legacy_json_6902_patch_sees_its_own_prefix_too() -> None:
    """A component's transformers run as a kustomization's do, on the resources it is applied to."""
    component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n" + same_layer(
        "patchesJson6902", "      name: x-prod-payments-api\n", "namePrefix: x-\n"
    ).removeprefix(KUSTOMIZATION).removeprefix("resources:\n  - ../../base\n")
    top = f"{KUSTOMIZATION}resources:\n  - ../mid\ncomponents:\n  - ../policies\n"
    files = tree("namePrefix: prod-\n", top) | {"overlays/policies/kustomization.yaml": component}
    message = refusal(files)
    assert message.startswith(
        "overlays/policies/kustomization.yaml: patchesJson6902[0] (an inline JSON 6902 patch) targets Role "
        "payments-api (x-prod-payments-api as overlays/policies/kustomization.yaml gives it): its op 1"
    ), message
    files["overlays/policies/kustomization.yaml"] = component.replace("patchesJson6902:", "patches:")
    assert ack.edit(files, REQUEST).detached == [POWER]
