"""A CloudWatch Logs call on a log group is granted the log group's ARN with and without the trailing ``:*``.

"Log group: Both of the following are used. The second one, with the :* at the end, is what is returned by
the describe-log-groups CLI command and the DescribeLogGroups API. arn:aws:logs:region:account-id:log-group:
log_group_name / arn:aws:logs:region:account-id:log-group:log_group_name:* [...] Use the second version, with
the trailing :*, to refer to the ARN when specifying permissions in IAM policies for all other API actions"
(CloudWatch Logs User Guide, "Overview of managing access permissions to your CloudWatch Logs resources",
CloudWatch Logs resources and operations). What IAM checks for DescribeLogStreams is
``log-group:<group-name>:log-stream:`` (vectordotdev/vector issue 714, found by trying each call), which
``log-group:NAME`` does not match. Before, only the reference's ``log-group:NAME`` was granted, so a log
shipper's DescribeLogStreams, a dashboard's FilterLogEvents or StartQuery, an app's CreateLogGroup were
refused. The first spelling stays for the actions the page keeps it for. Records as CloudTrail logs the
CloudWatch Logs JSON API (CloudWatch Logs User Guide, "Logging CloudWatch Logs API and console operations in
AWS CloudTrail": ``"requestParameters": {"logGroupName": ...}``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

GROUPS = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group"
ORDERS = f"{GROUPS}:/eks/orders/application"


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    event = EventMapper().map(cloudtrail_record("logs.amazonaws.com", name, params))
    assert event.kind == "mapped" and event.notes == (), event
    return set(event.uses)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("DescribeLogStreams", {"logGroupName": "/eks/orders/application", "logStreamNamePrefix": "web"}),
        ("FilterLogEvents", {"logGroupName": "/eks/orders/application", "filterPattern": "ERROR"}),
        ("CreateLogGroup", {"logGroupName": "/eks/orders/application"}),
        ("PutRetentionPolicy", {"logGroupName": "/eks/orders/application", "retentionInDays": 30}),
        ("StartQuery", {"logGroupNames": ["/eks/orders/application"], "queryString": "fields @message"}),
        ("DescribeLogStreams", {"logGroupIdentifier": ORDERS}),
    ],
)
def test_a_log_group_is_granted_in_both_spellings(name: str, params: dict[str, Any]) -> None:
    assert uses(name, params) == {(f"logs:{name}", ORDERS), (f"logs:{name}", f"{ORDERS}:*")}


def test_a_log_stream_is_granted_as_it_is() -> None:
    """A log stream's ARN is one spelling only ("arn:aws:logs:region:account-id:log-group:log_group_name:
    log-stream:log-stream-name", same page): the calls on one stream keep it."""
    params = {"logGroupName": "/eks/orders/application", "logStreamName": "web-1"}
    stream = f"{ORDERS}:log-stream:web-1"
    assert uses("PutLogEvents", params) == {("logs:PutLogEvents", stream)}
    assert uses("CreateLogStream", params) == {("logs:CreateLogStream", stream)}


@pytest.mark.parametrize("name", ["TagResource", "UntagResource", "ListTagsForResource"])
def test_the_tag_calls_are_granted_the_arn_without_the_suffix_only(name: str) -> None:
    """The CloudWatch Logs API Reference (LogGroup, ``arn``): the ``:*`` version is for "most API actions.
    The exception is when specifying permissions for TagResource, UntagResource, and ListTagsForResource.
    The permissions for those three actions require the ARN version that doesn't include a trailing :*"."""
    params: dict[str, Any] = {"resourceArn": ORDERS}
    if name == "TagResource":
        params["tags"] = {"team": "orders"}
    elif name == "UntagResource":
        params["tagKeys"] = ["team"]
    granted = uses(name, params)
    assert (f"logs:{name}", ORDERS) in granted
    assert all(not resource.endswith(":*") for _, resource in granted), granted
