"""A call that copies, restores or snapshots a resource tags the one it creates, never the one it reads.

"If tags are specified in the create action, RDS performs additional authorization on the
rds:AddTagsToResource action to verify if users have permissions to create tags" (RDS User Guide, "Grant
permission to tag Amazon RDS resources during creation"; the Service Authorization Reference, Amazon RDS,
lists rds:AddTagsToResource as a dependent action of CreateDBInstanceReadReplica, CopyDBSnapshot,
CreateDBSnapshot and the restores): the tags a create call carries are the new resource's. Each call below was
also granted rds:AddTagsToResource (EC2's ec2:CreateTags) on what it reads: the source instance of a read
replica, the snapshot copied or restored from, the instance a snapshot is taken of. The rule: the request
parameter named after what the call makes (``[Target]<Noun>Identifier`` of the call's name:
``TargetDBSnapshotIdentifier`` of CopyDBSnapshot, ``DBInstanceIdentifier`` of RestoreDBInstanceFromDBSnapshot)
names what the tags go on, and what a ``Source...`` parameter names is never tagged; a call whose new resource
has no name before it (EC2's CopyImage: "ImageId: The ID of the new AMI", EC2 API Reference) tags every one of
the type it makes in the call's account and Region.

Records carry ``requestParameters`` as CloudTrail logs the RDS query API (the RDS API Reference's request
parameters, first letter lower-cased; ``tags`` a list of ``{key, value}``) and EC2's (``tagSpecificationSet``
with ``items``, as CloudTrail writes EC2 requests).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, uses_of

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"
TAGS = [{"key": "team", "value": "payments"}]


def _tagged(source: str, name: str, params: dict[str, Any], action: str) -> set[str]:
    return {arn for used, arn in uses_of(source, name, params) if used == action}


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        (  # "DBInstanceIdentifier: The DB instance identifier of the read replica" (RDS API Reference)
            "CreateDBInstanceReadReplica",
            {"dBInstanceIdentifier": "orders-replica", "sourceDBInstanceIdentifier": "orders"},
            {f"{RDS}:db:orders-replica"},
        ),
        (  # a cross-Region replica names its source by ARN
            "CreateDBInstanceReadReplica",
            {
                "dBInstanceIdentifier": "orders-replica",
                "sourceDBInstanceIdentifier": f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders",
            },
            {f"{RDS}:db:orders-replica"},
        ),
        (  # "SourceDBSnapshotIdentifier: The identifier for the source DB snapshot" (the copy: Target...)
            "CopyDBSnapshot",
            {
                "sourceDBSnapshotIdentifier": "rds:orders-2024-03-18-09-00",
                "targetDBSnapshotIdentifier": "orders-copy",
            },
            {f"{RDS}:snapshot:orders-copy"},
        ),
        (
            "CopyDBClusterSnapshot",
            {
                "sourceDBClusterSnapshotIdentifier": "rds:orders-cluster-2024-03-18-09-00",
                "targetDBClusterSnapshotIdentifier": "orders-cluster-copy",
            },
            {f"{RDS}:cluster-snapshot:orders-cluster-copy"},
        ),
        (  # "DBInstanceIdentifier: The identifier of the DB instance that you want to create the snapshot of"
            "CreateDBSnapshot",
            {"dBInstanceIdentifier": "orders", "dBSnapshotIdentifier": "orders-before-upgrade"},
            {f"{RDS}:snapshot:orders-before-upgrade"},
        ),
        (
            "CreateDBClusterSnapshot",
            {"dBClusterIdentifier": "orders-cluster", "dBClusterSnapshotIdentifier": "orders-cluster-snap"},
            {f"{RDS}:cluster-snapshot:orders-cluster-snap"},
        ),
        (  # "DBSnapshotIdentifier: The identifier for the DB snapshot to restore from"
            "RestoreDBInstanceFromDBSnapshot",
            {"dBInstanceIdentifier": "orders-restored", "dBSnapshotIdentifier": "orders-before-upgrade"},
            {f"{RDS}:db:orders-restored"},
        ),
        (
            "RestoreDBClusterFromSnapshot",
            {
                "dBClusterIdentifier": "orders-cluster-restored",
                "snapshotIdentifier": "orders-cluster-snap",
                "engine": "aurora-postgresql",
            },
            {f"{RDS}:cluster:orders-cluster-restored"},
        ),
        (
            "RestoreDBInstanceToPointInTime",
            {
                "sourceDBInstanceIdentifier": "orders",
                "targetDBInstanceIdentifier": "orders-pitr",
                "useLatestRestorableTime": True,
            },
            {f"{RDS}:db:orders-pitr"},
        ),
        (
            "RestoreDBClusterToPointInTime",
            {
                "sourceDBClusterIdentifier": "orders-cluster",
                "dBClusterIdentifier": "orders-cluster-pitr",
                "useLatestRestorableTime": True,
            },
            {f"{RDS}:cluster:orders-cluster-pitr"},
        ),
        (
            "CopyDBParameterGroup",
            {
                "sourceDBParameterGroupIdentifier": "default.postgres16",
                "targetDBParameterGroupIdentifier": "orders-params",
                "targetDBParameterGroupDescription": "orders",
            },
            {f"{RDS}:pg:orders-params"},
        ),
        (
            "CopyOptionGroup",
            {
                "sourceOptionGroupIdentifier": "default:mysql-8-0",
                "targetOptionGroupIdentifier": "orders-options",
                "targetOptionGroupDescription": "orders",
            },
            {f"{RDS}:og:orders-options"},
        ),
    ],
)
def test_rds_tags_go_on_what_the_call_creates(name: str, params: dict[str, Any], expected: set[str]) -> None:
    tagged = _tagged("rds.amazonaws.com", name, {**params, "tags": TAGS}, "rds:AddTagsToResource")
    assert tagged == expected


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        (  # "SourceImageId: The ID of the AMI to copy" in SourceRegion; the copy's id is new
            "CopyImage",
            {"sourceImageId": "ami-0abcdef1234567890", "sourceRegion": "us-west-2", "name": "orders"},
            {"arn:aws:ec2:us-east-1::image/*"},
        ),
        (  # "SourceSnapshotId: The ID of the EBS snapshot to copy"
            "CopySnapshot",
            {"sourceSnapshotId": "snap-0abcdef1234567890", "sourceRegion": "us-west-2"},
            {"arn:aws:ec2:us-east-1::snapshot/*"},
        ),
    ],
)
def test_ec2_copies_tag_the_copy_not_the_source(
    name: str, params: dict[str, Any], expected: set[str]
) -> None:
    kind = "image" if name == "CopyImage" else "snapshot"
    tags = {"items": [{"resourceType": kind, "tags": TAGS}]}
    tagged = _tagged("ec2.amazonaws.com", name, {**params, "tagSpecificationSet": tags}, "ec2:CreateTags")
    assert tagged == expected


def test_a_memorydb_snapshot_copy_tags_the_copy() -> None:
    """ "SourceSnapshotName: The name of an existing snapshot from which to make a copy", "TargetSnapshotName:
    A name for the snapshot copy" (MemoryDB API Reference, CopySnapshot): the source was tagged too."""
    params = {"sourceSnapshotName": "sessions-nightly", "targetSnapshotName": "sessions-kept", "tags": TAGS}
    assert _tagged("memorydb.amazonaws.com", "CopySnapshot", params, "memorydb:TagResource") == {
        f"arn:aws:memorydb:us-east-1:{ACCOUNT}:snapshot/sessions-kept"
    }


