"""One scan for many principals: every principal gets exactly its own records, and the work per file
does not grow with the number of principals asked for.

Records are shaped as CloudTrail documents them (userIdentity element, "CloudTrail userIdentity element"
in the CloudTrail user guide): a role's session has ``arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`` and
``sessionContext.sessionIssuer.arn`` the role's ARN with its path; an IAM user has its user ARN.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from policygen_operator.domain.cloudtrail.principals import PrincipalMatcher, parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanResult, ScanSpec
from tests.unit.domain.cloudtrail.fakes import (
    ACCOUNT,
    FakeMapper,
    delivery,
    record,
    role_identity,
    spaced,
    user_identity,
)
from tests.unit.domain.cloudtrail.test_scan import WINDOW


def role(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


def user(name: str, path: str = "/people/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:user{path}{name}"


class CountingBytes(bytes):
    """File bytes that count the searches made over them (slices are plain bytes and not counted)."""

    searches = 0

    def find(self, *args: Any) -> int:
        CountingBytes.searches += 1
        return super().find(*args)

    def __contains__(self, item: object) -> bool:
        CountingBytes.searches += 1
        return super().__contains__(item)  # type: ignore[operator]


def scan(data: bytes, principals: list[str], name: str = "f.json") -> ScanResult:
    scanner = Scanner(ScanSpec(tuple(parse_principal(p) for p in principals), WINDOW), FakeMapper())
    scanner.scan_bytes(name, data)
    return scanner.take_result()


def events(result: ScanResult) -> dict[str, list[str]]:
    return {
        arn: sorted(action for action, _ in usage.allowed)
        for arn, usage in sorted(result.summary.principals.items())
    }


# Wanted: roles with and without a path (one name is a prefix of another), users (one name a prefix of
# another's), a role whose name also occurs in a bucket key. Not wanted: look-alikes of each.
WANTED = [role("app", "/service-role/"), role("app-2"), role("web"), user("alice"), user("bob", "/")]
RECORDS = [
    record(role_identity(name="app", path="/service-role/"), "A"),
    record(role_identity(name="app-2", path="/"), "B"),
    record(role_identity(name="web", path="/"), "C", requestParameters={"key": "assumed-role/app-3/x"}),
    record(user_identity(name="alice"), "D"),
    record(user_identity(name="bob", path="/"), "E"),
    record(role_identity(name="app-3", path="/"), "NotAsked"),  # same prefix, not asked for
    record(user_identity(name="alice2"), "NotAsked"),  # a longer user name
    record(user_identity(name="alice", path="/other/"), "NotAsked"),  # same name, another path
    record(role_identity(name="web", path="/", account="999999999999"), "NotAsked"),  # other account
    record(role_identity(name="app", path="/other/"), "NotAsked"),  # same name, another path
]
EXPECTED = {
    role("app", "/service-role/"): ["s3:A"],
    role("app-2"): ["s3:B"],
    role("web"): ["s3:C"],
    user("alice"): ["s3:D"],
    user("bob", "/"): ["s3:E"],
}
ABSENT = [role(f"absent-{n:03d}") for n in range(300)] + [user(f"nobody-{n:03d}") for n in range(200)]


@pytest.mark.parametrize("layout", [delivery, spaced])
@pytest.mark.parametrize("extra", [0, 3, 500])
def test_every_principal_gets_exactly_its_own_records(layout: Any, extra: int) -> None:
    principals = WANTED + ABSENT[:extra]
    result = scan(layout(RECORDS), principals)
    assert events(result) == EXPECTED
    assert result.summary.events_matched == 5
    assert result.summary.events_scanned == len(RECORDS)


@pytest.mark.parametrize("extra", [0, 500])
def test_json_lines_and_gzip_with_many_principals(extra: int) -> None:
    lines = b"\n".join(json.dumps(r).encode() for r in RECORDS)
    for name, data in (("f.jsonl", lines), ("f.json.gz", gzip.compress(delivery(RECORDS)))):
        result = scan(data, WANTED + ABSENT[:extra], name)
        assert events(result) == EXPECTED, name


def test_a_file_of_none_of_them_is_not_parsed() -> None:
    others = RECORDS[5:8]  # the look-alikes whose names differ (a same-name role is a candidate)
    result = scan(delivery(others * 20), WANTED + ABSENT)
    assert result.files_without_principal == 1
    assert result.summary.events_matched == 0
    assert result.summary.events_scanned == len(others) * 20


def test_markers_elsewhere_in_a_record_do_not_hide_the_next_one() -> None:
    # ":assumed-role/" and ":user/" inside strings, with the next "/" or '"' far away or in the next
    # record: the search must still find the session and user ARNs right after them.
    tricky = record(
        role_identity(name="other", path="/"),
        "Tricky",
        requestParameters={"a": "x:assumed-role/", "b": "y:user/" + "z" * 2000, "c": ":assumed-role/" * 50},
    )
    records = [tricky, RECORDS[0], tricky, RECORDS[3], tricky]
    result = scan(delivery(records), WANTED + ABSENT)
    assert events(result) == {role("app", "/service-role/"): ["s3:A"], user("alice"): ["s3:D"]}


def test_names_at_the_length_limit() -> None:
    long_role = "r" * 64
    long_user = "u" * 64
    path = "/" + "p" * 200 + "/"
    records = [
        record(role_identity(name=long_role, path="/"), "R"),
        record(user_identity(name=long_user, path=path), "U"),
    ]
    result = scan(delivery(records), [role(long_role), user(long_user, path), *ABSENT])
    assert events(result) == {role(long_role): ["s3:R"], user(long_user, path): ["s3:U"]}


def test_a_user_path_json_must_escape_is_still_found() -> None:
    odd = user("carol", '/a"b/')
    records = [record(user_identity(name="carol", path='/a"b/'), "Q"), *RECORDS]
    for extra in (0, 500):
        result = scan(delivery(records), [odd, *WANTED, *ABSENT[:extra]])
        assert events(result)[odd] == ["s3:Q"]


def test_searches_over_a_file_do_not_grow_with_the_number_of_principals() -> None:
    """Today's cost driver was one search of every file per principal: 500 principals, 500 passes."""
    data = delivery(RECORDS * 50)
    counts = {}
    for extra in (3, 50, 500):  # 8 principals and more: past the few that get one search each
        CountingBytes.searches = 0
        result = scan(CountingBytes(data), WANTED + ABSENT[:extra])
        assert events(result) == EXPECTED
        assert result.summary.events_matched == 5 * 50
        counts[extra] = CountingBytes.searches
    assert counts[500] == counts[50] == counts[3], counts
    # Bounded by the records, not by the principals: a few searches per marker occurrence.
    assert counts[500] < 10 * len(RECORDS) * 50


