"""S3 directory buckets (S3 Express One Zone): CloudTrail writes their calls with the eventSource
s3express.amazonaws.com and S3's operation names, most of which are no s3express action; before
``DIRECTORY_BUCKETS`` (mapping/rules.py) every one of them but five was unmapped.

Records are shaped as the S3 User Guide's directory-bucket log examples show them ("CloudTrail log file
examples for directory buckets": https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-log-files.html:
``eventSource`` s3express.amazonaws.com, ``requestParameters`` with ``bucketName`` and ``Host``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.rules import DIRECTORY_BUCKETS
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, role_identity

MAPPER = EventMapper()
BUCKET = "amzn-s3-demo-bucket--usw2-az1--x-s3"
BUCKET_ARN = f"arn:aws:s3express:us-west-2:{ACCOUNT}:bucket/{BUCKET}"


def directory_call(name: str, **params: Any) -> dict[str, Any]:
    record = cloudtrail_record(
        "s3express.amazonaws.com",
        name,
        {"bucketName": BUCKET, "Host": f"{BUCKET}.s3express-usw2-az1.us-west-2.amazonaws.com", **params},
        identity=role_identity(),
    )
    record["awsRegion"] = "us-west-2"
    return record


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("PutBucketEncryption", "s3express:PutEncryptionConfiguration"),
        ("DeleteBucketEncryption", "s3express:PutEncryptionConfiguration"),
        ("GetBucketEncryption", "s3express:GetEncryptionConfiguration"),
        ("PutBucketLifecycleConfiguration", "s3express:PutLifecycleConfiguration"),
        ("DeleteBucketLifecycle", "s3express:PutLifecycleConfiguration"),
        ("GetBucketLifecycleConfiguration", "s3express:GetLifecycleConfiguration"),
        ("ListBucketInventoryConfigurations", "s3express:GetInventoryConfiguration"),
        ("DeleteBucketMetricsConfiguration", "s3express:PutMetricsConfiguration"),
    ],
)
def test_bucket_level_calls_need_the_s3express_action_their_reference_names(name: str, action: str) -> None:
    """e.g. PutBucketEncryption: "Directory bucket permissions - To grant access to this API operation, you
    must have the s3express:PutEncryptionConfiguration permission" (S3 API Reference, PutBucketEncryption)."""
    event = MAPPER.map(directory_call(name))
    assert (event.kind, event.uses) == ("mapped", ((action, BUCKET_ARN),))


@pytest.mark.parametrize(
    "name", ["GetObject", "PutObject", "HeadObject", "DeleteObjects", "ListObjectsV2", "UploadPart"]
)
def test_object_level_calls_are_authorized_by_a_session_on_the_bucket(name: str) -> None:
    """e.g. GetObject: "you grant the s3express:CreateSession permission to the directory bucket in a bucket
    policy or an IAM identity-based policy" (S3 API Reference, GetObject, Directory bucket permissions)."""
    event = MAPPER.map(directory_call(name, key="reports/2026/11/24.csv"))
    assert (event.kind, event.uses) == ("mapped", (("s3express:CreateSession", BUCKET_ARN),))


def test_listing_directory_buckets_needs_list_all_my_directory_buckets() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/s3-2006-03-01/ListDirectoryBuckets: "You must have the
    s3express:ListAllMyDirectoryBuckets permission in an IAM identity-based policy"."""
    event = MAPPER.map(directory_call("ListDirectoryBuckets"))
    assert event.uses == (("s3express:ListAllMyDirectoryBuckets", "*"),)


SOURCE_DIRECTORY = "amzn-s3-demo-source--usw2-az1--x-s3"


@pytest.mark.parametrize("name", ["CopyObject", "UploadPartCopy"])
@pytest.mark.parametrize(
    ("source", "reads"),
    [
        # "If the source object that you want to copy is in a directory bucket, you must have the
        # s3express:CreateSession permission ... to read the object" (S3 API Reference, CopyObject and
        # UploadPartCopy, Directory bucket permissions); directory bucket names end with --x-s3
        (
            f"{SOURCE_DIRECTORY}/in/k",
            ("s3express:CreateSession", f"arn:aws:s3express:us-west-2:{ACCOUNT}:bucket/{SOURCE_DIRECTORY}"),
        ),
        (f"/{SOURCE_DIRECTORY}/in/k", None),  # a leading slash is the same source
        # a general purpose source is read with s3:GetObject (a version with s3:GetObjectVersion), also
        # when its key holds "--x-s3/"
        ("other-bucket/in/k", ("s3:GetObject", "arn:aws:s3:::other-bucket/in/k")),
        ("other-bucket/a--x-s3/k", ("s3:GetObject", "arn:aws:s3:::other-bucket/a--x-s3/k")),
        ("other-bucket/in/k?versionId=3sL4kqtJ", ("s3:GetObjectVersion", "arn:aws:s3:::other-bucket/in/k")),
    ],
)
def test_a_copy_into_a_directory_bucket_writes_with_a_session_and_reads_the_source_by_its_kind(
    name: str, source: str, reads: tuple[str, str] | None
) -> None:
    event = MAPPER.map(directory_call(name, key="out/k", **{"x-amz-copy-source": source}))
    reads = reads or (
        "s3express:CreateSession",
        f"arn:aws:s3express:us-west-2:{ACCOUNT}:bucket/{SOURCE_DIRECTORY}",
    )
    assert event.kind == "mapped" and set(event.uses) == {("s3express:CreateSession", BUCKET_ARN), reads}


def test_a_copy_from_a_directory_bucket_into_a_general_purpose_one_reads_with_a_session() -> None:
    """Logged under s3.amazonaws.com (the destination's); s3:GetObject on the directory bucket's object
    would not let the call read it."""
    record = cloudtrail_record(
        "s3.amazonaws.com",
        "CopyObject",
        {"bucketName": "reports", "key": "k", "x-amz-copy-source": f"{SOURCE_DIRECTORY}/in/k"},
        identity=role_identity(),
        region="us-west-2",
    )
    assert set(MAPPER.map(record).uses) == {
        ("s3:PutObject", "arn:aws:s3:::reports/k"),
        ("s3express:CreateSession", f"arn:aws:s3express:us-west-2:{ACCOUNT}:bucket/{SOURCE_DIRECTORY}"),
    }


def test_every_directory_bucket_entry_names_an_action_of_the_reference() -> None:
    actions = set(MAPPER.reference.actions())
    named = {entry["action"] for entries in DIRECTORY_BUCKETS.values() for entry in entries}
    assert named <= actions and len(DIRECTORY_BUCKETS) == 32
