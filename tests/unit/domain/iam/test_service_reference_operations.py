"""Calls no other data maps, mapped by the actions AWS's own operation table names for them.

AWS's programmatic service reference ("Simplified AWS service information for programmatic access",
Service Authorization Reference; servicereference.us-east-1.amazonaws.com/v1/SERVICE/SERVICE.json) lists,
per API operation, the ``AuthorizedActions`` AWS checks for it: Deadline's ``BatchGetSession`` is authorized
by ``deadline:GetSession``, QuickSight's ``DescribeTopicV2`` by ``quicksight:DescribeTopic``, which no name
tells. iam-dataset's table (2023) knows none of them, and neither the reference has an action of their
names: they were reported unmapped and the workload's call refused. The rows used are extracted by
``scripts/extract_authorized_actions.py`` (``scripts/data/service-reference-operations``) and kept by
``build_reference_data.py``'s ``authorized_actions``: one action, or one of the operation's own family
beside the tagging, ``iam:PassRole`` or KMS actions AWS checks only when the request asks for them.

A batch call is one call of the single action per item it names ("BatchGetSession: identifiers: The
session identifiers to get", Deadline API Reference; "BatchUpdateFirewallRule: UpdateFirewallRuleEntries",
Route 53 Resolver API Reference; "BatchCreateVehicle: vehicles: A list of information about each vehicle to
create", IoT FleetWise API Reference): each item is granted what the single call on it is granted. Records
carry the APIs' members in CloudTrail's lowerCamelCase.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted, uses_of
from tests.unit.domain.iam.test_reference_data import _build_module

REGION = f"us-east-1:{ACCOUNT}"
FARM = "farm-1234567890abcdef1234567890abcdef"
QUEUE = "queue-1234567890abcdef1234567890abcdef"
JOBS = ("job-1234567890abcdef1234567890abcdef", "job-abcdef1234567890abcdef1234567890")


def session(job: str, number: int) -> dict[str, str]:
    return {"farmId": FARM, "queueId": QUEUE, "jobId": job, "sessionId": f"session-{job[4:]}-{number}"}


def job_arn(job: str) -> str:
    return f"arn:aws:deadline:{REGION}:farm/{FARM}/queue/{QUEUE}/job/{job}"


RULE_GROUP = "rslvr-frg-0123456789abcdef"
DOMAIN_LIST = "rslvr-fdl-0123456789abcdef"
ROUTER_INPUT = f"arn:aws:mediaconnect:{REGION}:routerInput:1-abcdefghijklmnop-12345678"
VIEW = f"arn:aws:resource-explorer-2:{REGION}:view/my-view/01234567-0123-0123-0123-0123456789ab"
INSTANCE = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
USER = "f1e2d3c4-5678-90ab-cdef-EXAMPLE22222"


@pytest.mark.parametrize(
    ("source", "name", "params", "uses"),
    [
        (
            "deadline.amazonaws.com",
            "BatchGetSession",
            {"identifiers": [session(JOBS[0], 0), session(JOBS[0], 1), session(JOBS[1], 0)]},
            {("deadline:GetSession", job_arn(JOBS[0])), ("deadline:GetSession", job_arn(JOBS[1]))},
        ),
        (
            "route53resolver.amazonaws.com",
            "BatchUpdateFirewallRule",
            {
                "updateFirewallRuleEntries": [
                    {
                        "firewallRuleGroupId": RULE_GROUP,
                        "firewallDomainListId": DOMAIN_LIST,
                        "priority": 100,
                        "action": "BLOCK",
                        "blockResponse": "NODATA",
                    }
                ]
            },
            {
                (
                    "route53resolver:UpdateFirewallRule",
                    f"arn:aws:route53resolver:{REGION}:firewall-rule-group/{RULE_GROUP}",
                ),
                (
                    "route53resolver:UpdateFirewallRule",
                    f"arn:aws:route53resolver:{REGION}:firewall-domain-list/{DOMAIN_LIST}",
                ),
            },
        ),
        (
            "mediaconnect.amazonaws.com",
            "BatchGetRouterInput",
            {"arns": [ROUTER_INPUT]},
            {("mediaconnect:GetRouterInput", ROUTER_INPUT)},
        ),
        (
            "quicksight.amazonaws.com",
            "DescribeTopicV2",
            {"awsAccountId": ACCOUNT, "topicId": "sales-topic"},
            {("quicksight:DescribeTopic", f"arn:aws:quicksight:{REGION}:topic/sales-topic")},
        ),
        (
            "resource-explorer-2.amazonaws.com",
            "ListResources",
            {"viewArn": VIEW, "filters": {"filterString": "service:s3"}, "maxResults": 100},
            {("resource-explorer-2:Search", VIEW)},
        ),
        (
            "connect.amazonaws.com",
            "UpdateUserConfig",
            {
                "instanceId": INSTANCE,
                "userId": USER,
                "phoneNumberConfigs": [{"channel": "VOICE", "phoneType": "SOFT_PHONE"}],
            },
            {("connect:UpdateUserPhoneConfig", f"arn:aws:connect:{REGION}:instance/{INSTANCE}/agent/{USER}")},
        ),
        (  # an action of no resource type: "*" is its exact grant
            "redshift-data.amazonaws.com",
            "GetStatementResultV2",
            {"id": "d9b6c0c9-0747-4bf4-b142-e8883df97c2b"},
            {("redshift-data:GetStatementResult", "*")},
        ),
    ],
)
def test_a_call_is_granted_the_action_the_operation_table_names(
    source: str, name: str, params: dict[str, Any], uses: set[tuple[str, str]]
) -> None:
    assert granted(source, name, params) == uses


def test_a_batch_create_is_granted_the_create_of_each_item() -> None:
    """IoT FleetWise's row for BatchCreateVehicle is ``CreateVehicle`` and ``TagResource``: the tagging
    action is checked when a vehicle is given tags (below), the create on every vehicle, its manifests as
    the single call's are."""
    manifests = {
        "modelManifestArn": f"arn:aws:iotfleetwise:{REGION}:model-manifest/fleet-model",
        "decoderManifestArn": f"arn:aws:iotfleetwise:{REGION}:decoder-manifest/fleet-decoder",
    }
    vehicles = [{"vehicleName": "truck-17", **manifests}, {"vehicleName": "truck-18", **manifests}]
    batch = uses_of("iotfleetwise.amazonaws.com", "BatchCreateVehicle", {"vehicles": vehicles})
    single = uses_of("iotfleetwise.amazonaws.com", "CreateVehicle", vehicles[0])
    assert {action for action, _ in batch} == {"iotfleetwise:CreateVehicle"}
    assert batch == single
    assert {*manifests.values()} < {arn for _, arn in batch}


