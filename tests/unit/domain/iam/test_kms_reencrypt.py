"""KMS ReEncrypt "is authorized twice - once as ReEncryptFrom on the source key and once as ReEncryptTo on the
destination key" (KMS API Reference, ReEncrypt).

The request usually names only the destination: "If your ciphertext was encrypted under a symmetric
encryption KMS key, the SourceKeyId parameter is optional" (same page). CloudTrail writes both keys in
``resources[]``: "The ``resources`` field in this log entry specifies two AWS KMS keys, the source KMS key and
the destination KMS key, in that order" (KMS Developer Guide, "ReEncrypt", the CloudTrail log entry example,
whose shape the records here copy). Read as one list for both actions, the role was granted to re-encrypt
*from* the destination key and *to* the source key, calls it never made."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record

SOURCE_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
DESTINATION_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
SOURCE = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{SOURCE_ID}"
DESTINATION = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{DESTINATION_ID}"


def key(arn: str) -> dict[str, str]:
    return {"accountId": arn.split(":")[4], "type": "AWS::KMS::Key", "ARN": arn}


def reencrypt(destination_key_id: str, listed: list[str], **extra: Any) -> set[tuple[str, str]]:
    params = {
        "sourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "sourceEncryptionContext": {"Project": "Alpha", "Department": "Engineering"},
        "destinationKeyId": destination_key_id,
        "destinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "destinationEncryptionContext": {"Level": "3A"},
        **extra,
    }
    record = cloudtrail_record(
        "kms.amazonaws.com", "ReEncrypt", params, region="us-west-2", resources=[key(a) for a in listed]
    )
    event = EventMapper().map(record)
    assert event.kind == "mapped" and not event.notes, event
    return set(event.uses)


@pytest.mark.parametrize(
    "destination_key_id",
    [
        DESTINATION_ID,
        DESTINATION,
        "alias/ExampleAlias",
        f"arn:aws:kms:us-west-2:{ACCOUNT}:alias/ExampleAlias",
    ],
)
def test_each_action_is_granted_on_its_own_key(destination_key_id: str) -> None:
    """The documented record (the destination by key id), and the destination by ARN or by alias, which only
    ``resources[]`` resolves to its key."""
    assert reencrypt(destination_key_id, [SOURCE, DESTINATION]) == {
        ("kms:ReEncryptFrom", SOURCE),
        ("kms:ReEncryptTo", DESTINATION),
    }


def test_a_source_key_in_another_account_is_granted_there() -> None:
    """Where the ciphertext was made under another account's key, only ``resources[]`` says which."""
    source = f"arn:aws:kms:us-west-2:{OTHER_ACCOUNT}:key/{SOURCE_ID}"
    assert reencrypt("alias/ExampleAlias", [source, DESTINATION]) == {
        ("kms:ReEncryptFrom", source),
        ("kms:ReEncryptTo", DESTINATION),
    }


def test_one_key_listed_is_both_source_and_destination() -> None:
    """Re-encrypting under the key the ciphertext already uses (to a new key material, a new context)."""
    assert reencrypt(SOURCE_ID, [SOURCE]) == {("kms:ReEncryptFrom", SOURCE), ("kms:ReEncryptTo", SOURCE)}


def test_an_asymmetric_source_named_in_the_request() -> None:
    assert reencrypt(DESTINATION_ID, [SOURCE, DESTINATION], sourceKeyId=SOURCE) == {
        ("kms:ReEncryptFrom", SOURCE),
        ("kms:ReEncryptTo", DESTINATION),
    }
