"""An SSM node id names the same node whichever call, and whichever reading, carries it.

SSM names a node by id: "(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)" is the API's pattern of one (botocore
ssm/2014-11-06, InstanceId), an EC2 instance ``i-...`` or a managed node ``mi-...`` ("Managed node IDs begin
with mi-", SSM User Guide, hybrid activations). Three readings decided it three ways: the curated entries
(StartSession's and GetConnectionStatus's ``Target``, PutComplianceItems' ``ResourceId``) took lower-case hex
only, and an id of neither shape named no node; the resolvers (SendCommand's targets, CreateAssociation's
``InstanceId``) took the same hex and gave an id of neither shape both node types; the filter of the SDK
table's readings (SendCommand's ``InstanceIds``) kept both types for such an id. Found in the last session's
notes, reproduced with the records below. Now one rule (``rules.SSM_NODE_IDS``, the API's pattern) for all
three: ``i-`` an instance, ``mi-`` a managed node, any other id no node (a session's ``Target`` may be
another kind of target: the reference gives StartSession an ECS ``task`` too). Records in the lowerCamelCase
SSM's CloudTrail events use (SSM User Guide, "Logging AWS Systems Manager API calls with AWS CloudTrail").
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.mapper import _left_to_default
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/"
MANAGED = f"arn:aws:ssm:us-east-1:{ACCOUNT}:managed-instance/"
DOCUMENT = "AWS-RunShellScript"


def readings(node: str) -> list[tuple[str, dict[str, Any]]]:
    """Each call and parameter that names a node by id, with the node ``node``."""
    return [
        ("StartSession", {"target": node}),
        ("GetConnectionStatus", {"target": node}),
        (
            "PutComplianceItems",
            {"resourceId": node, "resourceType": "ManagedInstance", "complianceType": "Custom:X"},
        ),
        ("SendCommand", {"documentName": DOCUMENT, "instanceIds": [node]}),
        ("SendCommand", {"documentName": DOCUMENT, "targets": [{"key": "InstanceIds", "values": [node]}]}),
        ("CreateAssociation", {"name": DOCUMENT, "instanceId": node}),
        # actions whose reference types require a node: the type filled from the request's values
        # ("InstanceId: The ID of the managed node whose patch state information should be retrieved",
        # DescribeInstancePatches; "InstanceIds: The ID of the managed node for which patch state information
        # should be retrieved", DescribeInstancePatchStates; SSM API Reference)
        ("DescribeInstancePatches", {"instanceId": node}),
        ("DescribeInstancePatchStates", {"instanceIds": [node]}),
    ]


def nodes(name: str, params: dict[str, Any]) -> set[str]:
    event = EventMapper().map(cloudtrail_record("ssm.amazonaws.com", name, params))
    assert event.kind == "mapped"
    return {arn for _, arn in event.uses if arn.startswith((INSTANCE, MANAGED))}


# "i-" and eight or seventeen word characters: the API's pattern, upper case included
@pytest.mark.parametrize(("name", "params"), readings("i-0A1B2C3D4E5F60718"))
def test_an_instance_id_names_the_instance_in_every_reading(name: str, params: dict[str, Any]) -> None:
    assert nodes(name, params) == {INSTANCE + "i-0A1B2C3D4E5F60718"}


@pytest.mark.parametrize(("name", "params"), readings("mi-0123456789abcdef0"))
def test_a_managed_node_id_names_the_managed_node_in_every_reading(name: str, params: dict[str, Any]) -> None:
    assert nodes(name, params) == {MANAGED + "mi-0123456789abcdef0"}


# a Windows computer name, no node id: the API refuses it as an InstanceId, and a session's target of another
# kind is no node either
@pytest.mark.parametrize(("name", "params"), readings("EC2AMAZ-4SN3KJT"))
def test_an_id_of_neither_shape_names_no_node_in_any_reading(name: str, params: dict[str, Any]) -> None:
    assert nodes(name, params) == set()


def test_the_reason_for_nodes_left_unnamed_is_the_call_s_own() -> None:
    key = "ssm.amazonaws.com:DescribeInstancePatchStates"
    unnamed = [("instance", "instance/*"), ("managed-instance", "managed-instance/*")]
    _, _, message = _left_to_default(key, "ssm:DescribeInstancePatchStates", unnamed, set())
    assert "targets select" not in message
    assert "(no instance id; no managed node id)" in message
    # SendCommand's targets by tag keep theirs
    _, _, command = _left_to_default("ssm.amazonaws.com:SendCommand", "ssm:SendCommand", unnamed, set())
    assert "(nodes the command's targets select by tag, resource group or *, not by id)" in command
