"""EKS Pod Identity sessions in CloudTrail: which namespace and ServiceAccount a role session served.

EKS Pod Identity gets a pod's credentials with STS ``AssumeRole`` on the role of the pod's ServiceAccount's
association, and passes session tags on that call: ``eks-cluster-arn``, ``eks-cluster-name``,
``kubernetes-namespace``, ``kubernetes-service-account``, ``kubernetes-pod-name``, ``kubernetes-pod-uid``
(Amazon EKS User Guide, "Grant Pods access to AWS resources based on tags", list of session tags added by
EKS Pod Identity: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html). The session is named
``eks-<cluster>-<pod>-<uuid>`` (EKS Auth API, ``AssumeRoleForPodIdentity`` response,
``assumedRoleUser.assumeRoleId``), so its ARN is ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/eks-...``.

CloudTrail records that ``AssumeRole`` with the tags in ``requestParameters.tags`` (``[{"key", "value"}]``)
and the session in ``responseElements.assumedRoleUser.arn`` (IAM User Guide, "Logging IAM and AWS STS API
calls with AWS CloudTrail", the AssumeRole example with session tags); every later call of the session
carries that ARN as ``userIdentity.arn``. So the calls of a role shared by several ServiceAccounts can be
told apart per ServiceAccount. IRSA sessions (``AssumeRoleWithWebIdentity``) carry no such tags: their usage
stays per role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NAMESPACE_TAG = "kubernetes-namespace"
SERVICE_ACCOUNT_TAG = "kubernetes-service-account"
POD_TAG = "kubernetes-pod-name"
SESSION_PREFIX = "eks-"  # the session name Pod Identity gives: eks-<cluster>-<pod>-<uuid>


def is_pod_identity_session(session_arn: str) -> bool:
    """Whether an assumed-role ARN has the session name EKS Pod Identity gives (``eks-...``)."""
    return ":assumed-role/" in session_arn and session_arn.rsplit("/", 1)[-1].startswith(SESSION_PREFIX)


def pod_identity_session(record: Mapping[str, Any]) -> tuple[str, str, dict[str, str]] | None:
    """``(role ARN, session ARN, session tags)`` of a successful Pod Identity ``AssumeRole`` record, else
    None (another call, a failed one, or an AssumeRole without the namespace and ServiceAccount tags)."""
    if record.get("eventName") != "AssumeRole" or record.get("eventSource") != "sts.amazonaws.com":
        return None
    if record.get("errorCode"):
        return None
    request = record.get("requestParameters") or {}
    response = record.get("responseElements") or {}
    if not isinstance(request, Mapping) or not isinstance(response, Mapping):
        return None
    role = request.get("roleArn")
    assumed = response.get("assumedRoleUser")
    session = assumed.get("arn") if isinstance(assumed, Mapping) else None
    listed = request.get("tags")
    tags: dict[str, str] = {}
    for tag in listed if isinstance(listed, list) else ():  # written by AWS, but never trusted to be shaped
        if isinstance(tag, Mapping) and isinstance(tag.get("key"), str) and isinstance(tag.get("value"), str):
            tags[tag["key"]] = tag["value"]
    if not isinstance(role, str) or not isinstance(session, str):
        return None
    if NAMESPACE_TAG not in tags or SERVICE_ACCOUNT_TAG not in tags:
        return None
    return role, session, tags


def service_account_of(tags: Mapping[str, str]) -> str:
    """``namespace/name``, as discovery lists ServiceAccounts."""
    return f"{tags[NAMESPACE_TAG]}/{tags[SERVICE_ACCOUNT_TAG]}"
