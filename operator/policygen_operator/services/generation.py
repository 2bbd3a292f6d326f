"""Run one generation: the use case the CLI and the operator share.

Callers describe *what* they want (principals, where the logs are, the window, policy options);
this module picks the adapter for the source, drives the domain scan, builds and validates the
policies, and returns everything a report, a status or a pull request needs.

CONTRACT (filled in by the engine work, issue #2; the operator and the pull-request writer code against it):
- ``run_generation`` is synchronous and CPU-bound; the operator calls it from a worker thread.
- ``progress`` is called now and then (at most a few times per second) from that thread.
- ``cancel.is_set()`` is checked between files; when set, ``domain.engine.ScanCancelled`` is raised.
- raises ``InvalidRequestError`` (permanent), ``TemporaryError`` (retry), ``NoMatchingEventsError``,
  ``ValidationFailedError`` (from ``policygen_operator.services.errors``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from policygen_operator import __version__
from policygen_operator.domain.cloudtrail.limits import DEFAULT_MAX_FILE_BYTES
from policygen_operator.domain.cloudtrail.local import LOG_SUFFIXES, Listing, local_files
from policygen_operator.domain.cloudtrail.nearby import MAX_SAMPLE_FILES, near_miss, sample_callers
from policygen_operator.domain.cloudtrail.principals import Principal, PrincipalError, parse_principal
from policygen_operator.domain.cloudtrail.scan import ScanResult, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import (
    PROGRESS_EVERY,
    ScanCancelled,
    WorkItem,
    fewer_collections,
    run_scan,
)
from policygen_operator.domain.timeutil import iso
from policygen_operator.domain.usage import (
    FOLD_AT,
    MIN_TABLE_FOLD_AT,
    OVER_FOLD_AT,
    SCAN_HELD,
    PrincipalUsage,
    Usage,
    UsageSummary,
    UsageTable,
)
from policygen_operator.services.athena import AthenaLogs, QueryProgress, scan_athena
from policygen_operator.services.errors import (
    InvalidRequestError,
    NoMatchingEventsError,
    PolicygenError,
    ValidationFailedError,
    classify,
)
from policygen_operator.services.lookup import LookupEventsLogs, lookup_items
from policygen_operator.services.reasons import Reason

# POLICYGEN_NATIVE=0 reads every matched record in Python, without the native extension where it is built
# (domain/cloudtrail/native.py): the same result, slower; a way to rule the extension out of a report.
NATIVE_SWITCH = "POLICYGEN_NATIVE"

if TYPE_CHECKING:  # imported where used: validation loads the reference data
    from policygen_operator.domain.iam.validate import Finding


@dataclass(frozen=True)
class LocalLogs:
    """A file or folder of CloudTrail delivery files, JSON arrays or JSON Lines."""

    path: str
    # records of other accounts and Regions are passed over (``ScanSpec.accounts``), their folders and
    # delivery files unread where their names say so
    account_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class S3Logs:
    """A CloudTrail bucket in the delivery layout.

    Keys look like ``[prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/Y/M/D/``.
    """

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
    # The assumed role's session: a name and tags saying which namespace/resource asked, the source's
    # external id (adapters.aws.session.RoleSession; plain values here so a local scan imports no boto3).
    session_name: str | None = None
    session_tags: tuple[tuple[str, str], ...] = ()
    external_id: str | None = None


def aws_session(aws: AwsAccess) -> Any:
    """The shared boto3 session for ``aws`` (imported here: a scan of local files never loads botocore)."""
    from policygen_operator.adapters.aws.session import SESSION_NAME, RoleSession, shared_session

    identity = RoleSession(aws.session_name or SESSION_NAME, aws.session_tags, aws.external_id)
    return shared_session(aws.region, aws.role_arn, aws.endpoint_url, identity)


@dataclass(frozen=True)
class GenerationRequest:
    principals: tuple[str, ...]
    source: LocalLogs | S3Logs | AthenaLogs | LookupEventsLogs
    start: datetime  # timezone-aware UTC
    end: datetime  # timezone-aware UTC
    resource_level: bool = True
    include_denied: bool = False
    exclude_actions: tuple[str, ...] = ()
    strict: bool = False
    aws: AwsAccess = field(default_factory=AwsAccess)
    workers: int | None = None  # scan processes; None means one per core
    download_threads: int = 16  # parallel S3 downloads
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # larger log files (inflated) are skipped and named
    # Roles whose EKS Pod Identity sessions are kept apart, to split their usage per ServiceAccount
    # (Rightsizing; file sources only: Athena rows are aggregated per principal).
    split_sessions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Progress:
    files_scanned: int
    files_total: int | None  # None while S3 listing is still going
    events_scanned: int
    events_matched: int
    detail: str | None = None  # what a source without files says instead (an Athena query's state)
    query: QueryProgress | None = None  # an Athena source's query: state, bytes scanned (the status shows it)
    folders_listed: int = 0  # folders (and S3 listing pages' objects) listed so far: a large prefix or
    objects_listed: int = 0  # tree is listed for minutes before the first file is read


@dataclass
class PrincipalResult:
    principal: str
    policies: list[dict[str, Any]]  # one or more parts, each a valid policy document
    findings: list[Finding]  # each with its part; serialised (to_dict) only in the report and status
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


class _CarriesResult:
    """Failures after a scan keep what the scan found, so the CLI can still write ``--report``."""

    result: GenerationResult | None = None


class NoMatchingEvents(NoMatchingEventsError, _CarriesResult):
    def __init__(self, message: str, result: GenerationResult) -> None:
        super().__init__(message)
        self.result = result


class PolicyValidationFailed(ValidationFailedError, _CarriesResult):
    def __init__(self, message: str, result: GenerationResult) -> None:
        super().__init__(message)
        self.result = result


class BadInputError(InvalidRequestError, _CarriesResult):
    """``strict`` was asked for and some file or record could not be used."""

    reason = Reason.BAD_INPUT

    def __init__(self, message: str, result: GenerationResult) -> None:
        super().__init__(message, field="strict")
        self.result = result


def run_generation(
    request: GenerationRequest,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> GenerationResult:
    started = time.monotonic()
    principals = _principals(request.principals)
    window = _window(request)
    listing = Listing()
    athena: dict[str, Any] | None = None
    listed: list[str] = []  # the first local files listed, read again for ``_near_misses`` only
    if isinstance(request.source, AthenaLogs):
        scan, athena = _athena_scan(request, request.source, principals, window, progress, cancel)
    else:
        # every source keeps the records of the accounts and Regions asked (a LookupEvents source's regions
        # are also the histories it reads), by the records' own fields, whatever their pages or folders say
        spec = ScanSpec(
            principals=principals,
            window=window,
            max_file_bytes=request.max_file_bytes,
            split_sessions=frozenset(request.split_sessions),
            accounts=frozenset(request.source.account_ids),
            regions=frozenset(request.source.regions),
            native=_native_wanted(),
        )
        said = _SaidProgress(progress, listing) if progress is not None else None
        items, unreadable = _source_items(request, window, listing, cancel)
        if isinstance(request.source, LocalLogs):
            items = _noting(items, listed)
        scan = _scan(spec, items, request, said, cancel)
        for uri, reason in unreadable.items():
            scan.skip_file(uri, reason)
    # first: the likeliest reasons for an empty policy
    near = _near_misses(principals, scan, listed)
    hints = scan.path_hints() + scan.kind_hints() + near + scan.unsessioned_warnings()
    scan.warnings[:0] = hints + _unknown_exclusions(request)
    # the scan's result is most of the heap: with the collector's default thresholds, the objects the
    # policies and the report are built of made it traverse all of it again and again
    with fewer_collections():
        results = {
            p.arn: _principal_result(p.arn, scan.summary, request, scan.notes.get(p.arn)) for p in principals
        }
        report = _report(request, window, scan, listing, results, time.monotonic() - started)
    if athena is not None:
        report["athena"] = athena
    outcome = GenerationResult(summary=scan.summary, results=results, report=report)
    _raise_for_outcome(request, scan, outcome, listing, near)
    return outcome


def _native_wanted() -> bool:
    """The extension's fast paths (the scan's reader, compaction) unless ``POLICYGEN_NATIVE=0``."""
    return os.environ.get(NATIVE_SWITCH, "1") != "0"


def _noting(items: Iterator[WorkItem], listed: list[str]) -> Iterator[WorkItem]:
    """The items as they are, the paths of the first ``MAX_SAMPLE_FILES`` noted in ``listed`` on the way: a
    list append per file for those, nothing after."""
    for item in items:
        if len(listed) < MAX_SAMPLE_FILES and isinstance(item[1], str):
            listed.append(item[1])
        yield item


# Principals that matched nothing that are compared with the sampled callers at most (``nearby.MAX_CALLERS``
# bounds each comparison): a fleet's idle principals are not all typos, and the hint is for a few.
MAX_NEAR_PRINCIPALS = 10


# How the report's warning of an excluded action pattern that names no action begins (the CLI says it
# before the scan, and not again with the report's warnings)
EXCLUDED_ACTION = "excluded action "


def _unknown_exclusions(request: GenerationRequest) -> list[str]:
    """Each excluded action pattern that names no action of the reference data (``--exclude-action``,
    ``spec.policy.excludeActions``): it excludes nothing, so the report says so (``Reference.
    unknown_patterns``), for the operator's ConfigMap as for the CLI's ``--report``."""
    if not request.exclude_actions:
        return []
    from policygen_operator.domain.iam.reference import load_reference

    return [EXCLUDED_ACTION + said for said in load_reference().unknown_patterns(request.exclude_actions)]


def _near_misses(principals: tuple[Principal, ...], scan: ScanResult, listed: list[str]) -> list[str]:
    """For each requested principal that matched no event and has no path or kind hint, the caller of the
    first files listed whose ARN is nearly its own (``domain.cloudtrail.nearby``): a typo in the name, the
    path or the account matched nothing, and the run said only that. Only local files are read again:
    fetching S3 objects or LookupEvents pages a second time costs requests and time a hint is not worth,
    and keeping their bytes through the scan would hold memory in every run. Nothing is read when every
    principal matched."""
    if not listed:
        return []
    hinted = scan.hinted()
    missing = [p for p in principals if not scan.matched.get(p.arn) and p.arn not in hinted]
    if not missing:
        return []
    callers, read = sample_callers(listed)
    others = callers - {p.arn for p in principals}  # one asked for is no other's typo
    hints = []
    for principal in missing[:MAX_NEAR_PRINCIPALS]:
        if principal.arn in callers:  # its calls are there, outside the window or --account/--region
            continue
        near = near_miss(principal, others)
        if near is not None:
            hints.append(
                f"{principal.arn} matched no event; did you mean {near}, a caller in the first {read} "
                "file(s) read?"
            )
    return hints


def _principals(arns: tuple[str, ...]) -> tuple[Principal, ...]:
    if not arns:
        raise InvalidRequestError("at least one principal ARN is needed", field="principals")
    parsed: dict[str, Principal] = {}
    for arn in arns:
        try:
            principal = parse_principal(arn)
        except PrincipalError as error:
            raise InvalidRequestError(str(error), field="principals") from error
        parsed.setdefault(principal.arn, principal)
    return tuple(parsed.values())


def _window(request: GenerationRequest) -> Window:
    try:
        return Window(request.start, request.end)
    except ValueError as error:
        raise InvalidRequestError(str(error), field="window") from error


def _source_items(
    request: GenerationRequest, window: Window, listing: Listing, cancel: threading.Event | None = None
) -> tuple[Iterator[WorkItem], dict[str, str]]:
    """The files to scan, lazily, and a dict that fills with S3 objects and folders that could not be
    read."""
    source = request.source
    if isinstance(source, LocalLogs):
        if not os.path.exists(source.path):
            raise InvalidRequestError(f"{source.path}: no such file or folder", field="logs")
        if not os.access(source.path, os.R_OK):
            raise InvalidRequestError(f"{source.path}: not readable", field="logs")
        unreadable: dict[str, str] = {}
        files = local_files(source.path, window, listing, source.account_ids, source.regions, unreadable)
        return files, unreadable
    if isinstance(source, LookupEventsLogs):
        return _lookup_items(request, source, window, cancel), {}
    if not isinstance(source, S3Logs):
        raise TypeError(f"{type(source).__name__} has no files to scan")  # AthenaLogs goes to _athena_scan
    from policygen_operator.adapters.aws.s3 import S3DeliveryLogs, locate
    from policygen_operator.adapters.aws.session import s3_client

    try:
        session = aws_session(request.aws)
        client = s3_client(session, source.endpoint_url, request.download_threads + 4)
    except Exception as error:  # botocore raises many kinds while resolving credentials or a role
        raise _aws_error(error) from error
    location = locate(
        source.bucket, source.prefix, source.organization_id, source.account_ids, source.regions
    )
    logs = S3DeliveryLogs(
        client,
        location,
        window,
        listing,
        threads=request.download_threads,
        cancel=cancel,
        max_object_bytes=request.max_file_bytes,
    )
    return logs.objects(), logs.unreadable


def _lookup_items(
    request: GenerationRequest, source: LookupEventsLogs, window: Window, cancel: threading.Event | None
) -> Iterator[WorkItem]:
    try:
        session = aws_session(request.aws)
    except Exception as error:  # botocore raises many kinds while resolving credentials or a role
        raise _aws_error(error) from error
    return lookup_items(source, session, window, cancel)


def _athena_scan(
    request: GenerationRequest,
    source: AthenaLogs,
    principals: tuple[Principal, ...],
    window: Window,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> tuple[ScanResult, dict[str, Any]]:
    try:
        session = aws_session(request.aws)
    except Exception as error:  # botocore raises many kinds while resolving credentials or a role
        raise _aws_error(error) from error
    say = (lambda q: progress(Progress(0, None, 0, 0, q.line, q))) if progress is not None else None
    return scan_athena(source, principals, window, session=session, progress=say, cancel=cancel)


class _SaidProgress:
    """The scan's progress and the listing's, in one ``Progress``: the engine says the files scanned after
    each file, the listing (``Listing.tick``) what it has listed after each folder or page, at most every
    ``PROGRESS_EVERY`` seconds, so a walk of a large prefix that finds no file for minutes is seen to move."""

    def __init__(self, progress: ProgressCallback, listing: Listing) -> None:
        self.progress = progress
        self.listing = listing
        self.files = self.events = self.matched = 0
        self.last = time.monotonic()  # the first listing progress after PROGRESS_EVERY, as the engine's
        listing.tick = self.listed

    def scanned(self, result: ScanResult, files: int) -> None:
        self.files, self.events = files, result.summary.events_scanned
        self.matched = result.summary.events_matched
        self.say()

    def listed(self) -> None:
        if time.monotonic() - self.last >= PROGRESS_EVERY:
            self.say()

    def say(self) -> None:
        self.last = time.monotonic()
        listing = self.listing
        self.progress(
            Progress(
                self.files,
                None,
                self.events,
                self.matched,
                folders_listed=listing.folders_listed,
                objects_listed=listing.objects_listed,
            )
        )


def _scan(
    spec: ScanSpec,
    items: Iterator[WorkItem],
    request: GenerationRequest,
    progress: _SaidProgress | None,
    cancel: threading.Event | None,
) -> ScanResult:
    try:
        return run_scan(
            spec,
            items,
            workers=request.workers,
            progress=progress.scanned if progress is not None else None,
            cancelled=(lambda: cancel.is_set()) if cancel is not None else None,
        )
    except ScanCancelled:
        raise  # the one cancellation type: callers catch the domain's own
    except Exception as error:
        # Imported here: a scan of local files must not pay for importing botocore.
        from policygen_operator.adapters.aws.errors import AwsError

        if isinstance(error, AwsError):
            raise classify(error, field=error.field) from error
        raise


def _aws_error(error: Exception) -> PolicygenError:
    """A failure while setting up AWS access: botocore's as the AWS adapter reads it, the rest by the rule."""
    from policygen_operator.adapters.aws.errors import AwsError
    from policygen_operator.adapters.aws.errors import classify as classify_aws

    mapped = classify_aws(error, "connecting to AWS", field="aws")
    return classify(mapped, field=mapped.field if isinstance(mapped, AwsError) else "aws")


