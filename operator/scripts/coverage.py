"""Mapping coverage against the service models that ship in the installed botocore.

Every operation of every service is one of: mapped (the mapper compiles it to one or more actions that
exist in the Service Authorization Reference), ignored (needs no permission, with the reason) or
unmapped (no action we can stand behind). The CloudTrail eventSource of a service is taken as CloudTrail
writes it (``event_source``); the mapper resolves it to an IAM namespace exactly as it
does for real records (the tables, then the host name without .amazonaws.com), so the numbers are what a
scan would do with that service's events.

Also printed: unmapped operations whose API reference text (shipped in botocore's models) names the action
that authorizes them ("doesn't have its own IAM permission ... include the permission X"), and those whose
namespace has a same-family action (``SendMessageBatch`` ->
``SendMessage``, ``BatchGetX`` -> ``GetX``), the candidates for ``AUTHORIZED_BY`` in
``domain/iam/mapping/rules.py`` once documentation confirms them.

With ``--resources``, the resource level too: each mapped operation is called once with every top-level
string (or list of strings) parameter of its input given, in CloudTrail's lowerCamelCase spelling (a
name-like value; a parameter whose name ends in Arn gets an ARN of its action's first resource type), and
the mapped call is counted as granted on named ARNs; on named ARNs with the resource-undetermined finding
(some action on ``*``, or a required type granted whole in the account and region, ``subnet/*``); on ``*``
for all its actions (the finding); or needing no resource. A synthetic call is not a real record (a
service may spell a parameter differently in CloudTrail); the counts compare mapper versions on the same
calls.

``--list-level LEVEL [--services s3,lambda,...]`` lists the operations of one resource level instead: each
with the actions granted, on what, the resource types the reference gives those actions (required ones
marked ``*``), the parameters its synthetic call was given and the finding's words, so a ``*`` can be
judged against what a real record of the call holds.

Usage: ``.venv/bin/python operator/scripts/coverage.py [--resources] [--list-unmapped] [--json FILE]``
(``make coverage``), ``... --list-level "* for all actions" [--services s3,states]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import botocore
import botocore.session

from policygen_operator.domain.iam.mapping.plans import compile_plan, namespace_of
from policygen_operator.domain.iam.mapping.plans import sdk_event_source as event_source
from policygen_operator.domain.iam.reference import load_reference

_ACTION = r"([a-z0-9-]+:[A-Za-z0-9]+)"
# How the API references (whose text ships in botocore's models) say which action authorizes a call, matched
# on the text without its HTML: "The BatchIsAuthorized operation doesn't have its own IAM permission. To
# authorize this operation for AWS principals, include the permission verifiedpermissions:IsAuthorized in
# their IAM policies."; "This operation requires permission for the bedrock:RetrieveAndGenerate action";
# "This operation requires batch:CancelJob permission for each job"; "GetFinding and GetFindingV2 both use
# access-analyzer:GetFinding in the Action element"; "This operation uses the same IAM action as UpdateCase
# (cases:UpdateCase)"; "The IAM action is tax:GetExemptions"; "Required permissions: vpc-lattice:UpdateRule".
_DOCUMENTED = (
    re.compile(
        r"doesn.t have its own IAM permission\. To authorize this operation "
        + r"for .{0,60}?include the permissions? "
        + _ACTION,
        re.S,
    ),
    re.compile(
        r"(?:requires|need)s? (?:the )?permissions? (?:to perform |for |to )?(?:the )?" + _ACTION + " action"
    ),
    re.compile(r"(?:must have|requires) (?:the )?" + _ACTION + r" permission"),
    re.compile(r"\buses? " + _ACTION + r" in the Action element"),
    re.compile(r"uses the same IAM action as \w+ \( ?" + _ACTION + r" ?\)"),
    re.compile(r"The IAM action is " + _ACTION),
    re.compile(r"Required permissions: " + _ACTION),
)
# "This is the Batch version of the DescribeEntity API and uses the same IAM permission action as
# DescribeEntity API": the action of the operation's own namespace
_SAME_AS = re.compile(r"uses the same IAM permission action as (\w+) API")
_TAG = re.compile(r"<[^>]+>")


def documented(documentation: str, namespace: str | None = None) -> list[str]:
    """Actions the operation's API reference text names as the ones that authorize it."""
    text = " ".join(_TAG.sub(" ", documentation or "").split())
    found = {a for pattern in _DOCUMENTED for a in pattern.findall(text)}
    if namespace:
        found |= {f"{namespace}:{name}" for name in _SAME_AS.findall(text)}
    return sorted(found)


