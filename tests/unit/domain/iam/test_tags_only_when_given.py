"""A create or copy call is granted its service's tagging action only when its request gives tags.

"If tags are specified in the resource-creating action, Amazon performs additional authorization on the
fsx:TagResource action ... The fsx:TagResource action is only evaluated if tags are applied during the
resource-creating action. Therefore, a user that has permissions to create a resource (assuming there are
no tagging conditions) does not require permissions to use the fsx:TagResource action if no tags are
specified in the request" (FSx for Windows File Server User Guide, "Grant permission to tag resources during
creation"; the RDS and EC2 user guides say the same of rds:AddTagsToResource and ec2:CreateTags). The
reference's dependent tagging actions (``tag_on_create``) were already added only to a record with tags,
but where the SDK table (iam-dataset) has an entry of its own for the same action, that entry was granted
to every record: ElastiCache CopySnapshot's elasticache:AddTagsToResource on the source and the copy, FSx
CopyBackup's fsx:TagResource on ``*``, and the same in 47 other calls (``WERE_GRANTED``).

Records as CloudTrail logs these query and JSON APIs, parameters in lowerCamelCase (as the other tests of
the same calls write them: ``test_tags_on_what_is_made_from``, ``test_calls_in_other_regions``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import TAG_KEYS, compile_plan
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity, uses_of
from tests.unit.domain.iam.test_mapping_memo import _pairs

TAGS = [{"key": "team", "value": "payments"}]
ELASTICACHE = f"arn:aws:elasticache:us-east-1:{ACCOUNT}"
FSX = f"arn:aws:fsx:us-east-1:{ACCOUNT}"


def _actions(source: str, name: str, params: dict[str, Any]) -> set[str]:
    return {action for action, _ in uses_of(source, name, params)}


def test_a_snapshot_copy_without_tags_is_not_granted_the_tagging_action() -> None:
    """ElastiCache CopySnapshot: "SourceSnapshotName: The name of an existing snapshot from which to make a
    copy", "TargetSnapshotName: A name for the snapshot copy", "Tags.Tag.N: A list of tags to be added to
    this resource" (ElastiCache API Reference, CopySnapshot, Request Parameters; Tags not required). Was:
    elasticache:AddTagsToResource on both snapshots."""
    params = {"sourceSnapshotName": "sessions-nightly", "targetSnapshotName": "sessions-kept"}
    assert _actions("elasticache.amazonaws.com", "CopySnapshot", params) == {"elasticache:CopySnapshot"}


def test_a_snapshot_copy_with_tags_still_tags_the_copy() -> None:
    params = {"sourceSnapshotName": "sessions-nightly", "targetSnapshotName": "sessions-kept", "tags": TAGS}
    uses = uses_of("elasticache.amazonaws.com", "CopySnapshot", params)
    assert {arn for action, arn in uses if action == "elasticache:AddTagsToResource"} == {
        f"{ELASTICACHE}:snapshot:sessions-kept"
    }


@pytest.mark.parametrize(
    "params",
    [
        {"sourceBackupId": "backup-0123456789abcdef0"},
        # "CopyTags: A Boolean flag indicating whether tags from the source backup should be copied to the
        # backup copy" (FSx API Reference, CopyBackup): the request specifies no tags, and fsx:TagResource
        # is evaluated "only if tags are applied during the resource-creating action ... does not require
        # permissions to use the fsx:TagResource action if no tags are specified in the request" (FSx User
        # Guide, above); no AWS page found says copying tags is authorized on fsx:TagResource
        {"sourceBackupId": "backup-0123456789abcdef0", "sourceRegion": "us-west-2", "copyTags": True},
    ],
)
def test_a_backup_copy_without_tags_is_not_granted_the_tagging_action(params: dict[str, Any]) -> None:
    """FSx CopyBackup's request syntax: ClientRequestToken, CopyTags, KmsKeyId, SourceBackupId (required),
    SourceRegion, Tags (FSx API Reference, CopyBackup). Was: fsx:TagResource on ``*``."""
    assert _actions("fsx.amazonaws.com", "CopyBackup", params) == {"fsx:CopyBackup"}


def test_an_rds_snapshot_copy_that_copies_tags_is_not_granted_the_tagging_action() -> None:
    """The guard (as on the parent): "CopyTags: Specifies whether to copy all tags from the source DB
    snapshot to the target DB snapshot" (RDS API Reference, CopyDBSnapshot) specifies no tags, and "If tags
    are specified in the create action, RDS performs additional authorization on the rds:AddTagsToResource
    action" (RDS User Guide, "Grant permission to tag Amazon RDS resources during creation")."""
    params = {
        "sourceDBSnapshotIdentifier": "rds:orders-2024-03-18-09-00",
        "targetDBSnapshotIdentifier": "orders-copy",
        "copyTags": True,
    }
    assert _actions("rds.amazonaws.com", "CopyDBSnapshot", params) == {"rds:CopyDBSnapshot"}


