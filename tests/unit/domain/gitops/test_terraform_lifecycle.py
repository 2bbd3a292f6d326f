"""Terraform: an edit whose plan would fail, or that Terraform would not apply, leaves the broad policy
attached: refused naming the lifecycle setting.

Terraform language docs, "The lifecycle Meta-Argument": ``prevent_destroy = true`` "will cause Terraform to
reject with an error any plan that would destroy the infrastructure object associated with the resource",
but it "does not prevent the remote object from being destroyed if the resource block were removed from
configuration entirely"; ``ignore_changes`` lists attributes (or the keyword ``all``) whose changes in the
configuration are not applied. Attributes as the AWS provider documents them: aws_iam_role
``managed_policy_arns``, aws_iam_role_policy_attachments_exclusive ``role_name``/``policy_arns``,
aws_iam_policy_attachment ``name``/``roles``/``policy_arn``, aws_iam_role_policy_attachment
``role``/``policy_arn``.
"""

from __future__ import annotations

import re

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER, RUNNER_ATTACHMENT, RUNNER_REQUEST, RUNNER_ROLE

LOGS = "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"
FOR_EACH = (
    RUNNER_ROLE
    + '\nresource "aws_iam_role_policy_attachment" "each" {\n'
    + f'  for_each   = toset(["{POWER}", "{LOGS}"])\n'
    + "  role       = aws_iam_role.runner.name\n"
    + "  policy_arn = each.value\n"
    + "\n  lifecycle {\n    prevent_destroy = true\n  }\n"
    + "}\n"
)


def _refused(text: str) -> str:
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": text}, RUNNER_REQUEST)
    return str(err.value)


def test_an_item_of_a_protected_for_each_is_not_removed() -> None:
    """The block stays (another item is left) and the instance of the broad policy would be destroyed: plan
    fails, and the policy stays attached."""
    assert _refused(FOR_EACH).startswith(
        f"main.tf: resource aws_iam_role_policy_attachment.each attaches {POWER} per item of its for_each "
        "and has lifecycle { prevent_destroy = true }: removing the item destroys that instance while the "
        "block stays, and Terraform rejects any plan that would"
    )


def test_a_protected_block_removed_whole_is_removed_and_said() -> None:
    """Removed with its block, prevent_destroy goes too and Terraform destroys it (as documented): edited,
    and the change list says the protection goes."""
    text = RUNNER_ROLE + RUNNER_ATTACHMENT.replace(
        "}\n", "\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
    )
    result = terraform.edit({"main.tf": text}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert any(
        "removed resource aws_iam_role_policy_attachment.power" in n and "prevent_destroy = true" in n
        for n in result.notes
    )
    only = FOR_EACH.replace(f', "{LOGS}"', "")
    result = terraform.edit({"main.tf": only}, RUNNER_REQUEST)
    assert any("(its for_each was left empty); it had lifecycle { prevent_destroy" in n for n in result.notes)


@pytest.mark.parametrize("ignored", ["[managed_policy_arns]", "[tags, managed_policy_arns]", "all"])
def test_a_role_whose_managed_policy_arns_terraform_ignores_is_refused(ignored: str) -> None:
    text = RUNNER_ROLE.replace(
        "}\n",
        f'  managed_policy_arns = ["{POWER}"]\n\n  lifecycle {{\n    ignore_changes = {ignored}\n  }}\n}}\n',
    )
    assert _refused(text).startswith(
        f"main.tf: aws_iam_role.runner has lifecycle {{ ignore_changes = {ignored} }}: Terraform does not "
        "apply a change of its managed_policy_arns, so this edit would leave the broad policy attached in AWS"
    )


def test_ignored_other_attributes_do_not_stop_the_edit() -> None:
    text = RUNNER_ROLE.replace(
        "}\n",
        f'  managed_policy_arns = ["{POWER}"]\n\n  lifecycle {{\n    ignore_changes = [tags]\n  }}\n}}\n',
    )
    assert terraform.edit({"main.tf": text}, RUNNER_REQUEST).detached == [POWER]


def test_an_exclusive_resource_whose_policy_arns_terraform_ignores_is_refused() -> None:
    text = (
        RUNNER_ROLE + '\nresource "aws_iam_role_policy_attachments_exclusive" "runner" {\n'
        "  role_name   = aws_iam_role.runner.name\n"
        f'  policy_arns = ["{POWER}"]\n'
        "  lifecycle {\n    ignore_changes = [policy_arns]\n  }\n}\n"
    )
    assert _refused(text).startswith(
        "main.tf: aws_iam_role_policy_attachments_exclusive.runner has lifecycle { ignore_changes = "
        "[policy_arns] }"
    )


def test_a_shared_policy_attachment_whose_roles_terraform_ignores_is_refused() -> None:
    text = (
        RUNNER_ROLE + '\nresource "aws_iam_policy_attachment" "power" {\n'
        '  name       = "power"\n'
        '  roles      = [aws_iam_role.runner.name, "ops"]\n'
        f'  policy_arn = "{POWER}"\n'
        "  lifecycle {\n    ignore_changes = [roles]\n  }\n}\n"
    )
    assert _refused(text).startswith(
        "main.tf: aws_iam_policy_attachment.power has lifecycle { ignore_changes = [roles] }"
    )


@pytest.mark.parametrize(
    "text",
    [
        RUNNER_ROLE + RUNNER_ATTACHMENT,
        FOR_EACH.replace("\n  lifecycle {\n    prevent_destroy = true\n  }\n", ""),
        RUNNER_ROLE.replace("}\n", f'  managed_policy_arns = ["{POWER}"]\n}}\n'),
    ],
)
def test_no_edit_writes_a_removed_block(text: str) -> None:
    """A ``removed`` block with ``lifecycle { destroy = false }`` forgets an object without destroying it:
    the broad attachment would stay. The editor removes resources (or list items) and never writes one."""
    result = terraform.edit({"main.tf": text}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    for changed in result.changes.values():
        assert changed is not None and not re.search(r"(?m)^\s*removed\s*\{", changed)
