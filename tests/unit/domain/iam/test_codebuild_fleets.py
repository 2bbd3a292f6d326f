"""CodeBuild BatchGetFleets by "names: The names or ARNs of the compute fleets" (CodeBuild API Reference).

A fleet's ARN is ``fleet/${FleetName}:${FleetId}`` (Service Authorization Reference), the id one CodeBuild
assigns: a fleet by name is ``fleet/NAME:*`` (names are unique in an account and Region), by ARN itself.
Both were granted ``*`` with the resource-undetermined finding. Records in the API's lowerCamelCase, as
CloudTrail logs CodeBuild's JSON parameters.
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

BASE = f"arn:aws:codebuild:us-east-1:{ACCOUNT}"


def test_fleets_by_name_and_by_arn() -> None:
    fleet = f"{BASE}:fleet/arm-large:2b6c0a5e-8f7d-4c3b-9e1a-0d4f5a6b7c8d"
    event = EventMapper().map(
        cloudtrail_record("codebuild.amazonaws.com", "BatchGetFleets", {"names": ["linux-small", fleet]})
    )
    assert set(event.uses) == {
        ("codebuild:BatchGetFleets", f"{BASE}:fleet/linux-small:*"),
        ("codebuild:BatchGetFleets", fleet),
    }
    assert event.notes == ()
