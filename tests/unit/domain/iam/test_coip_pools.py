"""EC2 GetCoipPoolUsage names its customer-owned IP pool PoolId; the calls that change a pool CoipPoolId.

The Service Authorization Reference requires ``coip-pool`` (``coip-pool/${Ipv4PoolCoipId}``) for
ec2:GetCoipPoolUsage, DeleteCoipPool, CreateCoipCidr and the pool permission calls; the EC2 API Reference
names the pool "PoolId: The ID of the address pool" in GetCoipPoolUsage and CoipPoolId in the others. The
AWS Load Balancer Controller's policy (aws-load-balancer-controller, docs/install/iam_policy.json) grants
ec2:GetCoipPoolUsage; a record of it was granted ``*`` with the resource-undetermined finding. Records are
EC2's newer shape, the request in one object named after the call (see ``test_ec2_networking``).
"""

from __future__ import annotations

import pytest

from tests.unit.domain.iam.records import ACCOUNT, granted

POOL = "ipv4pool-coip-0123456789abcdef0"
ARN = f"arn:aws:ec2:us-east-1:{ACCOUNT}:coip-pool/{POOL}"


def test_pool_usage_is_granted_on_the_pool_it_reads() -> None:
    params = {"GetCoipPoolUsageRequest": {"PoolId": POOL}}
    assert granted("ec2.amazonaws.com", "GetCoipPoolUsage", params) == {("ec2:GetCoipPoolUsage", ARN)}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("DeleteCoipPool", {"CoipPoolId": POOL}),
        ("CreateCoipCidr", {"Cidr": "10.0.0.0/24", "CoipPoolId": POOL}),
    ],
)
def test_the_calls_naming_it_coip_pool_id_are_unchanged(name: str, params: dict[str, str]) -> None:
    assert granted("ec2.amazonaws.com", name, {f"{name}Request": params}) == {(f"ec2:{name}", ARN)}
