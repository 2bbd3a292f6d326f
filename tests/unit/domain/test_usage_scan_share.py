"""A scan for many principals holds a bounded number of calls however many events it reads.

``FOLD_AT`` bounds a table per action and kind, not per principal: the 300 roles of a 5M-event benchmark
each held ~4,600 distinct resources, and more with more logs (the parent 155 MB at 1M events, 385 MB at
5M). Each table now folds past its principal's share of what a scan holds (``usage.table_fold_at``):
every kind past ``OVER_FOLD_AT`` resources, a folded kind past ``OVER_FOLD_AT`` first folders whole. What
must hold: under its share a table keeps every resource; the result depends only on the set of calls
(order, batches, pickling, saved summaries); what a table holds stays flat; and a scan's workers and the
parent that merges them fold by the same share.
"""

from __future__ import annotations

import pickle
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.domain import usage as usage_module
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import run_scan
from policygen_operator.domain.usage import (
    FOLD_AT,
    MIN_TABLE_FOLD_AT,
    SCAN_HELD,
    PrincipalUsage,
    UsageSummary,
    UsageTable,
    table_fold_at,
)
from tests.unit.domain.cloudtrail.fakes import ACCOUNT, ROLE, delivery, fake_mapper, record, role_identity

PUT = "s3:PutObject"
DECRYPT = "kms:Decrypt"
BUCKET_A = "arn:aws:s3:::bucket-a/"
BUCKET_B = "arn:aws:s3:::bucket-b/"
KEYS = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/"
WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))


def _time(n: int) -> str:
    return f"2026-11-24T{n % 24:02d}:{n % 60:02d}:{(7 * n) % 60:02d}Z"


def _calls(extra: int = 1) -> list[tuple[str, str, str]]:
    """Ten keys of one folder, two of another bucket, nine flat KMS key ids, and ``extra`` more keys of
    the first folder: 21 + ``extra`` - 1 distinct resources in three kinds, none past ``FOLD_AT``."""
    calls = [(PUT, f"{BUCKET_A}data/{n:03d}.json", _time(n)) for n in range(9 + extra)]
    calls += [(PUT, f"{BUCKET_B}manifest-{n}.json", _time(n + 3)) for n in range(2)]
    calls += [(DECRYPT, f"{KEYS}k-{n:02d}", _time(n + 5)) for n in range(9)]
    calls += [(DECRYPT, f"{KEYS}k-00", _time(40))]  # one key used twice
    return calls


def _read(table: UsageTable) -> list[tuple[Any, ...]]:
    return sorted((a, r, u.count, u.first_seen, u.last_seen) for (a, r), u in table.items())


def _table(calls: list[tuple[str, str, str]], fold_at: int | None = 20) -> UsageTable:
    table = UsageTable(fold_at=fold_at)
    for action, resource, time in calls:
        table.see(action, resource, time)
    return table


@pytest.fixture
def _small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usage_module, "OVER_FOLD_AT", 3)


def test_a_scan_shares_what_it_holds_among_its_principals() -> None:
    assert table_fold_at(1) == table_fold_at(50) == FOLD_AT  # a few principals: as before
    assert table_fold_at(500) == SCAN_HELD // 500 < FOLD_AT
    assert table_fold_at(1_000_000) == MIN_TABLE_FOLD_AT
    principals = tuple(parse_principal(f"arn:aws:iam::{ACCOUNT}:role/r-{n}") for n in range(500))
    summary = Scanner(ScanSpec(principals, WINDOW)).result.summary
    assert summary.table_fold_at == SCAN_HELD // 500
    usage = summary.principal(principals[0].arn)
    assert usage.allowed._fold_at == usage.denied._fold_at == SCAN_HELD // 500


@pytest.mark.usefixtures("_small")
def test_at_its_share_a_table_keeps_every_resource() -> None:
    calls = _calls(extra=0)  # 20 distinct resources: the share itself
    assert len({r for _, r, _ in calls}) == 20
    table = _table(calls)
    assert [r for _, r, *_ in _read(table)] == sorted({r for _, r, _ in calls})
    assert table.folded() == [] and not table.folds


@pytest.mark.usefixtures("_small")
def test_past_its_share_kinds_past_the_small_limit_fold_and_the_small_stay_exact() -> None:
    calls = _calls(extra=1)  # 21: one past the share
    read = {(a, r): count for a, r, count, _, _ in _read(_table(calls))}
    assert read == {
        # ten keys of data/: past 3, folded to their first folder's common prefix
        (PUT, f"{BUCKET_A}data/00*"): 10,
        # two keys of another bucket: under 3, exact
        (PUT, f"{BUCKET_B}manifest-0.json"): 1,
        (PUT, f"{BUCKET_B}manifest-1.json"): 1,
        # nine flat key ids are nine first folders, past 3: one span for the kind, every call counted
        (DECRYPT, f"{KEYS}k-0*"): 10,
    }
    # without a share (one principal's scan, a table read back) the same calls stay exact
    assert len(_read(_table(calls, fold_at=None))) == 21


