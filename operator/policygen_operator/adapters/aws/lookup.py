"""CloudTrail ``LookupEvents``: the source for an account with no trail bucket.

Every account has its last 90 days of management events (no data events: no S3 object or Lambda invoke
calls) in each region's event history, readable with ``LookupEvents``. The API filters by one attribute
only and cannot filter by role (a session's ``Username`` is its session name), so every event of the
window is read and the scan keeps the principals' ones, as it does with files. Each page (up to 50
events) becomes one JSON Lines item of the records' ``CloudTrailEvent`` texts, so the same scanner, matcher
and mapper read them.

The API allows 2 requests per second per account and region: calls are spaced 0.5 s apart per region
(``min_interval``). Reading is resumable: ``tokens`` holds each region's last ``NextToken`` (a caller can
keep it and pass it back as ``resume``), and a failure names the region and token to resume from.

moto does not implement ``LookupEvents``; the tests use botocore's Stubber, which checks requests and
responses against botocore's CloudTrail service model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from policygen_operator.adapters.aws.errors import AwsError, classify
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import ScanCancelled

MIN_INTERVAL = 0.5  # seconds between calls per region: LookupEvents allows 2 per second
PAGE_EVENTS = 50  # the API's maximum
HISTORY_DAYS = 90


class LookupEvents:
    """Pages of one or more regions' event history for a window, as scan work items."""

    def __init__(
        self,
        clients: dict[str, Any],  # region -> CloudTrail client of that region
        window: Window,
        *,
        resume: dict[str, str] | None = None,
        cancel: threading.Event | None = None,
        min_interval: float = MIN_INTERVAL,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clients = clients
        self.window = window
        self.tokens: dict[str, str] = dict(resume or {})  # region -> NextToken of the next page to read
        self.done: set[str] = set()
        self.cancel = cancel
        self.min_interval = min_interval
        self.sleep = sleep
        self.clock = clock
        self.calls = 0
        self.events = 0
        self._last: dict[str, float] = {}

    def items(self) -> Iterator[tuple[str, bytes]]:
        """``(name, JSON Lines bytes)`` per page, region after region."""
        for region in sorted(self.clients):
            yield from self._region(region)

    def _region(self, region: str) -> Iterator[tuple[str, bytes]]:
        client = self.clients[region]
        page = 0
        while True:
            if self.cancel is not None and self.cancel.is_set():
                raise ScanCancelled()
            self._pace(region)
            arguments: dict[str, Any] = {
                "StartTime": self.window.start,
                "EndTime": self.window.end,
                "MaxResults": PAGE_EVENTS,
            }
            token = self.tokens.get(region)
            if token:
                arguments["NextToken"] = token
            try:
                response = client.lookup_events(**arguments)
            except (ClientError, BotoCoreError) as error:
                where = f" (resume from NextToken {token!r})" if token else ""
                raise classify(error, f"reading the CloudTrail event history of {region}{where}") from error
            self.calls += 1
            events = response.get("Events", [])
            self.events += len(events)
            lines = [e["CloudTrailEvent"] for e in events if isinstance(e.get("CloudTrailEvent"), str)]
            following = response.get("NextToken")
            if following:
                self.tokens[region] = following
            else:
                self.tokens.pop(region, None)
                self.done.add(region)
            if lines:
                yield f"lookup-events://{region}/page-{page}", ("\n".join(lines) + "\n").encode()
            page += 1
            if not following:
                return

    def _pace(self, region: str) -> None:
        last = self._last.get(region)
        now = self.clock()
        if last is not None and now - last < self.min_interval:
            self.sleep(self.min_interval - (now - last))
            now = self.clock()
        self._last[region] = now


# "The last 90 days" is a window made from the clock a moment before it is checked (the CLI's default
# --lookback 90d, a PolicyGeneration's lookback: 90d): refused by the strict comparison, always. Slack of a
# few minutes: at most those minutes of the oldest events, already out of the history, are not read.
HISTORY_SLACK_SECONDS = 600


def check_history_window(window: Window, now: datetime) -> AwsError | None:
    """LookupEvents keeps 90 days: a window that starts earlier would silently miss events."""
    oldest = now.timestamp() - HISTORY_DAYS * 86400 - HISTORY_SLACK_SECONDS
    if window.start.timestamp() < oldest:
        return AwsError(
            f"the CloudTrail event history (LookupEvents) holds only the last {HISTORY_DAYS} days; the "
            f"window starts {window.start_iso}: use a trail bucket or Athena for older events",
            permanence=Permanence.PERMANENT,
            field="window",
        )
    return None
