"""CloudTrail's event history (``LookupEvents``) as a source: management events of the last 90 days.

For an account without a trail bucket. The pages become scan work items, so ``run_generation`` scans them
with the same engine as files; ``lookup_items`` is also what a tenancy source object can call.

At 50 events per call and 2 calls per second, a busy account's 90 days take hours, and a throttled or
interrupted read would start over. With a state directory (``LookupEventsLogs.state_dir``, the CLI's
``--lookup-state``) every page read is saved with each region's next ``NextToken``; a later run of the same
window scans the saved pages again and asks only for the rest. Resuming from the token alone would lose the
events of the pages before it, so the pages are kept too.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.timeutil import parse_instant
from policygen_operator.services.errors import InvalidRequestError, classify

STATE_FILE = "state.json"
STATE_VERSION = 1


@dataclass(frozen=True)
class LookupEventsLogs:
    """Regions whose event history to read (none: the AWS session's region)."""

    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None  # CloudTrail endpoint override
    resume: dict[str, str] = field(default_factory=dict)  # region -> NextToken from an interrupted run
    state_dir: str | None = None  # pages read and next tokens kept here, so a cut-off run resumes
    # --account: the history is the caller's account's, and its records of other accounts (none, unless
    # the credentials are another account's than the one asked for) are passed over as a file's are
    account_ids: tuple[str, ...] = ()

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
    state = LookupState.open(source.state_dir, window, regions) if source.state_dir else None
    resume = {**source.resume, **(state.tokens if state else {})}
    clients = {
        r: session.client("cloudtrail", region_name=r, endpoint_url=source.endpoint_url)
        for r in regions
        if state is None or r not in state.done
    }
    reader = LookupEvents(clients, window, resume=resume, cancel=cancel)

    def pages() -> Iterator[tuple[str, bytes]]:
        if state is not None:
            yield from state.saved_pages()
        try:
            for name, data in reader.items():
                if state is not None:
                    name = state.save_page(name, data, reader.tokens, reader.done)
                yield name, data
        except AwsError as error:
            raise classify(error, field=error.field) from error
        if state is not None:
            state.finish(reader.done)

    return pages()


def saved_window(state_dir: str) -> tuple[datetime, datetime] | None:
    """The window of an unfinished read kept in ``state_dir`` (a resumed run must use it), else None."""
    data = _read_state(Path(state_dir))
    if data is None or data.get("complete"):
        return None
    return parse_instant(data["window"]["start"]), parse_instant(data["window"]["end"])


def _read_state(directory: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((directory / STATE_FILE).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise InvalidRequestError(
            f"{directory / STATE_FILE}: unreadable ({error})", field="lookup-state"
        ) from None
    if data.get("version") != STATE_VERSION:
        raise InvalidRequestError(
            f"{directory / STATE_FILE}: not a policygen LookupEvents state (version {data.get('version')!r})",
            field="lookup-state",
        )
    return data


@dataclass
class LookupState:
    """A state directory: ``state.json`` (window, regions, next tokens, pages saved) and the pages.

    A page is written before the state that counts it, so a run cut off between the two re-reads that page
    instead of losing it; pages beyond the count are ignored on resume.
    """

    directory: Path
    window: Window
    regions: tuple[str, ...]
    tokens: dict[str, str]
    done: set[str]
    pages: dict[str, int]

    @classmethod
    def open(cls, state_dir: str, window: Window, regions: tuple[str, ...]) -> LookupState:
        directory = Path(state_dir)
        data = _read_state(directory)
        wanted = {"start": window.start_iso, "end": window.end_iso}
        if data is not None and data["window"] == wanted and sorted(data["regions"]) == sorted(regions):
            return cls(
                directory,
                window,
                regions,
                dict(data["tokens"]),
                set(data["done"]),
                {r: int(n) for r, n in data["pages"].items()},
            )
        if data is not None and not data.get("complete"):
            raise InvalidRequestError(
                f"{directory} holds an unfinished LookupEvents read of {data['window']['start']} to "
                f"{data['window']['end']} in {', '.join(data['regions'])}; resume it with that window and "
                "those regions, or remove the directory to start over",
                field="lookup-state",
            )
        if data is not None:  # a finished read of another window: its pages are of no use here
            shutil.rmtree(directory / "pages", ignore_errors=True)
        state = cls(directory, window, regions, {}, set(), {})
        state._write(complete=False)
        return state

    def saved_pages(self) -> Iterator[tuple[str, bytes]]:
        for region in sorted(self.pages):
            for number in range(self.pages[region]):
                path = self._page(region, number)
                yield f"{path}", path.read_bytes()

    def save_page(self, name: str, data: bytes, tokens: dict[str, str], done: set[str]) -> str:
        region = name.removeprefix("lookup-events://").split("/", 1)[0]
        number = self.pages.get(region, 0)
        path = self._page(region, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.pages[region] = number + 1
        self.tokens = {r: t for r, t in tokens.items()}
        self.done = set(done)
        self._write(complete=False)
        return str(path)

    def finish(self, done: set[str]) -> None:
        self.done |= done
        self.tokens = {r: t for r, t in self.tokens.items() if r not in self.done}
        self._write(complete=True)

    def _page(self, region: str, number: int) -> Path:
        return self.directory / "pages" / region / f"page-{number:06d}.jsonl"

    def _write(self, *, complete: bool) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        data = {
            "version": STATE_VERSION,
            "window": {"start": self.window.start_iso, "end": self.window.end_iso},
            "regions": sorted(self.regions),
            "tokens": dict(sorted(self.tokens.items())),
            "done": sorted(self.done),
            "pages": dict(sorted(self.pages.items())),
            "complete": complete,
        }
        temporary = self.directory / f".{STATE_FILE}.tmp"
        temporary.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(temporary, self.directory / STATE_FILE)
