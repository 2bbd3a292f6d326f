"""Systems Manager documents and sessions, as AWS authorizes them.

- AWS's own documents are public and their ARN has no account: "The account ID shouldn't be specified in the
  Amazon Resource Name (ARN) for AWS owned public documents" (SSM User Guide, Automation identity-based
  policy examples); their names start with a prefix reserved for AWS ("aws, amazon, amzn, AWSEC2,
  AWSConfigRemediation, AWSSupport", SSM API Reference, CreateDocument). Before, ``AWS-RunShellScript`` was
  granted in the caller's account, an ARN the document does not have, and the command was refused.
- StartSession is authorized on the node its ``Target`` names; the table passes the id where an ARN belongs,
  so sessions were granted on the document alone (or on ``*``) and refused on the instance.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, granted

INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0"


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return granted("ssm.amazonaws.com", name, params)


@pytest.mark.parametrize(
    ("document", "arn"),
    [
        ("AWS-RunShellScript", "arn:aws:ssm:us-east-1::document/AWS-RunShellScript"),
        ("AWSSupport-TroubleshootSSH", "arn:aws:ssm:us-east-1::document/AWSSupport-TroubleshootSSH"),
        ("AmazonCloudWatch-ManageAgent", "arn:aws:ssm:us-east-1::document/AmazonCloudWatch-ManageAgent"),
        ("deploy-orders", f"arn:aws:ssm:us-east-1:{ACCOUNT}:document/deploy-orders"),
        (
            f"arn:aws:ssm:us-east-1:{OTHER_ACCOUNT}:document/shared-runbook",
            f"arn:aws:ssm:us-east-1:{OTHER_ACCOUNT}:document/shared-runbook",
        ),
    ],
)
def test_a_command_is_granted_on_its_document_and_instances(document: str, arn: str) -> None:
    granted = uses("SendCommand", {"instanceIds": ["i-0123456789abcdef0"], "documentName": document})
    assert ("ssm:SendCommand", arn) in granted
    assert ("ssm:SendCommand", INSTANCE) in granted


def test_reading_an_aws_document_names_it_without_an_account() -> None:
    assert uses("GetDocument", {"name": "AWS-RunPatchBaseline"}) == {
        ("ssm:GetDocument", "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline")
    }


def test_a_session_is_granted_on_its_node_and_document() -> None:
    granted = uses("StartSession", {"target": "i-0123456789abcdef0", "documentName": "AWS-StartSSHSession"})
    assert ("ssm:StartSession", INSTANCE) in granted
    assert ("ssm:StartSession", "arn:aws:ssm:us-east-1::document/AWS-StartSSHSession") in granted


def test_a_session_without_a_document_is_granted_on_its_node() -> None:
    granted = uses("StartSession", {"target": "mi-0123456789abcdef0"})
    assert (
        "ssm:StartSession",
        f"arn:aws:ssm:us-east-1:{ACCOUNT}:managed-instance/mi-0123456789abcdef0",
    ) in granted
    assert all(resource != "*" and ":document/" not in resource for _, resource in granted)


EKS_AMI = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id"
AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


@pytest.mark.parametrize(
    ("name", "params", "arns"),
    [
        # Karpenter and the EKS AMI lookups read AWS's public parameters, which belong to no account
        # ("ARN": "arn:aws:ssm:us-east-2::parameter/aws/service/ami-amazon-linux-latest/...", SSM User Guide)
        ("GetParameter", {"name": EKS_AMI}, {f"arn:aws:ssm:us-east-1::parameter{EKS_AMI}"}),
        (
            "GetParameters",
            {
                "names": [
                    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                    "/orders/db-url",
                ]
            },
            {
                f"arn:aws:ssm:us-east-1::parameter{AL2023}",
                f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/orders/db-url",
            },
        ),
        (
            "GetParametersByPath",
            {"path": "/aws/service/global-infrastructure/regions", "recursive": False},
            {"arn:aws:ssm:us-east-1::parameter/aws/service/global-infrastructure/regions"},
        ),
        (
            "GetParametersByPath",
            {"path": "/orders/"},
            {
                f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/orders/",
                f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/orders",
            },
        ),
        # the path itself, not every name that starts with it (parameter/orders* also matched
        # /orders-archive's parameters): AWS refuses the call naming parameter/PATH as the resource
        (
            "GetParametersByPath",
            {"path": "/orders", "recursive": True},
            {f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/orders"},
        ),
    ],
)
def test_public_parameters_have_no_account(name: str, params: dict[str, Any], arns: set[str]) -> None:
    assert uses(name, params) == {(f"ssm:{name}", arn) for arn in arns}
