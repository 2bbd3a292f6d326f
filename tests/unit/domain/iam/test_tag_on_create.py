"""Tags given at creation need the service's tagging action too.

"If tags are specified in the resource-creating action, AWS performs additional authorization" on the tagging
action (Amazon ECS Developer Guide, "Grant permission to tag resources on creation"; the RDS and Elastic
Load Balancing user guides say the same of ``rds:AddTagsToResource`` and ``elasticloadbalancing:AddTags``).
CloudTrail logs only the create call, so a policy built from it without the tagging action is refused the
next time the workload (Terraform, CDK, a controller) creates a tagged resource. Before this the mapper
granted the create call alone.

Records carry ``requestParameters`` as each API reference's request syntax names them (CreateCluster and
RegisterTaskDefinition ``tags: [{key, value}]``, CreateDBInstance ``tags`` (CloudTrail writes the query
protocol's ``Tags.member.N`` as a list), CreateFunction ``tags: {key: value}``, CreateKey ``tags: [{tagKey,
tagValue}]``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.rules import TAG_ON_CREATE
from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MAPPER = EventMapper()
TAGS = [{"key": "team", "value": "payments"}]


def uses(record: dict[str, Any], mapper: EventMapper = MAPPER) -> set[tuple[str, str]]:
    mapped = mapper.map(record)
    assert mapped.kind == "mapped", mapped
    return set(mapped.uses)


@pytest.mark.parametrize(
    ("source", "name", "params", "action", "tagging", "arn"),
    [
        (  # the reference's dependent action (data file)
            "rds.amazonaws.com",
            "CreateDBInstance",
            {"dBInstanceIdentifier": "orders", "engine": "postgres"},
            "rds:CreateDBInstance",
            "rds:AddTagsToResource",
            f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders",
        ),
        (
            "ecr.amazonaws.com",
            "CreateRepository",
            {"repositoryName": "orders/api"},
            "ecr:CreateRepository",
            "ecr:TagResource",
            f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/orders/api",
        ),
        (  # the ECS guide's own list (TAG_ON_CREATE); the reference lists no dependent action there
            "ecs.amazonaws.com",
            "CreateCluster",
            {"clusterName": "orders"},
            "ecs:CreateCluster",
            "ecs:TagResource",
            f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/orders",
        ),
        (  # the Lambda guide's "tag on create"
            "lambda.amazonaws.com",
            "CreateFunction20150331",
            {"functionName": "orders", "runtime": "python3.12"},
            "lambda:CreateFunction",
            "lambda:TagResource",
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders",
        ),
        (  # the API reference: "If you include tags in the secret, you also need secretsmanager:TagResource."
            "secretsmanager.amazonaws.com",
            "CreateSecret",
            {"name": "prod/db"},
            "secretsmanager:CreateSecret",
            "secretsmanager:TagResource",
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-??????",
        ),
        (  # "... kinesis:AddTagsToStream permission for the stream that will be created" (not TagResource)
            "kinesis.amazonaws.com",
            "CreateStream",
            {"streamName": "orders", "shardCount": 1},
            "kinesis:CreateStream",
            "kinesis:AddTagsToStream",
            f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/orders",
        ),
    ],
)
def test_a_create_call_with_tags_gets_the_tagging_action_on_what_it_creates(
    source: str, name: str, params: dict[str, Any], action: str, tagging: str, arn: str
) -> None:
    tags: Any = {"team": "payments"} if source.startswith("lambda") else TAGS
    tagged = uses(cloudtrail_record(source, name, {**params, "tags": tags}))
    assert (action, arn) in tagged and (tagging, arn) in tagged
    assert not [u for u in tagged if u[0] == tagging and u[1] != arn]  # nothing else taggable
    # without tags, or with an empty list, the tagging action is not needed
    for untagged in (params, {**params, "tags": []}):
        assert tagging not in {a for a, _ in uses(cloudtrail_record(source, name, untagged))}


def test_the_memo_keeps_tagged_and_untagged_calls_apart() -> None:
    mapper = EventMapper()
    params = {"repositoryName": "orders/api"}
    first = uses(cloudtrail_record("ecr.amazonaws.com", "CreateRepository", params), mapper)
    second = uses(
        cloudtrail_record("ecr.amazonaws.com", "CreateRepository", {**params, "tags": TAGS}), mapper
    )
    third = uses(cloudtrail_record("ecr.amazonaws.com", "CreateRepository", params), mapper)
    assert first == third and second - first == {
        ("ecr:TagResource", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/orders/api")
    }


def test_a_created_resource_the_request_cannot_name_is_tagging_on_star_with_a_finding() -> None:
    """CreateKey's key ID exists only once the call returns: the tagging action takes the mapper's one
    widening, said in a finding, rather than being left out (the call would be refused)."""
    record = cloudtrail_record(
        "kms.amazonaws.com",
        "CreateKey",
        {"keySpec": "SYMMETRIC_DEFAULT", "tags": [{"tagKey": "a", "tagValue": "b"}]},
    )
    mapped = MAPPER.map(record)
    assert ("kms:TagResource", "*") in mapped.uses
    [note] = [n for n in mapped.notes if n[1] == "resource-undetermined"]
    assert "kms:TagResource" in note[2] and note[0] == "warning"


def test_action_level_policies_get_the_tagging_action_only_for_tagged_calls() -> None:
    mapper = EventMapper(resource_level=False)
    params = {"repositoryName": "orders/api"}
    assert ("ecr:TagResource", "*") in uses(
        cloudtrail_record("ecr.amazonaws.com", "CreateRepository", {**params, "tags": TAGS}), mapper
    )
    assert "ecr:TagResource" not in {
        a for a, _ in uses(cloudtrail_record("ecr.amazonaws.com", "CreateRepository", params), mapper)
    }


def test_every_tagging_action_shipped_exists_and_belongs_to_the_create_calls_service() -> None:
    reference = load_reference()
    shipped = {**reference._tag_on_create, **{k: list(v) for k, v in TAG_ON_CREATE.items()}}
    assert len(reference._tag_on_create) > 300  # the reference's dependent actions made it into the data
    for action, tags in shipped.items():
        assert reference.action_name(action) is not None, action
        for tag in tags:
            assert reference.action_name(tag) is not None, (action, tag)
            assert tag.split(":")[0] == action.split(":")[0], (action, tag)
            assert tag.split(":")[1].startswith(("Tag", "AddTags", "CreateTags")), (action, tag)
