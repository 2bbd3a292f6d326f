"""iam:PassRole where an operation's API reference says the caller needs it.

The Service Authorization Reference's dependent actions are the reference data's source for which calls
pass a role; they miss calls whose own API reference says it ("To pass this role to Amazon Bedrock, the
caller of this API must have the iam:PassRole permission", CreateModelCustomizationJob). botocore ships
those texts: every mapped operation whose documentation or parameters' documentation names iam:PassRole
must pass the roles its request gives (``DOCUMENTED_PASS_ROLE`` in mapping/rules.py), or the generated
policy refuses the call.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import PASS_ROLE, compile_plan
from policygen_operator.domain.iam.reference import load_reference
from tests.fixtures.scripts import load_script
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

ROLE = f"arn:aws:iam::{ACCOUNT}:role"


def _documented() -> list[tuple[str, str]]:
    """(eventSource, operation) of every operation whose documentation names iam:PassRole."""
    ref = load_reference()
    event_source = load_script("operator/scripts/coverage.py").event_source
    session = botocore.session.get_session()
    found = []
    for service in session.get_available_services():
        model = session.get_service_model(service)
        for name in model.operation_names:
            operation = model.operation_model(name)
            shape = operation.input_shape
            docs = " ".join(
                [
                    operation.documentation or "",
                    *((m.documentation or "") for m in (shape.members if shape else {}).values()),
                ]
            )
            if re.search(r"(?i)iam:\s*PassRole|PassRole permission", docs):
                found.append((event_source(ref, model.metadata, service), name))
    return found


def test_every_call_whose_api_reference_asks_for_pass_role_passes_the_role() -> None:
    ref = load_reference()
    missing = []
    documented = _documented()
    for source, name in documented:
        plan = compile_plan(ref, source, name)
        if plan.kind != "mapped":
            continue  # unmapped operations are counted by make coverage
        groups = (plan.actions, *(v.actions for v in plan.variants))
        if not (plan.passes_role or any(a.action == PASS_ROLE for group in groups for a in group)):
            missing.append(f"{source}:{name}")
    assert len(documented) >= 40  # the texts were read (46 with botocore 1.44.8)
    assert missing == []


def uses(source: str, name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return set(EventMapper().map(cloudtrail_record(source, name, params)).uses)


def test_the_documented_roles_are_passed_where_the_request_holds_them() -> None:
    job = {
        "jobName": "tune-1",
        "customModelName": "support-bot",
        "roleArn": f"{ROLE}/bedrock-customization",
        "baseModelIdentifier": "amazon.titan-text-express-v1",
        "trainingDataConfig": {"s3Uri": "s3://training/data.jsonl"},
        "outputDataConfig": {"s3Uri": "s3://training/out/"},
    }
    assert ("iam:PassRole", f"{ROLE}/bedrock-customization") in uses(
        "bedrock.amazonaws.com", "CreateModelCustomizationJob", job
    )
    location = f"arn:aws:datasync:us-east-1:{ACCOUNT}:location"
    task = {
        "sourceLocationArn": f"{location}/loc-0123456789abcdef0",
        "destinationLocationArn": f"{location}/loc-0fedcba9876543210",
        "manifestConfig": {
            "source": {
                "s3": {
                    "manifestObjectPath": "manifests/m.csv",
                    "bucketAccessRoleArn": f"{ROLE}/datasync-manifest",
                    "s3BucketArn": "arn:aws:s3:::manifests",
                }
            }
        },
    }
    # the locations by their Source/Destination ARN parameters, and the manifest's role
    assert uses("datasync.amazonaws.com", "CreateTask", task) == {
        ("datasync:CreateTask", f"{location}/loc-0123456789abcdef0"),
        ("datasync:CreateTask", f"{location}/loc-0fedcba9876543210"),
        ("iam:PassRole", f"{ROLE}/datasync-manifest"),
    }
    # no role in the request: none passed, no finding
    plain = {key: value for key, value in task.items() if key != "manifestConfig"}
    event = EventMapper().map(cloudtrail_record("datasync.amazonaws.com", "CreateTask", plain))
    assert all(action != "iam:PassRole" for action, _ in event.uses) and event.notes == ()


EKS = f"arn:aws:eks:us-east-1:{ACCOUNT}"


def test_eks_pod_identity_associations_and_node_access_entries_pass_their_role() -> None:
    """ "The IAM principal that is creating the association must have iam:PassRole" and "If you create an
    access entry with type EC2_Linux or EC2_Windows, the IAM principal creating the access entry must have
    the iam:PassRole permission" (EKS User Guide). The association is named by its id (its ARN's last part,
    the reference's UUID), and a cross-account target role the first role assumes is not passed."""
    association = {
        "clusterName": "prod",
        "namespace": "orders",
        "serviceAccount": "api",
        "roleArn": f"{ROLE}/orders-api",
        "targetRoleArn": "arn:aws:iam::444455556666:role/orders-data",
    }
    assert uses("eks.amazonaws.com", "CreatePodIdentityAssociation", association) == {
        ("eks:CreatePodIdentityAssociation", f"{EKS}:cluster/prod"),
        ("iam:PassRole", f"{ROLE}/orders-api"),
    }
    update = {
        "clusterName": "prod",
        "associationId": "a-abcdefghijklmnop1",
        "roleArn": f"{ROLE}/orders-api-2",
    }
    assert uses("eks.amazonaws.com", "UpdatePodIdentityAssociation", update) == {
        ("eks:UpdatePodIdentityAssociation", f"{EKS}:podidentityassociation/prod/a-abcdefghijklmnop1"),
        ("iam:PassRole", f"{ROLE}/orders-api-2"),
    }
    node = {"clusterName": "prod", "principalArn": f"{ROLE}/prod-nodes", "type": "EC2_LINUX"}
    assert ("iam:PassRole", f"{ROLE}/prod-nodes") in uses("eks.amazonaws.com", "CreateAccessEntry", node)
    # a STANDARD entry (a person or a CI role) hands EKS no role
    person = {"clusterName": "prod", "principalArn": f"{ROLE}/platform-admins", "type": "STANDARD"}
    assert all(a != "iam:PassRole" for a, _ in uses("eks.amazonaws.com", "CreateAccessEntry", person))


