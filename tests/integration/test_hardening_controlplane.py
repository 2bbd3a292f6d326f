"""Issue 10, sections 2 and 3, on the real control plane: the operator runs multi-tenant (as the chart
installs it) with the token of deploy/'s ServiceAccount, so deploy/rbac.yaml is all it may do, and each
attempt is refused with its condition while local listeners record what reaches them.

The unit and adapter tests of the same controls (test_credentials_stay_home.py, test_s3_listing_limits.py,
test_role_session.py, tests/unit/services/test_scan_slots.py) call the code directly; these go through
kubectl-shaped objects, kopf, the reconcile service and the Kubernetes API with the operator's RBAC.
"""

from __future__ import annotations

import gzip
import shutil
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.controlplane.client import KubeClient
from tests.fixtures.listeners import Listener, LocalServer, QuietHandler, answer
from tests.integration.operator_harness import (
    SAMPLE_PRINCIPAL,
    SAMPLE_WINDOW,
    SAMPLES,
    Operator,
    condition,
    configmap,
    create,
    get,
    running_operator,
    wait_for,
    wait_ready,
)
from tests.integration.test_s3_listing_limits import Endless
from tests.integration.test_tenancy_controlplane import admin_repository, cluster_object

pytestmark = pytest.mark.controlplane

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/trail-reader"


def s3_source(kube: KubeClient, name: str, namespace: str, endpoint: str, **where: Any) -> dict[str, Any]:
    """An admin's source reading bucket ``trail`` of one account and region from ``endpoint``."""
    s3 = {"bucket": "trail", "endpointURL": endpoint, "accountIds": [ACCOUNT], "regions": ["us-east-1"]}
    return admin_source(kube, name, namespace, s3=s3, **where)


def admin_source(kube: KubeClient, name: str, namespace: str, **where: Any) -> dict[str, Any]:
    """A ClusterCloudTrailSource ``name`` (the sample logs unless ``where`` says otherwise) for ``namespace``;
    returns the sourceRef."""
    spec = {
        **({"local": {"path": str(SAMPLES)}} if not {"s3", "local"} & set(where) else {}),
        **where,
        "allowedPrincipals": [SAMPLE_PRINCIPAL],
        "namespaces": {"names": [namespace]},
    }
    cluster_object(kube, "clustercloudtrailsources", "ClusterCloudTrailSource", name, spec)
    return {"kind": "ClusterCloudTrailSource", "name": name}


def repository_output(
    kube: KubeClient, name: str, namespace: str, url: str, api_url: str, serves: str | None = None
) -> dict[str, Any]:
    """A ClusterPolicyRepository (credentials: the admin's marked Secret in the operator's namespace);
    returns the pull-request output naming it."""
    spec = {
        "provider": "github",
        "url": url,
        "apiURL": api_url,
        "allowedPaths": ["**"],
        "namespaces": {"names": [serves or namespace]},
    }
    admin_repository(kube, name, spec)
    ref = {"kind": "ClusterPolicyRepository", "name": name}
    return {"pullRequest": {"repositoryRef": ref, "path": "iam", "format": "ack"}}


def step_refused(kube: KubeClient, namespace: str, name: str, type_: str) -> dict[str, Any]:
    """The object once its ``type_`` condition is False for its generation."""

    def done(obj: dict[str, Any] | None) -> bool:
        cond = condition(obj, type_)
        return bool(obj) and cond.get("status") == "False" and cond.get("observedGeneration") == 1

    found: dict[str, Any] = wait_for(
        lambda: get(kube, namespace, name), done, 120, f"{namespace}/{name} {type_}=False"
    )
    return condition(found, type_)


