"""The handler passes still running when the operator stops, so that the clients close after them.

kopf stops a timer that is between passes at once, but one in the middle of a pass it leaves running ("did not
exit in time. Leaving it orphaned.") and goes on to the cleanup handlers, which closed the Kubernetes clients
under it: the pass then failed on a closed connection (an ERROR with a traceback in the log of an ordinary
rollout) and kopf's own status patch after it on a closed session. The cleanup waits for those passes first,
a bounded time: a scan may run for hours, and the pod's termination grace period is short.
"""

from __future__ import annotations

import asyncio
from typing import Any

# Seconds the cleanup waits; a rediscovery pass without a scan takes a fraction of a second. Below the
# 30 s a pod gets between SIGTERM and SIGKILL by default.
STOP_WAIT = 10.0


class InFlight:
    """The tasks running a handler pass: each is registered when its pass begins and leaves the set when the
    task ends (after kopf has written what the pass returned), not when the handler returns."""

    def __init__(self, limit: float = STOP_WAIT) -> None:
        self.limit = limit
        self._tasks: set[asyncio.Task[Any]] = set()

    def enter(self) -> None:
        task = asyncio.current_task()
        if task is not None and task not in self._tasks:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drained(self) -> None:
        """Return when every registered task has ended, or after ``limit`` seconds."""
        running = [t for t in self._tasks if not t.done() and t is not asyncio.current_task()]
        if running:
            await asyncio.wait(running, timeout=self.limit)