def test_the_matcher_finds_each_candidate_record() -> None:
    matcher = PrincipalMatcher(tuple(parse_principal(p) for p in WANTED + ABSENT))
    data = delivery(RECORDS)
    starts = [data.rfind(b'{"eventVersion"', 0, at) for at in matcher.positions(data)]
    wanted = [json.dumps(r, separators=(",", ":")).encode() for r in RECORDS if r["eventName"] != "NotAsked"]
    wanted_starts = {data.index(text) for text in wanted}
    assert wanted_starts <= set(starts)


@pytest.mark.parametrize("accounts", [1, 2, 3])
def test_principals_of_several_accounts_each_get_their_records(accounts: int) -> None:
    """The marker passes search ``sts::ACCOUNT:assumed-role/`` and ``iam::ACCOUNT:user/`` per account of
    the wanted principals (two accounts at most; more fall back to the account-free markers): a principal
    of every account is found, and a same-name role or user of an account nobody asked about is not."""
    numbers = ["111111111111", "222222222222", "333333333333"][:accounts]
    wanted = [f"arn:aws:iam::{n}:role/app" for n in numbers] + [
        f"arn:aws:iam::{n}:user/people/al" for n in numbers
    ]
    records = [
        record(identity, f"{kind}{n}")
        for n in [*numbers, "999999999999"]
        for kind, identity in (
            ("R", role_identity(name="app", path="/", account=n)),
            ("U", user_identity(name="al", account=n)),
        )
    ]
    expected = {f"arn:aws:iam::{n}:role/app": [f"s3:R{n}"] for n in numbers}
    expected |= {f"arn:aws:iam::{n}:user/people/al": [f"s3:U{n}"] for n in numbers}
    # absent principals of the first account: past the few probes, without adding an account
    absent = [
        f"arn:aws:iam::{numbers[0]}:{kind}/absent-{i:03d}" for kind in ("role", "user") for i in range(250)
    ]
    for layout in (delivery, spaced):
        result = scan(layout(records), wanted + absent)
        assert events(result) == dict(sorted(expected.items()))
        assert result.summary.events_matched == 2 * accounts
