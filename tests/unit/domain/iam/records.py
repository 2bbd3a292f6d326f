"""CloudTrail records shaped like the CloudTrail User Guide's examples (record contents, eventVersion 1.08+).

Every test record goes through ``cloudtrail_record`` so each one carries the fields a real record has
(identity with session context, times, IDs, user agent, TLS details, event type and category), not just
the two or three a mapper reads.
"""

from __future__ import annotations

import hashlib
from typing import Any

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"


def role_identity(partition: str = "aws", account: str = ACCOUNT, role: str = "app-role") -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": "AROAIDPPEZS35WEXAMPLE:botocore-session-1700000000",
        "arn": f"arn:{partition}:sts::{account}:assumed-role/{role}/botocore-session-1700000000",
        "accountId": account,
        "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAIDPPEZS35WEXAMPLE",
                "arn": f"arn:{partition}:iam::{account}:role/{role}",
                "accountId": account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2024-03-18T09:12:01Z", "mfaAuthenticated": "false"},
        },
    }


def user_identity(partition: str = "aws", account: str = ACCOUNT, user: str = "Alice") -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "principalId": "AIDAJ45Q7YFFAREXAMPLE",
        "arn": f"arn:{partition}:iam::{account}:user/{user}",
        "accountId": account,
        "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
        "userName": user,
    }


def cloudtrail_record(
    event_source: str,
    event_name: str,
    request_parameters: dict[str, Any] | None = None,
    *,
    region: str = "us-east-1",
    partition: str = "aws",
    account: str = ACCOUNT,
    identity: dict[str, Any] | None = None,
    resources: list[dict[str, Any]] | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
    event_type: str = "AwsApiCall",
    data_event: bool = False,
    invoked_by: str | None = None,
    response_elements: dict[str, Any] | None = None,
    event_time: str = "2024-03-18T09:15:42Z",
) -> dict[str, Any]:
    """One record. ``partition`` picks the principal's partition; ``region`` should agree with it."""
    identity = identity or role_identity(partition, account)
    if invoked_by:
        identity = {**identity, "invokedBy": invoked_by}
    seed = f"{event_source}{event_name}{request_parameters}{region}{event_time}".encode()
    digest = hashlib.sha256(seed).hexdigest()
    record: dict[str, Any] = {
        "eventVersion": "1.09" if data_event else "1.08",
        "userIdentity": identity,
        "eventTime": event_time,
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": invoked_by or "198.51.100.23",
        "userAgent": invoked_by
        or "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off",
        "requestParameters": request_parameters,
        "responseElements": response_elements,
        "requestID": digest[:16].upper(),
        "eventID": f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
        "readOnly": event_name.startswith(("Get", "List", "Describe", "Head")),
        "eventType": event_type,
        "managementEvent": not data_event,
        "recipientAccountId": account,
        "eventCategory": "Data" if data_event else "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": event_source.replace("amazonaws.com", f"{region}.amazonaws.com"),
        },
    }
    if resources is not None:
        record["resources"] = resources
    if error_code is not None:
        record["errorCode"] = error_code
        record["errorMessage"] = error_message or f"{error_code} for {event_name}"
    if event_type == "AwsServiceEvent":
        record["userIdentity"] = {"accountId": account, "invokedBy": event_source}
        record["serviceEventDetails"] = {}
    return record


def s3_data_event(
    event_name: str,
    bucket: str,
    key: str | None,
    *,
    partition: str = "aws",
    region: str = "us-east-1",
    **kw: Any,
) -> dict[str, Any]:
    """An S3 data event as CloudTrail writes it: bucketName/key/Host parameters and resources[] ARNs."""
    params: dict[str, Any] = {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com"}
    resources = []
    if key is not None:
        params["key"] = key
        resources.append({"type": "AWS::S3::Object", "ARN": f"arn:{partition}:s3:::{bucket}/{key}"})
    resources.append(
        {
            "accountId": kw.get("account", ACCOUNT),
            "type": "AWS::S3::Bucket",
            "ARN": f"arn:{partition}:s3:::{bucket}",
        }
    )
    additional = kw.pop("params", {})
    params.update(additional)
    return cloudtrail_record(
        "s3.amazonaws.com",
        event_name,
        params,
        partition=partition,
        region=region,
        resources=resources,
        data_event=True,
        **kw,
    )


def granted(event_source: str, event_name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    """What a fresh mapper grants one call of the given shape, which must be mapped without a finding."""
    from policygen_operator.domain.iam.mapping import EventMapper

    event = EventMapper().map(cloudtrail_record(event_source, event_name, params))
    assert event.kind == "mapped" and not event.reason, event
    return set(event.uses)


def uses_of(event_source: str, event_name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    """What a fresh mapper grants one call, findings or not (``granted`` requires none)."""
    from policygen_operator.domain.iam.mapping import EventMapper

    return set(EventMapper().map(cloudtrail_record(event_source, event_name, params)).uses)
