"""One time module: instants, ISO text and the one duration grammar, for the CLI and the CRDs alike."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from policygen_operator.domain.timeutil import iso, parse_duration, parse_instant

ROOT = Path(__file__).resolve().parents[3]
UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("90d", timedelta(days=90)),
        ("2w", timedelta(weeks=2)),
        (" 7d ", timedelta(days=7)),
    ],
)
def test_durations(text: str, delta: timedelta) -> None:
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["90", "0d", "d", "90 days", "9 0d", "-1d", "1y", "1.5h", "01d", ""])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_instants_accept_dates_and_times_and_default_to_utc() -> None:
    assert parse_instant("2026-11-24") == datetime(2026, 11, 24, tzinfo=UTC)
    assert parse_instant("2026-11-24T10:00:00Z") == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert parse_instant("2026-11-24T11:00:00+01:00") == datetime(2026, 11, 24, 10, tzinfo=UTC)
    for bad in ("", "24/11/2026", "2026-13-01"):
        with pytest.raises(ValueError):
            parse_instant(bad)


def test_iso_is_utc_to_the_second_and_reads_back() -> None:
    moment = datetime(2026, 11, 24, 11, 30, 5, 999, tzinfo=UTC)
    assert iso(moment) == "2026-11-24T11:30:05Z"
    assert parse_instant(iso(moment)) == moment.replace(microsecond=0)


def _cel_as_python(rule: str) -> Any:
    """A CRD duration rule as a Python function of the value: the few CEL forms those rules use
    (``self.matches``, ``int``, ``substring``, ``size``, a map literal, ``!``, ``||``, ``*``, comparisons),
    translated word for word; anything else fails to compile, so a new form needs a line here."""
    matches = r"self\.matches\('([^']*)'\)"
    text = re.sub(matches, lambda m: f"(re.search({m.group(1)!r}, self) is not None)", rule)
    text = text.replace("int(self.substring(0, size(self) - 1))", "int(self[:-1])")
    text = text.replace("self.substring(size(self) - 1)", "self[-1:]")
    text = text.replace("||", " or ").replace("&&", " and ")
    text = re.sub(r"!(?!=)", " not ", text)
    assert "substring" not in text and "size(" not in text, rule
    code = compile(text.strip(), "<cel>", "eval")
    return lambda value: bool(eval(code, {"re": re, "__builtins__": {"int": int}}, {"self": value}))


def _duration_checks() -> list[tuple[str, str, Any]]:
    """(CRD file, property, accepts) of every ``lookback`` and ``interval`` in the shipped CRDs: what the
    API server lets through, from its ``pattern`` or its ``maxLength`` and CEL rules."""
    found: list[tuple[str, str, Any]] = []

    def accepts(node: dict[str, Any]) -> Any:
        if "pattern" in node:
            compiled = re.compile(str(node["pattern"]))
            return lambda value: compiled.search(value) is not None
        rules = [_cel_as_python(str(r["rule"])) for r in node["x-kubernetes-validations"]]
        longest = int(node["maxLength"])
        return lambda value: len(value) <= longest and all(rule(value) for rule in rules)

    def walk(node: Any, name: str, path: Path) -> None:
        if isinstance(node, dict):
            if name in ("lookback", "interval") and ("pattern" in node or "x-kubernetes-validations" in node):
                found.append((path.name, name, accepts(node)))
            for key, value in node.items():
                walk(value, str(key), path)
        elif isinstance(node, list):
            for item in node:
                walk(item, name, path)

    for path in sorted((ROOT / "crds").glob("*.yaml")):
        for document in YAML(typ="safe").load_all(path.read_text(encoding="utf-8")):
            walk(document, "", path)
    return found


def _candidates(limit: int) -> set[int]:
    """Every small number, every number around the unit's limit, and each power of ten up to past it."""
    around = range(max(1, limit - 1500), limit + 1500)
    return set(range(1, 3000)) | set(around) | {10**k + d for k in range(9) for d in (-1, 0, 1)} - {0}


PATTERNS = _duration_checks()
BOUNDS = {
    ("policygen.io_policygenerations.yaml", "lookback"): timedelta(days=400),
    ("policygen.io_policygenerations.yaml", "interval"): None,
}


def test_every_crd_duration_is_found() -> None:
    assert {(f, p) for f, p, _ in PATTERNS} >= set(BOUNDS)


@pytest.mark.parametrize(("crd", "prop", "accepts"), PATTERNS, ids=[f"{f}:{p}" for f, p, _ in PATTERNS])
def test_crd_patterns_speak_the_one_grammar(crd: str, prop: str, accepts: Any) -> None:
    """What a CRD lets through parses here; every unit is accepted; the CRD only bounds the grammar."""
    bound = BOUNDS.get((crd, prop))
    for unit, size in UNITS.items():
        accepted = [n for n in sorted(_candidates(int(timedelta(days=400) / size))) if accepts(f"{n}{unit}")]
        assert accepted, f"{crd} {prop} refuses every duration in {unit}"
        for n in accepted:
            assert parse_duration(f"{n}{unit}") == n * size
        if bound is not None:  # exactly the grammar up to the bound: nothing more, nothing less
            limit = int(bound / size)
            assert accepted == [n for n in sorted(_candidates(limit)) if n <= limit], (crd, prop, unit)
    for text in ("0d", "90", "1y", "90 days", "1.5h", "-1d"):
        assert not accepts(text), (crd, prop, text)
