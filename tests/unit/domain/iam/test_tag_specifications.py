"""A tag specification tags the resource of the type it names, not the one the call is named after.

"TagSpecification: The tags to apply to resources when creating or modifying a DB instance or DB cluster, or
when copying a DB instance snapshot. When you specify a tag, you must specify the resource type to tag";
"ResourceType: The type of resource to tag on creation. Valid Values: auto-backup - The DB instance's
automated backup. cluster-auto-backup - The DB cluster's automated backup. og - The copied option group.
Valid only for CopyDBSnapshot." (RDS API Reference, TagSpecification data type). botocore's rds 2014-10-31
model gives ModifyDBInstance, CreateDBInstance, CreateDBInstanceReadReplica, PromoteReadReplica and the
instance restores ``TagSpecifications`` for ``auto-backup``, the cluster creates and restores for
``cluster-auto-backup``, and CopyDBSnapshot for ``og`` ("Tags to assign to the copied option group ...
Can only be specified when CopyOptionGroup is true"). The Service Authorization Reference lists
``auto-backup``, ``cluster-auto-backup`` and ``og`` among the resource types of rds:AddTagsToResource, the
dependent action of each of these calls ("If tags are specified in the create action, RDS performs
additional authorization on the rds:AddTagsToResource action", RDS User Guide, "Grant permission to tag
Amazon RDS resources during creation"). Each was granted on the DB instance or the snapshot, an ARN of
another resource than the one tagged; the automated backup's and the copied option group's ids are RDS's
(``auto-backup:ab-...``), so the tags go on every one of the type in the account and Region.

EC2 StartNetworkInsightsAnalysis reads a path and makes an analysis ("NetworkInsightsPathId: The ID of the
path"; "TagSpecifications: The tags to apply", EC2 API Reference): its tags were granted on the path too.

Records as CloudTrail logs them: RDS's query API with lower-cased first letters (``tagSpecifications``, a
list of ``{resourceType, tags}``); EC2's newer calls inside their request object with the Query API's names
(``{"DeleteNetworkInsightsPathRequest": {"NetworkInsightsPathId": ...}}``, Reachability Analyzer Guide,
"Logging Reachability Analyzer API calls using AWS CloudTrail"; ``TagSpecification`` as CreateFleet's).
"""

from __future__ import annotations

from typing import Any

from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, uses_of

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"
TAGS = [{"key": "team", "value": "payments"}]


def _tagged(source: str, name: str, params: dict[str, Any], action: str) -> set[str]:
    return {arn for used, arn in uses_of(source, name, params) if used == action}


def _specification(kind: str) -> list[dict[str, Any]]:
    return [{"resourceType": kind, "tags": TAGS}]


def test_modifying_an_instance_tags_its_automated_backups() -> None:
    params = {
        "dBInstanceIdentifier": "orders",
        "backupRetentionPeriod": 7,
        "applyImmediately": True,
        "tagSpecifications": _specification("auto-backup"),
    }
    uses = uses_of("rds.amazonaws.com", "ModifyDBInstance", params)
    assert {arn for action, arn in uses if action == "rds:AddTagsToResource"} == {f"{RDS}:auto-backup:*"}
    assert ("rds:ModifyDBInstance", f"{RDS}:db:orders") in uses


def test_a_create_tags_the_instance_with_its_tags_and_the_backups_with_its_specifications() -> None:
    """The guard: ``Tags`` stay the instance's ("Tags to assign to the DB instance", CreateDBInstance)."""
    params = {
        "dBInstanceIdentifier": "orders",
        "engine": "postgres",
        "tags": TAGS,
        "tagSpecifications": _specification("auto-backup"),
    }
    assert _tagged("rds.amazonaws.com", "CreateDBInstance", params, "rds:AddTagsToResource") == {
        f"{RDS}:db:orders",
        f"{RDS}:auto-backup:*",
    }


