"""Bedrock calls through a cross-Region inference profile need the model behind the profile too.

A geographic profile (``us.``, ``eu.``, ``apac.`` ...) routes each call to one Region of its geography, and
the call is authorized on the profile in the source Region and on the foundation model in the Region that
served it ("not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:eu-w...", the
error AWS's landing-zone guide quotes for a profile granted alone; re:Post "bedrock-access-denied-exception":
the role lacks "permission to invoke the API request in the destination Regions"). CloudTrail logs the call
in the source Region with ``additionalEventData.inferenceRegion``, the Region that processed it. A global
profile is authorized on the model in the source Region and on the Region-less
``arn:aws:bedrock:::foundation-model/M`` (Bedrock User Guide, "Global cross-Region inference"). Before, the
profile alone was granted and every such call was refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper, MappedEvent
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0"
PROFILE = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.{MODEL}"


def call(name: str, model: str, served_in: str | None, mapper: EventMapper | None = None) -> MappedEvent:
    record = cloudtrail_record("bedrock.amazonaws.com", name, {"modelId": model})
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
def test_a_geographic_profile_needs_the_model_where_the_call_was_served(name: str, action: str) -> None:
    mapped = call(name, f"us.{MODEL}", "us-west-2")
    assert set(mapped.uses) == {
        (action, PROFILE),
        (action, f"arn:aws:bedrock:us-west-2::foundation-model/{MODEL}"),
    }
    assert mapped.notes == ()


def test_each_region_served_is_granted_and_the_memo_keeps_them_apart() -> None:
    mapper = EventMapper()
    west = call("Converse", f"us.{MODEL}", "us-west-2", mapper)
    east = call("Converse", f"us.{MODEL}", "us-east-2", mapper)
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:us-west-2::foundation-model/{MODEL}") in west.uses
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:us-east-2::foundation-model/{MODEL}") in east.uses


def test_a_profile_arn_given_whole_is_read_the_same_way() -> None:
    mapped = call("InvokeModel", PROFILE, "us-east-2")
    assert set(mapped.uses) == {
        ("bedrock:InvokeModel", PROFILE),
        ("bedrock:InvokeModel", f"arn:aws:bedrock:us-east-2::foundation-model/{MODEL}"),
    }


def test_without_the_region_served_the_model_is_granted_in_every_region_and_said() -> None:
    mapped = call("Converse", f"eu.{MODEL}", None)
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:*::foundation-model/{MODEL}") in mapped.uses
    assert [code for _, code, _ in mapped.notes] == ["resource-undetermined"]
    assert "additionalEventData.inferenceRegion" in mapped.notes[0][2]


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


def test_an_odd_region_value_is_not_written_into_an_arn() -> None:
    extra: Any = "us-west-2:*"
    mapped = call("InvokeModel", f"us.{MODEL}", extra)
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:*::foundation-model/{MODEL}") in mapped.uses
