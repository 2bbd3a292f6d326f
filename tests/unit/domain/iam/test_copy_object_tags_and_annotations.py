"""What a CopyObject carries over from its source besides the data: its tags and its annotations.

Both are copied unless the request says otherwise: "x-amz-tagging-directive: Specifies whether the object
tag-set is copied from the source object or replaced with the tag-set that's provided in the request. The
default value is COPY", and "x-amz-object-annotation-directive: ... If this header isn't specified, COPY is
the default behavior. Valid Values: COPY | EXCLUDE ... When set to COPY, you must have s3:GetObjectAnnotation
permission on the source object and s3:PutObjectAnnotation permission on the destination" (S3 API Reference,
CopyObject; botocore s3/2006-03-01). For tags: "If you're copying objects that have object tags, then your IAM
identity must have s3:GetObjectTagging and s3:PutObjectTagging permissions. You must have
s3:GetObjectTagging permission for the source object and s3:PutObjectTagging permission for objects in the
destination bucket" (AWS Knowledge Center, "Why can't I copy an object between two Amazon S3 buckets?").
Before, a copy was granted s3:GetObject and s3:PutObject alone, and S3 refused every copy that kept the
source's annotations, and every copy of a tagged object that kept its tags.

Whether the source has tags is not in the record: the tagging pair is granted to every copy that keeps the
source's tags, with the ``granted-unseen`` info finding saying why. UploadPartCopy has neither directive:
a part carries no tags or annotations ("annotations are not copied by default" in a multipart copy, same
page; the upload's tags are CreateMultipartUpload's). Records are S3 data events as CloudTrail logs them:
request headers in ``requestParameters``, the destination in ``resources[]`` (CloudTrail User Guide, "Amazon
S3 data events" examples).
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper, MappedEvent
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

S3 = "s3.amazonaws.com"
DESTINATION = "arn:aws:s3:::reports-archive/2026/q3.pdf"
SOURCE = "arn:aws:s3:::reports/2026/q3.pdf"
# the API reference's example of a source through an access point (CopyObject, x-amz-copy-source)
ACCESS_POINT_OBJECT = (
    "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/reports/january.pdf"
)
KEEPS_TAGS = {("s3:GetObjectTagging", SOURCE), ("s3:PutObjectTagging", DESTINATION)}
KEEPS_ANNOTATIONS = {("s3:GetObjectAnnotation", SOURCE), ("s3:PutObjectAnnotation", DESTINATION)}
COPIED = {("s3:GetObject", SOURCE), ("s3:PutObject", DESTINATION)}


def copy(
    headers: dict[str, str], source: str = "reports/2026/q3.pdf", name: str = "CopyObject"
) -> MappedEvent:
    params = {
        "bucketName": "reports-archive",
        "Host": "reports-archive.s3.us-east-1.amazonaws.com",
        "key": "2026/q3.pdf",
        "x-amz-copy-source": source,
        **headers,
    }
    if name == "UploadPartCopy":
        params |= {"partNumber": "1", "uploadId": "VXBsb2FkIElE"}
    resources = [
        {"type": "AWS::S3::Object", "ARN": DESTINATION},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::reports-archive"},
    ]
    event = EventMapper().map(cloudtrail_record(S3, name, params, resources=resources, data_event=True))
    assert event.kind == "mapped" and not event.reason, event
    return event


def unseen(event: MappedEvent) -> list[tuple[str, str, str]]:
    return [note for note in event.notes if note[1] == "granted-unseen"]


@pytest.mark.parametrize("directive", [None, "COPY"])
def test_a_copy_that_keeps_the_source_tags_reads_and_writes_them_and_says_so(directive: str | None) -> None:
    headers = {"x-amz-object-annotation-directive": "EXCLUDE"}
    if directive is not None:
        headers["x-amz-tagging-directive"] = directive
    event = copy(headers)
    assert set(event.uses) == COPIED | KEEPS_TAGS
    [(severity, _, message)] = unseen(event)
    assert severity == "info"
    assert message.startswith("s3.amazonaws.com:CopyObject: s3:GetObjectTagging, s3:PutObjectTagging")
    assert "tags" in message and [n for n in event.notes if n[1] != "granted-unseen"] == []


@pytest.mark.parametrize(
    ("headers", "written"),
    [
        # the request's own tags are written: s3:PutObjectTagging, as for PutObject with x-amz-tagging
        (
            {"x-amz-tagging-directive": "REPLACE", "x-amz-tagging": "team=finance"},
            {("s3:PutObjectTagging", DESTINATION)},
        ),
        ({"x-amz-tagging-directive": "REPLACE"}, set()),
    ],
)
def test_a_copy_that_replaces_the_tags_does_not_read_the_sources(
    headers: dict[str, str], written: set[tuple[str, str]]
) -> None:
    event = copy({**headers, "x-amz-object-annotation-directive": "EXCLUDE"})
    assert set(event.uses) == COPIED | written and not event.notes


@pytest.mark.parametrize("directive", [None, "COPY"])
def test_a_copy_that_keeps_the_annotations_reads_and_writes_them(directive: str | None) -> None:
    headers = {"x-amz-tagging-directive": "REPLACE"}
    if directive is not None:
        headers["x-amz-object-annotation-directive"] = directive
    event = copy(headers)
    assert set(event.uses) == COPIED | KEEPS_ANNOTATIONS and not event.notes


def test_a_plain_copy_keeps_both() -> None:
    assert set(copy({}).uses) == COPIED | KEEPS_TAGS | KEEPS_ANNOTATIONS


def test_a_version_of_the_source_is_read_with_its_version_action_and_its_tags_as_the_pages_say() -> None:
    """The pages name s3:GetObjectTagging and s3:GetObjectAnnotation "for the source object", a version or
    not; the object itself is read with s3:GetObjectVersion ("?versionId=" in x-amz-copy-source)."""
    event = copy({}, source="reports/2026/q3.pdf?versionId=3HL4kqtJlcpXroDTDmJ")
    read = {("s3:GetObjectVersion", SOURCE), ("s3:PutObject", DESTINATION)}
    assert set(event.uses) == read | KEEPS_TAGS | KEEPS_ANNOTATIONS


def test_a_source_through_an_access_point_is_read_there() -> None:
    event = copy({}, source=ACCESS_POINT_OBJECT)
    assert set(event.uses) == {
        ("s3:PutObject", DESTINATION),
        ("s3:PutObjectTagging", DESTINATION),
        ("s3:PutObjectAnnotation", DESTINATION),
        *((action, ACCESS_POINT_OBJECT) for action in ("s3:GetObject", "s3:GetObjectTagging")),
        ("s3:GetObjectAnnotation", ACCESS_POINT_OBJECT),
    }


def test_a_part_copied_into_an_upload_carries_neither() -> None:
    event = copy({}, name="UploadPartCopy")
    assert set(event.uses) == COPIED and not event.notes
