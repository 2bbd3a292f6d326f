"""A call whose record holds no request parameters is over every resource only when it lists or describes.

Many actions list their resource types as optional in the Service Authorization Reference (S3's GetObject and
PutObject: ``accesspointobject`` and ``object``; Bedrock's InvokeModel: its model kinds; every TagResource
of a service with several taggable types). A List or Describe that names nothing to filter by acts on every
resource of them, and ``*`` is its exact grant (``fill.action_arns``, commit 84625c0). The rule was applied
to any call of such an action whose request names nothing, so a record with ``"requestParameters": null``
(AccessDenied records often carry none; exports that drop the field) gave GetObject, PutObject, TagResource
or InvokeModel ``*`` with no finding at all: a silent widening. Found by the QA pass on Panther's CloudTrail
rule tests (panther-labs/panther-analysis, rules/aws_cloudtrail_rules/aws_imds_credential_exfiltration.yml,
whose PutObject record holds no requestParameters), then measured over every mapped botocore operation
called with none: 1,530 were granted ``*`` unsaid, of which 1,302 are neither a List, Describe or Search
of a collection nor on one fixed resource (now said).
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record


@pytest.mark.parametrize(
    ("source", "name", "action"),
    [
        ("s3", "PutObject", "s3:PutObject"),
        ("s3", "GetObject", "s3:GetObject"),
        ("bedrock", "InvokeModel", "bedrock:InvokeModel"),
        ("kinesis", "TagResource", "kinesis:TagResource"),
        # a List of one resource's parts, not of a collection
        ("kinesis", "ListTagsForResource", "kinesis:ListTagsForResource"),
    ],
)
def test_a_call_on_one_resource_without_parameters_says_it_is_on_star(
    source: str, name: str, action: str
) -> None:
    event = EventMapper().map(cloudtrail_record(f"{source}.amazonaws.com", name, None))
    assert (action, "*") in event.uses
    assert any(note[1] == "resource-undetermined" for note in event.notes)


@pytest.mark.parametrize(
    ("source", "name", "action"),
    [
        # "DescribeDBClusters ... If this parameter is specified, information for only the specific DB cluster
        # is returned" (RDS API Reference): without it, every cluster
        ("rds", "DescribeDBClusters", "rds:DescribeDBClusters"),
        ("bedrock", "ListGuardrails", "bedrock:ListGuardrails"),
        # the one fixed hub/default: nothing to name (test_fixed_optional_types)
        ("securityhub", "EnableSecurityHub", "securityhub:EnableSecurityHub"),
    ],
)
def test_a_list_or_describe_without_parameters_is_still_over_everything(
    source: str, name: str, action: str
) -> None:
    event = EventMapper().map(cloudtrail_record(f"{source}.amazonaws.com", name, None))
    assert event.uses == ((action, "*"),)
    assert event.notes == ()


def test_a_request_with_parameters_naming_nothing_is_read_as_before() -> None:
    """``{"includeShared": false}`` (the console's DescribeDBClusters, test_console_records): unchanged."""
    event = EventMapper().map(
        cloudtrail_record("rds.amazonaws.com", "DescribeDBClusters", {"includeShared": False})
    )
    assert event.uses == (("rds:DescribeDBClusters", "*"),)
    assert event.notes == ()
