"""Resolution of sourceRef and repositoryRef (issue 10): each refusal is a condition-ready error with a
CamelCase reason and a message saying what to ask the admin for; inline forms only single-tenant."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.services import spec as specs
from policygen_operator.services.errors import InvalidRequestError, TemporaryError
from policygen_operator.services.tenancy import resolve, resolve_repository, resolve_source
from tests.fixtures.kube import FakeKube

PRINCIPAL = "arn:aws:iam::111122223333:role/team-a-api"
S3 = {"bucket": "org-trail", "organizationId": "o-exampleorgid", "endpointURL": "https://s3.mirror.example"}


def cluster_source(**changes: Any) -> dict[str, Any]:
    spec = {
        "s3": S3,
        "aws": {
            "region": "eu-west-1",
            "roleArn": "arn:aws:iam::111122223333:role/trail-reader",
            "externalId": "x-1",
        },
        "allowedPrincipals": ["arn:aws:iam::111122223333:role/team-a-*"],
        "namespaces": {"selector": {"matchLabels": {"team": "a"}}},
    }
    spec.update(changes)
    return {"spec": spec}


def cluster_repository(**changes: Any) -> dict[str, Any]:
    spec = {
        "provider": "github",
        "url": "https://github.com/acme/infra.git",
        "baseBranch": "trunk",
        "credentialsSecretRef": {"name": "github-app"},
        "allowedPaths": ["teams/a/**"],
        "namespaces": {"names": ["team-a"]},
    }
    spec.update(changes)
    return {"spec": spec}


@pytest.fixture
def kube() -> FakeKube:
    fake = FakeKube()
    fake.namespace_labels_by_name = {"team-a": {"team": "a"}, "team-b": {"team": "b"}}
    fake.admin_objects[("clustercloudtrailsources", None, "org")] = cluster_source()
    fake.admin_objects[("clusterpolicyrepositories", None, "infra")] = cluster_repository()
    fake.admin_objects[("cloudtrailsources", "team-b", "own")] = {
        "spec": {"local": {"path": "/logs"}, "allowedPrincipals": ["arn:aws:iam::*:role/*"]}
    }
    return fake


def pgen(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "principalArn": PRINCIPAL,
        "sourceRef": {"kind": "ClusterCloudTrailSource", "name": "org"},
        "window": {"lookback": "30d"},
        "output": {
            "pullRequest": {
                "repositoryRef": {"kind": "ClusterPolicyRepository", "name": "infra"},
                "path": "teams/a/iam",
                "format": "ack",
                "replaceManagedPolicies": ["arn:aws:iam::aws:policy/PowerUserAccess"],
            }
        },
    }
    spec.update(changes)
    return spec


async def test_resolved_spec_takes_everything_but_the_teams_own_from_the_admin(kube: FakeKube) -> None:
    resolved = await resolve(pgen(), "team-a", kube, operator_namespace="policygen-system")
    assert resolved.spec["cloudTrail"] == {"s3": S3}
    assert resolved.spec["aws"] == {
        "region": "eu-west-1",
        "roleArn": "arn:aws:iam::111122223333:role/trail-reader",
    }
    assert resolved.source.external_id == "x-1"
    pr = resolved.spec["output"]["pullRequest"]
    assert pr["repository"] == "https://github.com/acme/infra.git" and pr["baseBranch"] == "trunk"
    assert pr["path"] == "teams/a/iam" and pr["credentialsSecretRef"] == {"name": "github-app"}
    assert resolved.repository is not None and resolved.repository.secret_namespace == "policygen-system"
    assert resolved.refs == {
        "source": "ClusterCloudTrailSource/org",
        "repository": "ClusterPolicyRepository/infra",
    }


async def test_namespaced_source_serves_its_own_namespace(kube: FakeKube) -> None:
    spec = pgen(sourceRef={"name": "own"})
    source = await resolve_source(spec, "team-b", kube)
    assert source.cloud_trail == {"local": {"path": "/logs"}} and source.ref == "CloudTrailSource/own"
    with pytest.raises(TemporaryError) as err:  # team-a cannot reach team-b's source: it reads as missing
        await resolve_source(spec, "team-a", kube)
    assert err.value.reason == "SourceNotFound" and "ask your admin to create it" in str(err.value)


@pytest.mark.parametrize(
    ("namespace", "spec", "reason", "field", "words"),
    [
        ("team-b", pgen(), "SourceNotAllowed", "spec.sourceRef", "ask the admin to add team-b"),
        (
            "team-a",
            pgen(principalArn="arn:aws:iam::111122223333:role/team-b-api"),
            "PrincipalNotAllowed",
            "spec.principalArn",
            "allowedPrincipals: arn:aws:iam::111122223333:role/team-a-*",
        ),
        (
            "team-a",
            pgen(sourceRef=None, cloudTrail={"s3": S3}),
            "SourceNotAllowed",
            "spec.cloudTrail",
            "ask your cluster admin",
        ),
    ],
)
async def test_source_refusals(
    kube: FakeKube, namespace: str, spec: dict[str, Any], reason: str, field: str, words: str
) -> None:
    with pytest.raises(InvalidRequestError) as err:
        await resolve_source(spec, namespace, kube)
    assert (err.value.reason, err.value.field) == (reason, field)
    assert words in str(err.value)


async def test_repository_refusals(kube: FakeKube) -> None:
    kube.namespace_labels_by_name["team-c"] = {"team": "a"}
    with pytest.raises(InvalidRequestError) as err:
        await resolve_repository(pgen(), "team-c", kube, operator_namespace="op")
    assert err.value.reason == "RepositoryNotAllowed" and "add team-c" in str(err.value)

    outside = pgen()
    outside["output"]["pullRequest"]["path"] = "teams/b/iam"
    with pytest.raises(InvalidRequestError) as err:
        await resolve_repository(outside, "team-a", kube, operator_namespace="op")
    assert err.value.reason == "PathNotAllowed" and "allowedPaths: teams/a/**" in str(err.value)

    inline = pgen()
    inline["output"]["pullRequest"] = {
        "provider": "github",
        "repository": "https://github.com/x/y",
        "path": "a",
        "format": "ack",
    }
    with pytest.raises(InvalidRequestError) as err:
        await resolve_repository(inline, "team-a", kube, operator_namespace="op")
    assert (
        err.value.reason == "RepositoryNotAllowed" and err.value.field == "spec.output.pullRequest.repository"
    )


async def test_inline_forms_only_single_tenant(kube: FakeKube) -> None:
    spec = pgen(sourceRef=None, cloudTrail={"s3": S3}, aws={"roleArn": "arn:aws:iam::111122223333:role/r"})
    spec["output"]["pullRequest"] = {
        "provider": "git",
        "repository": "file:///tmp/r",
        "path": "a",
        "format": "ack",
    }
    resolved = await resolve(spec, "team-a", kube, operator_namespace="op", single_tenant=True)
    assert resolved.spec["cloudTrail"] == {"s3": S3} and resolved.refs == {}
    assert resolved.spec["aws"]["roleArn"] == "arn:aws:iam::111122223333:role/r"
    assert resolved.repository is not None and resolved.repository.secret_namespace == "team-a"


async def test_a_source_without_a_role_drops_a_team_role(kube: FakeKube) -> None:
    """With a source, only the admin picks the role to assume (the CRD refuses spec.aws.roleArn too)."""
    kube.admin_objects[("clustercloudtrailsources", None, "org")] = cluster_source(
        aws={"region": "us-east-1"}
    )
    spec = pgen(aws={"roleArn": "arn:aws:iam::111122223333:role/admin"})
    resolved = await resolve(spec, "team-a", kube, operator_namespace="op")
    assert "roleArn" not in resolved.spec["aws"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"s3": {**S3, "regions": ["eu-west-1", "eu-wset-1"]}}, "spec.s3.regions"),
        ({"s3": None, "lookupEvents": {"regions": ["eu-wset-1"]}}, "spec.lookupEvents.regions"),
        ({"aws": {"region": "eu-wset-1"}}, "spec.aws.region"),
    ],
)
async def test_a_sources_unknown_region_is_the_sources_refusal(
    kube: FakeKube, changes: dict[str, Any], field: str
) -> None:
    """An admin's typo: named in the source's own terms, with a reason the source decides (its fix reruns
    the PolicyGenerations it refused, services/adminrefs.py), before any request is signed."""
    kube.admin_objects[("clustercloudtrailsources", None, "org")] = cluster_source(**changes)
    with pytest.raises(InvalidRequestError) as err:
        await resolve_source(pgen(), "team-a", kube)
    assert (err.value.reason, err.value.field) == ("SourceInvalid", "spec.sourceRef")
    message = str(err.value)
    assert message.startswith(f"ClusterCloudTrailSource org {field}: 'eu-wset-1' is not an AWS region")
    assert "did you mean eu-west-1" in message and message.endswith("ask the admin to fix the source")


@pytest.mark.parametrize("source_region", ["eu-west-1", None])
async def test_the_teams_own_unknown_region_is_refused_with_a_source_too(
    kube: FakeKube, source_region: str | None
) -> None:
    """docs/operator.md: every ``aws.region`` of a PolicyGeneration is checked. Seen on the control plane: a
    PolicyGeneration with ``sourceRef`` and ``aws: {region: us-est-1}`` became Ready (the source's region
    replaced the typo unseen), so the team never learnt its spec was wrong, and the same spec under a source
    without a region would sign for an endpoint that does not exist."""
    aws = {"region": source_region} if source_region else {}
    kube.admin_objects[("clustercloudtrailsources", None, "org")] = cluster_source(aws=aws)
    with pytest.raises(InvalidRequestError) as err:
        await resolve(pgen(aws={"region": "us-est-1"}), "team-a", kube, operator_namespace="op")
    assert err.value.field == "spec.aws.region"
    assert str(err.value).startswith("spec.aws.region: 'us-est-1' is not an AWS region")


@pytest.mark.parametrize("dry_run", [True, False, None])
async def test_the_teams_dry_run_goes_with_the_admins_repository(
    kube: FakeKube, dry_run: bool | None
) -> None:
    """``dryRun`` is the team's, like ``format``: the resolved repository keeps it, so a PolicyGeneration
    (and a rightsizing parent's pull requests, resolved the same way) previews instead of pushing."""
    spec = pgen()
    if dry_run is not None:
        spec["output"]["pullRequest"]["dryRun"] = dry_run
    resolved = await resolve(spec, "team-a", kube, operator_namespace="policygen-system")
    target = specs.pull_request(resolved.spec)
    assert target is not None and target.spec.dry_run is (dry_run is True)
