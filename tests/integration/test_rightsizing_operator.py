"""Cluster rightsizing on the real control plane, under deploy/'s RBAC, with moto's IAM and S3.

Two namespaces with annotated ServiceAccounts (one role shared by two of them), an ACK ``Role`` object
(the ACK CRD from tests/fixtures/ack/), an EKS Pod Identity association (a local endpoint of botocore's
EKS model: moto has no Pod Identity API) and the sample logs in moto's S3. One ``ClusterRightsizing`` must
give one Ready child per role with the right policy, granted-versus-used counts equal to a hand count, ONE
scan in the metrics; removing an annotation removes that role's child.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.domain.rightsizing import child_name
from policygen_operator.services.generation import GenerationRequest, LocalLogs, run_generation
from policygen_operator.services.publish import policies_sha256
from tests.controlplane.client import ApiError, KubeClient
from tests.fixtures.aws import moto_client
from tests.fixtures.eks import PodIdentityEndpoint
from tests.fixtures.podidentity import assume_role, call, session_name, write_delivery_file
from tests.integration.operator_harness import (
    API,
    SAMPLES,
    Operator,
    condition,
    configmap,
    events_for,
    merge_patch,
    running_operator,
    upload_delivery_layout,
    wait_for,
)

pytestmark = [pytest.mark.controlplane, pytest.mark.moto]

ROOT = Path(__file__).resolve().parents[2]
ACK_CRD = ROOT / "tests" / "fixtures" / "ack" / "iam.services.k8s.aws_roles.yaml"
ACCOUNT = "111122223333"
ORDERS = f"arn:aws:iam::{ACCOUNT}:role/service-role/order-processor"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/ci-deployer"
ACK_MADE = f"arn:aws:iam::{ACCOUNT}:role/ack-made"
WINDOW = {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}


def policy(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


# The hand count. Used by the sample logs (policygen generate on examples/cloudtrail):
#   order-processor: 15 actions, among them s3:GetObject, s3:PutObject, sqs:SendMessage,
#     sqs:ReceiveMessage, sqs:DeleteMessage, dynamodb:GetItem, kms:Decrypt;
#   ci-deployer: 6, among them cloudformation:DescribeStacks, iam:PassRole, lambda:UpdateFunctionCode;
#   ack-made: none.
ORDERS_MANAGED = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",  # unused
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:PurgeQueue",  # unused
    "dynamodb:GetItem",
    "dynamodb:DeleteTable",  # unused
)
ORDERS_INLINE = ("kms:Decrypt", "kms:ScheduleKeyDeletion")  # the second unused
DEPLOYER_INLINE = (
    "cloudformation:DescribeStacks",
    "cloudformation:DeleteStack",  # unused
    "iam:PassRole",
    "lambda:UpdateFunctionCode",
)
ACK_MANAGED = ("s3:GetObject", "s3:ListBucket")  # both unused: the role made no call
EXPECTED = {
    # 16 used: s3:ListBucket too, since a GetObject of the samples failed with NoSuchKey, which S3 answers
    # only to a caller that may list the bucket (0d5d0d0)
    ORDERS: {"grantedActions": 11, "usedActions": 16, "unusedActions": 4, "reductionPercent": 36},
    DEPLOYER: {"grantedActions": 4, "usedActions": 6, "unusedActions": 1, "reductionPercent": 25},
    ACK_MADE: {"grantedActions": 2, "usedActions": 0, "unusedActions": 2, "reductionPercent": 100},
}


def install_ack_crd(kubectl: str, kubeconfig: Path) -> None:
    base = [kubectl, "--kubeconfig", str(kubeconfig)]
    subprocess.run([*base, "apply", "--server-side", "-f", str(ACK_CRD)], check=True, capture_output=True)
    crd = "crd/roles.iam.services.k8s.aws"
    subprocess.run([*base, "wait", "--for=condition=Established", crd], check=True, capture_output=True)


def wait_established(kubectl: str, kubeconfig: Path) -> None:
    for crd in ("rightsizings.policygen.io", "clusterrightsizings.policygen.io"):
        subprocess.run(
            [kubectl, "--kubeconfig", str(kubeconfig), "wait", "--for=condition=Established", f"crd/{crd}"],
            check=True,
            capture_output=True,
        )


def service_account(kube: KubeClient, namespace: str, name: str, role: str | None) -> None:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if role:
        meta["annotations"] = {"eks.amazonaws.com/role-arn": role}
    kube.post(
        f"/api/v1/namespaces/{namespace}/serviceaccounts",
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
    )


def labelled_namespace(kube: KubeClient, name: str, label: str) -> None:
    kube.post(
        "/api/v1/namespaces",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {"rightsizing-test": label}},
        },
    )


@pytest.fixture(scope="module")
def iam_roles(moto_server: str) -> None:
    """Once per module: moto's server is the module's, and IAM refuses a second role of one name."""
    iam = moto_client("iam", moto_server)
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    for name, path in (("order-processor", "/service-role/"), ("ci-deployer", "/"), ("ack-made", "/")):
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=trust)
    arn = iam.create_policy(PolicyName="orders-app", PolicyDocument=policy(*ORDERS_MANAGED))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="order-processor", PolicyArn=arn)
    iam.put_role_policy(RoleName="order-processor", PolicyName="kms", PolicyDocument=policy(*ORDERS_INLINE))
    iam.put_role_policy(RoleName="ci-deployer", PolicyName="deploy", PolicyDocument=policy(*DEPLOYER_INLINE))
    arn = iam.create_policy(PolicyName="s3-read", PolicyDocument=policy(*ACK_MANAGED))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="ack-made", PolicyArn=arn)


@pytest.fixture
def trail(moto_server: str) -> str:
    s3 = moto_client("s3", moto_server)
    bucket = f"trail-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    assert upload_delivery_layout(s3, bucket, SAMPLES) > 0
    return bucket


@pytest.fixture
def operator(
    namespace: str, operator_kubeconfig: Path, tmp_path: Path, moto_server: str
) -> Iterator[Operator]:
    env = {
        "POLICYGEN_RIGHTSIZING_INTERVAL": "1",
        "POLICYGEN_AWS_ENDPOINT_URL": moto_server,
        "POLICYGEN_AWS_REGION": "us-east-1",
    }
    with running_operator(namespace, operator_kubeconfig, tmp_path, env) as running:
        yield running


def get_parent(kube: KubeClient, name: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = kube.get(f"{API}/clusterrightsizings/{name}")
        return found
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def children(kube: KubeClient, namespace: str, uid: str) -> dict[str, dict[str, Any]]:
    items = kube.get(
        f"{API}/namespaces/{namespace}/policygenerations?labelSelector=policygen.io%2Frightsizing-uid%3D{uid}"
    )["items"]
    return {i["metadata"]["name"]: i for i in items}


def make_parent(
    kube: KubeClient,
    name: str,
    label: str,
    namespace: str,
    discovery: dict[str, Any],
    bucket: str,
    moto_server: str,
    **extra: Any,
) -> None:
    """A ClusterRightsizing over the namespaces labelled ``label``, reading ``bucket`` in moto's S3."""
    kube.post(
        f"{API}/clusterrightsizings",
        {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "ClusterRightsizing",
            "metadata": {"name": name},
            "spec": {
                "namespaceSelector": {"matchLabels": {"rightsizing-test": label}},
                "childNamespace": namespace,
                "discovery": discovery,
                "cloudTrail": {"s3": {"bucket": bucket, "accountIds": [ACCOUNT], "endpointURL": moto_server}},
                "window": WINDOW,
                "aws": {"region": "us-east-1"},
                **extra,
            },
        },
    )


