"""Tenancy on the real control plane (issue 10): the operator runs multi-tenant
(POLICYGEN_SINGLE_TENANT=false, as the chart installs it) under deploy/'s RBAC, and each attempt a team could
make is refused with its condition while a local listener proves that nothing was sent to it: no signed S3
request, no token.

The positive paths are here too: a PolicyGeneration naming an admin's ClusterCloudTrailSource becomes Ready,
and one naming a ClusterPolicyRepository opens its pull request with the credentials from the operator's
namespace.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.controlplane.client import KubeClient
from tests.fakeforge import FakeForge
from tests.fakeforge.fixtures import forge_fixture
from tests.fixtures.listeners import Listener
from tests.integration.operator_harness import (
    API,
    OPERATOR_NAMESPACE,
    POWER_USER,
    SAMPLE_PRINCIPAL,
    SAMPLE_ROLE_YAML,
    SAMPLE_WINDOW,
    SAMPLES,
    Operator,
    condition,
    create,
    events_for,
    get,
    merge_patch,
    wait_for,
    wait_ready,
)

pytestmark = pytest.mark.controlplane

TOKEN = "ghp_tenancy-token-9c1e"

forge = forge_fixture(TOKEN)


def cluster_object(kube: KubeClient, plural: str, kind: str, name: str, spec: dict[str, Any]) -> None:
    body = {"apiVersion": "policygen.io/v1alpha1", "kind": kind, "metadata": {"name": name}, "spec": spec}
    kube.post(f"{API}/{plural}", body)


def source(
    kube: KubeClient, name: str, namespaces: dict[str, Any], principals: list[str] | None = None
) -> None:
    spec = {
        "local": {"path": str(SAMPLES)},
        "allowedPrincipals": principals or ["arn:aws:iam::111122223333:role/service-role/*"],
        "namespaces": namespaces,
    }
    cluster_object(kube, "clustercloudtrailsources", "ClusterCloudTrailSource", name, spec)


def admin_repository(kube: KubeClient, name: str, spec: dict[str, Any]) -> None:
    """A ClusterPolicyRepository ``name`` with its marked token Secret in the operator's namespace."""
    kube.post(
        f"/api/v1/namespaces/{OPERATOR_NAMESPACE}/secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"forge-{name}"},
            "type": "policygen.io/credentials",
            "stringData": {"token": TOKEN},
        },
    )
    spec = {"credentialsSecretRef": {"name": f"forge-{name}"}, **spec}
    cluster_object(kube, "clusterpolicyrepositories", "ClusterPolicyRepository", name, spec)


def cluster_repository(
    kube: KubeClient, forge: FakeForge, name: str, namespace: str, allowed_paths: list[str]
) -> str:
    """A forge repository holding the sample role and a ClusterPolicyRepository ``name`` for it serving
    ``namespace``; returns the repository's full name."""
    repo = f"acme/{name}"
    forge.create_repository(repo, {"iam/order-processor.yaml": SAMPLE_ROLE_YAML})
    spec = {
        "provider": "github",
        "url": f"{forge.url}/{repo}.git",
        "apiURL": f"{forge.url}/api/v3",
        "allowedPaths": allowed_paths,
        "namespaces": {"names": [namespace]},
    }
    admin_repository(kube, name, spec)
    return repo


def refused(kube: KubeClient, namespace: str, name: str, reason: str) -> dict[str, Any]:
    obj = wait_ready(kube, namespace, name, status="False")
    ready = condition(obj, "Ready")
    assert ready["reason"] == reason, ready
    assert "admin" in ready["message"], ready
    return obj


