"""``concat()`` in Terraform's JSON syntax: ``"managed_policy_arns": "${concat([\\"arn:...\\"], var.extra)}"``
(CDK for Terraform's ``Fn.concat``). A string of this syntax is a template ("JSON Configuration Syntax":
"Expression Mapping"), and one that is a single interpolation is the expression the native syntax writes,
so its literal list loses just the broad item and takes the generated policy, the rest of the string as
written, as the native syntax's concat() does (``test_terraform_variable_forms.py``). Before, the whole
value was written out as the JSON array concat() makes (``test_terraform_variables.py``, which still holds
where the variable holds the broad ARN too)."""

from __future__ import annotations

import json

from policygen_operator.domain.gitops import terraform
from tests.unit.domain.gitops.documents import POWER, RUNNER_REQUEST
from tests.unit.domain.gitops.test_terraform_arn_list_locals import ROLE

CLOUDWATCH = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
EXTRA = {"extra": {"default": [READ_ONLY], "type": "list(string)"}}
CONCAT = f'${{concat(["{POWER}", "{CLOUDWATCH}"], var.extra)}}'
EDITED = f'${{concat(["{CLOUDWATCH}", aws_iam_policy.runner_policygen.arn], var.extra)}}'


def _module(managed: str, exclusive: str | None = None) -> str:
    role: dict[str, object] = {"name": "ci-runner"}
    resource: dict[str, object] = {"aws_iam_role": {"runner": role}}
    if exclusive is None:
        role["managed_policy_arns"] = managed
    else:
        resource["aws_iam_role_policy_attachments_exclusive"] = {
            "runner": {"role_name": "${aws_iam_role.runner.name}", "policy_arns": exclusive}
        }
    return json.dumps({"variable": EXTRA, "resource": resource}, indent=2) + "\n"


def test_a_json_concat_whose_literal_holds_the_broad_arn_loses_just_that_item() -> None:
    before = _module(CONCAT)
    result = terraform.edit({"main.tf.json": before}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf.json"]
    assert text is not None
    # the role's file as it was but for the items, the generated policy added after the role
    role_end = before.index("\n    }\n  }\n}\n")
    assert text.startswith(before[:role_end].replace(json.dumps(CONCAT), json.dumps(EDITED)) + "\n    },\n")
    assert json.loads(text)["variable"] == EXTRA  # still read
    assert f"main.tf.json: removed {POWER} from managed_policy_arns of aws_iam_role.runner" in result.notes
    # a second run changes nothing
    again = terraform.edit({"main.tf.json": text}, RUNNER_REQUEST)
    assert again.detached == [] and "main.tf.json" not in again.changes


def test_a_json_concat_of_an_exclusive_resource_loses_just_that_item() -> None:
    result = terraform.edit({"main.tf.json": _module("", exclusive=CONCAT)}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    after = json.loads(result.changes["main.tf.json"] or "")
    exclusive = after["resource"]["aws_iam_role_policy_attachments_exclusive"]["runner"]
    assert exclusive["policy_arns"] == EDITED


def test_a_json_local_holding_a_concat_loses_just_the_literal_item() -> None:
    """A ``.tf`` role's ``managed_policy_arns = local.policies``, the local set in a ``.tf.json`` file to
    such a concat() (``test_terraform_arn_list_locals.py``)."""
    locals_json = json.dumps({"locals": {"policies": CONCAT}}, indent=2) + "\n"
    variables = 'variable "extra" {\n  default = ["' + READ_ONLY + '"]\n}\n'
    files = {"main.tf": ROLE, "locals.tf.json": locals_json, "variables.tf": variables}
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes["locals.tf.json"] == locals_json.replace(json.dumps(CONCAT), json.dumps(EDITED))
    assert "variables.tf" not in result.changes
