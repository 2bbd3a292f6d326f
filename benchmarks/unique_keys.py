"""Memory of one principal whose every call names a new resource, by log volume: it should stay flat.

    .venv/bin/python benchmarks/unique_keys.py [--sizes 250000,500000,1000000] [--tree DIR ...]

The data sets are ``run.py``'s generator with the target role making every record (``events-N-share100``):
S3 reads and writes of `data/{n}/part-{m}.parquet` keys (m of a million), KMS calls on a random key id each,
DynamoDB, SQS and the rest, so its distinct (action, resource) pairs grow with the events. Each size runs
``policygen generate`` for that role once per tree (``--tree``: another checkout's root, whose ``operator/``
is put first on ``PYTHONPATH``; default: this one), interleaved, and prints wall and CPU seconds,
``ru_maxrss`` of the largest process, the resources the report lists, the ``folded`` findings and the
policy's SHA-256 (to compare trees).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250000,500000,1000000", help="events per set, comma-separated")
    parser.add_argument("--tree", action="append", type=Path, help="a checkout root to measure (repeatable)")
    parser.add_argument("--workers", type=int, default=None, help="scan processes (default: one per core)")
    args = parser.parse_args()
    trees = args.tree or [ROOT]
    run.compile_package()
    for size in (int(s) for s in args.sizes.split(",") if s):
        folder = run.dataset(size, share=1.0)
        print(f"== {size:,} events, the target role making every one ==", flush=True)
        for tree in trees:
            report = run.OUT / f"unique-keys-{tree.name}.json"
            command = run.policygen_command(folder, args.workers, None, report)
            os.environ["PYTHONPATH"] = str(tree.resolve() / "operator")
            try:
                result = run.measure(command)
            finally:
                del os.environ["PYTHONPATH"]
            data = json.loads(report.read_text())
            (entry,) = data["principals"].values()
            resources = sum(len(a["resources"]) for a in entry["actions"].values())
            folded = sum(1 for f in entry["findings"] if f["code"] == "folded")
            digest = ",".join(p["sha256"][:12] for p in entry["policies"])
            print(
                f"  {tree.name}: {result['seconds']:.2f} s wall, {result['cpu_seconds']:.2f} CPU s, "
                f"ru_maxrss {result['maxrss_mb']:.0f} MB, {data['eventsMatched']:,} events matched, "
                f"{resources:,} resources in the report, {folded} folded finding(s), policy sha256 {digest}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
