"""Bedrock Runtime calls newer than the resolver table name their model by ``modelId`` as InvokeModel does;
they were granted ``*`` with the resource-undetermined finding. A method authorized by another method's
action is read as that method (InvokeModelWithBidirectionalStream by ``bedrock:InvokeModel``:
``plans._resolver``), and CountTokens reads its ``modelId`` the same way."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record, role_identity

MAPPER = EventMapper()
NOVA_SONIC = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-sonic-v1:0"
CLAUDE = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"


@pytest.mark.parametrize("model_id", ["amazon.nova-sonic-v1:0", NOVA_SONIC])
def test_a_bidirectional_stream_is_invoke_model_on_its_model(model_id: str) -> None:
    """Bedrock Runtime API Reference, InvokeModelWithBidirectionalStream: ``POST
    /model/{modelId}/invoke-with-bidirectional-stream``, "modelId: The model ID or ARN of the model ID to
    use. Currently, only amazon.nova-sonic-v1:0 is supported"; CloudTrail logs the URI member as
    ``modelId``. The call is authorized by ``bedrock:InvokeModel`` (AWS's operation table)."""
    event = MAPPER.map(
        cloudtrail_record(
            "bedrock.amazonaws.com",
            "InvokeModelWithBidirectionalStream",
            {"modelId": model_id},
            identity=role_identity(),
        )
    )
    assert event.uses == (("bedrock:InvokeModel", NOVA_SONIC),)
    assert event.notes == ()


def test_count_tokens_is_granted_on_its_model() -> None:
    """Bedrock Runtime API Reference, CountTokens: ``POST /model/{modelId}/count-tokens``, "modelId: The
    unique identifier or ARN of the foundation model to use for token counting"; the reference's
    ``bedrock:CountTokens`` requires ``foundation-model``."""
    event = MAPPER.map(
        cloudtrail_record(
            "bedrock.amazonaws.com",
            "CountTokens",
            {"modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0"},
            identity=role_identity(),
        )
    )
    assert event.uses == (("bedrock:CountTokens", CLAUDE),)
    assert event.notes == ()
