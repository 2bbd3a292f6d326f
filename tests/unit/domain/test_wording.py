"""Counts as a person reads them in conditions and pull request descriptions: a Generated condition said
"1 actions in 1 services from 1 events" for a principal with one call."""

from __future__ import annotations

import pytest

from policygen_operator.domain.wording import counted


@pytest.mark.parametrize(
    ("number", "noun", "plural", "said"),
    [
        (1, "action", None, "1 action"),
        (0, "action", None, "0 actions"),
        (2, "service", None, "2 services"),
        (12345, "event", None, "12,345 events"),
        (2, "policy", "policies", "2 policies"),
        (1, "policy", "policies", "1 policy"),
    ],
)
def test_counted(number: int, noun: str, plural: str | None, said: str) -> None:
    assert counted(number, noun, plural) == said
