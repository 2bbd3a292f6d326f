"""A record without ``recipientAccountId`` and ``userIdentity.accountId`` (an export that drops them) still
names its account in the caller's ARN: the call's resources are built there, not with an empty account
field (an ARN nothing matches). Records of two accounts that agree on everything else stay apart."""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record


def stripped(account: str) -> dict[str, Any]:
    record = cloudtrail_record("dynamodb.amazonaws.com", "GetItem", {"tableName": "orders"}, account=account)
    del record["recipientAccountId"]
    del record["userIdentity"]["accountId"]
    return record


def test_the_callers_account_stands_in() -> None:
    mapper = EventMapper()
    for account in ("111122223333", "444455556666"):  # one mapper: the memo keeps them apart
        assert mapper.map(stripped(account)).uses == (
            ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{account}:table/orders"),
        )
