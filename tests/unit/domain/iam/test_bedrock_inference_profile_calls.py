"""GetInferenceProfile and DeleteInferenceProfile name the profile by id or ARN (``resolvers.
_inference_profile``), CreateProvisionedModelThroughput its model by a foundation model's id
(``resolvers._provisioned_model``); an id was granted ``*`` with the resource-undetermined finding."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MAPPER = EventMapper()
PROFILES = f"arn:aws:bedrock:us-east-1:{ACCOUNT}"


def test_a_system_defined_profile_by_id() -> None:
    """Bedrock API Reference, GetInferenceProfile: ``GET /inference-profiles/inferenceProfileIdentifier``,
    "The ID or Amazon Resource Name (ARN) of the inference profile"; a cross-Region profile's id is the
    model's with its geography in front (Bedrock User Guide, Supported Regions and models for inference
    profiles), its ARN ``inference-profile/ID`` in the caller's account."""
    profile = "us.anthropic.claude-3-5-sonnet-20240620-v1:0"
    event = MAPPER.map(
        cloudtrail_record(
            "bedrock.amazonaws.com", "GetInferenceProfile", {"inferenceProfileIdentifier": profile}
        )
    )
    assert event.uses == (("bedrock:GetInferenceProfile", f"{PROFILES}:inference-profile/{profile}"),)
    assert event.notes == ()


@pytest.mark.parametrize("name", ["GetInferenceProfile", "DeleteInferenceProfile"])
def test_an_application_profile_by_id(name: str) -> None:
    """DeleteInferenceProfile: "The Amazon Resource Name (ARN) or ID of the application inference profile
    to delete"; the API's ``InferenceProfileArn`` pattern ends in the ``InferenceProfileId`` pattern."""
    event = MAPPER.map(
        cloudtrail_record("bedrock.amazonaws.com", name, {"inferenceProfileIdentifier": "k3fo7d2nhj1x"})
    )
    assert event.uses == ((f"bedrock:{name}", f"{PROFILES}:application-inference-profile/k3fo7d2nhj1x"),)
    assert event.notes == ()


def test_a_profile_by_arn_is_itself() -> None:
    arn = f"arn:aws:bedrock:us-west-2:{ACCOUNT}:application-inference-profile/k3fo7d2nhj1x"
    event = MAPPER.map(
        cloudtrail_record(
            "bedrock.amazonaws.com", "DeleteInferenceProfile", {"inferenceProfileIdentifier": arn}
        )
    )
    assert event.uses == (("bedrock:DeleteInferenceProfile", arn),)


def test_a_provisioned_throughput_for_a_foundation_model_by_id() -> None:
    """Bedrock API Reference, CreateProvisionedModelThroughput: "modelId: The Amazon Resource Name (ARN) or
    name of the model to associate with this Provisioned Throughput", whose pattern takes a foundation
    model's id (``provider.model`` with up to two ``:`` parts); the reference's ``foundation-model`` is
    ``arn:${Partition}:bedrock:${Region}::foundation-model/${ResourceId}``. It was granted ``*``."""
    event = MAPPER.map(
        cloudtrail_record(
            "bedrock.amazonaws.com",
            "CreateProvisionedModelThroughput",
            {
                "modelId": "amazon.titan-text-lite-v1:0:4k",
                "provisionedModelName": "titan-pt",
                "modelUnits": 1,
            },
        )
    )
    assert event.uses == (
        (
            "bedrock:CreateProvisionedModelThroughput",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-lite-v1:0:4k",
        ),
    )
    assert event.notes == ()


def test_a_provisioned_throughput_for_a_custom_model_by_name_stays_undetermined() -> None:
    """A custom model's ARN ends in an id its name does not give (``custom-model/${ResourceId}``)."""
    event = MAPPER.map(
        cloudtrail_record(
            "bedrock.amazonaws.com",
            "CreateProvisionedModelThroughput",
            {"modelId": "support-bot", "provisionedModelName": "support-pt", "modelUnits": 1},
        )
    )
    assert event.uses == (("bedrock:CreateProvisionedModelThroughput", "*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]


def test_creating_an_application_profile_names_the_profile_it_copies() -> None:
    """Bedrock API Reference, CreateInferenceProfile: ``POST /inference-profiles`` with "modelSource.copyFrom:
    The ARN of the model or system-defined inference profile that is the source for the inference profile";
    the profile made is an application inference profile with a generated id (said). It was granted
    ``*``."""
    source = f"{PROFILES}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
    event = MAPPER.map(
        cloudtrail_record(
            "bedrock.amazonaws.com",
            "CreateInferenceProfile",
            {
                "inferenceProfileName": "support-bot-haiku",
                "modelSource": {"copyFrom": source},
                "tags": [{"key": "team", "value": "support"}],
            },
        )
    )
    assert set(event.uses) == {
        ("bedrock:CreateInferenceProfile", source),
        ("bedrock:CreateInferenceProfile", f"{PROFILES}:application-inference-profile/*"),
    }
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]


def test_a_prompt_router_names_the_models_it_routes_to() -> None:
    """Bedrock API Reference, CreatePromptRouter: "models: A list of foundation models that the prompt
    router can route requests to", "fallbackModel: The default model to use when the routing criteria is
    not met", each a PromptRouterTargetModel with "modelArn: The target model's ARN". It was granted
    ``*``."""
    haiku = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    sonnet = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
    event = MAPPER.map(
        cloudtrail_record(
            "bedrock.amazonaws.com",
            "CreatePromptRouter",
            {
                "promptRouterName": "support-router",
                "models": [{"modelArn": haiku}, {"modelArn": sonnet}],
                "fallbackModel": {"modelArn": haiku},
                "routingCriteria": {"responseQualityDifference": 0.25},
            },
        )
    )
    assert set(event.uses) == {("bedrock:CreatePromptRouter", haiku), ("bedrock:CreatePromptRouter", sonnet)}
