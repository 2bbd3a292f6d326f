"""RDS automated backups by the ARN or the resource id their calls give.

The reference's ``auto-backup:${DbInstanceAutomatedBackupId}`` is named by "DBInstanceAutomatedBackupsArn:
The Amazon Resource Name (ARN) of the automated backups to delete, for example,
arn:aws:rds:us-east-1:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE" (RDS API Reference,
DeleteDBInstanceAutomatedBackup), which neither iam-dataset nor the mapper reads (the noun is in the
plural before ``Arn``, and RDS spells ``DB`` where the reference spells ``Db``): the call was granted ``*``
with the resource-undetermined finding though it names the backup's ARN. Or by "DbiResourceId: The
identifier for the source DB instance, which can't be changed and which is unique to an Amazon Web Services
Region" (``db-...``; a cluster's ``DbClusterResourceId``, ``cluster-...``), which is not the backup's id
(``ab-...``): every automated backup of the account and Region, said, is then the grant, not ``*``. Found
by the QA pass on Panther's CloudTrail rule tests (panther-labs/panther-analysis,
rules/aws_cloudtrail_rules/aws_rds_automated_backup_deleted.yml: ``{"dbiResourceId":
"db-ABCDEF1234567890"}``).
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"
BACKUP = f"{RDS}:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE"


def test_an_automated_backup_by_its_arn() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com", "DeleteDBInstanceAutomatedBackup", {"dBInstanceAutomatedBackupsArn": BACKUP}
        )
    )
    assert event.uses == (("rds:DeleteDBInstanceAutomatedBackup", BACKUP),)
    assert event.notes == ()


def test_an_automated_backup_by_its_instance_resource_id() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com", "DeleteDBInstanceAutomatedBackup", {"dbiResourceId": "db-ABCDEF1234567890"}
        )
    )
    assert event.uses == (("rds:DeleteDBInstanceAutomatedBackup", f"{RDS}:auto-backup:*"),)
    (note,) = [n[2] for n in event.notes if n[1] == "resource-undetermined"]
    assert "auto-backup:*" in note and "resource id" in note


def test_a_cluster_automated_backup_by_its_cluster_resource_id() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com",
            "DeleteDBClusterAutomatedBackup",
            {"dbClusterResourceId": "cluster-GHIJKL9876543210"},
        )
    )
    assert event.uses == (("rds:DeleteDBClusterAutomatedBackup", f"{RDS}:cluster-auto-backup:*"),)
    (note,) = [n[2] for n in event.notes if n[1] == "resource-undetermined"]
    assert "cluster-auto-backup:*" in note


def test_describing_automated_backups_by_their_arn() -> None:
    """ "DBInstanceAutomatedBackupsArn: The Amazon Resource Name (ARN) of the replicated automated backups,
    for example, arn:aws:rds:us-east-1:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE" (RDS API
    Reference, DescribeDBInstanceAutomatedBackups): the same reading as the delete call's, where the call was
    granted ``*`` with the resource-undetermined finding."""
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com",
            "DescribeDBInstanceAutomatedBackups",
            {"dBInstanceAutomatedBackupsArn": BACKUP},
        )
    )
    assert event.uses == (("rds:DescribeDBInstanceAutomatedBackups", BACKUP),)
    assert event.notes == ()


def test_describing_automated_backups_by_instance_identifier_or_none() -> None:
    """The guards: "DBInstanceIdentifier: (Optional) The user-supplied instance identifier" is the instance,
    as before; a request naming none lists every backup (``*``, the call's exact grant)."""
    mapper = EventMapper()
    named = mapper.map(
        cloudtrail_record(
            "rds.amazonaws.com", "DescribeDBInstanceAutomatedBackups", {"dBInstanceIdentifier": "db1"}
        )
    )
    assert named.uses == (("rds:DescribeDBInstanceAutomatedBackups", f"{RDS}:db:db1"),)
    listed = mapper.map(
        cloudtrail_record("rds.amazonaws.com", "DescribeDBInstanceAutomatedBackups", {"maxRecords": 20})
    )
    assert listed.uses == (("rds:DescribeDBInstanceAutomatedBackups", "*"),)


def test_a_restore_from_replicated_automated_backups_is_granted_on_them() -> None:
    """ "SourceDBInstanceAutomatedBackupsArn: The Amazon Resource Name (ARN) of the replicated automated
    backups from which to restore" (RDS API Reference, RestoreDBInstanceToPointInTime; the reference lists
    auto-backup among the action's types): the backup was left out of the grant, which named the new
    instance and its groups only (an under-grant)."""
    params = {
        "sourceDBInstanceAutomatedBackupsArn": BACKUP,
        "targetDBInstanceIdentifier": "restored",
        "useLatestRestorableTime": True,
    }
    event = EventMapper().map(
        cloudtrail_record("rds.amazonaws.com", "RestoreDBInstanceToPointInTime", params)
    )
    granted = {arn for action, arn in event.uses if action == "rds:RestoreDBInstanceToPointInTime"}
    assert {BACKUP, f"{RDS}:db:restored"} <= granted
    assert "*" not in granted


def test_a_restore_from_an_instance_is_granted_on_both_instances() -> None:
    """The guard: iam-dataset's reading of the source and target instances is kept."""
    params = {"sourceDBInstanceIdentifier": "orders", "targetDBInstanceIdentifier": "orders-restored"}
    event = EventMapper().map(
        cloudtrail_record("rds.amazonaws.com", "RestoreDBInstanceToPointInTime", params)
    )
    granted = {arn for action, arn in event.uses if action == "rds:RestoreDBInstanceToPointInTime"}
    assert {f"{RDS}:db:orders", f"{RDS}:db:orders-restored"} <= granted


def test_describing_automated_backups_by_their_instance_resource_id() -> None:
    """By the source's id: "DbiResourceId: The resource ID of the DB instance that is the source of the
    automated backup" (RDS API Reference, DescribeDBInstanceAutomatedBackups) is not the backup's id: every
    one, said."""
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com",
            "DescribeDBInstanceAutomatedBackups",
            {"dbiResourceId": "db-ABCDEF1234567890"},
        )
    )
    assert event.uses == (("rds:DescribeDBInstanceAutomatedBackups", f"{RDS}:auto-backup:*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]


def test_describing_automated_backups_of_a_named_instance_keeps_the_instance() -> None:
    """ "DBInstanceIdentifier: (Optional) The user-supplied instance identifier. If this parameter is
    specified, it must match the identifier of an existing DB instance" beside DbiResourceId or the backups'
    ARN (RDS API Reference, DescribeDBInstanceAutomatedBackups): the call is authorized on the instance (the
    reference's ``db``) as on the backups, and the instance was dropped from the grant once a backup was
    named."""
    mapper = EventMapper()
    for params, backups in (
        ({"dBInstanceIdentifier": "orders", "dbiResourceId": "db-ABCDEF1234567890"}, f"{RDS}:auto-backup:*"),
        ({"dBInstanceIdentifier": "orders", "dBInstanceAutomatedBackupsArn": BACKUP}, BACKUP),
    ):
        event = mapper.map(
            cloudtrail_record("rds.amazonaws.com", "DescribeDBInstanceAutomatedBackups", params)
        )
        assert set(event.uses) == {
            ("rds:DescribeDBInstanceAutomatedBackups", backups),
            ("rds:DescribeDBInstanceAutomatedBackups", f"{RDS}:db:orders"),
        }
