"""A stand-in for the IAM mapper, so scan tests check the scan and not the mapping tables.

``service:EventName`` becomes the action; errors named like ``AccessDenied`` mark the call denied;
``GetCallerIdentity`` is ignored and ``Mystery*`` events are unmapped. It is a module-level factory so
worker processes can build it too.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/app"
USER = f"arn:aws:iam::{ACCOUNT}:user/people/alice"


@dataclass(frozen=True)
class Mapped:
    kind: str
    key: str
    denied: bool
    reason: str = ""
    uses: tuple[tuple[str, str], ...] = ()
    notes: tuple[tuple[str, str, str], ...] = ()


class FakeMapper:
    linked_keys: frozenset[str] = frozenset()  # no call is linked to another here

    def returned_id(self, record: Mapping[str, Any], mapped: Any) -> None:
        return None

    def returned_key(self, record: Mapping[str, Any], mapped: Any) -> None:
        return None

    def followed_ids(self, record: Mapping[str, Any], mapped: Any) -> None:
        return None

    def linked(self, mapped: Any, arns: tuple[str, ...] | None) -> Any:
        return mapped

    def map(self, record: Mapping[str, Any]) -> Mapped:
        key = f"{record['eventSource']}:{record['eventName']}"
        denied = str(record.get("errorCode", "")).startswith(("AccessDenied", "Unauthorized"))
        if record["eventName"] == "GetCallerIdentity":
            return Mapped("ignored", key, denied, "needs no permission")
        if record["eventName"].startswith("Mystery"):
            return Mapped("unmapped", key, denied, "unknown")
        action = f"{record['eventSource'].split('.')[0]}:{record['eventName']}"
        resources = [r["ARN"] for r in record.get("resources", [])] or ["*"]
        return Mapped("mapped", key, denied, "", tuple((action, r) for r in resources))


def fake_mapper() -> FakeMapper:
    return FakeMapper()


def role_identity(
    name: str = "app",
    path: str = "/service-role/",
    account: str = ACCOUNT,
    partition: str = "aws",
    issuer: bool = True,
) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLE:session-1",
        "arn": f"arn:{partition}:sts::{account}:assumed-role/{name}/session-1",
        "accountId": account,
    }
    if issuer:
        identity["sessionContext"] = {
            "sessionIssuer": {
                "type": "Role",
                "arn": f"arn:{partition}:iam::{account}:role{path}{name}",
                "accountId": account,
                "userName": name,
            },
            "attributes": {"creationDate": "2026-11-24T08:00:00Z", "mfaAuthenticated": "false"},
        }
    return identity


def user_identity(
    name: str = "alice", path: str = "/people/", account: str = ACCOUNT, partition: str = "aws"
) -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE",
        "arn": f"arn:{partition}:iam::{account}:user{path}{name}",
        "accountId": account,
        "userName": name,
    }


def record(
    identity: dict[str, Any],
    name: str = "GetObject",
    source: str = "s3.amazonaws.com",
    time: str = "2026-11-24T09:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "requestParameters": None,
        **extra,
    }


def athena_call(
    name: str, params: dict[str, Any], time: str = "09:00:00", response: Any = None
) -> dict[str, Any]:
    """An Athena call of the role on 2026-11-24 at ``time``, shaped as the Athena User Guide's log entries."""
    return record(
        role_identity(),
        name,
        source="athena.amazonaws.com",
        time=f"2026-11-24T{time}Z",
        requestParameters=params,
        responseElements=response,
        eventType="AwsApiCall",
        recipientAccountId=ACCOUNT,
    )


def delivery(records: list[dict[str, Any]]) -> bytes:
    """Compact, as CloudTrail writes its files (the scan's fast path)."""
    return json.dumps({"Records": records}, separators=(",", ":")).encode()


def spaced(records: list[dict[str, Any]]) -> bytes:
    """With spaces after separators, as other tools write (the whole-document path)."""
    return json.dumps({"Records": records}).encode()


def write_gz(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(delivery(records), mtime=0))
    return path
