"""AWS Glue Schema Registry calls by name, as the Kafka and Kinesis serializers make them.

A schema is named by ``schemaId`` (``schemaArn``, or ``schemaName`` with "RegistryName: The name of the schema
registry that contains the schema") and a registry by ``registryId`` (``registryArn`` or ``registryName``)
(Glue API Reference, SchemaId and RegistryId structures); the records carry them in CloudTrail's
lowerCamelCase. A schema's ARN holds its registry's name, and a serializer's policy names both: "Resource" :
["arn:aws:glue:us-east-2:012345678:registry/registryname-1", "arn:aws:glue:us-east-2:012345678:schema/
registryname-1/schemaname-1"] (Glue Developer Guide, "IAM Examples for Serializers",
awsdocs/aws-glue-developer-guide doc_source/schema-registry-gs.md). The table read a schema only by ARN
(``schema/*`` for a schema by name), a registry by name only inside ``schemaId`` (``*`` for GetRegistry), and
CreateSchema's new schema as ``schema/NAME``, which no schema's ARN is.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

BASE = f"arn:aws:glue:us-east-1:{ACCOUNT}"
REGISTRY = f"{BASE}:registry/kafka-schemas"
SCHEMA = f"{BASE}:schema/kafka-schemas/orders"
BY_NAME = {"schemaName": "orders", "registryName": "kafka-schemas"}
DEFINITION = '{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}'


def mapped(name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record("glue.amazonaws.com", name, params))
    assert event.kind == "mapped"
    return event


def test_a_schema_by_name_is_granted_with_its_registry() -> None:
    for name in ("GetSchemaByDefinition", "RegisterSchemaVersion"):
        event = mapped(name, {"schemaId": BY_NAME, "schemaDefinition": DEFINITION})
        assert set(event.uses) == {(f"glue:{name}", REGISTRY), (f"glue:{name}", SCHEMA)}
        assert event.notes == ()


def test_the_registry_of_a_schema_given_by_arn() -> None:
    event = mapped("GetSchema", {"schemaId": {"schemaArn": SCHEMA}})
    assert set(event.uses) == {("glue:GetSchema", REGISTRY), ("glue:GetSchema", SCHEMA)}
    assert event.notes == ()


def test_a_registry_by_name() -> None:
    for name in ("GetRegistry", "ListSchemas"):
        event = mapped(name, {"registryId": {"registryName": "kafka-schemas"}})
        assert event.uses == ((f"glue:{name}", REGISTRY),)
        assert event.notes == ()


def test_a_version_and_its_metadata_by_the_schema_name() -> None:
    event = mapped("GetSchemaVersion", {"schemaId": BY_NAME, "schemaVersionNumber": {"latestVersion": True}})
    assert set(event.uses) == {("glue:GetSchemaVersion", REGISTRY), ("glue:GetSchemaVersion", SCHEMA)}
    put = mapped(
        "PutSchemaVersionMetadata",
        {
            "schemaId": BY_NAME,
            "schemaVersionNumber": {"versionNumber": 1},
            "metadataKeyValue": {"metadataKey": "owner", "metadataValue": "payments"},
        },
    )
    assert ("glue:PutSchemaVersionMetadata", SCHEMA) in put.uses


def test_a_new_schema_is_named_under_its_registry() -> None:
    for registry in ({"registryName": "kafka-schemas"}, {"registryArn": REGISTRY}):
        params = {"registryId": registry, "schemaName": "orders", "dataFormat": "AVRO"}
        event = mapped("CreateSchema", {**params, "compatibility": "BACKWARD"})
        assert set(event.uses) == {("glue:CreateSchema", REGISTRY), ("glue:CreateSchema", SCHEMA)}


def test_a_new_schema_in_the_default_registry() -> None:
    """ "If this is not provided, the default registry will be used. The ARN format for the same will be:
    arn:aws:glue:us-east-2:<customer id>:registry/default-registry:random-5-letter-id" (CreateSchema's
    RegistryId): its schemas are ``schema/default-registry/NAME``; the registry, whose ARN holds an id, stays
    whole with the finding saying why."""
    event = mapped("CreateSchema", {"schemaName": "orders", "dataFormat": "AVRO"})
    assert set(event.uses) == {
        ("glue:CreateSchema", f"{BASE}:schema/default-registry/orders"),
        ("glue:CreateSchema", f"{BASE}:registry/*"),
    }
    assert [c for _, c, _ in event.notes] == ["resource-undetermined"]
    assert "the default registry" in event.notes[0][2]


def test_a_version_by_its_id_alone_keeps_star() -> None:
    """A deserializer's GetSchemaVersion names only the version's id; the Developer Guide's policy for it
    is ``"Resource": ["*"]`` ("IAM Examples for Deserializers")."""
    event = mapped("GetSchemaVersion", {"schemaVersionId": "b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63"})
    assert event.uses == (("glue:GetSchemaVersion", "*"),)
