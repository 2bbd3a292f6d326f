"""The API server refuses bad PolicyGenerations with the schema's own message (no operator involved).

A spec the API server accepts is one the operator can act on; these cases are what users get wrong.
"""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from policygen_operator.domain.partitions import PARTITIONS
from policygen_operator.services.generation import PrincipalResult
from policygen_operator.services.publish import policies_sha256
from policygen_operator.services.status import policy_status
from tests.controlplane.client import ApiError, KubeClient
from tests.integration.operator_harness import API, install_deploy, merge_patch, pgen

pytestmark = pytest.mark.controlplane

GOOD: dict[str, Any] = {
    "principalArn": "arn:aws:iam::111122223333:role/service/payments-api",
    "cloudTrail": {
        "s3": {
            "bucket": "org-trail",
            "organizationId": "o-abcdef1234",
            "accountIds": ["111122223333"],
            "regions": ["us-east-1", "us-gov-west-1"],
        }
    },
    "window": {"lookback": "90d"},
    "policy": {"excludeActions": ["iam:PassRole", "s3:Delete*"]},
    "output": {
        "configMap": {"name": "payments-policy"},
        "pullRequest": {
            "provider": "github",
            "repository": "https://github.com/acme/infra.git",
            "path": "iam/payments-api/",
            "format": "ack",
            "replaceManagedPolicies": ["arn:aws:iam::aws:policy/PowerUserAccess"],
            "credentialsSecretRef": {"name": "git-credentials"},
            "labels": ["iam"],
        },
    },
    "schedule": {"interval": "24h"},
    "aws": {"region": "us-east-1", "roleArn": "arn:aws-us-gov:iam::111122223333:role/trail-reader"},
}


