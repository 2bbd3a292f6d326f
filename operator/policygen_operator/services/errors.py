"""Error classes every caller (CLI, operator) maps to its own outcome.

The operator turns ``InvalidRequestError`` into ``kopf.PermanentError`` and a ``Ready=False`` condition
that says what to fix; ``TemporaryError`` into ``kopf.TemporaryError`` with backoff. The CLI turns
the first into a usage error (exit 2) naming the field, the second into exit 1.
"""

from __future__ import annotations


class PolicygenError(Exception):
    """Base class. ``reason`` is a CamelCase word for a Kubernetes condition."""

    reason = "Error"

    def __init__(self, message: str, *, field: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        if reason:
            self.reason = reason


class InvalidRequestError(PolicygenError):
    """The request can never succeed as written: a bad ARN, a missing bucket, a partition mismatch."""

    reason = "InvalidSpec"


class TemporaryError(PolicygenError):
    """Throttling, timeouts, an unreachable endpoint: worth retrying with backoff."""

    reason = "TemporaryFailure"


class NoMatchingEventsError(PolicygenError):
    """The scan found no event of the principal in the window: no policy is written."""

    reason = "NoMatchingEvents"


class ValidationFailedError(PolicygenError):
    """A generated policy has an error-severity finding: it is not published."""

    reason = "ValidationFailed"
