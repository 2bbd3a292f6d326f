"""A parent given by its ARN, and the parent an API assumes when the request names none.

- ECS: "cluster: The short name or full Amazon Resource Name (ARN) of the cluster ... If you do not specify a
  cluster, the default cluster is assumed" (ECS API Reference, UpdateService, DescribeTasks, ...). A call
  with the cluster's ARN (what CDK, Terraform and most deploy tools send) was granted on ``service/*/web``
  (every cluster's service of that name, with a finding), and a call without a cluster likewise; now
  ``service/prod/web`` and ``service/default/web``.
- The same for any parent a type's format holds and a request gives by the ARN of the parent's own type:
  VPC Lattice's listener under ``serviceIdentifier`` ("The ID or ARN of the service"), CodeArtifact's
  package under its ``domain`` and ``repository`` given as ARNs.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

ECS = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
TASK = "0f4d3a6c29b34b0e8a1c8c6f2e9d7b15"


def mapped(source: str, name: str, params: dict[str, Any]) -> tuple[set[tuple[str, str]], set[str]]:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    return set(event.uses), {code for _, code, _ in event.notes}


@pytest.mark.parametrize("cluster", [f"{ECS}:cluster/prod", "prod"])
def test_a_service_in_a_cluster_given_by_arn_or_name(cluster: str) -> None:
    uses, notes = mapped("ecs.amazonaws.com", "UpdateService", {"cluster": cluster, "service": "web"})
    assert (uses, notes) == ({("ecs:UpdateService", f"{ECS}:service/prod/web")}, set())


def test_a_call_without_a_cluster_is_on_the_default_cluster() -> None:
    uses, notes = mapped("ecs.amazonaws.com", "DescribeServices", {"services": ["web", "api"]})
    assert uses == {("ecs:DescribeServices", f"{ECS}:service/default/{name}") for name in ("web", "api")}
    assert notes == set()
    uses, _ = mapped("ecs.amazonaws.com", "StopTask", {"task": TASK, "reason": "deploy"})
    assert uses == {("ecs:StopTask", f"{ECS}:task/default/{TASK}")}


def test_a_task_given_by_its_arn_keeps_its_own_cluster() -> None:
    """The default is for a request that names the cluster nowhere; a task's ARN names it."""
    uses, _ = mapped("ecs.amazonaws.com", "DescribeTasks", {"tasks": [f"{ECS}:task/prod/{TASK}"]})
    assert uses == {("ecs:DescribeTasks", f"{ECS}:task/prod/{TASK}")}


def test_a_lattice_listener_under_a_service_given_by_arn() -> None:
    lattice = f"arn:aws:vpc-lattice:us-east-1:{ACCOUNT}"
    params = {
        "serviceIdentifier": f"{lattice}:service/svc-0a1b2c3d4e5f67890",
        "listenerIdentifier": "listener-0abc",
    }
    uses, notes = mapped("vpc-lattice.amazonaws.com", "GetListener", params)
    assert uses == {
        ("vpc-lattice:GetListener", f"{lattice}:service/svc-0a1b2c3d4e5f67890/listener/listener-0abc")
    }
    assert notes == set()


def test_a_codeartifact_package_in_a_domain_and_repository_given_by_arn() -> None:
    codeartifact = f"arn:aws:codeartifact:us-east-1:{ACCOUNT}"
    params = {
        "domain": f"{codeartifact}:domain/acme",
        "repository": f"{codeartifact}:repository/acme/internal",
        "format": "npm",
        "namespace": "tools",
        "package": "lint",
    }
    uses, _ = mapped("codeartifact.amazonaws.com", "DeletePackage", params)
    assert uses == {("codeartifact:DeletePackage", f"{codeartifact}:package/acme/internal/npm/tools/lint")}


