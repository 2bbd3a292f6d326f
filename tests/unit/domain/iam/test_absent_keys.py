"""A read of an S3 key that did not exist shows the caller could list the bucket, and the policy keeps that.

"If the object that you request doesn't exist, the error that Amazon S3 returns depends on whether you
also have the s3:ListBucket permission. If you have the s3:ListBucket permission on the bucket, Amazon S3
returns an HTTP status code 404 Not Found error. If you don't have the s3:ListBucket permission, Amazon S3
returns an HTTP status code 403 Access Denied error" (S3 API Reference, GetObject; HeadObject and
GetObjectAttributes say the same). A workload that looks a key up and handles NoSuchKey (an optional config,
a cache, an existence check by HeadObject) ran under a policy allowing s3:ListBucket; the generated policy
granted s3:GetObject alone, and the same lookup then failed with 403 AccessDenied, which such code does not
handle. Records as CloudTrail logs
an S3 data event that failed ("errorCode": S3's error code, "NoSuchKey: The specified key does not exist", S3
API Reference, Error responses).
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import s3_data_event

MISSING = {"error_code": "NoSuchKey", "error_message": "The specified key does not exist."}


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("GetObject", "s3:GetObject"),
        ("HeadObject", "s3:GetObject"),
        ("GetObjectAttributes", "s3:GetObjectAttributes"),
    ],
)
def test_a_missing_key_is_granted_the_listing_its_404_needed(name: str, action: str) -> None:
    event = EventMapper().map(s3_data_event(name, "app-state", "locks/orders.json", **MISSING))
    assert (action, "arn:aws:s3:::app-state/locks/orders.json") in event.uses
    assert ("s3:ListBucket", "arn:aws:s3:::app-state") in event.uses
    [(severity, _, message)] = [n for n in event.notes if n[1] == "listed-for-absence"]
    assert severity == "info" and "NoSuchKey" in message and "arn:aws:s3:::app-state" in message


def test_a_key_that_was_found_or_refused_gets_no_listing() -> None:
    """Only the 404 says the caller could list: a read that found the key, or one refused, says nothing."""
    mapper = EventMapper()
    found = mapper.map(s3_data_event("GetObject", "app-state", "locks/orders.json"))
    refused = mapper.map(
        s3_data_event("GetObject", "app-state", "locks/orders.json", error_code="AccessDenied")
    )
    for event in (found, refused):
        assert all(action != "s3:ListBucket" for action, _ in event.uses)


def test_the_listing_follows_the_memo_and_the_action_level_reading() -> None:
    """The same key read found and then missing in one mapper: only the missing one adds the listing; an
    action-level mapper grants s3:ListBucket on ``*`` as it grants every action."""
    mapper = EventMapper()
    mapper.map(s3_data_event("GetObject", "app-state", "a.json"))
    missing = mapper.map(s3_data_event("GetObject", "app-state", "a.json", **MISSING))
    assert ("s3:ListBucket", "arn:aws:s3:::app-state") in missing.uses
    coarse = EventMapper(resource_level=False).map(
        s3_data_event("HeadObject", "app-state", "a.json", **MISSING)
    )
    assert ("s3:ListBucket", "*") in coarse.uses