def _granted(table: UsageTable, request: GenerationRequest) -> dict[str, set[str]]:
    """The resources a policy grants per action of a table: minus excluded actions, ``*`` for every
    resource when resource level is off. Keys only: a policy is built from them, and a table of a
    cluster's roles holds hundreds of thousands."""
    from policygen_operator.domain.iam.policy import excluded_by

    granted = table.resources_per_action()
    if not request.resource_level:
        granted = {action: {"*"} for action in granted}
    if request.exclude_actions:
        is_excluded = excluded_by(request.exclude_actions)
        granted = {action: resources for action, resources in granted.items() if not is_excluded(action)}
    return granted


def _principal_result(
    arn: str,
    summary: UsageSummary,
    request: GenerationRequest,
    notes: Mapping[tuple[str, str, str], int] | None = None,
) -> PrincipalResult:
    from policygen_operator.domain.iam.canonical import policy_characters
    from policygen_operator.domain.iam.policy import PolicyOptions, build_policies_per_action
    from policygen_operator.domain.iam.validate import validate_policy

    usage = summary.principals.get(arn)
    allowed = _granted(usage.allowed, request) if usage else {}
    denied = _granted(usage.denied, request) if usage else {}
    if request.include_denied:
        for action, resources in denied.items():
            allowed[action] = allowed[action] | resources if action in allowed else resources
    # excluded actions are out of ``allowed`` already
    options = PolicyOptions(request.resource_level, native=_native_wanted())
    policies, compactions = build_policies_per_action(allowed, options) if allowed else ([], [])
    from policygen_operator.domain.iam.validate import Finding as Found

    findings = [  # the mapper's findings first (PassRole left out, names a policy cannot write)
        Found.from_dict({"severity": severity, "code": code, "message": f"{message} ({count} event(s))"})
        for (severity, code, message), count in sorted((notes or {}).items())
    ]
    findings += [  # what compaction widened: never a silent wider pattern
        Found.from_dict(
            {
                "severity": "warning",
                "code": "compacted",
                "message": f"{c.pattern} stands for {c.covered} ARN(s) the calls used "
                f"({', '.join(c.actions)}): past {options.compaction_threshold} ARNs of one kind a policy "
                "names them by a pattern, which also allows the ones of that name no call used",
            }
        )
        for c in compactions
    ]
    findings += [  # what the scan folded to keep its memory bounded (``domain.usage.FOLD_AT``, ``SCAN_HELD``)
        Found.from_dict(
            {
                "severity": "warning",
                "code": "folded",
                "message": f"{pattern} stands for the {action} calls ({folded.count} call(s)) on more than "
                f"{min(FOLD_AT, OVER_FOLD_AT):,} ARNs of one kind: a scan keeps {FOLD_AT:,} of one kind per "
                f"action, and {OVER_FOLD_AT:,} once a principal's calls name more than its share of the "
                f"{SCAN_HELD:,} ARNs a scan holds ({MIN_TABLE_FOLD_AT:,} to {FOLD_AT:,} each), then their "
                "common prefix, which also allows the ones of that prefix no call used",
            }
        )
        for action, pattern, folded in _folded(usage, request)
    ]
    findings += [
        replace(finding, part=part)
        for part, document in enumerate(policies, start=1)
        for finding in validate_policy(document)
    ]
    actions = sorted(allowed)
    return PrincipalResult(
        principal=arn,
        policies=policies,
        findings=findings,
        actions=actions,
        services=sorted({a.split(":", 1)[0] for a in actions}),
        characters=sum(policy_characters(p) for p in policies),
        denied_actions=sorted(denied),
    )


