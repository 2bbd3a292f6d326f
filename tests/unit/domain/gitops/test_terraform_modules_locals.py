"""A role module whose name input is a literal local or a template of such locals.

github.com/terraform-aws-modules/terraform-aws-iam examples/iam-role-for-service-accounts/main.tf (v6.5.0)
calls the IRSA module with ``name = local.name``, ``local.name = "ex-irsa"`` in the same file; the role is
then ex-irsa- and the provider's suffix (``use_name_prefix`` true by default). A local is set only in its
module's own ``locals`` blocks ("Local Values" in the Terraform language docs), so a literal one names the
role as surely as the literal would.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER

SUFFIX = "20260412093015123400000001"


def request(role: str) -> EditRequest:
    return EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))


LOCALS = 'locals {\n  name = "ex-irsa"\n}\n\n'
IRSA = f"""\
module "irsa" {{
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "~> 6.0"

  name = local.name

  policies = {{
    AmazonEKS_CNI_Policy = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
    power                = "{POWER}"
  }}
}}
"""


def test_a_module_named_by_a_literal_local_is_the_role() -> None:
    result = terraform.edit({"irsa/main.tf": LOCALS + IRSA}, request(f"ex-irsa-{SUFFIX}"))
    text = result.changes["irsa/main.tf"] or ""
    assert result.detached == [POWER]
    assert "    policygen            = aws_iam_policy.irsa_policygen.arn\n" in text
    assert terraform.edit({"irsa/main.tf": text}, request(f"ex-irsa-{SUFFIX}")).changes == {}


def test_a_template_of_literal_locals_names_the_role() -> None:
    """eks-blueprints' layout: ``role_name = "${local.name}-ebs-csi"``."""
    text = IRSA.replace("name = local.name", 'name = "${local.name}-ebs-csi"')
    result = terraform.edit({"irsa/main.tf": LOCALS + text}, request(f"ex-irsa-ebs-csi-{SUFFIX}"))
    assert result.detached == [POWER]


def test_a_local_of_another_directory_does_not_name_the_modules_role() -> None:
    with pytest.raises(GitOpsEditError, match=r"no aws_iam_role"):
        terraform.edit({"shared/locals.tf": LOCALS, "irsa/main.tf": IRSA}, request(f"ex-irsa-{SUFFIX}"))


def test_a_module_of_another_name_from_literal_locals_is_shown_by_that_name() -> None:
    """Asked for another role, the broad attachment names the module's role by the name its locals make,
    and does not call it an expression."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"irsa/main.tf": LOCALS + IRSA}, request("payments-api"))
    message = str(err.value)
    assert 'to the role it defines, whose name = "ex-irsa"' in message, message
    assert "expression" not in message
