"""From a PolicyGeneration's spec to the requests the services take: the desired state, computed afresh.

The API server's schema already refused malformed specs; what is left here are the checks that need the
clock (a lookback window ends now) and the defaults that belong to the operator (ConfigMap name, region).
Everything that could still be wrong raises ``InvalidRequestError`` naming the field, which becomes a
``Ready=False`` condition saying what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from policygen_operator.adapters.aws import regions
from policygen_operator.domain import timeutil
from policygen_operator.domain.cloudtrail.athena import AthenaSourceError, AthenaTable
from policygen_operator.domain.cloudtrail.limits import DEFAULT_MAX_FILE_BYTES
from policygen_operator.services.athena import AthenaLogs
from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.generation import AwsAccess, GenerationRequest, LocalLogs, S3Logs
from policygen_operator.services.lookup import LookupEventsLogs
from policygen_operator.services.pullrequest import PullRequestSpec

DEFAULT_LOOKBACK = "90d"
POLICY_KEY = "policy.json"
EARLIEST_START = datetime(2013, 11, 1, tzinfo=UTC)
LATEST_END = timeutil.LATEST_END
MAX_WINDOW = timedelta(days=400)


def parse_duration(text: str, field: str) -> timedelta:
    """The one duration grammar (``domain.timeutil``: 30m, 24h, 90d, 2w), refused naming ``field``."""
    try:
        return timeutil.parse_duration(text)
    except ValueError as error:
        raise InvalidRequestError(f"{field}: {error}", field=field) from None


def parse_time(text: str, field: str) -> datetime:
    try:
        return timeutil.parse_instant(text)
    except ValueError:
        raise InvalidRequestError(f"{field}: {text!r} is not an RFC 3339 time", field=field) from None


def window(spec: Mapping[str, Any], now: datetime) -> tuple[datetime, datetime]:
    """The window to scan: a lookback ends now; start/end are taken as given, within the CRD's bounds.

    The CRD refuses the same (a start before CloudTrail existed, an end past 2100, more than 400 days);
    checking again here keeps a spec that reached us some other way (an older CRD) from crashing the
    window code (``end: 9999-12-31T23:30:00Z`` overflows) or listing years of an organization trail.
    """
    win = spec.get("window") or {"lookback": DEFAULT_LOOKBACK}
    if win.get("start") or win.get("end"):
        start = parse_time(str(win.get("start", "")), "spec.window.start")
        end = parse_time(str(win.get("end", "")), "spec.window.end")
        if start >= end:
            raise InvalidRequestError("spec.window.start must be before spec.window.end", field="spec.window")
        if start < EARLIEST_START:
            raise InvalidRequestError(
                "spec.window.start must not be before 2013-11-01 (CloudTrail did not exist)",
                field="spec.window.start",
            )
        if end > LATEST_END:
            raise InvalidRequestError("spec.window.end must not be after 2100-01-01", field="spec.window.end")
        if end - start > MAX_WINDOW:
            raise InvalidRequestError(
                f"spec.window may span at most {MAX_WINDOW.days} days", field="spec.window"
            )
        return start, end
    lookback = parse_duration(str(win.get("lookback", DEFAULT_LOOKBACK)), "spec.window.lookback")
    if lookback > MAX_WINDOW:
        raise InvalidRequestError(
            f"spec.window.lookback may be at most {MAX_WINDOW.days} days", field="spec.window.lookback"
        )
    return now - lookback, now


SOURCE_KINDS_WITH_REGIONS = ("s3", "athena", "lookupEvents")


def region_fields(
    trail: Mapping[str, Any], aws: Mapping[str, Any], trail_field: str, aws_field: str
) -> Iterable[tuple[str, Any]]:
    """Every region name a source block and its ``aws`` block hold, with the field each is in.

    ``trail_field`` is where the source kinds sit (``spec.cloudTrail`` on a PolicyGeneration, ``spec`` on a
    source object), ``aws_field`` where ``region`` sits."""
    for kind in SOURCE_KINDS_WITH_REGIONS:
        block = trail.get(kind)
        if isinstance(block, Mapping):
            for region in block.get("regions") or ():
                yield f"{trail_field}.{kind}.regions", region
    yield from region_field(aws, aws_field)


def region_field(block: Mapping[str, Any], field: str) -> Iterable[tuple[str, Any]]:
    """The ``region`` a block sets, if it does: ``spec.aws``'s, and a RightSizing's
    ``discovery.podIdentity``'s, which holds no source kinds."""
    if block.get("region"):
        yield f"{field}.region", block["region"]


def check_regions(
    named: Iterable[tuple[str, Any]], *, reason: str | None = None, fix: str = "", field: str | None = None
) -> None:
    """Refuse the first name no AWS partition has (``adapters.aws.regions``), naming its field.

    The CRD's pattern only checks the shape (``us-est-1`` passes it): a region list only prunes the
    delivery layout's region folders or the Athena table's region partition, so a typo there reads
    nothing and the run ends as ``NoMatchingEvents`` (or a partial policy when other regions are listed);
    in ``aws.region`` or ``lookupEvents.regions`` it names an endpoint that does not exist, and the DNS
    failure is retried for ever. Neither can succeed until the spec changes, so it is permanent. ``field``
    replaces the name's own field as the error's (a source object's is the PolicyGeneration's sourceRef)."""
    try:
        regions.check_regions(named)
    except regions.UnknownRegionError as error:
        raise InvalidRequestError(
            f"{error.where}: {error}{fix}", field=field or error.where, reason=reason
        ) from None


