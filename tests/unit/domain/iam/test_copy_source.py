"""The object a copy reads: S3's ``x-amz-copy-source`` header, which "must be URL-encoded" (S3 API Reference,
CopyObject and UploadPartCopy, request header ``x-amz-copy-source``), names a bucket and key or an object
through an access point. CloudTrail logs the header in ``requestParameters`` as sent and lists the
destination in ``resources[]`` (CloudTrail User Guide, "Amazon S3 data events" examples)."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

S3 = "s3.amazonaws.com"
DESTINATION = ("s3:PutObject", "arn:aws:s3:::reports-archive/2026/q3.pdf")
# The API reference's own example: "to copy the object reports/january.pdf through access point
# my-access-point owned by account 123456789012 in Region us-west-2, use the URL encoding of
# arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/reports/january.pdf"
ACCESS_POINT_OBJECT = (
    "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/reports/january.pdf"
)


def copied(event_name: str, source: str, headers: dict[str, str] | None = None) -> set[tuple[str, str]]:
    params = {"bucketName": "reports-archive", "key": "2026/q3.pdf", "x-amz-copy-source": source}
    params |= headers or {}
    if event_name == "UploadPartCopy":
        params |= {"partNumber": "1", "uploadId": "VXBsb2FkIElE"}
    resources = [
        {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::reports-archive/2026/q3.pdf"},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::reports-archive"},
    ]
    event = EventMapper().map(cloudtrail_record(S3, event_name, params, resources=resources, data_event=True))
    assert event.kind == "mapped" and all(note[1] == "granted-unseen" for note in event.notes), event
    return set(event.uses)


def carried(event_name: str, read: str) -> set[tuple[str, str]]:
    """A CopyObject takes over the source's tags and annotations, read where the object is read
    (test_copy_object_tags_and_annotations.py); a part copied into an upload takes over neither."""
    if event_name != "CopyObject":
        return set()
    return {
        *((f"s3:GetObject{what}", read) for what in ("Tagging", "Annotation")),
        *((f"s3:PutObject{what}", DESTINATION[1]) for what in ("Tagging", "Annotation")),
    }


@pytest.mark.parametrize("event_name", ["CopyObject", "UploadPartCopy"])
@pytest.mark.parametrize(
    ("source", "read"),
    [
        # a space, and characters IAM reads as wildcards: the object itself, written exactly
        ("reports/2026%2Fq3%20final.pdf", ("s3:GetObject", "arn:aws:s3:::reports/2026/q3 final.pdf")),
        ("/reports/a%2Ab%3F.csv", ("s3:GetObject", "arn:aws:s3:::reports/a${*}b${?}.csv")),
        # an encoded "?" is part of the key; the query after a plain "?" names the version
        (
            "reports/what%3F.txt?versionId=3HL4kqtJlcpXroDTDmJ",
            ("s3:GetObjectVersion", "arn:aws:s3:::reports/what${?}.txt"),
        ),
    ],
)
def test_the_source_key_is_decoded(event_name: str, source: str, read: tuple[str, str]) -> None:
    assert copied(event_name, source) == {DESTINATION, read} | carried(event_name, read[1])


@pytest.mark.parametrize(
    "source",
    [
        ACCESS_POINT_OBJECT,
        "arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint%2Fmy-access-point%2Fobject%2Freports%2Fjanuary.pdf",
    ],
)
def test_a_source_through_an_access_point_is_read_on_the_access_point_object(source: str) -> None:
    """Before: the plain form was read as a bucket named "arn:aws:s3:us-west-2:..." and the grant fell back to
    the destination listed in resources[]; the encoded form got no read at all."""
    assert copied("CopyObject", source) == {DESTINATION, ("s3:GetObject", ACCESS_POINT_OBJECT)} | carried(
        "CopyObject", ACCESS_POINT_OBJECT
    )


def test_a_versioned_source_through_an_access_point() -> None:
    source = ACCESS_POINT_OBJECT + "?versionId=QUpfdndhfd8438MNFDN93jdnJFkdmqnh893"
    assert copied("CopyObject", source) == {
        DESTINATION,
        ("s3:GetObjectVersion", ACCESS_POINT_OBJECT),
    } | carried("CopyObject", ACCESS_POINT_OBJECT)


def test_a_plain_source_is_unchanged() -> None:
    assert copied("CopyObject", "reports/january.pdf") == {
        DESTINATION,
        ("s3:GetObject", "arn:aws:s3:::reports/january.pdf"),
    } | carried("CopyObject", "arn:aws:s3:::reports/january.pdf")


@pytest.mark.parametrize(
    ("headers", "added"),
    [
        ({"x-amz-acl": "bucket-owner-full-control"}, {"s3:PutObjectAcl"}),
        (
            {"x-amz-grant-read": "id=79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
            {"s3:PutObjectAcl"},
        ),
        ({"x-amz-tagging-directive": "REPLACE", "x-amz-tagging": "team=data"}, {"s3:PutObjectTagging"}),
        ({}, set()),
    ],
)
def test_a_copy_that_sets_an_acl_or_tags_needs_their_actions(
    headers: dict[str, str], added: set[str]
) -> None:
    """A copy that sets the new object's ACL or replaces its tags is authorized as PutObject is with the
    same headers: the Service Authorization Reference's "API operations defined by Amazon S3" table maps
    CopyObject to s3:PutObjectAcl and s3:PutObjectTagging besides s3:GetObject(Version) and s3:PutObject,
    and iam-dataset's entry (replaced here for its source) has both. Without them the policy allowed the
    copy only when it set neither: a cross-account writer's ``--acl bucket-owner-full-control`` copy would
    be refused."""
    source = "reports/2026/q3.pdf"
    # neither the source's tags nor its annotations taken over (test_copy_object_tags_and_annotations.py)
    replaced = {"x-amz-tagging-directive": "REPLACE", "x-amz-object-annotation-directive": "EXCLUDE"}
    plain = copied("CopyObject", source, replaced)
    params = {
        "bucketName": "reports-archive",
        "key": "2026/q3.pdf",
        "x-amz-copy-source": source,
        **replaced,
        **headers,
    }
    resources = [
        {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::reports-archive/2026/q3.pdf"},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::reports-archive"},
    ]
    event = EventMapper().map(
        cloudtrail_record(S3, "CopyObject", params, resources=resources, data_event=True)
    )
    assert event.kind == "mapped" and not event.notes, event
    assert set(event.uses) == plain | {(action, DESTINATION[1]) for action in added}
