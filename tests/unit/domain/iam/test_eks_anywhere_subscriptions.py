"""EKS Anywhere subscriptions are named by ``id``, the UUID their ARN ends in; they were granted ``*`` with
the resource-undetermined finding (``rules.CURATED_ENTRIES``)."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

SUBSCRIPTION = "3d4f8d2c-1b2a-4c5d-9e8f-0a1b2c3d4e5f"


@pytest.mark.parametrize(
    "name",
    ["DescribeEksAnywhereSubscription", "DeleteEksAnywhereSubscription", "UpdateEksAnywhereSubscription"],
)
def test_a_subscription_by_its_id(name: str) -> None:
    """EKS API Reference, DescribeEksAnywhereSubscription: ``GET /eks-anywhere-subscriptions/id``, "id: The
    ID of the subscription"; EksAnywhereSubscription: "id: UUID identifying a subscription". The
    reference's ``eks-anywhere-subscription`` is ``eks-anywhere-subscription/${UUID}``."""
    params: dict[str, object] = {"id": SUBSCRIPTION}
    if name == "UpdateEksAnywhereSubscription":
        params["autoRenew"] = True
    event = EventMapper().map(cloudtrail_record("eks.amazonaws.com", name, params))
    assert event.uses == (
        (f"eks:{name}", f"arn:aws:eks:us-east-1:{ACCOUNT}:eks-anywhere-subscription/{SUBSCRIPTION}"),
    )
    assert event.notes == ()