def source(spec: Mapping[str, Any]) -> LocalLogs | S3Logs | AthenaLogs | LookupEventsLogs:
    """The resolved ``cloudTrail`` block as a source; ``lookupEvents`` comes only from a source object."""
    trail = spec.get("cloudTrail") or {}
    s3: Mapping[str, Any] = trail.get("s3") or {}
    local: Mapping[str, Any] = trail.get("local") or {}
    athena: Mapping[str, Any] = trail.get("athena") or {}
    lookup: Mapping[str, Any] | None = trail.get("lookupEvents")  # {} is a source: aws.region's history
    if [bool(s3), bool(local), bool(athena), lookup is not None].count(True) != 1:
        raise InvalidRequestError(
            "exactly one source must be set: spec.cloudTrail.s3, spec.cloudTrail.local or "
            "spec.cloudTrail.athena",
            field="spec.cloudTrail",
        )
    if lookup is not None:
        return LookupEventsLogs(
            regions=tuple(lookup.get("regions") or ()), endpoint_url=lookup.get("endpointURL") or None
        )
    if athena:
        return athena_source(athena)
    if local:
        return LocalLogs(path=str(local["path"]))
    return S3Logs(
        bucket=str(s3["bucket"]),
        prefix=str(s3.get("prefix") or ""),
        organization_id=s3.get("organizationId") or None,
        account_ids=tuple(s3.get("accountIds") or ()),
        regions=tuple(s3.get("regions") or ()),
        endpoint_url=s3.get("endpointURL") or None,
    )


def athena_source(athena: Mapping[str, Any]) -> AthenaLogs:
    """``cloudTrail.athena`` of a PolicyGeneration (or of a source object) as the Athena source."""
    try:
        table = AthenaTable(
            database=str(athena.get("database") or ""),
            table=str(athena.get("table") or ""),
            catalog=str(athena.get("catalog") or "AwsDataCatalog"),
            workgroup=athena.get("workgroup") or None,
            output_location=athena.get("outputLocation") or None,
        )
    except AthenaSourceError as error:
        raise InvalidRequestError(str(error), field="spec.cloudTrail.athena") from error
    return AthenaLogs(
        table,
        account_ids=tuple(athena.get("accountIds") or ()),
        regions=tuple(athena.get("regions") or ()),
        endpoint_url=athena.get("endpointURL") or None,
    )


def generation_request(
    spec: Mapping[str, Any],
    now: datetime,
    *,
    default_region: str | None = None,
    aws_endpoint_url: str | None = None,
    workers: int | None = 1,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> GenerationRequest:
    """The generation the spec asks for, with the window resolved against ``now``."""
    principal = str(spec.get("principalArn") or "")
    if not principal:
        raise InvalidRequestError("spec.principalArn is required", field="spec.principalArn")
    start, end = window(spec, now)
    policy = spec.get("policy") or {}
    aws = spec.get("aws") or {}
    check_regions(region_fields(spec.get("cloudTrail") or {}, aws, "spec.cloudTrail", "spec.aws"))
    return GenerationRequest(
        principals=(principal,),
        source=source(spec),
        start=start,
        end=end,
        resource_level=bool(policy.get("resourceLevel", True)),
        include_denied=bool(policy.get("includeDenied", False)),
        exclude_actions=tuple(policy.get("excludeActions") or ()),
        aws=AwsAccess(
            region=aws.get("region") or default_region,
            role_arn=aws.get("roleArn") or None,
            endpoint_url=aws_endpoint_url,
        ),
        workers=workers,
        max_file_bytes=max_file_bytes,
    )


def configmap_name(name: str, spec: Mapping[str, Any]) -> str:
    """Deterministic, so a rerun after a restart finds and replaces the same ConfigMap."""
    configured = ((spec.get("output") or {}).get("configMap") or {}).get("name")
    return str(configured or f"{name}-policy")


@dataclass(frozen=True)
class PullRequestTarget:
    spec: PullRequestSpec
    secret_name: str | None
    # Set by tenancy resolution: where the Secret lives (a ClusterPolicyRepository's: the operator's
    # namespace) and the allow-list (the admin's repository itself); None: the resource's namespace and
    # the operator's POLICYGEN_ALLOWED_REPOSITORIES.
    secret_namespace: str | None = None
    allowed_repositories: tuple[str, ...] | None = None
    repository_ref: str | None = None  # "ClusterPolicyRepository/infra": the admin's object, when named


def pull_request(spec: Mapping[str, Any]) -> PullRequestTarget | None:
    """``spec.output.pullRequest`` as the GitOps service's spec, or None when no pull request is wanted."""
    pr = (spec.get("output") or {}).get("pullRequest")
    if not pr:
        return None
    secret = (pr.get("credentialsSecretRef") or {}).get("name")
    if pr.get("provider") in ("github", "gitlab") and not secret:
        raise InvalidRequestError(
            "spec.output.pullRequest.credentialsSecretRef is required for github and gitlab",
            field="spec.output.pullRequest.credentialsSecretRef",
        )
    return PullRequestTarget(
        spec=PullRequestSpec(
            provider=str(pr["provider"]),
            repository=str(pr["repository"]),
            base_branch=str(pr.get("baseBranch") or "main"),
            path=str(pr["path"]),
            format=str(pr["format"]),
            replace_managed_policies=tuple(pr.get("replaceManagedPolicies") or ()),
            api_url=pr.get("apiURL") or None,
            labels=tuple(pr.get("labels") or ()),
            dry_run=pr.get("dryRun") is True,
        ),
        secret_name=str(secret) if secret else None,
    )


def schedule_interval(spec: Mapping[str, Any]) -> timedelta | None:
    interval = (spec.get("schedule") or {}).get("interval")
    return parse_duration(str(interval), "spec.schedule.interval") if interval else None
