"""The bridge between a scan in a worker thread and the event loop: progress out, cancellation in.

The scan is CPU-bound and synchronous, so it runs in a bounded thread pool shared by all resources. While
it runs, a ticker on the event loop hands the newest progress to a ``Check`` every ``interval`` seconds;
the check writes it wherever it belongs and answers whether the scan is still wanted. A "no" (or kopf
cancelling the handler) sets the thread's ``cancel`` event, and the scan stops between files with
``ScanCancelled``: the one cancellation type, raised by the domain and seen unchanged by every caller.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor

from policygen_operator.domain.engine import ScanCancelled
from policygen_operator.services.generation import (
    GenerationRequest,
    GenerationResult,
    Progress,
    ProgressCallback,
)

logger = logging.getLogger(__name__)

Generate = Callable[[GenerationRequest, ProgressCallback | None, threading.Event | None], GenerationResult]
# Called with the newest progress when it changed since the last report that got through (else None).
# Returns True while the scan is wanted, False to cancel it, None when it could not tell (tried again).
Check = Callable[[Progress | None], Awaitable[bool | None]]


class LatestProgress:
    """The newest progress report; written by the scan thread, read by the event loop (one reference swap)."""

    def __init__(self) -> None:
        self.value: Progress | None = None

    def __call__(self, progress: Progress) -> None:
        self.value = progress


async def scan_in_thread(
    executor: Executor,
    generate: Generate,
    request: GenerationRequest,
    latest: LatestProgress,
    check: Check,
    interval: float,
    name: str,
) -> GenerationResult:
    """Run ``generate`` in ``executor``; raises ``ScanCancelled`` when the check or kopf stopped it."""
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(executor, functools.partial(_guarded, generate, request, latest, cancel))
    ticker = asyncio.create_task(_tick(latest, check, cancel, interval))
    try:
        return await future
    except asyncio.CancelledError:
        # kopf cancelled the handler (operator stopping, handler timeout): stop the thread too.
        cancel.set()
        raise
    finally:
        ticker.cancel()
        if cancel.is_set():
            logger.info("generation of %s cancelled", name)


async def _tick(latest: LatestProgress, check: Check, cancel: threading.Event, interval: float) -> None:
    """Throttled progress to the check; its "no longer wanted" cancels the scan."""
    sent: Progress | None = None
    while not cancel.is_set():
        await asyncio.sleep(interval)
        progress = latest.value
        news = progress if progress is not None and progress != sent else None
        wanted = await check(news)
        if wanted is None:
            continue
        if news is not None:
            sent = news
        if not wanted:
            cancel.set()


def _guarded(
    generate: Generate, request: GenerationRequest, progress: ProgressCallback, cancel: threading.Event
) -> GenerationResult:
    """Runs in the worker thread: a scan whose object went away while it queued never starts."""
    if cancel.is_set():
        raise ScanCancelled("cancelled before the scan started")
    return generate(request, progress, cancel)