def test_sources_serve_the_namespaces_and_principals_they_allow(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator, trap: Listener
) -> None:
    merge_patch(kube_admin, f"/api/v1/namespaces/{namespace}", {"metadata": {"labels": {"team": namespace}}})
    source(kube_admin, f"ok-{namespace}", {"selector": {"matchLabels": {"team": namespace}}})
    source(kube_admin, f"elsewhere-{namespace}", {"names": ["some-other-team"]})
    ref = {"kind": "ClusterCloudTrailSource", "name": f"ok-{namespace}"}
    spec = {"principalArn": SAMPLE_PRINCIPAL, "sourceRef": ref, "window": SAMPLE_WINDOW}

    create(kube_admin, namespace, "allowed", spec)
    obj = wait_ready(kube_admin, namespace, "allowed")
    assert obj["status"]["policy"]["actions"] > 0

    create(
        kube_admin,
        namespace,
        "other-principal",
        {**spec, "principalArn": "arn:aws:iam::111122223333:role/ci-deployer"},
    )
    refused(kube_admin, namespace, "other-principal", "PrincipalNotAllowed")

    other = {"kind": "ClusterCloudTrailSource", "name": f"elsewhere-{namespace}"}
    create(kube_admin, namespace, "other-source", {**spec, "sourceRef": other})
    refused(kube_admin, namespace, "other-source", "SourceNotAllowed")

    # A team's own endpoint: multi-tenant, an inline source is refused before any request is signed.
    inline = {"s3": {"bucket": "team-bucket", "endpointURL": trap.url}}
    create(
        kube_admin,
        namespace,
        "own-endpoint",
        {"principalArn": SAMPLE_PRINCIPAL, "cloudTrail": inline, "window": SAMPLE_WINDOW},
    )
    obj = refused(kube_admin, namespace, "own-endpoint", "SourceNotAllowed")
    assert "configMapRef" not in obj["status"]
    assert trap.requests == []


def test_repositories_get_the_admins_credentials_and_nothing_else(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator, trap: Listener, forge: FakeForge
) -> None:
    source(kube_admin, f"src-{namespace}", {"names": [namespace]})
    repo = cluster_repository(kube_admin, forge, f"infra-{namespace}", namespace, ["iam/**"])
    base = {
        "principalArn": SAMPLE_PRINCIPAL,
        "sourceRef": {"kind": "ClusterCloudTrailSource", "name": f"src-{namespace}"},
        "window": SAMPLE_WINDOW,
    }
    by_ref = {
        "repositoryRef": {"kind": "ClusterPolicyRepository", "name": f"infra-{namespace}"},
        "path": "iam",
        "format": "ack",
        "replaceManagedPolicies": [POWER_USER],
        "allowIncomplete": True,  # the samples hold three broken files on purpose (Complete=False)
    }
    create(kube_admin, namespace, "orders", {**base, "output": {"pullRequest": by_ref}})
    obj = wait_ready(kube_admin, namespace, "orders")
    assert obj["status"]["pullRequest"]["url"] == f"{forge.url}/{repo}/pull/1"
    assert obj["status"]["pullRequest"]["branch"] == f"policygen/{namespace}/orders"

    create(kube_admin, namespace, "outside", {**base, "output": {"pullRequest": {**by_ref, "path": "prod"}}})
    refused(kube_admin, namespace, "outside", "PathNotAllowed")

    # A team's own repository and API host, with a token Secret that is not marked for policygen.
    kube_admin.post(
        f"/api/v1/namespaces/{namespace}/secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "sa-like"},
            "stringData": {"token": TOKEN},
        },
    )
    inline = {
        "provider": "github",
        "repository": f"{trap.url}/acme/infra.git",
        "apiURL": f"{trap.url}/api/v3",
        "credentialsSecretRef": {"name": "sa-like"},
        "path": "iam",
        "format": "ack",
    }
    create(kube_admin, namespace, "own-repo", {**base, "output": {"pullRequest": inline}})
    refused(kube_admin, namespace, "own-repo", "RepositoryNotAllowed")

    # A namespaced PolicyRepository of the team's own, pointing at its listener with the unmarked Secret: the
    # repository is the team's to name, but the Secret is not read as credentials, so no token leaves.
    kube_admin.post(
        f"{API}/namespaces/{namespace}/policyrepositories",
        {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "PolicyRepository",
            "metadata": {"name": "mine"},
            "spec": {
                "provider": "github",
                "url": f"{trap.url}/acme/infra.git",
                "credentialsSecretRef": {"name": "sa-like"},
                "allowedPaths": ["**"],
            },
        },
    )
    own = {"repositoryRef": {"name": "mine"}, "path": "iam", "format": "ack"}
    create(kube_admin, namespace, "own-object", {**base, "output": {"pullRequest": own}})
    obj = wait_ready(kube_admin, namespace, "own-object", status="False")
    assert condition(obj, "PullRequestOpened")["reason"] == "CredentialsMissing"
    assert trap.requests == [] and not trap.saw_token()


