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


def serve(port: int) -> None:
    """Start the /metrics endpoint on a daemon thread; port 0 means disabled."""
    if port:
        start_http_server(port, registry=REGISTRY)