def _candidates(ref: Any, namespace: str, operation: str) -> list[str]:
    names = []
    for suffix in ("Batch", "Async", "Stream"):
        if operation.endswith(suffix):
            names.append(operation[: -len(suffix)])
    if operation.startswith("Batch"):
        names.append(operation[len("Batch") :])
        names.append(operation[len("Batch") :].rstrip("s"))
    found = [ref.action_name(f"{namespace}:{n}") for n in names if n]
    return sorted({f for f in found if f})


def measure() -> dict[str, Any]:
    ref = load_reference()
    session = botocore.session.get_session()
    totals: Counter[str] = Counter()
    per_service: dict[str, Counter[str]] = {}
    unmapped: dict[str, list[str]] = {}
    candidates: dict[str, list[str]] = {}
    by_docs: dict[str, list[str]] = {}
    reasons: Counter[str] = Counter()
    for service in sorted(session.get_available_services()):
        model = session.get_service_model(service)
        source = event_source(ref, model.metadata, service)
        namespace = namespace_of(ref, source)
        counts = per_service[service] = Counter()
        for operation in model.operation_names:
            plan = compile_plan(ref, source, operation)
            kind = plan.kind
            counts[kind] += 1
            totals[kind] += 1
            if kind == "ignored":
                reasons[plan.allowed.reason] += 1
            if kind == "unmapped":
                unmapped.setdefault(service, []).append(operation)
                named = [
                    a
                    for a in documented(model.operation_model(operation).documentation, namespace)
                    if ref.action_name(a)
                ]
                if named:
                    by_docs[f"{source}:{operation}"] = named
                if namespace:
                    found = _candidates(ref, namespace, operation)
                    if found:
                        candidates[f"{source}:{operation}"] = found
    return {
        "botocore": botocore.__version__,
        "services": len(per_service),
        "operations": sum(totals.values()),
        "totals": dict(totals),
        "ignored_reasons": dict(reasons),
        "per_service": {s: dict(c) for s, c in per_service.items()},
        "unmapped": unmapped,
        "candidates": candidates,
        "documented": by_docs,
    }


_ACCOUNT = "111122223333"


def _synthetic_parameters(model: Any, operation: str, arn: str | None) -> dict[str, Any]:
    """Every top-level string or list-of-strings input member, as CloudTrail spells it (lowerCamelCase)."""
    shape = model.operation_model(operation).input_shape
    params: dict[str, Any] = {}
    for name, member in (shape.members if shape is not None else {}).items():
        key = name[:1].lower() + name[1:]
        value = arn if arn and name.lower().endswith("arn") else f"example-{name.lower()}"
        if member.type_name == "string":
            params[key] = value
        elif member.type_name == "list" and member.member.type_name == "string":
            params[key] = [value]
    return params


LEVELS = ("named ARNs", "named, with the finding", "* for all actions", "no resource to name")


class Call(NamedTuple):
    """One synthetic call of ``resource_levels``: where it came from, how it was granted and what the
    reference says its actions take (to judge a ``*`` without rerunning the mapper by hand)."""

    service: str  # botocore's name of the service
    source: str  # the eventSource it was logged under
    operation: str
    level: str  # one of ``LEVELS``
    uses: dict[str, list[str]]  # action -> the resources granted
    types: dict[str, list[str]]  # action -> its resource types in the reference, required ones marked ``*``
    parameters: list[str]  # the request parameters the call was given
    why: list[str]  # the resource-undetermined findings' messages


def _wanted(service: str, source: str, services: frozenset[str] | None) -> bool:
    """``--services`` names a service by botocore's name (``stepfunctions``) or its eventSource's host
    (``states``), whichever the user knows."""
    return services is None or service in services or source.removesuffix(".amazonaws.com") in services


