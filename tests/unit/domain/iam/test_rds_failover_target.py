"""A cluster failover is authorized on the instance it promotes, when the request names one.

The Service Authorization Reference lists ``cluster*`` and ``db`` for ``rds:FailoverDBCluster`` (Actions,
resources, and condition keys for Amazon RDS), and the request names the DB instance by
"TargetDBInstanceIdentifier: The name of the DB instance to promote to the primary DB instance. Specify the
DB instance identifier for an Aurora Replica or a Multi-AZ readable standby in the DB cluster" (RDS API
Reference, FailoverDBCluster). iam-dataset's entry reads the cluster only, so a failover to a named replica
was granted on the cluster alone (an under-grant, silent): a policy that names its resources does not cover
``db:REPLICA``. Found by the QA pass on Panther's CloudTrail rule tests (panther-labs/panther-analysis,
rules/aws_cloudtrail_rules/aws_rds_cluster_failover.yml, "DB Cluster Failover Initiated":
``{"dBClusterIdentifier": "aurora-cluster-prod", "targetDBInstanceIdentifier": "aurora-instance-2"}``).
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"


def test_a_failover_to_a_named_instance_is_granted_on_it() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com",
            "FailoverDBCluster",
            {"dBClusterIdentifier": "aurora-cluster-prod", "targetDBInstanceIdentifier": "aurora-instance-2"},
            response_elements={
                "dBClusterIdentifier": "aurora-cluster-prod",
                "dBClusterArn": f"{RDS}:cluster:aurora-cluster-prod",
                "status": "available",
            },
        )
    )
    assert sorted(event.uses) == [
        ("rds:FailoverDBCluster", f"{RDS}:cluster:aurora-cluster-prod"),
        ("rds:FailoverDBCluster", f"{RDS}:db:aurora-instance-2"),
    ]
    assert event.notes == ()


def test_a_failover_naming_no_instance_is_granted_on_the_cluster_alone() -> None:
    """RDS picks the replica; the optional ``db`` type is not in the call (no ``db:*``, no finding)."""
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com", "FailoverDBCluster", {"dBClusterIdentifier": "aurora-cluster-prod"}
        )
    )
    assert event.uses == (("rds:FailoverDBCluster", f"{RDS}:cluster:aurora-cluster-prod"),)
    assert event.notes == ()
