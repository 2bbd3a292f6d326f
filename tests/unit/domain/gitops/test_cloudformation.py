"""A role defined in a CloudFormation template, looked for with another format: refused saying so.

Every format used to answer with its own "not found" (no ACK Role, no Terraform file, no policy file, or
"not a JSON policy document" for a CDK template named by path), which does not tell the user that the role
is in a template and which format edits it (test_cloudformation_edit.py).
"""

from __future__ import annotations

import json

import pytest

from policygen_operator.domain.gitops import cloudformation
from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}

# The role of aws-samples/eks-saas-gitops helpers/vs-code-ec2.yaml (the workshop's bootstrap template),
# cut to the role and a resource using a tag (!Sub) that a plain YAML loader refuses.
TEMPLATE = """\
AWSTemplateFormatVersion: 2010-09-09

Parameters:
  EnvironmentName:
    Type: String
    Default: "eks-saas-gitops"

Resources:
  EC2Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: eks-saas-gitops-admin
      Tags:
        - Key: Environment
          Value: !Sub ${EnvironmentName}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service:
                - ec2.amazonaws.com
            Action:
              - sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
      Path: "/"
"""

# What `cdk synth` writes for `new iam.Role(this, 'myrole-tsc', {assumedBy: new iam.ServicePrincipal('ec2'),
# managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')]})` (the shape of
# cdk.out/IamCdkStack.template.json in Bharathikanagaraj/CDK-typescript-iam, with the managed policy): no
# RoleName, so CloudFormation names the role STACK-LOGICALID-SUFFIX.
CDK = json.dumps(
    {
        "Resources": {
            "myroletscE570167D": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Action": "sts:AssumeRole",
                                "Effect": "Allow",
                                "Principal": {"Service": "ec2.amazonaws.com"},
                            }
                        ],
                        "Version": "2012-10-17",
                    },
                    "ManagedPolicyArns": [
                        {
                            "Fn::Join": [
                                "",
                                ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AdministratorAccess"],
                            ]
                        }
                    ],
                },
                "Metadata": {"aws:cdk:path": "IamCdkStack/myrole-tsc/Resource"},
            }
        }
    },
    indent=1,
)
NOT_SUPPORTED = (
    "edit it with format cloudformation (a CloudFormation template's AWS::IAM::Role with a literal RoleName, "
    "or without RoleName when its logical id is the one in the name the stack generated for it, "
    "STACK-LOGICALID-RANDOM; "
    "a CDK app's synthesised cdk.out is written anew by every cdk synth, so change that role in the CDK code)"
)


@pytest.mark.parametrize(
    ("fmt", "first"),
    [
        ("terraform", "no Terraform file (*.tf) under the path; looked at 1 file(s)"),
        (
            "ack",
            "no ACK Role (iam.services.k8s.aws) with spec.name = 'eks-saas-gitops-admin' in 1 YAML file(s)",
        ),
        ("json", "no policy file for role 'eks-saas-gitops-admin' under 'helpers'"),
    ],
)
def test_a_role_in_a_template_is_refused_naming_it(fmt: str, first: str) -> None:
    request = EditRequest("arn:aws:iam::123456789012:role/eks-saas-gitops-admin", (DOC,), (ADMIN,))
    with pytest.raises(GitOpsEditError) as err:
        edit_files(fmt, {"helpers/vs-code-ec2.yaml": TEMPLATE}, request, "helpers")
    assert str(err.value).startswith(first)
    assert str(err.value).endswith(
        "; helpers/vs-code-ec2.yaml defines an AWS::IAM::Role with RoleName 'eks-saas-gitops-admin'; "
        + NOT_SUPPORTED
    )


