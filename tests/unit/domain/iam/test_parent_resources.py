"""Calls checked on the resources their resource belongs to, and in the account a parameter names.

"The following policy grants read-only permission to a books table in database db1 ... Notice that to grant
Get permission to a table that permission to the catalog and database resources is also required" (AWS Glue
Developer Guide, identity-based policy examples: ``catalog``, ``database/db1``, ``table/db1/books``). The
reference marks the three required for GetTable; the mapper took the table as covering its database (as a
DynamoDB index covers its table) and granted the table alone, so every Glue call on a table - and every
Athena query, which reads the catalog as its caller - was refused. A type is its parent's cover only when its
format continues the parent's (``table/T/index/I`` inside ``table/T``); a parent named inside the ARN by
another variable (``database/${DatabaseName}`` of ``table/${DatabaseName}/${TableName}``), or a required
type without variables (``catalog``), is granted beside it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, granted

GLUE = f"arn:aws:glue:us-east-1:{ACCOUNT}"


uses = granted


@pytest.mark.parametrize("name", ["GetTable", "GetPartitions", "BatchCreatePartition", "UpdateTable"])
def test_a_glue_table_call_is_granted_on_the_catalog_database_and_table(name: str) -> None:
    params = {"databaseName": "db1", "tableName": "books", "name": "books", "tableInput": {"name": "books"}}
    assert uses("glue.amazonaws.com", name, params) == {
        (f"glue:{name}", f"{GLUE}:catalog"),
        (f"glue:{name}", f"{GLUE}:database/db1"),
        (f"glue:{name}", f"{GLUE}:table/db1/books"),
    }


def test_a_glue_database_call_is_granted_on_the_catalog_and_database() -> None:
    assert uses("glue.amazonaws.com", "GetDatabase", {"name": "db1"}) == {
        ("glue:GetDatabase", f"{GLUE}:catalog"),
        ("glue:GetDatabase", f"{GLUE}:database/db1"),
    }


@pytest.mark.parametrize("catalog", [None, OTHER_ACCOUNT])
def test_listing_a_catalogs_databases_is_granted_on_the_catalog_and_its_databases(
    catalog: str | None,
) -> None:
    """GetDatabases names no database: AWS refuses it naming the catalog ("not authorized to perform:
    glue:GetDatabases on resource: arn:aws:glue:us-east-1:ACCOUNT:catalog"); the catalog and database/* in its
    account (said), where it was * for every call."""
    from policygen_operator.domain.iam.mapping import EventMapper
    from tests.unit.domain.iam.records import cloudtrail_record

    params = {"catalogId": catalog} if catalog else {}
    event = EventMapper().map(cloudtrail_record("glue.amazonaws.com", "GetDatabases", params))
    glue = f"arn:aws:glue:us-east-1:{catalog or ACCOUNT}"
    assert set(event.uses) == {
        ("glue:GetDatabases", f"{glue}:catalog"),
        ("glue:GetDatabases", f"{glue}:database/*"),
    }
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]
    assert "database/*" in event.notes[0][2]


def test_a_catalog_id_names_the_account_of_every_resource() -> None:
    """Lake Formation's cross-account tables are read with the owner's CatalogId."""
    other = f"arn:aws:glue:us-east-1:{OTHER_ACCOUNT}"
    params = {"catalogId": OTHER_ACCOUNT, "databaseName": "sales", "name": "orders"}
    assert uses("glue.amazonaws.com", "GetTable", params) == {
        ("glue:GetTable", f"{other}:catalog"),
        ("glue:GetTable", f"{other}:database/sales"),
        ("glue:GetTable", f"{other}:table/sales/orders"),
    }


def test_a_resource_inside_another_is_granted_alone() -> None:
    """A Query on an index is authorized on the index, whose ARN continues the table's."""
    assert uses("dynamodb.amazonaws.com", "Query", {"tableName": "orders", "indexName": "by-customer"}) == {
        ("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/index/by-customer")
    }


def test_ecs_exec_is_granted_on_the_cluster_and_the_task() -> None:
    """ECS ExecuteCommand names its cluster and task; the task's ARN holds the cluster's name."""
    params = {"cluster": "prod", "task": "0123456789abcdef", "container": "app", "interactive": True}
    ecs = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
    assert uses("ecs.amazonaws.com", "ExecuteCommand", params) == {
        ("ecs:ExecuteCommand", f"{ecs}:cluster/prod"),
        ("ecs:ExecuteCommand", f"{ecs}:task/prod/0123456789abcdef"),
    }


@pytest.mark.parametrize(
    ("name", "params", "arns"),
    [
        ("ListTagsForResource", {"resourceType": "hostedzone", "resourceId": "Z123"}, ["hostedzone/Z123"]),
        (
            "ListTagsForResources",
            {"resourceType": "hostedzone", "resourceIds": ["Z1", "Z2"]},
            ["hostedzone/Z1", "hostedzone/Z2"],
        ),
        (
            "ChangeTagsForResource",
            {
                "resourceType": "healthcheck",
                "resourceId": "abc-123",
                "addTags": [{"key": "team", "value": "dns"}],
            },
            ["healthcheck/abc-123"],
        ),
    ],
)
def test_route53_tag_calls_are_granted_on_the_resource_of_their_kind(
    name: str, params: dict[str, Any], arns: list[str]
) -> None:
    """ "ResourceType: The type of the resource" (hostedzone or healthcheck) and "ResourceId" (Route 53 API
    Reference): external-dns reads hosted zones' tags to pick its zones; the table gave * for every call."""
    assert uses("route53.amazonaws.com", name, params) == {
        (f"route53:{name}", f"arn:aws:route53:::{a}") for a in arns
    }


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("BatchGetBuilds", {"ids": ["web-build:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"]}),
        ("BatchGetBuilds", {"ids": [f"arn:aws:codebuild:us-east-1:{ACCOUNT}:build/web-build:0f1e2d3c"]}),
        ("StopBuild", {"id": "web-build:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"}),
        ("BatchDeleteBuilds", {"ids": ["web-build:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"]}),
        ("RetryBuild", {"id": "web-build:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"}),
    ],
)
def test_a_codebuild_build_is_authorized_on_its_project(name: str, params: dict[str, Any]) -> None:
    """A build id is "PROJECT:BUILD-ID"; the calls on builds are authorized on the project. The table's
    expression took the part after the colon: a project named like the build's UUID."""
    assert uses("codebuild.amazonaws.com", name, params) == {
        (f"codebuild:{name}", f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/web-build")
    }
