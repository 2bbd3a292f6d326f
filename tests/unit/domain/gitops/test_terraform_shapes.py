"""Shapes real infrastructure repositories give a role and its broad policies, through the edit: each is
either edited right or refused naming the file and why, never half-edited."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import editor, terraform
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST

# terraform-aws-modules/terraform-aws-iam (v5.60.0) versions.tf, and every module and root module laid
# out the same way: a terraform block without labels, beside locals blocks.
VERSIONS = """\
terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 4.0"
    }
  }
}
"""


def test_a_role_not_found_beside_blocks_without_labels_is_said() -> None:
    """The "not found" message lists the broad attachments of every block with labels; a ``terraform``
    or ``locals`` block (no label) crashed it with IndexError, so a repository with a versions.tf got a
    traceback instead of what was seen."""
    other = (
        'locals {\n  team = "payments"\n}\n\n'
        'resource "aws_iam_role" "deployer" {\n  name = "deployer"\n}\n\n'
        'resource "aws_iam_role_policy_attachment" "power" {\n'
        "  role       = aws_iam_role.deployer.name\n"
        f'  policy_arn = "{POWER}"\n'
        "}\n"
    )
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"versions.tf": VERSIONS, "main.tf": other}, REQUEST)
    message = str(err.value)
    assert 'no aws_iam_role with name = "ci-runner"' in message
    assert 'main.tf: aws_iam_role.deployer (name = "deployer")' in message
    attached = f"main.tf: aws_iam_role_policy_attachment.power attaches {POWER} to aws_iam_role.deployer"
    assert attached in message


# Terraform's for_each documentation (developer.hashicorp.com/terraform/language/meta-arguments/for_each)
# names each instance after its key: resource "aws_iam_user" "the-accounts" { for_each = toset([...])
# name = each.key }; roles are written the same way, with their attachments per instance.
PER_KEY_ROLES = f"""\
resource "aws_iam_role" "runners" {{
  for_each           = toset(["ci", "deploy"])
  name               = "${{each.key}}-runner"
  assume_role_policy = "{{}}"
}}

