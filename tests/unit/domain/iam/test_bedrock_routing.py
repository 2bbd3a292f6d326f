"""Bedrock calls through a cross-Region inference profile need the model behind the profile too.

A geographic profile (``us.``, ``eu.``, ``apac.`` ...) routes each call to one Region of its geography, and
"To allow an IAM user or role to invoke a Geographic cross-Region inference profile, you need to allow access
to the following resources: 1. The geography-specific cross-Region inference profile [...] 2. The foundation
model in the source Region 3. The foundation model in all destination Regions listed in the geographic
profile" (Bedrock User Guide, "Geographic cross-Region inference", IAM policy requirements; its example grants
the model in us-east-1, us-east-2 and us-west-2 for a US profile called from us-east-1). CloudTrail logs the
call in the source Region with ``additionalEventData.inferenceRegion``, the Region that processed this one
call. Before, the model was granted in that Region only: the source Region was missing (a call served
elsewhere was refused on it) and the next call routed to a destination the window had not seen was refused.
Now the model is granted in every Region of the profile's geography (``us-*``), said. A global profile is
authorized on the model in the source Region and on the Region-less ``arn:aws:bedrock:::foundation-model/M``
(Bedrock User Guide, "Global cross-Region inference").
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper, MappedEvent
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0"
PROFILE = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.{MODEL}"
US_MODEL = f"arn:aws:bedrock:us-*::foundation-model/{MODEL}"


def call(
    name: str,
    model: str,
    served_in: str | None,
    mapper: EventMapper | None = None,
    region: str = "us-east-1",
) -> MappedEvent:
    record = cloudtrail_record("bedrock.amazonaws.com", name, {"modelId": model}, region=region)
    if served_in is not None:
        record["additionalEventData"] = {"inferenceRegion": served_in}
    return (mapper or EventMapper()).map(record)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("InvokeModel", "bedrock:InvokeModel"),
        ("Converse", "bedrock:InvokeModel"),
        ("InvokeModelWithResponseStream", "bedrock:InvokeModelWithResponseStream"),
        ("ConverseStream", "bedrock:InvokeModelWithResponseStream"),
    ],
)
@pytest.mark.parametrize("served_in", ["us-west-2", "us-east-1", None])
def test_a_geographic_profile_needs_the_model_in_every_region_of_its_geography(
    name: str, action: str, served_in: str | None
) -> None:
    """The source Region (us-east-1) and each destination, whichever served this call."""
    mapped = call(name, f"us.{MODEL}", served_in)
    assert set(mapped.uses) == {(action, PROFILE), (action, US_MODEL)}
    [(severity, code, message)] = mapped.notes
    assert (severity, code) == ("info", "resource-wide")
    assert f"foundation-model/{MODEL} in us-*" in message and "destination Region" in message


def test_each_geography_is_granted_its_own_regions() -> None:
    """An EU profile called from Frankfurt, an APAC one from Tokyo: each model in its geography's Regions."""
    eu = call("Converse", f"eu.{MODEL}", "eu-west-3", region="eu-central-1")
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:eu-*::foundation-model/{MODEL}") in eu.uses
    apac = call("Converse", f"apac.{MODEL}", "ap-southeast-2", region="ap-northeast-1")
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:ap-*::foundation-model/{MODEL}") in apac.uses


def test_a_profile_arn_given_whole_is_read_the_same_way() -> None:
    mapped = call("InvokeModel", PROFILE, "us-east-2")
    assert set(mapped.uses) == {("bedrock:InvokeModel", PROFILE), ("bedrock:InvokeModel", US_MODEL)}


def test_a_prefix_of_no_known_geography_is_granted_every_region_and_said() -> None:
    """A profile ARN whose prefix is no geography known here: the model in every Region, with the warning."""
    profile = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/mars.{MODEL}"
    mapped = call("Converse", profile, None)
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:*::foundation-model/{MODEL}") in mapped.uses
    assert [code for _, code, _ in mapped.notes] == ["resource-undetermined"]


def test_a_global_profile_needs_the_model_in_the_source_region_and_the_regionless_one() -> None:
    model = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    mapped = call("ConverseStream", f"global.{model}", "eu-north-1")
    action = "bedrock:InvokeModelWithResponseStream"
    assert set(mapped.uses) == {
        (action, f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/global.{model}"),
        (action, f"arn:aws:bedrock:us-east-1::foundation-model/{model}"),
        (action, f"arn:aws:bedrock:::foundation-model/{model}"),
    }
    assert mapped.notes == ()


def test_a_foundation_model_is_granted_as_it_is() -> None:
    """A foundation model is served where it is called."""
    mapped = call("InvokeModel", MODEL, "us-west-2")
    assert len(mapped.uses) == 1 and mapped.notes == ()


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("InvokeModel", "bedrock:InvokeModel"),
        ("Converse", "bedrock:InvokeModel"),
        ("ConverseStream", "bedrock:InvokeModelWithResponseStream"),
    ],
)
@pytest.mark.parametrize("served_in", ["us-west-2", None])
def test_an_application_profile_needs_its_models_which_the_record_does_not_name(
    name: str, action: str, served_in: str | None
) -> None:
    """ "When you specify an inference profile in the Resource field [...], you must also specify the
    foundation model in each Region associated with it" (Bedrock User Guide, "Prerequisites for inference
    profiles", which says so of system-defined and application inference profiles alike). The call names
    the application profile by its ARN, whose id names neither the model nor the Regions (its model is the
    CreateInferenceProfile's ``modelSource``, a foundation model or a system-defined profile: Bedrock User
    Guide, "Create an application inference profile"), and CloudTrail logs no more of it. Before, the
    profile alone was granted and said nothing: each such call was refused on the model. Every foundation
    model in every Region (the page's example grant) stands in for them, said with the profile."""
    profile = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/a1b2c3d4e5f6"
    mapped = call(name, profile, served_in)
    assert set(mapped.uses) == {(action, profile), (action, "arn:aws:bedrock:*::foundation-model/*")}
    [(severity, code, message)] = mapped.notes
    assert (severity, code) == ("warning", "resource-undetermined")
    assert profile in message and "foundation-model/*" in message and "GetInferenceProfile" in message