def _folded(usage: PrincipalUsage | None, request: GenerationRequest) -> list[tuple[str, str, Usage]]:
    """The folds a policy grants: of the allowed calls (and the refused ones with ``include_denied``), minus
    excluded actions; none without resource level (every grant is ``*`` then)."""
    if usage is None or not request.resource_level:
        return []
    from policygen_operator.domain.iam.policy import excluded_by

    is_excluded = excluded_by(request.exclude_actions)
    tables = (usage.allowed, usage.denied) if request.include_denied else (usage.allowed,)
    kept: dict[tuple[str, str], Usage] = {}  # one grant however many tables folded it: said once
    for table in tables:
        for action, pattern, folded in table.folded():
            if is_excluded(action):
                continue
            if (mine := kept.get((action, pattern))) is None:
                kept[(action, pattern)] = Usage(folded.count, folded.first_seen, folded.last_seen)
            else:
                mine.add(folded)
    return [(action, pattern, folded) for (action, pattern), folded in sorted(kept.items())]


def _nothing_to_allow(summary: UsageSummary, reason_of: Callable[[str], str] = lambda _: "ignored") -> str:
    """Why matched events gave no policy, by what the mapper made of them: events it did not understand
    (unmapped) are named as such, never counted among the ones that need no permission."""
    parts: list[str] = []
    unmapped = sum(summary.unmapped.values())
    ignored = sum(summary.ignored.values())
    if unmapped:
        names = sorted(summary.unmapped)
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        parts.append(f"{unmapped} not understood (unmapped: {', '.join(names[:3])}{more}; see the report)")
    if ignored:
        why = [f"{key}: {reason_of(key)}" for key in sorted(summary.ignored)[:3]]
        parts.append(f"{ignored} ignored ({'; '.join(why)})")
    rest = summary.events_matched - unmapped - ignored
    if rest > 0:
        refused = any(usage.denied for usage in summary.principals.values())
        hint = " (--include-denied grants the refused ones)" if refused else ""
        parts.append(f"{rest} mapped to calls that were refused or excluded{hint}")
    return f"{summary.events_matched} event(s) of the principal(s) matched, no policy to write: " + "; ".join(
        parts
    )


