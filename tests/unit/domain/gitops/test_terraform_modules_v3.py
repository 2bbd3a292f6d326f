"""terraform-aws-iam v3.x: ``number_of_custom_role_policy_arns``/``number_of_role_policy_arns`` default to 0.

From v3.0.0 iam-assumable-role attaches ``count = var.create_role ? var.number_of_custom_role_policy_arns :
0`` policies of ``custom_role_policy_arns``, and that input's default is ``0`` up to v3.5.0 (``null``, i.e.
the list's length through ``coalesce``, from v3.6.0); iam-assumable-role-with-oidc does the same with
``number_of_role_policy_arns`` up to v3.4.0 (``null`` from v3.5.0). Checked in the tags' own
``modules/iam-assumable-role{,-with-oidc}/{main,variables}.tf`` of
github.com/terraform-aws-modules/terraform-aws-iam (Apache-2.0). So a module pinned there attaches nothing
of its list unless the number is given: a generated policy put into the list without it is never attached,
and a list longer than the number has items the role does not have, which a new number would attach.
"""

from __future__ import annotations

import re

import pytest

from policygen_operator.domain.gitops import terraform, terraform_modules
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}


def request() -> EditRequest:
    return EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER,))


# The layout of the module's README example at v3.3.0 (examples/iam-assumable-role/main.tf there):
# trusted_role_arns, create_role, role_name, role_requires_mfa, and a flag attaching PowerUserAccess.
FLAGGED_V3 = """\
module "dev" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version = "3.3.0"

  trusted_role_arns = ["arn:aws:iam::307990089504:root"]

  create_role             = true
  role_name               = "payments-api"
  role_requires_mfa       = false
  attach_poweruser_policy = true
}
"""


def test_a_v3_module_gets_the_number_of_the_list_it_is_given() -> None:
    """v3.3.0 and no number_of_custom_role_policy_arns: the generated policy in a new
    custom_role_policy_arns would be attached 0 times, the role left with no policy at all once the flag
    is off. The number is written beside the list."""
    result = terraform.edit({"dev.tf": FLAGGED_V3}, request())
    text = result.changes["dev.tf"] or ""
    assert text.startswith(
        FLAGGED_V3.replace("poweruser_policy = true", "poweruser_policy = false").replace(
            "\n}\n",
            "\n\n  custom_role_policy_arns           = [aws_iam_policy.dev_policygen.arn]\n"
            "  number_of_custom_role_policy_arns = 1\n}\n",
            1,
        )
    )
    assert result.detached == [POWER] and result.attachment_added
    assert terraform.edit({"dev.tf": text}, request()).changes == {}


@pytest.mark.parametrize("version", ["~> 3.6", "4.24.1", "~> 5.30", "~> 3.0"])
def test_from_v3_6_the_module_counts_the_list_itself(version: str) -> None:
    """``null`` from v3.6.0 (``~> 3.0`` takes the newest 3.x, v3.16.0): nothing is written."""
    text = terraform.edit({"dev.tf": FLAGGED_V3.replace('"3.3.0"', f'"{version}"')}, request()).changes[
        "dev.tf"
    ]
    assert text is not None and "custom_role_policy_arns = [aws_iam_policy.dev_policygen.arn]\n}" in text
    assert "number_of_custom_role_policy_arns" not in text


LISTED_V3 = """\
module "ci" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version = "~> 3.3.0"

  create_role = true
  role_name   = "payments-api"

  custom_role_policy_arns = [
    "arn:aws:iam::aws:policy/PowerUserAccess",
  ]
}
"""


