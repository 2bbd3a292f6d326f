"""One CloudTrail record -> the IAM actions it needed and the resources it touched.

The rules (docs/mapping.md explains them with examples):
- eventSource -> IAM namespace through iam-dataset's CloudTrail table; unknown sources fall back to the
  host name's first label only if the reference has that namespace.
- eventName -> actions: version suffixes stripped (``GetFunction20150331v2``,
  ``CreateDistribution2020_05_31``),
  then iam-dataset's SDK-method table (which knows that ``ListObjectsV2`` is ``s3:ListBucket`` and that
  ``CreateTrail`` with a CloudWatch Logs role also needs ``iam:PassRole``), then the reference itself
  (``namespace:EventName`` when that action exists). Nothing else: an event with no real action is
  ``unmapped`` and never guessed.
- Resources: ARNs from ``resources[]`` and from ``requestParameters`` through the reference's ARN formats,
  in the event's partition, region and account. An action that takes resources but whose resources this
  record does not determine gets ``*`` and says so in ``reason``.

The mapper is built once and shared; the per-(eventSource, eventName) plan is compiled on first sight and
cached, so ``map`` does a dict lookup and fills a few precompiled templates per record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from policygen_operator.domain.iam.reference import Reference, ResourceType, load_reference
from policygen_operator.domain.iam.templates import (
    PATH_ALIASES,
    Compiled,
    Values,
    compile_condition,
    compile_template,
    get_field,
    lookup_path,
    spellings,
)

Kind = Literal["mapped", "unmapped", "ignored"]

# errorCode values CloudTrail writes when IAM (or a resource policy) refused the call. Other errors
# (NoSuchKey, ValidationException, ResourceNotFoundException, ...) happen after authorization: kept.
AUTHORIZATION_FAILURES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
        "UnauthorizedOperation",
        "Client.UnauthorizedAccess",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "AuthorizationFailure",
        "Forbidden",
        "ForbiddenException",
        "Client.AccessDenied",
        "AccessDeniedFault",
    }
)
_NOT_AUTHORIZED = "not authorized to perform"
# errorCode values of calls refused before authorization (bad, expired or unknown credentials): they say
# nothing about the permissions the principal needs or has.
AUTHENTICATION_FAILURES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "UnrecognizedClientException",
        "InvalidToken",
        "AuthFailure",
        "Client.AuthFailure",
        "RequestExpired",
        "Client.RequestExpired",
    }
)

IGNORED_EVENT_TYPES = {
    "AwsServiceEvent": "AWS service event (no principal called it)",
    "AwsConsoleSignIn": "console sign-in (no IAM action)",
    "AwsCloudTrailInsight": "CloudTrail Insights event",
    "AwsVpceEvent": "VPC endpoint policy event",
}
IGNORED_EVENT_SOURCES = {"signin.amazonaws.com": "console sign-in (no IAM action)"}

_VERSION_SUFFIX = re.compile(r"(?:\d{8}(?:v\d+)?|\d{4}_\d{2}_\d{2})$")

# CloudTrail event names whose SDK method has another name (S3 logs its REST operation names).
EVENT_NAME_ALIASES: dict[tuple[str, str], str] = {
    ("s3", "GetBucketLifecycle"): "GetBucketLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "GetBucketNotification"): "GetBucketNotificationConfiguration",
    ("s3", "PutBucketNotification"): "PutBucketNotificationConfiguration",
    ("s3", "DeleteBucketPublicAccessBlock"): "DeletePublicAccessBlock",
}

# iam-dataset entries a call does not need from its caller: CloudTrail (the service) writes the trail's
# objects under the bucket policy, so CreateTrail/UpdateTrail need no s3:PutObject of the caller.
DROPPED_ENTRIES: dict[tuple[str, str], frozenset[str]] = {
    ("cloudtrail", "createtrail"): frozenset({"s3:PutObject"}),
    ("cloudtrail", "updatetrail"): frozenset({"s3:PutObject"}),
}

# Calls whose iam-dataset entries we replace: its CopyObject reads the *destination* and adds tagging and
# ACL actions the call needs only with tagging/ACL headers. A copy reads the source (``x-amz-copy-source``,
# "bucket/key[?versionId=...]") and writes the destination.
_COPY_SOURCE_BUCKET = "%%regex%${x-amz-copy-source}%/^\\/?([^/]+)\\//g%%"
_COPY_SOURCE_KEY = "%%regex%${x-amz-copy-source}%/^\\/?[^/]+\\/([^?]+)/g%%"
_COPY_ENTRIES: list[dict[str, Any]] = [
    {
        "action": "s3:PutObject",
        "resource_mappings": {"BucketName": {"template": "${Bucket}"}, "ObjectName": {"template": "${Key}"}},
    },
    {
        "action": "s3:GetObject",
        "resource_mappings": {
            "BucketName": {"template": _COPY_SOURCE_BUCKET},
            "ObjectName": {"template": _COPY_SOURCE_KEY},
        },
    },
]
_OBJECT = {"BucketName": {"template": "${Bucket}"}, "ObjectName": {"template": "${Key}"}}


def _versioned(plain: str, versioned: str) -> list[dict[str, Any]]:
    """S3 authorizes a call on a specific object version with the ``...Version...`` action."""
    return [
        {
            "action": plain,
            "conditions": {"lhs": "VersionId", "op": "NotExists"},
            "resource_mappings": _OBJECT,
        },
        {
            "action": versioned,
            "conditions": {"lhs": "VersionId", "op": "Exists"},
            "resource_mappings": _OBJECT,
        },
    ]


# A PutObject that sets an ACL or tags also needs s3:PutObjectAcl / s3:PutObjectTagging.
_PUT_OBJECT = [
    {"action": "s3:PutObject", "resource_mappings": _OBJECT},
    *(
        {
            "action": "s3:PutObjectAcl",
            "conditions": {"lhs": header, "op": "Exists"},
            "resource_mappings": _OBJECT,
        }
        for header in (
            "x-amz-acl",
            "x-amz-grant-full-control",
            "x-amz-grant-read",
            "x-amz-grant-read-acp",
            "x-amz-grant-write-acp",
        )
    ),
    {
        "action": "s3:PutObjectTagging",
        "conditions": {"lhs": "x-amz-tagging", "op": "Exists"},
        "resource_mappings": _OBJECT,
    },
]

CURATED_ENTRIES: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("s3", "getobject"): _versioned("s3:GetObject", "s3:GetObjectVersion"),
    ("s3", "deleteobject"): _versioned("s3:DeleteObject", "s3:DeleteObjectVersion"),
    ("s3", "getobjectacl"): _versioned("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("s3", "putobjectacl"): _versioned("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    ("s3", "getobjecttagging"): _versioned("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    ("s3", "putobjecttagging"): _versioned("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    ("s3", "deleteobjecttagging"): _versioned("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    ("s3", "putobject"): _PUT_OBJECT,
    ("s3", "copyobject"): _COPY_ENTRIES,
    ("s3", "uploadpartcopy"): _COPY_ENTRIES,
    # the table names s3:DeleteBucketOwnershipControls, which does not exist; S3 authorizes the delete
    # with s3:PutBucketOwnershipControls
    ("s3", "deletebucketownershipcontrols"): [
        {
            "action": "s3:PutBucketOwnershipControls",
            "resource_mappings": {"BucketName": {"template": "${Bucket}"}},
        }
    ],
}

_PARTITION_BY_REGION_PREFIX = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)


@dataclass(frozen=True, slots=True)
class MappedEvent:
    """What one record means for a policy.

    ``uses`` pairs each IAM action with one resource ARN (or ``*``). For ``mapped`` events ``reason`` is
    empty unless some action fell back to ``*`` because the record did not name its resource; for
    ``ignored`` and ``unmapped`` events it says why.
    """

    kind: Kind
    key: str
    denied: bool
    reason: str
    uses: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    partition: str
    region: str
    account: str
    caller: str = ""  # the IAM user's ARN when an IAM user made the call (its own user is the resource)


def partition_of(region: str) -> str:
    for prefix, partition in _PARTITION_BY_REGION_PREFIX:
        if region.startswith(prefix):
            return partition
    return "aws"


def context_of(record: Mapping[str, Any]) -> Context:
    """Partition, region and account the record's resources live in unless an ARN says otherwise."""
    region = record.get("awsRegion") or ""
    identity = record.get("userIdentity") or {}
    account = record.get("recipientAccountId") or identity.get("accountId") or ""
    principal = identity.get("arn") or ""
    partition = principal.split(":", 2)[1] if principal.startswith("arn:") else partition_of(region)
    caller = principal if identity.get("type") == "IAMUser" and principal.startswith("arn:") else ""
    return Context(partition, region, account, caller)


