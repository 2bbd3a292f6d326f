"""Meta-arguments of the role decide where and how many: a role created through a provider alias lives in
that provider's account and Region, so what we add beside it must use the same provider; a role with
``count`` or ``for_each`` has instances, and what we add must have the same ones and name the role's."""

from __future__ import annotations

import re

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER
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
        "  create_role = true\n"
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


# One module block per team, as the Terraform language docs' for_each examples write it (a map literal whose
# entries hold each instance's settings, read as each.key and each.value.ATTR: "The for_each
# Meta-Argument"); the module's inputs as terraform-aws-iam v5.60.0 modules/iam-role-for-service-accounts-eks
# variables.tf gives them (role_name, role_policy_arns = map(string)).
TEAM_A = EditRequest("arn:aws:iam::123456789012:role/team-a-irsa", (DOC,), (POWER,))
PER_TEAM = (
    'module "irsa" {\n'
    '  source   = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
    '  version  = "~> 5.60"\n'
    "  for_each = {\n"
    f'    team-a = {{\n      policies = {{\n        power = "{POWER}"\n      }}\n    }}\n'
    f'    "team-b" = {{\n      policies = {{\n        power = "{POWER}"\n      }}\n    }}\n'
    "  }\n\n"
    '  role_name        = "${each.key}-irsa"\n'
    "  role_policy_arns = each.value.policies\n"
    "}\n"
)


def test_one_instance_of_a_module_with_for_each_gets_its_policy_in_its_own_entry() -> None:
    """The role is module.irsa["team-a"]: only that entry of the for_each map loses the broad policy and
    takes the generated one, a policy of its own (labelled for its key, so that team-b's run adds its own
    beside it). Before, a module with for_each was refused, or with a per-key name not found at all."""
    result = terraform.edit({"irsa.tf": PER_TEAM}, TEAM_A)
    text = result.changes["irsa.tf"] or ""
    assert (
        "    team-a = {\n      policies = {\n"
        "        policygen = aws_iam_policy.irsa_team_a_policygen.arn\n      }\n    }\n"
        f'    "team-b" = {{\n      policies = {{\n        power = "{POWER}"\n      }}\n    }}\n' in text
    )
    assert (
        'resource "aws_iam_policy" "irsa_team_a_policygen" {\n  name        = "team-a-irsa-policygen"\n'
        in text
    )
    assert result.detached == [POWER]
    assert result.role_location == 'irsa.tf (module irsa["team-a"])'
    assert terraform.edit({"irsa.tf": text}, TEAM_A).changes == {}
    team_b = EditRequest("arn:aws:iam::123456789012:role/team-b-irsa", (DOC,), (POWER,))
    both = terraform.edit({"irsa.tf": text}, team_b).changes["irsa.tf"] or ""
    assert "        policygen = aws_iam_policy.irsa_team_b_policygen.arn\n" in both
    assert 'resource "aws_iam_policy" "irsa_team_a_policygen"' in both


def test_the_one_instance_of_a_for_each_set_is_edited_like_a_module_without_it() -> None:
    one = (
        'module "irsa" {\n'
        '  source           = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
        '  for_each         = toset(["team-a"])\n'
        '  role_name        = "${each.value}-irsa"\n'
        f'  role_policy_arns = {{\n    power = "{POWER}"\n  }}\n'
        "}\n"
    )
    text = terraform.edit({"irsa.tf": one}, TEAM_A).changes["irsa.tf"] or ""
    assert "  role_policy_arns = {\n    policygen = aws_iam_policy.irsa_policygen.arn\n  }\n" in text
    assert 'resource "aws_iam_policy" "irsa_policygen" {\n  name ' in text


@pytest.mark.parametrize(
    ("meta", "name", "role", "instance"),
    [
        ('for_each = toset(["team-a", "team-b"])', '"${each.key}-irsa"', "team-a-irsa", '["team-a"]'),
        ("count = 2", '"team-${count.index}-irsa"', "team-1-irsa", "[1]"),
    ],
)
def test_a_policy_input_shared_by_the_instances_is_refused(
    meta: str, name: str, role: str, instance: str
) -> None:
    """One ``role_policy_arns`` for every instance: editing it would give the other instance's role this
    role's policy and take PowerUserAccess from it too."""
    module = (
        'module "irsa" {\n'
        '  source           = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
        f"  {meta}\n"
        f"  role_name        = {name}\n"
        f'  role_policy_arns = {{\n    power = "{POWER}"\n  }}\n'
        "}\n"
    )
    request = EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))
    with pytest.raises(
        GitOpsEditError, match=re.escape(f"instance {instance}, one of 2") + ".* written once"
    ):
        terraform.edit({"irsa.tf": module}, request)


@pytest.mark.parametrize("meta", ['for_each = toset(["a", "b"])', "count = 2"])
def test_a_module_whose_instances_share_the_role_name_is_refused(meta: str) -> None:
    """Every instance names its role ci-runner: which one is the role the file cannot say, and a policy
    per instance would repeat its IAM name. Before, count = 2 got two policies named ci-runner-policygen
    (EntityAlreadyExists at apply)."""
    module = (
        'module "irsa" {\n'
        '  source           = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
        f"  {meta}\n"
        '  role_name        = "ci-runner"\n'
        f'  role_policy_arns = {{\n    power = "{POWER}"\n  }}\n'
        "}\n"
    )
    with pytest.raises(GitOpsEditError, match=r"is the same in each instance.*Nothing was changed"):
        terraform.edit({"irsa.tf": module}, REQUEST)
