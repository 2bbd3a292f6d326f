"""RDS read replicas of a Multi-AZ DB cluster, and the automated backups a replication creates.

"SourceDBClusterIdentifier: The identifier of the Multi-AZ DB cluster that will act as the source for the
read replica ... Must be the identifier of an existing Multi-AZ DB cluster ... The source DB cluster must be
in the same AWS Region as the read replica. Cross-Region replication isn't supported" (RDS API Reference,
CreateDBInstanceReadReplica; RDS User Guide, "Creating a DB instance read replica from a Multi-AZ DB
cluster"). The Service Authorization Reference requires ``cluster`` for rds:CreateDBInstanceReadReplica, and
iam-dataset's entry reads the source and new instances and the groups only: a replica of a cluster was
granted every cluster of the account and Region (``cluster:*``), with a finding that no cluster was named.

"StartDBInstanceAutomatedBackupsReplication: Enables replication of automated backups to a different AWS
Region", "SourceDBInstanceArn: The Amazon Resource Name (ARN) of the source DB instance for the replicated
automated backups, for example, arn:aws:rds:us-west-2:123456789012:db:mydatabase" (RDS API Reference): the
call, made in the destination Region, creates the replicated automated backups there, whose id
(``auto-backup:ab-...``, "DBInstanceAutomatedBackupsArn: The Amazon Resource Name (ARN) of the replicated
automated backups", DBInstanceAutomatedBackupsReplication) RDS assigns. The grant on ``auto-backup:*`` is
the narrowest one; its finding said the backup was given "by its DB instance's resource id", which this
request does not give.
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"
ACTION = "rds:CreateDBInstanceReadReplica"


def _replica(params: dict[str, object]) -> tuple[set[str], list[str]]:
    event = EventMapper().map(cloudtrail_record("rds.amazonaws.com", "CreateDBInstanceReadReplica", params))
    assert event.kind == "mapped", event
    return {arn for action, arn in event.uses if action == ACTION}, [n[2] for n in event.notes]


def test_a_replica_of_a_cluster_is_granted_on_that_cluster() -> None:
    granted, notes = _replica(
        {"dBInstanceIdentifier": "orders-replica", "sourceDBClusterIdentifier": "orders-cluster"}
    )
    assert {f"{RDS}:cluster:orders-cluster", f"{RDS}:db:orders-replica"} <= granted
    assert f"{RDS}:cluster:*" not in granted
    assert not any("no cluster named" in note for note in notes)


def test_a_replica_of_a_cluster_given_by_arn() -> None:
    cluster = f"{RDS}:cluster:orders-cluster"
    granted, notes = _replica(
        {"dBInstanceIdentifier": "orders-replica", "sourceDBClusterIdentifier": cluster}
    )
    assert cluster in granted and f"{RDS}:cluster:*" not in granted
    assert not any("no cluster named" in note for note in notes)


def test_a_replica_of_a_cluster_tags_the_replica_only() -> None:
    params = {
        "dBInstanceIdentifier": "orders-replica",
        "sourceDBClusterIdentifier": "orders-cluster",
        "tags": [{"key": "team", "value": "payments"}],
    }
    event = EventMapper().map(cloudtrail_record("rds.amazonaws.com", "CreateDBInstanceReadReplica", params))
    tagged = {arn for action, arn in event.uses if action == "rds:AddTagsToResource"}
    assert tagged == {f"{RDS}:db:orders-replica"}


def test_a_replica_of_an_instance_keeps_its_reading() -> None:
    """The guard: a replica of a DB instance names no cluster; iam-dataset's reading of the source and new
    instances is kept, and the cluster the reference requires stays every one, said."""
    granted, notes = _replica(
        {"dBInstanceIdentifier": "orders-replica", "sourceDBInstanceIdentifier": "orders"}
    )
    assert {f"{RDS}:db:orders", f"{RDS}:db:orders-replica", f"{RDS}:cluster:*"} <= granted
    assert any("no cluster named" in note for note in notes)


def test_backup_replication_says_the_backups_are_created() -> None:
    params = {"sourceDBInstanceArn": f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders", "backupRetentionPeriod": 7}
    event = EventMapper().map(
        cloudtrail_record("rds.amazonaws.com", "StartDBInstanceAutomatedBackupsReplication", params)
    )
    assert set(event.uses) == {
        ("rds:StartDBInstanceAutomatedBackupsReplication", f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders"),
        ("rds:StartDBInstanceAutomatedBackupsReplication", f"{RDS}:auto-backup:*"),
    }
    (note,) = [n[2] for n in event.notes if n[1] == "resource-undetermined"]
    assert "auto-backup:*" in note
    assert "resource id" not in note
    assert "creates" in note and "SourceDBInstanceArn" in note


def test_backup_replication_tags_the_backups_not_the_source_instance() -> None:
    """ "Tags: A list of tags to associate with the replicated automated backups" (RDS API Reference,
    StartDBInstanceAutomatedBackupsReplication): the tags were granted on the source DB instance, in the
    other Region."""
    params = {
        "sourceDBInstanceArn": f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders",
        "backupRetentionPeriod": 7,
        "tags": [{"key": "team", "value": "payments"}],
    }
    event = EventMapper().map(
        cloudtrail_record("rds.amazonaws.com", "StartDBInstanceAutomatedBackupsReplication", params)
    )
    tagged = {arn for action, arn in event.uses if action == "rds:AddTagsToResource"}
    assert tagged == {f"{RDS}:auto-backup:*"}
