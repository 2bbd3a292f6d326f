"""One boto3 session per identity, shared by every client and thread of the process.

boto3 sessions are costly to build and their credential refresh is thread-safe once built, so the
first caller builds it under a lock and later callers reuse it. Assuming a role uses refreshable
credentials, so a scan longer than the role's session does not fail halfway.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.session import get_session

from policygen_operator.adapters.aws.errors import AwsError
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.tenancy import tag_value

_LOCK = threading.Lock()
_SESSIONS: dict[tuple[object, ...], boto3.Session] = {}
SESSION_NAME = "policygen"


@dataclass(frozen=True)
class RoleSession:
    """Who an assumed-role session says it is working for, so the role's own CloudTrail shows which team
    asked: a session name (``policygen-<namespace>-<name>``), session tags and the source's external id.

    Session tags need ``sts:TagSession`` in the role's trust policy (docs/tenancy.md).
    """

    name: str = SESSION_NAME
    tags: tuple[tuple[str, str], ...] = ()
    external_id: str | None = None


def assume_role_kwargs(role_arn: str, identity: RoleSession) -> dict[str, Any]:
    """The AssumeRole parameters for ``role_arn`` as ``identity`` (tests check them against botocore)."""
    kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": identity.name}
    if identity.tags:
        kwargs["Tags"] = [{"Key": k, "Value": tag_value(v)} for k, v in identity.tags]
    if identity.external_id:
        kwargs["ExternalId"] = identity.external_id
    return kwargs


def shared_session(
    region: str | None = None,
    role_arn: str | None = None,
    sts_endpoint: str | None = None,
    identity: RoleSession | None = None,
) -> boto3.Session:
    """The session for this identity; one per (region, role, endpoint, role session) for the process."""
    identity = identity or RoleSession()
    key = (region, role_arn, sts_endpoint, identity if role_arn else None)
    with _LOCK:
        session = _SESSIONS.get(key)
        if session is None:
            session = _build(region, role_arn, sts_endpoint, identity)
            _SESSIONS[key] = session
        return session


def _build(
    region: str | None, role_arn: str | None, sts_endpoint: str | None, identity: RoleSession
) -> boto3.Session:
    base = boto3.Session(region_name=region)
    if not role_arn:
        return base
    sts = base.client("sts", endpoint_url=sts_endpoint, region_name=region or base.region_name or "us-east-1")
    kwargs = assume_role_kwargs(role_arn, identity)

    def refresh() -> dict[str, Any]:
        issued = sts.assume_role(**kwargs)["Credentials"]
        return {
            "access_key": issued["AccessKeyId"],
            "secret_key": issued["SecretAccessKey"],
            "token": issued["SessionToken"],
            "expiry_time": issued["Expiration"].isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=refresh(), refresh_using=refresh, method="sts-assume-role"
    )
    core = get_session()
    core._credentials = credentials  # type: ignore[attr-defined]  # the way botocore itself wires refreshable credentials
    if region:
        core.set_config_variable("region", region)
    return boto3.Session(botocore_session=core)


def s3_client(session: boto3.Session, endpoint_url: str | None, connections: int) -> Any:
    config = Config(
        max_pool_connections=connections,
        retries={"max_attempts": 6, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
    )
    region = session.region_name or "us-east-1"
    try:
        return session.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)
    except ValueError as error:  # botocore's word for a malformed endpoint URL: no retry fixes it
        raise AwsError(f"S3 client: {error}", permanence=Permanence.PERMANENT, field="aws") from error
