"""RDS Proxy's calls name a proxy, its endpoints and its target group by name; their ARNs hold ids.

The Service Authorization Reference's types are ``db-proxy:${DbProxyId}``, ``db-proxy-endpoint:
${DbProxyEndpointId}`` and ``target-group:${TargetGroupId}``; the API takes ``DBProxyName``,
``DBProxyEndpointName``, ``TargetGroupName`` (RDS API Reference), and a proxy's ARN is
``arn:aws:rds:us-east-1:123456789012:db-proxy:prx-0123a01b12345c0ab`` (DBProxyArn, the API Reference's
DescribeDBProxies example), whatever its name. iam-dataset's table writes ``*`` for each id, so every such
call was granted on ``*`` with a finding. A call on an existing proxy that returns it (ModifyDBProxy,
DeleteDBProxy: the DBProxy; Modify/DeleteDBProxyEndpoint: the DBProxyEndpoint; ModifyDBProxyTargetGroup:
the DBProxyTargetGroup) is granted on the ARN its response holds, logged in CloudTrail's lowerCamelCase
(``dBProxy``, as RDS logs ``dBInstanceIdentifier``); by name alone, every one of its kind in the account and
Region, with a finding that says why.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"
PROXY = f"{RDS}:db-proxy:prx-0a1b2c3d4e5f60718"
ENDPOINT = f"{RDS}:db-proxy-endpoint:prx-endpoint-0f1e2d3c4b5a69788"
TARGET_GROUP = f"{RDS}:target-group:prx-tg-0123456789abcdef0"


def mapped(name: str, params: dict[str, Any], response: dict[str, Any] | None = None) -> Any:
    record = cloudtrail_record("rds.amazonaws.com", name, params, response_elements=response)
    event = EventMapper().map(record)
    assert event.kind == "mapped", event
    return event


@pytest.mark.parametrize(
    ("name", "params", "response", "arn"),
    [
        (
            "DeleteDBProxy",
            {"dBProxyName": "orders-proxy"},
            {"dBProxy": {"dBProxyName": "orders-proxy", "dBProxyArn": PROXY, "status": "deleting"}},
            PROXY,
        ),
        (
            "ModifyDBProxy",
            {"dBProxyName": "orders-proxy", "idleClientTimeout": 900, "requireTLS": True},
            {"dBProxy": {"dBProxyName": "orders-proxy", "dBProxyArn": PROXY, "status": "modifying"}},
            PROXY,
        ),
        (
            "DeleteDBProxyEndpoint",
            {"dBProxyEndpointName": "orders-ro"},
            {"dBProxyEndpoint": {"dBProxyEndpointName": "orders-ro", "dBProxyEndpointArn": ENDPOINT}},
            ENDPOINT,
        ),
        (
            "ModifyDBProxyTargetGroup",
            {
                "dBProxyName": "orders-proxy",
                "targetGroupName": "default",
                "connectionPoolConfig": {"maxConnectionsPercent": 80},
            },
            {
                "dBProxyTargetGroup": {
                    "dBProxyName": "orders-proxy",
                    "targetGroupName": "default",
                    "targetGroupArn": TARGET_GROUP,
                }
            },
            TARGET_GROUP,
        ),
    ],
)
def test_a_call_on_an_existing_proxy_is_granted_on_the_arn_its_response_gives(
    name: str, params: dict[str, Any], response: dict[str, Any], arn: str
) -> None:
    event = mapped(name, params, response)
    assert (event.uses, event.notes) == (((f"rds:{name}", arn),), ())


def test_by_name_alone_every_proxy_of_the_account_and_region_is_granted_and_said() -> None:
    """No response: a failed call, or a Describe ("responseElements: The response element for actions that
    make changes ... If an action does not change state (for example, a request to get or list objects),
    this element is omitted", CloudTrail User Guide, CloudTrail record contents)."""
    event = mapped("DescribeDBProxyTargets", {"dBProxyName": "orders-proxy", "targetGroupName": "default"})
    assert set(event.uses) == {
        ("rds:DescribeDBProxyTargets", f"{RDS}:db-proxy:*"),
        ("rds:DescribeDBProxyTargets", f"{RDS}:target-group:*"),
    }
    [(_, kind, text)] = event.notes
    assert kind == "resource-undetermined"
    assert "an RDS proxy given by name, not by the id its ARN holds" in text
    assert "an RDS proxy target group given by name" in text


def test_registering_targets_names_the_db_instances_and_the_proxys_target_group() -> None:
    params = {
        "dBProxyName": "orders-proxy",
        "targetGroupName": "default",
        "dBInstanceIdentifiers": ["orders-db"],
    }
    event = mapped("RegisterDBProxyTargets", params)
    assert set(event.uses) == {
        ("rds:RegisterDBProxyTargets", f"{RDS}:db:orders-db"),
        ("rds:RegisterDBProxyTargets", f"{RDS}:target-group:*"),
    }


def test_deregistering_a_cluster_is_not_read_as_an_instance_of_its_name() -> None:
    """iam-dataset's entry read the DB instances from ``DBClusterIdentifiers``: ``db:orders-cluster``."""
    params = {"dBProxyName": "orders-proxy", "targetGroupName": "default", "dBClusterIdentifiers": ["orders"]}
    uses = set(mapped("DeregisterDBProxyTargets", params).uses)
    assert ("rds:DeregisterDBProxyTargets", f"{RDS}:cluster:orders") in uses
    assert ("rds:DeregisterDBProxyTargets", f"{RDS}:db:orders") not in uses


def test_an_endpoint_the_call_creates_is_not_said_as_given_by_name() -> None:
    """CreateDBProxyEndpoint creates the endpoint (its id is RDS's): ``db-proxy-endpoint:*``, its tags there;
    the proxy it is created on is given by name."""
    params = {
        "dBProxyName": "orders-proxy",
        "dBProxyEndpointName": "orders-ro",
        "vpcSubnetIds": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
        "targetRole": "READ_ONLY",
        "tags": [{"key": "team", "value": "orders"}],
    }
    event = mapped("CreateDBProxyEndpoint", params)
    assert set(event.uses) == {
        ("rds:CreateDBProxyEndpoint", f"{RDS}:db-proxy-endpoint:*"),
        ("rds:CreateDBProxyEndpoint", f"{RDS}:db-proxy:*"),
        ("rds:AddTagsToResource", f"{RDS}:db-proxy-endpoint:*"),
    }
    [(_, _, text)] = event.notes
    assert "db-proxy:*" in text and "db-proxy-endpoint:*" not in text


def test_listing_every_proxy_stays_on_star_without_a_finding() -> None:
    event = mapped("DescribeDBProxies", {"maxRecords": 100})
    assert (event.uses, event.notes) == ((("rds:DescribeDBProxies", "*"),), ())
