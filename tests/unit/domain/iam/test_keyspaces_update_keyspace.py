"""Keyspaces UpdateKeyspace, which iam-dataset has no entry for (the call was unmapped): "Adds a new Amazon
Web Services Region to the keyspace ... Amazon Keyspaces is going to replicate all tables in the keyspace to
the new Region" and "To add a Region to a keyspace using the UpdateKeyspace API, the IAM principal needs
permissions for the following IAM actions: cassandra:Alter, cassandra:AlterMultiRegionResource,
cassandra:Create, cassandra:CreateMultiRegionResource, cassandra:Select, cassandra:SelectMultiRegionResource,
cassandra:Modify, cassandra:ModifyMultiRegionResource" (Keyspaces API Reference, UpdateKeyspace).

The record carries the request as the API names its members (``keyspaceName``, ``replicationSpecification``
with ``replicationStrategy`` and ``regionList``, ``clientSideTimestamps``)."""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

REGION = "us-east-1"
KEYSPACE = f"arn:aws:cassandra:{REGION}:{ACCOUNT}:/keyspace/orders/"
TABLES = f"{KEYSPACE}table/*"
ADD_REGION = {
    "keyspaceName": "orders",
    "replicationSpecification": {
        "replicationStrategy": "MULTI_REGION",
        "regionList": ["us-east-1", "eu-west-1", "eu-central-1"],
    },
    "clientSideTimestamps": {"status": "ENABLED"},
}


def mapped(params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record("cassandra.amazonaws.com", "UpdateKeyspace", params))
    assert event.kind == "mapped", event
    return event


def test_adding_a_region_is_granted_what_the_api_reference_lists() -> None:
    """cassandra:Alter and cassandra:Create take a keyspace (Service Authorization Reference), Select and
    Modify only a table: every table of the keyspace, which the call replicates, on ``table/*`` under it."""
    event = mapped(ADD_REGION)
    expected = {
        *(
            (f"cassandra:{verb}{kind}", KEYSPACE)
            for verb in ("Alter", "Create")
            for kind in ("", "MultiRegionResource")
        ),
        *(
            (f"cassandra:{verb}{kind}", TABLES)
            for verb in ("Select", "Modify")
            for kind in ("", "MultiRegionResource")
        ),
    }
    assert set(event.uses) == expected
    # the service-linked role a single-Region keyspace's first added Region makes is said, not granted
    # (Keyspaces Developer Guide, "Configure the IAM permissions required to add an AWS Region to a keyspace")
    assert [(level, code) for level, code, _ in event.notes] == [("info", "permission-not-granted")]
    assert "iam:CreateServiceLinkedRole" in event.notes[0][2]


def test_the_multi_region_actions_only_when_the_request_asks_for_a_multi_region_keyspace() -> None:
    """The *MultiRegionResource actions are the multi-Region keyspace's ("Grants permission to create a
    multi-Region keyspace or table", Service Authorization Reference), granted where the request's
    replicationStrategy is MULTI_REGION, as for CreateKeyspace."""
    single = {**ADD_REGION, "replicationSpecification": {"replicationStrategy": "SINGLE_REGION"}}
    actions = {action for action, _ in mapped(single).uses}
    assert actions == {"cassandra:Alter", "cassandra:Create", "cassandra:Select", "cassandra:Modify"}
