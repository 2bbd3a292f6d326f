"""``EventMapper``: one CloudTrail record -> the IAM actions it needed and the resources it touched.

The rules (docs/mapping.md explains them with examples):
- eventSource -> IAM namespace through iam-dataset's CloudTrail table and ``EVENT_SOURCE_NAMESPACES``;
  unknown sources fall back to the host name without ``.amazonaws.com`` only if the reference has that
  namespace.
- eventName -> actions: version suffixes stripped (``GetFunction20150331v2``,
  ``CreateDistribution2020_05_31``), then the curated table (``rules.py``), then iam-dataset's SDK-method
  table (which knows that ``ListObjectsV2`` is ``s3:ListBucket``), then the reference itself
  (``namespace:EventName`` when that action exists). Nothing else: an event with no real action is
  ``unmapped`` and never guessed.
- Resources: ARNs from ``resources[]`` and from ``requestParameters`` through the reference's ARN formats,
  in the event's partition, region and account (``fill.py``). An action that takes resources but whose
  resources this record does not determine gets ``*`` and says so in ``reason``.

The mapper is built once and shared; the per-(eventSource, eventName) plan is compiled on first sight and
cached (``plans.py``), so ``map`` does a dict lookup and fills a few precompiled templates per record.
Results are memoised on exactly the parameters the plan declares it reads.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from policygen_operator.domain.iam.mapping import links
from policygen_operator.domain.iam.mapping.fill import (
    action_arns,
    every_asked,
    given_by,
    in_owner_account,
    lists_every,
    unnamed_in,
)
from policygen_operator.domain.iam.mapping.plans import (
    PASS_ROLE,
    TAG_KEYS,
    ActionPlan,
    Plan,
    carries_tags,
    choose,
    compile_plan,
    labelled,
    memo_key,
    passed_roles,
    source_noun,
    unwrapped,
)
from policygen_operator.domain.iam.mapping.records import (
    Context,
    MappedEvent,
    arn_spelled,
    arns_decoded,
    context_of,
    denied_resource,
    is_denied,
    listed_resources,
    parameters,
    refused_entity,
    undetermined,
    widened,
    with_response_defaults,
    writable,
)
from policygen_operator.domain.iam.mapping.resolvers import (
    LOG_GROUP_TAG_ACTIONS,
    eks_entry_readings,
    glue_catalog_path,
    in_nested_catalog,
    log_group_spellings,
    region_in,
    role_arns,
    routed_models,
    spelled,
)
from policygen_operator.domain.iam.mapping.rules import (
    ABSENT_KEY_LISTED,
    ARN_SPELLINGS,
    AUTHENTICATION_FAILURES,
    AUTHORIZED_UNQUALIFIED,
    CHECKED_TYPES,
    CREATED_TYPES,
    GRANTED_UNSEEN,
    IGNORED_EVENT_TYPES,
    LISTED_IN_ORDER,
    MADE_IN_REGION,
    NOT_GRANTED,
    OTHER_API_READINGS,
    RESOURCE_WIDE,
    RESPONSE_DEFAULTS,
    ROUTED_MODEL_KEYS,
    THROTTLING_FAILURES,
    UNDETERMINED_CAUSES,
    UNNAMED_TYPES,
)
from policygen_operator.domain.iam.reference import (
    CONTEXT_VARIABLES,
    Reference,
    ResourceType,
    format_groups,
    load_reference,
    squashed,
)
from policygen_operator.domain.iam.templates import get_field, lookup_path

_MEMO_LIMIT = 1 << 13  # about 6 MB at ~700 bytes an entry; cleared when full, so memory stays flat


class EventMapper:
    """Maps CloudTrail records to IAM actions and resources. Build once, share freely (read-only after
    warm-up; the plan cache only grows and each entry is immutable)."""

    def __init__(self, reference: Reference | None = None, *, resource_level: bool = True) -> None:
        self._ref = reference or load_reference()
        self._resource_level = resource_level
        self._plans: dict[tuple[str, str], Plan] = {}
        # Records that agree on everything a plan reads give the same result: most traffic repeats a few
        # calls on a few resources, so this turns the template work into one dict lookup.
        self._memo: dict[tuple[Any, ...], MappedEvent] = {}

    @property
    def reference(self) -> Reference:
        return self._ref

    # Calls linked by the ids one returns and the others name their resource by (``links.py``); the scan
    # keeps the ids and asks these.
    linked_keys = links.LINKED_KEYS
    returned_id = staticmethod(links.returned_id)
    returned_key = staticmethod(links.returned_key)
    followed_ids = staticmethod(links.followed_ids)
    linked = staticmethod(links.linked)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as "build another one": compiled plans hold closures, and a worker process loads the
        shipped data once anyway."""
        return (_new_mapper, (self._resource_level,))

    def _plan(self, source: str, name: str) -> Plan:
        plan = self._plans.get((source, name))
        if plan is None:
            plan = self._plans[(source, name)] = compile_plan(self._ref, source, name)
        return plan

    def memo_shape(self, source: str, name: str) -> tuple[list[str], bool, bool, bool] | None:
        """What ``memo_key`` reads of a record of this event beyond its fixed fields, for the scan's native
        reader (``domain/cloudtrail/native.py``), which keys records on the same things and counts a record
        by the reading of an earlier one with its key: the parameters read by name, whether the names of
        unread ones count (``Plan.reads_names``), whether the caller and the response are read. None
        where the reading is more than a memo lookup on those (batch items, a request object under a
        wrapper, the roles a call passes): such records are always read here."""
        plan = self._plan(source, name)
        if plan.batch_items or plan.wrapper is not None or plan.passes_role or plan.unproven_pass_role:
            return None
        return sorted(plan.param_keys), plan.reads_names, plan.reads_caller, plan.key in RESPONSE_DEFAULTS

    def map(self, record: Mapping[str, Any]) -> MappedEvent:
        source = record.get("eventSource") or ""
        name = record.get("eventName") or ""
        event_type = record.get("eventType")
        if event_type in IGNORED_EVENT_TYPES:
            return MappedEvent(
                "ignored", f"{source}:{name}", is_denied(record), IGNORED_EVENT_TYPES[event_type]
            )
        plan = self._plan(source, name)
        denied = is_denied(record)
        code = record.get("errorCode")
        if code and plan.kind == "mapped":
            if code in AUTHENTICATION_FAILURES:
                return MappedEvent(
                    "ignored", plan.key, False, f"authentication failed ({code}): no permission was checked"
                )
            if code in THROTTLING_FAILURES and not parameters(record.get("requestParameters")):
                # the record names no resource: mapped, it would grant the action on "*"
                return MappedEvent("ignored", plan.key, False, _throttled(code))
        if plan.kind != "mapped" or not (self._resource_level or plan.conditional):
            result = plan.refused if denied else plan.allowed
        elif plan.batch_items:
            result = self._resolve_items(plan, record, denied)
            if not self._resource_level:
                result = _actions_only(result)
        else:
            key = memo_key(plan, record, denied)
            memoised = self._memo.get(key)
            if memoised is None:
                if len(self._memo) >= _MEMO_LIMIT:
                    self._memo.clear()
                memoised = self._resolve(plan, record, denied, plan.key)
                if not self._resource_level:
                    memoised = _actions_only(memoised)
                self._memo[key] = memoised
            result = memoised
        if code == "NoSuchKey" and not denied and plan.key in ABSENT_KEY_LISTED:
            return _absent_key_listed(result, self._resource_level)
        return result

    # -- per-record work --

    def _resolve_items(self, plan: Plan, record: Mapping[str, Any], denied: bool) -> MappedEvent:
        """A batch call (``Plan.batch_items``): each object of the request's one list of objects, with the
        request's other parameters, resolved as a call of the single action, and the results joined. The
        Service Authorization Reference's operation table gives such a call the single call's action
        (Deadline's BatchGetSession: deadline:GetSession), checked for each item it names
        ({"identifiers": [{"farmId", "queueId", "jobId", "sessionId"}, ...]}, Deadline API Reference). A
        request with no such list, or several, is resolved whole."""
        params = parameters(record.get("requestParameters"))
        lists = [
            name
            for name, value in params.items()
            if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value)
        ]
        single = replace(plan, batch_items=False)
        if len(lists) != 1:
            return self._resolve(single, record, denied, plan.key)
        rest = {name: value for name, value in params.items() if name != lists[0]}
        results = [
            self._resolve(single, {**record, "requestParameters": {**rest, **item}}, denied, plan.key)
            for item in params[lists[0]]
        ]
        mapped = [r for r in results if r.kind == "mapped"]
        if not mapped:
            return results[0]
        return MappedEvent(
            "mapped",
            plan.key,
            denied,
            next((r.reason for r in mapped if r.reason), ""),
            tuple(dict.fromkeys(use for r in mapped for use in r.uses)),
            tuple(dict.fromkeys(note for r in mapped for note in r.notes)),
        )

    def _resolve(self, plan: Plan, record: Mapping[str, Any], denied: bool, key: str) -> MappedEvent:
        params = arns_decoded(unwrapped(parameters(record.get("requestParameters")), plan.wrapper))
        if denied and not params and plan.key.startswith(_IAM_SOURCE):
            entity = refused_entity(record)  # the entity IAM refused, where CloudTrail left out the request
            if entity is not None:
                params = {entity[0]: entity[1]}
        if plan.labels:
            params = labelled(params, plan.labels)
        if key in RESPONSE_DEFAULTS:
            params = with_response_defaults(key, record, params)
        if (spellings := ARN_SPELLINGS.get(key.partition(":")[0])) is not None:
            params = arn_spelled(params, spellings)
        contexts: list[Context] = []

        def ctx() -> Context:  # only the parameter path needs it; resources[] ARNs carry their own
            if not contexts:
                contexts.append(context_of(record))
            return contexts[0]

        listed = listed_resources(record)
        ordered = LISTED_IN_ORDER.get(key)
        actions = choose(plan, params) if plan.variants else plan.actions
        applicable = [a for a in actions if a.condition is None or a.condition(params)]
        single = len({a.action for a in applicable}) == 1  # resources[] then belongs to that one action
        uses: list[tuple[str, str]] = []
        primaries = {a.action for a in applicable if a.primary}
        unresolved: list[str] = []
        notes: list[tuple[str, str, str]] = []
        refused = denied_resource(record) if denied else None
        refused_action = self._ref.action_name(refused[0]) if refused is not None else None
        tagged_call = bool(plan.tag_actions) and carries_tags(params)  # the tags join the memo key then
        # a Data Catalog call in a catalog other than the account's default one (``in_nested_catalog``)
        catalog = glue_catalog_path(get_field(params, "CatalogId")) if key.startswith("glue.") else None
        for action in applicable:
            own_tag_entry = not action.primary and action.action in plan.tag_actions  # the table's own
            if own_tag_entry and not tagged_call:
                continue  # checked only on tags the request gives (``TAG_ON_CREATE``)
            if not action.types:
                uses.append((action.action, "*"))
                continue
            completed: list[str] = []
            own = listed if ordered is None else _listed_for(ordered, action.action, listed)
            arns = action_arns(action, params, ctx, own, single, completed)
            if arns is None:  # an extra action whose parameters the call did not use
                continue
            every: list[str] = []  # the resources the request named "*", read as every one of the type
            arns = every_asked(action.types, arns, every)
            unqualifying = AUTHORIZED_UNQUALIFIED.get(action.action.partition(":")[0])
            if unqualifying is not None:
                arns = _unqualified(unqualifying, arns)
            if action.action.startswith("logs:") and action.action not in LOG_GROUP_TAG_ACTIONS:
                arns = log_group_spellings(arns)
            if catalog is not None and action.action.startswith("glue:"):
                # a type granted whole (GetDatabases' ``database/*``) stays said in the nested catalog
                wholes = [arn for arn in arns if _whole_type(action.types, arn) is not None]
                arns, unread = in_nested_catalog(arns, catalog)
                if unread:
                    notes.append(_catalog_unread(key, catalog))
                else:
                    completed[:] = in_nested_catalog([*completed, *wholes], catalog)[0]
            if own_tag_entry:  # never on what the call reads (ElastiCache CopySnapshot's source)
                read = given_by(action, params, ctx, _source_keys(primaries, params))
                arns = [arn for arn in arns if arn not in read]
                # nor beside the types its tag specifications name alone (``_on_specified``):
                # StartNetworkInsightsAccessScopeAnalysis' entry names the access scope it reads
                specified = _specified_kinds(params)
                if specified and not _plain_tags(params) and specified <= {t.key for t in action.types}:
                    arns = [a for a in arns if any(t.key in specified and t.matches(a) for t in action.types)]
                if not arns:
                    continue
                on_new = _on_named(arns, primaries, action.types, ctx, whole=False)
                if on_new == []:
                    continue  # only the parent it creates in: the tags go on what it makes (below)
                arns = on_new or arns
            exact = [arn for arn in arns if writable(arn)]
            if len(exact) < len(arns):
                notes.append(_unwritable(key, action.action, [a for a in arns if not writable(a)]))
                if not exact:
                    continue  # never a wider pattern in its place
            if refused is not None and refused_action == action.action:
                exact, completed = _as_refused_type(action.types, exact, completed, refused[1], every)
            if exact:
                uses.extend((action.action, arn) for arn in exact)
                asked = [arn for arn in exact if arn in every]
                if asked:
                    where = _scope([t for t in action.types if any(t.matches(arn) for arn in asked)])
                    notes.append(_every_asked(key, action.action, asked, where))
                unnamed = _unnamed(
                    action.action, action.types, [a for a in exact if a not in every], completed
                )
                if unnamed:
                    new_kinds = _new_kinds(action.action, action.types, unnamed)
                    where = _scope([t for t in action.types if t.key in {kind for kind, _ in unnamed}])
                    notes.append(_left_to_default(key, action.action, unnamed, new_kinds, where))
                prefixed = [arn for arn in exact if arn[-1] == "*" and arn in listed and arn[-4:] != "${*}"]
                if prefixed:
                    notes.append(_named_by_prefix(key, action.action, prefixed))
            elif action.action == PASS_ROLE:
                notes.append(_pass_role_left_out(key))
            else:
                unresolved.append(action.action)
                uses.append((action.action, "*"))
        if key in ROUTED_MODEL_KEYS:
            routed = routed_models(uses)
            uses.extend(routed.added)
            if routed.geographic:
                notes.append(_routed_in_geography(key, routed.geographic))
            if routed.anywhere:
                notes.append(_routed_anywhere(key, routed.anywhere))
            if routed.unnamed:
                notes.append(_profile_models_unnamed(key, routed.unnamed))
        if tagged_call:
            types_of = {a.action: a.types for a in applicable if a.primary}
            # what the call makes, not what it only uses: a group RDS checks (``CHECKED_TYPES``) or a
            # required type granted whole because the request named none of it is not tagged by the call,
            # unless the call creates it (``ActionPlan.creates``: the whole type is what it makes)
            creating = {a.action for a in applicable if a.primary and a.creates}
            # or a type its name says it makes, granted whole: the copy EC2's CopyImage makes, whose id is
            # new (``plans._resource_types``)
            making = {name: {t.key for t in types if t.made} for name, types in types_of.items()}
            granted = [
                arn
                for name, arn in uses
                if arn != "*"
                and name in primaries
                and (
                    name in creating
                    or (whole := _whole_type(types_of[name], arn)) is None
                    or whole in making[name]
                )
                and not any(
                    t.key in CHECKED_TYPES.get(name.lower(), ()) and t.matches(arn) for t in types_of[name]
                )
            ]
            made = _not_read(granted, applicable, params, ctx)
            kinds = _tagged_kinds(primaries, applicable, uses, params)
            specified = _specified_kinds(params) if kinds is None else frozenset()
            plain = _plain_tags(params)
            elsewhere = _made_in_region(key, params, ctx)
            for tag in plan.tag_actions:
                types = self._ref.resource_types(tag)
                # with what the table's own entry for the tag action named (a MemoryDB cluster's name)
                given = [*made, *(arn for name, arn in uses if name == tag)]
                owned = in_owner_account(tag, ctx)
                by_kind = _on_specified(specified, types, made, owned)
                if elsewhere is not None:  # made new, in the Region a parameter names (``MADE_IN_REGION``)
                    region, kind, why = elsewhere
                    tagged = _every(types, frozenset({kind}), replace(owned(), region=region))
                    if tagged:
                        notes.append(_made_elsewhere(key, tag, tagged, why))
                elif kinds is not None:  # a create call of CREATED_TYPES: what it creates, by ResourceType
                    tagged = _every(types, kinds, owned())
                elif by_kind is not None and not plain:  # only tag specifications, each naming its type
                    tagged = by_kind
                # what the call is named after, never the parent it creates in; every one of that type only
                # beside a parent the call was granted on: a create on no resource keeps "*", said (KMS
                # CreateKey is in ``MADE_IN_REGION``: key/* of its Region, the minimum its guide names)
                elif (on_named := _on_named(given, primaries, types, owned, whole=bool(granted))) is not None:
                    tagged = on_named
                else:
                    tagged = [arn for arn in made if any(t.matches(arn) for t in types)] if types else ["*"]
                if by_kind is not None and plain:  # the call's own tags, and its specifications' types
                    tagged = sorted({*(arn for arn in tagged if arn != "*"), *by_kind})
                if not tagged:  # what it creates is not named in the request (an instance, a key)
                    unresolved.append(tag)
                    tagged = ["*"]
                uses.extend((tag, arn) for arn in tagged)
        if plan.passes_role and not any(action == PASS_ROLE for action, _ in uses):
            # the roles the request hands the service, where the table's entries named none: by ARN, and
            # by name in the account of the call (under any path, as for every bare IAM name)
            passed = passed_roles(params, plan.not_roles)
            by_name = bool(passed.names) and _ACCOUNT.match(ctx().account) is not None
            named = (arn for name in passed.names for arn in role_arns(name, ctx(), {})) if by_name else ()
            roles = (*passed.arns, *named)
            said = passed.unnamed or (bool(passed.names) and not by_name)
            left_out = _pass_role_left_out(key)
            uses.extend((PASS_ROLE, role) for role in roles)
            if roles and not said:
                notes = [n for n in notes if n != left_out]
            elif said and left_out not in notes:
                notes.append(left_out)
        elif plan.unproven_pass_role:
            passed = passed_roles(params, plan.not_roles)
            if passed.arns or passed.names:
                notes.append(_pass_role_unproven(key, [*passed.arns, *passed.names]))
        if refused is not None:
            uses, unresolved, notes = self._as_refused(refused, uses, unresolved, notes, key)
            if _WILDCARD.search(refused[1]) and any(arn == refused[1] for _, arn in uses):
                notes.append(_refused_pattern(key, refused))
        wide = RESOURCE_WIDE.get(key)
        if wide is not None and _asks_for(params, wide[1]):
            wide_action, _, why = wide
            if any(name == wide_action for name, _ in uses):
                uses = [(name, arn) for name, arn in uses if name != wide_action] + [(wide_action, "*")]
                unresolved = [name for name in unresolved if name != wide_action]
                notes.append(("info", "resource-wide", f"{key}: {wide_action} on *: {why}"))
        other = OTHER_API_READINGS.get(key)
        if (
            other is not None
            and isinstance(arn := get_field(params, other[0]), str)
            and other[1].fullmatch(arn)
        ):
            notes.append(widened(f"{key}: {other[2]}"))
        if (readings := eks_entry_readings(key, params, uses)) is not None:
            notes.append(("info", "resource-two-readings", readings))
        if (ungranted := NOT_GRANTED.get(key)) is not None and not any(a == ungranted[0] for a, _ in uses):
            notes.append(_not_granted(key, *ungranted))
        if (unseen := GRANTED_UNSEEN.get(key)) is not None and any(a == unseen[0][0] for a, _ in uses):
            notes.append(_granted_unseen(key, *unseen))
        if not uses and not notes:
            # every entry is conditional and the request met none of the conditions (a PartiQL statement
            # of no kind the mapper knows, a transaction whose items the record leaves out): the call did
            # need a permission, only not one the record shows; said as unmapped, never as "none needed"
            candidates = ", ".join(dict.fromkeys(a.action for a in actions))
            return MappedEvent(
                "unmapped",
                key,
                denied,
                f"the request does not show which action it needed (one of {candidates})",
            )
        reason = (
            f"resource not determined, using *: {', '.join(dict.fromkeys(unresolved))}" if unresolved else ""
        )
        if unresolved:
            notes.extend(_undetermined(key, unresolved, applicable, params))
        return MappedEvent(
            "mapped", key, denied, reason, tuple(dict.fromkeys(uses)), tuple(dict.fromkeys(notes))
        )

    def _as_refused(
        self,
        refused: tuple[str, str],
        uses: list[tuple[str, str]],
        unresolved: list[str],
        notes: list[tuple[str, str, str]],
        key: str,
    ) -> tuple[list[tuple[str, str]], list[str], list[tuple[str, str, str]]]:
        """A denied call whose error message says which action on which resource IAM refused: that
        resource stands in for the action's ``*`` (a record may carry no parameters at all), and an action
        the call needed besides its own (``kms:Decrypt`` of an S3 read, ``iam:PassRole``) joins it. Only an
        action the reference knows and an ARN of one of its resource types are taken. A refused pattern
        (EC2 says ``instance/*`` of an id that names no instance: Stratus Red Team's GetPasswordData on
        made-up ids) names no resource: it stands in for ``*``, never beside an ARN of its type the request
        named, which it would widen to every one."""
        action = self._ref.action_name(refused[0])
        arn = refused[1]
        types = self._ref.resource_types(action) if action else ()
        fits = [t for t in types if t.matches(arn)]
        if action is None or not fits:
            return uses, unresolved, notes
        if _WILDCARD.search(arn) and any(
            a == action and not _WILDCARD.search(r) and any(t.matches(r) for t in fits) for a, r in uses
        ):
            return uses, unresolved, notes
        uses = [(a, r) for a, r in uses if a != action or r != "*"] + [(action, arn)]
        if action == PASS_ROLE:
            notes = [n for n in notes if n != _pass_role_left_out(key)]
        return uses, [a for a in unresolved if a != action], notes


