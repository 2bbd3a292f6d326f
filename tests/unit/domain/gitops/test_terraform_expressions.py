"""Broad policies written other than as a literal ARN: per partition, through a data source, in a for_each.

Code written for every partition spells the ARN with the partition interpolated; many repositories name a
managed policy through ``data "aws_iam_policy"`` (by ARN or by name); and one attachment resource per item of
a ``for_each = toset([...])`` is a common way to attach several. Each is recognised as the broad policy it
stands for, and only it is removed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest
from tests.unit.domain.gitops.documents import DOC, POWER, fmt_clean

REQUEST = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER,))
ROLE = 'resource "aws_iam_role" "api" {\n  name = "payments-api"\n}\n'


def attachment(policy_arn: str, label: str = "power") -> str:
    return (
        f'\nresource "aws_iam_role_policy_attachment" "{label}" {{\n'
        f"  role       = aws_iam_role.api.name\n  policy_arn = {policy_arn}\n}}\n"
    )


def edited(text: str) -> tuple[str, list[str]]:
    result = terraform.edit({"main.tf": text}, REQUEST)
    return result.changes["main.tf"] or "", result.detached


def test_an_arn_with_its_partition_interpolated() -> None:
    code = ROLE + attachment('"arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess"')
    keep = attachment('"arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess"', "ro")
    text, detached = edited(code + keep)
    assert detached == [POWER]
    assert 'resource "aws_iam_role_policy_attachment" "power"' not in text and keep in text


def test_a_data_source_by_name_or_by_arn() -> None:
    by_name = 'data "aws_iam_policy" "power" {\n  name = "PowerUserAccess"\n}\n'
    by_arn = f'data "aws_iam_policy" "power" {{\n  arn = "{POWER}"\n}}\n'
    for data in (by_name, by_arn):
        text, detached = edited(ROLE + data + attachment("data.aws_iam_policy.power.arn"))
        assert detached == [POWER]
        assert 'aws_iam_role_policy_attachment" "power"' not in text
        # nothing reads the data source any more: it goes too (test_a_data_source_nothing_reads_any_more_goes)
        assert text.startswith(ROLE + "\nresource ") and "data " not in text
    other = 'data "aws_iam_policy" "power" {\n  name = "PowerUserAccessForMyTeam"\n}\n'
    assert edited(ROLE + other + attachment("data.aws_iam_policy.power.arn"))[1] == []


def test_a_for_each_attachment_loses_the_broad_item() -> None:
    both = (
        ROLE + '\nresource "aws_iam_role_policy_attachment" "managed" {\n'
        "  for_each = toset([\n"
        '    "arn:aws:iam::aws:policy/PowerUserAccess",\n'
        '    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",\n'
        "  ])\n"
        "  role       = aws_iam_role.api.name\n"
        "  policy_arn = each.value\n"
        "}\n"
    )
    text, detached = edited(both)
    assert detached == [POWER]
    assert text.startswith(both.replace('    "arn:aws:iam::aws:policy/PowerUserAccess",\n', ""))
    alone = both.replace('    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",\n', "")
    text, detached = edited(alone)
    assert detached == [POWER] and '"managed"' not in text  # nothing left to attach: the block goes
    assert 'resource "aws_iam_role_policy_attachment" "api_policygen"' in text


def test_managed_policy_arns_through_a_data_source() -> None:
    data = 'data "aws_iam_policy" "power" {\n  name = "PowerUserAccess"\n}\n'
    role = (
        'resource "aws_iam_role" "api" {\n  name = "payments-api"\n'
        "  managed_policy_arns = [data.aws_iam_policy.power.arn]\n}\n"
    )
    text, detached = edited(data + role)
    assert detached == [POWER]
    assert "  managed_policy_arns = [aws_iam_policy.api_policygen.arn]\n" in text


def test_an_exclusive_attachments_resource_takes_the_generated_policy() -> None:
    """``aws_iam_role_policy_attachments_exclusive`` (the AWS provider's successor of managed_policy_arns)
    detaches every policy it does not list: the generated one goes into its ``policy_arns``, never into an
    attachment resource beside it, which it would detach again."""
    exclusive = (
        '\nresource "aws_iam_role_policy_attachments_exclusive" "api" {\n'
        "  role_name   = aws_iam_role.api.name\n"
        "  policy_arns = [\n"
        '    "arn:aws:iam::aws:policy/PowerUserAccess",\n'
        '    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",\n'
        "  ]\n"
        "}\n"
    )
    text, detached = edited(ROLE + exclusive)
    assert detached == [POWER]
    s3 = '    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",\n'
    expected = exclusive.replace(f'    "{POWER}",\n', "").replace(
        s3, s3 + "    aws_iam_policy.api_policygen.arn,\n"
    )
    assert text.startswith(ROLE + expected)
    assert "aws_iam_role_policy_attachment" not in text.replace(
        "aws_iam_role_policy_attachments_exclusive", ""
    )


def test_a_policy_attachment_of_several_roles_loses_this_one() -> None:
    """``aws_iam_policy_attachment`` attaches one policy to every role it lists, exclusively: the broad
    policy's loses this role and keeps the others; listing only this role, the block goes."""
    shared = (
        '\nresource "aws_iam_policy_attachment" "power" {\n'
        '  name       = "power-users"\n'
        '  roles      = [aws_iam_role.api.name, "batch-runner"]\n'
        f'  policy_arn = "{POWER}"\n'
        "}\n"
    )
    text, detached = edited(ROLE + shared)
    assert detached == [POWER] and '  roles      = ["batch-runner"]\n' in text
    alone = shared.replace(', "batch-runner"', "")
    text, detached = edited(ROLE + alone)
    assert detached == [POWER] and "aws_iam_policy_attachment" not in text


def test_legacy_interpolation_syntax_is_the_reference_it_interpolates() -> None:
    """``"${aws_iam_role.api.name}"`` (Terraform 0.11 wrote every reference so; ``terraform fmt`` leaves it)
    was not recognised: the run failed with "not found attached ... (seen: no attachment at all)" although
    the attachment was in the same file. Same for a data source's ARN and a ``roles`` list item."""
    data = 'data "aws_iam_policy" "power" {\n  name = "PowerUserAccess"\n}\n'
    legacy = attachment('"${data.aws_iam_policy.power.arn}"').replace(
        "aws_iam_role.api.name", '"${aws_iam_role.api.name}"'
    )
    text, detached = edited(ROLE + data + legacy)
    assert detached == [POWER] and 'aws_iam_role_policy_attachment" "power"' not in text
    shared = (
        '\nresource "aws_iam_policy_attachment" "power" {\n'
        '  name       = "power-users"\n'
        '  roles      = ["${aws_iam_role.api.id}", "batch-runner"]\n'
        f'  policy_arn = "{POWER}"\n'
        "}\n"
    )
    text, detached = edited(ROLE + shared)
    assert detached == [POWER] and '  roles      = ["batch-runner"]\n' in text


# A data source that only the removed attachment read was left behind: tflint's terraform_unused_declarations
# ("Disallow variables, data sources, and locals that are declared but never used", terraform ruleset)
# fails a pull request on it, and Terraform still reads the broad policy at every plan. The JSON syntax
# follows the same rule (test_terraform_json_resolution.py).
POWER_DATA = '# the broad policy, by name\ndata "aws_iam_policy" "power" {\n  name = "PowerUserAccess"\n}\n'


def test_a_data_source_nothing_reads_any_more_goes(tmp_path: Path) -> None:
    """With the comment lines above it, as a removed attachment goes; every other byte is what the same
    edit writes when the attachment names the ARN itself, and ``terraform fmt -check`` passes it."""
    text, detached = edited(ROLE + "\n" + POWER_DATA + attachment("data.aws_iam_policy.power.arn"))
    assert detached == [POWER]
    assert text == edited(ROLE + attachment(f'"{POWER}"'))[0]
    fmt_clean(text, tmp_path)
    result = terraform.edit(
        {"main.tf": ROLE + attachment("data.aws_iam_policy.power.arn"), "data.tf": POWER_DATA}, REQUEST
    )
    assert result.changes["data.tf"] is None  # a file left empty is deleted
    assert (
        "data.tf: removed data aws_iam_policy.power (arn:aws:iam::aws:policy/PowerUserAccess)"
        in "\n".join(result.notes)
    )


@pytest.mark.parametrize(
    "reader",
    [
        "locals {\n  power = data.aws_iam_policy.power.arn\n}\n",
        'output "power" {\n  value = data.aws_iam_policy.power.policy\n}\n',
        'resource "aws_iam_role_policy_attachment" "batch" {\n  role       = "batch"\n'
        "  policy_arn = data.aws_iam_policy.power.arn\n}\n",
    ],
    ids=["local", "output", "another-role"],
)
def test_a_data_source_something_else_reads_is_kept(reader: str) -> None:
    files = {"main.tf": ROLE + POWER_DATA + attachment("data.aws_iam_policy.power.arn"), "other.tf": reader}
    result = terraform.edit(files, REQUEST)
    assert result.detached == [POWER]
    assert POWER_DATA in (result.changes["main.tf"] or "") and "other.tf" not in result.changes


def test_a_data_source_nothing_read_before_the_edit_is_left_alone() -> None:
    text, detached = edited(ROLE + POWER_DATA + attachment(f'"{POWER}"'))
    assert detached == [POWER] and text.startswith(ROLE + POWER_DATA)


def test_a_modules_policy_map_through_a_data_source_loses_it_too(tmp_path: Path) -> None:
    """The same rule where the ARN left a module's input (terraform-aws-modules' IRSA role)."""
    irsa = (
        'module "irsa" {\n'
        '  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
        '  version   = "5.39.1"\n'
        '  role_name = "payments-api"\n'
        "  role_policy_arns = {\n    power = data.aws_iam_policy.power.arn\n  }\n"
        "}\n"
    )
    result = terraform.edit({"main.tf": POWER_DATA + "\n" + irsa}, REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"] or ""
    assert text.startswith('module "irsa" {\n') and "data " not in text
    fmt_clean(text, tmp_path)