def wait_ready(kube: KubeClient, name: str, operator: Operator) -> dict[str, Any]:
    parent: dict[str, Any] = wait_for(
        lambda: get_parent(kube, name),
        lambda p: p is not None and condition(p, "Ready").get("status") == "True",
        120,
        f"ClusterRightsizing {name} Ready ({operator.log_tail()})",
        0.5,
    )
    return parent


def test_cluster_rightsizing_end_to_end(
    kube_admin: KubeClient,
    kubectl: str,
    kubeconfig: Path,
    namespace: str,
    operator: Operator,
    moto_server: str,
    iam_roles: None,
    trail: str,
    pod_identity_endpoint: PodIdentityEndpoint,
) -> None:
    wait_established(kubectl, kubeconfig)
    install_ack_crd(kubectl, kubeconfig)
    label = uuid.uuid4().hex[:8]
    team_a, team_b, other = f"a-{label}", f"b-{label}", f"c-{label}"
    for ns in (team_a, team_b):
        labelled_namespace(kube_admin, ns, label)
    labelled_namespace(kube_admin, other, "not-in-scope")
    service_account(kube_admin, team_a, "orders", ORDERS)
    service_account(kube_admin, team_b, "orders", ORDERS)  # the same role, a second ServiceAccount
    service_account(kube_admin, team_a, "plain", None)
    service_account(kube_admin, other, "outside", "arn:aws:iam::111122223333:role/not-in-scope")
    kube_admin.post(
        f"/apis/iam.services.k8s.aws/v1alpha1/namespaces/{team_b}/roles",
        {
            "apiVersion": "iam.services.k8s.aws/v1alpha1",
            "kind": "Role",
            "metadata": {"name": "made-by-ack", "namespace": team_b},
            "spec": {"name": "ack-made", "assumeRolePolicyDocument": "{}"},
        },
    )
    # No ACK controller runs: write the status it would (ARN and account).
    merge_patch(
        kube_admin,
        f"/apis/iam.services.k8s.aws/v1alpha1/namespaces/{team_b}/roles/made-by-ack/status",
        {
            "status": {
                "ackResourceMetadata": {"arn": ACK_MADE, "ownerAccountID": ACCOUNT, "region": "us-east-1"}
            }
        },
    )
    pod_identity_endpoint.add("prod", team_a, "deployer", DEPLOYER)
    pod_identity_endpoint.add("prod", other, "elsewhere", "arn:aws:iam::111122223333:role/not-in-scope")

    name = f"fleet-{label}"
    discovery = {"podIdentity": {"clusterName": "prod", "endpointURL": pod_identity_endpoint.url}}
    make_parent(kube_admin, name, label, namespace, discovery, trail, moto_server, guards={"minEvents": 1})
    try:
        parent = wait_ready(kube_admin, name, operator)
        uid = parent["metadata"]["uid"]
        status = parent["status"]
        assert status["rolesFound"] == 3 and status["namespaces"] == 2
        rows = {r["arn"]: r for r in status["roles"]}
        assert set(rows) == {ORDERS, DEPLOYER, ACK_MADE}
        assert rows[ORDERS]["serviceAccounts"] == [f"{team_a}/orders", f"{team_b}/orders"]
        assert rows[DEPLOYER]["via"] == ["pod-identity"]
        assert rows[ACK_MADE]["ackRoles"] == [f"{team_b}/made-by-ack"]
        assert status["grantedActions"] == 17 and status["unusedActions"] == 7
        assert status["rolesWithUnused"] == 3 and status["reductionPercent"] == 41
        # `kubectl describe` lists the parent's events (the operator posts them in default, naming no
        # namespace for it, under deploy/'s RBAC); kopf's, in policygen-system, it never listed.
        described = wait_for(
            lambda: describe(kubectl, kubeconfig, name),
            lambda events: any("Succeeded" in line for line in events),
            30,
            f"kubectl describe clusterrightsizing {name} to list Succeeded ({operator.log_tail()})",
            0.5,
        )
        [succeeded] = [line.split() for line in described if "Succeeded" in line]
        assert succeeded[:2] == ["Normal", "Succeeded"] and "kopf" in succeeded, described
        assert " ".join(succeeded).endswith("one scan for 3 roles: 17 actions granted, 7 unused (41%)")
        assert [e["reason"] for e in events_for(kube_admin, "default", name)] == ["Succeeded"]
        assert events_for(kube_admin, "policygen-system", name) == []

        found = children(kube_admin, namespace, uid)
        assert set(found) == {child_name(name, arn) for arn in EXPECTED}
        local = run_generation(
            GenerationRequest(
                principals=(ORDERS, DEPLOYER),
                source=LocalLogs(str(SAMPLES / "AWSLogs")),
                start=parent_time(WINDOW["start"]),
                end=parent_time(WINDOW["end"]),
            )
        )
        for arn, counts in EXPECTED.items():
            child = found[child_name(name, arn)]
            assert child["metadata"]["ownerReferences"][0]["uid"] == uid
            assert condition(child, "Ready").get("status") == "True", child.get("status")
            right = child["status"]["rightsizing"]
            assert {k: right[k] for k in counts} == counts, (arn, right)
            if arn in local.results:
                assert child["status"]["policy"]["sha256"] == policies_sha256(local.results[arn].policies)
            cm = configmap(kube_admin, namespace, f"{child_name(name, arn)}-policy")
            assert cm is not None
            detail = json.loads(cm["data"]["rightsizing.json"])
            assert len(detail["unused"]) == counts["unusedActions"]
        assert found[child_name(name, ACK_MADE)]["status"]["rightsizing"]["heldBack"] == [
            "0 events, fewer than 1"
        ]
        assert json.loads(
            configmap(kube_admin, namespace, f"{child_name(name, ORDERS)}-policy")["data"]["rightsizing.json"]
        )["unused"] == [
            "dynamodb:DeleteTable",
            "kms:ScheduleKeyDeletion",
            "s3:DeleteObject",
            "sqs:PurgeQueue",
        ]

        metrics = operator.metrics()
        one_scan = [f'policygen_rightsizing_scans_total{{parent="ClusterRightsizing/{name}"}} 1.0']
        assert [
            line for line in metrics.splitlines() if line.startswith("policygen_rightsizing_scans_total")
        ] == one_scan
        series = f'kind="unused",parent="ClusterRightsizing/{name}",role="{ORDERS}"'
        assert f"policygen_rightsizing_role_actions{{{series}}} 4.0" in metrics
        assert 'policygen_generations_total{result="succeeded"}' not in metrics  # no child was scanned alone

        # The ACK Role object goes: its child goes; no new scan.
        kube_admin.delete(f"/apis/iam.services.k8s.aws/v1alpha1/namespaces/{team_b}/roles/made-by-ack")
        wait_for(
            lambda: children(kube_admin, namespace, uid),
            lambda c: child_name(name, ACK_MADE) not in c,
            30,
            "the ACK role's child to be deleted",
            0.5,
        )
        # One of the two ServiceAccounts of the shared role loses its annotation: the child stays.
        merge_patch(
            kube_admin,
            f"/api/v1/namespaces/{team_b}/serviceaccounts/orders",
            {"metadata": {"annotations": {"eks.amazonaws.com/role-arn": None}}},
        )
        parent = wait_for(
            lambda: get_parent(kube_admin, name),
            lambda p: (
                p["status"].get("rolesFound") == 2
                and {r["arn"]: r for r in p["status"]["roles"]}[ORDERS]["serviceAccounts"]
                == [f"{team_a}/orders"]
            ),
            30,
            "the shared role to list one ServiceAccount",
            0.5,
        )
        assert child_name(name, ORDERS) in children(kube_admin, namespace, uid)
        # The last one too: the role's child is removed.
        merge_patch(
            kube_admin,
            f"/api/v1/namespaces/{team_a}/serviceaccounts/orders",
            {"metadata": {"annotations": {"eks.amazonaws.com/role-arn": None}}},
        )
        wait_for(
            lambda: children(kube_admin, namespace, uid),
            lambda c: set(c) == {child_name(name, DEPLOYER)},
            30,
            "the order-processor child to be deleted",
            0.5,
        )
        assert (
            f'policygen_rightsizing_scans_total{{parent="ClusterRightsizing/{name}"}} 1.0'
            in operator.metrics()
        )
    finally:
        kube_admin.delete(f"{API}/clusterrightsizings/{name}")
        for ns in (team_a, team_b, other):
            kube_admin.delete(f"/api/v1/namespaces/{ns}")


