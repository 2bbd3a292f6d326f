"""policygen vs trailscraper on the same generated CloudTrail files, in one run; prints numbers.

    .venv/bin/python benchmarks/run.py                      # compare on 1M events, memory at 1M and 5M
    .venv/bin/python benchmarks/run.py --compare-events 200000 --sizes 1000000,5000000

Data sets are generated once (deterministically, ``benchmarks/generate.py``) under ``benchmarks/out/``.
trailscraper (PyPI) is installed into ``.venv-bench`` so its pins cannot clash with ours. Every command is
run as a child of a small wrapper that reports the child's wall time, its CPU time (user + system of the
whole process tree, from ``getrusage``: the machine may be shared, and CPU seconds move less with other
work than wall seconds), ``ru_maxrss`` (the largest single process of its tree) and the peak of the whole
tree's summed RSS (sampled from /proc every 20 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BENCH_VENV = ROOT / ".venv-bench"
sys.path.insert(0, str(ROOT / "benchmarks"))

from isal import igzip  # noqa: E402

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
# CPU of the whole tree from getrusage (every process of it is reaped by its parent, so its time counts):
# exact, where the /proc samples miss what a process spent after the last sample
print(json.dumps({"seconds": seconds, "exit": proc.returncode, "maxrss_mb": usage.ru_maxrss / 1024,
                  "tree_rss_mb": peak / 2**20, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "sampled_cpu_seconds": sum(cpu.values()) / os.sysconf('SC_CLK_TCK')}))
"""


def dataset(events: int, share: float = generate.TARGET_SHARE) -> Path:
    """``benchmarks/out/events-N`` with N events in delivery files, generated once; with another share of
    the target role's records ``events-N-shareP`` (P in percent)."""
    suffix = "" if share == generate.TARGET_SHARE else f"-share{round(share * 100)}"
    folder = OUT / f"events-{events}{suffix}"
    marker = folder / ".complete"
    if not marker.exists():
        print(f"generating {events:,} events into {folder} ...", flush=True)
        started = time.perf_counter()
        raw = generate.generate(folder, events, share=share)
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


