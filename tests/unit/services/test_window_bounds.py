"""Window bounds (issue 10): ``end: 9999-12-31T23:30:00Z`` crashed the window code and retried for ever; a
window of years lists every day folder of every account and region before the first file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.services import spec as specs
from policygen_operator.services.errors import InvalidRequestError

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"start": "2026-01-01T00:00:00Z", "end": "9999-12-31T23:30:00Z"}, "spec.window.end"),
        ({"start": "2001-01-01T00:00:00Z", "end": "2001-02-01T00:00:00Z"}, "spec.window.start"),
        ({"start": "2020-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}, "spec.window"),
        ({"lookback": "3650d"}, "spec.window.lookback"),
    ],
)
def test_out_of_bounds_windows_are_permanent_errors(window: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as err:
        specs.window({"window": window}, NOW)
    assert err.value.field == field


def test_400_days_is_the_limit() -> None:
    start, end = specs.window({"window": {"lookback": "400d"}}, NOW)
    assert (end - start).days == 400
    start, end = specs.window(
        {"window": {"start": "2025-01-01T00:00:00Z", "end": "2026-02-05T00:00:00Z"}}, NOW
    )
    assert (end - start).days == 400