def describe(kubectl: str, kubeconfig: Path, name: str) -> list[str]:
    """The lines of the Events section of `kubectl describe clusterrightsizing NAME`, header and all."""
    done = subprocess.run(
        [kubectl, "--kubeconfig", str(kubeconfig), "describe", "clusterrightsizing", name],
        capture_output=True,
        text=True,
        check=True,
    )
    _, found, events = done.stdout.partition("\nEvents:")
    assert found, done.stdout
    return events.strip().splitlines()


def parent_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_pod_identity_usage_is_split_per_service_account_on_the_control_plane(
    kube_admin: KubeClient,
    kubectl: str,
    kubeconfig: Path,
    namespace: str,
    operator: Operator,
    moto_server: str,
    pod_identity_endpoint: PodIdentityEndpoint,
    tmp_path: Path,
) -> None:
    """One role shared by two ServiceAccounts through EKS Pod Identity associations, the pods' sessions in
    moto's S3 (records shaped as AWS documents them, tests/fixtures/podidentity.py; session tags:
    https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html): the operator's child reports each
    ServiceAccount's usage in its status and ConfigMap."""
    wait_established(kubectl, kubeconfig)
    label = uuid.uuid4().hex[:8]
    team_a, team_b = f"pa-{label}", f"pb-{label}"
    for ns in (team_a, team_b):
        labelled_namespace(kube_admin, ns, label)
    role_name = f"shared-{label}"
    shared = f"arn:aws:iam::{ACCOUNT}:role/{role_name}"
    iam = moto_client("iam", moto_server)
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps({"Statement": []}))
    iam.put_role_policy(
        RoleName=role_name,
        PolicyName="read",
        PolicyDocument=policy("s3:ListAllMyBuckets", "sqs:ListQueues", "sqs:DeleteQueue"),
    )
    reader, auditor = session_name("reader-1", "1a2b3c4d"), session_name("auditor-1", "5e6f7a8b")
    t = "2026-11-24T10:{:02d}:00Z".format
    logs = tmp_path / "logs"  # tmp_path also holds the operator's log
    write_delivery_file(
        logs,
        [
            assume_role(shared, team_a, "reader", "reader-1", "1a2b3c4d", t(0)),
            assume_role(shared, team_b, "auditor", "auditor-1", "5e6f7a8b", t(1)),
            call(shared, reader, "s3", "ListBuckets", t(5), Host="s3.eu-west-1.amazonaws.com"),
            call(shared, reader, "sqs", "ListQueues", t(6)),
            call(shared, auditor, "sqs", "ListQueues", t(7)),
        ],
    )
    s3 = moto_client("s3", moto_server)
    bucket = f"pods-{label}"
    s3.create_bucket(Bucket=bucket)
    assert upload_delivery_layout(s3, bucket, logs) == 1
    pod_identity_endpoint.add("prod", team_a, "reader", shared)
    pod_identity_endpoint.add("prod", team_b, "auditor", shared)

    name = f"pods-{label}"
    pod_identity = {"clusterName": "prod", "endpointURL": pod_identity_endpoint.url}
    discovery = {"irsa": False, "ackRoles": False, "podIdentity": pod_identity}
    make_parent(kube_admin, name, label, namespace, discovery, bucket, moto_server)
    try:
        parent = wait_ready(kube_admin, name, operator)
        child = children(kube_admin, namespace, parent["metadata"]["uid"])[child_name(name, shared)]
        right = child["status"]["rightsizing"]
        assert right["attribution"] == "service-account"
        assert right["serviceAccounts"] == [f"{team_a}/reader", f"{team_b}/auditor"]
        assert right["serviceAccountUsage"] == [
            {"serviceAccount": f"{team_a}/reader", "usedActions": 2, "sessions": 1},
            {"serviceAccount": f"{team_b}/auditor", "usedActions": 1, "sessions": 1},
        ]
        assert (right["grantedActions"], right["usedActions"], right["unusedActions"]) == (3, 2, 1)
        cm = configmap(kube_admin, namespace, f"{child_name(name, shared)}-policy")
        assert cm is not None
        split = json.loads(cm["data"]["rightsizing.json"])["byServiceAccount"]
        assert list(split["serviceAccounts"][f"{team_b}/auditor"]["used"]) == ["sqs:ListQueues"]
        assert split["unattributed"]["sessions"] == 0
    finally:
        kube_admin.delete(f"{API}/clusterrightsizings/{name}")
        for ns in (team_a, team_b):
            kube_admin.delete(f"/api/v1/namespaces/{ns}")


