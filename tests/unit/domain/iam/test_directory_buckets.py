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


def test_a_copy_into_a_directory_bucket_stays_unmapped_rather_than_half_granted() -> None:
    """Its source may be a general purpose bucket (s3:GetObject) or a directory bucket (CreateSession):
    reported as not understood, never granted on one side only."""
    event = MAPPER.map(directory_call("CopyObject", key="k", **{"x-amz-copy-source": "other-bucket/k"}))
    assert event.kind == "unmapped"


def test_every_directory_bucket_entry_names_an_action_of_the_reference() -> None:
    actions = set(MAPPER.reference.actions())
    named = {entry["action"] for entries in DIRECTORY_BUCKETS.values() for entry in entries}
    assert named <= actions and len(DIRECTORY_BUCKETS) == 30
