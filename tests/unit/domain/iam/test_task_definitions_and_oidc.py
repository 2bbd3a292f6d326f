"""Two common calls of cluster tooling that were granted on ``*``.

- ECS ``RegisterTaskDefinition`` makes the next revision of the family the request names ("Each task
  definition revision registered under a family is numbered sequentially", ECS API Reference): granted on
  ``task-definition/FAMILY:*`` (the revision is the service's), and its tags on the same; the task and
  execution roles it hands ECS stay ``iam:PassRole``.
- IAM ``CreateOpenIDConnectProvider`` (eksctl and Terraform's EKS modules make one per cluster for IAM
  roles for service accounts): the provider's ARN is its URL without ``https://``
  ("arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
  EKS User Guide).
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

ECS = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role"


def mapped(source: str, name: str, params: dict[str, Any]) -> tuple[set[tuple[str, str]], list[str]]:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    return set(event.uses), [code for _, code, _ in event.notes]


def test_a_task_definition_is_registered_as_a_revision_of_its_family() -> None:
    uses, notes = mapped(
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "orders-api",
            "taskRoleArn": f"{ROLE}/orders-task",
            "executionRoleArn": f"{ROLE}/ecsTaskExecutionRole",
            "containerDefinitions": [{"name": "api", "image": "orders:1"}],
            "tags": [{"key": "team", "value": "orders"}],
        },
    )
    assert uses == {
        ("ecs:RegisterTaskDefinition", f"{ECS}:task-definition/orders-api:*"),
        ("ecs:TagResource", f"{ECS}:task-definition/orders-api:*"),
        ("iam:PassRole", f"{ROLE}/orders-task"),
        ("iam:PassRole", f"{ROLE}/ecsTaskExecutionRole"),
    }
    assert notes == []


def test_an_oidc_provider_is_named_by_its_url_without_the_scheme() -> None:
    url = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    uses, notes = mapped(
        "iam.amazonaws.com",
        "CreateOpenIDConnectProvider",
        {"url": f"https://{url}", "clientIDList": ["sts.amazonaws.com"]},
    )
    assert uses == {("iam:CreateOpenIDConnectProvider", f"arn:aws:iam::{ACCOUNT}:oidc-provider/{url}")}
    assert notes == []


def test_a_url_that_is_not_https_is_not_guessed() -> None:
    uses, notes = mapped("iam.amazonaws.com", "CreateOpenIDConnectProvider", {"url": "http://example.com"})
    assert uses == {("iam:CreateOpenIDConnectProvider", "*")}
    assert notes == ["resource-undetermined"]
