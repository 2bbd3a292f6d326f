"""policygen vs trailscraper on the same generated CloudTrail files, in one run; prints numbers.

    .venv/bin/python benchmarks/run.py                      # compare on 1M events, memory at 1M and 5M
    .venv/bin/python benchmarks/run.py --compare-events 200000 --sizes 1000000,5000000

Data sets are generated once (deterministically, ``benchmarks/generate.py``) under ``benchmarks/out/``.
trailscraper (PyPI) is installed into ``.venv-bench`` so its pins cannot clash with ours. Every command is
run as a child of a small wrapper that reports the child's wall time, ``ru_maxrss`` (the largest single
process of its tree) and the peak of the whole tree's summed RSS (sampled from /proc every 20 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BENCH_VENV = ROOT / ".venv-bench"
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402  (the generator sits next to this script)

WINDOW = ("2026-08-01T00:00:00Z", "2027-01-01T00:00:00Z")

# Runs one command, and prints JSON: seconds, exit code, ru_maxrss of the children, peak tree RSS.
MEASURE = r"""
import json, os, resource, subprocess, sys, threading, time
def tree_rss(root):
    children = {}
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                with open(f'/proc/{pid}/stat') as f:
                    fields = f.read().rsplit(')', 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(pid))
            except OSError:
                pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f'/proc/{pid}/statm') as f:
                total += int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            cpu[pid] = max(cpu.get(pid, 0), int(fields[11]) + int(fields[12]))
        except OSError:
            pass
    return total
cpu = {}
start = time.perf_counter()
out = subprocess.DEVNULL if len(sys.argv) < 3 else open(sys.argv[2], 'wb')
proc = subprocess.Popen(sys.argv[1], shell=True, stdout=out)
peak = 0
while proc.poll() is None:
    peak = max(peak, tree_rss(proc.pid))
    time.sleep(0.02)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "exit": proc.returncode, "maxrss_mb": usage.ru_maxrss / 1024,
                  "tree_rss_mb": peak / 2**20, "cpu_seconds": sum(cpu.values()) / os.sysconf('SC_CLK_TCK')}))
