"""The SDK-to-IAM table must fill each ARN variable from the parameter that names it.

iam-dataset's table maps request parameters to the variables of each action's ARN formats. Where an
operation's input has a member named exactly like the variable (``TrafficMirrorFilterId``) and the table
fills the variable from another member (``${TrafficMirrorTargetId}``), the grant names the wrong resource
and AWS refuses the call. This test reads every entry of the shipped table against botocore's input shapes;
each such entry must be replaced in ``CURATED_ENTRIES`` or listed below with why it is right.
"""

from __future__ import annotations

import gzip
import json
import re
from importlib import resources
from typing import Any

import botocore.session

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.rules import CURATED_ENTRIES
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

# (namespace, operation, variable, template): the variable's name is generic in the ARN format and the
# member of the same name is another resource (the table is right)
RIGHT = {
    # the WorkMail organization's ARN is organization/${ResourceId}; the request's ResourceId is a room
    *(
        ("workmail", op, "ResourceId", "${OrganizationId}")
        for op in (
            "AssociateDelegateToResource",
            "DeleteResource",
            "DescribeResource",
            "DisassociateDelegateFromResource",
            "ListResourceDelegates",
            "UpdateResource",
        )
    ),
    # the query log config's ARN is resolver-query-log-config/${ResourceId}; the request's ResourceId is a VPC
    ("route53resolver", "AssociateResolverQueryLogConfig", "ResourceId", "${ResolverQueryLogConfigId}"),
    ("route53resolver", "DisassociateResolverQueryLogConfig", "ResourceId", "${ResolverQueryLogConfigId}"),
    # the member Task is a structure holding the task's name
    ("mgh", "NotifyMigrationTaskState", "Task", "${MigrationTaskName}"),
    # a hosted connection is associated with its parent connection, the dxcon the call acts on
    ("directconnect", "AssociateHostedConnection", "ConnectionId", "${parentConnectionId}"),
}


def _table() -> dict[str, Any]:
    data = resources.files("policygen_operator.data").joinpath("reference.json.gz").read_bytes()
    return dict(json.loads(gzip.decompress(data))["sdk"])


def _misfilled() -> set[tuple[str, str, str, str]]:
    session = botocore.session.get_session()
    shapes: dict[tuple[str, str], dict[str, str]] = {}
    for service in session.get_available_services():
        model = session.get_service_model(service)
        prefix = model.metadata.get("signingName") or model.metadata.get("endpointPrefix") or service
        for name in model.operation_names:
            shape = model.operation_model(name).input_shape
            members = {m.lower(): m for m in (shape.members if shape is not None else {})}
            for namespace in {prefix, service}:
                shapes.setdefault((namespace, name.lower()), {"": name, **members})
    found: set[tuple[str, str, str, str]] = set()
    for namespace, table in _table().items():
        for op, entries in table.items():
            members = shapes.get((namespace, op))
            if members is None:
                continue
            for entry in entries:
                for variable, mapping in (entry.get("resource_mappings") or {}).items():
                    filled = re.fullmatch(r"\$\{([A-Za-z]+)\}", mapping.get("template", ""))
                    if filled is None:
                        continue
                    parameter = filled.group(1).lower()
                    if variable.lower() in members and parameter != variable.lower() and parameter in members:
                        found.add((namespace, members[""], variable, mapping["template"]))
    return found


def test_every_variable_filled_from_another_member_is_curated_or_known_right() -> None:
    misfilled = _misfilled()
    curated = {entry for entry in misfilled if (entry[0], entry[1].lower()) in CURATED_ENTRIES}
    assert {e[:2] for e in curated} >= {
        ("ec2", "ModifyTrafficMirrorSession"),
        ("servicecatalog", "CreateConstraint"),
    }
    assert misfilled - curated - RIGHT == set()


def uses(source: str, name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return set(EventMapper().map(cloudtrail_record(source, name, params)).uses)


def test_the_curated_entries_name_the_resources_the_request_names() -> None:
    ec2 = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
    request = {
        "ModifyTrafficMirrorSessionRequest": {
            "TrafficMirrorSessionId": "tms-0123456789abcdef0",
            "TrafficMirrorTargetId": "tmt-0123456789abcdef0",
            "TrafficMirrorFilterId": "tmf-0123456789abcdef0",
        }
    }
    assert uses("ec2.amazonaws.com", "ModifyTrafficMirrorSession", request) == {
        ("ec2:ModifyTrafficMirrorSession", f"{ec2}:traffic-mirror-session/tms-0123456789abcdef0"),
        ("ec2:ModifyTrafficMirrorSession", f"{ec2}:traffic-mirror-target/tmt-0123456789abcdef0"),
        ("ec2:ModifyTrafficMirrorSession", f"{ec2}:traffic-mirror-filter/tmf-0123456789abcdef0"),
    }
    constraint = {
        "portfolioId": "port-abc123",
        "productId": "prod-xyz789",
        "type": "LAUNCH",
        "parameters": "{}",
    }
    assert uses("servicecatalog.amazonaws.com", "CreateConstraint", constraint) == {
        ("servicecatalog:CreateConstraint", f"arn:aws:catalog:us-east-1:{ACCOUNT}:product/prod-xyz789")
    }
    block = f"arn:aws:appstream:us-east-1:{ACCOUNT}:app-block/office-block"
    application = {
        "name": "office",
        "appBlockArn": block,
        "launchPath": "C:\\office.exe",
        "platforms": ["WINDOWS"],
    }
    assert uses("appstream.amazonaws.com", "CreateApplication", application) == {
        ("appstream:CreateApplication", block)
    }
    # the directory is not in the request: *, never a directory named by the snapshot's id
    assert uses("ds.amazonaws.com", "DeleteSnapshot", {"snapshotId": "s-1234567890"}) == {
        ("ds:DeleteSnapshot", "*")
    }
