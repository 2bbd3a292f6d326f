"""The scan alone, in one process, for 1, 50 and 500 principals: CPU milliseconds per delivery file.

    .venv/bin/python benchmarks/scan_principals.py [EVENTS]      # default 100,000 (benchmarks/out/events-N)

No process pool, no policy building: only ``Scanner.scan_bytes`` over files already read into memory,
each set with and without the native path (``ScanSpec.native``) and how many matched records it read in
Python, timed with ``time.process_time`` so that other work on the machine moves the figures less. The
principal sets are those of ``run.py``'s many-principals part, plus "50 present" (the target and 49 others of
the data) and "500" (all 300 of the data and 200 absent).

Last, the alternative one scan replaces: the 50 present principals scanned one at a time (50 scans of the same
files), summed, against the one scan for all 50. The matched records are the same in both; what one scan saves
is every pass over the files but the first.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = run.dataset(events)
    blobs = [path.read_bytes() for path in sorted(folder.rglob("*.json.gz"))]
    start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in run.WINDOW)
    window = Window(start, end)
    together = 0.0
    for label, arns in run.principal_sets():
        python, _, _ = _scan(blobs, window, arns, native=False)
        seconds, matched, in_python = _scan(blobs, window, arns)
        print(
            f"{label}: {seconds / len(blobs) * 1000:.2f} ms per file (CPU), {matched:,} events matched, "
            f"{in_python:,} of them read in Python; {python / len(blobs) * 1000:.2f} ms without the native "
            "path"
        )
        if label.startswith("50 principals: the target + 49 others"):
            together, present = seconds, arns
    apart = [_scan(blobs, window, [arn]) for arn in present]
    seconds = sum(s for s, _, _ in apart)
    print(
        f"the same 50 one at a time: {seconds / len(blobs) * 1000:.2f} ms per file (CPU, 50 scans summed), "
        f"{sum(m for _, m, _ in apart):,} events matched; one scan for all 50 costs "
        f"{together / seconds:.2f}x of that ({seconds / together:.1f}x less)"
    )


def _scan(blobs: list[bytes], window: Window, arns: list[str], native: bool = True) -> tuple[float, int, int]:
    """CPU seconds of one ``Scanner`` over ``blobs`` for ``arns``, the events it matched, and how many of
    them the native path (where it is built) handed to Python."""
    scanner = Scanner(ScanSpec(tuple(parse_principal(a) for a in arns), window, native=native))
    scanner.mapper  # noqa: B018  (load the IAM data before timing)
    started = time.process_time()
    for number, data in enumerate(blobs):
        scanner.scan_bytes(str(number), data)
    seconds = time.process_time() - started
    result = scanner.take_result()
    native_take = scanner._native
    in_python = native_take.read_in_python if native_take is not None else result.summary.events_matched
    return seconds, result.summary.events_matched, in_python


if __name__ == "__main__":
    main()
