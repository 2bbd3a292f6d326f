"""A patch file or kustomization that a kustomization under ``path`` names, lying outside ``path``.

Kustomize reads a kustomization's patches, layers and components wherever its relative paths lead (the
Kustomization reference at kubectl.docs.kubernetes.io, "patches", "resources", "components"; a patch file
outside the kustomization's folder needs ``--load-restrictor LoadRestrictionsNone``, which Flux's
kustomize-controller builds with), so an overlay under the path can keep the broad policy through a patch
lying beside it. Before, such a file was skipped without a word and the edit went ahead. It is read when it
is inside the clone, and refused naming it when it leads out of the repository. Against a real repository
on disk (``provider: git``, ``file://``), through ``preview_pull_request``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.pullrequest import (
    Credentials,
    PullRequestContext,
    PullRequestPreview,
    PullRequestSpec,
    preview_pull_request,
)
from tests.unit.domain.gitops.documents import DOC, POWER
from tests.unit.domain.gitops.kustomize_layouts import ACK_BASE, CROSSPLANE_BASE, TARGET

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
OVERLAY = KUSTOMIZATION + "resources:\n  - ../../base\n"
ADD_POWER = f"- op: add\n  path: /spec/policies/-\n  value: {POWER}\n"
TAGS = "- op: add\n  path: /spec/tags\n  value:\n    - key: env\n      value: prod\n"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True)


def origin(tmp_path: Path, files: dict[str, str], links: dict[str, Path] | None = None) -> Path:
    """A bare repository whose main holds ``files`` (and symbolic links ``links``)."""
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "--quiet", "-b", "main")
    _git(work, "config", "user.email", "t@example.com")
    _git(work, "config", "user.name", "t")
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    for name, to in (links or {}).items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).symlink_to(to)
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "init")
    bare = tmp_path / "origin.git"
    _git(tmp_path, "clone", "--quiet", "--bare", str(work), str(bare))
    return bare


def layout(prod: str, base: str = ACK_BASE, **elsewhere: str) -> dict[str, str]:
    """The Role's base and its prod overlay under ``apps/payments`` (the path), other files beside it."""
    return {
        "apps/payments/base/role.yaml": base,
        "apps/payments/base/kustomization.yaml": "resources:\n  - role.yaml\n",
        "apps/payments/overlays/prod/kustomization.yaml": OVERLAY + prod,
        **{name.replace("__", "/").replace("_", "."): text for name, text in elsewhere.items()},
    }


def preview(repository: Path, fmt: str = "ack") -> PullRequestPreview:
    spec = PullRequestSpec(
        provider="git",
        repository=repository.as_uri(),
        base_branch="main",
        path="apps/payments",
        format=fmt,
        replace_managed_policies=(POWER,),
        dry_run=True,
    )
    context = PullRequestContext(
        name="team/payments-api",
        principal="arn:aws:iam::123456789012:role/payments-api",
        policies=[DOC],
        window_start="2026-11-01T00:00:00Z",
        window_end="2026-12-01T00:00:00Z",
        events_scanned=1,
        events_matched=1,
    )
    return preview_pull_request(spec, context, Credentials(token=""), (repository.as_uri(),))


def refusal(repository: Path, fmt: str = "ack") -> str:
    with pytest.raises(InvalidRequestError) as err:
        preview(repository, fmt)
    return str(err.value)


SHARED = "patches:\n  - path: ../../../../common/policies.yaml\n" + TARGET


def test_a_json_patch_file_outside_the_path_adding_the_broad_arn_is_refused(tmp_path: Path) -> None:
    message = refusal(origin(tmp_path, layout(SHARED, common__policies_yaml=ADD_POWER)))
    assert message.startswith(
        "apps/payments/overlays/prod/kustomization.yaml: patches[0] (the JSON 6902 patch "
        "common/policies.yaml) targets Role payments-api: its op 1 (add /spec/policies/-) puts "
        f"{POWER} in spec.policies"
    ), message


def test_a_patch_file_outside_the_path_of_other_fields_changes_nothing(tmp_path: Path) -> None:
    found = preview(origin(tmp_path, layout(SHARED, common__policies_yaml=TAGS)))
    assert found.files == ("apps/payments/base/role.yaml",)


def test_a_strategic_merge_patch_file_outside_the_path_is_read(tmp_path: Path) -> None:
    patch = (
        "apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata:\n  name: payments-api\nspec:\n"
        f"  forProvider:\n    managedPolicyArns:\n      - {POWER}\n"
    )
    files = layout(
        "patchesStrategicMerge:\n  - ../../../../common/role.yaml\n", CROSSPLANE_BASE, common__role_yaml=patch
    )
    message = refusal(origin(tmp_path, files), "crossplane")
    assert message.startswith(
        "common/role.yaml (document 1) is a Kustomize patch (apps/payments/overlays/prod/kustomization.yaml) "
        "of Role payments-api that sets its policies"
    ), message


def test_a_component_outside_the_path_is_read_with_what_it_names(tmp_path: Path) -> None:
    component = (
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: policies.yaml\n"
        + TARGET
    )
    files = layout(
        "components:\n  - ../../../../components/policies\n",
        components__policies__kustomization_yaml=component,
        components__policies__policies_yaml=ADD_POWER,
    )
    message = refusal(origin(tmp_path, files))
    assert message.startswith(
        "components/policies/kustomization.yaml: patches[0] (the JSON 6902 patch components/policies/"
        "policies.yaml) targets Role payments-api: its op 1"
    ), message


