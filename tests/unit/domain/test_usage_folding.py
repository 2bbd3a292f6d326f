"""A principal's usage stays bounded however many distinct resources its calls name.

A role that writes a new S3 key on every call (an ingest job, a log shipper) made one usage entry per call
of the whole window, ~180 bytes each, so a scan's memory grew with the log volume. Past ``FOLD_AT``
distinct resources of one kind for one action, a table folds them into one span per first folder, or past
``FOLD_AT`` folders one span for the kind, whose common prefix the policy names. These tests lower
``FOLD_AT`` to a handful; what matters is that the result depends only on the set of calls (order, files,
batches, pickling and saved summaries give the same), that every call stays allowed, and that the entries
held stay bounded.
"""

from __future__ import annotations

import pickle
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygen_operator.domain import usage as usage_module
from policygen_operator.domain.iam.policy import build_policies
from policygen_operator.domain.usage import PrincipalUsage, UsageSummary, UsageTable

GET = "s3:GetObject"
PUT = "s3:PutObject"
BUCKET = "arn:aws:s3:::ingest-bucket/"
ROLE = "arn:aws:iam::111122223333:role/ingest"
LIMIT = 8


@pytest.fixture(autouse=True)
def _small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usage_module, "FOLD_AT", LIMIT)


def _time(n: int) -> str:
    return f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z"


def _calls() -> list[tuple[str, str, str]]:
    """Keys in folders (``uploads/2026/11/N.json``: one first folder), flat keys (more first folders than
    the limit), a few keys of another folder, a second action under the limit, and a key read twice."""
    calls = [(PUT, f"{BUCKET}uploads/2026/11/{n:03d}.json", _time(n)) for n in range(40)]
    calls += [(PUT, f"{BUCKET}flat-{n:03d}.bin", _time(n + 3)) for n in range(30)]
    calls += [(PUT, f"{BUCKET}reports/r{n}.csv", _time(n + 7)) for n in range(3)]
    calls += [(GET, f"{BUCKET}config/{n}.yaml", _time(n)) for n in range(4)]
    calls += [(GET, f"{BUCKET}config/0.yaml", _time(50))]
    return calls


def _read(table: UsageTable) -> list[tuple[Any, ...]]:
    return sorted((a, r, u.count, u.first_seen, u.last_seen) for (a, r), u in table.items())


def _one_table(calls: list[tuple[str, str, str]]) -> UsageTable:
    table = UsageTable()
    for action, resource, time in calls:
        table.see(action, resource, time)
    return table


def test_under_the_limit_every_resource_stays_exact() -> None:
    calls = [(GET, f"{BUCKET}config/{n}.yaml", _time(n)) for n in range(LIMIT)]
    table = _one_table(calls)
    assert [r for _, r, *_ in _read(table)] == sorted(r for _, r, _ in calls)
    assert table.folded() == []


def test_past_the_limit_a_kind_is_named_by_its_folders_common_prefixes() -> None:
    table = _one_table(_calls())
    read = {(a, r): (count, first, last) for a, r, count, first, last in _read(table)}
    # 73 PutObject keys of one bucket: past the limit; 30 flat keys are 30 first folders, more than the
    # limit, so the kind is one span whose prefix is common to all 73 keys (none: the bucket's "*")
    assert [r for a, r in read if a == PUT] == [f"{BUCKET}*"]
    assert read[(PUT, f"{BUCKET}*")][0] == 73
    assert read[(PUT, f"{BUCKET}*")][1:] == (
        min(t for a, _, t in _calls() if a == PUT),
        max(t for a, _, t in _calls() if a == PUT),
    )
    # GetObject: 4 keys, under the limit, exact, the twice-read one counted twice
    assert read[(GET, f"{BUCKET}config/0.yaml")][0] == 2
    assert [pattern for _, pattern, _ in table.folded()] == [f"{BUCKET}*"]


def test_folders_under_the_limit_keep_one_pattern_each_and_single_keys_exact() -> None:
    calls = [(PUT, f"{BUCKET}uploads/2026/11/{n:03d}.json", _time(n)) for n in range(40)]
    calls += [(PUT, f"{BUCKET}reports/r{n}.csv", _time(n)) for n in range(3)]
    calls += [(PUT, f"{BUCKET}manifest.json", _time(1))]
    table = _one_table(calls)
    assert [r for _, r, *_ in _read(table)] == [
        f"{BUCKET}manifest.json",
        f"{BUCKET}reports/r*",
        f"{BUCKET}uploads/2026/11/0*",
    ]