"""


def dataset(events: int) -> Path:
    """``benchmarks/out/events-N`` with N events in delivery files, generated once."""
    folder = OUT / f"events-{events}"
    marker = folder / ".complete"
    if not marker.exists():
        print(f"generating {events:,} events into {folder} ...", flush=True)
        started = time.perf_counter()
        raw = generate.generate(folder, events)
        marker.write_text(json.dumps({"events": events, "raw_bytes": raw}))
        print(f"  done in {time.perf_counter() - started:.0f}s ({raw / events:.0f} bytes/record)", flush=True)
    return folder


def ensure_trailscraper() -> Path:
    binary = BENCH_VENV / "bin" / "trailscraper"
    if not binary.exists():
        print(f"installing trailscraper into {BENCH_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "trailscraper"], check=True)
    return binary


def compile_package() -> None:
    """Write policygen's bytecode first, as ``pip install`` does (trailscraper's venv has its own): in an
    editable install under ``PYTHONDONTWRITEBYTECODE`` every changed module would otherwise be compiled
    again on every run (~50 ms)."""
    package = ROOT / "operator" / "policygen_operator"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def measure(command: str, stdout: Path | None = None) -> dict[str, float]:
    argv = [sys.executable, "-c", MEASURE, command] + ([str(stdout)] if stdout else [])
    result = subprocess.run(argv, check=True, capture_output=True, text=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def policygen_command(folder: Path, workers: int | None) -> str:
    out = OUT / "policygen-policies"
    parts = [
        str(ROOT / ".venv" / "bin" / "policygen"),
        "generate",
        "--logs",
        str(folder),
        "--principal",
        generate.TARGET_ROLE,
        "--start",
        WINDOW[0],
        "--end",
        WINDOW[1],
        "--output-dir",
        str(out),
        "--report",
        str(OUT / "policygen-report.json"),
        "--quiet",
    ]
    if workers:
        parts += ["--workers", str(workers)]
    return shlex.join(parts)


def trailscraper_command(folder: Path, binary: Path) -> str:
    select = shlex.join(
        [
            str(binary),
            "select",
            "--log-dir",
            str(folder),
            "--filter-assumed-role-arn",
            generate.TARGET_ROLE,
            "--from",
            WINDOW[0][:10],
            "--to",
            WINDOW[1][:10],
        ]
    )
    return f"{select} | {shlex.quote(str(binary))} generate"


def best_of(command: str, repeat: int, stdout: Path | None = None) -> dict[str, float]:
    """The fastest of ``repeat`` runs (other work on the machine only ever slows a run down)."""
    runs = [measure(command, stdout) for _ in range(repeat)]
    for result in runs:
        if result["exit"] != 0:
            raise SystemExit(f"exit code {result['exit']} from: {command}")
    return min(runs, key=lambda r: r["seconds"])


def describe(events: int, result: dict[str, float]) -> str:
    return (
        f"{result['seconds']:7.2f}s wall  {events / result['seconds']:>9,.0f} events/s  "
        f"cpu {result['cpu_seconds']:6.2f}s "
        f"({events / max(result['cpu_seconds'], 1e-9):>9,.0f} events/cpu-s)  "
        f"ru_maxrss {result['maxrss_mb']:5.0f} MB  tree peak {result['tree_rss_mb']:5.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--compare-events",
        type=int,
        default=1_000_000,
        help="events in the data set both tools scan (default 1,000,000)",
    )
    parser.add_argument(
        "--sizes",
        default="1000000,5000000",
        help="comma-separated event counts for policygen's memory profile",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    parser.add_argument("--workers", type=int, help="policygen --workers (default: one per core)")
    parser.add_argument("--skip-trailscraper", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, load average {os.getloadavg()}")

    compile_package()
    folder = dataset(args.compare_events)
    files = sum(1 for _ in folder.rglob("*.json.gz"))
    print(f"\n== same files, one run: {args.compare_events:,} events in {files:,} delivery files ==")
    ours_command = policygen_command(folder, args.workers)
    print(f"policygen:    {ours_command}")
    if args.skip_trailscraper:
        print(f"  {describe(args.compare_events, best_of(ours_command, args.repeat))}")
    else:
        theirs_command = trailscraper_command(folder, ensure_trailscraper())
        print(f"trailscraper: {theirs_command}")
        # Interleaved, so a burst of other work on the machine hits both tools alike; the best run counts.
        ours_runs, theirs_runs = [], []
        for _ in range(args.repeat):
            ours_runs.append(best_of(ours_command, 1))
            theirs_runs.append(best_of(theirs_command, 1, OUT / "trailscraper-policy.json"))
        for name, runs in (("policygen", ours_runs), ("trailscraper", theirs_runs)):
            walls = ", ".join(f"{r['seconds']:.2f}" for r in runs)
            print(f"{name} runs (wall s): {walls}")
        paired = zip(ours_runs, theirs_runs, strict=True)
        pairs = ", ".join(f"{t['seconds'] / o['seconds']:.1f}x" for o, t in paired)
        print(f"ratio of each interleaved pair (run i of each tool): {pairs}")
        ours = min(ours_runs, key=lambda r: r["seconds"])
        theirs = min(theirs_runs, key=lambda r: r["seconds"])
        print(f"policygen     best: {describe(args.compare_events, ours)}")
        print(f"trailscraper  best: {describe(args.compare_events, theirs)}")
        print(f"ratio (events/s, wall): policygen is {theirs['seconds'] / ours['seconds']:.1f}x trailscraper")
        print(f"ratio (events per cpu-second): {theirs['cpu_seconds'] / ours['cpu_seconds']:.1f}x")

    print("\n== policygen peak memory by size ==")
    for size in (int(s) for s in args.sizes.split(",") if s):
        folder = dataset(size)
        command = policygen_command(folder, args.workers)
        runs = [best_of(command, 1) for _ in range(args.repeat)]
        walls = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(f"{size:>10,} events: {describe(size, min(runs, key=lambda r: r['seconds']))}")
        rss = ", ".join(f"{r['maxrss_mb']:.0f}" for r in runs)
        print(f"    runs (wall s): {walls}; ru_maxrss (MB): {rss}")
        print(f"    {command}")
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
