"""Rightsizing's pull requests: one per role whose removal is proposed, through the real pull-request service
(real git behind ``git http-backend``, the fake GitHub forge), the unused access in each description; a role a
guard holds back gets none. The service runs with an in-memory Kubernetes and IAM and the real engine."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from policygen_operator.domain.rightsizing import IRSA, Binding, child_name
from policygen_operator.services.rightsizing import Parent, ParentOutcome, RightsizingService
from policygen_operator.settings import OperatorSettings
from tests.fakeforge import FakeForge
from tests.fakeforge.fixtures import forge_fixture
from tests.fixtures.kube import FakeKube
from tests.fixtures.rightsizing import FakeAws
from tests.integration.pullrequest_fixtures import JSON_POLICY

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "ghp_rightsizing-token-0123456789"
ORDERS = "arn:aws:iam::111122223333:role/service-role/order-processor"
DEPLOYER = "arn:aws:iam::111122223333:role/ci-deployer"
forge = forge_fixture(TOKEN)


def test_one_pull_request_per_role_with_the_unused_access(forge: FakeForge) -> None:
    forge.create_repository(
        "acme/iam",
        {"policies/order-processor.json": JSON_POLICY, "policies/ci-deployer.json": JSON_POLICY},
    )
    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "orders"), Binding(DEPLOYER, IRSA, "team-a", "deploy")]},
        secrets={("fleet", "forge-token"): {"token": TOKEN}},
    )
    spec = {
        "childNamespace": "fleet",
        "cloudTrail": {"local": {"path": str(ROOT / "examples" / "cloudtrail" / "AWSLogs")}},
        "window": {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
        "guards": {"minEvents": 20},  # the deployer made 18 calls: held back, no pull request
        "output": {
            "mode": "pullRequest",
            "pullRequest": {
                "provider": "github",
                "repository": f"{forge.url}/acme/iam.git",
                "apiURL": f"{forge.url}/api/v3",
                "path": "policies/{role}.json",
                "format": "json",
                "credentialsSecretRef": {"name": "forge-token"},
            },
        },
    }
    owner = {"apiVersion": "policygen.io/v1alpha1", "kind": "ClusterRightsizing", "name": "fleet", "uid": "u"}
    parent = Parent("ClusterRightsizing", None, "fleet", "uid-parent", 1, spec, {}, owner)
    settings = OperatorSettings(progress_interval=0.05, allowed_repositories=(f"{forge.url}/*",))
    service = RightsizingService(
        settings, kube, FakeAws(), ThreadPoolExecutor(2), clock=lambda: datetime(2026, 12, 1, tzinfo=UTC)
    )
    outcome = asyncio.run(service.reconcile(parent))
    assert outcome.failure is None, outcome.message

    pulls = forge.pulls["acme/iam"]
    assert len(pulls) == 1, [(p["title"], p["head"]["ref"]) for p in pulls]
    pull = pulls[0]
    assert "order-processor" in pull["title"]
    assert "## Granted but not used in the window" in pull["body"]
    section = pull["body"].split("## Granted but not used in the window", 1)[1].split("\n\n", 1)[0]
    unused = json.loads(
        kube.configmaps[("fleet", f"{child_name('fleet', ORDERS)}-policy")]["data"]["rightsizing.json"]
    )["unused"]
    assert f"grant {len(unused)} action(s)" in section
    s3 = [a for a in unused if a.startswith("s3:")]
    assert f"- s3: {len(s3)} actions" in section  # more than 20 in one service: counted, not listed
    assert TOKEN not in pull["body"]
    changed = json.loads(forge.show("acme/iam", pull["head"]["ref"], "policies/order-processor.json"))
    assert any("dynamodb:GetItem" in json.dumps(s) for s in changed["Statement"])

    orders = kube.objects[("fleet", child_name("fleet", ORDERS))]["status"]
    assert orders["pullRequest"]["url"] == f"{forge.url}/acme/iam/pull/{pull['number']}"
    assert [c["status"] for c in orders["conditions"] if c["type"] == "PullRequestOpened"] == ["True"]
    deployer = kube.objects[("fleet", child_name("fleet", DEPLOYER))]["status"]
    assert "pullRequest" not in deployer
    assert deployer["rightsizing"]["heldBack"] == ["18 events, fewer than 20"]
    rows = {r["arn"]: r for r in outcome.status["roles"]}
    assert (
        rows[ORDERS]["pullRequest"]["url"] == f"{forge.url}/acme/iam/pull/{pull['number']}"
        and "pullRequest" not in rows[DEPLOYER]
    )

    # The same scan result again (a new spec generation): the same pull request, up to date.
    kube.parent_generation = 2
    again = asyncio.run(
        service.reconcile(Parent("ClusterRightsizing", None, "fleet", "uid-parent", 2, spec, {}, owner))
    )
    assert again.failure is None
    assert len(forge.pulls["acme/iam"]) == 1
    orders = kube.objects[("fleet", child_name("fleet", ORDERS))]["status"]
    assert [c["reason"] for c in orders["conditions"] if c["type"] == "PullRequestOpened"] == [
        "PullRequestUpToDate"
    ]


def test_no_pull_request_from_incomplete_data_unless_allowed(forge: FakeForge) -> None:
    """The sample folder holds broken files: they are skipped, so removing access waits."""
    forge.create_repository("acme/iam2", {"policies/order-processor.json": JSON_POLICY})
    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "orders")]},
        secrets={("fleet", "forge-token"): {"token": TOKEN}},
    )
    pull_request = {
        "provider": "github",
        "repository": f"{forge.url}/acme/iam2.git",
        "apiURL": f"{forge.url}/api/v3",
        "path": "policies/{role}.json",
        "format": "json",
        "credentialsSecretRef": {"name": "forge-token"},
    }
    spec = {
        "childNamespace": "fleet",
        "cloudTrail": {"local": {"path": str(ROOT / "examples" / "cloudtrail")}},
        "window": {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
        "output": {"mode": "pullRequest", "pullRequest": pull_request},
    }
    owner = {"apiVersion": "policygen.io/v1alpha1", "kind": "ClusterRightsizing", "name": "fleet", "uid": "u"}
    settings = OperatorSettings(progress_interval=0.05, allowed_repositories=(f"{forge.url}/*",))
    service = RightsizingService(
        settings, kube, FakeAws(), ThreadPoolExecutor(2), clock=lambda: datetime(2026, 12, 1, tzinfo=UTC)
    )
    outcome = asyncio.run(
        service.reconcile(Parent("ClusterRightsizing", None, "fleet", "uid-parent", 1, spec, {}, owner))
    )
    assert outcome.failure is None, outcome.message
    assert forge.pulls.get("acme/iam2", []) == []
    status = kube.objects[("fleet", child_name("fleet", ORDERS))]["status"]
    [opened] = [c for c in status["conditions"] if c["type"] == "PullRequestOpened"]
    assert (opened["status"], opened["reason"]) == ("False", "IncompleteData"), opened

    allowed = {
        **spec,
        "output": {"mode": "pullRequest", "pullRequest": {**pull_request, "allowIncomplete": True}},
    }
    asyncio.run(
        service.reconcile(Parent("ClusterRightsizing", None, "fleet", "uid-parent", 2, allowed, {}, owner))
    )
    [pull] = forge.pulls["acme/iam2"]
    assert "**Incomplete data:** 2 delivery file(s)" in pull["body"]  # the two broken JSON files


def grouped_spec(forge: FakeForge, repository: str) -> dict[str, object]:
    return {
        "childNamespace": "fleet",
        "cloudTrail": {"local": {"path": str(ROOT / "examples" / "cloudtrail" / "AWSLogs")}},
        "window": {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
        "output": {
            "mode": "pullRequest",
            "pullRequest": {
                "provider": "github",
                "repository": f"{forge.url}/{repository}.git",
                "apiURL": f"{forge.url}/api/v3",
                "path": "policies/{namespace}/{role}.json",
                "format": "json",
                "credentialsSecretRef": {"name": "forge-token"},
                "grouping": "namespace",
            },
        },
    }


def grouped_service(
    forge: FakeForge, kube: FakeKube, spec: dict[str, object]
) -> Callable[[int], ParentOutcome]:
    owner = {"apiVersion": "policygen.io/v1alpha1", "kind": "ClusterRightsizing", "name": "fleet", "uid": "u"}
    settings = OperatorSettings(progress_interval=0.05, allowed_repositories=(f"{forge.url}/*",))
    service = RightsizingService(
        settings, kube, FakeAws(), ThreadPoolExecutor(2), clock=lambda: datetime(2026, 12, 1, tzinfo=UTC)
    )

    def reconcile(generation: int) -> ParentOutcome:
        parent = Parent("ClusterRightsizing", None, "fleet", "u", generation, spec, {}, owner)
        return asyncio.run(service.reconcile(parent))

    return reconcile


def test_grouped_per_namespace_one_pull_request_edits_every_role_file(forge: FakeForge) -> None:
    """``grouping: namespace``: both roles of team-a in one pull request (the order processor, also used
    in team-b, goes with team-a, its first namespace); the same scan again changes nothing."""
    forge.create_repository(
        "acme/grouped",
        {
            "policies/team-a/order-processor.json": JSON_POLICY,
            "policies/team-a/ci-deployer.json": JSON_POLICY,
        },
    )
    kube = FakeKube(
        {
            "team-a": [
                Binding(ORDERS, IRSA, "team-a", "orders"),
                Binding(DEPLOYER, IRSA, "team-a", "deploy"),
            ],
            "team-b": [Binding(ORDERS, IRSA, "team-b", "orders-replica")],
        },
        secrets={("fleet", "forge-token"): {"token": TOKEN}},
    )
    spec = grouped_spec(forge, "acme/grouped")
    reconcile = grouped_service(forge, kube, spec)
    outcome = reconcile(1)
    assert outcome.failure is None, outcome.message

    [pull] = forge.pulls["acme/grouped"]
    assert pull["title"] == "policygen: least-privilege policies for 2 role(s) in namespace team-a"
    branch = pull["head"]["ref"]
    assert branch.startswith("policygen/clusterrightsizing-fleet-namespace-team-a_")
    assert len(forge.commits("acme/grouped", branch)) == 2  # one commit for both files
    orders = json.loads(forge.show("acme/grouped", branch, "policies/team-a/order-processor.json"))
    deployer = json.loads(forge.show("acme/grouped", branch, "policies/team-a/ci-deployer.json"))
    assert any("dynamodb:GetItem" in json.dumps(s) for s in orders["Statement"])
    assert any("cloudformation:" in json.dumps(s) for s in deployer["Statement"])
    assert "## Role `order-processor`" in pull["body"] and "## Role `ci-deployer`" in pull["body"]
    assert pull["body"].count("### Granted but not used in the window") == 2
    url = f"{forge.url}/acme/grouped/pull/{pull['number']}"
    for arn in (ORDERS, DEPLOYER):
        status = kube.objects[("fleet", child_name("fleet", arn))]["status"]
        assert status["pullRequest"]["url"] == url
        assert [c["reason"] for c in status["conditions"] if c["type"] == "PullRequestOpened"] == [
            "PullRequestUpdated"
        ]

    kube.parent_generation = 2
    again = reconcile(2)
    assert again.failure is None
    assert len(forge.pulls["acme/grouped"]) == 1 and len(forge.commits("acme/grouped", branch)) == 2
    status = kube.objects[("fleet", child_name("fleet", DEPLOYER))]["status"]
    assert [c["reason"] for c in status["conditions"] if c["type"] == "PullRequestOpened"] == [
        "PullRequestUpToDate"
    ]


def test_grouped_pull_request_is_all_or_nothing(forge: FakeForge) -> None:
    """The deployer's file is missing: no pull request for the namespace at all, and both roles' condition
    names the file."""
    forge.create_repository("acme/grouped2", {"policies/team-a/order-processor.json": JSON_POLICY})
    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "orders"), Binding(DEPLOYER, IRSA, "team-a", "deploy")]},
        secrets={("fleet", "forge-token"): {"token": TOKEN}},
    )
    spec = grouped_spec(forge, "acme/grouped2")
    reconcile = grouped_service(forge, kube, spec)
    outcome = reconcile(1)
    assert outcome.failure is None, outcome.message
    assert forge.pulls.get("acme/grouped2", []) == []
    assert set(forge.branches("acme/grouped2")) == {"main"}
    for arn in (ORDERS, DEPLOYER):
        status = kube.objects[("fleet", child_name("fleet", arn))]["status"]
        [opened] = [c for c in status["conditions"] if c["type"] == "PullRequestOpened"]
        assert opened["status"] == "False"
        assert "policies/team-a/ci-deployer.json" in opened["message"], opened
