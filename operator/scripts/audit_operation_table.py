"""Mapped calls whose row in AWS's operation table names an action the mapping does not grant.

AWS's programmatic service reference (Service Authorization Reference, "Simplified AWS service information
for programmatic access") lists per API operation the ``AuthorizedActions`` AWS checks for it. The mapper
uses that table only for calls nothing else maps (``extract_authorized_actions.py``); for the calls it maps
from iam-dataset's table or by the operation's own name, a row that names an action the plan does not grant
is a call the generated policy may refuse. This audit lists them, for a person to judge against the API
Reference (a fix is an ``EXTRA_ENTRIES`` or ``AUTHORIZED_BY`` entry in ``domain/iam/mapping/rules.py``
citing its page), as ``coverage.py`` lists the unmapped ones.

A row's actions are read as ``build_reference_data.py`` reads them: the companions AWS checks only when the
request asks for them (tagging, ``iam:PassRole``, ``kms:``; ``conditional``) are dropped, except the
operation's own action (a ``TagResource`` row's ``TagResource`` is no companion: dropping it would leave
Bedrock's ``CallWithBearerToken`` or Budgets' ``aws-portal:ModifyBilling`` looking like the whole row). A
plain call's plan (``compile_plan``, its primary variant's actions, extras included) is what the mapping
grants. Listed by default: the rows left with exactly one action, which the plan lacks; those say what
every call needs, so the call would be refused. With ``--several``, also the rows of several actions of
which exactly one is missing (Glue ``BatchGetJobs``: ``glue:BatchGetJobs`` and ``glue:GetJob``); many of
those list actions a call needs only for some requests, so they want a page each before any fix.

Usage: ``PYTHONPATH=operator .venv/bin/python operator/scripts/audit_operation_table.py SNAPSHOT
[--several] [--json FILE]`` (``SNAPSHOT``: a checkout of https://github.com/dgwhited/servicereference, as
for ``extract_authorized_actions.py``; the commit the shipped table was read at is in
``data/service-reference-operations/SOURCE.md``).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import botocore.session
from botocore import xform_name
from build_reference_data import conditional
from extract_authorized_actions import actions_of, read_snapshot

from policygen_operator.domain.iam.mapping.plans import compile_plan, namespace_of, sdk_event_source
from policygen_operator.domain.iam.reference import Reference, load_reference


def unconditional(operation: str, actions: list[str]) -> list[str]:
    """The row's actions without the companions, the operation's own action kept."""
    return [a for a in actions if not conditional(a) or a.split(":", 1)[1] == operation]


@functools.cache
def _models() -> tuple[tuple[str, Any], ...]:
    """The installed botocore's service models, read once (about 2.5 s for all of them)."""
    session = botocore.session.get_session()
    services = sorted(session.get_available_services())
    return tuple((service, session.get_service_model(service)) for service in services)


def disagreements(snapshot: Path, ref: Reference | None = None) -> list[dict[str, Any]]:
    """Every mapped operation of the installed botocore whose row (in its own namespace's document, found as
    the extractor finds it) has, of its unconditional actions, exactly one the plan does not grant."""
    ref = ref or load_reference()
    by_method, by_name = read_snapshot(snapshot)
    found: list[dict[str, Any]] = []
    for service, model in _models():
        source = sdk_event_source(ref, model.metadata, service)
        namespace = namespace_of(ref, source)
        if namespace is None or namespace not in by_name:
            continue  # only the call's own namespace's document is read
        for operation in model.operation_names:
            plan = compile_plan(ref, source, operation)
            if plan.kind != "mapped":
                continue
            rows = [
                row
                for document, row in by_method.get((service, xform_name(operation)), ())
                if document == namespace
            ]
            if not rows and operation in by_name.get(namespace, {}):
                rows = [by_name[namespace][operation]]
            if not rows:
                continue
            row = unconditional(operation, actions_of(rows[0]))
            granted = sorted({a.action for a in plan.actions})
            missing = [a for a in row if a.lower() not in {g.lower() for g in granted}]
            if len(missing) == 1:
                found.append(
                    {
                        "service": service,
                        "eventSource": source,
                        "operation": operation,
                        "row": row,
                        "missing": missing[0],
                        "granted": granted,
                    }
                )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path, help="a checkout of dgwhited/servicereference")
    parser.add_argument(
        "--several", action="store_true", help="also list rows of several actions of which one is missing"
    )
    parser.add_argument("--json", type=Path, help="write the listed operations as JSON")
    args = parser.parse_args(argv)
    found = disagreements(args.snapshot)
    single = [f for f in found if len(f["row"]) == 1]
    several = [f for f in found if len(f["row"]) > 1]
    listed = found if args.several else single
    print(f"mapped operations whose row has one action, not granted: {len(single)}")
    if args.several:
        print(f"mapped operations whose row has several actions, one not granted: {len(several)}")
    by_service = Counter(f["service"] for f in listed)
    print("by service: " + ", ".join(f"{s} {n}" for s, n in by_service.most_common()))
    for f in listed:
        print(
            f"    {f['eventSource']}:{f['operation']} -> {f['missing']} (granted: {', '.join(f['granted'])})"
        )
    if args.json:
        args.json.write_text(json.dumps(listed, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
