"""The S3 source against moto's server mode: a real HTTP endpoint, real botocore clients.

Proves that only the prefixes the window and filters need are listed (counted with a botocore event
hook), that organization trails are found, that unreadable objects are skipped by name, and that bucket
errors become request errors.
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)

from policygen_operator.adapters.aws.errors import AwsError, classify
from policygen_operator.adapters.aws.s3 import S3DeliveryLogs, locate
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.cloudtrail.local import Listing
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.generation import GenerationRequest, S3Logs, run_generation
from tests.fixtures.aws import moto_client

pytestmark = pytest.mark.moto

ORG = "o-aa11bb22cc"
ACCOUNT = "111122223333"
OTHER = "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/app"
WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, 12, tzinfo=UTC))


def _record(account: str, name: str, table: str, time: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{account}:assumed-role/app/s1",
            "accountId": account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": f"arn:aws:iam::{account}:role/service-role/app",
                    "accountId": account,
                    "userName": "app",
                }
            },
        },
        "eventTime": time,
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "requestParameters": {"tableName": table},
        "responseElements": None,
        "eventType": "AwsApiCall",
        "recipientAccountId": account,
    }


def _key(base: str, account: str, region: str, stamp: str, tag: str) -> str:
    day = f"{stamp[:4]}/{stamp[4:6]}/{stamp[6:8]}"
    return f"{base}{account}/CloudTrail/{region}/{day}/{account}_CloudTrail_{region}_{stamp}_{tag}.json.gz"


def _body(*records: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps({"Records": list(records)}).encode(), mtime=0)


@pytest.fixture(autouse=True)
def credentials(moto_credentials: None) -> None:
    """Every test of the module runs with moto's credentials (``tests.fixtures.aws``)."""


