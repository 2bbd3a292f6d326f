"""S3 listing cannot keep a scan slot busy for ever (issue 10): a page cap, repeated tokens refused, and the
cancel event checked before every listing call. The endpoint is a real local HTTP server speaking
ListObjectsV2 that answers ``IsTruncated=true`` for ever (moto cannot be made to), called through botocore.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest

from policygen_operator.adapters.aws.errors import AwsError
from policygen_operator.adapters.aws.s3 import MAX_PAGES_PER_LISTING, S3DeliveryLogs, locate
from policygen_operator.domain.cloudtrail.local import Listing
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import ScanCancelled
from tests.fixtures.listeners import LocalServer, QuietHandler, answer

PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<Name>trail</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>
<IsTruncated>true</IsTruncated><NextContinuationToken>{token}</NextContinuationToken>
</ListBucketResult>"""


class Endless(LocalServer):
    def __init__(self, repeat_token: bool = False, delay: float = 0.0) -> None:
        self.calls = 0
        # pages asked for by each listing (a request without a continuation token starts one)
        self.pages: list[int] = []
        self.repeat_token = repeat_token
        self.delay = delay
        endless = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                endless.calls += 1
                if "continuation-token=" not in self.path:
                    endless.pages.append(0)
                if endless.pages:
                    endless.pages[-1] += 1
                time.sleep(endless.delay)
                token = "same" if endless.repeat_token else f"t{endless.calls}"
                answer(self, 200, "application/xml", PAGE.format(token=token).encode())

        self.serve(Handler)

    def logs(
        self, cancel: threading.Event | None = None, max_pages: int = MAX_PAGES_PER_LISTING
    ) -> S3DeliveryLogs:
        client = boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        window = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
        location = locate("trail", "", None, ("111122223333",), ("us-east-1",))
        return S3DeliveryLogs(client, location, window, Listing(), cancel=cancel, max_pages=max_pages)


@pytest.fixture
def endless() -> Iterator[Endless]:
    server = Endless()
    yield server
    server.stop()


def test_endless_listing_stops_at_the_page_cap(endless: Endless) -> None:
    logs = endless.logs(max_pages=25)
    with pytest.raises(AwsError, match="more than 25 pages") as caught:
        list(logs.keys())
    assert caught.value.permanent
    assert endless.calls == 25 == logs.list_calls


def test_default_cap_is_bounded() -> None:
    assert 100 <= MAX_PAGES_PER_LISTING <= 10_000


def test_repeated_continuation_token_is_refused() -> None:
    server = Endless(repeat_token=True)
    try:
        with pytest.raises(AwsError, match="repeated or omitted its continuation token") as caught:
            list(server.logs().keys())
        assert caught.value.permanent
        assert server.calls == 2
    finally:
        server.stop()


def test_cancel_is_checked_while_listing() -> None:
    """Before: the cancel event was only looked at between files, and an endless listing yields none."""
    server = Endless(delay=0.02)
    cancel = threading.Event()
    try:
        threading.Timer(0.3, cancel.set).start()
        started = time.monotonic()
        with pytest.raises(ScanCancelled):
            list(server.logs(cancel=cancel).keys())
        assert time.monotonic() - started < 5
        assert server.calls < MAX_PAGES_PER_LISTING
    finally:
        server.stop()