def test_a_cluster_restored_from_a_backup_is_tagged_as_a_new_cluster() -> None:
    """The guard: "SourceBackupId: The identifier (ID) or the Amazon Resource Name (ARN) of the cluster
    backup to restore" (CloudHSM API Reference, CreateCluster) is not tagged, and the new cluster, whose id
    is the service's, is every cluster of the account and Region, as before: the backup it is granted on
    is what the call creates beside, not a reason to fall back to ``*``."""
    params = {
        "hsmType": "hsm2m.medium",
        "sourceBackupId": "backup-1234567abcd",
        "subnetIds": ["subnet-0123456789abcdef0"],
        "tagList": [{"key": "team", "value": "payments"}],
    }
    assert _tagged("cloudhsm.amazonaws.com", "CreateCluster", params, "cloudhsm:TagResource") == {
        f"arn:aws:cloudhsm:us-east-1:{ACCOUNT}:cluster/*"
    }


def test_the_source_is_still_granted_the_call_itself() -> None:
    """The guard: only the tagging moves; the call keeps its grant on what it reads (the Service
    Authorization Reference requires ``db`` for CreateDBInstanceReadReplica: the source and the replica)."""
    params = {"dBInstanceIdentifier": "orders-replica", "sourceDBInstanceIdentifier": "orders", "tags": TAGS}
    action = "rds:CreateDBInstanceReadReplica"
    granted = _tagged("rds.amazonaws.com", "CreateDBInstanceReadReplica", params, action)
    assert {f"{RDS}:db:orders", f"{RDS}:db:orders-replica"} <= granted


def test_creates_named_after_what_they_make_keep_their_tags() -> None:
    """The guards: CreateDBInstance and CreateDBCluster tag the instance and cluster they name, as before."""
    instance = {"dBInstanceIdentifier": "orders", "engine": "postgres", "tags": TAGS}
    assert _tagged("rds.amazonaws.com", "CreateDBInstance", instance, "rds:AddTagsToResource") == {
        f"{RDS}:db:orders"
    }
    cluster = {"dBClusterIdentifier": "orders-cluster", "engine": "aurora-postgresql", "tags": TAGS}
    assert _tagged("rds.amazonaws.com", "CreateDBCluster", cluster, "rds:AddTagsToResource") == {
        f"{RDS}:cluster:orders-cluster"
    }


def test_a_copy_without_tags_needs_no_tagging() -> None:
    params = {"sourceDBSnapshotIdentifier": "orders-snap", "targetDBSnapshotIdentifier": "orders-copy"}
    assert _tagged("rds.amazonaws.com", "CopyDBSnapshot", params, "rds:AddTagsToResource") == set()
