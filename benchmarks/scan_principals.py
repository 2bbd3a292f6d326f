"""The scan alone, in one process, for 1, 50 and 500 principals: CPU milliseconds per delivery file.

    .venv/bin/python benchmarks/scan_principals.py [EVENTS]      # default 100,000 (benchmarks/out/events-N)
    .venv/bin/python benchmarks/scan_principals.py 1000000 --set "500 principals: all" --repeat 5

With ``--set``, only the sets whose label starts with it, the native path only, ``--repeat`` runs each
printed in CPU seconds: for comparing two builds of the extension run by run (their scans interleaved by
the caller), where a whole ``run.py`` command's CPU seconds move with everything else it does.

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

import argparse
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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "events", nargs="?", type=int, default=100_000, help="events of benchmarks/out/events-N"
    )
    parser.add_argument(
        "--set", help="only the principal sets whose label starts with this, native path only"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each set with --set (default 1)")
    args = parser.parse_args()
    folder = run.dataset(args.events)
    blobs = [path.read_bytes() for path in sorted(folder.rglob("*.json.gz"))]
    start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in run.WINDOW)
    window = Window(start, end)
    if args.set is not None:
        chosen = [(label, arns) for label, arns in run.principal_sets() if label.startswith(args.set)]
        if not chosen:
            parser.error(f"--set {args.set!r}: no principal set's label starts with it")
        for label, arns in chosen:
            runs = [_scan(blobs, window, arns)[0] for _ in range(args.repeat)]
            print(f"{label}: CPU s of the scan " + ", ".join(f"{seconds:.2f}" for seconds in runs))
        return
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
