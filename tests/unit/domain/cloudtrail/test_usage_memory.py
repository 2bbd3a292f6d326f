"""What the usage tables' smaller layout relies on: it changes bytes, never a count, a time or an output."""

from __future__ import annotations

import copy
import json
import pickle
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.domain.cloudtrail import scan as scan_module
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.usage import PrincipalUsage, Usage, UsageSummary, UsageTable, _principal_usage
from tests.unit.domain.cloudtrail.fakes import ROLE, FakeMapper, delivery, record, role_identity

WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))


def _call(name: str, bucket: str, time: str, **extra: Any) -> dict[str, Any]:
    """An S3 data event of the role, with the bucket's ARN in ``resources`` as CloudTrail writes it
    (CloudTrail User Guide, "CloudTrail record contents for management, data, and network activity events":
    ``resources``, "A list of resources accessed in the event")."""
    bucket_arn = {"ARN": f"arn:aws:s3:::{bucket}", "type": "AWS::S3::Bucket"}
    return record(role_identity(), name, time=time, resources=[bucket_arn], **extra)


def _records(seconds: int) -> list[dict[str, Any]]:
    """Per second, calls on several buckets (so several entries hold that second), some refused."""
    out = []
    for second in range(seconds):
        time = f"2026-11-24T09:{second // 60:02d}:{second % 60:02d}Z"
        for bucket in range(3):
            out.append(_call("GetObject", f"bucket-{(second + bucket) % 7}", time))
        if second % 5 == 0:
            out.append(_call("DeleteObject", f"bucket-{second % 3}", time, errorCode="AccessDenied"))
    return out


def _scan(files: list[bytes]) -> tuple[Scanner, UsageSummary]:
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), FakeMapper())
    for number, data in enumerate(files):
        scanner.scan_bytes(f"file-{number}", data)
    return scanner, scanner.take_result().summary


def test_entries_of_one_second_share_one_time_string() -> None:
    records = _records(3)
    # each record parsed from its own file: nothing but the scan could make their times one object
    _, summary = _scan([delivery([r]) for r in records])
    usage = summary.principals[ROLE]
    entries = (*usage.allowed.values(), *usage.denied.values())
    times = [t for u in entries for t in (u.first_seen, u.last_seen)]
    assert len({id(t) for t in times}) == len(set(times)) == 3


def test_a_full_time_table_is_emptied_and_the_usage_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    files = [delivery(_records(40)[n : n + 9]) for n in range(0, len(_records(40)), 9)]
    _, unbounded = _scan(files)
    monkeypatch.setattr(scan_module, "MAX_SHARED_TIMES", 4)
    scanner, bounded = _scan(files)
    assert len(scanner._times) <= 4
    assert json.dumps(bounded.to_dict()) == json.dumps(unbounded.to_dict())


def test_a_pickled_summary_round_trips() -> None:
    _, summary = _scan([delivery(_records(30))])
    again = pickle.loads(pickle.dumps(summary))
    assert json.dumps(again.to_dict()) == json.dumps(summary.to_dict())


