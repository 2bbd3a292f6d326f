"""A normaliser builds one type's ARN from one variable (Lambda's ``FunctionName`` -> ``function:NAME``); a
type of another kind with a variable of the same name is filled plainly. Lambda web functions'
``web-function/${FunctionName}`` got the function's ARN, which fits no type of their actions, so every web
function call was granted ``*`` with the resource-undetermined finding."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record, user_identity

MAPPER = EventMapper()
WEB = "arn:aws:lambda:us-east-1:111122223333:web-function/storefront"


@pytest.mark.parametrize("value", ["storefront", WEB])
@pytest.mark.parametrize("name", ["GetWebFunction", "DeleteWebFunction", "ListWebFunctionRevisions"])
def test_a_web_function_by_name_or_arn_is_granted_on_it(name: str, value: str) -> None:
    """Lambda Web API (botocore lambda-web 2025-03-07), GetWebFunction: ``GET
    /2025-03-07/web-functions/{functionName}``, "You can specify either of the following: The function name
    ... The function ARN"; CloudTrail logs the URI member as ``functionName``. The reference's
    ``lambda:GetWebFunction`` requires ``web-function/${FunctionName}``."""
    event = MAPPER.map(
        cloudtrail_record("lambda.amazonaws.com", name, {"functionName": value}, identity=user_identity())
    )
    assert event.uses == ((f"lambda:{name}", WEB),)
    assert event.notes == ()


def test_a_function_is_still_normalised_with_its_qualifier() -> None:
    event = MAPPER.map(
        cloudtrail_record(
            "lambda.amazonaws.com",
            "GetFunctionConfiguration",
            {"functionName": "orders", "qualifier": "prod"},
            identity=user_identity(),
        )
    )
    assert event.uses == (
        ("lambda:GetFunctionConfiguration", "arn:aws:lambda:us-east-1:111122223333:function:orders:prod"),
    )


def test_a_kms_alias_still_names_no_key() -> None:
    """An alias names no key (section 3's KMS row): the fallback does not make ``key/alias/NAME``."""
    event = MAPPER.map(
        cloudtrail_record("kms.amazonaws.com", "Decrypt", {"keyId": "alias/orders"}, identity=user_identity())
    )
    assert event.uses == (("kms:Decrypt", "*"),)
