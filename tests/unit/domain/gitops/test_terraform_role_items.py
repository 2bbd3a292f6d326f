"""Attachments whose role is read per item of their ``for_each``: the role's items of a broad policy leave
the collection, wherever it is written, and what no single edit can do is refused naming why.

Public modules write these shapes (found with the code search): ``resource
"aws_iam_role_policy_attachment" "role_managed" { for_each = local.role_managed_attachments, role =
each.value.role_name, policy_arn = each.value.policy_arn }`` with the map in the module's locals; one
policy for a set of roles, ``for_each = toset([...])``, ``role = each.value``; and
``aws_iam_policy_attachment`` with ``roles = [each.value.role]``. Terraform's for_each docs
(developer.hashicorp.com/terraform/language/meta-arguments/for_each): "each.key: The map key (or set
member) corresponding to this instance", "each.value: The map value corresponding to this instance. (If a
set was provided, this is the same as each.key.)". An ``aws_iam_policy_attachment`` instance attaches its
policy to every role, user and group it lists (the AWS provider's docs), so removing an item detaches the
policy from all of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policygen_operator.domain.gitops import editor, terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER, RUNNER_ROLE, fmt_clean
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST

ECR = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"


LOCAL_ATTACHMENTS = f"""\
locals {{
  role_managed_attachments = {{
    runner_power = {{
      role_name  = aws_iam_role.runner.name
      policy_arn = "{POWER}"
    }}
    runner_ecr = {{
      role_name  = aws_iam_role.runner.name
      policy_arn = "{ECR}"
    }}
    deploy_power = {{ role_name = "deploy", policy_arn = "{POWER}" }}
  }}
}}
"""
ROLE_MANAGED = """
resource "aws_iam_role_policy_attachment" "role_managed" {
  for_each   = local.role_managed_attachments
  role       = each.value.role_name
  policy_arn = each.value.policy_arn
}
"""


def test_a_local_map_naming_the_role_per_entry_loses_the_roles_broad_entry(tmp_path: Path) -> None:
    """Left attached before: only a map written in the block was read per entry."""
    files = {"main.tf": RUNNER_ROLE + ROLE_MANAGED, "locals.tf": LOCAL_ATTACHMENTS}
    result = terraform.edit(files, REQUEST)
    assert result.detached == [POWER]
    locals_tf = result.changes["locals.tf"]
    assert locals_tf == LOCAL_ATTACHMENTS.replace(
        "    runner_power = {\n      role_name  = aws_iam_role.runner.name\n"
        f'      policy_arn = "{POWER}"\n    }}\n',
        "",
    )
    # the other role's entry of the same policy stays
    assert f'deploy_power = {{ role_name = "deploy", policy_arn = "{POWER}" }}' in locals_tf
    main = result.changes["main.tf"]
    assert main is not None and main.startswith(RUNNER_ROLE + ROLE_MANAGED)
    assert 'resource "aws_iam_role_policy_attachment" "runner_policygen"' in main
    fmt_clean(locals_tf, tmp_path)
    assert terraform.edit({**files, **result.changes}, REQUEST).changes == {}  # type: ignore[dict-item]


def test_a_local_map_read_elsewhere_is_not_edited() -> None:
    main = (
        RUNNER_ROLE + ROLE_MANAGED + '\noutput "attachments" {\n  value = local.role_managed_attachments\n}\n'
    )
    result = terraform.edit({"main.tf": main, "locals.tf": LOCAL_ATTACHMENTS}, REQUEST)
    assert result.detached == [] and "locals.tf" not in result.changes
    assert any("which is also read at main.tf:" in line for line in result.seen)


SET_OF_ROLES = f"""
resource "aws_iam_role_policy_attachment" "power_users" {{
  for_each = toset([
    aws_iam_role.runner.name,
    "deploy",
  ])

  role       = each.value
  policy_arn = "{POWER}"
}}
"""


def test_one_policy_for_a_set_of_roles_loses_the_roles_item(tmp_path: Path) -> None:
    """Left attached before: the block's role (each.value) was not read as the role's."""
    result = terraform.edit({"main.tf": RUNNER_ROLE + SET_OF_ROLES}, REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert text.startswith(RUNNER_ROLE + SET_OF_ROLES.replace("    aws_iam_role.runner.name,\n", ""))
    assert any("removed the role's item (attaching " in note for note in result.notes)
    fmt_clean(text, tmp_path)


@pytest.mark.parametrize("read", ["each.value", "each.key"])
def test_the_block_goes_when_the_role_was_its_only_item(read: str) -> None:
    block = f"""
