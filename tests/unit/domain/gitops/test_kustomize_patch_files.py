"""Files a kustomization lists as patches (``patches: - path: X``, ``patchesStrategicMerge: [X]``).

A patch file holds partial objects that Kustomize merges into the resources of its bases
(kubectl.docs.kubernetes.io, Kustomization "patches" and "patchesStrategicMerge"): a Role there is not a
second Role, and an object policygen adds to such a file would be a patch of an object no base defines,
which fails ``kustomize build``. A patch of a custom resource replaces its lists whole (no strategic merge
for custom resources, "Update API Objects in Place Using kubectl patch" in the Kubernetes docs), so a
patch listing a broad policy keeps it in that overlay whatever the base says.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import ack, crossplane
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.kustomize_layouts import CLOUDWATCH, OVERLAY, REQUEST
from tests.unit.domain.gitops.kustomize_layouts import CROSSPLANE_BASE as BASE

PATCH_TAGS = "apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata:\n  name: payments-api\n" + (
    "spec:\n  forProvider:\n    tags:\n      env: prod\n"
)
PATCH_POLICIES = (
    "apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata:\n  name: payments-api\n"
    f"spec:\n  forProvider:\n    managedPolicyArns:\n      - {POWER}\n"
)


def files(patch: str, listed: str = "patches:\n  - path: role.yaml\n") -> dict[str, str]:
    return {
        "base/role.yaml": BASE,
        "base/kustomization.yaml": "resources:\n  - role.yaml\n",
        "overlays/prod/kustomization.yaml": OVERLAY + listed,
        "overlays/prod/role.yaml": patch,
    }


def test_a_patch_that_leaves_the_policies_alone_is_not_a_second_role() -> None:
    result = crossplane.edit(files(PATCH_TAGS), REQUEST)
    assert result.detached == [POWER]
    assert set(result.changes) == {"base/role.yaml"}


@pytest.mark.parametrize(
    "listed", ["patches:\n  - path: role.yaml\n", "patchesStrategicMerge:\n  - role.yaml\n"]
)
def test_a_patch_listing_the_policies_is_refused_naming_it(listed: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        crossplane.edit(files(PATCH_POLICIES, listed), REQUEST)
    assert str(err.value).startswith(
        "overlays/prod/role.yaml (document 1) is a Kustomize patch (overlays/prod/kustomization.yaml) of "
        "Role payments-api that sets its policies (a patch replaces the list whole): policygen does not "
        "edit patches"
    ), str(err.value)


def test_a_role_only_in_a_patch_is_not_edited() -> None:
    """path names the overlay: the Role there is a patch, and a Policy added beside it would be a patch
    of nothing."""
    only = {p: t for p, t in files(PATCH_TAGS).items() if p.startswith("overlays/")}
    with pytest.raises(GitOpsEditError, match=r"is a Kustomize patch \(overlays/prod/kustomization.yaml\)"):
        crossplane.edit(only, REQUEST)


def test_an_ack_patch_file_naming_spec_name_is_a_patch_too() -> None:
    base = (
        "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata:\n  name: payments-api\n"
        f"spec:\n  name: payments-api\n  assumeRolePolicyDocument: '{{}}'\n  policies:\n    - {POWER}\n"
    )
    patch = (
        "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata:\n  name: payments-api\n"
        f"spec:\n  name: payments-api\n  policies:\n    - {POWER}\n    - {CLOUDWATCH}\n"
    )
    texts = files(patch) | {"base/role.yaml": base}
    with pytest.raises(
        GitOpsEditError, match=r"^overlays/prod/role.yaml \(document 1\) is a Kustomize patch"
    ):
        ack.edit(texts, REQUEST)
