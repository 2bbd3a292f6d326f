"""What the mapper reads of a CloudTrail record besides its parameters' values: where the resources live
(partition, region, account, the calling IAM user), whether IAM refused the call, the parameters as a
mapping, and the ARNs ``resources[]`` lists. Also the result type, ``MappedEvent``."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from policygen_operator.domain.iam.mapping.rules import (
    AUTHORIZATION_FAILURES,
    NOT_AUTHORIZED,
    RESPONSE_DEFAULTS,
)
from policygen_operator.domain.iam.templates import escape, percent_decoded
from policygen_operator.domain.partitions import partition_of

Kind = Literal["mapped", "unmapped", "ignored"]


@dataclass(frozen=True, slots=True)
class MappedEvent:
    """What one record means for a policy.

    ``uses`` pairs each IAM action with one resource ARN (or ``*``); ``notes`` are findings the report
    shows (an ``iam:PassRole`` left out because the call does not name the role, a resource name that
    cannot be written exactly). For ``mapped`` events ``reason`` is
    empty unless some action fell back to ``*`` because the record did not name its resource; for
    ``ignored`` and ``unmapped`` events it says why.
    """

    kind: Kind
    key: str
    denied: bool
    reason: str
    uses: tuple[tuple[str, str], ...] = ()
    # (severity, code, message) for the report: what the mapper left out or could not write exactly
    notes: tuple[tuple[str, str, str], ...] = ()


def widened(message: str) -> tuple[str, str, str]:
    """A grant wider than the call's own resource (``*``, ``TYPE/*``, a prefix), said with why."""
    return ("warning", "resource-undetermined", message)


def undetermined(
    key: str,
    actions: list[str],
    why: str = "the record does not name the resource in a form the mapper reads",
) -> tuple[str, str, str]:
    """The one widening the mapper makes, said with the call that caused it (``why``: the mapper's, or the
    scan's when it could not link the call to the one that named its resource)."""
    return widened(f"{undetermined_lead(key, actions)}{why})")


def undetermined_lead(key: str, actions: list[str]) -> str:
    """What every ``undetermined`` finding of the call and actions starts with, whatever its cause: the
    scan finds the mapper's finding by it (``links.linked``), not by its words."""
    return f"{key}: {', '.join(dict.fromkeys(actions))} on * ("


@dataclass(frozen=True, slots=True)
class Context:
    partition: str
    region: str
    account: str
    caller: str = ""  # the IAM user's ARN when an IAM user made the call (its own user is the resource)
    # the role's ARN, with its path, when a session of that role made the call (``session_role``)
    issuer: str = ""


def arn_account(arn: object) -> str:
    """The account field of an ARN (a caller's ``arn:aws:sts::ACCOUNT:assumed-role/...``), or "": what a
    record that lacks ``recipientAccountId`` and ``userIdentity.accountId`` (an export that drops them) still
    says of the account its calls were made in."""
    if arn.__class__ is not str or not arn.startswith("arn:"):
        return ""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 5 and parts[4].isdigit() and len(parts[4]) == 12 else ""


def context_of(record: Mapping[str, Any]) -> Context:
    """Partition, region and account the record's resources live in unless an ARN says otherwise."""
    region = record.get("awsRegion") or ""
    identity = record.get("userIdentity") or {}
    principal = identity.get("arn") or ""
    account = record.get("recipientAccountId") or identity.get("accountId") or arn_account(principal)
    partition = principal.split(":", 2)[1] if principal.startswith("arn:") else partition_of(region)
    caller = principal if identity.get("type") == "IAMUser" and principal.startswith("arn:") else ""
    return Context(partition, region, account, caller, session_role(identity))


def session_role(identity: Mapping[str, Any]) -> str:
    """The ARN of the role whose session made the call, with its path: the session's own ARN
    (``assumed-role/NAME/SESSION``) drops the path, but ``sessionContext.sessionIssuer`` is "The ARN of the
    source (account, IAM role, or user) that got temporary security credentials" with ``type`` ``Role``
    (CloudTrail User Guide, "CloudTrail userIdentity element"), which proves the path of that one role."""
    if identity.get("type") != "AssumedRole":
        return ""
    session = identity.get("sessionContext")
    issuer = session.get("sessionIssuer") if isinstance(session, Mapping) else None
    if not isinstance(issuer, Mapping) or issuer.get("type") != "Role":
        return ""
    arn = issuer.get("arn")
    return arn if isinstance(arn, str) and arn.startswith("arn:") and ":iam::" in arn else ""


