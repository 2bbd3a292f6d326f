"""A parameter the table passes through as an ARN names the call's resource whichever of the action's types
it is an ARN of.

iam-dataset passes ElastiCache's ``ResourceName`` ("The Amazon Resource Name (ARN) of the resource for which
you want the list of tags, for example arn:aws:elasticache:us-west-2:0123456789:cluster:myCluster",
ElastiCache API Reference, ListTagsForResource; the same in AddTagsToResource and RemoveTagsFromResource)
through for the ``cluster`` and ``snapshot`` types only, though the actions also take replication groups,
serverless caches, users, ... (Service Authorization Reference): tagging a replication group, which the
Terraform AWS provider reads the tags of on every plan, was granted ``*``. The same for Network Firewall's
``RuleGroupArn``, passed through for the stateful and stateless rule group types but not the reference's
``firewall-rulegroup`` and ``ips-rulegroup``. ElastiCache logs its parameters in lowerCamelCase
(``"cacheClusterId": "test-memcached"``, the CreateCacheCluster record of the ElastiCache User Guide,
"Logging Amazon ElastiCache API calls with AWS CloudTrail"); so does Network Firewall.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

CACHE = f"arn:aws:elasticache:us-west-2:{ACCOUNT}"


def uses(source: str, name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    event = EventMapper().map(cloudtrail_record(source, name, params, region="us-west-2"))
    assert event.kind == "mapped"
    assert event.notes == ()
    return set(event.uses)


def test_elasticache_tags_of_any_resource_type_are_on_its_arn() -> None:
    for kind in (
        "replicationgroup:orders-redis",
        "serverlesscache:sessions",
        "user:app-user",
        "usergroup:app",
    ):
        arn = f"{CACHE}:{kind}"
        assert uses("elasticache.amazonaws.com", "ListTagsForResource", {"resourceName": arn}) == {
            ("elasticache:ListTagsForResource", arn)
        }
        tags = [{"key": "team", "value": "payments"}]
        assert uses(
            "elasticache.amazonaws.com", "AddTagsToResource", {"resourceName": arn, "tags": tags}
        ) == {("elasticache:AddTagsToResource", arn)}
        removed = {"resourceName": arn, "tagKeys": ["team"]}
        assert uses("elasticache.amazonaws.com", "RemoveTagsFromResource", removed) == {
            ("elasticache:RemoveTagsFromResource", arn)
        }


def test_the_types_the_table_named_stay() -> None:
    arn = f"{CACHE}:cluster:test-memcached"
    assert uses("elasticache.amazonaws.com", "ListTagsForResource", {"resourceName": arn}) == {
        ("elasticache:ListTagsForResource", arn)
    }


def test_a_network_firewall_rule_group_of_a_newer_type() -> None:
    arn = f"arn:aws:network-firewall:us-west-2:{ACCOUNT}:firewall-rulegroup/egress-allow"
    assert uses("network-firewall.amazonaws.com", "DescribeRuleGroup", {"ruleGroupArn": arn}) == {
        ("network-firewall:DescribeRuleGroup", arn)
    }


def test_an_arn_of_no_type_of_the_action_keeps_star() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "elasticache.amazonaws.com",
            "ListTagsForResource",
            {"resourceName": f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders"},
            region="us-west-2",
        )
    )
    assert event.uses == (("elasticache:ListTagsForResource", "*"),)
