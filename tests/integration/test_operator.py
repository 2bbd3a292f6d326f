"""The operator on the real control plane, under the RBAC that deploy/ grants, with the real engine.

Each test runs `policygen operator --namespace NS` as a subprocess with the ServiceAccount kubeconfig of
deploy/'s `policygen-operator` account, applies PolicyGenerations through the API server and reads back
status, ConfigMaps and events. Sources are the shipped sample logs (local folder, or uploaded in the
delivery layout to moto's S3 server) and, where a scan must take a while, the benchmark generator's logs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.domain.iam.canonical import canonical_json
from policygen_operator.services.generation import GenerationRequest, LocalLogs, run_generation
from policygen_operator.services.publish import policies_sha256
from tests.controlplane.client import KubeClient
from tests.fixtures.aws import moto_client, moto_server_on
from tests.fixtures.listeners import Listener
from tests.integration.operator_harness import (
    API,
    SAMPLE_PRINCIPAL,
    SAMPLE_WINDOW,
    SAMPLES,
    Operator,
    condition,
    configmap,
    create,
    events_for,
    free_port,
    get,
    make_large_logs,
    merge_patch,
    policygen_configmaps,
    running_operator,
    upload_delivery_layout,
    wait_for,
    wait_ready,
)

pytestmark = pytest.mark.controlplane


@pytest.fixture
def operator(namespace: str, operator_kubeconfig: Path, tmp_path: Path) -> Iterator[Operator]:
    with running_operator(namespace, operator_kubeconfig, tmp_path) as running:
        yield running


@pytest.fixture(scope="session")
def large_logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Enough delivery files that a one-thread scan takes seconds: room to delete or kill mid-run."""
    out = tmp_path_factory.mktemp("large-logs")
    principal = make_large_logs(out, 150_000, copies=8)  # 1.2 M events, seconds to scan
    return out, principal


LARGE_WINDOW = {"start": "2026-08-31T00:00:00Z", "end": "2026-09-03T00:00:00Z"}


def start_large_scan(kube: KubeClient, namespace: str, name: str, large_logs: tuple[Path, str]) -> None:
    """Create a PolicyGeneration over the large logs and return once its scan reports progress."""
    path, principal = large_logs
    create(kube, namespace, name, local_spec(path, principal, LARGE_WINDOW))
    wait_for(
        lambda: get(kube, namespace, name),
        lambda o: bool(o and (o.get("status", {}).get("lastRun") or {}).get("filesScanned")),
        60,
        "progress in status.lastRun",
    )


def local_spec(
    path: Path = SAMPLES, principal: str = SAMPLE_PRINCIPAL, window: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "principalArn": principal,
        "cloudTrail": {"local": {"path": str(path)}},
        "window": window or SAMPLE_WINDOW,
    }


def expected_policies(
    principal: str = SAMPLE_PRINCIPAL, path: Path = SAMPLES, **options: Any
) -> list[dict[str, Any]]:
    """What the engine itself makes of the same logs: the operator must publish exactly this."""
    request = GenerationRequest(
        principals=(principal,),
        source=LocalLogs(str(path)),
        start=datetime.fromisoformat(SAMPLE_WINDOW["start"].replace("Z", "+00:00")),
        end=datetime.fromisoformat(SAMPLE_WINDOW["end"].replace("Z", "+00:00")),
        workers=1,
        **options,
    )
    return run_generation(request).results[principal].policies