def test_eks_addons_and_connected_clusters_pass_their_roles() -> None:
    """An add-on's pod identity associations are made with it, and registering an external cluster needs
    "eks:RegisterCluster, ssm:CreateActivation, ssm:DeleteActivation, iam:PassRole" (EKS User Guide)."""
    addon = {
        "clusterName": "prod",
        "addonName": "aws-ebs-csi-driver",
        "podIdentityAssociations": [
            {"serviceAccount": "ebs-csi-controller-sa", "roleArn": f"{ROLE}/ebs-csi"}
        ],
    }
    assert ("iam:PassRole", f"{ROLE}/ebs-csi") in uses("eks.amazonaws.com", "CreateAddon", addon)
    plain = {"clusterName": "prod", "addonName": "vpc-cni"}
    assert all(a != "iam:PassRole" for a, _ in uses("eks.amazonaws.com", "CreateAddon", plain))
    connector = {
        "name": "on-prem",
        "connectorConfig": {"roleArn": f"{ROLE}/eks-connector", "provider": "OTHER"},
    }
    assert uses("eks.amazonaws.com", "RegisterCluster", connector) == {
        ("eks:RegisterCluster", "*"),
        ("ssm:CreateActivation", "*"),
        ("ssm:DeleteActivation", "*"),
        ("iam:PassRole", f"{ROLE}/eks-connector"),
    }


def test_a_fargate_profile_passes_its_pod_execution_role() -> None:
    """EKS refuses CreateFargateProfile without iam:PassRole on the pod execution role, which neither the
    API nor the Service Authorization Reference says (aws/aws-cdk#8546,
    aws-controllers-k8s/community#1821)."""
    profile = {
        "clusterName": "prod",
        "fargateProfileName": "default",
        "podExecutionRoleArn": f"{ROLE}/AmazonEKSFargatePodExecutionRole",
        "selectors": [{"namespace": "default"}],
        "subnets": ["subnet-0123456789abcdef0"],
    }
    assert uses("eks.amazonaws.com", "CreateFargateProfile", profile) == {
        ("eks:CreateFargateProfile", f"{EKS}:cluster/prod"),
        ("iam:PassRole", f"{ROLE}/AmazonEKSFargatePodExecutionRole"),
    }