def is_denied(record: Mapping[str, Any]) -> bool:
    code = record.get("errorCode")
    if not code:
        return False
    if code in AUTHORIZATION_FAILURES:
        return True
    message = record.get("errorMessage") or ""
    return _NOT_AUTHORIZED in message


# ---- value normalisers: CloudTrail parameters that are names, partial ARNs or URLs -> ARNs ----------

Normaliser = Callable[[str, Context, Mapping[str, Any]], list[str]]
_LAMBDA_ARN = re.compile(r"^arn:([^:]+):lambda:([^:]+):(\d{12}):function:([^:]+)(?::(.+))?$")
_LAMBDA_PARTIAL = re.compile(r"^(\d{12}):function:([^:]+)(?::(.+))?$")
_QUEUE_URL = re.compile(r"^https?://[^/]+/(\d{12})/([^/?]+)")
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


def _lambda_function(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    """Name, ``name:qualifier``, partial or full ARN -> the function ARN IAM evaluates.

    IAM compares the ARN the call used: a call with a version or alias is authorized against the
    qualified ARN, so a qualifier is kept; a bare name becomes the unqualified ARN.
    """
    partition, region, account = ctx.partition, ctx.region, ctx.account
    full = _LAMBDA_ARN.match(value)
    partial = _LAMBDA_PARTIAL.match(value) if not full else None
    if full:
        partition, region, account, name, qualifier = full.groups()
    elif partial:
        account, name, qualifier = partial.groups()
    else:
        name, _, qualifier = value.partition(":")
    qualifier = qualifier or get_field(params, "Qualifier")
    arn = f"arn:{partition}:lambda:{region}:{account}:function:{name}"
    return [f"{arn}:{qualifier}" if qualifier else arn]


def _kms_key(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    """Key id, key ARN, ``alias/NAME`` or alias ARN -> a key or alias ARN (an alias never becomes a key)."""
    if value.startswith("arn:"):
        return [value]
    if value.startswith("alias/"):
        return [f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:{value}"]
    return [f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:key/{value}"]


def _kms_alias(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    if value.startswith("arn:"):
        return [value]
    name = value.removeprefix("alias/")
    return [f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:alias/{name}"]


def _sqs_queue(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    """Queue URL (its path holds the owning account) or queue name -> queue ARN."""
    if value.startswith("arn:"):
        return [value]
    url = _QUEUE_URL.match(value)
    if url:
        account, name = url.groups()
        return [f"arn:{ctx.partition}:sqs:{ctx.region}:{account}:{name}"]
    return [f"arn:{ctx.partition}:sqs:{ctx.region}:{ctx.account}:{value}"]


def _ssm_parameter(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    if value.startswith("arn:"):
        return [value]
    return [f"arn:{ctx.partition}:ssm:{ctx.region}:{ctx.account}:parameter/{value.lstrip('/')}"]


def _iam_name_with_path(kind: str) -> Normaliser:
    """A bare IAM name: the entity may live under a path we cannot see, so both ``kind/NAME`` and
    ``kind/*/NAME`` (names are unique in an account whatever the path, so this grants that entity only)."""

    def normalise(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
        if value.startswith("arn:"):
            return [value]
        base = f"arn:{ctx.partition}:iam::{ctx.account}:{kind}/"
        path = get_field(params, "Path")
        if isinstance(path, str) and path.startswith("/"):
            return [base + path.lstrip("/") + value]
        return [base + value, base + "*/" + value]

    return normalise


# (namespace of the action, ARN-format variable) -> normaliser of the one parameter its template reads
NORMALISERS: dict[tuple[str, str], Normaliser] = {
    ("lambda", "FunctionName"): _lambda_function,
    ("kms", "KeyId"): _kms_key,
    ("kms", "Alias"): _kms_alias,
    ("sqs", "QueueName"): _sqs_queue,
    ("ssm", "ParameterNameWithoutLeadingSlash"): _ssm_parameter,
    ("iam", "RoleNameWithPath"): _iam_name_with_path("role"),
    ("iam", "UserNameWithPath"): _iam_name_with_path("user"),
    ("iam", "GroupNameWithPath"): _iam_name_with_path("group"),
    ("iam", "InstanceProfileNameWithPath"): _iam_name_with_path("instance-profile"),
}
_PLAIN_ONLY = frozenset(
    {("ssm", "ParameterNameWithoutLeadingSlash")}
)  # GetParametersByPath keeps its template
_SINGLE_REF = re.compile(r"\$\{([^}]+)\}")
_CONDITION_LHS = re.compile(r'"lhs":\s*"([^"]+)"')


def _secret(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """Secrets Manager: a name becomes ``secret:NAME-*`` (the real ARN ends in 6 random characters)."""
    value = get_field(params, "SecretId")
    if value is None and action == "secretsmanager:CreateSecret":
        value = get_field(params, "Name")
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("arn:"):
        return [value if _SECRET_SUFFIX.search(value) else value + "-*"]
    return [f"arn:{ctx.partition}:secretsmanager:{ctx.region}:{ctx.account}:secret:{value}-*"]


def _dynamodb_batch(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """BatchGetItem/BatchWriteItem name their tables as the keys (or ``tableName`` items) of requestItems."""
    items = get_field(params, "RequestItems")
    names: list[str] = []
    if isinstance(items, Mapping):
        names = [str(k) for k in items]
    elif isinstance(items, list):
        names = [str(i.get("tableName") or i.get("TableName")) for i in items if isinstance(i, Mapping)]
    names = [n for n in names if n and n != "None"]
    if not names:
        return None
    return [
        n if n.startswith("arn:") else f"arn:{ctx.partition}:dynamodb:{ctx.region}:{ctx.account}:table/{n}"
        for n in names
    ]


# (namespace, lower-case method) or (namespace, None) -> resolver that replaces the table's templates
RESOLVERS: dict[tuple[str, str | None], Callable[[str, Mapping[str, Any], Context], list[str] | None]] = {
    ("secretsmanager", None): _secret,
    ("dynamodb", "batchgetitem"): _dynamodb_batch,
    ("dynamodb", "batchwriteitem"): _dynamodb_batch,
}


# ---- compiled plans ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _VarMap:
    name: str
    template: Compiled
    refs: tuple[str, ...]
    normaliser: Normaliser | None
    condition: Callable[[Mapping[str, Any]], bool] | None


@dataclass(frozen=True, slots=True)
class _ActionPlan:
    action: str
    types: tuple[ResourceType, ...]
    primary: bool  # the call's own action; others are extras needed only when their parameters are given
    condition: Callable[[Mapping[str, Any]], bool] | None
    override: Compiled | None
    override_refs: bool
    arn_maps: tuple[tuple[ResourceType, Compiled], ...]
    var_maps: tuple[_VarMap, ...]
    resolver: Callable[[str, Mapping[str, Any], Context], list[str] | None] | None
    narrowable: bool = False  # parameters may name something narrower than resources[] does

    @property
    def has_templates(self) -> bool:
        return bool(self.override or self.arn_maps or self.var_maps or self.resolver)


@dataclass(frozen=True, slots=True)
class _Plan:
    kind: Kind
    key: str
    actions: tuple[_ActionPlan, ...]
    allowed: MappedEvent  # prebuilt results: ignored/unmapped events, and mapped ones without resources
    refused: MappedEvent
    param_keys: frozenset[str] = frozenset()  # top-level parameters (as CloudTrail spells them) it may read


# Parameters that normalisers and resolvers read besides the ones named in templates.
_EXTRA_PARAMETERS = (
    "Qualifier",
    "Path",
    "PathPrefix",
    "RequestItems",
    "SecretId",
    "Name",
    "Bucket",
    "InstancesSet",
)
_MEMO_LIMIT = 1 << 13  # about 6 MB at ~700 bytes an entry; cleared when full, so memory stays flat


def _mapped_plan(key: str, actions: tuple[_ActionPlan, ...], templates: list[str]) -> _Plan:
    names = [ref for t in templates for ref in _SINGLE_REF.findall(t)]
    names += [lhs for t in templates for lhs in _CONDITION_LHS.findall(t)]  # conditions read parameters too
    firsts = {name.split(".", 1)[0].removesuffix("[]") for name in names} | set(_EXTRA_PARAMETERS)
    firsts |= {path.split(".", 1)[0].removesuffix("[]") for path in PATH_ALIASES.values()}
    keys = frozenset(spelling for name in firsts for spelling in spellings(name))
    uses = tuple(dict.fromkeys((a.action, "*") for a in actions))
    return _Plan(
        "mapped",
        key,
        actions,
        MappedEvent("mapped", key, False, "", uses),
        MappedEvent("mapped", key, True, "", uses),
        keys,
    )


class EventMapper:
    """Maps CloudTrail records to IAM actions and resources. Build once, share freely (read-only after
    warm-up; the plan cache only grows and each entry is immutable)."""

    def __init__(self, reference: Reference | None = None, *, resource_level: bool = True) -> None:
        self._ref = reference or load_reference()
        self._resource_level = resource_level
        self._plans: dict[tuple[str, str], _Plan] = {}
        # Records that agree on everything a plan reads give the same result: most traffic repeats a few
        # calls on a few resources, so this turns the template work into one dict lookup.
        self._memo: dict[tuple[Any, ...], MappedEvent] = {}

    @property
    def reference(self) -> Reference:
        return self._ref

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as "build another one": compiled plans hold closures, and a worker process loads the
        shipped data once anyway."""
        return (_new_mapper, (self._resource_level,))

    def map(self, record: Mapping[str, Any]) -> MappedEvent:
        source = record.get("eventSource") or ""
        name = record.get("eventName") or ""
        event_type = record.get("eventType")
        if event_type in IGNORED_EVENT_TYPES:
            return MappedEvent(
                "ignored", f"{source}:{name}", is_denied(record), IGNORED_EVENT_TYPES[event_type]
            )
        plan = self._plans.get((source, name))
        if plan is None:
            plan = self._plans[(source, name)] = self._compile(source, name)
        denied = is_denied(record)
        code = record.get("errorCode")
        if code in AUTHENTICATION_FAILURES and plan.kind == "mapped":
            return MappedEvent(
                "ignored", plan.key, False, f"authentication failed ({code}): no permission was checked"
            )
        if plan.kind != "mapped" or not self._resource_level:
            return plan.refused if denied else plan.allowed
        memo_key = _memo_key(plan, record, denied)
        result = self._memo.get(memo_key)
        if result is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            result = self._memo[memo_key] = self._resolve(plan, record, denied, plan.key)
        return result

    # -- per-record work --

    def _resolve(self, plan: _Plan, record: Mapping[str, Any], denied: bool, key: str) -> MappedEvent:
        params = _parameters(record.get("requestParameters"))
        contexts: list[Context] = []

        def ctx() -> Context:  # only the parameter path needs it; resources[] ARNs carry their own
            if not contexts:
                contexts.append(context_of(record))
            return contexts[0]

        listed = _listed_resources(record)
        applicable = [a for a in plan.actions if a.condition is None or a.condition(params)]
        single = len({a.action for a in applicable}) == 1  # resources[] then belongs to that one action
        uses: list[tuple[str, str]] = []
        unresolved: list[str] = []
        for action in applicable:
            if not action.types:
                uses.append((action.action, "*"))
                continue
            arns = self._arns(action, params, ctx, listed, single)
            if arns is None:  # an extra action whose parameters the call did not use
                continue
            if not arns:
                unresolved.append(action.action)
                uses.append((action.action, "*"))
            else:
                uses.extend((action.action, arn) for arn in arns)
        reason = (
            f"resource not determined, using *: {', '.join(dict.fromkeys(unresolved))}" if unresolved else ""
        )
        return MappedEvent("mapped", key, denied, reason, tuple(dict.fromkeys(uses)))

    def _arns(
        self,
        action: _ActionPlan,
        params: Mapping[str, Any],
        context: Callable[[], Context],
        listed: list[str],
        single: bool,
    ) -> list[str] | None:
        """ARNs for one action: [] when undetermined (caller uses ``*``), None when an extra action does
        not apply to this call.

        ``resources[]`` names the resources CloudTrail saw, with their real account (a KMS key behind an
        alias, a cross-account key): it comes first when the call maps to one action. When it maps to
        several (CopyObject reads one object and writes another), ``resources[]`` does not say which ARN
        belongs to which action, so request parameters come first and the list is the fallback.
        """
        from_list = _fitting(action.types, listed) if listed else []
        if single and from_list and _covers_required(action.types, from_list):
            if not action.narrowable:
                return from_list
            # resources[] names the table (or the unqualified function) while the call named an index
            # (or a version): IAM authorizes the narrower ARN the parameters give
            built = self._from_parameters(action, params, context())[0]
            narrower = [b for b in built if any(b.startswith((f"{a}/", f"{a}:")) for a in from_list)]
            return built if narrower and _covers_required(action.types, built) else from_list
        ctx = context()
        built, referenced = self._from_parameters(action, params, ctx)
        if not action.primary and not referenced and action.has_templates:
            return None
        for candidate in (built, from_list, sorted(set(built) | set(from_list))):
            if candidate and _covers_required(action.types, candidate):
                return candidate
        if ctx.caller and action.primary and not referenced:
            # IAM self-service (GetUser, ListAccessKeys, ChangePassword without a user name) acts on the
            # calling user
            own = _fitting(action.types, [ctx.caller])
            if own and _covers_required(action.types, own):
                return own
        return []

    def _from_parameters(
        self, action: _ActionPlan, params: Mapping[str, Any], ctx: Context
    ) -> tuple[list[str], bool]:
        """ARNs built from request parameters, and whether any parameter the templates read was present."""

        def lookup(path: str) -> Values:
            if path == "Partition":
                return [ctx.partition]
            if path == "Region":
                return [ctx.region]
            if path == "Account":
                return [ctx.account]
            return lookup_path(params, path)

        if action.resolver is not None:
            resolved = action.resolver(action.action, params, ctx)
            if resolved is not None:
                return _fitting(action.types, resolved), True
        out: list[str] = []
        referenced = False
        if action.override is not None:
            values = action.override(lookup)
            if values is not None and action.override_refs:
                referenced = referenced or any(values)
            for value in values or ():
                if value == "*":
                    return [], referenced
                if value.startswith("arn:"):
                    out.append(value)
        for resource_type, template in action.arn_maps:
            for value in template(lookup) or ():
                referenced = True
                if resource_type.matches(value):
                    out.append(value)
        if action.var_maps:
            built, used = _fill_formats(action, params, ctx, lookup)
            referenced = referenced or used
            out.extend(built)
        return _fitting(action.types, out), referenced

    # -- compilation, once per (eventSource, eventName) --

    def _compile(self, source: str, name: str) -> _Plan:
        key = f"{source}:{name}"
        if source in IGNORED_EVENT_SOURCES:
            return _fixed("ignored", key, IGNORED_EVENT_SOURCES[source])
        namespace = self._namespace(source)
        if namespace is None:
            return _fixed("unmapped", key, f"unknown eventSource {source!r}")
        method = _VERSION_SUFFIX.sub("", name) or name
        method = EVENT_NAME_ALIASES.get((namespace, method), method)
        if f"{namespace}:{method}".lower() in self._ref.permissionless:
            return _fixed("ignored", key, "needs no permission")
        entries = CURATED_ENTRIES.get((namespace, method.lower())) or self._ref.sdk_entries(namespace, method)
        direct = self._ref.action_name(f"{namespace}:{method}")
        if entries and direct and not entries[0]["action"].lower().startswith(namespace + ":"):
            # another SDK service's method of the same name (S3Control's GetAccessPoint is the Outposts
            # one): the event's own namespace has the action, so that is what the call needed
            entries = None
        if entries:
            dropped = DROPPED_ENTRIES.get((namespace, method.lower()), frozenset())
            plans = [
                self._compile_entry(namespace, method, entry, index == 0)
                for index, entry in enumerate(entries)
                if entry["action"] not in dropped
            ]
            actions = tuple(p for p in plans if p is not None)
            if actions:
                return _mapped_plan(key, actions, [json.dumps(e) for e in entries])
        if direct is not None:
            plan = self._direct(namespace, method, direct)
            return _mapped_plan(key, (plan,), ["${" + v.name + "}" for v in plan.var_maps])
        return _fixed("unmapped", key, f"no IAM action for {namespace}:{method} in the reference")

    def _namespace(self, source: str) -> str | None:
        namespace = self._ref.event_sources.get(source)
        if namespace is None and source.endswith(".amazonaws.com"):
            guess = source.removesuffix(".amazonaws.com")
            namespace = guess if self._ref.has_namespace(guess) else None
        return namespace

    def _compile_entry(
        self, namespace: str, method: str, entry: Mapping[str, Any], primary: bool
    ) -> _ActionPlan | None:
        action = self._ref.action_name(entry["action"])
        if action is None:  # the build drops these; a hand-edited data file must not leak one
            return None
        prefix = action.split(":", 1)[0]
        types = self._ref.resource_types(action)
        by_key = {t.key: t for t in types}
        override = entry.get("arn_override")
        explicit = entry.get("resource_mappings") or {}
        var_maps = tuple(
            _var_map(prefix, var, m["template"], m.get("conditions")) for var, m in sorted(explicit.items())
        ) + tuple(  # variables the table leaves out (LogStreamName): the parameter of the same name
            _var_map(prefix, var, "${" + var + "}", None)
            for var in sorted({v for t in types for v in t.variables} - explicit.keys())
        )
        arn_maps = tuple(
            (by_key[t.lower()], compile_template(tpl))
            for t, tpl in sorted((entry.get("resourcearn_mappings") or {}).items())
            if t.lower() in by_key
        )
        resolver = RESOLVERS.get((namespace, method.lower())) or RESOLVERS.get((prefix, None))
        return _ActionPlan(
            action=action,
            types=types,
            primary=primary,
            condition=compile_condition(entry.get("conditions")),
            override=compile_template(override) if override else None,
            override_refs=bool(
                override
                and "${"
                in override.replace("${Partition}", "").replace("${Region}", "").replace("${Account}", "")
            ),
            arn_maps=arn_maps,
            var_maps=var_maps,
            resolver=resolver,
            narrowable=_narrowable(prefix, types),
        )

    def _direct(self, namespace: str, method: str, action: str) -> _ActionPlan:
        """An action the SDK table does not know but the reference does: read each ARN variable from the
        parameter of the same name (``TableName`` from ``tableName``)."""
        prefix = action.split(":", 1)[0]
        types = self._ref.resource_types(action)
        variables = sorted({v for t in types for v in t.variables})
        return _ActionPlan(
            action=action,
            types=types,
            primary=True,
            condition=None,
            override=None,
            override_refs=False,
            arn_maps=(),
            var_maps=tuple(_var_map(prefix, v, "${" + v + "}", None) for v in variables),
            resolver=RESOLVERS.get((namespace, method.lower())) or RESOLVERS.get((prefix, None)),
            narrowable=_narrowable(prefix, types),
        )


def _parameters(value: Any) -> Mapping[str, Any]:
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


def _listed_resources(record: Mapping[str, Any]) -> list[str]:
    """``resources[]`` ARNs; an ``ARNPrefix`` (S3 DeleteObjects and listings name only the bucket part
    of the keys they touched) stands for every ARN under it, which is what CloudTrail knows."""
    listed: list[str] = []
    for resource in record.get("resources") or ():
        if resource.__class__ is not dict and not isinstance(resource, Mapping):
            continue
        arn = resource.get("ARN") or resource.get("arn")  # Athena's table spells it in lower case
        if isinstance(arn, str) and arn:
            listed.append(arn)
            continue
        prefix = resource.get("ARNPrefix")
        if isinstance(prefix, str) and prefix.startswith("arn:") and len(prefix.split(":", 5)) == 6:
            listed.append(prefix + "*")
    return listed


def _narrowable(prefix: str, types: tuple[ResourceType, ...]) -> bool:
    """Whether one of the action's types extends another (``table`` and ``table/T/index/I``), or the
    service qualifies ARNs in place (a Lambda version or alias after the function name)."""
    return prefix == "lambda" or any(t.variables < u.variables for t in types for u in types)


def _new_mapper(resource_level: bool) -> EventMapper:
    return EventMapper(resource_level=resource_level)


def _fixed(kind: Kind, key: str, reason: str) -> _Plan:
    return _Plan(kind, key, (), MappedEvent(kind, key, False, reason), MappedEvent(kind, key, True, reason))


_SCALARS = (str, int, float, bool, type(None))


def _memo_key(plan: _Plan, record: Mapping[str, Any], denied: bool) -> tuple[Any, ...]:
    """Everything ``_resolve`` reads from a record for this plan, as a hashable key.

    On the hot path: records parsed from JSON are plain dicts, so ``type() is dict`` checks stand in for
    the slower ``isinstance(..., Mapping)``; anything else takes the general route.
    """
    params = record.get("requestParameters")
    signature: tuple[Any, ...] = ()
    if params.__class__ is dict:
        keys = plan.param_keys
        signature = tuple(
            (name, value if value.__class__ in _SCALARS else repr(value))
            for name, value in params.items()
            if name in keys
        )
    elif isinstance(params, Mapping):
        signature = (repr(sorted(params.items(), key=repr)),)
    elif isinstance(params, str):
        signature = (params,)
    resources = record.get("resources")
    listed: tuple[Any, ...] = ()
    if resources:
        try:
            listed = tuple(r.get("ARN") or r.get("ARNPrefix") or r.get("arn") for r in resources)
        except (AttributeError, TypeError):
            listed = tuple(_listed_resources(record))
    identity = record.get("userIdentity")
    if identity.__class__ is not dict:
        identity = dict(identity) if isinstance(identity, Mapping) else {}
    principal = identity.get("arn")
    partition = principal[4 : principal.find(":", 4)] if principal.__class__ is str else None
    caller = principal if identity.get("type") == "IAMUser" else None
    return (
        plan.key,
        denied,
        record.get("awsRegion"),
        record.get("recipientAccountId"),
        identity.get("accountId"),
        partition,
        caller,
        signature,
        listed,
    )


def _var_map(prefix: str, var: str, template: str, condition: Mapping[str, Any] | None) -> _VarMap:
    refs = tuple(r for r in _SINGLE_REF.findall(template) if r not in ("Partition", "Region", "Account"))
    normaliser = NORMALISERS.get((prefix, var))
    if normaliser is not None:
        # IAM templates splice a path in front of the name (``%%regex%${Path}...%%${UserName}``); the
        # normaliser reads the path itself, so it takes the name
        named = tuple(dict.fromkeys(r for r in refs if prefix != "iam" or r not in ("Path", "PathPrefix")))
        plain = template == "${" + named[0] + "}" if len(named) == 1 else False
        if len(named) != 1 or ((prefix, var) in _PLAIN_ONLY and not plain):
            normaliser = None
        else:
            refs = named
    return _VarMap(var, compile_template(template), refs, normaliser, compile_condition(condition))


def _fill_formats(
    action: _ActionPlan, params: Mapping[str, Any], ctx: Context, lookup: Callable[[str], Values]
) -> tuple[list[str], bool]:
    """Fill the action's ARN formats with the variables the templates resolve.

    A template that reads no parameter (a constant such as ``*``) only completes an ARN whose other
    variables came from the record (``stack/orders-prod/*``: the stack's generated id); alone it resolves
    nothing, since the table's constants would otherwise widen a policy to every resource of a type
    without the record saying so. Types whose variables are a strict subset of another filled type's
    (``table`` under ``index``) are left out: the call named the narrower resource.
    """
    values: dict[str, list[str]] = {}
    constants: dict[str, list[str]] = {}
    ready: list[str] = []  # complete ARNs from normalisers
    referenced = False
    for var in action.var_maps:
        if var.condition is not None and not var.condition(params):
            continue
        if not var.refs:
            constants[var.name] = var.template(lookup) or []
            continue
        if var.normaliser is not None:
            raw = lookup_path(params, var.refs[0])
            if raw:
                referenced = True
                ready.extend(a for v in raw for a in var.normaliser(v, ctx, params))
            continue
        resolved = var.template(lookup)
        if resolved:
            referenced = True
            values[var.name] = resolved
    out: list[str] = [arn for arn in ready if any(t.matches(arn) for t in action.types)]
    usable = values.keys() | {name for name, v in constants.items() if v}
    filled = [t for t in action.types if t.variables & values.keys() and t.variables <= usable]
    filled = [t for t in filled if not any(t.variables < other.variables for other in filled)]
    merged = {**constants, **values}
    for resource_type in filled:
        out.extend(_fill_one(resource_type, merged, ctx))
    return out, referenced


def _fill_one(resource_type: ResourceType, values: dict[str, list[str]], ctx: Context) -> list[str]:
    names = sorted(resource_type.variables)
    columns = [values[n] for n in names]
    out: list[str] = []
    if len(names) == 1:
        direct = [v for v in columns[0] if v.startswith("arn:")]
        out.extend(v for v in direct if resource_type.matches(v))
        columns = [[v for v in columns[0] if not v.startswith("arn:")]]
    elif any(v.startswith("arn:") for column in columns for v in column):
        return out  # an ARN where a name belongs (an access point given as Bucket): do not build garbage
    base = {"Partition": ctx.partition, "Region": ctx.region, "Account": ctx.account}
    for combination in _product(columns):
        out.append(resource_type.fill({**base, **dict(zip(names, combination, strict=True))}))
    return out


def _product(columns: list[list[str]]) -> list[tuple[str, ...]]:
    result: list[tuple[str, ...]] = [()]
    for column in columns:
        result = [(*prefix, value) for prefix in result for value in column]
    return result


def _fitting(types: tuple[ResourceType, ...], arns: list[str]) -> list[str]:
    """The ARNs that have the shape of one of the types, sorted and distinct."""
    patterns = [t.pattern for t in types]
    out = set()
    for arn in arns:
        for pattern in patterns:
            if pattern.fullmatch(arn) is not None:
                out.add(arn)
                break
    return sorted(out)


_REQUIRED: dict[int, tuple[tuple[ResourceType, ...], tuple[tuple[re.Pattern[str], ...], ...]]] = {}


def _required_patterns(types: tuple[ResourceType, ...]) -> tuple[tuple[re.Pattern[str], ...], ...]:
    """Per required type, the patterns of the types that satisfy it (itself and the narrower ones).
    Keyed by identity (the reference hands out one tuple per action); the entry holds the tuple, so its
    id cannot be reused while cached."""
    known = _REQUIRED.get(id(types))
    if known is None or known[0] is not types:
        patterns = tuple(
            tuple(u.pattern for u in types if u.variables >= required.variables)
            for required in types
            if required.required
        )
        known = _REQUIRED[id(types)] = (types, patterns)
    return known[1]


def _covers_required(types: tuple[ResourceType, ...], arns: list[str]) -> bool:
    """Every resource type the reference marks required for the action is matched by some ARN; else a
    policy naming only the ARNs we found would refuse the very call it was made from. A narrower type
    covers a required one it extends: a Query on an index names ``table/T/index/I``, not ``table/T``."""
    for patterns in _required_patterns(types):
        if not any(pattern.fullmatch(arn) is not None for pattern in patterns for arn in arns):
            return False
    return True
