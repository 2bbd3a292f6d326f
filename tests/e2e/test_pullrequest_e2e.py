"""From `kubectl apply` to a recorded pull request, on the real control plane.

`kubectl apply` creates a Secret with the forge token and a PolicyGeneration with spec.output.pullRequest;
`policygen operator` (a subprocess, under deploy/'s RBAC) scans the shipped sample logs, edits the ACK role
in a bare repository served by the fake forge over smart HTTP, pushes a branch and opens the pull request
through the fake GitHub API. We check the status, the condition, the branch's diff, the recorded API calls,
and that the token appears nowhere it should not (operator log, events, status).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from policygen_operator.domain.iam.canonical import canonical_json
from tests.controlplane.client import KubeClient
from tests.fakeforge import FakeForge
from tests.fakeforge.fixtures import forge_fixture
from tests.integration.operator_harness import (
    POWER_USER,
    SAMPLE_PRINCIPAL,
    SAMPLE_ROLE_YAML,
    SAMPLE_WINDOW,
    SAMPLES,
    Operator,
    condition,
    events_for,
    get,
    running_operator,
    wait_for,
)

pytestmark = pytest.mark.controlplane

TOKEN = "ghp_e2e-secret-token-5f2b"

forge = forge_fixture(TOKEN)


@pytest.fixture
def operator(
    namespace: str, operator_kubeconfig: Path, tmp_path: Path, forge: FakeForge
) -> Iterator[Operator]:
    env = {"POLICYGEN_ALLOWED_REPOSITORIES": f"{forge.url}/acme/*"}
    with running_operator(namespace, operator_kubeconfig, tmp_path, env) as running:
        yield running


def kubectl_apply(kubectl: str, kubeconfig: Path, manifests: list[dict[str, Any]]) -> None:
    stdin = "\n---\n".join(json.dumps(m) for m in manifests)
    subprocess.run(
        [kubectl, f"--kubeconfig={kubeconfig}", "apply", "-f", "-"],
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    )


def manifests(namespace: str, forge: FakeForge, repo: str, name: str) -> list[dict[str, Any]]:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "git-credentials", "namespace": namespace},
        "type": "policygen.io/credentials",
        "stringData": {"token": TOKEN},
    }
    generation = {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "PolicyGeneration",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "principalArn": SAMPLE_PRINCIPAL,
            "cloudTrail": {"local": {"path": str(SAMPLES)}},
            "window": SAMPLE_WINDOW,
            "output": {
                "pullRequest": {
                    "provider": "github",
                    "repository": f"{forge.url}/{repo}.git",
                    "baseBranch": "main",
                    "path": "iam/",
                    "format": "ack",
                    "replaceManagedPolicies": [POWER_USER],
                    # The samples hold three broken files on purpose (Complete=False): opt in to replacing.
                    "allowIncomplete": True,
                    "credentialsSecretRef": {"name": "git-credentials"},
                    "apiURL": f"{forge.url}/api/v3",
                    "labels": ["iam", "least-privilege"],
                }
            },
        },
    }
    return [secret, generation]


def wait_pr_condition(kube: KubeClient, namespace: str, name: str, status: str) -> dict[str, Any]:
    def done(obj: dict[str, Any] | None) -> bool:
        return condition(obj, "PullRequestOpened").get("status") == status

    result: dict[str, Any] = wait_for(
        lambda: get(kube, namespace, name), done, 120, f"{namespace}/{name} PullRequestOpened={status}"
    )
    return result


def test_kubectl_apply_to_a_recorded_pull_request(
    kubectl: str,
    kubeconfig: Path,
    kube_admin: KubeClient,
    namespace: str,
    operator: Operator,
    forge: FakeForge,
) -> None:
    repo = f"acme/infra-{namespace}"
    forge.create_repository(repo, {"iam/order-processor.yaml": SAMPLE_ROLE_YAML, "README.md": "infra\n"})

    kubectl_apply(kubectl, kubeconfig, manifests(namespace, forge, repo, "orders"))
    obj = wait_pr_condition(kube_admin, namespace, "orders", "True")

    branch = f"policygen/{namespace}/orders"
    pr_status = obj["status"]["pullRequest"]
    assert pr_status == {
        "url": f"{forge.url}/{repo}/pull/1",
        "number": 1,
        "branch": branch,
        "headSha": forge.branch_sha(repo, branch),
        "state": "open",
    }
    assert condition(obj, "Ready")["status"] == "True"

    # The recorded pull request: from our branch to main, labelled, with what a reviewer needs.
    [pull] = forge.pulls[repo]
    assert (pull["head"]["ref"], pull["base"]["ref"], pull["state"]) == (branch, "main", "open")
    assert forge.labels[(repo, 1)] == ["iam", "least-privilege"]
    assert "order-processor" in pull["title"] and "PowerUserAccess" in pull["title"]
    assert "## What this removes" in pull["body"] and "## How to roll back" in pull["body"]

    # The branch: PowerUserAccess detached, a policyRefs entry and the generated ACK Policy, nothing else.
    diff = forge.diff(repo, "main", branch)
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == ["-  policies:", "-    - arn:aws:iam::aws:policy/PowerUserAccess"]  # the list emptied
    assert (
        subprocess.run(
            ["git", "diff", "--name-only", f"main...{branch}"],
            cwd=forge.bare(repo),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        == "iam/order-processor.yaml\n"
    )
    edited = forge.show(repo, branch, "iam/order-processor.yaml")
    assert edited.startswith(
        SAMPLE_ROLE_YAML.replace(
            "  policies:\n    - arn:aws:iam::aws:policy/PowerUserAccess\n",
            "  policyRefs:\n    - from:\n        name: order-processor-policygen\n",
        )
    )
    [_, policy_object] = list(YAML(typ="safe").load_all(edited))
    assert policy_object["kind"] == "Policy" and policy_object["spec"]["name"] == "order-processor-policygen"
    published = json.loads(obj["status"]["policy"]["document"])
    assert canonical_json(json.loads(policy_object["spec"]["policyDocument"])) == canonical_json(published)

    # The token went to the forge and nowhere else.
    assert all(r.authorized for r in forge.api_calls(contains=repo))
    assert TOKEN not in operator.log_text()
    assert TOKEN not in json.dumps(events_for(kube_admin, namespace, "orders"))
    assert TOKEN not in json.dumps(get(kube_admin, namespace, "orders"))


def test_missing_role_sets_the_condition_and_pushes_nothing(
    kubectl: str,
    kubeconfig: Path,
    kube_admin: KubeClient,
    namespace: str,
    operator: Operator,
    forge: FakeForge,
) -> None:
    repo = f"acme/empty-{namespace}"
    forge.create_repository(repo, {"iam/other.yaml": SAMPLE_ROLE_YAML.replace("order-processor", "billing")})

    kubectl_apply(kubectl, kubeconfig, manifests(namespace, forge, repo, "orders"))
    obj = wait_pr_condition(kube_admin, namespace, "orders", "False")

    pr_condition = condition(obj, "PullRequestOpened")
    assert "no ACK Role (iam.services.k8s.aws) with spec.name = 'order-processor'" in pr_condition["message"]
    assert "billing in iam/other.yaml (document 1)" in pr_condition["message"]
    assert set(forge.branches(repo)) == {"main"}
    assert not forge.pulls.get(repo)
    assert TOKEN not in operator.log_text()


def test_a_forge_outage_retries_the_pull_request_without_scanning_again(
    kubectl: str,
    kubeconfig: Path,
    kube_admin: KubeClient,
    namespace: str,
    operator: Operator,
    forge: FakeForge,
) -> None:
    repo = f"acme/flaky-{namespace}"
    forge.create_repository(repo, {"iam/order-processor.yaml": SAMPLE_ROLE_YAML})
    forge.fail_next[("POST", f"/repos/{repo}/pulls")] = 502  # the branch is pushed, the pull request fails

    kubectl_apply(kubectl, kubeconfig, manifests(namespace, forge, repo, "flaky"))
    obj = wait_pr_condition(kube_admin, namespace, "flaky", "True")

    assert [p["number"] for p in forge.pulls[repo]] == [1]
    assert condition(obj, "Ready")["status"] == "True"
    events = {e["reason"]: e for e in events_for(kube_admin, namespace, "flaky")}
    assert set(events) == {"Started", "Failed", "Succeeded"}, events
    failed_at = events["Failed"].get("lastTimestamp") or events["Failed"]["eventTime"]
    # The retry came after a 2 s backoff; had it scanned again, lastRun would have started after the failure.
    assert obj["status"]["lastRun"]["startTime"] <= failed_at, (obj["status"]["lastRun"], events["Failed"])
    assert "TemporaryFailure" in events["Failed"]["message"]
