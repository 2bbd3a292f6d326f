"""The service errors every caller (CLI, operator) maps to its own outcome; the one place that classifies.

Every failure is either permanent (the request cannot succeed as written: say what to fix) or temporary
(the same request may succeed later: retry with backoff); ``adapters.errors.Permanence`` names the two for
adapters and services alike. ``classify`` turns any exception into one of the service errors below; the
operator's handlers turn ``Permanence.PERMANENT`` into ``kopf.PermanentError`` and ``TEMPORARY`` into
``kopf.TemporaryError(delay)``; the CLI turns ``InvalidRequestError`` into a usage error (exit 2) naming the
field, the rest into exit 1.

The rule for unknown errors: an exception that no adapter or service check classified (a bug, a library
error nobody foresaw) is TEMPORARY, with reason ``InternalError``: kopf retries it with backoff and the
condition shows it, as kopf and ACK do by default. Permanent needs evidence: the code that knows the same
request cannot succeed says so.
"""

from __future__ import annotations

from policygen_operator.adapters.errors import AdapterError, Permanence
from policygen_operator.services.reasons import Reason


class PolicygenError(Exception):
    """Base class. ``reason`` is a CamelCase word for a Kubernetes condition."""

    reason: str = Reason.ERROR  # a Reason, or a CamelCase word a caller passes
    permanence = Permanence.PERMANENT

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.retry_after = retry_after
        if reason:
            self.reason = reason


class InvalidRequestError(PolicygenError):
    """The request can never succeed as written: a bad ARN, a missing bucket, a partition mismatch."""

    reason: str = Reason.INVALID_SPEC


class TemporaryError(PolicygenError):
    """Throttling, timeouts, an unreachable endpoint: worth retrying with backoff."""

    reason: str = Reason.TEMPORARY_FAILURE
    permanence = Permanence.TEMPORARY


class NoMatchingEventsError(PolicygenError):
    """The scan found no event of the principal in the window: no policy is written."""

    reason: str = Reason.NO_MATCHING_EVENTS


class ValidationFailedError(PolicygenError):
    """A generated policy has an error-severity finding: it is not published."""

    reason: str = Reason.VALIDATION_FAILED


def classify(
    error: BaseException,
    *,
    field: str | None = None,
    reason: str | None = None,
    message: str | None = None,
) -> PolicygenError:
    """The service error for any exception: the one place permanence is decided (rule: module docstring).

    A ``PolicygenError`` is already classified and comes back as it is. An adapter error keeps its own
    permanence and ``retry_after``; ``reason`` (what was refused, e.g. ``ConfigMapRejected``) names a
    permanent one, a temporary one is always ``TemporaryFailure``. Anything else is ``InternalError``.
    ``message`` replaces the error's text (e.g. with a secret scrubbed out).
    """
    if isinstance(error, PolicygenError):
        return error
    text = str(error) if message is None else message
    if isinstance(error, AdapterError):
        if error.permanence is Permanence.PERMANENT:
            return InvalidRequestError(text, field=field, reason=reason)
        return TemporaryError(text, field=field, retry_after=error.retry_after)
    return TemporaryError(
        f"unexpected error: {type(error).__name__}: {text}", field=field, reason=Reason.INTERNAL_ERROR
    )


def is_unexpected(error: BaseException) -> bool:
    """Whether ``classify`` falls back to the unknown-error rule for it (worth a traceback in the log)."""
    return not isinstance(error, (PolicygenError, AdapterError))