def test_cluster_rightsizing_children_only_in_a_watched_namespace(
    kube_admin: KubeClient,
    kubectl: str,
    kubeconfig: Path,
    namespace: str,
    operator: Operator,
    moto_server: str,
) -> None:
    """Issue 10: the operator watches `namespace` only (deploy/'s RBAC, one RoleBinding there). A
    ClusterRightsizing is still served (cluster-scoped, the -cluster role), but its children would land where
    nothing reconciles them: refused with ChildNamespaceNotWatched, and nothing is created there."""
    wait_established(kubectl, kubeconfig)
    label = uuid.uuid4().hex[:8]
    elsewhere = f"d-{label}"
    labelled_namespace(kube_admin, elsewhere, label)
    name = f"fleet-{label}"
    make_parent(kube_admin, name, label, elsewhere, {"irsa": True}, "unused", moto_server)
    try:
        parent = wait_for(
            lambda: get_parent(kube_admin, name),
            lambda p: p is not None and condition(p, "Discovered").get("status") == "False",
            60,
            f"ClusterRightsizing {name} refused ({operator.log_tail()})",
            0.5,
        )
        refused = condition(parent, "Discovered")
        assert refused["reason"] == "ChildNamespaceNotWatched", refused
        assert f"'{elsewhere}' is not watched" in refused["message"]
        assert condition(parent, "Ready").get("status") == "False"
        assert kube_admin.get(f"{API}/namespaces/{elsewhere}/policygenerations")["items"] == []
    finally:
        kube_admin.delete(f"{API}/clusterrightsizings/{name}")
        kube_admin.delete(f"/api/v1/namespaces/{elsewhere}")


