"""Adversarial reads and writes of a folded usage table (review of the folding of d7f727d).

``FOLD_AT`` is lowered to a handful. Names are shaped as the mapper writes them: a literal ``*``, ``?`` or
``$`` of a name as IAM's ``${*}``, ``${?}``, ``${$}`` (IAM User Guide, "IAM policy elements: Variables and
tags", "Specifying special characters"); S3 object ARNs ``arn:aws:s3:::bucket/key`` and bucket ARNs
``arn:aws:s3:::bucket`` (Service Authorization Reference, "Actions, resources, and condition keys for
Amazon S3", resource types object and bucket).
"""

from __future__ import annotations

import pickle
import random

import pytest

from policygen_operator.domain import usage as usage_module
from policygen_operator.domain.usage import PrincipalUsage, Usage, UsageSummary, UsageTable
from tests.unit.domain.test_usage_folding import _one_table as _table
from tests.unit.domain.test_usage_folding import _time

PUT = "s3:PutObject"
LIST = "s3:ListBucket"
BUCKET = "arn:aws:s3:::ingest-bucket/"
ROLE = "arn:aws:iam::111122223333:role/ingest"
LIMIT = 4


@pytest.fixture(autouse=True)
def _small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usage_module, "FOLD_AT", LIMIT)


def _escaped_folders() -> list[tuple[str, str, str]]:
    """Two first folders whose names hold an escaped ``*`` and ``?`` right after ``a``: each folder's
    span is cut before its escape, so both are named ``a*``."""
    calls = [(PUT, f"{BUCKET}a${{*}}/{n}.json", _time(n)) for n in range(3)]
    calls += [(PUT, f"{BUCKET}a${{?}}/{n}.json", _time(n + 5)) for n in range(3)]
    return calls


def test_two_folders_named_by_one_pattern_are_one_entry() -> None:
    table = _table(_escaped_folders())
    keys = list(table)
    assert keys == [(PUT, f"{BUCKET}a*")]
    assert len(table) == 1
    assert table[(PUT, f"{BUCKET}a*")].count == 6
    # a report sorts the items (services.generation._per_action): keys that tie compared the Usages
    assert sorted(table.items())[0][1].count == 6
    assert [(action, pattern, u.count) for action, pattern, u in table.folded()] == [(PUT, f"{BUCKET}a*", 6)]


@pytest.mark.parametrize("seed", range(6))
def test_a_saved_summary_is_the_same_text_whatever_the_order(seed: int) -> None:
    calls = _escaped_folders()
    first = UsageSummary(principals={ROLE: PrincipalUsage(allowed=_table(calls))}).to_dict()
    shuffled = calls[:]
    random.Random(seed).shuffle(shuffled)
    again = UsageSummary(principals={ROLE: PrincipalUsage(allowed=_table(shuffled))}).to_dict()
    assert again == first
    assert UsageSummary.from_dict(first).to_dict() == first


def _folded_table() -> UsageTable:
    calls = [(PUT, f"{BUCKET}uploads/{n}.json", _time(n)) for n in range(LIMIT + 2)]
    calls += [(PUT, f"{BUCKET}reports/{n}.csv", _time(n)) for n in range(2)]
    return _table(calls)


def test_a_folded_entry_can_be_deleted_and_cleared() -> None:
    table = _folded_table()
    assert (PUT, f"{BUCKET}uploads/*") in table
    del table[(PUT, f"{BUCKET}uploads/*")]
    assert (PUT, f"{BUCKET}uploads/*") not in table
    assert list(table) == [(PUT, f"{BUCKET}reports/*")]
    table.clear()
    assert len(table) == 0
    assert not table
    assert list(table) == []


def test_a_folded_entry_set_again_reads_as_set() -> None:
    table = _folded_table()
    table[(PUT, f"{BUCKET}uploads/*")] = Usage(2, _time(1), _time(2))
    assert table[(PUT, f"{BUCKET}uploads/*")] == Usage(2, _time(1), _time(2))
    assert len(table) == len(list(table)) == 2


def test_bucket_arns_are_never_folded() -> None:
    calls = [(LIST, f"arn:aws:s3:::bucket-{n:02d}", _time(n)) for n in range(3 * LIMIT)]
    table = _table(calls)
    assert sorted(r for _, r in table) == sorted(r for _, r, _ in calls)
    assert table.folded() == []


def test_resources_without_a_shape_are_never_folded() -> None:
    calls = [(PUT, "*", _time(n)) for n in range(3)] + [(PUT, f"not-an-arn-{n}", _time(n)) for n in range(9)]
    table = _table(calls)
    assert len(table) == 10
    assert table[(PUT, "*")].count == 3


def test_folders_that_are_prefixes_of_one_another_stay_apart_and_covered() -> None:
    names = ["a", "a/", "a/b", "ab", "ab/", "ab/c", "a/b/c", "", "b/", "b/x"]
    calls = [(PUT, f"{BUCKET}{name}", _time(n)) for n, name in enumerate(names)]
    read = _table(calls)
    granted = [r for _, r in read]
    assert len(granted) == len(set(granted))
    for _, resource, _ in calls:
        assert any(r == resource or (r.endswith("*") and resource.startswith(r[:-1])) for r in granted)


@pytest.mark.parametrize("seed", range(6))
def test_folded_into_unfolded_and_back_read_the_same(seed: int) -> None:
    calls = [(PUT, f"{BUCKET}uploads/{n}.json", _time(n)) for n in range(3 * LIMIT)]
    calls += [(PUT, f"{BUCKET}a${{*}}/{n}", _time(n)) for n in range(2)]
    calls += [(PUT, f"{BUCKET}a${{$}}/{n}", _time(n)) for n in range(2)]
    whole = sorted((k, (u.count, u.first_seen, u.last_seen)) for k, u in _table(calls).items())
    rng = random.Random(seed)
    rng.shuffle(calls)
    folded, small = _table(calls[: 2 * LIMIT]), _table(calls[2 * LIMIT :])
    for one, other in ((folded, small), (small, folded)):
        merged = pickle.loads(pickle.dumps(one))
        merged.merge(other)
        assert sorted((k, (u.count, u.first_seen, u.last_seen)) for k, u in merged.items()) == whole


def test_kinds_under_the_limit_are_looked_up_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """60 buckets of a few keys each: no kind passes the limit, so nothing folds, and the action's dict
    stays past it. Each fold looks every resource's kind up (``policy.shape_of``); refolding every
    ``FOLD_AT`` writes made the writes quadratic (300,000 keys of 60 buckets at the real limit: 0.33 s
    before folding, 7.6 s after), and every read refolded the whole dict (2,000 reads: 584 s)."""
    from policygen_operator.domain.iam import policy

    looked_up = 0
    shape_of = policy.shape_of

    def counted(arn: str) -> tuple[str, str] | None:
        nonlocal looked_up
        looked_up += 1
        return shape_of(arn)

    monkeypatch.setattr(policy, "shape_of", counted)
    calls = [(PUT, f"arn:aws:s3:::bucket-{n % 60}/k/{n}.json", _time(n)) for n in range(60 * (LIMIT - 1))]
    table = _table(calls)
    assert looked_up <= 4 * len(calls)
    looked_up = 0
    for _, resource, _ in calls:
        assert (PUT, resource) in table
    assert looked_up <= len(calls)
    assert table.folded() == []