def test_a_repository_object_sends_the_token_nowhere_else(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator, trap: Listener
) -> None:
    """Section 2: API host, redirects, dot segments, another namespace's repository: the token stays home."""
    host = Listener().start()  # the forge host the admin named (answers 404): must get nothing either
    redirector = Listener(redirect_to=trap.url).start()  # an admin's forge gone bad: redirects to the trap
    try:
        source = admin_source(kube_admin, f"src-{namespace}", namespace)
        spec = {"principalArn": SAMPLE_PRINCIPAL, "sourceRef": source, "window": SAMPLE_WINDOW}
        cases = {
            "api-elsewhere": (f"{host.url}/acme/infra.git", f"{trap.url}/api/v3"),
            "dot-segments": (f"{host.url}/acme/../victim/infra.git", f"{host.url}/api/v3"),
            "redirects": (f"{redirector.url}/acme/infra.git", f"{redirector.url}/api/v3"),
        }
        for case, (url, api_url) in cases.items():
            output = repository_output(kube_admin, f"{case}-{namespace}", namespace, url, api_url)
            create(kube_admin, namespace, case, {**spec, "output": output})
        other = repository_output(
            kube_admin, f"other-{namespace}", namespace, f"{host.url}/a/b.git", f"{host.url}/api/v3", "x"
        )
        create(kube_admin, namespace, "other-namespaces", {**spec, "output": other})

        assert step_refused(kube_admin, namespace, "api-elsewhere", "PullRequestOpened")["reason"] == (
            "APIHostNotAllowed"
        )
        dots = step_refused(kube_admin, namespace, "dot-segments", "PullRequestOpened")
        assert "'..' segment" in dots["message"], dots
        step_refused(kube_admin, namespace, "redirects", "PullRequestOpened")
        obj = wait_ready(kube_admin, namespace, "other-namespaces", status="False")
        assert condition(obj, "Ready")["reason"] == "RepositoryNotAllowed"

        assert redirector.requests, "the redirecting forge was never asked: the test proves nothing"
        assert trap.requests == [] and not trap.saw_token()
        assert host.requests == []
    finally:
        host.stop()
        redirector.stop()


def test_an_endless_listing_on_the_admins_endpoint_stops_at_the_page_cap(
    kube_admin: KubeClient, namespace: str, multi_tenant_operator: Operator
) -> None:
    """Section 3: an S3 endpoint answering IsTruncated=true for ever ends the run, permanently, with nothing
    written; before the cap the scan held its slot for ever."""
    endless = Endless()
    try:
        source = s3_source(kube_admin, f"endless-{namespace}", namespace, endless.url)
        spec = {"principalArn": SAMPLE_PRINCIPAL, "sourceRef": source, "window": SAMPLE_WINDOW}
        create(kube_admin, namespace, "endless", spec)
        obj = wait_ready(kube_admin, namespace, "endless", status="False")
        generated = condition(obj, "Generated")
        assert "more than 1000 pages" in generated["message"], generated
        # The first listing stops at the cap. An admin event that reaches a PolicyGeneration during its first
        # run reruns it once (services.adminrefs: the run may have read the source before the event), so a
        # second listing may follow; it too stops at the cap, and there is never a third.
        assert endless.pages[0] == 1000, endless.pages
        assert len(endless.pages) <= 2 and all(pages <= 1000 for pages in endless.pages), endless.pages
        assert configmap(kube_admin, namespace, "endless-policy") is None
        assert "configMapRef" not in obj["status"]
    finally:
        endless.stop()


def test_one_namespace_scans_one_at_a_time_and_a_slow_scan_stops_at_its_timeout(
    kube_admin: KubeClient, namespace: str, operator_kubeconfig: Path, tmp_path: Path
) -> None:
    """Section 3: two slots, one per namespace; a scan past POLICYGEN_SCAN_TIMEOUT is stopped (ScanTimedOut)
    and only then does the namespace's second scan send its first request."""
    env = {
        "POLICYGEN_SINGLE_TENANT": "false",
        "POLICYGEN_MAX_CONCURRENT_SCANS": "2",
        "POLICYGEN_MAX_SCANS_PER_NAMESPACE": "1",
        "POLICYGEN_SCAN_TIMEOUT": "4",
    }
    first, second = Endless(delay=0.05), Endless(delay=0.05)
    started: dict[str, float] = {}
    try:
        with running_operator(namespace, operator_kubeconfig, tmp_path, env):
            for name, server in (("first", first), ("second", second)):
                source = s3_source(kube_admin, f"{name}-{namespace}", namespace, server.url)
                spec = {"principalArn": SAMPLE_PRINCIPAL, "sourceRef": source, "window": SAMPLE_WINDOW}
                create(kube_admin, namespace, name, spec)
            running = wait_for(lambda: (first.calls, second.calls), lambda c: max(c) > 3, 60, "a scan")
            busy, idle = (first, second) if running[0] else (second, first)
            started["busy"] = time.monotonic()
            assert idle.calls == 0, running  # the namespace's one slot is taken: the other waits
            wait_for(lambda: idle.calls, bool, 60, "the second scan")
            started["idle"] = time.monotonic()
            assert started["idle"] - started["busy"] > 2  # it began once the first one's 4 s were up
            for name in ("first", "second"):
                obj = wait_ready(kube_admin, namespace, name, status="False")
                assert condition(obj, "Generated")["reason"] == "ScanTimedOut", condition(obj, "Generated")
                assert "configMapRef" not in obj["status"]
            assert busy.calls < 1000 and idle.calls < 1000  # stopped by the timeout, not the page cap
    finally:
        first.stop()
        second.stop()


