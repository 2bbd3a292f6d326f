"""A required parent the request names only inside a child's ARN is granted whole.

ECS DescribeServiceDeployments and DescribeServiceRevisions take ARNs only (``serviceDeploymentArns``,
``serviceRevisionArns``), and the Service Authorization Reference requires the ``service`` besides the
deployment or revision. A deployment's ARN holds its cluster and service: the ECS API Reference's example
(DescribeServiceDeployments, Example 1) asks for
``arn:aws:ecs:us-west-2:123456789012:service-deployment/example/sd-example/NCWGC2ZR-taawPAYrIaU5`` and answers
with its ``"serviceArn": "arn:aws:ecs:us-west-2:123456789012:service/example/sd-example"`` and the target
revision ``service-revision/example/sd-example/4980306466373577095``. The service was granted as
``service/example/*`` with the resource-undetermined finding. A variable name two types merely share is no
parent: Cloud Directory's applied schema ``directory/D/schema/NAME/VERSION`` is not inside the
``developmentschema`` NAME, which keeps its wildcard, said.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

ECS = "arn:aws:ecs:us-west-2:123456789012"
DEPLOYMENT = f"{ECS}:service-deployment/example/sd-example/NCWGC2ZR-taawPAYrIaU5"
REVISION = f"{ECS}:service-revision/example/sd-example/4980306466373577095"
OTHER_REVISION = f"{ECS}:service-revision/example/orders/4980306466373577111"


def mapped(source: str, name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record(source, name, params, region="us-west-2"))
    assert event.kind == "mapped"
    return event


def test_a_service_deployment_names_its_service() -> None:
    event = mapped("ecs.amazonaws.com", "DescribeServiceDeployments", {"serviceDeploymentArns": [DEPLOYMENT]})
    action = "ecs:DescribeServiceDeployments"
    assert set(event.uses) == {(action, DEPLOYMENT), (action, f"{ECS}:service/example/sd-example")}
    assert event.notes == ()


def test_each_revision_names_its_own_service() -> None:
    event = mapped(
        "ecs.amazonaws.com", "DescribeServiceRevisions", {"serviceRevisionArns": [REVISION, OTHER_REVISION]}
    )
    action = "ecs:DescribeServiceRevisions"
    assert set(event.uses) == {
        (action, REVISION),
        (action, OTHER_REVISION),
        (action, f"{ECS}:service/example/sd-example"),
        (action, f"{ECS}:service/example/orders"),
    }
    assert event.notes == ()


def test_a_shared_variable_name_is_no_parent() -> None:
    directory = f"arn:aws:clouddirectory:us-west-2:{ACCOUNT}"
    applied = f"{directory}:directory/AfI8x0uNUz2tKaXLoBCTbTI/schema/org/1"
    event = mapped("clouddirectory.amazonaws.com", "GetFacet", {"schemaArn": applied, "name": "Person"})
    assert ("clouddirectory:GetFacet", f"{directory}:schema/development/*") in event.uses
