"""EKS access entries are named by their principal.

The reference's ``access-entry`` type is ``arn:${Partition}:eks:${Region}:${Account}:access-entry/
${ClusterName}/${IamIdentityType}/${IamIdentityAccountID}/${IamIdentityName}/${UUID}``, the EKS User Guide's
policies naming one ``access-entry/*/role/*/EKSNodeOperatorMockSLR/*`` (the Auto Mode CloudFormation
templates). The calls on an entry take ``clusterName`` and ``principalArn`` ("aws eks delete-access-entry
--cluster-name my-cluster --principal-arn arn:aws:iam::111122223333:role/my-role", EKS User Guide, "Grant IAM
users access to Kubernetes with EKS access entries"), here by the SDK member's name; CloudTrail logs the
cluster under its path label ``name``, read the same (test_eks_uri_labels.py). Each was granted every entry of
the cluster, ``access-entry/CLUSTER/*/*/*/*``, with a finding.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record, granted

ENTRIES = f"arn:aws:eks:us-east-1:{ACCOUNT}:access-entry/my-cluster"


@pytest.mark.parametrize(
    "name",
    [
        "DescribeAccessEntry",
        "UpdateAccessEntry",
        "DeleteAccessEntry",
        "AssociateAccessPolicy",
        "DisassociateAccessPolicy",
        "ListAssociatedAccessPolicies",
    ],
)
def test_an_entry_is_granted_by_its_role(name: str) -> None:
    params = {"clusterName": "my-cluster", "principalArn": f"arn:aws:iam::{ACCOUNT}:role/my-role"}
    assert granted("eks.amazonaws.com", name, params) == {
        (f"eks:{name}", f"{ENTRIES}/role/{ACCOUNT}/my-role/*")
    }


def test_an_entry_of_a_user_of_another_account_names_that_account() -> None:
    params = {
        "clusterName": "my-cluster",
        "principalArn": f"arn:aws:iam::{OTHER_ACCOUNT}:user/my-user",
        "kubernetesGroups": ["Viewers"],
    }
    assert granted("eks.amazonaws.com", "UpdateAccessEntry", params) == {
        ("eks:UpdateAccessEntry", f"{ENTRIES}/user/{OTHER_ACCOUNT}/my-user/*")
    }


def test_a_principal_with_a_path_is_granted_its_entry_with_and_without_the_path_and_says_so() -> None:
    """ "If the ARN is for an IAM role, it can include a path" (EKS User Guide, "Create access entries");
    whether the entry's ARN holds it is not documented, so each reading's one entry, not every entry of the
    cluster (before: ``access-entry/my-cluster/*/*/*/*``, said). One of the two names no entry: an info
    finding says so, and how to tell which (the entry's ``accessEntryArn``). An IAM Identity Center role's
    path."""
    path = "aws-reserved/sso.amazonaws.com"
    name = "AWSReservedSSO_Admin_1f9ff11932198c00"
    record = cloudtrail_record(
        "eks.amazonaws.com",
        "DeleteAccessEntry",
        {"clusterName": "my-cluster", "principalArn": f"arn:aws:iam::{ACCOUNT}:role/{path}/{name}"},
    )
    event = EventMapper().map(record)
    assert set(event.uses) == {
        ("eks:DeleteAccessEntry", f"{ENTRIES}/role/{ACCOUNT}/{name}/*"),
        ("eks:DeleteAccessEntry", f"{ENTRIES}/role/{ACCOUNT}/{path}/{name}/*"),
    }
    [(severity, code, message)] = event.notes
    assert (severity, code) == ("info", "resource-two-readings")
    assert f"{ENTRIES}/role/{ACCOUNT}/{name}/*" in message
    assert f"{ENTRIES}/role/{ACCOUNT}/{path}/{name}/*" in message
    assert "accessEntryArn" in message


@pytest.mark.parametrize(
    "principal", [f"arn:aws:iam::{ACCOUNT}:role/my-role", f"arn:aws:iam::{ACCOUNT}:user/my-user"]
)
def test_a_principal_without_a_path_has_one_reading_and_no_finding(principal: str) -> None:
    record = cloudtrail_record(
        "eks.amazonaws.com", "DescribeAccessEntry", {"clusterName": "my-cluster", "principalArn": principal}
    )
    event = EventMapper().map(record)
    assert len(event.uses) == 1
    assert event.notes == ()


def test_the_two_readings_finding_is_left_out_of_the_action_level() -> None:
    """Without resources (``--no-resource-level``) there is no ARN to choose between."""
    principal = (
        f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1f9ff1193219"
    )
    record = cloudtrail_record(
        "eks.amazonaws.com", "DescribeAccessEntry", {"clusterName": "my-cluster", "principalArn": principal}
    )
    event = EventMapper(resource_level=False).map(record)
    assert event.uses == (("eks:DescribeAccessEntry", "*"),)
    assert event.notes == ()


def test_a_principal_that_is_no_iam_role_or_user_keeps_every_entry_of_the_cluster_and_says_so() -> None:
    """An assumed-role session is no principal an entry is created for ("The principalArn parameter format
    is not valid", aws-samples/appmod-blueprints#319): nothing to read, as before."""
    principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/alice"
    record = cloudtrail_record(
        "eks.amazonaws.com", "DescribeAccessEntry", {"clusterName": "my-cluster", "principalArn": principal}
    )
    event = EventMapper().map(record)
    assert event.uses == (("eks:DescribeAccessEntry", f"{ENTRIES}/*/*/*/*"),)
    assert [n[1] for n in event.notes] == ["resource-undetermined"]