def test_the_entries_held_stay_bounded_however_many_keys() -> None:
    table = UsageTable()
    most = 0
    for n in range(20_000):
        table.see(PUT, f"{BUCKET}uploads/{n % 5}/{n:06d}.json", _time(n))
        held = len(table.by_action[PUT]) + sum(
            len(fold.by_segment) + (fold.whole is not None)
            for fold in (table.folds or {}).get(PUT, {}).values()
        )
        most = max(most, held)
    assert most <= 2 * LIMIT + 1
    # one span per first folder: all under uploads/, whose common prefix is uploads/ (the policy's own
    # compaction of the full set would have named uploads/0/* ... uploads/4/*: the price of the bound)
    assert [r for _, r, *_ in _read(table)] == [f"{BUCKET}uploads/*"]


@pytest.mark.parametrize("seed", range(12))
def test_the_same_whatever_the_order_batches_and_round_trips(seed: int) -> None:
    calls = _calls()
    whole = _read(_one_table(calls))
    rng = random.Random(seed)
    shuffled = calls[:]
    rng.shuffle(shuffled)
    cuts = sorted(rng.sample(range(1, len(shuffled)), rng.randint(1, 6)))
    parts = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(shuffled)], strict=True)]
    tables = [_one_table(part) for part in parts]
    # a worker's result is pickled; a saved summary goes through to_dict/from_dict
    tables = [pickle.loads(pickle.dumps(t)) if i % 2 else t for i, t in enumerate(tables)]
    rng.shuffle(tables)
    merged = UsageTable()
    for table in tables:
        merged.merge(table)
    assert _read(merged) == whole
    summary = UsageSummary(principals={ROLE: PrincipalUsage(allowed=merged)})
    again = UsageSummary.from_dict(summary.to_dict())
    assert _read(again.principals[ROLE].allowed) == whole
    assert again.to_dict() == summary.to_dict()
    # and merging a read-back summary with more calls folds them in as if seen together
    more = [(PUT, f"{BUCKET}late-{n}.bin", _time(n)) for n in range(3)]
    again.principals[ROLE].allowed.merge(_one_table(more))
    assert _read(again.principals[ROLE].allowed) == _read(_one_table(calls + more))


def test_every_call_is_still_allowed_by_the_policy() -> None:
    calls = [(PUT, f"{BUCKET}uploads/2026/11/{n:03d}.json", _time(n)) for n in range(40)]
    calls += [(PUT, f"{BUCKET}manifest.json", _time(1)), (GET, f"{BUCKET}config/a.yaml", _time(2))]
    (policy,) = build_policies(_one_table(calls))
    granted = [(a, r) for s in policy["Statement"] for a in s["Action"] for r in s["Resource"]]
    for action, resource, _ in calls:
        assert any(
            a == action and (r == resource or (r.endswith("*") and resource.startswith(r[:-1])))
            for a, r in granted
        ), (action, resource)


def test_a_name_holding_a_wildcard_is_never_cut_inside_its_escape() -> None:
    calls = [(PUT, f"{BUCKET}in/a${{*}}{n:02d}", _time(n)) for n in range(LIMIT + 1)]
    assert [r for _, r, *_ in _read(_one_table(calls))] == [f"{BUCKET}in/a*"]


_NAME = st.text(alphabet="ab/*?${}é-", min_size=1, max_size=8)
_CALL = st.tuples(
    st.sampled_from([GET, PUT]),
    st.sampled_from([BUCKET, "arn:aws:kms:us-east-1:111122223333:key/", "arn:aws:s3:::other/"]),
    _NAME,
    st.integers(min_value=0, max_value=500),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(_CALL, min_size=1, max_size=60), data=st.data())