def test_local_source_ready_then_spec_change_regenerates(
    kube_admin: KubeClient, namespace: str, operator: Operator
) -> None:
    created = create(kube_admin, namespace, "orders", local_spec())
    obj = wait_ready(kube_admin, namespace, "orders", timeout=90)

    expected = expected_policies()
    status = obj["status"]
    assert status["observedGeneration"] == 1
    assert status["policy"]["sha256"] == policies_sha256(expected)
    assert canonical_json(json.loads(status["policy"]["document"])) == canonical_json(expected[0])
    assert status["policy"]["actions"] > 0 and status["configMapRef"] == {
        "name": "orders-policy",
        "key": "policy.json",
    }
    assert status["lastRun"]["eventsMatched"] > 0 and status["lastRun"]["completionTime"]
    for type_ in ("Ready", "Generated", "Published"):
        assert condition(obj, type_)["status"] == "True", condition(obj, type_)
    assert not obj["metadata"].get("finalizers")  # only scheduled resources carry kopf's finalizer

    cm = configmap(kube_admin, namespace, "orders-policy")
    assert cm is not None
    assert canonical_json(json.loads(cm["data"]["policy.json"])) == canonical_json(expected[0])
    [owner] = cm["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["uid"]) == (
        "PolicyGeneration",
        "orders",
        created["metadata"]["uid"],
    )
    resource_version = cm["metadata"]["resourceVersion"]
    ready_since = condition(obj, "Ready")["lastTransitionTime"]

    # A spec change (no resource-level scoping) regenerates and bumps observedGeneration.
    merge_patch(
        kube_admin,
        f"{API}/namespaces/{namespace}/policygenerations/orders",
        {"spec": {"policy": {"resourceLevel": False}}},
    )
    obj = wait_ready(kube_admin, namespace, "orders", timeout=90, generation=2)
    assert obj["status"]["observedGeneration"] == 2
    broad = expected_policies(resource_level=False)
    assert obj["status"]["policy"]["sha256"] == policies_sha256(broad) != status["policy"]["sha256"]
    assert '"*"' in obj["status"]["policy"]["document"]
    cm = configmap(kube_admin, namespace, "orders-policy")
    assert cm is not None and cm["metadata"]["resourceVersion"] != resource_version
    assert canonical_json(json.loads(cm["data"]["policy.json"])) == canonical_json(broad[0])
    # Ready went Unknown while the new generation ran, then True again.
    assert condition(obj, "Ready")["lastTransitionTime"] >= ready_since

    # Back to the first spec: the same policy as at first; an annotation-only change does nothing.
    merge_patch(
        kube_admin,
        f"{API}/namespaces/{namespace}/policygenerations/orders",
        {"spec": {"policy": {"resourceLevel": True}}},
    )
    obj = wait_ready(kube_admin, namespace, "orders", timeout=90, generation=3)
    assert obj["status"]["policy"]["sha256"] == status["policy"]["sha256"]
    reasons = [e["reason"] for e in events_for(kube_admin, namespace, "orders")]
    assert reasons.count("Started") == 3 and "Failed" not in reasons, reasons
    assert len(policygen_configmaps(kube_admin, namespace)) == 1

    # Deleting the PolicyGeneration takes its ConfigMap along (ownerReference + kube-controller-manager's GC).
    kube_admin.delete(f"{API}/namespaces/{namespace}/policygenerations/orders")
    wait_for(
        lambda: configmap(kube_admin, namespace, "orders-policy"),
        lambda cm: cm is None,
        60,
        "the garbage collector to delete the ConfigMap",
    )


def test_spec_change_mid_run_cancels_and_regenerates(
    kube_admin: KubeClient, namespace: str, operator: Operator, large_logs: tuple[Path, str]
) -> None:
    start_large_scan(kube_admin, namespace, "switch", large_logs)
    began = time.monotonic()
    merge_patch(kube_admin, f"{API}/namespaces/{namespace}/policygenerations/switch", {"spec": local_spec()})
    obj = wait_ready(kube_admin, namespace, "switch", timeout=60, generation=2)
    took = time.monotonic() - began
    assert obj["status"]["policy"]["sha256"] == policies_sha256(expected_policies())
    assert obj["status"]["lastRun"]["generation"] == 2
    assert "cancelled" in operator.log_text()
    # Only the second spec's policy was ever published.
    cm = configmap(kube_admin, namespace, "switch-policy")
    assert cm is not None and canonical_json(json.loads(cm["data"]["policy.json"])) == canonical_json(
        expected_policies()[0]
    )
    reasons = [e["reason"] for e in events_for(kube_admin, namespace, "switch")]
    assert reasons.count("Succeeded") == 1 and "Failed" not in reasons, reasons
    print(f"\nspec change mid-run: Ready for generation 2 after {took:.1f}s")