def test_a_cdk_template_named_by_path_is_refused_as_cloudformation() -> None:
    request = EditRequest(
        "arn:aws:iam::123456789012:role/IamCdkStack-myroletscE570167D-1ABCDEF", (DOC,), (ADMIN,)
    )
    path = "cdk.out/IamCdkStack.template.json"
    with pytest.raises(GitOpsEditError) as err:
        edit_files("json", {path: CDK, "cdk.out/manifest.json": '{"version": "36.0.0"}'}, request, path)
    assert str(err.value) == (
        f"{path} is not a JSON policy document (no Statement); CloudFormation template(s) under the path: "
        f"{path} (1 AWS::IAM::Role without a literal RoleName); " + NOT_SUPPORTED
    )


def test_templates_without_a_role_and_other_yaml_are_not_named() -> None:
    """A Kubernetes manifest is not a template; a template with no role adds nothing to the message."""
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  Type: AWS::IAM::Role\n"
    bucket = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
    found = cloudformation.templates({"a.yaml": manifest, "b.yaml": bucket, "c.tf": TEMPLATE})
    assert [(t.path, t.roles) for t in found] == [("b.yaml", 0)]
    assert [t.path for t in cloudformation.templates({"t.json": CDK, "t.yaml": TEMPLATE})] == [
        "t.json",
        "t.yaml",
    ]


# A Terraform role that attaches no broad policy: the run fails for a reason of its own.
ROLE_TF = """\
resource "aws_iam_role" "app" {
  name               = "payments-api"
  assume_role_policy = "{}"
}
"""
PAYMENTS = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (ADMIN,))
NOT_ATTACHED = (
    "replaceManagedPolicies: arn:aws:iam::aws:policy/AdministratorAccess not found attached to role "
    "'payments-api' in infra/main.tf (resource aws_iam_role.app) (seen: no attachment at all)"
)


def test_a_template_whose_role_is_another_is_not_named_when_the_run_fails() -> None:
    """The workshop template's role is eks-saas-gitops-admin: a failure about payments-api has nothing to
    do with it, and the note sent the user to a template that cannot hold the role."""
    files = {"infra/main.tf": ROLE_TF, "infra/bootstrap/vs-code-ec2.yaml": TEMPLATE}
    with pytest.raises(GitOpsEditError) as err:
        edit_files("terraform", files, PAYMENTS, "infra")
    assert str(err.value).startswith(NOT_ATTACHED)
    assert "CloudFormation" not in str(err.value)


def test_only_the_templates_that_may_define_the_role_are_named_and_the_note_is_said_once() -> None:
    """A role with no RoleName (the CDK template) or a RoleName CloudFormation computes (!Sub of a
    parameter, as the workshop template's Tags use) may be the one asked for; the workshop's role is not."""
    sub = TEMPLATE.replace("RoleName: eks-saas-gitops-admin", "RoleName: !Sub ${EnvironmentName}-role")
    files = {
        "infra/main.tf": ROLE_TF,
        "infra/bootstrap/vs-code-ec2.yaml": TEMPLATE,
        "infra/cdk.out/IamCdkStack.template.json": CDK,
        "infra/env/role.yaml": sub,
    }
    with pytest.raises(GitOpsEditError) as err:
        edit_files("terraform", files, PAYMENTS, "infra")
    assert str(err.value).endswith(
        "; CloudFormation template(s) under the path: infra/cdk.out/IamCdkStack.template.json "
        "(1 AWS::IAM::Role without a literal RoleName), infra/env/role.yaml (1 AWS::IAM::Role without a "
        "literal RoleName); " + NOT_SUPPORTED
    )
    assert str(err.value).count("CloudFormation") == 2  # the list and the note, once each
    assert "vs-code-ec2" not in str(err.value)


def test_a_template_that_names_the_role_is_named_alone() -> None:
    named = TEMPLATE.replace("eks-saas-gitops-admin", "payments-api")
    files = {"infra/main.tf": ROLE_TF, "infra/cdk.out/IamCdkStack.template.json": CDK, "infra/t.yaml": named}
    with pytest.raises(GitOpsEditError) as err:
        edit_files("terraform", files, PAYMENTS, "infra")
    assert str(err.value).endswith(
        "; infra/t.yaml defines an AWS::IAM::Role with RoleName 'payments-api'; " + NOT_SUPPORTED
    )
