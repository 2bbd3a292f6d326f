"""Archives of CloudTrail records in S3 outside the delivery layout, against moto's server mode.

Kinesis Data Firehose writes ``<prefix>YYYY/MM/dd/HH/<stream>-<version>-YYYY-MM-dd-HH-MM-SS-<uuid>`` with
no extension unless it compresses (Firehose Developer Guide, "Amazon S3 object name format"; a CloudWatch
Logs subscription's data reaches it already gzip, so its objects are gzip without ``.gz``: CloudWatch Logs
User Guide, "Subscription filters", Example 3, whose listing shows
``firehose/2015/10/29/00/my-delivery-stream-2015-10-29-00-01-21-a188030a-62d2-49e6-b7c2-b11f1a7ba250``).
CloudWatch Logs ``create-export-task`` writes ``<prefix>/<taskId>/<stream>/000000.gz`` and an
``aws-logs-write-test`` marker (getmoto/moto, moto/logs/models.py). Before, a prefix without ``AWSLogs/``
below it listed ``<prefix>/AWSLogs/``, found nothing, and read nothing.
"""

from __future__ import annotations

import gzip
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest

from policygen_operator.adapters.aws.errors import AwsError
from policygen_operator.adapters.aws.s3 import S3DeliveryLogs, locate
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.cloudtrail.local import Listing
from policygen_operator.domain.cloudtrail.sniff import HEAD_BYTES
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.services.errors import NoMatchingEventsError
from policygen_operator.services.generation import GenerationRequest, S3Logs, run_generation
from tests.fixtures.aws import moto_client

pytestmark = pytest.mark.moto

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/app"
WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, 12, tzinfo=UTC))
BUCKET = "archives"
UUID = "a188030a-62d2-49e6-b7c2-b11f1a7ba250"
EXPORT = "exports/cda45419-90ea-4db5-9833-aade86253e66"  # the CloudWatch Logs User Guide's example taskId


def _record(name: str, table: str, time: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1",
            "accountId": ACCOUNT,
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "arn": ROLE, "accountId": ACCOUNT, "userName": "app"}
            },
        },
        "eventTime": time,
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "requestParameters": {"tableName": table},
        "responseElements": None,
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    }


def _event(record: dict[str, Any]) -> bytes:
    """The EventBridge event of a record (EventBridge User Guide, "AWS service events delivered via AWS
    CloudTrail"): what a rule hands to Firehose, which writes the events back to back."""
    return json.dumps(
        {
            "version": "0",
            "id": "36eb8523-97d0-4518-b33d-ee3579ff19f0",
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.dynamodb",
            "account": ACCOUNT,
            "time": record["eventTime"],
            "region": "us-east-1",
            "resources": [],
            "detail": record,
        }
    ).encode()


def _subscription(*records: dict[str, Any]) -> bytes:
    """One gzip member per subscription delivery, as CloudWatch Logs sends them to Firehose (CloudWatch
    Logs User Guide, "Subscription filters": owner, logGroup, logStream, subscriptionFilters, messageType,
    logEvents[].message holding the record)."""
    payload = {
        "owner": ACCOUNT,
        "logGroup": "CloudTrail/logs",
        "logStream": f"{ACCOUNT}_CloudTrail/logs_us-east-1",
        "subscriptionFilters": ["Destination"],
        "messageType": "DATA_MESSAGE",
        "logEvents": [
            {"id": str(31953106606966983378809025079804211143289615424298221568 + n), "timestamp": 0,
             "message": json.dumps(r)}
            for n, r in enumerate(records)
        ],
    }  # fmt: skip
    return gzip.compress(json.dumps(payload).encode(), mtime=0)


@pytest.fixture(autouse=True)
def credentials(moto_credentials: None) -> None:
    """Every test of the module runs with moto's credentials (``tests.fixtures.aws``)."""


@pytest.fixture(scope="module")
def bucket(moto_server: str) -> str:
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket=BUCKET)
    objects = {
        # EventBridge rule -> Firehose, uncompressed: no extension
        f"events/2026/11/24/09/ct-events-1-2026-11-24-09-05-17-{UUID}": _event(
            _record("GetItem", "orders", "2026-11-24T09:01:00Z")
        )
        + _event(_record("PutItem", "orders", "2026-11-24T09:02:00Z")),
        # the same stream after a configuration change turned GZIP on: '.gz'
        f"events/2026/11/25/10/ct-events-2-2026-11-25-10-20-17-{UUID}.gz": gzip.compress(
            _event(_record("Query", "audit", "2026-11-25T10:19:00Z"))
        ),
        # outside the window: their folders are never listed
        f"events/2026/11/20/09/ct-events-1-2026-11-20-09-05-17-{UUID}": _event(
            _record("DeleteItem", "orders", "2026-11-20T09:01:00Z")
        ),
        f"events/2025/11/24/09/ct-events-1-2025-11-24-09-05-17-{UUID}": _event(
            _record("DeleteTable", "orders", "2025-11-24T09:01:00Z")
        ),
        # CloudWatch Logs subscription -> Firehose: gzip members, no extension
        f"firehose/2026/11/24/09/my-delivery-stream-2026-11-24-09-01-21-{UUID}": _subscription(
            _record("Scan", "orders", "2026-11-24T09:00:00Z")
        )
        + _subscription(_record("BatchGetItem", "orders", "2026-11-24T09:00:30Z")),
        # aws logs create-export-task --destination-prefix exports
        "exports/aws-logs-write-test": b"Permission Check Successful",
        f"{EXPORT}/{ACCOUNT}_CloudTrail_us-east-1/000000.gz": gzip.compress(
            b"2026-11-24T10:00:00.000Z "
            + json.dumps(_record("UpdateItem", "orders", "2026-11-24T10:00:00Z")).encode()
        ),
    }  # fmt: skip
    for key, body in objects.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return BUCKET