def _throttled(code: str) -> str:
    """Why a throttled call without its parameters is passed over: what it would grant is "*", the
    action on every resource, for a call that was not served."""
    return (
        f"throttled ({code}) and logged without its request parameters: it names no resource, and the "
        "retry that got through is a record of its own"
    )


_RESOURCE_NOTES = frozenset({"resource-undetermined", "resource-not-writable", "resource-two-readings"})
_IAM_SOURCE = "iam.amazonaws.com:"
_ACCOUNT = re.compile(r"^\d{12}$")  # a role named without its ARN is one of the call's account, if known


def _undetermined(
    key: str, unresolved: list[str], applicable: list[ActionPlan], params: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """The finding for the actions granted on ``*``, with its cause: a List or Describe naming no member of
    its collection lists every one (``fill.lists_every``), and a request none of whose parameters can name
    the resource its action is authorized on (``fill.unnamed_in``) is said so; neither is blamed on the
    record's form. A cause a page tells for the call (``UNDETERMINED_CAUSES``: a parameter that names the
    resource in a form AWS does not document) comes before both."""
    by_action = {a.action: a for a in applicable if a.primary}
    causes: dict[str, list[str]] = {}
    for name in dict.fromkeys(unresolved):
        if curated := UNDETERMINED_CAUSES.get((key, name)):
            causes.setdefault(curated, []).append(name)  # the call's own cause, where a page tells it
            continue
        action = by_action.get(name)
        listed = lists_every(params, action) if action is not None else ()
        kinds, others = unnamed_in(params, action) if action is not None and not listed else ((), ())
        if listed and action is not None:
            where = _scope([t for t in action.types if t.key in listed])
            why = f"the request names no {' or '.join(listed)}: the call lists every one {where}"
        elif kinds:
            why = f"the request has no parameter naming the {' or '.join(kinds)} it is authorized on"
        else:
            why = ""
        if others:  # named by what they are called, not by what they hold: said, not ruled out
            why += f", unless {' or '.join(others)} {'does' if len(others) == 1 else 'do'}"
        causes.setdefault(why, []).append(name)
    return [
        undetermined(key, names, why) if why else undetermined(key, names) for why, names in causes.items()
    ]


def _listed_for(ordered: tuple[str, ...], action: str, listed: list[str]) -> list[str]:
    """The ``resources[]`` entry of one action of a call whose entries come in its actions' order
    (``rules.LISTED_IN_ORDER``): one entry is every action's; a list of another length, or an action not in
    the order, keeps the whole list."""
    if len(listed) == 1 or action not in ordered or len(listed) != len(ordered):
        return listed
    return [listed[ordered.index(action)]]


def _unqualified(pattern: re.Pattern[str], arns: list[str]) -> list[str]:
    """The ARNs a service authorizes a qualified resource on (``AUTHORIZED_UNQUALIFIED``)."""
    return list(dict.fromkeys(m.group(1) if (m := pattern.fullmatch(arn)) else arn for arn in arns))


def _actions_only(event: MappedEvent) -> MappedEvent:
    """The action-level reading of a call: the actions this call needed (extras only with their parameters,
    as the resource level decides them), each on ``*``, without the findings about resources."""
    if event.kind != "mapped":
        return event  # an unmapped call keeps the reason it could not be read
    return replace(
        event,
        reason="",
        uses=tuple(dict.fromkeys((action, "*") for action, _ in event.uses)),
        notes=tuple(n for n in event.notes if n[1] not in _RESOURCE_NOTES),
    )


def _asks_for(params: Mapping[str, Any], wanted: tuple[str, str] | None) -> bool:
    """Whether the request asks for what makes AWS authorize the call only on ``*`` (``RESOURCE_WIDE``):
    the parameter holds the value (alone or in a list), or every call when the entry names none."""
    if wanted is None:
        return True
    parameter, value = wanted
    return value in (lookup_path(params, parameter + "[]") or lookup_path(params, parameter) or ())


def _pass_role_left_out(key: str) -> tuple[str, str, str]:
    """``iam:PassRole`` on ``*`` would let the principal hand any role to any service; the call did not
    name the role (ECS RunTask passes the task definition's roles), so it is left out and said."""
    return (
        "warning",
        "pass-role-left-out",
        f"{key} passes a role it does not name in the request: iam:PassRole is left out (never on *); "
        "add it for the role(s) the call passes",
    )


def _not_granted(key: str, action: str, why: str) -> tuple[str, str, str]:
    """A permission an AWS page lists for the call that the mapper does not grant (``NOT_GRANTED``)."""
    return ("info", "permission-not-granted", f"{key}: {action} not granted: {why}")


def _granted_unseen(key: str, actions: tuple[str, ...], why: str) -> tuple[str, str, str]:
    """Permissions AWS asks of the call only in a state the record does not show (``GRANTED_UNSEEN``):
    granted, so the call is not refused when the state holds, and said, so they can go when it never does."""
    return ("info", "granted-unseen", f"{key}: {', '.join(actions)} granted: {why}")


def _as_refused_type(
    types: tuple[ResourceType, ...], arns: list[str], completed: list[str], refused: str, every: list[str]
) -> tuple[list[str], list[str]]:
    """The ARNs of a denied call with the refused resource in place of every one of its type: a request
    that did not name it (a record of a denied call often carries no parameters at all) was granted the type
    whole in the account and region (``log-group:*:log-stream:*``, ``subnet/*``), though AWS's message names
    the one it checked ("is not authorized to perform: logs:CreateLogStream on resource:
    arn:aws:logs:...:log-group:/aws/lambda/level1:log-stream:..."). Its type is the longest format it fits
    (a log stream's ARN fits its log group's too). What the request named "*" (``every``) stays whole;
    ``completed`` (what the finding says was granted in part or whole) loses what was replaced."""
    fits = [t for t in types if t.matches(refused)]
    if not fits:
        return arns, completed
    kind = max(fits, key=lambda t: len(t.arn_format)).key
    kept = [arn for arn in arns if arn in every or _whole_type(types, arn) != kind]
    if len(kept) == len(arns):
        return arns, completed
    dropped = set(arns).difference(kept)
    return [*kept, refused], [arn for arn in completed if arn not in dropped]


def _whole_type(types: tuple[ResourceType, ...], arn: str) -> str | None:
    """The type of which this ARN names every resource in its account and region (``subnet/*``), if any."""
    if "*" not in arn:  # most ARNs name one resource
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    for resource_type in types:
        if not resource_type.variables or len(resource_type.formats) > 1:
            continue  # a format to fill: one, with a variable for the resource
        if resource_type.every(parts[1], parts[3], parts[4]) == arn:
            return resource_type.key
    return None


_WILDCARD = re.compile(r"(?<!\$\{)[*?]")  # not an escaped ``${*}`` of a name


def _unnamed(
    action: str, types: tuple[ResourceType, ...], arns: list[str], completed: list[str]
) -> list[tuple[str, str]]:
    """The required types a call is granted on every resource of (``TYPE/*`` in the account and region), or
    on a pattern of, that it does not create (``CREATED_TYPES``): the request left them to a default, a
    launch template or a name, or named them only in part (``fill.action_arns``'s ``completed``); with the
    ARN's resource part to show."""
    created = CREATED_TYPES.get(action.lower(), frozenset())
    found = {(kind, arn.split(":", 5)[5]) for arn in arns if (kind := _whole_type(types, arn)) is not None}
    for arn in completed:
        # one the request's other ARNs completed whole (a workflow's version under the workflow it named)
        # names its resource: the type with the longest format it fits (``runtime/ID/runtime-endpoint/*``
        # also fits ``runtime/${RuntimeId}``, whose id may hold a ``/``)
        fits = [t for t in types if t.matches(arn)] if _WILDCARD.search(arn) else []
        kind = max(fits, key=lambda t: len(t.arn_format)).key if fits else None
        if kind is not None:
            found.add((kind, arn.split(":", 5)[5]))
    return sorted(pair for pair in found if pair[0] not in created)


def _new_kinds(action: str, types: tuple[ResourceType, ...], unnamed: list[tuple[str, str]]) -> set[str]:
    """The kinds the call makes (``ResourceType.made``) among those it is granted in part or whole. A
    ``Start<Noun>`` may start one that exists (plans' ``_MAKING_NEW``): one whose request names it by a
    variable of its own noun is the one it starts, not a new one (AWS Config's StartConfigurationRecorder on
    ``configuration-recorder/default/*``: ``${RecorderName}`` given, the id AWS Config assigned unknown),
    where one granted inside a named parent only is new (Amazon Connect's StartContactEvaluation on
    ``instance/ID/contact-evaluation/*``)."""
    made = {t.key for t in types if t.made}
    if not made or not action.partition(":")[2].startswith("Start"):
        return made
    by_key = {t.key: t for t in types}
    return {kind for kind, shown in unnamed if kind in made and not _names_itself(by_key[kind], shown)}


def _names_itself(resource_type: ResourceType, shown: str) -> bool:
    """Whether a granted pattern's resource part gives a variable named after the type itself
    (``RecorderName`` of ``configurationrecorder``) a value other than ``*``."""
    own_noun = squashed(resource_type.key)
    for arn_format in resource_type.formats or (resource_type.arn_format,):
        resource = arn_format.split(":", 5)[5] if arn_format.count(":") >= 5 else arn_format
        parts = re.split(r"\$\{([A-Za-z0-9]+)\}", resource)
        names = parts[1::2]
        regex = "".join(re.escape(p) if i % 2 == 0 else "(.+?)" for i, p in enumerate(parts))
        found = re.fullmatch(regex, shown)
        if found is None:
            continue
        for name, value in zip(names, found.groups(), strict=True):
            stem = re.sub(r"(Name|Id|Identifier)$", "", name)
            if value != "*" and stem and own_noun.endswith(squashed(stem)):
                return True
    return False


def _named_by_prefix(key: str, action: str, arns: list[str]) -> tuple[str, str, str]:
    """``resources[]`` gave only an ``ARNPrefix`` (S3 DeleteObjects: "does not indicate the list of files
    deleted", Stratus Red Team's record of it): every resource under the prefix is granted, and said."""
    return widened(
        f"{key}: {action} on {', '.join(arns)}: CloudTrail names only the prefix of what the call touched "
        "(resources[].ARNPrefix); narrow it to the keys the workload uses"
    )


def _refused_pattern(key: str, refused: tuple[str, str]) -> tuple[str, str, str]:
    """A refused resource holding ``*`` or ``?`` granted in place of ``*``, the request naming nothing of its
    type (where it names one, its ARN is granted, escaped, and the pattern is not: ``_as_refused``): the
    message prints the resource without telling IAM's wildcard (EC2's ``instance/*`` of an id that names no
    instance) from a character of a name (an S3 key ``reports/*draft.csv``), so the grant is a pattern that
    may match more than the call's resource, said."""
    return widened(
        f"{key}: {refused[0]} on {refused[1].split(':', 5)[-1]}: the resource AWS's refusal names holds "
        '"*" or "?", granted as a wildcard; the message does not tell it from a character of the name (an S3 '
        "key may hold one) and the request does not name it: narrow it to the resources the call acts on"
    )


def _every_asked(
    key: str, action: str, arns: list[str], where: str = "in the account and region"
) -> tuple[str, str, str]:
    """The request named ``*`` where an id or name belongs (``fill.every_asked``): every resource of the type
    is granted, and said, rather than one literally named ``*``."""
    shown = ", ".join(arn.split(":", 5)[5] for arn in arns)
    return widened(
        f'{key}: {action} on {shown} {where}: the request names "*", read as every one '
        '(not one named "*"); narrow it to those the call acts on'
    )


def _scope(types: list[ResourceType]) -> str:
    """Where the resources a pattern of these types grants whole are, as the types' ARN formats place
    them: an organization's (AWS Organizations' ``policy/o-${OrganizationId}/...``, AWS Account
    Management's ``account/o-${OrganizationId}/...``), an account's (IAM's, Route 53's: no Region), or an
    account's in a Region."""
    formats = [f for t in types for f in (t.formats or (t.arn_format,))]
    if any("${OrganizationId}" in f for f in formats):
        return "in the organization"
    regional = any("${Region}" in f for f in formats)
    return "in the account and region" if regional or not formats else "in the account"


# An object's ARN and the ARN s3:ListBucket takes for its bucket: ``arn:P:s3:::BUCKET/KEY`` -> the bucket, an
# access point's ``accesspoint/NAME/object/KEY`` -> the access point (the Service Authorization Reference's
# ``accesspoint`` type of s3:ListBucket).
_OBJECT_CONTAINER = re.compile(
    r"(arn:[^:]+:s3:::[^/]+)/.*|(arn:[^:]+:s3:[^:]*:[^:]*:accesspoint/[^/]+)/object/.*"
)


def _absent_key_listed(event: MappedEvent, resource_level: bool) -> MappedEvent:
    """A read that found no key, with s3:ListBucket on its bucket (``ABSENT_KEY_LISTED``), said."""
    if event.kind != "mapped":
        return event
    containers = [
        match.group(1) or match.group(2)
        for _, arn in event.uses
        if (match := _OBJECT_CONTAINER.fullmatch(arn)) is not None
    ]
    if not resource_level:
        containers = ["*"]
    if not containers:
        return event
    listed = tuple(("s3:ListBucket", arn) for arn in dict.fromkeys(containers))
    note = (
        "info",
        "listed-for-absence",
        f"{event.key}: the key did not exist (NoSuchKey), which S3 says only to a caller allowed "
        "s3:ListBucket on the bucket (403 AccessDenied to others): s3:ListBucket granted on "
        f"{', '.join(arn for _, arn in listed)}; remove it if the workload does not rely on telling a "
        "missing key by its 404",
    )
    return replace(
        event,
        uses=tuple(dict.fromkeys((*event.uses, *listed))),
        notes=event.notes if note in event.notes else (*event.notes, note),
    )


def _routed_anywhere(key: str, models: list[str]) -> tuple[str, str, str]:
    return widened(
        f"{key}: {', '.join(models)} in every Region: the call went through a cross-Region inference profile "
        "whose prefix names no geography known here, and AWS checks the model in every Region the profile "
        "routes to; narrow each to the profile's Regions (GetInferenceProfile lists its models)"
    )


def _routed_in_geography(key: str, models: list[str]) -> tuple[str, str, str]:
    return (
        "info",
        "resource-wide",
        f"{key}: {', '.join(models)}: the call went through a geographic cross-Region inference profile, "
        "which AWS authorizes on the model in the source Region and in every destination Region the "
        "profile lists (Bedrock User Guide, Geographic cross-Region inference), not only in the Region that "
        "served it",
    )


def _catalog_unread(key: str, catalog: str) -> tuple[str, str, str]:
    return (
        "warning",
        "resource-undetermined",
        f"{key}: CatalogId names the catalog {catalog}, whose databases' and tables' ARNs no AWS page found "
        "gives: the default catalog's are granted; if AWS refuses the call, grant the ARNs its error names",
    )


def _profile_models_unnamed(key: str, profiles: list[str]) -> tuple[str, str, str]:
    return widened(
        f"{key}: foundation-model/* in every Region: the call went through the application inference "
        f"profile {', '.join(profiles)}, which AWS checks on its foundation model in each Region it routes "
        "to, and the record does not name them; narrow to the models GetInferenceProfile lists for it "
        "(models[].modelArn)"
    )


def _pass_role_unproven(key: str, roles: list[str]) -> tuple[str, str, str]:
    return (
        "info",
        "pass-role-unproven",
        f"{key}: the call hands its service the role {', '.join(roles)}; no AWS source found says it "
        "checks iam:PassRole on it, so none is granted: if AWS refuses the call for iam:PassRole, grant "
        "it on that role",
    )


def _left_to_default(
    key: str,
    action: str,
    unnamed: list[tuple[str, str]],
    made: set[str],
    where: str = "in the account and region",
) -> tuple[str, str, str]:
    """A required resource the request does not name, granted on every one of its type in the account and
    region (never ``*``) and said, with why the request does not name it. What the call makes has no name
    or id before the call: "narrow it to the one the call used" would be advice no policy can follow."""
    prefix = action.partition(":")[0]
    why = "; ".join(
        dict.fromkeys(  # two kinds may share a reason (an SSM command's instances and managed nodes)
            UNNAMED_TYPES.get(f"{action}:{kind}")
            or UNNAMED_TYPES.get(f"{prefix}:{kind}")
            or UNNAMED_TYPES.get(kind, f"no {kind} named")
            for kind, _ in unnamed
            if kind not in made
        )
    )
    new = [kind for kind, _ in unnamed if kind in made]
    said = [f"the request does not name it ({why}); narrow each to the one the call used"] if why else []
    if new:
        # what the call makes, where a type of one call says so (``UNNAMED_TYPES``' ``ACTION:KIND``)
        how = "; ".join(
            dict.fromkeys(UNNAMED_TYPES[f"{action}:{k}"] for k in new if f"{action}:{k}" in UNNAMED_TYPES)
        )
        said.append(
            f"the call creates the {', '.join(new)}, whose id is not known before it "
            f"({how or 'a condition on its request tags or name can narrow it'})"
        )
    return widened(
        f"{key}: {action} on {', '.join(shown for _, shown in unnamed)} {where}: " + "; ".join(said)
    )


_TAG_RESOURCE_TYPES = (
    "TagSpecificationSet.Items[].ResourceType",
    "TagSpecifications[].ResourceType",
    "TagSpecification[].ResourceType",
)


def _not_read(
    made: list[str], applicable: list[ActionPlan], params: Mapping[str, Any], ctx: Callable[[], Context]
) -> list[str]:
    """What a create call's tags go on among the ARNs it was granted: not what it reads. "If tags are
    specified in the create action, RDS performs additional authorization on the rds:AddTagsToResource
    action" (RDS User Guide, "Grant permission to tag Amazon RDS resources during creation"), for the tags of
    what the call creates, and a copy, a restore, a snapshot or a read replica is also granted on what it
    copies from. Which is which, the request's
    parameter names say: what the call makes is named by the parameter named after its own noun
    (``[Target]<Noun>Identifier``, ``Name`` or ``Id``, ``_new_parameter``: CopyDBSnapshot's
    TargetDBSnapshotIdentifier, CreateDBSnapshot's DBSnapshotIdentifier, RestoreDBInstanceFromDBSnapshot's
    DBInstanceIdentifier), and a ``Source...`` parameter names what it reads ("SourceDBInstanceIdentifier:
    The identifier of the DB instance that will act as the source for the read replica",
    CreateDBInstanceReadReplica; "SourceImageId: The ID of the AMI to copy", EC2 CopyImage; RDS and EC2 API
    References), as does a parameter named after what the call's name says it is made from
    (``_source_keys``: FSx CreateFileSystemFromBackup's BackupId, "The ID of the source backup", FSx API
    Reference). When the request names the new resource, its ARNs alone; else every ARN but the sources'.
    Both are the ARNs those parameters give (``fill.given_by``)."""
    read: set[str] = set()
    new: set[str] = set()
    for action in applicable:
        if not action.primary:
            continue
        read |= given_by(action, params, ctx, _source_keys({action.action}, params))
        own = _new_parameter(action.action, action.named)
        if own is not None:
            new |= given_by(action, params, ctx, frozenset(n for n in params if n.lower() == own))
    kept = [arn for arn in made if arn not in read]
    return [arn for arn in kept if arn in new] if new.intersection(kept) else kept


def _source_keys(actions: set[str], params: Mapping[str, Any]) -> frozenset[str]:
    """The request's parameters that name what the calls read to make their resource: ``Source...``
    ones, and those named after the noun following ``From`` in a call's name (``backupId`` of FSx
    CreateFileSystemFromBackup: "BackupId: The ID of the source backup. Specifies the backup that you
    are copying", FSx API Reference)."""
    nouns = tuple(noun for name in actions if (noun := source_noun(name.partition(":")[2])))
    return frozenset(
        name
        for name in params
        if name[:6].lower() == "source" or (nouns and squashed(name).startswith(nouns))
    )


# The tag specifications' parameters, as ``_TAG_RESOURCE_TYPES`` reads them; the other tag parameters
# (``Tags``, ``TagList``, ...) are the tags of the resource the call is named after
_SPECIFICATIONS = spelled(frozenset({"TagSpecifications", "TagSpecificationSet", "TagSpecification"}))
_PLAIN_TAG_KEYS = TAG_KEYS - _SPECIFICATIONS


def _specified_kinds(params: Mapping[str, Any]) -> frozenset[str]:
    """The resource types the request's tag specifications name (``ResourceType``)."""
    return frozenset(v for path in _TAG_RESOURCE_TYPES for v in lookup_path(params, path) or ())


def _plain_tags(params: Mapping[str, Any]) -> bool:
    """Whether the request carries tags other than tag specifications (RDS's ``Tags`` beside its
    ``TagSpecifications``)."""
    return any(params.get(k) not in (None, "", [], {}) for k in _PLAIN_TAG_KEYS)


def _on_specified(
    kinds: frozenset[str],
    types: tuple[ResourceType, ...],
    made: list[str],
    ctx: Callable[[], Context],
) -> list[str] | None:
    """Where the tags of tag specifications go, for a call not in ``CREATED_TYPES``: each specification
    names the type of the resource it tags ("ResourceType: The type of resource to tag on creation",
    RDS API Reference, TagSpecification; "The type of resource to tag", EC2 API Reference,
    TagSpecification), and the tag action is authorized on that resource, not on the one the call is
    named after. RDS ModifyDBInstance's ``auto-backup`` ("auto-backup - The DB instance's automated
    backup"), CopyDBSnapshot's ``og`` ("Tags to assign to the copied option group", botocore rds
    2014-10-31), EC2 StartNetworkInsightsAnalysis' ``network-insights-analysis`` (it reads a path and
    makes an analysis): the ARNs of that type among what the call makes (``made``: not a copy's source,
    ``_not_read``), else every one of it in the account and Region (its id is the service's). None when
    a kind is no type of the tag action (the caller keeps its reading)."""
    if not kinds:
        return None
    keys = {t.key for t in types}
    if not kinds <= keys:
        return None
    out: list[str] = []
    for kind in sorted(kinds):
        own = [t for t in types if t.key == kind]
        found = [arn for arn in made if any(t.matches(arn) for t in own)] or _every(
            types, frozenset({kind}), ctx()
        )
        if not found:
            return None
        out.extend(found)
    return sorted(set(out))


_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z][a-z0-9]*")