@pytest.fixture(scope="module")
def bucket(moto_server: str) -> str:
    """An organization trail bucket: two accounts, two regions, days inside and outside the window."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="org-trail")
    base = f"AWSLogs/{ORG}/"
    objects = {
        _key(base, ACCOUNT, "us-east-1", "20261124T0905Z", "A1"): _body(
            _record(ACCOUNT, "GetItem", "orders", "2026-11-24T09:01:00Z")
        ),
        _key(base, ACCOUNT, "us-east-1", "20261125T0905Z", "A2"): _body(
            _record(ACCOUNT, "PutItem", "orders", "2026-11-25T09:01:00Z")
        ),
        # Written after the window's end + lag: skipped by name though its day folder is listed.
        _key(base, ACCOUNT, "us-east-1", "20261125T2305Z", "A3"): _body(
            _record(ACCOUNT, "DeleteItem", "orders", "2026-11-25T23:01:00Z")
        ),
        # A day outside the window: its folder is never listed.
        _key(base, ACCOUNT, "us-east-1", "20261120T0905Z", "A4"): _body(
            _record(ACCOUNT, "Scan", "orders", "2026-11-20T09:01:00Z")
        ),
        _key(base, ACCOUNT, "eu-west-1", "20261124T1005Z", "A5"): _body(
            _record(ACCOUNT, "Query", "audit", "2026-11-24T10:01:00Z")
        ),
        _key(base, OTHER, "us-east-1", "20261124T0905Z", "B1"): _body(
            _record(OTHER, "GetItem", "other", "2026-11-24T09:01:00Z")
        ),
        f"{base}{ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/24/d.json.gz": b"{}",
    }
    for key, body in objects.items():
        s3.put_object(Bucket="org-trail", Key=key, Body=body)
    s3.create_bucket(Bucket="plain-trail")
    s3.put_object(
        Bucket="plain-trail",
        Key=_key("team/AWSLogs/", ACCOUNT, "us-east-1", "20261124T0905Z", "P1"),
        Body=_body(_record(ACCOUNT, "GetItem", "plain", "2026-11-24T09:01:00Z")),
    )
    return "org-trail"


def _client(endpoint: str, listed: list[str], denied_key: str | None = None) -> Any:
    client = moto_client("s3", endpoint)

    def count(params: dict[str, Any], **_: Any) -> None:
        listed.append(params["Prefix"] + ("|/" if params.get("Delimiter") else ""))

    def deny(params: dict[str, Any], **_: Any) -> Any:
        if denied_key and params["url_path"].endswith("/" + denied_key):
            response = type("Response", (), {"status_code": 403, "headers": {}})()
            return response, {
                "Error": {"Code": "AccessDenied", "Message": "Access Denied"},
                "ResponseMetadata": {"HTTPStatusCode": 403},
            }
        return None

    client.meta.events.register("provide-client-params.s3.ListObjectsV2", count)
    client.meta.events.register("before-call.s3.GetObject", deny)
    return client


def _keys(logs: S3DeliveryLogs) -> list[str]:
    found = logs.keys()  # a generator of S3 keys, not a dict's
    return [key.rsplit("_", 1)[1].split(".")[0] for key in found]


def test_discovers_organizations_accounts_and_regions_level_by_level(moto_server: str, bucket: str) -> None:
    listed: list[str] = []
    listing = Listing()
    logs = S3DeliveryLogs(_client(moto_server, listed), locate(bucket, "", None, (), ()), WINDOW, listing)
    assert sorted(_keys(logs)) == ["A1", "A2", "A5", "B1"]
    base = f"AWSLogs/{ORG}/"
    assert sorted(listed) == sorted(
        [
            "AWSLogs/|/",
            f"{base}|/",
            f"{base}{ACCOUNT}/CloudTrail/|/",
            f"{base}{OTHER}/CloudTrail/|/",
            *(
                f"{base}{ACCOUNT}/CloudTrail/{r}/2026/11/{d}/"
                for r in ("eu-west-1", "us-east-1")
                for d in (24, 25)
            ),
            *(f"{base}{OTHER}/CloudTrail/us-east-1/2026/11/{d}/" for d in (24, 25)),
            "|/",  # the bucket's top, to count the folders beside AWSLogs/ (none here)
        ]
    )
    assert listing.outside_window == 1  # A3, by its name
    assert listing.digests == 0  # the digest folder is another level, never listed


def test_given_organization_account_and_region_need_no_discovery(moto_server: str, bucket: str) -> None:
    listed: list[str] = []
    location = locate(bucket, f"AWSLogs/{ORG}/{ACCOUNT}/", None, (), ("us-east-1",))
    logs = S3DeliveryLogs(_client(moto_server, listed), location, WINDOW, Listing())
    assert sorted(_keys(logs)) == ["A1", "A2"]
    assert sorted(listed) == [f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/us-east-1/2026/11/{d}/" for d in (24, 25)]


def test_a_day_folder_url_lists_that_day_only(moto_server: str, bucket: str) -> None:
    """QA bug 5: ``s3://.../CloudTrail/us-east-1/2026/11/25/`` read every day of the region in the window,
    where the same folder on disk reads one day: the URL is the most that is read."""
    listed: list[str] = []
    day = f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/us-east-1/2026/11/25/"
    logs = S3DeliveryLogs(_client(moto_server, listed), locate(bucket, day, None, (), ()), WINDOW, Listing())
    assert _keys(logs) == ["A2"]  # A3 of the same day is still skipped by its name (the window)
    assert listed == [day]


def test_a_month_folder_url_lists_the_window_days_in_it(moto_server: str, bucket: str) -> None:
    listed: list[str] = []
    month = f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/us-east-1/2026/11/"
    logs = S3DeliveryLogs(
        _client(moto_server, listed), locate(bucket, month, None, (), ()), WINDOW, Listing()
    )
    assert _keys(logs) == ["A1", "A2"]
    assert listed == [f"{month}{d}/" for d in (24, 25)]


def test_an_object_key_url_lists_that_object_only(moto_server: str, bucket: str) -> None:
    """QA bug 5: one object key as the URL read the whole region."""
    listed: list[str] = []
    key = _key(f"AWSLogs/{ORG}/", ACCOUNT, "us-east-1", "20261124T0905Z", "A1")
    logs = S3DeliveryLogs(_client(moto_server, listed), locate(bucket, key, None, (), ()), WINDOW, Listing())
    assert _keys(logs) == ["A1"]
    assert listed == [key]


def test_a_url_below_the_region_still_keeps_to_the_window(moto_server: str, bucket: str) -> None:
    """A day folder outside the window is not listed, however precisely the URL names it."""
    listed: list[str] = []
    day = f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/us-east-1/2026/11/20/"
    logs = S3DeliveryLogs(_client(moto_server, listed), locate(bucket, day, None, (), ()), WINDOW, Listing())
    assert _keys(logs) == []
    assert listed == []


def test_an_account_url_without_organization_reads_no_organization_folder(moto_server: str) -> None:
    """``AWSLogs/ACCOUNT/`` names the account's own trail folder, not the same account's folder in an
    organization trail beside it."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="mixed-trail")
    own = _key("AWSLogs/", ACCOUNT, "us-east-1", "20261124T0905Z", "OWN")
    org = _key(f"AWSLogs/{ORG}/", ACCOUNT, "us-east-1", "20261124T0905Z", "ORG")
    for key in (own, org):
        s3.put_object(Bucket="mixed-trail", Key=key, Body=_body())
    listed: list[str] = []
    location = locate("mixed-trail", f"AWSLogs/{ACCOUNT}/", None, (), ())
    logs = S3DeliveryLogs(_client(moto_server, listed), location, WINDOW, Listing())
    assert _keys(logs) == ["OWN"]
    assert "AWSLogs/|/" not in listed