@pytest.mark.moto
def test_s3_source_on_moto(
    kube_admin: KubeClient, namespace: str, operator: Operator, moto_server: str
) -> None:
    endpoint = moto_server
    s3 = moto_client("s3", endpoint)
    s3.create_bucket(Bucket="org-trail")
    uploaded = upload_delivery_layout(s3, "org-trail", SAMPLES, prefix="trail")
    assert uploaded > 0
    spec = {
        "principalArn": SAMPLE_PRINCIPAL,
        "window": SAMPLE_WINDOW,
        "cloudTrail": {
            "s3": {
                "bucket": "org-trail",
                "prefix": "trail",
                "accountIds": ["111122223333"],
                "endpointURL": endpoint,
            }
        },
        "aws": {"region": "us-east-1"},
    }
    create(kube_admin, namespace, "orders-s3", spec)
    obj = wait_ready(kube_admin, namespace, "orders-s3", timeout=120)
    # The bucket holds the delivery files only (S3 sources read the AWSLogs/ layout, not exports/).
    delivery_only = expected_policies(path=SAMPLES / "AWSLogs")
    assert obj["status"]["policy"]["sha256"] == policies_sha256(delivery_only)
    assert obj["status"]["lastRun"]["filesScanned"] > 0
    cm = configmap(kube_admin, namespace, "orders-s3-policy")
    assert cm is not None and "policy.json" in cm["data"]

    # A bucket that does not exist: Ready=False saying so, and no retry loop.
    missing = {**spec, "cloudTrail": {"s3": {"bucket": "no-such-trail", "endpointURL": endpoint}}}
    create(kube_admin, namespace, "missing", missing)
    obj = wait_ready(kube_admin, namespace, "missing", timeout=60, status="False")
    ready = condition(obj, "Ready")
    assert "no-such-trail" in ready["message"], ready
    assert ready["reason"] not in ("TemporaryFailure", "InternalError"), ready
    started = obj["status"]["lastRun"]["startTime"]
    time.sleep(8)  # several retry backoffs' worth (the operator runs with a 2 s backoff)
    later = get(kube_admin, namespace, "missing")
    assert later is not None and later["status"]["lastRun"]["startTime"] == started
    reasons = [e["reason"] for e in events_for(kube_admin, namespace, "missing")]
    assert sorted(reasons) == ["Failed", "Started"], reasons


def test_a_region_no_partition_has_is_refused_before_any_request(
    kube_admin: KubeClient, namespace: str, operator: Operator, trap: Listener
) -> None:
    """The CRD's pattern admits us-est-1 (a region's shape); the scan pruned every region folder away and
    ended NoMatchingEvents. Now InvalidSpec naming the field, nothing sent to the endpoint, no retry."""
    spec = {
        "principalArn": SAMPLE_PRINCIPAL,
        "window": SAMPLE_WINDOW,
        "cloudTrail": {"s3": {"bucket": "org-trail", "regions": ["us-est-1"], "endpointURL": trap.url}},
    }
    create(kube_admin, namespace, "typo", spec)
    obj = wait_ready(kube_admin, namespace, "typo", timeout=60, status="False")
    ready = condition(obj, "Ready")
    assert ready["reason"] == "InvalidSpec", ready
    assert "spec.cloudTrail.s3.regions: 'us-est-1' is not an AWS region (did you mean " in ready["message"]
    time.sleep(4)  # two retry backoffs' worth (the operator runs with a 2 s backoff)
    assert trap.requests == []
    reasons = [e["reason"] for e in events_for(kube_admin, namespace, "typo")]
    assert "Started" not in reasons and reasons.count("Failed") <= 1, reasons


def test_deleting_mid_run_cancels_and_leaves_nothing(
    kube_admin: KubeClient, namespace: str, operator: Operator, large_logs: tuple[Path, str]
) -> None:
    start_large_scan(kube_admin, namespace, "big", large_logs)
    kube_admin.delete(f"{API}/namespaces/{namespace}/policygenerations/big")
    wait_for(lambda: get(kube_admin, namespace, "big"), lambda o: o is None, 30, "the object to go away")
    wait_for(operator.log_text, lambda text: "cancelled" in text, 30, "the scan to be cancelled")
    time.sleep(2)
    assert policygen_configmaps(kube_admin, namespace) == []
    assert "orders" not in operator.log_text()  # sanity: the log is this test's
    assert operator.live()


