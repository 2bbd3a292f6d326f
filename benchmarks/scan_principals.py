"""The scan alone, in one process, for 1, 50 and 500 principals: CPU milliseconds per delivery file.

    .venv/bin/python benchmarks/scan_principals.py [EVENTS]      # default 100,000 (benchmarks/out/events-N)

No process pool, no policy building: only ``Scanner.scan_bytes`` over files already read into memory,
timed with ``time.process_time`` so that other work on the machine moves the figures less. The principal
sets are those of ``run.py``'s many-principals part, plus "50 present" (the target and 49 others of the data)
and "500" (all 300 of the data and 200 absent).
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
    for label, arns in run.principal_sets():
        scanner = Scanner(ScanSpec(tuple(parse_principal(a) for a in arns), window))
        scanner.mapper  # noqa: B018  (load the IAM data before timing)
        started = time.process_time()
        for number, data in enumerate(blobs):
            scanner.scan_bytes(str(number), data)
        seconds = time.process_time() - started
        matched = scanner.result.summary.events_matched
        print(f"{label}: {seconds / len(blobs) * 1000:.2f} ms per file (CPU), {matched:,} events matched")


if __name__ == "__main__":
    main()
