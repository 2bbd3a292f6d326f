"""Rightsizing's AWS adapters: IAM granted policies on moto's server (AWS managed policy documents included),
and EKS Pod Identity discovery against botocore's own EKS service model (moto has no Pod Identity API)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from policygen_operator.adapters.aws.eks import pod_identity_bindings
from policygen_operator.adapters.aws.errors import AwsError
from policygen_operator.adapters.aws.iam import IamPolicies
from policygen_operator.domain.iam.granted import BOUNDARY, INLINE, MANAGED, expand_policies, within_boundary
from policygen_operator.domain.iam.reference import load_reference
from policygen_operator.domain.rightsizing import (
    POD_IDENTITY,
    POD_IDENTITY_CHAIN,
    POD_IDENTITY_TARGET,
    POD_IDENTITY_UNTAGGED,
    Binding,
    group_roles,
)
from tests.controlplane.cluster import free_port
from tests.fixtures.aws import MOTO_CREDENTIALS, managed_policies_iam
from tests.fixtures.eks import PodIdentityEndpoint

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
READ_ONLY_S3 = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


@pytest.fixture(scope="module")
def iam(moto_server: str) -> Iterator[Any]:
    """IAM of a fresh account with the AWS managed policies loaded."""
    with pytest.MonkeyPatch.context() as patch:
        yield managed_policies_iam(moto_server, patch)


def test_managed_inline_and_boundary_of_a_role(iam: Any) -> None:
    iam.create_role(RoleName="orders", Path="/service-role/", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="orders", PolicyArn=READ_ONLY_S3)
    own = iam.create_policy(
        PolicyName="queue",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:Send*", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    iam.create_policy_version(
        PolicyArn=own,
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
            }
        ),
        SetAsDefault=True,
    )
    iam.attach_role_policy(RoleName="orders", PolicyArn=own)
    iam.put_role_policy(
        RoleName="orders",
        PolicyName="no-delete",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}],
            }
        ),
    )
    boundary = iam.create_policy(
        PolicyName="boundary",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName="orders", PermissionsBoundary=boundary)

    reader = IamPolicies(iam)
    found = reader.role("arn:aws:iam::210987654321:role/service-role/orders")
    assert [(p.kind, p.name) for p in found.policies] == [
        (MANAGED, "AmazonS3ReadOnlyAccess"),
        (MANAGED, "queue"),
        (INLINE, "no-delete"),
    ]
    assert found.policies[1].document["Statement"][0]["Action"] == "sqs:SendMessage"  # the default version
    assert found.boundary is not None and found.boundary.kind == BOUNDARY and found.boundary.arn == boundary

    grant = expand_policies(found.policies, load_reference())
    assert "s3:ListBucket" in grant.actions and "sqs:SendMessage" in grant.actions
    assert "s3:GetObject" not in grant.actions and "s3:GetObject" in grant.denied
    assert "sqs:SendMessageBatch" not in grant.actions  # the old version's wildcard is gone
    cut, applied = within_boundary(grant, expand_policies([found.boundary], load_reference()))
    assert applied and "sqs:SendMessage" not in cut.actions and "s3:ListBucket" in cut.actions

    again = reader.role("arn:aws:iam::210987654321:role/service-role/orders")
    assert again.policies[0] is found.policies[0]  # managed documents are read once


def test_missing_role_is_reported_not_raised(iam: Any) -> None:
    assert IamPolicies(iam).role("arn:aws:iam::210987654321:role/gone").missing


def test_unreachable_iam_is_temporary() -> None:
    client = boto3.client(
        "iam",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2),
        **MOTO_CREDENTIALS,
    )
    with pytest.raises(AwsError, match="reading role x") as caught:
        IamPolicies(client).role("arn:aws:iam::210987654321:role/x")
    assert not caught.value.permanent


def eks() -> Any:
    return boto3.client("eks", region_name="us-east-1", **MOTO_CREDENTIALS)


def association(namespace: str, account: str, number: int) -> dict[str, Any]:
    return {
        "clusterName": "prod",
        "namespace": namespace,
        "serviceAccount": account,
        "associationArn": f"arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-{number}",
        "associationId": f"a-{number}",
        "ownerArn": "",
    }


def test_pod_identity_lists_then_describes_each_association() -> None:
    client = eks()
    stub = Stubber(client)  # validates each request and response against botocore's EKS model
    stub.add_response(
        "list_pod_identity_associations",
        {
            "associations": [association("team-a", "api", 1), association("team-b", "job", 2)],
            "nextToken": "t",
        },
        {"clusterName": "prod"},
    )
    stub.add_response(
        "describe_pod_identity_association",
        {"association": {**association("team-a", "api", 1), "roleArn": "arn:aws:iam::111122223333:role/api"}},
        {"clusterName": "prod", "associationId": "a-1"},
    )
    stub.add_response(
        "describe_pod_identity_association",
        {"association": {**association("team-b", "job", 2), "roleArn": "arn:aws:iam::111122223333:role/job"}},
        {"clusterName": "prod", "associationId": "a-2"},
    )
    stub.add_response(
        "list_pod_identity_associations",
        {"associations": [association("team-c", "skipped", 3)]},
        {"clusterName": "prod", "nextToken": "t"},
    )
    with stub:
        found = pod_identity_bindings(client, "prod", namespaces={"team-a", "team-b"})
    stub.assert_no_pending_responses()
    assert found == [
        Binding("arn:aws:iam::111122223333:role/api", POD_IDENTITY, "team-a", "api"),
        Binding("arn:aws:iam::111122223333:role/job", POD_IDENTITY, "team-b", "job"),
    ]


def test_pod_identity_without_session_tags_or_with_a_target_role_is_kept_per_role() -> None:
    """An association with ``disableSessionTags`` gives sessions without the pod's ServiceAccount, one with a
    ``targetRoleArn`` gives the pods the target's credentials (botocore's EKS model, PodIdentityAssociation):
    neither role's usage can be split per ServiceAccount, and with a target both roles are in scope, the
    target the one the pods' calls are made as."""
    client = eks()
    stub = Stubber(client)
    stub.add_response(
        "list_pod_identity_associations",
        {"associations": [association("team-a", n, i) for i, n in enumerate(("api", "job", "etl"), 1)]},
        {"clusterName": "prod"},
    )
    described = [
        {"roleArn": "arn:aws:iam::111122223333:role/api"},
        {"roleArn": "arn:aws:iam::111122223333:role/job", "disableSessionTags": True},
        {
            "roleArn": "arn:aws:iam::111122223333:role/etl-hop",
            "targetRoleArn": "arn:aws:iam::444455556666:role/etl",
            "disableSessionTags": False,
        },
    ]
    for number, (account, extra) in enumerate(zip(("api", "job", "etl"), described, strict=True), 1):
        stub.add_response(
            "describe_pod_identity_association",
            {"association": {**association("team-a", account, number), **extra}},
            {"clusterName": "prod", "associationId": f"a-{number}"},
        )
    with stub:
        found = pod_identity_bindings(client, "prod")
    stub.assert_no_pending_responses()
    assert found == [
        Binding("arn:aws:iam::111122223333:role/api", POD_IDENTITY, "team-a", "api"),
        Binding("arn:aws:iam::111122223333:role/job", POD_IDENTITY_UNTAGGED, "team-a", "job"),
        Binding("arn:aws:iam::444455556666:role/etl", POD_IDENTITY_TARGET, "team-a", "etl"),
        Binding("arn:aws:iam::111122223333:role/etl-hop", POD_IDENTITY_CHAIN, "team-a", "etl"),
    ]
    roles = {role.arn.rsplit("/", 1)[1]: role.attribution for role in group_roles(found)}
    assert roles == {"api": "service-account", "job": "role", "etl": "role", "etl-hop": "role"}