def test_a_v3_list_without_its_number_attaches_nothing_and_is_refused() -> None:
    """The broad ARN in the list of a v3.3 module without the number is not attached by it: the edit
    claimed to detach it, and the number it would need to attach the generated policy would also attach
    whatever else the list holds."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"ci.tf": LISTED_V3}, request())
    assert str(err.value) == (
        "ci.tf: module.ci: number_of_custom_role_policy_arns is not set, and the module's version "
        '(version = "~> 3.3.0") defaults it to 0 (terraform-aws-iam from v3.0.0 until v3.6.0), so it '
        "attaches none of the 1 item(s) of custom_role_policy_arns: policygen cannot tell which of them the "
        "role should have; set number_of_custom_role_policy_arns to how many of them the module attaches "
        "(the list's length if all) and run again"
    )
    given = LISTED_V3.replace("  ]\n", "  ]\n  number_of_custom_role_policy_arns = 1\n")
    text = terraform.edit({"ci.tf": given}, request()).changes["ci.tf"] or ""
    assert "    aws_iam_policy.ci_policygen.arn,\n  ]\n  number_of_custom_role_policy_arns = 1\n" in text


def test_a_number_smaller_than_the_list_is_refused() -> None:
    """``number_of_custom_role_policy_arns = 1`` with two ARNs: only the first is attached. Replacing it
    and setting the number to the new length would attach the second, which the role does not have."""
    two = LISTED_V3.replace(
        '    "arn:aws:iam::aws:policy/PowerUserAccess",\n',
        f'    "{POWER}",\n    "{S3_READ}",\n',
    ).replace("  ]\n", "  ]\n  number_of_custom_role_policy_arns = 1\n")
    with pytest.raises(GitOpsEditError, match=r"= 1 attaches only the first 1 of the 2 item\(s\)"):
        terraform.edit({"ci.tf": two}, request())


OIDC = """\
module "irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  version = "VERSION"

  create_role      = true
  role_name        = "payments-api"
  provider_url     = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
  role_policy_arns = []
}
"""


def test_the_oidc_module_defaults_to_0_up_to_v3_4() -> None:
    """-with-oidc: 0 up to v3.4.0, null from v3.5.0 (an empty list, the first run of a role whose broad
    policies were attached by hand: nothing to replace, the generated policy added)."""
    add_only = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), ())
    for version, number in (("3.4.0", "  number_of_role_policy_arns = 1\n"), ("3.5.0", "")):
        text = terraform.edit({"irsa.tf": OIDC.replace("VERSION", version)}, add_only).changes["irsa.tf"]
        assert text is not None, version
        listed = OIDC.replace("VERSION", version).replace(
            "role_policy_arns = []\n", f"role_policy_arns = [aws_iam_policy.irsa_policygen.arn]\n{number}"
        )
        if number:  # the inputs aligned as terraform fmt aligns them with the longer name added
            for name in ("create_role", "role_name", "provider_url", "role_policy_arns"):
                listed = re.sub(rf"(?m)^  {name} +=", f"  {name:<26} =", listed)
        assert text.startswith(listed), version


@pytest.mark.parametrize(
    ("source", "version", "newest"),
    [
        ("terraform-aws-modules/iam/aws//modules/x", "3.3.0", ((3, 3, 0), True)),
        ("terraform-aws-modules/iam/aws//modules/x", "= 3.3", ((3, 3, 0), True)),
        ("terraform-aws-modules/iam/aws//modules/x", "~> 3.3.0", ((3, 4, 0), False)),
        ("terraform-aws-modules/iam/aws//modules/x", "~> 3.3", ((4, 0, 0), False)),
        ("terraform-aws-modules/iam/aws//modules/x", ">= 3.0, < 3.6", ((3, 6, 0), False)),
        ("terraform-aws-modules/iam/aws//modules/x", ">= 3.0, <= 3.5.0", ((3, 5, 0), True)),
        ("terraform-aws-modules/iam/aws//modules/x", ">= 3.0", None),
        ("terraform-aws-modules/iam/aws//modules/x", "~> 3", None),
        ("terraform-aws-modules/iam/aws//modules/x", "~> 3, < 3.6", ((3, 6, 0), False)),
        ("terraform-aws-modules/iam/aws//modules/x", None, None),
        (
            "git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/x?ref=v3.2.0",
            None,
            ((3, 2, 0), True),
        ),
        (
            "git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/x?ref=master",
            None,
            None,
        ),
    ],
)
def test_the_newest_version_a_constraint_allows(
    source: str, version: str | None, newest: tuple[tuple[int, int, int], bool] | None
) -> None:
    """Terraform installs the newest release a module's ``version`` allows (modules have no lock file):
    its upper bound, and whether the bound itself is allowed."""
    assert terraform_modules.newest_allowed(source, version) == newest


@pytest.mark.parametrize(
    ("version", "major"),
    [(">= 4.12, < 5.0", 4), (">= 4.12, < 5.00", 4), (">= 4.12, < 5.1", None), ("~> 4.20", 4)],
)
def test_the_major_version_reads_a_constraint_as_newest_allowed_does(version: str, major: int | None) -> None:
    """Both read a constraint's numbers as numbers (``_constraints``): ``< 5.00`` is below 5.0, as
    newest_allowed reads it, where major_version compared the minor's text with "0" and allowed v5."""
    source = "terraform-aws-modules/iam/aws//modules/x"
    assert terraform_modules.major_version(source, version) == major


@pytest.mark.parametrize(
    ("version", "major"), [("~> 4, < 5", 4), ("~> 4, < 5.0", 4), ("~> 4", None), ("~> 4, < 6", None)]
)
def test_a_pessimistic_constraint_of_one_number_is_a_lower_bound(version: str, major: int | None) -> None:
    """``~> 4`` lets only its rightmost component, the major, increment (Terraform language docs, Version
    constraints: "~>: Allows only the rightmost version component to increment"; hashicorp/go-version's
    constraintPessimistic, which Terraform reads a module's version with, compares no segment of it): it
    allows 4.0.0 and every later release, so with ``< 5`` it pins v4. It was read as no bound at all, and
    ``~> 4, < 5`` as not pinning a major."""
    source = "terraform-aws-modules/iam/aws//modules/x"
    assert terraform_modules.major_version(source, version) == major


def test_a_module_named_by_a_prefix_is_shown_with_that_input() -> None:
    """aws-ia/terraform-aws-eks-blueprints patterns/kubecost/main.tf: module "kubecost_irsa" gives
    ``role_name_prefix = "${local.name}-"`` and no role_name; the refusal showed it as ``role_name = ...``,
    an input the block does not set."""
    kubecost = """\
module "kubecost_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "~> 5.30"

  role_name_prefix           = "${local.name}-"
  assume_role_condition_test = "StringLike"

  role_policy_arns = {
    policy = aws_iam_policy.kubecost.arn
  }
}
"""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": kubecost}, request())
    assert 'role modules seen: main.tf: module.kubecost_irsa (role_name_prefix = "${local.name}-")' in str(
        err.value
    )
    assert 'module.kubecost_irsa\'s role_name_prefix "${local.name}-" is an expression' in str(err.value)
