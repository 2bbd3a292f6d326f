"""A call that makes a resource from another tags the one it makes, whatever the source's parameter is called.

The tags of a create call go on what it creates (``mapper._not_read``: not on what a ``Source...`` parameter
names). Found by calling every operation of botocore's models named ``Copy*``, ``Restore*``, ``Clone*``,
``Replicate*``, ``Import*`` or ``Create*From*`` that takes top-level tags with every string parameter given,
and reading where its tagging action went; these tagged what they read or the parent they make in:

- FSx CreateFileSystemFromBackup and CreateVolumeFromBackup: "BackupId: The ID of the source backup.
  Specifies the backup that you are copying"; "Tags: The tags to be applied to the file system at file
  system creation" (FSx API Reference). The backup was tagged; the parameter is named after the noun after
  ``From`` in the call's name, not ``Source...``, and the new file system has no name before the call.
- ElastiCache CopySnapshot: "SourceSnapshotName: The name of an existing snapshot from which to make a copy",
  "TargetSnapshotName: A name for the snapshot copy" (ElastiCache API Reference); the SDK table's own
  elasticache:AddTagsToResource entry names both, so the source was tagged beside the copy.
- SageMaker ImportHubContent: "HubName: The name of the hub to import content into", "Tags: Any tags
  associated with the hub content" (SageMaker API Reference): the hub was tagged beside the content.

Records as CloudTrail logs these JSON and query APIs, parameters in lowerCamelCase.
"""

from __future__ import annotations

from typing import Any

from tests.unit.domain.iam.records import ACCOUNT, uses_of

TAGS = [{"key": "team", "value": "payments"}]


def _tagged(source: str, name: str, params: dict[str, Any], action: str) -> set[str]:
    return {arn for used, arn in uses_of(source, name, params) if used == action}


def test_a_file_system_made_from_a_backup_is_tagged_not_the_backup() -> None:
    params = {
        "backupId": "backup-0123456789abcdef0",
        "subnetIds": ["subnet-0123456789abcdef0"],
        "storageType": "SSD",
        "tags": TAGS,
    }
    uses = uses_of("fsx.amazonaws.com", "CreateFileSystemFromBackup", params)
    fsx = f"arn:aws:fsx:us-east-1:{ACCOUNT}"
    assert {arn for action, arn in uses if action == "fsx:TagResource"} == {f"{fsx}:file-system/*"}
    # the guard: the call itself keeps its grant on the backup it reads
    assert ("fsx:CreateFileSystemFromBackup", f"{fsx}:backup/backup-0123456789abcdef0") in uses


def test_a_volume_made_from_a_backup_is_tagged_not_the_backup() -> None:
    params = {"backupId": "backup-0123456789abcdef0", "name": "vol1", "tags": TAGS}
    assert _tagged("fsx.amazonaws.com", "CreateVolumeFromBackup", params, "fsx:TagResource") == {
        f"arn:aws:fsx:us-east-1:{ACCOUNT}:volume/*/*"
    }


def test_a_snapshot_copy_tags_the_copy_not_the_source() -> None:
    params = {"sourceSnapshotName": "sessions-nightly", "targetSnapshotName": "sessions-kept", "tags": TAGS}
    tagged = _tagged("elasticache.amazonaws.com", "CopySnapshot", params, "elasticache:AddTagsToResource")
    assert tagged == {f"arn:aws:elasticache:us-east-1:{ACCOUNT}:snapshot:sessions-kept"}


def test_imported_hub_content_is_tagged_not_its_hub() -> None:
    params = {
        "hubName": "models",
        "hubContentName": "llama-ft",
        "hubContentType": "Model",
        "documentSchemaVersion": "2.3.0",
        "hubContentDocument": "{}",
        "tags": [{"key": "team", "value": "payments"}],
    }
    assert _tagged("sagemaker.amazonaws.com", "ImportHubContent", params, "sagemaker:AddTags") == {
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:hub-content/models/Model/llama-ft"
    }


def test_a_restore_named_after_its_source_still_tags_the_new_instance() -> None:
    """The guard: RestoreDBInstanceFromDBSnapshot's ``From`` noun (``DBSnapshot``) names the snapshot
    parameter, which ``_new_parameter`` already told from the new instance's."""
    params = {
        "dBInstanceIdentifier": "orders-restored",
        "dBSnapshotIdentifier": "orders-nightly",
        "tags": TAGS,
    }
    tagged = _tagged("rds.amazonaws.com", "RestoreDBInstanceFromDBSnapshot", params, "rds:AddTagsToResource")
    assert tagged == {f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders-restored"}