# "User: arn:aws:iam::999999999999:user/myUserName is not authorized to perform: lambda:GetFunction on
# resource: arn:aws:lambda:us-west-2:999999999999:function:other-acct-function" (Lambda Developer Guide,
# "Logging Lambda API calls using AWS CloudTrail"); newer messages quote the ARN and add "because no
# identity-based policy allows the ... action" (IAM User Guide, "Troubleshoot access denied error messages")
_DENIED_ON = re.compile(r'not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9]+) on resource: "?(arn:[^"\s]+)')


def denied_resource(record: Mapping[str, Any]) -> tuple[str, str] | None:
    """The action and resource AWS says it refused, where the error message of a denied call names them:
    what the call was checked for, even when the record carries no request parameters. A ``$`` in it is a
    character of the name (a Lambda function's log stream ``2018/11/28/[$LATEST]2d75...``), written as the
    request's names are, ``${$}`` (``templates.escape``), so the refused ARN and the one the request's
    parameters build are one grant, not two spellings of it. ``*`` and ``?`` stay: in the message they are
    IAM's wildcards (``instance/*`` of an id that names no instance)."""
    message = record.get("errorMessage")
    if message.__class__ is not str or NOT_AUTHORIZED not in message:
        return None
    found = _DENIED_ON.search(message)
    return (found.group(1), found.group(2).replace("$", "${$}")) if found else None


# IAM names the entity it refused by kind and name, and a refused IAM call is logged with
# "requestParameters": null: "User: arn:aws:iam::111111111111:user/TrailDiscover is not authorized to perform:
# iam:AttachRolePolicy on resource: role TrailDiscover because no identity-based policy allows the
# iam:AttachRolePolicy action", "... on resource: instance profile NAME", "... on resource: policy
# arn:aws:iam::111111111111:policy/NAME" (TrailDiscover's records of real calls, adanalvarez/TrailDiscover
# docs/logExamples). The kind is the request parameter that names it, spelled as CloudTrail writes IAM's
# parameters (RoleName, GroupName, ... of the IAM API Reference, in lowerCamelCase).
_IAM_REFUSED = re.compile(
    r"not authorized to perform: iam:[A-Za-z0-9]+ on resource: (role|user|group|instance profile|policy) "
    r"([A-Za-z0-9+=,.@_:/-]+)"
)
_IAM_PARAMETERS = {
    "role": "roleName",
    "user": "userName",
    "group": "groupName",
    "instance profile": "instanceProfileName",
    "policy": "policyName",
}


def refused_entity(record: Mapping[str, Any]) -> tuple[str, str] | None:
    """The request parameter and value naming the IAM entity a refused IAM call was checked on, where the
    error message names it by kind and name (a policy by its ARN): what the request would have said had
    CloudTrail logged it."""
    message = record.get("errorMessage")
    if message.__class__ is not str or NOT_AUTHORIZED not in message:
        return None
    found = _IAM_REFUSED.search(message)
    if found is None:
        return None
    kind, value = found.groups()
    if kind == "policy" and value.startswith("arn:"):
        return ("policyArn", value)
    return (_IAM_PARAMETERS[kind], value)


def is_denied(record: Mapping[str, Any]) -> bool:
    code = record.get("errorCode")
    if not code:
        return False
    if code in AUTHORIZATION_FAILURES:
        return True
    message = record.get("errorMessage") or ""
    return NOT_AUTHORIZED in message


def parameters(value: Any) -> Mapping[str, Any]:
    """requestParameters as a mapping: exports from CloudTrail Lake and Athena hold it as a JSON string."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def response_defaults(key: str, record: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """``(request parameter, value)`` the response names for a call of ``RESPONSE_DEFAULTS``; () if none."""
    paths = RESPONSE_DEFAULTS.get(key)
    if paths is None:
        return ()
    response = record.get("responseElements")
    found: list[tuple[str, str]] = []
    for name, path in paths.items():
        value: Any = response
        for step in path:
            if isinstance(step, int):
                value = value[step] if isinstance(value, list) and len(value) > step else None
            else:
                value = value.get(step) if isinstance(value, Mapping) else None
        if isinstance(value, str) and value:
            found.append((name, value))
    return tuple(found)


def with_response_defaults(
    key: str, record: Mapping[str, Any], params: Mapping[str, Any]
) -> Mapping[str, Any]:
    """The request's parameters, plus what the response names for those the request left out."""
    missing = [(name, value) for name, value in response_defaults(key, record) if params.get(name) is None]
    return {**params, **dict(missing)} if missing else params


