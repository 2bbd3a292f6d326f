"""Calls that make what they name in another Region than the one they are sent to.

Their tags are checked where the new resource lives: the tagging action goes on the type it makes in the
Region the request names (``rules.MADE_IN_REGION``), never on the source the call reads in its own Region.

- KMS ReplicateKey: "Required permissions: kms:ReplicateKey on the primary key (in the primary key's
  Region) ... kms:CreateKey in an IAM policy in the replica Region. To use the Tags parameter,
  kms:TagResource in an IAM policy in the replica Region" (KMS API Reference, ReplicateKey); "To add tags
  when creating a KMS key, the caller must have kms:TagResource permission in an IAM policy. At a minimum,
  the permission must cover all KMS keys in the account and Region" (KMS Developer Guide, "Managing KMS key
  tags with API operations"). The record is the KMS Developer Guide's ReplicateKey log entry
  (awsdocs/aws-kms-developer-guide doc_source/ct-replicate-key.md), with ``tags`` where a test says so.
  Not granted: iam:CreateServiceLinkedRole, which the Service Authorization Reference lists among
  kms:ReplicateKey's dependent actions but the guide asks of "principals who create multi-Region primary
  keys" ("Controlling access to multi-Region keys"), and kms:PutKeyPolicy, listed there too, which neither
  the API reference's "Required permissions" nor the guide's "Replicating keys" names.
- CloudHSM CopyBackupToRegion: "TagList: Tags to apply to the destination backup during creation",
  "DestinationRegion: The AWS region that will contain your copied CloudHSM cluster backup" (CloudHSM API
  Reference, CopyBackupToRegion, request and response syntax; the response names no id of the copy).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
PRIMARY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
REPLICA = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{KEY_ID}"


def _replicate_key(replica_region: str = "us-west-2", **extra: Any) -> dict[str, Any]:
    """The KMS Developer Guide's ReplicateKey record (its response abridged to the key's metadata)."""
    params = {
        "keyId": KEY_ID,
        "replicaRegion": replica_region,
        "bypassPolicyLockoutSafetyCheck": False,
        "description": "",
        **extra,
    }
    replica = f"arn:aws:kms:{replica_region}:{ACCOUNT}:key/{KEY_ID}"
    response = {
        "replicaKeyMetadata": {
            "aWSAccountId": ACCOUNT,
            "keyId": KEY_ID,
            "arn": replica,
            "keyState": "Creating",
            "multiRegion": True,
            "multiRegionConfiguration": {
                "multiRegionKeyType": "REPLICA",
                "primaryKey": {"arn": PRIMARY, "region": "us-east-1"},
                "replicaKeys": [{"arn": replica, "region": replica_region}],
            },
        }
    }
    return cloudtrail_record(
        "kms.amazonaws.com",
        "ReplicateKey",
        params,
        identity=user_identity(),
        resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": PRIMARY}],
        response_elements=response,
        event_time="2020-11-18T01:29:18Z",
    )


def test_a_replica_key_without_tags_needs_replicate_on_the_primary_and_create_key() -> None:
    event = EventMapper().map(_replicate_key())
    assert set(event.uses) == {("kms:ReplicateKey", PRIMARY), ("kms:CreateKey", "*")}


def test_a_replica_keys_tags_are_checked_on_the_keys_of_the_replica_region() -> None:
    event = EventMapper().map(_replicate_key(tags=[{"tagKey": "Project", "tagValue": "Alpha"}]))
    tagged = {arn for action, arn in event.uses if action == "kms:TagResource"}
    assert tagged == {f"arn:aws:kms:us-west-2:{ACCOUNT}:key/*"}  # not the primary key in us-east-1
    assert ("kms:ReplicateKey", PRIMARY) in event.uses
    assert not event.reason  # nothing on "*" but kms:CreateKey, which takes no resource
    assert any(code == "resource-made-new" for _, code, _ in event.notes)


def test_the_replica_region_is_read_from_each_record() -> None:
    """The memo must not hand one replica Region's grant to a call into another."""
    mapper = EventMapper()
    tags = [{"tagKey": "Project", "tagValue": "Alpha"}]
    first = mapper.map(_replicate_key("us-west-2", tags=tags))
    second = mapper.map(_replicate_key("eu-west-3", tags=tags))
    assert ("kms:TagResource", f"arn:aws:kms:us-west-2:{ACCOUNT}:key/*") in first.uses
    assert ("kms:TagResource", f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/*") in second.uses


def test_a_replica_region_that_is_no_region_keeps_the_tags_undetermined() -> None:
    event = EventMapper().map(_replicate_key("HIDDEN_DUE_TO_SECURITY_REASONS", tags=[{"tagKey": "a"}]))
    assert not any(arn.startswith("arn:aws:kms:HIDDEN") for _, arn in event.uses)


def test_a_cloudhsm_backup_copy_is_tagged_in_its_destination_region() -> None:
    params = {
        "destinationRegion": "us-west-2",
        "backupId": "backup-abcdefg1234",
        "tagList": [{"key": "team", "value": "payments"}],
    }
    response = {
        "destinationBackup": {
            "createTimestamp": "Nov 18, 2020, 1:29:18 AM",
            "sourceBackup": "backup-abcdefg1234",
            "sourceCluster": "cluster-igklspoyj5v",
            "sourceRegion": "us-east-1",
        }
    }
    event = EventMapper().map(
        cloudtrail_record("cloudhsm.amazonaws.com", "CopyBackupToRegion", params, response_elements=response)
    )
    assert set(event.uses) == {
        ("cloudhsm:CopyBackupToRegion", f"arn:aws:cloudhsm:us-east-1:{ACCOUNT}:backup/backup-abcdefg1234"),
        ("cloudhsm:TagResource", f"arn:aws:cloudhsm:us-west-2:{ACCOUNT}:backup/*"),
    }


FSX = f"arn:aws:fsx:us-east-1:{ACCOUNT}"


def test_an_fsx_backup_copied_from_another_region_reads_the_source_there() -> None:
    """FSx CopyBackup is sent to the destination Region; "SourceRegion: The source Amazon Web Services Region
    of the backup", and "the requester (IAM role or IAM user) must have access to the source backup and the
    source AWS Region" (FSx User Guides, "Copying backups", "Permissions for cross-Region backup copies",
    whose statement grants fsx:CopyBackup on "arn:aws:fsx:*:111122223333:backup/*"). The copy, the backup
    the call makes here with an id FSx gives it, is granted as every backup of the call's Region, said; its
    tags go on it, not on the source. Was: both actions on ``*``."""
    params = {
        "sourceBackupId": "backup-0123456789abcdef0",
        "sourceRegion": "us-west-2",
        "copyTags": False,
        "tags": [{"key": "team", "value": "payments"}],
    }
    event = EventMapper().map(cloudtrail_record("fsx.amazonaws.com", "CopyBackup", params))
    assert set(event.uses) == {
        ("fsx:CopyBackup", f"arn:aws:fsx:us-west-2:{ACCOUNT}:backup/backup-0123456789abcdef0"),
        ("fsx:CopyBackup", f"{FSX}:backup/*"),
        ("fsx:TagResource", f"{FSX}:backup/*"),
    }
    assert not event.reason


def test_an_fsx_backup_copied_in_region_reads_the_source_in_the_calls_region() -> None:
    params = {"sourceBackupId": "backup-0123456789abcdef0"}
    uses = set(EventMapper().map(cloudtrail_record("fsx.amazonaws.com", "CopyBackup", params)).uses)
    assert {arn for action, arn in uses if action == "fsx:CopyBackup"} == {
        f"{FSX}:backup/backup-0123456789abcdef0",
        f"{FSX}:backup/*",
    }


MRK = "mrk-1234abcd12ab34cd56ef1234567890ab"


def test_a_primary_region_update_is_granted_on_both_keys() -> None:
    """KMS UpdatePrimaryRegion: "kms:UpdatePrimaryRegion on the current primary key (in the primary key's
    Region) ... kms:UpdatePrimaryRegion on the current replica key (in the replica key's Region)" (KMS API
    Reference). The record is the KMS Developer Guide's first UpdatePrimaryRegion entry (doc_source/
    ct-update-primary-region.md), whose resources[] lists only the key of the call's Region; the replica is
    the key of the same id in ``primaryRegion``. Was: the primary key alone."""
    record = cloudtrail_record(
        "kms.amazonaws.com",
        "UpdatePrimaryRegion",
        {"keyId": MRK, "primaryRegion": "ap-northeast-1"},
        region="us-west-2",
        identity=user_identity(),
        resources=[
            {
                "accountId": ACCOUNT,
                "type": "AWS::KMS::Key",
                "ARN": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{MRK}",
            }
        ],
        event_time="2021-03-10T20:23:37Z",
    )
    assert set(EventMapper().map(record).uses) == {
        ("kms:UpdatePrimaryRegion", f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{MRK}"),
        ("kms:UpdatePrimaryRegion", f"arn:aws:kms:ap-northeast-1:{ACCOUNT}:key/{MRK}"),
    }


def test_the_entry_of_the_new_primary_region_names_one_key() -> None:
    """The guide's second entry, written in the new primary's Region, names that key by its ARN: one grant."""
    arn = f"arn:aws:kms:ap-northeast-1:{ACCOUNT}:key/{MRK}"
    record = cloudtrail_record(
        "kms.amazonaws.com",
        "UpdatePrimaryRegion",
        {"keyId": arn, "primaryRegion": "ap-northeast-1"},
        region="ap-northeast-1",
        identity=user_identity(),
        invoked_by="kms.amazonaws.com",
    )
    assert set(EventMapper().map(record).uses) == {("kms:UpdatePrimaryRegion", arn)}


def test_an_appstream_image_copy_names_its_destination_in_the_destination_region() -> None:
    """AppStream CopyImage: "DestinationRegion: The destination region to which the image will be copied"
    (AppStream 2.0 API Reference); iam-dataset's entry names the destination image, which was granted in the
    call's Region, where a cross-Region copy makes none."""
    params = {
        "sourceImageName": "AppStream-WinServer2019-base",
        "destinationImageName": "AppStream-WinServer2019-base-oregon",
        "destinationRegion": "us-west-2",
    }
    uses = set(EventMapper().map(cloudtrail_record("appstream.amazonaws.com", "CopyImage", params)).uses)
    assert uses == {
        ("appstream:CopyImage", f"arn:aws:appstream:us-east-1:{ACCOUNT}:image/AppStream-WinServer2019-base"),
        (
            "appstream:CopyImage",
            f"arn:aws:appstream:us-west-2:{ACCOUNT}:image/AppStream-WinServer2019-base-oregon",
        ),
    }


@pytest.mark.parametrize("account", ["{x}", "{}", "{0}"])
def test_braces_in_the_account_a_record_names_never_stop_the_mapping(account: str) -> None:
    """recipientAccountId (or the caller's accountId) is "the account that received this event" (CloudTrail
    record contents), a string the scan takes as it is. Two resolvers put the account into a text and then
    filled that text by ``str.format``, so braces in it raised KeyError, IndexError or ValueError and
    stopped the whole scan (found by fuzzing). The account goes into the ARNs as written."""
    fsx = cloudtrail_record("fsx.amazonaws.com", "CopyBackup", {"sourceBackupId": "backup-0123456789abcdef0"})
    appstream = cloudtrail_record(
        "appstream.amazonaws.com",
        "CopyImage",
        {"sourceImageName": "img", "destinationImageName": "img2", "destinationRegion": "us-west-2"},
    )
    for record in (fsx, appstream):
        for named in (
            {**record, "recipientAccountId": account},
            {
                **record,
                "userIdentity": {**record["userIdentity"], "accountId": account},
                "recipientAccountId": None,
            },
        ):
            uses = EventMapper().map(named).uses
            assert uses and all(f":{account}:" in arn for _, arn in uses if arn != "*")
