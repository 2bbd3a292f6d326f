"""An action whose resource types are all optional is authorized on the one the request names; where the
request names it by its name and its ARN ends in an id the service generates, the name with ``*`` for the
id is that resource (``fill._partly_named``), as ``_with_whole_types`` does for required types. These calls
were granted ``*`` with the resource-undetermined finding."""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MAPPER = EventMapper()
STACKS = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack"
CHANGE_SETS = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:changeSet"


def test_cloudformation_describe_events_of_a_stack_by_name() -> None:
    """CloudFormation API Reference, DescribeEvents: "StackName: The name or unique stack ID for which you
    want to retrieve events"; the reference's ``cloudformation:DescribeEvents`` takes ``stack``
    (``stack/${StackName}/${Id}``) and ``changeset``, neither required. DescribeStackEvents, whose SDK
    table entry writes the id as ``*``, is granted ``stack/NAME/*`` for the same request."""
    event = MAPPER.map(
        cloudtrail_record("cloudformation.amazonaws.com", "DescribeEvents", {"stackName": "orders-prod"})
    )
    assert event.uses == (("cloudformation:DescribeEvents", f"{STACKS}/orders-prod/*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]


def test_cloudformation_describe_events_of_a_change_set_by_name() -> None:
    """ "ChangeSetName: The name or Amazon Resource Name (ARN) of the change set"; "If you specified the name
    of a change set, specify the stack name or ID (ARN) of the change set" (DescribeEvents). The change
    set's ARN is ``changeSet/${ChangeSetName}/${Id}``."""
    event = MAPPER.map(
        cloudtrail_record(
            "cloudformation.amazonaws.com",
            "DescribeEvents",
            {"stackName": "orders-prod", "changeSetName": "add-queue"},
        )
    )
    assert set(event.uses) == {
        ("cloudformation:DescribeEvents", f"{STACKS}/orders-prod/*"),
        ("cloudformation:DescribeEvents", f"{CHANGE_SETS}/add-queue/*"),
    }


def test_cloudformation_describe_events_of_a_stack_by_id_is_that_stack() -> None:
    stack = f"{STACKS}/orders-prod/51af3dc0-da77-11e4-872e-1234567db123"
    record = cloudtrail_record("cloudformation.amazonaws.com", "DescribeEvents", {"stackName": stack})
    event = MAPPER.map(record)
    assert event.uses == (("cloudformation:DescribeEvents", stack),)
    assert event.notes == ()


def test_cloudformation_describe_events_of_an_operation_names_no_stack() -> None:
    """ "OperationId: The unique identifier of the operation": no stack or change set is named."""
    event = MAPPER.map(
        cloudtrail_record(
            "cloudformation.amazonaws.com",
            "DescribeEvents",
            {"operationId": "5d1f9e4c-3a1b-4f7e-9c2d-8b6a0e1f2a3b"},
        )
    )
    assert event.uses == (("cloudformation:DescribeEvents", "*"),)


def test_ses_suppressed_destination_of_a_tenant() -> None:
    """SES API v2 Reference, GetSuppressedDestination: ``GET /v2/email/suppression/addresses/EmailAddress``
    with "TenantName: The name of the tenant whose suppression list you want to query. If you omit this
    parameter, the operation targets the account-level suppression list"; the reference's ``tenant`` is
    ``tenant/${TenantName}/${TenantId}``, optional for ``ses:GetSuppressedDestination``."""
    event = MAPPER.map(
        cloudtrail_record(
            "ses.amazonaws.com",
            "GetSuppressedDestination",
            {"emailAddress": "bounce@example.com", "tenantName": "retail"},
        )
    )
    assert event.uses == (
        ("ses:GetSuppressedDestination", f"arn:aws:ses:us-east-1:{ACCOUNT}:tenant/retail/*"),
    )
