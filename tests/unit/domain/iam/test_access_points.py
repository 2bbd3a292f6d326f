"""Requests made through an S3 access point: IAM authorizes them on the access point (an object under it
as ``arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY``, the Service Authorization Reference's
``accesspointobject`` type), so a policy that names only the bucket's ARNs refuses the same call made
through the access point again. CloudTrail lists the access point beside the bucket and the object; the
records below are shaped as the S3 User Guide shows it ("Monitoring and logging access points":
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-monitoring-logging.html; the request
names the access point's alias as ``bucketName``)."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, role_identity

MAPPER = EventMapper()
POINT = f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/my-bucket-ap"
OBJECT = {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::amzn-s3-demo-bucket/photos/my image*.jpg"}
BUCKET = {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::amzn-s3-demo-bucket"}
ACCESS_POINT = {"accountId": ACCOUNT, "type": "AWS::S3::AccessPoint", "ARN": POINT}


def through_the_access_point(name: str, resources: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
    record = cloudtrail_record(
        "s3.amazonaws.com",
        name,
        {"bucketName": "my-bucket-ap-hrzrlukc5m36ft7okagglf3gmwluquse1b-s3alias", **params},
        identity=role_identity(),
    )
    record["resources"] = resources
    return record


@pytest.mark.parametrize("name", ["GetObject", "PutObject", "DeleteObject"])
def test_object_calls_are_granted_on_the_access_point_object_too(name: str) -> None:
    event = MAPPER.map(
        through_the_access_point(name, [OBJECT, BUCKET, ACCESS_POINT], key="photos/my image*.jpg")
    )
    action = f"s3:{name}"
    assert set(event.uses) == {
        (action, "arn:aws:s3:::amzn-s3-demo-bucket/photos/my image${*}.jpg"),
        (
            action,
            f"{POINT}/object/photos/my image${{*}}.jpg",
        ),  # the key's '*' written exactly, as on the bucket
    }


def test_listing_is_granted_on_the_access_point_and_the_bucket() -> None:
    event = MAPPER.map(through_the_access_point("ListObjects", [BUCKET, ACCESS_POINT]))
    assert set(event.uses) == {("s3:ListBucket", BUCKET["ARN"]), ("s3:ListBucket", POINT)}


def test_a_call_without_an_access_point_names_only_the_bucket() -> None:
    event = MAPPER.map(through_the_access_point("GetObject", [OBJECT, BUCKET], key="photos/my image*.jpg"))
    assert event.uses == (("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/photos/my image${*}.jpg"),)
