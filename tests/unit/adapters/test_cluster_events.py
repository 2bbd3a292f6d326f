"""A ClusterRightsizing's events, as the operator creates them: `kubectl describe clusterrightsizing NAME`
lists them. kubectl looks a cluster-scoped object's events up in every namespace with
``involvedObject.namespace=`` (empty) in its field selector; kopf named its own namespace there, so describe
listed none. The API server accepts an event whose object names no namespace only in "" or "default" when it
has no eventTime (legacyValidateEvent). Drives KubeClient.post_cluster_event with a fake CoreV1Api; the real
API server and kubectl are in tests/integration/test_rightsizing_operator.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes_asyncio.client.rest import ApiException

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import (
    EventReporter,
    KubeClient,
    KubernetesError,
    cluster_event_body,
    event_message,
)

FLEET = {
    "apiVersion": "policygen.io/v1alpha1",
    "kind": "ClusterRightsizing",
    "name": "fleet",
    "uid": "6f1c0d2e-0b7a-4c1e-9a57-3f5f2b8d9c10",
    "controller": True,  # kopf's owner reference carries more than an object reference may
    "blockOwnerDeletion": True,
}
REPORTER = EventReporter("kopf", "dev", "kopf-event-")


class FakeCore:
    def __init__(self, error: Exception | None = None) -> None:
        self.created: list[tuple[str, dict[str, Any]]] = []
        self.error = error

    async def create_namespaced_event(self, namespace: str, body: dict[str, Any]) -> None:
        if self.error is not None:
            raise self.error
        self.created.append((namespace, body))


def client_with(core: FakeCore) -> Any:
    kube: Any = KubeClient.__new__(KubeClient)
    kube._core = core
    return kube


async def test_the_event_is_in_default_and_its_object_names_no_namespace() -> None:
    core = FakeCore()
    await client_with(core).post_cluster_event(FLEET, "Normal", "Succeeded", "one scan for 3 roles", REPORTER)
    [(namespace, body)] = core.created
    assert namespace == "default"
    stamp = body.pop("firstTimestamp")
    assert datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")  # RFC 3339, as metav1.Time reads it
    assert body == {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": "kopf-event-", "namespace": "default"},
        "involvedObject": {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "ClusterRightsizing",
            "name": "fleet",
            "uid": "6f1c0d2e-0b7a-4c1e-9a57-3f5f2b8d9c10",
        },
        "type": "Normal",
        "reason": "Succeeded",
        "message": "one scan for 3 roles",
        "source": {"component": "kopf"},  # kubectl describe's "From" column, as for kopf's own events
        "reportingComponent": "kopf",
        "reportingInstance": "dev",
        "lastTimestamp": stamp,
        "count": 1,
    }
    # no eventTime: the API server checks it by the older rules, which take an object of no namespace in
    # "default" and ask for no action
    assert "eventTime" not in body and "namespace" not in body["involvedObject"]
    json.dumps(body)  # what the generated client sends as is


def test_the_reporter_is_the_one_kopf_settings_name() -> None:
    reporter = EventReporter("policygen", "pod-7", "policygen-")
    body = cluster_event_body(FLEET, "Warning", "Failed", "x", reporter, datetime(2026, 12, 6, tzinfo=UTC))
    assert body["metadata"]["generateName"] == "policygen-"
    assert (body["source"], body["reportingComponent"], body["reportingInstance"]) == (
        {"component": "policygen"},
        "policygen",
        "pod-7",
    )
    assert body["firstTimestamp"] == body["lastTimestamp"] == "2026-12-06T00:00:00Z"


def test_a_long_message_is_cut_as_kopf_cuts_its_own() -> None:
    """kopf's MAX_MESSAGE_LENGTH (1024): the first 511 characters, "...", the last 510."""
    message = "".join(f"{i:05d}" for i in range(400))  # 2,000 characters, each place distinct
    cut = event_message(message)
    assert len(cut) == 1024
    assert cut == message[:511] + "..." + message[-510:]
    assert event_message("a" * 1024) == "a" * 1024
    body = cluster_event_body(FLEET, "Warning", "Failed", message, REPORTER, datetime.now(UTC))
    assert body["message"] == cut


@pytest.mark.parametrize(("status", "permanence"), [(403, Permanence.PERMANENT), (503, Permanence.TEMPORARY)])
async def test_a_refusal_or_an_outage_is_a_kubernetes_error_naming_where(
    status: int, permanence: Permanence
) -> None:
    refusal = ApiException(status=status, reason="Forbidden" if status == 403 else "Service Unavailable")
    refusal.body = json.dumps(
        {
            "message": 'events is forbidden: User "system:serviceaccount:policygen-system:policygen-'
            'operator" cannot create resource "events" in API group "" in the namespace "default"'
        }
    )
    with pytest.raises(KubernetesError) as err:
        await client_with(FakeCore(refusal)).post_cluster_event(FLEET, "Normal", "Succeeded", "m", REPORTER)
    assert err.value.permanence is permanence
    assert "posting the event Succeeded of ClusterRightsizing/fleet in namespace default" in str(err.value)
