"""A PolicyGeneration whose ``sourceRef`` names an Athena source, reconciled against moto's Athena.

moto runs no SQL: the rows seeded are the real result of the window's query, computed by DuckDB over the
sample files (as in ``test_athena_source.py``), so the reconcile must end in the local scan's policy. The
first test drives the service (``Reconciler`` with the real ``run_generation``, FakeKube) and sees every
progress write; the second runs the operator process multi-tenant on the real control plane with a
namespaced CloudTrailSource, under deploy/'s RBAC.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.domain.cloudtrail.athena import AthenaTable, build_query
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.services import reconcile as rec
from policygen_operator.services.generation import GenerationRequest, LocalLogs, run_generation
from policygen_operator.services.publish import policies_sha256
from policygen_operator.settings import OperatorSettings
from tests.controlplane.client import KubeClient
from tests.fixtures.aws import moto_client
from tests.fixtures.kube import FakeKube
from tests.integration.operator_harness import (
    API,
    SAMPLE_PRINCIPAL,
    SAMPLE_WINDOW,
    SAMPLES,
    condition,
    configmap,
    create,
    running_operator,
    wait_ready,
)
from tests.integration.test_athena_source import held, seed  # noqa: F401  (held: a fixture)
from tests.unit.domain.cloudtrail.athena_duckdb import cloudtrail_table, run_trino
from tests.unit.services.test_reconcile import target

pytestmark = pytest.mark.moto

START = datetime.fromisoformat(SAMPLE_WINDOW["start"].replace("Z", "+00:00"))
END = datetime.fromisoformat(SAMPLE_WINDOW["end"].replace("Z", "+00:00"))
LOGS = SAMPLES / "AWSLogs"  # the delivery files a trail's table reads (not the exports or malformed ones)
TABLE = AthenaTable("cloudtrail", "logs", workgroup="primary", output_location="s3://athena-results/pg/")
ATHENA = {
    "workgroup": "primary",
    "database": "cloudtrail",
    "table": "logs",
    "outputLocation": "s3://athena-results/pg/",
}
SPEC = {
    "principalArn": SAMPLE_PRINCIPAL,
    "sourceRef": {"kind": "CloudTrailSource", "name": "athena"},
    "window": SAMPLE_WINDOW,
}


def seed_window_result(endpoint: str) -> None:
    """The rows Athena would return for this window's query over the samples."""
    files = sorted(glob.glob(str(LOGS / "**" / "*.json.gz"), recursive=True))
    connection = cloudtrail_table(files)
    query = build_query(TABLE, (parse_principal(SAMPLE_PRINCIPAL),), Window(START, END))
    seed(endpoint, run_trino(connection, query))


def local_sha256() -> str:
    request = GenerationRequest((SAMPLE_PRINCIPAL,), LocalLogs(str(LOGS)), START, END, workers=1)
    return policies_sha256(run_generation(request).results[SAMPLE_PRINCIPAL].policies)


def source_object(endpoint: str) -> dict[str, Any]:
    return {
        "spec": {
            "athena": {**ATHENA, "endpointURL": endpoint},
            "aws": {"region": "us-east-1"},
            "allowedPrincipals": ["arn:aws:iam::111122223333:role/service-role/*"],
        }
    }


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


async def test_reconcile_through_an_athena_source_on_moto(
    moto_server: str,
    held: None,  # noqa: F811
    aws_env: None,
    executor: ThreadPoolExecutor,
) -> None:
    seed_window_result(moto_server)
    kube = FakeKube()
    kube.admin_objects[("cloudtrailsources", "ns", "athena")] = source_object(moto_server)
    settings = OperatorSettings(progress_interval=0.02, operator_namespace="policygen-system")
    reconciler = rec.Reconciler(settings, kube, executor, clock=lambda: datetime(2026, 12, 1, tzinfo=UTC))
    outcome = await reconciler.reconcile(target(kube, spec=SPEC))
    assert outcome.failure is None, outcome.message

    assert outcome.status["policy"]["sha256"] == local_sha256()
    last = outcome.status["lastRun"]
    query = last["athena"]
    assert query["state"] == "SUCCEEDED" and query["rows"] > 0
    assert query["bytesScanned"] == 0 and query["estimatedCostUSD"] == pytest.approx(5e-5)  # moto scans 0
    assert last["filesScanned"] is None and last["eventsMatched"] > 0
    execution = moto_client("athena", moto_server).get_query_execution(
        QueryExecutionId=query["queryExecutionId"]
    )["QueryExecution"]
    assert execution["QueryExecutionContext"]["Database"] == "cloudtrail"
    assert execution["WorkGroup"] == "primary"
    assert execution["ResultConfiguration"]["OutputLocation"].startswith("s3://athena-results/pg/")
    # while it ran, status showed the query's states (moto holds it QUEUED, then RUNNING, for two polls)
    states = [  # the start's patch unsets the query of the run before (athena: None)
        p["lastRun"]["athena"]["state"] for p in kube.status_patches if (p.get("lastRun") or {}).get("athena")
    ]
    assert "QUEUED" in states and "RUNNING" in states, states
    assert not any("filesScanned" in p.get("lastRun", {}) for p in kube.status_patches[1:-1])
    complete = next(c for c in outcome.status["conditions"] if c["type"] == "Complete")
    assert complete["reason"] == "QueryCompleted" and query["queryExecutionId"] in complete["message"]
    report = kube.configmaps[("ns", "pay-policy")]
    assert query["queryExecutionId"] in str(report)


@pytest.mark.controlplane
def test_operator_reconciles_an_athena_source_on_moto(
    kube_admin: KubeClient,
    namespace: str,
    operator_kubeconfig: Path,
    tmp_path: Path,
    moto_server: str,
) -> None:
    seed_window_result(moto_server)
    body = {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "CloudTrailSource",
        "metadata": {"name": "athena", "namespace": namespace},
        **source_object(moto_server),
    }
    kube_admin.post(f"{API}/namespaces/{namespace}/cloudtrailsources", body)
    with running_operator(namespace, operator_kubeconfig, tmp_path, env={"POLICYGEN_SINGLE_TENANT": "false"}):
        create(kube_admin, namespace, "orders-athena", SPEC)
        obj = wait_ready(kube_admin, namespace, "orders-athena", timeout=120)
    status = obj["status"]
    assert status["policy"]["sha256"] == local_sha256()
    assert status["lastRun"]["athena"]["state"] == "SUCCEEDED"
    assert status["lastRun"]["athena"]["rows"] > 0 and "filesScanned" not in status["lastRun"]
    assert condition(obj, "Complete")["reason"] == "QueryCompleted"
    cm = configmap(kube_admin, namespace, "orders-athena-policy")
    assert cm is not None and status["lastRun"]["athena"]["queryExecutionId"] in str(cm["data"])
