"""Bedrock's model calls by ``modelIdentifier`` and GetAsyncInvoke by ``invocationArn``.

Bedrock API Reference (botocore bedrock/2023-04-20 and bedrock-runtime/2023-09-30, which CloudTrail logs
under ``bedrock.amazonaws.com`` with the parameters in the API's own lowerCamelCase):

- GetFoundationModel: "modelIdentifier: The model identifier", an id or a
  ``arn:aws:bedrock:REGION::foundation-model/ID`` (no account in a foundation model's ARN);
- GetCustomModel: "Name or Amazon Resource Name (ARN) of the custom model"; the ARN ends in an id Bedrock
  assigns (``custom-model/BASE.MODEL/[a-z0-9]{12}``, the response's ``modelArn``), so a name grants every
  custom model of the account and Region, said; DeleteImportedModel's imported model alike
  (``imported-model/[a-z0-9]{12}``);
- GetAsyncInvoke: "invocationArn: The invocation's ARN", ``async-invoke/[a-z0-9]{12}``.

Each was granted ``*`` with the resource-undetermined finding.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

BASE = f"arn:aws:bedrock:us-east-1:{ACCOUNT}"


def mapped(name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record("bedrock.amazonaws.com", name, params))
    assert event.kind == "mapped"
    return event


def test_a_foundation_model_by_its_id() -> None:
    event = mapped("GetFoundationModel", {"modelIdentifier": "anthropic.claude-3-haiku-20240307-v1:0"})
    model = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    assert event.uses == (("bedrock:GetFoundationModel", model),)
    assert event.notes == ()


def test_a_custom_model_by_its_arn() -> None:
    model = f"{BASE}:custom-model/amazon.titan-text-express-v1:0:8k/ly16hhi765j4"
    event = mapped("GetCustomModel", {"modelIdentifier": model})
    assert event.uses == (("bedrock:GetCustomModel", model),)
    assert event.notes == ()


def test_a_custom_or_imported_model_by_name_is_every_one_said() -> None:
    for name, kind in (("GetCustomModel", "custom-model"), ("DeleteImportedModel", "imported-model")):
        event = mapped(name, {"modelIdentifier": "support-bot"})
        assert event.uses == ((f"bedrock:{name}", f"{BASE}:{kind}/*"),)
        assert [note[1] for note in event.notes] == ["resource-undetermined"]
        assert "given by name, not by the id its ARN holds" in event.notes[0][2]


def test_an_async_invocation_by_its_arn() -> None:
    invocation = f"{BASE}:async-invoke/fo4h6bxqv5wx"
    event = mapped("GetAsyncInvoke", {"invocationArn": invocation})
    assert event.uses == (("bedrock:GetAsyncInvoke", invocation),)
    assert event.notes == ()