def _client(endpoint: str, listed: list[str]) -> Any:
    client = moto_client("s3", endpoint)
    client.meta.events.register(
        "provide-client-params.s3.ListObjectsV2", lambda params, **_: listed.append(params["Prefix"])
    )
    return client


def _generate(moto_server: str, prefix: str, bucket: str = BUCKET) -> Any:
    request = GenerationRequest(
        principals=(ROLE,),
        source=S3Logs(bucket, prefix, endpoint_url=moto_server),
        start=WINDOW.start,
        end=WINDOW.end,
        workers=1,
    )
    return run_generation(request)


def test_a_firehose_archive_of_eventbridge_events_is_read_and_its_time_folders_pruned(
    moto_server: str, bucket: str
) -> None:
    result = _generate(moto_server, "events/")
    assert result.results[ROLE].actions == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    assert result.report["filesScanned"] == 2 and not result.report["filesSkipped"]

    listed: list[str] = []
    listing = Listing()
    ticks: list[tuple[int, int]] = []
    listing.tick = lambda: ticks.append((listing.folders_listed, listing.objects_listed))
    logs = S3DeliveryLogs(
        _client(moto_server, listed), locate(bucket, "events/", None, (), ()), WINDOW, listing
    )
    keys = logs.keys()  # a generator of S3 keys, not a dict's
    assert [key.rsplit("/", 1)[0] for key in keys] == ["events/2026/11/24/09", "events/2026/11/25/10"]
    # the listing's progress: one tick a page, each folder once, the objects its pages held
    assert len(ticks) == len(listed) == 11 and ticks[-1] == (11, 2)
    # a year folder alone may be a name: listed once; its months outside the window once, to see that they
    # hold time folders (a trail's key prefix may look like a month), and nothing below them
    assert [p for p in listed if p.startswith(("events/2025/11/", "events/2026/11/20/"))] == [
        "events/2025/11/",
        "events/2026/11/20/",
    ]
    assert listed.count("events/2025/") == 1
    assert listed[:2] == ["events/AWSLogs/", "events/"]  # the delivery layout is looked for first


def test_a_cloudwatch_logs_subscription_through_firehose_is_read(moto_server: str, bucket: str) -> None:
    result = _generate(moto_server, "firehose")  # a folder named without its slash
    assert result.results[ROLE].actions == ["dynamodb:BatchGetItem", "dynamodb:Scan"]


def test_a_log_group_export_is_read_and_its_marker_passed_over(moto_server: str, bucket: str) -> None:
    result = _generate(moto_server, "exports/")
    assert result.results[ROLE].actions == ["dynamodb:UpdateItem"]
    assert result.report["filesScanned"] == 1 and not result.report["filesSkipped"]
    assert result.report["filesNotRead"]["notLogFiles"] == 1  # aws-logs-write-test


def test_the_whole_bucket_reads_every_archive_in_the_window(moto_server: str, bucket: str) -> None:
    result = _generate(moto_server, "")
    assert len(result.results[ROLE].actions) == 6
    assert result.report["filesScanned"] == 4
    assert result.report["filesNotRead"]["notLogFiles"] == 1


def test_an_archive_walk_is_bounded(moto_server: str, bucket: str) -> None:
    """A prefix far wider than one archive (a bucket of many folders) is refused with the fix, not listed
    for hours: events/ needs 8 folder listings in the window."""
    location = locate(bucket, "events/", None, (), ())
    for cap, fails in ((7, True), (8, False)):
        logs = S3DeliveryLogs(moto_client("s3", moto_server), location, WINDOW, Listing(), max_folders=cap)
        if fails:
            with pytest.raises(AwsError, match=r"more than 7 folders below it in the window") as caught:
                list(logs.keys())
            assert caught.value.permanence is Permanence.PERMANENT
        else:
            assert len(list(logs.keys())) == 2


def test_account_and_region_filters_prune_partition_folders_and_records(
    moto_server: str, bucket: str
) -> None:
    """A Firehose prefix that partitions by the record's Region (dynamic partitioning,
    ``region=!{partitionKeyFromQuery:region}/``: Firehose Developer Guide, "Dynamic partitioning") holds one
    folder per Region; another archive holds several Regions' events in one object. --region used to read
    both whole and grant what the excluded Region's calls used: its folder is now not listed, and its
    records in a mixed object are passed over and counted."""
    s3 = moto_client("s3", moto_server)
    dublin = _record("DeleteTable", "orders", "2026-11-24T09:03:00Z") | {"awsRegion": "eu-west-1"}
    objects = {
        f"routed/region=us-east-1/2026/11/24/09/ct-1-2026-11-24-09-05-17-{UUID}": _event(
            _record("GetItem", "orders", "2026-11-24T09:01:00Z")
        ),
        f"routed/region=eu-west-1/2026/11/24/09/ct-1-2026-11-24-09-05-17-{UUID}": _event(dublin),
        f"mixed/2026/11/24/09/ct-1-2026-11-24-09-05-17-{UUID}": _event(
            _record("PutItem", "orders", "2026-11-24T09:02:00Z")
        )
        + _event(dublin),
    }
    for key, body in objects.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    try:
        listed: list[str] = []
        location = locate(bucket, "routed/", None, (), ("us-east-1",))
        keys = list(S3DeliveryLogs(_client(moto_server, listed), location, WINDOW, Listing()).keys())
        assert [key.split("/")[1] for key in keys] == ["region=us-east-1"]
        assert not [prefix for prefix in listed if "eu-west-1" in prefix]
        for prefix, action in (("routed/", "dynamodb:GetItem"), ("mixed/", "dynamodb:PutItem")):
            request = GenerationRequest(
                principals=(ROLE,),
                source=S3Logs(BUCKET, prefix, regions=("us-east-1",), endpoint_url=moto_server),
                start=WINDOW.start,
                end=WINDOW.end,
                workers=1,
            )
            result = run_generation(request)
            assert result.results[ROLE].actions == [action]
            assert result.report["eventsExcludedByAccountOrRegion"] == (1 if prefix == "mixed/" else 0)
    finally:
        for key in objects:
            s3.delete_object(Bucket=BUCKET, Key=key)


