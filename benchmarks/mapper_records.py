"""The event mapper alone on the generated records: CPU microseconds per record with a cold memo.

    .venv/bin/python benchmarks/mapper_records.py [EVENTS]        # default 100,000 (benchmarks/out/events-N)
    PYTHONPATH=<older tree>/operator .venv/bin/python benchmarks/mapper_records.py  # another version

Every record of the data set (all principals) goes through a fresh ``EventMapper``, three times; the least
``time.process_time`` counts. Run two versions alternately: this VM's noise between consecutive runs is
often 30%.
"""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run
from policygen_operator.domain.iam.mapping import EventMapper


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    records = []
    for path in sorted(run.dataset(events).rglob("*.json.gz")):
        records += orjson.loads(gzip.decompress(path.read_bytes()))["Records"]
    best = float("inf")
    for _ in range(3):
        mapper = EventMapper()
        started = time.process_time()
        for record in records:
            mapper.map(record)
        best = min(best, time.process_time() - started)
    print(f"{best * 1e6 / len(records):.2f} us per record ({len(records):,} records, cold memo, least of 3)")


if __name__ == "__main__":
    main()
