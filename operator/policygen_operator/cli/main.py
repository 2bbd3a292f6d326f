"""``policygen``: one executable, a subcommand per use case.

Each subcommand lives in its own module exposing ``register(subparsers)``; the module sets
``func`` on its parser, which returns the process exit code. Modules are imported lazily so that
``policygen generate`` on a laptop never pays for importing kopf or the Kubernetes client.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from policygen_operator import __version__

if TYPE_CHECKING:
    # What ``register(subparsers)`` receives; named once here for every subcommand module.
    Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

SUBCOMMANDS = {
    "generate": "policygen_operator.cli.generate",
    "operator": "policygen_operator.cli.operator",
    "pr": "policygen_operator.cli.pr",
    "athena": "policygen_operator.cli.athena",
}

# Exit codes shared by all subcommands, so scripts can tell the cases apart.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NO_MATCHING_EVENTS = 3
EXIT_VALIDATION_FAILED = 4
EXIT_INTERRUPTED = 130  # SIGINT (Ctrl-C): 128 + 2, as shells report it


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policygen",
        description="Turn AWS CloudTrail activity into least-privilege IAM policies.",
    )
    parser.add_argument("--version", action="version", version=f"policygen {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = [a for a in argv if a in SUBCOMMANDS][:1] or list(SUBCOMMANDS)
    for name in SUBCOMMANDS:
        if name in wanted:
            importlib.import_module(SUBCOMMANDS[name]).register(subparsers)
        else:
            # Listed in --help without importing the module (and its heavy dependencies).
            subparsers.add_parser(name, help=_SUMMARIES[name], add_help=False)
    return parser


def add_command(
    subparsers: Subparsers, name: str, description: str, epilog: str | None = None
) -> argparse.ArgumentParser:
    """The help line comes from _SUMMARIES, so it reads the same whether or not the module is loaded."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=_SUMMARIES[name],
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


_SUMMARIES = {
    "generate": "scan CloudTrail logs and print a least-privilege policy per principal",
    "operator": "run the Kubernetes operator that reconciles PolicyGeneration resources",
    "athena": "Athena helpers: print the CloudTrail table DDL (partition projection)",
    "pr": "open a pull request that swaps broad managed policies for a generated one",
}


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
