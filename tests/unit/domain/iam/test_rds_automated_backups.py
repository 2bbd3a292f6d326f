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
