"""Bounded memory for every input: no file is held past the file size cap, whatever it inflates to.

A file past the cap is skipped and named in the result with the reason; the good files around it are
used. What memory this takes is measured in ``benchmarks/run.py`` (a hostile file among good logs),
not here.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from isal import igzip, igzip_lib

from policygen_operator.domain.cloudtrail.limits import DEFAULT_MAX_FILE_BYTES, describe_size, parse_size
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import (
    FileTooLarge,
    Scanner,
    ScanResult,
    ScanSpec,
    inflate,
)
from policygen_operator.domain.engine import run_scan
from tests.unit.domain.cloudtrail.fakes import ROLE, FakeMapper, delivery, fake_mapper, record, role_identity
from tests.unit.domain.cloudtrail.test_scan import WINDOW

MINE = record(role_identity(), "GetObject", resources=[{"ARN": "arn:aws:s3:::b/k"}])


def spec(limit: int = DEFAULT_MAX_FILE_BYTES) -> ScanSpec:
    return ScanSpec((parse_principal(ROLE),), WINDOW, fake_mapper, max_file_bytes=limit)


def scan_paths(paths: list[Path], limit: int = DEFAULT_MAX_FILE_BYTES) -> ScanResult:
    scanner = Scanner(spec(limit), FakeMapper())
    for path in paths:
        scanner.scan_path(str(path))
    return scanner.take_result()


def gzip_of_blanks(path: Path, size: int) -> Path:
    """``size`` bytes of spaces, gzipped a block at a time (the file is ~1/1000 of that on disk)."""
    block = b" " * (64 * 1024 * 1024)
    with igzip.open(path, "wb", compresslevel=1) as out:
        for _ in range(size // len(block)):
            out.write(block)
    return path


def test_a_gzip_of_gigabytes_of_blanks_is_skipped_and_named_among_good_logs(tmp_path: Path) -> None:
    good = [tmp_path / f"good-{n}.json.gz" for n in range(3)]
    for path in good:
        path.write_bytes(gzip.compress(delivery([MINE])))
    hostile = gzip_of_blanks(tmp_path / "hostile.json.gz", 3 * 1024**3)
    assert hostile.stat().st_size < 20 * 1024 * 1024  # small on disk, 3 GiB inflated
    items = [(str(p), str(p)) for p in [good[0], hostile, *good[1:]]]
    result = run_scan(spec(), iter(items), workers=1)
    assert result.summary.skipped_files == {
        str(hostile): "inflates past 256 MiB (the file size cap)",
    }
    assert result.summary.events_matched == 3
    assert result.summary.files_scanned == 3


def test_bytes_from_anywhere_obey_the_same_cap() -> None:
    limit = 64 * 1024
    bomb = gzip.compress(b" " * (limit + 1))
    scanner = Scanner(spec(limit), FakeMapper())
    assert not scanner.scan_bytes("s3://bucket/bomb.json.gz", bomb)
    assert not scanner.scan_bytes("s3://bucket/plain.json", b"[" + b" " * limit + b"]")
    scanner.scan_bytes("s3://bucket/good.json.gz", gzip.compress(delivery([MINE])))
    result = scanner.take_result()
    assert result.summary.skipped_files == {
        "s3://bucket/bomb.json.gz": "inflates past 64 KiB (the file size cap)",
        "s3://bucket/plain.json": "larger than 64 KiB (the file size cap)",
    }
    assert result.summary.events_matched == 1


@pytest.mark.parametrize("hint", [1, 100, 4999, 5001, 10**9, -1])
def test_inflate_stops_at_the_cap_whatever_the_size_hint_says(
    monkeypatch: pytest.MonkeyPatch, hint: int
) -> None:
    from policygen_operator.domain.cloudtrail import scan as scan_module

    monkeypatch.setattr(scan_module, "_size_hint", lambda _: hint)
    data = gzip.compress(b"x" * 5000)
    assert inflate(data, 5000) == b"x" * 5000
    with pytest.raises(FileTooLarge):
        inflate(data, 4999)


def test_a_lying_trailer_is_corrupt() -> None:
    data = gzip.compress(b"x" * 5000)
    with pytest.raises(igzip_lib.IsalError):
        inflate(data[:-4] + (10).to_bytes(4, "little"), 5000)  # ISIZE says 10 bytes


def test_several_members_count_together_and_trailing_zeros_are_padding() -> None:
    member = gzip.compress(b"y" * 3000)
    assert inflate(member + member, 6000) == b"y" * 6000
    with pytest.raises(FileTooLarge):
        inflate(member + member, 5999)
    assert inflate(member + b"\0" * 512, 3000) == b"y" * 3000
    with pytest.raises(ValueError):
        inflate(member + b"garbage", 3000)


def test_json_lines_past_the_cap_are_streamed_line_by_line(tmp_path: Path) -> None:
    lines = b"".join(json.dumps(MINE).encode() + b"\n" for _ in range(2000))
    limit = len(lines) // 10
    plain = tmp_path / "lake.jsonl"
    plain.write_bytes(lines)
    packed = tmp_path / "lake.jsonl.gz"
    packed.write_bytes(gzip.compress(lines))
    assert packed.stat().st_size < limit < plain.stat().st_size  # one past the cap on disk, one inflated
    result = scan_paths([plain, packed], limit)
    assert not result.summary.skipped_files
    assert result.summary.events_matched == 4000


def test_a_line_longer_than_the_cap_ends_a_streamed_file(tmp_path: Path) -> None:
    line = json.dumps(MINE).encode() + b"\n"
    limit = 64 * 1024
    path = tmp_path / "odd.jsonl.gz"
    path.write_bytes(gzip.compress(line * 200 + b"{" + b" " * (limit * 4) + b"}\n" + line * 5))
    result = scan_paths([path], limit)
    assert result.summary.skipped_files == {
        str(path): "line 201 is longer than 64 KiB (the file size cap) (records before it were used)"
    }
    assert result.summary.events_matched == 200


def test_a_plain_file_past_the_cap_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(delivery([MINE] * 200))
    result = scan_paths([path], 1024)
    assert result.summary.skipped_files == {str(path): "larger than 1 KiB (the file size cap)"}
    assert result.bytes_read == 0


def test_sizes_as_users_write_them() -> None:
    assert [parse_size(t) for t in ("65536", "64K", "256M", "256Mi", "256MiB", "1g", " 2 G ")] == [
        65536,
        65536,
        256 * 2**20,
        256 * 2**20,
        256 * 2**20,
        2**30,
        2 * 2**30,
    ]
    for bad in ("", "0", "-1", "1.5G", "12T", "lots"):
        with pytest.raises(ValueError):
            parse_size(bad)
    assert [describe_size(n) for n in (700, 64 * 1024, 256 * 2**20, 3 * 2**29)] == [
        "700 bytes",
        "64 KiB",
        "256 MiB",
        "1.5 GiB",
    ]
