"""A removed attachment may be referenced elsewhere in its module: an instance profile that ``depends_on``
it so the instance never boots without its permissions, an output of its ``id``. Left as they were, those
references make ``terraform validate`` fail ("Reference to undeclared resource") although every file still
parses, so the edit points them at what attaches the policies now, or refuses naming them."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.documents import RUNNER_ATTACHMENT as ATTACHMENT
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST
from tests.unit.domain.gitops.documents import RUNNER_ROLE as ROLE

PROFILE = (
    '\nresource "aws_iam_instance_profile" "runner" {\n'
    "  role = aws_iam_role.runner.name\n"
    "  # aws_iam_role_policy_attachment.power must exist first\n"
    "  depends_on = [aws_iam_role_policy_attachment.power, aws_iam_role.runner]\n"
    "}\n"
)
OUTPUT = '\noutput "attachment" {\n  value = "${aws_iam_role_policy_attachment.power.id}"\n}\n'


def test_depends_on_and_an_output_follow_the_new_attachment() -> None:
    """Same resource type, so ``.id`` stays valid; the comment that mentions the address is left alone."""
    result = terraform.edit({"main.tf": ROLE + ATTACHMENT, "other.tf": PROFILE + OUTPUT}, REQUEST)
    assert result.changes["other.tf"] == (PROFILE + OUTPUT).replace(
        "  depends_on = [aws_iam_role_policy_attachment.power, aws_iam_role.runner]\n",
        "  depends_on = [aws_iam_role.runner, aws_iam_role_policy_attachment.runner_policygen]\n",
    ).replace("power.id}", "runner_policygen.id}")
    assert (
        "other.tf: references to the removed aws_iam_role_policy_attachment.power now point at "
        "aws_iam_role_policy_attachment.runner_policygen" in result.notes
    )


def test_with_an_exclusive_list_depends_on_names_the_role() -> None:
    """With ``managed_policy_arns`` the role itself attaches the generated policy: there is no new
    attachment resource, so ``depends_on`` names the role, and an output of the removed attachment's id
    (no resource has those attributes now) is refused, naming it."""
    role = ROLE.replace("}\n", "  managed_policy_arns = []\n}\n")
    result = terraform.edit({"main.tf": role + ATTACHMENT + PROFILE}, REQUEST)
    text = result.changes["main.tf"] or ""
    assert "  depends_on = [aws_iam_role.runner]\n" in text
    assert "aws_iam_role_policy_attachment.power" not in text.replace("# aws_iam_role_policy_attachment", "")
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": role + ATTACHMENT + OUTPUT}, REQUEST)
    assert (
        'main.tf: output "attachment" refers to aws_iam_role_policy_attachment.power '
        '(value = "${aws_iam_role_policy_attachment.power.id}"), which this edit removes' in str(err.value)
    )


def test_a_removed_policy_attachment_of_another_type() -> None:
    """``aws_iam_policy_attachment`` has other attributes than the new attachment: ``depends_on`` follows
    the new attachment, a ``moved`` block into it is left (see below)."""
    shared = (
        '\nresource "aws_iam_policy_attachment" "power" {\n'
        '  name       = "power"\n'
        "  roles      = [aws_iam_role.runner.name]\n"
        f'  policy_arn = "{POWER}"\n'
        "}\n"
    )
    waits = '\nresource "null_resource" "after" {\n  depends_on = [aws_iam_policy_attachment.power]\n}\n'
    text = terraform.edit({"main.tf": ROLE + shared + waits}, REQUEST).changes["main.tf"] or ""
    assert "  depends_on = [aws_iam_role_policy_attachment.runner_policygen]\n" in text
    moved = "\nmoved {\n  from = aws_iam_policy_attachment.old\n  to   = aws_iam_policy_attachment.power\n}\n"
    text = terraform.edit({"main.tf": ROLE + shared + moved}, REQUEST).changes["main.tf"] or ""
    assert moved in text and 'resource "aws_iam_policy_attachment"' not in text


# A refactoring renamed the attachment (Terraform's "moved" block, Terraform language docs, Refactoring);
# the old address may still be in the state of workspaces not yet applied.
MOVED = (
    "\nmoved {\n"
    "  from = aws_iam_role_policy_attachment.old\n"
    "  to   = aws_iam_role_policy_attachment.power\n"
    "}\n"
)


def test_a_moved_block_into_the_removed_attachment_is_left_to_detach_it() -> None:
    """The run was refused ("moved refers to ... cannot be repointed"). Left as it is, the block is valid
    and does what the edit wants: terraform plan (1.11, AWS provider 5.100) of this configuration with the
    old address in the state says "aws_iam_role_policy_attachment.power will be destroyed (because
    aws_iam_role_policy_attachment.old was moved to aws_iam_role_policy_attachment.power, which is not in
    configuration)". Repointed to the new attachment, it would instead hand the broad attachment's state
    to the generated policy's."""
    result = terraform.edit({"main.tf": ROLE + ATTACHMENT, "moved.tf": MOVED}, REQUEST)
    assert "moved.tf" not in result.changes
    assert result.detached == [POWER]
    assert (
        "moved.tf: a moved block leads to the removed aws_iam_role_policy_attachment.power: left as it is, "
        "so Terraform moves the attachment in its state there and destroys it (the policy is detached)"
    ) in result.notes
    # with an output of the attachment's id after it: still repointed
    result = terraform.edit({"main.tf": ROLE + ATTACHMENT, "moved.tf": MOVED + OUTPUT}, REQUEST)
    assert result.changes["moved.tf"] == MOVED + OUTPUT.replace("power.id}", "runner_policygen.id}")


def test_an_import_block_of_the_removed_attachment_is_refused_saying_why() -> None:
    """terraform plan fails on an import whose target is gone ("Configuration for import target does not
    exist"), and dropping the import too would leave a not-yet-imported attachment attached."""
    imported = f'\nimport {{\n  to = aws_iam_role_policy_attachment.power\n  id = "ci-runner/{POWER}"\n}}\n'
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": ROLE + ATTACHMENT + imported}, REQUEST)
    assert str(err.value) == (
        "main.tf: an import block imports aws_iam_role_policy_attachment.power (to = "
        "aws_iam_role_policy_attachment.power), which this edit removes, and terraform plan fails on an "
        "import whose target is not in the configuration; whether it has been imported yet policygen cannot "
        "tell: once it is in the state (the import applied), remove the import block and run again"
    )