resource "aws_iam_role_policy_attachment" "power" {{
  for_each   = aws_iam_role.runners
  role       = each.value.name
  policy_arn = "{POWER}"
}}
"""


COUNTED_ROLES = (
    PER_KEY_ROLES.replace('  for_each           = toset(["ci", "deploy"])\n', "  count              = 2\n")
    .replace('"${each.key}-runner"', '"runner-${count.index}"')
    .replace(
        "  for_each   = aws_iam_role.runners\n  role       = each.value.name\n",
        "  count      = 2\n  role       = aws_iam_role.runners[count.index].name\n",
    )
)


@pytest.mark.parametrize(
    ("text", "role", "where"),
    [
        (PER_KEY_ROLES, "ci-runner", '["ci"] of main.tf: aws_iam_role.runners (for_each = toset(['),
        (
            PER_KEY_ROLES.replace('toset(["ci", "deploy"])', "{\n    ci     = 1\n    deploy = 2\n  }"),
            "ci-runner",
            '["ci"] of main.tf: aws_iam_role.runners (for_each = {',
        ),
        (COUNTED_ROLES, "runner-1", "[1] of main.tf: aws_iam_role.runners (count = 2; "),
    ],
)
def test_one_instance_of_a_role_resource_with_for_each_or_count_is_refused_saying_so(
    text: str, role: str, where: str
) -> None:
    """Which instance is the role can be told (its name evaluated per key), but its attachments are
    written for every instance: removing the broad policy from one would rewrite their collection. It was
    refused as "no aws_iam_role", advising to write the name as a literal, which a per-key name cannot be."""
    request = EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": text}, request)
    message = str(err.value)
    assert f"role {role!r} is the instance {where}" in message
    assert "policygen does not edit one instance of a role resource with " in message
    assert "no aws_iam_role" not in message


# deviprasadnaik/aws-devops terraform/modules/event-driven (commit 01aba938): local.tf holds
# locals { managed_policy_arns = [ ...AWS managed ARNs... ] } and role.tf attaches them to a role of a literal
# name with for_each = toset(local.managed_policy_arns), policy_arn = each.value.
LOCALS = f"""\
locals {{
  managed_policy_arns = [
    "{POWER}",
    "arn:aws:iam::aws:policy/AWSLambdaExecute"
  ]
}}
"""
ROLE_TF = """\
resource "aws_iam_role" "this" {
  name = "ci-runner"

  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = toset(local.managed_policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = each.value
}
"""
# The count form, as figtools/figgy's figgy_lambda/role.tf writes it over a list (there var.policies):
# count = length(local.X), policy_arn = local.X[count.index]
COUNTED_TF = ROLE_TF.replace(
    "  for_each = toset(local.managed_policy_arns)\n",
    "  count = length(local.managed_policy_arns)\n",
).replace("policy_arn = each.value", "policy_arn = local.managed_policy_arns[count.index]")


@pytest.mark.parametrize("role_tf", [ROLE_TF, COUNTED_TF], ids=["for_each", "count"])
def test_an_attachment_per_item_of_a_local_list_loses_the_broad_item(role_tf: str) -> None:
    """The policies came from a literal list in the module's locals: the broad ARN was left attached and
    the run refused as "not found attached", advising to point path elsewhere."""
    files = {"local.tf": LOCALS, "role.tf": role_tf}
    result = terraform.edit(files, REQUEST)
    assert result.changes["local.tf"] == (
        'locals {\n  managed_policy_arns = [\n    "arn:aws:iam::aws:policy/AWSLambdaExecute"\n  ]\n}\n'
    )
    assert (result.changes["role.tf"] or "").startswith(role_tf)
    assert result.detached == [POWER]
    assert any("from local.managed_policy_arns, the " in note for note in result.notes)
    assert terraform.edit({**files, **result.changes}, REQUEST).changes == {}  # type: ignore[dict-item]


def test_an_attachment_over_a_local_left_empty_goes() -> None:
    files = {"local.tf": f'locals {{\n  managed_policy_arns = ["{POWER}"]\n}}\n', "role.tf": ROLE_TF}
    result = terraform.edit(files, REQUEST)
    assert result.changes["local.tf"] == "locals {\n  managed_policy_arns = []\n}\n"
    role_tf = result.changes["role.tf"] or ""
    assert 'aws_iam_role_policy_attachment" "this"' not in role_tf
    assert 'resource "aws_iam_role_policy_attachment" "this_policygen"' in role_tf


def test_a_local_another_block_reads_is_not_edited() -> None:
    """Removing the ARN from a local another role's attachments also read would detach it there too."""
    other = (
        'resource "aws_iam_role_policy_attachment" "deployer" {\n'
        "  for_each   = toset(local.managed_policy_arns)\n"
        '  role       = "deployer"\n'
        "  policy_arn = each.value\n"
        "}\n"
    )
    files = {"local.tf": LOCALS, "role.tf": ROLE_TF, "deployer.tf": other}
    with pytest.raises(GitOpsEditError, match="not found attached") as err:
        editor.edit_files("terraform", files, REQUEST, "")
    assert "local.managed_policy_arns, which is also read at deployer.tf:2" in str(err.value)


def test_a_read_of_a_longer_local_is_not_a_read_of_the_local() -> None:
    """``local.managed_policy_arns-legacy`` reads another local ("Identifiers can contain letters, digits,
    underscores (_), and hyphens (-)", Terraform language docs, "Syntax"): it was taken for a read of
    ``local.managed_policy_arns`` (``\\blocal\\.NAME\\b`` stops at the hyphen), and the run refused as
    "not found attached"; ``hcl.reference`` is what terraform_eks already read such a local by."""
    legacy = 'output "legacy" {\n  value = local.managed_policy_arns-legacy\n}\n'
    locals_tf = LOCALS.replace("locals {\n", "locals {\n  managed_policy_arns-legacy = []\n", 1)
    files = {"local.tf": locals_tf, "role.tf": ROLE_TF, "outputs.tf": legacy}
    result = terraform.edit(files, REQUEST)
    assert result.detached == [POWER]
    assert f'"{POWER}"' not in (result.changes["local.tf"] or "")


@pytest.mark.parametrize(
    ("local", "reference"),
    [
        (f'  power_user_arn = "{POWER}"\n', "local.power_user_arn"),
        (f'  policy = {{\n    power_user_arn = "{POWER}"\n  }}\n', "local.policy.power_user_arn"),
    ],
)
def test_an_attachment_of_a_local_arn_is_removed(local: str, reference: str) -> None:
    """``policy_arn = local.basic_execution_role_arn`` (or ``local.policy.ssm_policy_arn`` of an object)
    is a common way to name a managed policy once; a local cannot be set from outside the module, so its
    literal is the ARN attached."""
    text = f"locals {{\n{local}}}\n\n" + ROLE_TF.replace(
        "  for_each = toset(local.managed_policy_arns)\n\n", ""
    ).replace("policy_arn = each.value", f"policy_arn = {reference}")
    result = terraform.edit({"main.tf": text}, REQUEST)
    assert result.detached == [POWER]
    assert 'resource "aws_iam_role_policy_attachment" "this" {' not in (result.changes["main.tf"] or "")


# A Terragrunt unit calling terraform-aws-iam's iam-assumable-role, as live repositories lay them out
# (terragrunt.hcl: include "root", terraform { source = "tfr:///...?version=4.24.1" }, inputs = {...};
# Terragrunt's documentation, "Units": inputs are passed to the module as TF_VAR_ variables).
TERRAGRUNT = """\
include "root" {
  path = find_in_parent_folders()
}

terraform {
  source = "tfr:///terraform-aws-modules/iam/aws//modules/iam-assumable-role?version=4.24.1"
}

inputs = {
  create_role = true

  role_name         = "ci-runner"
  role_requires_mfa = false

  attach_poweruser_policy = true
}
"""


@pytest.mark.parametrize(
    ("files", "first"),
    [
        ({"live/prod/iam/terragrunt.hcl": TERRAGRUNT}, "no Terraform file (*.tf) under the path"),
        (
            {
                "live/prod/iam/terragrunt.hcl": TERRAGRUNT,
                "modules/other/main.tf": 'resource "aws_iam_role" "r" {\n  name = var.name\n}\n',
            },
            'no aws_iam_role with name = "ci-runner"',
        ),
    ],
)
def test_a_role_given_as_terragrunt_inputs_is_named_with_why_it_is_not_edited(
    files: dict[str, str], first: str
) -> None:
    """The run said only that no .tf file (or no aws_iam_role) was found, not that the role is a
    Terragrunt unit's inputs, which policygen does not edit."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, REQUEST)
    message = str(err.value)
    assert message.startswith(first)
    assert (
        "role 'ci-runner' is given as Terragrunt inputs: live/prod/iam/terragrunt.hcl (role_name = "
        '"ci-runner", source = "tfr:///terraform-aws-modules/iam/aws//modules/iam-assumable-role?version=4.24.1")'
        ". policygen edits Terraform code (.tf), not a Terragrunt unit's inputs" in message
    )


# A generate block writing the providers' versions into the unit (Terragrunt's documentation, "generate"
# block: path, if_exists, contents in a heredoc), with Terraform's required_providers { aws = { source =
# "hashicorp/aws" } } (Terraform documentation, "Provider Requirements")
GENERATE_VERSIONS = """\
generate "versions" {
  path      = "versions_override.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
EOF
}

"""


def test_a_terragrunt_unit_is_named_with_its_terraform_blocks_source() -> None:
    """The unit's source was the first line of the file that set a ``source``: a generate block before
    ``terraform { source = ... }`` gave the provider's ``"hashicorp/aws"`` of its heredoc, not the module
    the unit calls."""
    files = {"live/prod/iam/terragrunt.hcl": GENERATE_VERSIONS + TERRAGRUNT}
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, REQUEST)
    assert (
        'live/prod/iam/terragrunt.hcl (role_name = "ci-runner", source = '
        '"tfr:///terraform-aws-modules/iam/aws//modules/iam-assumable-role?version=4.24.1")' in str(err.value)
    )


def test_an_attachment_of_a_variable_is_named_as_not_a_literal() -> None:
    """figtools/figgy's figgy_lambda/role.tf: count = length(var.policies), policy_arn =
    var.policies[count.index]. The variable's value is the caller's (it has no default): refused, but the
    error advised only to point path at the files that attach the policy, which are the ones it read."""
    text = ROLE_TF.replace(
        "  for_each = toset(local.managed_policy_arns)\n", "  count = length(var.policies)\n"
    ).replace("policy_arn = each.value", "policy_arn = var.policies[count.index]")
    variables = 'variable "policies" {\n  type = list(string)\n}\n'
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", {"role.tf": text, "variables.tf": variables}, REQUEST, "")
    message = str(err.value)
    assert (
        "role.tf: aws_iam_role_policy_attachment.this count over var.policies, which is not a literal: "
        "var.policies (declared in variables.tf): it has no default and no definitions file of the module "
        "(terraform.tfvars, *.auto.tfvars, a -var-file) sets it: -var, TF_VAR_policies or the module's "
        "caller gives its value" in message
    )
    assert "Write the expression named above as a literal in that file" in message


def test_a_policy_attachment_listing_the_role_with_a_policy_it_cannot_read_is_named() -> None:
    """An aws_iam_policy_attachment per managed policy of a variable (for_each =
    toset(var.aws_managed_policies), policy_arn = each.key, roles = [aws_iam_role.X.name]: a layout the
    code search finds for API Gateway and Lambda roles) lists the role: the error said "no attachment at
    all"."""
    text = ROLE_TF.split("\n\nresource")[0] + (
        '\n\nresource "aws_iam_policy_attachment" "managed" {\n'
        "  for_each   = toset(var.aws_managed_policies)\n"
        '  name       = "managed"\n'
        "  policy_arn = each.key\n"
        "  roles = [\n    aws_iam_role.this.name\n  ]\n}\n"
    )
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", {"main.tf": text}, REQUEST, "")
    assert "(seen: main.tf: aws_iam_policy_attachment.managed (each.key))" in str(err.value)
