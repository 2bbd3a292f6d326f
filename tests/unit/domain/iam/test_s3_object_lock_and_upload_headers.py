"""Permissions an S3 write needs because of what its request headers ask for. The S3 User Guide's "Required
permissions for Amazon S3 API operations" ("Object operations and permissions") lists, beside
s3:PutObject, s3:PutObjectAcl, s3:PutObjectTagging, s3:PutObjectRetention and s3:PutObjectLegalHold as
conditionally required for PutObject, for CopyObject on the new object and for CreateMultipartUpload on the
uploaded object, and s3:BypassGovernanceRetention for DeleteObject and PutObjectRetention; the request
headers that ask for each are those of the S3 API Reference (``x-amz-acl``, ``x-amz-grant-*``,
``x-amz-tagging``, ``x-amz-object-lock-mode``, ``x-amz-object-lock-retain-until-date``,
``x-amz-object-lock-legal-hold``, ``x-amz-bypass-governance-retention``). CloudTrail logs the headers in
``requestParameters`` under their header names, as the ACL and tagging records of test_mapping.py do."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, s3_data_event

BUCKET, KEY = "audit-archive", "2026/11/ledger.parquet"
OBJECT = f"arn:aws:s3:::{BUCKET}/{KEY}"
RETENTION = {
    "x-amz-object-lock-mode": "COMPLIANCE",
    "x-amz-object-lock-retain-until-date": "2033-11-30T00:00:00Z",
}
LEGAL_HOLD = {"x-amz-object-lock-legal-hold": "ON"}
S3 = "s3.amazonaws.com"


def granted(event_name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    event = EventMapper().map(s3_data_event(event_name, BUCKET, KEY, params=params))
    assert event.kind == "mapped" and not event.notes, event
    return set(event.uses)


def _upload(event_name: str) -> dict[str, Any]:
    """What the call itself logs besides the bucket and key."""
    if event_name == "CreateMultipartUpload":
        return {"uploads": ""}
    if event_name == "CopyObject":  # a copy that takes over neither the source's tags nor its annotations
        return {
            "x-amz-copy-source": f"{BUCKET}/staging/ledger.parquet",
            "x-amz-tagging-directive": "REPLACE",
            "x-amz-object-annotation-directive": "EXCLUDE",
        }
    return {}


@pytest.mark.parametrize("event_name", ["PutObject", "CopyObject", "CreateMultipartUpload"])
@pytest.mark.parametrize(
    ("headers", "added"),
    [
        (RETENTION, {"s3:PutObjectRetention"}),
        ({"x-amz-object-lock-retain-until-date": "2033-11-30T00:00:00Z"}, {"s3:PutObjectRetention"}),
        (LEGAL_HOLD, {"s3:PutObjectLegalHold"}),
        ({**RETENTION, **LEGAL_HOLD}, {"s3:PutObjectRetention", "s3:PutObjectLegalHold"}),
    ],
)
def test_a_write_that_locks_the_object_needs_the_lock_actions(
    event_name: str, headers: dict[str, str], added: set[str]
) -> None:
    """A write that sets a retention period or a legal hold on the object it writes was granted the write
    alone, and S3 refuses it without s3:PutObjectRetention / s3:PutObjectLegalHold ("Required if you want
    to set an Object Lock retention configuration ...", "Required if you want to apply an Object Lock legal
    hold ...", S3 User Guide, "Required permissions for Amazon S3 API operations")."""
    plain = granted(event_name, _upload(event_name))
    assert granted(event_name, {**_upload(event_name), **headers}) == plain | {(a, OBJECT) for a in added}


@pytest.mark.parametrize(
    ("headers", "added"),
    [
        ({"x-amz-acl": "bucket-owner-full-control"}, {"s3:PutObjectAcl"}),
        (
            {"x-amz-grant-read": "id=79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
            {"s3:PutObjectAcl"},
        ),
        ({"x-amz-tagging": "retention=7y&team=finance"}, {"s3:PutObjectTagging"}),
        ({}, set()),
    ],
)
def test_a_multipart_upload_that_sets_an_acl_or_tags_needs_their_actions(
    headers: dict[str, str], added: set[str]
) -> None:
    """The ACL and tags of a multipart upload's object are set when the upload is created (UploadPart takes
    neither header), and CreateMultipartUpload needs s3:PutObjectAcl "if you want to set the object access
    control list (ACL) permissions for the uploaded object" and s3:PutObjectTagging "if you want to add
    object tagging(s) to the uploaded object" (S3 User Guide, "Required permissions for Amazon S3 API
    operations"). iam-dataset's entry has s3:PutObject only, so a large ``aws s3 cp --acl
    bucket-owner-full-control`` into another account's bucket was granted too little."""
    uses = granted("CreateMultipartUpload", {"uploads": "", **headers})
    assert uses == {("s3:PutObject", OBJECT)} | {(action, OBJECT) for action in added}


@pytest.mark.parametrize(
    ("event_name", "params", "plain"),
    [
        ("DeleteObject", {"versionId": "3sL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY"}, "s3:DeleteObjectVersion"),
        ("DeleteObject", {}, "s3:DeleteObject"),
        (
            "PutObjectRetention",
            {"retention": {"Mode": "GOVERNANCE", "RetainUntilDate": "2026-12-31T00:00:00Z"}},
            "s3:PutObjectRetention",
        ),
    ],
)
@pytest.mark.parametrize(("bypass", "needed"), [("true", True), ("false", False), (None, False)])
def test_bypassing_governance_mode_needs_its_permission(
    event_name: str, params: dict[str, Any], plain: str, bypass: str | None, needed: bool
) -> None:
    """A delete or a retention change that asks to override governance mode
    (``x-amz-bypass-governance-retention: true``) needs s3:BypassGovernanceRetention: "To use this header,
    you must have the s3:BypassGovernanceRetention permission" (S3 API Reference, DeleteObject), "a user
    must have the s3:BypassGovernanceRetention permission and must explicitly include
    x-amz-bypass-governance-retention:true as a request header" (S3 User Guide, "How S3 Object Lock
    works"). Without the header the override is not asked for and the permission is not granted."""
    headers = {} if bypass is None else {"x-amz-bypass-governance-retention": bypass}
    expected = {(plain, OBJECT)} | ({("s3:BypassGovernanceRetention", OBJECT)} if needed else set())
    assert granted(event_name, {**params, **headers}) == expected


@pytest.mark.parametrize(("bypass", "needed"), [("true", True), (None, False)])
def test_a_multi_object_delete_that_bypasses_governance_mode_needs_its_permission(
    bypass: str | None, needed: bool
) -> None:
    """DeleteObjects takes the same header ("To use this header, you must have the
    s3:BypassGovernanceRetention permission", S3 API Reference, DeleteObjects). Its record names the objects
    by their prefix only (``resources[].ARNPrefix``), so the permission is granted on that prefix, as
    s3:DeleteObject is, and said."""
    params: dict[str, Any] = {
        "bucketName": BUCKET,
        "Host": f"{BUCKET}.s3.us-east-1.amazonaws.com",
        "delete": "",
    }
    if bypass is not None:
        params["x-amz-bypass-governance-retention"] = bypass
    resources = [
        {"type": "AWS::S3::Object", "ARNPrefix": f"arn:aws:s3:::{BUCKET}/"},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{BUCKET}"},
    ]
    record = cloudtrail_record(S3, "DeleteObjects", params, resources=resources, data_event=True)
    event = EventMapper().map(record)
    prefix = f"arn:aws:s3:::{BUCKET}/*"
    expected = {("s3:DeleteObject", prefix)} | (
        {("s3:BypassGovernanceRetention", prefix)} if needed else set()
    )
    assert set(event.uses) == expected
    assert {action for action in expected if any(action[0] in note[2] for note in event.notes)} == expected
