"""The comment lines right above a removed list item or map entry.

A comment written right under another entry and right above the broad one is about the broad one
(github.com/terraform-aws-modules/terraform-aws-iam examples/iam-role-for-service-accounts/main.tf's
``policies`` map, with a team's note above the broad entry it added): left in place it reads as one about
the entry that now follows it. A comment right after the opening bracket (or a blank line) that a kept
entry follows heads a group of entries and stays (test_terraform_variable_forms.py). Map entries kept
every comment before: a note about a removed entry was left above the next one.
"""

from __future__ import annotations

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest
from tests.unit.domain.gitops.documents import DOC

S3_FULL = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
CNI = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
REQUEST = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (S3_FULL,))


def irsa(policies: str) -> str:
    return (
        'module "irsa" {\n'
        '  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"\n'
        '  version = "~> 6.0"\n\n'
        '  name            = "payments-api"\n'
        "  use_name_prefix = false\n\n"
        f"  policies = {{\n{policies}  }}\n"
        "}\n"
    )


def edited(policies: str) -> str:
    text = terraform.edit({"main.tf": irsa(policies)}, REQUEST).changes["main.tf"] or ""
    return text[text.index("  policies = {") : text.index("  }\n", text.index("  policies = {")) + 4]


def test_a_note_right_under_another_entry_goes_with_the_broad_entry_it_is_above() -> None:
    before = (
        f'    AmazonEKS_CNI_Policy = "{CNI}"\n'
        "    # TODO: scope this down once we know what the service reads\n"
        f'    AmazonS3FullAccess = "{S3_FULL}"\n'
        "    additional         = aws_iam_policy.additional.arn\n"
    )
    assert edited(before) == (
        "  policies = {\n"
        f'    AmazonEKS_CNI_Policy = "{CNI}"\n'
        "    additional           = aws_iam_policy.additional.arn\n"
        "    policygen            = aws_iam_policy.irsa_policygen.arn\n"
        "  }\n"
    )


def test_a_note_above_the_last_broad_entry_of_a_map_goes_with_it() -> None:
    before = f'    AmazonEKS_CNI_Policy = "{CNI}"\n\n    # broad, for the migration\n    s3 = "{S3_FULL}"\n'
    assert "# broad, for the migration" not in edited(before)


def test_a_heading_right_after_the_brace_that_a_kept_entry_follows_stays() -> None:
    before = f'    # AWS managed\n    s3  = "{S3_FULL}"\n    cni = "{CNI}"\n'
    assert edited(before).startswith(f'  policies = {{\n    # AWS managed\n    cni       = "{CNI}"\n')


def test_a_list_items_note_right_under_another_item_goes_with_it() -> None:
    role = (
        'resource "aws_iam_role" "payments" {\n'
        '  name = "payments-api"\n'
        "  managed_policy_arns = [\n"
        f'    "{CNI}",\n'
        "    # full access until the migration is done\n"
        f'    "{S3_FULL}",\n'
        '    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",\n'
        "  ]\n"
        "}\n"
    )
    text = terraform.edit({"main.tf": role}, REQUEST).changes["main.tf"] or ""
    assert "# full access until the migration is done" not in text
