"""The role terraform-aws-eks' EKS Capability module defines.

github.com/terraform-aws-modules/terraform-aws-eks modules/capability (from v21.13.0, Apache-2.0), main.tf:
the role is aws_iam_role.this, ``local.iam_role_name = try(coalesce(var.iam_role_name, var.name), "")``,
``name_prefix = "${local.iam_role_name}-"`` unless ``iam_role_use_name_prefix = false``, created when
``create`` and ``create_iam_role`` (both true by default), and resource "aws_iam_role_policy_attachment"
"additional" { for_each = { for k, v in var.iam_role_policies : k => v if local.create_iam_role } }, a
map(string). The module's own example (examples/eks-capabilities/main.tf at v21.19.0) gives the ACK
capability's role AdministratorAccess there.
"""

from __future__ import annotations

from pathlib import Path

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest
from tests.unit.domain.gitops.documents import ADMIN, DOC, fmt_clean

SUFFIX = "20260412093015123400000001"


def request(role: str) -> EditRequest:
    return EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (ADMIN,))


# examples/eks-capabilities/main.tf at v21.19.0: the ACK capability, its source from the registry and the
# role named (the example sets neither iam_role_name nor name)
ACK = f"""\
module "ack_eks_capability" {{
  source  = "terraform-aws-modules/eks/aws//modules/capability"
  version = "~> 21.13"

  type         = "ACK"
  cluster_name = module.eks.cluster_name

  # IAM Role/Policy
  iam_role_name            = "eks-ack-capability"
  iam_role_use_name_prefix = false
  iam_role_policies = {{
    AdministratorAccess = "{ADMIN}"
  }}

  tags = local.tags
}}
"""


def test_the_ack_capabilitys_role_loses_administrator_access_from_its_policy_map(tmp_path: Path) -> None:
    result = terraform.edit({"main.tf": ACK}, request("eks-ack-capability"))
    text = result.changes["main.tf"] or ""
    assert (
        "  iam_role_policies = {\n"
        "    policygen = aws_iam_policy.ack_eks_capability_policygen.arn\n"
        "  }\n" in text
    )
    assert ADMIN not in text
    assert 'resource "aws_iam_policy" "ack_eks_capability_policygen" {\n' in text
    assert '  name        = "eks-ack-capability-policygen"\n' in text
    assert result.detached == [ADMIN]
    fmt_clean(text, tmp_path)
    assert terraform.edit({"main.tf": text}, request("eks-ack-capability")).changes == {}


def test_a_capability_named_by_name_alone_is_a_prefix_of_the_role() -> None:
    """Without iam_role_name the role is the capability's ``name``, followed by "-" and the provider's
    suffix (iam_role_use_name_prefix is true by default)."""
    text = ACK.replace(
        '  iam_role_name            = "eks-ack-capability"\n  iam_role_use_name_prefix = false\n',
        '  name = "ack"\n',
    )
    result = terraform.edit({"main.tf": text}, request(f"ack-{SUFFIX}"))
    assert result.detached == [ADMIN]
    assert "policygen = aws_iam_policy.ack_eks_capability_policygen.arn" in (result.changes["main.tf"] or "")
