"""SSM's tag calls are granted on the one resource ``ResourceType`` and ``ResourceId`` name.

AddTagsToResource, RemoveTagsFromResource and ListTagsForResource take "ResourceType: Specifies the type of
resource you are tagging" (Document, ManagedInstance, MaintenanceWindow, Parameter, PatchBaseline, OpsItem,
OpsMetadata, Automation, Association, CloudConnector) and "ResourceId: ... For the Document and Parameter
values, use the name of the resource" (SSM API Reference, AddTagsToResource). The table filled the id into
each format whose variable is spelled ``${ResourceId}``: maintenancewindow, opsitem and opsmetadata, whatever
the type, so a parameter's tags were granted on ``maintenancewindow//credentials/...`` and two more ARNs
naming nothing, never on the parameter: the call was refused.

Found by the QA pass on the invictus-ir AWS dataset (Stratus Red Team runs by Terraform, whose AWS provider
reads the tags of every parameter it manages), as republished in
https://github.com/Yamato-Security/suzaku-sample-data (invictus-ir/218007301253_CloudTrail_us-east-1_
20230710T1200Z_iLj9fb7yyUG9X4Bf.json): ``"requestParameters": {"resourceType": "Parameter", "resourceId":
"/credentials/stratus-red-team/credentials-30"}``.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity

SSM = f"arn:aws:ssm:us-east-1:{ACCOUNT}:"
TERRAFORM = "APN/1.0 HashiCorp/1.0 Terraform/1.1.2 terraform-provider-aws/3.76.1 aws-sdk-go/1.44.157"


def tag_call(name: str, kind: str, resource_id: str, **extra: object) -> dict[str, object]:
    record = cloudtrail_record(
        "ssm.amazonaws.com",
        name,
        {"resourceType": kind, "resourceId": resource_id, **extra},
        identity=user_identity(user="bert-jan"),
    )
    record["userAgent"] = TERRAFORM
    return record


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("ListTagsForResource", {}),
        ("AddTagsToResource", {"tags": [{"key": "StratusRedTeam", "value": "true"}]}),
        ("RemoveTagsFromResource", {"tagKeys": ["StratusRedTeam"]}),
    ],
)
def test_a_parameter_by_its_name(name: str, extra: dict[str, object]) -> None:
    event = EventMapper().map(
        tag_call(name, "Parameter", "/credentials/stratus-red-team/credentials-30", **extra)
    )
    assert event.uses == ((f"ssm:{name}", f"{SSM}parameter/credentials/stratus-red-team/credentials-30"),)
    assert event.notes == ()


@pytest.mark.parametrize(
    ("kind", "resource_id", "arn"),
    [
        ("Document", "Deploy-App", f"{SSM}document/Deploy-App"),
        ("MaintenanceWindow", "mw-012345abcde", f"{SSM}maintenancewindow/mw-012345abcde"),
        ("PatchBaseline", "pb-012345abcde", f"{SSM}patchbaseline/pb-012345abcde"),
        ("ManagedInstance", "mi-1a2b3c4d5e6f", f"{SSM}managed-instance/mi-1a2b3c4d5e6f"),
        ("OpsItem", "oi-1a2b3c4d5e6f", f"{SSM}opsitem/oi-1a2b3c4d5e6f"),
        # "has a ResourceID of either aws/ssm/MyGroup/appmanager or /aws/ssm/MyGroup/appmanager"
        ("OpsMetadata", "/aws/ssm/MyGroup/appmanager", f"{SSM}opsmetadata/aws/ssm/MyGroup/appmanager"),
        (
            "Automation",
            "example-c160-4567-8519-012345abcde",
            f"{SSM}automation-execution/example-c160-4567-8519-012345abcde",
        ),
        (
            "Association",
            "8dfe3659-4309-493a-8755-0123456789ab",
            f"{SSM}association/8dfe3659-4309-493a-8755-0123456789ab",
        ),
    ],
)
def test_each_type_its_own_arn(kind: str, resource_id: str, arn: str) -> None:
    event = EventMapper().map(tag_call("ListTagsForResource", kind, resource_id))
    assert event.uses == (("ssm:ListTagsForResource", arn),)


def test_a_shared_document_by_its_arn() -> None:
    """ "If you're tagging a shared document, you must use the full ARN of the document"."""
    shared = "arn:aws:ssm:us-east-1:444455556666:document/Shared-Runbook"
    event = EventMapper().map(tag_call("AddTagsToResource", "Document", shared, tags=[]))
    assert event.uses == (("ssm:AddTagsToResource", shared),)


def test_a_type_without_a_known_arn_is_said_not_guessed() -> None:
    event = EventMapper().map(tag_call("ListTagsForResource", "SomeNewType", "x-0123"))
    assert event.uses == (("ssm:ListTagsForResource", "*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]