def _no_usable_event(own_bad_records: int) -> str:
    """Why nothing matched. Records of the principals that could not be used (an export that renamed
    eventTime) are their calls all the same: "no event of the principal(s)" would tell the reader, or a
    script reading the message, that they made none."""
    if own_bad_records:
        return (
            f"no usable event of the principal(s) in the window: {own_bad_records} record(s) of theirs could "
            "not be used (see the warnings)"
        )
    return "no event of the principal(s) in the window"


def _raise_for_outcome(
    request: GenerationRequest,
    scan: ScanResult,
    outcome: GenerationResult,
    listing: Listing,
    near: list[str],
) -> None:
    summary = scan.summary
    if request.strict and (summary.skipped_files or summary.bad_records):
        raise BadInputError(
            f"--strict: {len(summary.skipped_files)} file(s) skipped and {summary.bad_records} record(s) "
            "unusable (see the warnings)",
            outcome,
        )
    if not any(r.policies for r in outcome.results.values()):
        matched = summary.events_matched
        detail = (
            _nothing_to_allow(summary, scan.ignored_reason)
            if matched
            else _no_usable_event(sum(summary.bad_records_of.values()))
        )
        hints = scan.path_hints() + scan.kind_hints() + near
        if hints:
            detail += f"; {hints[0]}"
        if not matched and scan.records_filtered_out:
            detail += (
                f"; {scan.records_filtered_out} event(s) of the principal(s) in the window were of other "
                "accounts or Regions than the ones asked for (recipientAccountId, awsRegion)"
            )
        if not matched:
            detail += _outside_window(request, scan, listing) + _nothing_to_read(request, scan, listing)
        if not matched and scan.not_cloudtrail_files and scan.not_cloudtrail_files == summary.files_scanned:
            # a folder of another tool's JSON: each file read, none a CloudTrail file
            named = ", ".join(scan.not_cloudtrail)
            more = scan.not_cloudtrail_files - len(scan.not_cloudtrail)
            detail += (
                f"; none of the {summary.files_scanned} file(s) read holds a CloudTrail record (no "
                f"eventVersion or eventSource in them: {named}{f' and {more} more' if more else ''}): are "
                "these CloudTrail logs?"
            )
        if not matched and listing.not_logs:
            # a folder of text logs, or of a format not read: every file passed over, and "0 file(s)
            # scanned" alone does not say why
            where = (
                "file(s) in the folder"
                if isinstance(request.source, LocalLogs)
                else f"object(s) under {_describe_source(request.source)}"
            )
            detail += (
                f"; {listing.not_logs} {where} were passed over, neither named as log files "
                f"({', '.join(LOG_SUFFIXES)}) nor beginning as JSON, gzip or a CloudWatch Logs export"
            )
        raise NoMatchingEvents(
            f"{detail} ({summary.files_scanned} file(s), {summary.events_scanned} event(s) scanned)", outcome
        )
    failed = {
        principal: errors
        for principal, r in outcome.results.items()
        if (errors := [f for f in r.findings if f.severity == "error"])
    }
    if failed:
        # which principal's policy to look at: one scan may be for hundreds, and none is published
        principal, errors = next(iter(failed.items()))
        others = f" and {len(failed) - 1} other principal(s)" if len(failed) > 1 else ""
        count = sum(len(e) for e in failed.values())
        raise PolicyValidationFailed(
            f"{count} validation error(s) in the policy of {principal}{others}, first: {errors[0].code}: "
            f"{errors[0].message}",
            outcome,
        )


