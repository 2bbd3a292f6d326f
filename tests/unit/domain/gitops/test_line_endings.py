"""A file with CRLF line endings stays CRLF: only the edited lines change in the pull request. It was
read with universal newlines and written back LF, so the diff replaced every line of the file and hid
the real change from the reviewer; given its real bytes, the HCL scanner failed on a heredoc (``EOF\\r``
was not a terminator)."""

from __future__ import annotations

from pathlib import Path

from policygen_operator.domain.gitops import hcl
from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest
from policygen_operator.services.pullrequest import read_files, write_files
from tests.unit.domain.gitops.documents import DOC, POWER

REQUEST = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER,))
CODE = (
    'resource "aws_iam_role" "api" {\n'
    '  name               = "payments-api"\n'
    "  assume_role_policy = <<EOF\n"
    '{"Version": "2012-10-17", "Statement": []}\n'
    "EOF\n"
    "}\n"
    '\nresource "aws_iam_role_policy_attachment" "power" {\n'
    "  role       = aws_iam_role.api.name\n"
    f'  policy_arn = "{POWER}"\n'
    "}\n"
)


def test_a_crlf_file_is_edited_and_stays_crlf(tmp_path: Path) -> None:
    crlf = CODE.replace("\n", "\r\n")
    (tmp_path / "main.tf").write_bytes(crlf.encode())
    files = read_files(tmp_path, "")
    assert files == {"main.tf": crlf}
    result = edit_files("terraform", files, REQUEST, "")
    write_files(tmp_path, result.changes)
    written = (tmp_path / "main.tf").read_bytes().decode()
    lf = edit_files("terraform", {"main.tf": CODE}, REQUEST, "").changes["main.tf"]
    assert lf is not None and written == lf.replace("\n", "\r\n")
    assert written.startswith(crlf[: crlf.index('\r\nresource "aws_iam_role_policy_attachment"')])


def test_the_scanner_reads_a_heredoc_terminated_by_crlf() -> None:
    blocks = hcl.blocks(CODE.replace("\n", "\r\n"))
    assert [b.labels for b in blocks] == [
        ("aws_iam_role", "api"),
        ("aws_iam_role_policy_attachment", "power"),
    ]