def test_account_filter_without_organization_lists_two_levels_then_days(
    moto_server: str, bucket: str
) -> None:
    listed: list[str] = []
    listing = Listing()
    logs = S3DeliveryLogs(
        _client(moto_server, listed), locate(bucket, "", None, (OTHER,), ()), WINDOW, listing
    )
    assert _keys(logs) == ["B1"]
    assert f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/|/" not in listed
    assert len(listed) == 6  # AWSLogs/, the org, OTHER's regions, two days, the top (counted)
    assert listing.folders_filtered_out == 1  # ACCOUNT's folder, found and passed over: counted


def test_unreadable_objects_are_skipped_by_name(moto_server: str, bucket: str) -> None:
    location = locate(bucket, "", ORG, (ACCOUNT,), ("us-east-1",))
    denied = _key(f"AWSLogs/{ORG}/", ACCOUNT, "us-east-1", "20261124T0905Z", "A1")
    logs = S3DeliveryLogs(_client(moto_server, [], denied), location, WINDOW, Listing(), threads=2)
    got = [name for name, _ in logs.objects()]
    assert got == [f"s3://{bucket}/{_key(f'AWSLogs/{ORG}/', ACCOUNT, 'us-east-1', '20261125T0905Z', 'A2')}"]
    assert logs.unreadable == {f"s3://{bucket}/{denied}": "unreadable S3 object: AccessDenied"}


def test_run_generation_reads_an_organization_trail(moto_server: str, bucket: str) -> None:
    request = GenerationRequest(
        principals=(ROLE,),
        source=S3Logs(bucket, "", None, (ACCOUNT,), (), moto_server),
        start=WINDOW.start,
        end=WINDOW.end,
        workers=1,
    )
    result = run_generation(request)
    assert result.results[ROLE].actions == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    (policy,) = result.results[ROLE].policies
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert resources == {
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders",
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/audit",
    }
    assert result.report["filesScanned"] == 3
    assert result.report["filesNotRead"]["outsideWindow"] == 1
    assert result.report["source"] == f"s3://{bucket}/"


