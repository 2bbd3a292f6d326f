"""SNS authorizes a subscription's calls on its topic.

The Service Authorization Reference gives ``sns:Unsubscribe``, ``sns:GetSubscriptionAttributes`` and
``sns:SetSubscriptionAttributes`` the ``topic`` type
(``arn:${Partition}:sns:${Region}:${Account}:${TopicName}``) and SNS has no subscription type; the calls
name the subscription by its ARN, the topic's with the subscription's id after it. Each was granted on ``*``
with a finding. The records carry what each API reference documents (``SubscriptionArn``;
``AttributeName`` and ``AttributeValue`` for SetSubscriptionAttributes) in CloudTrail's lowerCamelCase, as
the SNS Developer Guide's CloudTrail examples log ``topicArn`` of DeleteTopic ("Logging Amazon SNS API calls
using AWS CloudTrail"). The subscription ARN's shape is the guide's
``arn:aws:sns:us-west-2:123456789012:MyTopic:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`` (an HTTP/S message's
UnsubscribeURL).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.rules import AUTHORIZED_UNQUALIFIED
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record, granted

TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:order-events"
SUBSCRIPTION = f"{TOPIC}:6b0e71bd-7e97-4d97-80ce-4a0994e55286"


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("Unsubscribe", {"subscriptionArn": SUBSCRIPTION}),
        ("GetSubscriptionAttributes", {"subscriptionArn": SUBSCRIPTION}),
        (
            "SetSubscriptionAttributes",
            {
                "subscriptionArn": SUBSCRIPTION,
                "attributeName": "RawMessageDelivery",
                "attributeValue": "true",
            },
        ),
    ],
)
def test_a_subscription_call_is_granted_on_the_subscriptions_topic(name: str, params: dict[str, Any]) -> None:
    assert granted("sns.amazonaws.com", name, params) == {(f"sns:{name}", TOPIC)}


def test_a_subscription_to_another_accounts_fifo_topic_is_granted_on_that_topic() -> None:
    """A queue's owner unsubscribing from a topic another account owns (fan-out from a shared topic): the
    topic's Region and account come from the subscription's ARN, not from the call."""
    topic = f"arn:aws:sns:eu-west-1:{OTHER_ACCOUNT}:ledger.fifo"
    params = {"subscriptionArn": f"{topic}:0f3c2a51-9d0e-4b8e-a1a7-3f1d2c4b5a69"}
    assert granted("sns.amazonaws.com", "Unsubscribe", params) == {("sns:Unsubscribe", topic)}


def test_a_pending_subscription_names_no_topic() -> None:
    """Subscribe returns "pending confirmation" in place of an ARN until the endpoint confirms (API
    Reference, Subscribe's SubscriptionArn); such a value names no topic: ``*``, said."""
    record = cloudtrail_record(
        "sns.amazonaws.com", "Unsubscribe", {"subscriptionArn": "pending confirmation"}
    )
    event = EventMapper().map(record)
    assert event.uses == (("sns:Unsubscribe", "*"),)
    assert [n[1] for n in event.notes] == ["resource-undetermined"]


def test_a_topic_call_keeps_its_topic_and_an_endpoint_is_not_cut() -> None:
    """Only a subscription's ARN is cut to its topic: a topic's own ARN stays, and a platform endpoint's or
    application's ARN (``endpoint/GCM/APP/ID``, a ``/`` where a topic's name is) is no subscription's."""
    assert granted("sns.amazonaws.com", "GetTopicAttributes", {"topicArn": TOPIC}) == {
        ("sns:GetTopicAttributes", TOPIC)
    }
    cut = AUTHORIZED_UNQUALIFIED["sns"]
    match = cut.fullmatch(SUBSCRIPTION)
    assert match is not None and match.group(1) == TOPIC
    for arn in (
        f"arn:aws:sns:us-east-1:{ACCOUNT}:endpoint/GCM/orders-app/5e3e9847-3183-3f18-a7e8-671c3a57d4b3",
        f"arn:aws:sns:us-east-1:{ACCOUNT}:app/GCM/orders-app",
        TOPIC,
    ):
        assert cut.fullmatch(arn) is None, arn
