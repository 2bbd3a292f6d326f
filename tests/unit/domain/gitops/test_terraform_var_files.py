"""Variable definitions files Terraform does not load itself, given with ``terraform plan
-var-file=envs/prod.tfvars`` (Terraform language docs, "Input Variables", "Variable Definitions (.tfvars)
Files": a file ending in .tfvars or .tfvars.json "specified on the command line with -var-file"; "Variable
Definition Precedence": -var-file values come last and win over terraform.tfvars and *.auto.tfvars). Each
such file of the root module (its directory and its subfolders that hold no module of their own) is an
environment of its own. Before, they were neither read (a broad ARN set only there was not found) nor, in a
subfolder, cleaned (a removed variable's value stayed, which Terraform warns of as a "Value for undeclared
variable", "Input Variables", "Values for Undeclared Variables")."""

from __future__ import annotations

from pathlib import Path

import pytest

from policygen_operator.domain.gitops import editor, hcl, terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from policygen_operator.services.pullrequest import read_files
from tests.unit.domain.gitops.documents import POWER, RUNNER_REQUEST, RUNNER_ROLE, fmt_clean
from tests.unit.domain.gitops.test_terraform_variable_forms import COUNTED, LIST_ROLE
from tests.unit.domain.gitops.test_terraform_variables import (
    ATTACHMENT,
    NOT_READ,
    READ_ONLY,
    declared,
    not_a_literal,
)


def test_the_var_files_of_a_root_module_are_its_folders_and_not_another_modules() -> None:
    files = {
        "live/main.tf": "",
        "live/terraform.tfvars": "",  # loaded by Terraform itself: not a -var-file
        "live/prod.tfvars": "",
        "live/envs/dev.tfvars": "",
        "live/envs/stage/terraform.tfvars": "",  # in a subfolder only -var-file reads it
        "live/envs/stage/extra.tfvars.json": "{}",
        "live/modules/runner/main.tf": "",
        "live/modules/runner/example.tfvars": "",  # another module's
        "live/modules/runner/envs/x.tfvars": "",  # under another module's directory
        "other/prod.tfvars": "",
    }
    assert hcl.var_files(files, "live") == [
        "live/envs/dev.tfvars",
        "live/envs/stage/extra.tfvars.json",
        "live/envs/stage/terraform.tfvars",
        "live/prod.tfvars",
    ]
    assert hcl.var_files(files, "live/modules/runner") == [
        "live/modules/runner/envs/x.tfvars",
        "live/modules/runner/example.tfvars",
    ]


