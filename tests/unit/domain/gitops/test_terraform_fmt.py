"""The edit's output is what ``terraform fmt`` would leave as it is, when the input was.

Teams run ``terraform fmt -check`` in CI (terraform-aws-modules' pre-commit hooks, Atlantis and
Terraform Cloud workflows): a pull request whose edited map or block keeps the old alignment fails it.
hclwrite's rules (hashicorp/hcl ``hclwrite/format.go``, ``formatCells``), checked on Terraform 1.11:
consecutive lines that are each a whole ``name = value`` (a heredoc's lines count as its attribute's
line) align their ``=`` one space after the longest name; a blank line, a comment line, a block or a
value that opens a bracket ends the run; trailing comments of consecutive lines align one space after
the longest code.
"""

from __future__ import annotations

from policygen_operator.domain.gitops import hcl_edit, terraform
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST

S3 = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"

# An attachment per entry of a literal map, the shape of terraform-aws-modules/terraform-aws-iam's
# iam-role-for-service-accounts-eks (v5.39.1 main.tf: aws_iam_role_policy_attachment.this for_each =
# { for k, v in var.role_policy_arns : k => v if var.create_role }) written out in a root module.
FOR_EACH_MAP = f"""\
resource "aws_iam_role" "runner" {{
  name               = "ci-runner"
  assume_role_policy = "{{}}"
}}

resource "aws_iam_role_policy_attachment" "this" {{
  for_each = {{
    power_user = "{POWER}" # until policygen narrows it
    s3         = "{S3}"
  }}
  role       = aws_iam_role.runner.name
  policy_arn = each.value
}}
"""


def test_a_map_that_loses_its_longest_key_is_aligned_again() -> None:
    """Found with ``terraform fmt -check`` on the edit's output: ``s3         =`` kept the width of
    ``power_user``, which fmt rewrites as ``s3 =``."""
    text = terraform.edit({"main.tf": FOR_EACH_MAP}, REQUEST).changes["main.tf"] or ""
    assert f'  for_each = {{\n    s3 = "{S3}"\n  }}\n  role       = aws_iam_role.runner.name\n' in text


def test_a_map_entry_added_with_a_longer_key_aligns_its_neighbours() -> None:
    before = '  x = {\n    s3 = "a" # reads\n    power = "b"\n  }\n'
    after = '  x = {\n    s3 = "a" # reads\n    policygen = aws_iam_policy.p.arn\n  }\n'
    assert hcl_edit.align(before, after) == (
        '  x = {\n    s3        = "a" # reads\n    policygen = aws_iam_policy.p.arn\n  }\n'
    )


def test_only_the_runs_the_edit_reaches_are_aligned() -> None:
    """A run of lines the edit does not touch keeps its layout, formatted or not: the pull request
    changes only what it must."""
    before = "a = 1\nbbb = 2\n\nc = 3\ndd = 4\n"
    after = "a = 1\nbbb = 2\n\nc = 3\ndd = 4\neeee = 5\n"
    assert hcl_edit.align(before, after) == "a = 1\nbbb = 2\n\nc    = 3\ndd   = 4\neeee = 5\n"


def test_what_ends_a_run() -> None:
    """A comment line, a blank line, a value opening a bracket and a nested block end a run; a heredoc
    does not (its attribute is one line), nor a one-line map. ``==`` and ``=>`` are not an attribute's
    ``=``."""
    before = (
        "r {\n"
        "  n = 1\n"
        "  p = <<-EOT\n    {}\n  EOT\n"
        "  description = 2\n"
        "  # note\n"
        "  ab = 1\n"
        "  m = { a = 1 }\n"
        "  l = [\n    1,\n  ]\n"
        "  q = x == y\n"
        "  f = { for k, v in z : k => v }\n"
        "  nested {\n    s = 1\n  }\n"
        "  t = 3\n"
        "}\n"
    )
    after = before.replace("  n = 1\n", "  n = 1\n  new = 0\n").replace("  ab = 1\n", "  abc = 1\n")
    after = after.replace("  q = x == y\n", "  qq = x == y\n")
    assert hcl_edit.align(before, after) == (
        "r {\n"
        "  n           = 1\n"
        "  new         = 0\n"
        "  p           = <<-EOT\n    {}\n  EOT\n"
        "  description = 2\n"
        "  # note\n"
        "  abc = 1\n"
        "  m   = { a = 1 }\n"
        "  l = [\n    1,\n  ]\n"
        "  qq = x == y\n"
        "  f  = { for k, v in z : k => v }\n"
        "  nested {\n    s = 1\n  }\n"
        "  t = 3\n"
        "}\n"
    )


def test_trailing_comments_of_consecutive_lines_align_after_the_longest_code() -> None:
    before = '  m = {\n    power = "a" # narrow\n    s3    = "bbbb" # reads\n  }\n'
    after = '  m = {\n    policygen = x.arn # narrow\n    s3    = "bbbb" # reads\n  }\n'
    assert hcl_edit.align(before, after) == (
        '  m = {\n    policygen = x.arn  # narrow\n    s3        = "bbbb" # reads\n  }\n'
    )
