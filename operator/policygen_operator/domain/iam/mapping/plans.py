"""Compilation, once per (eventSource, eventName): which actions the call needs, under which conditions,
and how each action's resources are filled from a record.

Every compiled piece knows the request parameters it reads: template references (``${Bucket}``,
``${RequestItems}``), condition operands, and what normalisers and resolvers declare. A plan's
``param_keys`` is their union in every CloudTrail spelling, and the mapper's memo is keyed on exactly
those parameters, so two records that differ in anything the plan reads never share a result.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from policygen_operator.domain.iam.mapping.records import (
    Context,
    Kind,
    MappedEvent,
    arn_account,
    denied_resource,
    encoded_arn,
    listed_resources,
    parameters,
    refused_entity,
    response_defaults,
    session_role,
)
from policygen_operator.domain.iam.mapping.resolvers import (
    CREATING_NORMALISERS,
    NORMALISERS,
    PLAIN_ONLY,
    RESOLVERS,
    Normaliser,
    Resolver,
    spelled,
)
from policygen_operator.domain.iam.mapping.rules import (
    ACCOUNT_PARAMETERS,
    ALTERNATIVE_TYPES,
    CHECKED_TYPES,
    CURATED_ENTRIES,
    DOCUMENTED_PASS_ROLE,
    DROPPED_ENTRIES,
    EVENT_NAME_ALIASES,
    EVENT_SOURCE_NAMESPACES,
    EXTRA_ENTRIES,
    IGNORED_EVENT_SOURCES,
    MADE_IN_REGION,
    MADE_TYPES,
    OWN_ACTION_NAMESPACES,
    OWNER_ACCOUNTS,
    PARAMETER_DEFAULTS,
    PARAMETER_OF,
    QUALIFIED_NAMES,
    REQUEST_WRAPPERS,
    RESOURCE_WIDE,
    RESPONSE_DEFAULTS,
    SERVICE_PARAMETER_OF,
    SSM_NODE_IDS,
    TAG_ON_CREATE,
    TAG_PARAMETERS,
    URI_LABELS,
    VERSION_SUFFIX,
)
from policygen_operator.domain.iam.reference import (
    CAMEL_WORD,
    CONTEXT_VARIABLES,
    PLAIN_PARAMETER,
    Reference,
    ResourceType,
    squashed,
)
from policygen_operator.domain.iam.templates import (
    PATH_ALIASES,
    Compiled,
    compile_condition,
    compile_template,
    get_field,
    json_or_text,
    spellings,
)

_SINGLE_REF = re.compile(r"\$\{([^}]+)\}")
_CONTEXT = ("Partition", "Region", "Account")
Condition = Callable[[Mapping[str, Any]], bool]


def template_reads(template: str) -> frozenset[str]:
    """The top-level request parameters a template reads (``A`` of ``${A.B[].C}``), with the EC2 set
    spelling of lists it may fall back to."""
    out: set[str] = set()
    for ref in _SINGLE_REF.findall(template):
        if ref in _CONTEXT:
            continue
        out.add(_top(ref))
        alias = PATH_ALIASES.get(ref)
        if alias:
            out.add(_top(alias))
    return frozenset(out)


def condition_reads(condition: Mapping[str, Any] | None) -> frozenset[str]:
    """The top-level request parameters an iam-dataset condition (with its ``andCondition`` chain) reads."""
    out: set[str] = set()
    while condition:
        lhs = condition.get("lhs")
        if isinstance(lhs, str) and lhs:
            out.add(_top(lhs))
            alias = PATH_ALIASES.get(lhs)
            if alias:
                out.add(_top(alias))
        condition = condition.get("andCondition")
    return frozenset(out)


def _top(path: str) -> str:
    return path.split(".", 1)[0].removesuffix("[]")


_NAME_SUFFIXES = ("Name", "Id")
# A list may be spelled with ``List`` after the singular: "logGroupArnList: An array containing the ARN of
# the log group that this anomaly detector will watch" (CloudWatch Logs CreateLogAnomalyDetector), SageMaker
# BatchDescribeModelPackage's "ModelPackageArnList", Storage Gateway DescribeNFSFileShares'
# "FileShareARNList", Redshift BatchModifyClusterSnapshots' "SnapshotIdentifierList: A list of snapshot
# identifiers you want to modify", Secrets Manager BatchGetSecretValue's "SecretIdList: The ARN or names of
# the secrets to retrieve", CloudTrail DescribeTrails' "trailNameList" (their API References)
_IDENTIFIER_SUFFIXES = ("Identifier", "Identifiers", "IdentifierList")  # a name, an id or an ARN
# These hold an ARN; the other identifiers a name or an ARN
ARN_SUFFIXES = ("Arn", "ARN", "Arns", "ARNs", "ArnList", "ARNList")


# ECS names every resource by a bare noun that holds its name or id or its ARN ("task: The task ID or full
# Amazon Resource Name (ARN) of the task", "cluster: The short name or full ARN of the cluster", ECS API
# Reference); elsewhere a bare noun beside an ``...Id`` variable may hold a name the ARN does not use
# (AppConfig's ``Application``: "the application name or the application ID").
_BARE_IDS = frozenset({"ecs"})


def identifier_parameters(
    prefix: str,
    types: tuple[ResourceType, ...],
    action: str = "",
    nouns: Callable[[str], tuple[tuple[str, ...], ...]] = lambda key: (),
) -> tuple[tuple[str, str], ...]:
    """For each variable that names a resource (``StreamName``, ``LogGroupName``, ``ServiceId``), the
    parameters AWS APIs name it by instead: ``StreamARN``, ``LogGroupIdentifier(s)``, the plural
    ``LogGroupNames``, the bare noun (``Bucket`` for ``BucketName``; ECS's ``cluster``, ``service``,
    ``tasks``). The AWS API naming convention: ``...Arn`` holds the ARN, ``...Identifier`` and the bare
    noun the name (or id) or the ARN. Newer SDKs and API versions send these (Kinesis ``StreamARN`` since
    2022, CloudWatch Logs ``logGroupIdentifier``), and the SDK table only knows the names. Used only for a
    variable the table's templates left unfilled. A noun two variables share (``gateway/${GatewayName}/
    ${GatewayId}``) is read by ARN only: one value cannot be both. ``nouns`` gives the words of a type's
    key as action names spell it (``Reference.type_nouns``)."""
    variables = sorted({v for t in types for v in t.variables})
    stems = {v: next((v[: -len(s)] for s in _NAME_SUFFIXES if v.endswith(s)), "") for v in variables}
    shared = {stem for stem, count in Counter(stems.values()).items() if count > 1}
    out: dict[tuple[str, str], None] = {}
    if types and not variables:
        # types whose formats hold no variable (DMS's ``rep:*``, ``task:*``) are named by ARN all the same:
        # "ResourceArnList: List of ARNs that identify multiple DMS resources that you want to list tags
        # for" (DMS API Reference, ListTagsForResource)
        out.update(
            ((noun + suffix, ""), None)
            for noun in ("Resource", "Source", "EventSource")
            for suffix in ARN_SUFFIXES
        )
    for variable, stem in stems.items():
        # "ResourceArn: The ARN of the resource ..." of tagging and resource-policy calls names any type, and
        # so does a call's "SourceArn" (RDS StartExportTask: "The Amazon Resource Name (ARN) of the snapshot
        # or cluster to export") or "EventSourceArn" (EventBridge CreateArchive: "The ARN of the event bus
        # that sends events to the archive"; StartReplay's archive): an ARN of one of the action's own types
        # is kept, any other is not
        out.update(
            ((noun + suffix, variable), None)
            for noun in ("Resource", "Source", "EventSource")
            for suffix in ARN_SUFFIXES
        )
        if not stem:
            continue
        out.update(((stem + suffix, variable), None) for suffix in ARN_SUFFIXES)
        # the two ends of a copy or transfer name one type each by ARN (DataSync CreateTask:
        # "SourceLocationArn", "DestinationLocationArn"); read by ARN only, and kept only when the value
        # is an ARN of the type
        out.update(
            ((end + stem + suffix, variable), None)
            for end in ("Source", "Destination", "Target")
            for suffix in ARN_SUFFIXES
        )
        if stem in shared:
            continue
        out.update(((stem + suffix, variable), None) for suffix in _IDENTIFIER_SUFFIXES)
        out[(variable + "s", variable)] = None
        out[(variable + "List", variable)] = None
        if variable.endswith("Name") or prefix in _BARE_IDS:
            out[(stem, variable)] = None
            out[(stem + "s", variable)] = None
    # A type is also named by parameters named after the type, whatever its format's variables are called
    # (``plan/${ResourceId}``): its ARN by the bare ``arn`` ("arn: The Amazon Resource Name (ARN) of the
    # plan", ARC Region switch GetPlan) and by ``<Noun>Arn`` for the type's noun and each shorter ending of
    # it (``planArn``; ``ReplicationTaskArn``; ``snapshotArn`` of a ``cluster-snapshot``): as for every
    # ``...Arn`` above, only a value with the type's shape is kept (a format without variables, Security
    # Hub's ``hub/default``, pairs them with no variable: ``""``). So is an ``Identifier`` of the same
    # nouns ("Identifier: The ARN of the link", CloudWatch OAM GetLink), paired with no variable: it may
    # hold the name where the format holds the id, so only an ARN of it is read
    for resource_type in types:
        paired = min(resource_type.own_variables or resource_type.variables or {""})
        endings = {"".join(words[i:]): None for words in nouns(resource_type.key) for i in range(len(words))}
        out.update(((noun + suffix, paired), None) for noun in ("", *endings) for suffix in ARN_SUFFIXES)
        out.update(((noun + suffix, ""), None) for noun in ("", *endings) for suffix in _IDENTIFIER_SUFFIXES)
        # and the bare noun, which may hold "The ARN (or ID suffix of the ARN) of the event data store"
        # (CloudTrail GetEventDataStore's EventDataStore): only an ARN of it, here too
        out.update(((noun + plural, ""), None) for noun in endings for plural in ("", "s"))
        # a variable named after the end of its type's noun is named by the whole noun too: AWS Config's
        # ``configuration-recorder/${RecorderName}/${RecorderId}`` by "ConfigurationRecorderName: The name of
        # the configuration recorder" (Config API Reference, StopConfigurationRecorder) and the plural
        # "ConfigurationRecorderNames" (DescribeConfigurationRecorders)
        for words in nouns(resource_type.key):
            whole = "".join(words)
            for variable in resource_type.variables:
                stem = stems.get(variable, "")
                if stem and stem != whole and any("".join(words[i:]) == stem for i in range(1, len(words))):
                    suffix = variable[len(stem) :]
                    out.update(((whole + suffix + plural, variable), None) for plural in ("", "s"))
    # An operation on a resource of the type its own name names takes the resource's name or id as bare
    # "Name" or "Id" (Glue: "DeleteCrawler ... Name: The name of the crawler to remove", StartTrigger,
    # CreateWorkflow; SNS CreateTopic): the type's own variable. Only then: Athena's CreateNotebook takes
    # the notebook's Name beside the workgroup it acts on.
    operation = squashed(action.partition(":")[2])
    for resource_type in types:
        own = sorted(resource_type.own_variables)
        if operation and len(own) == 1 and squashed(resource_type.key) in operation:
            for bare in ("Name", "Id"):
                if own[0].endswith(bare):
                    out[(bare, own[0])] = None
    # An API may call a resource by a longer noun than the reference's type, ending in it: AgentCore's
    # InvokeAgentRuntime and GetAgentRuntime act on a ``runtime/${RuntimeId}`` and take "agentRuntimeArn",
    # "agentRuntimeId". The operation's own noun (its name after the verb) names the type it ends in: by ARN
    # (kept only with the type's shape, as above) and, for the type's one own variable, by Id or Name.
    noun = CAMEL_WORD.findall(action.partition(":")[2])[1:]
    for resource_type in types:
        own = sorted(resource_type.own_variables)
        for words in nouns(resource_type.key):
            if len(noun) <= len(words) or [w.lower() for w in noun[-len(words) :]] != [
                w.lower() for w in words
            ]:
                continue
            longer = "".join(noun)
            out.update(((longer + suffix, min(own or {""})), None) for suffix in ARN_SUFFIXES)
            if len(own) == 1:
                out.update(
                    ((longer + bare, own[0]), None) for bare in ("Name", "Id") if own[0].endswith(bare)
                )
    return tuple(out)


# The variables the Service Authorization Reference names a resource's own id or name by when it gives no
# type-specific name (``plan/${ResourceId}``, ``access-source/${Id}``, ``appmonitor/${Name}``)
_GENERIC_VARIABLES = frozenset({"ResourceId", "Id", "ResourceName", "Name"})


def typed_name_parameters(
    types: tuple[ResourceType, ...],
    nouns: Callable[[str], tuple[tuple[str, ...], ...]],
    kinds: Mapping[str, str] | None = None,
    action: str = "",
) -> tuple[tuple[str, ResourceType], ...]:
    """Parameters that give the id or name of a type by its noun, whatever the format's own variable is
    called (``opsitem/${ResourceId}``, ``device/${GlobalNetworkId}/${ResourceId}``,
    ``agent-space/${AgentId}``): the type's noun with ``Id`` or ``Name`` as the variable is one or the
    other (``OpsItemId``, ``DeviceId``, ``AgentSpaceId``, ``AppMonitorName``), or their plurals; used
    for a variable the table's own entries left unfilled, before a generic variable's same-name parameter
    (HealthOmics GetRunTask's ``id`` is the run's, ``taskId`` the task's). Per type, not per variable:
    other types of the action may use the same generic name for their own resources (Network Firewall's
    ``firewall-policy/${Name}`` beside ``stateful-rulegroup/${Name}``). An ``Identifier`` may hold the
    name where the ARN holds the id, so it is read here only where the namespace's API reference says
    which it holds (``kinds``, ``Reference.identifier_kinds``) and that is the variable's kind: Neptune
    Analytics' ``graphIdentifier`` ("The unique identifier of the Neptune Analytics graph") for
    ``graph/${ResourceId}``, never Bedrock's ``modelIdentifier`` ("Name of the model") for
    ``custom-model/${ResourceId}``; so does the bare noun (CloudTrail's ``EventDataStore``: "The ARN (or
    the ID suffix of the ARN) of the event data store"); a bare ``Identifier`` only for the type the
    operation is named after."""
    out: dict[tuple[str, ResourceType], None] = {}
    kinds = kinds or {}
    operation = squashed(action.partition(":")[2])
    # a documented identifier by the noun or a shorter ending of it (DeleteTelemetryRule's
    # ``RuleIdentifier`` of a ``telemetry-rule``), an ending only one of the action's types has
    type_endings = {  # only for a namespace whose API reference documents its identifiers
        t.key: {"".join(words[i:]) for words in nouns(t.key) for i in range(len(words))}
        for t in (types if kinds else ())
    }
    shared = {e for e, n in Counter(e for found in type_endings.values() for e in found).items() if n > 1}
    for resource_type in types:
        own = own_variable(resource_type)
        kind = next((k for k, endings in _KINDS if own and own.endswith(endings)), None)
        if own is None or kind is None:
            continue
        for words in nouns(resource_type.key):
            named = "".join(words) + kind
            if named != own:  # read by its own name already (``FunctionName``)
                out.update(((named + plural, resource_type), None) for plural in ("", "s"))
        for ending in sorted(type_endings.get(resource_type.key, set()) - shared):
            for documented in (ending + "Identifier", ending):  # and the bare noun (EventDataStore)
                if kinds.get(documented.lower()) == kind and documented != own:
                    out[(documented, resource_type)] = None
        if kinds.get("identifier") == kind and operation and squashed(resource_type.key) in operation:
            out[("Identifier", resource_type)] = None
        if len(types) == 1 and operation and squashed(resource_type.key) in operation:
            # the one type a call is named after, by the last words of its noun with the own variable's
            # kind: EC2's CancelDeclarativePoliciesReport takes "ReportId: The ID of the report"
            # (``declarative-policies-report/${DeclarativePoliciesReportId}``),
            # DeleteVpcBlockPublicAccessExclusion "ExclusionId: The ID of the exclusion" (EC2 API
            # Reference), SageMaker's DescribeMlflowTrackingServer "TrackingServerName"
            for words in nouns(resource_type.key):
                for start in range(1, len(words)):
                    out.setdefault(("".join(words[start:]) + kind, resource_type), None)
    return tuple(out)


# A variable's kind by its ending: the request names the resource by the noun's ``Id`` or ``Name``
_KINDS = (("Id", ("Id", "Identifier")), ("Name", ("Name",)))


def own_variable(resource_type: ResourceType) -> str | None:
    """The variable naming the resource itself, for a type of one ARN format whose own is one variable."""
    if len(resource_type.formats) > 1 or len(resource_type.own_variables) != 1:
        return None
    (own,) = resource_type.own_variables
    return own


def creates_required(types: tuple[ResourceType, ...], action: str) -> bool:
    """Whether the action is ``Create<Noun>`` or ``Import<Noun>`` of each type it requires
    (``backup:CreateBackupPlan`` of ``backup-plan``, both marked ``made`` by ``_resource_types``): the
    resources it is authorized on are the ones it creates, in the call's account and region, whose ids it
    is not given (``fill.action_arns`` grants ``TYPE/*`` there, said)."""
    required = [t for t in types if t.required]
    new = action.partition(":")[2].startswith(_MAKING_NEW)
    return new and bool(required) and all(t.made for t in required)


def generic_own_variable(resource_type: ResourceType) -> str | None:
    """The type's own variable when it is generic (``ResourceId``), for a type of one ARN format."""
    own = own_variable(resource_type)
    return own if own in _GENERIC_VARIABLES else None


def _scoped(
    var_maps: tuple[VarMap, ...],
    types: tuple[ResourceType, ...],
    nouns: Callable[[str], tuple[tuple[str, ...], ...]],
    action: str,
) -> tuple[VarMap, ...]:
    """The SDK table fills a generic variable for the whole action, though several of its types use that
    name for their own resources: DeleteDevice's ``ResourceId`` from ``GlobalNetworkId`` is right for
    ``global-network/${ResourceId}``, and built ``device/GN/GN`` beside it (the device's own id is the
    ``DeviceId``); CreateFirewallPolicy's ``Name`` named a rule group after the policy. A template reading
    one parameter named after some of the types (``GlobalNetworkId``, ``FirewallPolicyName``; a bare
    ``Name`` or ``Id``: the type the operation is named after) fills only those, and the types whose noun
    ends in the same word (kinds of one thing: ``resolver-rule`` and ``autodefined-rule``)."""
    operation = squashed(action.partition(":")[2])
    out: list[VarMap] = []
    for var in var_maps:
        using = [t for t in types if var.name in t.variables]
        if var.name not in _GENERIC_VARIABLES or len(var.refs) != 1 or var.normaliser or len(using) < 2:
            out.append(var)
            continue
        parameter = var.refs[0].rsplit(".", 1)[-1].removesuffix("[]")
        noun = _NOUN_SUFFIX.sub("", parameter)
        if noun:
            # the types the noun names, and kinds of the same thing (a Resolver rule's id may be an
            # ``autodefined-rule``'s: "rslvr-autodefined-rr-...")
            last = CAMEL_WORD.findall(noun)[-1].lower()
            named = {
                t.key
                for t in using
                for words in nouns(t.key)
                if any("".join(words[i:]) == noun for i in range(len(words))) or words[-1].lower() == last
            }
        else:
            named = {t.key for t in using if operation and squashed(t.key) in operation}
        out.append(replace(var, types=frozenset(named)) if named and len(named) < len(using) else var)
    return tuple(out)


_NOUN_SUFFIX = re.compile(r"(Identifier|Id|Name|Arn|ARN)s?$")


@dataclass(frozen=True, slots=True)
class VarMap:
    """How one ARN-format variable is filled: a template, or a normaliser of the one parameter it names."""

    name: str
    template: Compiled
    refs: tuple[str, ...]
    normaliser: Normaliser | None
    condition: Condition | None
    reads: frozenset[str]
    # the keys of the types its values are for (None: every type with the variable): a generic variable
    # filled from a parameter named after one of the types that share it (``_scoped``)
    types: frozenset[str] | None = None
    # filled from the parameter of the variable's own name because the SDK table says nothing of it: a
    # parameter named after the type (``ActionPlan.typed_names``) is the better reading of a generic one
    default: bool = False


@dataclass(frozen=True, slots=True)
class ActionPlan:
    action: str
    types: tuple[ResourceType, ...]
    primary: bool  # the call's own action; others are extras needed only when their parameters are given
    condition: Condition | None
    override: Compiled | None
    override_refs: bool
    arn_maps: tuple[tuple[ResourceType, Compiled], ...]
    var_maps: tuple[VarMap, ...]
    resolver: Resolver | None
    reads: frozenset[str]  # top-level request parameters (SDK spelling) anything above reads
    # the parameters the table's own templates name (override, ARN and resource mappings), not the
    # variables filled by name: what tells one SDK service's reading of a method from another's
    named: frozenset[str] = frozenset()
    narrowable: bool = False  # parameters may name something narrower than resources[] does
    # (parameter, variable): parameters that name the resource by ARN or by "identifier" (its name or its
    # ARN) where the format's variable is a name or id (``StreamARN`` for ``${StreamName}``)
    identifiers: tuple[tuple[str, str], ...] = ()
    # (parameter, type): the id or name of one type whose own variable is generic (``OpsItemId``)
    typed_names: tuple[tuple[str, ResourceType], ...] = ()
    # (parameter, type key, variable): how the namespace's other methods name a variable the call's own
    # entry leaves unfilled (``Reference.table_parameters``)
    borrowed: tuple[tuple[str, str, str], ...] = ()
    # the call creates every type the action requires (``creates_required``)
    creates: bool = False
    # the parameter naming the account the resources live in (``ACCOUNT_PARAMETERS``), if the service has one
    account_parameter: str | None = None
    # (parameter, variable, value): what the API assumes when the request has no such parameter
    # (``PARAMETER_DEFAULTS``)
    defaults: tuple[tuple[str, str, str], ...] = ()
    # (variable, ARN format): the namespace's types a variable is the own one of, where the action has none
    # of them: an identifier's ARN of such a type names the variable (``Reference.owner_formats``)
    parents: tuple[tuple[str, str], ...] = ()
    # (parameter, variable, ARN format): a child's ARN parameter and the format its parent's own variable is
    # read from, for a type the action requires whose children it is not authorized on (``_children``)
    children: tuple[tuple[str, str, str], ...] = ()
    # the account the namespace writes its ARNs under when not the caller's (``OWNER_ACCOUNTS``)
    owner_account: str | None = None

    # the action takes an EC2 instance or an SSM managed node (``either_node``)
    either_node: bool = False

    @property
    def has_templates(self) -> bool:
        return bool(self.override or self.arn_maps or self.var_maps or self.resolver)


@dataclass(frozen=True, slots=True)
class Variant:
    """One SDK service's reading of a method name shared with another (API Gateway v1 ``GetStage`` with
    ``restApiId`` beside v2's with ``apiId``). ``needs``: per parameter its primary action reads, the
    spellings CloudTrail may use; a record with all of them is a call of this variant."""

    needs: tuple[tuple[str, ...], ...]
    actions: tuple[ActionPlan, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    kind: Kind
    key: str
    actions: tuple[ActionPlan, ...]
    allowed: MappedEvent  # prebuilt results: ignored/unmapped events, and mapped ones without resources
    refused: MappedEvent
    param_keys: frozenset[str] = frozenset()  # top-level parameters (as CloudTrail spells them) it reads
    variants: tuple[Variant, ...] = ()  # the primary first; empty when the method has one reading
    # whether the calling IAM user's own ARN can be the resource (``fill.action_arns``' self-service
    # fallback, and a user or role named by its own name: ``resolvers._iam_name_with_path``): only then is
    # the caller part of the memo key, so other calls share one entry per parameter set instead of one per
    # user
    reads_caller: bool = False
    # tagging actions AWS also authorizes when the call carries tags (``tag_on_create``)
    tag_actions: tuple[str, ...] = ()
    # the reference lists iam:PassRole among its dependent actions: where no entry granted it, the mapper
    # grants it on the roles the request passes (``passed_roles``)
    passes_role: bool = False
    # hands its service a role where no source says iam:PassRole is checked: said with the roles, not
    # granted (``Reference.pass_role_unproven``)
    unproven_pass_role: bool = False
    # role-named parameters of the call's namespace whose names are no IAM role's: "other" (another kind
    # of role) or "instance profile" (``Reference.not_role_parameters``)
    not_roles: Mapping[str, str] = field(default_factory=dict)
    # the actions a call needs depend on its parameters (extras, variants, tags): the action-level mode
    # cannot use the prebuilt results either
    conditional: bool = False
    # the object CloudTrail writes the request parameters in (``rules.REQUEST_WRAPPERS``), read in its place
    wrapper: str | None = None
    # whether a parameter no template reads can change the result (``names_decide``): only then are their
    # names in the memo key
    reads_names: bool = False
    # (SDK member, URI label): a member the plan reads that the record may give under its path label
    # (``rules.URI_LABELS``)
    labels: tuple[tuple[str, str], ...] = ()
    # a batch call the operation table authorizes by its single call's action (Deadline's BatchGetSession
    # by deadline:GetSession): each object of its one list of objects is resolved as a call of that action
    # (``EventMapper._resolve_items``); its memo key would not hold the items, so it is resolved every time
    batch_items: bool = False


TAG_KEYS = spelled(frozenset(TAG_PARAMETERS))
PASS_ROLE = "iam:PassRole"


def carries_tags(params: Mapping[str, Any]) -> bool:
    """Whether the request gives tags for what it creates (an empty list or object gives none)."""
    return any(params.get(k) not in (None, "", [], {}) for k in TAG_KEYS)


# An IAM role's ARN, as a request passes one to a service.
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$")
ROLE_PARAMETER_ENDINGS = ("role", "rolearn", "rolearns", "roles")  # a parameter name's lower-case ending
# a role the request hands over unnamed: by a name that may be another kind of role's (an Amazon MQ LDAP
# ``RoleName``, a SageMaker partner app's in-app ``RoleName``), or in an instance profile
_UNNAMED_KEYS = ("rolename", "instanceprofile")
_NAMED_KEYS = ("role", "roles")  # endings of the parameters a role is also given by name in
# a role's name: "Use alphanumeric and '+=,.@-_' characters. Maximum 64 characters." (IAM API Reference,
# CreateRole, RoleName)
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_MAX_DEPTH = 8
# A document the request gives as JSON text may name the role (Logs PutAccountPolicy's policyDocument:
# "RoleArn The ARN of an IAM role that grants CloudWatch Logs permissions to deliver ingested log events to
# the destination stream"; "you must also have the iam:PassRole permission"): read up to this size. Other
# JSON text (a CloudFormation template body) names roles the service passes, not the caller.
_DOCUMENT_KEY = "document"
_MAX_DOCUMENT = 64 * 1024


class PassedRoles(NamedTuple):
    """The roles a request hands the service: by ARN, by name (a role of the account the call is made in:
    EMR's ``ServiceRole`` "EMR_DefaultRole"), and whether it hands one it names neither way (an instance
    profile, a role-named value that is no role's name)."""

    arns: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    unnamed: bool = False


def passed_roles(params: Mapping[str, Any], not_roles: Mapping[str, str] | None = None) -> PassedRoles:
    """The roles the request hands the service.

    Read from parameters whose name ends in Role, RoleArn, RoleArns or Roles (``executionRoleArn``,
    ``ServiceRole``, ``cloudTrailDetails.accessRole``), at any depth, inside a ``...Document`` given as JSON
    text too (``_DOCUMENT_KEY``); a parameter that names a role to analyse or trust (``principalArn``) is
    not one. Such a value that is neither a role ARN nor a role name (a user's ARN), a ``...RoleName`` and
    an instance profile are roles passed unnamed. A parameter whose names are no IAM role's in this
    namespace's API (``not_roles``, lower-case) is read for a role ARN only: another kind of role (EMR's
    ``InstanceRole`` MASTER, QuickSight's ``UserRole``) is no role, an instance profile's name (EMR's
    ``JobFlowRole``) a role passed unnamed."""
    not_roles = not_roles or {}
    found: list[str] = []
    names: list[str] = []
    unnamed = False
    stack: list[tuple[Any, int]] = [(params, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        items = (
            node.items() if isinstance(node, Mapping) else enumerate(node) if isinstance(node, list) else ()
        )
        for key, value in items:
            name = key.lower() if isinstance(key, str) else ""
            if name.endswith(_UNNAMED_KEYS) and value not in (None, "", [], {}):
                unnamed = True
                continue
            if isinstance(value, str) and name.endswith(_DOCUMENT_KEY) and len(value) <= _MAX_DOCUMENT:
                value = json_or_text(value) if value[:1] == "{" else value
            if isinstance(value, (Mapping, list)):
                stack.append((value, depth + 1))
            if not name.endswith(ROLE_PARAMETER_ENDINGS):
                continue
            for candidate in value if isinstance(value, list) else (value,):
                if not isinstance(candidate, str) or not candidate:
                    continue
                if _ROLE_ARN.match(candidate):
                    found.append(candidate)
                elif name in not_roles:
                    unnamed = unnamed or not_roles[name] == "instance profile"
                elif name.endswith(_NAMED_KEYS) and _ROLE_NAME.match(candidate):
                    names.append(candidate)  # a ...Role(s) by name; a ...RoleArn takes the ARN
                else:
                    unnamed = True
    return PassedRoles(tuple(sorted(set(found))), tuple(sorted(set(names))), unnamed)


def with_dependent_actions(ref: Reference, plan: Plan, tagging: Iterable[str] = ()) -> Plan:
    """The plan with what the reference's dependent actions add to its primary actions (all variants'):
    the tagging actions, added when a record carries tags (the tag parameters join the memo key; the SDK
    table's own entries for them are then dropped from a record without: ``mapper._resolve``), and
    ``iam:PassRole``, added on the roles a record passes where no entry granted it. ``tagging``: more
    tagging actions of the call (the operation table's row beside its action)."""
    primaries = [
        a for group in (plan.actions, *(v.actions for v in plan.variants)) for a in group if a.primary
    ]
    # also where the table grants iam:PassRole itself: its template may read a parameter the call does not
    # have (``${esourceLifecycleConfig.ServiceRole}``, ``${DataSource.S3Config.RoleArn}`` for a role in
    # Destination), and the roles the request hands over are then read where they are
    passes_role = any(
        ref.passes_role(a.action) or a.action.lower() in DOCUMENTED_PASS_ROLE for a in primaries
    ) or any(
        a.action == PASS_ROLE for group in (plan.actions, *(v.actions for v in plan.variants)) for a in group
    )
    tags = tuple(
        dict.fromkeys(
            tag
            for a in primaries
            for tag in (
                *ref.tag_on_create(a.action),
                *TAG_ON_CREATE.get(a.action.lower(), ()),
                *tagging,
            )
            if ref.action_name(tag) is not None
        )
    )
    unproven = not passes_role and any(ref.pass_role_unproven(a.action) for a in primaries)
    if not tags and not passes_role and not unproven:
        return plan
    return replace(
        plan,
        param_keys=plan.param_keys | TAG_KEYS if tags else plan.param_keys,
        tag_actions=tags,
        passes_role=passes_role,
        unproven_pass_role=unproven,
        not_roles={
            name: kind
            for a in primaries
            for name, kind in ref.not_role_parameters(a.action.partition(":")[0]).items()
        }
        if passes_role or unproven
        else {},
        conditional=True,
    )


def choose(plan: Plan, params: Mapping[str, Any]) -> tuple[ActionPlan, ...]:
    """The actions of the variant whose parameters the record has (the one naming most of them, the
    primary on a tie); the primary when none has all of its own. A variant whose own actions take no
    resource at all is the call when the others' parameters are missing: S3 Control's account-level
    GetPublicAccessBlock (s3:GetAccountPublicAccessBlock) has no bucket, while S3's bucket-level one always
    names it, so a record without a bucket is the account's, not a bucket left unnamed. (A variant that
    reads its resource in a way ``needs`` does not list, S3 on Outposts' bucket ARN, is not chosen so.)"""
    best, score = plan.actions, 0
    for variant in plan.variants:
        if len(variant.needs) > score and _has_all(variant.needs, params):
            best, score = variant.actions, len(variant.needs)
    if score == 0 and plan.variants[0].needs and not _has_all(plan.variants[0].needs, params):
        bare = next((v for v in plan.variants[1:] if not any(a.types for a in v.actions if a.primary)), None)
        if bare is not None:
            return bare.actions
    return best


def _has_all(needs: tuple[tuple[str, ...], ...], params: Mapping[str, Any]) -> bool:
    return all(any(k in params for k in names) for names in needs)


def mapped_plan(
    key: str, actions: tuple[ActionPlan, ...], others: tuple[tuple[ActionPlan, ...], ...] = ()
) -> Plan:
    """A plan whose memo key is derived from what its actions (all variants') declare they read."""
    everything = [a for group in (actions, *others) for a in group]
    keys = spelled(frozenset().union(*(a.reads for a in everything)))
    uses = tuple(dict.fromkeys((a.action, "*") for a in actions))
    variants = tuple(
        Variant(tuple(sorted(spellings(name) for name in group[0].named)), group)
        for group in (actions, *others)
        if group
    )
    return Plan(
        "mapped",
        key,
        actions,
        MappedEvent("mapped", key, False, "", uses),
        MappedEvent("mapped", key, True, "", uses),
        keys,
        variants if others else (),
        any(a.primary and _may_name_a_user(a.types) for a in everything),
        conditional=bool(others) or any(not a.primary for a in everything),
        reads_names=_reads_names(everything),
    )


def fixed_resource(resource_type: ResourceType) -> bool:
    """One fixed resource per account and region: a regional format without variables or wildcards."""
    return not (
        resource_type.variables
        or "*" in resource_type.arn_format
        or "${Region}" not in resource_type.arn_format
        or len(resource_type.formats) > 1
    )


def _reads_names(actions: list[ActionPlan]) -> bool:
    return any(names_decide(action) for action in actions)


def names_decide(action: ActionPlan) -> bool:
    """Whether the parameters no template reads may change the action's result, which ``memo_key`` then
    keys on (``Plan.reads_names``): the one condition under which ``fill._names`` and ``fill.unnamed_in``
    look at them, so that fill cannot come to read them where the memo key leaves them out. They decide
    whether the action's fixed resources are its grant (``fixed_required``), whether ``*`` is the exact
    grant of a call over every resource (``over_every_resource``), and whether the finding says the request
    has no parameter naming the resource (``unnamed_kinds``). Never when every type of the action is one
    fixed resource per account and region (Security Hub's 57 actions on ``hub/default`` alone): no parameter
    can name or narrow it (``Name``, ``InsightArn`` or ``AccountIds`` name other things), so their names
    neither change the result nor belong in the key."""
    if all(fixed_resource(t) for t in action.types):
        return False
    return (
        fixed_required(action.types)
        or over_every_resource(action)
        or lists_a_collection(action)
        or bool(unnamed_kinds(action))
    )


def fixed_required(types: tuple[ResourceType, ...]) -> bool:
    """Whether the action has required types and each is one fixed resource: their ARNs are its grant,
    which the record need not name (``fill._constant_required``)."""
    required = [t for t in types if t.required]
    return bool(required) and all(fixed_resource(t) for t in required)


# A call over a collection: a List, Describe or Search of a plural noun (DescribeDBClusters, ListGuardrails,
# SearchJobs), not of one resource's parts (ListTagsForResource, Lambda's ListTags, DescribeResourcePolicy,
# EventBridge's DescribeEventBus of the default bus)
_COLLECTION = re.compile(r"^(?:List|Describe|Search)[A-Za-z0-9]*s$")
_OF_ONE = re.compile(r"Tags(?:For|Of)?[A-Za-z]*$")


def collection_call(action: str) -> bool:
    """Whether the action (``service:Name``) is a List, Describe or Search of a collection."""
    name = action.partition(":")[2]
    return _COLLECTION.match(name) is not None and _OF_ONE.search(name) is None


def lists_a_collection(action: ActionPlan) -> bool:
    """Whether the call's own action lists the resources of its types, each required one (or each, none
    being required) the plural its name ends in (DescribeAlarms and ``alarm``, DescribeCacheClusters and
    ``cluster``): a request naming none of them lists every one, which the finding for its ``*`` says
    (``fill.lists_every``) instead of blaming the record's form, though the reference makes the type
    required. Not a List of the children of a required parent (Amplify ListBranches of the ``apps`` it
    names; Deadline Cloud ListJobs, whose ``job`` is inside a farm and a queue): its request left out what
    it had to name."""
    if not (action.primary and action.types and collection_call(action.action)):
        return False
    listed = "".join(CAMEL_WORD.findall(action.action.partition(":")[2])[1:]).lower()
    return all(
        listed.endswith(_plurals(squashed(t.key))) and t.variables == t.own_variables
        for t in [t for t in action.types if t.required] or action.types
    )


def _plurals(noun: str) -> tuple[str, ...]:
    return (noun + "s", noun + "es", noun[:-1] + "ies") if noun.endswith("y") else (noun + "s", noun + "es")


def over_every_resource(action: ActionPlan) -> bool:
    """Whether the call's own action has types, none of them required: a request naming none of them acts
    on every resource of them (a List or Describe with no name to filter by), and ``*`` is its grant."""
    return action.primary and bool(action.types) and not any(t.required for t in action.types)


def unnamed_kinds(action: ActionPlan) -> tuple[str, ...]:
    """The keys of the types the call's own action is authorized on (its required ones, else all) when no
    template of the SDK table reads their variables from the request (it fills them with a constant ``*``,
    or says nothing of them) and nothing else of the plan builds their ARNs: whether the request names one
    is then up to its parameters (``fill.unnamed_in``). Empty otherwise. ``plans.memo_key`` keys such plans
    on the names of all their parameters."""
    resolver = action.resolver
    if (
        not action.primary
        or not action.types
        or (resolver and not resolver.partial)
        or action.override is not None
        or action.arn_maps
    ):
        return ()
    types = [t for t in action.types if t.required] or list(action.types)
    read = {v.name for v in action.var_maps if v.refs and not v.default}
    if any(not (t.variables - CONTEXT_VARIABLES) or t.variables & read for t in types):
        return ()
    return tuple(t.key for t in types)


def _may_name_a_user(types: tuple[ResourceType, ...]) -> bool:
    """Whether an IAM user's ARN (``arn:P:iam::A:user/...``) can have one of these types' shapes: only a
    format in the ``iam`` service (or with a variable for the service) can match it."""
    for resource_type in types:
        for arn_format in resource_type.formats or (resource_type.arn_format,):
            service = arn_format.split(":")[2] if arn_format.count(":") >= 2 else "${"
            if service == "iam" or "${" in service:
                return True
    return False


def either_node(types: tuple[ResourceType, ...]) -> bool:
    """Whether the action takes both node types of ``rules.SSM_NODE_IDS`` (an EC2 instance or an SSM managed
    node, as SSM's SendCommand, StartSession and DescribeInstancePatches do): one id names at most one."""
    formats = {t.key: t.arn_format for t in types}
    return all(
        f":{service}:" in formats.get(kind, "") and f":{resource}" in formats.get(kind, "")
        for kind, (service, resource, _) in SSM_NODE_IDS.items()
    )


def fixed(kind: Kind, key: str, reason: str) -> Plan:
    return Plan(kind, key, (), MappedEvent(kind, key, False, reason), MappedEvent(kind, key, True, reason))


def compile_plan(ref: Reference, source: str, name: str) -> Plan:
    plan = _compile_plan(ref, source, name)
    wide = RESOURCE_WIDE.get(plan.key) if plan.kind == "mapped" else None
    if wide is not None and wide[1] is not None:  # the parameter deciding it is in the memo key
        plan = replace(plan, param_keys=plan.param_keys | spelled(frozenset({wide[1][0]})))
    elsewhere = MADE_IN_REGION.get(plan.key) if plan.kind == "mapped" else None
    if elsewhere is not None and elsewhere[0] is not None:  # the Region a call makes its resource in
        plan = replace(plan, param_keys=plan.param_keys | spelled(frozenset({elsewhere[0]})))
    namespace = namespace_of(ref, source) if plan.kind == "mapped" else None
    plan = _with_labels(plan, URI_LABELS.get(namespace or "", ()))
    method = VERSION_SUFFIX.sub("", name) or name
    wrapper = REQUEST_WRAPPERS.get((namespace or "", method.lower()))
    if wrapper is None and namespace == "ec2":
        wrapper = f"{method}Request"  # EC2's newer calls: ``{"CreateLaunchTemplateRequest": {...}}``
    if wrapper is None:
        return plan
    # the memo key holds the whole object: what the plan reads inside it is under that one key
    return replace(plan, wrapper=wrapper, param_keys=plan.param_keys | spelled(frozenset({wrapper})))


def _with_labels(plan: Plan, labels: tuple[tuple[str, str], ...]) -> Plan:
    """The plan with the URI labels of the members its actions read (``rules.URI_LABELS``), the labels in
    its memo key."""
    if not labels:
        return plan
    read = {
        name.lower()
        for group in (plan.actions, *(v.actions for v in plan.variants))
        for a in group
        for name in a.reads
    }
    kept = tuple((member, label) for member, label in labels if member.lower() in read)
    if not kept:
        return plan
    # the member's spellings too: whether the record has it decides whether the label is read
    keys = spelled(frozenset(name for pair in kept for name in pair))
    return replace(plan, labels=kept, param_keys=plan.param_keys | keys)


def labelled(params: Mapping[str, Any], labels: tuple[tuple[str, str], ...]) -> Mapping[str, Any]:
    """The parameters with each member the record gives only under its URI label (``Plan.labels``) read
    from the label, in CloudTrail's lowerCamelCase spelling."""
    added = {
        member[:1].lower() + member[1:]: value
        for member, label in labels
        if get_field(params, member) is None and (value := params.get(label)) not in EMPTY_VALUES
    }
    return {**params, **added} if added else params


# The name CloudTrail gives the request object when it is not ``{method}Request``: EC2's internal shape name,
# abbreviated for some calls (DeleteTransitGatewayVpcAttachment's ``{"DelTGwVpcAttachReq":
# {"TransitGatewayAttachmentId": ...}}``, a record cloud-custodian captured from EventBridge,
# tests/data/cwe/event-transit-gateway-delete-vpc-attachment.json). EC2's own parameters are lowerCamelCase
# (``instancesSet``, ``groupId``), so a capitalised ...Req(uest) key alone in the parameters is the object.
_REQUEST_OBJECT = re.compile(r"[A-Z][A-Za-z0-9]*Req(?:uest)?")


def request_object(params: Mapping[str, Any], wrapper: str) -> str | None:
    """The key of the request object in ``params`` when it is not named ``wrapper``: the only parameter,
    named like one (``_REQUEST_OBJECT``). None otherwise, and whenever ``wrapper`` itself is there."""
    if len(params) != 1 or get_field(params, wrapper) is not None:
        return None
    key = next(iter(params))
    return key if _REQUEST_OBJECT.fullmatch(key) else None


def unwrapped(params: Mapping[str, Any], wrapper: str | None) -> Mapping[str, Any]:
    """The parameters inside the request object CloudTrail writes them in, beside any others, in the SDK's
    shape (``query_shaped``)."""
    if not wrapper:
        return params
    inner = get_field(params, wrapper)
    if inner is None and (named := request_object(params, wrapper)) is not None:
        wrapper, inner = named, params[named]
    if isinstance(inner, str) and inner.startswith("{"):  # CloudTrail Lake keeps nested objects as JSON
        inner = parameters(inner)
    if not isinstance(inner, Mapping):
        return params
    shaped = query_shaped(inner)
    return {**{k: v for k, v in params.items() if k not in spellings(wrapper)}, **shaped}


def query_shaped(value: Any) -> Any:
    """A request object as EC2's Query protocol serialises it, in the SDK's shape. Its list members carry
    the list's position as ``"tag": N``, a list of strings holds ``{"tag": N, "content": VALUE}``, and each
    list is named by its member (``SecurityGroupId``, ``FleetId``, ``TagSpecification``) where the SDK names
    the list (``SecurityGroupIds``, ``FleetIds``, ``TagSpecifications``): ``{"DeleteFleetsRequest":
    {"FleetId": {"tag": 1, "content": "fleet-..."}}}``, ``"SecurityGroupId": {"tag": 1, "content":
    "sg-..."}`` in a CreateLaunchTemplate record. Each such member is kept under its name and under the
    plural the tables read."""
    if isinstance(value, list):
        return [query_shaped(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    if "content" in value and value.keys() <= {"tag", "content"}:
        return query_shaped(value["content"])
    out: dict[str, Any] = {}
    listed: list[str] = []
    for key, item in value.items():
        if key == "tag" and isinstance(item, int):
            continue
        out[key] = query_shaped(item)
        if _is_query_list(item):
            listed.append(key)
    for key in listed:
        plural = f"{key}s"
        if plural not in out:
            item = out[key]
            out[plural] = item if isinstance(item, list) else [item]
    return out


def _is_query_list(value: Any) -> bool:
    """A Query-protocol list: its member(s) carry their position as ``"tag"``."""
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(i, Mapping) and isinstance(i.get("tag"), int) for i in items)


def _compile_plan(ref: Reference, source: str, name: str) -> Plan:
    key = f"{source}:{name}"
    if source in IGNORED_EVENT_SOURCES:
        return fixed("ignored", key, IGNORED_EVENT_SOURCES[source])
    namespace = namespace_of(ref, source)
    if namespace is None:
        return fixed("unmapped", key, f"unknown eventSource {source!r}")
    method = VERSION_SUFFIX.sub("", name) or name
    method = EVENT_NAME_ALIASES.get((namespace, method), method)
    if f"{namespace}:{method}".lower() in ref.permissionless:
        return fixed("ignored", key, "needs no permission")
    entries = CURATED_ENTRIES.get((namespace, method.lower())) or ref.sdk_entries(namespace, method)
    direct = ref.action_name(f"{namespace}:{method}")
    if entries and direct and not entries[0]["action"].lower().startswith(namespace + ":"):
        # another SDK service's method of the same name (S3Control's GetAccessPoint is the Outposts
        # one): the event's own namespace has the action, so that is what the call needed
        entries = None
    elif entries and direct and namespace in OWN_ACTION_NAMESPACES and direct not in _entry_actions(entries):
        entries = None  # a new version's call the table gave the old version's action (``rules``)
    # what the call needs besides its entries' or its own action, when its parameters say so
    extra = tuple(
        compiled
        for entry in EXTRA_ENTRIES.get((namespace, method.lower()), ())
        if (compiled := _compile_entry(ref, namespace, method, entry, bool(entry.get("primary"))))
    )
    if entries:
        actions = _compile_entries(ref, namespace, method, entries)
        actions = actions + extra if actions else ()
        curated = (namespace, method.lower()) in CURATED_ENTRIES
        others = (
            ()
            if curated
            else tuple(
                _compile_entries(ref, namespace, method, variant)
                for variant in ref.sdk_variants(namespace, method)
            )
        )
        if actions:
            return with_dependent_actions(ref, mapped_plan(key, actions, others))
    if direct is not None:
        own = _direct(ref, namespace, method, direct)
        return with_dependent_actions(ref, mapped_plan(key, (own, *extra)))
    # neither table nor name: the action AWS's operation table names for the call (Deadline's BatchGetSession
    # -> deadline:GetSession; Service Authorization Reference, "Simplified AWS service information for
    # programmatic access", ``AuthorizedActions``), its resources read from the request as for the others
    authorized = [{"action": action} for action in ref.authorized_actions(namespace, method)]
    actions = _compile_entries(ref, namespace, method, authorized) if authorized else ()
    if actions:
        tagging = ref.authorized_tag_actions(namespace, method)
        plan = with_dependent_actions(ref, mapped_plan(key, actions + extra), tagging)
        single = {a.action.split(":", 1)[1] for a in actions if a.primary}
        batch = method.startswith("Batch") and bool(single & {method[5:], method[5:].removesuffix("s")})
        return replace(plan, batch_items=batch)
    return fixed("unmapped", key, f"no IAM action for {namespace}:{method} in the reference")


# a resourcearn_mappings template that is one parameter's value, kept where it is an ARN of the type
_PASSED_THROUGH = re.compile(r"%%iftemplatematch%\$\{[^}]+\}%%")


def _entry_actions(entries: list[dict[str, Any]]) -> set[str]:
    return {str(entry["action"]) for entry in entries}


def _compile_entries(
    ref: Reference, namespace: str, method: str, entries: list[dict[str, Any]]
) -> tuple[ActionPlan, ...]:
    dropped = DROPPED_ENTRIES.get((namespace, method.lower()), frozenset())
    plans = [
        _compile_entry(ref, namespace, method, entry, index == 0 or bool(entry.get("primary")))
        for index, entry in enumerate(entries)
        if entry["action"] not in dropped
    ]
    return tuple(p for p in plans if p is not None)


def namespace_of(ref: Reference, source: str) -> str | None:
    """eventSource -> IAM namespace: the tables, else the host name without ``.amazonaws.com`` if the
    reference has that namespace."""
    namespace = ref.event_sources.get(source) or EVENT_SOURCE_NAMESPACES.get(source)
    if namespace is None and source.endswith(".amazonaws.com"):
        guess = source.removesuffix(".amazonaws.com")
        namespace = guess if ref.has_namespace(guess) else None
    return namespace


def sdk_event_source(ref: Reference, metadata: Mapping[str, Any], service: str) -> str:
    """The eventSource CloudTrail writes for an SDK service, from its model's metadata:
    ``<endpointPrefix>.amazonaws.com`` or ``<signingName>.amazonaws.com`` (SageMaker's endpoint is
    ``api.sagemaker``, its events say ``sagemaker.amazonaws.com``), whichever iam-dataset's CloudTrail table
    knows, else whichever the mapper resolves, else the endpoint's. For the scripts that measure the mapping
    against botocore's models."""
    names = [metadata.get("endpointPrefix"), metadata.get("signingName"), service]
    sources = [f"{n}.amazonaws.com" for n in dict.fromkeys(n for n in names if n)]
    for source in sources:
        if source in ref.event_sources:
            return source
    for source in sources:
        if namespace_of(ref, source) is not None:
            return source
    return sources[0]


def _compile_entry(
    ref: Reference, namespace: str, method: str, entry: Mapping[str, Any], primary: bool
) -> ActionPlan | None:
    action = ref.action_name(entry["action"])
    if action is None:  # the build drops these; a hand-edited data file must not leak one
        return None
    prefix = action.split(":", 1)[0]
    # ``any_resource``: a curated entry whose call cannot name any of the action's resource types
    types = () if entry.get("any_resource") else _resource_types(ref, action)
    by_key = {t.key: t for t in types}
    override = entry.get("arn_override")
    explicit = _qualified(prefix, entry.get("resource_mappings") or {})
    variables = {v for t in types for v in t.variables}
    constant = {var for var, m in explicit.items() if not template_reads(m["template"])}
    # variables the table leaves out (LogStreamName) or gives as a constant (``*``)
    unfilled = (variables - explicit.keys()) | (constant & variables)
    var_maps = tuple(
        _var_map(prefix, var, m["template"], m.get("conditions"), action)
        for var, m in sorted(explicit.items())
    ) + tuple(  # the parameter that names an unfilled variable, when the call has it
        replace(_var_map(prefix, var, _parameter_of(prefix, var), None, action), default=True)
        for var in sorted(unfilled)
    )
    nouns = functools.partial(ref.type_nouns, prefix)
    var_maps = _scoped(_own_normalisers(var_maps, types), types, nouns, action)
    arn_templates = sorted((entry.get("resourcearn_mappings") or {}).items())
    arn_maps = tuple(
        (by_key[t.lower()], compile_template(tpl)) for t, tpl in arn_templates if t.lower() in by_key
    )
    passed = {tpl for _, tpl in arn_templates}
    if len(passed) == 1 and _PASSED_THROUGH.fullmatch(next(iter(passed))):
        # the table passes one parameter's ARN through for some of the action's types only: ElastiCache's
        # "ResourceName: The Amazon Resource Name (ARN) of the resource for which you want the list of tags"
        # (ListTagsForResource, AddTagsToResource, RemoveTagsFromResource; ElastiCache API Reference) for
        # ``cluster`` and ``snapshot``, where the action's types also include the replication group, the
        # serverless cache, the user, ...: a replication group's ARN was granted as ``*``. The value is the
        # call's resource whichever of the action's types it is an ARN of (checked against each format)
        template = compile_template(next(iter(passed)))
        arn_maps = tuple((t, template) for t in types)
    resolver = _resolver(namespace, method, action, primary)
    conditions = entry.get("conditions")
    named = template_reads(override or "").union(
        *(template_reads(tpl) for _, tpl in arn_templates),
        *(template_reads(m["template"]) for m in explicit.values()),
    )
    elsewhere = _named_elsewhere(ref, nouns, types, primary, action, unfilled)
    reads = _reads(var_maps, resolver) | condition_reads(conditions) | named | elsewhere.reads
    return ActionPlan(
        action=action,
        types=types,
        primary=primary,
        condition=compile_condition(conditions),
        override=compile_template(override) if override else None,
        override_refs=bool(
            override
            and "${"
            in override.replace("${Partition}", "").replace("${Region}", "").replace("${Account}", "")
        ),
        arn_maps=arn_maps,
        var_maps=var_maps,
        resolver=resolver,
        reads=reads,
        named=named,
        narrowable=_narrowable(prefix, types),
        identifiers=elsewhere.identifiers,
        typed_names=elsewhere.typed_names,
        borrowed=elsewhere.borrowed,
        creates=primary and creates_required(types, action),
        account_parameter=elsewhere.account_parameter,
        defaults=elsewhere.defaults,
        parents=elsewhere.parents,
        children=elsewhere.children,
        owner_account=OWNER_ACCOUNTS.get(prefix),
        either_node=either_node(types),
    )


def _resolver(namespace: str, method: str, action: str, primary: bool) -> Resolver | None:
    """The resolver of the method, else the one of the method its primary action is named after (the
    service reads the call's resource as that method's: Bedrock's InvokeModelWithBidirectionalStream is
    authorized by ``bedrock:InvokeModel`` on the ``modelId`` it names, as InvokeModel is), else the
    namespace's."""
    prefix, _, name = action.partition(":")
    own = RESOLVERS.get((namespace, method.lower()))
    if own is None and primary and name.lower() != method.lower():
        own = RESOLVERS.get((prefix, name.lower()))
    return own or RESOLVERS.get((prefix, None))


def _parents(ref: Reference, prefix: str, types: tuple[ResourceType, ...]) -> tuple[tuple[str, str], ...]:
    own = {t.key for t in types}
    owners = ref.variable_owners(prefix)
    return tuple(
        (variable, arn_format)
        for variable in sorted({v for t in types for v in t.variables})
        if not own & set(owners.get(variable, ()))
        for arn_format in ref.owner_formats(prefix, variable)
    )


def _defaults(prefix: str, types: tuple[ResourceType, ...]) -> tuple[tuple[str, str, str], ...]:
    variables = {v for t in types for v in t.variables}
    return tuple(
        (parameter, variable, value)
        for (namespace, variable), (parameter, value) in PARAMETER_DEFAULTS.items()
        if namespace == prefix and variable in variables
    )


def _direct(ref: Reference, namespace: str, method: str, action: str) -> ActionPlan:
    """An action the SDK table does not know but the reference does: read each ARN variable from the
    parameter of the same name (``TableName`` from ``tableName``)."""
    prefix = action.split(":", 1)[0]
    types = _resource_types(ref, action)
    variables = sorted({v for t in types for v in t.variables})
    var_maps = _own_normalisers(
        tuple(
            replace(_var_map(prefix, v, _parameter_of(prefix, v), None, action), default=True)
            for v in variables
        ),
        types,
    )
    resolver = _resolver(namespace, method, action, True)
    nouns = functools.partial(ref.type_nouns, prefix)
    elsewhere = _named_elsewhere(ref, nouns, types, True, action, frozenset(variables))
    return ActionPlan(
        action=action,
        types=types,
        primary=True,
        condition=None,
        override=None,
        override_refs=False,
        arn_maps=(),
        var_maps=var_maps,
        resolver=resolver,
        reads=_reads(var_maps, resolver) | elsewhere.reads,
        narrowable=_narrowable(prefix, types),
        identifiers=elsewhere.identifiers,
        typed_names=elsewhere.typed_names,
        borrowed=elsewhere.borrowed,
        creates=creates_required(types, action),
        account_parameter=elsewhere.account_parameter,
        defaults=elsewhere.defaults,
        parents=elsewhere.parents,
        children=elsewhere.children,
        owner_account=OWNER_ACCOUNTS.get(prefix),
        either_node=either_node(types),
    )


def borrowed_parameters(
    ref: Reference,
    action: str,
    types: tuple[ResourceType, ...],
    unfilled: frozenset[str] | set[str],
) -> tuple[tuple[str, str, str], ...]:
    """For each variable of the action's types that its own entry leaves unfilled, the parameter the
    namespace's other methods fill it from (``Reference.table_parameters``), unless that is the variable's
    own name (read by name already)."""
    if not any(t.variables & unfilled for t in types):
        return ()  # the index of the namespace is built only when a call needs it (EC2's: ~27 ms)
    prefix = action.partition(":")[0]
    readings = ref.table_parameters(prefix)
    # the methods on the call's own noun (DescribeUpdate's for CancelUpdate) say what a bare ``name`` is
    siblings = ref.noun_parameters(prefix, action)
    operation = squashed(action.partition(":")[2])
    out: dict[tuple[str, str, str], None] = {}
    for resource_type in types:
        for variable in sorted(resource_type.variables & unfilled):
            sibling = siblings.get((resource_type.key, variable))
            if sibling is not None and sibling.lower() not in _BARE_PARAMETERS:
                sibling = None  # a named parameter is read by the namespace's readings, or by its name
            parameter = sibling or readings.get((resource_type.key, variable))
            if parameter is None or parameter == variable or (prefix, parameter) in QUALIFIED_NAMES:
                continue  # read with the qualifier the ARN holds only where the table's entry is
            if (
                sibling is None
                and parameter.lower() in _BARE_PARAMETERS
                and squashed(resource_type.key) not in operation
            ):
                continue  # a bare Name is the call's own resource (CreateApplication's, not its app block)
            out[(parameter, resource_type.key, variable)] = None
    # and, for a parent named after its own type, that type's whole noun with the variable's kind: S3
    # Vectors' index ``bucket/${BucketName}/index/${IndexName}`` under the ``vectorbucket`` is named by
    # ``vectorBucketName`` (not a generic ``Name``/``Id``, which other types share)
    owners = ref.variable_owners(prefix)
    for resource_type in types:
        for variable in sorted(resource_type.variables & unfilled - resource_type.own_variables):
            kind = next((k for k in ("Name", "Id") if variable.endswith(k)), None)
            if kind is None or variable in _GENERIC_VARIABLES:
                continue
            for owner in owners.get(variable, ()):
                for words in ref.type_nouns(prefix, owner):
                    out.setdefault(("".join(words) + kind, resource_type.key, variable), None)
    out.update(dict.fromkeys(_documented_names(ref, prefix, types, unfilled)))
    return tuple(out)


def _documented_names(
    ref: Reference, prefix: str, types: tuple[ResourceType, ...], unfilled: frozenset[str] | set[str]
) -> Iterator[tuple[str, str, str]]:
    """The bare noun (or ``<Noun>Identifier``) whose API reference says it holds a type's name, for a type
    whose format holds that name beside a generated id, its own variable: ECS's ``gateway/${GatewayName}/
    ${GatewayId}`` and "gateway: The name or Amazon Resource Name (ARN) of the gateway to describe" (ECS API
    Reference, DescribeGateway; ``Reference.identifier_kinds``). The noun names the type by ARN only where
    nothing says which variable a plain value is (``identifier_parameters``); here the reference says, so
    the name is read and the id is completed with ``*``, said (``fill._with_whole_types``)."""
    kinds = ref.identifier_kinds(prefix)
    if not kinds:
        return
    for resource_type in types:
        key = squashed(resource_type.key)
        for variable in sorted(resource_type.variables & unfilled - resource_type.own_variables):
            kind = next((k for k in ("Name", "Id") if variable.endswith(k)), None)
            if kind is None or squashed(variable.removesuffix(kind)) != key:
                continue  # only the type's own name or id, not a parent's
            for words in ref.type_nouns(prefix, resource_type.key):
                noun = "".join(words)
                for documented in (noun, noun + "Identifier"):
                    if kinds.get(documented.lower()) == kind:
                        yield (documented, resource_type.key, variable)


# Parameters every method names its own resource by: borrowed only for the type the operation is named after
_BARE_PARAMETERS = frozenset({"name", "id", "identifier", "arn", "resourcearn", "resourceid", "resourcename"})


def _qualified(prefix: str, mappings: Mapping[str, Any]) -> Mapping[str, Any]:
    """The table's mappings with a name its ARN qualifies written whole (``QUALIFIED_NAMES``)."""
    return {
        variable: {**mapping, "template": QUALIFIED_NAMES[(prefix, plain[1])]}
        if (plain := PLAIN_PARAMETER.fullmatch(mapping["template"])) and (prefix, plain[1]) in QUALIFIED_NAMES
        else mapping
        for variable, mapping in mappings.items()
    }


class _Elsewhere(NamedTuple):
    """What names an action's resources besides its templates (``ActionPlan`` fields of the same names),
    and the parameters all of them read (for the memo key)."""

    identifiers: tuple[tuple[str, str], ...]
    typed_names: tuple[tuple[str, ResourceType], ...]
    borrowed: tuple[tuple[str, str, str], ...]
    account_parameter: str | None
    defaults: tuple[tuple[str, str, str], ...]
    parents: tuple[tuple[str, str], ...]
    children: tuple[tuple[str, str, str], ...]
    reads: frozenset[str]


def _named_elsewhere(
    ref: Reference,
    nouns: Callable[[str], tuple[tuple[str, ...], ...]],
    types: tuple[ResourceType, ...],
    primary: bool,
    action: str,
    unfilled: frozenset[str] | set[str],
) -> _Elsewhere:
    """The identifier parameters, the typed names and the borrowed readings (the call's own action only: an
    extra action's entry says which parameters make it apply), the parents their ARNs may name, the
    parameter naming the account and the values the API assumes for absent parameters."""
    prefix = action.partition(":")[0]
    identifiers: tuple[tuple[str, str], ...] = ()
    typed: tuple[tuple[str, ResourceType], ...] = ()
    borrowed: tuple[tuple[str, str, str], ...] = ()
    if primary:
        identifiers = identifier_parameters(prefix, types, action, nouns)
        typed = typed_name_parameters(types, nouns, ref.identifier_kinds(prefix), action)
        borrowed = borrowed_parameters(ref, action, types, unfilled)
    account = ACCOUNT_PARAMETERS.get(prefix)
    defaults = _defaults(prefix, types)
    reads = frozenset(
        [*(name for name, _ in (*identifiers, *typed)), *(name for name, _, _ in borrowed)]
        + ([account] if account else [])
        + [parameter for parameter, _, _ in defaults]
    )
    parents = _parents(ref, prefix, types) if identifiers else ()
    children = _children(ref, prefix, types, nouns) if primary else ()
    reads |= {name for name, _, _ in children}
    return _Elsewhere(identifiers, typed, borrowed, account, defaults, parents, children, reads)


def _children(
    ref: Reference,
    prefix: str,
    types: tuple[ResourceType, ...],
    nouns: Callable[[str], tuple[tuple[str, ...], ...]],
) -> tuple[tuple[str, str, str], ...]:
    """(parameter, variable, ARN format): the ARN parameters of the namespace's other types that lie beneath
    one of the action's (``<Noun>Arn``, ``<Noun>Arns``, ... of the child's noun), the action's type's own
    variable, and the child's format it is read from. CodeBuild's BatchGetReports, DescribeTestCases and
    DescribeCodeCoverages are authorized on the ``report-group`` only, and take "reportArns: An array of ARNs
    that identify the Report objects to return", "reportArn: The ARN of the report for which test cases are
    returned" (CodeBuild API Reference); a report's ARN is ``report/${ReportGroupName}:${ReportId}``, which
    names its group. Only for a type whose one variable is named after it (``ReportGroupName`` of
    ``report-group``): a variable two types merely share is no parent. Narrower than ``fill._parents_in``'s
    test of the same idea, which takes any ``_VARIABLE_SUFFIX`` (PCS's ``cluster`` by ``ClusterIdentifier``,
    SSM Incidents' ``response-plan`` by ``ResponsePlan`` pass it and not this one)."""
    out: dict[tuple[str, str, str], None] = {}
    keys = {t.key for t in types}
    for resource_type in types:
        if len(resource_type.variables) != 1 or resource_type.variables != resource_type.own_variables:
            continue
        variable = next(iter(resource_type.variables))
        if squashed(variable) not in {squashed(resource_type.key) + kind for kind in ("name", "id")}:
            continue
        for key, arn_format in ref.child_formats(prefix, variable):
            if key in keys:
                continue
            for words in nouns(key):
                out.update((("".join(words) + suffix, variable, arn_format), None) for suffix in ARN_SUFFIXES)
    return tuple(out)


def _parameter_of(prefix: str, variable: str) -> str:
    """The template of the request parameter that names an ARN-format variable (``PARAMETER_OF``, per
    service first): ``${Name}``, or each value of the parameters a service's calls spell differently."""
    names = SERVICE_PARAMETER_OF.get((prefix, variable)) or PARAMETER_OF.get(variable, variable)
    if isinstance(names, str):
        return "${" + names + "}"
    return "%%many%" + "%".join("${" + name + "}" for name in names) + "%%"


def _resource_types(ref: Reference, action: str) -> tuple[ResourceType, ...]:
    """The action's resource types, those that are alternatives (``ALTERNATIVE_TYPES``) not each required:
    any ARN of one of them is the call's resource."""
    types = ref.resource_types(action)
    checked = CHECKED_TYPES.get(action.lower())
    if checked:  # types the reference calls optional that AWS checks on every call (``CHECKED_TYPES``)
        types = tuple(replace(t, required=True) if t.key in checked else t for t in types)
    alternatives = ALTERNATIVE_TYPES.get(action.lower())
    if alternatives:
        types = tuple(replace(t, required=False) if t.key in alternatives else t for t in types)
    named_made = MADE_TYPES.get(action.lower())
    if named_made:
        types = tuple(replace(t, made=True) if t.key in named_made else t for t in types)
    prefix, _, operation = action.partition(":")
    made = next((operation[len(verb) :] for verb in _MAKING if operation.startswith(verb)), "")
    made = _FROM.split(made, maxsplit=1)[0]  # CreateFileSystemFromBackup makes a file system
    if not made:
        return types
    # the type's key may be the plural (Data Exchange's ``data-sets`` of CreateDataSet)
    return tuple(
        replace(t, made=True)
        if any("".join(w) in (made, made + "s") for w in ref.type_nouns(prefix, t.key))
        else t
        for t in types
    )


# ``<Verb><Noun>From<Source>``: the call makes the noun from the source (FSx's CreateFileSystemFromBackup,
# CreateVolumeFromBackup; RDS's RestoreDBInstanceFromDBSnapshot)
_FROM = re.compile(r"From(?=[A-Z0-9])")


def source_noun(operation: str) -> str:
    """What an operation's name says it makes its resource from, squashed (``backup`` of
    CreateFileSystemFromBackup, ``dbsnapshot`` of RestoreDBInstanceFromDBSnapshot); "" when it says
    nothing."""
    parts = _FROM.split(operation, maxsplit=1)
    return squashed(parts[1]) if len(parts) == 2 else ""


# Operations that make a resource of the type their name ends in (FIS StartExperiment an experiment; ACM
# ImportCertificate a certificate, unless it names one to re-import): its id is new, so no other type's ARN
# stands for it (``fill._covers``)
_MAKING = ("Create", "Start", "Import", "Copy")
# Of those, the ones whose name says the resource is new (a Start<Noun> may start one that exists)
_MAKING_NEW = ("Create", "Import")


# a name and a context to try a normaliser on (``_own_normalisers``)
_SAMPLE_NAME = "example"
_SAMPLE_CONTEXT = Context("aws", "us-east-1", "111122223333")


def _own_normalisers(var_maps: tuple[VarMap, ...], types: tuple[ResourceType, ...]) -> tuple[VarMap, ...]:
    """The variable maps with each normaliser kept only where it builds an ARN of one of the action's types
    that have its variable. A normaliser builds one type's ARN (Lambda's ``FunctionName`` a function's,
    ``function:NAME``) and is keyed by namespace and variable, so it also took the variable of another
    kind's format (Lambda web functions' ``web-function/${FunctionName}``), whose ARN it never builds: every
    web function call was ``*``. There the variable is filled plainly, as any other."""
    out = []
    for var in var_maps:
        holders = [t for t in types if var.name in t.variables]
        if var.normaliser is not None and holders:
            made = var.normaliser(_SAMPLE_NAME, _SAMPLE_CONTEXT, {})
            if not any(t.matches(arn) for arn in made for t in holders):
                var = replace(var, normaliser=None)
        out.append(var)
    return tuple(out)


def _reads(var_maps: tuple[VarMap, ...], resolver: Resolver | None) -> frozenset[str]:
    out = frozenset().union(*(v.reads for v in var_maps))
    return out | resolver.reads if resolver is not None else out


def _var_map(
    prefix: str, var: str, template: str, condition: Mapping[str, Any] | None, action: str = ""
) -> VarMap:
    refs = tuple(r for r in _SINGLE_REF.findall(template) if r not in _CONTEXT)
    creating = CREATING_NORMALISERS.get(action.lower())
    normaliser = creating[1] if creating and creating[0] == var else NORMALISERS.get((prefix, var))
    if normaliser is not None:
        # IAM templates splice a path in front of the name (``%%regex%${Path}...%%${UserName}``); the
        # normaliser reads the path itself, so it takes the name
        named = tuple(dict.fromkeys(r for r in refs if prefix != "iam" or r not in ("Path", "PathPrefix")))
        plain = template == "${" + named[0] + "}" if len(named) == 1 else False
        several = len(named) > 1 and template.startswith("%%many%")  # each one normalised (renames)
        if (len(named) != 1 and not several) or ((prefix, var) in PLAIN_ONLY and not plain):
            normaliser = None
        else:
            refs = named
    reads = template_reads(template) | condition_reads(condition)
    if normaliser is not None:
        reads |= normaliser.reads
    return VarMap(var, compile_template(template), refs, normaliser, compile_condition(condition), reads)


def _narrowable(prefix: str, types: tuple[ResourceType, ...]) -> bool:
    """Whether one of the action's types extends another (``table`` and ``table/T/index/I``), or the
    service qualifies ARNs in place (a Lambda version or alias after the function name)."""
    return prefix == "lambda" or any(t.variables < u.variables for t in types for u in types)


# A request parameter that may name a resource (``...Name(s)``, ``...Id(s)``, ``...Arn(s)``,
# ``...Identifier(s)``, ``Resource(s)``, ``Target(s)``, EC2's ``...Set`` lists, a singular with ``List``
# after it: ``SecretIdList``, ``trailNameList``, ``FileShareARNList``): with a value, it tells a request that
# names nothing from one that names something the mapper does not read (``fill._names``). Group 1 is the
# suffix without ``List``.
NAMING = re.compile(
    r"(Name|Names|Id|Ids|Arn|Arns|ARN|ARNs|Identifier|Identifiers|Resource|Resources|Target|Targets|Set)"
    r"(?:List)?$",
    re.IGNORECASE,
)
# The values that leave a parameter unset: one that holds them names nothing (``fill._names``, and the names
# ``memo_key`` keys on, which must be the same).
EMPTY_VALUES: tuple[Any, ...] = (None, "", [], {})


def holds_arn(value: Any) -> bool:
    """Whether a parameter's value is an ARN, or a list that starts with one (``fill.unnamed_in``)."""
    if value.__class__ is list and value:
        value = value[0]
    return value.__class__ is str and value.startswith("arn:")


def memo_key(plan: Plan, record: Mapping[str, Any], denied: bool) -> tuple[Any, ...]:
    """Everything ``_resolve`` reads from a record for this plan, as a hashable key.

    On the hot path: records parsed from JSON are plain dicts, so ``type() is dict`` checks stand in for
    the slower ``isinstance(..., Mapping)``; anything else takes the general route. Values other than
    strings are keyed by their ``repr`` in a longer tuple: ``True``, ``1`` and ``1.0`` are equal in Python
    and would share one entry, though a template writes them differently (and ``1`` is not ``"1"``).
    """
    params = record.get("requestParameters")
    signature: tuple[Any, ...] = ()
    naming: tuple[tuple[str, bool], ...] = ()
    if params.__class__ is dict:
        keys = plan.param_keys
        # the parameters no template reads still decide between "*" as the call's exact grant and "*" for
        # a resource the mapper did not read (``fill._names``: the naming ones), and whether the request
        # could name the resource at all (``fill.unnamed_in``: any, by name, as a structure or by an
        # ARN): their names, and whether each holds an ARN, are in the key too
        reads_names = plan.reads_names
        # One loop filling two lists: the two generator expressions it replaces took 1.3 us for an S3
        # request of three parameters, this 0.66 us (timeit); the key is built for every matched record.
        read: list[tuple[Any, ...]] = []
        unread: list[tuple[str, bool]] = []
        for name, value in params.items():
            if name in keys:
                read.append((name, value) if value.__class__ is str else (name, None, repr(value)))
            elif holds_arn(value) or encoded_arn(value):
                # an ARN any parameter gives may name the resource (``fill.given_arns``), URL-encoded too
                # (``records.arns_decoded``)
                read.append((name, value) if value.__class__ is str else (name, None, repr(value)))
            elif reads_names and value not in EMPTY_VALUES:
                unread.append((name, holds_arn(value)))
        signature = tuple(read)
        naming = tuple(unread)
        if not signature and plan.wrapper is not None and (named := request_object(params, plan.wrapper)):
            signature = ((named, None, repr(params[named])),)  # the request object under another name
    elif isinstance(params, Mapping):
        signature = (repr(sorted(params.items(), key=repr)),)
    elif isinstance(params, str):
        signature = (params,)
    resources = record.get("resources")
    listed: tuple[Any, ...] = ()
    if resources:
        try:
            # a list first: tuple() of a generator cost ~0.1 us more a record with resources (timeit)
            listed = tuple([r.get("ARN") or r.get("ARNPrefix") or r.get("arn") for r in resources])
        except (AttributeError, TypeError):
            listed = tuple(listed_resources(record))
        try:
            hash(listed)
        except TypeError:  # an ARN that is a list or an object: key on what the resolver will read
            listed = tuple(listed_resources(record))
    identity = record.get("userIdentity")
    if identity.__class__ is not dict:
        identity = dict(identity) if isinstance(identity, Mapping) else {}
    principal = identity.get("arn")
    partition = principal[4 : principal.find(":", 4)] if principal.__class__ is str else None
    caller = principal if plan.reads_caller and identity.get("type") == "IAMUser" else None
    # the calling session's role is the ARN of a role named by its own name (``Context.issuer``)
    issuer = session_role(identity) if plan.reads_caller or plan.passes_role else None
    return (
        plan.key,
        denied,
        record.get("awsRegion"),
        record.get("recipientAccountId"),
        identity.get("accountId") or arn_account(principal),
        partition,
        caller,
        issuer,
        signature,
        naming,
        listed,
        passed_roles(parameters(params), plan.not_roles)
        if plan.passes_role or plan.unproven_pass_role
        else (),
        denied_resource(record) if denied else None,
        refused_entity(record) if denied and plan.key.startswith("iam.amazonaws.com:") else None,
        response_defaults(plan.key, record) if plan.key in RESPONSE_DEFAULTS else (),
    )
