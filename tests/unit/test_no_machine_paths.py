"""No tracked file names a path of one machine (a home folder, this project's work area, a sibling shared
folder): whatever the product, its build or its tests need lives in the repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# the work area, root and home folders at a path start, or the sibling shared folder (split: no self-match)
PATTERN = "(^|[^.A-Za-z0-9_])/(" + "work|root|home|Users" + ")/|[.][.]/" + "shared"


def test_no_tracked_file_names_a_machine_path() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist has no .git to list tracked files from)")
    found = subprocess.run(
        ["git", "grep", "-nIE", PATTERN, "--", ".", ":!tests/controlplane/go.sum"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 1, found.stdout or found.stderr  # 1: no match
