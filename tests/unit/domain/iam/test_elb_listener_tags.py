"""A listener or rule created with tags is tagged on the listener or rule it makes, under its load balancer.

ELB's CreateListener is authorized on the load balancer and CreateRule on the listener (Service
Authorization Reference, "Actions defined by Elastic Load Balancing V2"); with tags, "additional
authorization is required on the elasticloadbalancing:AddTags action to verify if users have permissions to
apply tags to the resources being created" (ELB User Guide, "ELB API permissions to tag resources during
creation"). The AWS Load Balancer Controller creates both with tags and its published policy
(aws-load-balancer-controller, docs/install/iam_policy.json) grants AddTags for them on
``listener/app/*/*/*`` and ``listener-rule/app/*/*/*``, while AddTags on ``loadbalancer/app/*/*`` is allowed
only for CreateLoadBalancer and CreateTargetGroup (``elasticloadbalancing:CreateAction``) or untagged
requests. The tags were granted on the parent (the load balancer, the listener), which does not authorize
them; they are now on ``listener/KIND/NAME/ID/*`` and ``listener-rule/KIND/NAME/ID/LISTENER/*``, the kind
the parent's ARN gives.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, granted

ELB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}"
TARGET_GROUP = f"{ELB}:targetgroup/k8s-shop-web-3f1c2d9a0b/73e2d6bc24d8a067"
TAGS = [{"key": "elbv2.k8s.aws/cluster", "value": "prod"}]


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return granted("elasticloadbalancing.amazonaws.com", name, params)


@pytest.mark.parametrize("kind", ["app", "net", "gwy"])
def test_a_tagged_listener_is_tagged_on_the_listener_it_creates(kind: str) -> None:
    balancer = f"{ELB}:loadbalancer/{kind}/k8s-shop-web-5d2e7e9b1c/50dc6c495c0c9188"
    params = {
        "loadBalancerArn": balancer,
        "protocol": {"app": "HTTP", "net": "TCP", "gwy": "GENEVE"}[kind],
        "port": 80,
        "defaultActions": [{"type": "forward", "targetGroupArn": TARGET_GROUP}],
        "tags": TAGS,
    }
    assert uses("CreateListener", params) == {
        ("elasticloadbalancing:CreateListener", balancer),
        ("elasticloadbalancing:AddTags", f"{ELB}:listener/{kind}/k8s-shop-web-5d2e7e9b1c/50dc6c495c0c9188/*"),
    }


def test_a_tagged_rule_is_tagged_on_the_rule_it_creates() -> None:
    listener = f"{ELB}:listener/app/k8s-shop-web-5d2e7e9b1c/50dc6c495c0c9188/f2f7dc8efc522ab2"
    params = {
        "listenerArn": listener,
        "priority": 1,
        "conditions": [{"field": "path-pattern", "values": ["/api/*"]}],
        "actions": [{"type": "forward", "targetGroupArn": TARGET_GROUP}],
        "tags": TAGS,
    }
    assert uses("CreateRule", params) == {
        ("elasticloadbalancing:CreateRule", listener),
        (
            "elasticloadbalancing:AddTags",
            f"{ELB}:listener-rule/app/k8s-shop-web-5d2e7e9b1c/50dc6c495c0c9188/f2f7dc8efc522ab2/*",
        ),
    }


def test_an_untagged_listener_needs_no_tagging() -> None:
    balancer = f"{ELB}:loadbalancer/app/k8s-shop-web-5d2e7e9b1c/50dc6c495c0c9188"
    params = {"loadBalancerArn": balancer, "protocol": "HTTP", "port": 80, "defaultActions": []}
    assert uses("CreateListener", params) == {("elasticloadbalancing:CreateListener", balancer)}