def test_a_prefix_before_awslogs_is_kept(moto_server: str, bucket: str) -> None:
    request = GenerationRequest(
        principals=(ROLE,),
        source=S3Logs("plain-trail", "team", endpoint_url=moto_server),
        start=WINDOW.start,
        end=WINDOW.end,
        workers=1,
    )
    result = run_generation(request)
    assert result.results[ROLE].actions == ["dynamodb:GetItem"]


def test_a_missing_bucket_is_a_request_error(moto_server: str, bucket: str) -> None:
    request = GenerationRequest(
        principals=(ROLE,),
        source=S3Logs("no-such-bucket", endpoint_url=moto_server),
        start=WINDOW.start,
        end=WINDOW.end,
        workers=1,
    )
    with pytest.raises(InvalidRequestError, match="NoSuchBucket") as caught:
        run_generation(request)
    assert caught.value.field == "logs"


PERMANENT, TEMPORARY = Permanence.PERMANENT, Permanence.TEMPORARY


@pytest.mark.parametrize(
    ("error", "permanence"),
    [
        (ClientError({"Error": {"Code": "NoSuchBucket", "Message": "x"}}, "ListObjectsV2"), PERMANENT),
        (ClientError({"Error": {"Code": "AccessDenied", "Message": "x"}}, "ListObjectsV2"), PERMANENT),
        (ClientError({"Error": {"Code": "SlowDown", "Message": "x"}}, "GetObject"), TEMPORARY),
        (ClientError({"Error": {"Code": "ThrottlingException", "Message": "x"}}, "AssumeRole"), TEMPORARY),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), TEMPORARY),
        (NoCredentialsError(), PERMANENT),
        (ProfileNotFound(profile="nobody"), PERMANENT),
        (NoRegionError(), PERMANENT),
    ],
)
def test_botocore_errors_are_classified(error: Exception, permanence: Permanence) -> None:
    classified = classify(error, "listing")
    assert isinstance(classified, AwsError) and classified.permanence is permanence


def test_an_unknown_profile_is_blamed_on_the_variable_not_the_caller_s_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The profile comes from the environment, not from the input the caller names: the field is the
    variable that holds the missing profile's name (botocore reads AWS_DEFAULT_PROFILE first)."""
    monkeypatch.setenv("AWS_PROFILE", "nobody")
    monkeypatch.delenv("AWS_DEFAULT_PROFILE", raising=False)
    classified = classify(ProfileNotFound(profile="nobody"), "connecting to AWS", field="aws")
    assert isinstance(classified, AwsError) and classified.field == "AWS_PROFILE"
    assert "nobody" in str(classified)
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "other")
    classified = classify(ProfileNotFound(profile="other"), "connecting to AWS", field="aws")
    assert isinstance(classified, AwsError) and classified.field == "AWS_DEFAULT_PROFILE"


def test_errors_botocore_does_not_raise_are_left_to_the_services_rule() -> None:
    error = RuntimeError("a bug")
    assert classify(error, "listing") is error


