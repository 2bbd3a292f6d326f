"""The role terraform-aws-ec2-instance defines for its instance profile.

github.com/terraform-aws-modules/terraform-aws-ec2-instance v4.2.0 to v6.4.0 (Apache-2.0), main.tf:
``local.iam_role_name = try(coalesce(var.iam_role_name, var.name), "")``, aws_iam_role.this with
``name_prefix = "${local.iam_role_name}-"`` unless ``iam_role_use_name_prefix = false``, created when
``create && create_iam_instance_profile`` (the latter false by default), and resource
"aws_iam_role_policy_attachment" "this" { for_each = { for k, v in var.iam_role_policies : k => v if
var.create && var.create_iam_instance_profile } }, a map(string).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import ADMIN, DOC, fmt_clean

SUFFIX = "20260412093015123400000001"


def request(role: str) -> EditRequest:
    return EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (ADMIN,))


# github.com/aws-ia/terraform-aws-eks-blueprints patterns/privatelink-access/client.tf: the client
# instance with its instance profile's policies (a role name and a broad policy added)
CLIENT = f"""\
module "client_ec2_instance" {{
  source  = "terraform-aws-modules/ec2-instance/aws"
  version = "~> 6.0"

  name = local.client_name

  create_iam_instance_profile = true
  iam_role_name               = "privatelink-client"
  iam_role_use_name_prefix    = false
  iam_role_policies = {{
    AdministratorAccess          = "{ADMIN}"
    AmazonSSMManagedInstanceCore = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }}

  subnet_id = element(module.client_vpc.private_subnets, 0)
}}
"""


def test_the_instance_profiles_role_loses_the_broad_policy_from_iam_role_policies(tmp_path: Path) -> None:
    result = terraform.edit({"client.tf": CLIENT}, request("privatelink-client"))
    text = result.changes["client.tf"] or ""
    assert (
        "  iam_role_policies = {\n"
        '    AmazonSSMManagedInstanceCore = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"\n'
        "    policygen                    = aws_iam_policy.client_ec2_instance_policygen.arn\n"
        "  }\n" in text
    )
    assert '  name        = "privatelink-client-policygen"\n' in text
    assert result.detached == [ADMIN]
    fmt_clean(text, tmp_path)
    assert terraform.edit({"client.tf": text}, request("privatelink-client")).changes == {}


def test_the_instance_name_is_the_roles_prefix_when_iam_role_name_is_not_set() -> None:
    text = CLIENT.replace("local.client_name", '"bastion"').replace(
        '  iam_role_name               = "privatelink-client"\n  iam_role_use_name_prefix    = false\n', ""
    )
    result = terraform.edit({"client.tf": text}, request(f"bastion-{SUFFIX}"))
    assert result.detached == [ADMIN]


def test_an_instance_without_its_own_profile_creates_no_role() -> None:
    """create_iam_instance_profile is false by default: the module then attaches nothing to a role."""
    text = CLIENT.replace("  create_iam_instance_profile = true\n", "")
    with pytest.raises(GitOpsEditError, match=r"create_iam_instance_profile = false \(its default\)"):
        terraform.edit({"client.tf": text}, request("privatelink-client"))
