"""Athena on the admins' source objects and in the operator's status (issue 13 follow-up).

A CloudTrailSource/ClusterCloudTrailSource with ``athena:`` resolves to the Athena scan with the admin's
table, workgroup, output location, endpoint and role; while the query runs ``status.lastRun.athena`` shows
its state and the bytes scanned so far, and at the end what it scanned and cost instead of "0 files".
The query itself on moto's Athena: ``tests/integration/test_athena_reconcile.py``.
"""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.domain.usage import UsageSummary
from policygen_operator.services import spec as specs
from policygen_operator.services import status as st
from policygen_operator.services.athena import AthenaLogs, QueryProgress
from policygen_operator.services.generation import GenerationRequest, GenerationResult, Progress
from policygen_operator.services.tenancy import resolve
from tests.fixtures.kube import FakeKube, merge_patch
from tests.unit.services.test_reconcile import PRINCIPAL, result, target
from tests.unit.services.test_reconcile_tenancy import reconciler

ATHENA = {
    "workgroup": "policygen",
    "catalog": "AwsDataCatalog",
    "database": "audit",
    "table": "org_trail",
    "outputLocation": "s3://athena-results/policygen/",
    "accountIds": ["111122223333"],
    "regions": ["eu-west-1"],
    "endpointURL": "https://athena.mirror.example",
}
SOURCE = {
    "spec": {
        "athena": ATHENA,
        "aws": {"region": "eu-west-1", "roleArn": "arn:aws:iam::111122223333:role/athena-reader"},
        "allowedPrincipals": ["arn:aws:iam::111122223333:role/payments-*"],
        "namespaces": {"names": ["ns"]},
    }
}
SPEC = {
    "principalArn": PRINCIPAL,
    "sourceRef": {"kind": "ClusterCloudTrailSource", "name": "athena"},
    "window": {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"},
}
QUERY = {
    "queryExecutionId": "q-1",
    "bytesScanned": 7_340_032_000,
    "estimatedCostUSD": 0.036705,
    "engineMilliseconds": 5100,
    "totalMilliseconds": 5600,
    "outputLocation": "s3://athena-results/policygen/q-1.csv",
    "rows": 37,
    "query": "SELECT ...",
}


def kube_with_source(namespaced: bool = False) -> FakeKube:
    kube = FakeKube()
    if namespaced:
        kube.admin_objects[("cloudtrailsources", "ns", "athena")] = SOURCE
    else:
        kube.admin_objects[("clustercloudtrailsources", None, "athena")] = SOURCE
    kube.namespace_labels_by_name["ns"] = {}
    return kube


@pytest.fixture
def executor() -> Any:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("namespaced", [False, True])
async def test_an_athena_source_object_resolves_to_the_athena_scan(namespaced: bool) -> None:
    kube = kube_with_source(namespaced)
    kind = "CloudTrailSource" if namespaced else "ClusterCloudTrailSource"
    spec = {**SPEC, "sourceRef": {"kind": kind, "name": "athena"}}
    resolved = await resolve(spec, "ns", kube, operator_namespace="policygen-system")
    assert resolved.spec["cloudTrail"] == {"athena": ATHENA}
    request = specs.generation_request(resolved.spec, datetime(2026, 3, 1, tzinfo=UTC))
    source = request.source
    assert isinstance(source, AthenaLogs)
    assert source.table.uri() == "athena://policygen@AwsDataCatalog.audit.org_trail"
    assert source.table.output_location == "s3://athena-results/policygen/"
    assert (source.account_ids, source.regions) == (("111122223333",), ("eu-west-1",))
    assert source.endpoint_url == "https://athena.mirror.example"
    assert request.aws.role_arn == "arn:aws:iam::111122223333:role/athena-reader"
    assert request.aws.region == "eu-west-1"


def athena_result() -> GenerationResult:
    done = result()
    done.summary = UsageSummary(files_scanned=0, events_scanned=4, events_matched=4)
    done.report = {**done.report, "athena": QUERY}
    return done


async def test_status_shows_the_query_while_it_runs_and_what_it_cost(executor: ThreadPoolExecutor) -> None:
    kube = kube_with_source()
    scans: list[GenerationRequest] = []
    running = QueryProgress("q-1", "RUNNING", 2_000_000_000, 3.0)

    def generate(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        scans.append(request)
        progress(Progress(0, None, 0, 0, running.line, running))
        deadline = time.monotonic() + 10
        while not any((p.get("lastRun") or {}).get("athena") for p in kube.status_patches):
            assert time.monotonic() < deadline, kube.status_patches
            time.sleep(0.01)
        return athena_result()

    rec = reconciler(kube, executor, [], [])
    rec.generate = generate
    outcome = await rec.reconcile(target(kube, spec=SPEC))
    assert outcome.failure is None, outcome.message
    assert isinstance(scans[0].source, AthenaLogs)

    [written] = [p["lastRun"] for p in kube.status_patches if (p.get("lastRun") or {}).get("athena")]
    assert written == {
        "athena": {
            "queryExecutionId": "q-1",
            "state": "RUNNING",
            "bytesScanned": 2_000_000_000,
            "estimatedCostUSD": 0.01,
        }
    }  # no "filesScanned: 0": a query reads no files

    last = outcome.status["lastRun"]
    assert last["athena"] == {
        "state": "SUCCEEDED",
        "queryExecutionId": "q-1",
        "bytesScanned": 7_340_032_000,
        "estimatedCostUSD": 0.036705,
        "rows": 37,
        "engineMilliseconds": 5100,
    }
    assert last["filesScanned"] is None and last["filesSkipped"] is None  # unset by the merge patch
    assert (last["eventsScanned"], last["eventsMatched"]) == (4, 4)
    complete = next(c for c in outcome.status["conditions"] if c["type"] == "Complete")
    assert (complete["status"], complete["reason"]) == ("True", "QueryCompleted")
    assert "q-1" in complete["message"] and "7,340,032,000 bytes scanned" in complete["message"]
    assert "$0.0367" in complete["message"] and "file" not in complete["message"]


def test_a_file_run_after_an_athena_run_unsets_the_query() -> None:
    run = st.started_run(
        datetime(2026, 3, 1, tzinfo=UTC),
        2,
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 2, 1, tzinfo=UTC),
    )
    done = st.completed_run(run, datetime(2026, 3, 1, 0, 1, tzinfo=UTC), None, result())
    assert done["athena"] is None and done["filesScanned"] == 2


def test_the_cli_line_and_the_status_say_the_same() -> None:
    queued = QueryProgress("q-9", "QUEUED", 0, 0.5)
    assert queued.line == "Athena query q-9: QUEUED, 0.00 GB scanned, 0 s"
    assert st.progress_fields(Progress(0, None, 0, 0, queued.line, queued)) == {
        "athena": {"queryExecutionId": "q-9", "state": "QUEUED", "bytesScanned": 0, "estimatedCostUSD": 5e-05}
    }
    finished = QueryProgress("q-9", "SUCCEEDED", 10**12, 60.0, rows=12)
    assert finished.line == "Athena query q-9: 12 rows, 1,000.00 GB scanned, estimated cost $5.0000"


@pytest.mark.parametrize(
    ("lookup", "regions"),
    [({"regions": ["eu-west-1", "us-east-1"]}, ("eu-west-1", "us-east-1")), ({}, ())],
)
async def test_a_lookup_events_source_object_resolves_to_the_event_history(
    lookup: dict[str, Any], regions: tuple[str, ...]
) -> None:
    """``lookupEvents: {}`` is a source too (aws.region's history), not "no source"."""
    from policygen_operator.services.lookup import LookupEventsLogs

    kube = kube_with_source()
    source = {"spec": {**SOURCE["spec"], "lookupEvents": lookup}}
    del source["spec"]["athena"]
    kube.admin_objects[("clustercloudtrailsources", None, "athena")] = source
    resolved = await resolve(SPEC, "ns", kube, operator_namespace="policygen-system")
    assert resolved.spec["cloudTrail"] == {"lookupEvents": lookup}
    request = specs.generation_request(resolved.spec, datetime(2026, 3, 1, tzinfo=UTC))
    assert request.source == LookupEventsLogs(regions=regions)
    assert request.aws.role_arn == "arn:aws:iam::111122223333:role/athena-reader"


async def test_a_failed_query_keeps_its_last_state_in_status(executor: ThreadPoolExecutor) -> None:
    """A query that fails after running a while: Generated=False (temporary here), and lastRun.athena says
    how far it got and what it had scanned (what the failed attempt cost)."""
    from policygen_operator.services.errors import TemporaryError

    kube = kube_with_source()
    running = QueryProgress("q-2", "RUNNING", 3_000_000_000, 40.0)

    def generate(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        progress(Progress(0, None, 0, 0, running.line, running))
        raise TemporaryError("Athena query q-2 FAILED: SYSTEM error, retry")

    rec = reconciler(kube, executor, [], [])
    rec.generate = generate
    outcome = await rec.reconcile(target(kube, spec=SPEC))
    assert outcome.failure is not None and outcome.failure.value == "temporary"
    generated = next(c for c in outcome.status["conditions"] if c["type"] == "Generated")
    assert generated["status"] == "False" and "q-2" in generated["message"]
    last = outcome.status["lastRun"]
    assert last["athena"] == running.to_status() and last.get("filesScanned") is None  # None: unset
    assert last["completionTime"]


def test_a_rightsizing_scan_through_athena_shows_the_query_in_last_scan() -> None:
    """A Rightsizing parent's one scan, had it gone through Athena: lastScan says what the query scanned and
    cost instead of "0 files" (the engine here is the real one with the Athena details added)."""
    from policygen_operator.domain.rightsizing import IRSA, Binding
    from policygen_operator.services.generation import run_generation
    from tests.unit.services.test_rightsizing import ORDERS, parent, run, service

    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})

    def engine(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        found = run_generation(request, progress, cancel)
        found.report["athena"] = QUERY
        return found

    outcome = run(service(kube, engine), parent())  # type: ignore[arg-type]
    assert outcome.failure is None, outcome.message
    last = outcome.status["lastScan"]
    assert last["athena"] == st.athena_run(QUERY) and last.get("filesScanned") is None  # None: unset


def test_a_rightsizing_scan_unsets_what_the_scan_before_it_counted_and_it_did_not() -> None:
    """The handler merges lastScan into the last scan's: a file scan after an Athena one kept the query
    (lastScan.athena), an Athena scan after a file one kept the files counted (it left filesScanned out of
    the patch instead of unsetting it), and a scan over before its first progress report kept the last
    one's filesTotal and listing counts. Each scan's lastScan now unsets every counter it has not got."""
    from policygen_operator.domain.rightsizing import IRSA, Binding
    from policygen_operator.services.generation import run_generation
    from tests.unit.services.test_rightsizing import ORDERS, parent, run, service

    def stored(before: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
        """status.lastScan after the handler's merge patch."""
        after = copy.deepcopy(before)
        merge_patch(after, patch)
        return after

    file_scan = {"filesScanned": 7, "filesTotal": 9, "foldersListed": 4, "objectsListed": 9}
    before = {"startTime": "2026-11-30T00:00:00Z", "completionTime": "2026-11-30T00:05:00Z", **file_scan}

    def athena_engine(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        found = run_generation(request, progress, cancel)
        found.report["athena"] = QUERY
        return found

    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    outcome = run(service(kube, athena_engine), parent())  # type: ignore[arg-type]
    after_athena = stored(before, outcome.status["lastScan"])
    assert not set(file_scan) & set(after_athena) and after_athena["athena"] == st.athena_run(QUERY)

    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})
    outcome = run(service(kube, run_generation), parent())  # type: ignore[arg-type]
    after_files = stored(after_athena, outcome.status["lastScan"])
    assert "athena" not in after_files and after_files["filesScanned"] > 0
    # its files total and listing counts are its own (unset where it reported none), never the last one's
    patch = outcome.status["lastScan"]
    merged = stored(before, patch)
    for key in ("filesTotal", "foldersListed", "objectsListed"):
        assert merged.get(key) == patch[key], key
