"""Bedrock's RetrieveAndGenerate also needs Retrieve on the knowledge base and InvokeModel on the model.

"The RetrieveAndGenerate operation is a combined action that underlyingly uses GenerateQuery (if your
knowledge base is connected to a structured data store), Retrieve and InvokeModel" (Bedrock User Guide,
"Retrieving information from data sources using Amazon Bedrock Knowledge Bases"). The reference gives
``bedrock:RetrieveAndGenerate`` no resource type, and the policy granted it alone: a RAG workload's call
would be refused on the knowledge base or the model. The request (Agents for Amazon Bedrock Runtime API
Reference, RetrieveAndGenerate) names both in ``retrieveAndGenerateConfiguration``; its ``modelArn`` may be
an ARN, or an id as ``modelId`` is (the API's pattern makes the ARN part optional).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
KNOWLEDGE_BASE = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:knowledge-base/KBQ2X7WD3L"


def uses(name: str, params: dict[str, Any], **extra: Any) -> set[tuple[str, str]]:
    record = cloudtrail_record("bedrock.amazonaws.com", name, params)
    record.update(extra)
    return set(EventMapper().map(record).uses)


def knowledge_base_config(model: str) -> dict[str, Any]:
    return {
        "input": {"text": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        "retrieveAndGenerateConfiguration": {
            "type": "KNOWLEDGE_BASE",
            "knowledgeBaseConfiguration": {"knowledgeBaseId": "KBQ2X7WD3L", "modelArn": model},
        },
    }


@pytest.mark.parametrize("name", ["RetrieveAndGenerate", "RetrieveAndGenerateStream"])
def test_the_knowledge_base_and_the_model_are_granted(name: str) -> None:
    model = f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}"
    assert uses(name, knowledge_base_config(model)) == {
        ("bedrock:RetrieveAndGenerate", "*"),
        ("bedrock:Retrieve", KNOWLEDGE_BASE),
        ("bedrock:InvokeModel", model),
    }


def test_a_model_given_by_a_profile_id_is_routed_as_invoke_models_are() -> None:
    """A cross-Region inference profile's id is the account's profile, and the model behind it in every
    Region of the profile's geography (as for InvokeModel: test_bedrock_routing.py)."""
    profile = "us.anthropic.claude-3-5-sonnet-20240620-v1:0"
    granted = uses(
        "RetrieveAndGenerate",
        knowledge_base_config(profile),
        additionalEventData={"inferenceRegion": "us-west-2"},
    )
    assert (
        "bedrock:InvokeModel",
        f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/{profile}",
    ) in granted
    assert (
        "bedrock:InvokeModel",
        "arn:aws:bedrock:us-*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
    ) in granted


def test_external_sources_need_only_the_model() -> None:
    params = {
        "retrieveAndGenerateConfiguration": {
            "type": "EXTERNAL_SOURCES",
            "externalSourcesConfiguration": {
                "modelArn": HAIKU,
                "sources": [{"sourceType": "S3", "s3Location": {"uri": "s3://docs-bucket/faq.pdf"}}],
            },
        }
    }
    assert uses("RetrieveAndGenerate", params) == {
        ("bedrock:RetrieveAndGenerate", "*"),
        ("bedrock:InvokeModel", f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}"),
    }
