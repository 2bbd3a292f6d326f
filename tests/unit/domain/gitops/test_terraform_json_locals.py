"""Literal ``locals`` of Terraform's JSON syntax: ``{"locals": {"name": "ci"}}`` gives a role's name as the
same local in a ``.tf`` file does (``test_terraform_role_name_locals.py``). "The locals block type expects a
JSON object whose property names are the names of the local values and whose values are the expressions to
assign" (Terraform language docs, "JSON Configuration Syntax": locals blocks); a local is assigned only in
its module's own locals ("Local Values"), so one set to a literal string names the role as surely as the
literal would. Before, such a role was not found ("no aws_iam_role with name ...")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policygen_operator.domain.gitops import editor, terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST


def _module(name: str, locals_: dict[str, Any]) -> dict[str, str]:
    main = {
        "resource": {
            "aws_iam_role": {"runner": {"name": name}},
            "aws_iam_role_policy_attachment": {
                "power": {"role": "${aws_iam_role.runner.name}", "policy_arn": POWER}
            },
        }
    }
    return {
        "stack/main.tf.json": json.dumps(main, indent=2) + "\n",
        "stack/locals.tf.json": json.dumps({"locals": locals_}, indent=2) + "\n",
    }


@pytest.mark.parametrize(
    ("name", "locals_"),
    [
        ("${local.name}", {"name": "ci-runner"}),
        ("${local.team}-runner", {"team": "ci", "region": "us-east-1"}),
    ],
)
def test_a_role_named_by_a_literal_local_of_a_json_file_is_edited(name: str, locals_: dict[str, Any]) -> None:
    files = _module(name, locals_)
    result = editor.edit_files("terraform", files, REQUEST, "stack")
    assert result.detached == [POWER]
    assert result.role_location == "stack/main.tf.json (resource aws_iam_role.runner)"
    after = json.loads(result.changes["stack/main.tf.json"] or "")
    assert "power" not in after["resource"]["aws_iam_role_policy_attachment"]
    assert "stack/locals.tf.json" not in result.changes


@pytest.mark.parametrize(
    "locals_",
    [
        {"team": "${var.team}"},  # an expression: its value is not in the files
        {"team": "$${ci}"},  # the literal "${ci}", not "ci"
    ],
)
def test_a_local_that_is_not_the_literal_name_does_not_name_the_role(locals_: dict[str, Any]) -> None:
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(_module("${local.team}-runner", locals_), REQUEST)
    assert "nor an aws_iam_role named 'ci-runner' in its 2 .tf.json file(s)" in str(err.value)


def test_a_local_set_twice_does_not_name_the_role() -> None:
    """Terraform refuses a module that sets a local twice; which one is meant the files do not say."""
    files = _module("${local.team}-runner", {"team": "ci"})
    files["stack/more.tf.json"] = json.dumps({"locals": [{"team": "ci"}]})
    with pytest.raises(GitOpsEditError):
        terraform.edit(files, REQUEST)


NATIVE_ROLE = (
    'resource "aws_iam_role" "runner" {\n'
    '  name = "${local.team}-runner"\n'
    "}\n\n"
    'resource "aws_iam_role_policy_attachment" "power" {\n'
    "  role       = aws_iam_role.runner.name\n"
    f'  policy_arn = "{POWER}"\n'
    "}\n"
)


def test_a_native_role_named_by_a_local_of_a_json_file_of_its_module_is_edited() -> None:
    """One module may mix the syntaxes: "Terraform expects native syntax for files named with a .tf suffix,
    and JSON syntax for files named with a .tf.json suffix" (Terraform language docs, "JSON Configuration
    Syntax"), the directory's files making one module whose locals both define."""
    files = {
        "stack/main.tf": NATIVE_ROLE,
        "stack/locals.tf.json": json.dumps({"locals": {"team": "ci"}}, indent=2) + "\n",
    }
    result = terraform.edit(files, REQUEST)
    assert result.detached == [POWER]
    assert result.role_location == "stack/main.tf (resource aws_iam_role.runner)"
    assert "stack/locals.tf.json" not in result.changes
    # set in both syntaxes Terraform refuses the module: the local names nothing
    files["stack/locals.tf"] = 'locals {\n  team = "ci"\n}\n'
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, REQUEST)
    assert str(err.value).startswith('no aws_iam_role with name = "ci-runner"')
    # a local of another directory's JSON file is another module's
    files = {"stack/main.tf": NATIVE_ROLE, "other/locals.tf.json": json.dumps({"locals": {"team": "ci"}})}
    with pytest.raises(GitOpsEditError):
        terraform.edit(files, REQUEST)


def test_a_json_role_and_a_native_one_named_by_a_json_local_are_the_same_role_twice() -> None:
    files = _module("ci-runner", {"team": "ci"})
    files["other/main.tf"] = NATIVE_ROLE
    files["other/locals.tf.json"] = files["stack/locals.tf.json"]
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, REQUEST)
    assert str(err.value).startswith(
        "role 'ci-runner' is defined more than once: stack/main.tf.json: aws_iam_role.runner, "
        "other/main.tf: aws_iam_role.runner"
    )


def test_a_native_attachment_of_a_json_local_arn_is_removed() -> None:
    """``policy_arn = local.power`` with ``{"locals": {"power": "arn:...PowerUserAccess"}}`` in the module's
    JSON file: the broad policy, as with the local in a ``.tf`` file (``terraform.policy_arns``). Before, the
    attachment was left and the run refused ("not found attached"). The local stays as written."""
    role = NATIVE_ROLE.replace("${local.team}-runner", "ci-runner").replace(f'"{POWER}"', "local.power")
    files = {
        "stack/main.tf": role,
        "stack/locals.tf.json": json.dumps({"locals": {"power": POWER}}, indent=2) + "\n",
    }
    result = terraform.edit(files, REQUEST)
    assert result.detached == [POWER]
    assert 'resource "aws_iam_role_policy_attachment" "power"' not in (result.changes["stack/main.tf"] or "")
    assert "stack/locals.tf.json" not in result.changes
