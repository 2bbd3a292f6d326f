"""``policygen pr --dry-run`` prints a diff that ``git apply`` takes on the base branch: applied, the files
are what the edit wrote, byte for byte. Lines are split where git splits them, at ``\\n`` only: a line of
Python's ``splitlines`` also ends at a form feed, U+2028 and other separators (Python docs,
"str.splitlines"), which a JSON string or a Terraform file may hold, and git then found no such line in the
file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from policygen_operator.services.pullrequest import _file_diff

BEFORE = {
    "iam/role.tf": 'resource "aws_iam_role" "api" {\n  name = "payments-api"\n}\n',
    "iam/crlf.yaml": "kind: Role\r\nmetadata:\r\n  name: api\r\n",
    "iam/policy.json": '{"Sid": "line\u2028separator",\n "Effect": "Allow"}\n',
    "iam/page.tf": "# one\x0c two\nlocals {}\n",
    "iam/last.json": '{\n  "a": 1\n}',
    "iam/policy-2.json": '{\n  "Version": "2012-10-17"\n}\n',
}
AFTER: dict[str, str | None] = {
    "iam/role.tf": 'resource "aws_iam_role" "api" {\n  name = "payments-api"\n  path = "/"\n}\n',
    "iam/crlf.yaml": "kind: Role\r\nmetadata:\r\n  name: api2\r\n",
    "iam/policy.json": '{"Sid": "line\u2028separator",\n "Effect": "Deny"}\n',
    "iam/page.tf": "# one\x0c two\nlocals { a = 1 }\n",
    "iam/last.json": '{\n  "a": 2\n}',
    "iam/policy-2.json": None,  # a part the split policy no longer has
    "iam/policy-3.json": '{\n  "Version": "2012-10-17"\n}\n',  # a new file
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.mark.parametrize("path", sorted(AFTER))
def test_git_apply_takes_the_diff_and_writes_the_edit(tmp_path: Path, path: str) -> None:
    _git(tmp_path, "init", "--quiet")
    for relative, text in BEFORE.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(text.encode())
    text = AFTER[path]
    diff = _file_diff(tmp_path, path, text)
    assert diff
    (tmp_path / "change.diff").write_bytes(diff.encode())
    _git(tmp_path, "apply", "change.diff")
    written = tmp_path / path
    assert (written.read_bytes().decode() if written.exists() else None) == text


def test_an_unchanged_file_has_no_diff(tmp_path: Path) -> None:
    (tmp_path / "role.tf").write_bytes(BEFORE["iam/page.tf"].encode())
    assert _file_diff(tmp_path, "role.tf", BEFORE["iam/page.tf"]) == ""