@functools.lru_cache(maxsize=4096)  # bounded like reference.py's caches: the operator runs for months
def _new_parameter(action: str, parameters: frozenset[str]) -> str | None:
    """The request parameter the action's own entry reads (``ActionPlan.named``) that is named after the
    noun of the call's name, in lower case: the longest run of the noun's leading words, optionally after
    ``Target``, then ``Identifier``, ``Name`` or ``Id`` (CreateDBInstanceReadReplica's DBInstanceIdentifier,
    RestoreDBInstanceToPointInTime's TargetDBInstanceIdentifier); None when none is. Cached: it is asked for
    each primary action of every tagged call the memo misses, and the words and candidates took 2-4 us
    (timeit) to give the same answer; the actions and their parameters are a bounded set."""
    named = {name.lower() for name in parameters}
    words = _WORDS.findall(action.partition(":")[2])[1:]
    for end in range(len(words), 0, -1):
        stem = "".join(words[:end]).lower()
        for prefix in ("", "target"):
            for suffix in ("identifier", "name", "id"):
                if (candidate := f"{prefix}{stem}{suffix}") in named:
                    return candidate
    return None


def _tagged_kinds(
    primaries: set[str],
    applicable: list[ActionPlan],
    uses: list[tuple[str, str]],
    params: Mapping[str, Any],
) -> frozenset[str] | None:
    """For a create call of ``CREATED_TYPES``, the types its tags go on: the tag specifications'
    ResourceType ("instance", "volume", ...), or the types the call was granted to create whole when they
    name none. Empty when one names a type the call does not create (the tag call is then undetermined).
    None for other calls. The tag parameters are in the memo key (``TAG_KEYS``)."""
    created = frozenset().union(*(CREATED_TYPES.get(action.lower(), frozenset()) for action in primaries))
    if not created:
        return None
    named = frozenset(v for path in _TAG_RESOURCE_TYPES for v in lookup_path(params, path) or ())
    if named:
        return named if named <= created else frozenset()
    types = {a.action: a.types for a in applicable if a.action in primaries}
    granted = (_whole_type(types[name], arn) for name, arn in uses if name in types)
    # None when the call was granted no created type whole: what it was granted (a family's next revision,
    # ``task-definition/FAMILY:*``) is what its tags go on
    return frozenset(kind for kind in granted if kind in created) or None