def test_any_calls_any_split_give_one_result_that_covers_every_call(
    calls: list[tuple[str, str, str, int]], data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random names (folders, wildcards, escapes, non-ASCII), kinds and times; any order, any split into
    tables, each half pickled or read back from ``to_dict``, merged in any order: one result, and each call
    is granted by an entry that names it or a pattern whose literal prefix it starts with. A limit of 3
    folds most examples' kinds, some into first folders, some whole."""
    monkeypatch.setattr(usage_module, "FOLD_AT", 3)
    seen = [(action, head + name, _time(n)) for action, head, name, n in calls]
    whole = _read(_one_table(seen))
    order = data.draw(st.permutations(seen))
    cuts = sorted(set(data.draw(st.lists(st.integers(min_value=1, max_value=len(order)), max_size=4))))
    parts = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True) if order[a:b]]
    merged = UsageTable()
    for number, part in enumerate(parts):
        table = _one_table(part)
        if number % 3 == 1:
            table = pickle.loads(pickle.dumps(table))
        elif number % 3 == 2:
            summary = UsageSummary(principals={ROLE: PrincipalUsage(allowed=table)})
            table = UsageSummary.from_dict(summary.to_dict()).principals[ROLE].allowed
        merged.merge(table)
    assert _read(merged) == whole
    for action, resource, _ in seen:
        assert any(
            a == action and (r == resource or (r.endswith("*") and resource.startswith(r[:-1])))
            for a, r, *_ in whole
        ), (action, resource)
    assert sum(count for _, _, count, _, _ in whole) == len(seen)
    summed: dict[str, tuple[int, str, str, list[str]]] = {}  # the report's per-action sums, entry by entry
    for (action, resource), usage in merged.items():
        count, first, last = usage.count, usage.first_seen, usage.last_seen
        before, earliest, latest, resources = summed.get(action, (0, first, last, []))
        summed[action] = (
            before + count,
            min(earliest, first),
            max(latest, last),
            sorted([*resources, resource]),
        )
    assert {a: (*sums, sorted(r)) for a, (*sums, r) in merged.per_action().items()} == summed
    keys: dict[str, set[str]] = {}  # what a policy is built of, key by key
    for action, resource in merged:
        keys.setdefault(action, set()).add(resource)
    assert merged.resources_per_action() == keys


def _packed(actions: list[str], rows: list[tuple[list[str], int, str, str]]) -> str:
    """Rows of one template as the native reader packs a principal's (``native/src/lib.rs``,
    ``Take::drain``): the actions, then for each its rows of one call first, the other rows' counts and last
    times, every row's first time and every row's resource. The reader joins an action's rows of every
    template, so that a resource comes once per action; here one may come twice, in an action's rows or
    as an action named twice, and is still added right."""
    rows = sorted(rows, key=lambda row: row[1] > 1)
    single = sum(1 for _, count, _, _ in rows if count == 1)
    items = usage_module.ITEM_SEPARATOR.join
    columns = [items(actions)]
    for index in range(len(actions)):
        columns += [
            str(single),
            items(str(count) for _, count, _, _ in rows[single:]),
            items(last for _, _, _, last in rows[single:]),
            items(first for _, _, first, _ in rows),
            items(resources[index] for resources, _, _, _ in rows),
        ]
    return usage_module.COLUMN_SEPARATOR.join(columns)


# the actions of a template's rows, and the rows of one: (resource numbers, count, first time, later by)
_ACTIONS = st.lists(st.sampled_from([GET, PUT]), min_size=1, max_size=3)
_ROW = st.tuples(
    st.lists(st.integers(0, 30), min_size=3, max_size=3),
    st.integers(1, 3),
    st.integers(0, 40),
    st.integers(0, 5),
)


@settings(max_examples=120, deadline=None)
@given(
    actions=_ACTIONS,
    groups=st.lists(st.lists(_ROW, min_size=1, max_size=40), max_size=4),
    held=st.lists(st.tuples(st.sampled_from([GET, PUT]), st.integers(0, 30), st.integers(1, 2)), max_size=20),
    pickled=st.booleans(),
)
def test_packed_rows_add_as_their_uses_one_by_one(
    actions: list[str],
    groups: list[list[tuple[list[int], int, int, int]]],
    held: list[tuple[str, int, int]],
    pickled: bool,
) -> None:
    """``add_packed`` (the native reader's rows of a template: calls made once in one column, resources
    that repeat in a column or are in the table already among them) gives the table ``add`` gives for each
    use, folding included, whether the rows are added where they came, or pickled unadded (a worker's batch
    result) and merged."""
    by_rows, by_adds = UsageTable(), UsageTable()
    for action, number, count in held:  # entries there before: a bare time, or a Usage
        usage = usage_module.Usage(count, _time(50), _time(50 + count - 1))
        by_rows.add(action, f"{BUCKET}k/{number}", usage)
        by_adds.add(action, f"{BUCKET}k/{number}", usage)
    packed_by = UsageTable()
    for group in groups:
        rows = []
        for numbers, count, first, later in group:
            first_seen, last_seen = _time(first), _time(first + later) if count > 1 else _time(first)
            resources = [f"{BUCKET}k/{number}" for number in numbers[: len(actions)]]
            rows.append((resources, count, first_seen, last_seen))
            for action, resource in zip(actions, resources, strict=True):
                by_adds.add(action, resource, usage_module.Usage(count, first_seen, last_seen))
        packed_by.add_packed(_packed(actions, rows))
    if pickled:
        packed_by = pickle.loads(pickle.dumps(packed_by))
        assert packed_by._pending or not groups  # carried as they came
    by_rows.merge(packed_by)
    assert dict(by_rows.items()) == dict(by_adds.items())
    assert sorted(by_rows.fold_rows()) == sorted(by_adds.fold_rows())  # folds per action, in any order


