"""LookupEvents as a source, against botocore's CloudTrail service model (Stubber: moto lacks the API).

The pages are made of the sample files' records, so the scan of the pages must give the local scan's
policy; pacing (2 requests per second per region), resuming from a NextToken and the 90-day limit too.
"""

from __future__ import annotations

import glob
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from policygen_operator.adapters.aws.errors import AwsError
from policygen_operator.adapters.aws.lookup import LookupEvents, check_history_window
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import ScanCancelled, run_scan
from tests.fixtures.aws import StubbedSession
from tests.unit.domain.cloudtrail.athena_duckdb import records
from tests.unit.domain.cloudtrail.test_athena_equivalence import SAMPLES, local_scan, policies

WINDOW = Window(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
ROLE = "arn:aws:iam::111122223333:role/service-role/order-processor"
USER = "arn:aws:iam::111122223333:user/people/alice"


def client() -> Any:
    return boto3.client(
        "cloudtrail", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def sample_records(region: str) -> list[dict[str, Any]]:
    paths = sorted(glob.glob(str(SAMPLES / "**" / "*.json.gz"), recursive=True))
    return [r for _, r in records(paths) if r.get("awsRegion") == region]


def event(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "EventId": record.get("eventID", "x"),
        "EventName": record["eventName"],
        "CloudTrailEvent": json.dumps(record),
    }


def expected(token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"StartTime": WINDOW.start, "EndTime": WINDOW.end, "MaxResults": 50}
    if token:
        params["NextToken"] = token
    return params


def stub_pages(stub: Stubber, recs: list[dict[str, Any]], size: int, first_token: str | None = None) -> int:
    pages = [recs[i : i + size] for i in range(0, len(recs), size)] or [[]]
    token = first_token
    for number, page in enumerate(pages):
        following = f"token-{number + 1}" if number + 1 < len(pages) else None
        response: dict[str, Any] = {"Events": [event(r) for r in page]}
        if following:
            response["NextToken"] = following
        stub.add_response("lookup_events", response, expected(token))
        token = following
    return len(pages)


def test_pages_scanned_give_the_local_policy() -> None:
    clients = {"us-east-1": client(), "eu-west-1": client()}
    principals = (parse_principal(ROLE), parse_principal(USER))
    with Stubber(clients["eu-west-1"]) as eu, Stubber(clients["us-east-1"]) as us:
        calls = stub_pages(eu, sample_records("eu-west-1"), 7) + stub_pages(
            us, sample_records("us-east-1"), 7
        )
        reader = LookupEvents(clients, WINDOW, sleep=lambda _: None)
        result = run_scan(ScanSpec(principals, WINDOW), reader.items(), workers=1)
        eu.assert_no_pending_responses()
        us.assert_no_pending_responses()
    local = local_scan(SAMPLES, principals, WINDOW)
    assert calls > 4 and reader.calls == calls and reader.done == {"eu-west-1", "us-east-1"}
    for arn in (ROLE, USER):
        assert policies(result, arn) == policies(local, arn) != "[]"


def test_calls_are_paced_to_two_per_second_per_region() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    athena = client()
    with Stubber(athena) as stub:
        stub_pages(stub, sample_records("us-east-1"), 10)
        reader = LookupEvents({"us-east-1": athena}, WINDOW, sleep=sleep, clock=lambda: now[0])
        list(reader.items())
    assert reader.calls >= 3
    assert slept == [pytest.approx(0.5)] * (reader.calls - 1)


def test_a_throttled_read_resumes_from_its_token() -> None:
    recs = sample_records("us-east-1")
    first = client()
    with Stubber(first) as stub:
        stub.add_response(
            "lookup_events", {"Events": [event(r) for r in recs[:10]], "NextToken": "token-1"}, expected()
        )
        stub.add_client_error(
            "lookup_events", "ThrottlingException", "Rate exceeded", expected_params=expected("token-1")
        )
        reader = LookupEvents({"us-east-1": first}, WINDOW, sleep=lambda _: None)
        pages = []
        with pytest.raises(AwsError) as caught:
            pages.extend(reader.items())
    assert caught.value.permanence is Permanence.TEMPORARY and "token-1" in str(caught.value)
    assert reader.tokens == {"us-east-1": "token-1"} and len(pages) == 1
    second = client()
    with Stubber(second) as stub:
        stub.add_response("lookup_events", {"Events": [event(r) for r in recs[10:]]}, expected("token-1"))
        again = LookupEvents({"us-east-1": second}, WINDOW, resume=reader.tokens, sleep=lambda _: None)
        pages.extend(again.items())
        stub.assert_no_pending_responses()
    assert again.tokens == {} and sum(p.count(b"\n") for _, p in pages) == len(recs)


def test_cancel_between_pages() -> None:
    cancel = threading.Event()
    athena = client()
    with Stubber(athena) as stub:
        stub_pages(stub, sample_records("us-east-1"), 5)
        reader = LookupEvents({"us-east-1": athena}, WINDOW, cancel=cancel, sleep=lambda _: None)
        items = reader.items()
        next(items)
        cancel.set()
        with pytest.raises(ScanCancelled):
            next(items)


def test_the_history_holds_90_days() -> None:
    assert check_history_window(WINDOW, datetime(2027, 1, 15, tzinfo=UTC)) is None
    refused = check_history_window(WINDOW, datetime(2027, 3, 1, tzinfo=UTC))
    assert refused is not None and refused.permanence is Permanence.PERMANENT and refused.field == "window"


def test_the_last_90_days_made_a_moment_ago_are_in_the_history() -> None:
    """The CLI's default (--lookback 90d) and a PolicyGeneration's ``lookback: 90d`` make the window from
    the clock just before the check: the strict comparison refused it every time."""
    made = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    last_90_days = Window(made - timedelta(days=90), made)
    assert check_history_window(last_90_days, made + timedelta(seconds=2)) is None
    assert check_history_window(last_90_days, made + timedelta(days=1)) is not None


def test_service_reads_each_region_and_classifies_failures() -> None:
    from policygen_operator.services.errors import InvalidRequestError, TemporaryError
    from policygen_operator.services.lookup import LookupEventsLogs, lookup_items

    clients = {"eu-west-1": client()}

    class Session:
        region_name = "eu-west-1"

        def client(self, service: str, region_name: str, endpoint_url: str | None) -> Any:
            assert service == "cloudtrail" and endpoint_url is None
            return clients[region_name]

    now = datetime(2026, 12, 2, tzinfo=UTC)
    with Stubber(clients["eu-west-1"]) as stub:
        stub.add_client_error(
            "lookup_events", "ThrottlingException", "Rate exceeded", expected_params=expected()
        )
        with pytest.raises(TemporaryError):
            list(lookup_items(LookupEventsLogs(), Session(), WINDOW, now=now))
    with pytest.raises(InvalidRequestError) as refused:
        lookup_items(
            LookupEventsLogs(("eu-west-1",)), Session(), WINDOW, now=datetime(2027, 6, 1, tzinfo=UTC)
        )
    assert refused.value.field == "window"


def test_account_and_region_filters_keep_the_records_a_file_scan_keeps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--account/--region keep records by recipientAccountId and awsRegion in every source (``ScanSpec``);
    run_generation gave the LookupEvents pages' scan neither, so a run asking for another account than the
    credentials' granted that account's calls, and a record of a Region not asked for was kept."""
    from policygen_operator.services import generation
    from policygen_operator.services.generation import GenerationRequest, NoMatchingEvents, run_generation
    from policygen_operator.services.lookup import LookupEventsLogs

    recs = sample_records("us-east-1")
    sessions = "arn:aws:sts::111122223333:assumed-role/order-processor/"  # ROLE's
    mine = [r for r in recs if str(r["userIdentity"].get("arn")).startswith(sessions)]
    assert len(mine) > 2
    elsewhere = {**mine[0], "awsRegion": "eu-west-1"}  # a record of another Region in the pages
    pages = [elsewhere, *mine[1:]]

    def run(source: LookupEventsLogs) -> dict[str, Any]:
        stubbed = client()
        monkeypatch.setattr(generation, "aws_session", lambda _: StubbedSession(stubbed))
        request = GenerationRequest((ROLE,), source, WINDOW.start, WINDOW.end, workers=1)
        with Stubber(stubbed) as stub:
            stub.add_response("lookup_events", {"Events": [event(r) for r in pages]}, expected())
            try:
                return run_generation(request).report
            except NoMatchingEvents as nothing:
                assert nothing.result is not None
                return nothing.result.report

    monkeypatch.setattr("policygen_operator.adapters.aws.lookup.check_history_window", lambda *_: None)
    region = run(LookupEventsLogs(("us-east-1",)))
    assert region["eventsExcludedByAccountOrRegion"] == 1
    assert region["eventsMatched"] == len(mine) - 1
    account = run(LookupEventsLogs(("us-east-1",), account_ids=("444455556666",)))
    assert account["eventsExcludedByAccountOrRegion"] == len(mine)
    assert account["eventsMatched"] == 0