def test_a_cluster_create_with_only_specifications_tags_its_automated_backups() -> None:
    params = {
        "dBClusterIdentifier": "orders-cluster",
        "engine": "aurora-postgresql",
        "tagSpecifications": _specification("cluster-auto-backup"),
    }
    assert _tagged("rds.amazonaws.com", "CreateDBCluster", params, "rds:AddTagsToResource") == {
        f"{RDS}:cluster-auto-backup:*"
    }


def test_a_snapshot_copy_tags_the_option_group_it_copies() -> None:
    """A cross-account copy ("The associated option group can be copied only with cross-account snapshot
    copy calls", CopyOptionGroup) whose option group's name the request does not give."""
    params = {
        "sourceDBSnapshotIdentifier": f"arn:aws:rds:us-east-1:{OTHER_ACCOUNT}:snapshot:orders-nightly",
        "targetDBSnapshotIdentifier": "orders-copy",
        "copyOptionGroup": True,
        "tagSpecifications": _specification("og"),
    }
    assert _tagged("rds.amazonaws.com", "CopyDBSnapshot", params, "rds:AddTagsToResource") == {f"{RDS}:og:*"}
    with_tags = {**params, "tags": TAGS}
    assert _tagged("rds.amazonaws.com", "CopyDBSnapshot", with_tags, "rds:AddTagsToResource") == {
        f"{RDS}:og:*",
        f"{RDS}:snapshot:orders-copy",
    }


def test_an_analysis_is_tagged_not_the_path_it_reads() -> None:
    params = {
        "StartNetworkInsightsAnalysisRequest": {
            "NetworkInsightsPathId": "nip-0b26f224f1d131fa8",
            "TagSpecification": [
                {
                    "ResourceType": "network-insights-analysis",
                    "Tag": [{"Key": "team", "Value": "payments"}],
                    "tag": 1,
                }
            ],
            "ClientToken": "3b7a7a2e-4f4c-4c6a-9d7e-0d1b2c3d4e5f",
        }
    }
    uses = uses_of("ec2.amazonaws.com", "StartNetworkInsightsAnalysis", params)
    ec2 = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
    tagged = {arn for action, arn in uses if action == "ec2:CreateTags"}
    assert tagged == {f"{ec2}:network-insights-analysis/*"}
    assert ("ec2:StartNetworkInsightsAnalysis", f"{ec2}:network-insights-path/nip-0b26f224f1d131fa8") in uses


def test_a_specification_of_a_type_the_tag_action_lacks_keeps_the_reading() -> None:
    """The guard: a ``ResourceType`` that is no type of the tag action (a made-up one) does not move the
    tags; the call's own reading stands."""
    params = {
        "dBInstanceIdentifier": "orders",
        "engine": "postgres",
        "tags": TAGS,
        "tagSpecifications": _specification("not-a-type"),
    }
    assert _tagged("rds.amazonaws.com", "CreateDBInstance", params, "rds:AddTagsToResource") == {
        f"{RDS}:db:orders"
    }


def test_an_access_scope_analysis_is_tagged_not_the_scope_the_table_names() -> None:
    """StartNetworkInsightsAccessScopeAnalysis: "NetworkInsightsAccessScopeId: The ID of the Network Access
    Scope"; "TagSpecifications: The tags to apply" (EC2 API Reference). The SDK table's own ec2:CreateTags
    entry names the scope the call reads; with only a specification of the analysis, the scope is not
    tagged."""
    params = {
        "StartNetworkInsightsAccessScopeAnalysisRequest": {
            "NetworkInsightsAccessScopeId": "nis-04c0c0fbca737c404",
            "TagSpecification": [
                {
                    "ResourceType": "network-insights-access-scope-analysis",
                    "Tag": [{"Key": "team", "Value": "payments"}],
                    "tag": 1,
                }
            ],
            "ClientToken": "0d1b2c3d-4e5f-4c6a-9d7e-3b7a7a2e4f4c",
        }
    }
    uses = uses_of("ec2.amazonaws.com", "StartNetworkInsightsAccessScopeAnalysis", params)
    tagged = {arn for action, arn in uses if action == "ec2:CreateTags"}
    assert tagged == {f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-insights-access-scope-analysis/*"}
