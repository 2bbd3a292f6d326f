"""ARN filling: one action of a compiled plan + one record's parameters and ``resources[]`` -> the ARNs
the action was authorized on, or ``[]`` when the record does not determine them (the caller writes ``*``
and says why)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from policygen_operator.domain.iam.mapping.plans import ActionPlan
from policygen_operator.domain.iam.mapping.records import Context
from policygen_operator.domain.iam.reference import ResourceType
from policygen_operator.domain.iam.templates import Values, escape, lookup_path


def action_arns(
    action: ActionPlan,
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
        built = from_parameters(action, params, context())[0]
        narrower = [b for b in built if any(b.startswith((f"{a}/", f"{a}:")) for a in from_list)]
        return built if narrower and _covers_required(action.types, built) else from_list
    ctx = context()
    built, referenced = from_parameters(action, params, ctx)
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
    if action.var_maps and not overridden:
        # an override filled from the record names the call's resource; filling every format from the same
        # variables as well would add API Gateway's /restapis/ID/authorizers, /models, ... (and an override
        # whose ARN has no type in the reference leaves the resource undetermined: ``*``, said)
        built, used = _fill_formats(action, params, ctx, lookup)
        referenced = referenced or used
        out.extend(built)
    return _fitting(action.types, out), referenced


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
            for ref in var.refs:
                raw = lookup_path(params, ref)
                if raw:
                    referenced = True
                    ready.extend(a for v in raw for a in var.normaliser(escape(v), ctx, params))
            continue
        resolved = var.template(lookup)
        if resolved:
            referenced = True
            values[var.name] = resolved
    out: list[str] = [arn for arn in ready if any(t.matches(arn) for t in action.types)]
    usable = values.keys() | {name for name, v in constants.items() if v}
    candidates = [alt for t in action.types for alt in t.alternatives()]  # one per ARN format
    filled = [t for t in candidates if t.variables & values.keys() and t.variables <= usable]
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
