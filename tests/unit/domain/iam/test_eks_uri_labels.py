"""EKS calls inside a cluster are granted in the cluster their record names ``name``.

Every such call takes the cluster in its path, ``/clusters/{name}/node-groups/{nodegroupName}`` (botocore
eks 2017-11-01: the ``clusterName`` member is ``"location": "uri", "locationName": "name"``), and CloudTrail
logs a path parameter under its label: Stratus Red Team documents the CloudTrail events of its technique
eks.lateral-movement.create-access-entry (DataDog/stratus-red-team) as CreateAccessEntry
``"requestParameters": {"name": "eks-cluster", "principalArn": "arn:aws:iam::012345678901:role/..."}`` and
AssociateAccessPolicy
``{"policyArn": ..., "accessScope": {"type": "cluster"}, "name": "eks-cluster", "principalArn":
"arn%3Aaws%3Aiam%3A%3A012345678901%3Arole%2F..."}``, the principal URL-encoded as it was in the path. The
SDK table reads ``ClusterName``: a node group was granted ``nodegroup/*/NG/*`` with a finding, the creates
``*``. Examples written by hand use ``clusterName`` (the EKS User Guide's CreateCluster example logs
``"clusterName": "test"``), so both spellings are read, and give the same grant.
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

EKS = f"arn:aws:eks:us-east-1:{ACCOUNT}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy"


def _mapped(name: str, params: dict[str, Any]) -> tuple[set[tuple[str, str]], tuple[Any, ...]]:
    event = EventMapper().map(cloudtrail_record("eks.amazonaws.com", name, params))
    return set(event.uses), event.notes


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("DescribeNodegroup", {"nodegroupName": "workers"}, f"{EKS}:nodegroup/orders/workers/*"),
        (
            "UpdateNodegroupConfig",
            {"nodegroupName": "workers", "scalingConfig": {"minSize": 2, "maxSize": 6, "desiredSize": 3}},
            f"{EKS}:nodegroup/orders/workers/*",
        ),
        ("DeleteNodegroup", {"nodegroupName": "workers"}, f"{EKS}:nodegroup/orders/workers/*"),
        ("DescribeAddon", {"addonName": "vpc-cni"}, f"{EKS}:addon/orders/vpc-cni/*"),
        ("DescribeFargateProfile", {"fargateProfileName": "batch"}, f"{EKS}:fargateprofile/orders/batch/*"),
        ("ListNodegroups", {"maxResults": 100}, f"{EKS}:cluster/orders"),
        ("CreateAccessEntry", {"principalArn": ROLE}, f"{EKS}:cluster/orders"),
        (
            "AssociateAccessPolicy",
            {
                "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                "accessScope": {"type": "cluster"},
                "principalArn": f"arn%3Aaws%3Aiam%3A%3A{ACCOUNT}%3Arole%2Fdeploy",
            },
            f"{EKS}:access-entry/orders/role/{ACCOUNT}/deploy/*",
        ),
    ],
)
def test_the_cluster_is_read_from_the_uri_label(name: str, params: dict[str, Any], expected: str) -> None:
    by_label, notes = _mapped(name, {"name": "orders", **params})
    assert (f"eks:{name}", expected) in by_label
    assert notes == ()
    by_member, _ = _mapped(name, {"clusterName": "orders", **params})
    assert by_label == by_member


def test_two_clusters_are_two_grants() -> None:
    """The label is in the memo key: node groups of one name in two clusters are not one grant."""
    mapper = EventMapper()
    first = mapper.map(
        cloudtrail_record("eks.amazonaws.com", "DescribeNodegroup", {"name": "a", "nodegroupName": "w"})
    )
    second = mapper.map(
        cloudtrail_record("eks.amazonaws.com", "DescribeNodegroup", {"name": "b", "nodegroupName": "w"})
    )
    assert first.uses == (("eks:DescribeNodegroup", f"{EKS}:nodegroup/a/w/*"),)
    assert second.uses == (("eks:DescribeNodegroup", f"{EKS}:nodegroup/b/w/*"),)


def test_the_member_wins_over_the_label() -> None:
    uses, _ = _mapped("DescribeNodegroup", {"clusterName": "orders", "name": "other", "nodegroupName": "w"})
    assert uses == {("eks:DescribeNodegroup", f"{EKS}:nodegroup/orders/w/*")}


def _label_calls() -> list[tuple[str, dict[str, str]]]:
    """botocore's EKS operations whose cluster is the URI label ``name``, with a value for each of their
    other path parameters."""
    model = botocore.session.get_session().get_service_model("eks")
    calls: list[tuple[str, dict[str, str]]] = []
    for operation in model.operation_names:
        shape = model.operation_model(operation).input_shape
        members = shape.members if shape is not None else {}
        cluster = members.get("clusterName")
        if cluster is None or cluster.serialization.get("location") != "uri":
            continue
        assert cluster.serialization.get("name") == "name", operation
        others = {
            member.serialization.get("name", key): f"{key.lower()}-1"
            for key, member in members.items()
            if key != "clusterName" and member.serialization.get("location") == "uri"
        }
        calls.append((operation, others))
    return calls


def test_every_call_with_the_label_gets_the_same_grant_from_either_spelling() -> None:
    """Over botocore's model: every EKS operation whose ``clusterName`` is a path parameter has it under the
    label ``name`` (the rule's premise), and a record naming the cluster either way is granted the same."""
    calls = _label_calls()
    assert len(calls) > 40
    for operation, others in calls:
        by_label, _ = _mapped(operation, {"name": "orders", **others})
        by_member, _ = _mapped(operation, {"clusterName": "orders", **others})
        assert by_label == by_member, operation