def _on_named(
    arns: list[str],
    primaries: set[str],
    types: tuple[ResourceType, ...],
    ctx: Callable[[], Context],
    whole: bool = True,
) -> list[str] | None:
    """A create call's tags go on what it is named after (``CreateAccessPoint``: the tag action's
    ``access-point`` type): the ARNs of that type among ``arns``, else every one in the account and region
    (its id is the service's), or [] with ``whole=False``. Such a call is often granted on the parent it
    creates in as well (EFS's file system, a MemoryDB cluster's parameter and subnet groups, an OU's root),
    and the table's own tag entries name those too; the tags are on the new resource: "If tags are
    specified in the creation action, IAM performs additional authorization on the
    elasticfilesystem:TagResource action" for the access point (EFS API Reference, CreateAccessPoint). None
    when no type of the tag action is named so (RDS's ``es`` for CreateEventSubscription): the caller keeps
    what it has."""
    nouns = {
        squashed(_made_noun(name.partition(":")[2][len(verb) :]))
        for name in primaries
        for verb in _NAMING_VERBS
        if name.partition(":")[2].startswith(verb)
    }
    named = frozenset(t.key for t in types if squashed(t.key) in nouns)
    if not named:
        return _children(arns, nouns, types, ctx)
    own = [t for t in types if t.key in named]
    on_own = [arn for arn in arns if any(t.matches(arn) for t in own)]
    return on_own or (_every(types, named, ctx(), _parent_values(arns, types)) if whole else [])


