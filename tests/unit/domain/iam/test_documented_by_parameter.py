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
- S3 Tables CreateTable and CreateTableBucket with encryption, storage class or metadata; Connect Cases
  with ``performedBy.userArn``; Rekognition CreateDataset copying a dataset (each quoted below).
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


TABLES = f"arn:aws:s3tables:us-east-1:{ACCOUNT}:bucket/lakehouse"


def test_a_table_created_encrypted_also_needs_put_table_encryption_on_its_bucket_tables() -> None:
    """S3 Tables CreateTable: "If you use this operation with the optional encryptionConfiguration request
    parameter you must have the s3tables:PutTableEncryption permission"; the new table's id is generated,
    so the bucket's tables, said."""
    params = {
        "tableBucketARN": TABLES,
        "namespace": "sales",
        "name": "orders",
        "format": "ICEBERG",
        "encryptionConfiguration": {
            "sseAlgorithm": "aws:kms",
            "kmsKeyArn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k",
        },
    }
    assert granted("s3tables.amazonaws.com", "CreateTable", params) == {
        ("s3tables:CreateTable", TABLES),
        ("s3tables:PutTableEncryption", f"{TABLES}/table/*"),
    }
    plain = {k: v for k, v in params.items() if k != "encryptionConfiguration"}
    assert granted("s3tables.amazonaws.com", "CreateTable", plain) == {("s3tables:CreateTable", TABLES)}


def test_a_table_bucket_created_with_a_storage_class_needs_put_table_bucket_storage_class() -> None:
    params = {"name": "lakehouse", "storageClassConfiguration": {"storageClass": "INTELLIGENT_TIERING"}}
    assert granted("s3tables.amazonaws.com", "CreateTableBucket", params) == {
        ("s3tables:CreateTableBucket", TABLES),
        ("s3tables:PutTableBucketStorageClass", TABLES),
    }


def test_a_case_updated_for_an_agent_needs_describe_user_on_that_agent() -> None:
    """Connect Cases: "If you provide a value for PerformedBy.UserArn, you must also have the
    connect:DescribeUser permission on the user ARN that you provide"."""
    agent = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/0a1b2c3d/agent/9f8e7d6c"
    params = {"domainId": "d-1", "caseId": "c-1", "fields": [], "performedBy": {"userArn": agent}}
    assert ("connect:DescribeUser", agent) in granted("cases.amazonaws.com", "UpdateCase", params)


def test_copying_a_dataset_needs_list_dataset_entries_on_the_source() -> None:
    source = f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/parts/dataset/test/1700000000000"
    params = {
        "projectArn": f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/parts/1700000000000",
        "datasetType": "TRAIN",
        "datasetSource": {"datasetArn": source},
    }
    assert ("rekognition:ListDatasetEntries", source) in granted(
        "rekognition.amazonaws.com", "CreateDataset", params
    )
