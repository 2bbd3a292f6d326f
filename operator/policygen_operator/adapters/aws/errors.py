"""What a botocore failure means for a scan: give up, retry later, or skip one object.

Adapters sit below services, so they raise their own two classes; ``services.generation`` turns them
into ``InvalidRequestError`` and ``TemporaryError``.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
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


class AwsPermanentError(Exception):
    """The request cannot succeed as written (missing bucket, no access, no credentials)."""

    def __init__(self, message: str, field: str = "logs") -> None:
        super().__init__(message)
        self.field = field


class AwsTemporaryError(Exception):
    """Throttling, timeouts, connection failures: the same request may succeed later."""


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def classify(error: Exception, what: str) -> Exception:
    """Map a botocore failure of ``what`` (e.g. ``listing s3://b/p``) to one of the two classes."""
    if isinstance(error, ClientError):
        code = error_code(error)
        message = error.response.get("Error", {}).get("Message", "") or code
        if code in TEMPORARY_CODES:
            return AwsTemporaryError(f"{what}: {code}: {message}")
        return AwsPermanentError(f"{what}: {code}: {message}")
    if isinstance(error, NoCredentialsError):
        return AwsPermanentError(f"{what}: no AWS credentials found (standard boto3 chain)")
    if isinstance(error, (EndpointConnectionError, BotoConnectionError, ReadTimeoutError)):
        return AwsTemporaryError(f"{what}: {error}")
    if isinstance(error, BotoCoreError):
        return AwsTemporaryError(f"{what}: {error}")
    return error