def test_eventbridge_targets_pass_their_roles() -> None:
    """A target with a role (an ECS task, a Kinesis stream, another account's bus) hands EventBridge that
    role; PutTargets is refused without iam:PassRole on it, which neither reference says
    (ministryofjustice/modernisation-platform#13931; AWS's AmazonEventBridgeFullAccess allows it for
    events.amazonaws.com). A Lambda target has no role and passes none."""
    rule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly"
    ecs = {
        "id": "1",
        "arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/batch",
        "roleArn": f"{ROLE}/ecsEventsRole",
        "ecsParameters": {"taskDefinitionArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/job:3"},
    }
    lambda_target = {"id": "2", "arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:notify"}
    assert uses(
        "events.amazonaws.com", "PutTargets", {"rule": "nightly", "targets": [ecs, lambda_target]}
    ) == {
        ("events:PutTargets", rule),
        ("iam:PassRole", f"{ROLE}/ecsEventsRole"),
    }
    assert uses("events.amazonaws.com", "PutTargets", {"rule": "nightly", "targets": [lambda_target]}) == {
        ("events:PutTargets", rule)
    }


@pytest.mark.parametrize(
    ("source", "name", "params", "role"),
    [
        # AWSAppRunnerFullAccess allows iam:PassRole to apprunner.amazonaws.com
        (
            "apprunner.amazonaws.com",
            "UpdateService",
            {"serviceArn": f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/web/0123456789abcdef"},
            "instanceConfiguration.instanceRoleArn",
        ),
        # CloudFormation User Guide, "CloudFormation service role"
        ("cloudformation.amazonaws.com", "DeleteStack", {"stackName": "app"}, "roleARN"),
        ("cloudformation.amazonaws.com", "RollbackStack", {"stackName": "app"}, "roleARN"),
        # Bedrock User Guide, "Service roles" (agents, flows)
        ("bedrock.amazonaws.com", "CreateAgent", {"agentName": "ops"}, "agentResourceRoleArn"),
        (
            "bedrock.amazonaws.com",
            "UpdateFlow",
            {"flowIdentifier": "FL1234", "name": "f"},
            "executionRoleArn",
        ),
        # AgentCore Developer Guide, "Troubleshooting"
        ("bedrock-agentcore.amazonaws.com", "CreateBrowser", {"name": "browser"}, "executionRoleArn"),
        ("bedrock-agentcore.amazonaws.com", "CreateCodeInterpreter", {"name": "ci"}, "executionRoleArn"),
    ],
)
def test_roles_a_service_guide_says_callers_pass(
    source: str, name: str, params: dict[str, Any], role: str
) -> None:
    """Calls whose service guide, not their API reference, says the caller passes the role (rules.py cites
    each); without the role the call passes none."""
    arn = f"{ROLE}/service-role-for-{name.lower()}"
    outer, _, inner = role.rpartition(".")
    given = {**params, outer: {inner: arn}} if outer else {**params, role: arn}
    assert ("iam:PassRole", arn) in uses(source, name, given)
    assert all(action != "iam:PassRole" for action, _ in uses(source, name, params))


def test_a_role_inside_a_json_policy_document_is_passed() -> None:
    """Logs PutAccountPolicy: "To perform a PutAccountPolicy subscription filter operation for any
    destination except a Lambda function, you must also have the iam:PassRole permission"; the role is the
    policyDocument's "RoleArn The ARN of an IAM role that grants CloudWatch Logs permissions to deliver
    ingested log events to the destination stream", and the document is JSON text in the request."""
    mapper = EventMapper()
    document = (
        '{"DestinationArn":"arn:aws:firehose:us-east-1:' + ACCOUNT + ':deliverystream/logs",'
        '"RoleArn":"' + ROLE + '/cwl-to-firehose","FilterPattern":"","Distribution":"Random"}'
    )
    params = {"policyName": "all", "policyType": "SUBSCRIPTION_FILTER_POLICY", "policyDocument": document}
    event = mapper.map(cloudtrail_record("logs.amazonaws.com", "PutAccountPolicy", params))
    assert (PASS_ROLE, f"{ROLE}/cwl-to-firehose") in event.uses
    to_lambda = {**params, "policyDocument": '{"DestinationArn":"arn:aws:lambda:us-east-1:1:function:f"}'}
    event = mapper.map(cloudtrail_record("logs.amazonaws.com", "PutAccountPolicy", to_lambda))
    assert not any(action == PASS_ROLE for action, _ in event.uses)
