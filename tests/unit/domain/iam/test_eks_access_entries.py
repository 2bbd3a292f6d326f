"""EKS access entries are named by their principal.

The reference's ``access-entry`` type is ``arn:${Partition}:eks:${Region}:${Account}:access-entry/
${ClusterName}/${IamIdentityType}/${IamIdentityAccountID}/${IamIdentityName}/${UUID}``, the EKS User Guide's
policies naming one ``access-entry/*/role/*/EKSNodeOperatorMockSLR/*`` (the Auto Mode CloudFormation
templates). The calls on an entry take ``clusterName`` and ``principalArn`` ("aws eks delete-access-entry
--cluster-name my-cluster --principal-arn arn:aws:iam::111122223333:role/my-role", EKS User Guide, "Grant IAM
users access to Kubernetes with EKS access entries"), in CloudTrail's lowerCamelCase. Each was granted every
entry of the cluster, ``access-entry/CLUSTER/*/*/*/*``, with a finding.
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


def test_a_principal_with_a_path_keeps_every_entry_of_the_cluster_and_says_so() -> None:
    """Whether the entry's ARN holds the role's path is not documented: left as before, said."""
    role = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1f9ff11932198c00"
    record = cloudtrail_record(
        "eks.amazonaws.com", "DeleteAccessEntry", {"clusterName": "my-cluster", "principalArn": role}
    )
    event = EventMapper().map(record)
    assert event.uses == (("eks:DeleteAccessEntry", f"{ENTRIES}/*/*/*/*"),)
    assert [n[1] for n in event.notes] == ["resource-undetermined"]
