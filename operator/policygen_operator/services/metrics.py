"""Prometheus metrics of the operator: what an on-call person asks first (is it working, how slow, how busy).

A private registry, so importing this module twice (tests) never trips prometheus_client's duplicate check
and the endpoint serves only our series plus the process collector.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.process_collector import ProcessCollector

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

GENERATIONS = Counter(
    "policygen_generations_total",
    "Generations finished, by result: succeeded, invalid, no_events, validation_failed, temporary, "
    "cancelled, error.",
    ["result"],
    registry=REGISTRY,
)
DURATION = Histogram(
    "policygen_generation_duration_seconds",
    "Wall-clock seconds of a generation, scan included.",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
    registry=REGISTRY,
)
EVENTS_SCANNED = Counter(
    "policygen_events_scanned_total", "CloudTrail events read by finished generations.", registry=REGISTRY
)
IN_FLIGHT = Gauge(
    "policygen_runs_in_flight", "Generations running or waiting for a scan slot.", registry=REGISTRY
)
CONFIGMAP_WRITES = Counter(
    "policygen_configmap_writes_total",
    "ConfigMap writes (skipped when the policy did not change).",
    registry=REGISTRY,
)

RIGHTSIZING_SCANS = Counter(
    "policygen_rightsizing_scans_total",
    "CloudTrail scans made by a Rightsizing or ClusterRightsizing (one per schedule for all its roles).",
    ["parent"],
    registry=REGISTRY,
)
ROLE_ACTIONS = Gauge(
    "policygen_rightsizing_role_actions",
    "Per role found by a rightsizing parent: granted, used and unused actions after the last scan.",
    ["parent", "role", "kind"],
    registry=REGISTRY,
)
_ROLE_KINDS = {"granted": "grantedActions", "used": "usedActions", "unused": "unusedActions"}
_ROLES: dict[str, set[str]] = {}


def set_role(parent: str, role: str, counts: dict[str, object]) -> None:
    for kind, key in _ROLE_KINDS.items():
        ROLE_ACTIONS.labels(parent, role, kind).set(float(counts[key]))  # type: ignore[arg-type]
    _ROLES.setdefault(parent, set()).add(role)


def forget_roles(parent: str, keep: set[str]) -> None:
    """Drop the series of roles a parent no longer has, so a dashboard does not show ghosts."""
    for role in _ROLES.get(parent, set()) - keep:
        for kind in _ROLE_KINDS:
            ROLE_ACTIONS.remove(parent, role, kind)
    _ROLES[parent] = _ROLES.get(parent, set()) & keep


def serve(port: int) -> None:
    """Start the /metrics endpoint on a daemon thread; port 0 means disabled."""
    if port:
        start_http_server(port, registry=REGISTRY)
