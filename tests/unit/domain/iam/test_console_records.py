"""Request parameters of real CloudTrail records, as Permiso's Cloud Console Cartographer quotes them for
each console action (https://github.com/Permiso-io-tools/CloudConsoleCartographer, Apache-2.0,
``Code/AddLabel.ps1`` at commit 10156353; account ids as published there). Each was granted on ``*`` with
a finding although the record names its resource."""

from __future__ import annotations

import pytest

from tests.unit.domain.iam.records import granted

ACCOUNT = "012345678900"


def test_a_url_encoded_arn_is_read_decoded() -> None:
    """Security Hub's REST API takes the aggregator's ARN in its path, and CloudTrail logs it URL-encoded:
    ``{"FindingAggregatorArn":"arn%3Aaws%3Asecurityhub%3Aus-east-1%3A785721329856%3Afinding-aggregator/..."}``."""
    params = {
        "FindingAggregatorArn": "arn%3Aaws%3Asecurityhub%3Aus-east-1%3A785721329856%3Afinding-aggregator/"
        "db014773-abcd-1234-5678-133337c0ffee"
    }
    assert granted("securityhub.amazonaws.com", "GetFindingAggregator", params) == {
        (
            "securityhub:GetFindingAggregator",
            "arn:aws:securityhub:us-east-1:785721329856:finding-aggregator/db014773-abcd-1234-5678-133337c0ffee",
        )
    }


@pytest.mark.parametrize(
    ("name", "trail"),
    [
        (
            f"arn:aws:cloudtrail:us-east-2:{ACCOUNT}:trail/management-events",
            f"arn:aws:cloudtrail:us-east-2:{ACCOUNT}:trail/management-events",
        ),
        ("management-events", "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events"),
    ],
)
def test_get_trail_by_arn_or_name(name: str, trail: str) -> None:
    """``{"name":"arn:aws:cloudtrail:us-east-2:012345678900:trail/management-events"}``; "Name: The name or
    the Amazon Resource Name (ARN) of the trail" (CloudTrail API Reference, GetTrail)."""
    assert granted("cloudtrail.amazonaws.com", "GetTrail", {"name": name}) == {("cloudtrail:GetTrail", trail)}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        (
            "GenerateServiceLastAccessedDetails",
            {"arn": f"arn:aws:iam::{ACCOUNT}:user/userNameGoesHere", "granularity": "ACTION_LEVEL"},
        ),
        (
            "ListPoliciesGrantingServiceAccess",
            {
                "arn": f"arn:aws:iam::{ACCOUNT}:user/userNameGoesHere",
                "serviceNamespaces": ["access-analyzer"],
            },
        ),
    ],
)
def test_iam_calls_on_the_entity_they_name_by_arn(name: str, params: dict[str, object]) -> None:
    assert granted("iam.amazonaws.com", name, params) == {
        (f"iam:{name}", f"arn:aws:iam::{ACCOUNT}:user/userNameGoesHere")
    }


def test_a_role_given_to_last_accessed_details_is_that_role() -> None:
    params = {"arn": "arn:aws:iam::111122223333:role/service-role/etl"}
    assert granted("iam.amazonaws.com", "GenerateServiceLastAccessedDetails", params) == {
        ("iam:GenerateServiceLastAccessedDetails", "arn:aws:iam::111122223333:role/service-role/etl")
    }


@pytest.mark.parametrize("name", ["GetConnectionStatus", "StartSession"])
@pytest.mark.parametrize(
    ("target", "node"),
    [
        ("i-01234567890abcdef", "arn:aws:ec2:us-east-1:111122223333:instance/i-01234567890abcdef"),
        ("mi-01234567890abcdef", "arn:aws:ssm:us-east-1:111122223333:managed-instance/mi-01234567890abcdef"),
    ],
)
def test_a_node_is_an_instance_or_a_managed_node_by_its_id(name: str, target: str, node: str) -> None:
    """``{"target":"i-01234567890abcdef"}``: an EC2 instance's ARN for ``i-``, a managed node's for ``mi-``
    (SSM User Guide's Session Manager policies); not both."""
    assert granted("ssm.amazonaws.com", name, {"target": target}) == {(f"ssm:{name}", node)}


def test_a_channel_given_by_arn_is_that_channel() -> None:
    """``{"channel":"arn:aws:cloudtrail:us-east-2:012345678900:channel/aws-service-channel/inspector2/..."}``:
    the table splices the parameter into ``arn:...:channel/${Channel}``, which made an ARN inside an ARN."""
    channel = (
        f"arn:aws:cloudtrail:us-east-2:{ACCOUNT}:channel/aws-service-channel/inspector2/db014773-abcd-1234"
    )
    assert granted("cloudtrail.amazonaws.com", "GetChannel", {"channel": channel}) == {
        ("cloudtrail:GetChannel", channel)
    }


def test_run_command_on_an_instance_names_the_instance_only() -> None:
    """``{"instanceIds":["i-01234567890abcdef"],"documentName":"AWSSSO-CreateSSOUser",...}``: an ``i-`` id is
    an EC2 instance, not also a managed node ``managed-instance/i-...`` (managed node ids begin with ``mi-``);
    ``AWSSSO-`` documents are AWS's own (no account in their ARN)."""
    params = {
        "instanceIds": ["i-01234567890abcdef"],
        "documentName": "AWSSSO-CreateSSOUser",
        "interactive": False,
    }
    assert granted("ssm.amazonaws.com", "SendCommand", params) == {
        ("ssm:SendCommand", "arn:aws:ec2:us-east-1:111122223333:instance/i-01234567890abcdef"),
        ("ssm:SendCommand", "arn:aws:ssm:us-east-1::document/AWSSSO-CreateSSOUser"),
    }


@pytest.mark.parametrize(
    ("source", "name", "params", "action"),
    [
        ("rds", "DescribeDBClusters", {"includeShared": False}, "rds:DescribeDBClusters"),
        ("bedrock", "ListGuardrails", {"maxResults": 1000}, "bedrock:ListGuardrails"),
    ],
)
def test_a_list_over_everything_is_star_without_a_finding(
    source: str, name: str, params: dict[str, object], action: str
) -> None:
    """``{"includeShared":false}``: a Describe that names nothing to filter by, of an action whose resource
    types are all optional, is granted on ``*`` exactly; the finding said the mapper failed to read a
    resource the record does not hold."""
    assert granted(f"{source}.amazonaws.com", name, params) == {(action, "*")}


def test_a_call_on_the_one_hub_names_no_resource_left_unread() -> None:
    """Security Hub's GetInsightResults names its insight (``InsightArn``), which no resource type of the
    action takes: ``*``. It kept the resource-undetermined finding until the QA pass on Panther's CloudTrail
    rule tests: the action's only type is the optional ``hub/default``, one fixed resource per account and
    Region that no parameter names or narrows, so the finding's "does not name the resource in a form the
    mapper reads" asked for what no record holds (``test_fixed_optional_types``)."""
    from policygen_operator.domain.iam.mapping import EventMapper
    from tests.unit.domain.iam.records import cloudtrail_record

    params = {"InsightArn": "arn%3Aaws%3Asecurityhub%3A%3A%3Ainsight/securityhub/default/29"}
    event = EventMapper().map(cloudtrail_record("securityhub.amazonaws.com", "GetInsightResults", params))
    assert event.uses == (("securityhub:GetInsightResults", "*"),)
    assert event.notes == ()
