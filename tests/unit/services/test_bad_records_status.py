"""Bad records in the operator's status: what the CLI's report says (``badRecords``, ``rawDataRecords``), the
PolicyGeneration's ``status.lastRun`` and a Rightsizing's ``status.lastScan`` (and its children's lastRun) say
too, and the Complete condition does not call a run complete without a word when records were unusable.

The counters mean what the report's do (``UsageSummary.bad_records``: records that could not be used, a
malformed one or one of a requested principal lacking a field; ``raw_data_records``: records read out of the
base64 ``rawData`` of a Kinesis Data Firehose stream's error output, Amazon Data Firehose Developer Guide,
"Handle data delivery failure")."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from policygen_operator.domain.rightsizing import IRSA, Binding, child_name
from policygen_operator.services import status as st
from policygen_operator.services.generation import GenerationRequest, GenerationResult, run_generation
from tests.fixtures.kube import FakeKube
from tests.unit.services.test_athena_sources import QUERY
from tests.unit.services.test_completeness import SKIPPED
from tests.unit.services.test_reconcile import reconciler, result, target


@pytest.fixture
def executor() -> Any:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


def with_bad_records(bad: int = 3, raw: int = 5, skipped: bool = False) -> GenerationResult:
    done = result()
    done.summary.bad_records, done.summary.raw_data_records = bad, raw
    if skipped:
        done.summary.skipped_files.update(SKIPPED)
    return done


def complete(outcome: Any) -> dict[str, Any]:
    return next(c for c in outcome.status["conditions"] if c["type"] == "Complete")


async def test_last_run_counts_bad_and_raw_data_records(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    rec = reconciler(kube, executor, lambda req, p, c: with_bad_records())
    outcome = await rec.reconcile(target(kube))  # the schema keeps what is written (check_status)
    assert outcome.failure is None, outcome.message
    last = outcome.status["lastRun"]
    assert (last["badRecords"], last["rawDataRecords"]) == (3, 5)


async def test_bad_records_make_complete_false_and_say_how_many(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    rec = reconciler(kube, executor, lambda req, p, c: with_bad_records())
    outcome = await rec.reconcile(target(kube))
    cond = complete(outcome)
    assert (cond["status"], cond["reason"]) == ("False", "BadRecords")
    assert "2 file(s) read" in cond["message"] and "3 record(s) could not be used" in cond["message"]
    ready = next(c for c in outcome.status["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"  # informational, as for skipped files


async def test_skipped_files_and_bad_records_are_said_together(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    rec = reconciler(kube, executor, lambda req, p, c: with_bad_records(skipped=True))
    cond = complete(await rec.reconcile(target(kube)))
    assert (cond["status"], cond["reason"]) == ("False", "FilesSkipped")
    assert "5 file(s) skipped" in cond["message"] and "3 record(s) could not be used" in cond["message"]


async def test_no_bad_record_is_all_files_read_with_zero_counters(executor: ThreadPoolExecutor) -> None:
    kube = FakeKube()
    rec = reconciler(kube, executor, lambda req, p, c: with_bad_records(0, 0))
    outcome = await rec.reconcile(target(kube))
    cond = complete(outcome)
    assert (cond["status"], cond["reason"], cond["message"]) == ("True", "AllFilesRead", "2 file(s) read")
    assert (outcome.status["lastRun"]["badRecords"], outcome.status["lastRun"]["rawDataRecords"]) == (0, 0)


async def test_an_athena_run_with_unusable_rows_is_not_complete(executor: ThreadPoolExecutor) -> None:
    """Athena's rows without events, times or identity count in badRecords (domain/cloudtrail/athena.py)."""
    done = with_bad_records(2, 0)
    done.report = {**done.report, "athena": QUERY}
    kube = FakeKube()
    cond = complete(await reconciler(kube, executor, lambda req, p, c: done).reconcile(target(kube)))
    assert (cond["status"], cond["reason"]) == ("False", "BadRecords")
    assert "q-1" in cond["message"] and "2 record(s) could not be used" in cond["message"]


def test_a_new_run_clears_the_last_runs_record_counters() -> None:
    assert {"badRecords", "rawDataRecords"} <= set(st.RUN_COUNTERS)
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    run = st.started_run(datetime(2026, 3, 1, tzinfo=UTC), 1, start, end)
    assert run["badRecords"] is None and run["rawDataRecords"] is None


