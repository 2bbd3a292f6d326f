"""Every command the README shows in a ```bash block runs as written on the shipped samples, and every
principal it names is in the samples.

The commands are taken from README.md at test time, so editing the README edits this test. Two are left to
other tests, for a stated reason (``DELEGATED``); a new command is run here unless it is added there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()

# Commands not run here, and why. Anything else in a bash block is run verbatim.
DELEGATED = {
    "make demo": "needs the control plane and starts the operator: tests/e2e/test_demo.py runs its recipe "
    "(examples/demo.sh, after `make install controlplane`, checked below)",
    "make test": "is this test suite (running it here would recurse)",
}


def bash_commands(markdown: str) -> list[str]:
    """The commands of every ```bash block: continuation lines joined, comments and blank lines dropped."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", markdown, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands.append(re.sub(r"\s+", " ", command))
    return commands


COMMANDS = bash_commands(README)


def test_the_readme_shows_commands_and_every_one_is_run_or_delegated() -> None:
    assert ".venv/bin/policygen generate" in " ".join(COMMANDS)
    assert set(DELEGATED) <= set(COMMANDS), "a delegated command left the README: drop it from DELEGATED"
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndemo: install controlplane\n\tbash examples/demo.sh\n" in makefile  # what test_demo.py runs


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that looks like the checkout for the README's relative paths (.venv/, examples/) but keeps
    what the commands write (report.json) out of it. `make` targets run in the checkout itself."""
    work = tmp_path_factory.mktemp("readme")
    for name in (".venv", "examples"):
        (work / name).symlink_to(ROOT / name)
    return work


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in DELEGATED])
def test_readme_command_runs_as_written(command: str, workdir: Path) -> None:
    cwd = ROOT if command.startswith("make ") else workdir
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    if " generate " in command:
        policy = json.loads(done.stdout)
        assert policy["Version"] == "2012-10-17" and policy["Statement"]
        if "--report report.json" in command:
            assert json.loads((workdir / "report.json").read_text())


@pytest.mark.parametrize(
    "principal", sorted(set(re.findall(r"arn:aws:iam::\d{12}:(?:role|user)/[\w+=,.@/-]+", README)))
)
def test_every_principal_the_readme_names_is_in_the_samples(principal: str) -> None:
    done = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "policygen"),
            "generate",
            "--logs",
            str(ROOT / "examples" / "cloudtrail"),
            "--principal",
            principal,
            "--start",
            "2026-11-01",
            "--end",
            "2026-12-01",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # 3 would mean: no event of this principal in the samples
