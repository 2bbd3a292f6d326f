"""A multi-object delete of specific versions needs ``s3:DeleteObjectVersion``, which its record cannot show.

"s3:DeleteObject - To delete an object from a bucket, you must always specify the s3:DeleteObject permission.
s3:DeleteObjectVersion - To delete a specific version of an object from a versioning-enabled bucket, you must
specify the s3:DeleteObjectVersion permission" (S3 API Reference, DeleteObjects, "Permissions"); the versions
are the request body's ``<Object><Key>..</Key><VersionId>..</VersionId></Object>``. CloudTrail's record of the
call holds none of the body: ``"requestParameters": {"bucketName": ..., "Host": ..., "delete": ""}`` and the
objects as an ``ARNPrefix`` ("DeleteObjects does not indicate the list of files deleted", Stratus Red Team's
record of the call, whose shape this copies). So whether versions were deleted is unknown: granting
s3:DeleteObjectVersion to every DeleteObjects would let each such workload destroy every version under the
prefix, the data versioning keeps; it is left out and said (``permission-not-granted``, printed by the CLI),
so an AccessDenied after the swap has its fix in the report.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, s3_data_event

BUCKET = "ledger-archive"
PREFIX = f"arn:aws:s3:::{BUCKET}/*"


def deleted(extra: dict[str, Any] | None = None) -> tuple[set[tuple[str, str]], list[tuple[str, str, str]]]:
    params = {
        "bucketName": BUCKET,
        "Host": f"{BUCKET}.s3.us-east-1.amazonaws.com",
        "delete": "",
        **(extra or {}),
    }
    resources = [
        {"type": "AWS::S3::Object", "ARNPrefix": f"arn:aws:s3:::{BUCKET}/"},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{BUCKET}"},
    ]
    record = cloudtrail_record(
        "s3.amazonaws.com", "DeleteObjects", params, resources=resources, data_event=True
    )
    event = EventMapper().map(record)
    assert event.kind == "mapped", event
    return set(event.uses), list(event.notes)


def test_a_multi_object_delete_says_the_version_permission_it_may_need() -> None:
    uses, notes = deleted()
    assert uses == {("s3:DeleteObject", PREFIX)}
    [(severity, message)] = [(s, m) for s, code, m in notes if code == "permission-not-granted"]
    assert severity == "info"
    assert message.startswith("s3.amazonaws.com:DeleteObjects: s3:DeleteObjectVersion not granted: ")
    assert "specific version" in message


def test_a_single_delete_of_a_version_is_granted_it_and_says_nothing() -> None:
    """DeleteObject's record carries its ``versionId``: the version action is granted, nothing to say."""
    event = EventMapper().map(
        s3_data_event("DeleteObject", BUCKET, "2026/11/ledger.csv", params={"versionId": "v1"})
    )
    assert set(event.uses) == {("s3:DeleteObjectVersion", f"arn:aws:s3:::{BUCKET}/2026/11/ledger.csv")}
    assert event.notes == ()
