"""An Aurora global database switchover is authorized on the secondary cluster it promotes.

``SwitchoverGlobalCluster`` names the secondary as ``FailoverGlobalCluster`` does: "TargetDbClusterIdentifier:
The identifier of the secondary Aurora DB cluster to promote to the new primary for the global database
cluster. Use the Amazon Resource Name (ARN) for the identifier so that Aurora can locate the cluster in its
Amazon Web Services Region" (RDS API Reference, SwitchoverGlobalCluster); the Service Authorization Reference
requires cluster and global-cluster for both actions. iam-dataset has no entry for the switchover, so the
cluster was granted as every cluster of the call's own Region (``cluster:*``, said), which does not hold a
secondary in another Region. Found beside Panther's FailoverGlobalCluster record
(panther-labs/panther-analysis, rules/aws_cloudtrail_rules/aws_rds_cluster_failover.yml, "Global Cluster
Failover"), whose shape this record keeps.
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record


def test_a_global_switchover_is_granted_on_the_secondary_it_promotes() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com",
            "SwitchoverGlobalCluster",
            {
                "globalClusterIdentifier": "global-aurora-cluster",
                "targetDbClusterIdentifier": f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster:aurora-eu-secondary",
            },
            response_elements={
                "globalClusterIdentifier": "global-aurora-cluster",
                "status": "switching-over",
            },
        )
    )
    assert sorted(event.uses) == [
        ("rds:SwitchoverGlobalCluster", f"arn:aws:rds::{ACCOUNT}:global-cluster:global-aurora-cluster"),
        ("rds:SwitchoverGlobalCluster", f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster:aurora-eu-secondary"),
    ]
    assert event.notes == ()