def test_an_intermediate_layer_outside_the_path_renames_the_role(tmp_path: Path) -> None:
    """The mid layer beside the path gives the prefix the overlay under it patches the Role by."""
    top = "patches:\n  - patch: |-\n" + "".join(f"      {line}\n" for line in ADD_POWER.splitlines())
    files = layout(
        "",
        common__mid__kustomization_yaml=OVERLAY.replace("../../base", "../../apps/payments/base")
        + "namePrefix: prod-\n",
    )
    files["apps/payments/overlays/prod/kustomization.yaml"] = (
        KUSTOMIZATION
        + "resources:\n  - ../../../../common/mid\n"
        + top
        + TARGET.replace("payments-api", "prod-payments-api")
    )
    message = refusal(origin(tmp_path, files))
    assert message.startswith(
        "apps/payments/overlays/prod/kustomization.yaml: patches[0] (an inline JSON 6902 patch) targets Role "
        "payments-api (prod-payments-api as common/mid/kustomization.yaml gives it)"
    ), message


def test_a_patch_leaving_the_repository_is_refused_naming_it(tmp_path: Path) -> None:
    files = layout("patches:\n  - path: ../../../../../outside/policies.yaml\n" + TARGET)
    message = refusal(origin(tmp_path, files))
    assert message.startswith(
        "apps/payments/overlays/prod/kustomization.yaml: patches[0] names '../outside/policies.yaml', which "
        "leaves the repository"
    ), message
    assert message.endswith("Nothing was changed"), message


def test_a_patch_through_a_symbolic_link_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "policies.yaml").write_text(ADD_POWER)
    message = refusal(origin(tmp_path, layout(SHARED), {"common": outside}))
    assert message.startswith(
        "apps/payments/overlays/prod/kustomization.yaml: patches[0] names 'common/policies.yaml', which "
        "leaves the repository through a symbolic link"
    ), message


def test_a_file_read_beside_the_path_is_never_changed(tmp_path: Path) -> None:
    """An attachment of the broad policy in a patch file beside the path would be removed by the edit: that
    file is outside what the user pointed at, so the run is refused rather than change it."""
    attachment = (
        "apiVersion: iam.aws.upbound.io/v1beta1\nkind: RolePolicyAttachment\nmetadata:\n  name: power\n"
        f"spec:\n  forProvider:\n    policyArn: {POWER}\n    role: payments-api\n"
    )
    files = layout(
        "patchesStrategicMerge:\n  - ../../../../common/attachment.yaml\n",
        CROSSPLANE_BASE,
        common__attachment_yaml=attachment,
    )
    message = refusal(origin(tmp_path, files), "crossplane")
    assert message.startswith(
        "common/attachment.yaml: this edit would change it, but it lies outside path 'apps/payments'"
    ), message


def test_a_kustomization_linked_out_of_the_repository_in_a_folder_named_is_refused(tmp_path: Path) -> None:
    """The folder a component entry names lies in the repository, but its kustomization.yaml is a symbolic
    link to a file outside it: that file is what would be read, so it is refused as a linked patch is."""
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - patch: |-\n"
        + "".join(f"      {line}\n" for line in TAGS.splitlines())
        + TARGET
    )
    files = layout(
        "components:\n  - ../../../../components/policies\n", components__policies__README_md="shared\n"
    )
    links = {"components/policies/kustomization.yaml": outside}
    message = refusal(origin(tmp_path, files, links))
    assert message.startswith(
        "apps/payments/overlays/prod/kustomization.yaml: components[0] names "
        "'components/policies/kustomization.yaml', which leaves the repository through a symbolic link"
    ), message


def test_a_patch_through_a_link_into_git_is_refused(tmp_path: Path) -> None:
    """A link in the repository to its own ``.git`` resolves inside the clone, but what it leads to is the
    clone's git data (its config, its objects), not a file of the repository: refused as ``.git/...``."""
    message = refusal(
        origin(tmp_path, layout(SHARED.replace("policies.yaml", "config")), {"common": Path(".git")})
    )
    assert message.startswith(
        "apps/payments/overlays/prod/kustomization.yaml: patches[0] names 'common/config', which is inside "
        ".git"
    ), message


def test_an_absolute_patch_path_is_refused_as_leaving_the_repository(tmp_path: Path) -> None:
    """An absolute path names a file of the machine, not of the repository: no link is involved."""
    message = refusal(origin(tmp_path, layout("patches:\n  - path: /shared/policies.yaml\n" + TARGET)))
    assert message.startswith(
        "apps/payments/overlays/prod/kustomization.yaml: patches[0] names '/shared/policies.yaml', which "
        "leaves the repository:"
    ), message


def test_a_resource_file_outside_the_path_attaching_the_broad_policy_is_refused(tmp_path: Path) -> None:
    """The overlay composes an attachment of the broad policy from a file beside the path: once the base
    loses its own, that overlay still attaches it, so a pull request claiming the replacement would be
    wrong. Read as the patch files beside the path are, the attachment is one the edit would remove, in a
    file it does not change: refused naming it."""
    attachment = (
        "apiVersion: iam.aws.upbound.io/v1beta1\nkind: RolePolicyAttachment\nmetadata:\n  name: power\n"
        f"spec:\n  forProvider:\n    policyArn: {POWER}\n    role: payments-api\n"
    )
    files = layout("", CROSSPLANE_BASE, common__attachment_yaml=attachment)
    files["apps/payments/overlays/prod/kustomization.yaml"] = (
        OVERLAY + "  - ../../../../common/attachment.yaml\n"
    )
    message = refusal(origin(tmp_path, files), "crossplane")
    assert message.startswith(
        "common/attachment.yaml: this edit would change it, but it lies outside path 'apps/payments'"
    ), message
