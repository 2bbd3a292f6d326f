"""Meta-arguments of the role decide where and how many: a role created through a provider alias lives in
that provider's account and Region, so what we add beside it must use the same provider."""

from __future__ import annotations

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}
REQUEST = EditRequest("arn:aws:iam::123456789012:role/ci-runner", (DOC,), (POWER,))
ROLE = 'resource "aws_iam_role" "runner" {\n  name = "ci-runner"\n}\n'
ATTACHMENT = (
    '\nresource "aws_iam_role_policy_attachment" "power" {\n'
    "  role       = aws_iam_role.runner.name\n"
    f'  policy_arn = "{POWER}"\n'
    "}\n"
)


def test_the_roles_provider_alias_is_copied_to_the_new_blocks() -> None:
    """A role created through ``provider = aws.management`` lives in that provider's account: a policy and
    an attachment without the alias were created with the default provider, in another account (apply
    fails with NoSuchEntity, or attaches the policy to a same-named role there)."""
    role = ROLE.replace("{\n", "{\n  provider = aws.management\n", 1)
    text = terraform.edit({"main.tf": role + ATTACHMENT}, REQUEST).changes["main.tf"] or ""
    assert 'resource "aws_iam_policy" "runner_policygen" {\n  provider = aws.management\n\n  name ' in text
    assert (
        'resource "aws_iam_role_policy_attachment" "runner_policygen" {\n  provider = aws.management\n\n'
        "  role       = aws_iam_role.runner.name\n" in text
    )
    assert terraform.edit({"main.tf": text}, REQUEST).changes == {}


def test_a_module_called_with_another_aws_provider_gets_its_policy_there() -> None:
    irsa = (
        'module "irsa" {\n'
        '  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
        '  version   = "5.39.1"\n'
        "  providers = {\n    aws = aws.eu\n  }\n"
        '  role_name = "ci-runner"\n'
        f'  role_policy_arns = {{\n    power = "{POWER}"\n  }}\n'
        "}\n"
    )
    text = terraform.edit({"irsa.tf": irsa}, REQUEST).changes["irsa.tf"] or ""
    assert 'resource "aws_iam_policy" "irsa_policygen" {\n  provider = aws.eu\n\n  name ' in text