def test_folders_passed_over_are_counted_and_a_prefix_of_no_logs_is_said_as_one(
    moto_server: str, bucket: str
) -> None:
    """The time folders an archive walk passes over are counted in the report (they were not), and a prefix
    whose objects are none of the forms read says it passed over objects under the prefix, where it said
    'file(s) in the folder' for an s3:// source too."""
    result = _generate(moto_server, "events/")
    assert result.report["foldersNotEntered"] == {
        "outsideWindow": 2,  # events/2025/11/ and events/2026/11/20/
        "excludedByAccountOrRegion": 0,
        "noCalls": 0,
        "otherServices": 0,
        "besideTrail": 0,
    }
    s3 = moto_client("s3", moto_server)
    s3.put_object(Bucket=BUCKET, Key="text/aws-logs-write-test", Body=b"Permission Check Successful")
    try:
        with pytest.raises(
            NoMatchingEventsError,
            match=r"; 1 object\(s\) under s3://archives/text/ were passed over, neither named as log files",
        ):
            _generate(moto_server, "text/")
    finally:
        s3.delete_object(Bucket=BUCKET, Key="text/aws-logs-write-test")


def _delivery_file(record: dict[str, Any]) -> bytes:
    """A delivery file as CloudTrail writes it (CloudTrail User Guide, "CloudTrail log file examples")."""
    return gzip.compress(json.dumps({"Records": [record]}).encode(), mtime=0)


# The trail's day folder of the window and one delivery file in it (CloudTrail User Guide, "Finding your
# CloudTrail log files": AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_...json.gz)
DAY = f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/24"
TRAIL_FILE = f"{DAY}/{ACCOUNT}_CloudTrail_us-east-1_20261124T0905Z_AbCdEfGh12345678.json.gz"


def _put_trail_file(s3: Any, bucket: str, prefix: str) -> None:
    """The trail's one delivery file below ``prefix``: a GetItem on orders in the window."""
    s3.put_object(
        Bucket=bucket,
        Key=f"{prefix}{TRAIL_FILE}",
        Body=_delivery_file(_record("GetItem", "orders", "2026-11-24T09:01:00Z")),
    )


