"""The one notion every adapter error carries: can the same request succeed later, and when to try.

kopf has ``PermanentError`` and ``TemporaryError(delay)``, ACK a terminal error and a requeue-after; this is
the same split at the adapter edge, so the services classify an AWS, Kubernetes or git failure the same
way (``services.errors.classify``) and only the handlers speak kopf. An adapter says ``PERMANENT`` only when
it knows the same request cannot succeed as written (HTTP 400/401/403/404/422, an AWS code outside the
throttling set, no credentials); everything it cannot vouch for is ``TEMPORARY``.
"""

from __future__ import annotations

from enum import StrEnum


class Permanence(StrEnum):
    PERMANENT = "permanent"  # retrying the same request cannot help: say what to fix
    TEMPORARY = "temporary"  # the same request may succeed later: retry with backoff


class AdapterError(Exception):
    """Base of every adapter's errors. ``retry_after`` (seconds) when the other side said when to retry."""

    def __init__(self, message: str, *, permanence: Permanence, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanence = permanence
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        return self.permanence is Permanence.PERMANENT
