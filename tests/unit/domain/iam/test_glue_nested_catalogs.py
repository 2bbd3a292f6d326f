"""Glue Data Catalog calls in the catalog Glue makes of an S3 table bucket are granted that catalog's ARNs.

A query of an S3 table through Athena or Spark reads it through Glue with ``CatalogId`` naming the table
bucket's catalog, ``111122223333:s3tablescatalog/amzn-s3-demo-bucket`` (the S3 namespace is the database, the
S3 table the table). Its ARNs hold the catalog's path: "Federated S3 table bucket catalog (child catalog)
arn:aws:glue:region:account-id:catalog/s3tablescatalog/bucket name", "Federated S3 tables database
...:database/s3tablescatalog/child catalog name/database name", "Federated S3 table ...:table/s3tablescatalog/
child catalog name/database name/table name", and "All operations performed on a Data Catalog resource require
permission on the resource and all the ancestors of that resource" (Glue Developer Guide, "Specifying AWS Glue
resource ARNs"; its S3 Tables "Prerequisites" policy grants ``catalog/s3tablescatalog``,
``database/s3tablescatalog/*/*`` and ``table/s3tablescatalog/*/*/*``). Before, ``database/sales`` and
``table/sales/orders`` of the account's default catalog were granted, silently: other resources, so each such
call was refused. Records as Glue logs them (Glue Developer Guide, "Logging AWS Glue API calls with AWS
CloudTrail": ``requestParameters`` in lower camel case), made for the caller by Athena (``invokedBy``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper, MappedEvent
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

GLUE = f"arn:aws:glue:us-east-1:{ACCOUNT}"
BUCKET_CATALOG = "s3tablescatalog/amzn-s3-demo-bucket"
CATALOGS = {f"{GLUE}:catalog", f"{GLUE}:catalog/s3tablescatalog", f"{GLUE}:catalog/{BUCKET_CATALOG}"}
DATABASE = f"{GLUE}:database/{BUCKET_CATALOG}/sales"
TABLE = f"{GLUE}:table/{BUCKET_CATALOG}/sales/orders"


def call(name: str, params: dict[str, Any], mapper: EventMapper | None = None) -> MappedEvent:
    record = cloudtrail_record("glue.amazonaws.com", name, params, invoked_by="athena.amazonaws.com")
    return (mapper or EventMapper()).map(record)


@pytest.mark.parametrize("catalog_id", [f"{ACCOUNT}:{BUCKET_CATALOG}", BUCKET_CATALOG])
@pytest.mark.parametrize(
    ("name", "params", "resources"),
    [
        ("GetTable", {"databaseName": "sales", "name": "orders"}, {DATABASE, TABLE}),
        ("GetPartitions", {"databaseName": "sales", "tableName": "orders"}, {DATABASE, TABLE}),
        (
            "BatchGetPartition",
            {"databaseName": "sales", "tableName": "orders", "partitionsToGet": [{"values": ["2024"]}]},
            {DATABASE, TABLE},
        ),
        ("GetDatabase", {"name": "sales"}, {DATABASE}),
        ("GetTables", {"databaseName": "sales"}, {DATABASE, f"{GLUE}:table/{BUCKET_CATALOG}/sales/*"}),
    ],
)
def test_a_call_in_a_table_buckets_catalog_is_granted_its_objects_and_their_ancestors(
    catalog_id: str, name: str, params: dict[str, Any], resources: set[str]
) -> None:
    event = call(name, {"catalogId": catalog_id, **params})
    assert set(event.uses) == {(f"glue:{name}", arn) for arn in CATALOGS | resources}
    assert event.notes == ()


def test_each_catalog_keeps_its_own_grant_in_one_mapper() -> None:
    """The catalog id is part of what the memo keys a record on: the default catalog's call after the
    table bucket's is granted the default catalog's table."""
    mapper = EventMapper()
    nested = call(
        "GetTable", {"catalogId": BUCKET_CATALOG, "databaseName": "sales", "name": "orders"}, mapper
    )
    default = call("GetTable", {"catalogId": ACCOUNT, "databaseName": "sales", "name": "orders"}, mapper)
    assert ("glue:GetTable", TABLE) in nested.uses
    assert set(default.uses) == {
        ("glue:GetTable", f"{GLUE}:catalog"),
        ("glue:GetTable", f"{GLUE}:database/sales"),
        ("glue:GetTable", f"{GLUE}:table/sales/orders"),
    }


def test_a_nested_catalog_of_another_kind_is_left_as_it_was_and_said() -> None:
    """No AWS page found gives the ARNs of the databases and tables of another nested catalog (a federated
    or a Redshift-managed one): nothing is guessed, the finding names the catalog."""
    event = call(
        "GetTable", {"catalogId": f"{ACCOUNT}:redshift-fed", "databaseName": "sales", "name": "orders"}
    )
    assert ("glue:GetTable", f"{GLUE}:table/sales/orders") in event.uses
    [(severity, code, message)] = event.notes
    assert (severity, code) == ("warning", "resource-undetermined")
    assert "redshift-fed" in message and "glue.amazonaws.com:GetTable" in message


@pytest.mark.parametrize(
    ("catalog_id", "levels"),
    [
        (f"{ACCOUNT}:{BUCKET_CATALOG}", CATALOGS),
        (f"{ACCOUNT}:s3tablescatalog", {f"{GLUE}:catalog", f"{GLUE}:catalog/s3tablescatalog"}),
    ],
)
def test_get_catalog_of_the_s3_tables_catalogs_is_granted_their_levels(
    catalog_id: str, levels: set[str]
) -> None:
    """The catalog levels: "Federated S3 tables catalog (All table buckets)
    arn:aws:glue:region:account-id:catalog/s3tablescatalog", "Federated S3 table bucket catalog (child
    catalog) [...] catalog/s3tablescatalog/bucket name" (Glue Developer Guide, "Specifying AWS Glue resource
    ARNs"), with the root above them. Before: ``*``, said."""
    event = call("GetCatalog", {"catalogId": catalog_id})
    assert set(event.uses) == {("glue:GetCatalog", arn) for arn in levels}
    assert event.notes == ()


def test_the_databases_of_a_table_buckets_catalog_are_said_as_every_database_is() -> None:
    """GetDatabases names no database: every one of the table bucket's catalog, said as in the default
    catalog."""
    event = call("GetDatabases", {"catalogId": BUCKET_CATALOG})
    assert ("glue:GetDatabases", f"{GLUE}:database/{BUCKET_CATALOG}/*") in event.uses
    [(_, code, message)] = event.notes
    assert code == "resource-undetermined" and f"database/{BUCKET_CATALOG}/*" in message
