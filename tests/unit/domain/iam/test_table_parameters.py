"""The SDK-to-IAM table must fill each ARN variable from the parameter that names it.

iam-dataset's table maps request parameters to the variables of each action's ARN formats. Where an
operation's input has a member named exactly like the variable (``TrafficMirrorFilterId``) and the table
fills the variable from another member (``${TrafficMirrorTargetId}``), the grant names the wrong resource
and AWS refuses the call. This test reads every entry of the shipped table against botocore's input shapes;
each such entry must be replaced in ``CURATED_ENTRIES`` or listed below with why it is right.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Iterator
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


@functools.cache
def _shapes() -> dict[tuple[str, str], dict[str, str]]:
    """(namespace, operation) -> the input's members by lower-case name, and "" -> the operation's name."""
    session = botocore.session.get_session()
    # a service named like the namespace wins over one that only signs with its name (eventbridgev2 signs
    # as "events" and has its own DeleteEventBus)
    ranked: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}
    for service in session.get_available_services():
        model = session.get_service_model(service)
        names = (service, model.metadata.get("signingName"), model.metadata.get("endpointPrefix"))
        for name in model.operation_names:
            shape = model.operation_model(name).input_shape
            members = {"": name, **{m.lower(): m for m in (shape.members if shape is not None else {})}}
            for rank, namespace in enumerate(names):
                key = (namespace or service, name.lower())
                if key not in ranked or rank < ranked[key][0]:
                    ranked[key] = (rank, members)
    return {key: members for key, (_, members) in ranked.items()}


def _entries() -> Iterator[tuple[str, dict[str, str], str, str]]:
    """(namespace, the operation's input members, variable, template) of every resource mapping."""
    shapes = _shapes()
    for namespace, table in _table().items():
        for op, entries in table.items():
            members = shapes.get((namespace, op))
            if members is None:
                continue
            for entry in entries:
                for variable, mapping in (entry.get("resource_mappings") or {}).items():
                    yield namespace, members, variable, mapping.get("template", "")


def _misfilled() -> set[tuple[str, str, str, str]]:
    found: set[tuple[str, str, str, str]] = set()
    for namespace, members, variable, template in _entries():
        filled = re.fullmatch(r"\$\{([A-Za-z0-9]+)\}", template)
        if filled is None:
            continue
        parameter = filled.group(1).lower()
        if variable.lower() in members and parameter != variable.lower() and parameter in members:
            found.add((namespace, members[""], variable, template))
    return found


# (namespace, operation): templates that read no parameter of the call, each handled elsewhere
READ_ELSEWHERE = {
    ("iam", "ChangePassword"),  # ${aws:username}: the caller's own user (fill.py's self-service rule)
    ("lambda", "PublishLayerVersion"),  # resolvers._lambda_layer reads LayerName
    ("ses", "CreateConfigurationSet"),  # ConfigurationSet.Name: the parameter fallback reads it
    # the namespace's entry is CloudHSM v2's CreateHsm (ClusterId); botocore's "cloudhsm" is the retired
    # Classic API of the same name
    ("cloudhsm", "CreateHsm"),
}


def test_every_template_reads_a_parameter_the_call_has_or_is_replaced() -> None:
    """A template whose parameters the call never has (``${ExportTaskId}`` for CancelImportTask, whose
    parameter is ImportTaskId) leaves the resource to ``*`` on every call."""
    dead = set()
    for namespace, members, _, template in _entries():
        read = [
            p
            for p in re.findall(r"\$\{([A-Za-z0-9]+)", template)
            if p not in ("Partition", "Region", "Account")
        ]
        if read and not any(p.lower() in members for p in read):
            dead.add((namespace, members[""]))
    curated = {entry for entry in dead if (entry[0], entry[1].lower()) in CURATED_ENTRIES}
    assert {("codebuild", "DeleteBuildBatch"), ("ec2", "CancelImportTask")} <= curated
    assert dead - curated - READ_ELSEWHERE == set()


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
    assert uses("codebuild.amazonaws.com", "DeleteBuildBatch", {"id": "orders:5c8e3f1a-1111-2222-3333"}) == {
        ("codebuild:DeleteBuildBatch", f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/orders")
    }
    task = {"CancelImportTaskRequest": {"ImportTaskId": "import-ami-0123456789abcdef0"}}
    assert uses("ec2.amazonaws.com", "CancelImportTask", task) == {
        ("ec2:CancelImportTask", f"{ec2}:import-image-task/import-ami-0123456789abcdef0")
    }
    # the directory is not in the request: *, never a directory named by the snapshot's id
    assert uses("ds.amazonaws.com", "DeleteSnapshot", {"snapshotId": "s-1234567890"}) == {
        ("ds:DeleteSnapshot", "*")
    }


def test_a_role_the_table_reads_from_a_parameter_the_call_lacks_is_still_passed() -> None:
    """The table grants iam:PassRole for these calls but reads the role from a parameter they do not have
    (``esourceLifecycleConfig.ServiceRole``, a typo; ``DataSource.S3Config.RoleArn`` where the export's role
    is under Destination): the role the request hands over is read where it is, or the call was refused."""
    role = f"arn:aws:iam::{ACCOUNT}:role/aws-elasticbeanstalk-service-role"
    lifecycle = {"applicationName": "orders", "resourceLifecycleConfig": {"serviceRole": role}}
    assert ("iam:PassRole", role) in uses(
        "elasticbeanstalk.amazonaws.com", "UpdateApplicationResourceLifecycle", lifecycle
    )
    export_role = f"arn:aws:iam::{ACCOUNT}:role/forecast-export"
    export = {
        "forecastExportJobName": "weekly",
        "forecastArn": f"arn:aws:forecast:us-east-1:{ACCOUNT}:forecast/demand",
        "destination": {"s3Config": {"path": "s3://exports/weekly/", "roleArn": export_role}},
    }
    assert ("iam:PassRole", export_role) in uses("forecast.amazonaws.com", "CreateForecastExportJob", export)
    # a call with no role in its request passes none (SetStackPolicy's table entry reads parameters of
    # another operation)
    assert all(
        action != "iam:PassRole"
        for action, _ in uses("cloudformation.amazonaws.com", "SetStackPolicy", {"stackName": "orders"})
    )
