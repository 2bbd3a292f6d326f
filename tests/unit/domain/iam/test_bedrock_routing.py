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


@pytest.mark.parametrize(
    "model",
    [MODEL, f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/a1b2c3d4e5f6"],
)
def test_a_model_or_an_application_profile_is_granted_as_it_is(model: str) -> None:
    """A foundation model is served where it is called; an application profile's id does not name its
    model (the profile is the grant the record supports)."""
    mapped = call("InvokeModel", model, "us-west-2")
    assert len(mapped.uses) == 1 and mapped.notes == ()


def test_an_odd_region_value_is_not_written_into_an_arn() -> None:
    extra: Any = "us-west-2:*"
    mapped = call("InvokeModel", f"us.{MODEL}", extra)
    assert ("bedrock:InvokeModel", f"arn:aws:bedrock:*::foundation-model/{MODEL}") in mapped.uses
