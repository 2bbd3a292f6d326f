"""Account Management's calls without ``AccountId`` are granted on the caller's own account.

"If you don't include the AccountId parameter, then the operation runs in the standalone context and
automatically applies the request to the account you used to make the request. This is true whether or not
the account is a member of an organization" (AWS Account Management Reference Guide, "Understanding API
modes of operation"); the Service Authorization Reference's ``account`` resource type is
``arn:${Partition}:account::${Account}:account``. The table named it nowhere, so every such call was granted
``*``, most with the resource-undetermined finding. Found by the QA pass on the invictus-ir AWS dataset as
republished in https://github.com/Yamato-Security/suzaku-sample-data
(invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1145Z_s7dpHbl38neqZbm2.json: user/benjamin's
``GetRegionOptStatus`` with ``"requestParameters": {"RegionName": "eu-north-1"}``, three times).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity

OWN = f"arn:aws:account::{ACCOUNT}:account"
MEMBER = "444455556666"


def account_call(name: str, params: dict[str, Any] | None, **kw: Any) -> dict[str, Any]:
    kw.setdefault("identity", user_identity(user="benjamin"))
    return cloudtrail_record("account.amazonaws.com", name, params, **kw)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("GetRegionOptStatus", {"RegionName": "eu-north-1"}),
        ("ListRegions", {"MaxResults": 50, "RegionOptStatusContains": ["ENABLED"]}),
        ("EnableRegion", {"RegionName": "ap-east-1"}),
        ("GetContactInformation", None),
        ("GetAlternateContact", {"AlternateContactType": "BILLING"}),
        (
            "PutAlternateContact",
            {
                "AlternateContactType": "SECURITY",
                "Name": "Security team",
                "Title": "CISO",
                "EmailAddress": "security@example.com",
                "PhoneNumber": "+1-555-0100",
            },
        ),
        ("PutAccountName", {"AccountName": "production"}),
    ],
)
def test_the_standalone_context_is_the_callers_account(name: str, params: dict[str, Any] | None) -> None:
    event = EventMapper().map(account_call(name, params))
    assert event.uses == ((f"account:{name}", OWN),)
    assert event.notes == ()


def test_the_account_is_the_partitions() -> None:
    record = account_call(
        "GetRegionOptStatus",
        {"RegionName": "cn-northwest-1"},
        partition="aws-cn",
        region="cn-north-1",
        identity=user_identity(partition="aws-cn", user="benjamin"),
    )
    assert EventMapper().map(record).uses == (
        ("account:GetRegionOptStatus", f"arn:aws-cn:account::{ACCOUNT}:account"),
    )


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("GetRegionOptStatus", {"RegionName": "eu-north-1", "AccountId": MEMBER}),
        ("GetGovCloudAccountInformation", {"StandardAccountId": MEMBER}),
    ],
)
def test_a_member_account_named_by_id_is_not_the_callers(name: str, params: dict[str, Any]) -> None:
    """The organizations context: ``account/o-ORG/MEMBER`` under the management account, neither of which the
    record names; never the caller's own account."""
    event = EventMapper().map(account_call(name, params))
    assert all(resource != OWN for _, resource in event.uses)