def test_merging_two_halves_equals_scanning_them_together() -> None:
    records = _records(30)
    _, whole = _scan([delivery(records)])
    _, first = _scan([delivery(records[: len(records) // 2])])
    _, second = _scan([delivery(records[len(records) // 2 :])])
    _, other_first = _scan([delivery(records[: len(records) // 2])])
    merged = first.merge(pickle.loads(pickle.dumps(second)))
    assert json.dumps(merged.to_dict()["principals"]) == json.dumps(whole.to_dict()["principals"])
    assert merged.events_matched == whole.events_matched
    # merged in the other order, counts add and first/last seen are the extremes whichever comes first
    _, second_again = _scan([delivery(records[len(records) // 2 :])])
    reversed_order = second_again.merge(other_first).to_dict()["principals"]
    assert json.dumps(reversed_order) == json.dumps(whole.to_dict()["principals"])


def test_the_tables_are_held_per_action_and_read_by_action_resource_pairs() -> None:
    _, summary = _scan([delivery(_records(10))])
    table = summary.principals[ROLE].allowed
    assert isinstance(table, UsageTable)
    assert list(table.by_action) == ["s3:GetObject"]
    assert set(table.by_action["s3:GetObject"]) == {f"arn:aws:s3:::bucket-{n}" for n in range(7)}
    key = ("s3:GetObject", "arn:aws:s3:::bucket-0")
    assert key in table and ("s3:GetObject", "arn:aws:s3:::nope") not in table and "s3:GetObject" not in table
    assert table[key] is table.by_action["s3:GetObject"]["arn:aws:s3:::bucket-0"] is table.get(key)
    assert table.get(("s3:PutObject", "*")) is None and len(table) == 7
    as_dict = dict(table.items())
    assert table == as_dict and as_dict == table and list(table) == list(as_dict)
    assert sum(u.count for u in table.values()) == 30
    with pytest.raises(KeyError):
        table[("s3:PutObject", "*")]


def test_a_pair_seen_once_is_held_as_its_time_and_read_as_its_usage() -> None:
    table = UsageTable()
    table.see("s3:GetObject", "arn:aws:s3:::b/k", "2026-11-24T09:00:05Z")
    assert table.by_action == {"s3:GetObject": {"arn:aws:s3:::b/k": "2026-11-24T09:00:05Z"}}
    once = Usage(1, "2026-11-24T09:00:05Z", "2026-11-24T09:00:05Z")
    key = ("s3:GetObject", "arn:aws:s3:::b/k")
    assert table[key] == table.get(key) == once and list(table.values()) == [once]
    assert table.rows() == [(*key, 1, "2026-11-24T09:00:05Z", "2026-11-24T09:00:05Z")]
    table.see(*key, "2026-11-24T09:00:01Z")  # an earlier call, as records of several files come
    assert table.by_action["s3:GetObject"]["arn:aws:s3:::b/k"] == Usage(
        2, "2026-11-24T09:00:01Z", "2026-11-24T09:00:05Z"
    )
    # a copy of one call (an Athena row of one, a merge) is held as its time too, a row of more as Usage
    table.add("s3:PutObject", "arn:aws:s3:::b/k", once)
    assert table.by_action["s3:PutObject"]["arn:aws:s3:::b/k"] == "2026-11-24T09:00:05Z"
    spread = Usage(1, "2026-11-24T09:00:00Z", "2026-11-24T09:00:09Z")  # not one call's: kept whole
    table.add("s3:ListBucket", "arn:aws:s3:::b", spread)
    assert table[("s3:ListBucket", "arn:aws:s3:::b")] == spread


def _flat_record(table: dict[tuple[str, str], Usage], action: str, resource: str, time: str) -> None:
    """The flat layout's PrincipalUsage.record, the reference the tables must count like."""
    usage = table.get((action, resource))
    if usage is None:
        table[(action, resource)] = Usage(1, time, time)
    else:
        usage.see(time)


def _flat_add(table: dict[tuple[str, str], Usage], action: str, resource: str, usage: Usage) -> None:
    existing = table.get((action, resource))
    if existing is None:
        table[(action, resource)] = Usage(usage.count, usage.first_seen, usage.last_seen)
    else:
        existing.add(usage)


@pytest.mark.parametrize("seed", range(20))
def test_calls_rows_and_merges_count_as_the_flat_layout_did(seed: int) -> None:
    rng = random.Random(seed)
    actions = ["s3:GetObject", "s3:PutObject", "kms:Decrypt"]
    resources = [f"arn:aws:s3:::b/{n}" for n in range(6)] + ["*"]
    times = [f"2026-11-24T09:00:{n:02d}Z" for n in range(8)] + ["2026-11-24T09:00:03.5Z"]
    halves: list[tuple[PrincipalUsage, dict[tuple[str, str], Usage], dict[tuple[str, str], Usage]]] = []
    for _ in range(2):
        usage, allowed, denied = PrincipalUsage(), {}, {}
        for _ in range(rng.randrange(1, 40)):
            action, resource, time = rng.choice(actions), rng.choice(resources), rng.choice(times)
            refused = rng.random() < 0.2
            if rng.random() < 0.8:
                usage.record(action, resource, time, denied=refused)
                _flat_record(denied if refused else allowed, action, resource, time)
            else:  # an aggregate row (Athena), of one call or of several
                first, last = sorted(rng.sample(times, 2)) if rng.random() < 0.5 else [time, time]
                row = Usage(rng.randrange(1, 4), first, last)
                usage.add(action, resource, row, denied=refused)
                _flat_add(denied if refused else allowed, action, resource, row)
        assert dict(usage.allowed.items()) == allowed and dict(usage.denied.items()) == denied
        halves.append((usage, allowed, denied))
    (merged, allowed, denied), (other, other_allowed, other_denied) = halves
    merged.merge(pickle.loads(pickle.dumps(other)))
    for key, value in other_allowed.items():
        _flat_add(allowed, *key, value)
    for key, value in other_denied.items():
        _flat_add(denied, *key, value)
    assert dict(merged.allowed.items()) == allowed and dict(merged.denied.items()) == denied
    summary = UsageSummary(principals={ROLE: merged})
    flat = {"allowed": allowed, "denied": denied}
    assert summary.to_dict()["principals"][ROLE] == {
        name: [
            {"action": a, "resource": r, "count": u.count, "firstSeen": u.first_seen, "lastSeen": u.last_seen}
            for (a, r), u in sorted(table.items())
        ]
        for name, table in flat.items()
    }
    assert UsageSummary.from_dict(summary.to_dict()).to_dict() == summary.to_dict()


def test_a_principal_given_plain_dicts_holds_them_as_tables() -> None:
    given = {("s3:GetObject", "*"): Usage(2, "2026-11-24T09:00:00Z", "2026-11-24T09:05:00Z")}
    usage = PrincipalUsage(dict(given))
    assert isinstance(usage.allowed, UsageTable) and isinstance(usage.denied, UsageTable)
    assert usage.allowed == given and not usage.denied
    del usage.allowed[("s3:GetObject", "*")]
    assert not usage.allowed and usage.allowed.by_action == {}


def test_a_worker_result_pickled_as_plain_dicts_loads_the_same() -> None:
    """A worker's result is pickled as plain dicts (``UsageTable.plain``: a bare time for a call seen once,
    a tuple for more); read back, it is the table the rows say, in any order."""
    rows = [
        ("s3:GetObject", "arn:aws:s3:::b", 3, "2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z"),
        ("s3:PutObject", "arn:aws:s3:::b", 1, "2026-11-24T09:30:00Z", "2026-11-24T09:30:00Z"),
        ("s3:GetObject", "arn:aws:s3:::c", 1, "2026-11-24T09:10:00Z", "2026-11-24T09:10:00Z"),
    ]
    plain: dict[str, dict[str, Any]] = {}
    for action, resource, count, first, last in rows:
        plain.setdefault(action, {})[resource] = first if count == 1 else (count, first, last)
    usage = _principal_usage(
        (copy.deepcopy(plain), [], []), ({"s3:GetObject": {"arn:aws:s3:::b": rows[0][2:]}}, [], [])
    )
    assert dict(usage.allowed.items()) == {(a, r): Usage(c, f, last) for a, r, c, f, last in rows}
    assert sorted(usage.allowed.rows()) == sorted(rows) and usage.denied.rows() == rows[:1]
    assert usage.allowed.plain() == plain
    again = pickle.loads(pickle.dumps(usage))
    assert again == usage


def test_packed_rows_held_unadded_stay_bounded_and_a_merge_adds_them() -> None:
    """A table holds the native reader's packed rows as they came (a worker pickles them so), but never
    more than ``PENDING_CHARS`` of them: past it they are added. A merge holds another table's the same
    way (every table merged is merged from many: a worker's batches, a ServiceAccount's sessions), and a
    read adds what is held."""
    from policygen_operator.domain import usage as usage_module

    def packed(number: int) -> str:  # 50 calls made once, on new keys (``UsageTable.add_packed``'s form)
        keys = [f"arn:aws:s3:::b/{number}/{n}" for n in range(50)]
        times = ["2026-11-24T09:00:05Z"] * 50
        items = usage_module.ITEM_SEPARATOR.join
        return usage_module.COLUMN_SEPARATOR.join(["s3:GetObject", "50", "", "", items(times), items(keys)])

    table = UsageTable()
    for number in range(400):
        table.add_packed(packed(number))
        assert table._pending_chars <= usage_module.PENDING_CHARS
    assert table._pending and table.by_action  # some held, the rest added past the bound
    copied = pickle.loads(pickle.dumps(table))
    assert copied._pending == table._pending  # pickled as they came
    merged = UsageTable()
    merged.merge(copied)
    assert merged._pending and merged._pending_chars <= usage_module.PENDING_CHARS
    assert merged == table  # past FOLD_AT the keys are folded: the calls are all counted, once
    assert sum(usage.count for usage in merged.values()) == 400 * 50
