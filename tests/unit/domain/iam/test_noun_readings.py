"""A call newer than the SDK table reads a bare parameter as the table's calls on the same noun do.

EKS CancelUpdate takes "name: The name of the Amazon EKS cluster associated with the update" and "updateId"
(EKS API Reference), the parameters of DescribeUpdate and ListUpdates, whose table entries read the
cluster's ``ClusterName`` from ``name``. The namespace's methods at large fill the cluster from ``name`` and
from ``clusterName`` alike, so CancelUpdate's cluster was left unread and granted ``*``. A bare ``name`` of
a create is what it makes, and iam-dataset sometimes gives it a parent's variable (Athena's CreateNamedQuery
the workgroup's): such readings are not borrowed. Records in CloudTrail's lowerCamelCase, as the EKS API
spells these JSON parameters.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record


def mapped(source: str, name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    assert event.kind == "mapped"
    return event


def test_cancel_update_is_granted_on_the_cluster_its_name_names() -> None:
    event = mapped("eks.amazonaws.com", "CancelUpdate", {"name": "prod", "updateId": "b5f0ba18-9a87-4450"})
    assert event.uses == (("eks:CancelUpdate", f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/prod"),)
    assert event.notes == ()


def test_a_create_s_bare_name_is_not_read_as_a_parent() -> None:
    # "Name: The query name" (Athena API Reference, UpdateNamedQuery): no workgroup
    event = mapped(
        "athena.amazonaws.com",
        "UpdateNamedQuery",
        {"namedQueryId": "a1b2c3d4-5678-90ab-cdef", "name": "daily", "queryString": "SELECT 1"},
    )
    assert event.uses == (("athena:UpdateNamedQuery", "*"),)
