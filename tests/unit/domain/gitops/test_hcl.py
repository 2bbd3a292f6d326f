"""The HCL scanner finds blocks, attributes and list items without being fooled by strings or comments."""

from __future__ import annotations

import threading

import pytest

from policygen_operator.domain.gitops import hcl
from policygen_operator.domain.gitops.model import GitOpsEditError

TRICKY = """\
# a } in a comment { is ignored
/* so is this { */
resource "aws_iam_role" "r" {
  name = "has } brace" // trailing comment
  tags = { a = "${var.x}}" }
  assume_role_policy = <<-EOT
    {"Statement": [{"Effect": "Allow"}]}
  EOT
  dynamic "inline_policy" {
    for_each = []
    content {
      name = "inner"
    }
  }
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/A", # first
    aws_iam_policy.b.arn,
    "arn:aws:iam::aws:policy/C"
  ]
}
locals { x = 1 }
"""


def test_blocks_skip_strings_comments_and_heredocs() -> None:
    found = hcl.blocks(TRICKY)
    assert [(b.type, b.labels) for b in found] == [("resource", ("aws_iam_role", "r")), ("locals", ())]
    role = found[0]
    assert TRICKY[role.start : role.end].startswith('resource "aws_iam_role" "r" {')
    assert TRICKY[role.start : role.end].endswith("  ]\n}\n")


def test_attributes_of_a_block() -> None:
    role = hcl.blocks(TRICKY)[0]
    attrs = {a.name: a.value(TRICKY) for a in hcl.attributes(TRICKY, role)}
    assert list(attrs) == ["name", "tags", "assume_role_policy", "managed_policy_arns"]  # not the nested name
    assert attrs["name"] == '"has } brace"'
    assert hcl.string_literal(attrs["name"]) == "has } brace"
    assert attrs["assume_role_policy"].startswith("<<-EOT") and attrs["assume_role_policy"].endswith("EOT")


# A role's block before an edit, and the same file after the edit removed an attribute: the block's offsets
# are those of the longer text.
BEFORE = (
    'resource "aws_iam_role" "r" {\n  name                = "ci-runner"\n'
    '  managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]\n}\n'
)
AFTER = 'resource "aws_iam_role" "r" {\n  name = "ci-runner"\n}\n'


@pytest.mark.parametrize(
    "text",
    [AFTER, AFTER.rstrip("\n"), AFTER + "\n" * 80],
    ids=["shorter", "shorter-without-newline", "close-past-a-brace"],
)
def test_attributes_of_a_block_from_another_text_are_refused_not_looped(text: str) -> None:
    """``attributes`` given a block found in an older, longer text scanned past the end of this one
    without moving (the end's line end is the end, before the stale ``close``): the run hung. It is
    refused now; the scan runs in a thread joined with a timeout, so that the old loop fails the test
    instead of hanging the suite."""
    stale = hcl.blocks(BEFORE)[0]
    outcome: list[BaseException | list[hcl.Attribute]] = []

    def scan() -> None:
        try:
            outcome.append(hcl.attributes(text, stale))
        except Exception as err:  # the outcome is what the test looks at
            outcome.append(err)

    worker = threading.Thread(target=scan, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "hcl.attributes did not return: it loops on a block of another text"
    assert isinstance(outcome[0], ValueError)
    assert "offsets come from another text" in str(outcome[0])


def test_list_items() -> None:
    role = hcl.blocks(TRICKY)[0]
    arns = hcl.find_attribute(TRICKY, role, "managed_policy_arns")
    assert arns is not None
    items = [i.text(TRICKY) for i in hcl.list_items(TRICKY, arns.value_start)]
    assert items == ['"arn:aws:iam::aws:policy/A"', "aws_iam_policy.b.arn", '"arn:aws:iam::aws:policy/C"']


@pytest.mark.parametrize(
    ("value", "expected"),
    [('"plain"', "plain"), ('"with ${var.x}"', None), ("var.x", None), ('"esc \\"q\\""', 'esc "q"')],
)
def test_string_literal(value: str, expected: str | None) -> None:
    assert hcl.string_literal(value) == expected


@pytest.mark.parametrize(
    "text", ['resource "a" "b" {\n  x = "open\n}\n', 'resource "a" "b" {\n', "x = <<EOT\nno end\n"]
)
def test_malformed_input_is_an_error_not_a_guess(text: str) -> None:
    with pytest.raises(GitOpsEditError):
        hcl.blocks(text)


def test_the_parse_check_on_edited_terraform_refuses_broken_hcl() -> None:
    """The autouse check in this folder's conftest (every Terraform file an edit writes parses) can fail."""
    from lark.exceptions import UnexpectedInput

    from tests.unit.domain.gitops.conftest import parses

    parses('resource "aws_iam_role" "r" {\n  managed_policy_arns = ["a"]\n}\n')
    with pytest.raises(UnexpectedInput):
        parses('resource "aws_iam_role" "r" {\n  managed_policy_arns = ["a",\n}\n')
