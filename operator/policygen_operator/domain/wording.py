"""Counts in the words a person reads (conditions, pull request descriptions): "1 action", "2 actions"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, the noun in the plural unless the number is one; ``plural`` when adding "s"
    is not its plural. Thousands are grouped, as the CLI prints counts."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