def resource_calls(services: frozenset[str] | None = None) -> Iterator[Call]:
    """The synthetic call of each mapped operation (of ``services``, else all), with its level."""
    from policygen_operator.domain.iam.mapping import EventMapper

    ref = load_reference()
    mapper = EventMapper(ref)
    session = botocore.session.get_session()
    for service in sorted(session.get_available_services()):
        model = session.get_service_model(service)
        source = event_source(ref, model.metadata, service)
        if not _wanted(service, source, services):
            continue
        for operation in model.operation_names:
            plan = compile_plan(ref, source, operation)
            if plan.kind != "mapped":
                continue
            types = [t for a in plan.actions if a.primary for t in a.types]
            arn = None
            if types:
                first = types[0].alternatives()[0]
                values = {v: "example" for v in first.variables}
                arn = first.fill({"Partition": "aws", "Region": "us-east-1", "Account": _ACCOUNT, **values})
            parameters = _synthetic_parameters(model, operation, arn)
            record = {
                "eventVersion": "1.09",
                "userIdentity": {
                    "type": "AssumedRole",
                    "arn": f"arn:aws:sts::{_ACCOUNT}:assumed-role/app/session",
                    "accountId": _ACCOUNT,
                },
                "eventSource": source,
                "eventName": operation,
                "awsRegion": "us-east-1",
                "recipientAccountId": _ACCOUNT,
                "eventType": "AwsApiCall",
                "requestParameters": parameters,
            }
            event = mapper.map(record)
            actions: dict[str, set[str]] = {}
            for action, resource in event.uses:
                actions.setdefault(action, set()).add(resource)
            starred = {a for a, resources in actions.items() if resources == {"*"}}
            why = [message for _, code, message in event.notes if code == "resource-undetermined"]
            if not why:
                level = LEVELS[0] if len(starred) < len(actions) else LEVELS[3]
            else:
                level = LEVELS[2] if starred == set(actions) else LEVELS[1]
            yield Call(
                service,
                source,
                operation,
                level,
                {a: sorted(r) for a, r in sorted(actions.items())},
                {
                    a: [t.key + ("*" if t.required else "") for t in ref.resource_types(a)]
                    for a in sorted(actions)
                },
                sorted(parameters),
                why,
            )


def resource_levels() -> Counter[str]:
    """Mapped operations by how their synthetic call is granted (see the module docstring)."""
    return Counter(call.level for call in resource_calls())


def list_level(level: str, services: frozenset[str] | None = None) -> list[str]:
    """The operations of one level, each with the actions granted (and on what) and the resource types the
    reference gives those actions (``*``: required), then the parameters the call had and its findings: the
    list to go through when judging whether a real record would name the resource."""
    if level not in LEVELS:
        raise ValueError(f"no level {level!r}: one of {', '.join(LEVELS)}")
    lines = []
    for call in resource_calls(services):
        if call.level != level:
            continue
        lines.append(f"{call.source}:{call.operation}")
        for action, resources in call.uses.items():
            types = ", ".join(call.types[action]) or "none"
            lines.append(f"    {action} on {', '.join(resources)}  [types: {types}]")
        lines.append(f"    parameters: {', '.join(call.parameters) or 'none'}")
        lines.extend(f"    finding: {message}" for message in call.why)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list-unmapped", action="store_true", help="print every unmapped operation")
    parser.add_argument("--json", type=Path, help="write the full result as JSON")
    parser.add_argument(
        "--resources", action="store_true", help="also map a synthetic call of each mapped operation"
    )
    parser.add_argument(
        "--list-level",
        choices=LEVELS,
        help="only list the operations of this resource level, with their grants and resource types",
    )
    parser.add_argument(
        "--services",
        help="with --list-level: comma-separated services, by botocore name or eventSource host (states)",
    )
    args = parser.parse_args(argv)
    if args.list_level:
        services = frozenset(s.strip() for s in args.services.split(",")) if args.services else None
        print("\n".join(list_level(args.list_level, services)))
        return 0
    result = measure()
    total = result["operations"]
    t = result["totals"]
    print(f"botocore {result['botocore']}: {result['services']} services, {total} operations")
    for kind in ("mapped", "ignored", "unmapped"):
        print(f"  {kind:9} {t.get(kind, 0):6}  {100 * t.get(kind, 0) / total:6.2f}%")
    for reason, count in sorted(result["ignored_reasons"].items()):
        print(f"    ignored: {reason}: {count}")
    worst = sorted(
        ((c.get("unmapped", 0), s) for s, c in result["per_service"].items() if c.get("unmapped")),
        reverse=True,
    )
    print("services with most unmapped operations: " + ", ".join(f"{s} {n}" for n, s in worst[:15]))
    print(f"unmapped operations with a same-family action in their namespace: {len(result['candidates'])}")
    for key, actions in sorted(result["candidates"].items()):
        print(f"    {key} -> {', '.join(actions)}")
    print(
        f"unmapped operations whose API reference names the authorizing action: {len(result['documented'])}"
    )
    for key, actions in sorted(result["documented"].items()):
        print(f"    {key} -> {', '.join(actions)}")
    if args.resources:
        levels = resource_levels()
        mapped = sum(levels.values())
        print(f"resource level of the {mapped} mapped operations, each called with every parameter given:")
        for level in LEVELS:
            print(f"  {level:20} {levels[level]:6}  {100 * levels[level] / mapped:6.2f}%")
    if args.list_unmapped:
        for service, operations in sorted(result["unmapped"].items()):
            print(f"{service}: {', '.join(operations)}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