needs_extension = pytest.mark.skipif(
    usage_module.merge_packed is None,
    reason="the policygen_native extension is not built here (`make install` builds it where cargo is)",
)


@needs_extension
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=_ACTIONS, groups=st.lists(st.lists(_ROW, min_size=1, max_size=12), min_size=2, max_size=6))
def test_packed_strings_held_together_are_added_as_one_by_one(
    monkeypatch: pytest.MonkeyPatch, actions: list[str], groups: list[list[tuple[list[int], int, int, int]]]
) -> None:
    """A table holding several packed strings (a ServiceAccount's, given one per Pod Identity session and
    drain) has the extension make them one (``merge_packed``: each call added up) before adding it: the
    table is the one the strings give added one by one, folds and all."""
    merged: list[int] = []
    original = usage_module.merge_packed
    assert original is not None

    def counted(packs: list[str]) -> str | None:
        merged.append(len(packs))
        return original(packs)

    monkeypatch.setattr(usage_module, "merge_packed", counted)
    one_by_one, held = UsageTable(), UsageTable()
    for group in groups:
        rows = []
        for numbers, count, first, later in group:
            first_seen, last_seen = _time(first), _time(first + later) if count > 1 else _time(first)
            rows.append(
                ([f"{BUCKET}k/{number}" for number in numbers[: len(actions)]], count, first_seen, last_seen)
            )
        packed = _packed(actions, rows)
        one_by_one._add_rows(packed)
        held.add_packed(packed)
    assert dict(held.items()) == dict(one_by_one.items())
    assert sorted(held.fold_rows()) == sorted(one_by_one.fold_rows())
    assert merged == [len(groups)]


@needs_extension
def test_a_session_s_calls_held_for_its_service_account_are_added_with_the_others() -> None:
    """Calls of Pod Identity sessions whose AssumeRole came later (``UsageSummary.own_session``) and of
    sessions owned already, from batches merged in any order: the ServiceAccount's table holds their
    packed strings and adds them as one, the same as adding each."""
    role, account = ROLE, "team/app"
    sessions = [f"arn:aws:sts::111122223333:assumed-role/ingest/eks-c-pod-{n}" for n in range(6)]
    summaries = []
    for number, session in enumerate(sessions):
        part = UsageSummary()
        usage = part.session(role, session)
        rows = [(["*"], 2 + number, _time(number), _time(number + 3)), (["*"], 1, _time(9), _time(9))]
        usage.allowed.add_packed(_packed([GET], rows[:1]))
        usage.allowed.add_packed(_packed([PUT], rows[1:]))
        if number % 2:
            part.own_session(role, session, account, f"pod-{number}")
        summaries.append(part)
    total = UsageSummary()
    for part in summaries:
        total.merge(part)
    for number, session in enumerate(sessions):
        total.own_session(role, session, account, f"pod-{number}")
    owned = total.service_accounts[role][account]
    assert not total.sessions and owned.sessions == set(sessions)
    read = {key: (u.count, u.first_seen, u.last_seen) for key, u in owned.usage.allowed.items()}
    assert read == {
        (GET, "*"): (2 + 3 + 4 + 5 + 6 + 7, _time(0), _time(8)),
        (PUT, "*"): (6, _time(9), _time(9)),
    }


@needs_extension
@pytest.mark.parametrize(
    "packs",
    [
        ["s3:GetObject\x1d1\x1d\x1d"],  # too few columns
        [_packed([GET], [(["a"], 1, "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z")]).replace("00Z", "0Z")],
        [
            _packed([GET], [(["a"], 2, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")]).replace(
                "\x1d2\x1d", "\x1dx\x1d"
            )
        ],
    ],
)
def test_packed_strings_not_of_the_form_are_left_to_python(packs: list[str]) -> None:
    assert usage_module.merge_packed is not None
    assert usage_module.merge_packed([*packs, _packed([PUT], [(["b"], 1, _time(1), _time(1))])]) is None
