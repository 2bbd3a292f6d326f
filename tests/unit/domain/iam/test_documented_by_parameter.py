"""Permissions an operation's API reference says a parameter adds, or replaces, each quoted from botocore.

- Redshift GetClusterCredentials: "If the DbGroups parameter is specified, the IAM policy must allow the
  redshift:JoinGroup action with access to the listed dbgroups" (redshift/2012-12-01).
- SageMaker Runtime InvokeEndpointWithResponseStream: "Before you can use this operation, your IAM
  permissions must allow the sagemaker:InvokeEndpoint action" (sagemaker-runtime/2017-05-13).
- S3 Vectors QueryVectors: "To use queryTexts, a metadata filter, or returnMetadata set to true with this
  operation, you must have both the s3vectors:QueryVectors and s3vectors:GetVectors permissions";
  ListVectors: "If you set returnData or returnMetadata to true, you must have both s3vectors:ListVectors
  and s3vectors:GetVectors permissions" (s3vectors/2025-07-15).
- Elastic Beanstalk UpdateTagsForResource: "specify one of the following two virtual actions (or both)
  instead of the API operation name: elasticbeanstalk:AddTags ... TagsToAdd ... elasticbeanstalk:RemoveTags
  ... TagsToRemove" (elasticbeanstalk/2010-12-01).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, granted

REDSHIFT = f"arn:aws:redshift:us-east-1:{ACCOUNT}"
INDEX = f"arn:aws:s3vectors:us-east-1:{ACCOUNT}:bucket/product-embeddings/index/titles"
ENVIRONMENT = f"arn:aws:elasticbeanstalk:us-east-1:{ACCOUNT}:environment/shop/shop-prod"


def test_joining_db_groups_is_granted_on_each_group() -> None:
    params = {
        "dbUser": "etl_user",
        "dbName": "dev",
        "clusterIdentifier": "analytics",
        "dbGroups": ["etl", "bi"],
    }
    assert granted("redshift.amazonaws.com", "GetClusterCredentials", params) == {
        ("redshift:GetClusterCredentials", f"{REDSHIFT}:dbuser:analytics/etl_user"),
        ("redshift:GetClusterCredentials", f"{REDSHIFT}:dbname:analytics/dev"),
        ("redshift:JoinGroup", f"{REDSHIFT}:dbgroup:analytics/etl"),
        ("redshift:JoinGroup", f"{REDSHIFT}:dbgroup:analytics/bi"),
    }


def test_credentials_without_groups_join_none() -> None:
    params = {"dbUser": "etl_user", "clusterIdentifier": "analytics"}
    assert granted("redshift.amazonaws.com", "GetClusterCredentials", params) == {
        ("redshift:GetClusterCredentials", f"{REDSHIFT}:dbuser:analytics/etl_user")
    }


def test_a_streamed_invocation_needs_invoke_endpoint() -> None:
    endpoint = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/llm-chat"
    got = granted("sagemaker.amazonaws.com", "InvokeEndpointWithResponseStream", {"endpointName": "llm-chat"})
    assert got == {
        ("sagemaker:InvokeEndpointWithResponseStream", endpoint),
        ("sagemaker:InvokeEndpoint", endpoint),
    }


BUCKET = {"vectorBucketName": "product-embeddings", "indexName": "titles"}


@pytest.mark.parametrize(
    ("name", "options", "reads"),
    [
        ("QueryVectors", {"topK": 5, "returnMetadata": True}, True),
        ("QueryVectors", {"topK": 5, "filter": {"genre": "scifi"}}, True),
        ("QueryVectors", {"topK": 5, "returnMetadata": False, "returnDistance": True}, False),
        ("ListVectors", {"returnData": True}, True),
        ("ListVectors", {"returnMetadata": True, "returnData": False}, True),
        ("ListVectors", {"maxResults": 100}, False),
    ],
)
def test_vectors_returned_with_their_data_need_get_vectors(
    name: str, options: dict[str, Any], reads: bool
) -> None:
    expected = {(f"s3vectors:{name}", INDEX)} | ({("s3vectors:GetVectors", INDEX)} if reads else set())
    assert granted("s3vectors.amazonaws.com", name, {**BUCKET, **options}) == expected


@pytest.mark.parametrize(
    ("params", "actions"),
    [
        ({"tagsToAdd": [{"key": "team", "value": "shop"}]}, {"AddTags"}),
        ({"tagsToRemove": ["legacy"]}, {"RemoveTags"}),
        (
            {"tagsToAdd": [{"key": "team", "value": "shop"}], "tagsToRemove": ["legacy"]},
            {"AddTags", "RemoveTags"},
        ),
    ],
)
def test_beanstalk_tags_are_authorized_by_the_virtual_actions(
    params: dict[str, Any], actions: set[str]
) -> None:
    got = granted(
        "elasticbeanstalk.amazonaws.com", "UpdateTagsForResource", {"resourceArn": ENVIRONMENT, **params}
    )
    assert got == {(f"elasticbeanstalk:{action}", ENVIRONMENT) for action in actions}
