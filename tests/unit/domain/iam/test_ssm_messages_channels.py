"""The SSM Agent's channel calls, logged under ``ssm.amazonaws.com``, are the ``ssmmessages`` actions.

The agent on a managed node opens its control and data channels through the Message Gateway Service
(``ssmmessages.REGION.amazonaws.com``), whose calls the reference authorizes as ``ssmmessages:
CreateControlChannel``, ``CreateDataChannel``, ``OpenControlChannel`` and ``OpenDataChannel`` (no ``ssm:``
action has those names). CloudTrail logs them as data events with ``"eventSource": "ssm.amazonaws.com"``
and a ``resources[]`` entry of type ``AWS::SSMMessages::ControlChannel``; AWS's own refusal of one names
the action: "is not authorized to perform: ssmmessages:CreateControlChannel on resource:
arn:aws:ec2:us-east-2:...:instance/i-05e14c76fdb335957" (elastic/integrations,
packages/aws/data_stream/cloudtrail/_dev/test/pipeline/test-create-control-channel-json.log; the
OpenControlChannel records beside it, test-open-control-channel-json.log). Each was unmapped ("no IAM action
for ssm:OpenControlChannel in the reference"): an instance role's policy lacked what Session Manager needs.
Found by the QA pass on those records. The same calls logged under ``ssmmessages.amazonaws.com`` map as
before.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

NODE = "i-021987ab2dbf04585"
CHANNEL = f"arn:aws:ssmmessages:us-east-1:{ACCOUNT}:control-channel/{NODE}"


def channel_record(event_name: str, source: str = "ssm.amazonaws.com", **kw: object) -> dict[str, object]:
    """The elastic/integrations OpenControlChannel record's request, as the agent sends it."""
    params = {
        "targetId": NODE,
        "messageSchemaVersion": "1.0",
        "requestId": "872f9a13-e2ca-4c12-b94b-4c5c15850aae",
        "tokenValue": "Value hidden due to security reasons.",
        "agentVersion": "3.3.1142.0",
        "platformType": "linux",
        "requireAcknowledgement": False,
    }
    resources = [{"accountId": ACCOUNT, "type": "AWS::SSMMessages::ControlChannel", "ARN": CHANNEL}]
    return cloudtrail_record(source, event_name, params, resources=resources, data_event=True, **kw)


@pytest.mark.parametrize(
    "event_name", ["CreateControlChannel", "CreateDataChannel", "OpenControlChannel", "OpenDataChannel"]
)
def test_a_channel_call_logged_under_ssm_is_its_ssmmessages_action(event_name: str) -> None:
    event = EventMapper().map(channel_record(event_name))
    assert event.kind == "mapped", event
    assert event.uses == ((f"ssmmessages:{event_name}", "*"),)


def test_a_refused_channel_call_is_the_action_aws_names() -> None:
    """The elastic/integrations CreateControlChannel record: refused, with AWS naming the action."""
    message = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app-role/{NODE} is not authorized to perform: "
        f"ssmmessages:CreateControlChannel on resource: arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{NODE} "
        "because no identity-based policy allows the ssmmessages:CreateControlChannel action"
    )
    event = EventMapper().map(
        channel_record("CreateControlChannel", error_code="AccessDenied", error_message=message)
    )
    assert event.kind == "mapped" and event.denied
    assert {action for action, _ in event.uses} == {"ssmmessages:CreateControlChannel"}


def test_logged_under_ssmmessages_as_before() -> None:
    """Panther's CloudTrail rule tests log CreateControlChannel under ``ssmmessages.amazonaws.com``
    (panther-labs/panther-analysis, aws_imds_credential_exfiltration): unchanged (the guard)."""
    event = EventMapper().map(channel_record("CreateControlChannel", source="ssmmessages.amazonaws.com"))
    assert event.uses == (("ssmmessages:CreateControlChannel", "*"),)