def policygen_command(
    folder: Path, workers: int | None, principals: list[str] | None = None, report: Path | None = None
) -> str:
    out = OUT / "policygen-policies"
    parts = [
        str(ROOT / ".venv" / "bin" / "policygen"),
        "generate",
        "--logs",
        str(folder),
        *[arg for arn in principals or [generate.TARGET_ROLE] for arg in ("--principal", arn)],
        "--start",
        WINDOW[0],
        "--end",
        WINDOW[1],
        "--output-dir",
        str(out),
        "--report",
        str(report or OUT / "policygen-report.json"),
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


def best_of(
    command: str, repeat: int, stdout: Path | None = None, exits: tuple[int, ...] = (0,)
) -> dict[str, float]:
    """The fastest of ``repeat`` runs (other work on the machine only ever slows a run down)."""
    runs = [measure(command, stdout) for _ in range(repeat)]
    for result in runs:
        if result["exit"] not in exits:
            raise SystemExit(f"exit code {result['exit']} from: {command}")
    return min(runs, key=lambda r: r["seconds"])


def describe(events: int, result: dict[str, float]) -> str:
    return (
        f"{result['seconds']:7.2f}s wall  {events / result['seconds']:>9,.0f} events/s  "
        f"cpu {result['cpu_seconds']:6.2f}s "
        f"({events / max(result['cpu_seconds'], 1e-9):>9,.0f} events/cpu-s)  "
        f"ru_maxrss {result['maxrss_mb']:5.0f} MB  tree peak {result['tree_rss_mb']:5.0f} MB"
    )


def compare(folder: Path, events: int, args: argparse.Namespace, title: str) -> dict[str, float] | None:
    """policygen and trailscraper on the same files, interleaved; returns policygen's best run."""
    files = sum(1 for _ in folder.rglob("*.json.gz"))
    print(f"\n== {title}: {events:,} events in {files:,} delivery files, one run ==")
    ours_command = policygen_command(folder, args.workers)
    print(f"policygen:    {ours_command}")
    if args.skip_trailscraper:
        ours = best_of(ours_command, args.repeat)
        print(f"  {describe(events, ours)}")
        return ours
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
    print(f"policygen     best: {describe(events, ours)}")
    print(f"trailscraper  best: {describe(events, theirs)}")
    print(f"ratio (events/s, wall): policygen is {theirs['seconds'] / ours['seconds']:.1f}x trailscraper")
    print(f"ratio (events per cpu-second): {theirs['cpu_seconds'] / ours['cpu_seconds']:.1f}x")
    return ours


def principal_sets() -> list[tuple[str, list[str]]]:
    """Who is asked for in the many-principals case. ``absent`` principals make no event in the data: they
    show what asking for more principals costs by itself; the others also add their events' work."""
    present = generate.principal_arns()  # the target role first, then the 299 other principals
    absent = [f"arn:aws:iam::{generate.ACCOUNT}:role/absent-{n:03d}" for n in range(499)]
    return [
        ("1 principal (the target role)", present[:1]),
        ("50 principals: the target + 49 absent", present[:1] + absent[:49]),
        ("500 principals: the target + 499 absent", present[:1] + absent[:499]),
        ("50 principals: the target + 49 others of the data", present[:50]),
        ("500 principals: all 300 of the data + 200 absent", present + absent[:200]),
    ]


def many_principals(folder: Path, events: int, args: argparse.Namespace) -> None:
    print(f"\n== many principals in one scan ({events:,} events, same files as above) ==")
    sets = principal_sets()
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in sets}
    matched: dict[str, int] = {}
    for _ in range(args.repeat):  # interleaved, like the tool comparison
        for label, arns in sets:
            report = OUT / "policygen-many-report.json"
            # Exit 3: some principal matched no event (the absent ones); the others' policies are written.
            command = policygen_command(folder, args.workers, arns, report)
            runs[label].append(best_of(command, 1, exits=(0, 3)))
            matched[label] = int(json.loads(report.read_text())["eventsMatched"])
    # the fastest run by wall and the least CPU of each set (other work on the machine only adds to both)
    one = min(runs[sets[0][0]], key=lambda r: r["seconds"])
    one_cpu = min(r["cpu_seconds"] for r in runs[sets[0][0]])
    ratios: list[str] = []
    worst = 0.0
    for label, _ in sets:
        best = min(runs[label], key=lambda r: r["seconds"])
        least_cpu = min(r["cpu_seconds"] for r in runs[label])
        walls = ", ".join(f"{r['seconds']:.2f}" for r in runs[label])
        cpus = ", ".join(f"{r['cpu_seconds']:.2f}" for r in runs[label])
        print(f"{label}: {matched[label]:,} events matched ({matched[label] / events:.1%})")
        print(f"    {describe(events, best)}")
        wall, cpu = best["seconds"] / one["seconds"], least_cpu / one_cpu
        print(f"    runs (wall s): {walls}; (cpu s): {cpus}")
        print(f"    ratio to 1 principal: wall {wall:.2f}x, cpu {cpu:.2f}x")
        if label != sets[0][0]:
            ratios.append(f"{label.split(':')[0]} ({matched[label] / events:.0%} of events) {cpu:.2f}x")
            worst = max(worst, cpu)
    verdict = "met" if worst <= 2 else f"NOT met (worst {worst:.2f}x)"
    print(f"goal: 50 and 500 principals in one scan cost at most 2x one principal (CPU): {verdict}")
    print("    " + "; ".join(ratios))
    every_event_reference(events, args, sets[-1][0], min(r["cpu_seconds"] for r in runs[sets[-1][0]]))
    if args.without_native:
        without_native(folder, sets, runs, args)


def every_event_reference(events: int, args: argparse.Namespace, label: str, fleet_cpu: float) -> None:
    """Not the goal's measure, a reading of it: one principal that makes every event of a set of the same
    size (``events-N-share100``), interleaved runs, least CPU. Its ratio to the 2 % target is what matching
    every record costs by itself; the 500 set's ratio to it is what the many principals add beyond that."""
    folder = dataset(events, share=1.0)
    runs = [best_of(policygen_command(folder, args.workers), 1) for _ in range(args.repeat)]
    least = min(r["cpu_seconds"] for r in runs)
    cpus = ", ".join(f"{r['cpu_seconds']:.2f}" for r in runs)
    print(f"reference: 1 principal making every event ({folder.name}): cpu s {cpus}")
    print(f"    the {label.split(':')[0]} (100 % of the events) is {fleet_cpu / least:.2f}x of it (CPU)")


