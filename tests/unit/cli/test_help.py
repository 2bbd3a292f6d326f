"""Each command's ``--help`` is enough to use it: the exit codes it can return, every default, the forms read.

Found reading the help as a new user with only the README: ``policygen pr``, ``policygen athena ddl`` and
``policygen operator`` said nothing about their exit codes; ``generate``'s left out 130 (Ctrl-C) and said
exit 3 wrote nothing, though the other principals' policies are written; ``--provider``, ``--base-branch``
and ``--start-date`` hid their defaults; and ``generate``'s sources named neither ``lookup-events://`` in
``--logs`` nor the forms read since (CloudWatch Logs events, EventBridge events, Firehose's objects back to
back, ``.jsonl``/``.ndjson`` files in a folder).
"""

from __future__ import annotations

import argparse
import importlib
import re

import pytest

from policygen_operator.cli import main as cli_main
from policygen_operator.cli.main import EXIT_USAGE, build_parser, main
from policygen_operator.domain.cloudtrail.local import LOG_SUFFIXES

COMMANDS = {
    ("generate",): "policygen_operator.cli.generate",
    ("pr",): "policygen_operator.cli.pr",
    ("athena", "ddl"): "policygen_operator.cli.athena",
    ("operator",): "policygen_operator.cli.operator",
}


def _help(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def _parser(argv: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser(list(argv))
    for word in argv:
        [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = subparsers.choices[word]
    return parser


def _returned_codes(module_name: str) -> set[int]:
    """The exit codes a command's module can return: the EXIT_ constants it uses, and argparse's usage
    error (every parser's ``error`` exits with it)."""
    source = importlib.import_module(module_name).__file__
    assert source
    with open(source, encoding="utf-8") as handle:
        names = set(re.findall(r"\bEXIT_[A-Z_]+\b", handle.read()))
    return {getattr(cli_main, name) for name in names} | {EXIT_USAGE}


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_the_help_explains_every_exit_code_the_command_returns(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(argv, capsys)
    assert "exit codes:" in text, argv
    section = text.split("exit codes:", 1)[1]
    for code in sorted(_returned_codes(COMMANDS[argv])):
        assert re.search(rf"(?<![\w.,-]){code}\s+[a-z]", section), (argv, code, section)


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_default_is_said(argv: tuple[str, ...]) -> None:
    for action in _parser(argv)._actions:
        default = action.default
        if action.required or default in (None, False, "", [], argparse.SUPPRESS):
            continue
        assert action.help and re.search(rf"default:? {re.escape(str(default))}\b", action.help), (
            argv,
            action.option_strings,
            default,
        )


def test_generate_names_every_source_and_form_it_reads(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(_help(("generate",), capsys).split())
    for scheme in ("s3://", "athena://[WORKGROUP@][CATALOG.]DATABASE.TABLE", "lookup-events://"):
        assert scheme in text
    for suffix in LOG_SUFFIXES:
        assert re.search(
            rf"(?<![\w.]){re.escape(suffix)}\b|{re.escape(suffix.removesuffix('.gz'))}\(\.gz\)", text
        )
    # The forms the file scan reads (docs/cli.md, "Formats"): delivery files, lookup-events output,
    # CloudWatch Logs output and subscription payloads, EventBridge events, objects written back to back.
    for form in ('{"Records"', '{"Events"', '{"events"', '{"logEvents"', "via CloudTrail", "{...}{...}"):
        assert form in text, form
    assert "--logs SOURCE" in text and "lookup-events://" in text.split("--logs SOURCE", 2)[2][:200]


@pytest.mark.parametrize("flag", ["--workers", "--max-file-size"])
def test_generate_lists_the_scan_flags_with_the_scan_and_says_why_to_change_them(flag: str) -> None:
    """``--workers`` and ``--max-file-size`` were the only flags in argparse's generic "options" group,
    below the AWS ones, as if they were about no part of the run; their help said the default alone."""
    parser = _parser(("generate",))
    [group] = [g for g in parser._action_groups if any(flag in a.option_strings for a in g._group_actions)]
    assert group.title == "what to scan"
    [action] = [a for a in group._group_actions if flag in a.option_strings]
    assert action.help and "default: " in action.help
    assert re.search(r"\b(fewer|raise it|lower it)\b", action.help)
