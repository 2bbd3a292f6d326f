"""Keep, from a snapshot of AWS's programmatic service reference, the actions that authorize unmapped calls.

AWS publishes the Service Authorization Reference in machine-readable form, one JSON document per service at
https://servicereference.us-east-1.amazonaws.com/ (Service Authorization Reference, "Simplified AWS service
information for programmatic access"). Each document's ``Operations`` list names, per API operation, the
``AuthorizedActions`` (``Name``, ``Service``) AWS checks for it and the ``SDK`` methods that call it
(``{"Name": "deadline", "Method": "batch_get_session", "Package": "Boto3"}``). iam-dataset's table (2023)
knows no operation added since, and the mapper otherwise maps those only where the reference has an action
of the operation's own name: Deadline's ``BatchGetSession`` is authorized by ``deadline:GetSession``, which
no name tells.

Only the facts needed are kept: for each operation of the installed botocore (the version
``requirements.lock`` pins) that the shipped data leaves unmapped (``coverage.py``'s notion, with this
table itself left out, so a rerun gives the same file), the ``AuthorizedActions`` of the snapshot's row
for it, found by its Boto3 method (``SDK``), else by its name in the document of the call's namespace. Rows
are kept as the snapshot gives them, an empty list included; which of them the mapper may use is decided by
``build_reference_data.py`` (``authorized_actions``).

Keyed by the IAM namespace the call's eventSource resolves to, as the mapper looks calls up. A row is kept
only from the document of that namespace: a call whose eventSource resolves to no namespace (IoT secure
tunneling's ``api.tunneling.iot.amazonaws.com``, whose rows are in ``iot``'s document) or whose method only
another document lists (the Connect participant service's ``DescribeView``, in ``connect``'s, while its
calls resolve to ``execute-api``) is listed in ``about.row_of_another_document`` instead.

Usage: ``PYTHONPATH=operator .venv/bin/python operator/scripts/extract_authorized_actions.py SNAPSHOT
--commit SHA`` (``SNAPSHOT``: a checkout of https://github.com/dgwhited/servicereference, one
``<service>/<service>.json`` per service) writes
``operator/scripts/data/service-reference-operations/authorized_actions.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import botocore
import botocore.session
from botocore import xform_name

from policygen_operator.domain.iam.mapping.plans import compile_plan, namespace_of, sdk_event_source
from policygen_operator.domain.iam.reference import DATA_FILE, Reference, parse_reference

OUTPUT = Path(__file__).resolve().parent / "data" / "service-reference-operations" / "authorized_actions.json"
REPOSITORY = "https://github.com/dgwhited/servicereference"
KEY = "authorized_actions"  # the shipped data's key that this file becomes


def reference_without_table() -> Reference:
    """The shipped reference with the table this script feeds left out: what is unmapped without it."""
    raw = resources.files("policygen_operator").joinpath("data", DATA_FILE).read_bytes()
    data = parse_reference(gzip.decompress(raw))
    data.pop(KEY, None)
    return Reference(data)


def read_snapshot(snapshot: Path) -> tuple[dict[tuple[str, str], list[Any]], dict[str, dict[str, Any]]]:
    """The snapshot's rows by Boto3 method (``(service, method)`` -> [(document, row), ...]) and by
    document and operation name."""
    by_method: dict[tuple[str, str], list[Any]] = {}
    by_name: dict[str, dict[str, Any]] = {}
    for path in sorted(snapshot.glob("*/*.json")):
        document = json.loads(path.read_text())
        name = document.get("Name")
        if not isinstance(name, str):
            continue
        for row in document.get("Operations") or ():
            by_name.setdefault(name, {})[row["Name"]] = row
            for sdk in row.get("SDK") or ():
                if sdk.get("Package") == "Boto3":
                    by_method.setdefault((sdk["Name"], sdk["Method"]), []).append((name, row))
    return by_method, by_name


def actions_of(row: dict[str, Any]) -> list[str]:
    return sorted({f"{a['Service']}:{a['Name']}" for a in row.get("AuthorizedActions") or ()})


def extract(snapshot: Path, commit: str) -> dict[str, Any]:
    ref = reference_without_table()
    by_method, by_name = read_snapshot(snapshot)
    session = botocore.session.get_session()
    operations: dict[str, dict[str, list[str]]] = {}
    counts: Counter[str] = Counter()
    other: list[str] = []
    for service in sorted(session.get_available_services()):
        model = session.get_service_model(service)
        source = sdk_event_source(ref, model.metadata, service)
        namespace = namespace_of(ref, source)
        for operation in model.operation_names:
            if compile_plan(ref, source, operation).kind != "unmapped":
                continue
            counts["unmapped"] += 1
            rows = by_method.get((service, xform_name(operation)), [])
            # several documents may list one method: the call's own namespace's row first
            rows = sorted(rows, key=lambda found: (found[0] != namespace, found[0]))
            if not rows and namespace and operation in by_name.get(namespace, {}):
                rows = [(namespace, by_name[namespace][operation])]
            if not rows:
                counts["without a row"] += 1
                continue
            document, row = rows[0]
            if document != namespace:
                # another service's row (Amazon Connect's DescribeView lists the participant service's
                # method, whose calls resolve to execute-api), or a call of no namespace: not this call's
                other.append(f"{source}:{operation} ({document})")
                continue
            counts["with a row"] += 1
            table = operations.setdefault(namespace, {})
            # another SDK service of the namespace with the same operation (RDS, DocumentDB and Neptune's
            # DescribeServerlessV2PlatformVersions): one eventName, so the actions of either
            table[operation] = sorted({*table.get(operation, ()), *actions_of(row)})
    return {
        "about": {
            "repository": REPOSITORY,
            "commit": commit,
            "botocore_version": botocore.__version__,
            "unmapped_operations": counts["unmapped"],
            "with_a_row": counts["with a row"],
            "without_a_row": counts["without a row"],
            "row_of_another_document": sorted(other),
        },
        "operations": operations,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path, help="a checkout of dgwhited/servicereference")
    parser.add_argument("--commit", required=True, help="the snapshot's commit (recorded in the output)")
    args = parser.parse_args(argv)
    result = extract(args.snapshot, args.commit)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    about = result["about"]
    print(
        f"wrote {OUTPUT.name}: {about['unmapped_operations']} unmapped operations, "
        f"{about['with_a_row']} with a row, {about['without_a_row']} without"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
