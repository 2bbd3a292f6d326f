"""Bytes per usage entry of a many-principal scan, and the scan's CPU time, in one process.

    .venv/bin/python benchmarks/usage_memory.py [EVENTS] [RUNS]   # 100,000 (benchmarks/out/events-N), 5

The principal set is ``run.py``'s "500 principals: all 300 of the data + 200 absent" (every record matches).
The delivery files are read into memory first, as in ``scan_principals.py``; then:

- memory: one scan under ``tracemalloc``; "kept by the tables" is what dropping the summary's usage tables
  (principals and sessions) gives back, over the entries they held: their dicts, keys, ``Usage`` values and
  every string only they still reference. "kept by the scan" is the scanner's whole growth (tables, caches,
  links) over the same entries, so that a saving moved into another structure of the scan would show there.
- CPU: ``RUNS`` more scans without ``tracemalloc``, ``time.process_time`` each, printed as a range (other work
  on the machine only adds to a run).

A digest of the summary's ``to_dict`` (policies are a pure function of it) is printed to compare trees.
"""

from __future__ import annotations

import gc
import hashlib
import json
import sys
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window

LABEL = "500 principals: all 300 of the data + 200 absent"


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    folder = run.dataset(events)
    blobs = [path.read_bytes() for path in sorted(folder.rglob("*.json.gz"))]
    start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in run.WINDOW)
    window = Window(start, end)
    arns = dict(run.principal_sets())[LABEL]
    spec = ScanSpec(tuple(parse_principal(a) for a in arns), window)

    scanner = _scanner(spec)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for number, data in enumerate(blobs):
        scanner.scan_bytes(str(number), data)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    summary = scanner.result.summary
    entries = sum(
        len(u.allowed) + len(u.denied)
        for u in (*summary.principals.values(), *(s for by in summary.sessions.values() for s in by.values()))
    )
    digest = hashlib.sha256(json.dumps(summary.to_dict(), sort_keys=True).encode()).hexdigest()[:16]
    before_drop = tracemalloc.get_traced_memory()[0]
    summary.principals = {}
    summary.sessions = {}
    gc.collect()
    tables = before_drop - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del scanner
    gc.collect()

    print(f"{LABEL}, {events:,} events, {len(blobs)} files: {entries:,} usage entries")
    print(f"to_dict sha256 {digest} (the same in a tree whose tables hold the same usage)")
    print(f"kept by the tables: {tables / entries:.1f} bytes per entry ({tables / 2**20:.1f} MiB)")
    print(f"kept by the scan:   {grown / entries:.1f} bytes per entry ({grown / 2**20:.1f} MiB)")

    seconds = []
    for _ in range(runs):
        scanner = _scanner(spec)
        gc.collect()
        started = time.process_time()
        for number, data in enumerate(blobs):
            scanner.scan_bytes(str(number), data)
        seconds.append(time.process_time() - started)
        del scanner
    per_file = sorted(s / len(blobs) * 1000 for s in seconds)
    print(
        f"scan CPU over {runs} runs: {min(seconds):.2f}-{max(seconds):.2f} s "
        f"({per_file[0]:.2f}-{per_file[-1]:.2f} ms per file, median {per_file[len(per_file) // 2]:.2f})"
    )


def _scanner(spec: ScanSpec) -> Scanner:
    scanner = Scanner(spec)
    scanner.mapper  # noqa: B018  (load the IAM data before measuring)
    return scanner


if __name__ == "__main__":
    main()