def test_a_sources_unknown_region_is_refused_until_the_admin_fixes_it(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator, trap: Listener
) -> None:
    """us-est-1 has a region's shape, so the API server admits it: the operator refuses it (SourceInvalid,
    permanent, naming the source's field) before any request is signed, and the admin's fix reruns it."""
    name = f"typo-{namespace}"
    spec = {
        "s3": {"bucket": "org-trail", "regions": ["us-est-1"], "endpointURL": trap.url},
        "allowedPrincipals": ["arn:aws:iam::111122223333:role/service-role/*"],
        "namespaces": {"names": [namespace]},
    }
    cluster_object(kube_admin, "clustercloudtrailsources", "ClusterCloudTrailSource", name, spec)
    ref = {"kind": "ClusterCloudTrailSource", "name": name}
    create(
        kube_admin,
        namespace,
        "typo",
        {"principalArn": SAMPLE_PRINCIPAL, "sourceRef": ref, "window": SAMPLE_WINDOW},
    )
    obj = refused(kube_admin, namespace, "typo", "SourceInvalid")
    message = condition(obj, "Ready")["message"]
    assert f"ClusterCloudTrailSource {name} spec.s3.regions: 'us-est-1' is not an AWS region" in message
    assert "us-east-1" in message.partition(")")[0]  # among the nearest names
    assert trap.requests == []

    merge_patch(
        kube_admin,
        f"{API}/clustercloudtrailsources/{name}",
        {"spec": {"s3": None, "local": {"path": str(SAMPLES)}}},
    )
    obj = wait_ready(kube_admin, namespace, "typo")
    assert obj["metadata"]["generation"] == 1 and obj["status"]["policy"]["actions"] > 0
    assert trap.requests == []


def test_an_admins_change_reaches_the_policygenerations_it_decides(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator, trap: Listener
) -> None:
    """Refused -> the admin allows the namespace -> Ready, without touching the PolicyGeneration; and back."""
    name = f"later-{namespace}"
    source(kube_admin, name, {"names": ["some-other-team"]})
    spec = {
        "principalArn": SAMPLE_PRINCIPAL,
        "sourceRef": {"kind": "ClusterCloudTrailSource", "name": name},
        "window": SAMPLE_WINDOW,
    }
    create(kube_admin, namespace, "waits", spec)
    refused(kube_admin, namespace, "waits", "SourceNotAllowed")

    merge_patch(
        kube_admin, f"{API}/clustercloudtrailsources/{name}", {"spec": {"namespaces": {"names": [namespace]}}}
    )
    obj = wait_ready(kube_admin, namespace, "waits")
    assert obj["metadata"]["generation"] == 1 and obj["status"]["policy"]["actions"] > 0
    assert obj["metadata"]["annotations"]["refs.policygen.io/source-generation"] == "2"

    merge_patch(
        kube_admin, f"{API}/clustercloudtrailsources/{name}", {"spec": {"namespaces": {"names": ["x"]}}}
    )
    refused(kube_admin, namespace, "waits", "SourceNotAllowed")
    # the last good policy stays where it was; nothing else was sent anywhere
    assert get(kube_admin, namespace, "waits")["status"]["policy"]["actions"] > 0  # type: ignore[index]
    assert trap.requests == []
    # deleted: the PolicyGeneration learns at once that its source is gone (and waits for it, retrying)
    kube_admin.delete(f"{API}/clustercloudtrailsources/{name}")
    gone = wait_for(
        lambda: get(kube_admin, namespace, "waits"),
        lambda obj: condition(obj, "Ready").get("reason") == "SourceNotFound",
        60,
        "SourceNotFound",
    )
    assert gone["metadata"]["annotations"]["refs.policygen.io/source-generation"] == "absent"

    # A team's namespaced CloudTrailSource (the admin's object in the team's namespace): the principal.
    own = {"local": {"path": str(SAMPLES)}, "allowedPrincipals": ["arn:aws:iam::111122223333:role/ci-*"]}
    kube_admin.post(
        f"{API}/namespaces/{namespace}/cloudtrailsources",
        {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "CloudTrailSource",
            "metadata": {"name": "own"},
            "spec": own,
        },
    )
    create(kube_admin, namespace, "principal", {**spec, "sourceRef": {"name": "own"}})
    refused(kube_admin, namespace, "principal", "PrincipalNotAllowed")
    own_path = f"{API}/namespaces/{namespace}/cloudtrailsources/own"
    merge_patch(kube_admin, own_path, {"spec": {"allowedPrincipals": [SAMPLE_PRINCIPAL]}})
    assert wait_ready(kube_admin, namespace, "principal")["metadata"]["generation"] == 1


