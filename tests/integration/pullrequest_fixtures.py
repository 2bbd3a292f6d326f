"""Repository fixtures with PowerUserAccess attached to role payments-api, one per format."""

from __future__ import annotations

import copy
from typing import Any

POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
PRINCIPAL = "arn:aws:iam::123456789012:role/payments-api"

POLICY_V1: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DynamodbRead",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/payments",
        },
        {
            "Sid": "S3Read",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": "arn:aws:s3:::payments-in/*",
        },
    ],
}


def policy_v2() -> dict[str, Any]:
    """V1 plus one action: what a later run finds after the service started writing to S3."""
    policy = copy.deepcopy(POLICY_V1)
    policy["Statement"][1]["Action"].append("s3:PutObject")
    return policy


README = "# infrastructure\n"

ACK_ROLE = """\
# Roles of the payments team, reconciled by ACK.
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
  namespace: payments
spec:
  name: payments-api
  description: "Role of the payments API"  # shown in the console
  assumeRolePolicyDocument: |
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
  policies:
    - arn:aws:iam::aws:policy/PowerUserAccess  # broad, until we know better
    - arn:aws:iam::aws:policy/CloudWatchLogsFullAccess
  tags:
    - key: team
      value: payments
---
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: batch
  namespace: payments
spec:
  name: payments-batch
  policies: ['arn:aws:iam::aws:policy/PowerUserAccess']
"""

CROSSPLANE_ROLE = """\
apiVersion: iam.aws.crossplane.io/v1beta1
kind: Role
metadata:
  name: payments-api
spec:
  forProvider:
    assumeRolePolicyDocument: |
      {"Version": "2012-10-17", "Statement": []}
  providerConfigRef:
    name: aws
"""

CROSSPLANE_ATTACHMENTS = """\
# Attachments of payments-api
apiVersion: iam.aws.crossplane.io/v1beta1
kind: RolePolicyAttachment
metadata:
  name: payments-api-poweruser
spec:
  forProvider:
    policyArn: arn:aws:iam::aws:policy/PowerUserAccess
    roleNameRef:
      name: payments-api
  providerConfigRef:
    name: aws
---
apiVersion: iam.aws.crossplane.io/v1beta1
kind: RolePolicyAttachment
metadata:
  name: payments-api-logs
spec:
  forProvider:
    policyArn: arn:aws:iam::aws:policy/CloudWatchLogsFullAccess
    roleNameRef:
      name: payments-api
  providerConfigRef:
    name: aws
"""

TERRAFORM_MAIN = """\
# Roles of the payments team
resource "aws_iam_role" "payments_api" {
  name               = "payments-api" # must match the service account annotation
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags = {
    team = "payments"
  }
}

resource "aws_iam_role_policy_attachment" "payments_api_poweruser" {
  role       = aws_iam_role.payments_api.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_role_policy_attachment" "payments_api_logs" {
  role       = aws_iam_role.payments_api.name
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"
}
"""

TERRAFORM_DATA = """\
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"]
    }
  }
}
"""

JSON_POLICY = """\
{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "NotAction": [
                "iam:*",
                "organizations:*",
                "account:*"
            ],
            "Resource": "*"
        }
    ]
}
"""

REPOSITORIES: dict[str, tuple[str, dict[str, str]]] = {
    # format -> (path in the repository, files)
    "ack": ("iam/payments", {"README.md": README, "iam/payments/roles.yaml": ACK_ROLE}),
    "crossplane": (
        "iam/payments",
        {
            "README.md": README,
            "iam/payments/role.yaml": CROSSPLANE_ROLE,
            "iam/payments/attachments.yaml": CROSSPLANE_ATTACHMENTS,
        },
    ),
    "terraform": (
        "terraform/payments",
        {
            "README.md": README,
            "terraform/payments/main.tf": TERRAFORM_MAIN,
            "terraform/payments/data.tf": TERRAFORM_DATA,
        },
    ),
    "json": (
        "policies/payments-api.json",
        {"README.md": README, "policies/payments-api.json": JSON_POLICY, "policies/other.json": JSON_POLICY},
    ),
}

UPBOUND_ROLE = """\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  name: payments-api
spec:
  forProvider:
    assumeRolePolicy: |
      {"Version": "2012-10-17", "Statement": []}
  providerConfigRef:
    name: default
---
# PowerUserAccess until the generated policy is reviewed
apiVersion: iam.aws.upbound.io/v1beta1
kind: RolePolicyAttachment
metadata:
  name: payments-api-poweruser
spec:
  forProvider:
    policyArn: arn:aws:iam::aws:policy/PowerUserAccess
    roleRef:
      name: payments-api
  providerConfigRef:
    name: default
"""
