"""API Gateway's tags are a resource of their own, ``/tags/<the tagged resource's URL-encoded ARN>``.

The reference's ``tags`` type (of apigateway:GET, PUT and DELETE) is
``arn:${Partition}:apigateway:${Region}::/tags/${UrlEncodedResourceARN}``; the API Gateway Developer Guide
("Tagging your API Gateway resources") calls ``PUT /tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis
%2Fm5zr3vnks7%2Fstages%2Ftest``, ``DELETE /tags/...?tagKeys=Department`` and ``GET /tags/...``. The REST API's
TagResource is ``PUT /tags/{resource_arn}``, the HTTP/WebSocket API's ``POST /v2/tags/{resource-arn}``
(botocore apigateway/2015-07-09, apigatewayv2/2018-11-29). Before: UntagResource and GetTags were granted
DELETE and GET on the tagged REST API or stage itself (DELETE on ``/restapis/ID`` is what DeleteRestApi
needs), and a REST API's TagResource apigateway:POST on ``*``. The records carry ``resourceArn`` with
``tags`` or ``tagKeys`` (the API Reference's members, in CloudTrail's lowerCamelCase).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record, granted

REST_API = "arn:aws:apigateway:us-east-1::/restapis/m5zr3vnks7"
STAGE = f"{REST_API}/stages/test"
TAGS = "arn:aws:apigateway:us-east-1::/tags/"
STAGE_TAGS = TAGS + "arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fm5zr3vnks7%2Fstages%2Ftest"
API_TAGS = TAGS + "arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fm5zr3vnks7"


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        (
            "TagResource",
            {"resourceArn": STAGE, "tags": {"Department": "Sales"}},
            ("apigateway:PUT", STAGE_TAGS),
        ),
        (
            "UntagResource",
            {"resourceArn": STAGE, "tagKeys": ["Department"]},
            ("apigateway:DELETE", STAGE_TAGS),
        ),
        ("GetTags", {"resourceArn": REST_API}, ("apigateway:GET", API_TAGS)),
    ],
)
def test_a_tagging_call_is_granted_on_the_tags_of_what_it_names(
    name: str, params: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert granted("apigateway.amazonaws.com", name, params) == {expected}


def test_untagging_a_rest_api_grants_nothing_on_the_rest_api_itself() -> None:
    uses = granted(
        "apigateway.amazonaws.com", "UntagResource", {"resourceArn": REST_API, "tagKeys": ["team"]}
    )
    assert ("apigateway:DELETE", REST_API) not in uses


def test_an_http_api_is_tagged_by_post_as_before() -> None:
    """The HTTP/WebSocket API's verb, whose reference types hold no ``tags`` resource: ``*``, said."""
    record = cloudtrail_record(
        "apigateway.amazonaws.com",
        "TagResource",
        {"resourceArn": "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5", "tags": {"team": "orders"}},
    )
    event = EventMapper().map(record)
    assert event.uses == (("apigateway:POST", "*"),)
    assert [n[1] for n in event.notes] == ["resource-undetermined"]
    # why: the verb's types, not the record's form ("the record does not name the resource in a form the
    # mapper reads" before)
    assert "reference gives apigateway:POST no tags resource to name" in event.notes[0][2]


@pytest.mark.parametrize(
    "arn",
    [
        # "DomainName: arn:partition:apigateway:region::/domainnames/domain-name" and "VpcLink:
        # arn:partition:apigateway:region::/vpclinks/vpclink-id" in both the HTTP/WebSocket API and the REST
        # API tables (API Gateway Developer Guide, "API Gateway Amazon Resource Name (ARN) reference")
        "arn:aws:apigateway:us-east-1::/domainnames/api.example.com",
        "arn:aws:apigateway:us-east-1::/vpclinks/gim7c3",
    ],
)
def test_a_resource_both_apis_share_is_tagged_as_the_rest_api_s_said(arn: str) -> None:
    """TagResource of a domain name or VPC link: the REST API's PUT on its tags, and the finding that a call
    through the HTTP/WebSocket API (POST /v2/tags/...) is not granted: it was refused, unsaid."""
    event = EventMapper().map(
        cloudtrail_record(
            "apigateway.amazonaws.com", "TagResource", {"resourceArn": arn, "tags": {"team": "edge"}}
        )
    )
    encoded = arn.replace(":", "%3A").replace("/", "%2F")
    assert event.uses == (("apigateway:PUT", TAGS + encoded),)
    [(severity, code, message)] = event.notes
    assert (severity, code) == ("warning", "resource-undetermined")
    assert "add apigateway:POST if it was one" in message


def test_a_rest_api_s_own_resource_is_not_said_to_be_another_api_s() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "apigateway.amazonaws.com", "TagResource", {"resourceArn": STAGE, "tags": {"team": "edge"}}
        )
    )
    assert event.notes == ()


def test_a_stage_named_with_a_dollar_is_encoded_not_read_as_a_variable() -> None:
    """An HTTP API's default stage is ``$default``: URL-encoded as ``%24default`` in the tags path."""
    stage = "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5/stages/$default"
    assert granted("apigateway.amazonaws.com", "GetTags", {"resourceArn": stage}) == {
        (
            "apigateway:GET",
            TAGS + "arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fa1b2c3d4e5%2Fstages%2F%24default",
        )
    }