def test_folders_beside_awslogs_are_counted_not_read(moto_server: str) -> None:
    """A prefix holding ``AWSLogs/`` is a trail's (``trail/AWSLogs/...``): the folders beside it (here a
    Firehose stream's ``trail/firehose/YYYY/MM/dd/HH/``; in a log bucket, another trail's
    ``PREFIX/AWSLogs/`` that logs the same calls again, or millions of other services' objects) are counted
    and said, not walked; their own prefix reads them. A walk of them (72d33c5) read a second trail twice
    and cost a request per object of a log bucket."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="shared")
    day = f"trail/{DAY}"
    _put_trail_file(s3, "shared", "trail/")
    s3.put_object(
        Bucket="shared",
        Key=f"trail/firehose/2026/11/24/09/ct-events-1-2026-11-24-09-05-17-{UUID}",
        Body=_event(_record("PutItem", "orders", "2026-11-24T09:02:00Z")),
    )
    _put_trail_file(s3, "shared", "trail/second/")  # another trail delivering below the same prefix
    listed: list[str] = []
    listing = Listing()
    logs = S3DeliveryLogs(
        _client(moto_server, listed), locate("shared", "trail/", None, (), ()), WINDOW, listing
    )
    keys = list(logs.keys())
    assert [key.split("/")[1] for key in keys] == ["AWSLogs"]
    assert listed == [
        "trail/AWSLogs/",
        f"trail/AWSLogs/{ACCOUNT}/CloudTrail/",
        f"{day}/",
        f"{day[:-2]}25/",
        "trail/",  # the top, once, for the folders beside AWSLogs/
    ]
    assert listing.folders()["besideTrail"] == 2 and not logs.unreadable
    result = _generate(moto_server, "trail/", "shared")
    assert result.results[ROLE].actions == ["dynamodb:GetItem"]
    assert result.report["foldersNotEntered"]["besideTrail"] == 2
    stream = _generate(moto_server, "trail/firehose/", "shared")  # its own prefix reads it
    assert stream.results[ROLE].actions == ["dynamodb:PutItem"]


class _Gets:
    """The GetObject requests a client makes (key and Range) and the body bytes they answer."""

    def __init__(self, client: Any) -> None:
        self.asked: list[tuple[str, str]] = []
        self.bytes = 0
        client.meta.events.register("provide-client-params.s3.GetObject", self._ask)
        client.meta.events.register("after-call.s3.GetObject", self._answer)

    def _ask(self, params: dict[str, Any], **_: Any) -> None:
        self.asked.append((params["Key"], params.get("Range", "")))

    def _answer(self, parsed: dict[str, Any], **_: Any) -> None:
        self.bytes += int(parsed.get("ContentLength") or 0)


def test_objects_beside_the_trail_are_sniffed_by_range_and_other_services_by_name(moto_server: str) -> None:
    """A log bucket holds beside a trail's AWSLogs/ what other services deliver there, and each object of a
    name that does not say it holds logs was downloaded whole (up to the size cap) to look at its first
    4 KiB: S3 server access logs (often millions), Parquet and text files of any size. Now an object of an
    unknown name is first read for its first 4 KiB (``Range: bytes=0-4095``) and the rest fetched
    (``Range: bytes=4096-``) only when they begin as logs, no byte twice; and other services' objects are
    passed over by name without a request, counted by kind: S3 server access logs (Amazon S3 User Guide,
    "Log object key format": TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString), CloudFront standard logs
    (CloudFront Developer Guide, "File name format": <distribution ID>.YYYY-MM-DD-HH.unique-ID.gz), Athena
    query results (Athena User Guide, "Identifying query output files": QueryID.csv, QueryID.csv.metadata),
    and a load balancer's folder below its AWSLogs/ (Elastic Load Balancing User Guide, "Access logs for
    your Application Load Balancer": bucket[/prefix]/AWSLogs/aws-account-id/elasticloadbalancing/...)."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="log-bucket")
    trail = f"trail/{TRAIL_FILE}"  # below the top: the top, holding no AWSLogs/ itself, is walked whole
    stream = f"firehose/2026/11/24/09/ct-events-1-2026-11-24-09-05-17-{UUID}"
    text = "app/2026/11/24/service-out"  # a text log of no extension, larger than the head
    columns = "exports/part-00000"  # Parquet without an extension: its magic tells it
    query = "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    access = b"79a59df900b949e55d96a1e698fbaced log-bucket [24/Nov/2026:09:00:00 +0000] 192.0.2.3 ...\n"
    bodies = {
        trail: _delivery_file(_record("GetItem", "orders", "2026-11-24T09:01:00Z")),
        stream: b"".join(
            _event(_record("PutItem", "orders", f"2026-11-24T09:{n:02}:00Z")) for n in range(20)
        ),
        text: b"[INFO] request served\n" * 5000,
        columns: b"PAR1" + bytes(8192),
        **{f"s3logs/2026-11-24-09-{n:02}-17-0123456789ABCDEF": access * 60 for n in range(3)},
        "cdn/EMLARXS9EXAMPLE.2026-11-24-09.RT4KCN4SGK9.gz": gzip.compress(b"#Version: 1.0\n" * 500),
        f"athena/Unsaved/2026/11/24/{query}.csv": b'"eventname"\n"GetItem"\n' * 500,
        f"athena/Unsaved/2026/11/24/{query}.csv.metadata": b"\x0a\x08" * 500,
        f"alb/AWSLogs/{ACCOUNT}/elasticloadbalancing/us-east-1/2026/11/24/{ACCOUNT}_elasticloadbalancing_"
        "us-east-1_app.my-lb.1234567890abcdef_20261124T0905Z_192.0.2.1_2et2e1mx.log.gz": gzip.compress(
            b"http 2026-11-24T09:05:00.000000Z app/my-lb/1234567890abcdef ...\n" * 500
        ),
    }
    assert len(bodies[stream]) > HEAD_BYTES
    for key, body in bodies.items():
        s3.put_object(Bucket="log-bucket", Key=key, Body=body)

    client = moto_client("s3", moto_server)
    gets = _Gets(client)
    listing = Listing()
    logs = S3DeliveryLogs(client, locate("log-bucket", "", None, (), ()), WINDOW, listing)
    read = dict(logs.objects())
    assert read == {f"s3://log-bucket/{trail}": bodies[trail], f"s3://log-bucket/{stream}": bodies[stream]}
    assert sorted(gets.asked) == sorted(
        [
            (trail, ""),  # named as logs: read whole at once
            (stream, "bytes=0-4095"),
            (stream, "bytes=4096-"),  # it begins as logs: the rest, no byte twice
            (text, "bytes=0-4095"),
            (columns, "bytes=0-4095"),
        ]
    )
    assert gets.bytes == len(bodies[trail]) + len(bodies[stream]) + 2 * HEAD_BYTES
    assert {key: n for key, n in listing.to_dict().items() if n} == {
        "notLogFiles": 1,
        "s3AccessLogs": 3,
        "cloudFrontLogs": 1,
        "athenaResults": 2,
        "tabularFiles": 1,
    }
    assert listing.folders()["otherServices"] == 1  # alb/AWSLogs/ACCOUNT/elasticloadbalancing/

    result = _generate(moto_server, "", "log-bucket")
    assert result.results[ROLE].actions == ["dynamodb:GetItem", "dynamodb:PutItem"]
    assert result.report["filesNotRead"]["s3AccessLogs"] == 3
    assert result.report["foldersNotEntered"]["otherServices"] == 1
    assert not result.report["filesSkipped"]

    # past the size cap, an object of another name is passed over for its head, not named as too large:
    # it was never a file the scan skipped
    capped = S3DeliveryLogs(
        moto_client("s3", moto_server),
        locate("log-bucket", "app/", None, (), ()),
        WINDOW,
        Listing(),
        max_object_bytes=len(bodies[text]) - 1,
    )
    assert not list(capped.objects()) and not capped.unreadable
    assert capped.listing.not_logs == 1


