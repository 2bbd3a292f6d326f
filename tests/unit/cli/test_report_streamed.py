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


def test_a_large_report_is_never_held_whole_in_memory(tmp_path: Path) -> None:
    report = _report(100_000)
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
