"""A List or Describe of a collection whose request names no member lists every one, and its ``*`` says so.

CloudWatch DescribeAlarms: "AlarmNames: The names of the alarms to retrieve information about", "MaxRecords:
The maximum number of alarm descriptions to retrieve from the operation" (CloudWatch API Reference); a
request with neither names nor a prefix describes every alarm of the account and Region. ElastiCache
DescribeCacheClusters: "CacheClusterId: The user-supplied cluster identifier. If this parameter is
specified, only information about that specific cluster is returned" (ElastiCache API Reference). The
Service Authorization Reference makes ``alarm`` and ``cluster`` required for them, so the rule that makes
``*`` the exact grant of a collection call (optional types only) did not apply, and the finding blamed the
record: "the record does not name the resource in a form the mapper reads", though the record named nothing
to read. The grant stays ``*`` (a narrower ``alarm:*`` is not documented as what IAM checks for a call naming
no alarm); the finding says what the call did. Records in the lowerCamelCase CloudTrail logs these
management events with.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

LISTS_EVERY = "(the request names no {kind}: the call lists every one in the account and region)"
NOT_READ = "(the record does not name the resource in a form the mapper reads)"


def mapped(source: str, name: str, params: dict[str, Any] | None, mapper: EventMapper | None = None) -> Any:
    event = (mapper or EventMapper()).map(cloudtrail_record(source, name, params))
    assert event.kind == "mapped"
    return event


@pytest.mark.parametrize(
    ("source", "name", "params", "action", "kind"),
    [
        ("monitoring", "DescribeAlarms", {"maxRecords": 100}, "cloudwatch:DescribeAlarms", "alarm"),
        ("monitoring", "DescribeAlarms", {"stateValue": "ALARM"}, "cloudwatch:DescribeAlarms", "alarm"),
        (
            "elasticache",
            "DescribeCacheClusters",
            {"maxRecords": 100},
            "elasticache:DescribeCacheClusters",
            "cluster",
        ),
        (
            "elasticache",
            "DescribeCacheClusters",
            {"showCacheNodeInfo": True},
            "elasticache:DescribeCacheClusters",
            "cluster",
        ),
    ],
)
def test_a_collection_call_naming_no_member_says_it_lists_every_one(
    source: str, name: str, params: dict[str, Any], action: str, kind: str
) -> None:
    event = mapped(f"{source}.amazonaws.com", name, params)
    assert event.uses == ((action, "*"),)
    [(severity, code, message)] = event.notes
    assert (severity, code) == ("warning", "resource-undetermined")
    assert message.endswith(LISTS_EVERY.format(kind=kind))


def test_a_member_named_in_a_parameter_the_mapper_does_not_read_keeps_the_form_finding() -> None:
    # "ChildrenOfAlarmName: If you use this parameter and specify the name of a composite alarm, the operation
    # returns information about the "children" alarms of the alarm you specify" (CloudWatch API Reference):
    # the request names an alarm, one the mapper does not read; after a call naming none, on one mapper
    mapper = EventMapper()
    every = mapped("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}, mapper)
    assert every.notes[0][2].endswith(LISTS_EVERY.format(kind="alarm"))
    children = mapped(
        "monitoring.amazonaws.com", "DescribeAlarms", {"childrenOfAlarmName": "service-health"}, mapper
    )
    assert children.uses == (("cloudwatch:DescribeAlarms", "*"),)
    assert children.notes[0][2].endswith(NOT_READ)


def test_named_alarms_are_granted_as_before() -> None:
    event = mapped("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": ["cpu-high"]})
    assert event.uses == (
        ("cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:cpu-high"),
    )
    assert event.notes == ()


def test_a_call_on_one_resource_keeps_the_form_finding() -> None:
    # not a List or Describe of a collection: the record names no alarm it could have named
    event = mapped("monitoring.amazonaws.com", "EnableAlarmActions", {})
    assert event.notes[0][2].endswith(("it is authorized on)", NOT_READ))
    assert "lists every one" not in event.notes[0][2]
