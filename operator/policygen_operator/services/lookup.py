"""CloudTrail's event history (``LookupEvents``) as a source: management events of the last 90 days.

For an account without a trail bucket. The pages become scan work items, so ``run_generation`` scans them
with the same engine as files; ``lookup_items`` is also what a tenancy source object can call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.services.errors import classify


@dataclass(frozen=True)
class LookupEventsLogs:
    """Regions whose event history to read (none: the AWS session's region)."""

    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None  # CloudTrail endpoint override
    resume: dict[str, str] = field(default_factory=dict)  # region -> NextToken from an interrupted run

    def describe(self) -> str:
        return "lookup-events://" + ",".join(self.regions)


def lookup_items(
    source: LookupEventsLogs,
    session: Any,
    window: Window,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> Iterator[tuple[str, bytes]]:
    """The pages of the window, one ``(name, JSON Lines bytes)`` each; raises classified errors."""
    from policygen_operator.adapters.aws.errors import AwsError
    from policygen_operator.adapters.aws.lookup import LookupEvents, check_history_window

    refused = check_history_window(window, now or datetime.now(UTC))
    if refused is not None:
        raise classify(refused, field=refused.field)
    regions = source.regions or (session.region_name or "us-east-1",)
    clients = {
        r: session.client("cloudtrail", region_name=r, endpoint_url=source.endpoint_url) for r in regions
    }
    reader = LookupEvents(clients, window, resume=source.resume, cancel=cancel)

    def pages() -> Iterator[tuple[str, bytes]]:
        try:
            yield from reader.items()
        except AwsError as error:
            raise classify(error, field=error.field) from error

    return pages()
