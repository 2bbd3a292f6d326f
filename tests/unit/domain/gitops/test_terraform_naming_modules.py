"""A role whose name a naming module composes is refused naming the attachment of the broad policy and why
its role cannot be told.

Cloud Posse's modules name everything with null-label: ``module "label" { source = "cloudposse/label/null"
... }`` and ``name = module.label.id`` (cloudposse/terraform-null-label README), or a role module given
``context = module.label.context`` or ``namespace``/``stage``/``name`` (cloudposse/terraform-aws-iam-role
README and examples/complete/main.tf: ``name = "app"`` with namespace eg and stage prod is the role
eg-prod-app; ``managed_policy_arns`` is its input of policies to attach). The run for eg-prod-payments-api
said "no aws_iam_role resource seen" for the module, and for an ``aws_iam_role`` named by the label it named
the role but not the attachment of the broad policy.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import ADMIN, DOC, POWER

REQUEST = EditRequest("arn:aws:iam::123456789012:role/eg-prod-payments-api", (DOC,), (POWER, ADMIN))
LABEL = """\
module "label" {
  source    = "cloudposse/label/null"
  version   = "0.25.0"
  namespace = "eg"
  stage     = "prod"
  name      = "payments-api"
}
"""
ORIGIN = '(an output of module.label, source = "cloudposse/label/null")'
CANNOT_TELL = "policygen cannot tell whether a role whose name is an expression is this role"


def refusal(text: str) -> str:
    with pytest.raises(GitOpsEditError) as err:
        edit_files("terraform", {"iam/main.tf": text}, REQUEST, "iam")
    return str(err.value)


def test_a_role_module_given_the_labels_context_is_named_with_the_policy_it_passes() -> None:
    text = (
        LABEL
        + f"""
module "role" {{
  source  = "cloudposse/iam-role/aws"
  version = "0.19.0"

  principals          = {{ Service = ["ec2.amazonaws.com"] }}
  managed_policy_arns = ["{POWER}"]
  role_description    = "payments"

  context = module.label.context
}}
"""
    )
    message = refusal(text)
    assert (
        f'iam/main.tf: module.role (source = "cloudposse/iam-role/aws") passes {POWER} to the role it '
        "defines, whose name the module composes from its label inputs (a null-label id: context = "
        f"module.label.context {ORIGIN})"
    ) in message
    assert CANNOT_TELL in message


def test_a_role_module_given_label_inputs_is_not_taken_for_its_name_input() -> None:
    """The README's role is eg-prod-app: ``name = "app"`` is one label of it."""
    text = """\
module "role" {
  source    = "cloudposse/iam-role/aws"
  namespace = "eg"
  stage     = "prod"
  name      = "app"

  managed_policy_arns = ["arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"]
}
"""
    message = refusal(text)
    assert (
        f'module.role (source = "cloudposse/iam-role/aws") passes {ADMIN} to the role it defines, whose '
        'name the module composes from its label inputs (a null-label id: namespace = "eg"; stage = "prod"; '
        'name = "app")'
    ) in message
    assert CANNOT_TELL in message


def test_an_attachment_to_a_role_named_by_the_label_is_named() -> None:
    text = (
        LABEL
        + f"""
resource "aws_iam_role" "default" {{
  name               = module.label.id
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = module.label.tags
}}

resource "aws_iam_role_policy_attachment" "power" {{
  role       = aws_iam_role.default.name
  policy_arn = "{POWER}"
}}
"""
    )
    message = refusal(text)
    assert (
        f"iam/main.tf: aws_iam_role_policy_attachment.power attaches {POWER} to aws_iam_role.default, whose "
        f"name = module.label.id {ORIGIN}"
    ) in message
    assert CANNOT_TELL in message


def test_a_broad_policy_attached_to_a_role_of_another_literal_name_is_named_without_the_naming_advice() -> (
    None
):
    text = f"""\
resource "aws_iam_role" "checkout" {{
  name                = "checkout-api"
  managed_policy_arns = ["{POWER}"]
}}
"""
    message = refusal(text)
    assert (
        f'the broad policies are attached here, to roles not named "eg-prod-payments-api" as a literal: '
        f'iam/main.tf: {POWER} in managed_policy_arns of aws_iam_role.checkout, whose name = "checkout-api".'
    ) in message
    assert CANNOT_TELL not in message


