"""Broad policies written other than as a literal ARN: per partition, through a data source, in a for_each.

Code written for every partition spells the ARN with the partition interpolated; many repositories name a
managed policy through ``data "aws_iam_policy"`` (by ARN or by name); and one attachment resource per item of
a ``for_each = toset([...])`` is a common way to attach several. Each is recognised as the broad policy it
stands for, and only it is removed.
"""

from __future__ import annotations

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest
from tests.unit.domain.gitops.documents import DOC, POWER

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
        assert text.startswith(ROLE + data) and 'aws_iam_role_policy_attachment" "power"' not in text
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
