"""Instants, their ISO text, and durations: one grammar for the CLI and the CRD.

A duration is a positive whole number and one unit: ``m`` minutes, ``h`` hours, ``d`` days, ``w`` weeks
(``30m``, ``24h``, ``90d``, ``2w``). ``policygen generate --lookback``, ``spec.window.lookback`` and
``spec.schedule.interval`` all read it with ``parse_duration``; the CRD's patterns accept the same grammar
(and may bound it: a test checks that every value a CRD pattern lets through parses here). Instants are
timezone-aware UTC; naive input is taken as UTC.

Kept free of anything but the standard library: the CLI imports it on its fast start-up path.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # CloudTrail's eventTime format, and what status fields hold
DURATION_PATTERN = r"^[1-9][0-9]*[mhdw]$"  # the grammar; CRD patterns are this, bounded
DURATION_EXAMPLES = "30m, 24h, 90d or 2w"
# The latest end of a window, for --end and spec.window.end alike: far from where datetime arithmetic
# overflows (a scan reads an hour past the end, and 9999-12-31 overflowed in the folder pruning)
LATEST_END = datetime(2100, 1, 1, tzinfo=UTC)
_DURATION = re.compile(DURATION_PATTERN)
_UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """``2026-01-01T00:00:00Z``: second precision, always UTC."""
    return moment.astimezone(UTC).strftime(ISO_FORMAT)


def parse_instant(text: str) -> datetime:
    """ISO 8601 / RFC 3339 date or date-time; naive values are UTC. Raises ValueError."""
    value = text.strip()
    if not value:
        raise ValueError("empty")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """``30m``, ``24h``, ``90d``, ``2w`` (surrounding blanks ignored). Raises ValueError, also for a
    number too large to be a ``timedelta`` (the grammar has no bound), so that each caller's refusal
    names its flag or field instead of an OverflowError escaping."""
    value = text.strip()
    if not _DURATION.match(value):
        raise ValueError(f"{text!r} is not a duration like {DURATION_EXAMPLES}")
    try:
        return int(value[:-1]) * _UNITS[value[-1]]
    except OverflowError:  # past timedelta's 999,999,999 days: a typo, never a window
        raise ValueError(f"{text!r} is longer than a duration can be") from None