def test_a_broad_arn_set_in_every_var_file_goes_with_the_variable_and_its_values(tmp_path: Path) -> None:
    """No default and no file Terraform loads itself: the -var-files give the value, the broad ARN in both;
    the attachment goes, and the variable with what each environment's file sets it to."""
    files = {
        "main.tf": RUNNER_ROLE + ATTACHMENT,
        "variables.tf": declared(None) + "\n" + 'variable "region" {\n  type = string\n}\n',
        "envs/prod.tfvars": f'region     = "eu-west-1"\npolicy_arn = "{POWER}"\n',
        "envs/dev.tfvars": f'policy_arn = "{POWER}"\n',
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert 'aws_iam_role_policy_attachment" "power"' not in (result.changes["main.tf"] or "")
    assert result.changes["envs/prod.tfvars"] == 'region = "eu-west-1"\n'
    assert result.changes["envs/dev.tfvars"] == ""  # nothing left in it, kept: a pipeline names it
    assert 'variable "policy_arn"' not in (result.changes["variables.tf"] or "")
    assert "envs/dev.tfvars: removed the value of the removed variable policy_arn" in result.notes
    fmt_clean(result.changes["envs/prod.tfvars"], tmp_path)


@pytest.mark.parametrize(
    ("path", "text", "left"),
    [
        ("envs/dev.tfvars", f'# dev\npolicy_arn = "{POWER}"\n', ""),
        ("envs/dev.tfvars", f'policy_arn = "{POWER}"\r\n', ""),
        ("envs/dev.tfvars.json", f'{{"policy_arn": "{POWER}"}}\n', "{}\n"),
        ("dev.tfvars", f'policy_arn = "{POWER}"\n', ""),
    ],
)
def test_a_var_file_left_with_no_value_stays_for_the_pipeline_that_names_it(
    path: str, text: str, left: str
) -> None:
    """A -var-file is named on a command line (``terraform plan -var-file=envs/dev.tfvars``), and one that is
    gone fails every plan that names it ("Failed to read variables file: Given variables file envs/dev.tfvars
    does not exist", Terraform's internal/command/meta_vars.go): the removed variable's value goes, the file
    stays, empty (an empty native file sets nothing; a JSON one is the empty object, as Terraform parses a
    .tfvars.json as one object, "Input Variables", "Variable Definitions (.tfvars) Files"). A file Terraform
    loads itself (terraform.tfvars) is still removed when nothing is left in it: no command names it."""
    files = {
        "main.tf": RUNNER_ROLE + ATTACHMENT,
        "variables.tf": declared(f'"{POWER}"'),
        "terraform.tfvars": f'policy_arn = "{POWER}"\n',
        path: text,
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes[path] == left
    assert result.changes["terraform.tfvars"] is None
    assert f"{path}: removed the value of the removed variable policy_arn" in result.notes


@pytest.mark.parametrize(
    ("default", "definitions", "named"),
    [
        # two environments, two values
        (
            None,
            {
                "envs/dev.tfvars": f'policy_arn = "{READ_ONLY}"\n',
                "envs/prod.tfvars": f'policy_arn = "{POWER}"\n',
            },
            f'envs/dev.tfvars sets "{READ_ONLY}"; envs/prod.tfvars sets "{POWER}"',
        ),
        # the default is the value of a plan without -var-file, and of any -var-file not setting it
        (
            f'"{READ_ONLY}"',
            {"prod.tfvars": f'policy_arn = "{POWER}"\n'},
            f'its default in variables.tf is "{READ_ONLY}"; prod.tfvars sets "{POWER}"',
        ),
    ],
)
def test_var_files_that_give_other_values_are_refused_naming_each(
    default: str | None, definitions: dict[str, str], named: str
) -> None:
    """Removing the attachment would be right in one environment and detach another policy in the
    other: refused, each file and its value named."""
    files = {"main.tf": RUNNER_ROLE + ATTACHMENT, "variables.tf": declared(default), **definitions}
    assert not_a_literal(files).startswith(f"{NOT_READ}var.policy_arn (differs per -var-file): {named}")


def test_a_list_written_in_place_must_be_every_environments(tmp_path: Path) -> None:
    """``managed_policy_arns = var.policies`` is written in place as the value: one value for every
    environment, or refused naming the files."""
    same = f'policies = ["{POWER}", "{READ_ONLY}"]\n'
    files = {
        "main.tf": LIST_ROLE,
        "variables.tf": 'variable "policies" {\n  type = list(string)\n}\n',
        "envs/dev.tfvars": same,
        "envs/prod.tfvars": same.replace(", ", ",\n  ").replace("[", "[\n  ").replace("]", ",\n]"),
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert f'"{READ_ONLY}"' in (result.changes["main.tf"] or "")
    assert result.changes["envs/dev.tfvars"] == result.changes["envs/prod.tfvars"] == ""  # emptied, kept
    files["envs/prod.tfvars"] = f'policies = ["{POWER}"]\n'
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, RUNNER_REQUEST)
    assert "envs/dev.tfvars sets" in str(err.value) and "envs/prod.tfvars sets" in str(err.value)


def test_count_over_a_variable_loses_the_broad_arn_in_each_environment(tmp_path: Path) -> None:
    """An attachment per item of the list: each place that gives the list in some environment loses the
    broad ARN (the default, and each -var-file setting it), so that every environment is edited alike."""
    files = {
        "main.tf": RUNNER_ROLE + COUNTED,
        "variables.tf": f'variable "arns" {{\n  type    = list(string)\n  default = ["{POWER}"]\n}}\n',
        "envs/dev.tfvars": f'arns = ["{READ_ONLY}"]\n',
        "envs/prod.tfvars": f'arns = ["{READ_ONLY}", "{POWER}"]\n',
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert (
        result.changes["variables.tf"] == 'variable "arns" {\n  type    = list(string)\n  default = []\n}\n'
    )
    assert result.changes["envs/prod.tfvars"] == f'arns = ["{READ_ONLY}"]\n'
    assert "envs/dev.tfvars" not in result.changes
    # dev still attaches one policy per item: the attachment stays
    assert 'aws_iam_role_policy_attachment" "managed"' in (result.changes["main.tf"] or "")
    assert (
        f"envs/prod.tfvars: removed {POWER} from var.arns (set in envs/prod.tfvars), the count of resource "
        "aws_iam_role_policy_attachment.managed; the attachments of the items after it are replaced, as "
        "count numbers them by position"
    ) in result.notes
    fmt_clean(result.changes["envs/prod.tfvars"], tmp_path)


def test_a_var_file_in_json_is_named_not_edited_for_a_count() -> None:
    files = {
        "main.tf": RUNNER_ROLE + COUNTED,
        "variables.tf": 'variable "arns" {\n  type = list(string)\n}\n',
        "envs/prod.tfvars.json": f'{{"arns": ["{POWER}"]}}\n',
    }
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, "")
    assert "envs/prod.tfvars.json" in str(err.value)
    assert "policygen edits a list of the native syntax" in str(err.value)


def test_a_removed_variable_leaves_no_value_in_a_var_file_of_a_subfolder() -> None:
    """The default gives the broad ARN and the -var-file the same: the attachment goes in both
    environments, and the file's value of the removed variable with it."""
    files = {
        "main.tf": RUNNER_ROLE + ATTACHMENT,
        "variables.tf": declared(f'"{POWER}"'),
        "environments/prod.tfvars": f'policy_arn = "{POWER}"\nregion     = "eu-west-1"\n',
        "modules/other/main.tf": 'variable "policy_arn" {}\n',
        "modules/other/test.tfvars": f'policy_arn = "{POWER}"\n',  # another module's: left alone
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes["environments/prod.tfvars"] == 'region = "eu-west-1"\n'
    assert "modules/other/test.tfvars" not in result.changes


@pytest.mark.parametrize("path", ["live", "live/main.tf"])
def test_the_var_files_are_read_from_the_repository(path: str, tmp_path: Path) -> None:
    """A ``path`` naming one .tf file gets the module's -var-files too (its directory's and its
    subfolders'), as it gets the files Terraform loads itself."""
    (tmp_path / "live" / "envs").mkdir(parents=True)
    (tmp_path / "live" / "modules" / "x").mkdir(parents=True)
    (tmp_path / "live" / "main.tf").write_text(RUNNER_ROLE + ATTACHMENT + "\n" + declared(None))
    (tmp_path / "live" / "envs" / "prod.tfvars").write_text(f'policy_arn = "{READ_ONLY}"\n')
    (tmp_path / "live" / "modules" / "x" / "main.tf").write_text("")
    (tmp_path / "live" / "modules" / "x" / "x.tfvars").write_text("")
    files = read_files(tmp_path, path)
    assert "live/envs/prod.tfvars" in files
    assert ("live/modules/x/x.tfvars" in files) is (path == "live")  # a wide path reads everything
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, path)
    assert f'is "{READ_ONLY}" (set in live/envs/prod.tfvars)' in str(err.value)


def test_values_that_differ_only_by_a_comma_inside_a_string_differ() -> None:
    """Layout aside (a trailing comma, line breaks, comments), two -var-files give one value; a comma
    before a closing bracket inside a string is the string's, not layout, and the values differ."""
    files = {
        "main.tf": "",
        "variables.tf": 'variable "names" {\n  type = list(string)\n}\n',
        "envs/dev.tfvars": 'names = ["a,]", "b"]\n',
        "envs/prod.tfvars": 'names = ["a]", "b"]\n',
    }
    assert hcl.variable(files, "", "names").source == "differs per -var-file"
    files["envs/prod.tfvars"] = 'names = [\n  "a,]", # dev too\n  "b",\n]\n'
    assert hcl.variable(files, "", "names").value == '["a,]", "b"]'
