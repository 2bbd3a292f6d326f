"""ElastiCache CopyServerlessCacheSnapshot names both snapshots, which iam-dataset has no entry to read.

"SourceServerlessCacheSnapshotName: The identifier of the existing serverless cache's snapshot to be
copied", "TargetServerlessCacheSnapshotName: The identifier for the snapshot to be created", "Tags: A list of
tags to be added to the target snapshot resource" (ElastiCache API Reference, CopyServerlessCacheSnapshot);
the Service Authorization Reference lists one type for elasticache:CopyServerlessCacheSnapshot,
``serverlesscachesnapshot:${ServerlessCacheSnapshotName}``. Both snapshots, as iam-dataset's entry for
CopySnapshot, its serverful twin, grants its source and target; the tags on the target only. Was: the call
and its tags on ``*`` with the resource-undetermined warning.

Payment Cryptography ImportKey stays as it was, for the evidence: the reference lists no resource type for
payment-cryptography:ImportKey (so ``*``), and its tags go on the key it imports, whose ARN the service
makes ("Tags: Assigns one or more tags to the Amazon Web Services Payment Cryptography key. Use this
parameter to tag a key when it is imported", Payment Cryptography API Reference); no page says on which
resource payment-cryptography:TagResource is evaluated then, so ``*`` with the warning, as for its CreateKey.
"""

from __future__ import annotations

from tests.unit.domain.iam.records import ACCOUNT, granted, uses_of

ELASTICACHE = f"arn:aws:elasticache:us-east-1:{ACCOUNT}"


def test_a_serverless_snapshot_copy_reads_its_source_and_makes_its_target() -> None:
    params = {
        "sourceServerlessCacheSnapshotName": "sessions-nightly",
        "targetServerlessCacheSnapshotName": "sessions-kept",
        "tags": [{"key": "team", "value": "payments"}],
    }
    assert granted("elasticache.amazonaws.com", "CopyServerlessCacheSnapshot", params) == {
        (
            "elasticache:CopyServerlessCacheSnapshot",
            f"{ELASTICACHE}:serverlesscachesnapshot:sessions-nightly",
        ),
        ("elasticache:CopyServerlessCacheSnapshot", f"{ELASTICACHE}:serverlesscachesnapshot:sessions-kept"),
        ("elasticache:AddTagsToResource", f"{ELASTICACHE}:serverlesscachesnapshot:sessions-kept"),
    }


def test_an_imported_payment_key_is_tagged_on_star_said() -> None:
    params = {
        "keyMaterial": {"trustedCertificatePublicKey": {"keyAttributes": {}, "publicKeyCertificate": "..."}},
        "tags": [{"key": "team", "value": "payments"}],
    }
    uses = uses_of("payment-cryptography.amazonaws.com", "ImportKey", params)
    assert uses == {("payment-cryptography:ImportKey", "*"), ("payment-cryptography:TagResource", "*")}
