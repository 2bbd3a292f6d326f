"""Operator settings, read once from the environment (the Helm chart and deploy/ set these variables).

One frozen value built at start-up, so a bad setting fails the process at once with a message naming the
variable, instead of surfacing later as an odd behaviour deep inside a reconcile.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from policygen_operator.adapters.aws.regions import UnknownRegionError, check_region
from policygen_operator.domain.cloudtrail.limits import DEFAULT_MAX_FILE_BYTES, parse_size

PREFIX = "POLICYGEN_"


@dataclass(frozen=True)
class OperatorSettings:
    """Everything an operator deployment can tune; the names mirror the Helm values."""

    # The namespaces watched (kopf's patterns), or every one with all_namespaces. from_env() never widens by
    # omission: with neither variable it leaves both empty/False and `policygen operator` refuses to start. A
    # settings object built in code (tests, benchmarks) restricts nothing unless it lists namespaces.
    namespaces: tuple[str, ...] = ()
    all_namespaces: bool = True
    max_concurrent_scans: int = 2
    # Scans one namespace may run at once; 0 means half of max_concurrent_scans (at least 1), so one team's
    # PolicyGenerations cannot take every slot. Queued scans wait on a semaphore, not by polling.
    max_scans_per_namespace: int = 0
    scan_timeout: float = 6 * 3600.0  # seconds one scan may run; past it the scan stops (ScanTimedOut)
    scan_workers: int = 1  # processes per scan; 1 scans inside the worker thread
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # largest log file a scan holds (inflated); larger: skipped
    aws_region: str | None = None
    aws_endpoint_url: str | None = None  # STS endpoint override (tests and mirrors)
    log_level: str = "INFO"
    log_format: str = "json"  # json | text
    metrics_port: int = 9090  # 0 disables the Prometheus endpoint
    liveness_port: int = 8080  # 0 disables /healthz
    allowed_repositories: tuple[str, ...] = ()
    # Inline spec.cloudTrail and spec.output.pullRequest.repository are honoured only single-tenant: whoever
    # writes a PolicyGeneration is then the admin. Off by default (and in the chart); see docs/tenancy.md.
    single_tenant: bool = False
    operator_namespace: str = "policygen-system"  # where ClusterPolicyRepository credentials Secrets live
    progress_interval: float = 5.0  # seconds between status.lastRun updates during a run
    schedule_check_interval: float = 60.0  # seconds between checks whether a scheduled run is due
    rightsizing_interval: float = 60.0  # seconds between rediscoveries of a rightsizing parent's roles
    # A ClusterRightsizing's events are posted in the namespace "default" (where `kubectl describe` finds a
    # cluster-scoped object's); off for clusters that forbid any write there (its status says the same).
    cluster_events: bool = True
    retry_backoff: float = 30.0  # first delay after a temporary failure; doubles up to retry_backoff_max
    retry_backoff_max: float = 600.0

    def watches(self, namespace: str) -> bool:
        """Whether the operator reconciles objects in ``namespace`` (glob patterns as kopf matches them)."""
        if self.namespaces:
            return any(fnmatchcase(namespace, pattern) for pattern in self.namespaces)
        return self.all_namespaces

    def namespace_scan_limit(self) -> int:
        """Scans one namespace may run at once: ``max_scans_per_namespace``, or 0: half the slots (min 1)."""
        limit = self.max_scans_per_namespace or max(1, self.max_concurrent_scans // 2)
        return min(limit, self.max_concurrent_scans)

    def backoff(self, retry: int) -> float:
        """Exponential backoff for TemporaryError, capped, so an outage does not become a request storm."""
        return float(min(self.retry_backoff * (2 ** max(retry, 0)), self.retry_backoff_max))


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{PREFIX}{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{PREFIX}{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{PREFIX}{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{PREFIX}{name} must be positive, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = env.get(PREFIX + name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("false", "0", "no"):
        return False
    if raw in ("true", "1", "yes"):
        return True
    raise ValueError(f"{PREFIX}{name} must be true or false, got {raw!r}")


def _pod_namespace() -> str | None:
    """The namespace a pod runs in, from its ServiceAccount mount (absent outside a cluster)."""
    try:
        with open("/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding="utf-8") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def _size(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return parse_size(raw)
    except ValueError as error:
        raise ValueError(f"{PREFIX}{name}: {error}") from None


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(PREFIX + name, "")
    return tuple(item.strip() for item in raw.replace("\n", ",").split(",") if item.strip())


def _region(env: Mapping[str, str]) -> str | None:
    """The default region of every AWS client the operator makes. A typo here sent every scan and Athena
    query to an endpoint that does not exist, failing each PolicyGeneration later with a connection error
    that never named this variable; the process refuses to start instead, as for the other settings."""
    for name in (PREFIX + "AWS_REGION", "AWS_REGION"):
        region = env.get(name)
        if region:
            try:
                check_region(region)
            except UnknownRegionError as error:
                raise ValueError(f"{name}: {error}") from None
            return region
    return None


def from_env(env: Mapping[str, str] | None = None) -> OperatorSettings:
    """Read ``POLICYGEN_*`` variables (and ``AWS_REGION`` as the region's fallback)."""
    env = os.environ if env is None else env
    log_format = env.get(PREFIX + "LOG_FORMAT", "json").lower()
    if log_format not in ("json", "text"):
        raise ValueError(f"{PREFIX}LOG_FORMAT must be json or text, got {log_format!r}")
    log_level = env.get(PREFIX + "LOG_LEVEL", "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError(f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    namespaces = _list(env, "WATCH_NAMESPACES")
    all_namespaces = _bool(env, "ALL_NAMESPACES")
    if "*" in namespaces:
        raise ValueError(f"{PREFIX}WATCH_NAMESPACES: '*' is not a namespace; set {PREFIX}ALL_NAMESPACES=true")
    if namespaces and all_namespaces:
        raise ValueError(f"set either {PREFIX}WATCH_NAMESPACES or {PREFIX}ALL_NAMESPACES=true, not both")
    return OperatorSettings(
        namespaces=namespaces,
        all_namespaces=all_namespaces,
        max_concurrent_scans=_int(env, "MAX_CONCURRENT_SCANS", 2, minimum=1),
        max_scans_per_namespace=_int(env, "MAX_SCANS_PER_NAMESPACE", 0),
        scan_timeout=_float(env, "SCAN_TIMEOUT", 6 * 3600.0),
        scan_workers=_int(env, "SCAN_WORKERS", 1, minimum=1),
        max_file_bytes=_size(env, "MAX_FILE_SIZE", DEFAULT_MAX_FILE_BYTES),
        aws_region=_region(env),
        aws_endpoint_url=env.get(PREFIX + "AWS_ENDPOINT_URL") or None,
        log_level=log_level,
        log_format=log_format,
        metrics_port=_int(env, "METRICS_PORT", 9090),
        liveness_port=_int(env, "LIVENESS_PORT", 8080),
        allowed_repositories=_list(env, "ALLOWED_REPOSITORIES"),
        single_tenant=_bool(env, "SINGLE_TENANT"),
        operator_namespace=env.get(PREFIX + "OPERATOR_NAMESPACE") or _pod_namespace() or "policygen-system",
        progress_interval=_float(env, "PROGRESS_INTERVAL", 5.0),
        schedule_check_interval=_float(env, "SCHEDULE_CHECK_INTERVAL", 60.0),
        rightsizing_interval=_float(env, "RIGHTSIZING_INTERVAL", 60.0),
        cluster_events=_bool(env, "CLUSTER_EVENTS", default=True),
        retry_backoff=_float(env, "RETRY_BACKOFF", 30.0),
        retry_backoff_max=_float(env, "RETRY_BACKOFF_MAX", 600.0),
    )