def test_an_object_replaced_between_its_head_and_its_rest_is_read_again_whole(moto_server: str) -> None:
    """The rest of an object is read on the ETag of its head (``If-Match``): one replaced between the two
    reads (a Firehose retry rewriting a key, a copy) is read again whole, never as the new object's end
    after the old one's start, which would be a record cut in two, or two halves of different records."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="rewritten")
    key = f"firehose/2026/11/24/09/ct-events-1-2026-11-24-09-05-17-{UUID}"
    old = b"".join(_event(_record("GetItem", "orders", f"2026-11-24T09:{n:02}:00Z")) for n in range(20))
    new = b"".join(_event(_record("PutItem", "orders", f"2026-11-24T09:{n:02}:30Z")) for n in range(20))
    s3.put_object(Bucket="rewritten", Key=key, Body=old)
    client = moto_client("s3", moto_server)
    gets = _Gets(client)

    def replace(params: dict[str, Any], **_: Any) -> None:
        if params.get("Range", "").startswith("bytes=4096-"):  # after the head was read
            s3.put_object(Bucket="rewritten", Key=key, Body=new)

    client.meta.events.register("provide-client-params.s3.GetObject", replace)
    logs = S3DeliveryLogs(client, locate("rewritten", "firehose/", None, (), ()), WINDOW, Listing())
    assert dict(logs.objects()) == {f"s3://rewritten/{key}": new}
    assert gets.asked == [(key, "bytes=0-4095"), (key, "bytes=4096-"), (key, "")]


def test_a_folder_of_more_objects_than_the_page_cap_is_named_and_the_walk_goes_on(moto_server: str) -> None:
    """S3 server access logs are delivered flat, one object every few minutes per source bucket, often
    millions under one prefix (Amazon S3 User Guide, "Log object key format":
    TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString). A folder of an archive whose listing passed the page
    cap stopped the whole walk: the folders after it (a Firehose stream's) were not read,
    and the message said none were. Now the folder is named as read in part, its listed objects counted
    (passed over by name, no request), the listing's progress counts them, and the walk goes on."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="busy-logs")
    _put_trail_file(s3, "busy-logs", "trail/ct/")  # trail/ holds no AWSLogs/ itself: walked whole
    for n in range(1001):  # one more than a page of ListObjectsV2 (MaxKeys defaults to 1,000)
        s3.put_object(Bucket="busy-logs", Key=f"trail/s3-access/2026-11-24-09-05-17-{n:016X}", Body=b"-")
    stream = f"trail/zfirehose/2026/11/24/09/ct-events-1-2026-11-24-09-05-17-{UUID}"
    s3.put_object(
        Bucket="busy-logs", Key=stream, Body=_event(_record("PutItem", "orders", "2026-11-24T09:02:00Z"))
    )
    client = moto_client("s3", moto_server)
    gets = _Gets(client)
    listing = Listing()
    ticks: list[int] = []
    listing.tick = lambda: ticks.append(listing.objects_listed)
    logs = S3DeliveryLogs(client, locate("busy-logs", "trail/", None, (), ()), WINDOW, listing, max_pages=1)
    assert [name.split("/")[4] for name, _ in logs.objects()] == ["ct", "zfirehose"]
    assert logs.unreadable == {
        "s3://busy-logs/trail/s3-access/": "listed in part: more than 1 pages (1,000 keys) in one folder, "
        "the keys past them not listed; give the prefix of the archive to read"
    }
    assert listing.other["s3AccessLogs"] == 1000 and len(gets.asked) == 2
    assert 1000 in {b - a for a, b in pairwise(ticks)}  # progress, as they were listed


def test_a_trail_prefix_that_looks_like_a_month_is_read(moto_server: str) -> None:
    """A trail's key prefix is any name: one of ``2020/05`` (``2020/05/AWSLogs/...``) read as an archive's
    month, and a walk of the bucket passed it over for a window of 2026 before its ``AWSLogs/`` was seen,
    the trail's records of the window with it. A time folder outside the window is now listed once, and
    passed over only when the folders in it are time folders too (a Firehose archive's days)."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="dated")
    _put_trail_file(s3, "dated", "2020/05/")
    s3.put_object(
        Bucket="dated",
        Key=f"2020/06/01/09/ct-events-1-2020-06-01-09-05-17-{UUID}",
        Body=_event(_record("DeleteTable", "orders", "2020-06-01T09:01:00Z")),
    )
    listed: list[str] = []
    logs = S3DeliveryLogs(_client(moto_server, listed), locate("dated", "", None, (), ()), WINDOW, Listing())
    assert list(logs.keys()) == [f"2020/05/{TRAIL_FILE}"]
    assert "2020/06/" in listed and not [p for p in listed if p.startswith("2020/06/01/")]
    result = _generate(moto_server, "", "dated")
    assert result.results[ROLE].actions == ["dynamodb:GetItem"]
    assert result.report["foldersNotEntered"]["outsideWindow"] == 1  # 2020/06/


def test_exported_log_streams_of_other_accounts_and_regions_are_not_listed(moto_server: str) -> None:
    """A trail's log group exported to S3 has a folder per log stream (``PREFIX/TASK-ID/STREAM/000000.gz``),
    named "account_ID_CloudTrail_source_region" (CloudTrail User Guide, "CloudWatch log group and log
    stream naming for CloudTrail"): --account/--region listed and read every stream and passed their
    records over one by one; the streams of others are now passed over unlisted, counted."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="exported")
    line = (
        b"2026-11-24T10:00:00.000Z "
        + json.dumps(_record("UpdateItem", "orders", "2026-11-24T10:00:00Z")).encode()
    )
    for stream in (
        f"{ACCOUNT}_CloudTrail_us-east-1",
        f"{ACCOUNT}_CloudTrail_eu-west-1",
        "444455556666_CloudTrail_us-east-1",
    ):
        s3.put_object(Bucket="exported", Key=f"{EXPORT}/{stream}/000000.gz", Body=gzip.compress(line))
    listed: list[str] = []
    listing = Listing()
    location = locate("exported", "exports/", None, (ACCOUNT,), ("us-east-1",))
    logs = S3DeliveryLogs(_client(moto_server, listed), location, WINDOW, listing)
    assert list(logs.keys()) == [f"{EXPORT}/{ACCOUNT}_CloudTrail_us-east-1/000000.gz"]
    assert not [p for p in listed if "eu-west-1" in p or "444455556666" in p]
    assert listing.folders()["excludedByAccountOrRegion"] == 2


def _noise(size: int, seed: int) -> bytes:
    """Lines of random hex, which gzip cannot shrink below half: larger than the head a sniff reads."""
    rng = random.Random(seed)
    return b"".join(f"{rng.getrandbits(128):032x}\n".encode() for _ in range(size // 33))


def test_gz_objects_of_other_names_are_sniffed_by_range(moto_server: str) -> None:
    """A name ending in ``.gz`` says gzip, not CloudTrail: a text log's ``.log.gz``, a Spark or Hive
    ``part-00000.gz``, a load balancer's logs. Such objects were downloaded whole (up to the size cap) before
    anything looked at them, a 1 GiB text log included, and named in filesSkipped as not JSON. They are now
    sniffed as an object of an unknown name is: the first 4 KiB (``Range``), inflated, and the rest only
    when they begin as logs; a GZIP Firehose object (``...-UUID.gz``) and JSON Lines still are read."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="gz-names")
    text = "app/2026/11/24/service.log.gz"
    lines = "exports/part-00000.gz"  # JSON Lines of records, as a Spark job writes them
    ids = _noise(200 * 33, 5).split()  # each record's own requestID, as CloudTrail gives every call one
    bodies = {
        text: gzip.compress(
            b"".join(b"[INFO] request " + line for line in _noise(64 * 1024, 3).splitlines(True))
        ),
        lines: gzip.compress(
            b"".join(
                json.dumps(
                    _record("GetItem", "orders", "2026-11-24T09:01:00Z") | {"requestID": i.decode()}
                ).encode()
                + b"\n"
                for i in ids
            )
        ),
    }
    assert all(len(body) > HEAD_BYTES for body in bodies.values())
    for key, body in bodies.items():
        s3.put_object(Bucket="gz-names", Key=key, Body=body)
    client = moto_client("s3", moto_server)
    gets = _Gets(client)
    listing = Listing()
    logs = S3DeliveryLogs(client, locate("gz-names", "", None, (), ()), WINDOW, listing)
    assert dict(logs.objects()) == {f"s3://gz-names/{lines}": bodies[lines]}
    assert sorted(gets.asked) == sorted(
        [(text, "bytes=0-4095"), (lines, "bytes=0-4095"), (lines, f"bytes={HEAD_BYTES}-")]
    )
    assert gets.bytes == HEAD_BYTES + len(bodies[lines])
    assert listing.not_logs == 1


class _InFlight:
    """How many GetObject requests of each kind (a head or a rest read by ``Range``, a whole object) a
    client has under way at once, at most; each request is held a moment, so that overlaps show."""

    def __init__(self, client: Any) -> None:
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.kinds: dict[int, str] = {}
        client.meta.events.register("before-send.s3.GetObject", self._start)
        client.meta.events.register("after-call.s3.GetObject", self._end)

    def _kind(self, range_header: str) -> str:
        return "head" if range_header == f"bytes=0-{HEAD_BYTES - 1}" else "rest" if range_header else "whole"

    def _start(self, request: Any, **_: Any) -> None:
        asked = request.headers.get("Range") or ""
        kind = self._kind(asked.decode() if isinstance(asked, bytes) else asked)
        with self.lock:
            self.kinds[threading.get_ident()] = kind
            self.now[kind] = self.now.get(kind, 0) + 1
            self.most[kind] = max(self.most.get(kind, 0), self.now[kind])
        time.sleep(0.05)

    def _end(self, **_: Any) -> None:
        with self.lock:
            kind = self.kinds.pop(threading.get_ident())
            self.now[kind] -= 1


def test_objects_sniffed_and_passed_over_do_not_hold_the_prefetch_budget(moto_server: str) -> None:
    """Downloads ahead of the scan are bounded by ``ahead_bytes``, which counted an object of an unknown
    name at its listed size, though a sniff fetches its first 4 KiB and most are passed over for them: a log
    bucket's large objects of other services were sniffed one after another, each waiting for the one
    before it. A sniffed object is now counted at its head until the head says it is logs, and at its size
    only then: its rest waits for room (unless it is the oldest), so the budget still bounds what is held
    beyond the oldest."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="budget")
    for n in range(6):  # text logs of no extension, larger than the budget: each passed over for its head
        s3.put_object(Bucket="budget", Key=f"app/2026/11/24/service-{n}", Body=_noise(96 * 1024, n))
    stream = b"".join(_event(_record("PutItem", "orders", f"2026-11-24T09:{n:02}:00Z")) for n in range(100))
    for n in range(3):  # Firehose objects of no extension, each larger than half the budget: read
        s3.put_object(Bucket="budget", Key=f"firehose/2026/11/24/09/ct-events-{n}-{UUID}", Body=stream)
    budget = len(stream) * 3 // 2
    client = moto_client("s3", moto_server)
    flight = _InFlight(client)
    logs = S3DeliveryLogs(
        client, locate("budget", "", None, (), ()), WINDOW, Listing(), threads=4, ahead_bytes=budget
    )
    assert len(list(logs.objects())) == 3 and logs.listing.not_logs == 6
    assert flight.most["head"] > 1  # the sniffs run side by side (on the parent: one at a time)
    # the budget bounds what is held beyond the oldest object (the one the scan waits for), as it did:
    # two rests at once (the oldest and one that fits beside it), never all three of the heads let through
    assert flight.most["rest"] <= 2


def test_a_time_folder_of_more_than_a_page_of_objects_is_peeked_to_its_folders(moto_server: str) -> None:
    """The peek into a time folder outside the window (c655092) read one listing page: a page lists keys
    and folders together in key order (Amazon S3 API Reference, ListObjectsV2: "CommonPrefixes ... are
    returned" with the keys, MaxKeys 1,000 counting both), so in ``2020/05/`` holding 1,000 objects before
    its ``AWSLogs/`` (digits sort before letters) the first page showed no folder, the folder was taken as
    a time folder of objects and passed over, and the trail below it with it. The peek now goes on page by
    page until a folder that is not a time folder shows (or the listing ends); past ``peek_pages`` with
    more to come, it enters the folder rather than judge what it has not seen."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="dated-busy")
    _put_trail_file(s3, "dated-busy", "2020/05/")  # a trail whose key prefix is 2020/05
    for n in range(1000):  # a page of objects sorting before AWSLogs/ (MaxKeys defaults to 1,000): S3
        # server access logs, TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString (passed over by name, unread)
        s3.put_object(Bucket="dated-busy", Key=f"2020/05/2020-05-01-09-05-17-{n:016X}", Body=b"-")
    s3.put_object(  # a month of a Firehose archive outside the window: only time folders below it
        Bucket="dated-busy",
        Key=f"2020/06/01/09/ct-events-1-2020-06-01-09-05-17-{UUID}",
        Body=_event(_record("DeleteTable", "orders", "2020-06-01T09:01:00Z")),
    )
    listed: list[str] = []
    logs = S3DeliveryLogs(
        _client(moto_server, listed), locate("dated-busy", "", None, (), ()), WINDOW, Listing()
    )
    assert list(logs.keys()) == [f"2020/05/{TRAIL_FILE}"]
    assert listed.count("2020/05/") == 2  # the peek's two pages, taken up by the walk (not listed again)
    assert "2020/06/" in listed and not [p for p in listed if p.startswith("2020/06/01/")]

    # a peek bounded at one page, its folder not seen whole: entered, not skipped
    listed.clear()
    bounded = S3DeliveryLogs(
        _client(moto_server, listed), locate("dated-busy", "", None, (), ()), WINDOW, Listing(), peek_pages=1
    )
    assert list(bounded.keys()) == [f"2020/05/{TRAIL_FILE}"]
    assert listed.count("2020/05/") == 2  # the peek's one page, then the folder's second


def test_a_peeked_folder_that_is_entered_is_not_listed_again(moto_server: str) -> None:
    """A time folder outside the window is peeked at (``S3DeliveryLogs._subfolders``) and, when what it
    holds is not time folders alone, entered: its listing started over, the pages the peek had listed
    asked for again (four ListObjectsV2 calls for a folder of two pages). The walk now takes up the
    peek's pages and goes on from the last one's continuation token. What is held for it is bounded:
    at most ``peek_pages`` pages across the folders waiting to be walked; a folder past that keeps the
    first pages there is room for, and lists the rest (here, with one page of room: the first folder
    keeps its page, the second none)."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="dated-twice")
    folders = ("2020/05/", "2020/07/")  # two trails whose key prefixes read as months outside the window
    for folder in folders:
        _put_trail_file(s3, "dated-twice", folder)
    # a page of S3 server access logs sorting before each AWSLogs/: two pages a folder
    keys = [f"{folder}2020-05-01-09-05-17-{n:016X}" for folder in folders for n in range(1000)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket="dated-twice", Key=key, Body=b"-"), keys))
    # (peek_pages, ListObjectsV2 calls per folder, keys listed: the second folder's first page twice with
    # one page of room)
    for pages, calls, objects in ((10, [2, 2], 2 * 1001), (1, [2, 3], 3 * 1001 - 1)):
        listed: list[str] = []
        logs = S3DeliveryLogs(
            _client(moto_server, listed), locate("dated-twice", "", None, (), ()), WINDOW, Listing(),
            peek_pages=pages,
        )  # fmt: skip
        assert list(logs.keys()) == [f"{folder}{TRAIL_FILE}" for folder in folders]
        assert [listed.count(folder) for folder in folders] == calls, pages
        assert logs.list_calls == len(listed) and not logs._peeked
        assert logs.listing.objects_listed == objects


def test_records_a_firehose_stream_could_not_deliver_are_read(moto_server: str) -> None:
    """A stream whose transformation Lambda failed writes the records it was given to processing-failed/
    (Firehose Developer Guide, "Handle failure in data transformation": one JSON object each, the record
    "base64-encoded" in rawData, the object named as the stream's others, without an extension). The
    walk read them, but the principal's ARN is not in the base64 text and every line was passed over as
    another principal's: the calls were lost without a word. Here a stream fed by an EventBridge rule and
    one fed by a CloudWatch Logs subscription (its gzip payload)."""
    import base64

    def failed(raw: bytes) -> bytes:
        return json.dumps(
            {
                "attemptsMade": 4,
                "arrivalTimestamp": 1763974980000,
                "errorCode": "Lambda.FunctionError",
                "errorMessage": "The Lambda function was successfully invoked but it returned an error.",
                "attemptEndingTimestamp": 1763975040000,
                "rawData": base64.b64encode(raw).decode(),
                "lambdaArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:transform:$LATEST",
            }
        ).encode()

    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="undelivered")
    folder = "stream/processing-failed/2026/11/24/09/"
    s3.put_object(
        Bucket="undelivered",
        Key=f"{folder}ct-events-1-2026-11-24-09-05-17-{UUID}",
        Body=failed(_event(_record("GetItem", "orders", "2026-11-24T09:03:00Z"))) + b"\n",
    )
    s3.put_object(
        Bucket="undelivered",
        Key=f"{folder}ct-logs-1-2026-11-24-09-06-17-{UUID}",
        Body=failed(_subscription(_record("PutItem", "orders", "2026-11-24T09:04:00Z"))) + b"\n",
    )
    result = _generate(moto_server, "stream/", "undelivered")
    assert result.results[ROLE].actions == ["dynamodb:GetItem", "dynamodb:PutItem"]
    assert result.summary.bad_records == 0


def test_an_endpoint_that_ignores_range_gives_whole_objects_not_their_heads(moto_server: str) -> None:
    """A server may ignore a ``Range`` header and answer 200 with the whole object (RFC 9110, 14.2: "A server
    MAY ignore the Range header field"); an S3-compatible store or a proxy in front of one can. Such an
    answer has no ``Content-Range``, and the head read took its first 4 KiB for the whole object: the
    records past it were lost without a word. Now an answer without ``Content-Range`` is known for the whole
    object: its size is its ``Content-Length``, and an object that begins as logs is read whole once more
    (the rest cannot be asked for by range either)."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="no-ranges")
    key = f"firehose/2026/11/24/09/ct-events-1-2026-11-24-09-05-17-{UUID}"
    body = b"".join(_event(_record("GetItem", "orders", f"2026-11-24T09:{n:02}:00Z")) for n in range(20))
    assert len(body) > HEAD_BYTES
    s3.put_object(Bucket="no-ranges", Key=key, Body=body)
    s3.put_object(Bucket="no-ranges", Key="app/2026/11/24/service-out", Body=b"[INFO] served\n" * 5000)
    client = moto_client("s3", moto_server)
    gets = _Gets(client)

    def ignore_range(params: dict[str, Any], **_: Any) -> None:
        params.pop("Range", None)  # what reaches the server is a plain GET
        params.pop("IfMatch", None)

    client.meta.events.register("before-parameter-build.s3.GetObject", ignore_range)
    listing = Listing()
    logs = S3DeliveryLogs(client, locate("no-ranges", "", None, (), ()), WINDOW, listing)
    assert dict(logs.objects()) == {f"s3://no-ranges/{key}": body}
    assert not logs.unreadable
    assert listing.not_logs == 1  # the text log: passed over on its head, not read again
    assert sorted(asked for asked, _ in gets.asked) == sorted([key, key, "app/2026/11/24/service-out"])


def test_the_object_a_uri_names_is_read_whatever_its_name(moto_server: str) -> None:
    """A URI that names one object (``s3://bucket/KEY``) read nothing when the key's name looked like another
    service's (an S3 server access log's ``YYYY-mm-DD-HH-MM-SS-UniqueString``) or a digest: the object was
    counted as passed over, and the run found no events without saying the named object was not read. A
    file given by name on disk is always read (``local_files``); now the object a URI names is too, whole
    and unsniffed, so that the scan says what it holds."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="renamed")
    key = "copies/2026-11-24-09-00-17-0123456789ABCDEF"  # an access log's name, a trail's records
    body = _delivery_file(_record("GetItem", "orders", "2026-11-24T09:01:00Z"))
    s3.put_object(Bucket="renamed", Key=key, Body=body)
    s3.put_object(Bucket="renamed", Key=f"{key}-2", Body=body)  # its name begins with the key's: not named
    client = moto_client("s3", moto_server)
    gets = _Gets(client)
    listing = Listing()
    logs = S3DeliveryLogs(client, locate("renamed", key, None, (), ()), WINDOW, listing)
    assert dict(logs.objects()) == {f"s3://renamed/{key}": body}
    assert gets.asked == [(key, "")]  # read whole: no head to sniff first
    assert listing.to_dict().get("s3AccessLogs", 0) == 0
    result = _generate(moto_server, key, "renamed")
    assert result.results[ROLE].actions == ["dynamodb:GetItem"]


def test_a_rest_read_answered_whole_is_not_joined_to_its_head_twice(moto_server: str) -> None:
    """An endpoint that answers the head's range but not the rest's (``bytes=4096-``: a proxy that serves
    open-ended ranges whole) sends the object from its first byte, without ``Content-Range``; joined after
    the head, the object's first 4 KiB came twice, a file the scan could only skip as bad JSON. The rest is
    now what follows the head's bytes in such an answer."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="half-ranges")
    key = f"firehose/2026/11/24/09/ct-events-1-2026-11-24-09-05-17-{UUID}"
    body = b"".join(_event(_record("GetItem", "orders", f"2026-11-24T09:{n:02}:00Z")) for n in range(20))
    s3.put_object(Bucket="half-ranges", Key=key, Body=body)
    client = moto_client("s3", moto_server)

    def ignore_open_range(params: dict[str, Any], **_: Any) -> None:
        if params.get("Range", "").endswith("-"):
            params.pop("Range")

    client.meta.events.register("before-parameter-build.s3.GetObject", ignore_open_range)
    logs = S3DeliveryLogs(client, locate("half-ranges", "firehose/", None, (), ()), WINDOW, Listing())
    assert dict(logs.objects()) == {f"s3://half-ranges/{key}": body}
    assert not logs.unreadable
