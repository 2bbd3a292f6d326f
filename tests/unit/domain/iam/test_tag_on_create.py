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
    """Payment Cryptography CreateKey's key exists only once the call returns, and no page says on which
    resource payment-cryptography:TagResource is evaluated then: the tagging action takes the mapper's one
    widening, said in a finding, rather than being left out (the call would be refused). Request syntax:
    "Exportable", "KeyAttributes" (required), "Tags: [{Key, Value}]" (Payment Cryptography API Reference,
    CreateKey). (KMS CreateKey was this example before its guide was read: the test below.)"""
    record = cloudtrail_record(
        "payment-cryptography.amazonaws.com",
        "CreateKey",
        {
            "exportable": True,
            "keyAttributes": {
                "keyAlgorithm": "TDES_3KEY",
                "keyClass": "SYMMETRIC_KEY",
                "keyUsage": "TR31_K0_KEY_ENCRYPTION_KEY",
                "keyModesOfUse": {"encrypt": True, "decrypt": True, "wrap": True, "unwrap": True},
            },
            "tags": [{"key": "team", "value": "payments"}],
        },
    )
    mapped = MAPPER.map(record)
    assert ("payment-cryptography:TagResource", "*") in mapped.uses
    [note] = [n for n in mapped.notes if n[1] == "resource-undetermined"]
    assert "payment-cryptography:TagResource" in note[2] and note[0] == "warning"


def _create_key(tags: list[dict[str, str]] | None, region: str = "us-east-1") -> dict[str, Any]:
    """A CreateKey record as the KMS Developer Guide's CloudTrail example shows it ("Logging AWS KMS API
    calls with AWS CloudTrail", CreateKey): request ``keyUsage``, ``keySpec``, ``description``, ``tags``
    (``[{tagKey, tagValue}]``, KMS API Reference, CreateKey), response ``keyMetadata`` with the new key's
    ARN."""
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    params: dict[str, Any] = {
        "keyUsage": "ENCRYPT_DECRYPT",
        "keySpec": "SYMMETRIC_DEFAULT",
        "description": "orders",
        "origin": "AWS_KMS",
        "bypassPolicyLockoutSafetyCheck": False,
    }
    if tags is not None:
        params["tags"] = tags
    response = {
        "keyMetadata": {
            "aWSAccountId": ACCOUNT,
            "keyId": key_id,
            "arn": f"arn:aws:kms:{region}:{ACCOUNT}:key/{key_id}",
            "creationDate": "Mar 18, 2024, 9:15:42 AM",
            "enabled": True,
            "keyUsage": "ENCRYPT_DECRYPT",
            "keyState": "Enabled",
            "origin": "AWS_KMS",
            "keyManager": "CUSTOMER",
            "keySpec": "SYMMETRIC_DEFAULT",
            "multiRegion": False,
        }
    }
    return cloudtrail_record(
        "kms.amazonaws.com", "CreateKey", params, region=region, response_elements=response
    )


def test_a_kms_key_created_with_tags_is_tagged_on_every_key_of_its_account_and_region() -> None:
    """ "To add tags when creating a KMS key, the caller must have kms:TagResource permission in an IAM
    policy. At a minimum, the permission must cover all KMS keys in the account and Region" (KMS Developer
    Guide, "Managing KMS key tags with API operations"; "an IAM policy that isn't restricted to particular
    KMS keys", "Controlling access to tags"; "To use the Tags parameter, kms:TagResource (IAM policy)", KMS
    API Reference, CreateKey). The check is made before the key exists, so not on the ARN the response
    gives, and ``key/*`` of the call's account and Region is what AWS requires, not ``*``. Was: ``*`` with
    the resource-undetermined warning. kms:CreateKey itself takes no resource (``*``)."""
    mapped = MAPPER.map(_create_key([{"tagKey": "team", "tagValue": "payments"}], region="eu-west-1"))
    assert set(mapped.uses) == {
        ("kms:CreateKey", "*"),
        ("kms:TagResource", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/*"),
    }
    assert not mapped.reason
    assert [code for _, code, _ in mapped.notes] == ["resource-made-new"]


def test_a_kms_key_created_without_tags_needs_create_key_alone() -> None:
    assert set(MAPPER.map(_create_key(None)).uses) == {("kms:CreateKey", "*")}


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
