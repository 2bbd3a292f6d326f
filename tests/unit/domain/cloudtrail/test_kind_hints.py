"""A user ARN given for a role's sessions, or a role ARN for a user, is said with the ARN to give.

A QA pass gave ``--principal arn:aws:iam::A:user/X`` over logs of the role ``X``'s sessions (and the other
way round): exit 3 with no hint, where a role given under another path is told its full ARN
(``path_hints``). A role's calls are made by its sessions, ``arn:aws:sts::A:assumed-role/X/SESSION``, with the
role's ARN in ``sessionContext.sessionIssuer.arn``; a user's carry ``arn:aws:iam::A:user/[PATH/]X`` (IAM User
Guide, "IAM identifiers"; CloudTrail User Guide, "CloudTrail userIdentity element"). The other kind's records
are found by one byte search in the files where the principal matched nothing, none of them parsed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from policygen_operator.cli.main import EXIT_NO_MATCHING_EVENTS, main
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanResult, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from tests.unit.domain.cloudtrail.fakes import (
    ACCOUNT,
    ROLE,
    USER,
    FakeMapper,
    delivery,
    record,
    role_identity,
    spaced,
    user_identity,
    write_gz,
)

WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
APP_USER = f"arn:aws:iam::{ACCOUNT}:user/app"  # ROLE is .../role/service-role/app
ALICE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/alice"  # USER is .../user/people/alice
SESSION = record(role_identity())  # of ROLE
ALICE = record(user_identity())  # of USER
BOB = record(user_identity("bob"))


def scan(*files: bytes, principals: tuple[str, ...]) -> ScanResult:
    scanner = Scanner(ScanSpec(tuple(parse_principal(p) for p in principals), WINDOW), FakeMapper())
    for number, data in enumerate(files):
        scanner.scan_bytes(f"f{number}.json", data)
    return scanner.take_result(final=True)


def test_a_user_arn_given_for_a_roles_sessions_names_the_role() -> None:
    for data in (delivery([BOB, SESSION]), spaced([BOB, SESSION])):
        result = scan(data, principals=(APP_USER,))
        assert result.summary.events_matched == 0
        assert result.other_kinds == {APP_USER: {ROLE}}  # the issuer's ARN, with the role's path
        assert result.kind_hints() == [
            f"{APP_USER} matched no event, but sessions of the IAM role {ROLE} (same account and name, the "
            "other kind) did: give that ARN to --principal"
        ]


def test_a_role_arn_given_for_a_user_names_the_user_with_its_path() -> None:
    result = scan(delivery([BOB, ALICE]), principals=(ALICE_ROLE,))
    assert result.other_kinds == {ALICE_ROLE: {USER}}
    (hint,) = result.kind_hints()
    assert hint.startswith(f"{ALICE_ROLE} matched no event, but the IAM user {USER} (same account and name")


def test_a_session_without_its_issuer_names_the_role_without_a_path() -> None:
    result = scan(delivery([record(role_identity(issuer=False))]), principals=(APP_USER,))
    (hint,) = result.kind_hints()
    assert f"sessions of the IAM role arn:aws:iam::{ACCOUNT}:role/app (same" in hint
    assert hint.endswith("(with the role's path, if it has one)")


def test_no_hint_once_the_principal_matched() -> None:
    """Found before the principal matched, the twin is not said; after, it is not even searched for."""
    app = record(user_identity("app", "/"))
    twin_first = scan(delivery([SESSION]), delivery([app]), principals=(APP_USER,))
    assert twin_first.other_kinds == {APP_USER: {ROLE}}
    assert twin_first.matched[APP_USER] == 1 and twin_first.kind_hints() == []
    # both asked for: the role's twin is the user given beside it, no ARN to give
    both = scan(delivery([ALICE]), principals=(ALICE_ROLE, USER))
    assert both.matched[USER] == 1 and both.kind_hints() == []
    matched_first = scan(delivery([ALICE]), delivery([record(role_identity("alice"))]), principals=(USER,))
    assert matched_first.other_kinds == {} and matched_first.kind_hints() == []


def test_another_account_name_or_a_resource_of_the_name_is_no_twin() -> None:
    other_account = record(user_identity("alice", account="444455556666"))
    longer = record(user_identity("alice2"))
    resource = record(user_identity("bob"), resources=[{"ARN": "arn:aws:s3:::b/alice", "type": "x"}])
    assert scan(delivery([other_account, longer, resource]), principals=(ALICE_ROLE,)).other_kinds == {}
    other_session = record(role_identity("app", account="444455556666"))
    longer_role = record(role_identity("app2"))
    assert scan(delivery([other_session, longer_role]), principals=(APP_USER,)).other_kinds == {}


def test_many_principals_are_not_searched_for_their_twins() -> None:
    """Past FEW_PROBES principals a search per principal would grow with them: no twin is looked for."""
    three = (APP_USER, ALICE_ROLE, f"arn:aws:iam::{ACCOUNT}:role/carol")
    assert scan(delivery([SESSION, ALICE]), principals=three).other_kinds == {}


def test_no_match_names_the_principal_of_the_other_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_gz(tmp_path / "trail.json.gz", [BOB, SESSION])
    argv = ["generate", "--logs", str(tmp_path), "--principal", APP_USER]
    assert main([*argv, "--start", "2026-11-24", "--end", "2026-11-25"]) == EXIT_NO_MATCHING_EVENTS
    err = capsys.readouterr().err
    assert f"no event of the principal(s) in the window; {APP_USER} matched no event, but sessions of " in err
    assert f"the IAM role {ROLE} (same account and name, the other kind) did: give that ARN" in err


def test_the_search_stops_after_max_twin_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search is a pass over each file the principal is absent from: bounded per process, so that a
    principal absent from a long scan does not pay it for every file."""
    from policygen_operator.domain.cloudtrail import scan as scan_module

    monkeypatch.setattr(scan_module, "MAX_TWIN_FILES", 2)
    bob, session = delivery([BOB]), delivery([SESSION])
    assert scan(bob, bob, session, principals=(APP_USER,)).other_kinds == {}
    assert scan(bob, session, principals=(APP_USER,)).other_kinds == {APP_USER: {ROLE}}
