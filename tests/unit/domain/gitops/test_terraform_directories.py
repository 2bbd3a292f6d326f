"""A Terraform module is one directory: references (``aws_iam_role.X``, ``data.aws_iam_policy.X``) resolve
only among the files of that directory. Repositories copy one folder per environment (``dev/``, ``stage/``),
so the same labels occur in several root modules; the edit must only touch the role's own directory."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import ADMIN, DOC

REQUEST = EditRequest("arn:aws:iam::123456789012:role/deployer", (DOC,), (ADMIN,))


def environment(name: str) -> str:
    return (
        f'resource "aws_iam_role" "deployer" {{\n  name = "{name}"\n}}\n\n'
        'resource "aws_iam_role_policy_attachment" "admin" {\n'
        "  role       = aws_iam_role.deployer.name\n"
        f'  policy_arn = "{ADMIN}"\n'
        "}\n"
    )


def test_another_environment_with_the_same_labels_is_not_touched() -> None:
    """``stage/`` holds role ``deployer-stage`` with the same resource labels as ``dev/``'s ``deployer``:
    the edit of ``deployer`` removed stage's AdministratorAccess attachment too, with no replacement."""
    files = {"dev/iam.tf": environment("deployer"), "stage/iam.tf": environment("deployer-stage")}
    result = terraform.edit(files, REQUEST)
    assert set(result.changes) == {"dev/iam.tf"}
    assert result.detached == [ADMIN]
    assert all(note.startswith("dev/iam.tf: ") for note in result.notes)


def test_a_data_source_and_our_own_block_in_another_directory_are_not_used() -> None:
    """``data.aws_iam_policy.admin`` of another directory does not name the ARN here, and an
    ``aws_iam_policy`` with our label in another directory is not "updated" in place of adding ours."""
    data = f'data "aws_iam_policy" "admin" {{\n  arn = "{ADMIN}"\n}}\n'
    dev = environment("deployer").replace(f'"{ADMIN}"', "data.aws_iam_policy.admin.arn")
    ours = 'resource "aws_iam_policy" "deployer_policygen" {\n  name = "x"\n}\n'
    files = {"dev/iam.tf": dev, "shared/data.tf": data + "\n" + ours}
    with pytest.raises(GitOpsEditError, match="not found attached to role 'deployer'"):
        edit_files("terraform", files, REQUEST, "")
    files["dev/data.tf"] = data
    result = edit_files("terraform", files, REQUEST, "")
    # dev's data source, which only the removed attachment read, goes with its file; shared/'s stays
    assert set(result.changes) == {"dev/iam.tf", "dev/data.tf"} and result.detached == [ADMIN]
    assert result.changes["dev/data.tf"] is None
    assert 'resource "aws_iam_policy" "deployer_policygen"' in (result.changes["dev/iam.tf"] or "")


def test_an_attachment_by_literal_name_in_another_directory_is_named_not_edited() -> None:
    """Another root module may attach a policy to the role by its name; it is not this module's code, so
    it is left alone, and the "not attached" error says where it is."""
    role = 'resource "aws_iam_role" "deployer" {\n  name = "deployer"\n}\n'
    other = (
        'resource "aws_iam_role_policy_attachment" "admin" {\n'
        f'  role       = "deployer"\n  policy_arn = "{ADMIN}"\n}}\n'
    )
    with pytest.raises(GitOpsEditError) as err:
        edit_files("terraform", {"iam/role.tf": role, "ci/attach.tf": other}, REQUEST, "")
    assert (
        'ci/attach.tf: aws_iam_role_policy_attachment.admin ("arn:aws:iam::aws:policy/AdministratorAccess") '
        "is in another directory, another Terraform module: not edited" in str(err.value)
    )


def test_a_module_role_ignores_other_directories() -> None:
    """The same holds for a role a terraform-aws-modules module defines."""
    irsa = (
        'module "irsa" {\n'
        '  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
        '  version   = "5.39.1"\n'
        '  role_name = "deployer"\n'
        f'  role_policy_arns = {{\n    admin = "{ADMIN}"\n  }}\n'
        "}\n"
    )
    stale = 'resource "aws_iam_policy" "irsa_policygen" {\n  name = "x"\n}\n'
    result = terraform.edit({"eks/irsa.tf": irsa, "other/old.tf": stale}, REQUEST)
    assert set(result.changes) == {"eks/irsa.tf"} and result.detached == [ADMIN]


BROKEN = 'resource "aws_s3_bucket" "b" {\n  bucket = "unterminated\n}\n'


def test_a_file_that_does_not_parse_in_another_directory_does_not_stop_the_edit() -> None:
    """With ``path`` at a repository's root, one odd ``.tf`` of another module (a template, a half-written
    file) stopped the edit of every role; it is another Terraform module, so it is only listed."""
    files = {"dev/iam.tf": environment("deployer"), "templates/bucket.tf": BROKEN}
    result = terraform.edit(files, REQUEST)
    assert set(result.changes) == {"dev/iam.tf"} and result.detached == [ADMIN]
    assert (
        "templates/bucket.tf: not parsed (unterminated string at line 2); in another directory, another "
        "Terraform module: not read" in result.seen
    )


def test_a_module_role_ignores_a_file_that_does_not_parse_in_another_directory() -> None:
    irsa = (
        'module "irsa" {\n'
        '  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
        '  version   = "5.39.1"\n'
        '  role_name = "deployer"\n'
        f'  role_policy_arns = {{\n    admin = "{ADMIN}"\n  }}\n'
        "}\n"
    )
    result = terraform.edit({"eks/irsa.tf": irsa, "templates/bucket.tf": BROKEN}, REQUEST)
    assert set(result.changes) == {"eks/irsa.tf"} and result.detached == [ADMIN]
    assert any(line.startswith("templates/bucket.tf: not parsed") for line in result.seen)


def test_a_file_that_does_not_parse_in_the_roles_directory_stops_the_edit_naming_it() -> None:
    """The role's own directory is the module edited: a file there may attach the broad policy."""
    files = {"dev/iam.tf": environment("deployer"), "dev/bucket.tf": BROKEN}
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, REQUEST)
    assert str(err.value).startswith(
        "dev/bucket.tf: unterminated string at line 2: the file is in the directory of the role's "
        "aws_iam_role.deployer (dev/iam.tf)"
    )


def test_a_role_not_found_names_the_files_that_do_not_parse() -> None:
    """The role may be in the file that could not be read: the error says so rather than only "not
    found"."""
    files = {"stage/iam.tf": environment("deployer-stage"), "dev/iam.tf": BROKEN}
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, REQUEST)
    assert str(err.value).endswith(
        "; 1 file(s) could not be parsed, the role may be defined there: dev/iam.tf: unterminated string "
        "at line 2"
    )
