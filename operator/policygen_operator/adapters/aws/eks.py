"""EKS Pod Identity associations of a cluster: which ServiceAccount runs as which role.

``ListPodIdentityAssociations`` returns namespace, ServiceAccount and association ID but not the role ARN, so
each association is read with ``DescribePodIdentityAssociation``. moto does not implement this API; the tests
drive this adapter through botocore's Stubber, which validates every request and response against botocore's
own service model of EKS.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from policygen_operator.adapters.aws.errors import classify
from policygen_operator.domain.rightsizing import (
    POD_IDENTITY,
    POD_IDENTITY_CHAIN,
    POD_IDENTITY_TARGET,
    POD_IDENTITY_UNTAGGED,
    Binding,
)


def pod_identity_bindings(client: Any, cluster: str, namespaces: set[str] | None = None) -> list[Binding]:
    """One binding per association of ``cluster`` (only the ``namespaces`` given, when given)."""
    bindings: list[Binding] = []
    try:
        for page in client.get_paginator("list_pod_identity_associations").paginate(clusterName=cluster):
            for summary in page.get("associations", []):
                if namespaces is not None and summary["namespace"] not in namespaces:
                    continue
                described = client.describe_pod_identity_association(
                    clusterName=cluster, associationId=summary["associationId"]
                )["association"]
                bindings += _bindings(described)
    except (ClientError, BotoCoreError) as error:
        raise classify(error, f"listing Pod Identity associations of EKS cluster {cluster}") from error
    return bindings


def _bindings(association: dict[str, Any]) -> list[Binding]:
    """The roles one association's pods reach: its role, or with a ``targetRoleArn`` the target, whose
    credentials the pods get, and the association's role, which assumes it. Only the association role's
    sessions that EKS tags (no target, tags not disabled) name their ServiceAccount (``ATTRIBUTION``)."""
    namespace, account = association["namespace"], association["serviceAccount"]
    target = association.get("targetRoleArn")
    if target:
        return [
            Binding(target, POD_IDENTITY_TARGET, namespace, account),
            Binding(association["roleArn"], POD_IDENTITY_CHAIN, namespace, account),
        ]
    via = POD_IDENTITY_UNTAGGED if association.get("disableSessionTags") else POD_IDENTITY
    return [Binding(association["roleArn"], via, namespace, account)]
