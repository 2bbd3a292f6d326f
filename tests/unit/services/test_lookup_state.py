"""A LookupEvents read cut off by throttling resumes from a state directory (the CLI's --lookup-state).

botocore's Stubber checks every call against the CloudTrail service model (moto lacks LookupEvents): the
resumed run must ask for the page after the saved token and never again for the pages already read, and its
policy must equal an uninterrupted read's, because the saved pages are scanned again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from policygen_operator.cli.main import build_parser
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import ScanSpec
from policygen_operator.domain.engine import run_scan
from policygen_operator.services.errors import InvalidRequestError, TemporaryError
from policygen_operator.services.lookup import LookupEventsLogs, lookup_items, saved_window
from tests.fixtures.aws import StubbedSession
from tests.unit.adapters.test_lookup_events import ROLE, WINDOW, client, event, expected, sample_records
from tests.unit.domain.cloudtrail.test_athena_equivalence import policies

NOW = datetime(2026, 12, 2, tzinfo=UTC)
PRINCIPALS = (parse_principal(ROLE),)


def scan(source: LookupEventsLogs, stubbed: Any) -> Any:
    items = lookup_items(source, StubbedSession(stubbed), WINDOW, now=NOW)
    return run_scan(ScanSpec(PRINCIPALS, WINDOW), items, workers=1)


def throttled_at_once(state: Path) -> None:
    """A read of WINDOW whose first call is throttled: an unfinished state with no page."""
    first = client()
    with Stubber(first) as stub:
        stub.add_client_error(
            "lookup_events", "ThrottlingException", "Rate exceeded", expected_params=expected()
        )
        with pytest.raises(TemporaryError):
            scan(LookupEventsLogs(state_dir=str(state)), first)


def test_a_throttled_read_resumes_with_the_pages_it_had(tmp_path: Path) -> None:
    recs = sample_records("us-east-1")
    assert len(recs) > 12
    source = LookupEventsLogs(state_dir=str(tmp_path / "state"))
    first = client()
    with Stubber(first) as stub:
        stub.add_response(
            "lookup_events", {"Events": [event(r) for r in recs[:12]], "NextToken": "token-1"}, expected()
        )
        stub.add_client_error(
            "lookup_events", "ThrottlingException", "Rate exceeded", expected_params=expected("token-1")
        )
        with pytest.raises(TemporaryError):
            scan(source, first)
    state = json.loads((tmp_path / "state" / "state.json").read_text())
    assert state["tokens"] == {"us-east-1": "token-1"} and state["pages"] == {"us-east-1": 1}
    assert state["complete"] is False
    assert saved_window(source.state_dir or "") == (WINDOW.start, WINDOW.end)

    second = client()
    with Stubber(second) as stub:  # only the page after the token: the first page is not asked for again
        stub.add_response("lookup_events", {"Events": [event(r) for r in recs[12:]]}, expected("token-1"))
        resumed = scan(source, second)
        stub.assert_no_pending_responses()

    whole = client()
    with Stubber(whole) as stub:
        stub.add_response("lookup_events", {"Events": [event(r) for r in recs]}, expected())
        uninterrupted = scan(LookupEventsLogs(), whole)
    assert policies(resumed, ROLE) == policies(uninterrupted, ROLE) != "[]"
    assert resumed.summary.events_matched == uninterrupted.summary.events_matched
    assert json.loads((tmp_path / "state" / "state.json").read_text())["complete"] is True
    assert saved_window(source.state_dir or "") is None

    again = client()  # a finished read of the same window is scanned from the pages: no call at all
    with Stubber(again):
        assert policies(scan(source, again), ROLE) == policies(uninterrupted, ROLE)


def test_an_unfinished_read_of_another_window_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    throttled_at_once(state)
    other = datetime(2026, 11, 21, tzinfo=UTC)
    from policygen_operator.domain.cloudtrail.window import Window

    with pytest.raises(InvalidRequestError, match="unfinished LookupEvents read of 2026-11-20"):
        lookup_items(
            LookupEventsLogs(state_dir=str(state)),
            StubbedSession(client()),
            Window(other, WINDOW.end),
            now=NOW,
        )


def test_the_cli_resumes_with_the_window_it_started_with(tmp_path: Path) -> None:
    from policygen_operator.cli.generate import build_request

    state = tmp_path / "state"
    throttled_at_once(state)
    argv = ["generate", "--logs", "lookup-events://", "--principal", ROLE, "--lookup-state", str(state)]
    args = build_parser(argv).parse_args([*argv, "--lookback", "7d", "--quiet"])
    request = build_request(args)
    assert (request.start, request.end) == (WINDOW.start, WINDOW.end)  # not now - 7 days
    assert isinstance(request.source, LookupEventsLogs) and request.source.state_dir == str(state)
    other = build_parser(argv).parse_args([*argv, "--start", "2026-11-21", "--end", "2026-12-01"])
    with pytest.raises(Exception, match="unfinished read of 2026-11-20T00:00:00Z"):
        build_request(other)
    bad = ["generate", "--logs", "s3://b", "--principal", ROLE, "--lookup-state", str(state)]
    with pytest.raises(Exception, match="only for --logs lookup-events://"):
        build_request(build_parser(bad).parse_args(bad))
