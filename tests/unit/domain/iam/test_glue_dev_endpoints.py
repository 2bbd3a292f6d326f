"""Glue development endpoints are named by ``EndpointName``, which the SDK table's entries for their calls did
not read: they were granted ``*`` with the resource-undetermined finding (``rules.CURATED_ENTRIES``)."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MAPPER = EventMapper()


@pytest.mark.parametrize("name", ["GetDevEndpoint", "DeleteDevEndpoint", "UpdateDevEndpoint"])
def test_a_dev_endpoint_by_its_endpoint_name(name: str) -> None:
    """AWS Glue API, GetDevEndpoint: ``{"EndpointName": "string"}``, "Name of the DevEndpoint to retrieve
    information for" (DeleteDevEndpoint, UpdateDevEndpoint: the same member); CloudTrail logs it as
    ``endpointName``. The reference's ``devendpoint`` is ``devEndpoint/${DevEndpointName}``."""
    params: dict[str, object] = {"endpointName": "etl-notebook"}
    if name == "UpdateDevEndpoint":
        params["updateEtlLibraries"] = True
    event = MAPPER.map(cloudtrail_record("glue.amazonaws.com", name, params))
    assert event.uses == ((f"glue:{name}", f"arn:aws:glue:us-east-1:{ACCOUNT}:devEndpoint/etl-notebook"),)
    assert event.notes == ()
