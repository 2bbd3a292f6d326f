"""Terraform edits: attachment resources or managed_policy_arns, byte-for-byte elsewhere, idempotent."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/${aws:username}/*"}
    ],
}
REQUEST = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER,))

LIST_MULTILINE = """\
resource "aws_iam_role" "payments_api" {
  name = "payments-api"
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/PowerUserAccess", # broad
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
  ]
}
"""

LIST_INLINE = """\
resource "aws_iam_role" "payments_api" {
  name                = "payments-api"
  managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}
"""


def test_managed_policy_arns_multiline_keeps_the_other_items_and_comments() -> None:
    result = terraform.edit({"main.tf": LIST_MULTILINE}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None
    assert text.startswith("""\
resource "aws_iam_role" "payments_api" {
  name = "payments-api"
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    aws_iam_policy.payments_api_policygen.arn
  ]
}

resource "aws_iam_policy" "payments_api_policygen" {
""")
    assert "aws_iam_role_policy_attachment" not in text  # exclusive list: no attachment next to it
    assert result.detached == [POWER]


def test_managed_policy_arns_inline_list() -> None:
    text = terraform.edit({"main.tf": LIST_INLINE}, REQUEST).changes["main.tf"]
    assert text is not None
    assert "  managed_policy_arns = [aws_iam_policy.payments_api_policygen.arn]\n" in text


def test_policy_variables_are_escaped_in_the_heredoc() -> None:
    text = terraform.edit({"main.tf": LIST_INLINE}, REQUEST).changes["main.tf"]
    assert (
        text is not None and "$${aws:username}" in text and "${aws:username}" not in text.replace("$${", "")
    )


def test_second_run_is_a_no_op_and_a_new_policy_replaces_only_the_policy_block() -> None:
    first = terraform.edit({"main.tf": LIST_MULTILINE}, REQUEST).changes["main.tf"]
    assert first is not None
    assert terraform.edit({"main.tf": first}, REQUEST).changes == {}
    doc2 = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"}],
    }
    result = terraform.edit({"main.tf": first}, EditRequest(REQUEST.principal, (doc2,), (POWER,)))
    second = result.changes["main.tf"]
    assert second is not None and '"s3:PutObject"' in second and '"s3:GetObject"' not in second
    assert second.split('resource "aws_iam_policy"')[0] == first.split('resource "aws_iam_policy"')[0]
    assert result.notes == ["main.tf: updated resource aws_iam_policy.payments_api_policygen"]


def test_attachment_in_another_file_is_removed_with_its_comment() -> None:
    files = {
        "role.tf": 'resource "aws_iam_role" "r" {\n  name = "payments-api"\n}\n',
        "attach.tf": (
            'locals {\n  a = 1\n}\n\n# broad for now\nresource "aws_iam_role_policy_attachment" "p" {\n'
            '  role       = "payments-api"\n  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"\n}\n'
        ),
    }
    result = terraform.edit(files, REQUEST)
    assert result.changes["attach.tf"] == "locals {\n  a = 1\n}\n"
    assert 'resource "aws_iam_role_policy_attachment" "r_policygen"' in (result.changes["role.tf"] or "")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"main.tf": 'resource "aws_iam_role" "x" {\n  name = "other"\n}\n'},
            'no aws_iam_role with name = "payments-api" in 1 Terraform file(s); '
            "roles seen: main.tf: aws_iam_role.x",
        ),
        (
            {"a.tf": LIST_INLINE, "b.tf": LIST_INLINE.replace('"payments_api"', '"again"')},
            "role 'payments-api' is defined more than once: a.tf: aws_iam_role.payments_api, "
            "b.tf: aws_iam_role.again",
        ),
        ({"README.md": "x"}, "no Terraform file (*.tf) under the path"),
    ],
)
def test_errors_say_what_and_where(files: dict[str, str], message: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, REQUEST)
    assert message in str(err.value)


def test_a_policy_spelled_differently_is_the_same_policy() -> None:
    """Keys in another order and the actions of a statement reordered (sets to IAM), a policy variable
    (escaped ``$${`` in the heredoc) included: no change, so no commit and no pull request."""
    first = terraform.edit({"main.tf": LIST_MULTILINE}, REQUEST).changes["main.tf"]
    assert first is not None
    respelled = {
        "Statement": [
            {"Resource": DOC["Statement"][0]["Resource"], "Action": ["s3:GetObject"], "Effect": "Allow"}
        ],
        "Version": "2012-10-17",
    }
    same = terraform.edit({"main.tf": first}, EditRequest(REQUEST.principal, (respelled,), (POWER,)))
    assert same.changes == {} and same.notes == []


def test_a_role_named_by_a_variable_is_refused_saying_the_name_must_be_a_literal() -> None:
    """``name = var.role`` (its value in a tfvars file) is not resolved, rightly: the message listed the
    role but not why it did not match."""
    files = {
        "iam.tf": 'resource "aws_iam_role" "jenkins" {\n  name = var.role\n}\n',
        "irsa.tf": (
            'module "irsa" {\n'
            '  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
            '  role_name = "${local.prefix}-api"\n'
            "}\n"
        ),
    }
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, REQUEST)
    assert (
        "policygen matches only a name written as a literal string in the role's own file, and "
        "aws_iam_role.jenkins's name var.role, module.irsa's role_name \"${local.prefix}-api\" are an "
        "expression" in str(err.value)
    )


def test_a_for_each_over_a_local_is_named_as_not_a_literal() -> None:
    """A local whose value is a literal list is edited (test_terraform_shapes.py); one computed is not."""
    code = (
        'locals {\n  arns = concat(["arn:aws:iam::aws:policy/PowerUserAccess"], var.extra)\n}\n\n'
        'resource "aws_iam_role" "r" {\n  name = "payments-api"\n}\n\n'
        'resource "aws_iam_role_policy_attachment" "each" {\n'
        "  for_each   = toset(local.arns)\n  role       = aws_iam_role.r.name\n  policy_arn = each.value\n}\n"
    )
    with pytest.raises(GitOpsEditError) as err:
        edit_files("terraform", {"main.tf": code}, REQUEST, "")
    assert (
        "aws_iam_role_policy_attachment.each for_each over local.arns, whose value is not a literal list or "
        "map in the module's locals" in str(err.value)
    )
    assert str(err.value).endswith(
        "Write the expression named above as a literal in that file, point path at the file(s) that attach "
        "it, or remove it from replaceManagedPolicies"
    )


def test_a_file_the_edit_empties_is_deleted() -> None:
    """A file that only held the broad attachment was left as a 0-byte .tf file."""
    files = {
        "role.tf": 'resource "aws_iam_role" "r" {\n  name = "payments-api"\n}\n',
        "attach.tf": (
            '# broad for now\nresource "aws_iam_role_policy_attachment" "p" {\n'
            '  role       = "payments-api"\n  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"\n}\n'
        ),
    }
    result = terraform.edit(files, REQUEST)
    assert "attach.tf" in result.changes and result.changes["attach.tf"] is None
