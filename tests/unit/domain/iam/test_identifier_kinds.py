"""``...Identifier`` parameters read as the id or name their API reference says they hold.

AWS APIs name a resource by ``<Noun>Identifier`` or a bare ``Identifier`` that holds "the name or the ARN"
in one service and "the unique identifier" in another, and an ARN holds one of the two. The mapper reads
such a parameter as the type's own variable only where the namespace's API reference says which it holds
and that is the variable's kind (``operator/scripts/extract_identifier_kinds.py`` reads botocore's
documentation into build data); otherwise only an ARN of it is read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.reference import load_reference
from tests.fixtures.scripts import ROOT, load_script
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record
from tests.unit.domain.iam.records import uses_of as uses

DATA = ROOT / "operator" / "scripts" / "data" / "identifier-kinds" / "identifier_kinds.json"


@pytest.mark.parametrize(
    ("source", "name", "params", "arn"),
    [
        # Neptune Analytics API Reference, GetGraph: "graphIdentifier: The unique identifier of the Neptune
        # Analytics graph"; graph ARNs end in the id ("arn:aws:neptune-graph:us-east-1:111122223333:graph/
        # g-abcdef0123")
        (
            "neptune-graph.amazonaws.com",
            "GetGraph",
            {"graphIdentifier": "g-abcdef0123"},
            f"arn:aws:neptune-graph:us-east-1:{ACCOUNT}:graph/g-abcdef0123",
        ),
        # Firewall Manager API Reference, GetResourceSet: "Identifier: A unique identifier for the resource
        # set"; the operation is named after the resource set
        (
            "fms.amazonaws.com",
            "GetResourceSet",
            {"identifier": "0123abcd-4567-89ef-0123-456789abcdef"},
            f"arn:aws:fms:us-east-1:{ACCOUNT}:resource-set/0123abcd-4567-89ef-0123-456789abcdef",
        ),
        # CloudWatch Observability Admin, DeleteTelemetryRule: "RuleIdentifier: The identifier (name or
        # ARN) of the telemetry rule"; telemetry-rule/${TelemetryRuleName}
        (
            "observabilityadmin.amazonaws.com",
            "DeleteTelemetryRule",
            {"ruleIdentifier": "vpc-flow-logs"},
            f"arn:aws:observabilityadmin:us-east-1:{ACCOUNT}:telemetry-rule/vpc-flow-logs",
        ),
    ],
)
def test_an_identifier_documented_as_the_arns_own_kind_names_the_resource(
    source: str, name: str, params: dict[str, Any], arn: str
) -> None:
    action = f"{source.split('.')[0]}:{name}"
    assert uses(source, name, params) == {(action, arn)}


def test_an_identifier_given_as_an_arn_is_read_as_the_arn() -> None:
    graph = f"arn:aws:neptune-graph:us-east-1:{ACCOUNT}:graph/g-abcdef0123"
    assert uses("neptune-graph.amazonaws.com", "GetGraph", {"graphIdentifier": graph}) == {
        ("neptune-graph:GetGraph", graph)
    }


@pytest.mark.parametrize(
    ("source", "name", "params"),
    [
        # "modelIdentifier: Name or Amazon Resource Name (ARN) of the custom model" (Bedrock GetCustomModel),
        # where the ARN holds the model's id (custom-model/${ResourceId})
        ("bedrock.amazonaws.com", "GetCustomModel", {"modelIdentifier": "support-bot"}),
        # "identifier: Specify either the name or the ARN of the investigation group" (CloudWatch
        # investigations), whose ARN holds its id (investigation-group/${InvestigationGroupId})
        ("aiops.amazonaws.com", "GetInvestigationGroup", {"identifier": "ops"}),
    ],
)
def test_a_name_is_never_written_where_the_arn_holds_an_id(
    source: str, name: str, params: dict[str, Any]
) -> None:
    # "*", or every resource of the type in the account and Region (said), never ``TYPE/NAME``
    resources = {resource for _, resource in uses(source, name, params)}
    assert all(resource == "*" or resource.endswith("/*") for resource in resources), resources


def test_two_graphs_in_one_mapper_get_their_own_grants() -> None:
    mapper = EventMapper()
    for graph in ("g-0000000001", "g-0000000002"):
        event = mapper.map(
            cloudtrail_record("neptune-graph.amazonaws.com", "GetGraph", {"graphIdentifier": graph})
        )
        assert event.uses == (
            ("neptune-graph:GetGraph", f"arn:aws:neptune-graph:us-east-1:{ACCOUNT}:graph/{graph}"),
        )


def test_the_shipped_kinds_are_what_the_script_reads_from_botocore() -> None:
    script = load_script("operator/scripts/extract_identifier_kinds.py")
    shipped = json.loads(DATA.read_text())
    assert script.extract() == shipped
    ref = load_reference()
    assert all(ref.identifier_kinds(namespace) == kinds for namespace, kinds in shipped.items())
    # a member the reference calls a name in some calls and an id in others is left out
    assert "dbinstanceidentifier" not in shipped.get("rds", {})


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The unique identifier of the Neptune Analytics graph.", "Id"),
        ("The ARN or ID of the advanced prompt optimization job.", "Id"),
        ("The identifier (name or ARN) of the telemetry rule to delete.", "Name"),
        ("Name of the model to delete.", "Name"),
        ("A cloudwatch alarm template's identifier. Can be either be its id or current name.", None),
        ("The identifier of the Amazon DataZone domain.", None),
    ],
)
def test_the_documentation_says_id_or_name_or_neither(text: str, kind: str | None) -> None:
    assert load_script("operator/scripts/extract_identifier_kinds.py").kind_of(text) == kind


def test_a_bare_noun_documented_as_the_id_names_the_resource() -> None:
    """CloudTrail UpdateChannel: "Channel: The ARN or ID (the ARN suffix) of the channel that you want to
    update"; channel/${ChannelId}."""
    channel = "01234567-89ab-cdef-0123-456789abcdef"
    assert uses("cloudtrail.amazonaws.com", "UpdateChannel", {"channel": channel, "name": "partner"}) == {
        ("cloudtrail:UpdateChannel", f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:channel/{channel}")
    }
