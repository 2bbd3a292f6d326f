"""iam-dataset's template language against CloudTrail-shaped parameters."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from policygen_operator.domain.iam.templates import (
    compile_condition,
    compile_template,
    escape,
    lookup_path,
    percent_decoded,
    percent_encoded,
)

PARAMS: dict[str, Any] = {
    "bucketName": "b",
    "key": "k",
    "functionName": "arn:aws:lambda:us-east-1:111122223333:function:f:live",
    "queueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q",
    "names": ["/a", "/b"],
    "budget": {"budgetName": "monthly"},
    "networkInterfaces": [{"networkInterfaceId": "eni-1"}, {"networkInterfaceId": "eni-2"}],
    "path": "/app/",
    "withDecryption": True,
}


def run(template: str) -> list[str] | None:
    return compile_template(template)(lambda path: lookup_path(PARAMS, path))


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${Bucket}", ["b"]),  # SDK name -> CloudTrail's bucketName
        ("${Key}", ["k"]),  # UpperCamel -> lowerCamel
        ("${Budget.BudgetName}", ["monthly"]),
        ("${Names[]}", ["/a", "/b"]),
        ("${NetworkInterfaces[].NetworkInterfaceId}", ["eni-1", "eni-2"]),
        ("${Bucket}/${Key}", ["b/k"]),
        ("${WithDecryption}", ["true"]),
        ("${Missing}", None),
        ("prefix-${Missing}", None),
        ("%%regex%${QueueUrl}%/^.+\\/(.+?)$/g%%", ["q"]),
        ("%%regex%${Path}%/^\\/(.+)$/g%%*", ["app/*"]),
        ("%%regex%${Bucket}%/^(zzz)$/g%%", None),
        ("%%iftruthy%${Bucket}%yes%no%%", ["yes"]),
        ("%%iftruthy%${Missing}%yes%%%", [""]),
        ("%%many%${Bucket}%${Key}%${Missing}%%", ["b", "k"]),
        ("%%iftemplatematch%${Key}%%", ["k"]),
        ("*", ["*"]),
    ],
)
def test_templates(template: str, expected: list[str] | None) -> None:
    assert run(template) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"lhs": "VersionId", "op": "NotExists"}, True),
        ({"lhs": "Key", "op": "Exists"}, True),
        ({"lhs": "Budget", "op": "Exists"}, True),  # an object counts as present
        ({"lhs": "Bucket", "op": "NotStartsWith", "rhs": "arn:"}, True),
        ({"lhs": "FunctionName", "op": "NotStartsWith", "rhs": "arn:"}, False),
        ({"lhs": "QueueUrl", "op": "IContains", "rhs": "SQS."}, True),
        ({"lhs": "Key", "op": "Exists", "andCondition": {"lhs": "Bucket", "op": "NotExists"}}, False),
        ({"lhs": "Key", "op": "NotEquals", "rhs": "k"}, False),
    ],
)
def test_conditions(condition: dict[str, Any], expected: bool) -> None:
    predicate = compile_condition(condition)
    assert predicate is not None
    assert predicate(PARAMS) is expected


@pytest.mark.parametrize("op", ["Exists", "NotExists", "Equals", "NotEquals", "StartsWith", "NotStartsWith"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"bucketName": "b"},  # only other parameters
        {"x-amz-acl": "private"},
        {"xAmzAcl": "private"},  # a spelling not tried: absent
        {"x-amz-acl": None},
        {"x-amz-acl": ""},
        {"x-amz-acl": []},
        {"x-amz-acl": ["", "private"]},
        {"x-amz-acl": '["private"]'},  # CloudTrail Lake's JSON text
        {"x-amz-acl": {}},
    ],
)
def test_a_condition_on_one_parameter_reads_a_request_as_the_path_walk_does(
    op: str, params: dict[str, Any]
) -> None:
    """A top-level parameter's condition skips the path walk for a dict holding none of its spellings
    (``compile_condition``'s shortcut); a mapping of another class takes the walk, and both agree."""
    predicate = compile_condition({"lhs": "x-amz-acl", "op": op, "rhs": "private"})
    assert predicate is not None
    assert predicate(params) is predicate(MappingProxyType(params))


def test_escape_and_writable_agree_with_their_definitions_on_every_character() -> None:
    """``escape`` and ``writable`` take fast paths (substring and ASCII checks) on the hot path of every
    memo miss; over the code points, alone and inside an ARN, they agree with the definitions: the
    three special characters escaped, control characters (U+0000-U+001F, U+007F) unwritable. (Every code
    point below U+3000, ASCII and Latin-1 included, and a spread of the rest, to stay fast.)"""
    from policygen_operator.domain.iam.mapping.records import writable

    specials = {"*": "${*}", "?": "${?}", "$": "${$}"}
    control = {chr(c) for c in (*range(0x20), 0x7F)}
    for code in [*range(0x3000), *range(0x3000, 0x110000, 251)]:
        char = chr(code)
        for value in (char, f"arn:aws:s3:::bucket/{char}key"):
            assert escape(value) == "".join(specials.get(c, c) for c in value)
            assert writable(value) == control.isdisjoint(value), repr(value)


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        # the API Gateway Developer Guide's tagging path ("PUT /tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A
        # %2Frestapis%2Fm5zr3vnks7%2Fstages%2Ftest", "Tagging your API Gateway resources")
        (
            "arn:aws:apigateway:us-east-1::/restapis/m5zr3vnks7/stages/test",
            "arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fm5zr3vnks7%2Fstages%2Ftest",
        ),
        ("$default", "%24default"),
        ("a b*?~_.-é", "a%20b%2A%3F~_.-%C3%A9"),
    ],
)
def test_percent_encoding_keeps_only_the_unreserved_characters(text: str, encoded: str) -> None:
    assert percent_encoded(text) == encoded
    assert percent_decoded(encoded) == text
