"""Run one generation: the use case the CLI and the operator share.

Callers describe *what* they want (principals, where the logs are, the window, policy options);
this module picks the adapter for the source, drives the domain scan, builds and validates the
policies, and returns everything a report, a status or a pull request needs.

CONTRACT (filled in by the engine work, issue #2; the operator and the pull-request writer code against it):
- ``run_generation`` is synchronous and CPU-bound; the operator calls it from a worker thread.
- ``progress`` is called now and then (at most a few times per second) from that thread.
- ``cancel.is_set()`` is checked between files; when set, ``CancelledError`` is raised.
- raises ``InvalidRequestError`` (permanent), ``TemporaryError`` (retry), ``NoMatchingEventsError``,
  ``ValidationFailedError`` (from ``policygen_operator.services.errors``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from policygen_operator.domain.usage import UsageSummary


@dataclass(frozen=True)
class LocalLogs:
    """A file or folder of CloudTrail delivery files, JSON arrays or JSON Lines."""

    path: str


@dataclass(frozen=True)
class S3Logs:
    """A CloudTrail bucket in the delivery layout (``[prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/Y/M/D/``)."""

    bucket: str
    prefix: str = ""
    organization_id: str | None = None
    account_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None


@dataclass(frozen=True)
class AwsAccess:
    """How to reach AWS: the default boto3 chain, optionally assuming a role first."""

    region: str | None = None
    role_arn: str | None = None
    endpoint_url: str | None = None  # STS/IAM endpoint override (tests use moto's server)


@dataclass(frozen=True)
class GenerationRequest:
    principals: tuple[str, ...]
    source: LocalLogs | S3Logs
    start: datetime  # timezone-aware UTC
    end: datetime  # timezone-aware UTC
    resource_level: bool = True
    include_denied: bool = False
    exclude_actions: tuple[str, ...] = ()
    strict: bool = False
    aws: AwsAccess = field(default_factory=AwsAccess)
    workers: int | None = None  # scan processes; None means one per core


@dataclass(frozen=True)
class Progress:
    files_scanned: int
    files_total: int | None  # None while S3 listing is still going
    events_scanned: int
    events_matched: int


@dataclass
class PrincipalResult:
    principal: str
    policies: list[dict[str, Any]]  # one or more parts, each a valid policy document
    findings: list[dict[str, Any]]  # {"severity", "code", "message", "part", "sid"?}
    actions: list[str]  # sorted distinct actions across parts
    services: list[str]  # sorted distinct IAM prefixes
    characters: int  # policy size without white space, summed over parts
    denied_actions: list[str]


@dataclass
class GenerationResult:
    summary: UsageSummary
    results: dict[str, PrincipalResult]  # by principal ARN, in request order
    report: dict[str, Any]  # the JSON report of ``policygen generate --report``


ProgressCallback = Callable[[Progress], None]


def run_generation(
    request: GenerationRequest,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> GenerationResult:
    raise NotImplementedError("issue #2: the engine fills this in")
