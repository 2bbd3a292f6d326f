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
