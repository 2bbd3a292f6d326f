"""QuickSight's RegisterUser is granted on the user it registers, ``user/<namespace>/<user-name>``.

QuickSight API Reference, RegisterUser (``POST /accounts/{AwsAccountId}/namespaces/{Namespace}/users``):
"UserName: The Amazon QuickSight user name that you want to create for the user you are registering",
"Namespace: The namespace. Currently, you should set this to default"; the reference's ``user`` type is
``user/${ResourceId}``, whose id holds the namespace ("arn:aws:quicksight:us-east-1:1111111111111:user/
default/myquicksightuser", DevOps Monitoring Dashboard on AWS, as ``rules.QUALIFIED_NAMES`` cites it).
iam-dataset gives the user ``*``: every registration was granted ``*`` with the resource-undetermined
finding. Records in CloudTrail's lowerCamelCase, the request's members.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record


def mapped(params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record("quicksight.amazonaws.com", "RegisterUser", params))
    assert event.kind == "mapped"
    return event


def test_a_quicksight_user_in_its_namespace_and_account() -> None:
    for account, namespace in ((ACCOUNT, "default"), (OTHER_ACCOUNT, "sales")):
        event = mapped(
            {
                "awsAccountId": account,
                "namespace": namespace,
                "identityType": "QUICKSIGHT",
                "email": "ana@example.com",
                "userRole": "READER",
                "userName": "ana",
            }
        )
        assert event.uses == (
            ("quicksight:RegisterUser", f"arn:aws:quicksight:us-east-1:{account}:user/{namespace}/ana"),
        )
        assert event.notes == ()


def test_an_iam_identity_registered_without_a_user_name_stays_on_star_said() -> None:
    """ "SessionName: You need to use this parameter only when you register one or more users using an
    assumed IAM role": the user's name is then QuickSight's to make, not in the request."""
    event = mapped(
        {
            "awsAccountId": ACCOUNT,
            "namespace": "default",
            "identityType": "IAM",
            "email": "ana@example.com",
            "userRole": "AUTHOR",
            "iamArn": f"arn:aws:iam::{ACCOUNT}:role/quicksight-authors",
            "sessionName": "ana",
        }
    )
    assert event.uses == (("quicksight:RegisterUser", "*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]
