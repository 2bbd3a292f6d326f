"""An output path that cannot be written is the path's fault: a usage error (exit 2) naming it, nothing left.

Before, ``--output`` naming a directory, or ``--output-dir`` naming a file, failed only after the scan, with
exit 1 (documented as "worth retrying") and a message naming a temporary file; with ``--output-dir`` and
several principals, a name taken by a directory stopped the renames half-way, after the first policy file
was in place, and the message still said "nothing written".
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path

import pytest

from policygen_operator.cli.main import EXIT_ERROR, EXIT_USAGE, main

SAMPLES = Path(__file__).resolve().parents[3] / "examples" / "cloudtrail"
ORDER = "arn:aws:iam::111122223333:role/service-role/order-processor"
ALICE = "arn:aws:iam::111122223333:user/people/alice"
WINDOW = ["--start", "2026-11-01", "--end", "2026-12-01"]
RUN = ["generate", "--logs", str(SAMPLES), "--principal", ORDER, *WINDOW]


def refused(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0)


def test_an_output_that_is_a_directory_is_refused_before_the_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert refused([*RUN, "--output", str(tmp_path)]) == EXIT_USAGE
    assert f"--output: cannot write {tmp_path}: it is a directory" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_output_of_a_dash_is_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--output -`` wrote the policy to a file named ``-`` in the working directory, and said "policy
    written to -", while stdout stayed empty."""
    monkeypatch.chdir(tmp_path)
    assert main([*RUN, "--output", "-"]) == 0
    captured = capsys.readouterr()
    assert '"Version": "2012-10-17"' in captured.out
    assert "policy written to stdout" in captured.err
    assert list(tmp_path.iterdir()) == []


def test_an_output_dir_that_is_a_file_or_below_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "policies"
    blocker.write_text("not a folder\n")
    assert refused([*RUN, "--output-dir", str(blocker)]) == EXIT_USAGE
    assert f"--output-dir: cannot write {blocker}: it is a file, not a directory" in capsys.readouterr().err
    below = blocker / "team" / "policy.json"
    assert refused([*RUN, "--output", str(below)]) == EXIT_USAGE
    assert f"--output: cannot write {below}: {blocker} is a file, not a directory" in capsys.readouterr().err
    assert refused([*RUN, "--output", str(tmp_path / "p.json"), "--report", str(tmp_path)]) == EXIT_USAGE
    assert f"--report: cannot write {tmp_path}: it is a directory" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policies"]
    assert blocker.read_text() == "not a folder\n"


def test_a_policy_name_taken_by_a_directory_leaves_no_other_policy_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The names come from the principals, known only once the scan is done: checked before any rename."""
    (tmp_path / "alice.json").mkdir()
    code = main([*RUN, "--principal", ALICE, "--output-dir", str(tmp_path), "--quiet"])
    assert code == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"--output-dir: cannot write {tmp_path / 'alice.json'}: Is a directory; nothing written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alice.json"]  # no order-processor.json, no .tmp


def test_a_full_disk_is_an_error_to_retry_and_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ENOSPC may pass (exit 1, like AWS being unreachable); the folders made for the files are taken away."""

    def full(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    target = tmp_path / "new" / "policies"
    assert main([*RUN, "--output-dir", str(target), "--quiet"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert f"--output-dir: cannot write {target / 'order-processor.json'}: No space left on device" in err
    assert "nothing written" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("flag", ["--output", "--output-dir", "--report"])
def test_a_folder_that_takes_no_file_is_refused_before_the_scan(
    flag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder that looks writable but takes no new file (/proc, whatever its mode says; any folder to
    root, whom ``os.access`` grants everything) failed only after the scan: a probe file finds it before.
    The folders made for the probe are taken away again."""
    from policygen_operator.services import generation

    def no_scan(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scan ran before the output path was checked")

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(generation, "run_generation", no_scan)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    target = tmp_path / "new" / ("out" if flag == "--output-dir" else "out.json")
    assert refused([*RUN, flag, str(target)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{flag}: cannot write {target}: no file can be created in " in err
    assert "(Permission denied)" in err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--output-dir`` below a folder that takes no new folder: the message names where."""
    import os

    def refuse(path: str, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(os, "mkdir", refuse)
    target = tmp_path / "a" / "b"
    assert refused([*RUN, "--output-dir", str(target)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"--output-dir: cannot write {target}: no folder can be created in {tmp_path} (Permission" in err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux /proc only")
def test_an_output_in_proc_is_refused_before_the_scan(capsys: pytest.CaptureFixture[str]) -> None:
    """The case a QA pass met: /proc takes no file, and ``--output /proc/x.json`` was refused only after
    the scan (for root, to whom os.access says yes)."""
    assert refused([*RUN, "--output", "/proc/x.json"]) == EXIT_USAGE
    assert "--output: cannot write /proc/x.json: " in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd to name a pipe by path")
def test_an_output_that_links_to_a_pipe_is_written_through_the_link(tmp_path: Path) -> None:
    """``--output /dev/stdout`` (a link to ``/proc/self/fd/1``) is written in place: the atomic write renamed
    its temporary file over the link, so that, as root, ``/dev/stdout`` became a regular file holding the
    policy and stdout stayed empty (a user without write access to /dev was refused instead)."""
    read_end, write_end = os.pipe()
    link = tmp_path / "stdout"
    link.symlink_to(f"/proc/self/fd/{write_end}")
    try:
        assert main([*RUN, "--output", str(link), "--report", str(link.with_name("r.json"))]) == 0
    finally:
        os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as pipe:
        written = pipe.read()
    assert link.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "stdout"]
    assert json.loads(written)["Version"] == "2012-10-17"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd to name an open file")
def test_an_output_that_links_to_an_open_file_writes_that_file(tmp_path: Path) -> None:
    """``policygen generate --output /dev/stdout > policy.json``: the link leads through /proc to the file the
    shell opened, which must receive the policy; a rename put a new file where the link was instead."""
    redirected = tmp_path / "policy.json"
    descriptor = os.open(redirected, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    link = tmp_path / "stdout"
    link.symlink_to(f"/proc/self/fd/{descriptor}")
    try:
        assert main([*RUN, "--output", str(link)]) == 0
    finally:
        os.close(descriptor)
    assert link.is_symlink()
    assert json.loads(redirected.read_text())["Version"] == "2012-10-17"