@pytest.mark.parametrize(("group", "expected"), [(None, "default"), ("ops", "ops")])
def test_a_schedule_without_a_group_is_in_the_default_group(group: str | None, expected: str) -> None:
    """EventBridge Scheduler: "If you omit this, the default schedule group is used" (GroupName of
    CreateSchedule, Get, Update and DeleteSchedule); the reference's format left ``schedule/*/NAME``."""
    scheduler = f"arn:aws:scheduler:us-east-1:{ACCOUNT}"
    params: dict[str, Any] = {"name": "nightly-report", **({"groupName": group} if group else {})}
    for name in ("GetSchedule", "DeleteSchedule"):
        uses, notes = mapped("scheduler.amazonaws.com", name, params)
        assert (uses, notes) == (
            {(f"scheduler:{name}", f"{scheduler}:schedule/{expected}/nightly-report")},
            set(),
        )


def test_an_archive_is_created_on_the_event_bus_its_event_source_arn_names() -> None:
    """EventBridge CreateArchive: "EventSourceArn: The ARN of the event bus that sends events to the
    archive"; the reference requires the archive and the event bus, and the bus was ``event-bus/*``."""
    events = f"arn:aws:events:us-east-1:{ACCOUNT}"
    params = {
        "archiveName": "orders-archive",
        "eventSourceArn": f"{events}:event-bus/orders",
        "retentionDays": 30,
    }
    uses, notes = mapped("events.amazonaws.com", "CreateArchive", params)
    assert uses == {
        ("events:CreateArchive", f"{events}:archive/orders-archive"),
        ("events:CreateArchive", f"{events}:event-bus/orders"),
    }
    assert notes == set()


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("DescribeClusters", {}, {f"{ECS}:cluster/default"}),
        ("ListContainerInstances", {"status": "ACTIVE"}, {f"{ECS}:cluster/default"}),
        (
            "ExecuteCommand",
            {"task": TASK, "command": "/bin/sh", "interactive": True},
            {f"{ECS}:cluster/default", f"{ECS}:task/default/{TASK}"},
        ),
    ],
)
def test_the_default_cluster_is_named_whole_where_the_call_is_on_the_cluster(
    name: str, params: dict[str, Any], expected: set[str]
) -> None:
    """A call on the cluster itself (or on it and a task) without ``cluster`` is on ``cluster/default``:
    before, ``*`` (or ``cluster/*``) with a finding."""
    uses, notes = mapped("ecs.amazonaws.com", name, params)
    assert {arn for _, arn in uses} == expected
    assert "resource-undetermined" not in notes


@pytest.mark.parametrize(
    "name",
    ["GetProvisionedModelThroughput", "UpdateProvisionedModelThroughput", "DeleteProvisionedModelThroughput"],
)
def test_a_provisioned_throughput_given_by_its_arn_is_granted_on_it(name: str) -> None:
    """Bedrock: "provisionedModelId: The Amazon Resource Name (ARN) or name of the Provisioned Throughput".
    The parameter is read as the type's id; an ARN in it was dropped, leaving ``*`` with a finding. Found by
    giving every operation's "name or ARN" members the ARN the by-name call was granted on (49 of 424 fell
    to ``*``, now none)."""
    arn = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/7k2mq9x4p1ab"
    uses, notes = mapped("bedrock.amazonaws.com", name, {"provisionedModelId": arn})
    assert (uses, notes) == ({(f"bedrock:{name}", arn)}, set())


@pytest.mark.parametrize(
    "name",
    ["GetProvisionedModelThroughput", "UpdateProvisionedModelThroughput", "DeleteProvisionedModelThroughput"],
)
def test_a_provisioned_throughput_given_by_name_is_every_one_in_the_account_and_said(name: str) -> None:
    """The same parameter holding a name: its pattern is ``(([0-9a-zA-Z][_-]?)+)|(arn:...:provisioned-model/
    [a-z0-9]{12})`` (botocore bedrock/2023-04-20), the ARN holding a 12-character id Bedrock assigns, not the
    name. A name was read as the id, ``provisioned-model/NAME``, an ARN no Provisioned Throughput has: the
    call would be refused. Now every one in the account and Region, with the finding that says why."""
    event = EventMapper().map(
        cloudtrail_record("bedrock.amazonaws.com", name, {"provisionedModelId": "claims-summarizer-pt"})
    )
    assert event.uses == ((f"bedrock:{name}", f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/*"),)
    [(_, code, text)] = event.notes
    assert code == "resource-undetermined"
    assert "a Provisioned Throughput given by name, not by the id its ARN holds" in text
