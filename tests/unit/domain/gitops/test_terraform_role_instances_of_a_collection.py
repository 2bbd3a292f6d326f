"""A role resource with ``for_each`` over a local's or a variable's collection, named per instance.

github.com/ThaiTechTales/aws iam-management/terraform/modules/iam-role/main.tf: ``resource "aws_iam_role"
"this" { for_each = toset(var.roles), name = each.key }``; the same layout with the roles in a
``locals`` map (their managed policies beside them) is as common. The refusal advised writing the role's
name "as a literal there", which a per-instance name cannot be, instead of saying that policygen does not
edit one instance of a role resource (tests/unit/domain/gitops/test_terraform_shapes.py refuses the
instance of a literal collection so).
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER


def request(role: str = "payments-api") -> EditRequest:
    return EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))


ROLES = """\
resource "aws_iam_role" "service" {
  for_each = local.service_roles

  name               = each.key
  assume_role_policy = data.aws_iam_policy_document.assume[each.key].json
}

resource "aws_iam_role_policy_attachment" "service" {
  for_each = {
    for pair in flatten([
      for role, cfg in local.service_roles : [
        for arn in cfg.policies : { role = role, arn = arn }
      ]
    ]) : "${pair.role}-${basename(pair.arn)}" => pair
  }

  role       = aws_iam_role.service[each.value.role].name
  policy_arn = each.value.arn
}
"""
LOCALS = f"""\
locals {{
  service_roles = {{
    payments-api = {{
      policies = ["{POWER}"]
    }}
    billing-worker = {{
      policies = ["arn:aws:iam::aws:policy/AmazonSQSFullAccess"]
    }}
  }}
}}
"""


def test_the_instance_of_a_literal_local_collection_is_named() -> None:
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"iam/locals.tf": LOCALS, "iam/roles.tf": ROLES}, request())
    message = str(err.value)
    assert message.startswith(
        "role 'payments-api' is the instance [\"payments-api\"] of iam/roles.tf: aws_iam_role.service "
        "(for_each = local.service_roles; name = each.key): policygen does not edit one instance of a role "
        "resource with for_each"
    ), message


def test_a_set_of_names_in_a_local_is_read_through_toset() -> None:
    roles = ROLES.replace("for_each = local.service_roles\n", "for_each = toset(local.names)\n", 1)
    names = 'locals {\n  names = ["payments-api", "billing-worker"]\n}\n'
    with pytest.raises(GitOpsEditError, match=r"^role 'payments-api' is the instance \[\"payments-api\"\]"):
        terraform.edit({"iam/locals.tf": names, "iam/roles.tf": roles}, request())


def test_a_per_instance_name_over_a_variable_is_not_called_a_literal_to_write() -> None:
    """The variable's value is not read here: the refusal says the name is per instance rather than
    advising to write it as a literal."""
    roles = ROLES.replace("for_each = local.service_roles\n", "for_each = toset(var.roles)\n", 1)
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"iam/roles.tf": roles}, request())
    message = str(err.value)
    assert (
        "aws_iam_role.service's name each.key is given per instance (for_each = toset(var.roles)): "
        "policygen does not edit one instance of a role resource with for_each or count" in message
    ), message
    assert "write the role's name as a literal there" not in message