def test_killing_the_operator_mid_run_ends_in_one_good_result(
    kube_admin: KubeClient,
    namespace: str,
    operator_kubeconfig: Path,
    tmp_path: Path,
    large_logs: tuple[Path, str],
) -> None:
    first = Operator(namespace, operator_kubeconfig, tmp_path).start()
    try:
        start_large_scan(kube_admin, namespace, "big", large_logs)
    finally:
        first.kill()
    interrupted = get(kube_admin, namespace, "big")
    assert interrupted is not None and not interrupted["status"]["lastRun"].get("completionTime")
    with running_operator(namespace, operator_kubeconfig, tmp_path):
        obj = wait_ready(kube_admin, namespace, "big", timeout=180)
        time.sleep(3)  # would a second run start? It must not.
        again = get(kube_admin, namespace, "big")
    assert again is not None and again["status"]["lastRun"] == obj["status"]["lastRun"]
    assert len(policygen_configmaps(kube_admin, namespace)) == 1
    reasons = [e["reason"] for e in events_for(kube_admin, namespace, "big")]
    # At most one Started per operator life (the killed one may not have sent its own), one Succeeded.
    assert reasons.count("Succeeded") == 1 and 1 <= reasons.count("Started") <= 2, reasons
    assert set(reasons) == {"Started", "Succeeded"}, reasons


def test_twenty_resources_finish_while_liveness_answers(
    kube_admin: KubeClient, namespace: str, operator: Operator, large_logs: tuple[Path, str]
) -> None:
    """Twenty scans of 150,000 events each (about a second of CPU apiece), two at a time."""
    path, principal = large_logs
    stop = threading.Event()
    probes: list[tuple[bool, float]] = []

    def probe() -> None:
        while not stop.is_set():
            began = time.monotonic()
            ok = operator.live(timeout=5)
            probes.append((ok, time.monotonic() - began))
            stop.wait(0.2)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    began_all = time.monotonic()
    try:
        names = [f"pg-{i:02d}" for i in range(20)]
        for name in names:
            create(kube_admin, namespace, name, local_spec(path / "copy0", principal, LARGE_WINDOW))
        for name in names:
            wait_ready(kube_admin, namespace, name, timeout=240)
    finally:
        stop.set()
        prober.join(10)
    assert len(policygen_configmaps(kube_admin, namespace)) == 20
    assert probes and all(ok for ok, _ in probes), [p for p in probes if not p[0]]
    slowest = max(seconds for _, seconds in probes)
    assert slowest < 5, f"slowest liveness answer {slowest:.2f}s"
    took = time.monotonic() - began_all
    print(f"\n20 resources in {took:.1f}s: {len(probes)} liveness probes, slowest {slowest * 1000:.0f} ms")
    metrics = operator.metrics()
    assert 'policygen_generations_total{result="succeeded"} 20.0' in metrics
    assert "policygen_runs_in_flight 0.0" in metrics


