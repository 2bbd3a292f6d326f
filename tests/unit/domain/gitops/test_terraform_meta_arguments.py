"""Meta-arguments of the role decide where and how many: a role created through a provider alias lives in
that provider's account and Region, so what we add beside it must use the same provider; a role with
``count`` or ``for_each`` has instances, and what we add must have the same ones and name the role's."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.documents import RUNNER_ATTACHMENT as ATTACHMENT
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST
from tests.unit.domain.gitops.documents import RUNNER_ROLE as ROLE


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


COUNTED = (
    'resource "aws_iam_role" "runner" {\n  count = var.create ? 1 : 0\n  name  = "ci-runner"\n}\n'
    '\nresource "aws_iam_role_policy_attachment" "power" {\n'
    "  count      = var.create ? 1 : 0\n"
    "  role       = aws_iam_role.runner[0].name\n"
    f'  policy_arn = "{POWER}"\n'
    "}\n"
    '\noutput "attachment" {\n  value = aws_iam_role_policy_attachment.power[0].id\n}\n'
)


def test_a_role_with_count_gets_counted_blocks_that_name_its_instance() -> None:
    """``aws_iam_role.runner.name`` on a role with ``count`` is invalid ("Missing resource instance key"),
    and a policy without the role's ``count`` exists even when the role does not. An attachment written
    ``aws_iam_role.runner[0].name`` was not recognised as the role's at all."""
    result = terraform.edit({"main.tf": COUNTED}, REQUEST)
    text = result.changes["main.tf"] or ""
    assert result.detached == [POWER]
    assert 'resource "aws_iam_policy" "runner_policygen" {\n  count = var.create ? 1 : 0\n\n  name ' in text
    assert (
        'resource "aws_iam_role_policy_attachment" "runner_policygen" {\n  count = var.create ? 1 : 0\n\n'
        "  role       = aws_iam_role.runner[count.index].name\n"
        "  policy_arn = aws_iam_policy.runner_policygen[count.index].arn\n}\n" in text
    )
    assert "  value = aws_iam_role_policy_attachment.runner_policygen[0].id\n" in text
    assert terraform.edit({"main.tf": text}, REQUEST).changes == {}


def test_a_role_with_for_each_and_managed_policy_arns() -> None:
    """The role's own ``for_each`` expression, not ``for_each = aws_iam_role.X``: the role lists the
    policy's ARN, so the policy must not depend on the role (a cycle ``terraform validate`` rejects)."""
    role = (
        'resource "aws_iam_role" "runner" {\n'
        '  for_each            = toset(["main"])\n'
        '  name                = "ci-runner"\n'
        f'  managed_policy_arns = ["{POWER}"]\n'
        "}\n"
    )
    text = terraform.edit({"main.tf": role}, REQUEST).changes["main.tf"] or ""
    assert "  managed_policy_arns = [aws_iam_policy.runner_policygen[each.key].arn]\n" in text
    assert 'resource "aws_iam_policy" "runner_policygen" {\n  for_each = toset(["main"])\n\n' in text


def test_an_attachment_of_the_roles_count_index_is_recognised() -> None:
    """``role = aws_iam_role.runner[count.index].name`` in an attachment with the same count."""
    role = 'resource "aws_iam_role" "runner" {\n  count = 1\n  name  = "ci-runner"\n}\n'
    attachment = ATTACHMENT.replace(
        "  role       = aws_iam_role.runner.name\n",
        "  count      = 1\n  role       = aws_iam_role.runner[count.index].name\n",
    )
    assert terraform.edit({"main.tf": role + attachment}, REQUEST).detached == [POWER]


def test_a_module_with_count_gets_a_counted_policy() -> None:
    module = (
        'module "irsa" {\n'
        '  source    = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"\n'
        '  version   = "~> 5.52"\n'
        "  count     = var.enabled ? 1 : 0\n"
        '  role_name = "ci-runner"\n'
        f'  role_policy_arns = [\n    "{POWER}",\n  ]\n'
        "}\n"
    )
    text = terraform.edit({"irsa.tf": module}, REQUEST).changes["irsa.tf"] or ""
    assert "    aws_iam_policy.irsa_policygen[count.index].arn,\n" in text
    assert 'resource "aws_iam_policy" "irsa_policygen" {\n  count = var.enabled ? 1 : 0\n\n' in text
    with pytest.raises(GitOpsEditError, match=r"module\.irsa has for_each"):
        terraform.edit({"irsa.tf": module.replace("count     = var", "for_each  = var")}, REQUEST)


# A role created only where enabled (count = var.enabled ? 1 : 0), whose policies the AWS provider's
# aws_iam_role_policy_attachments_exclusive holds (registry.terraform.io/providers/hashicorp/aws, resource
# docs: role_name, policy_arns; every policy not listed is detached).
KEYED_ROLE = 'resource "aws_iam_role" "runner" {\n  count = var.enabled ? 1 : 0\n  name  = "ci-runner"\n}\n'


def exclusive(meta: str, instance: str) -> str:
    return (
        '\nresource "aws_iam_role_policy_attachments_exclusive" "runner" {\n'
        + meta
        + f"  role_name   = aws_iam_role.runner{instance}.name\n"
        f'  policy_arns = ["{POWER}"]\n'
        "}\n"
    )


@pytest.mark.parametrize(
    ("meta", "instance", "listed"),
    [
        ("  count = var.enabled ? 1 : 0\n\n", "[count.index]", "[count.index]"),
        ("", "[0]", "[0]"),
    ],
)
def test_a_counted_roles_exclusive_resource_lists_the_policy_of_its_instance(
    meta: str, instance: str, listed: str
) -> None:
    """Refused before ("does not write into an exclusive list per instance"). The exclusive resource names
    one instance of the role, by the role's own count or by a literal index: it takes the new policy's
    same instance, which has the role's count."""
    result = terraform.edit({"main.tf": KEYED_ROLE + exclusive(meta, instance)}, REQUEST)
    text = result.changes["main.tf"] or ""
    assert f"  policy_arns = [aws_iam_policy.runner_policygen{listed}.arn]\n" in text
    assert '  count = var.enabled ? 1 : 0\n\n  name        = "ci-runner-policygen"\n' in text
    assert 'aws_iam_role_policy_attachment" "' not in text  # no attachment beside the exclusive list
    assert result.detached == [POWER]
    assert terraform.edit({"main.tf": text}, REQUEST).changes == {}


@pytest.mark.parametrize(
    ("meta", "instance"),
    [("  count = 2\n\n", "[count.index]"), ("  count = var.enabled ? 1 : 0\n\n", "[0]")],
)
def test_an_exclusive_resource_keyed_otherwise_is_refused(meta: str, instance: str) -> None:
    """Another count than the role's, or a literal index under a count of its own: which instance of the
    new policy it should list is not for the run to guess."""
    with pytest.raises(
        GitOpsEditError, match=r"which names no one instance of it the way policygen can pair"
    ):
        terraform.edit({"main.tf": KEYED_ROLE + exclusive(meta, instance)}, REQUEST)
