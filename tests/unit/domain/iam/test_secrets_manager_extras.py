"""Secrets Manager calls that need more than their own action when a parameter is given, as each call's API
reference says under "Required permissions" (the text botocore ships in secretsmanager/2017-10-17):

- RotateSecret: "You also need lambda:InvokeFunction permissions on the rotation function."
- CreateSecret: "To add replica Regions, you must also have secretsmanager:ReplicateSecretToRegions."
- BatchGetSecretValue: "you must have secretsmanager:GetSecretValue for each secret. If you use filters, you
  must also have secretsmanager:ListSecrets."

Before this, each was granted its own action only, so rotation, replication and filtered batch reads would be
refused under the generated policy. Parameters are spelled as CloudTrail writes Secrets Manager's JSON
requests (``secretId``, ``rotationLambdaARN``, ``addReplicaRegions``, ``secretIdList``, ``filters``).
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MAPPER = EventMapper()
SECRETS = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:"
ROTATOR = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:rotate-db"


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    mapped = MAPPER.map(cloudtrail_record("secretsmanager.amazonaws.com", name, params))
    assert mapped.kind == "mapped" and not mapped.notes, mapped
    return set(mapped.uses)


def test_rotation_needs_the_rotation_function() -> None:
    assert uses("RotateSecret", {"secretId": "prod/db", "rotationLambdaARN": ROTATOR}) == {
        ("secretsmanager:RotateSecret", f"{SECRETS}prod/db-??????"),
        ("lambda:InvokeFunction", ROTATOR),
    }
    # rotating again with the function already set names none: nothing more is needed
    assert uses("RotateSecret", {"secretId": "prod/db"}) == {
        ("secretsmanager:RotateSecret", f"{SECRETS}prod/db-??????")
    }


def test_a_secret_created_with_replicas_needs_replicate_on_it() -> None:
    replicas = {"name": "prod/db", "addReplicaRegions": [{"region": "eu-west-1"}]}
    assert uses("CreateSecret", replicas) == {
        ("secretsmanager:CreateSecret", f"{SECRETS}prod/db-??????"),
        ("secretsmanager:ReplicateSecretToRegions", f"{SECRETS}prod/db-??????"),
    }
    assert uses("CreateSecret", {"name": "prod/db"}) == {
        ("secretsmanager:CreateSecret", f"{SECRETS}prod/db-??????")
    }


def test_a_batch_read_needs_each_secret_and_a_filtered_one_the_listing() -> None:
    named = uses("BatchGetSecretValue", {"secretIdList": ["prod/db", f"{SECRETS}prod/api-AbCdEf"]})
    assert named == {
        ("secretsmanager:BatchGetSecretValue", "*"),
        ("secretsmanager:GetSecretValue", f"{SECRETS}prod/db-??????"),
        ("secretsmanager:GetSecretValue", f"{SECRETS}prod/api-AbCdEf"),
    }
    filtered = uses("BatchGetSecretValue", {"filters": [{"key": "name", "values": ["prod/"]}]})
    assert filtered == {("secretsmanager:BatchGetSecretValue", "*"), ("secretsmanager:ListSecrets", "*")}
