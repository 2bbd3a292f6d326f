"""Calls whose resource is an id an earlier call returned (``RETURNED_IDS``, ``ID_FOLLOW_UPS``).

A record maps by itself, so the mapper grants such a follow-up ``*`` with the finding; the scan, which sees
many records, keeps what each start returned and hands it back here to name the follow-up's resources.
These functions read one record each and keep nothing: the scan owns the ids it has seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from policygen_operator.domain.iam.mapping.records import (
    MappedEvent,
    parameters,
    undetermined,
    undetermined_lead,
)
from policygen_operator.domain.iam.mapping.rules import ID_FOLLOW_UPS, RETURNED_IDS
from policygen_operator.domain.iam.templates import get_field

# MappedEvent.key ("eventSource:eventName") -> the table entries
_RETURNED = {f"{source}:{name}": entry for (source, name), entry in RETURNED_IDS.items()}
_FOLLOW_UPS = {f"{source}:{name}": entry for (source, name), entry in ID_FOLLOW_UPS.items()}
LINKED_KEYS = frozenset(_RETURNED) | frozenset(_FOLLOW_UPS)
# "Length Constraints: Minimum length of 1. Maximum length of 128" (Athena API Reference, QueryExecutionId
# and NamedQueryId): a longer value is no id, and the scan keeps thousands of them
MAX_ID = 128


def returned_id(record: Mapping[str, Any], mapped: MappedEvent) -> tuple[str, str, tuple[str, ...]] | None:
    """(kind, id, ARNs) when this successful call returned an id that later calls name its resource by."""
    returned = returned_key(record, mapped)
    if returned is None:
        return None
    kind, value, action = returned
    arns = tuple(resource for name, resource in mapped.uses if name == action and resource != "*")
    return (kind, value, arns) if arns else None


def returned_key(record: Mapping[str, Any], mapped: MappedEvent) -> tuple[str, str, str] | None:
    """(kind, id, the action whose ARNs the id stands for) when this successful call returned an id, whatever
    it was granted on: a call that is itself a follow-up (Athena's StartCalculationExecution names its
    session by id) binds its own id once its resources are known."""
    entry = _RETURNED.get(mapped.key)
    if entry is None or mapped.kind != "mapped" or mapped.denied:
        return None
    kind, field, action = entry
    response = record.get("responseElements")
    value = get_field(response, field) if isinstance(response, Mapping) else None
    return (kind, value, action) if isinstance(value, str) and 0 < len(value) <= MAX_ID else None


def followed_ids(record: Mapping[str, Any], mapped: MappedEvent) -> tuple[str, tuple[str, ...]] | None:
    """(kind, ids) when this call names its resource only by ids earlier calls returned."""
    entry = _FOLLOW_UPS.get(mapped.key)
    if (
        entry is None
        or mapped.kind != "mapped"
        or not any(n[1] == "resource-undetermined" for n in mapped.notes)
    ):
        return None  # nothing to name: resource level off (every grant is *), or the call named it already
    kind, field, _ = entry
    value = get_field(parameters(record.get("requestParameters")), field)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    if not all(isinstance(v, str) and 0 < len(v) <= MAX_ID for v in values):
        return None  # a value that is no id: the call keeps its reading (*, said)
    ids = tuple(dict.fromkeys(values))
    return (kind, ids) if ids else None


def linked(mapped: MappedEvent, arns: tuple[str, ...] | None) -> MappedEvent:
    """The follow-up granted on ``arns``, the resources its ids stand for, instead of ``*``; the finding
    goes when that ``*`` was the record's only undetermined resource. With None (no call returning the ids
    was scanned) it keeps ``*``, and its finding says so instead of blaming the record's form."""
    kind, _, action = _FOLLOW_UPS[mapped.key]
    if (action, "*") not in mapped.uses:
        return mapped
    # the mapper's finding when this * was its only one, whatever cause it gives
    prefix = undetermined_lead(mapped.key, [action])
    alone = next(
        (n for n in mapped.notes if n[1] == "resource-undetermined" and n[2].startswith(prefix)), None
    )
    if arns is None:
        said = undetermined(
            mapped.key,
            [action],
            f"the request names the {kind} only by its id, and the call that returned the id was not among "
            "the records scanned: started by another principal or outside the window",
        )
        return replace(mapped, notes=tuple(said if n == alone else n for n in mapped.notes))
    uses: list[tuple[str, str]] = []
    for name, resource in mapped.uses:
        uses.extend(
            ((name, arn) for arn in arns) if (name, resource) == (action, "*") else ((name, resource),)
        )
    notes = tuple(n for n in mapped.notes if n != alone)
    return replace(
        mapped,
        uses=tuple(dict.fromkeys(uses)),
        notes=notes,
        reason=mapped.reason if any(n[1] == "resource-undetermined" for n in notes) else "",
    )
