"""ARN filling: one action of a compiled plan + one record's parameters and ``resources[]`` -> the ARNs
the action was authorized on, or ``[]`` when the record does not determine them (the caller writes ``*``
and says why)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from policygen_operator.domain.iam.mapping.plans import (
    ARN_SUFFIXES,
    EMPTY_VALUES,
    NAMING,
    ActionPlan,
    collection_call,
    fixed_required,
    fixed_resource,
    generic_own_variable,
    holds_arn,
    lists_a_collection,
    names_decide,
    over_every_resource,
    own_variable,
    unnamed_kinds,
)
from policygen_operator.domain.iam.mapping.records import Context, arn_account
from policygen_operator.domain.iam.mapping.rules import OWNER_ACCOUNTS, SSM_NODE_IDS, STAR_IN_NAMES
from policygen_operator.domain.iam.reference import CONTEXT_VARIABLES, ResourceType, format_groups, squashed
from policygen_operator.domain.iam.templates import Values, escape, get_field, lookup_path

_STAR = "${*}"  # a whole value ``*``, as ``templates.escape`` writes it
# a whole ``*`` as one part of a value the call composes from several parameters or a name and its parent
# (QuickSight's ``group/NAMESPACE/NAME``, Lambda's ``NAME:QUALIFIER``, IAM's ``PATH/NAME``): between the
# value's ends, ``/`` and ``:``
_STAR_PART = re.compile(r"(?<![^/:])\$\{\*\}(?![^/:])")


def every_asked(
    types: tuple[ResourceType, ...], arns: list[str], every: list[str] | None = None
) -> list[str]:
    """The ARNs with each whose own name or id is a whole ``*`` read as every resource of its type inside
    the same parents (``instance/*``, ``table/db/*``): many APIs take ``*`` for "all" (SSM SendCommand's
    ``"instanceIds": ["*"]``, State Manager's command for an association on every node, elastic/integrations'
    test-send-command-all-json.log; CreateAssociation's "InstanceIds key with a value of *", SSM API
    Reference), and IAM's literal ``${*}`` matches no resource such a call acts on: an under-grant the
    policy refuses, silently. ``every`` gets each pattern, which the caller says. Kept literal where ``*``
    is a character a name may hold (``rules.STAR_IN_NAMES``: an S3 object key), or is only part of one."""
    if not any(_STAR in arn for arn in arns):
        return arns
    out: list[str] = []
    for arn in arns:
        wide = _every_of(types, arn) if _STAR in arn else None
        out.append(wide or arn)
        if wide is not None and every is not None:
            every.append(wide)
    return list(dict.fromkeys(out))


def _every_of(types: tuple[ResourceType, ...], arn: str) -> str | None:
    """The ARN of one of the types' formats with each variable named a whole ``*`` made a wildcard (a stack's
    ``stack/*/*``, its id completed; an Amplify branch of every app, ``apps/*/branches/*``), but those whose
    values may hold ``*`` (``STAR_IN_NAMES``); a value holding a ``*`` among other characters
    (``app-${*}``) is a name and stays literal. A variable whose value joins several names (``_STAR_PART``:
    QuickSight's ``group/default/${*}``, whose ResourceId is the namespace and the group, Lambda's
    ``function:${*}:prod``, IAM's ``user/*/${*}`` of a name under any path) has each name given whole as
    ``*`` made a wildcard: it was a name the API takes, not a part of one. None when no format fits or
    nothing changes."""
    for resource_type in types:
        for alternative in resource_type.alternatives():
            pattern, names = format_groups(alternative.arn_format)
            match = pattern.fullmatch(arn)
            if match is None:
                continue
            values = dict(zip(names, match.groups(), strict=True))
            stars = {
                n for n, v in values.items() if n not in STAR_IN_NAMES and _STAR in v and _STAR_PART.search(v)
            }
            if not stars:
                continue
            wide = alternative.fill({**values, **{n: _STAR_PART.sub("*", values[n]) for n in stars}})
            if wide != arn:
                return wide
    return None


def action_arns(
    action: ActionPlan,
    params: Mapping[str, Any],
    context: Callable[[], Context],
    listed: list[str],
    single: bool,
    completed: list[str] | None = None,
) -> list[str] | None:
    """ARNs for one action: [] when undetermined (caller uses ``*``), None when an extra action does
    not apply to this call. ``completed`` gets the patterns added for required types the request did not
    name whole (``_with_whole_types``), which the caller reports.

    ``resources[]`` names the resources CloudTrail saw, with their real account (a KMS key behind an
    alias, a cross-account key): it comes first when the call maps to one action. When it maps to
    several (CopyObject reads one object and writes another), ``resources[]`` does not say which ARN
    belongs to which action, so request parameters come first and the list is the fallback.
    """
    context = _action_context(action, params, context)
    from_list = _fitting(action.types, listed) if listed else []
    if single and from_list and _covers_required(action.types, from_list):
        if action.resolver is not None and action.resolver.completes_listed:
            return _completed(action, from_list, from_parameters(action, params, context())[0])
        if action.resolver is not None and action.resolver.joins_listed:
            return sorted({*from_list, *from_parameters(action, params, context())[0]})
        if not action.narrowable:
            return from_list
        # resources[] names the table (or the unqualified function) while the call named an index
        # (or a version): IAM authorizes the narrower ARN the parameters give
        built = from_parameters(action, params, context())[0]
        narrower = [b for b in built if any(b.startswith((f"{a}/", f"{a}:")) for a in from_list)]
        return built if narrower and _covers_required(action.types, built) else from_list
    ctx = context()
    built, referenced = from_parameters(action, params, ctx)
    if not action.primary and not referenced and action.has_templates:
        return None
    if (
        single
        and action.primary
        and not action.creates
        and not built
        and (given := given_arns(action, params))
    ):
        built, referenced = given, True
    for candidate in (built, from_list, sorted(set(built) | set(from_list))):
        if candidate and _covers_required(action.types, candidate):
            return candidate
    if action.primary and (built or referenced):
        added = _with_whole_types(action.types, built, ctx, _request_values(action, params, ctx))
        # the request's values fill the types here too: an id names an SSM node by its shape only
        kept = [arn for arn in added if not _other_node(arn, action)]
        if len(kept) < len(added):
            added = kept if _covers_required(action.types, [*built, *kept]) else []
        if added:
            if completed is not None:
                completed.extend(added)
            return [*built, *added]
    if action.primary and referenced and not built and not any(t.required for t in action.types):
        added = _partly_named(action.types, ctx, _request_values(action, params, ctx))
        if added:
            if completed is not None:
                completed.extend(added)
            return added
    if ctx.caller and action.primary and not referenced:
        # IAM self-service (GetUser, ListAccessKeys, ChangePassword without a user name) acts on the
        # calling user
        own = _fitting(action.types, [ctx.caller])
        if own and _covers_required(action.types, own):
            return own
    if action.account_parameter is not None and named_account(get_field(params, action.account_parameter)):
        # the account's one resource of each required type, in the account the request names (STS
        # AssumeRoot's member account root, ``arn:aws:iam::MEMBER:root``): exact, whatever its Region
        own = _per_account_required(action.types, ctx)
        if own:
            return own
    if fixed_required(action.types):
        constant = _constant_required(action.types, ctx, named=referenced or _names(params, action))
        if constant:
            return constant
    if action.primary and action.creates and not referenced:
        # a create naming nothing the mapper reads (a generated id, a name nested in a structure): what
        # it creates is of its required types, in the call's account and region, not anything anywhere
        added = _with_whole_types(action.types, [], ctx, {}, unnamed=True)
        if added:
            if completed is not None:
                completed.extend(added)
            return added
    if (
        over_every_resource(action)
        and not referenced
        and not _names(params, action)
        and (params or _over_a_collection(action))
    ):
        # a call over every resource of its types (a List or Describe with no name to filter by: RDS
        # DescribeDBClusters {"includeShared": false}, CloudWatch DescribeAlarms {"maxRecords": 100}):
        # "*" is its exact grant, not a resource the mapper failed to read
        return ["*"]
    return []


def _over_a_collection(action: ActionPlan) -> bool:
    """Whether a call whose record holds no request parameters (``"requestParameters": null``, as many
    AccessDenied records and trimmed exports have) acts on every resource of its optional types: a List,
    Describe or Search of a collection does; a GetObject, PutObject, TagResource, ListTagsForResource or
    InvokeModel acts on one the record does not show, and its ``*`` is said. So does a call whose types
    are each one fixed resource (Security Hub's ``hub/default``), which no parameter names. Decided on
    the parameter names the memo key holds: a request with any parameter takes ``_names``' reading."""
    return collection_call(action.action) or all(fixed_resource(t) for t in action.types)


def lists_every(params: Mapping[str, Any], action: ActionPlan) -> tuple[str, ...]:
    """The kinds a List or Describe of a collection (``plans.lists_a_collection``) lists every one of,
    when its request names none: no parameter the action reads and no naming one holds a value
    (``_names``). Empty otherwise. Its ``*`` is then what the call did, not a resource the mapper failed
    to read: CloudWatch DescribeAlarms {"maxRecords": 100} describes every alarm of the account and Region,
    though the reference makes ``alarm`` required."""
    if not lists_a_collection(action):
        return ()
    read = {name.lower() for name in action.reads}
    if any(value not in EMPTY_VALUES and key.lower() in read for key, value in params.items()):
        return ()
    if _names(params, action):
        return ()
    return tuple(t.key for t in action.types if t.required) or tuple(t.key for t in action.types)


def unnamed_in(params: Mapping[str, Any], action: ActionPlan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``unnamed_kinds`` when no parameter of the request may name one of them: the call is authorized on
    a resource its request does not carry (Auto Scaling SetInstanceHealth takes an ``InstanceId`` and is
    authorized on the instance's group; IAM GetAccessKeyLastUsed an ``AccessKeyId``, on the key's user;
    CloudWatch Logs GetLogRecord a ``logRecordPointer``, on the log group). A parameter may name one when
    it is a naming one (``plans.NAMING``) that ``_may_name`` a type, spells a type's noun (``cluster``,
    ``lensAlias``), holds an ARN (IoT AttachThingPrincipal's ``principal``, a certificate's), or holds a
    structure (a name may be inside): then the finding blames the form. With the kinds, the naming
    parameters of the request whose nouns are no type's: matched on names, they may still name the resource
    under another noun (SSM's ``CalendarNames`` are documents, EMR's ``JobFlowIds`` clusters), so the
    finding names them rather than say no parameter could."""
    kinds = unnamed_kinds(action)
    if not kinds:
        return (), ()
    types = tuple(t for t in action.types if t.key in kinds)
    others: list[str] = []
    for key, value in params.items():
        if value in EMPTY_VALUES:
            continue
        if (
            isinstance(value, Mapping)
            or (isinstance(value, list) and any(isinstance(v, Mapping) for v in value))
            or holds_arn(value)
        ):
            return (), ()
        match = NAMING.search(key)
        if match is not None:
            if _may_name(key[: match.start()], match.group(1), types):
                return (), ()
            others.append(key)
        elif _spells_type(key, types):
            return (), ()
    return kinds, tuple(others)


def _spells_type(key: str, types: tuple[ResourceType, ...]) -> bool:
    """Whether a parameter's name holds a type's key or the noun of one of its variables (``lensAlias``
    and ``lens``; not ``logRecordPointer`` and ``log-group``)."""
    spelled = squashed(key)
    for resource_type in types:
        nouns = {squashed(resource_type.key)}
        for variable in resource_type.variables - CONTEXT_VARIABLES:
            noun = _VARIABLE_SUFFIX.sub("", variable)
            if noun:
                nouns.add(squashed(noun))
        if any(noun in spelled for noun in nouns):
            return True
    return False


_VARIABLE_SUFFIX = re.compile(r"(?:Name|Names|Id|Ids|Arn|ARN|Identifier|WithPath)+$")


def _names(params: Mapping[str, Any], action: ActionPlan) -> bool:
    """Whether the request has a parameter that may name a resource of the action (``plans.NAMING``,
    with a value): then a ``*`` grant says the mapper could not read it. Not when the SDK table says which
    parameters name each of the action's types (``_named_by_table``), none of them is in the request, and
    no parameter there is named after one of the types (``_may_name``): the request names resources of
    other kinds only, as CloudHSM CreateCluster's ``subnetIds`` (EC2 subnets) beside its only type, the
    source ``backup`` the table reads from ``SourceBackupId``. False without looking where the names cannot
    change the action's result (``plans.names_decide``): the memo key holds them only where they can."""
    if not names_decide(action):
        return False
    found = [
        (key, match)
        for key, value in params.items()
        if value not in EMPTY_VALUES and (match := NAMING.search(key))
    ]
    if not found:
        return False
    if not _named_by_table(action):
        return True
    return any(_may_name(key[: match.start()], match.group(1), action.types) for key, match in found)


def _named_by_table(action: ActionPlan) -> bool:
    """Whether the SDK table's templates read every variable of every type of the action from request
    parameters (not a constant ``*``, nor the variable's own name where the table says nothing)."""
    read = {v.name for v in action.var_maps if v.refs and not v.default}
    return bool(action.types) and all(t.variables and t.variables <= read for t in action.types)


# Suffixes and nouns of parameters that name a resource of any type ("ResourceArn: The ARN of the
# resource", "SourceArn", a copy's "Destination...", "TargetId", AppStream's "AssociatedResource"), as
# ``plans.identifier_parameters`` reads them, and the words of a variable that say nothing of its type.
_ANY_TYPE = frozenset({"resource", "resources", "target", "targets", "source", "destination"})
_PLAIN_WORDS = frozenset({"name", "names", "id", "ids", "arn", "identifier", "resource", "instance"})
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _may_name(noun: str, suffix: str, types: tuple[ResourceType, ...]) -> bool:
    """Whether a naming parameter (``subnet`` + ``Ids``; ``""`` + ``Name``) may name one of ``types``: a
    generic one may; a specific one only when its noun and a type's key, or a word of a type's variables,
    hold one another (``sourceBackup`` and ``backup``; ``hostedZone`` and ``hostedzone``). Matched loosely
    on purpose: a parameter wrongly kept only keeps the finding."""
    words = {word.lower() for word in _WORD.findall(noun)}
    if not words or suffix.lower() in _ANY_TYPE or words & _ANY_TYPE:
        return True
    spelled = squashed(noun)
    for resource_type in types:
        terms = {squashed(resource_type.key), *re.split(r"[-_ ]", resource_type.key.lower())}
        for variable in resource_type.variables:
            terms.update(w.lower() for w in _WORD.findall(variable) if w.lower() not in _PLAIN_WORDS)
        if any(term and (term in spelled or spelled in term) for term in terms):
            return True
    return False


def _constant_required(types: tuple[ResourceType, ...], ctx: Context, *, named: bool) -> list[str]:
    """The required types' ARNs when each is one fixed resource of the call's region (and account), its
    format without variables or wildcards (Glue's ``catalog`` for GetDataCatalogEncryptionSettings, Amazon
    Location's ``provider/default``): the call's exact grant, which the record need not name. The action's
    other, optional types count only when the request ``named`` something: it may name one of them in a
    form the mapper does not read (Glue GetCatalog's nested catalog); a request that names nothing acts on
    the fixed resource alone (Glue PutResourcePolicy without ResourceArn sets the Data Catalog's policy:
    "ResourceArn: Do not use. For internal use only", Glue API reference). [] when a required type has a
    variable, a wildcard or is not regional (STS AssumeRoot's ``iam::${Account}:root`` is the member
    account's root the request names, not the caller's: ``_per_account_required`` in that account), or
    the action has no required type: the caller writes ``*`` and says why."""
    required = [t for t in types if t.required]
    if not fixed_required(types) or (named and any(not fixed_resource(t) for t in types)):
        return []
    base = {"Partition": ctx.partition, "Region": ctx.region, "Account": ctx.account}
    return sorted({t.fill(base) for t in required})


def _per_account_required(types: tuple[ResourceType, ...], ctx: Context) -> list[str]:
    """The required types' ARNs when each is the one resource of its kind in an account (a format of one
    ARN with no variable but the account, no wildcard), in ``ctx``'s account; else []."""
    required = [t for t in types if t.required]
    if not required or any(
        t.variables or "*" in t.arn_format or len(t.formats) > 1 or "${Account}" not in t.arn_format
        for t in required
    ):
        return []
    base = {"Partition": ctx.partition, "Region": ctx.region, "Account": ctx.account}
    return sorted({t.fill(base) for t in required})


def _completed(action: ActionPlan, listed: list[str], built: list[str]) -> list[str]:
    """``resources[]`` plus the request's ARNs of the types it lists none of: it names the identity SES
    checked (never replaced by the request's address and domain), and the request may name a
    configuration set or template beside it."""
    listed_types = [t for t in action.types if any(t.matches(arn) for arn in listed)]
    extra = [arn for arn in built if not any(t.matches(arn) for t in listed_types)]
    return sorted({*listed, *extra})


def _with_whole_types(
    types: tuple[ResourceType, ...],
    built: list[str],
    ctx: Context,
    requested: dict[str, list[str]],
    unnamed: bool = False,
) -> list[str]:
    """The ARNs the request named, and every resource of each required type it named nothing of in the
    call's account and region, inside the parents it did name (``domain/D/case/*`` beside ``domain/D``;
    ``pg:*`` for an RDS cluster whose parameter group was left to its default); a type the request names
    by some of its variables only gets ``*`` for the others (a Kinesis video stream's name without the
    creation time its ARN ends in: ``stream/NAME/*``; an MQ broker by id, ``broker:*:ID``). The call keeps
    the resources it named instead of falling back to ``*`` for all, and the mapper says which types were
    not named whole. Returns the ARNs added; [] when nothing of a missing type is known, and when one of
    them cannot be written as one ARN (or, unless ``unnamed``, when the request named none of them). A
    required type that is one fixed resource (``fixed_resource``: Glue's ``catalog``) is that of the account
    and region the request named its other resources in: a ResourceArn naming a database gets its catalog.
    A parent the ARN of a child holds whole is that parent (``_parents_in``), not every one of its type."""
    known = _variables_named(types, built)
    base = {"Partition": ctx.partition, "Region": ctx.region, "Account": ctx.account}
    added: list[str] = []
    asked = False  # whether a value of the request went into what is added
    for resource_type in types:
        if not resource_type.required or any(resource_type.matches(arn) for arn in built):
            continue
        if fixed_resource(resource_type):
            added.append(resource_type.fill(_home(built, base)))
            continue
        if not resource_type.variables or len(resource_type.formats) > 1:
            return []
        above = _parents_in(resource_type, types, built)
        if above:
            added.extend(above)
            asked = True
            continue
        own = resource_type.own_variables
        # each value of a list (``SnapshotIdentifierList``) is one resource; of two lists, which value goes
        # with which is unknown, so neither is read
        several = [v for v in resource_type.variables if len(requested.get(v, [])) > 1]
        spread = several[0] if len(several) == 1 else None
        given = {v: found[0] for v in resource_type.variables if len(found := requested.get(v, [])) == 1}
        for value in requested[spread] if spread is not None else [""]:
            values = {
                v: (value if v == spread else given.get(v)) or ("*" if v in own else known.get(v, "*"))
                for v in resource_type.variables
            }
            for narrow in types:  # a parent named in a child's ARN (the device's global network)
                naming = _naming(resource_type, narrow) if any(narrow.matches(a) for a in built) else None
                if naming is not None and naming in known:
                    values = {v: known[naming] for v in resource_type.variables}
            added.append(resource_type.fill({**base, **values}))
        asked = asked or spread is not None or any(v in given for v in resource_type.variables)
    if not added or not (built or asked or unnamed):
        return []
    return added if _covers_required(types, [*built, *added]) else []


def _partly_named(
    types: tuple[ResourceType, ...], ctx: Context, requested: dict[str, list[str]]
) -> list[str]:
    """For an action whose types are all optional (it is authorized on whichever the request names), each
    type the request names by some of its variables, the others ``*``: CloudFormation's DescribeEvents
    takes "StackName: The name or unique stack ID for which you want to retrieve events" (CloudFormation
    API Reference), and a stack's ARN ``stack/${StackName}/${Id}`` ends in an id the name does not give,
    so a name is ``stack/NAME/*``, as the SDK table writes for DescribeStackEvents (its ``Id`` template is
    ``*``). ``_with_whole_types`` does this for required types only; an optional type left out of it was
    ``*`` for the whole call. Only a type named by its own name (``<Type>Name``) whose one missing
    variable is its own, the id the service generates: an optional type's other variables may be a filter
    or a parent the call is not authorized on (SSM's ``ResourceId`` of a ``ResourceType`` the call names
    apart), which ``*`` would widen to every resource under it. A variable given several values (a list)
    is not guessed at."""
    base = {"Partition": ctx.partition, "Region": ctx.region, "Account": ctx.account}
    added: list[str] = []
    for resource_type in types:
        if resource_type.required or len(resource_type.formats) > 1:
            continue
        key = squashed(resource_type.key)
        given = {v: found[0] for v in resource_type.variables if len(found := requested.get(v, [])) == 1}
        missing = resource_type.variables - given.keys()
        if (
            len(missing) != 1
            or not missing <= resource_type.own_variables
            or any(len(requested.get(v, [])) > 1 for v in resource_type.variables)
            or not any(squashed(v.removesuffix("Name")) == key for v in given if v.endswith("Name"))
        ):
            continue
        added.append(resource_type.fill({**base, **given, **dict.fromkeys(missing, "*")}))
    return added


def _parents_in(resource_type: ResourceType, types: tuple[ResourceType, ...], arns: list[str]) -> list[str]:
    """The resources of ``resource_type`` the ARNs of the action's other types hold whole, as parents: every
    variable of it at a place of their format other than its own (last) one, in the child's partition,
    region and account. An ECS service deployment's ``service-deployment/CLUSTER/SERVICE/ID`` (ECS API
    Reference, "serviceDeploymentArn") is one of ``service/CLUSTER/SERVICE``, which DescribeServiceDeployments
    is authorized on too; it was granted ``service/CLUSTER/*``, said. Only where the type's own variable is
    named after it (``ServiceName`` of ``service``, ``PortalId`` of ``portal``): a variable name two types
    merely share is no parent (Cloud Directory's applied schema ``directory/D/schema/NAME/VERSION`` holds
    a ``SchemaName``, and is not inside the ``developmentschema`` of that name). [] when no ARN holds it
    whole."""
    key = squashed(resource_type.key)
    if any(squashed(_VARIABLE_SUFFIX.sub("", v)) != key for v in resource_type.own_variables):
        return []
    out: dict[str, None] = {}
    for child in types:
        if child is resource_type or not resource_type.variables < child.variables:
            continue
        for alternative in child.alternatives():
            pattern, names = format_groups(alternative.arn_format)
            if not names or names[-1] in resource_type.variables or not resource_type.variables <= set(names):
                continue  # the parent's variables all before the child's own one
            for arn in arns:
                match = pattern.fullmatch(arn)
                if match is None:
                    continue
                partition, _, region, account = arn.split(":", 5)[1:5]
                values = dict(zip(names, match.groups(), strict=True))
                filled = resource_type.fill(
                    {**values, "Partition": partition, "Region": region, "Account": account}
                )
                if resource_type.matches(filled):
                    out[filled] = None
    return list(out)


def _home(arns: list[str], base: dict[str, str]) -> dict[str, str]:
    """``base`` (the call's partition, region and account) with the region and account the ARNs all name,
    where they name one: a catalog is the one of the database named, in another account too."""
    homes = {tuple(arn.split(":", 5)[3:5]) for arn in arns}
    if len(homes) != 1:
        return base
    region, account = next(iter(homes))
    return {**base, "Region": region or base["Region"], "Account": account or base["Account"]}


def _request_values(action: ActionPlan, params: Mapping[str, Any], ctx: Context) -> dict[str, list[str]]:
    """The variables the request gives plain values for (by its templates or identifier parameters; each of
    a list), for a type it could not fill whole; not those given for some types only (``VarMap.types``)."""

    def lookup(path: str) -> Values:
        found = lookup_path(params, path)
        return [escape(v) for v in found] if found else found

    out: dict[str, list[str]] = {}
    for var in action.var_maps:
        if not var.refs or var.normaliser is not None or var.types is not None:
            continue
        if var.condition and not var.condition(params):
            continue
        values = var.template(lookup) or []
        if values and all(_plain(v) for v in values):
            out[var.name] = list(dict.fromkeys(values))
    for name, variable in action.identifiers:
        if not variable or variable in out or name.endswith(ARN_SUFFIXES):
            continue
        found = _identified(params, name, variable) or []
        if found and all(_plain(v) for v in found):
            out[variable] = list(dict.fromkeys(found))
    for name, _, variable in action.borrowed:  # for one type, so only a variable no other type has
        if variable in out or sum(variable in t.variables for t in action.types) > 1:
            continue
        found = lookup_path(params, name) or []
        if found and all(isinstance(v, str) and _plain(v) for v in found):
            out[variable] = list(dict.fromkeys(escape(v) for v in found))
    return out


def _plain(value: str) -> bool:
    """A name or id that can stand for one variable (not an ARN or a qualified name: those hold ``:``)."""
    return value not in ("", "*") and ":" not in value


def _variables_named(types: tuple[ResourceType, ...], arns: list[str]) -> dict[str, str]:
    """Each variable the ARNs give one value for (a parent's id in every format that holds it)."""
    seen: dict[str, set[str]] = {}
    for resource_type in types:
        for alternative in resource_type.alternatives():
            pattern, names = format_groups(alternative.arn_format)
            for arn in arns:
                match = pattern.fullmatch(arn)
                if match is None:
                    continue
                for name, value in zip(names, match.groups(), strict=True):
                    if name not in CONTEXT_VARIABLES:
                        seen.setdefault(name, set()).add(value)
    return {name: next(iter(values)) for name, values in seen.items() if len(values) == 1}


def in_owner_account(action: str, context: Callable[[], Context]) -> Callable[[], Context]:
    """The record's context in the account the action's namespace writes its ARNs under when that is not
    the caller's (``OWNER_ACCOUNTS``: an organization's management account), else as it is."""
    owner = OWNER_ACCOUNTS.get(action.partition(":")[0])
    return context if owner is None else _in_account(context, owner)


def _in_account(context: Callable[[], Context], account: str) -> Callable[[], Context]:
    return lambda: replace(context(), account=account)


def named_account(value: Any) -> str:
    """The account a parameter names: a 12-digit id, or the account of an ARN (STS AssumeRoot's
    ``TargetPrincipal``, "The member account principal ARN or account ID"); else ""."""
    if isinstance(value, str) and len(value) == 12 and value.isdigit():
        return value
    return arn_account(value)


def _in_named_account(context: Callable[[], Context], account: Any) -> Callable[[], Context]:
    """The record's context with the account a parameter names (ECR's registryId, Glue's CatalogId)."""
    named = named_account(account)
    if not named:
        return context
    return lambda: replace(context(), account=named)


def given_by(
    action: ActionPlan, params: Mapping[str, Any], context: Callable[[], Context], keys: frozenset[str]
) -> set[str]:
    """The ARNs the request's parameters ``keys`` (as the record spells them) give the action: those built
    with them and not without them. What one parameter names, among the several an entry reads for one
    type (CopyDBSnapshot's ``%%many%${SourceDBSnapshotIdentifier}%${TargetDBSnapshotIdentifier}%%``)."""
    if not keys.intersection(params):
        return set()
    ctx = _action_context(action, params, context)()
    without = {name: value for name, value in params.items() if name not in keys}
    return set(from_parameters(action, params, ctx)[0]).difference(from_parameters(action, without, ctx)[0])


def _action_context(
    action: ActionPlan, params: Mapping[str, Any], context: Callable[[], Context]
) -> Callable[[], Context]:
    """The record's context in the account the action's ARNs are in: its namespace's owner account, or the
    one a parameter names."""
    if action.owner_account is not None:
        context = _in_account(context, action.owner_account)
    if action.account_parameter is not None:
        context = _in_named_account(context, get_field(params, action.account_parameter))
    return context


def given_arns(action: ActionPlan, params: Mapping[str, Any]) -> list[str]:
    """The ARNs the request's parameters give whole (an ARN, or a list of them) that have the shape of one
    of the action's types, whatever the parameter is called: the resource the call names, where neither the
    table nor the readings after the type's noun know the parameter (IAM GetHumanReadableSummary's
    ``EntityArn`` of a delegation request, CloudFront KeyValueStore's ``KvsARN``, Bedrock
    GetDataAutomationStatus's ``InvocationArn``, S3 Control's ``Mrap``, "The Multi-Region Access Point
    ARN"). Only ARNs of the action's own types (an execution role's or a KMS key's ARN fits none of them),
    and only where nothing else named the resource: read after every other reading, before ``*``. Not for
    a call that creates its types (``ActionPlan.creates``): an ARN of the type it is given there is another
    resource (a copy's source), not the one it makes. Nor for a call of several actions (KMS ReEncrypt's
    ``ReEncryptFrom`` and ``ReEncryptTo`` both take a key): which action an ARN is for is unsaid, and the
    destination key's ARN is not the source's. ``plans.memo_key`` keys on every such value."""
    found: list[str] = []
    for value in params.values():
        if not holds_arn(value):
            continue
        for item in value if value.__class__ is list else (value,):
            if item.__class__ is str and item.startswith("arn:"):
                found.append(escape(item))
    return _fitting(action.types, found) if found else []


def from_parameters(action: ActionPlan, params: Mapping[str, Any], ctx: Context) -> tuple[list[str], bool]:
    """ARNs built from request parameters, and whether any parameter the templates read was present."""

    def lookup(path: str) -> Values:
        if path == "Partition":
            return [ctx.partition]
        if path == "Region":
            return [ctx.region]
        if path == "Account":
            return [ctx.account]
        found = lookup_path(params, path)
        return [escape(v) for v in found] if found else found

    if action.resolver is not None:
        resolved = action.resolver(action.action, params, ctx)
        if resolved is not None:
            return _fitting(action.types, resolved), True
    out: list[str] = []
    referenced = False
    overridden = False  # the override named the call's resource from the record's parameters
    if action.override is not None:
        values = action.override(lookup)
        if values is not None and action.override_refs:
            referenced = referenced or any(values)
            overridden = any(values)
        elif values and any(t.matches(v) for v in values for t in action.types):
            # a constant override of one of the action's types is the call's resource as well: API
            # Gateway's CreateDomainName is POST on /domainnames, not on the new name's /apimappings
            overridden = True
        for value in values or ():
            if value == "*":
                return [], referenced
            if value.startswith("arn:"):
                out.append(_spliced(value, action.types))
    for resource_type, template in action.arn_maps:
        for value in template(lookup) or ():
            referenced = True
            value = _spliced(value, action.types)
            if resource_type.matches(value):
                out.append(value)
    if (
        action.var_maps or action.identifiers or action.typed_names or action.borrowed or action.children
    ) and not overridden:
        # an override filled from the record names the call's resource; filling every format from the same
        # variables as well would add API Gateway's /restapis/ID/authorizers, /models, ... (and an override
        # whose ARN has no type in the reference leaves the resource undetermined: ``*``, said)
        built, used = _fill_formats(action, params, ctx, lookup)
        referenced = referenced or used
        out.extend(built)
    return _fitting(action.types, [arn for arn in out if not _other_node(arn, action)]), referenced


def _spliced(value: str, types: tuple[ResourceType, ...]) -> str:
    """An ARN a template built around a parameter that was itself an ARN (CloudTrail's GetChannel takes
    "Channel: The ARN or a GUID", and the table writes ``arn:...:channel/${Channel}``): the parameter's ARN
    when it has one of the action's types' shape, not the ARN nested in another. An ARN whose format holds
    another ARN by design (API Gateway's ``/tags/${ResourceArn}``) stays whole: the inner one fits none."""
    inner = value.find("arn:", 1)
    if inner > 0 and any(t.matches(value[inner:]) for t in types):
        return value[inner:]
    return value


# SSM names a node by id, an EC2 instance ``i-...`` or a managed node ``mi-...``, and its actions take either
# type (``rules.SSM_NODE_IDS``): the table writes both from one id, which fills only its own
_NODE_ARNS = tuple(
    (re.compile(f"arn:[^:]*:{service}:[^:]*:[^:]*:{resource}"), re.compile(f"{pattern}$"))
    for service, resource, pattern in SSM_NODE_IDS.values()
)


def _other_node(arn: str, action: ActionPlan) -> bool:
    """Whether the ARN is a node of an action that takes either node type whose id is not of the type's
    shape (``instance/mi-...``, or an id of neither shape, which names no node)."""
    if not action.either_node:
        return False
    for place, pattern in _NODE_ARNS:
        if (found := place.match(arn)) is not None:
            return pattern.match(arn, found.end()) is None
    return False


def _fill_formats(
    action: ActionPlan, params: Mapping[str, Any], ctx: Context, lookup: Callable[[str], Values]
) -> tuple[list[str], bool]:
    """Fill the action's ARN formats with the variables the templates resolve.

    A template that reads no parameter (a constant such as ``*``) only completes an ARN whose other
    variables came from the record (``stack/orders-prod/*``: the stack's generated id); alone it resolves
    nothing, since the table's constants would otherwise widen a policy to every resource of a type
    without the record saying so. Types whose variables are a strict subset of another filled type's
    (``table`` under ``index``) are left out: the call named the narrower resource.
    """
    values: dict[str, list[str]] = {}
    scoped: dict[str, dict[str, list[str]]] = {}  # type key -> its own values of variables other types share
    constants: dict[str, list[str]] = {}
    ready: list[str] = []  # complete ARNs from normalisers
    normalised: set[str] = set()  # the variables they filled: no other parameter names those again
    referenced = False
    for var in action.var_maps:
        if var.condition is not None and not var.condition(params):
            continue
        if not var.refs:
            constants[var.name] = var.template(lookup) or []
            continue
        if var.normaliser is not None:
            for ref in var.refs:
                raw = lookup_path(params, ref)
                if raw:
                    referenced = True
                    normalised.add(var.name)
                    ready.extend(a for v in raw for a in var.normaliser(escape(v), ctx, params))
            continue
        resolved = var.template(lookup)
        if resolved:
            referenced = True
            if var.types is None:
                values[var.name] = resolved
            for key in var.types or ():
                scoped.setdefault(key, {})[var.name] = resolved
    # what the table's own entries read comes first; a variable's same-name parameter does not
    templated = {var.name for var in action.var_maps if not var.default} & values.keys()
    identified: list[str] = []  # ARNs the identifiers give: whole resources, never parts of one
    homes: set[tuple[str, str]] = set()  # (region, account) of the parents given by ARN
    for name, variable in action.identifiers:
        found = (
            _identified(params, name, variable)
            if variable not in values and variable not in normalised
            else None
        )
        if found:
            referenced = True
            arns = [v for v in found if v.startswith("arn:")]
            identified.extend(arns)
            parents = _parent_names(action, variable, arns)
            homes.update((region, account) for _, region, account in parents)
            names = [v for v in found if not v.startswith("arn:")] + [name for name, _, _ in parents]
            if names:
                values[variable] = names
    for name, variable, arn_format in action.children:
        found = lookup_path(params, name) if variable not in values and variable not in normalised else None
        if found:
            referenced = True
            arns = [escape(v) for v in found if v.startswith("arn:")]
            identified.extend(_parents_held(action.types, variable, arn_format, arns))
    for name, resource_type in action.typed_names:
        own = own_variable(resource_type)
        found = lookup_path(params, name) if own not in templated else None
        if found and own is not None:
            referenced = True
            if names := [escape(v) for v in found if _plain(v)]:
                scoped.setdefault(resource_type.key, {}).setdefault(own, names)
            # "The Amazon Resource Name (ARN) or name of the Provisioned Throughput" (Bedrock's
            # provisionedModelId): an ARN is the resource itself, kept when it has one of the types' shape
            identified.extend(escape(v) for v in found if v.startswith("arn:"))
    # how the table's other methods name a variable nothing above gave a value
    for name, key, variable in action.borrowed:
        if variable in values or variable in scoped.get(key, {}):
            continue
        found = lookup_path(params, name)
        if found:
            referenced = True
            if names := [escape(v) for v in found if _plain(v)]:
                scoped.setdefault(key, {})[variable] = names
    if not identified and not any(v.startswith("arn:") for column in values.values() for v in column):
        for parameter, variable, value in action.defaults:  # what the API assumes when the request names none
            if variable not in values and get_field(params, parameter) in (None, "", [], {}):
                values[variable] = [value]
    out: list[str] = [arn for arn in ready if any(t.matches(arn) for t in action.types)]
    usable = values.keys() | {name for name, v in constants.items() if v}
    candidates = [alt for t in action.types for alt in t.alternatives()]  # one per ARN format
    filled = [
        t
        for t in candidates
        if t.variables & (values.keys() | scoped.get(t.key, {}).keys())
        and t.variables <= usable | scoped.get(t.key, {}).keys()
    ]
    filled = [t for t in filled if not any(_inside(other, t) for other in filled)]
    merged = {**constants, **values}
    if len(homes) == 1:
        # a child lives where its parent does: a VPC Lattice service another account shares through RAM
        # names its listeners in that account, not the caller's
        region, account = next(iter(homes))
        ctx = replace(ctx, region=region or ctx.region, account=account or ctx.account)
    for resource_type in filled:
        out.extend(_fill_one(resource_type, {**merged, **scoped.get(resource_type.key, {})}, ctx, candidates))
    if filled:
        # a required type without variables (Glue's ``catalog``) is the one of the account and region
        # the call named its other resources in
        base = {"Partition": ctx.partition, "Region": ctx.region, "Account": ctx.account}
        out.extend(t.fill(base) for t in candidates if t.required and not t.variables)
    columns = [*values.values(), *(column for per in scoped.values() for column in per.values())]
    given = [v for column in columns for v in column if v.startswith("arn:")] + identified
    if given:
        # an ARN given for a variable is the resource itself when it has a format's whole shape (a
        # consumer's ARN as ConsumerARN, a table's as TableName), unless the call named something
        # narrower inside it (a table's ARN with an IndexName: the index, from ``_fill_one``)
        kept = [t for t in candidates if not any(_inside(f, t) for f in filled)]
        out.extend(v for v in given if any(t.matches(v) for t in kept))
    return out, referenced


def _parent_names(action: ActionPlan, variable: str, arns: list[str]) -> list[tuple[str, str, str]]:
    """The variable's value in each ARN of a type it is the own variable of (``ActionPlan.parents``), with
    that ARN's region and account: the cluster's name in an ECS cluster's ARN given as ``cluster``."""
    names: list[tuple[str, str, str]] = []
    for wanted, arn_format in action.parents if arns else ():
        if wanted == variable:
            names.extend(_held(arn_format, variable, arns))
    return names


def _parents_held(
    types: tuple[ResourceType, ...], variable: str, arn_format: str, arns: list[str]
) -> list[str]:
    """The parent each child ARN of ``arn_format`` holds, of the types ``variable`` is the one variable of
    (``ActionPlan.children``), each in its own child's partition, region and account: two reports of two
    accounts name two report groups, one in each (not both in the call's, as one set of names would)."""
    pattern, names = format_groups(arn_format)
    owners = [t for t in types if t.variables == {variable}]
    out: list[str] = []
    for arn in arns:
        match = pattern.fullmatch(arn)
        if match is None:
            continue
        partition, _, region, account = arn.split(":", 5)[1:5]
        value = match.group(names.index(variable) + 1)
        base = {"Partition": partition, "Region": region, "Account": account}
        out.extend(t.fill({**base, variable: value}) for t in owners)
    return out


def _held(arn_format: str, variable: str, arns: list[str]) -> list[tuple[str, str, str]]:
    """The variable's value in each ARN of the format, with that ARN's region and account."""
    pattern, variables = format_groups(arn_format)
    names: list[tuple[str, str, str]] = []
    for arn in arns:
        match = pattern.fullmatch(arn)
        if match is not None:
            parts = arn.split(":", 5)
            names.append((match.group(variables.index(variable) + 1), parts[3], parts[4]))
    return names


def _identified(params: Mapping[str, Any], name: str, variable: str) -> list[str] | None:
    """A variable's values from a parameter that names the resource another way (``identifier_parameters``):
    ARNs from any of them (the caller keeps those of a format's shape), names from all but an ``...Arn``
    and those paired with no variable (one that holds no ARN names nothing)."""
    found = lookup_path(params, name)
    if not found:
        return None
    by_name = bool(variable) and not name.endswith(ARN_SUFFIXES)
    return [escape(v) for v in found if by_name or v.startswith("arn:")]


def _fill_one(
    resource_type: ResourceType,
    values: dict[str, list[str]],
    ctx: Context,
    formats: list[ResourceType],
) -> list[str]:
    names = sorted(resource_type.variables)
    columns = [values[n] for n in names]
    out: list[str] = []
    if len(names) == 1:  # an ARN given as the name is kept by the caller when it has the format's shape
        columns = [[v for v in columns[0] if not v.startswith("arn:")]]
    elif any(v.startswith("arn:") for column in columns for v in column):
        # an ARN where one name of several belongs: a table's ARN as TableName with an IndexName (DynamoDB
        # takes either), or an access point given as Bucket, which builds nothing (never garbage)
        return _under_arn(resource_type, values, formats)
    base = {"Partition": ctx.partition, "Region": ctx.region, "Account": ctx.account}
    for combination in _product(columns):
        out.append(resource_type.fill({**base, **dict(zip(names, combination, strict=True))}))
    return out


def _under_arn(
    resource_type: ResourceType, values: dict[str, list[str]], formats: list[ResourceType]
) -> list[str]:
    """A narrower format's ARNs under a broader resource given by ARN: the broader format is the start of
    this one and ends with the variable the ARN was given for (``table/${TableName}`` of
    ``table/${TableName}/index/${IndexName}``), so the ARN stands for that start (with its own partition,
    region and account) and the other variables fill the rest."""
    out: list[str] = []
    for broader in formats:
        if len(broader.variables) != 1 or broader.arn_format == resource_type.arn_format:
            continue
        (variable,) = broader.variables
        if not (
            resource_type.arn_format.startswith(broader.arn_format)
            and broader.arn_format.endswith("${" + variable + "}")
        ):
            continue
        arns = [v for v in values.get(variable, ()) if v.startswith("arn:") and broader.matches(v)]
        rest = sorted(resource_type.variables - {variable})
        columns = [values[n] for n in rest]
        if not arns or any(v.startswith("arn:") for column in columns for v in column):
            continue
        for combination in _product(columns):
            filled = resource_type.fill(
                {
                    "Partition": "",
                    "Region": "",
                    "Account": "",
                    variable: "\0",
                    **dict(zip(rest, combination, strict=True)),
                }
            )
            out.extend(arn + filled[filled.index("\0") + 1 :] for arn in arns)
    return [arn for arn in out if resource_type.matches(arn)]


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


def _covers(narrow: ResourceType, broad: ResourceType) -> bool:
    """Whether an ARN of ``narrow`` stands for ``broad`` too, a type with no variable ``narrow`` lacks: the
    same resource in another format, a resource inside it (``table/${TableName}/index/${IndexName}``
    inside ``table/${TableName}``: a Query on the index is authorized on the index), or a type that only
    shares a variable name for something else (``attachment/${ResourceId}`` beside
    ``link/${GlobalNetworkId}/${ResourceId}``). Not ``broad`` when it is ``narrow``'s parent
    (``_parent``: ``global-network/${ResourceId}`` of that link): that is another resource the call is
    checked on."""
    if broad.made and broad.key != narrow.key and broad.variables == narrow.variables:
        return False  # what the call makes is not a sibling it names (FIS StartExperiment's template)
    return narrow.variables >= broad.variables and not _parent(broad, narrow)


def _inside(narrow: ResourceType, broad: ResourceType) -> bool:
    """Whether ``narrow`` names something more precise than ``broad`` that the call is authorized on
    instead of it: ``broad`` is then left out of what the call's parameters fill."""
    return narrow.variables > broad.variables and not _parent(broad, narrow)


def _parent(broad: ResourceType, narrow: ResourceType) -> bool:
    """Whether ``broad`` is a resource ``narrow`` belongs to and a call on ``narrow`` is checked on as well:
    named in ``narrow``'s ARN by a variable other than ``narrow``'s own last one, without ``narrow``'s
    format continuing ``broad``'s (Glue's ``database/${DatabaseName}`` and the variable-less ``catalog``
    of ``table/${DatabaseName}/${TableName}``: "to grant Get permission to a table that permission to the
    catalog and database resources is also required", AWS Glue Developer Guide, identity-based policy
    examples)."""
    if not broad.variables < narrow.variables:
        return False
    narrow_formats = narrow.formats or (narrow.arn_format,)
    broad_formats = broad.formats or (broad.arn_format,)
    if any(mine.startswith(theirs) for mine in narrow_formats for theirs in broad_formats):
        return False
    # a generic own variable shared by name only: ``device/${GlobalNetworkId}/${ResourceId}`` names its
    # ``global-network/${ResourceId}`` by the global network's noun
    return narrow.own_variables.isdisjoint(broad.variables) or _naming(broad, narrow) is not None


def _naming(broad: ResourceType, narrow: ResourceType) -> str | None:
    """The variable of ``narrow``'s ARN that holds ``broad``'s generic own id or name (``GlobalNetworkId``
    of a device for ``global-network/${ResourceId}``), if there is one."""
    own = generic_own_variable(broad)
    if own is None or len(broad.variables) != 1:
        return None
    kind = "Id" if own.endswith("Id") else "Name"
    key = squashed(broad.key)
    return next(
        (
            v
            for v in sorted(narrow.variables - narrow.own_variables)
            if v.endswith(kind) and squashed(v[: -len(kind)]) == key
        ),
        None,
    )


def _required_patterns(types: tuple[ResourceType, ...]) -> tuple[tuple[re.Pattern[str], ...], ...]:
    """Per required type, the patterns of the types that satisfy it (itself and those that cover it).
    Keyed by identity (the reference hands out one tuple per action); the entry holds the tuple, so its
    id cannot be reused while cached."""
    known = _REQUIRED.get(id(types))
    if known is None or known[0] is not types:
        patterns = tuple(
            tuple(u.pattern for u in types if _covers(u, required)) for required in types if required.required
        )
        known = _REQUIRED[id(types)] = (types, patterns)
    return known[1]


def _covers_required(types: tuple[ResourceType, ...], arns: list[str]) -> bool:
    """Every resource type the reference marks required for the action is matched by some ARN; else a
    policy naming only the ARNs we found would refuse the very call it was made from. A narrower type
    covers a required one it lies inside (``_covers``): a Query on an index names ``table/T/index/I``, not
    ``table/T``; a Glue table does not cover its database."""
    for patterns in _required_patterns(types):
        if not any(pattern.fullmatch(arn) is not None for pattern in patterns for arn in arns):
            return False
    return True
