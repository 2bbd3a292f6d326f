"""Parameters that are names, partial ARNs or URLs -> complete ARNs.

Two kinds, both declaring the request parameters they read besides the value they are handed:
- a ``Normaliser`` turns the one parameter an ARN variable's template reads (a Lambda function name with
  or without qualifier, a queue URL, a bare IAM name) into ARNs;
- a ``Resolver`` replaces the table's templates for a call whose resources are not one parameter
  (Secrets Manager's generated suffix, DynamoDB batches naming tables as keys).

The declaration is not documentation: the mapper keys its memo on the declared parameters and hands the
function a view of the parameters that holds only those, so an undeclared read sees nothing (and a test
fails) instead of silently making two different records share one result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from typing import Any

from policygen_operator.domain.iam.mapping.records import Context
from policygen_operator.domain.iam.mapping.rules import (
    CREATED_TYPES,
    EC2_CREATES,
    EKS_ACCESS_ENTRY_CALLS,
    SSM_NODE_IDS,
    TRANSACTION_OPERATIONS,
)
from policygen_operator.domain.iam.templates import (
    escape,
    get_field,
    lookup_path,
    lookup_raw,
    percent_encoded,
    spellings,
)
from policygen_operator.domain.partitions import REGION_NAME


class ParameterView(Mapping[str, Any]):
    """The request parameters restricted to the declared names (in every spelling CloudTrail uses)."""

    __slots__ = ("_allowed", "_params")

    def __init__(self, params: Mapping[str, Any], allowed: frozenset[str]) -> None:
        self._params = params
        self._allowed = allowed

    def __getitem__(self, key: str) -> Any:
        value = self._params[key]
        if key not in self._allowed:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        # asked of the parameters either way, so a test recording the reads sees an undeclared one
        value = self._params.get(key, default)
        return value if key in self._allowed else default

    def __iter__(self) -> Iterator[str]:
        return (k for k in self._params if k in self._allowed)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def spelled(names: frozenset[str]) -> frozenset[str]:
    """Every key CloudTrail may write for these SDK parameter names."""
    return frozenset(s for name in names for s in spellings(name))


@dataclass(frozen=True, slots=True)
class Normaliser:
    """One parameter's value -> ARNs; ``reads`` names the other parameters it consults."""

    convert: Callable[[str, Context, Mapping[str, Any]], list[str]]
    reads: frozenset[str] = frozenset()
    keys: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", spelled(self.reads))

    def __call__(self, value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
        return self.convert(value, ctx, ParameterView(params, self.keys))


@dataclass(frozen=True, slots=True)
class Resolver:
    """(action, parameters) -> ARNs, or None when the call does not name them this way; ``reads`` names
    every parameter it consults."""

    resolve: Callable[[str, Mapping[str, Any], Context], list[str] | None]
    reads: frozenset[str]
    # resources[] lists what the call was authorized on, but a type it lists nothing of may still be one
    # the request names (a send's configuration set): those of the resolver's ARNs are added to it
    completes_listed: bool = False
    # it reads only requests of one form (an Elastic IP address by its public IP) and leaves every other to
    # the plan's templates, whose finding then says what the request could not name (``plans.unnamed_kinds``)
    partial: bool = False
    # its ARNs join resources[] whatever their type: the request names a resource in another Region, which
    # the record of the call's Region does not list (KMS UpdatePrimaryRegion's replica key)
    joins_listed: bool = False
    keys: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", spelled(self.reads))

    def __call__(self, action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
        return self.resolve(action, ParameterView(params, self.keys), ctx)


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
    if not qualifier:
        # the request's Qualifier is a name like the function's, which reaches here escaped: "$LATEST" is
        # written ${$}LATEST as in "name:$LATEST" and in a refusal's ARN (``records.denied_resource``)
        given = get_field(params, "Qualifier")
        qualifier = escape(given) if isinstance(given, str) else given
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


# AWS's public parameters (AMI ids, regions, service endpoints) live under /aws/service/ and belong to no
# account: "ARN": "arn:aws:ssm:us-east-2::parameter/aws/service/ami-amazon-linux-latest/..." (SSM User
# Guide, "Working with public parameters"); Karpenter's and the EKS docs' policies grant
# arn:aws:ssm:REGION::parameter/aws/service/*. In the caller's account the ARN matches nothing.
SSM_PUBLIC_PREFIX = "aws/service/"


def _ssm_account(name: str, ctx: Context) -> str:
    """The account in a parameter's ARN: none for AWS's public parameters (``SSM_PUBLIC_PREFIX``)."""
    return "" if name.startswith(SSM_PUBLIC_PREFIX) else ctx.account


def _without_selector(name: str) -> str:
    """A parameter name without the version or label a request may add (``name:3``, ``name:prod``: "To
    query by parameter version, use "Name": "name:version"", SSM API Reference, GetParameter). GetParameter
    and GetParameters are authorized against "the requested parameter" (SSM User Guide, "How Parameter Store
    authorizes parameter retrieval"), and a name "can consist of the following symbols and letters only:
    a-zA-Z0-9_.-" besides the ``/`` of a hierarchy (SSM User Guide, "Creating Systems Manager parameters",
    "About requirements and constraints for parameter names"): what follows a ``:`` selects a version of
    the parameter and is no part of its ARN."""
    return name.split(":", 1)[0]


def _ssm_parameter(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    if value.startswith("arn:"):
        prefix, found, resource = value.partition(":parameter/")
        return [f"{prefix}{found}{_without_selector(resource)}"] if found else [value]
    name = _without_selector(value.lstrip("/"))
    account = _ssm_account(name, ctx)
    return [f"arn:{ctx.partition}:ssm:{ctx.region}:{account}:parameter/{name}"]


# "You can't use the following strings as document name prefixes. These are reserved by Amazon Web Services
# for use as document name prefixes: aws, amazon, amzn, AWSEC2, AWSConfigRemediation, AWSSupport" (SSM
# CreateDocument, Name)
_AWS_OWNED_DOCUMENT = re.compile(r"(?i)(aws|amazon|amzn)")


def _ssm_document(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    """A document name -> its ARN: AWS's own documents (``AWS-RunShellScript``) are public and their ARN has
    no account ("The account ID shouldn't be specified in the Amazon Resource Name (ARN) for AWS owned
    public documents", SSM User Guide, Automation identity-based policy examples); a name in the
    account's own ARN would not match them."""
    if value.startswith("arn:"):
        return [value]
    account = "" if _AWS_OWNED_DOCUMENT.match(value) else ctx.account
    return [f"arn:{ctx.partition}:ssm:{ctx.region}:{account}:document/{value}"]


_SSM_NODES = tuple(
    (re.compile(f"^{pattern}$"), service, resource) for service, resource, pattern in SSM_NODE_IDS.values()
)


def ssm_node(value: str, ctx: Context) -> list[str]:
    """A node's ARN by its id, by ``rules.SSM_NODE_IDS`` (an id of neither shape names none); an ARN as
    given."""
    if value.startswith("arn:"):
        return [value]
    return [
        f"arn:{ctx.partition}:{service}:{ctx.region}:{ctx.account}:{resource}{value}"
        for pattern, service, resource in _SSM_NODES
        if pattern.match(value)
    ]


def _ssm_association(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The document and node of CreateAssociation, or of each of CreateAssociationBatch's ``entries``:
    "Name: The name of the SSM Command document or Automation runbook that contains the configuration
    information for the managed node" (a name, or an ARN for a document another account shares) and
    "InstanceId: The managed node ID" (SSM API Reference, CreateAssociation and
    CreateAssociationBatchRequestEntry). Not the nodes of ``Targets``, whatever their key (``InstanceIds``,
    ``tag:Env``, ``resource-groups:Name``): "A request is only validated against policy resources if the
    request parameter contains the specified policy resources. For example, if you specify an instance in
    the resource block, the policy is enforced if the request uses the InstanceId parameter. The Targets
    parameter for each resource in the account isn't checked for that InstanceId" (SSM User Guide,
    "Working with associations using IAM"). iam-dataset passes ``Name`` through only when it is an ARN
    and gives the node ``*``, so a document by name was never read and a node only as ``*``. The SSM Agent's
    UpdateAssociationStatus names the same two ("Name: The name of the SSM document", "InstanceId: The
    managed node ID", SSM API Reference), where the table read the node only: ``document/*``, said."""
    if not action.startswith("ssm:"):
        return None  # the call's iam:PassRole reads its role as every call's does
    entries = _items(get_field(params, "Entries")) or [params]
    out: list[str] = []
    for entry in entries:
        for name in _values(entry, "Name"):
            out.extend(_ssm_document(escape(name), ctx, entry))
        out.extend(arn for node in _values(entry, "InstanceId") for arn in ssm_node(escape(node), ctx))
    return out or None


def _own_account(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """Account Management's calls without ``AccountId`` act on the caller's own account: "If you don't
    include the AccountId parameter, then the operation runs in the standalone context and automatically
    applies the request to the account you used to make the request. This is true whether or not the
    account is a member of an organization" (Account Management Reference Guide, "Understanding API modes
    of operation"), the reference's ``account`` type (``arn:${Partition}:account::${Account}:account``),
    which the table named nowhere: every such call (the console's GetRegionOptStatus and ListRegions,
    GetContactInformation, PutAlternateContact, EnableRegion) was granted ``*``. With ``AccountId`` (or
    GetGovCloudAccountInformation's ``StandardAccountId``) the call is the organizations context's, on
    ``account/o-ORG/MEMBER`` under the management account, which the record does not name: None, the
    table's reading."""
    if not action.startswith("account:") or not _ACCOUNT_ID.match(ctx.account):
        return None
    if any(get_field(params, name) for name in ("AccountId", "StandardAccountId")):
        return None
    return [f"arn:{ctx.partition}:account::{ctx.account}:account"]


_ACCOUNT_ID = re.compile(r"^\d{12}$")


def _ssm_tag_target(kind: str, value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    """The ARN of the resource ``ResourceType`` says ``ResourceId`` is; [] for a type no ARN is known for."""
    base = f"arn:{ctx.partition}:ssm:{ctx.region}:{ctx.account}:"
    if kind == "Document":
        return _ssm_document(value, ctx, params)
    if kind == "Parameter":
        return _ssm_parameter(value, ctx, params)
    if kind == "ManagedInstance":
        return ssm_node(value, ctx)
    if value.startswith("arn:"):
        return [value]
    if kind == "OpsMetadata":  # "either aws/ssm/MyGroup/appmanager or /aws/ssm/MyGroup/appmanager"
        return [f"{base}opsmetadata/{value.lstrip('/')}"]
    noun = _SSM_TAGGED_NOUNS.get(kind)
    return [f"{base}{noun}/{value}"] if noun is not None else []


# ResourceType values of ResourceTypeForTagging (SSM API Reference) named by their id alone, and the
# Service Authorization Reference's resource type of each
_SSM_TAGGED_NOUNS = {
    "MaintenanceWindow": "maintenancewindow",
    "PatchBaseline": "patchbaseline",
    "OpsItem": "opsitem",
    "Automation": "automation-execution",
    "Association": "association",
    "CloudConnector": "cloud-connector",
}


def _ssm_tagged(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """SSM's tag calls name their resource by ``ResourceType`` and ``ResourceId`` ("For the Document and
    Parameter values, use the name of the resource", "MaintenanceWindow: mw-012345abcde", "OpsMetadata
    object: ResourceID for tagging is created from the strings that come after the word opsmetadata in the
    ARN", SSM API Reference, AddTagsToResource). The table filled the id into every format whose variable
    is spelled ``${ResourceId}`` (maintenancewindow, opsitem, opsmetadata), whatever the type: a
    parameter's tags were granted on ``maintenancewindow//NAME`` and two other ARNs that name nothing, and
    not on the parameter, so the call was refused. The type picks the one ARN; an id of a type with no
    known ARN is no resource ([]: ``*``, said)."""
    if not action.startswith("ssm:"):
        return None
    kind, value = get_field(params, "ResourceType"), get_field(params, "ResourceId")
    if not isinstance(kind, str) or not isinstance(value, str) or not value:
        return []
    return _ssm_tag_target(kind, escape(value), ctx, params)


def _ssm_command(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """SendCommand by ``Targets`` or to every node: its document, output bucket and the nodes the request
    selects. A target keyed ``InstanceIds`` names nodes, in whatever case the key was typed (the AWS CLI's
    ``--targets Key=instanceids,Values=i-...`` is logged as typed, and SSM runs it); any other key
    (``tag:KEY``, ``resource-groups:Name``) or the value ``*`` (a target's, or State Manager's
    ``"instanceIds": ["*"]``) selects nodes SSM finds when the command runs, which the record does not
    name: every instance and managed node of the account and Region, said (``rules.UNNAMED_TYPES``), never
    a node literally named ``*``. None otherwise: the table's reading of ``InstanceIds``."""
    if action != "ssm:SendCommand":
        return None  # the call's iam:PassRole reads its service role as every call's does
    targets = _items(get_field(params, "Targets"))
    nodes = _values(params, "InstanceIds[]")
    if not targets and "*" not in nodes:
        return None
    documents = _values(params, "DocumentName")
    out = [arn for name in documents for arn in _ssm_document(escape(name), ctx, params)]
    out.extend(f"arn:{ctx.partition}:s3:::{escape(b)}" for b in _values(params, "OutputS3BucketName"))
    every = "*" in nodes
    for target in targets:
        key, values = get_field(target, "Key"), get_field(target, "Values")
        named = [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
        if isinstance(key, str) and key.lower() == "instanceids" and "*" not in named:
            nodes.extend(named)
        else:
            every = True
    named_nodes = dict.fromkeys(node for node in nodes if node != "*")
    out.extend(arn for node in named_nodes for arn in ssm_node(escape(node), ctx))
    if every:
        out.extend(
            f"arn:{ctx.partition}:{service}:{ctx.region}:{ctx.account}:{resource}*"
            for _, service, resource in _SSM_NODES
        )
    return out


def _iam_name_with_path(
    kind: str, created: bool = False
) -> Callable[[str, Context, Mapping[str, Any]], list[str]]:
    """A bare IAM name: the entity may live under a path we cannot see, so both ``kind/NAME`` and
    ``kind/*/NAME`` (names are unique in an account whatever the path, so this grants that entity only).
    The calling user (``Context.caller``) or the role of the calling session (``Context.issuer``) named by
    its own name is that one ARN: the record's ``userIdentity`` gives its path. In whatever case the request
    spells the name: "Role names must be unique within your AWS account, and can't be made unique by case
    ... When a role name is used in a policy or as part of an ARN, the role name is case sensitive" (IAM
    User Guide, "Create a role to delegate permissions to an AWS service"; "IAM user, group, role, and
    policy names must be unique within the account. Names are not distinguished by case", IAM API
    Reference, CreateUser's UserName). So ``level1`` and ``LEVEL1`` in the caller's account name one
    entity, whose ARN keeps the case it was created with, and IAM matches ``Resource`` against that ARN
    case-sensitively: ``role/LEVEL1`` and ``role/*/LEVEL1`` would name nothing.
    A call that creates the entity says its path, and without one it is ``/``: "This parameter is
    optional. If it is not included, it defaults to a slash (/)" (IAM API Reference, Path of CreateRole,
    CreateUser, CreateGroup, CreateInstanceProfile and CreatePolicy)."""

    def normalise(value: str, ctx: Context, params: Mapping[str, Any]) -> list[str]:
        if value.startswith("arn:"):
            return [value]
        base = f"arn:{ctx.partition}:iam::{ctx.account}:{kind}/"
        path = get_field(params, "Path")
        if isinstance(path, str) and path.startswith("/"):
            return [base + path.lstrip("/") + value]
        if created or value == "${*}":
            # a name given as "*" asks for every one (``fill.every_asked``), whose "*" matches a path too
            return [base + value]
        own = ctx.caller if kind == "user" else ctx.issuer if kind == "role" else ""
        if own.startswith(base) and own.rpartition("/")[2].lower() == value.lower():
            return [own]  # the caller itself, whose ARN the record gives with its path and its case
        if "/" in value:
            # a name prefixed with its path ("or prefix the role name with the path", Batch API Reference,
            # UpdateComputeEnvironment's serviceRole): an IAM name holds no slash ("[\w+=,.@-]+", IAM API
            # Reference, RoleName), so this is the path and the name of the one entity
            return [own] if own.lower() == (base + value).lower() else [base + value]
        return [base + value, base + "*/" + value]

    return normalise


role_arns = _iam_name_with_path("role")  # a role's bare name -> its ARNs under any path


# IAM's ARN-format variables of a name with its path -> the kind of entity (``role/PATH/NAME``)
_IAM_KINDS = {
    "RoleNameWithPath": "role",
    "UserNameWithPath": "user",
    "GroupNameWithPath": "group",
    "InstanceProfileNameWithPath": "instance-profile",
    "PolicyNameWithPath": "policy",
}
_PATH = frozenset({"Path"})

# (namespace of the action, ARN-format variable) -> normaliser of the one parameter its template reads
NORMALISERS: dict[tuple[str, str], Normaliser] = {
    ("lambda", "FunctionName"): Normaliser(_lambda_function, frozenset({"Qualifier"})),
    ("kms", "KeyId"): Normaliser(_kms_key),
    ("kms", "Alias"): Normaliser(_kms_alias),
    ("sqs", "QueueName"): Normaliser(_sqs_queue),
    ("ssm", "ParameterNameWithoutLeadingSlash"): Normaliser(_ssm_parameter),
    ("ssm", "DocumentName"): Normaliser(_ssm_document),
    **{
        ("iam", variable): Normaliser(_iam_name_with_path(kind), _PATH)
        for variable, kind in _IAM_KINDS.items()
    },
    # a server certificate is named by its bare name ("ServerCertificateName ... Pattern: [\w+=,.@-]+", IAM
    # API Reference, GetServerCertificate, DeleteServerCertificate, UpdateServerCertificate, ...) while it
    # may have been uploaded under a path ("Path: The path for the server certificate",
    # UploadServerCertificate): under any path, as a role's bare name. Its upload keeps its exact path
    # (``CREATING_NORMALISERS``)
    ("iam", "CertificateNameWithPath"): Normaliser(_iam_name_with_path("server-certificate"), _PATH),
}
# the calls that create an IAM entity by name and optional path -> its variable and that variable's normaliser
CREATING_NORMALISERS: dict[str, tuple[str, Normaliser]] = {
    f"iam:create{kind.replace('-', '')}": (
        variable,
        Normaliser(_iam_name_with_path(kind, created=True), _PATH),
    )
    for variable, kind in _IAM_KINDS.items()
} | {
    # a virtual MFA device is made by its own name at its path: "If it is not included, it defaults to a
    # slash (/)" (IAM API Reference, CreateVirtualMFADevice's Path)
    "iam:createvirtualmfadevice": (
        "MfaTokenIdWithPath",
        Normaliser(_iam_name_with_path("mfa", created=True), _PATH),
    ),
    # a server certificate is uploaded by its name at its path: "Path: ... This parameter is optional. If it
    # is not included, it defaults to a slash (/)" (IAM API Reference, UploadServerCertificate); without a
    # Path the call was granted * with the finding
    "iam:uploadservercertificate": (
        "CertificateNameWithPath",
        Normaliser(_iam_name_with_path("server-certificate", created=True), _PATH),
    ),
}
# normalisers that apply only where the template is the plain parameter (GetParametersByPath keeps its own)
PLAIN_ONLY = frozenset({("ssm", "ParameterNameWithoutLeadingSlash")})


# Secrets Manager appends a hyphen and six random characters to a secret's name in its ARN; a name (or a
# partial ARN) is granted as ``NAME-??????``, which matches that secret and no other, where ``NAME-*`` would
# also match every secret whose name starts with ``NAME-`` ("prod/db-admin" beside "prod/db"). Secrets
# Manager User Guide, "Resources" in "Permissions reference for AWS Secrets Manager":
# https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html
_SECRET_WILDCARD = "-??????"


def _secret(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """Secrets Manager: a name becomes ``secret:NAME-??????`` (the real ARN ends in 6 random characters).

    The secret is ``SecretId``, CreateSecret's ``Name`` (for its own action and the ones it needs besides),
    or each of BatchGetSecretValue's ``SecretIdList``."""
    value = get_field(params, "SecretId")
    if value is None:
        value = get_field(params, "Name")
    values = value if value is not None else get_field(params, "SecretIdList")
    names = [values] if isinstance(values, str) else values if isinstance(values, list) else []
    arns = [
        (name if _SECRET_SUFFIX.search(name) else name + _SECRET_WILDCARD)
        if name.startswith("arn:")
        else f"arn:{ctx.partition}:secretsmanager:{ctx.region}:{ctx.account}:secret:{name}{_SECRET_WILDCARD}"
        for name in names
        if isinstance(name, str) and name
    ]
    return arns or None


def _dynamodb_batch(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """BatchGetItem/BatchWriteItem name their tables as the keys (or ``tableName`` items) of requestItems."""
    items = get_field(params, "RequestItems")
    names = list(items) if isinstance(items, Mapping) else [get_field(i, "TableName") for i in _items(items)]
    return _tables([n for n in names if isinstance(n, str) and n], ctx)


def _tables(names: list[str], ctx: Context) -> list[str] | None:
    """DynamoDB tables named by name (in the call's account and region) or by ARN; None for none."""
    base = f"arn:{ctx.partition}:dynamodb:{ctx.region}:{ctx.account}:table/"
    return [n if n.startswith("arn:") else base + n for n in names] or None


def _dynamodb_transaction(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The tables a TransactWriteItems/TransactGetItems item of the action's operation names. The SDK sends
    ``TransactItems[].Put.TableName``; CloudTrail logs ``requestItems[]`` with ``"operation": "Put"`` and
    ``tableName`` (or ``TableName``: the DynamoDB Developer Guide's record has both, "Understanding DynamoDB
    log file entries", TransactWriteItems)."""
    operation = TRANSACTION_OPERATIONS.get(action)
    if operation is None:
        return None
    names: list[Any] = []
    for item in _items(get_field(params, "TransactItems")):
        if isinstance(inner := get_field(item, operation), Mapping):
            names.append(get_field(inner, "TableName"))
    for item in _items(get_field(params, "RequestItems")):
        if str(get_field(item, "Operation") or "").lower() == operation.lower():
            names.append(get_field(item, "TableName"))
    return _tables([n for n in names if isinstance(n, str) and n], ctx)


def _event_buses(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """PutEvents is authorized on the bus of each entry: "EventBusName: The name or ARN of the event bus to
    receive the event ... If you omit this, the default event bus is used" (EventBridge API Reference,
    PutEventsRequestEntry). The table's template took the named buses when any entry named one, dropping the
    default bus of the entries that named none. None without entries (the template's ``default`` stays)."""
    entries = _items(get_field(params, "Entries"))
    if not entries:
        return None
    base = f"arn:{ctx.partition}:events:{ctx.region}:{ctx.account}:event-bus/"
    buses: list[str] = []
    for entry in entries:
        bus = get_field(entry, "EventBusName")
        name = bus if isinstance(bus, str) and bus else "default"
        buses.append(name if name.startswith("arn:") else base + escape(name))
    return list(dict.fromkeys(buses))


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


_PARTIQL_NAME = r'"(?:[^"]|"")+"|[A-Za-z0-9_-]+'
_PARTIQL_TARGET = {
    kind: re.compile(
        prefix + rf"\s+({_PARTIQL_NAME})(?:\s*\.\s*({_PARTIQL_NAME}))?", re.IGNORECASE | re.DOTALL
    )
    for kind, prefix in (
        ("SELECT", r"^\s*SELECT\b.*?\bFROM"),
        ("INSERT", r"^\s*INSERT\s+INTO"),
        ("UPDATE", r"^\s*UPDATE"),
        ("DELETE", r"^\s*DELETE\s+FROM"),
    )
}


def _partiql_name(token: str) -> str:
    return token[1:-1].replace('""', '"') if token.startswith('"') else token


# Where a call's PartiQL statements are: ExecuteStatement's ``statement``, BatchExecuteStatement's
# ``statements[].statement`` (the SDK's; CloudTrail logs ``requestItems[].statement``: the DynamoDB Developer
# Guide's BatchExecuteStatement record), ExecuteTransaction's ``transactStatements[].statement``
PARTIQL_STATEMENTS = (
    "Statement",
    "Statements[].Statement",
    "RequestItems[].Statement",
    "TransactStatements[].Statement",
)


def _partiql(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The table (or ``"table"."index"``) each statement of the action's kind names (``PARTIQL_STATEMENTS``;
    CloudTrail logs the statement with values redacted:
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html)."""
    kind = action.rpartition("PartiQL")[2].upper()
    pattern = _PARTIQL_TARGET.get(kind)
    if pattern is None:
        return None
    statements = [v for path in PARTIQL_STATEMENTS for v in lookup_path(params, path) or ()]
    base = f"arn:{ctx.partition}:dynamodb:{ctx.region}:{ctx.account}:table/"
    out: list[str] = []
    for statement in statements:
        match = pattern.match(statement)
        if match is None:
            continue
        table, index = match.group(1), match.group(2)
        arn = base + _partiql_name(table)
        out.append(f"{arn}/index/{_partiql_name(index)}" if index else arn)
    return out or None


_MODEL_PROFILE_PREFIX = re.compile(r"^(?:us|eu|apac|us-gov|jp|au|ca|global)\.")


def _bedrock_model(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """``modelId``: an ARN as given; a cross-region inference profile id (``us.anthropic...``) is the
    account's inference profile; any other id is a foundation model (no account in its ARN)
    (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html, modelId). The
    guardrail a call applies (``bedrock:ApplyGuardrail``, ``EXTRA_ENTRIES``): InvokeModel's
    ``guardrailIdentifier`` or Converse's ``guardrailConfig.guardrailIdentifier``, a guardrail ARN as given
    or an id in the caller's account and Region (the identifier's pattern is one or the other)."""
    if action == "bedrock:ApplyGuardrail":
        config = get_field(params, "GuardrailConfig")
        given = get_field(config, "GuardrailIdentifier") if isinstance(config, Mapping) else None
        given = given or get_field(params, "GuardrailIdentifier")
        if not isinstance(given, str) or not given:
            return None
        if _GUARDRAIL_ARN.fullmatch(given):
            return [given]
        if _GUARDRAIL_ID.fullmatch(given):
            return [f"arn:{ctx.partition}:bedrock:{ctx.region}:{ctx.account}:guardrail/{given}"]
        return None
    return _model_arn(get_field(params, "ModelId"), ctx)


_GUARDRAIL_ARN = re.compile(r"arn:aws(?:-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+")
_GUARDRAIL_ID = re.compile(r"[a-z0-9]+")


def _retrieve_and_generate(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The knowledge base a RetrieveAndGenerate retrieves from (``bedrock:Retrieve``) and the model that
    generates the answer (``bedrock:InvokeModel``): ``retrieveAndGenerateConfiguration``'s
    ``knowledgeBaseConfiguration`` (``knowledgeBaseId``, ``modelArn``) or ``externalSourcesConfiguration``
    (``modelArn``); the ``modelArn`` may be a model or profile id (the API's pattern makes the ARN part
    optional), read as ``modelId`` is."""
    config = get_field(params, "RetrieveAndGenerateConfiguration")
    if not isinstance(config, Mapping):
        return None
    sources = [
        get_field(config, "KnowledgeBaseConfiguration"),
        get_field(config, "ExternalSourcesConfiguration"),
    ]
    found: list[str] = []
    for source in (s for s in sources if isinstance(s, Mapping)):
        if action == "bedrock:InvokeModel":
            found.extend(_model_arn(get_field(source, "ModelArn"), ctx) or ())
        elif isinstance(base := get_field(source, "KnowledgeBaseId"), str) and base:
            found.append(f"arn:{ctx.partition}:bedrock:{ctx.region}:{ctx.account}:knowledge-base/{base}")
    return found or None


def _model_arn(value: Any, ctx: Context) -> list[str] | None:
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("arn:"):
        return [value]
    if _MODEL_PROFILE_PREFIX.match(value):
        return [f"arn:{ctx.partition}:bedrock:{ctx.region}:{ctx.account}:inference-profile/{value}"]
    return [f"arn:{ctx.partition}:bedrock:{ctx.region}::foundation-model/{value}"]


def _inference_profile(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The inference profile GetInferenceProfile or DeleteInferenceProfile names: "inferenceProfileIdentifier:
    The ID or Amazon Resource Name (ARN) of the inference profile" (Bedrock API Reference,
    GetInferenceProfile; DeleteInferenceProfile: "of the application inference profile to delete"). The
    API's ``InferenceProfileArn`` pattern is ``...:(inference-profile|application-inference-profile)/``
    followed by the ``InferenceProfileId`` pattern, so an id is the ARN's last part: a system-defined
    (cross-Region) profile's id starts with its geography (``us.anthropic.claude-...``, as InvokeModel's
    ``modelId`` is read) and is ``inference-profile/ID``; any other is an application inference profile's,
    ``application-inference-profile/ID`` (the reference's formats, in the caller's account and Region)."""
    value = get_field(params, "InferenceProfileIdentifier")
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("arn:"):
        return [value]
    base = f"arn:{ctx.partition}:bedrock:{ctx.region}:{ctx.account}"
    if action == "bedrock:GetInferenceProfile" and _MODEL_PROFILE_PREFIX.match(value):
        return [f"{base}:inference-profile/{value}"]
    return [f"{base}:application-inference-profile/{value}"]


# CreateProvisionedModelThroughput's ``modelId`` pattern (Bedrock API Reference; botocore's model): an ARN
# of a custom or foundation model, a foundation model's id (``provider.model`` and up to two ``:`` parts),
# or a custom model's name (no dot), whose ARN ends in an id the name does not give
_FOUNDATION_MODEL_ID = re.compile(
    r"[a-z0-9-]{1,63}\.[a-z0-9-]{1,63}(?:\.?[a-z0-9-]{1,63})(?::[a-z0-9-]{1,63}){0,2}"
)


def _provisioned_model(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The model a Provisioned Throughput is bought for: "modelId: The Amazon Resource Name (ARN) or name of
    the model to associate with this Provisioned Throughput" (Bedrock API Reference,
    CreateProvisionedModelThroughput). An ARN is itself; a foundation model's id (the API's pattern for it)
    is ``foundation-model/ID`` in the call's Region (the reference's format has no account); a custom
    model's name is left to the plan (its ARN holds an id: ``*``, said)."""
    value = get_field(params, "ModelId")
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("arn:"):
        return [value]
    if _FOUNDATION_MODEL_ID.fullmatch(value):
        return [f"arn:{ctx.partition}:bedrock:{ctx.region}::foundation-model/{value}"]
    return None


def _application_profile(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """CreateInferenceProfile: the model or profile copied, "modelSource.copyFrom: The ARN of the model or
    system-defined inference profile that is the source for the inference profile" (Bedrock API Reference),
    and the application inference profile made, whose id is generated (``application-inference-profile/*``
    in the call's account and Region). None without an ARN there."""
    source = get_field(params, "ModelSource")
    copied = get_field(source, "CopyFrom") if isinstance(source, Mapping) else None
    if not isinstance(copied, str) or not copied.startswith("arn:"):
        return None
    made = f"arn:{ctx.partition}:bedrock:{ctx.region}:{ctx.account}:application-inference-profile/*"
    return [copied, made]


def _prompt_router_models(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """CreatePromptRouter: "models: A list of foundation models that the prompt router can route requests
    to", "fallbackModel: The default model to use when the routing criteria is not met", each
    "modelArn: The target model's ARN" (a foundation model's, or an inference profile's; Bedrock API
    Reference, PromptRouterTargetModel). None without one."""
    found = [
        *(lookup_path(params, "Models[].ModelArn") or ()),
        *(lookup_path(params, "FallbackModel.ModelArn") or ()),
    ]
    arns = [v for v in found if isinstance(v, str) and v.startswith("arn:")]
    return list(dict.fromkeys(arns)) or None


_SYSTEM_PROFILE = re.compile(r"^arn:([\w-]+):bedrock:([\w-]+):\d{12}:inference-profile/([\w-]+)\.(.+\..+)$")
_APPLICATION_PROFILE = re.compile(r"^arn:([\w-]+):bedrock:[\w-]+:\d{12}:application-inference-profile/\w+$")
_REGION = re.compile(REGION_NAME)


def region_in(value: Any) -> str | None:
    """``value`` when it has a Region's shape: a Region a record gives goes into the ARNs granted, where
    anything else would name no resource (or another's)."""
    return value if isinstance(value, str) and _REGION.fullmatch(value) else None


# The Regions of each geography a geographic cross-Region inference profile routes within ("Cross-Region
# inference requests to an inference profile tied to a geography (e.g. US, EU and APAC) are kept within the
# AWS Regions that are part of the geography", Bedrock User Guide, "Geographic cross-Region inference"), as
# an ARN's Region pattern: the profile's prefix -> the Regions' names. Japan's Regions are ap-northeast-1 and
# -3, and Australia's ap-southeast-2 and -4: their patterns also hold the other Regions of those names (Seoul,
# Singapore, ...), a wider grant than the profile needs, said with the rest.
GEOGRAPHY_REGIONS: dict[str, str] = {
    "us": "us-*",
    "us-gov": "us-gov-*",
    "ca": "ca-*",
    "eu": "eu-*",
    "apac": "ap-*",
    "jp": "ap-northeast-*",
    "au": "ap-southeast-*",
}


@dataclass(frozen=True)
class Routed:
    """What ``routed_models`` adds for the inference profiles of one call, and what to say of it: the models
    granted in the Regions of their profile's geography (``geographic``), in every Region because the
    profile's prefix names no geography known here (``anywhere``), and the application profiles whose
    models are every foundation model (``unnamed``)."""

    added: list[tuple[str, str]] = field(default_factory=list)
    geographic: list[str] = field(default_factory=list)
    anywhere: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)


def routed_models(uses: list[tuple[str, str]]) -> Routed:
    """The foundation model behind each cross-Region inference profile granted (``inference-profile/us.M``
    -> ``foundation-model/M``; ``ROUTED_MODEL_KEYS``). A geographic profile is authorized on "1. The
    geography-specific cross-Region inference profile [...] 2. The foundation model in the source Region 3.
    The foundation model in all destination Regions listed in the geographic profile" (Bedrock User Guide,
    "Geographic cross-Region inference", IAM policy requirements): the destinations are the profile's, not
    the record's (``additionalEventData.inferenceRegion`` names the one that served this call, and the next
    call may go to another), so the model is granted in every Region of the profile's geography
    (``GEOGRAPHY_REGIONS``), which holds the source Region; in every Region for a prefix not known here. A
    global profile's on the model in the source Region and on the Region-less
    ``arn:aws:bedrock:::foundation-model/M`` (Bedrock User Guide, "Global cross-Region inference": removing
    any of the three resources denies the call). An application inference profile is checked on its
    foundation model too ("When you specify an inference profile in the Resource field [...], you must also
    specify the foundation model in each Region associated with it", Bedrock User Guide, "Prerequisites for
    inference profiles"), but its ARN ends in an id that names neither the model nor the Regions: every
    foundation model in every Region stands in for them (the page's own example grant)."""
    routed = Routed()
    for action, arn in uses:
        if application := _APPLICATION_PROFILE.match(arn):
            routed.added.append((action, f"arn:{application.group(1)}:bedrock:*::foundation-model/*"))
            routed.unnamed.append(arn)
            continue
        match = _SYSTEM_PROFILE.match(arn)
        if match is None:
            continue
        partition, source, geography, model = match.groups()
        if geography == "global":
            regions = [source, ""]
        elif (pattern := GEOGRAPHY_REGIONS.get(geography)) is not None:
            regions = [pattern]
            routed.geographic.append(f"foundation-model/{model} in {pattern}")
        else:
            regions = ["*"]
            routed.anywhere.append(f"foundation-model/{model}")
        routed.added.extend(
            (action, f"arn:{partition}:bedrock:{where}::foundation-model/{model}") for where in regions
        )
    return routed


# An EC2 resource id is its type's prefix, a hyphen and 8 or 17 hexadecimal digits (EC2 User Guide,
# "Resource IDs"); the prefixes of the types the tag calls take whose ARN ends in that id (placement groups
# and key pairs are left out: their ARN formats name them by name).
_EC2_ID = re.compile(r"([a-z]+(?:-[a-z]+)*)-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_EC2_ID_TYPES = {
    "i": "instance",
    "vol": "volume",
    "snap": "snapshot",
    "ami": "image",
    "sg": "security-group",
    "eni": "network-interface",
    "subnet": "subnet",
    "vpc": "vpc",
    "lt": "launch-template",
    "igw": "internet-gateway",
    "eigw": "egress-only-internet-gateway",
    "rtb": "route-table",
    "acl": "network-acl",
    "eipalloc": "elastic-ip",
    "nat": "natgateway",
    "dopt": "dhcp-options",
    "pcx": "vpc-peering-connection",
    "vpce": "vpc-endpoint",
    "vpce-svc": "vpc-endpoint-service",
    "fl": "vpc-flow-log",
    "pl": "prefix-list",
    "tgw": "transit-gateway",
    "tgw-attach": "transit-gateway-attachment",
    "tgw-rtb": "transit-gateway-route-table",
    "cgw": "customer-gateway",
    "vgw": "vpn-gateway",
    "vpn": "vpn-connection",
    "sir": "spot-instances-request",
    "h": "dedicated-host",
    "cr": "capacity-reservation",
}
_EC2_SHARED_TYPES = frozenset({"image", "snapshot"})  # their ARNs have no account (the reference's formats)


def _ec2_tagged(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """CreateTags/DeleteTags name their resources by id only (CloudTrail writes
    ``resourcesSet.items[].resourceId``), where the table expects ARNs; each id's prefix says its type.
    One id of a type not known here leaves the whole call undetermined (``*``, said): a grant missing
    that resource would refuse the call."""
    ids = [
        *(lookup_path(params, "ResourcesSet.Items[].ResourceId") or ()),
        *(lookup_path(params, "Resources[]") or ()),
    ]
    out: list[str] = []
    for resource_id in ids:
        match = _EC2_ID.fullmatch(resource_id)
        kind = _EC2_ID_TYPES.get(match.group(1)) if match else None
        if kind is None:
            return None
        out.append(_ec2_arn(ctx, kind, resource_id))
    return out or None


# Organizations names its entities by ids whose prefix says their kind, and several parameters take ids of
# more than one kind (a ParentId is a root or an OU, a TargetId a root, an OU or an account, a ResourceId
# any of those or a policy): the Organizations API Reference's patterns for each (botocore 1.44.8's model:
# TargetId ``^(r-[0-9a-z]{4,32})|(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$``, PolicyId
# ``^p-[0-9a-zA-Z_]{8,128}$``, ...). An ARN holds the id whole under an organization id no request names
# (the API Reference's Root example: ``arn:aws:organizations::111111111111:root/o-exampleorgid/
# r-examplerootid111``), where the table knew only the single-kind parameters and, for RootId, wrote the
# id after the format's own ``r-`` (``root/o-*/r-r-...``, which nothing matches). Matched without regard to
# case: the kind is the prefix's, and the User Guide's own records write ``r-exampleRootId``.
_ORGANIZATIONS_KINDS = (
    (re.compile(r"\d{12}"), "account/o-*/"),
    (re.compile(r"r-[0-9a-z]{4,32}", re.IGNORECASE), "root/o-*/"),
    (re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}", re.IGNORECASE), "ou/o-*/"),
    (re.compile(r"p-[0-9a-z]{8,32}"), "policy/o-*/*/"),
    (re.compile(r"rp-[0-9a-z_]{4,128}", re.IGNORECASE), "resourcepolicy/o-*/"),
    (re.compile(r"rt-[0-9a-z_]{8,32}", re.IGNORECASE), "transfer/o-*/*/*/"),
    (re.compile(r"h-[0-9a-z]{8,32}", re.IGNORECASE), "handshake/o-*/*/"),
)


def _kind_path(kinds: tuple[tuple[re.Pattern[str], str], ...], value: str) -> str | None:
    """The ARN path an id's own shape puts it under (the first kind whose pattern it fits), or None."""
    return next((path for kind, path in kinds if kind.fullmatch(value)), None)


# Organizations' operations -> the id parameters each takes (botocore 1.44.8's organizations model); only
# an operation's own action reads them, never an action added beside it
ORGANIZATIONS_ID_PARAMETERS: dict[str, tuple[str, ...]] = {
    **{
        name: ("AccountId",)
        for name in (
            "closeaccount",
            "deregisterdelegatedadministrator",
            "describeaccount",
            "listdelegatedservicesforaccount",
            "listeffectivepolicyvalidationerrors",
            "registerdelegatedadministrator",
            "removeaccountfromorganization",
        )
    },
    "moveaccount": ("AccountId", "SourceParentId", "DestinationParentId"),
    "listparents": ("ChildId",),
    **{
        name: ("HandshakeId",)
        for name in ("accepthandshake", "cancelhandshake", "declinehandshake", "describehandshake")
    },
    **{
        name: ("OrganizationalUnitId",)
        for name in ("deleteorganizationalunit", "describeorganizationalunit", "updateorganizationalunit")
    },
    **{
        name: ("ParentId",)
        for name in (
            "createorganizationalunit",
            "listaccountsforparent",
            "listchildren",
            "listorganizationalunitsforparent",
        )
    },
    **{
        name: ("PolicyId",)
        for name in ("deletepolicy", "describepolicy", "listtargetsforpolicy", "updatepolicy")
    },
    **{name: ("PolicyId", "TargetId") for name in ("attachpolicy", "detachpolicy")},
    **{name: ("TargetId",) for name in ("describeeffectivepolicy", "listpoliciesfortarget")},
    **{name: ("ResourceId",) for name in ("listtagsforresource", "tagresource", "untagresource")},
    **{name: ("RootId",) for name in ("disablepolicytype", "enablepolicytype")},
}


# A policy AWS manages (FullAWSAccess) has an id of capitals or underscores, or longer than an organization's
# own ``p-[0-9a-z]{10,32}``, and its ARN is under the account ``aws`` with no organization: the API
# Reference's PolicySummary Arn pattern
# ``arn:aws:organizations::aws:policy/[0-9a-z_]+/p-[0-9a-zA-Z_]{10,128}``
# ("arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess", Organizations User Guide,
# "AWS managed policies available for use with AWS Organizations"); the request does not say its type.
_AWS_MANAGED_POLICY = re.compile(r"p-[0-9a-zA-Z_]{8,128}")


def _organizations_ids(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """Each id the operation's own action names, as the ARN of the kind its prefix says (a policy AWS
    manages as the reference's ``awspolicy``, not as one of an organization, which no ARN of it fits). None
    for an id of no known kind (the table's reading, ``*`` with the finding, not a guess) and for another
    action of the call (an OU created with tags is tagged on the new OU, not on the parent the request
    names)."""
    names = ORGANIZATIONS_ID_PARAMETERS.get(action.partition(":")[2].lower())
    if names is None:
        return None
    base = f"arn:{ctx.partition}:organizations::{ctx.account}:"
    out: list[str] = []
    for name in names:
        value = get_field(params, name)
        if value is None:
            continue
        if not isinstance(value, str):
            return None
        path = _kind_path(_ORGANIZATIONS_KINDS, value)
        if path is not None:
            out.append(f"{base}{path}{value}")
        elif name == "PolicyId" and _AWS_MANAGED_POLICY.fullmatch(value):
            out.append(f"arn:{ctx.partition}:organizations::aws:policy/*/{value}")
        else:
            return None
    return out or None


# EFS's tagging calls take a file system's or an access point's id or ARN: "ResourceId: The ID specifying
# the EFS resource" with the pattern ``arn:...:(access-point/fsap|file-system/fs)-[0-9a-f]{8,40}`` or
# ``fs(ap)?-[0-9a-f]{8,40}`` (botocore 1.44.8's efs model, TagResource, UntagResource, ListTagsForResource):
# the id's prefix says which.
_EFS_KINDS = (
    (re.compile(r"fs-[0-9a-f]{8,40}"), "file-system/"),
    (re.compile(r"fsap-[0-9a-f]{8,40}"), "access-point/"),
)


def _efs_resource(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    value = get_field(params, "ResourceId")
    if not isinstance(value, str):
        return None
    if value.startswith("arn:"):
        return [value]
    path = _kind_path(_EFS_KINDS, value)
    return (
        [f"arn:{ctx.partition}:elasticfilesystem:{ctx.region}:{ctx.account}:{path}{value}"] if path else None
    )


# LayerName: "The name or Amazon Resource Name (ARN) of the layer" (Lambda API Reference, GetLayerVersion);
# the ARN is that of the layer, without a version ("arn:aws:lambda:REGION:ACCOUNT:layer:NAME"), and is how a
# layer another account publishes (Lambda Insights', a vendor's) is named.
_LAYER_ARN = re.compile(r"^arn:([^:]+):lambda:([^:]+):(\d{12}):layer:([^:]+)$")


def _lambda_layer(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """A layer version's calls name the layer by name or ARN and the version by number; the table's
    template only took a whole layer-version ARN in LayerName, so every call by name or by layer ARN (the
    documented forms) was granted on ``*``. The account is the ARN's: a layer of another account is
    authorized there, not in the caller's. PublishLayerVersion acts on the layer itself."""
    name = get_field(params, "LayerName")
    if not isinstance(name, str) or not name:
        return None
    arn = _LAYER_ARN.match(name)
    if arn:
        partition, region, account, layer = arn.groups()
    elif ":" in name or "/" in name:
        return None  # not a form the API accepts: the finding, not a guess
    else:
        partition, region, account, layer = ctx.partition, ctx.region, ctx.account, name
    base = f"arn:{partition}:lambda:{region}:{account}:layer:{layer}"
    if action.lower() == "lambda:publishlayerversion":
        return [base]
    number = get_field(params, "VersionNumber")
    if isinstance(number, bool) or not isinstance(number, int | str) or not str(number).isdigit():
        return None
    return [f"{base}:{number}"]


_LAYER = Resolver(_lambda_layer, frozenset({"LayerName", "VersionNumber"}))


def _glue_databases(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """GetDatabases lists a catalog's databases and names none: AWS refuses it naming the catalog ("not
    authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:ACCOUNT:catalog", error
    messages quoted in public repositories), and "actions on a database require permission on the database
    and catalog" (Glue Developer Guide, "Specifying AWS Glue resource ARNs"): the catalog and every database
    in it (``database/*``, said as a type granted whole), where the table's reading gave ``*``."""
    base = f"arn:{ctx.partition}:glue:{ctx.region}:{ctx.account}:"
    return [f"{base}catalog", f"{base}database/*"]


# CloudWatch Logs writes a log group's ARN two ways: "Both of the following are used. The second one, with
# the :* at the end, is what is returned by the describe-log-groups CLI command and the DescribeLogGroups API.
# arn:aws:logs:region:account-id:log-group:log_group_name / arn:aws:logs:region:account-id:log-group:
# log_group_name:* [...] Use the second version, with the trailing :*, to refer to the ARN when specifying
# permissions in IAM policies for all other API actions" (CloudWatch Logs User Guide, "Overview of managing
# access permissions to your CloudWatch Logs resources", CloudWatch Logs resources and operations). The
# reference's ``log-group`` format is the first: a grant of ``log-group:NAME`` alone does not match what IAM
# checks for DescribeLogStreams, FilterLogEvents, CreateLogGroup ("logs:DescribeLogStreams -- resource --
# log-group:<group-name>:log-stream:", vectordotdev/vector issue 714, found by trying), so each log group is
# granted in both spellings: the first for the actions that page lists for it, the second for all others. A
# log group's name holds no ``:`` ("[\.\-_/#A-Za-z0-9]+", CloudWatch Logs API Reference, CreateLogGroup).
_LOG_GROUP = re.compile(r"arn:[^:]+:logs:[^:]*:[^:]*:log-group:[^:]+")


# "The exception is when specifying permissions for TagResource, UntagResource, and ListTagsForResource. The
# permissions for those three actions require the ARN version that doesn't include a trailing :*"
# (CloudWatch Logs API Reference, LogGroup, ``arn``): they keep the log group's ARN alone.
LOG_GROUP_TAG_ACTIONS = frozenset({"logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"})


def log_group_spellings(arns: list[str]) -> list[str]:
    """Each log group's ARN beside its ``:*`` spelling (above); a log stream's and any other ARN as it is."""
    out: list[str] = []
    for arn in arns:
        out.append(arn)
        if _LOG_GROUP.fullmatch(arn):
            out.append(f"{arn}:*")
    return out


# A Glue Data Catalog call may name a catalog other than the account's default one by ``CatalogId``:
# "111122223333:s3tablescatalog/amzn-s3-demo-bucket" (or without the account), the catalog Glue makes of an
# S3 table bucket. Its objects' ARNs hold that path: "Federated S3 table bucket catalog (child catalog)
# arn:aws:glue:region:account-id:catalog/s3tablescatalog/bucket name", "Federated S3 tables database
# ...:database/s3tablescatalog/child catalog name/database name", "Federated S3 table ...:table/
# s3tablescatalog/child catalog name/database name/table name" (Glue Developer Guide, "Specifying AWS Glue
# resource ARNs", Data Catalog ARNs), and "All operations performed on a Data Catalog resource require
# permission on the resource and all the ancestors of that resource" (same page): the catalog levels
# ``catalog/s3tablescatalog`` and ``catalog/s3tablescatalog/BUCKET`` besides the root ``catalog`` (the
# Developer Guide's S3 Tables "Prerequisites" policy grants ``catalog/s3tablescatalog``,
# ``database/s3tablescatalog/*/*`` and ``table/s3tablescatalog/*/*/*``). The account's default catalog's
# ``database/DB`` and ``table/DB/T`` were granted instead, which name other resources. No page found gives
# the ARNs of another kind of nested catalog (a federated or Redshift-managed one): those are left as they
# are and said.
_GLUE_ACCOUNT_PREFIX = re.compile(r"(?:\d{12}:)?(.*)")
_GLUE_S3_TABLES = re.compile(r"s3tablescatalog(?:/[^/*?]+)?")
_GLUE_CATALOG_OBJECT = re.compile(r"(arn:[\w-]+:glue:[\w-]+:[\d*]*:)(catalog|database/|table/)(.*)")


def glue_catalog_path(catalog_id: Any) -> str | None:
    """The nested catalog a ``CatalogId`` names (``s3tablescatalog/BUCKET``), without its account; None for
    the account's default catalog (an account id, or nothing)."""
    if not isinstance(catalog_id, str) or not catalog_id:
        return None
    path = _GLUE_ACCOUNT_PREFIX.fullmatch(catalog_id)
    rest = path.group(1) if path else catalog_id
    return None if not rest or (len(rest) == 12 and rest.isdigit()) else rest


def in_nested_catalog(arns: list[str], path: str) -> tuple[list[str], bool]:
    """The ARNs of a Data Catalog call made in the S3 Tables catalog ``path``: its database and table under
    the catalog path, and each catalog level beside the root. Another path's are left as they are, and
    whether that left a database or a table of the default catalog in their place is returned with them."""
    if _GLUE_S3_TABLES.fullmatch(path) is None:
        unread = any((m := _GLUE_CATALOG_OBJECT.fullmatch(arn)) and m.group(2) != "catalog" for arn in arns)
        return arns, unread
    levels = path.split("/")
    out: list[str] = []
    for arn in arns:
        match = _GLUE_CATALOG_OBJECT.fullmatch(arn)
        if match is None:
            out.append(arn)
            continue
        base, kind, rest = match.groups()
        if kind == "catalog" and not rest:
            out.append(arn)
            out.extend(f"{base}catalog/{'/'.join(levels[: n + 1])}" for n in range(len(levels)))
        elif kind != "catalog":
            out.append(f"{base}{kind}{path}/{rest}")
        else:
            out.append(arn)
    return list(dict.fromkeys(out)), False


def _glue_catalog(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """GetCatalog of the S3 Tables catalog or of a table bucket's (``catalogId`` ``ACCOUNT:s3tablescatalog``
    or ``ACCOUNT:s3tablescatalog/BUCKET``): the root catalog, whose levels ``in_nested_catalog`` adds
    (``catalog/s3tablescatalog``, ``catalog/s3tablescatalog/BUCKET``: "Federated S3 tables catalog (All table
    buckets) [...] Federated S3 table bucket catalog (child catalog)", Glue Developer Guide, "Specifying AWS
    Glue resource ARNs"; the S3 Tables "Prerequisites" policy grants glue:GetCatalog on
    ``catalog/s3tablescatalog``). Any other catalog is left to the plan (``*``, said): no page found gives
    its ARN."""
    path = glue_catalog_path(get_field(params, "CatalogId"))
    if path is None or _GLUE_S3_TABLES.fullmatch(path) is None:
        return None
    return [f"arn:{ctx.partition}:glue:{ctx.region}:{ctx.account}:catalog"]


# AWS Glue Schema Registry: a schema is named by ``SchemaId`` ("SchemaArn", or "SchemaName" with
# "RegistryName: The name of the schema registry that contains the schema") and a registry by ``RegistryId``
# ("RegistryArn" or "RegistryName") (Glue API Reference, SchemaId and RegistryId structures, botocore
# glue/2017-03-31); a schema's ARN holds its registry's name: "arn:aws:glue:us-east-2:012345678:schema/
# registryname-1/schemaname-1", granted beside "registry/registryname-1" in the Glue Developer Guide's
# policies for serializers (schema-registry-gs.md, "IAM Examples for Serializers"), though the reference
# writes ``schema/${SchemaName}``. iam-dataset's entries read a schema only by its ARN and a registry only by
# its ARN or the schema's RegistryName: a schema by name was granted ``schema/*``, the registry of a schema
# given by ARN ``registry/*``, GetRegistry and ListSchemas of a registry by name ``*``, and CreateSchema
# ``schema/NAME``, an ARN no schema has. "If this is not provided, the default registry will be used"
# (CreateSchema's RegistryId), whose schemas are ``schema/default-registry/NAME`` (the Developer Guide's
# ``delete-schema --schema-id SchemaArn=".../schema/default-registry/TestSchema6-NON-Existent"``); its own ARN
# ends in an id Glue assigns ("registry/default-registry:random-5-letter-id"), so it stays whole, said.
_GLUE_SCHEMA_READS = frozenset({"SchemaId", "RegistryId", "SchemaName"})


def _glue_schema_registry(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The registry and schema a Schema Registry call names, by ARN or by name; a schema's registry from
    its ARN. None when it names neither (a call by ``SchemaVersionId`` alone: the table's reading)."""
    base = f"arn:{ctx.partition}:glue:{ctx.region}:{ctx.account}:"
    out: list[str] = []
    registries = _values(params, "SchemaId.RegistryName", "RegistryId.RegistryName")
    for arn in _values(params, "SchemaId.SchemaArn", "RegistryId.RegistryArn"):
        out.append(escape(arn))
        head, _, resource = arn.partition(":schema/")
        registry = resource.split("/", 1)[0] if "/" in resource else ""
        if registry:
            out.append(f"{head}:registry/{escape(registry)}")
    out.extend(f"{base}registry/{escape(name)}" for name in registries)
    named = _values(params, "SchemaId.SchemaName")
    if action.lower() == "glue:createschema":
        named = _values(params, "SchemaName")
        if not _values(params, "RegistryId.RegistryName", "RegistryId.RegistryArn"):
            registries = ["default-registry"]
        else:  # the registry given by ARN: its name
            registries += [a.rpartition(":registry/")[2] for a in _values(params, "RegistryId.RegistryArn")]
    if len(registries) == 1:
        out.extend(f"{base}schema/{escape(registries[0])}/{escape(name)}" for name in named)
    return list(dict.fromkeys(out)) or None


def _ssm_path(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """GetParametersByPath is authorized on the path, not on the parameters under it: AWS refuses it
    naming ``parameter/PATH`` as the resource ("is not authorized to perform: ssm:GetParametersByPath on
    resource: arn:aws:ssm:REGION:ACCOUNT:parameter/feature-flags"; for the path ``/``, ``parameter/``),
    and "if a user has access to a path, then the user can access all levels of that path" (SSM User
    Guide, Restricting access to Parameter Store parameters using IAM policies). The table granted
    ``parameter/PATH*``, every parameter and path whose name merely starts with it. A path given with a
    trailing slash is granted with and without it (both name that one path; which one AWS evaluates is
    not documented). AWS's public paths (``/aws/service/...``) have no account."""
    path = get_field(params, "Path")
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    account = _ssm_account(path.lstrip("/") + "/", ctx)
    base = f"arn:{ctx.partition}:ssm:{ctx.region}:{account}:parameter"
    trimmed = path.rstrip("/")
    return [base + path] if not trimmed or trimmed == path else [base + path, base + trimmed]


def _ec2_arn(ctx: Context, kind: str, resource_id: str = "*") -> str:
    account = "" if kind in _EC2_SHARED_TYPES else ctx.account
    return f"arn:{ctx.partition}:ec2:{ctx.region}:{account}:{kind}/{resource_id}"


def _ec2_launch_template(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """A launch template's calls name it by id or by name (``LaunchTemplateId`` or ``LaunchTemplateName``,
    EC2 API Reference); its ARN holds the id (``launch-template/lt-...``). By name alone: every launch
    template in the account and region, said by the finding of a type granted whole ("a launch template
    given by name, not by its id"), where the table's reading gave ``*``."""
    ids = _values(params, "LaunchTemplateId")
    if ids:
        return [_ec2_arn(ctx, "launch-template", escape(i)) for i in ids]
    return [_ec2_arn(ctx, "launch-template")] if _values(params, "LaunchTemplateName") else None


@dataclass(frozen=True)
class _ById:
    """A type whose ARN holds an id the service assigns, which requests name by name: ``kind`` is the ARN's
    resource part before the id, ``arn`` the parameter that holds its ARN (the request's, or a response's
    through ``rules.RESPONSE_DEFAULTS``), ``name`` the one that names it (a value there that is an ARN is
    read as one)."""

    kind: str
    arn: str
    name: str


def _by_id(service: str, params: Mapping[str, Any], ctx: Context, types: tuple[_ById, ...]) -> list[str]:
    """The ARNs the record gives of such types; by name alone every one of the type in the account and
    Region, said by the finding of a type granted whole (``rules.UNNAMED_TYPES``), where the table's reading
    gave ``*`` or an ARN with the name in place of the id, which matches nothing."""
    base = f"arn:{ctx.partition}:{service}:{ctx.region}:{ctx.account}:"
    out: list[str] = []
    for by_id in types:
        values = [*_values(params, by_id.arn), *_values(params, by_id.name)]
        arns = [v for v in values if v.startswith(f"arn:{ctx.partition}:{service}:")]
        if arns:
            out.extend(escape(a) for a in dict.fromkeys(arns))
        elif any(not v.startswith("arn:") for v in _values(params, by_id.name)):
            out.append(f"{base}{by_id.kind}*")
    return out


# RDS Proxy's calls name a proxy, its endpoints and its target group by name (``DBProxyName``,
# ``DBProxyEndpointName``, ``TargetGroupName``: RDS API Reference), but their ARNs hold ids the service
# assigns: ``db-proxy:${DbProxyId}``, ``db-proxy-endpoint:${DbProxyEndpointId}``,
# ``target-group:${TargetGroupId}`` (Service Authorization Reference), a proxy's being
# ``arn:aws:rds:us-east-1:123456789012:db-proxy:prx-0123a01b12345c0ab`` (DBProxyArn, API Reference's
# DescribeDBProxies example). iam-dataset's table writes ``*`` for each id.
_RDS_PROXY_TYPES = (
    _ById("db-proxy:", "DBProxyArn", "DBProxyName"),
    _ById("db-proxy-endpoint:", "DBProxyEndpointArn", "DBProxyEndpointName"),
    _ById("target-group:", "TargetGroupArn", "TargetGroupName"),
)
_RDS_PROXY_READS = frozenset(
    {p for t in _RDS_PROXY_TYPES for p in (t.arn, t.name)} | {"DBInstanceIdentifiers", "DBClusterIdentifiers"}
)


def _rds_proxy(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """A proxy, endpoint or target group (``_by_id``): the ARN the response of a call on an existing one
    gives (ModifyDBProxy, DeleteDBProxyEndpoint, ...), else by name; and the DB instances and clusters a
    target registration names (``db:NAME``, ``cluster:NAME``: those ARNs hold the identifier)."""
    if not action.startswith("rds:"):
        return None  # the call's iam:PassRole reads its role as every call's does
    base = f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account}:"
    out = _by_id("rds", params, ctx, _RDS_PROXY_TYPES)
    out.extend(f"{base}db:{escape(v)}" for v in _values(params, "DBInstanceIdentifiers"))
    out.extend(f"{base}cluster:{escape(v)}" for v in _values(params, "DBClusterIdentifiers"))
    return out or None


# RDS automated backups: "DBInstanceAutomatedBackupsArn: The Amazon Resource Name (ARN) of the automated
# backups to delete, for example,
# arn:aws:rds:us-east-1:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE" or "DbiResourceId: The
# identifier for the source DB instance" (RDS API Reference, DeleteDBInstanceAutomatedBackup;
# DeleteDBClusterAutomatedBackup's "DbClusterResourceId: The identifier for the source DB cluster"). A
# resource id (``db-...``, ``cluster-...``) is not the backup's (``ab-...``), so by it every automated backup
# of the account and Region (``_by_id``). iam-dataset reads neither, and the mapper spells the ARN's noun in
# the singular and ``Db`` where RDS writes ``DB``: ``*``.
_AUTOMATED_BACKUPS = (
    _ById("auto-backup:", "DBInstanceAutomatedBackupsArn", "DbiResourceId"),
    _ById("cluster-auto-backup:", "DbClusterResourceId", "DbClusterResourceId"),  # no ARN parameter
)


def _rds_automated_backup(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The automated backup by its ARN, or every one in the account and Region by its source's resource id;
    with the DB instance DescribeDBInstanceAutomatedBackups names beside them ("DBInstanceIdentifier:
    (Optional) The user-supplied instance identifier", RDS API Reference), which the table reads when no
    backup is named and which the call is authorized on as well (the reference's ``db`` type)."""
    backups = _by_id("rds", params, ctx, _AUTOMATED_BACKUPS)
    if backups and action == "rds:DescribeDBInstanceAutomatedBackups":
        backups.extend(
            escape(v)
            if v.startswith("arn:")
            else f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account}:db:{escape(v)}"
            for v in _values(params, "DBInstanceIdentifier")
        )
    return backups or None


# Bedrock's provisioned throughput: "provisionedModelId: The Amazon Resource Name (ARN) or name of the
# Provisioned Throughput", pattern ``(([0-9a-zA-Z][_-]?)+)|(arn:...:provisioned-model/[a-z0-9]{12})``
# (botocore bedrock/2023-04-20, Get/Update/DeleteProvisionedModelThroughput): the ARN holds a 12-character
# id the service assigns, not the name. A name was read as the id (``provisioned-model/NAME``).
_PROVISIONED_MODEL = (_ById("provisioned-model/", "ProvisionedModelId", "ProvisionedModelId"),)


def _bedrock_provisioned_model(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The Provisioned Throughput by its ARN, or every one in the account and Region by name (``_by_id``)."""
    return _by_id("bedrock", params, ctx, _PROVISIONED_MODEL) or None


# Bedrock's model calls by ``modelIdentifier`` (botocore bedrock/2023-04-20): a custom model's is "Name or
# Amazon Resource Name (ARN) of the custom model" (GetCustomModel; DeleteCustomModel's "Name of the model to
# delete"), an imported model's "Name or Amazon Resource Name (ARN) of the imported model" (GetImportedModel,
# DeleteImportedModel), but their ARNs end in an id Bedrock assigns: ``custom-model/BASE.MODEL/[a-z0-9]{12}``,
# ``imported-model/[a-z0-9]{12}`` (the patterns of the responses' ``modelArn``). By name, every one in the
# account and Region, said (``rules.UNNAMED_TYPES``). A foundation model's is "The model identifier"
# (GetFoundationModel), its id or its ARN, ``foundation-model/ID`` in the Region and no account.
_CUSTOM_MODEL = (_ById("custom-model/", "ModelIdentifier", "ModelIdentifier"),)
_IMPORTED_MODEL = (_ById("imported-model/", "ModelIdentifier", "ModelIdentifier"),)


def _bedrock_named_model(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """A custom or imported model by its ARN, or every one of its kind in the account and Region by name
    (``_by_id``); a foundation model by its ARN or id."""
    if action in ("bedrock:GetCustomModel", "bedrock:DeleteCustomModel"):
        return _by_id("bedrock", params, ctx, _CUSTOM_MODEL) or None
    if action in ("bedrock:GetImportedModel", "bedrock:DeleteImportedModel"):
        return _by_id("bedrock", params, ctx, _IMPORTED_MODEL) or None
    found = _values(params, "ModelIdentifier")
    return [
        escape(v)
        if v.startswith("arn:")
        else f"arn:{ctx.partition}:bedrock:{ctx.region}::foundation-model/{escape(v)}"
        for v in found
    ] or None


def _values(params: Mapping[str, Any], *paths: str) -> list[str]:
    """Every value at any of the paths (CloudTrail's ``xSet.Items[]`` spelling and the SDK's), in order."""
    return list(dict.fromkeys(v for path in paths for v in lookup_path(params, path) or ()))


def _named(ctx: Context, kind: str, values: list[str]) -> list[str]:
    """Exact ARNs of what the request names; ``kind/*`` when it names none (the call's default, which the
    mapper reports: ``rules.UNNAMED_TYPES``)."""
    return [_ec2_arn(ctx, kind, escape(v)) for v in values] or [_ec2_arn(ctx, kind)]


# RunInstances as CloudTrail writes it (the Query API: lists as ``xSet: {"items": [...]}``, the image and
# key pair inside ``instancesSet.items``) and as the SDK names it; CreateFleet's request object (read through
# ``rules.REQUEST_WRAPPERS``) with its per-template overrides.
_LAUNCH_READS = frozenset(
    {
        "InstancesSet",
        "ImageId",
        "KeyName",
        "LaunchTemplate",
        "LaunchTemplateConfigs",
        "SubnetId",
        "GroupSet",
        "SecurityGroupIds",
        "SecurityGroups",
        "NetworkInterfaceSet",
        "NetworkInterfaces",
        "BlockDeviceMapping",
        "BlockDeviceMappings",
        "Placement",
        "CapacityReservationSpecification",
        "InstanceMarketOptions",
    }
)
_INTERFACES = ("NetworkInterfaceSet.Items[]", "NetworkInterfaces[]")
_TEMPLATES = ("LaunchTemplate", "LaunchTemplateConfigs[].LaunchTemplateSpecification")
_OVERRIDES = "LaunchTemplateConfigs[].Overrides[]"


def _ec2_launch(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """RunInstances and CreateFleet: what the launch creates (``rules.CREATED_TYPES``) on ``TYPE/*``, what the
    request names by its ARN, and what it leaves to a default (the default subnet, the VPC's default
    security group, the launch template's AMI) on ``TYPE/*``. ``_fitting`` keeps each action's own types
    (CreateFleet has no security group or key pair of its own).

    "If you don't specify a subnet ID, we choose a default subnet from your default VPC for you"; "If you
    don't specify a security group ID, we use the default security group for the VPC"; "ImageId: ... An AMI
    ID is required to launch an instance and must be specified here or in a launch template"; "SubnetId: ...
    If you specify a network interface, you must specify any subnets as part of the network interface"
    (EC2 API Reference, RunInstances). Images have no account in their ARN ("arn:aws:ec2:region::image/
    ami-9e1670f7", EC2 User Guide, "Launch instances (RunInstances)")."""
    if action not in ("ec2:RunInstances", "ec2:CreateFleet"):
        return None  # iam:PassRole keeps the table's reading (an instance profile: the finding)
    # the instance, its volumes, the fleet: interfaces below (an existing one may be attached), a Spot
    # request only for a Spot launch
    created = CREATED_TYPES[action.lower()] - {"network-interface", "spot-instances-request"}
    out = [_ec2_arn(ctx, kind) for kind in sorted(created)]
    interfaces = [i for path in _INTERFACES for i in lookup_raw(params, path) if isinstance(i, Mapping)]
    existing = _values(params, *(f"{p}.NetworkInterfaceId" for p in _INTERFACES))
    out += [_ec2_arn(ctx, "network-interface", escape(eni)) for eni in existing]
    if len(existing) < max(len(interfaces), 1):  # an interface the launch creates (the primary one)
        out.append(_ec2_arn(ctx, "network-interface"))
    images = _values(params, "InstancesSet.Items[].ImageId", "ImageId", f"{_OVERRIDES}.ImageId")
    amis = [v for v in images if v.startswith("ami-")]  # "resolve:ssm:..." names a parameter, not an AMI
    out += _named(ctx, "image", amis if len(amis) == len(images) else [])
    out += _named(
        ctx,
        "subnet",
        _values(params, "SubnetId", f"{_OVERRIDES}.SubnetId", *(f"{p}.SubnetId" for p in _INTERFACES)),
    )
    groups = _values(
        params,
        "GroupSet.Items[].GroupId",
        "SecurityGroupIds[]",
        *(f"{p}.GroupSet.Items[].GroupId" for p in _INTERFACES),
        *(f"{p}.Groups[]" for p in _INTERFACES),
    )
    by_name = _values(params, "GroupSet.Items[].GroupName", "SecurityGroups[]")
    out += _named(ctx, "security-group", [] if by_name else groups)
    out += [
        _ec2_arn(ctx, "key-pair", escape(name))
        for name in _values(params, "InstancesSet.Items[].KeyName", "KeyName")
    ]
    template_ids = _values(params, *(f"{p}.LaunchTemplateId" for p in _TEMPLATES))
    template_names = _values(params, *(f"{p}.LaunchTemplateName" for p in _TEMPLATES))
    if template_ids or template_names:  # its ARN holds the id: one given by name is launch-template/*
        out += _named(ctx, "launch-template", [] if template_names else template_ids)
    out += [
        _ec2_arn(ctx, "snapshot", escape(snapshot))
        for snapshot in _values(
            params, "BlockDeviceMapping.Items[].Ebs.SnapshotId", "BlockDeviceMappings[].Ebs.SnapshotId"
        )
    ]
    placement = _values(params, "Placement.GroupName", f"{_OVERRIDES}.Placement.GroupName")
    if placement or _values(params, "Placement.GroupId"):
        out += _named(ctx, "placement-group", placement)
    out += [
        _ec2_arn(ctx, "capacity-reservation", escape(reservation))
        for reservation in _values(
            params, "CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId"
        )
    ]
    if any(v.lower() == "spot" for v in _values(params, "InstanceMarketOptions.MarketType")):
        out.append(_ec2_arn(ctx, "spot-instances-request"))
    return out


def _ec2_volume(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """CreateVolume: the new volume (``volume/*``, "Create a volume" in the EC2 User Guide's example
    policies) and the snapshot it is restored from ("SnapshotId: The snapshot from which to create the
    volume", EC2 API Reference). CopyVolumes: the copy, new as well ("Creates a crash-consistent,
    point-in-time copy of an existing Amazon EBS volume"), and the volume it copies ("SourceVolumeId: The ID
    of the source EBS volume to copy", EC2 API Reference, CopyVolumes); the reference's one type for it is
    ``volume``, and the EBS CSI driver's published policy grants ec2:CopyVolumes on both
    (aws-ebs-csi-driver, docs/example-iam-policy.json: ``volume/vol-*``, and ``volume/*`` with the request's
    tags)."""
    if action == "ec2:CopyVolumes":
        return [_ec2_arn(ctx, "volume"), *_named(ctx, "volume", _values(params, "SourceVolumeId"))]
    if action != "ec2:CreateVolume":
        return None
    snapshots = _values(params, "SnapshotId")
    return [_ec2_arn(ctx, "volume"), *(_ec2_arn(ctx, "snapshot", escape(s)) for s in snapshots)]


def _ec2_snapshot(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """CreateSnapshot: the new snapshot (``snapshot/*`` without an account, "Create a snapshot" in the EC2
    User Guide's example policies) and the volume it is taken of ("VolumeId: The ID of the Amazon EBS
    volume", EC2 API Reference)."""
    if action != "ec2:CreateSnapshot":
        return None
    return [_ec2_arn(ctx, "snapshot"), *_named(ctx, "volume", _values(params, "VolumeId"))]


_COPIED = {"ec2:CopyImage": ("image", "SourceImageId"), "ec2:CopySnapshot": ("snapshot", "SourceSnapshotId")}


def _ec2_copy(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """CopyImage and CopySnapshot: the source in the Region the request names for it ("SourceRegion: The
    name of the Region that contains the AMI to copy"; "... that contains the snapshot to be copied", EC2
    API Reference), and the copy in the call's Region, whose id exists only after the call. Both are
    checked: "Starting October 28, 2024, you can specify resource-level permissions for the CopyImage action
    on the source AMI. Resource-level permissions for the target AMI are available as before", "you can
    specify snapshots in the Resource element" (EC2 User Guide, "Grant permissions to copy Amazon EC2
    AMIs"); CopySnapshot "can now enforce resource-level permissions for both the destination snapshot
    getting created and the source snapshot" (AWS Storage Blog, "Enhancing resource-level permissions for
    copying Amazon EBS snapshots"). An AMI's copy copies its backing snapshots, which the request does not
    name: every snapshot of the source Region (said) and the new ones of the call's."""
    copied = _COPIED.get(action)
    if copied is None:
        return None
    kind, parameter = copied
    region = region_in(get_field(params, "SourceRegion"))
    source = replace(ctx, region=region) if region else ctx
    out = [_ec2_arn(ctx, kind), *(_ec2_arn(source, kind, escape(v)) for v in _values(params, parameter))]
    if kind == "image":
        out.extend((_ec2_arn(ctx, "snapshot"), _ec2_arn(source, "snapshot")))
    return list(dict.fromkeys(out))


_KMS_KEY_ARN = re.compile(r"arn:([^:]+):kms:([^:]+):(\d{12}):key/([^/:]+)")
_KMS_KEY_ID = re.compile(r"(?:mrk-)?[0-9a-f-]{32,36}")


def _kms_update_primary_region(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """KMS UpdatePrimaryRegion: "kms:UpdatePrimaryRegion on the current primary key (in the primary key's
    Region) ... kms:UpdatePrimaryRegion on the current replica key (in the replica key's Region)" (KMS API
    Reference, UpdatePrimaryRegion; "This permission must be effective in the replica key Region", KMS
    Developer Guide, "Controlling access to multi-Region keys"). The replica is the key of the same id in
    "PrimaryRegion: The Amazon Web Services Region of the new primary key ... There must be an existing
    replica key in this Region" ("The key ARNs of related multi-Region keys have the same partition,
    account, and key ID, but different Regions", same guide). None, for the table's reading, when the
    request names no key id or ARN or no Region."""
    if action != "kms:UpdatePrimaryRegion":
        return None
    key, region = get_field(params, "KeyId"), region_in(get_field(params, "PrimaryRegion"))
    if not isinstance(key, str) or region is None:
        return None
    if (arn := _KMS_KEY_ARN.fullmatch(key)) is not None:
        partition, home, account, key_id = arn.groups()
    elif _KMS_KEY_ID.fullmatch(key):
        partition, home, account, key_id = ctx.partition, ctx.region, ctx.account, key
    else:
        return None
    return [f"arn:{partition}:kms:{where}:{account}:key/{key_id}" for where in dict.fromkeys((home, region))]


_APPSTREAM_IMAGE_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}")


def _appstream_copy_image(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """AppStream CopyImage: iam-dataset's entry names both images, ``image/${SourceImageName}`` and
    ``image/${DestinationImageName}``, in the call's Region; but the copy is in "DestinationRegion: The
    destination region to which the image will be copied. This parameter is required, even if you are
    copying an image within the same region" ("Copies the image within the same region or to a new region
    within the same AWS account", AppStream 2.0 API Reference, CopyImage). The source stays in the call's
    Region; the destination is granted where it will be. None, for the entry, without a valid Region."""
    if action != "appstream:CopyImage":
        return None
    region = region_in(get_field(params, "DestinationRegion"))
    if region is None:
        return None
    named = [  # f-strings, never str.format of a text holding the record's values (braces in them)
        f"arn:{ctx.partition}:appstream:{where}:{ctx.account}:image/{value}"
        for parameter, where in (("SourceImageName", ctx.region), ("DestinationImageName", region))
        if isinstance(value := get_field(params, parameter), str) and _APPSTREAM_IMAGE_NAME.fullmatch(value)
    ]
    return named or None


_FSX_BACKUP_ID = re.compile(r"backup-[0-9a-f]{8,}")


def _fsx_copy_backup(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """FSx CopyBackup: the source backup in the Region the request names for it ("SourceRegion: The source
    Amazon Web Services Region of the backup ... If you don't specify a Region, SourceRegion defaults to the
    Region where the request is sent from", FSx API Reference), and the copy, made in the call's Region with
    an id it is given then, as every backup there. "The requester (IAM role or IAM user) must have access to
    the source backup and the source AWS Region", with the guide's statement granting fsx:CopyBackup on
    "arn:aws:fsx:*:111122223333:backup/*" (FSx User Guides, "Copying backups", "Permissions for cross-Region
    backup copies"): the source is said; the copy is the backup a create is authorized on (fsx:CreateBackup
    requires the ``backup`` it makes, Service Authorization Reference), said by the finding."""
    if action != "fsx:CopyBackup":
        return None
    source = [v for v in _values(params, "SourceBackupId") if _FSX_BACKUP_ID.fullmatch(v)]
    if not source:
        return None
    region = region_in(get_field(params, "SourceRegion")) or ctx.region
    home = f"arn:{ctx.partition}:fsx:"  # the rest by f-strings: the context's values may hold braces
    return [
        f"{home}{ctx.region}:{ctx.account}:backup/*",
        *(f"{home}{region}:{ctx.account}:backup/{v}" for v in source),
    ]


# The Elastic IP address calls name the address by "AllocationId: The allocation ID" or by "PublicIp: The
# Elastic IP address" (EC2 API Reference, AssociateAddress, DisassociateAddress, ReleaseAddress; PublicIp
# "Deprecated" in DisassociateAddress, still accepted), but its ARN holds the allocation id
# (``elastic-ip/${AllocationId}``, Service Authorization Reference). By IP alone the call was granted ``*``
# with no finding (no parameter of the request looked like a name), or the address left out beside the
# instance it was associated with.
_ADDRESS_CALLS = frozenset({"ec2:AssociateAddress", "ec2:DisassociateAddress", "ec2:ReleaseAddress"})
_ADDRESS_TARGETS = (("InstanceId", "instance"), ("NetworkInterfaceId", "network-interface"))


def _ec2_address_by_ip(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """An Elastic IP address given by its public IP and no allocation id: every one of the account and Region
    (``elastic-ip/*``, said: ``rules.UNNAMED_TYPES``), with the instance or network interface the request
    names; None otherwise (the table's reading)."""
    if action not in _ADDRESS_CALLS or not _values(params, "PublicIp") or _values(params, "AllocationId"):
        return None
    out = [_ec2_arn(ctx, "elastic-ip")]
    for parameter, kind in _ADDRESS_TARGETS:
        out.extend(_ec2_arn(ctx, kind, escape(v)) for v in _values(params, parameter))
    return out


def _ec2_security_group(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """CreateSecurityGroup: the new group (``security-group/*``) in the VPC the request names ("VpcId: The
    ID of the VPC. Required for a nondefault VPC.", EC2 API Reference), else the default VPC."""
    if action != "ec2:CreateSecurityGroup":
        return None
    return [_ec2_arn(ctx, "security-group"), *_named(ctx, "vpc", _values(params, "VpcId"))]


def _ec2_network_interface(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """CreateNetworkInterface (the Amazon VPC CNI plugin's call for every pod ENI): the new interface
    (``network-interface/*``), the subnet it is created in ("SubnetId: The ID of the subnet to associate with
    the network interface", required) and the security groups it names ("Groups: The IDs of the security
    groups"; CloudTrail writes ``groupSet.items[].groupId``; EC2 API Reference)."""
    if action != "ec2:CreateNetworkInterface":
        return None
    groups = _values(params, "GroupSet.Items[].GroupId", "Groups[]")
    return [
        _ec2_arn(ctx, "network-interface"),
        *_named(ctx, "subnet", _values(params, "SubnetId")),
        *(_ec2_arn(ctx, "security-group", escape(group)) for group in groups),
    ]


# The parameters ``_ec2_created`` reads ids from: the SDK's names of the calls in ``rules.EC2_CREATES`` that
# take an id (botocore's EC2 model), the Query protocol's member names CloudTrail writes for its lists
# (``SubnetId`` for ``SubnetIds``) and the ``xSet`` forms of the older calls.
_CREATE_ID_PARAMETERS = frozenset(
    {
        "VpcId",
        "SubnetId",
        "SubnetIds",
        "SubnetIdSet",
        "SecurityGroupId",
        "SecurityGroupIds",
        "RouteTableId",
        "RouteTableIds",
        "InstanceId",
        "AllocationId",
        "SecondaryAllocationId",
        "SecondaryAllocationIds",
        "TransitGatewayId",
        "CustomerGatewayId",
        "VpnGatewayId",
        "ResourceId",
        "ResourceIds",
        "ResourceIdSet",
        "PeerVpcId",
        "PeerOwnerId",
        "PeerRegion",
    }
)
_PEER = frozenset(spellings("PeerVpcId"))


def _id_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _id_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _id_strings(item)


def _ec2_created(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The calls of ``rules.EC2_CREATES``: what the call creates on ``TYPE/*`` (its id exists only after the
    call), each resource the request names by id on its ARN (the id's prefix gives the type, as for the tag
    calls), and a required type the request names nothing of on ``TYPE/*``, which the mapper reports
    (``rules.UNNAMED_TYPES``). The peer of a VPC peering connection is in the account and Region the request
    names for it ("PeerOwnerId: The Amazon Web Services account ID of the owner of the accepter VPC";
    "PeerRegion", EC2 API Reference, CreateVpcPeeringConnection). ``_fitting`` keeps the action's types."""
    created, required = EC2_CREATES.get(action.lower(), (frozenset(), ()))
    if not created:
        return None
    out = [_ec2_arn(ctx, kind) for kind in sorted(created)]
    named: set[str] = set()
    for key, value in params.items():
        place = ctx
        if key in _PEER:
            account, region = get_field(params, "PeerOwnerId"), get_field(params, "PeerRegion")
            place = replace(
                ctx,
                account=account if isinstance(account, str) and account else ctx.account,
                region=region if isinstance(region, str) and region else ctx.region,
            )
        for resource_id in _id_strings(value):
            match = _EC2_ID.fullmatch(resource_id)
            kind = _EC2_ID_TYPES.get(match.group(1)) if match else None
            if kind is not None:
                named.add(kind)
                out.append(_ec2_arn(place, kind, resource_id))
    out.extend(_ec2_arn(ctx, kind) for kind in required if kind not in named)
    return list(dict.fromkeys(out))


# The identity SES checks a send against: "Source: The email address that is sending the email. This email
# address must be either individually verified with Amazon SES, or from a domain that has been verified with
# Amazon SES"; "SourceArn: ... the ARN of the identity that is associated with the sending authorization
# policy that permits you to send for the email address specified in the Source parameter. For example, if
# the owner of example.com (which has ARN arn:aws:ses:us-east-1:123456789012:identity/example.com) attaches a
# policy to it that authorizes you to send from user@example.com, then you would specify the SourceArn to be
# arn:aws:ses:us-east-1:123456789012:identity/example.com, and the Source to be user@example.com" (SES API
# Reference, SendEmail; SES API v2 SendEmail says the same of FromEmailAddress and
# FromEmailAddressIdentityArn). CloudTrail logs these calls as data events (resources.type
# AWS::SES::EmailIdentity, AWS::SES::ConfigurationSet, AWS::SES::Template) and lists the identity in
# resources[] (SES Developer Guide, "Logging Amazon SES API calls with AWS CloudTrail", SES data events;
# https://docs.aws.amazon.com/ses/latest/dg/logging-using-cloudtrail.html), which the mapper uses first.
# Each sender address and the ARN that stands for it under sending authorization ("SourceArn: ... the ARN
# of the identity that is associated with the sending authorization policy that permits you to send for
# the email address specified in the Source parameter", SES API Reference, SendEmail; SES v2's
# FromEmailAddressIdentityArn for FromEmailAddress); and the ARNs of addresses the request does not give
# ("FromArn": the From header of a raw message, "ReturnPathArn", SES v2's
# "FeedbackForwardingEmailAddressIdentityArn"), each the identity SES authorizes that address on.
_SES_SENDER_ARNS = (("Source", "SourceArn"), ("FromEmailAddress", "FromEmailAddressIdentityArn"))
_SES_OTHER_ARNS = ("FromArn", "ReturnPathArn", "FeedbackForwardingEmailAddressIdentityArn")
_SES_IDENTITY_ARNS = (*(arn for _, arn in _SES_SENDER_ARNS), *_SES_OTHER_ARNS)
_SES_SENDERS = tuple(sender for sender, _ in _SES_SENDER_ARNS)
_SES_TEMPLATES = ("Content.Template", "DefaultContent.Template")


def _ses_sender(value: str) -> str | None:
    """The address of a sender as the API takes it (``noreply@example.com``, or with a display name,
    ``"Shop" <noreply@example.com>``, "friendly from" name MIME-encoded); None when it holds no address."""
    _, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not (local and at and domain) or any(c.isspace() for c in address):
        return None
    return address


def _ses_send(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """A send's identity, configuration set and template, as the request names them.

    The identities: for each sender, the ARN the request gives for sending authorization, exactly (it may
    be another account's), else the sender's address, both ``identity/ADDRESS`` and ``identity/DOMAIN``:
    the record cannot say which of the two is the verified identity SES checked; and the ARNs given for
    the From header and the return path. The configuration set
    (``ConfigurationSetName``) and the template (SES ``Template``/``TemplateArn``, SES v2
    ``Content.Template`` or ``DefaultContent.Template``) by name or ARN; ``_fitting`` keeps the types the
    action has (``SendRawEmail`` takes no template). A request that names no identity (``SendRawEmail``
    whose sender is only in the raw message) leaves the required identity to the finding."""
    base = f"arn:{ctx.partition}:ses:{ctx.region}:{ctx.account}:"
    out: list[str] = []
    for sender, arn in _SES_SENDER_ARNS:
        given = [v for v in lookup_path(params, arn) or () if v.startswith("arn:")]
        out += given
        for value in () if given else lookup_path(params, sender) or ():
            address = _ses_sender(value)
            if address is not None:
                domain = address.rpartition("@")[2]
                out += [f"{base}identity/{escape(address)}", f"{base}identity/{escape(domain)}"]
    out += [v for name in _SES_OTHER_ARNS for v in lookup_path(params, name) or () if v.startswith("arn:")]
    out += [f"{base}configuration-set/{escape(v)}" for v in lookup_path(params, "ConfigurationSetName") or ()]
    templates = [
        *(lookup_path(params, "Template") or ()),
        *(v for path in _SES_TEMPLATES for v in lookup_path(params, f"{path}.TemplateName") or ()),
    ]
    out += [f"{base}template/{escape(v)}" for v in templates]
    out += [
        v
        for path in ("TemplateArn", *(f"{p}.TemplateArn" for p in _SES_TEMPLATES))
        for v in lookup_path(params, path) or ()
        if v.startswith("arn:")
    ]
    return out or None


_SES_SEND = Resolver(
    _ses_send,
    frozenset(
        {
            *_SES_IDENTITY_ARNS,
            *_SES_SENDERS,
            "ConfigurationSetName",
            "Template",
            "TemplateArn",
            "Content",
            "DefaultContent",
        }
    ),
    completes_listed=True,
)

_STATEMENTS = frozenset({"Statement", "Statements", "TransactStatements", "RequestItems"})
_TRANSACTION = frozenset({"TransactItems", "RequestItems"})
_MODEL = frozenset({"ModelId", "GuardrailIdentifier", "GuardrailConfig"})


# API Gateway's tags are a resource of their own: the reference's ``tags`` type (of GET, PUT and DELETE) is
# ``arn:${Partition}:apigateway:${Region}::/tags/${UrlEncodedResourceARN}``, the path the calls use
# ("PUT /tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fm5zr3vnks7%2Fstages%2Ftest", API Gateway
# Developer Guide, "Tagging your API Gateway resources"). iam-dataset's templates put the ARN in as it is,
# which no format takes whole, so its inner ARN was read instead: UntagResource and GetTags of a REST API
# were granted apigateway:DELETE and GET on the REST API itself (DELETE there is DeleteRestApi's
# permission), TagResource ``*``.
def _apigateway_tags(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The tags resource of the API Gateway ARN a tagging call names, in the tagged resource's Region."""
    arn = get_field(params, "ResourceArn")
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "apigateway":
        return None  # no API Gateway resource: the table's reading, as before
    region = parts[3] or ctx.region
    return [f"arn:{parts[1]}:apigateway:{escape(region)}::/tags/{percent_encoded(arn)}"]


_IAM_PRINCIPAL = re.compile(r"^arn:[^:]+:iam::(\d{12}):(role|user)/(?:(.+)/)?([^/]+)$")


# EKS access entries: ``access-entry/${ClusterName}/${IamIdentityType}/${IamIdentityAccountID}/
# ${IamIdentityName}/${UUID}`` (Service Authorization Reference), named by the calls' ``clusterName`` and
# ``principalArn``, the IAM role's or user's ARN ("If the ARN is for an IAM role, it can include a path",
# EKS User Guide, "Create access entries"; "enter the fully qualified IAM role ARN like below (do not strip
# off the path like you need to do in the aws-auth ConfigMap today)", the EKS team on aws/containers-roadmap
# #185). Whether the entry's ARN then holds the path (``.../role/ACCOUNT/teams/tooling/NAME/UUID``) or the
# name alone, as ``IamIdentityName`` says, is not documented: a principal with a path was granted every entry
# of the cluster (``access-entry/CLUSTER/*/*/*/*``), said. Both are granted, each the one principal's entry
# under one reading (an entry's principal is unique in its cluster); the UUID is the service's.
def _eks_access_entry(action: str, params: Mapping[str, Any], ctx: Context) -> list[str] | None:
    """The entry of the principal ``principalArn`` names in ``clusterName``: by its name, and by its path
    and name when it has a path. None for any other principal (the curated entry's reading)."""
    cluster = get_field(params, "ClusterName")
    principal = get_field(params, "PrincipalArn")
    match = _IAM_PRINCIPAL.match(principal) if isinstance(principal, str) else None
    if not isinstance(cluster, str) or not cluster or match is None:
        return None
    account, kind, path, name = match.groups()
    base = (
        f"arn:{ctx.partition}:eks:{ctx.region}:{ctx.account}:access-entry/{escape(cluster)}/{kind}/{account}/"
    )
    names = [name] if path is None else [name, f"{path}/{name}"]
    return [f"{base}{escape(each)}/*" for each in names]


_EKS_ENTRY_KEYS = frozenset(f"eks.amazonaws.com:{name}" for name in EKS_ACCESS_ENTRY_CALLS)


def eks_entry_readings(key: str, params: Mapping[str, Any], uses: list[tuple[str, str]]) -> str | None:
    """What to say of an access-entry call ``_eks_access_entry`` granted under both readings of a principal
    with a path: one of the two ARNs names no entry, and which one no AWS page says (the Service
    Authorization Reference's ``${IamIdentityName}``, the EKS User Guide's and API Reference's examples all
    name principals without a path), so the report tells how to drop the other: the entry's
    ``accessEntryArn`` in DescribeAccessEntry's response shows which one it is. None for any other call, a
    principal without a path, or fewer than both ARNs granted. Asked on every memo miss (``uses``: the
    call's (action, ARN) grants), so any other call costs it a set lookup."""
    if key not in _EKS_ENTRY_KEYS:
        return None
    principal = get_field(params, "PrincipalArn")
    match = _IAM_PRINCIPAL.match(principal) if isinstance(principal, str) else None
    if match is None or match.group(3) is None:
        return None
    entries = [arn for _, arn in uses if ":access-entry/" in arn and not arn.endswith("/*/*/*/*")]
    if len(entries) < 2:
        return None
    return (
        f"{key}: granted on both {' and '.join(entries)}: {principal} has a path, and no AWS page says "
        "whether an access entry's ARN holds it, so one of the two names no entry; keep the one the entry's "
        "accessEntryArn (aws eks describe-access-entry) matches"
    )


# (namespace, lower-case method) or (namespace, None) -> resolver that replaces the table's templates
RESOLVERS: dict[tuple[str, str | None], Resolver] = {
    ("appstream", "copyimage"): Resolver(
        _appstream_copy_image, frozenset({"SourceImageName", "DestinationImageName", "DestinationRegion"})
    ),
    ("fsx", "copybackup"): Resolver(_fsx_copy_backup, frozenset({"SourceBackupId", "SourceRegion"})),
    ("kms", "updateprimaryregion"): Resolver(
        _kms_update_primary_region, frozenset({"KeyId", "PrimaryRegion"}), joins_listed=True
    ),
    ("account", None): Resolver(_own_account, frozenset({"AccountId", "StandardAccountId"})),
    ("secretsmanager", None): Resolver(_secret, frozenset({"SecretId", "Name", "SecretIdList"})),
    ("dynamodb", "batchgetitem"): Resolver(_dynamodb_batch, frozenset({"RequestItems"})),
    ("events", "putevents"): Resolver(_event_buses, frozenset({"Entries"})),
    ("ssm", "getparametersbypath"): Resolver(_ssm_path, frozenset({"Path"})),
    **{
        ("ssm", name): Resolver(_ssm_association, frozenset({"Entries", "Name", "InstanceId"}))
        for name in ("createassociation", "createassociationbatch", "updateassociationstatus")
    },
    **{
        ("ssm", name): Resolver(_ssm_tagged, frozenset({"ResourceType", "ResourceId"}))
        for name in ("addtagstoresource", "removetagsfromresource", "listtagsforresource")
    },
    ("ssm", "sendcommand"): Resolver(
        _ssm_command,
        frozenset({"Targets", "DocumentName", "OutputS3BucketName", "InstanceIds"}),
        partial=True,
    ),
    ("glue", "getdatabases"): Resolver(_glue_databases, frozenset({"CatalogId"})),
    ("glue", "getcatalog"): Resolver(_glue_catalog, frozenset({"CatalogId"})),
    **{
        ("eks", name.lower()): Resolver(_eks_access_entry, frozenset({"ClusterName", "PrincipalArn"}))
        for name in EKS_ACCESS_ENTRY_CALLS
    },
    **{
        ("glue", name.lower()): Resolver(_glue_schema_registry, _GLUE_SCHEMA_READS)
        for name in (
            "CreateSchema",
            "DeleteRegistry",
            "DeleteSchema",
            "DeleteSchemaVersions",
            "GetRegistry",
            "GetSchema",
            "GetSchemaByDefinition",
            "GetSchemaVersion",
            "GetSchemaVersionsDiff",
            "ListSchemaVersions",
            "ListSchemas",
            "PutSchemaVersionMetadata",
            "QuerySchemaVersionMetadata",
            "RegisterSchemaVersion",
            "RemoveSchemaVersionMetadata",
            "UpdateRegistry",
            "UpdateSchema",
        )
    },
    ("dynamodb", "batchwriteitem"): Resolver(_dynamodb_batch, frozenset({"RequestItems"})),
    ("dynamodb", "executestatement"): Resolver(_partiql, _STATEMENTS),
    ("dynamodb", "batchexecutestatement"): Resolver(_partiql, _STATEMENTS),
    ("dynamodb", "executetransaction"): Resolver(_partiql, _STATEMENTS),
    ("dynamodb", "transactwriteitems"): Resolver(_dynamodb_transaction, _TRANSACTION),
    ("dynamodb", "transactgetitems"): Resolver(_dynamodb_transaction, _TRANSACTION),
    ("ec2", "createtags"): Resolver(_ec2_tagged, frozenset({"Resources", "ResourcesSet"})),
    ("ec2", "deletetags"): Resolver(_ec2_tagged, frozenset({"Resources", "ResourcesSet"})),
    ("ec2", "runinstances"): Resolver(_ec2_launch, _LAUNCH_READS),
    ("ec2", "createfleet"): Resolver(_ec2_launch, _LAUNCH_READS),
    **{
        ("ec2", name): Resolver(_ec2_launch_template, frozenset({"LaunchTemplateId", "LaunchTemplateName"}))
        for name in (
            "createlaunchtemplateversion",
            "modifylaunchtemplate",
            "deletelaunchtemplate",
            "deletelaunchtemplateversions",
        )
    },
    **{
        ("apigateway", name): Resolver(_apigateway_tags, frozenset({"ResourceArn"}))
        for name in ("tagresource", "untagresource", "gettags")
    },
    **{
        ("bedrock", name.lower()): Resolver(_bedrock_named_model, frozenset({"ModelIdentifier"}))
        for name in (
            "GetCustomModel",
            "DeleteCustomModel",
            "GetImportedModel",
            "DeleteImportedModel",
            "GetFoundationModel",
        )
    },
    **{
        ("bedrock", name.lower()): Resolver(_bedrock_provisioned_model, frozenset({"ProvisionedModelId"}))
        for name in (
            "GetProvisionedModelThroughput",
            "UpdateProvisionedModelThroughput",
            "DeleteProvisionedModelThroughput",
        )
    },
    **{
        ("rds", name.lower()): Resolver(_rds_proxy, _RDS_PROXY_READS)
        for name in (
            "CreateDBProxyEndpoint",
            "DeleteDBProxy",
            "DeleteDBProxyEndpoint",
            "DeregisterDBProxyTargets",
            "DescribeDBProxies",
            "DescribeDBProxyEndpoints",
            "DescribeDBProxyTargetGroups",
            "DescribeDBProxyTargets",
            "ModifyDBProxy",
            "ModifyDBProxyEndpoint",
            "ModifyDBProxyTargetGroup",
            "RegisterDBProxyTargets",
        )
    },
    **{
        ("rds", name): Resolver(
            _rds_automated_backup,
            frozenset(
                {
                    "DBInstanceAutomatedBackupsArn",
                    "DbiResourceId",
                    "DbClusterResourceId",
                    "DBInstanceIdentifier",
                }
            ),
        )
        for name in (
            "deletedbinstanceautomatedbackup",
            "deletedbclusterautomatedbackup",
            "describedbinstanceautomatedbackups",
        )
    },
    ("ec2", "createvolume"): Resolver(_ec2_volume, frozenset({"SnapshotId"})),
    ("ec2", "copyvolumes"): Resolver(_ec2_volume, frozenset({"SourceVolumeId"})),
    ("ec2", "createsnapshot"): Resolver(_ec2_snapshot, frozenset({"VolumeId"})),
    ("ec2", "createsecuritygroup"): Resolver(_ec2_security_group, frozenset({"VpcId"})),
    **{
        ("ec2", action.split(":", 1)[1].lower()): Resolver(
            _ec2_address_by_ip,
            frozenset({"PublicIp", "AllocationId", "InstanceId", "NetworkInterfaceId"}),
            partial=True,
        )
        for action in _ADDRESS_CALLS
    },
    **{
        ("ec2", action.split(":", 1)[1].lower()): Resolver(
            _ec2_copy, frozenset({"SourceRegion", "SourceImageId", "SourceSnapshotId"})
        )
        for action in _COPIED
    },
    **{
        ("ec2", action.split(":", 1)[1]): Resolver(_ec2_created, _CREATE_ID_PARAMETERS)
        for action in EC2_CREATES
    },
    ("ec2", "createnetworkinterface"): Resolver(
        _ec2_network_interface, frozenset({"SubnetId", "GroupSet", "Groups"})
    ),
    **{
        ("organizations", name): Resolver(_organizations_ids, frozenset(names))
        for name, names in ORGANIZATIONS_ID_PARAMETERS.items()
    },
    **{
        ("elasticfilesystem", name): Resolver(_efs_resource, frozenset({"ResourceId"}))
        for name in ("tagresource", "untagresource", "listtagsforresource")
    },
    ("bedrock", "invokemodel"): Resolver(_bedrock_model, _MODEL),
    ("bedrock", "invokemodelwithresponsestream"): Resolver(_bedrock_model, _MODEL),
    ("bedrock", "converse"): Resolver(_bedrock_model, _MODEL),
    ("bedrock", "conversestream"): Resolver(_bedrock_model, _MODEL),
    ("bedrock", "startasyncinvoke"): Resolver(_bedrock_model, _MODEL),
    # "modelId: The unique identifier or ARN of the foundation model to use for token counting" (Bedrock
    # Runtime API Reference, CountTokens: POST /model/{modelId}/count-tokens): read as InvokeModel's
    ("bedrock", "counttokens"): Resolver(_bedrock_model, _MODEL),
    ("bedrock", "createinferenceprofile"): Resolver(_application_profile, frozenset({"ModelSource"})),
    ("bedrock", "createpromptrouter"): Resolver(
        _prompt_router_models, frozenset({"Models", "FallbackModel"})
    ),
    ("bedrock", "createprovisionedmodelthroughput"): Resolver(
        _provisioned_model, frozenset({"ModelId"}), partial=True
    ),
    **{
        ("bedrock", name): Resolver(_inference_profile, frozenset({"InferenceProfileIdentifier"}))
        for name in ("getinferenceprofile", "deleteinferenceprofile")
    },
    **{
        ("bedrock", name): Resolver(_retrieve_and_generate, frozenset({"RetrieveAndGenerateConfiguration"}))
        for name in ("retrieveandgenerate", "retrieveandgeneratestream")
    },
    **{
        ("ses", name): _SES_SEND
        for name in (
            "sendemail",
            "sendrawemail",
            "sendtemplatedemail",
            "sendbulktemplatedemail",
            "sendbulkemail",
        )
    },
    **{
        ("lambda", name): _LAYER
        for name in (
            "getlayerversion",
            "getlayerversionpolicy",
            "deletelayerversion",
            "addlayerversionpermission",
            "removelayerversionpermission",
            "publishlayerversion",
        )
    },
}
