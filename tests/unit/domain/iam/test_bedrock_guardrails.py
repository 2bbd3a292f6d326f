"""A model invocation that applies a guardrail needs ``bedrock:ApplyGuardrail`` on that guardrail.

"Permissions for invoking guardrails to filter content: Append the following statement [...] to allow for
model inference and to invoke guardrails": ``bedrock:InvokeModel`` and
``bedrock:InvokeModelWithResponseStream`` on the model, and ``bedrock:ApplyGuardrail`` on
``arn:aws:bedrock:us-east-1:123456789012:guardrail/guardrail-id`` (Bedrock User Guide, "Set up permissions to
use Amazon Bedrock Guardrails"; "Enforce the use of specific guardrails in model inference requests" names
Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream). Before, the model alone was granted
and a workload invoking with its guardrail was refused. The guardrail is InvokeModel's ``guardrailIdentifier``
(a header) and Converse's ``guardrailConfig.guardrailIdentifier``, an id or a guardrail ARN (botocore
bedrock-runtime/2023-09-30). No AWS page found shows a CloudTrail record of a call with a guardrail: the
records spell them as the API's members are spelled, as CloudTrail writes the other parameters of these calls
(``modelId``); a record without them gets no ApplyGuardrail.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record

MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0"
FOUNDATION = f"arn:aws:bedrock:us-east-1::foundation-model/{MODEL}"
GUARDRAIL = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:guardrail/gr123abc"


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    event = EventMapper().map(cloudtrail_record("bedrock.amazonaws.com", name, {"modelId": MODEL, **params}))
    assert event.kind == "mapped" and event.notes == (), event
    return set(event.uses)


@pytest.mark.parametrize("identifier", ["gr123abc", GUARDRAIL])
@pytest.mark.parametrize(
    ("name", "action", "nested"),
    [
        ("InvokeModel", "bedrock:InvokeModel", False),
        ("InvokeModelWithResponseStream", "bedrock:InvokeModelWithResponseStream", False),
        ("Converse", "bedrock:InvokeModel", True),
        ("ConverseStream", "bedrock:InvokeModelWithResponseStream", True),
    ],
)
def test_an_invocation_with_a_guardrail_applies_it(
    name: str, action: str, nested: bool, identifier: str
) -> None:
    guardrail = {"guardrailIdentifier": identifier, "guardrailVersion": "1"}
    params = {"guardrailConfig": guardrail} if nested else guardrail
    assert uses(name, params) == {(action, FOUNDATION), ("bedrock:ApplyGuardrail", GUARDRAIL)}


def test_a_guardrail_of_another_account_is_granted_as_its_arn_says() -> None:
    shared = f"arn:aws:bedrock:us-east-1:{OTHER_ACCOUNT}:guardrail/gr123abc"
    params = {"guardrailIdentifier": shared, "guardrailVersion": "DRAFT"}
    assert ("bedrock:ApplyGuardrail", shared) in uses("InvokeModel", params)


@pytest.mark.parametrize("name", ["InvokeModel", "Converse"])
def test_an_invocation_without_a_guardrail_applies_none(name: str) -> None:
    assert all(action != "bedrock:ApplyGuardrail" for action, _ in uses(name, {}))


def test_each_guardrail_keeps_its_own_grant_in_one_mapper() -> None:
    """The guardrail is part of what the memo keys a record on."""
    mapper = EventMapper()

    def applied(identifier: str) -> set[str]:
        params = {
            "modelId": MODEL,
            "guardrailConfig": {"guardrailIdentifier": identifier, "guardrailVersion": "1"},
        }
        event = mapper.map(cloudtrail_record("bedrock.amazonaws.com", "Converse", params))
        return {arn for action, arn in event.uses if action == "bedrock:ApplyGuardrail"}

    assert applied("gr123abc") == {GUARDRAIL}
    assert applied("gr456def") == {GUARDRAIL.replace("gr123abc", "gr456def")}