def test_schedule_reruns_when_the_last_run_is_older_than_the_interval(
    kube_admin: KubeClient, namespace: str, operator_kubeconfig: Path, tmp_path: Path
) -> None:
    """The timer on the real API server: lastRun.completionTime is aged instead of waiting 5 minutes."""
    env = {"POLICYGEN_SCHEDULE_CHECK_INTERVAL": "1"}
    with running_operator(namespace, operator_kubeconfig, tmp_path, env) as operator:
        create(kube_admin, namespace, "nightly", {**local_spec(), "schedule": {"interval": "5m"}})
        obj = wait_ready(kube_admin, namespace, "nightly", timeout=90)
        assert "policygen.io/finalizer" in obj["metadata"].get("finalizers", [])  # the timer's finalizer
        first = obj["status"]["lastRun"]
        time.sleep(3)  # several timer ticks: not due yet, so no run
        assert get(kube_admin, namespace, "nightly")["status"]["lastRun"] == first  # type: ignore[index]
        aged = {**first, "completionTime": "2026-01-01T00:00:00Z"}
        kube_admin.request(
            "PATCH",
            f"{API}/namespaces/{namespace}/policygenerations/nightly/status",
            {"status": {"lastRun": aged}},
            content_type="application/merge-patch+json",
        )
        rerun = wait_for(
            lambda: get(kube_admin, namespace, "nightly"),
            lambda o: bool(
                o
                and o["status"]["lastRun"].get("completionTime", "2026-01-01") > "2026-01-02"
                and o["status"]["lastRun"]["startTime"] != first["startTime"]
            ),
            60,
            "a scheduled rerun",
        )
        assert condition(rerun, "Ready")["status"] == "True"
        assert rerun["status"]["observedGeneration"] == 1
        assert operator.live()
    # A scheduled resource carries a finalizer: deleting it needs a running operator to release it.
    with running_operator(namespace, operator_kubeconfig, tmp_path, env):
        kube_admin.delete(f"{API}/namespaces/{namespace}/policygenerations/nightly")
        wait_for(
            lambda: get(kube_admin, namespace, "nightly"), lambda o: o is None, 60, "the finalizer to go"
        )


@pytest.mark.moto
def test_unreachable_endpoint_is_retried_with_backoff_until_it_answers(
    kube_admin: KubeClient, namespace: str, operator: Operator
) -> None:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    spec = {
        "principalArn": SAMPLE_PRINCIPAL,
        "window": SAMPLE_WINDOW,
        "cloudTrail": {"s3": {"bucket": "late-trail", "endpointURL": endpoint}},
        "aws": {"region": "us-east-1"},
    }
    create(kube_admin, namespace, "outage", spec)
    obj = wait_ready(kube_admin, namespace, "outage", timeout=120, status="False")
    ready = condition(obj, "Ready")
    assert ready["reason"] == "TemporaryFailure", ready
    assert "retrying in" in ready["message"], ready
    with moto_server_on(port):
        s3 = moto_client("s3", endpoint)
        s3.create_bucket(Bucket="late-trail")
        upload_delivery_layout(s3, "late-trail", SAMPLES)
        obj = wait_ready(kube_admin, namespace, "outage", timeout=120)
    assert obj["status"]["policy"]["sha256"] == policies_sha256(expected_policies(path=SAMPLES / "AWSLogs"))
    reasons = [e["reason"] for e in events_for(kube_admin, namespace, "outage")]
    assert sorted(reasons) == ["Failed", "Started", "Succeeded"], reasons  # retries post no new events


def test_a_failed_run_keeps_the_last_good_policy_and_says_so(
    kube_admin: KubeClient, namespace: str, operator: Operator
) -> None:
    create(kube_admin, namespace, "keep", local_spec())
    good = wait_ready(kube_admin, namespace, "keep", timeout=90)
    cm_before = configmap(kube_admin, namespace, "keep-policy")
    assert cm_before is not None
    merge_patch(
        kube_admin,
        f"{API}/namespaces/{namespace}/policygenerations/keep",
        {"spec": {"cloudTrail": {"local": {"path": "/nonexistent/cloudtrail"}}}},
    )
    failed = wait_ready(kube_admin, namespace, "keep", timeout=60, status="False", generation=2)
    ready = condition(failed, "Ready")
    assert (
        "/nonexistent/cloudtrail" in ready["message"] and "last good policy (generation 1" in ready["message"]
    )
    assert condition(failed, "Generated")["status"] == "False"
    assert failed["status"]["policy"] == good["status"]["policy"]
    cm_after = configmap(kube_admin, namespace, "keep-policy")
    assert (
        cm_after is not None
        and cm_after["metadata"]["resourceVersion"] == cm_before["metadata"]["resourceVersion"]
    )


