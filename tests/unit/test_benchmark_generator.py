"""``benchmarks/generate.py`` answers --help and refuses bad arguments with a usage line, not a traceback.

docs and the benchmark README send a new user to it to make logs to try the CLI on; before, ``--help``
ended in an IndexError (it read ``sys.argv[2]``) and a count of ``10k`` in a ValueError.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
TARGET = "arn:aws:iam::111122223333:role/service-role/bench-target"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_help_says_what_is_written_and_the_principal_to_ask_for() -> None:
    done = run("--help")
    assert done.returncode == 0, done.stderr
    assert "usage: generate.py [-h] OUT_DIR EVENTS" in done.stdout
    assert f"the target role, for --principal: {TARGET}" in done.stdout


@pytest.mark.parametrize(
    ("args", "said"), [((), "required: OUT_DIR, EVENTS"), (("x", "10k"), "'10k' is not a positive")]
)
def test_bad_arguments_are_a_usage_error(args: tuple[str, ...], said: str) -> None:
    done = run(*args)
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr


def test_the_records_are_written(tmp_path: Path) -> None:
    done = run(str(tmp_path), "500")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("500 events, ")
    assert len(list(tmp_path.glob("AWSLogs/111122223333/CloudTrail/*/2026/09/01/*.json.gz"))) == 1
