"""API Gateway's HTTP and WebSocket APIs (the v2 API) are granted on their own paths.

The Service Authorization Reference has two pages for the one ``apigateway`` namespace: REST APIs
(list_amazonapigatewaymanagement.html) and HTTP/WebSocket APIs (list_amazonapigatewaymanagementv2.html).
Both name their actions ``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE``; the reference data kept only the
REST page's resource types for them, so ``GetApi`` (``GET /v2/apis/{apiId}``, API Gateway V2 API Reference)
filled ``arn:...::/apis/ID`` from the table, found no type of ``apigateway:GET`` it fits and fell back to
``*``. The build adds the HTTP page's types (``build_reference_data.SECOND_PAGE_TYPES``). CloudTrail writes
the path parameters as the API reference names them (``apiId``, ``routeId``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import granted

APIGW = "arn:aws:apigateway:us-east-1::"
SOURCE = "apigateway.amazonaws.com"


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return granted(SOURCE, name, params)


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("GetApi", {"apiId": "a1b2c3d4e5"}, {("apigateway:GET", f"{APIGW}/apis/a1b2c3d4e5")}),
        ("GetApis", {}, {("apigateway:GET", f"{APIGW}/apis")}),
        (
            "CreateApi",
            {"name": "orders", "protocolType": "HTTP"},
            {("apigateway:POST", f"{APIGW}/apis")},
        ),
        (
            "UpdateApi",
            {"apiId": "a1b2c3d4e5", "name": "orders"},
            {("apigateway:PATCH", f"{APIGW}/apis/a1b2c3d4e5")},
        ),
        ("DeleteApi", {"apiId": "a1b2c3d4e5"}, {("apigateway:DELETE", f"{APIGW}/apis/a1b2c3d4e5")}),
        (
            "CreateRoute",
            {"apiId": "a1b2c3d4e5", "routeKey": "GET /orders"},
            {("apigateway:POST", f"{APIGW}/apis/a1b2c3d4e5/routes")},
        ),
        (
            "GetRoute",
            {"apiId": "a1b2c3d4e5", "routeId": "r0ut3id"},
            {("apigateway:GET", f"{APIGW}/apis/a1b2c3d4e5/routes/r0ut3id")},
        ),
        (
            "CreateIntegration",
            {"apiId": "a1b2c3d4e5", "integrationType": "AWS_PROXY"},
            {("apigateway:POST", f"{APIGW}/apis/a1b2c3d4e5/integrations")},
        ),
        (
            "DeleteCorsConfiguration",
            {"apiId": "a1b2c3d4e5"},
            {("apigateway:DELETE", f"{APIGW}/apis/a1b2c3d4e5/cors")},
        ),
        (
            "CreateApiMapping",
            {"domainName": "api.example.com", "apiId": "a1b2c3d4e5", "stage": "prod"},
            {("apigateway:POST", f"{APIGW}/domainnames/api.example.com/apimappings")},
        ),
    ],
)
def test_an_http_api_call_is_granted_on_its_path(
    name: str, params: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert uses(name, params) == expected


def test_a_rest_api_stage_stays_under_restapis() -> None:
    """The same method name of the REST API (``GetStage`` with ``restApiId``) keeps its own path."""
    assert uses("GetStage", {"restApiId": "m5zr3vnks7", "stageName": "test"}) == {
        ("apigateway:GET", f"{APIGW}/restapis/m5zr3vnks7/stages/test")
    }


def test_creating_a_domain_name_is_granted_on_the_collection_only() -> None:
    """``POST /domainnames`` creates the name; the mappings under it are created by their own calls
    (``CreateApiMapping``, ``CreateBasePathMapping``), which the same POST on the new name's
    ``/apimappings`` or ``/basepathmappings`` would have allowed without being asked for."""
    assert uses("CreateDomainName", {"domainName": "api.example.com"}) == {
        ("apigateway:POST", f"{APIGW}/domainnames")
    }