resource "aws_iam_role_policy_attachment" "power_users" {{
  for_each   = toset(["ci-runner"])
  role       = {read}
  policy_arn = "{POWER}"
}}
"""
    result = terraform.edit({"main.tf": RUNNER_ROLE + block}, REQUEST)
    assert result.detached == [POWER]
    assert '"power_users"' not in (result.changes["main.tf"] or "")


def test_a_set_of_roles_in_a_local_through_a_data_source() -> None:
    main = (
        RUNNER_ROLE
        + '\nlocals {\n  power_roles = ["ci-runner", "deploy"]\n}\n'
        + '\ndata "aws_iam_policy" "power" {\n  name = "PowerUserAccess"\n}\n'
        + '\nresource "aws_iam_role_policy_attachment" "power_users" {\n'
        "  for_each   = toset(local.power_roles)\n  role       = each.value\n"
        "  policy_arn = data.aws_iam_policy.power.arn\n}\n"
    )
    result = terraform.edit({"main.tf": main}, REQUEST)
    assert result.detached == [POWER]
    assert '  power_roles = ["deploy"]\n' in (result.changes["main.tf"] or "")


POLICY_ATTACHMENT = f"""
resource "aws_iam_policy_attachment" "managed" {{
  for_each = {{
    runner_power = {{
      role       = aws_iam_role.runner.name
      policy_arn = "{POWER}"
    }}
    runner_ecr = {{
      role       = aws_iam_role.runner.name
      policy_arn = "{ECR}"
    }}
    deploy_power = {{ role = "deploy", policy_arn = "{POWER}" }}
  }}

  name       = each.key
  roles      = [each.value.role]
  policy_arn = each.value.policy_arn
}}
"""


def test_aws_iam_policy_attachment_reading_roles_per_item(tmp_path: Path) -> None:
    """Left attached before: roles = [each.value.role] named no role policygen read."""
    result = terraform.edit({"main.tf": RUNNER_ROLE + POLICY_ATTACHMENT}, REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert text.startswith(
        RUNNER_ROLE
        + POLICY_ATTACHMENT.replace(
            "    runner_power = {\n      role       = aws_iam_role.runner.name\n"
            f'      policy_arn = "{POWER}"\n    }}\n',
            "",
        )
    )
    fmt_clean(text, tmp_path)


@pytest.mark.parametrize(
    ("roles", "named"),
    [
        ('[each.value.role]\n  users      = ["alice"]', 'users ["alice"]'),
        ('[each.value.role, "deploy-bot"]', '"deploy-bot"'),
    ],
    ids=["users", "a-role-every-item-lists"],
)
def test_an_item_attaching_the_policy_to_others_too_is_refused(roles: str, named: str) -> None:
    block = POLICY_ATTACHMENT.replace("[each.value.role]", roles)
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": RUNNER_ROLE + block}, REQUEST)
    message = str(err.value)
    assert f"aws_iam_policy_attachment.managed attaches {POWER} per item of its for_each" in message
    assert f"also to {named}" in message and "Nothing was changed" in message


def test_a_set_of_roles_policygen_cannot_read_is_named() -> None:
    """Said before as "no attachment at all": the block naming its roles per item was not looked at."""
    block = SET_OF_ROLES.replace(
        'toset([\n    aws_iam_role.runner.name,\n    "deploy",\n  ])', "toset(var.power_roles)"
    )
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", {"main.tf": RUNNER_ROLE + block}, REQUEST, "")
    message = str(err.value)
    assert (
        f"aws_iam_role_policy_attachment.power_users attaches {POWER} to each role of for_each = " in message
    )
    assert "toset(var.power_roles), which is not a literal" in message


def test_a_local_collection_is_not_edited_from_one_file_of_the_module() -> None:
    """A path naming one .tf file: every file of a module reads its locals, and the others were not read, so
    removing the broad entry could change what they get; named with what to do, as for a variable. Before,
    the local was edited as if nothing else read it."""
    files = {"main.tf": RUNNER_ROLE + ROLE_MANAGED + "\n" + LOCAL_ATTACHMENTS}
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, REQUEST, "main.tf")
    assert (
        "main.tf: aws_iam_role_policy_attachment.role_managed for_each over local.role_managed_attachments: "
        in (str(err.value))
    )
    assert "path names one file, and the module's other files, not read, may read the local too" in str(
        err.value
    )
    assert editor.edit_files("terraform", files, REQUEST, "").detached == [POWER]
