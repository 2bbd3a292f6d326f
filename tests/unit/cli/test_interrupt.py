"""Ctrl-C during `policygen generate` exits 130 saying what was written, however CPython delivers it.

A SIGINT that lands inside ``threading.Condition.wait`` (the scan pool's wait for a batch) can surface as
"RuntimeError: release unlocked lock" raised while the KeyboardInterrupt is handled: the lock the wait had
just released is released again on the way out. It happened once in the Ctrl-C integration test and the
CLI exited 1 with a traceback.
"""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from policygen_operator.cli import generate


class Exited(Exception):
    pass


def raise_exit(code: int) -> None:
    raise Exited(code)


@pytest.mark.parametrize(
    "failure",
    [KeyboardInterrupt(), "in-wait"],
    ids=["keyboard-interrupt", "runtime-error-while-handling-it"],
)
def test_an_interrupt_exits_130_saying_nothing_was_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], failure: Any
) -> None:
    def interrupted(_: argparse.Namespace) -> int:
        if failure == "in-wait":
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt:
                raise RuntimeError("release unlocked lock")  # noqa: B904  (as threading raises it)
        raise failure

    monkeypatch.setattr(generate, "_run", interrupted)
    monkeypatch.setattr(generate.os, "_exit", raise_exit)
    with pytest.raises(Exited) as exited:
        generate.run(argparse.Namespace())
    assert exited.value.args == (generate.EXIT_INTERRUPTED,) == (130,)
    assert "policygen generate: interrupted; nothing written" in capsys.readouterr().err


def test_another_runtime_error_is_not_taken_for_an_interrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(_: argparse.Namespace) -> int:
        raise RuntimeError("something else")

    monkeypatch.setattr(generate, "_run", failing)
    with pytest.raises(RuntimeError, match="something else"):
        generate.run(argparse.Namespace())
