"""Resources named by parameters called after their type, where the format's variable is generic.

The Service Authorization Reference writes many ARN formats with a generic variable (``plan/${ResourceId}``,
``opsitem/${ResourceId}``, ``firewall-policy/${Name}``) while the API names the resource after its type
(the texts quoted are botocore's copy of each API reference):

- ARC Region switch ``GetPlan``: "arn: The Amazon Resource Name (ARN) of the plan."
- Security Hub ``DescribeHub``: "HubArn: The ARN of the Hub resource to retrieve." (``hub/default``, a format
  without variables)
- MSK ``DescribeConfiguration``: "Arn: The Amazon Resource Name (ARN) that uniquely identifies an MSK
  configuration and all of its revisions."
- CloudWatch Logs ``GetLogAnomalyDetector``: "anomalyDetectorArn: The ARN of the anomaly detector".
- SSM ``GetOpsItem``: "OpsItemId: The ID of the OpsItem that you want to get."
- Network Firewall ``DescribeFirewallPolicy``: "FirewallPolicyName: The descriptive name of the firewall
  policy."
- HealthOmics ``GetWorkflowVersion``: "workflowId: The workflow's ID."

Before, the mapper read only parameters named after the format's variables, and each of these calls was
granted on ``*`` with a finding although the request named its resource (2,798 of botocore's operations
called with every parameter got ``*`` for all their actions, 1,828 after this and the create rule below;
``operator/scripts/coverage.py --resources``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record


def mapped(source: str, name: str, params: dict[str, Any]) -> tuple[set[tuple[str, str]], list[str]]:
    event = EventMapper().map(cloudtrail_record(f"{source}.amazonaws.com", name, params))
    assert event.kind == "mapped", event
    return set(event.uses), [code for _, code, _ in event.notes]


PLAN = f"arn:aws:arc-region-switch::{ACCOUNT}:plan/orders-failover"
HUB = f"arn:aws:securityhub:us-east-1:{ACCOUNT}:hub/default"
MSK_CONFIGURATION = f"arn:aws:kafka:us-east-1:{ACCOUNT}:configuration/orders/0123abcd-4567"
DETECTOR = f"arn:aws:logs:us-east-1:{ACCOUNT}:anomaly-detector:0123abcd-4567-89ab"


@pytest.mark.parametrize(
    ("source", "name", "params", "arn"),
    [
        ("arc-region-switch", "GetPlan", {"arn": PLAN}, PLAN),
        ("arc-region-switch", "StartPlanExecution", {"planArn": PLAN, "targetRegion": "us-west-2"}, PLAN),
        ("securityhub", "DescribeHub", {"HubArn": HUB}, HUB),
        ("kafka", "DescribeConfiguration", {"arn": MSK_CONFIGURATION}, MSK_CONFIGURATION),
        ("logs", "GetLogAnomalyDetector", {"anomalyDetectorArn": DETECTOR}, DETECTOR),
    ],
)
def test_an_arn_named_after_its_type_is_that_resource(
    source: str, name: str, params: dict[str, Any], arn: str
) -> None:
    uses, notes = mapped(source, name, params)
    assert uses == {(f"{source}:{name}", arn)}
    assert notes == []


def test_an_arn_of_another_type_names_nothing() -> None:
    """Only a value with the type's shape is the resource: a topic's ARN given as the plan's is not kept."""
    uses, notes = mapped("arc-region-switch", "GetPlan", {"arn": f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"})
    assert uses == {("arc-region-switch:GetPlan", "*")}
    assert notes == ["resource-undetermined"]


def test_an_id_named_after_its_type_fills_the_generic_variable() -> None:
    uses, notes = mapped("ssm", "GetOpsItem", {"opsItemId": "oi-0123456789ab"})
    assert uses == {("ssm:GetOpsItem", f"arn:aws:ssm:us-east-1:{ACCOUNT}:opsitem/oi-0123456789ab")}
    assert notes == []


def test_a_name_fills_only_its_own_type_not_every_type_with_that_variable() -> None:
    """``firewall-policy/${Name}`` and ``stateful-rulegroup/${Name}`` share the variable's name; the
    policy's name names no rule group."""
    uses, notes = mapped("network-firewall", "DescribeFirewallPolicy", {"firewallPolicyName": "egress"})
    policy = f"arn:aws:network-firewall:us-east-1:{ACCOUNT}:firewall-policy/egress"
    assert uses == {("network-firewall:DescribeFirewallPolicy", policy)}
    assert notes == []


def test_a_child_completed_from_its_named_parent_is_not_reported_as_unnamed() -> None:
    """Both ``workflow/${Id}`` and ``workflow/${Id}/version/${VersionName}`` are required: the workflow's
    id names the one and, with the version's name, the other whole, so no finding."""
    uses, notes = mapped("omics", "GetWorkflowVersion", {"workflowId": "1234567", "versionName": "v1"})
    workflow = f"arn:aws:omics:us-east-1:{ACCOUNT}:workflow/1234567"
    assert uses == {
        ("omics:GetWorkflowVersion", workflow),
        ("omics:GetWorkflowVersion", f"{workflow}/version/v1"),
    }
    assert notes == []
    uses, notes = mapped("omics", "GetWorkflowVersion", {"versionName": "v1"})
    assert ("omics:GetWorkflowVersion", f"arn:aws:omics:us-east-1:{ACCOUNT}:workflow/*") in uses
    assert notes == ["resource-undetermined"]


@pytest.mark.parametrize(
    ("prefix", "key", "nouns"),
    [
        ("dms", "replicationtask", (("Replication", "Task"),)),
        ("docdb-elastic", "cluster-snapshot", (("Cluster", "Snapshot"),)),
        ("drs", "recoveryplanresource", (("Recovery", "Plan"),)),
        ("rds", "db", (("DB",),)),
        ("ssm", "opsitem", (("Ops", "Item"),)),
    ],
)
def test_a_type_key_is_spelled_as_the_services_action_names_spell_it(
    prefix: str, key: str, nouns: tuple[tuple[str, ...], ...]
) -> None:
    assert load_reference().type_nouns(prefix, key) == nouns


LINK = f"arn:aws:oam:us-east-1:{ACCOUNT}:link/0123abcd-4567"
JOB = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:model-customization-job/abcd1234"


@pytest.mark.parametrize(
    ("source", "name", "parameter", "arn", "not_an_arn"),
    [
        # "Identifier: The ARN of the link to retrieve information for." (CloudWatch OAM GetLink)
        ("oam", "GetLink", "identifier", LINK, "0123abcd-4567"),
        # "jobIdentifier: Identifier for the customization job." (Bedrock GetModelCustomizationJob): the
        # job's ARN or its name, while the format holds the job's id
        ("bedrock", "GetModelCustomizationJob", "jobIdentifier", JOB, "orders-tuning"),
    ],
)
def test_an_identifier_named_after_its_type_is_read_only_as_an_arn(
    source: str, name: str, parameter: str, arn: str, not_an_arn: str
) -> None:
    uses, notes = mapped(source, name, {parameter: arn})
    assert uses == {(f"{source}:{name}", arn)}
    assert notes == []
    uses, notes = mapped(source, name, {parameter: not_an_arn})
    assert uses == {(f"{source}:{name}", "*")}
    assert notes == ["resource-undetermined"]


# ---- a generic variable the SDK table fills for the whole action, shared by several of its types ----
# The SDK table's ``resource_mappings`` fill a variable for every type of the action; where the reference
# names several types' own ids ``ResourceId`` (or ``Name``), the value meant for one built ARNs of the others
# that no call touches, and missed the resource the call did touch.

NETWORK = f"arn:aws:networkmanager::{ACCOUNT}"


def test_a_device_is_named_by_its_own_id_under_its_global_network() -> None:
    """Network Manager DeleteDevice: "GlobalNetworkId: The ID of the global network", "DeviceId: The ID of
    the device". The table's ``ResourceId <- GlobalNetworkId`` built ``device/GN/GN``: the device itself
    was refused. The reference requires ``global-network`` too, named in the device's ARN by its id."""
    uses, notes = mapped(
        "networkmanager",
        "DeleteDevice",
        {"globalNetworkId": "global-network-0123", "deviceId": "device-07f6"},
    )
    assert uses == {
        ("networkmanager:DeleteDevice", f"{NETWORK}:device/global-network-0123/device-07f6"),
        ("networkmanager:DeleteDevice", f"{NETWORK}:global-network/global-network-0123"),
    }
    assert notes == []


def test_a_rule_groups_id_names_no_domain_list() -> None:
    """Route 53 Resolver DeleteFirewallRule: the table's ``ResourceId <- FirewallRuleGroupId`` also built a
    ``firewall-domain-list`` of the rule group's id; the domain list is the one ``FirewallDomainListId``
    names ("The ID of the domain list that's used in the rule")."""
    uses, notes = mapped(
        "route53resolver",
        "DeleteFirewallRule",
        {"firewallRuleGroupId": "rslvr-frg-0123", "firewallDomainListId": "rslvr-fdl-4567"},
    )
    resolver = f"arn:aws:route53resolver:us-east-1:{ACCOUNT}"
    assert uses == {
        ("route53resolver:DeleteFirewallRule", f"{resolver}:firewall-rule-group/rslvr-frg-0123"),
        ("route53resolver:DeleteFirewallRule", f"{resolver}:firewall-domain-list/rslvr-fdl-4567"),
    }
    assert notes == []


def test_a_policys_name_names_no_rule_group() -> None:
    """Network Firewall CreateFirewallPolicy: the table's ``Name <- FirewallPolicyName`` also built
    ``stateful-rulegroup/``, ``stateless-rulegroup/`` and ``tls-configuration/`` of the policy's name."""
    uses, notes = mapped(
        "network-firewall", "CreateFirewallPolicy", {"firewallPolicyName": "egress", "firewallPolicy": {}}
    )
    firewall = f"arn:aws:network-firewall:us-east-1:{ACCOUNT}"
    assert uses == {("network-firewall:CreateFirewallPolicy", f"{firewall}:firewall-policy/egress")}
    assert notes == []


def test_kinds_of_one_thing_keep_the_value() -> None:
    """Route 53 Resolver GetResolverRule's ``ResolverRuleId`` may be an autodefined rule's
    (``rslvr-autodefined-rr-...``): both rule types stay named by it."""
    uses, _ = mapped("route53resolver", "GetResolverRule", {"resolverRuleId": "rslvr-autodefined-rr-0123"})
    resolver = f"arn:aws:route53resolver:us-east-1:{ACCOUNT}"
    assert uses == {
        ("route53resolver:GetResolverRule", f"{resolver}:autodefined-rule/rslvr-autodefined-rr-0123"),
        ("route53resolver:GetResolverRule", f"{resolver}:resolver-rule/rslvr-autodefined-rr-0123"),
    }


# ---- a create naming nothing the mapper reads ----


def test_a_create_is_granted_on_its_type_in_the_account_and_region_not_on_everything() -> None:
    """CloudTrail CreateEventDataStore takes "Name: The name of the event data store" while its ARN holds
    the id AWS generates (``eventdatastore/${EventDataStoreId}``): the call can only be granted on every
    event data store of the account and region, which is still far from ``*`` (everything, anywhere), and
    said. Its tags go on what it creates (``cloudtrail:AddTags`` is a dependent action of the create)."""
    uses, notes = mapped(
        "cloudtrail", "CreateEventDataStore", {"name": "audit", "tagsList": [{"key": "team", "value": "sec"}]}
    )
    stores = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:eventdatastore/*"
    assert uses == {("cloudtrail:CreateEventDataStore", stores), ("cloudtrail:AddTags", stores)}
    assert notes == ["resource-undetermined"]


def test_a_call_that_only_uses_a_type_is_not_granted_it_whole() -> None:
    """Only ``Create<Noun>`` of the required types: a read that names nothing the mapper reads keeps ``*``
    and the finding (its resource may be in another account or region)."""
    uses, notes = mapped("arc-region-switch", "GetPlan", {"planName": "orders"})
    assert uses == {("arc-region-switch:GetPlan", "*")}
    assert notes == ["resource-undetermined"]


def test_a_type_is_named_by_its_noun_whatever_its_variable_is_called() -> None:
    """Amazon Connect DescribeEvaluationForm: "EvaluationFormId: A unique identifier for the contact
    evaluation" where the format says ``instance/${InstanceId}/evaluation-form/${FormId}``; MemoryDB
    UpdateMultiRegionCluster: "MultiRegionClusterName: The name of the multi-Region cluster to be updated"
    for ``multiregioncluster/${ClusterName}``. Both were the type's every resource, or ``*``."""
    uses, notes = mapped(
        "connect", "DescribeEvaluationForm", {"instanceId": "0123abcd", "evaluationFormId": "form-1"}
    )
    connect = f"arn:aws:connect:us-east-1:{ACCOUNT}"
    assert uses == {("connect:DescribeEvaluationForm", f"{connect}:instance/0123abcd/evaluation-form/form-1")}
    assert notes == []
    uses, notes = mapped("memorydb", "UpdateMultiRegionCluster", {"multiRegionClusterName": "orders"})
    assert uses == {
        ("memorydb:UpdateMultiRegionCluster", f"arn:aws:memorydb::{ACCOUNT}:multiregioncluster/orders")
    }
    assert notes == []


def test_a_parameter_named_after_the_type_beats_a_generic_same_name_one() -> None:
    """HealthOmics GetRunTask takes ``id`` ("The workflow run ID.") and ``taskId`` ("The task's ID") for
    ``task/${Id}``: the generic variable's same-name parameter is the run's, the task is ``taskId``'s."""
    uses, _ = mapped("omics", "GetRunTask", {"id": "1234567", "taskId": "7654321"})
    assert ("omics:GetRunTask", f"arn:aws:omics:us-east-1:{ACCOUNT}:task/7654321") in uses
    assert ("omics:GetRunTask", f"arn:aws:omics:us-east-1:{ACCOUNT}:task/1234567") not in uses


# ---- what a call makes is not a sibling type it names ----


@pytest.mark.parametrize(
    ("source", "name", "params", "named", "made"),
    [
        # "experimentTemplateId: The ID of the experiment template." (FIS StartExperiment): the experiment
        # it starts has a new id; both ``experiment/${Id}`` and ``experiment-template/${Id}`` are required
        (
            "fis",
            "StartExperiment",
            {"experimentTemplateId": "EXT1a2b3c", "clientToken": "t-1"},
            f"arn:aws:fis:us-east-1:{ACCOUNT}:experiment-template/EXT1a2b3c",
            f"arn:aws:fis:us-east-1:{ACCOUNT}:experiment/*",
        ),
        # "datasetGroupArn: The Amazon Resource Name (ARN) of the dataset group that provides the training
        # data" (Personalize CreateSolution): ``dataset-group/${ResourceId}`` and ``solution/${ResourceId}``
        (
            "personalize",
            "CreateSolution",
            {
                "name": "recs",
                "datasetGroupArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/retail",
            },
            f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/retail",
            f"arn:aws:personalize:us-east-1:{ACCOUNT}:solution/*",
        ),
    ],
)
def test_what_a_call_makes_is_granted_beside_the_sibling_it_names(
    source: str, name: str, params: dict[str, Any], named: str, made: str
) -> None:
    """Types with the same variables stood for each other (a listener of one kind for another, right), so
    the one ARN the request named covered the type the call makes, and the policy refused the call."""
    uses, notes = mapped(source, name, params)
    assert uses == {(f"{source}:{name}", named), (f"{source}:{name}", made)}
    assert notes == ["resource-undetermined"]


# ---- formats the reference writes with a wildcard ----

DMS = f"arn:aws:dms:us-east-1:{ACCOUNT}"


@pytest.mark.parametrize(
    ("name", "params", "arn"),
    [
        # "ReplicationTaskArn: The Amazon Resource Name (ARN) of the replication task to be started."
        (
            "StartReplicationTask",
            {
                "replicationTaskArn": f"{DMS}:task:2PVREMWNPGYJCVU2IBPTOYTIV4",
                "startReplicationTaskType": "reload",
            },
            f"{DMS}:task:2PVREMWNPGYJCVU2IBPTOYTIV4",
        ),
        # "ReplicationInstanceArn: The Amazon Resource Name (ARN) of the replication instance."
        (
            "RebootReplicationInstance",
            {"replicationInstanceArn": f"{DMS}:rep:ZYXWVUTSRQ"},
            f"{DMS}:rep:ZYXWVUTSRQ",
        ),
    ],
)
def test_an_arn_of_a_format_written_with_a_wildcard_is_that_resource(
    name: str, params: dict[str, Any], arn: str
) -> None:
    """The reference writes every DMS type as ``task:*``, ``rep:*``, ...: the ``*`` stands for the
    resource's generated name, so a task's ARN has the type's shape. Before, no concrete ARN matched a
    format with a ``*`` and every DMS call was granted ``*``."""
    uses, notes = mapped("dms", name, params)
    assert uses == {(f"dms:{name}", arn)}
    assert notes == []


def test_a_wildcard_in_the_account_field_stays_within_it() -> None:
    """Braket's ``device`` is ``arn:${Partition}:braket:*:*:device/...`` (a device of any Region and of no
    account): its ``*`` there matches one field, so a device ARN matches and one with more fields does
    not."""
    device = load_reference().resource_types("braket:GetDevice")[0]
    assert device.matches("arn:aws:braket:us-east-1::device/qpu/ionq/Aria-1")
    assert not device.matches("arn:aws:braket:us-east-1:1:2:device/qpu/ionq/Aria-1")


def test_a_bare_noun_holding_an_arn_is_that_resource() -> None:
    """CloudTrail GetEventDataStore: "EventDataStore: The ARN (or ID suffix of the ARN) of the event data
    store": its ARN names it; so does the bare id, because the API reference says the parameter holds the
    id the format holds (``identifier_kinds``, test_identifier_kinds.py)."""
    store = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
    uses, notes = mapped("cloudtrail", "GetEventDataStore", {"eventDataStore": store})
    assert uses == {("cloudtrail:GetEventDataStore", store)}
    assert notes == []
    uses, notes = mapped(
        "cloudtrail", "GetEventDataStore", {"eventDataStore": "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"}
    )
    assert uses == {("cloudtrail:GetEventDataStore", store)}
    assert notes == []


def test_task_definitions_deleted_by_family_revision_or_arn() -> None:
    """ECS DeleteTaskDefinitions: "taskDefinitions: The family and revision (family:revision) or full Amazon
    Resource Name (ARN) of the task definition to delete. You must specify a revision." Each entry is one
    task definition (an ARN keeps its own account and Region)."""
    other = "arn:aws:ecs:us-west-2:444455556666:task-definition/api:5"
    uses, notes = mapped("ecs", "DeleteTaskDefinitions", {"taskDefinitions": ["web:3", other]})
    assert uses == {
        ("ecs:DeleteTaskDefinitions", f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:3"),
        ("ecs:DeleteTaskDefinitions", other),
    }
    assert notes == []