# The verbs of a call that makes the resource its name ends in, new (``plans._MAKING_NEW``): SageMaker
# ImportHubContent imports hub content into the hub it names ("HubName: The name of the hub to import
# content into", SageMaker API Reference), as CreateAccessPoint creates an access point on a file system
_NAMING_VERBS = ("Create", "Import")


def _made_noun(rest: str) -> str:
    """A call's noun without what its name says it is made from (``FileSystem`` of
    ``FileSystemFromBackup``)."""
    return rest.split("From", 1)[0] if source_noun(rest) else rest


def _children(
    arns: list[str], nouns: set[str], types: tuple[ResourceType, ...], ctx: Callable[[], Context]
) -> list[str] | None:
    """What a create call makes beneath the parent it is granted on, where the tag action's type for it is
    keyed by the parent's kind (ELB's CreateListener on ``loadbalancer/app/NAME/ID`` makes a
    ``listener/app/NAME/ID/LISTENER``, CreateRule on that listener a ``listener-rule/app/.../RULE``): each
    type whose first key word ends in the call's noun, in the parent's values, kept where its ARN continues
    the parent's past the type word (the ``app`` listener of an ``app`` load balancer, not the ``net`` one).
    The tags are authorized on "the resources being created" (ELB User Guide, "ELB API permissions to tag
    resources during creation"), not on the parent. None when the tag action has no such type or no parent
    is given."""
    kids = [
        t
        for t in types
        if len(t.formats) <= 1
        and t.variables
        and "/" in t.key
        and any(squashed(t.key.partition("/")[0]).endswith(noun) for noun in nouns)
    ]
    if not kids:
        return None
    found: list[str] = []
    for arn in arns:
        below = _below_type_word(arn)
        if not below:
            continue
        # the most specific type the parent has: ELB's classic ``loadbalancer/${LoadBalancerName}`` reads
        # a v2 load balancer's whole ``app/NAME/ID`` as its name
        shapes = [t for t in types if t.matches(arn)]
        most = max((len(t.variables) for t in shapes), default=0)
        values = _parent_values([arn], tuple(t for t in shapes if len(t.variables) == most))
        for kid in kids:
            child = kid.every(ctx().partition, ctx().region, ctx().account, values)
            if _below_type_word(child).startswith(f"{below}/") and child not in found:
                found.append(child)
    return found or None


