"""A Lambda function's qualifier is one name however the request gives it: ``Qualifier`` ("Specify a version
or alias to get details about a published version of the function", Lambda API Reference, GetFunction) or
after the name's ``:`` ("Partial ARN - 123456789012:function:my-function. You can append a version number or
alias to any of the formats", FunctionName). ``$LATEST`` is a version Lambda names itself; the name's form
reached the ARN escaped as every name does (``${$}LATEST``, ``templates.escape``), the ``Qualifier``'s raw
(``$LATEST``), so calls of the two forms, and a denied call beside its refusal's ARN (escaped since
ada2571), were granted one function version in two spellings.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

LATEST = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-function:${{$}}LATEST"


def uses(params: dict[str, Any], mapper: EventMapper, **kw: Any) -> tuple[tuple[str, str], ...]:
    return mapper.map(cloudtrail_record("lambda.amazonaws.com", "GetFunction", params, **kw)).uses


def test_both_forms_of_the_qualifier_are_one_arn() -> None:
    mapper = EventMapper()
    assert uses({"functionName": "my-function", "qualifier": "$LATEST"}, mapper) == (
        ("lambda:GetFunction", LATEST),
    )
    assert uses({"functionName": "my-function:$LATEST"}, mapper) == (("lambda:GetFunction", LATEST),)


def test_a_denied_call_is_granted_its_version_once() -> None:
    message = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app-role/botocore-session-1700000000 is not authorized "
        f"to perform: lambda:GetFunction on resource: arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-function"
        ":$LATEST because no identity-based policy allows the lambda:GetFunction action"
    )
    params = {"functionName": "my-function", "qualifier": "$LATEST"}
    granted = uses(params, EventMapper(), error_code="AccessDeniedException", error_message=message)
    assert granted == (("lambda:GetFunction", LATEST),)
