"""The ``--report`` file is written as it is encoded, not built whole first.

A fleet's report lists every resource each principal touched: 500 principals over 1M events gave 28 MB of
JSON, and ``json.dumps(..., indent=2)`` held that text and the encoder's list of pieces at once, taking
``policygen generate`` from 120 to 209 MB after the scan (benchmarks/README.md). The file is the same text.
"""

from __future__ import annotations

import argparse
import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygen_operator.cli import generate
from policygen_operator.cli.generate import _write_report


def _report(resources: int) -> dict[str, Any]:
    keys = [f"arn:aws:s3:::bucket-{n % 7}/reports/2026/11/{n:08d}.csv" for n in range(resources)]
    return {
        "eventsMatched": resources,
        "principals": {
            "arn:aws:iam::111122223333:role/app": {
                "actions": {"s3:GetObject": {"count": resources, "resources": keys}},
                "findings": [],
            }
        },
    }


def test_the_report_is_the_indented_json_of_before(tmp_path: Path) -> None:
    report = _report(50)
    path = tmp_path / "report.json"
    _write_report(argparse.Namespace(report=str(path)), report, "ok", io.StringIO())
    assert path.read_text() == json.dumps({"outcome": "ok", **report}, indent=2, sort_keys=False) + "\n"


def _skipped(files: int) -> dict[str, Any]:
    """A report whose bulk is one dict of scalars: the files a scan skipped, each with its reason."""
    return {
        "filesSkipped": {
            f"s3://logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/{n:08d}.json.gz": "not gzip"
            for n in range(files)
        }
    }


@pytest.mark.parametrize("make", [_report, _skipped], ids=["resources", "skipped files"])
def test_a_large_report_is_never_held_whole_in_memory(tmp_path: Path, make: Any) -> None:
    report = make(100_000)
    size = len(json.dumps({"outcome": "ok", **report}, indent=2))  # ~7 MB
    path = tmp_path / "report.json"
    tracemalloc.start()
    try:
        _write_report(argparse.Namespace(report=str(path)), report, "ok", io.StringIO())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.stat().st_size == size + 1
    # the whole text alone would be `size` (one byte a character); streamed, the file's buffer is all
    assert peak < size / 10, f"peak {peak:,} bytes for a {size:,}-byte report"


JSON_KEYS = st.one_of(
    st.text(max_size=6), st.integers(-5, 5), st.none(), st.booleans(), st.floats(allow_nan=True)
)
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(st.characters(codec="utf-16"), max_size=8),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(st.text(max_size=4), max_size=5),  # the lists joined at once
        st.tuples(inner, inner),
        st.dictionaries(JSON_KEYS, inner, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES, per_write=st.sampled_from([1, 2, 1024]))
def test_any_report_is_written_as_json_dumps_indents_it(
    value: Any, per_write: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written by pieces (strings of a list joined a thousand at a time), the text is the one of
    ``json.dumps(..., indent=2)`` for any JSON value: escapes past ASCII, keys that are no strings,
    floats, NaN, empty containers, tuples."""
    monkeypatch.setattr(generate, "STRINGS_PER_WRITE", per_write)
    pieces: list[str] = []
    generate._write_indented(value, pieces.append, "\n")
    assert "".join(pieces) == json.dumps(value, indent=2)


@pytest.mark.parametrize("key", [(1, 2), (), frozenset()])
def test_a_key_json_refuses_is_refused(key: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps({key: 1}, indent=2)
    with pytest.raises(TypeError):
        generate._write_indented({key: 1}, [].append, "\n")


@pytest.mark.parametrize(
    "leaf",
    [
        {"message": "DEL \x7f"},
        {"message": "control \x1f\x00\b\f\n\r\t"},
        {"message": "past ASCII é \u2028 \U0001f600"},
        {"count": 2**65},
        {"seconds": 1e16, "rate": 1e-05},
        {1: "a key that is no string", None: True},
        {"resources": ["arn:aws:s3:::bucket/key"] * 1025, "count": 1025},
        {"resources": ("a", 1, None, False), "empty": [], "nothing": {}},
        {"resources": [1.5, "a"]},
    ],
)
def test_a_leaf_dict_is_written_as_json_dumps_indents_it(leaf: dict[Any, Any]) -> None:
    """A dict of scalars and lists of them is encoded by orjson (``_leaf_text``) where its text is json's,
    and by the writer where it may not be: each of these differs in orjson's text or is too long for one
    piece; nested two levels down, at an indent of its own."""
    value = {"principals": {"arn:aws:iam::111122223333:role/app": {"actions": {"s3:GetObject": leaf}}}}
    pieces: list[str] = []
    generate._write_indented(value, pieces.append, "\n")
    assert "".join(pieces) == json.dumps(value, indent=2)