def arn_spelled(params: Mapping[str, Any], spellings: dict[str, dict[str, str]]) -> Mapping[str, Any]:
    """The parameters with the values ``rules.ARN_SPELLINGS`` lists as their ARNs spell them (WAF's scope
    ``CLOUDFRONT`` is ``global`` in an ARN); a parameter is matched whatever its case, as CloudTrail writes
    lowerCamelCase and the table the SDK's names."""
    changed = {
        key: spelled
        for key, value in params.items()
        if value.__class__ is str and (spelled := spellings.get(key.lower(), {}).get(value)) is not None
    }
    return {**params, **changed} if changed else params


def arns_decoded(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """The parameters with each URL-encoded ARN decoded. Services with REST APIs log the ARNs a call puts
    in its path as sent, URL-encoded: Security Hub's GetFindingAggregator logs ``"FindingAggregatorArn":
    "arn%3Aaws%3Asecurityhub%3Aus-east-1%3A...:finding-aggregator/..."`` (a console record quoted by Permiso's
    Cloud Console Cartographer); read as it is, no ARN format matches and the call fell back to ``*``. Path
    parameters are top-level ones, and the parameters come back as they are when none is encoded (this
    runs on every memo miss)."""
    if not any(encoded_arn(value) for value in params.values()):
        return params
    return {key: percent_decoded(value) if encoded_arn(value) else value for key, value in params.items()}


def encoded_arn(value: Any) -> bool:
    """Whether a parameter's value is a URL-encoded ARN (``arns_decoded`` reads it as the ARN it encodes)."""
    return value.__class__ is str and value[:6].lower() == "arn%3a"


def listed_resources(record: Mapping[str, Any]) -> list[str]:
    """``resources[]`` ARNs; an ``ARNPrefix`` (S3 DeleteObjects and listings name only the bucket part
    of the keys they touched) stands for every ARN under it, which is what CloudTrail knows."""
    listed: list[str] = []
    for resource in record.get("resources") or ():
        if resource.__class__ is not dict and not isinstance(resource, Mapping):
            continue
        arn = resource.get("ARN") or resource.get("arn")  # Athena's table spells it in lower case
        if isinstance(arn, str) and arn:
            listed.append(escape(arn))
            continue
        prefix = resource.get("ARNPrefix")
        if isinstance(prefix, str) and prefix.startswith("arn:") and len(prefix.split(":", 5)) == 6:
            listed.append(escape(prefix) + "*")
    return _through_access_points(listed) if any(":accesspoint/" in arn for arn in listed) else listed


_ACCESS_POINT = re.compile(r"arn:[\w-]+:s3:[\w-]+:\d{12}:accesspoint/[^/]+")
_S3_OBJECT = re.compile(r"arn:[\w-]+:s3:::[^/]+/(.+)", re.DOTALL)


def _through_access_points(listed: list[str]) -> list[str]:
    """A request made through an S3 access point is authorized on the access point, an object under it as
    ``accesspoint/NAME/object/KEY`` (Service Authorization Reference, S3 resource types ``accesspoint``
    and ``accesspointobject``), and CloudTrail lists the access point beside the bucket and the object
    ("CloudTrail log entries for requests made through access points include the access point ARN ... in
    the resources section": https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-monitoring-logging.html).
    Granted on the bucket's ARNs only, the same call through the access point would be refused."""
    points = [arn for arn in listed if _ACCESS_POINT.fullmatch(arn)]
    keys = [match.group(1) for arn in listed if (match := _S3_OBJECT.fullmatch(arn))]
    return listed + [f"{point}/object/{key}" for point in points for key in keys]


_UNWRITABLE = frozenset(chr(c) for c in (*range(0x20), 0x7F))


def writable(value: str) -> bool:
    """Whether a policy can name this exactly: control characters have no spelling in a Resource.

    An ASCII string is printable exactly when it holds none of them (two C checks, no walk over a set of
    one-character strings: this runs for every resource of every memo miss)."""
    if value.isascii():
        return value.isprintable()
    return _UNWRITABLE.isdisjoint(value)
