"""Status shaping without any Kubernetes, fake or real: plain values in, the status and events out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from policygen_operator.adapters.errors import Permanence
from policygen_operator.services import conditions as c
from policygen_operator.services import status as st
from policygen_operator.services.athena import QueryProgress
from policygen_operator.services.errors import InvalidRequestError, TemporaryError
from policygen_operator.services.generation import Progress
from policygen_operator.services.pullrequest import PullRequestStatus

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def conditions(before: dict[str, object] | None = None) -> c.Conditions:
    return c.Conditions((before or {}).get("conditions"), st.iso(NOW), 1)  # type: ignore[arg-type]


def test_a_run_records_its_window_and_then_its_counts_and_duration() -> None:
    run = st.started_run(NOW, 3, NOW - timedelta(days=90), NOW)
    assert run == {
        "startTime": "2026-03-01T12:00:00Z",
        "generation": 3,
        "windowStart": "2025-12-01T12:00:00Z",
        "windowEnd": "2026-03-01T12:00:00Z",
        "completionTime": None,
        **dict.fromkeys(st.RUN_COUNTERS),
    }
    done = st.completed_run(run, NOW + timedelta(seconds=42.5), Progress(7, 9, 1000, 12))
    assert done["completionTime"] == "2026-03-01T12:00:42Z" and done["durationSeconds"] == 42.5
    assert (done["filesScanned"], done["filesTotal"], done["eventsMatched"]) == (7, 9, 12)
    assert st.progress_fields(Progress(1, None, 2, 0)) == {
        "filesScanned": 1,
        "eventsScanned": 2,
        "eventsMatched": 0,
    }


def test_a_new_run_clears_the_previous_runs_counters_until_it_reports_its_own() -> None:
    """started_run is merged into status.lastRun: it set the new start time and window but left the last
    run's filesScanned, filesTotal, foldersListed... (and an Athena run's query) in place until the first
    progress report, so the status read as if the new run had already done what the old one did. Every
    counter is unset (None deletes it in the merge patch) and comes back with this run's progress."""
    before = st.completed_run(
        st.started_run(NOW - timedelta(hours=1), 2, NOW - timedelta(days=91), NOW - timedelta(hours=1)),
        NOW - timedelta(minutes=50),
        Progress(700, 700, 90_000, 1200, folders_listed=40, objects_listed=700),
    )
    run = st.started_run(NOW, 3, NOW - timedelta(days=90), NOW)
    merged = {k: v for k, v in {**before, **run}.items() if v is not None}  # RFC 7386 merge of the patch
    assert merged == {
        "startTime": "2026-03-01T12:00:00Z",
        "generation": 3,
        "windowStart": "2025-12-01T12:00:00Z",
        "windowEnd": "2026-03-01T12:00:00Z",
    }
    assert set(st.RUN_COUNTERS) >= set(st.progress_fields(Progress(1, 2, 3, 4, None, None, 5, 6)))
    athena = st.progress_fields(Progress(0, None, 0, 0, "q", QueryProgress("q-1", "RUNNING", 1, 1.0)))
    assert set(st.RUN_COUNTERS) >= set(athena)


def test_a_run_shows_what_it_has_listed_as_the_cli_does() -> None:
    """A large prefix or tree is listed for minutes before the first file is read: the CLI's progress line
    says "listed N folders, M objects", but status.lastRun showed 0 files scanned all that time. A run of
    an Athena source lists nothing, and a run of one after a listing run drops the earlier counts."""
    listing = Progress(0, None, 0, 0, folders_listed=1200, objects_listed=34567)
    assert st.progress_fields(listing) == {
        "filesScanned": 0,
        "eventsScanned": 0,
        "eventsMatched": 0,
        "foldersListed": 1200,
        "objectsListed": 34567,
    }
    run = st.started_run(NOW, 1, NOW - timedelta(days=1), NOW)
    done = st.completed_run(run, NOW + timedelta(seconds=3), listing)
    assert (done["foldersListed"], done["objectsListed"]) == (1200, 34567)
    from tests.unit.services.test_athena_sources import athena_result

    athena = st.completed_run(run, NOW + timedelta(seconds=3), None, athena_result())
    assert athena["foldersListed"] is None and athena["objectsListed"] is None


def test_a_failure_says_when_it_retries_and_what_is_kept() -> None:
    kept = {"policy": {"sha256": "ab" * 32, "generation": 2}}
    temporary = st.failure_message(TemporaryError("S3 SlowDown"), kept, retry=1, delay=60)
    assert temporary == (
        "S3 SlowDown; retrying in 60s (attempt 2); "
        "the last good policy (generation 2, sha256 abababababab) is kept"
    )
    assert st.failure_message(InvalidRequestError("no bucket"), {}, retry=0, delay=None) == "no bucket"


def test_outcome_summarises_ready_and_carries_the_failure() -> None:
    conds = conditions()
    conds.set(c.GENERATED, False, "TemporaryFailure", "throttled")
    out = st.outcome({}, conds, {}, Permanence.TEMPORARY, "throttled", 30.0)
    ready = st.condition(out.status, c.READY)
    assert (ready["status"], ready["reason"]) == ("False", "TemporaryFailure")
    assert (out.failure, out.message, out.delay) == (Permanence.TEMPORARY, "throttled", 30.0)
    assert [e.reason for e in out.events] == ["Failed"]


def test_events_only_on_transitions() -> None:
    conds = conditions()
    conds.set(c.GENERATED, True, "Generated", "1 action")
    conds.set(c.PUBLISHED, True, "ConfigMapUpdated", "written")
    first = st.outcome({}, conds, {"policy": {}})
    assert [e.reason for e in first.events] == ["Succeeded"]
    again = conditions(first.status)
    again.set(c.GENERATED, True, "Generated", "1 action")
    again.set(c.PUBLISHED, True, "ConfigMapUnchanged", "unchanged")
    assert st.outcome(first.status, again, {}).events == []  # still Ready, policy unchanged: nothing to say


def test_pull_request_status_leaves_out_what_the_forge_did_not_say() -> None:
    pushed = PullRequestStatus(None, None, "policygen/ns/pay", "abc", "pushed", True)
    assert st.pull_request_status(pushed) == {
        "branch": "policygen/ns/pay",
        "headSha": "abc",
        "state": "pushed",
    }