def test_pod_identity_missing_cluster_is_permanent() -> None:
    client = eks()
    stub = Stubber(client)
    stub.add_client_error(
        "list_pod_identity_associations", "ResourceNotFoundException", "No cluster found for name: prod.", 404
    )
    with stub, pytest.raises(AwsError, match="ResourceNotFoundException") as caught:
        pod_identity_bindings(client, "prod")
    assert caught.value.permanent


def test_pod_identity_through_a_local_endpoint(pod_identity_endpoint: PodIdentityEndpoint) -> None:
    """The same adapter over HTTP: botocore builds the REST requests from its model and parses the answers."""
    pod_identity_endpoint.add("prod", "team-a", "api", "arn:aws:iam::111122223333:role/api")
    pod_identity_endpoint.add("prod", "team-b", "job", "arn:aws:iam::111122223333:role/job")
    client = boto3.client(
        "eks", endpoint_url=pod_identity_endpoint.url, region_name="us-east-1", **MOTO_CREDENTIALS
    )
    found = pod_identity_bindings(client, "prod")
    assert [b.ref for b in found] == ["team-a/api", "team-b/job"]
    assert pod_identity_endpoint.requests == [
        "/clusters/prod/pod-identity-associations",
        "/clusters/prod/pod-identity-associations/a-1",
        "/clusters/prod/pod-identity-associations/a-2",
    ]
    with pytest.raises(AwsError, match="ResourceNotFoundException") as caught:
        pod_identity_bindings(client, "staging")
    assert caught.value.permanent
