"""Lambda layer versions named the documented ways, and SNS Publish to each kind of target.

Request parameters as the API references name them, in CloudTrail's lowerCamelCase (Lambda writes its
versioned event names, ``GetLayerVersion20181031``; CloudTrail User Guide, record contents).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted

LAMBDA = "lambda.amazonaws.com"
SNS = "sns.amazonaws.com"
LAYER = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:shared-deps"
# Lambda Insights' extension, published by AWS in its own account (Lambda Developer Guide, "Lambda Insights
# extension versions": arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:VERSION)
INSIGHTS = "arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension"


@pytest.mark.parametrize(
    ("event_name", "action"),
    [
        ("GetLayerVersion20181031", "lambda:GetLayerVersion"),
        ("GetLayerVersionPolicy20181031", "lambda:GetLayerVersionPolicy"),
        ("DeleteLayerVersion20181031", "lambda:DeleteLayerVersion"),
        ("AddLayerVersionPermission20181031", "lambda:AddLayerVersionPermission"),
        ("RemoveLayerVersionPermission20181031", "lambda:RemoveLayerVersionPermission"),
    ],
)
def test_a_layer_version_by_name_and_number(event_name: str, action: str) -> None:
    """API Reference, GetLayerVersion: ``LayerName`` "The name or Amazon Resource Name (ARN) of the layer",
    ``VersionNumber`` "The version number"; the resource is the layer version's ARN (layer:NAME:VERSION)."""
    params = {"layerName": "shared-deps", "versionNumber": 3}
    assert granted(LAMBDA, event_name, params) == {(action, f"{LAYER}:3")}


def test_a_layer_version_of_another_account_by_layer_arn() -> None:
    """A layer named by its ARN is authorized in the account the ARN names, not the caller's."""
    params = {"layerName": INSIGHTS, "versionNumber": 38}
    assert granted(LAMBDA, "GetLayerVersion20181031", params) == {
        ("lambda:GetLayerVersion", f"{INSIGHTS}:38")
    }


def test_publishing_a_layer_version_acts_on_the_layer() -> None:
    """PublishLayerVersion's resource type is ``layer`` (Service Authorization Reference)."""
    params = {"layerName": "shared-deps", "compatibleRuntimes": ["python3.12"]}
    assert granted(LAMBDA, "PublishLayerVersion20181031", params) == {("lambda:PublishLayerVersion", LAYER)}


def test_two_versions_of_one_layer_are_two_grants_in_one_mapper() -> None:
    """The memo is keyed on the version too: the second call must not reuse the first one's grant."""
    mapper = EventMapper()
    got = [
        mapper.map(
            cloudtrail_record(
                LAMBDA, "GetLayerVersion20181031", {"layerName": "shared-deps", "versionNumber": n}
            )
        ).uses
        for n in (3, 4)
    ]
    assert got == [(("lambda:GetLayerVersion", f"{LAYER}:3"),), (("lambda:GetLayerVersion", f"{LAYER}:4"),)]


@pytest.mark.parametrize(
    ("params", "resource"),
    [
        ({"layerName": "shared-deps"}, f"{LAYER}:*"),  # every version of the layer it names, said
        ({"layerName": "a:b", "versionNumber": 1}, "*"),  # no form the API takes
    ],
)
def test_a_layer_version_the_call_does_not_name_keeps_the_finding(
    params: dict[str, Any], resource: str
) -> None:
    event = EventMapper().map(cloudtrail_record(LAMBDA, "GetLayerVersion20181031", params))
    assert event.uses == (("lambda:GetLayerVersion", resource),)
    assert [note[1] for note in event.notes] == ["resource-undetermined"]


def test_publish_by_target_arn_is_granted_on_that_topic() -> None:
    """SNS API Reference, Publish: "If you don't specify a value for the TopicArn parameter, you must
    specify a value for the PhoneNumber or TargetArn parameters"; a topic's ARN as TargetArn is that topic."""
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"
    assert granted(SNS, "Publish", {"targetArn": topic, "message": "m"}) == {("sns:Publish", topic)}


def test_a_text_message_is_granted_on_star_without_a_finding() -> None:
    """A phone number is no resource (Publish's only resource type is the topic), so ``*`` is the exact grant
    and saying that the mapper could not read the resource would be false."""
    assert granted(SNS, "Publish", {"phoneNumber": "+12065550100", "message": "m"}) == {("sns:Publish", "*")}


def test_publish_to_a_topic_is_unchanged() -> None:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"
    params = {"topicArn": topic, "message": "m", "phoneNumber": "+12065550100"}
    assert granted(SNS, "Publish", params) == {("sns:Publish", topic)}


@pytest.mark.parametrize(
    "params",
    [
        {"message": "m"},  # no target at all
        # a mobile push endpoint: no type of the reference fits it (a topic name has no "/")
        {"targetArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:endpoint/GCM/app/5e3e9847-3183-3f18-a7e8"},
    ],
)
def test_publish_without_a_topic_keeps_the_finding(params: dict[str, Any]) -> None:
    event = EventMapper().map(cloudtrail_record(SNS, "Publish", params))
    assert event.kind == "mapped"
    assert event.uses == (("sns:Publish", "*"),)
    assert [note[1] for note in event.notes] == ["resource-undetermined"]
