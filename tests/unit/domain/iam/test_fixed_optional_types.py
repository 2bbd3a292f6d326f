"""Calls whose only resource type is one fixed resource and optional: Security Hub's ``hub`` is
``arn:${Partition}:securityhub:${Region}:${Account}:hub/default`` (Service Authorization Reference), no
variable to fill, and 57 Security Hub actions list it as their only, optional, type.

A request cannot name such a resource by any parameter: ``Name`` is the insight being created, ``InsightArn``
an insight (no type of these actions), ``AccountIds`` the members. Such calls were granted ``*`` with the
resource-undetermined finding "the record does not name the resource in a form the mapper reads", a warning
on the CLI for every one, though there was nothing to read; the grant is ``*`` as for any call over every
resource of optional types, and now said as nothing wider than the call. Found by the QA pass on Panther's
CloudTrail rule tests (panther-labs/panther-analysis, rules/aws_cloudtrail_rules), whose CreateInsight record
is the Security Hub User Guide's ("Logging Security Hub API calls with CloudTrail": ``"requestParameters":
{"Filters": {}, "ResultField": "ResourceId", "Name": "Test Insight"}``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import compile_plan, memo_key
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record

INSIGHT = f"arn:aws:securityhub:us-west-2:{ACCOUNT}:insight/{ACCOUNT}/custom/f4c4890b-ac6b-4c26-95f9"
HUB = f"arn:aws:securityhub:us-west-2:{ACCOUNT}:hub/default"


@pytest.mark.parametrize(
    ("event_name", "params"),
    [
        # Security Hub User Guide, "Logging Security Hub API calls with CloudTrail", the example record
        ("CreateInsight", {"Filters": {}, "ResultField": "ResourceId", "Name": "Test Insight"}),
        # Security Hub API Reference: "InsightArn: The ARN of the insight ..." (a path parameter)
        ("GetInsightResults", {"InsightArn": INSIGHT}),
        ("DeleteInsight", {"InsightArn": INSIGHT}),
        # "AccountIds: The list of account IDs for the Security Hub member accounts to return the details for"
        ("GetMembers", {"AccountIds": [OTHER_ACCOUNT]}),
        # CreateActionTarget: "Name", "Description", "Id" of the custom action
        ("CreateActionTarget", {"Name": "Send to chat", "Description": "Chat", "Id": "SendToChat"}),
    ],
)
def test_a_fixed_optional_resource_is_no_resource_left_unread(
    event_name: str, params: dict[str, Any]
) -> None:
    event = EventMapper().map(
        cloudtrail_record("securityhub.amazonaws.com", event_name, params, region="us-west-2")
    )
    assert event.kind == "mapped"
    assert event.uses == ((f"securityhub:{event_name}", "*"),)
    assert event.notes == ()
    assert event.reason == ""


def test_the_hub_by_its_arn_is_still_the_grant() -> None:
    """DescribeHub's ``HubArn`` ("The ARN of the Hub resource to retrieve") names the fixed resource:
    read as before, the guard."""
    event = EventMapper().map(
        cloudtrail_record("securityhub.amazonaws.com", "DescribeHub", {"HubArn": HUB}, region="us-west-2")
    )
    assert event.uses == (("securityhub:DescribeHub", HUB),)
    assert event.notes == ()


def test_a_fixed_type_beside_one_with_a_variable_still_says_what_it_could_not_read() -> None:
    """Glue GetCatalog is authorized on the fixed root ``catalog`` and on ``catalog/${CatalogName}``: a
    ``CatalogId`` ("The ID of the parent catalog in which the catalog resides", Glue API Reference) may name
    the second in a form the mapper does not read, and the finding stays (the guard)."""
    event = EventMapper().map(cloudtrail_record("glue.amazonaws.com", "GetCatalog", {"CatalogId": "sales"}))
    assert ("glue:GetCatalog", "*") in event.uses
    assert any(note[1] == "resource-undetermined" for note in event.notes)


@pytest.mark.parametrize("event_name", ["CreateInsight", "GetInsightResults", "GetMembers"])
def test_names_no_parameter_can_fill_are_not_in_the_memo_key(event_name: str) -> None:
    """The review found the rule above at the wrong depth: ``fill._names`` ignored the parameters of a call
    whose types are each one fixed resource, while ``plans.names_decide`` still said they decide, so the
    memo key of each of the 57 plans held every parameter name for nothing (a key per insight name). One
    rule now decides both: two requests that differ only in such a parameter share a key, and map alike."""
    mapper = EventMapper()
    plan = compile_plan(mapper.reference, "securityhub.amazonaws.com", event_name)
    assert not plan.reads_names
    records = [
        cloudtrail_record("securityhub.amazonaws.com", event_name, {"Name": name}, region="us-west-2")
        for name in ("Test Insight", "Other Insight")
    ]
    assert memo_key(plan, records[0], False) == memo_key(plan, records[1], False)
    assert mapper.map(records[0]).uses == mapper.map(records[1]).uses == ((f"securityhub:{event_name}", "*"),)
