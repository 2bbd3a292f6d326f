"""SSM PutComplianceItems is granted on the node its request names.

"ResourceId: Specify an ID for this resource. For a managed node, this is the node ID", "ResourceType:
Specify the type of resource. ManagedInstance is currently the only supported resource type" (SSM API
Reference, PutComplianceItems); the reference lists ``instance`` and ``managed-instance`` for the action.
The SSM Agent calls it with the node's own credentials after every patch scan (AWS-RunPatchBaseline), so
an instance role's policy holds it. iam-dataset fills the node with ``*``, and ``ResourceId`` names no
variable the mapper reads: ``*`` with the resource-undetermined finding. Found by the QA pass, checking
the SSM Agent's calls beside the elastic/integrations and Panther records of its channels. The node's ARN by
its id as every SSM node's (``i-`` an EC2 instance, ``mi-`` a managed node).
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record


def compliance(resource_id: str) -> dict[str, object]:
    params = {
        "resourceId": resource_id,
        "resourceType": "ManagedInstance",
        "complianceType": "Patch",
        "executionSummary": {"executionTime": "Dec 5, 2026 3:00:00 PM", "executionType": "Command"},
        "items": [{"severity": "UNSPECIFIED", "status": "COMPLIANT"}],
        "itemContentHash": "2ed2e3c2e7b0d1e5c9f6a8b7c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5",
    }
    return cloudtrail_record("ssm.amazonaws.com", "PutComplianceItems", params)


def test_an_instance_by_id() -> None:
    event = EventMapper().map(compliance("i-0123456789abcdef0"))
    assert event.uses == (
        ("ssm:PutComplianceItems", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0"),
    )
    assert event.notes == ()


def test_a_managed_node_by_id() -> None:
    event = EventMapper().map(compliance("mi-0123456789abcdef0"))
    assert event.uses == (
        ("ssm:PutComplianceItems", f"arn:aws:ssm:us-east-1:{ACCOUNT}:managed-instance/mi-0123456789abcdef0"),
    )
    assert event.notes == ()
