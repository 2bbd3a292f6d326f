"""Shapes real infrastructure repositories give a role and its broad policies, through the edit: each is
either edited right or refused naming the file and why, never half-edited."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
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
