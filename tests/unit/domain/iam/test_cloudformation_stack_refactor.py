"""CreateStackRefactor names its stacks in ``stackDefinitions``; it was granted ``*`` with the
resource-undetermined finding (``rules.CURATED_ENTRIES``)."""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

STACKS = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack"


def test_each_stack_of_the_refactor_by_name() -> None:
    """CloudFormation API Reference, CreateStackRefactor: "StackDefinitions: The stacks being refactored",
    each a StackDefinition with "StackName: The name associated with the stack", ``TemplateBody`` or
    ``TemplateURL``; a stack's ARN is ``stack/${StackName}/${Id}``, the id generated (``*``, as the SDK
    table writes for DescribeStackEvents)."""
    event = EventMapper().map(
        cloudtrail_record(
            "cloudformation.amazonaws.com",
            "CreateStackRefactor",
            {
                "description": "Move the queue to its own stack",
                "enableStackCreation": True,
                "stackDefinitions": [
                    {
                        "stackName": "orders-prod",
                        "templateURL": "https://s3.amazonaws.com/cfn-templates/orders.yaml",
                    },
                    {
                        "stackName": "queues-prod",
                        "templateURL": "https://s3.amazonaws.com/cfn-templates/queues.yaml",
                    },
                ],
                "resourceMappings": [
                    {
                        "source": {"stackName": "orders-prod", "logicalResourceId": "OrdersQueue"},
                        "destination": {"stackName": "queues-prod", "logicalResourceId": "OrdersQueue"},
                    }
                ],
            },
        )
    )
    assert set(event.uses) == {
        ("cloudformation:CreateStackRefactor", f"{STACKS}/orders-prod/*"),
        ("cloudformation:CreateStackRefactor", f"{STACKS}/queues-prod/*"),
    }