def without_native(
    folder: Path,
    sets: list[tuple[str, list[str]]],
    runs: dict[str, list[dict[str, float]]],
    args: argparse.Namespace,
) -> None:
    """The same sets with POLICYGEN_NATIVE=0 (every matched record read in Python), interleaved again: what
    the native path (docs/architecture.md) saves, and the ratios without it."""
    print("\n   the same without the native path (POLICYGEN_NATIVE=0), least CPU of the runs:")
    python: dict[str, list[dict[str, float]]] = {label: [] for label, _ in sets}
    for _ in range(args.repeat):
        for label, arns in sets:
            command = "env POLICYGEN_NATIVE=0 " + policygen_command(
                folder, args.workers, arns, OUT / "policygen-many-report.json"
            )
            python[label].append(best_of(command, 1, exits=(0, 3)))
    one = min(r["cpu_seconds"] for r in python[sets[0][0]])
    for label, _ in sets:
        off = min(r["cpu_seconds"] for r in python[label])
        on = min(r["cpu_seconds"] for r in runs[label])
        print(
            f"    {label}: cpu {off:.2f}s without, {on:.2f}s with ({off / on:.2f}x); "
            f"ratio to 1 principal without it {off / one:.2f}x"
        )


def instructions(folder: Path, events: int) -> None:
    """The many-principals sets again, in one process (``--workers 1``) under callgrind: the instructions
    each executes, and their ratio to one principal's. CPU seconds of one command moved by 15-45 % between
    runs on a shared machine (benchmarks/README.md); an instruction count repeats exactly, so a change of a
    few per cent shows here, and the ratio is the goal's without another process's work in it. It leaves
    out what several workers add (each derives the templates first met after the first batch). Then the
    reference of the many part (``every_event_reference``) counted the same way."""
    print(f"\n== instructions in one process, many principals ({events:,} events, callgrind) ==")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("    skipped: valgrind is not installed (Debian: apt-get install valgrind)")
        return
    report = OUT / "policygen-instructions-report.json"
    counts: dict[str, int] = {}
    for label, arns in principal_sets():
        count = counts[label] = instructions_of(valgrind, policygen_command(folder, 1, arns, report))
        one = next(iter(counts.values()))  # the first set's: one principal
        print(f"{label}: {count / 1e9:.2f} G instructions, ratio to 1 principal {count / one:.2f}x")
    fleet = list(counts)[-1]
    reference = dataset(events, share=1.0)
    every = instructions_of(valgrind, policygen_command(reference, 1, None, report))
    print(
        f"reference: 1 principal making every event ({reference.name}): {every / 1e9:.2f} G instructions, "
        f"{every / one:.2f}x the 1 principal; the {fleet.split(':')[0]} is {counts[fleet] / every:.2f}x of it"
    )


def instructions_of(valgrind: str, command: str) -> int:
    """The instructions ``command`` executes under callgrind (exit 3 allowed: absent principals matched no
    event)."""
    argv = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    done = subprocess.run(argv + shlex.split(command), capture_output=True, text=True)
    counted = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode not in (0, 3) or counted is None:
        raise SystemExit(f"{command}: exit {done.returncode} under callgrind:\n{done.stderr[-2000:]}")
    return int(counted.group(1))


HOSTILE_BYTES = 3 * 1024**3


