"""Calls AWS authorizes only with their action on ``*``, though the reference gives it a resource type.

CloudWatch: "To retrieve information about composite alarms, your cloudwatch:DescribeAlarms permission must
have a * scope. You can't return information about composite alarms if your cloudwatch:DescribeAlarms
permission has a narrower scope" (CloudWatch User Guide, "CloudWatch permissions reference",
awsdocs/amazon-cloudwatch-user-guide doc_source/permissions-reference-cw.md; the same for
DescribeAlarmHistory, and "To create a composite alarm, your cloudwatch:PutCompositeAlarm permission must have
a * scope"). DescribeAlarms returns composite alarms only when ``AlarmTypes`` asks for them ("If you omit this
parameter, only metric alarms are returned", CloudWatch API Reference). A call naming its alarms was granted
only their ARNs, which AWS refuses for composite alarms: an under-grant. The records carry the API's
parameters in CloudTrail's lowerCamelCase (``alarmNames``, ``alarmTypes``), as monitoring.amazonaws.com logs
its requests.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

ALARMS = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm"


def mapped(name: str, params: dict[str, Any], mapper: EventMapper | None = None) -> Any:
    event = (mapper or EventMapper()).map(cloudtrail_record("monitoring.amazonaws.com", name, params))
    assert event.kind == "mapped"
    return event


def test_describing_composite_alarms_is_granted_on_star_said_as_documented() -> None:
    event = mapped(
        "DescribeAlarms",
        {"alarmNames": ["cpu-high", "service-health"], "alarmTypes": ["CompositeAlarm", "MetricAlarm"]},
    )
    assert event.uses == (("cloudwatch:DescribeAlarms", "*"),)
    assert [(s, c) for s, c, _ in event.notes] == [("info", "resource-wide")]
    assert "scoped to *" in event.notes[0][2]
    assert event.reason == ""  # not the "resource not determined" fallback


def test_composite_alarms_alone_and_without_names() -> None:
    event = mapped("DescribeAlarms", {"alarmTypes": ["CompositeAlarm"], "stateValue": "ALARM"})
    assert event.uses == (("cloudwatch:DescribeAlarms", "*"),)
    assert [c for _, c, _ in event.notes] == ["resource-wide"]


def test_metric_alarms_stay_on_the_alarms_the_request_names() -> None:
    mapper = EventMapper()
    names = {"alarmNames": ["cpu-high"]}
    composite = mapped("DescribeAlarms", {**names, "alarmTypes": ["CompositeAlarm"]}, mapper)
    assert composite.uses == (("cloudwatch:DescribeAlarms", "*"),)
    # the same names without composite alarms: not the memoised result of the call above
    for types in (["MetricAlarm"], None):
        params: dict[str, Any] = {"alarmNames": ["cpu-high"]}
        if types is not None:
            params["alarmTypes"] = types
        event = mapped("DescribeAlarms", params, mapper)
        assert event.uses == (("cloudwatch:DescribeAlarms", f"{ALARMS}:cpu-high"),)
        assert event.notes == ()


def test_composite_alarm_history_is_granted_on_star() -> None:
    event = mapped("DescribeAlarmHistory", {"alarmName": "service-health", "alarmTypes": ["CompositeAlarm"]})
    assert event.uses == (("cloudwatch:DescribeAlarmHistory", "*"),)
    assert [c for _, c, _ in event.notes] == ["resource-wide"]
    metric = mapped("DescribeAlarmHistory", {"alarmName": "cpu-high"})
    assert metric.uses == (("cloudwatch:DescribeAlarmHistory", f"{ALARMS}:cpu-high"),)


def test_put_composite_alarm_is_granted_on_star() -> None:
    event = mapped(
        "PutCompositeAlarm",
        {
            "alarmName": "service-health",
            "alarmRule": "ALARM(cpu-high) AND ALARM(error-rate)",
            "alarmActions": [f"arn:aws:sns:us-east-1:{ACCOUNT}:ops"],
        },
    )
    assert event.uses == (("cloudwatch:PutCompositeAlarm", "*"),)
    assert [c for _, c, _ in event.notes] == ["resource-wide"]
