"""Shapes real infrastructure repositories give a role and its broad policies, through the edit: each is
either edited right or refused naming the file and why, never half-edited."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
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