def hostile_folder(events: int) -> tuple[Path, Path]:
    """Good delivery files (hard links to ``events-N``) and the same plus a gzip of 3 GiB of blanks."""
    good = dataset(events)
    folder = OUT / f"hostile-{events}"
    bomb = folder / "hostile.json.gz"
    if not bomb.exists():
        print(f"writing {folder} (hard links to {good.name} + a gzip of 3 GiB of blanks) ...", flush=True)
        for path in good.rglob("*.json.gz"):
            target = folder / path.relative_to(good)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.link(path, target)
        block = b" " * (64 * 1024 * 1024)
        with igzip.open(bomb.with_suffix(".tmp"), "wb", compresslevel=1) as out:
            for _ in range(HOSTILE_BYTES // len(block)):
                out.write(block)
        bomb.with_suffix(".tmp").rename(bomb)
    return good, folder


def bounded_memory(events: int, args: argparse.Namespace) -> None:
    good, hostile = hostile_folder(events)
    size = (hostile / "hostile.json.gz").stat().st_size
    print(
        f"\n== bounded memory: {events:,} events of good logs, alone and with a {size / 2**20:.1f} MB gzip "
        f"that inflates to {HOSTILE_BYTES / 2**30:.0f} GiB of blanks (default --max-file-size 256M) =="
    )
    for label, folder in (("good logs only", good), ("good logs + the hostile gzip", hostile)):
        report = OUT / "policygen-memory-report.json"
        command = policygen_command(folder, args.workers, report=report)
        runs = [best_of(command, 1) for _ in range(args.repeat)]
        skipped = json.loads(report.read_text())["filesSkipped"]
        rss = ", ".join(f"{r['maxrss_mb']:.0f}" for r in runs)
        peaks = ", ".join(f"{r['tree_rss_mb']:.0f}" for r in runs)
        print(f"{label}: {describe(events, min(runs, key=lambda r: r['seconds']))}")
        print(f"    ru_maxrss (MB): {rss}; tree peak (MB): {peaks}; skipped: {skipped or 'none'}")
        print(f"    {command}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--compare-events",
        type=int,
        default=1_000_000,
        help="events in the data sets both tools scan (default 1,000,000)",
    )
    parser.add_argument(
        "--sizes",
        default="1000000,5000000",
        help="comma-separated event counts for policygen's memory profile",
    )
    parser.add_argument(
        "--memory-events",
        type=int,
        default=100_000,
        help="events of good logs beside the hostile gzip in the bounded-memory case (default 100,000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    parser.add_argument("--workers", type=int, help="policygen --workers (default: one per core)")
    parser.add_argument("--skip-trailscraper", action="store_true")
    parser.add_argument(
        "--fifth-repeat",
        type=int,
        default=1,
        help="interleaved pairs on the fifth-of-the-events set (trailscraper takes minutes there; default 1)",
    )
    parser.add_argument(
        "--only",
        default="compare,many,fifth,memory,sizes",
        help="comma-separated parts to run: compare, many, fifth, memory, sizes, and instructions (the "
        "many-principals sets and the every-event reference in one process under callgrind, ~25 min for 1M "
        "events: asked for by name only; default: all the others)",
    )
    parser.add_argument(
        "--without-native",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="in the many-principals part, run each set again with POLICYGEN_NATIVE=0 (default: on)",
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, load average {os.getloadavg()}")

    compile_package()
    folder = dataset(args.compare_events)
    if "compare" in parts:
        compare(folder, args.compare_events, args, "same files, the target role makes 2% of the events")
    if "many" in parts:
        many_principals(folder, args.compare_events, args)
    if "fifth" in parts:
        fifth = dataset(args.compare_events, share=0.2)
        pairs = argparse.Namespace(**{**vars(args), "repeat": args.fifth_repeat})
        compare(fifth, args.compare_events, pairs, "a principal making a fifth of the events")
    if "instructions" in parts:
        instructions(folder, args.compare_events)
    if "memory" in parts:
        bounded_memory(args.memory_events, args)
    print("\n== policygen peak memory by size: the target role alone, and the 500-principal set ==")
    for size in (int(s) for s in args.sizes.split(",") if s and "sizes" in parts):
        folder = dataset(size)
        label, fleet = principal_sets()[-1]
        for who, arns, exits in (("1 principal", None, (0,)), (label.split(":")[0], fleet, (0, 3))):
            # exit 3 for the 500 set: its absent principals matched no event
            command = policygen_command(folder, args.workers, arns, OUT / "policygen-sizes-report.json")
            runs = [best_of(command, 1, exits=exits) for _ in range(args.repeat)]
            walls = ", ".join(f"{r['seconds']:.2f}" for r in runs)
            print(f"{size:>10,} events, {who}: {describe(size, min(runs, key=lambda r: r['seconds']))}")
            rss = ", ".join(f"{r['maxrss_mb']:.0f}" for r in runs)
            print(f"    runs (wall s): {walls}; ru_maxrss (MB): {rss}")
            print(f"    {command if arns is None else command[:200] + ' ...'}")
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