# cloudposse/terraform-aws-iam-role README's module "role" with ``name`` its only label input: the role is
# module.role_name.id (use_fullname, true by default) or module.this.name, both null-label 0.25.0's
# normalisation of ``name`` (characters outside [-a-zA-Z0-9] removed, then lower-cased) when no other label
# input or context is given (main.tf of both modules).
ALONE = f"""\
module "role" {{
  source  = "cloudposse/iam-role/aws"
  version = "0.23.0"

  enabled = true
  name    = "Payments_API"

  role_description = "IAM role with permissions to perform actions on S3 resources"

  principals = {{
    AWS = ["arn:aws:iam::123456789012:role/workers"]
  }}

  managed_policy_arns = [
    "{POWER}",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
  ]
}}
"""


def test_a_cloudposse_role_named_by_its_name_alone_is_edited() -> None:
    """Before, any Cloud Posse role module was refused as a composed name. managed_policy_arns is a
    for_each set until v0.23.0, which cannot take an ARN known only after apply: the generated policy is
    attached beside the module, to its ``name`` output."""
    request = EditRequest("arn:aws:iam::123456789012:role/paymentsapi", (DOC,), (POWER,))
    result = edit_files("terraform", {"iam/main.tf": ALONE}, request, "iam")
    text = result.changes["iam/main.tf"] or ""
    assert '  managed_policy_arns = [\n    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",\n  ]\n' in text
    assert (
        'resource "aws_iam_role_policy_attachment" "role_policygen" {\n'
        "  role       = module.role.name\n"
        "  policy_arn = aws_iam_policy.role_policygen.arn\n}\n"
    ) in text
    assert result.detached == [POWER]
    assert edit_files("terraform", {"iam/main.tf": text}, request, "iam").changes == {}


def test_a_cloudposse_roles_policy_map_loses_the_broad_entry() -> None:
    """v1.0.0 added managed_policy_arns_map, attached with the list (merge by index, main.tf)."""
    request = EditRequest("arn:aws:iam::123456789012:role/paymentsapi", (DOC,), (POWER,))
    mapped = (
        ALONE.replace('version = "0.23.0"', 'version = "1.0.0"')
        .replace(f'    "{POWER}",\n', "")
        .replace(
            "  managed_policy_arns = [",
            f'  managed_policy_arns_map = {{\n    power = "{POWER}"\n  }}\n  managed_policy_arns = [',
        )
    )
    text = edit_files("terraform", {"iam/main.tf": mapped}, request, "iam").changes["iam/main.tf"] or ""
    assert "  managed_policy_arns_map = {\n  }\n" in text
    assert "  role       = module.role.name\n" in text


@pytest.mark.parametrize(("extra", "role"), [("", "Payments_API"), ('  namespace = "eg"\n', "paymentsapi")])
def test_a_cloudposse_name_not_the_roles_is_not_taken_for_it(extra: str, role: str) -> None:
    """The raw input is not the role's name; with another label input the name is composed."""
    request = EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))
    with pytest.raises(GitOpsEditError, match="no aws_iam_role") as err:
        edit_files("terraform", {"iam/main.tf": ALONE.replace("  enabled = true\n", extra)}, request, "iam")
    if not extra:
        assert '(name = "Payments_API") [null-label makes that the role paymentsapi]' in str(err.value)
        assert "is an expression" not in str(err.value)


PER_KEY = f"""\
module "role" {{
  source   = "cloudposse/iam-role/aws"
  version  = "1.0.0"
  for_each = {{
    a = {{
      arns = ["{POWER}"]
    }}
    b = {{
      arns = []
    }}
  }}
  name                = "role-${{each.key}}"
  managed_policy_arns = each.value.arns
}}
"""


def test_one_instance_of_a_cloudposse_module_with_for_each() -> None:
    """Its own entry loses the broad ARN and the generated policy is attached to its instance's name; a
    managed_policy_arns_map written once for every instance is refused: removing the broad entry there
    would detach it from every instance's role."""
    request = EditRequest("arn:aws:iam::123456789012:role/role-a", (DOC,), (POWER,))
    text = edit_files("terraform", {"iam/main.tf": PER_KEY}, request, "iam").changes["iam/main.tf"] or ""
    assert "    a = {\n      arns = []\n    }\n" in text
    assert '  role       = module.role["a"].name\n' in text
    shared = PER_KEY.replace(
        "  managed_policy_arns = each.value.arns\n",
        "  managed_policy_arns = each.value.arns\n"
        f'  managed_policy_arns_map = {{\n    power = "{POWER}"\n  }}\n',
    )
    with pytest.raises(
        GitOpsEditError, match="managed_policy_arns_map is written once for all its instances"
    ):
        edit_files("terraform", {"iam/main.tf": shared}, request, "iam")
