"""One vocabulary for permanent and temporary: every error family through ``services.errors.classify``.

The rule for unknown errors (docs/operator.md, "Errors"): what no adapter or service check classified is
temporary, reason InternalError.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from policygen_operator.adapters.aws.errors import AwsError
from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.git.errors import ForgeError, GitCommandError
from policygen_operator.adapters.kubernetes.client import KubernetesError
from policygen_operator.domain.engine import ScanCancelled
from policygen_operator.services.errors import (
    InvalidRequestError,
    NoMatchingEventsError,
    TemporaryError,
    ValidationFailedError,
    classify,
    is_unexpected,
)
from policygen_operator.services.reasons import EventReason, Reason, is_temporary

PERMANENT, TEMPORARY = Permanence.PERMANENT, Permanence.TEMPORARY
PACKAGE = Path(__file__).resolve().parents[3] / "operator" / "policygen_operator"

CASES = [
    # (error, permanence, reason, unexpected)
    (InvalidRequestError("bad arn"), PERMANENT, Reason.INVALID_SPEC, False),
    (TemporaryError("throttled"), TEMPORARY, Reason.TEMPORARY_FAILURE, False),
    (NoMatchingEventsError("none"), PERMANENT, Reason.NO_MATCHING_EVENTS, False),
    (ValidationFailedError("too big"), PERMANENT, Reason.VALIDATION_FAILED, False),
    (KubernetesError("HTTP 422", permanence=PERMANENT), PERMANENT, Reason.CONFIGMAP_REJECTED, False),
    (KubernetesError("HTTP 500"), TEMPORARY, Reason.TEMPORARY_FAILURE, False),
    (AwsError("NoSuchBucket", permanence=PERMANENT), PERMANENT, Reason.CONFIGMAP_REJECTED, False),
    (AwsError("SlowDown", permanence=TEMPORARY), TEMPORARY, Reason.TEMPORARY_FAILURE, False),
    (ForgeError("HTTP 401", "auth", 401), PERMANENT, Reason.CONFIGMAP_REJECTED, False),
    (ForgeError("HTTP 422", "conflict", 422), PERMANENT, Reason.CONFIGMAP_REJECTED, False),
    (ForgeError("HTTP 503", "temporary", 503), TEMPORARY, Reason.TEMPORARY_FAILURE, False),
    (GitCommandError("stale info", "conflict"), TEMPORARY, Reason.TEMPORARY_FAILURE, False),
    (GitCommandError("not found", "not_found"), PERMANENT, Reason.CONFIGMAP_REJECTED, False),
    # the rule for unknown errors: temporary, InternalError
    (RuntimeError("bug"), TEMPORARY, Reason.INTERNAL_ERROR, True),
    (KeyError("missing"), TEMPORARY, Reason.INTERNAL_ERROR, True),
    (ValueError("odd"), TEMPORARY, Reason.INTERNAL_ERROR, True),
    (OSError("disk"), TEMPORARY, Reason.INTERNAL_ERROR, True),
]


@pytest.mark.parametrize(("error", "permanence", "reason", "unexpected"), CASES)
def test_every_error_family_is_classified_in_one_place(
    error: Exception, permanence: Permanence, reason: Reason, unexpected: bool
) -> None:
    classified = classify(error, reason=Reason.CONFIGMAP_REJECTED)  # the reason for a refused step
    assert classified.permanence is permanence
    assert classified.reason == reason
    assert is_unexpected(error) is unexpected
    assert str(error).strip("'") in str(classified)
    # the condition's reason alone tells a later reconcile whether the failure is retried
    assert is_temporary(classified.reason) is (permanence is TEMPORARY)


def test_a_service_error_comes_back_as_it_is() -> None:
    error = InvalidRequestError("x", field="spec.window", reason="ConfigMapConflict")
    assert classify(error, reason=Reason.CONFIGMAP_REJECTED) is error


def test_retry_after_and_a_scrubbed_message_are_carried() -> None:
    error = ForgeError("HTTP 429 token ghp_x", "temporary", 429, retry_after=90)
    classified = classify(error, message="HTTP 429 token ***")
    assert classified.retry_after == 90 and "ghp_x" not in str(classified)


def test_cancellation_is_not_an_error_to_classify() -> None:
    """A cancelled scan is an outcome, not a failure: it is not a PolicygenError nor an adapter error."""
    assert not issubclass(ScanCancelled, (InvalidRequestError, TemporaryError, AwsError, KubernetesError))


def test_the_temporary_reasons_are_exactly_these() -> None:
    """What the schedule retries after the backoff: a new temporary reason is added here on purpose."""
    temporary = {
        Reason.TEMPORARY_FAILURE,
        Reason.INTERNAL_ERROR,
        Reason.SOURCE_NOT_FOUND,
        Reason.REPOSITORY_REF_NOT_FOUND,
    }
    assert {r for r in Reason if is_temporary(r)} == temporary
    assert not any(is_temporary(r) for r in EventReason)


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_reasons_are_written_as_named_constants_only() -> None:
    """No service or handler module but reasons.py spells a reason: no literal to compare, none to drift.

    (Adapters are left out: AWS error codes such as ``InternalError`` are the other side's words.)
    """
    names = {r.value for r in Reason} | {r.value for r in EventReason}
    condition_types = {"Ready", "Generated", "Scanned"}  # also condition types, spelled where defined
    found = {
        (path.relative_to(PACKAGE).as_posix(), text)
        for layer in ("services", "handlers")
        for path in (PACKAGE / layer).rglob("*.py")
        if path.name != "reasons.py"
        for text in _string_constants(path)
        if text in names - condition_types
    }
    assert found == set()
