"""A list of ids or names spelled ``...IdList``, ``...NameList``, ``...IdentifierList`` or ``...ARNList``
names its resources as the plural does, each element one resource.

botocore's models spell 37 top-level list members so (a singular with ``List`` after it), and the mapper
read only ``...ArnList``: Redshift BatchModifyClusterSnapshots' "SnapshotIdentifierList: A list of snapshot
identifiers you want to modify" (Redshift API Reference) was granted ``*`` with the form finding, where
ModifyClusterSnapshot's ``SnapshotIdentifier`` gets ``snapshot:*/NAME`` (the ARN holds the cluster's name
too, ``snapshot:${ClusterName}/${SnapshotName}``); DMS ListTagsForResource's "ResourceArnList: List of ARNs
that identify multiple DMS resources that you want to list tags for" (DMS API Reference) was ``*`` with no
finding at all: the parameter was not taken for one that may name a resource (``plans.NAMING``), so the
request read as naming nothing, and ``*`` as the exact grant of a call on every resource. Records in the
lowerCamelCase CloudTrail logs these APIs' JSON parameters with.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

SNAPSHOTS = f"arn:aws:redshift:us-east-1:{ACCOUNT}:snapshot:*"
DMS = f"arn:aws:dms:us-east-1:{ACCOUNT}"


def mapped(source: str, name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    assert event.kind == "mapped"
    return event


def test_each_snapshot_of_an_identifier_list() -> None:
    params = {
        "snapshotIdentifierList": ["orders-2026-11-30", "orders-2026-12-01"],
        "manualSnapshotRetentionPeriod": 7,
    }
    event = mapped("redshift.amazonaws.com", "BatchModifyClusterSnapshots", params)
    assert event.uses == (
        ("redshift:BatchModifyClusterSnapshots", f"{SNAPSHOTS}/orders-2026-11-30"),
        ("redshift:BatchModifyClusterSnapshots", f"{SNAPSHOTS}/orders-2026-12-01"),
    )
    # the cluster each is of is not in the request, said
    [(_, code, message)] = event.notes
    assert code == "resource-undetermined"
    assert "(a snapshot given by its identifier, not by the cluster its ARN holds)" in message


def test_one_snapshot_as_by_its_singular() -> None:
    listed = mapped(
        "redshift.amazonaws.com", "BatchModifyClusterSnapshots", {"snapshotIdentifierList": ["s1"]}
    )
    single = mapped("redshift.amazonaws.com", "ModifyClusterSnapshot", {"snapshotIdentifier": "s1"})
    assert [arn for _, arn in listed.uses] == [arn for _, arn in single.uses] == [f"{SNAPSHOTS}/s1"]


def test_resources_of_an_arn_list_whose_formats_hold_no_variable() -> None:
    instance, task = f"{DMS}:rep:T3XAMPLE5ORDERS", f"{DMS}:task:Q7XAMPLEORDERSFULL"
    event = mapped("dms.amazonaws.com", "ListTagsForResource", {"resourceArnList": [instance, task]})
    assert event.uses == (("dms:ListTagsForResource", instance), ("dms:ListTagsForResource", task))
    assert event.notes == ()


def test_an_unread_list_is_said_not_taken_for_naming_nothing() -> None:
    event = mapped("dms.amazonaws.com", "ListTagsForResource", {"resourceArnList": ["orders-task"]})
    assert event.uses == (("dms:ListTagsForResource", "*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]
