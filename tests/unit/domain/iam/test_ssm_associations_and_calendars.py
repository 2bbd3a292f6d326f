"""SSM associations and change calendars are granted on the documents and nodes their requests name.

SSM API Reference: CreateAssociation's "Name: The name of the SSM Command document or Automation runbook
that contains the configuration information for the managed node" and "InstanceId: The managed node ID";
CreateAssociationBatch takes the same fields in each of its ``Entries`` (CreateAssociationBatchRequestEntry).
The nodes of "Targets: The targets for the association" are not authorized, whatever their key: "A request
is only validated against policy resources if the request parameter contains the specified policy
resources. For example, if you specify an instance in the resource block, the policy is enforced if the
request uses the InstanceId parameter. The Targets parameter for each resource in the account isn't checked
for that InstanceId" (SSM User Guide, "Working with associations using IAM"). GetCalendarState's
"CalendarNames: The names of Amazon Resource Names (ARNs) of the Systems Manager documents (SSM documents)
that represent the calendar entries". iam-dataset reads a document only when ``Name`` is an ARN and gives
nodes and calendars ``*``: GetCalendarState and CreateAssociationBatch were granted ``*``, CreateAssociation
by name ``document/*``. AWS's own documents have no account in their ARN. Records in CloudTrail's
lowerCamelCase.
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
    }
    assert event.notes == ()


def test_an_association_s_document_and_node() -> None:
    params = {"name": "patch-baseline", "instanceId": "mi-0123456789abcdef0"}
    event = mapped("CreateAssociation", params)
    assert {
        ("ssm:CreateAssociation", f"{SSM}:document/patch-baseline"),
        ("ssm:CreateAssociation", f"{SSM}:managed-instance/mi-0123456789abcdef0"),
    } <= set(event.uses)
    assert ("ssm:CreateAssociation", f"{SSM}:document/*") not in event.uses


def test_an_association_s_targets_are_not_authorized_whatever_their_key() -> None:
    """``Key=InstanceIds,Values=*`` targets every node of the account ("You can target all managed nodes in
    an Amazon Web Services account by specifying the InstanceIds key with a value of *", SSM API Reference,
    CreateAssociation's Targets): it was granted on ``instance/${*}``, IAM's literal asterisk; listed ids were
    granted as instances, a grant IAM never checks."""
    for targets in (
        [{"key": "InstanceIds", "values": ["*"]}],
        [{"key": "InstanceIds", "values": ["i-0123456789abcdef0", "mi-0123456789abcdef0"]}],
        [{"key": "tag:Environment", "values": ["prod"]}],
        [{"key": "resource-groups:Name", "values": ["web-servers"]}],
    ):
        event = mapped("CreateAssociation", {"name": "AWS-RunPatchBaseline", "targets": targets})
        assert set(event.uses) == {
            ("ssm:CreateAssociation", "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline"),
            ("ssm:CreateAssociation", f"{SSM}:association/*"),
        }, targets


def test_the_agent_s_association_status_names_its_document_and_node() -> None:
    """UpdateAssociationStatus "is primarily used by the Amazon Web Services Systems Manager Agent (SSM Agent)
    to report status updates about your associations", with "Name: The name of the SSM document" and
    "InstanceId: The managed node ID" (SSM API Reference): the table read the node only, and the document,
    required, was granted ``document/*`` with the finding though the request names it."""
    params = {
        "name": "AWS-RunPatchBaseline",
        "instanceId": "i-0123456789abcdef0",
        "associationStatus": {"date": "Dec 5, 2026 9:00:00 AM", "name": "Success", "message": "Success"},
    }
    event = mapped("UpdateAssociationStatus", params)
    assert set(event.uses) == {
        ("ssm:UpdateAssociationStatus", "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline"),
        ("ssm:UpdateAssociationStatus", f"{EC2}:instance/i-0123456789abcdef0"),
    }
    assert event.notes == ()