def test_many_objects_go_through_worker_processes(moto_server: str) -> None:
    """Enough objects for the process pool: downloads run in threads, so workers come from a fork server."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="busy-trail")
    for minute in range(40):
        stamp = f"20261124T{10 + minute // 60:02d}{minute % 60:02d}Z"
        record = _record(ACCOUNT, "GetItem", f"table-{minute % 4}", f"2026-11-24T10:{minute:02d}:00Z")
        s3.put_object(
            Bucket="busy-trail",
            Key=_key("AWSLogs/", ACCOUNT, "us-east-1", stamp, f"M{minute:02d}"),
            Body=_body(record),
        )
    request = GenerationRequest(
        principals=(ROLE,),
        source=S3Logs("busy-trail", endpoint_url=moto_server),
        start=WINDOW.start,
        end=WINDOW.end,
        workers=2,
    )
    result = run_generation(request)
    assert result.report["filesScanned"] == 40
    assert result.report["principals"][ROLE]["actions"]["dynamodb:GetItem"]["count"] == 40
    (policy,) = result.results[ROLE].policies
    assert len({r for s in policy["Statement"] for r in s["Resource"]}) == 4


def test_a_role_is_assumed_before_reading(moto_server: str, bucket: str) -> None:
    from policygen_operator.adapters.aws import session as sessions
    from policygen_operator.services.generation import AwsAccess

    role = "arn:aws:iam::123456789012:role/trail-reader"
    request = GenerationRequest(
        principals=(ROLE,),
        source=S3Logs(bucket, "", ORG, (ACCOUNT,), ("us-east-1",), moto_server),
        start=WINDOW.start,
        end=WINDOW.end,
        aws=AwsAccess(region="us-east-1", role_arn=role, endpoint_url=moto_server),
        workers=1,
    )
    result = run_generation(request)
    assert result.results[ROLE].actions == ["dynamodb:GetItem", "dynamodb:PutItem"]
    credentials = sessions.shared_session("us-east-1", role, moto_server).get_credentials()
    assert credentials is not None
    assert credentials.method == "sts-assume-role"
    assert credentials.get_frozen_credentials().access_key != "testing"  # moto issued new ones


def test_objects_past_the_file_size_cap_are_named_and_never_held(moto_server: str) -> None:
    """One object larger than the cap as stored (never downloaded), one small gzip that inflates past it
    (downloaded, inflated up to the cap only), one good delivery file: the policy comes from the good
    one and the report names the other two."""
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket="hostile-trail")
    limit = 64 * 1024
    good = _key("AWSLogs/", ACCOUNT, "us-east-1", "20261124T0905Z", "G1")
    stored = _key("AWSLogs/", ACCOUNT, "us-east-1", "20261124T0910Z", "S1")
    bomb = _key("AWSLogs/", ACCOUNT, "us-east-1", "20261124T0915Z", "Z1")
    bodies = {
        good: _body(_record(ACCOUNT, "GetItem", "orders", "2026-11-24T09:01:00Z")),
        stored: gzip.compress(random.Random(7).randbytes(2 * limit)),  # does not compress
        bomb: gzip.compress(b" " * (limit * 64)),
    }
    assert len(bodies[stored]) > limit > len(bodies[bomb])
    for key, body in bodies.items():
        s3.put_object(Bucket="hostile-trail", Key=key, Body=body)
    request = GenerationRequest(
        principals=(ROLE,),
        source=S3Logs("hostile-trail", endpoint_url=moto_server),
        start=WINDOW.start,
        end=WINDOW.end,
        workers=1,
        max_file_bytes=limit,
    )
    result = run_generation(request)
    assert result.report["filesSkipped"] == {
        f"s3://hostile-trail/{stored}": "S3 object larger than 64 KiB (the file size cap)",
        f"s3://hostile-trail/{bomb}": "inflates past 64 KiB (the file size cap)",
    }
    assert result.results[ROLE].actions == ["dynamodb:GetItem"]
    assert result.report["filesScanned"] == 1

    fetched: list[str] = []
    client = moto_client("s3", moto_server)
    client.meta.events.register(
        "provide-client-params.s3.GetObject", lambda params, **_: fetched.append(params["Key"])
    )
    location = locate("hostile-trail", "", None, (ACCOUNT,), ("us-east-1",))
    logs = S3DeliveryLogs(
        client, location, WINDOW, Listing(), threads=2, max_object_bytes=limit, ahead_bytes=1
    )
    names = [name for name, _ in logs.objects()]
    assert names == [f"s3://hostile-trail/{good}", f"s3://hostile-trail/{bomb}"]  # in order, one ahead
    assert sorted(fetched) == sorted([good, bomb])  # the stored-too-large object was never requested
    # An object that grew after it was listed: its length is checked before its body is read.
    assert logs._get(stored) is None
    assert logs.unreadable[f"s3://hostile-trail/{stored}"].startswith("S3 object larger than 64 KiB")
