"""Auto Scaling's TerminateInstanceInAutoScalingGroup is authorized on the instance's group, named only in
its response.

The request is ``InstanceId`` and ``ShouldDecrementDesiredCapacity`` (Auto Scaling API Reference,
TerminateInstanceInAutoScalingGroup); the reference's one type for the action is the required
``autoScalingGroup``, whose ARN holds the group's id and name. The call returns the scaling activity, and
its ``AutoScalingGroupName`` names the group (the Activity data type), logged in CloudTrail's
lowerCamelCase as responseElements. The group was granted as ``*`` with a finding; it is now
``autoScalingGroup:*:autoScalingGroupName/NAME``, the form the Auto Scaling User Guide restricts this action
by ("Allow users to change the capacity of Auto Scaling groups": ``autoScalingGroup:*:autoScalingGroupName/
devteam-*``). The record carries no group id.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

INSTANCE = "i-0598c7d356eba48d7"
GROUPS = f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup"
ACTION = "autoscaling:TerminateInstanceInAutoScalingGroup"


def terminate(group: str | None, **kw: Any) -> dict[str, Any]:
    response = None
    if group is not None:  # the Activity the API returns, as CloudTrail logs a response
        response = {
            "activity": {
                "activityId": "5e3a1f7c-2b9d-4c61-9d0e-7f1a2b3c4d5e",
                "autoScalingGroupName": group,
                "description": f"Terminating EC2 instance: {INSTANCE}",
                "cause": f"At 2024-03-18T09:15:42Z instance {INSTANCE} was taken out of service in response "
                "to a user request.",
                "startTime": "Mar 18, 2024, 9:15:42 AM",
                "statusCode": "InProgress",
                "progress": 0,
                "details": '{"Subnet ID":"subnet-0a1b2c3d","Availability Zone":"us-east-1a"}',
            }
        }
    params = {"instanceId": INSTANCE, "shouldDecrementDesiredCapacity": False}
    return cloudtrail_record(
        "autoscaling.amazonaws.com",
        "TerminateInstanceInAutoScalingGroup",
        params,
        response_elements=response,
        **kw,
    )


def test_the_group_the_activity_names_is_granted_by_name() -> None:
    event = EventMapper().map(terminate("web-asg"))
    assert (event.kind, event.uses, event.notes) == (
        "mapped",
        ((ACTION, f"{GROUPS}:*:autoScalingGroupName/web-asg"),),
        (),
    )


def test_two_calls_on_the_same_instance_shape_keep_their_own_groups() -> None:
    """The response is part of what the mapper memoises on: the same request in two groups is two grants."""
    mapper = EventMapper()
    first = mapper.map(terminate("web-asg"))
    second = mapper.map(terminate("worker-asg"))
    assert first.uses == ((ACTION, f"{GROUPS}:*:autoScalingGroupName/web-asg"),)
    assert second.uses == ((ACTION, f"{GROUPS}:*:autoScalingGroupName/worker-asg"),)


def test_a_call_without_the_activity_stays_on_star_and_says_so() -> None:
    """A failed call has no responseElements: the group is unknown, as before."""
    event = EventMapper().map(terminate(None))
    assert event.uses == ((ACTION, "*"),)
    assert [n[1] for n in event.notes] == ["resource-undetermined"]