def _outside_window(request: GenerationRequest, scan: ScanResult, listing: Listing) -> str:
    """What the window left out, when nothing matched: logs of other dates than the window's (the default
    lookback of 90 days over an older export, the shipped samples months later) were said as "0 file(s)
    scanned" alone, the window itself unsaid when it was the default one. Files and folders passed over
    for their dates are said only when no file was read: beside files that were, they are the rest of a
    long history, not a sign that the window missed the logs (a mistyped ARN matches nothing either)."""
    passed_over = scan.summary.files_scanned == 0  # else the files and folders passed over go unsaid
    parts = [
        f"{count} {what}"
        for count, what in (
            (scan.records_outside_window, "event(s) of the principal(s) in the files read"),
            (listing.outside_window if passed_over else 0, "delivery file(s) not read"),
            (listing.folders_outside_window if passed_over else 0, "day or time folder(s) not entered"),
        )
        if count
    ]
    if not parts:
        return ""
    return (
        f"; outside the window ({iso(request.start)} to {iso(request.end)}): {', '.join(parts)} (does the "
        "window reach the logs' dates?)"
    )


def _nothing_to_read(request: GenerationRequest, scan: ScanResult, listing: Listing) -> str:
    """Why no file was read, when nothing was there to read: a window that starts after the run began (an
    explicit start next year; CloudTrail delivers about every 5 minutes what was logged, never what will
    be), or a path or prefix with no log file of the window under it. Both were said as "0 file(s)
    scanned" alone, the words an idle principal gets too."""
    if scan.summary.files_scanned or scan.summary.skipped_files:
        return ""
    now = datetime.now(UTC)
    if request.start > now:
        return (
            f"; the window starts after this run began ({iso(request.start)} is later than {iso(now)}): "
            "CloudTrail has logged nothing for it yet"
        )
    if not isinstance(request.source, (LocalLogs, S3Logs)):
        return ""  # a query or an API call: nothing is listed
    if listing.objects_listed or listing.outside_window or listing.folders_outside_window:
        return ""  # files were there, passed over for their dates or kinds: said by the other hints
    return (
        f"; no log file of the window was found under {_describe_source(request.source)}: is that where the "
        "trail's logs are?"
    )


