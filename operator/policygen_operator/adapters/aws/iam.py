"""What IAM says a role is granted: its attached managed policies, inline policies and permissions boundary.

Five read-only calls per role (``ListAttachedRolePolicies``, ``GetPolicy``, ``GetPolicyVersion``,
``ListRolePolicies``, ``GetRolePolicy``) plus ``GetRole`` for the boundary. A managed policy's default version
is read once per process run (``documents`` cache), since a fleet of roles attaches the same few AWS managed
policies over and over. botocore already URL-decodes and parses the policy documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from policygen_operator.adapters.aws.errors import AwsError, classify, error_code
from policygen_operator.domain.iam.granted import BOUNDARY, INLINE, MANAGED, PolicySource


@dataclass
class RolePolicies:
    role_arn: str
    policies: list[PolicySource] = field(default_factory=list)  # managed, then inline
    boundary: PolicySource | None = None
    missing: bool = False  # the role does not exist (deleted, or another account's)


class IamPolicies:
    """Reads roles' policies through one IAM client; managed policy documents are cached by ARN."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.documents: dict[str, PolicySource] = {}

    def role(self, role_arn: str) -> RolePolicies:
        name = role_arn.rsplit("/", 1)[-1]
        out = RolePolicies(role_arn)
        try:
            role = self.client.get_role(RoleName=name)["Role"]
        except ClientError as error:
            if error_code(error) == "NoSuchEntity":
                out.missing = True
                return out
            raise classify(error, f"reading role {name}") from error
        except BotoCoreError as error:
            raise classify(error, f"reading role {name}") from error
        try:
            for page in self.client.get_paginator("list_attached_role_policies").paginate(RoleName=name):
                for attached in page["AttachedPolicies"]:
                    out.policies.append(self.managed(attached["PolicyArn"], MANAGED))
            for page in self.client.get_paginator("list_role_policies").paginate(RoleName=name):
                for policy_name in page["PolicyNames"]:
                    got = self.client.get_role_policy(RoleName=name, PolicyName=policy_name)
                    out.policies.append(PolicySource(INLINE, policy_name, got["PolicyDocument"]))
            boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            if boundary:
                out.boundary = self.managed(boundary, BOUNDARY)
        except (ClientError, BotoCoreError) as error:
            raise classify(error, f"reading the policies of role {name}") from error
        return out

    def managed(self, arn: str, kind: str) -> PolicySource:
        cached = self.documents.get(arn)
        if cached is None:
            policy = self.client.get_policy(PolicyArn=arn)["Policy"]
            version = self.client.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
            cached = self.documents[arn] = PolicySource(
                MANAGED, policy["PolicyName"], version["PolicyVersion"]["Document"], arn
            )
        return cached if kind == MANAGED else PolicySource(kind, cached.name, cached.document, arn)


__all__ = ["AwsError", "IamPolicies", "RolePolicies"]
