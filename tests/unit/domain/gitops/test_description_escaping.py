"""The pull-request description escapes what comes from CloudTrail (issue 10): a resource name with a
backtick and ``<!--`` hid the "What this removes" section from reviewers. Rendered with a CommonMark parser
(tables on, as GitHub has them) to check what a reviewer would see, not just the text."""

from __future__ import annotations

from markdown_it import MarkdownIt

from policygen_operator.domain.gitops import description as text
from policygen_operator.domain.gitops.description import DescriptionInput, PullRequestContext, body
from policygen_operator.domain.gitops.model import EditResult
from policygen_operator.domain.iam.validate import Finding

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
PRINCIPAL = "arn:aws:iam::123456789012:role/payments-api"
# S3 keys (and so resource ARNs) may hold a backtick, a line break and "<!--": at the start of a line it
# opens an HTML comment block that runs to the end of the description.
EVIL = "arn:aws:s3:::bucket/x`\n<!-- hidden | y"


def render(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def description(resource: str, denied: str, message: str) -> str:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}],
    }
    context = PullRequestContext(
        "team/a",
        PRINCIPAL,
        [policy],
        "a",
        "b",
        10,
        5,
        [Finding("warning", "W", message)],
        [denied],
    )
    edit = EditResult(notes=["r.yaml: removed x"], detached=[POWER], role_location="r.yaml (document 1)")
    return body(DescriptionInput(context, (POWER,), edit))


def test_log_text_cannot_hide_sections() -> None:
    html = render(description(EVIL, "s3:Get`\n<!--", "bad `\n<!-- name"))
    assert "<h2>What this removes</h2>" in html
    assert "<h2>How to roll back</h2>" in html
    assert html.count("<!--") == 1  # only policygen's own marker at the very end
    assert "&lt;!-- hidden | y</code>" in html  # the resource is shown whole, pipe and all, as code


def test_plain_description_renders_unchanged_sections_today() -> None:
    """Control: the same check on an ordinary name passes, so the test above fails only for the escaping."""
    html = render(description("arn:aws:s3:::bucket/x", "s3:PutObject", "wildcard"))
    assert "<h2>What this removes</h2>" in html and html.count("<!--") == 1


def test_code_and_plain() -> None:
    code, plain = text.code, text.plain  # type: ignore[attr-defined]
    assert code("a`b") == "``a`b``"
    assert code("`x") == "`` `x ``"
    assert code("a|b", cell=True) == "`a\\|b`"
    assert plain("x <!-- *y* `z` [l](u)") == "x &lt;!-- \\*y\\* \\`z\\` \\[l\\](u)"