def changed(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    spec = copy.deepcopy(GOOD)
    edit(spec)
    return spec


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("short account id", lambda s: s.update(principalArn="arn:aws:iam::1111:role/x"), "spec.principalArn"),
    (
        "unknown partition",
        lambda s: s.update(principalArn="arn:aws-gov:iam::111122223333:role/x"),
        "spec.principalArn",
    ),
    (
        "not a role or user",
        lambda s: s.update(principalArn="arn:aws:iam::111122223333:group/admins"),
        "spec.principalArn",
    ),
    (
        "two sources",
        lambda s: s["cloudTrail"].update(local={"path": "/logs"}),
        "exactly one source must be set: cloudTrail.s3, cloudTrail.local or cloudTrail.athena",
    ),
    ("no source", lambda s: s.update(cloudTrail={}), "exactly one source must be set"),
    (
        "athena and s3",
        lambda s: s["cloudTrail"].update(athena={"database": "audit", "table": "trail"}),
        "exactly one source must be set",
    ),
    (
        "athena output not s3",
        lambda s: s.update(cloudTrail={"athena": {"database": "a", "table": "t", "outputLocation": "/tmp"}}),
        "spec.cloudTrail.athena.outputLocation",
    ),
    (
        "start after end",
        lambda s: s.update(window={"start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}),
        "window.start must be before window.end",
    ),
    (
        "lookback and start/end",
        lambda s: s["window"].update(start="2026-01-01T00:00:00Z", end="2026-02-01T00:00:00Z"),
        "window needs either lookback or start/end",
    ),
    (
        "start without end",
        lambda s: s.update(window={"start": "2026-01-01T00:00:00Z"}),
        "window.start and window.end must be set together",
    ),
    # A duration's message says what to write, not the regular expression (a user read
    # '^([1-9][0-9]{0,4}m|[1-4][0-9]{5}m|5[0-6][0-9]{4}m|...' for "500d" before).
    (
        "lookback in words",
        lambda s: s.update(window={"lookback": "90 days"}),
        "window.lookback must be a whole number from 1 followed by m, h, d or w (30m, 24h, 90d, 2w)",
    ),
    (
        "lookback of zero days",
        lambda s: s.update(window={"lookback": "0d"}),
        "window.lookback must be a whole number from 1",
    ),
    (
        "lookback of ten years",
        lambda s: s.update(window={"lookback": "3650d"}),
        "window.lookback may be at most 400 days",
    ),
    ("lookback of 58 weeks", lambda s: s.update(window={"lookback": "58w"}), "may be at most 400 days"),
    ("lookback of 9601 hours", lambda s: s.update(window={"lookback": "9601h"}), "may be at most 400 days"),
    (
        "end in year 9999",
        lambda s: s.update(window={"start": "2026-01-01T00:00:00Z", "end": "9999-12-31T23:30:00Z"}),
        "window.end must not be after 2100-01-01",
    ),
    (
        "start before CloudTrail",
        lambda s: s.update(window={"start": "2001-01-01T00:00:00Z", "end": "2001-02-01T00:00:00Z"}),
        "window.start must not be before 2013-11-01",
    ),
    (
        "window of six years",
        lambda s: s.update(window={"start": "2020-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}),
        "may span at most 400 days",
    ),
    ("bucket name", lambda s: s["cloudTrail"]["s3"].update(bucket="Org_Trail"), "spec.cloudTrail.s3.bucket"),
    ("account id", lambda s: s["cloudTrail"]["s3"].update(accountIds=["12345"]), "accountIds[0]"),
    ("region", lambda s: s["cloudTrail"]["s3"].update(regions=["useast1"]), "regions[0]"),
    ("organization id", lambda s: s["cloudTrail"]["s3"].update(organizationId="org-1"), "organizationId"),
    (
        "relative local path",
        lambda s: s.update(cloudTrail={"local": {"path": "logs"}}),
        "spec.cloudTrail.local.path",
    ),
    ("exclude action", lambda s: s["policy"].update(excludeActions=["PassRole"]), "excludeActions[0]"),
    (
        "schedule too often",
        lambda s: s.update(schedule={"interval": "1m"}),
        "schedule.interval must be at least 5m",
    ),
    (
        "schedule in words",
        lambda s: s.update(schedule={"interval": "daily"}),
        "schedule.interval must be a whole number from 1 to 9999 followed by m, h, d or w (30m, 24h, 7d, 2w)",
    ),
    (
        "role arn of a user",
        lambda s: s["aws"].update(roleArn="arn:aws:iam::111122223333:user/x"),
        "spec.aws.roleArn",
    ),
    (
        "path leaves the repository",
        lambda s: s["output"]["pullRequest"].update(path="iam/../../etc"),
        "path must stay inside the repository",
    ),
    (
        "github without credentials",
        lambda s: s["output"]["pullRequest"].pop("credentialsSecretRef"),
        "credentialsSecretRef is required for the github and gitlab providers",
    ),
    (
        "ssh repository",
        lambda s: s["output"]["pullRequest"].update(repository="git@github.com:acme/infra.git"),
        "spec.output.pullRequest.repository",
    ),
    (
        "credentials in the URL",
        lambda s: s["output"]["pullRequest"].update(repository="https://x:tok@github.com/a/b"),
        "spec.output.pullRequest.repository",
    ),
    ("unknown format", lambda s: s["output"]["pullRequest"].update(format="cdk"), "supported values"),
    (
        "unknown provider",
        lambda s: s["output"]["pullRequest"].update(provider="bitbucket"),
        "supported values",
    ),
    (
        "managed policy arn",
        lambda s: s["output"]["pullRequest"].update(replaceManagedPolicies=["PowerUserAccess"]),
        "replaceManagedPolicies[0]",
    ),
    ("unknown field", lambda s: s.update(principal="x"), 'unknown field "spec.principal"'),
    (
        "source twice",
        lambda s: s.update(sourceRef={"kind": "ClusterCloudTrailSource", "name": "org"}),
        "exactly one of sourceRef",
    ),
    ("no source", lambda s: s.pop("cloudTrail"), "exactly one of sourceRef"),
    (
        "own role with a source",
        lambda s: s.pop("cloudTrail") and s.update(sourceRef={"name": "org"}),
        "spec.aws.roleArn is not allowed",
    ),
    (
        "repository twice",
        lambda s: s["output"]["pullRequest"].update(repositoryRef={"name": "infra"}),
        "exactly one of repositoryRef",
    ),
    (
        "own api with a repository object",
        lambda s: (
            s["output"]["pullRequest"].update(repositoryRef={"name": "infra"}, apiURL="https://evil.example")
            or [s["output"]["pullRequest"].pop(k) for k in ("repository", "provider", "credentialsSecretRef")]
        ),
        "with repositoryRef, apiURL, baseBranch and credentials are the repository",
    ),
    (
        "source kind",
        lambda s: s.pop("cloudTrail") and s.update(sourceRef={"kind": "Bucket", "name": "org"}),
        "supported values",
    ),
    ("missing principal", lambda s: s.pop("principalArn"), "spec.principalArn: Required value"),
]


@pytest.fixture(scope="module")
def crd(kubectl: str, kubeconfig: Path) -> None:
    install_deploy(kubectl, kubeconfig)


def test_the_good_spec_is_accepted_and_defaults_are_filled(
    kube_admin: KubeClient, namespace: str, crd: None
) -> None:
    created = kube_admin.post(
        f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "good", GOOD)
    )
    assert created["spec"]["policy"] == {
        "resourceLevel": True,
        "includeDenied": False,
        "excludeActions": ["iam:PassRole", "s3:Delete*"],
    }
    # No schema default: with a repositoryRef the base branch is the repository's (inline: main, in services).
    assert "baseBranch" not in created["spec"]["output"]["pullRequest"]
    minimal = {
        "principalArn": "arn:aws:iam::111122223333:user/people/alice",
        "cloudTrail": {"local": {"path": "/l"}},
    }
    created = kube_admin.post(
        f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "minimal", minimal)
    )
    assert created["spec"]["window"] == {"lookback": "90d"}
    athena = {
        **minimal,
        "cloudTrail": {"athena": {"workgroup": "primary", "database": "audit", "table": "trail"}},
    }
    created = kube_admin.post(
        f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "athena", athena)
    )
    assert created["spec"]["cloudTrail"] == athena["cloudTrail"]


def test_the_cli_duration_grammar_passes_the_schema(
    kube_admin: KubeClient, namespace: str, crd: None
) -> None:
    """domain.timeutil's grammar (m, h, d, w) in window.lookback and schedule.interval, as in the CLI."""
    spec = {
        "principalArn": "arn:aws:iam::111122223333:user/people/alice",
        "cloudTrail": {"local": {"path": "/l"}},
        "window": {"lookback": "2w"},
        "schedule": {"interval": "1w"},
    }
    created = kube_admin.post(
        f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "weeks", spec)
    )
    assert created["spec"]["window"] == {"lookback": "2w"}
    assert created["spec"]["schedule"] == {"interval": "1w"}
    # the bounds, each in every unit that reaches it: 400 days, and a schedule of at least 5 minutes
    for number, (lookback, interval) in enumerate(
        [("576000m", "5m"), ("9600h", "9999m"), ("400d", "9999h"), ("57w", "9999w"), ("1m", "1h")]
    ):
        bounds = {**spec, "window": {"lookback": lookback}, "schedule": {"interval": interval}}
        kube_admin.post(
            f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, f"b{number}", bounds)
        )


