"""Elastic Load Balancing's two APIs (classic and v2) share one IAM namespace and five action names.

The reference data merged both pages of the Service Authorization Reference and kept, for AddTags,
RemoveTags, CreateLoadBalancer, DeleteLoadBalancer and ModifyLoadBalancerAttributes, only the classic
``loadbalancer/NAME`` type, so the AWS Load Balancer Controller's calls were granted on ARNs no v2 load
balancer has (its CreateLoadBalancer refused) and its target group tags on ``*``. The build now adds the v2
page's types (``build_reference_data.SECOND_PAGE_TYPES``); a classic call (by name) and a v2 call (by ARN, or
CreateLoadBalancer's ``name`` and ``type``) are each read alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, granted

ELB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}"
ALB = f"{ELB}:loadbalancer/app/k8s-shop-web/50dc6c495c0c9188"
TARGET_GROUP = f"{ELB}:targetgroup/k8s-shop-web/73e2d6bc24d8a067"


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return granted("elasticloadbalancing.amazonaws.com", name, params)


@pytest.mark.parametrize(
    ("kind", "part"), [(None, "app"), ("application", "app"), ("network", "net"), ("gateway", "gwy")]
)
def test_a_v2_load_balancer_is_created_under_its_kind(kind: str | None, part: str) -> None:
    params = {
        "name": "k8s-shop-web",
        "subnets": ["subnet-0123456789abcdef0"],
        **({"type": kind} if kind else {}),
    }
    assert uses("CreateLoadBalancer", params) == {
        ("elasticloadbalancing:CreateLoadBalancer", f"{ELB}:loadbalancer/{part}/k8s-shop-web/*")
    }


def test_the_controllers_tagged_create_is_tagged_on_what_it_creates() -> None:
    params = {
        "name": "k8s-shop-web",
        "type": "application",
        "tags": [{"key": "elbv2.k8s.aws/cluster", "value": "c"}],
    }
    assert uses("CreateLoadBalancer", params) == {
        (action, f"{ELB}:loadbalancer/app/k8s-shop-web/*")
        for action in ("elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:AddTags")
    }


@pytest.mark.parametrize(
    ("name", "params", "arn"),
    [
        ("AddTags", {"resourceArns": [TARGET_GROUP], "tags": [{"key": "a", "value": "b"}]}, TARGET_GROUP),
        ("RemoveTags", {"resourceArns": [ALB], "tagKeys": ["a"]}, ALB),
        ("DeleteLoadBalancer", {"loadBalancerArn": ALB}, ALB),
        ("ModifyLoadBalancerAttributes", {"loadBalancerArn": ALB, "attributes": []}, ALB),
    ],
)
def test_a_v2_call_is_granted_on_the_arn_it_names(name: str, params: dict[str, Any], arn: str) -> None:
    assert uses(name, params) == {(f"elasticloadbalancing:{name}", arn)}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        (
            "CreateLoadBalancer",
            {"loadBalancerName": "legacy", "listeners": [], "availabilityZones": ["us-east-1a"]},
        ),
        ("DeleteLoadBalancer", {"loadBalancerName": "legacy"}),
        ("AddTags", {"loadBalancerNames": ["legacy"], "tags": [{"key": "a", "value": "b"}]}),
    ],
)
def test_a_classic_call_is_granted_on_the_classic_load_balancer_alone(
    name: str, params: dict[str, Any]
) -> None:
    assert uses(name, params) == {(f"elasticloadbalancing:{name}", f"{ELB}:loadbalancer/legacy")}


def test_the_shipped_reference_has_the_v2_types_of_the_shared_names() -> None:
    ref = load_reference()
    assert {t.key for t in ref.resource_types("elasticloadbalancing:AddTags")} >= {
        "targetgroup",
        "loadbalancer/app/",
    }
    assert not any(t.required for t in ref.resource_types("elasticloadbalancing:DeleteLoadBalancer"))
