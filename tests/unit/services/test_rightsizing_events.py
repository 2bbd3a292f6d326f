"""Where a rightsizing pass's transition events go (RightsizingService.post_events): a namespaced
Rightsizing's through kopf (the handler's kopf.event), a ClusterRightsizing's posted by the operator in
``default`` where `kubectl describe clusterrightsizing` lists them (kopf put them in the operator's namespace,
naming it for the object, so describe listed none). Best effort: a refusal is one warning line and never
fails the pass."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import EventReporter, KubernetesError
from policygen_operator.services.rightsizing import Event, Parent, RightsizingService
from policygen_operator.settings import OperatorSettings, from_env
from tests.fixtures.kube import FakeKube
from tests.fixtures.rightsizing import FakeAws

CLUSTER = Parent(
    "ClusterRightsizing",
    None,
    "fleet",
    "uid-fleet",
    3,
    {"childNamespace": "fleet"},
    {},
    {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "ClusterRightsizing",
        "name": "fleet",
        "uid": "uid-fleet",
        "controller": True,
        "blockOwnerDeletion": True,
    },
)
NAMESPACED = replace(
    CLUSTER,
    kind="Rightsizing",
    namespace="team-a",
    owner_reference={**CLUSTER.owner_reference, "kind": "Rightsizing"},
)
EVENTS: list[Event] = [
    ("Warning", "Failed", "DiscoveryFailed: the API server could not be reached"),
    ("Normal", "Succeeded", "one scan for 2 roles: 12 actions granted, 5 unused (42%)"),
]


def posted(
    parent: Parent, kube: FakeKube, settings: OperatorSettings | None = None
) -> list[tuple[str, str, str]]:
    """What went through kopf; what went to the API server is in ``kube.events``."""
    through_kopf: list[tuple[str, str, str]] = []
    service = RightsizingService(
        settings or OperatorSettings(),
        kube,
        FakeAws(),
        ThreadPoolExecutor(1),
        reporter=EventReporter("policygen", "test", "policygen-"),
    )
    asyncio.run(service.post_events(parent, EVENTS, lambda *event: through_kopf.append(event)))
    return through_kopf


def test_a_cluster_rightsizings_events_are_posted_in_default_naming_no_namespace() -> None:
    kube = FakeKube()
    assert posted(CLUSTER, kube) == []
    assert list(kube.events) == ["default"]
    bodies = kube.events["default"]
    assert [(b["type"], b["reason"], b["message"]) for b in bodies] == EVENTS
    for body in bodies:
        assert body["involvedObject"] == {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "ClusterRightsizing",
            "name": "fleet",
            "uid": "uid-fleet",
        }
        assert body["source"] == {"component": "policygen"}
        assert body["metadata"]["generateName"] == "policygen-"


def test_a_namespaced_rightsizings_events_still_go_through_kopf() -> None:
    kube = FakeKube()
    assert posted(NAMESPACED, kube) == EVENTS
    assert kube.events == {}


def test_the_cluster_events_switch_turns_them_off() -> None:
    kube = FakeKube()
    settings = from_env({"POLICYGEN_CLUSTER_EVENTS": "false", "POLICYGEN_WATCH_NAMESPACES": "fleet"})
    assert settings.cluster_events is False
    assert posted(CLUSTER, kube, settings) == [] and kube.events == {}
    assert from_env({"POLICYGEN_WATCH_NAMESPACES": "fleet"}).cluster_events is True  # on unless said
    assert posted(NAMESPACED, kube, settings) == EVENTS  # kopf's own posting is not this switch's


@pytest.mark.parametrize("permanence", [Permanence.PERMANENT, Permanence.TEMPORARY])
def test_a_refused_event_is_one_warning_line_for_the_transition_and_never_fails_the_pass(
    permanence: Permanence, caplog: pytest.LogCaptureFixture
) -> None:
    kube = FakeKube(
        event_error=KubernetesError(
            "posting the event Failed of ClusterRightsizing/fleet in namespace default: HTTP 403: events is "
            'forbidden: cannot create resource "events" in API group "" in the namespace "default"',
            permanence=permanence,
        )
    )
    with caplog.at_level(logging.WARNING, logger="policygen_operator.services.rightsizing"):
        assert posted(CLUSTER, kube) == []  # no exception, and kopf is not asked instead
    [line] = [r for r in caplog.records if r.name == "policygen_operator.services.rightsizing"]
    assert line.levelno == logging.WARNING
    text = line.getMessage()
    assert "ClusterRightsizing/fleet" in text and "namespace default" in text and "HTTP 403" in text