def test_a_principal_of_every_partition_is_accepted(
    kube_admin: KubeClient, namespace: str, crd: None
) -> None:
    """The schema's partitions are the CLI's (``domain/partitions.py``): an ISO or European Sovereign Cloud
    role was refused by both before."""
    for number, partition in enumerate(PARTITIONS):
        spec = {
            "principalArn": f"arn:{partition}:iam::111122223333:role/app",
            "cloudTrail": {"local": {"path": "/l"}},
            "aws": {"roleArn": f"arn:{partition}:iam::111122223333:role/trail-reader"},
        }
        created = kube_admin.post(
            f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, f"partition-{number}", spec)
        )
        assert created["spec"]["principalArn"] == spec["principalArn"]


@pytest.mark.parametrize(("case", "edit", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_specs_are_refused_with_the_schema_message(
    kube_admin: KubeClient,
    namespace: str,
    crd: None,
    case: str,
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    body = pgen(namespace, "bad", changed(edit))
    with pytest.raises(ApiError) as refused:
        kube_admin.request(
            "POST", f"{API}/namespaces/{namespace}/policygenerations?fieldValidation=Strict", body
        )
    assert refused.value.status == 422 or (case == "unknown field" and refused.value.status == 400)
    assert message in str(refused.value.body), refused.value.body


def test_a_split_policys_status_keeps_part_count_and_keys(
    kubectl: str, kubeconfig: Path, kube_admin: KubeClient, namespace: str, crd: None
) -> None:
    """The status the services write for a two-part policy survives the schema (nothing pruned), and
    `kubectl get pgen -o yaml` shows the part count and every part's ConfigMap key beside part 1."""
    kube_admin.post(f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "split", GOOD))
    parts = [
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": sid, "Effect": "Allow", "Action": a, "Resource": "*"}],
        }
        for sid, a in (("A", "s3:GetObject"), ("B", "sqs:SendMessage"))
    ]
    found = PrincipalResult(
        GOOD["principalArn"], parts, [], ["s3:GetObject", "sqs:SendMessage"], ["s3", "sqs"], 100, []
    )
    policy = policy_status(found, policies_sha256(parts), 1)
    merge_patch(
        kube_admin,
        f"{API}/namespaces/{namespace}/policygenerations/split/status",
        {"status": {"policy": policy}},
    )
    shown = subprocess.run(
        [kubectl, "--kubeconfig", str(kubeconfig), "-n", namespace, "get", "pgen", "split", "-o", "yaml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    status = YAML(typ="safe").load(shown)["status"]["policy"]
    assert status == policy
    assert status["parts"] == 2 and status["partKeys"] == ["policy.json", "policy-part2.json"]
    wide = subprocess.run(
        [kubectl, "--kubeconfig", str(kubeconfig), "-n", namespace, "get", "pgen", "split"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    header, row = wide.splitlines()[:2]
    at = header.index("PARTS")  # columns are aligned; READY is blank here (no conditions), so not split()
    assert row[at:].split()[0] == "2", wide


ADMIN_SOURCE: dict[str, Any] = {
    "apiVersion": "policygen.io/v1alpha1",
    "kind": "ClusterCloudTrailSource",
    "metadata": {"name": "org-trail"},
    "spec": {
        "s3": {"bucket": "org-trail", "organizationId": "o-abcdef1234"},
        "aws": {"roleArn": "arn:aws:iam::111122223333:role/trail-reader", "externalId": "policygen-7f3a"},
        "allowedPrincipals": ["arn:aws:iam::111122223333:role/team-a-*"],
        "namespaces": {"selector": {"matchLabels": {"team": "a"}}, "names": ["payments"]},
    },
}
ATHENA: dict[str, Any] = {
    "workgroup": "policygen",
    "catalog": "AwsDataCatalog",
    "database": "audit",
    "table": "org_trail",
    "outputLocation": "s3://athena-results/policygen/",
    "accountIds": ["111122223333"],
    "regions": ["eu-west-1"],
    "endpointURL": "https://athena.eu-west-1.amazonaws.com",
}
ADMIN_REPOSITORY: dict[str, Any] = {
    "apiVersion": "policygen.io/v1alpha1",
    "kind": "ClusterPolicyRepository",
    "metadata": {"name": "infra"},
    "spec": {
        "provider": "github",
        "url": "https://github.com/acme/infra.git",
        "credentialsSecretRef": {"name": "github-token"},
        "allowedPaths": ["teams/a/**"],
        "namespaces": {"names": ["payments"]},
    },
}


def _admin(kube: KubeClient, body: dict[str, Any], name: str, edit: Callable[[dict[str, Any]], Any]) -> None:
    body = copy.deepcopy(body)
    body["metadata"]["name"] = name
    edit(body["spec"])
    plural = {
        "ClusterCloudTrailSource": "clustercloudtrailsources",
        "ClusterPolicyRepository": "clusterpolicyrepositories",
    }
    kube.request("POST", f"{API}/{plural[body['kind']]}?fieldValidation=Strict", body)


def test_admin_objects_are_accepted_and_bad_ones_refused(kube_admin: KubeClient, crd: None) -> None:
    _admin(kube_admin, ADMIN_SOURCE, "good-source", lambda s: None)
    _admin(kube_admin, ADMIN_REPOSITORY, "good-repository", lambda s: None)
    _admin(kube_admin, ADMIN_SOURCE, "athena-source", lambda s: (s.pop("s3"), s.update(athena=ATHENA)))
    stored = kube_admin.request("GET", f"{API}/clustercloudtrailsources/athena-source")
    assert stored["spec"]["athena"] == ATHENA  # every field kept (none pruned)
    lookup = {
        "regions": ["eu-west-1", "us-east-1"],
        "endpointURL": "https://cloudtrail.eu-west-1.amazonaws.com",
    }
    _admin(kube_admin, ADMIN_SOURCE, "history", lambda s: (s.pop("s3"), s.update(lookupEvents=lookup)))
    _admin(kube_admin, ADMIN_SOURCE, "history-here", lambda s: (s.pop("s3"), s.update(lookupEvents={})))
    labelled = {"matchLabels": {"kubernetes.io/metadata.name": "team-a", "tier": ""}}
    _admin(kube_admin, ADMIN_SOURCE, "labelled", lambda s: s["namespaces"].update(selector=labelled))
    stored = kube_admin.request("GET", f"{API}/clustercloudtrailsources/history")
    assert stored["spec"]["lookupEvents"] == lookup
    bad = [
        (ADMIN_SOURCE, lambda s: s.update(local={"path": "/logs"}), "exactly one source must be set"),
        (
            ADMIN_SOURCE,
            lambda s: s.update(athena=ATHENA),
            "exactly one source must be set: s3, local, athena or lookupEvents",
        ),
        (ADMIN_SOURCE, lambda s: s.update(lookupEvents={}), "exactly one source must be set"),
        (
            ADMIN_SOURCE,
            lambda s: (s.pop("s3"), s.update(lookupEvents={"regions": ["everywhere"]})),
            "spec.lookupEvents.regions[0]",
        ),
        (
            ADMIN_SOURCE,
            lambda s: (s.pop("s3"), s.update(athena={**ATHENA, "outputLocation": "/tmp/results"})),
            "spec.athena.outputLocation",
        ),
        (ADMIN_SOURCE, lambda s: (s.pop("s3"), s.update(athena={"database": "audit"})), "spec.athena.table"),
        (
            ADMIN_SOURCE,
            lambda s: (s.pop("s3"), s.update(athena={**ATHENA, "database": "audit; DROP"})),
            "spec.athena.database",
        ),
        (
            ADMIN_SOURCE,
            lambda s: (s.pop("s3"), s.update(athena={**ATHENA, "query": "SELECT 1"})),
            'unknown field "spec.athena.query"',
        ),
        (ADMIN_SOURCE, lambda s: s.pop("namespaces"), "spec.namespaces: Required value"),
        (ADMIN_SOURCE, lambda s: s.update(allowedPrincipals=[]), "spec.allowedPrincipals"),
        (ADMIN_SOURCE, lambda s: s.update(allowedPrincipals=["team-a-*"]), "spec.allowedPrincipals[0]"),
        (
            ADMIN_SOURCE,
            lambda s: s["namespaces"].update(selector={"matchExpressions": [{"key": "t", "operator": "In"}]}),
            "In and NotIn need values",
        ),
        # a label key or value Kubernetes refuses on a Namespace would match none: refused, not granting none
        (
            ADMIN_SOURCE,
            lambda s: s["namespaces"].update(selector={"matchLabels": {"team a": "x"}}),
            "label key",
        ),
        (
            ADMIN_SOURCE,
            lambda s: s["namespaces"].update(selector={"matchLabels": {"team": "a b"}}),
            "spec.namespaces.selector.matchLabels.team",
        ),
        (
            ADMIN_REPOSITORY,
            lambda s: s["namespaces"].update(
                selector={"matchExpressions": [{"key": "team/", "operator": "In", "values": ["a"]}]}
            ),
            "spec.namespaces.selector.matchExpressions[0].key",
        ),
        (ADMIN_REPOSITORY, lambda s: s.pop("allowedPaths"), "spec.allowedPaths: Required value"),
        (ADMIN_REPOSITORY, lambda s: s.pop("credentialsSecretRef"), "credentialsSecretRef is required"),
        (ADMIN_REPOSITORY, lambda s: s.update(url="git@github.com:acme/infra.git"), "spec.url"),
    ]
    for index, (body, edit, message) in enumerate(bad):
        with pytest.raises(ApiError) as refused:
            _admin(kube_admin, body, f"bad-{index}", edit)
        assert message in str(refused.value.body), (index, refused.value.body)


def test_an_athena_runs_status_is_kept(kube_admin: KubeClient, namespace: str, crd: None) -> None:
    """``status.lastRun.athena`` as the services write it (running, then done) survives the schema, and the
    merge patch's nulls unset the file counters of an earlier run of another source."""
    from datetime import UTC, datetime

    from policygen_operator.services.athena import QueryProgress
    from policygen_operator.services.generation import Progress
    from policygen_operator.services.status import completed_run, progress_fields, started_run
    from tests.unit.services.test_athena_sources import athena_result

    kube_admin.post(f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "athena-run", GOOD))
    path = f"{API}/namespaces/{namespace}/policygenerations/athena-run/status"
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    run = started_run(datetime(2026, 3, 1, tzinfo=UTC), 1, start, end)
    merge_patch(kube_admin, path, {"status": {"lastRun": {**run, "filesScanned": 12, "filesSkipped": 1}}})
    running = QueryProgress("q-1", "RUNNING", 2_000_000_000, 3.0)
    merge_patch(
        kube_admin, path, {"status": {"lastRun": progress_fields(Progress(0, None, 0, 0, None, running))}}
    )
    shown = kube_admin.request("GET", f"{API}/namespaces/{namespace}/policygenerations/athena-run")
    assert shown["status"]["lastRun"]["athena"] == running.to_status()
    done = completed_run(run, datetime(2026, 3, 1, 0, 2, tzinfo=UTC), None, athena_result())
    merge_patch(kube_admin, path, {"status": {"lastRun": done}})
    last = kube_admin.request("GET", f"{API}/namespaces/{namespace}/policygenerations/athena-run")["status"][
        "lastRun"
    ]
    assert last["athena"] == done["athena"] and last["athena"]["bytesScanned"] == 7_340_032_000
    assert "filesScanned" not in last and "filesSkipped" not in last


def test_what_a_run_has_listed_is_kept_in_its_status(
    kube_admin: KubeClient, namespace: str, crd: None
) -> None:
    """``foldersListed``/``objectsListed`` (the CLI's "listed N folders, M objects") as the services write
    them survive the schemas of a PolicyGeneration's lastRun and a Rightsizing's lastScan: a field the
    schema lacks is pruned by the API server without an error."""
    from policygen_operator.services.generation import Progress
    from policygen_operator.services.status import progress_fields

    listed = progress_fields(Progress(0, None, 0, 0, folders_listed=1200, objects_listed=34567))
    kube_admin.post(f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "listing", GOOD))
    path = f"{API}/namespaces/{namespace}/policygenerations/listing"
    merge_patch(kube_admin, f"{path}/status", {"status": {"lastRun": listed}})
    assert kube_admin.request("GET", path)["status"]["lastRun"] == listed
    body = {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "Rightsizing",
        "metadata": {"name": "listing", "namespace": namespace},
        "spec": {"cloudTrail": {"athena": {"database": "audit", "table": "trail"}}},
    }
    kube_admin.post(f"{API}/namespaces/{namespace}/rightsizings", body)
    path = f"{API}/namespaces/{namespace}/rightsizings/listing"
    merge_patch(kube_admin, f"{path}/status", {"status": {"lastScan": listed}})
    assert kube_admin.request("GET", path)["status"]["lastScan"] == listed


def test_a_rightsizing_scan_through_athena_keeps_its_query_in_last_scan(
    kube_admin: KubeClient, namespace: str, crd: None
) -> None:
    """``status.lastScan.athena`` of a Rightsizing (what the services write) survives its schema."""
    from policygen_operator.services.status import athena_run
    from tests.unit.services.test_athena_sources import QUERY

    body = {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "Rightsizing",
        "metadata": {"name": "fleet", "namespace": namespace},
        "spec": {"cloudTrail": {"athena": {"database": "audit", "table": "trail"}}},
    }
    kube_admin.post(f"{API}/namespaces/{namespace}/rightsizings", body)
    scan = {"roles": ["arn:aws:iam::111122223333:role/x"], "eventsMatched": 4, "athena": athena_run(QUERY)}
    merge_patch(
        kube_admin, f"{API}/namespaces/{namespace}/rightsizings/fleet/status", {"status": {"lastScan": scan}}
    )
    shown = kube_admin.request("GET", f"{API}/namespaces/{namespace}/rightsizings/fleet")
    assert shown["status"]["lastScan"] == scan


def _kept(got: Any, want: Any, path: str = "status") -> list[str]:
    """The paths of ``want`` (a merge patch: None deletes) that ``got`` does not hold as written."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [path]
        return [p for k, v in want.items() if v is not None for p in _kept(got.get(k), v, f"{path}.{k}")]
    return [] if got == want else [f"{path} ({got!r} for {want!r})"]


def test_every_status_field_the_services_write_is_kept(
    kube_admin: KubeClient, namespace: str, crd: None
) -> None:
    """The statuses the services write, as they write them, merged into objects of the real API server and
    read back whole: a field a schema lacks is pruned without an error (a Rightsizing's lastScan had no
    filesTotal, so its progress never showed how many files a scan had to read). A rightsizing pass (its
    progress patches, its final status, its child's status) and a PolicyGeneration's run (started, its
    progress of a listing, a file and an Athena completion)."""
    from datetime import UTC, datetime, timedelta

    from policygen_operator.services import status as st
    from policygen_operator.services.generation import Progress
    from tests.unit.services.test_athena_sources import athena_result, result
    from tests.unit.services.test_rightsizing import written_by_a_pass

    progress, final, children = written_by_a_pass()
    body = {
        "apiVersion": "policygen.io/v1alpha1",
        "kind": "Rightsizing",
        "metadata": {"name": "every-field", "namespace": namespace},
        "spec": {"cloudTrail": {"athena": {"database": "audit", "table": "trail"}}},
    }
    cluster = {**body, "kind": "ClusterRightsizing", "metadata": {"name": f"every-field-{namespace}"}}
    cluster["spec"] = {**body["spec"], "childNamespace": namespace}
    kube_admin.post(f"{API}/namespaces/{namespace}/rightsizings", body)
    kube_admin.post(f"{API}/clusterrightsizings", cluster)
    paths = [
        f"{API}/namespaces/{namespace}/rightsizings/every-field",
        f"{API}/clusterrightsizings/every-field-{namespace}",
    ]
    try:
        for path in paths:
            for status in [*progress, final]:
                merge_patch(kube_admin, f"{path}/status", {"status": status})
                assert not _kept(kube_admin.request("GET", path)["status"], status), path
    finally:
        kube_admin.delete(paths[1])
    now = datetime(2026, 3, 1, tzinfo=UTC)
    run = st.started_run(now, 1, now - timedelta(days=30), now, {"sourceGeneration": 2})
    listing = Progress(3, 7, 1500, 3, folders_listed=12, objects_listed=340)
    statuses = [
        *children,
        {"lastRun": run},
        {"lastRun": st.progress_fields(listing)},
        {"lastRun": st.completed_run(run, now + timedelta(seconds=5), listing, result())},
        {"lastRun": st.completed_run(run, now + timedelta(seconds=5), None, athena_result())},
    ]
    kube_admin.post(f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "every-field", GOOD))
    path = f"{API}/namespaces/{namespace}/policygenerations/every-field"
    for status in statuses:
        merge_patch(kube_admin, f"{path}/status", {"status": status})
        assert not _kept(kube_admin.request("GET", path)["status"], status)


def test_a_pod_identity_roles_usage_per_service_account_is_kept(
    kube_admin: KubeClient, namespace: str, crd: None
) -> None:
    """``status.rightsizing.serviceAccountUsage`` of a Pod Identity role's child, as the rightsizing service
    writes it (``RoleAnalysis.service_account_usage``), survives the schema (unknown fields are pruned)."""
    from policygen_operator.domain.iam.granted import Grant
    from policygen_operator.domain.rightsizing import RoleAnalysis

    analysis = RoleAnalysis(
        "arn:aws:iam::111122223333:role/shared", [], {}, [], [], [], [], {}, [], 0, 30, [], Grant()
    )
    analysis.by_service_account = {
        "serviceAccounts": {
            "team-a/reader": {"sessions": 2, "pods": ["reader-1"], "used": {}, "usedActions": 3},
            "team-b/auditor": {"sessions": 1, "pods": ["auditor-1"], "used": {}, "usedActions": 1},
        },
        "unattributed": {"sessions": 0, "used": {}, "usedActions": 0},
    }
    kube_admin.post(f"{API}/namespaces/{namespace}/policygenerations", pgen(namespace, "pod-identity", GOOD))
    rightsizing = {
        "attribution": "service-account",
        "serviceAccounts": ["team-a/reader", "team-b/auditor"],
        "serviceAccountUsage": analysis.service_account_usage(),
    }
    merge_patch(
        kube_admin,
        f"{API}/namespaces/{namespace}/policygenerations/pod-identity/status",
        {"status": {"rightsizing": rightsizing}},
    )
    shown = kube_admin.request("GET", f"{API}/namespaces/{namespace}/policygenerations/pod-identity")
    assert shown["status"]["rightsizing"] == rightsizing
    assert shown["status"]["rightsizing"]["serviceAccountUsage"][0] == {
        "serviceAccount": "team-a/reader",
        "usedActions": 3,
        "sessions": 2,
    }