def _report(
    request: GenerationRequest,
    window: Window,
    scan: ScanResult,
    listing: Listing,
    results: dict[str, PrincipalResult],
    seconds: float,
) -> dict[str, Any]:
    summary = scan.summary
    from policygen_operator.domain.iam.canonical import policy_sha256

    return {
        "policygenVersion": __version__,
        "source": _describe_source(request.source),
        "window": {"start": iso(window.start), "end": iso(window.end)},
        "options": {
            "resourceLevel": request.resource_level,
            "includeDenied": request.include_denied,
            "excludeActions": list(request.exclude_actions),
            "strict": request.strict,
        },
        "filesScanned": summary.files_scanned,
        "filesSkipped": dict(sorted(summary.skipped_files.items())),
        "filesNotRead": {**listing.to_dict(), "noPrincipalInFile": scan.files_without_principal},
        "foldersNotEntered": listing.folders(),
        "eventsScanned": summary.events_scanned,
        "eventsMatched": summary.events_matched,
        "eventsOutsideWindow": scan.records_outside_window,
        "eventsExcludedByAccountOrRegion": scan.records_filtered_out,
        "badRecords": summary.bad_records,
        "rawDataRecords": summary.raw_data_records,
        "bytesRead": scan.bytes_read,
        "seconds": round(seconds, 3),
        "eventsPerSecond": round(summary.events_scanned / seconds) if seconds > 0 else None,
        "unmapped": dict(sorted(summary.unmapped.items())),
        "ignored": dict(sorted(summary.ignored.items())),
        "ignoredReasons": {key: scan.ignored_reason(key) for key in sorted(summary.ignored)},
        "warnings": scan.warnings
        + ([f"... and {scan.warnings_dropped} more"] if scan.warnings_dropped else []),
        "principals": {
            arn: _principal_report(arn, summary, scan, result, policy_sha256)
            for arn, result in results.items()
        },
    }


