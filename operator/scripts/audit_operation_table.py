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

Rows a person has judged are in ``data/operation-table-judged.tsv`` (``--judged`` reads another file): each
names the call (``eventSource:Operation``), the action missing, a verdict (``VERDICTS``) and the page that
decided it; a pattern row (``*``, as ``fnmatch`` reads it, in either name) judges a group that shares one
reason, such as every ``dynamodb:*DataForReplication``. Judged rows are left out of the listing and counted
by verdict, so the listing is what is left to judge, except the ``granted-now`` ones the plan still lacks
(judged gaps not fixed yet), which stay listed; a judgment that matches no row any more is counted by verdict
too: a ``granted-now`` one because the fix granted it, a ``conditional`` one because the plan now grants the
action when the request asks for it (the plain call's plan includes its conditional extras), any other
because the row or the call changed.

Usage: ``PYTHONPATH=operator .venv/bin/python operator/scripts/audit_operation_table.py SNAPSHOT
[--several] [--judged FILE] [--json FILE]`` (``SNAPSHOT``: a checkout of
https://github.com/dgwhited/servicereference, as for ``extract_authorized_actions.py``; the commit the
shipped table was read at is in ``data/service-reference-operations/SOURCE.md``).
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import sys
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import botocore.session
from botocore import xform_name
from build_reference_data import conditional
from extract_authorized_actions import actions_of, read_snapshot

from policygen_operator.domain.iam.mapping.plans import compile_plan, namespace_of, sdk_event_source
from policygen_operator.domain.iam.reference import Reference, load_reference

JUDGED = Path(__file__).resolve().parent / "data" / "operation-table-judged.tsv"

VERDICTS = (
    # every call is refused without the action: a fix grants it (``rules.py``), citing the same page
    "granted-now",
    # checked only when the request asks for it (a parameter, a kind of resource, a way of calling)
    "conditional",
    # another name of the permission the plan grants (a legacy or a sibling service's spelling), or the
    # permission for another way to the same call (an Object Lambda access point, a directory bucket)
    "alternative",
    # the page says the call does not check it on the caller (the service checks it on itself, or the
    # action only decides what the answer shows)
    "not-checked",
    # no page decides it: left as it is, said here so that it is not judged again without a new page
    "unclear",
)

COLUMNS = ("operation", "missing", "verdict", "page")


@dataclass(frozen=True)
class Judgment:
    """One judged row: ``operation`` is ``eventSource:Operation`` and ``missing`` an action, either a
    pattern when it holds ``*``."""

    operation: str
    missing: str
    verdict: str
    page: str

    @property
    def pattern(self) -> bool:
        return "*" in self.operation or "*" in self.missing

    def matches(self, finding: dict[str, Any]) -> bool:
        return fnmatchcase(
            f"{finding['eventSource']}:{finding['operation']}", self.operation
        ) and fnmatchcase(finding["missing"].lower(), self.missing.lower())


def read_judged(path: Path) -> list[Judgment]:
    """The judgments, tab-separated under a ``COLUMNS`` header, ``#`` lines being comments. A bad verdict, a
    short row or one without its page is an error, not a row quietly left listed."""
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise ValueError(f"{path}: the first row must be the header {' '.join(COLUMNS)} (tab-separated)")
    judged = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS) or not all(cell.strip() for cell in row):
            raise ValueError(f"{path}: row {number} wants {len(COLUMNS)} non-empty cells: {row}")
        judgment = Judgment(*(cell.strip() for cell in row))
        if judgment.verdict not in VERDICTS:
            raise ValueError(f"{path}: row {number}: verdict {judgment.verdict!r} is none of {VERDICTS}")
        judged.append(judgment)
    return judged


def judgment_of(finding: dict[str, Any], judged: list[Judgment]) -> Judgment | None:
    """A row's own judgment before any pattern's, then the first pattern that matches."""
    exact = [j for j in judged if not j.pattern and j.matches(finding)]
    return next(iter(exact), None) or next((j for j in judged if j.pattern and j.matches(finding)), None)


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
    parser.add_argument(
        "--judged", type=Path, default=JUDGED, help="judged rows (default: data/operation-table-judged.tsv)"
    )
    parser.add_argument("--json", type=Path, help="write the listed operations as JSON")
    args = parser.parse_args(argv)
    judged = read_judged(args.judged)
    found = disagreements(args.snapshot)
    single = [f for f in found if len(f["row"]) == 1]
    several = [f for f in found if len(f["row"]) > 1]
    print(f"mapped operations whose row has one action, not granted: {len(single)}")
    if args.several:
        print(f"mapped operations whose row has several actions, one not granted: {len(several)}")
    verdicts: Counter[str] = Counter()
    listed = []
    for f in found if args.several else single:
        judgment = judgment_of(f, judged)
        f["verdict"] = judgment.verdict if judgment else None
        if judgment:
            verdicts[judgment.verdict] += 1
        if judgment is None or judgment.verdict == "granted-now":
            listed.append(f)
    counts = ", ".join(f"{v} {verdicts[v]}" for v in VERDICTS if verdicts[v])
    print(f"judged: {sum(verdicts.values())}" + (f" ({counts})" if counts else ""))
    matched = {j for f in found for j in judged if j.matches(f)}
    gone = Counter(j.verdict for j in judged if j not in matched)
    counts = ", ".join(f"{v} {gone[v]}" for v in VERDICTS if gone[v])
    print(
        "judgments matching no row any more (the plan grants the action since, or the row changed): "
        f"{sum(gone.values())}" + (f" ({counts})" if counts else "")
    )
    print(f"left to judge: {sum(1 for f in listed if f['verdict'] is None)}")
    by_service = Counter(f["service"] for f in listed)
    print("by service: " + ", ".join(f"{s} {n}" for s, n in by_service.most_common()))
    for f in listed:
        mark = " [judged granted-now, not granted yet]" if f["verdict"] else ""
        print(
            f"    {f['eventSource']}:{f['operation']} -> {f['missing']} (granted: {', '.join(f['granted'])})"
            + mark
        )
    if args.json:
        args.json.write_text(json.dumps(listed, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