def by_repository(namespace: str, repository: str, **pull_request: Any) -> dict[str, Any]:
    """A PolicyGeneration spec of the sample principal, read through the namespace's source, whose pull
    request goes to the ClusterPolicyRepository ``repository`` (folder ``iam``, ACK, PowerUserAccess)."""
    return {
        "principalArn": SAMPLE_PRINCIPAL,
        "sourceRef": {"kind": "ClusterCloudTrailSource", "name": f"src-{namespace}"},
        "window": SAMPLE_WINDOW,
        "output": {
            "pullRequest": {
                "repositoryRef": {"kind": "ClusterPolicyRepository", "name": repository},
                "path": "iam",
                "format": "ack",
                "replaceManagedPolicies": [POWER_USER],
                "allowIncomplete": True,  # the samples hold three broken files on purpose (Complete=False)
                **pull_request,
            }
        },
    }


def test_an_admins_repository_change_reaches_the_policygenerations_it_decides(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator, forge: FakeForge
) -> None:
    """A path the repository refused -> the admin adds it -> the pull request opens; removed -> refused."""
    source(kube_admin, f"src-{namespace}", {"names": [namespace]})
    name = f"later-{namespace}"
    repo = cluster_repository(kube_admin, forge, name, namespace, ["prod/**"])
    create(kube_admin, namespace, "orders", by_repository(namespace, name))
    refused(kube_admin, namespace, "orders", "PathNotAllowed")
    assert set(forge.branches(repo)) == {"main"}

    path = f"{API}/clusterpolicyrepositories/{name}"
    merge_patch(kube_admin, path, {"spec": {"allowedPaths": ["iam/**"]}})
    obj = wait_ready(kube_admin, namespace, "orders")
    assert obj["metadata"]["generation"] == 1
    assert obj["status"]["pullRequest"]["url"] == f"{forge.url}/{repo}/pull/1"

    merge_patch(kube_admin, path, {"spec": {"allowedPaths": ["prod/**"]}})
    refused(kube_admin, namespace, "orders", "PathNotAllowed")


def handled_annotation(kube: KubeClient, namespace: str, name: str, value: str) -> dict[str, Any]:
    """The PolicyGeneration once kopf has handled the source annotation at ``value`` (its last-handled
    configuration, which kopf writes after the handlers of that change, carries it)."""
    wanted = f'"refs.policygen.io/source-generation":"{value}"'
    result: dict[str, Any] = wait_for(
        lambda: get(kube, namespace, name),
        lambda obj: (
            wanted in obj["metadata"]["annotations"].get("policygen.io/last-handled-configuration", "")
        ),
        60,
        f"the source annotation at {value} handled",
    )
    return result


def test_a_nudge_for_what_the_last_run_read_scans_nothing(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator
) -> None:
    """An admin object's event can find a PolicyGeneration's first run under way and annotate it (the run
    may have read the object before the event): once that run recorded the generation it read, the nudge
    costs no second scan, where a second Athena query would be billed again. A newer generation does rerun.
    """
    name = f"read-{namespace}"
    source(kube_admin, name, {"names": [namespace]})
    spec = {
        "principalArn": SAMPLE_PRINCIPAL,
        "sourceRef": {"kind": "ClusterCloudTrailSource", "name": name},
        "window": SAMPLE_WINDOW,
    }
    create(kube_admin, namespace, "raced", spec)
    first = wait_ready(kube_admin, namespace, "raced")["status"]["lastRun"]
    assert first["sourceGeneration"] == 1

    path = f"{API}/namespaces/{namespace}/policygenerations/raced"
    merge_patch(kube_admin, path, {"metadata": {"annotations": {"refs.policygen.io/source-generation": "1"}}})
    assert handled_annotation(kube_admin, namespace, "raced", "1")["status"]["lastRun"] == first
    assert [e["reason"] for e in events_for(kube_admin, namespace, "raced")].count("Started") == 1

    widened = {"spec": {"allowedPrincipals": [SAMPLE_PRINCIPAL, "arn:aws:iam::111122223333:role/ci-*"]}}
    merge_patch(kube_admin, f"{API}/clustercloudtrailsources/{name}", widened)
    merge_patch(kube_admin, path, {"metadata": {"annotations": {"refs.policygen.io/source-generation": "2"}}})
    wait_for(
        lambda: get(kube_admin, namespace, "raced"),
        lambda obj: (
            obj["status"]["lastRun"].get("sourceGeneration") == 2
            and obj["status"]["lastRun"].get("completionTime")
        ),
        60,
        "a run of the source's generation 2",
    )


