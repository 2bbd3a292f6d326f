"""A variable the call's own SDK-table entry leaves unfilled, read the way the service's other methods
read it (``Reference.table_parameters``), and URI parameters CloudTrail writes by their REST label
(``application-id``)."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted


def test_recycle_bin_lock_rule_names_its_rule_as_the_other_rule_calls_do() -> None:
    """awsdocs/amazon-ec2-user-guide, ``doc_source/recycle-bin-ct.md`` at commit e3707c43: the LockRule and
    UnlockRule records name the rule by ``identifier``, as GetRule, UpdateRule and DeleteRule do, which the
    table reads as the rule's ``ResourceName``; LockRule is newer than the table. (A bare ``identifier`` is
    still read only as an ARN by the type-noun rule, ``test_type_nouns``: here the service's own table
    says what it holds.)"""
    for name in ("LockRule", "UnlockRule"):
        assert granted("rbin.amazonaws.com", name, {"identifier": "jkrnexample"}) == {
            (f"rbin:{name}", f"arn:aws:rbin:us-east-1:{ACCOUNT}:rule/jkrnexample")
        }


@pytest.mark.parametrize("name", ["LaunchInstances", "AttachTrafficSources", "RollbackInstanceRefresh"])
def test_an_auto_scaling_group_by_the_name_the_other_group_calls_read(name: str) -> None:
    """These calls are newer than the table, which reads every other group call's ``GroupFriendlyName`` from
    ``AutoScalingGroupName``; they were granted ``*``. The group's generated id is not in the request, so
    it is completed with ``*`` and said (the table's own entries write the same ``*``)."""
    event = EventMapper().map(
        cloudtrail_record("autoscaling.amazonaws.com", name, {"autoScalingGroupName": "web-asg"})
    )
    group = f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/web-asg"
    assert event.uses == ((f"autoscaling:{name}", group),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]


def test_every_variable_of_a_codeartifact_package_from_the_request() -> None:
    """DeletePackage's entry leaves the package's format and namespace to ``*``; the other package calls
    read them from ``format`` and ``namespace``, which the request gives."""
    params = {"domain": "d", "repository": "r", "format": "npm", "namespace": "ns", "package": "p"}
    assert granted("codeartifact.amazonaws.com", "DeletePackage", params) == {
        ("codeartifact:DeletePackage", f"arn:aws:codeartifact:us-east-1:{ACCOUNT}:package/d/r/npm/ns/p")
    }


def test_a_bare_name_is_not_borrowed_for_another_type() -> None:
    """StartExecution's ``name`` is the execution's, though CreateStateMachine's ``name`` is the state
    machine's: a bare Name or Id names the resource of the call's own noun."""
    arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:orders"
    params = {"stateMachineArn": arn, "name": "run-1"}
    assert granted("states.amazonaws.com", "StartExecution", params) == {("states:StartExecution", arn)}


def test_a_variable_an_entry_fills_for_several_types_is_not_borrowed() -> None:
    """The table's CreateFirewallPolicy fills ``Name`` for the policy and its rule groups alike, so no
    reading of a rule group's name is taken from it: DescribeFirewallPolicy is on the policy alone."""
    assert granted(
        "network-firewall.amazonaws.com", "DescribeFirewallPolicy", {"firewallPolicyName": "p1"}
    ) == {
        (
            "network-firewall:DescribeFirewallPolicy",
            f"arn:aws:network-firewall:us-east-1:{ACCOUNT}:firewall-policy/p1",
        )
    }


def test_different_readings_of_one_variable_are_not_borrowed() -> None:
    """Athena's methods fill the workgroup from ``WorkGroup`` and (CreateWorkGroup) from ``Name``: the
    reading depends on the call, so UpdateNamedQuery's ``name`` (the query's) names no workgroup."""
    event = EventMapper().map(
        cloudtrail_record(
            "athena.amazonaws.com", "UpdateNamedQuery", {"namedQueryId": "q-1", "name": "daily"}
        )
    )
    assert all("workgroup/daily" not in arn for _, arn in event.uses)


def test_pinpoint_names_the_app_by_its_rest_label() -> None:
    """awsdocs/amazon-pinpoint-developer-guide, ``doc-source/logging-using-cloudtrail.md`` at commit
    0af07e48: the GetCampaigns record's ``{"application-id": ..., "page-size": "1000"}``: Pinpoint's
    records spell path and query parameters as the REST API does, kebab-case."""
    params = {"application-id": "example71dfa4c1aab66332a5839798f", "page-size": "1000"}
    assert granted("pinpoint.amazonaws.com", "GetCampaigns", params) == {
        (
            "mobiletargeting:GetCampaigns",
            f"arn:aws:mobiletargeting:us-east-1:{ACCOUNT}:apps/example71dfa4c1aab66332a5839798f",
        )
    }


def test_two_apps_named_by_the_rest_label_are_two_grants() -> None:
    """The memo key holds the kebab spelling too: two records differing only in it never share a result."""
    mapper = EventMapper()
    first, second = (
        mapper.map(cloudtrail_record("pinpoint.amazonaws.com", "GetCampaigns", {"application-id": app}))
        for app in ("app-one", "app-two")
    )
    assert first.uses != second.uses