def test_a_rightsizing_scan_counts_bad_records_in_last_scan_and_the_childrens_last_run() -> None:
    from tests.unit.services.test_rightsizing import ORDERS, parent, run, service

    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})

    def engine(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        found = run_generation(request, progress, cancel)
        found.summary.bad_records, found.summary.raw_data_records = 4, 6
        return found

    outcome = run(service(kube, engine), parent())  # type: ignore[arg-type]
    assert outcome.failure is None, outcome.message
    last = outcome.status["lastScan"]
    assert (last["badRecords"], last["rawDataRecords"]) == (4, 6)
    child = kube.objects[("fleet", child_name("fleet", ORDERS))]["status"]
    assert (child["lastRun"]["badRecords"], child["lastRun"]["rawDataRecords"]) == (4, 6)


def test_a_rightsizing_childs_last_run_counts_its_own_role() -> None:
    """A child's ``lastRun`` is read by the team that owns its role: its ``eventsMatched`` and ``badRecords``
    are the role's (as the CLI's report has them per principal: ``principals.ARN``), not the fleet scan's
    totals, which ``lastScan`` of the parent keeps; ``eventsScanned`` is the scan's, every record read."""
    from tests.unit.services.test_rightsizing import DEPLOYER, ORDERS, parent, run, service

    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "orders"), Binding(DEPLOYER, IRSA, "team-a", "deployer")]}
    )
    matched: dict[str, int] = {}

    def engine(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        found = run_generation(request, progress, cancel)
        found.summary.bad_records = 5  # 3 a record of the deployer's lacking a field, 2 of no known principal
        found.summary.bad_records_of.update({DEPLOYER: 3})
        matched.update({arn: found.report["principals"][arn]["eventsMatched"] for arn in (ORDERS, DEPLOYER)})
        return found

    outcome = run(service(kube, engine), parent())  # type: ignore[arg-type]
    assert outcome.failure is None, outcome.message
    assert outcome.status["lastScan"]["badRecords"] == 5
    assert outcome.status["lastScan"]["eventsMatched"] == sum(matched.values())
    assert all(matched.values()), matched  # both roles made events: the totals differ from each role's
    for role, bad in ((ORDERS, 2), (DEPLOYER, 5)):
        last = kube.objects[("fleet", child_name("fleet", role))]["status"]["lastRun"]
        assert (last["badRecords"], last["eventsMatched"]) == (bad, matched[role]), role
        assert last["eventsScanned"] == outcome.status["lastScan"]["eventsScanned"]


@pytest.mark.parametrize(
    ("bad", "skipped", "expected"),
    [
        (0, False, ("True", "AllFilesRead")),
        (4, False, ("False", "BadRecords")),
        (4, True, ("False", "FilesSkipped")),
    ],
)
def test_a_rightsizing_child_says_whether_its_policy_was_built_from_everything(
    bad: int, skipped: bool, expected: tuple[str, str]
) -> None:
    """A child PolicyGeneration of a Rightsizing gets the Complete condition its own run would write: its
    policy comes from the parent's scan, and a reader of the child (the team that owns the role) must learn
    there that files or records of the window were not read, as from a PolicyGeneration's status."""
    from tests.unit.services.test_rightsizing import ORDERS, parent, run, service

    kube = FakeKube({"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]})

    def engine(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        found = run_generation(request, progress, cancel)
        found.summary.bad_records = bad
        if skipped:
            found.summary.skipped_files.update(SKIPPED)
        return found

    outcome = run(service(kube, engine), parent())  # type: ignore[arg-type]
    assert outcome.failure is None, outcome.message
    child = kube.objects[("fleet", child_name("fleet", ORDERS))]["status"]
    cond = next(c for c in child["conditions"] if c["type"] == "Complete")
    assert (cond["status"], cond["reason"]) == expected
    assert ("record(s) could not be used" in cond["message"]) == bool(bad)
    # a child's ConfigMap holds its policy and rightsizing.json, no report: the message sends no one there
    assert "report" not in cond["message"], cond["message"]
    ready = next(c for c in child["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"  # informational, as in a PolicyGeneration's own status


def fleet_with_pull_requests(
    roles: list[str], bad: int, own: Mapping[str, int], allow: bool = False
) -> tuple[FakeKube, list[Any]]:
    """One Rightsizing pass over ``roles`` (IRSA ServiceAccounts of team-a) with ``output.mode:
    pullRequest``, a scan that met ``bad`` unusable records, ``own`` of them a role's: the kube holding the
    children and the pull requests' contexts."""
    from dataclasses import replace

    from policygen_operator.services.pullrequest import PullRequestStatus
    from policygen_operator.services.rightsizing import RightsizingService
    from policygen_operator.settings import OperatorSettings
    from tests.fixtures.rightsizing import FakeAws
    from tests.unit.services.test_rightsizing import NOW, SPEC, parent, run

    opened: list[Any] = []

    def open_single(spec: Any, context: Any, *_: Any) -> PullRequestStatus:
        opened.append(context)
        return PullRequestStatus(None, None, "policygen/y", "def", "pushed", True)

    def engine(request: GenerationRequest, progress: Any, cancel: Any) -> GenerationResult:
        found = run_generation(request, progress, cancel)
        found.summary.bad_records = bad
        found.summary.bad_records_of.update(own)
        return found

    pull_request = {
        "provider": "git",
        "repository": "file:///repo",
        "path": "iam/{role}.json",
        "format": "json",
        "allowIncomplete": allow,
    }
    spec = {**SPEC, "guards": {}, "output": {"mode": "pullRequest", "pullRequest": pull_request}}
    kube = FakeKube({"team-a": [Binding(arn, IRSA, "team-a", f"sa-{n}") for n, arn in enumerate(roles)]})
    svc = RightsizingService(
        OperatorSettings(progress_interval=0.05, single_tenant=True),
        kube,
        FakeAws(),
        ThreadPoolExecutor(2),
        engine,
        clock=lambda: NOW,
        open_pull_request=open_single,
    )
    outcome = run(svc, replace(parent(), spec=spec))
    assert outcome.failure is None, outcome.message
    return kube, opened


def child_conditions(kube: FakeKube, role: str) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in kube.objects[("fleet", child_name("fleet", role))]["status"]["conditions"]}


def test_a_rightsizing_pull_request_waits_for_records_it_could_not_use() -> None:
    """Every rightsizing pull request removes access: bad records hold it back as skipped files do, unless
    ``output.pullRequest.allowIncomplete``; the child says why (PullRequestOpened False, IncompleteData)."""
    from tests.unit.services.test_rightsizing import ORDERS

    for allow in (False, True):
        kube, opened = fleet_with_pull_requests([ORDERS], 2, {}, allow)
        cond = child_conditions(kube, ORDERS)["PullRequestOpened"]
        if allow:
            assert cond["status"] == "True" and len(opened) == 1
        else:
            assert (cond["status"], cond["reason"]) == ("False", "IncompleteData")
            assert "2 record(s) could not be used" in cond["message"] and opened == []


def test_a_fleet_pull_request_waits_only_for_records_that_may_have_been_its_roles() -> None:
    """A record of one requested role that lacked a field can only have held that role's calls: it holds
    back that role's pull request, not every role's of the Rightsizing (before, one such record anywhere
    held back the whole fleet). A record of no known principal (malformed) may have been anyone's and holds
    back every role, as a skipped file does. The child's Complete condition counts the same records."""
    from tests.unit.services.test_rightsizing import DEPLOYER, ORDERS

    def outcome_per_role(own: int, anyone: int) -> dict[str, tuple[str, str]]:
        kube, opened = fleet_with_pull_requests(
            [ORDERS, DEPLOYER], own + anyone, {ORDERS: own} if own else {}
        )
        seen = {}
        for arn in (ORDERS, DEPLOYER):
            conds = child_conditions(kube, arn)
            seen[arn] = (conds["PullRequestOpened"]["status"], conds["Complete"]["reason"])
        assert sorted(c.principal for c in opened) == sorted(a for a, (pr, _) in seen.items() if pr == "True")
        return seen

    assert outcome_per_role(own=2, anyone=0) == {
        ORDERS: ("False", "BadRecords"),
        DEPLOYER: ("True", "AllFilesRead"),
    }
    assert outcome_per_role(own=0, anyone=1) == {
        ORDERS: ("False", "BadRecords"),
        DEPLOYER: ("False", "BadRecords"),
    }


def test_the_records_of_each_principal_survive_merging_and_a_round_trip() -> None:
    from policygen_operator.domain.usage import UsageSummary

    first, second = UsageSummary(bad_records=3), UsageSummary(bad_records=2)
    first.bad_records_of["arn:aws:iam::111122223333:role/a"] = 2
    second.bad_records_of["arn:aws:iam::111122223333:role/a"] = 1
    merged = first.merge(second)
    assert (merged.bad_records, dict(merged.bad_records_of)) == (5, {"arn:aws:iam::111122223333:role/a": 3})
    again = UsageSummary.from_dict(merged.to_dict())
    assert again.bad_records_for("arn:aws:iam::111122223333:role/a") == 5
    assert again.bad_records_for("arn:aws:iam::111122223333:role/b") == 2
    assert (
        "badRecordsOf" not in UsageSummary(bad_records=1).to_dict()
    )  # reports without any stay as they were