def test_a_backup_copy_with_tags_still_tags_the_copy() -> None:
    params = {"sourceBackupId": "backup-0123456789abcdef0", "copyTags": True, "tags": TAGS}
    uses = uses_of("fsx.amazonaws.com", "CopyBackup", params)
    assert {arn for action, arn in uses if action == "fsx:TagResource"} == {f"{FSX}:backup/*"}


class _Untagged(Mapping[str, Any]):
    """Request parameters that hold a value for every name but the tag parameters (``TAG_KEYS``): every
    other condition of a table entry is met."""

    def __getitem__(self, key: str) -> Any:
        if key in TAG_KEYS:
            raise KeyError(key)
        return "value-of-" + key

    def get(self, key: str, default: Any = None) -> Any:
        return default if key in TAG_KEYS else "value-of-" + key

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


# The calls whose table entry granted a tagging action to a request without tags (found by the test below
# on the parent commit): that the check still reaches each of them.
WERE_GRANTED = frozenset(
    (source, method)
    for source, methods in {
        "ec2.amazonaws.com": (
            "createcapacityreservationfleet",
            "createcoippool",
            "createipam",
            "createipampool",
            "createipamscope",
            "createlocalgatewayroutetable",
            "createlocalgatewayroutetablevirtualinterfacegroupassociation",
            "createnetworkinsightsaccessscope",
            "createpublicipv4pool",
            "createtransitgatewaypolicytable",
            "createtransitgatewayroutetableannouncement",
            "createverifiedaccessendpoint",
            "createverifiedaccessgroup",
            "createverifiedaccessinstance",
            "createverifiedaccesstrustprovider",
            "startnetworkinsightsaccessscopeanalysis",
        ),
        "elasticache.amazonaws.com": (
            "copysnapshot",
            "createcacheparametergroup",
            "createcachesecuritygroup",
            "createcachesubnetgroup",
            "createsnapshot",
            "createusergroup",
            "purchasereservedcachenodesoffering",
        ),
        "fsx.amazonaws.com": (
            "copybackup",
            "createdatarepositoryassociation",
            "createsnapshot",
            "createstoragevirtualmachine",
            "createvolume",
            "createvolumefrombackup",
        ),
        "imagebuilder.amazonaws.com": (
            "createcomponent",
            "createcontainerrecipe",
            "createdistributionconfiguration",
            "createimage",
            "createimagepipeline",
            "createimagerecipe",
            "createinfrastructureconfiguration",
            "importcomponent",
        ),
        "memorydb.amazonaws.com": (
            "copysnapshot",
            "createacl",
            "createcluster",
            "createparametergroup",
            "createsnapshot",
            "createsubnetgroup",
            "createuser",
        ),
        "rds.amazonaws.com": (
            "createcustomdbengineversion",
            "createeventsubscription",
        ),
        "sagemaker.amazonaws.com": (
            "createedgedeploymentplan",
            "createedgedeploymentstage",
        ),
        "workspaces.amazonaws.com": ("createworkspacebundle",),
    }.items()
    for method in methods
)


def test_no_call_is_granted_a_tagging_action_of_tags_on_create_without_tags() -> None:
    """For every SDK method of the shipped table whose call takes the tagging actions AWS checks on tags
    given at creation (``Plan.tag_actions``), a request with every parameter but its tags is granted none of
    them beside its own action."""
    mapper = EventMapper()
    granted: list[str] = []
    checked: set[tuple[str, str]] = set()
    for source, method in _pairs(mapper):
        plan = compile_plan(mapper.reference, source, method)
        if plan.kind != "mapped" or not plan.tag_actions:
            continue
        checked.add((source, method.lower()))
        record = cloudtrail_record(source, method, None, identity=user_identity())
        record["requestParameters"] = _Untagged()
        own = {
            a.action
            for group in (plan.actions, *(v.actions for v in plan.variants))
            for a in group
            if a.primary
        }
        uses = mapper._resolve(plan, record, False, plan.key).uses
        granted.extend(f"{source}:{method} {a}" for a, _ in uses if a in plan.tag_actions and a not in own)
    assert WERE_GRANTED - checked == set()
    assert granted == []
