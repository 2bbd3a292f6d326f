"""SSM associations and change calendars are granted on the documents and nodes their requests name.

SSM API Reference: CreateAssociation's "Name: The name of the SSM Command document or Automation runbook
that contains the configuration information for the managed node", "InstanceId: The managed node ID" and
"Targets: The targets for the association", whose ``Key=InstanceIds,Values=instance-id-1,...`` names nodes
(a ``tag:`` key names none); CreateAssociationBatch takes the same fields in each of its ``Entries``
(CreateAssociationBatchRequestEntry). GetCalendarState's "CalendarNames: The names of Amazon Resource Names
(ARNs) of the Systems Manager documents (SSM documents) that represent the calendar entries". iam-dataset
reads a document only when ``Name`` is an ARN and gives nodes and calendars ``*``: GetCalendarState and
CreateAssociationBatch were granted ``*``, CreateAssociation by name ``document/*``, and a target's nodes
nothing. AWS's own documents have no account in their ARN. Records in CloudTrail's lowerCamelCase.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record

SSM = f"arn:aws:ssm:us-east-1:{ACCOUNT}"
EC2 = f"arn:aws:ec2:us-east-1:{ACCOUNT}"


def mapped(name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record("ssm.amazonaws.com", name, params))
    assert event.kind == "mapped"
    return event


def test_calendar_state_of_named_calendars() -> None:
    shared = f"arn:aws:ssm:us-east-1:{OTHER_ACCOUNT}:document/release-freeze"
    event = mapped("GetCalendarState", {"calendarNames": ["maintenance-window", shared]})
    assert set(event.uses) == {
        ("ssm:GetCalendarState", f"{SSM}:document/maintenance-window"),
        ("ssm:GetCalendarState", shared),
    }
    assert event.notes == ()


def test_each_entry_of_an_association_batch() -> None:
    entries = [
        {"name": "AWS-UpdateSSMAgent", "instanceId": "i-0123456789abcdef0"},
        {
            "name": "patch-baseline",
            "targets": [{"key": "InstanceIds", "values": ["i-0fedcba9876543210", "mi-0123456789abcdef0"]}],
        },
        {"name": "inventory", "targets": [{"key": "tag:Environment", "values": ["prod"]}]},
    ]
    event = mapped("CreateAssociationBatch", {"entries": entries})
    action = "ssm:CreateAssociationBatch"
    assert set(event.uses) == {
        (action, "arn:aws:ssm:us-east-1::document/AWS-UpdateSSMAgent"),
        (action, f"{SSM}:document/patch-baseline"),
        (action, f"{SSM}:document/inventory"),
        (action, f"{EC2}:instance/i-0123456789abcdef0"),
        (action, f"{EC2}:instance/i-0fedcba9876543210"),
        (action, f"{SSM}:managed-instance/mi-0123456789abcdef0"),
    }
    assert event.notes == ()


def test_an_association_s_document_and_target_nodes() -> None:
    params = {
        "name": "patch-baseline",
        "targets": [{"key": "InstanceIds", "values": ["i-0123456789abcdef0"]}],
    }
    event = mapped("CreateAssociation", params)
    assert {
        ("ssm:CreateAssociation", f"{SSM}:document/patch-baseline"),
        ("ssm:CreateAssociation", f"{EC2}:instance/i-0123456789abcdef0"),
    } <= set(event.uses)
    assert ("ssm:CreateAssociation", f"{SSM}:document/*") not in event.uses
