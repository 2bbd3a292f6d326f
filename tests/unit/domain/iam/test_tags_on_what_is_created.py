"""A create call's tags go on what it creates, never on the parent it creates in.

Such calls are granted on their parent as well (EFS's CreateAccessPoint on the file system, an OU's
creation on its root, a MemoryDB cluster on its parameter and subnet groups, an ElastiCache snapshot on its
cluster), and the tags were put on every ARN the call was granted on, or on every ARN the table's tag entry
listed: a grant to tag the parent, and for EFS none on the access point, whose tagging IAM checks ("If tags
are specified in the creation action, IAM performs additional authorization on the
elasticfilesystem:TagResource action to verify if users have permissions to create tags", EFS API
Reference, CreateAccessPoint). The EFS CSI driver creates an access point with tags for every volume it
provisions. The tags now go on the tag action's type the call is named after: its ARN when the record names
it, else every one of that type in the account and region (the id is the service's).
"""

from __future__ import annotations

from tests.unit.domain.iam.records import ACCOUNT, granted

TAGS = [{"key": "efs.csi.aws.com/cluster", "value": "true"}]


def test_an_access_point_is_tagged_not_its_file_system() -> None:
    params = {"clientToken": "pvc-0c1f", "tags": TAGS, "fileSystemId": "fs-0123456789abcdef0"}
    base = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}"
    assert granted("elasticfilesystem.amazonaws.com", "CreateAccessPoint", params) == {
        ("elasticfilesystem:CreateAccessPoint", f"{base}:file-system/fs-0123456789abcdef0"),
        ("elasticfilesystem:TagResource", f"{base}:access-point/*"),
    }


def test_a_new_ou_is_tagged_not_its_root() -> None:
    params = {"parentId": "r-examplerootid111", "name": "Dev", "tags": [{"key": "team", "value": "a"}]}
    org = "arn:aws:organizations::*"  # the management account's, which no record names
    assert granted("organizations.amazonaws.com", "CreateOrganizationalUnit", params) == {
        ("organizations:CreateOrganizationalUnit", f"{org}:root/o-*/r-examplerootid111"),
        ("organizations:TagResource", f"{org}:ou/o-*/ou-*"),
    }


def test_a_memorydb_cluster_is_tagged_not_its_groups() -> None:
    params = {
        "clusterName": "sessions",
        "nodeType": "db.r6g.large",
        "aCLName": "open-access",
        "parameterGroupName": "default.memorydb-redis7",
        "subnetGroupName": "app",
        "tags": [{"key": "team", "value": "a"}],
    }
    tagged = {
        arn
        for action, arn in granted("memorydb.amazonaws.com", "CreateCluster", params)
        if action == "memorydb:TagResource"
    }
    assert tagged == {f"arn:aws:memorydb:us-east-1:{ACCOUNT}:cluster/sessions"}


def test_an_elasticache_snapshot_is_tagged_not_its_cluster() -> None:
    params = {
        "cacheClusterId": "sessions-001",
        "snapshotName": "nightly",
        "tags": [{"key": "t", "value": "a"}],
    }
    base = f"arn:aws:elasticache:us-east-1:{ACCOUNT}"
    assert granted("elasticache.amazonaws.com", "CreateSnapshot", params) == {
        ("elasticache:CreateSnapshot", f"{base}:cluster:sessions-001"),
        ("elasticache:CreateSnapshot", f"{base}:snapshot:nightly"),
        ("elasticache:AddTagsToResource", f"{base}:snapshot:nightly"),
    }


def test_a_create_named_after_what_it_tags_keeps_its_own_arn() -> None:
    params = {"queueName": "jobs", "tags": {"team": "a"}}
    assert granted("sqs.amazonaws.com", "CreateQueue", params) == {
        ("sqs:CreateQueue", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"),
        ("sqs:TagQueue", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"),
    }


def test_a_new_resource_beneath_a_parent_is_tagged_inside_that_parent() -> None:
    """An S3 table's id is the service's, its table bucket is the request's: the tags go on the bucket's
    tables, not on the bucket (before) nor on every bucket's."""
    bucket = f"arn:aws:s3tables:us-east-1:{ACCOUNT}:bucket/analytics"
    params = {"tableBucketARN": bucket, "namespace": "sales", "name": "orders", "format": "ICEBERG"}
    assert granted("s3tables.amazonaws.com", "CreateTable", {**params, "tags": {"team": "a"}}) == {
        ("s3tables:CreateTable", bucket),
        ("s3tables:TagResource", f"{bucket}/table/*"),
    }
