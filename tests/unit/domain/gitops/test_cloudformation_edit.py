"""Format ``cloudformation``: a template's AWS::IAM::Role loses the broad managed policy from its
ManagedPolicyArns and gets the generated policy as an AWS::IAM::ManagedPolicy of the same template attached
with ``Roles: [Ref: ROLE]`` (CloudFormation User Guide, AWS::IAM::ManagedPolicy, "Roles"). Comments, tags
(``!Sub``, ``!GetAtt``) and the layout of the rest of the template stay; a second run changes nothing.
"""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.test_cloudformation import CDK, TEMPLATE

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ROLE = "arn:aws:iam::111122223333:role/service-role/order-processor"
DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": ["arn:aws:sqs:us-east-1:111122223333:orders"],
        }
    ],
}
# A hand-written template in the style of the CloudFormation User Guide's AWS::IAM::Role examples: the
# partition through !Sub, a comment on the broad entry, an output of the role's ARN
ORDERS = """\
AWSTemplateFormatVersion: '2010-09-09'
Description: orders service
Resources:
  # the service's role
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: order-processor
      Path: /service-role/
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: ecs-tasks.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess
        - arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  RoleArn:
    Value: !GetAtt OrdersRole.Arn
"""


def request(
    *replace: str, principal: str = ROLE, policies: tuple[dict[str, object], ...] = (DOC,)
) -> EditRequest:
    return EditRequest(principal, policies, replace)


