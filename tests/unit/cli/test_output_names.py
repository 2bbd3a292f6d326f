"""Every principal of a run gets its own policy file in --output-dir, whatever names they share.

Two principals of one account named alike were both written to ``ACCOUNT-NAME.json``: the second policy
replaced the first with no word, and the run reported both written. It happens in a real account: IAM users
and roles are named in separate namespaces ("user/ci" and "role/ci" may both exist: a role's name is unique
among the account's roles, a user's among its users; IAM User Guide, "IAM identifiers", and IAM API
Reference, CreateRole and CreateUser, "Role names are not distinguished by case" among roles). Found running
``policygen generate`` over TrailDiscover's log examples (tests/fixtures/public-cloudtrail/traildiscover),
where five SSO roles named AWSReservedSSO_ReadOnlyAccess_ff7f8c5c5851aa00 under paths the anonymiser
rewrote (aws-reserved/sso.amazonaws.com/cagov-east-3r/, .../ap-central-1r/, ...) gave one file for five
policies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policygen_operator.cli.main import EXIT_OK, main
from tests.unit.domain.cloudtrail.fakes import ACCOUNT, record, role_identity, user_identity, write_gz

WINDOW = ["--start", "2026-11-24", "--end", "2026-11-25", "--workers", "1"]


def _run(tmp_path: Path, records: list[dict[str, object]], principals: list[str]) -> dict[str, object]:
    logs = tmp_path / "logs"
    write_gz(logs / "a.json.gz", records)
    out = tmp_path / "out"
    asked = [a for arn in principals for a in ("--principal", arn)]
    assert main(["generate", "--logs", str(logs), *asked, *WINDOW, "--output-dir", str(out)]) == EXIT_OK
    return {p.name: json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}


def _actions(document: object) -> set[str]:
    assert isinstance(document, dict)
    return {a for s in document["Statement"] for a in s["Action"]}


def test_a_user_and_a_role_of_one_name_get_a_file_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = f"arn:aws:iam::{ACCOUNT}:user/ci"
    role = f"arn:aws:iam::{ACCOUNT}:role/ci"
    files = _run(
        tmp_path,
        [
            record(user_identity("ci", "/"), "ListBuckets"),
            record(role_identity("ci", "/"), "DescribeInstances", source="ec2.amazonaws.com"),
        ],
        [user, role],
    )
    assert len(files) == 2, sorted(files)
    assert sorted(_actions(doc) for doc in files.values()) == [
        {"ec2:DescribeInstances"},
        {"s3:ListAllMyBuckets"},
    ]
    assert "2 file(s)" in capsys.readouterr().err


def test_roles_of_one_name_under_two_paths_get_a_file_each(tmp_path: Path) -> None:
    """An anonymiser's rewrite (IAM allows one role of a name per account), but each asked principal is
    still given its policy, never another's in its place."""
    first = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/cagov-east-3r/ReadOnly"
    second = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/ap-central-1r/ReadOnly"
    files = _run(
        tmp_path,
        [
            record(
                role_identity("ReadOnly", "/aws-reserved/sso.amazonaws.com/cagov-east-3r/"), "ListBuckets"
            ),
            record(
                role_identity("ReadOnly", "/aws-reserved/sso.amazonaws.com/ap-central-1r/"), "ListBuckets"
            ),
        ],
        [first, second],
    )
    assert len(files) == 2, sorted(files)