class Recorder(LocalServer):
    """An STS endpoint of our own: records each request's form fields and answers AccessDenied."""

    ERROR = (
        b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        b"<Code>AccessDenied</Code><Message>recorded, not allowed</Message></Error>"
        b"<RequestId>t2</RequestId></ErrorResponse>"
    )

    def __init__(self) -> None:
        self.forms: list[dict[str, list[str]]] = []
        recorder = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorder.forms.append(urllib.parse.parse_qs(self.rfile.read(length).decode()))
                answer(self, 403, "text/xml", Recorder.ERROR)

        self.serve(Handler)


def test_the_assumed_role_session_names_the_team_that_asked(
    kube_admin: KubeClient, namespace: str, operator_kubeconfig: Path, tmp_path: Path, trap: Listener
) -> None:
    """Section 2: AssumeRole of the admin's role carries the session name, tags and external id; refused
    there, nothing is signed for the S3 endpoint."""
    sts = Recorder()
    env = {"POLICYGEN_SINGLE_TENANT": "false", "POLICYGEN_AWS_ENDPOINT_URL": sts.url}
    try:
        with running_operator(namespace, operator_kubeconfig, tmp_path, env):
            aws = {"region": "us-east-1", "roleArn": ROLE, "externalId": "policygen-7f3a"}
            source = s3_source(kube_admin, f"role-{namespace}", namespace, trap.url, aws=aws)
            create(
                kube_admin,
                namespace,
                "payments",
                {"principalArn": SAMPLE_PRINCIPAL, "sourceRef": source, "window": SAMPLE_WINDOW},
            )
            wait_for(lambda: sts.forms, bool, 60, "AssumeRole")
            step_refused(kube_admin, namespace, "payments", "Generated")
        form = {k: v[0] for k, v in sts.forms[0].items()}
        assert form["Action"] == "AssumeRole" and form["RoleArn"] == ROLE
        assert form["RoleSessionName"] == f"policygen-{namespace}.payments"
        assert form["ExternalId"] == "policygen-7f3a"
        tags = {form[f"Tags.member.{i}.Key"]: form[f"Tags.member.{i}.Value"] for i in (1, 2, 3)}
        assert tags == {
            "policygen.io/namespace": namespace,
            "policygen.io/name": "payments",
            "policygen.io/source": f"ClusterCloudTrailSource/role-{namespace}",
        }
        assert trap.requests == []  # no credentials, so no signed S3 request
    finally:
        sts.stop()


def test_a_file_that_inflates_past_the_cap_is_skipped_and_said(
    kube_admin: KubeClient, namespace: str, operator_kubeconfig: Path, tmp_path: Path
) -> None:
    """Section 3: a 64 KB gzip file of the admin's bucket that inflates to 64 MiB (valid JSON, no records) is
    skipped at POLICYGEN_MAX_FILE_SIZE=1M, and the result says it is built from less than the window."""
    logs = tmp_path / "logs"
    shutil.copytree(SAMPLES / "AWSLogs", logs / "AWSLogs")  # the well-formed files only
    day = logs / "AWSLogs" / ACCOUNT / "CloudTrail" / "us-east-1" / "2026" / "11" / "25"
    bomb = b'{"Records": [' + b" " * (64 * 1024 * 1024) + b"]}"
    (day / f"{ACCOUNT}_CloudTrail_us-east-1_20261125T1200Z_inflates.json.gz").write_bytes(gzip.compress(bomb))
    env = {"POLICYGEN_SINGLE_TENANT": "false", "POLICYGEN_MAX_FILE_SIZE": "1M"}
    with running_operator(namespace, operator_kubeconfig, tmp_path, env):
        source = admin_source(kube_admin, f"bomb-{namespace}", namespace, local={"path": str(logs)})
        spec = {"principalArn": SAMPLE_PRINCIPAL, "sourceRef": source, "window": SAMPLE_WINDOW}
        create(kube_admin, namespace, "bomb", spec)
        obj = wait_ready(kube_admin, namespace, "bomb")
    complete = condition(obj, "Complete")
    assert complete["status"] == "False" and complete["reason"] == "FilesSkipped", complete
    assert obj["status"]["lastRun"]["filesSkipped"] == 1