@pytest.mark.usefixtures("_small")
@pytest.mark.parametrize("seed", range(12))
def test_the_same_whatever_the_order_batches_and_round_trips(seed: int) -> None:
    """Parts under the share and parts past it, pickled (a worker's batch result, read back without the
    share), or saved and read back, merged in any order into a table with the share: the table of all the
    calls at once."""
    rng = random.Random(seed)
    calls = _calls(extra=rng.randint(0, 6)) + [
        (PUT, f"{BUCKET_A}logs/{n}.gz", _time(n)) for n in range(rng.randint(0, 5))
    ]
    whole = _read(_table(calls))
    shuffled = calls[:]
    rng.shuffle(shuffled)
    cuts = sorted(rng.sample(range(1, len(shuffled)), rng.randint(1, 5)))
    parts = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(shuffled)], strict=True)]
    tables = [_table(part, fold_at=rng.choice([20, None])) for part in parts]
    for number, table in enumerate(tables):
        if number % 3 == 1:
            tables[number] = pickle.loads(pickle.dumps(table))
        elif number % 3 == 2:
            saved = UsageSummary(principals={ROLE: PrincipalUsage(allowed=table)}).to_dict()
            tables[number] = UsageSummary.from_dict(saved).principals[ROLE].allowed
    rng.shuffle(tables)
    merged = UsageTable(fold_at=20)
    for table in tables:
        merged.merge(table)
    assert _read(merged) == whole
    assert sum(count for *_, count, _, _ in whole) == len(calls)


def _held(table: UsageTable) -> int:
    """Entries and spans a table holds (``merge`` settles nothing: what is held between reads)."""
    spans = sum(
        len(fold.by_segment) + (fold.whole is not None)
        for heads in (table.folds or {}).values()
        for fold in heads.values()
    )
    return sum(map(len, table.by_action.values())) + spans


def test_what_a_principal_holds_stays_flat_however_many_calls() -> None:
    """The real limits, a principal of a 500-principal scan: new S3 keys in 8 buckets and new KMS keys in
    2 Regions on every call, merged batch by batch as the parent merges its workers' results. What the
    table holds peaks near its share and then stays far under it, whatever the number of calls."""
    share = table_fold_at(500)
    table = UsageTable(fold_at=share)
    peaks: list[int] = []
    for batch in range(100):
        part = UsageTable()  # a worker's batch, folded by its own limits
        for n in range(batch * 1_000, (batch + 1) * 1_000):
            part.see(PUT, f"arn:aws:s3:::bucket-{n % 8}/incoming/{n:07d}.json", _time(n))
            region = ("us-east-1", "eu-west-1")[n % 2]
            part.see(
                DECRYPT, f"arn:aws:kms:{region}:{ACCOUNT}:key/{n:08x}-0000-4000-8000-000000000000", _time(n)
            )
        table.merge(part)
        peaks.append(_held(table))
    assert max(peaks) <= share + 2_000  # at most one batch past the share before it folds
    assert max(peaks[10:]) < share // 2  # flat: 90,000 calls later, no more than after 10,000
    read = {(a, r): count for a, r, count, _, _ in _read(table)}
    assert read == {  # each kind by its common prefix (keys 0000000-0099999, key ids 00000000-0001869f)
        **{(PUT, f"arn:aws:s3:::bucket-{b}/incoming/00*"): 12_500 for b in range(8)},
        (DECRYPT, f"arn:aws:kms:us-east-1:{ACCOUNT}:key/000*"): 50_000,
        (DECRYPT, f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/000*"): 50_000,
    }


def test_a_table_written_call_by_call_holds_about_twice_its_share_however_many_actions() -> None:
    """The scan without the extension writes call by call (``see``): an action is counted with the table
    each time it doubles, so twenty actions of 1,000 new keys each (20,000 resources, none of them past
    the share alone) hold about twice the share before the table folds, not 20,000 until it is read."""
    share = table_fold_at(500)
    table = UsageTable(fold_at=share)
    most = 0
    for n in range(1_000):
        for number in range(20):
            table.see(f"s3:Action{number}", f"arn:aws:s3:::bucket-{number}/k/{n:04d}", _time(n))
        most = max(most, _held(table))
    assert most <= 2 * share + 20 * usage_module.OVER_FOLD_STEP
    assert {r for _, r, *_ in _read(table)} == {f"arn:aws:s3:::bucket-{n}/k/0*" for n in range(20)}


def _file(first: int, count: int) -> bytes:
    """``count`` PutObject records of the role on new keys of one folder, from key ``first``."""
    return delivery(
        [
            record(
                role_identity(),
                "PutObject",
                time=f"2026-11-24T10:{n % 60:02d}:00Z",
                resources=[{"ARN": f"{BUCKET_A}data/{n:05d}.json", "type": "AWS::S3::Object"}],
            )
            for n in range(first, first + count)
        ]
    )


def test_a_scan_folds_by_the_share_of_its_principals_in_its_workers_and_its_parent() -> None:
    """1,100 keys of one folder: a scan for the role alone keeps them exact (its share is ``FOLD_AT``); a
    scan that also asks for 1,023 roles that made no call gives each ``MIN_TABLE_FOLD_AT``, past which
    the folder folds, the same in one process and with workers that merge in the parent."""
    items = [(f"file-{n}.json", _file(n * 25, 25)) for n in range(44)]
    alone = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper)
    exact = run_scan(alone, items, workers=1).summary.principals[ROLE].allowed
    assert len(exact) == 1_100 and not exact.folded()
    absent = [parse_principal(f"arn:aws:iam::{ACCOUNT}:role/absent-{n}") for n in range(1_023)]
    many = ScanSpec((parse_principal(ROLE), *absent), WINDOW, mapper_factory=fake_mapper)
    assert table_fold_at(len(many.principals)) == MIN_TABLE_FOLD_AT < 1_100
    here = run_scan(many, items, workers=1).summary.principals[ROLE].allowed
    pooled = run_scan(many, items, workers=2).summary.principals[ROLE].allowed
    assert (
        _read(here)
        == _read(pooled)
        == [(PUT, f"{BUCKET_A}data/0*", 1_100, "2026-11-24T10:00:00Z", "2026-11-24T10:59:00Z")]
    )