def test_a_rightsizing_and_a_cluster_rightsizing_of_one_name_do_not_share_a_child(
    kube_admin: KubeClient,
    kubectl: str,
    kubeconfig: Path,
    namespace: str,
    operator: Operator,
    moto_server: str,
    iam_roles: None,
    trail: str,
) -> None:
    """A Rightsizing in `namespace` and a ClusterRightsizing of the same name with its children there, both
    finding the order processor: they ask for one child name. Before, the second parent's create met the
    first one's child (409, let pass) and the role silently had no child of its own while its row named the
    other's. Now the second says so: the role's row and Scanned carry ChildNameTaken, naming the holder,
    and the first parent's child is left as it was."""
    wait_established(kubectl, kubeconfig)
    label = uuid.uuid4().hex[:8]
    team = f"e-{label}"
    labelled_namespace(kube_admin, team, label)
    service_account(kube_admin, team, "orders", ORDERS)
    service_account(kube_admin, namespace, "orders", ORDERS)
    name = f"twin-{label}"
    discovery = {"irsa": True, "ackRoles": False}
    spec = {
        "discovery": discovery,
        "cloudTrail": {"s3": {"bucket": trail, "accountIds": [ACCOUNT], "endpointURL": moto_server}},
        "window": WINDOW,
        "aws": {"region": "us-east-1"},
    }
    path = f"{API}/namespaces/{namespace}/rightsizings/{name}"
    kube_admin.post(
        f"{API}/namespaces/{namespace}/rightsizings",
        {
            "apiVersion": "policygen.io/v1alpha1",
            "kind": "Rightsizing",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        },
    )
    child_path = f"{API}/namespaces/{namespace}/policygenerations/{child_name(name, ORDERS)}"
    try:
        first = wait_for(
            lambda: kube_admin.get(path),
            lambda p: condition(p, "Ready").get("status") == "True",
            120,
            f"Rightsizing {name} Ready ({operator.log_tail()})",
            0.5,
        )
        held = kube_admin.get(child_path)
        make_parent(kube_admin, name, label, namespace, discovery, trail, moto_server)
        second = wait_for(
            lambda: get_parent(kube_admin, name),
            lambda p: p is not None and condition(p, "Scanned").get("status") == "False",
            120,
            f"ClusterRightsizing {name} refused its role ({operator.log_tail()})",
            0.5,
        )
        (row,) = second["status"]["roles"]
        assert row["arn"] == ORDERS and row["error"]["reason"] == "ChildNameTaken", row
        assert f"{namespace}/{child_name(name, ORDERS)}" in row["error"]["message"]
        assert f"a child of Rightsizing/{namespace}/{name}" in row["error"]["message"]
        assert condition(second, "Scanned")["reason"] == "ChildNameTaken"
        assert condition(second, "Ready").get("status") == "False"
        after = kube_admin.get(child_path)
        assert after["metadata"]["ownerReferences"] == held["metadata"]["ownerReferences"]
        assert [o["uid"] for o in after["metadata"]["ownerReferences"]] == [first["metadata"]["uid"]]
        assert after["spec"] == held["spec"]
        assert children(kube_admin, namespace, second["metadata"]["uid"]) == {}
    finally:
        kube_admin.delete(f"{API}/clusterrightsizings/{name}")
        kube_admin.delete(path)
        kube_admin.delete(f"/api/v1/namespaces/{team}")