def test_the_broad_policy_goes_and_the_generated_one_is_attached_beside_the_role() -> None:
    result = edit_files("cloudformation", {"stack/orders.yaml": ORDERS}, request(POWER), "stack")
    text = result.changes["stack/orders.yaml"]
    assert result.detached == [POWER] and result.attachment_added
    assert "PowerUserAccess" not in text and "CloudWatchAgentServerPolicy" in text
    # untouched: the comment, the tags, the other resources and outputs
    assert "  # the service's role\n" in text and "Value: !GetAtt OrdersRole.Arn" in text
    assert text.startswith(ORDERS.split("      ManagedPolicyArns:")[0])
    template = YAML(typ="rt").load(text)
    resources = list(template["Resources"])
    assert resources == ["OrdersRole", "OrdersRolePolicygen", "Queue"]
    policy = template["Resources"]["OrdersRolePolicygen"]
    assert policy["Type"] == "AWS::IAM::ManagedPolicy"
    assert policy["Properties"]["ManagedPolicyName"] == "order-processor-policygen"
    assert policy["Properties"]["Roles"] == [{"Ref": "OrdersRole"}]
    assert json.loads(json.dumps(policy["Properties"]["PolicyDocument"])) == DOC
    # the template's own sequence indentation kept, in the new resource too
    assert text.startswith(ORDERS.split("        - !Sub")[0]) and "\n        - Ref: OrdersRole\n" in text
    # idempotent: the same policy again changes nothing, a new one updates the document only
    again = edit_files("cloudformation", {"stack/orders.yaml": text}, request(POWER), "stack")
    assert again.changes == {} and not again.attachment_added
    wider = {
        **DOC,
        "Statement": [
            *DOC["Statement"],
            {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"},
        ],
    }  # type: ignore[list-item]
    updated = edit_files(
        "cloudformation", {"stack/orders.yaml": text}, request(POWER, policies=(wider,)), "stack"
    )
    assert updated.notes == ["stack/orders.yaml: updated the policy document of OrdersRolePolicygen"]


def test_a_cdk_style_join_of_the_partition_is_read_and_a_json_template_keeps_its_indentation() -> None:
    cdk_like = json.loads(CDK)
    del cdk_like["Resources"]["myroletscE570167D"]["Metadata"]  # hand-kept JSON, not cdk.out
    cdk_like["Resources"]["myroletscE570167D"]["Properties"]["RoleName"] = "reporting"
    text = json.dumps(cdk_like, indent=4) + "\n"
    principal = "arn:aws:iam::111122223333:role/reporting"
    result = edit_files("cloudformation", {"t.json": text}, request(ADMIN, principal=principal), "t.json")
    out = result.changes["t.json"]
    assert out.endswith("}\n") and '\n    "Resources": {\n' in out
    template = json.loads(out)
    role = template["Resources"]["myroletscE570167D"]["Properties"]
    assert "ManagedPolicyArns" not in role  # its only entry was the broad one
    assert list(template["Resources"]) == ["myroletscE570167D", "myroletscE570167DPolicygen"]
    assert result.detached == [ADMIN]


def test_a_cdk_synthesised_template_is_refused() -> None:
    cdk = json.loads(CDK)
    cdk["Resources"]["myroletscE570167D"]["Properties"]["RoleName"] = "reporting"
    principal = "arn:aws:iam::111122223333:role/reporting"
    with pytest.raises(GitOpsEditError) as err:
        edit_files(
            "cloudformation",
            {"infra/stack.json": json.dumps(cdk)},
            request(ADMIN, principal=principal),
            "infra",
        )
    assert "written anew by every cdk synth" in str(err.value)


def test_a_role_without_a_literal_name_or_a_policy_it_does_not_have_is_refused_naming_what_was_seen() -> None:
    unnamed = ORDERS.replace("      RoleName: order-processor\n", "")
    with pytest.raises(GitOpsEditError) as err:
        edit_files("cloudformation", {"orders.yaml": unnamed}, request(POWER), "")
    assert "roles seen: OrdersRole (no literal RoleName) in orders.yaml" in str(err.value)
    assert "give it RoleName" in str(err.value)
    with pytest.raises(GitOpsEditError) as err:
        edit_files("cloudformation", {"orders.yaml": ORDERS}, request(ADMIN), "")
    assert f"{ADMIN} not found attached to role 'order-processor'" in str(err.value)
    assert "!Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess" in str(err.value)


def test_the_template_of_a_role_named_elsewhere_is_the_refusal_of_the_other_formats() -> None:
    """aws-samples/eks-saas-gitops helpers/vs-code-ec2.yaml (test_cloudformation.py): this format edits it."""
    principal = "arn:aws:iam::123456789012:role/eks-saas-gitops-admin"
    result = edit_files(
        "cloudformation",
        {"helpers/vs-code-ec2.yaml": TEMPLATE},
        request(ADMIN, principal=principal),
        "helpers",
    )
    text = result.changes["helpers/vs-code-ec2.yaml"]
    assert "AdministratorAccess" not in text and "Value: !Sub ${EnvironmentName}" in text
    assert "EC2RolePolicygen:" in text


def test_a_split_policy_is_one_resource_a_part_and_a_part_no_longer_needed_goes() -> None:
    two = edit_files("cloudformation", {"o.yaml": ORDERS}, request(POWER, policies=(DOC, DOC)), "")
    text = two.changes["o.yaml"]
    assert "OrdersRolePolicygen:" in text and "OrdersRolePolicygen2:" in text
    assert "ManagedPolicyName: order-processor-policygen-2" in text
    one = edit_files("cloudformation", {"o.yaml": text}, request(POWER), "")
    assert "OrdersRolePolicygen2" not in one.changes["o.yaml"]


# The shape of aws-cloudformation/aws-cloudformation-templates DMS/DMSAuroraToS3FullLoadAndOngoingReplication
# .yaml: resources apart by blank lines, the role's broad entry the last line before them
SPACED = """\
Resources:
  DMSVpcRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: dms-vpc-role
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: dms.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole


  DMSReplicationInstance:
    Type: AWS::DMS::ReplicationInstance


Outputs:
  Role:
    Value: !Ref DMSVpcRole
"""


def test_the_blank_lines_between_resources_stay() -> None:
    """The blank lines after a removed last entry belong to the layout, not to the entry: the next resource
    and the new one are set apart as the template sets its resources apart (the sweep of the templates of
    aws-cloudformation/aws-cloudformation-templates lost them with the entry)."""
    broad = "arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole"
    principal = "arn:aws:iam::111122223333:role/dms-vpc-role"
    text = edit_files("cloudformation", {"t.yaml": SPACED}, request(broad, principal=principal), "").changes[
        "t.yaml"
    ]
    assert "\n\n\n  DMSVpcRolePolicygen:\n" in text
    assert "\n\n\n  DMSReplicationInstance:\n" in text and "\n\n\nOutputs:\n" in text
    assert text.count("\n\n\n") == 3
