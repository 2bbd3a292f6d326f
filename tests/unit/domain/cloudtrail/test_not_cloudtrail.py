"""A folder of another tool's JSON is said to hold no CloudTrail record when nothing matched.

A QA pass gave ``--logs`` a folder of a ``package.json``, a ``[{"id":1}]`` array and an app's ``.jsonl``:
exit 3 with "3 file(s), 2 event(s) scanned" and nothing saying these are no CloudTrail files. The two
"events" were the JSON Lines file's lines, counted unparsed as every line without the principal's ARN is;
the other files count no event (``_unparsed_events`` counts ``"eventVersion"`` keys). Every CloudTrail
record has ``eventVersion`` and ``eventSource`` (CloudTrail User Guide, "CloudTrail record contents for
management, data, and network activity events"), so a file read without either key holds none.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policygen_operator.cli.main import EXIT_NO_MATCHING_EVENTS, main
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanResult, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from tests.unit.domain.cloudtrail.fakes import ROLE, FakeMapper, delivery, record, user_identity, write_gz

WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
OTHER_TOOLS = {
    "package.json": b'{"name": "app", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}}\n',
    "data.json": b'[{"id": 1}]\n',
    "app.jsonl": b'{"level": "info", "msg": "start"}\n{"level": "info", "msg": "stop"}\n',
}


def scan(files: dict[str, bytes]) -> ScanResult:
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), FakeMapper())
    for name, data in files.items():
        scanner.scan_bytes(name, data)
    return scanner.take_result(final=True)


def test_another_tools_json_holds_no_event_and_is_named() -> None:
    result = scan(OTHER_TOOLS)
    assert result.summary.files_scanned == 3
    assert result.summary.events_scanned == 0  # the .jsonl's two lines were counted as events
    assert result.not_cloudtrail_files == 3
    assert result.not_cloudtrail == ["app.jsonl", "data.json"]


def test_cloudtrail_files_are_not_counted_as_another_tools() -> None:
    """Files of other principals' records, in the forms read: compact, JSON Lines, saved lookup-events
    output (each record quoted in a string)."""
    other = record(user_identity("bob"))
    lines = b"\n".join(json.dumps(r).encode() for r in (other, other)) + b"\n"
    item = {"EventName": "GetObject", "CloudTrailEvent": json.dumps(other)}
    saved = json.dumps({"Events": [item]}).encode()
    result = scan({"a.json": delivery([other]), "b.jsonl": lines, "c.json": saved})
    assert result.summary.events_scanned == 4
    assert result.not_cloudtrail_files == 0 and result.not_cloudtrail == []


def test_the_names_kept_do_not_depend_on_the_batches() -> None:
    merged = scan({"z.json": b"[]", "b.json": b"{}"}).merge(scan({"a.json": b'{"x": 1}'}))
    assert merged.not_cloudtrail_files == 3
    assert merged.not_cloudtrail == ["a.json", "b.json"]


def test_no_match_in_another_tools_json_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, data in OTHER_TOOLS.items():
        (tmp_path / name).write_bytes(data)
    argv = ["generate", "--logs", str(tmp_path), "--principal", ROLE, "--start", "2026-11-24"]
    assert main([*argv, "--end", "2026-11-25"]) == EXIT_NO_MATCHING_EVENTS
    err = capsys.readouterr().err
    said = "none of the 3 file(s) read holds a CloudTrail record (no eventVersion or eventSource in them: "
    named = f"{tmp_path / 'app.jsonl'}, {tmp_path / 'data.json'} and 1 more): are these CloudTrail logs?"
    assert said + named in err
    assert "(3 file(s), 0 event(s) scanned)" in err


def test_no_hint_when_a_file_read_is_cloudtrail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Beside a CloudTrail file, another tool's JSON is no reason for an empty policy."""
    (tmp_path / "package.json").write_bytes(OTHER_TOOLS["package.json"])
    write_gz(tmp_path / "trail.json.gz", [record(user_identity("bob"))])
    argv = ["generate", "--logs", str(tmp_path), "--principal", ROLE, "--start", "2026-11-24"]
    assert main([*argv, "--end", "2026-11-25"]) == EXIT_NO_MATCHING_EVENTS
    err = capsys.readouterr().err
    assert "CloudTrail record" not in err
    assert "(2 file(s), 1 event(s) scanned)" in err


def test_a_streamed_file_of_another_tool_is_named_too(tmp_path: Path) -> None:
    """JSON Lines past the file size cap are read line by line; their head decides."""
    big = tmp_path / "app.jsonl"
    big.write_bytes(b'{"level": "info", "msg": "tick"}\n' * 100)
    trail = tmp_path / "trail.jsonl"
    trail.write_bytes(b"\n".join(json.dumps(record(user_identity("bob"))).encode() for _ in range(20)))
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW, max_file_bytes=1024), FakeMapper())
    scanner.scan_path(str(big))
    scanner.scan_path(str(trail))
    result = scanner.take_result(final=True)
    assert result.summary.files_scanned == 2 and result.summary.skipped_files == {}
    assert result.summary.events_scanned == 20
    assert result.not_cloudtrail == [str(big)]