def test_labelling_a_namespace_grants_and_unlabelling_revokes_at_once(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator
) -> None:
    """A ClusterCloudTrailSource selects namespaces by label: the admin labels the namespace and the refused
    PolicyGeneration becomes Ready, removes the label and it is refused, neither touching the
    PolicyGeneration nor the source (docs/tenancy.md). The operator only watches Namespaces: it never writes
    them (no kopf annotation, no finalizer)."""
    name = f"label-{namespace}"
    label = {"policygen-test/team": name[:63]}
    source(kube_admin, name, {"selector": {"matchLabels": label}})
    spec = {
        "principalArn": SAMPLE_PRINCIPAL,
        "sourceRef": {"kind": "ClusterCloudTrailSource", "name": name},
        "window": SAMPLE_WINDOW,
    }
    create(kube_admin, namespace, "by-label", spec)
    refused(kube_admin, namespace, "by-label", "SourceNotAllowed")

    merge_patch(kube_admin, f"/api/v1/namespaces/{namespace}", {"metadata": {"labels": label}})
    obj = wait_ready(kube_admin, namespace, "by-label", timeout=60)
    assert obj["metadata"]["generation"] == 1 and obj["status"]["policy"]["actions"] > 0
    assert obj["metadata"]["annotations"]["refs.policygen.io/namespace-labels"].startswith("allowed@")
    started = [e["reason"] for e in events_for(kube_admin, namespace, "by-label")].count("Started")

    # a label the selector does not look at decides nothing: no rerun
    merge_patch(kube_admin, f"/api/v1/namespaces/{namespace}", {"metadata": {"labels": {"unrelated": "x"}}})
    unset = {k: None for k in label}
    merge_patch(kube_admin, f"/api/v1/namespaces/{namespace}", {"metadata": {"labels": unset}})
    wait_for(
        lambda: get(kube_admin, namespace, "by-label"),
        lambda obj: condition(obj, "Ready").get("reason") == "SourceNotAllowed",
        60,
        "SourceNotAllowed after the label was removed",
    )
    after = get(kube_admin, namespace, "by-label")
    assert after is not None and after["metadata"]["generation"] == 1
    assert after["status"]["policy"]["actions"] > 0  # the last good policy stays
    events = [e["reason"] for e in events_for(kube_admin, namespace, "by-label")]
    assert events.count("Started") == started  # the refusal scanned nothing, the unrelated label ran nothing

    ns = kube_admin.get(f"/api/v1/namespaces/{namespace}")
    assert not [k for k in ns["metadata"].get("annotations") or {} if "policygen" in k or "kopf" in k]
    assert not ns["metadata"].get("finalizers")
    assert "PolicyGeneration" in multi_tenant_operator.log_text() and "labels changed" in (
        multi_tenant_operator.log_text()
    )


def test_a_dry_run_shows_the_change_in_status_and_pushes_nothing_until_turned_off(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator, forge: FakeForge
) -> None:
    """``output.pullRequest.dryRun`` under an admin's repository: the operator clones with the admin's token
    and makes the edit, the API server keeps the diff and base commit in status (the schema declares them:
    a structural schema prunes what it does not), no branch is pushed and no pull request opened; set to
    false, the same spec opens the pull request with that change."""
    source(kube_admin, f"src-{namespace}", {"names": [namespace]})
    name = f"preview-{namespace}"
    repo = cluster_repository(kube_admin, forge, name, namespace, ["iam/**"])
    create(kube_admin, namespace, "orders", by_repository(namespace, name, dryRun=True))
    obj = wait_ready(kube_admin, namespace, "orders")
    shown = obj["status"]["pullRequest"]
    assert shown["state"] == "preview" and shown["branch"] == f"policygen/{namespace}/orders"
    assert shown["baseSha"] == forge.branches(repo)["main"]
    assert "+++ b/iam/order-processor.yaml" in shown["diff"] and POWER_USER in shown["diff"]
    opened = condition(obj, "PullRequestOpened")
    assert (opened["status"], opened["reason"]) == ("True", "PullRequestPreviewed"), opened
    assert set(forge.branches(repo)) == {"main"}
    assert forge.api_calls(contains=f"/repos/{repo}") == [], "the forge is not called"

    path = f"{API}/namespaces/{namespace}/policygenerations/orders"
    merge_patch(kube_admin, path, {"spec": {"output": {"pullRequest": {"dryRun": False}}}})
    obj = wait_ready(kube_admin, namespace, "orders", generation=2)
    assert obj["status"]["pullRequest"]["url"] == f"{forge.url}/{repo}/pull/1"
    assert "diff" not in obj["status"]["pullRequest"]
    assert forge.diff(repo, "main", f"policygen/{namespace}/orders")