def test_a_batch_create_is_granted_the_rows_tagging_action_where_an_item_carries_tags() -> None:
    """The row's ``TagResource`` (checked "if tags are specified in the resource-creating action", as
    for the reference's dependent actions) is granted only for a request whose vehicles carry tags."""
    manifests = {
        "modelManifestArn": f"arn:aws:iotfleetwise:{REGION}:model-manifest/fleet-model",
        "decoderManifestArn": f"arn:aws:iotfleetwise:{REGION}:decoder-manifest/fleet-decoder",
    }
    tagged = {"vehicleName": "truck-17", **manifests, "tags": [{"key": "team", "value": "fleet"}]}
    plain = {"vehicleName": "truck-18", **manifests}
    source = "iotfleetwise.amazonaws.com"
    with_tags = uses_of(source, "BatchCreateVehicle", {"vehicles": [tagged, plain]})
    created = {arn for action, arn in with_tags if action == "iotfleetwise:CreateVehicle"}
    vehicles = {arn for arn in created if ":vehicle/" in arn}
    assert {arn for action, arn in with_tags if action == "iotfleetwise:TagResource"} == vehicles != set()
    without = uses_of(source, "BatchCreateVehicle", {"vehicles": [plain]})
    assert {action for action, _ in without} == {"iotfleetwise:CreateVehicle"}


def test_a_batch_call_is_granted_what_its_single_call_on_each_item_is() -> None:
    items = [session(JOBS[0], 0), session(JOBS[1], 3)]
    batch = granted("deadline.amazonaws.com", "BatchGetSession", {"identifiers": items})
    singles = set().union(*(granted("deadline.amazonaws.com", "GetSession", item) for item in items))
    assert batch == singles


@pytest.mark.parametrize(
    ("source", "name", "params"),
    [
        # the row names only connect:TagResource: the test case's own action is missing from it
        ("connect.amazonaws.com", "CreateTestCase", {"instanceId": INSTANCE, "name": "greeting"}),
        # cassandra:Create and cassandra:CreateMultiRegionResource: the second for a multi-Region keyspace
        ("cassandra.amazonaws.com", "CreateType", {"keyspaceName": "catalog", "typeName": "address"}),
        # cloudtrail:ListInsightsData and cloudtrail:LookupEvents: which one a call needs is not said
        ("cloudtrail.amazonaws.com", "ListInsightsMetricData", {"eventSource": "ec2.amazonaws.com"}),
        # quicksight:PassDataSet beside quicksight:UpdateTopic
        ("quicksight.amazonaws.com", "UpdateTopicV2", {"awsAccountId": ACCOUNT, "topicId": "sales-topic"}),
    ],
)
def test_a_row_that_does_not_say_what_every_call_needs_stays_unmapped(
    source: str, name: str, params: dict[str, Any]
) -> None:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    assert event.kind == "unmapped", event


def test_every_action_the_table_maps_to_is_in_the_reference() -> None:
    ref = load_reference()
    operations = ref.authorized_operations()
    assert len(operations) >= 30
    for namespace, operation, actions in operations:
        assert ref.has_namespace(namespace), namespace
        assert actions, (namespace, operation)
        for action in actions:
            assert ref.action_name(action) == action, (namespace, operation, action)


def test_the_build_keeps_only_rows_that_say_what_every_call_needs() -> None:
    services = {
        "svc": {"a": {name.lower(): [name, [], []] for name in ("GetThing", "CreateThing", "TagResource")}},
        "kms": {"a": {"decrypt": ["Decrypt", [], []]}},
    }
    table = {
        "svc": {
            "BatchGetThing": ["svc:GetThing"],
            "BatchCreateThings": ["svc:CreateThing", "svc:TagResource", "kms:Decrypt"],
            "CreateWidget": ["svc:TagResource"],
            "CopyThing": ["svc:CreateThing", "svc:GetThing"],
            "GetWidget": ["svc:GetWidget"],
            "DeleteThing": [],
            "BatchTouchThing": ["svc:GetThing", "svc:TagResource"],
        },
        "other.amazonaws.com": {"GetThing": ["svc:GetThing"]},
    }
    kept, tagging, left_out = _build_module().authorized_actions(services, table)
    assert kept == {"svc": {"batchgetthing": ["svc:GetThing"], "batchcreatethings": ["svc:CreateThing"]}}
    assert tagging == {"svc": {"batchcreatethings": ["svc:TagResource"]}}
    assert dict(left_out) == {
        "only a conditional action (tagging, iam:PassRole, kms)": 1,
        "several actions, not all unconditional": 2,
        "an action not in the reference": 1,
        "row names no action": 1,
        "eventSource of no IAM namespace": 1,
    }