def _below_type_word(arn: str) -> str:
    """An ARN's resource part after its type word (``app/NAME/ID`` of ``...:loadbalancer/app/NAME/ID``)."""
    return arn.split(":", 5)[-1].partition("/")[2]


def _parent_values(arns: list[str], types: tuple[ResourceType, ...]) -> dict[str, str]:
    """The variables the call's parent ARNs give (a Network Manager global network's id, an S3 table
    bucket's name), each only when one value is given: a new resource beneath them is in that parent."""
    found: dict[str, set[str]] = {}
    for arn in arns:
        for parent in types:
            if len(parent.formats) > 1:
                continue
            pattern, names = format_groups(parent.arn_format)
            match = pattern.fullmatch(arn)
            for name, value in zip(names, match.groups() if match else (), strict=False):
                if name not in CONTEXT_VARIABLES and "*" not in value:
                    found.setdefault(name, set()).add(value)
    return {name: next(iter(values)) for name, values in found.items() if len(values) == 1}


def _every(
    types: tuple[ResourceType, ...],
    kinds: frozenset[str],
    ctx: Context,
    parents: Mapping[str, str] | None = None,
) -> list[str]:
    """``TYPE/*`` in the call's account and region for each kind (images and snapshots without an account,
    as their formats say), inside the parents whose variables ``parents`` gives; [] when the tag action has
    no such type."""
    out = [
        t.every(ctx.partition, ctx.region, ctx.account, parents)
        for t in types
        if t.key in kinds and len(t.formats) <= 1 and t.variables
    ]
    return sorted(out) if len(out) == len(kinds) else []


def _made_in_region(
    key: str, params: Mapping[str, Any], ctx: Callable[[], Context]
) -> tuple[str, str, str] | None:
    """(Region, type, why) for a call that makes a resource of a type in the Region its request names, or
    in its own (``MADE_IN_REGION``); None for any other call, or when the parameter holds no Region's name."""
    rule = MADE_IN_REGION.get(key)
    if rule is None:
        return None
    parameter, kind, why = rule
    region = region_in(ctx().region if parameter is None else get_field(params, parameter))
    if region is None:
        return None
    return region, kind, why


def _made_elsewhere(key: str, action: str, arns: list[str], why: str) -> tuple[str, str, str]:
    """The finding for a tagging action granted on every resource of the type a call makes."""
    return ("info", "resource-made-new", f"{key}: {action} on {', '.join(arns)}: {why}")


def _unwritable(key: str, action: str, arns: list[str]) -> tuple[str, str, str]:
    shown = ", ".join(repr(a) for a in arns[:3])
    return (
        "error",
        "resource-not-writable",
        f"{key}: {action} on {shown} cannot be written exactly in a policy (control characters); "
        "left out rather than widened",
    )


def _new_mapper(resource_level: bool) -> EventMapper:
    return EventMapper(resource_level=resource_level)