def _principal_report(
    arn: str,
    summary: UsageSummary,
    scan: ScanResult,
    result: PrincipalResult,
    sha256: Callable[[dict[str, Any]], str],
) -> dict[str, Any]:
    usage = summary.principals.get(arn)
    return {
        "eventsMatched": scan.matched.get(arn, 0),
        # its own records that lacked a field, and those of no known principal (``bad_records_for``)
        "badRecords": summary.bad_records_for(arn),
        "actions": _per_action(usage.allowed) if usage else {},
        "denied": _per_action(usage.denied) if usage else {},
        "unmapped": dict(sorted(scan.unmapped.get(arn, {}).items())),
        "ignored": dict(sorted(scan.ignored.get(arn, {}).items())),
        "policies": [
            {"part": n, "sha256": sha256(doc), "statements": len(doc.get("Statement", []))}
            for n, doc in enumerate(result.policies, start=1)
        ],
        "characters": result.characters,
        "findings": [f.to_dict() for f in result.findings],
    }


def _per_action(table: UsageTable) -> dict[str, dict[str, Any]]:
    """Per action: calls, first and last seen, and the resources it touched (sorted)."""
    return {
        action: {"count": count, "firstSeen": first, "lastSeen": last, "resources": sorted(resources)}
        for action, (count, first, last, resources) in sorted(table.per_action().items())
    }


def _describe_source(source: LocalLogs | S3Logs | AthenaLogs | LookupEventsLogs) -> str:
    if isinstance(source, LocalLogs):
        return source.path
    if isinstance(source, (AthenaLogs, LookupEventsLogs)):
        return source.describe()
    return f"s3://{source.bucket}/{source.prefix}"
