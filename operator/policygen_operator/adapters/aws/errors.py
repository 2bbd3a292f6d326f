"""What a botocore failure means for a scan: give up, retry later, or skip one object.

Adapters sit below services, so they raise ``AwsError`` with the shared ``Permanence``;
``services.errors.classify`` turns it into ``InvalidRequestError`` or ``TemporaryError``.
"""

from __future__ import annotations

import os

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    InvalidRegionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
)

from policygen_operator.adapters.errors import AdapterError, Permanence

PERMANENT = Permanence.PERMANENT
# botocore's own errors that a retry cannot fix: the configuration is wrong.
CONFIGURATION_ERRORS = (
    InvalidRegionError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
)

TEMPORARY_CODES = {
    "Throttling",
    "ThrottlingException",
    "SlowDown",
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "ServiceUnavailable",
    "InternalError",
    "503",
    "500",
    "RequestLimitExceeded",
    "TooManyRequestsException",
}
# Object-level failures that make one file unreadable but leave the rest of the scan valid.
UNREADABLE_OBJECT_CODES = {
    "NoSuchKey",
    "AccessDenied",
    "InvalidObjectState",
    "KMS.DisabledException",
    "KMS.AccessDeniedException",
    "KMS.NotFoundException",
    "403",
    "404",
}


class AwsError(AdapterError):
    """An AWS call failed; ``field`` names the input that led to it (``logs`` or ``aws``, or the
    environment variable, ``AWS_PROFILE``, that named a profile no AWS config file holds)."""

    def __init__(self, message: str, *, permanence: Permanence, field: str = "logs") -> None:
        super().__init__(message, permanence=permanence)
        self.field = field


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def profile_variable(error: ProfileNotFound) -> str:
    """The environment variable that named the missing profile: botocore reads ``AWS_DEFAULT_PROFILE``
    before ``AWS_PROFILE``; ``AWS_PROFILE`` when neither holds it."""
    profile = error.kwargs.get("profile")
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        if variable in os.environ and os.environ[variable] == profile:
            return variable
    return "AWS_PROFILE"


def classify(error: Exception, what: str, field: str = "logs") -> Exception:
    """Map a botocore failure of ``what`` (e.g. ``listing s3://b/p``) to an ``AwsError``.

    Anything that is not botocore's comes back unchanged: this adapter cannot vouch for it, and the
    services' rule for unknown errors applies (``services.errors.classify``).
    """
    if isinstance(error, ClientError):
        code = error_code(error)
        message = error.response.get("Error", {}).get("Message", "") or code
        permanence = Permanence.TEMPORARY if code in TEMPORARY_CODES else Permanence.PERMANENT
        return AwsError(f"{what}: {code}: {message}", permanence=permanence, field=field)
    if isinstance(error, NoCredentialsError):
        return AwsError(
            f"{what}: no AWS credentials found (standard boto3 chain)", permanence=PERMANENT, field=field
        )
    if isinstance(error, ProfileNotFound):  # the environment's profile, whatever input led here
        return AwsError(f"{what}: {error}", permanence=PERMANENT, field=profile_variable(error))
    if isinstance(error, CONFIGURATION_ERRORS):
        return AwsError(f"{what}: {error}", permanence=PERMANENT, field=field)
    if isinstance(error, BotoCoreError):  # connection failures, timeouts and the rest of botocore's own
        return AwsError(f"{what}: {error}", permanence=Permanence.TEMPORARY, field=field)
    return error
