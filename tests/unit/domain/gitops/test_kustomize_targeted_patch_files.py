"""A strategic-merge patch file listed with a target (``patches: - path: FILE`` and ``target: {...}``).

Kustomize applies a strategic-merge patch with a target to every resource the target selects, whatever the
patch names (kustomize api/internal/builtins/PatchTransformer.go, ``transformStrategicMerge``;
api/resmap/reswrangler.go ``ApplySmPatch`` gives the patch the selected resource's kind and name; the
Kustomization reference at kubectl.docs.kubernetes.io, "patches": "The patch can be either a strategic merge
patch or a JSON6902 patch ... the target selects resources", its example patch named ``not-important``). The
same document in a file is read as it is written inline in the kustomization (test_kustomize_inline_patches):
its target, not its name, says whether it patches the edited Role.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policygen_operator.domain.gitops import ack, crossplane
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.test_kustomize_inline_patches import (
    ACK_BASE,
    ACK_HEAD,
    ACK_POLICIES,
    CLOUDWATCH,
    CROSSPLANE_BASE,
    CROSSPLANE_POLICIES,
    REQUEST,
    TARGET,
    tree,
)

ELSEWHERE = TARGET.replace("name: payments-api", "name: orders-.*")
ENTRY = "overlays/prod/kustomization.yaml: patches[0], a strategic-merge patch with a target"


def listed(target: str) -> str:
    return f"patches:\n  - path: policies.yaml\n{target}"


def with_file(base: str, patch: str, target: str) -> dict[str, str]:
    return tree(base, listed(target)) | {"overlays/prod/policies.yaml": patch}


def refusal(edit: Callable[[dict[str, str], EditRequest], EditResult], files: dict[str, str]) -> str:
    with pytest.raises(GitOpsEditError) as err:
        edit(files, REQUEST)
    return str(err.value)


def renamed(patch: str) -> str:
    return patch.replace("name: payments-api", "name: not-important")


def test_an_ack_patch_file_its_target_selects_is_refused_whatever_it_names() -> None:
    message = refusal(ack.edit, with_file(ACK_BASE, renamed(ACK_POLICIES), TARGET))
    assert message.startswith(
        f"overlays/prod/policies.yaml (document 1; {ENTRY}) of Role payments-api lists {POWER} in "
        "spec.policies, which replaces the Role's list where the overlay is applied"
    ), message


def test_an_ack_patch_file_whose_target_selects_another_role_changes_nothing() -> None:
    """Named like the Role, but applied only to what its target selects: not a patch of this Role."""
    result = ack.edit(with_file(ACK_BASE, ACK_POLICIES, ELSEWHERE), REQUEST)
    assert result.detached == [POWER]
    assert set(result.changes) == {"base/role.yaml"}


def test_an_ack_patch_file_naming_spec_name_is_judged_by_its_target() -> None:
    """``find_role`` refuses a patch file naming ``spec.name`` that sets the policies; with a target, the
    target says whether it is this Role's."""
    patch = ACK_HEAD + f"spec:\n  name: payments-api\n  policies:\n    - {CLOUDWATCH}\n"
    message = refusal(ack.edit, with_file(ACK_BASE, renamed(patch), TARGET))
    assert message.startswith(
        f"overlays/prod/policies.yaml (document 1; {ENTRY}) is a Kustomize patch of Role payments-api that "
        "sets its policies"
    ), message
    assert ack.edit(with_file(ACK_BASE, patch, ELSEWHERE), REQUEST).detached == [POWER]


def test_a_crossplane_patch_file_is_judged_by_its_target() -> None:
    message = refusal(crossplane.edit, with_file(CROSSPLANE_BASE, renamed(CROSSPLANE_POLICIES), TARGET))
    assert message.startswith(
        f"overlays/prod/policies.yaml (document 1; {ENTRY}) is a Kustomize patch of Role payments-api that "
        "sets its policies (a patch replaces the list whole)"
    ), message
    result = crossplane.edit(with_file(CROSSPLANE_BASE, CROSSPLANE_POLICIES, ELSEWHERE), REQUEST)
    assert result.detached == [POWER]
    assert set(result.changes) == {"base/role.yaml"}
