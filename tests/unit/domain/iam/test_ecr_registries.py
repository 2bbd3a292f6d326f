"""ECR calls name the repository by name and the registry by ``registryId``: "The Amazon Web Services account
ID associated with the registry that contains the images ... If you do not specify a registry, the default
registry is assumed" (ECR API Reference, BatchGetImage). A pull from a shared registry in another account was
granted on a repository of the caller's own account, which the pull does not touch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, granted


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return granted("ecr.amazonaws.com", name, params)


@pytest.mark.parametrize("name", ["BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability"])
def test_a_pull_from_another_accounts_registry_is_granted_there(name: str) -> None:
    params = {
        "repositoryName": "base/python",
        "registryId": OTHER_ACCOUNT,
        "imageIds": [{"imageTag": "3.12"}],
    }
    assert uses(name, params) == {
        (f"ecr:{name}", f"arn:aws:ecr:us-east-1:{OTHER_ACCOUNT}:repository/base/python")
    }


def test_without_a_registry_the_callers_own_is_meant() -> None:
    assert uses("DescribeImages", {"repositoryName": "orders"}) == {
        ("ecr:DescribeImages", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/orders")
    }