def test_a_rerun_restores_a_policy_edited_in_the_configmap(
    kube_admin: KubeClient, namespace: str, operator: Operator
) -> None:
    """Someone who may patch ConfigMaps widens the published policy and leaves the sha256 annotation alone:
    the next run that yields the same policy writes it back, and only then says Published."""
    create(kube_admin, namespace, "edited", local_spec())
    good = wait_ready(kube_admin, namespace, "edited", timeout=90)
    cm_path = f"/api/v1/namespaces/{namespace}/configmaps/edited-policy"
    widened = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    merge_patch(kube_admin, cm_path, {"data": {"policy.json": json.dumps(widened)}})
    # Any rerun that yields the same policy (here a spec change that excludes nothing the role used).
    merge_patch(
        kube_admin,
        f"{API}/namespaces/{namespace}/policygenerations/edited",
        {"spec": {"policy": {"excludeActions": ["ec2:*"]}}},
    )
    again = wait_ready(kube_admin, namespace, "edited", timeout=90, generation=2)
    assert again["status"]["policy"]["sha256"] == good["status"]["policy"]["sha256"]
    assert "restored" in condition(again, "Published")["message"], condition(again, "Published")
    cm = configmap(kube_admin, namespace, "edited-policy")
    assert cm is not None
    assert canonical_json(json.loads(cm["data"]["policy.json"])) == canonical_json(expected_policies()[0])


def test_a_policygeneration_created_again_owns_the_configmap_it_adopts(
    kube_admin: KubeClient, namespace: str, operator: Operator
) -> None:
    """`kubectl delete --cascade=orphan`, then the same manifest again: the new object (new uid) adopts the
    ConfigMap with the same policy and must become its owner, or deleting it would leave the ConfigMap."""
    create(kube_admin, namespace, "again", local_spec())
    wait_ready(kube_admin, namespace, "again", timeout=90)
    kube_admin.request(
        "DELETE",
        f"{API}/namespaces/{namespace}/policygenerations/again",
        {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Orphan"},
    )
    wait_for(lambda: get(kube_admin, namespace, "again"), lambda o: o is None, 30, "the object deleted")
    wait_for(
        lambda: configmap(kube_admin, namespace, "again-policy"),
        lambda cm: cm is not None and not cm["metadata"].get("ownerReferences"),
        30,
        "the garbage collector to orphan the ConfigMap",
    )
    new = create(kube_admin, namespace, "again", local_spec())
    wait_ready(kube_admin, namespace, "again", timeout=90)
    cm = configmap(kube_admin, namespace, "again-policy")
    assert cm is not None
    assert [o["uid"] for o in cm["metadata"]["ownerReferences"]] == [new["metadata"]["uid"]]


def test_a_failed_publish_keeps_the_published_policy_in_status(
    kube_admin: KubeClient, namespace: str, operator: Operator
) -> None:
    """A spec change whose ConfigMap write fails (the new name is someone else's): status.policy and its
    columns still describe the policy that is published, and the condition says it is kept."""
    create(kube_admin, namespace, "kept", local_spec())
    good = wait_ready(kube_admin, namespace, "kept", timeout=90)
    kube_admin.post(
        f"/api/v1/namespaces/{namespace}/configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "taken"}, "data": {"x": "y"}},
    )
    merge_patch(
        kube_admin,
        f"{API}/namespaces/{namespace}/policygenerations/kept",
        {"spec": {"policy": {"excludeActions": ["kms:*"]}, "output": {"configMap": {"name": "taken"}}}},
    )
    failed = wait_ready(kube_admin, namespace, "kept", timeout=90, status="False", generation=2)
    assert condition(failed, "Ready")["reason"] == "ConfigMapConflict"
    assert failed["status"]["policy"] == good["status"]["policy"]
    assert "last good policy (generation 1" in condition(failed, "Published")["message"]
    assert failed["status"]["configMapRef"]["name"] == "kept-policy"
    # the conflict is retried: once its owner deletes the other ConfigMap, the kept scan is written there
    kube_admin.delete(f"/api/v1/namespaces/{namespace}/configmaps/taken")
    wait_ready(kube_admin, namespace, "kept", timeout=90, generation=2)
    cm = configmap(kube_admin, namespace, "taken")
    assert cm is not None and "policy.json" in cm["data"]
