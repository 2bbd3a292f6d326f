"""Ids one call returned, and the calls that name their resource by them, kept across files and batches.

Athena's ``GetQueryResults`` names only the query's id; the workgroup it is authorized on is in the
``StartQueryExecution`` that returned that id, which may lie in another file, another worker's batch, or
after it in the order files are read. The scan binds each id to the resources of the call that made it
(``bind``) and names a follow-up's resources from them; a follow-up whose id is not bound yet waits
(``wait``) until the results are merged and settled, and one whose start the scan never saw keeps the
mapper's ``*`` and its finding.

An id is one Region's of one account's: Athena's query, session and notebook ids, a CloudWatch Logs
Insights query's, an EFS mount target's are made by the Regional endpoint of the account that called it,
and a follow-up can only name an id of its own Region and account. Ids are bound and followed under the
record's ``Scope`` (its ``recipientAccountId`` and ``awsRegion``), so that two Regions (or accounts) that
returned the same id string each name their own resource.

Memory stays bounded however many queries a trail holds: ids are kept in two generations of at most
``BOUND_PER_GENERATION`` each (the newest survive, and a follow-up comes soon after its start), and at most
``MAX_WAITING`` distinct follow-ups wait; past that they are settled with what is bound so far.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from policygen_operator.domain.usage import Usage

BOUND_PER_GENERATION = 1 << 14
MAX_WAITING = 1 << 14

# (recipientAccountId, awsRegion) of the record that returned or names an id; "" for a field it lacks
Scope = tuple[str, str]
# (principal, Pod Identity session or None, the follow-up's scope, kind of id, the ids, the mapped event
# with * for them, and the (kind, id, action) the call itself returned, bound once it is settled)
WaitingKey = tuple[str, str | None, Scope, str, tuple[str, ...], Any, tuple[str, str, str] | None]


def scope_of(record: Any) -> Scope:
    """The account and Region an id of ``record`` (a dict) belongs to."""
    account = record.get("recipientAccountId")
    region = record.get("awsRegion")
    return (account if isinstance(account, str) else "", region if isinstance(region, str) else "")


@dataclass
class Links:
    newer: dict[tuple[Scope, str, str], tuple[str, ...]] = field(default_factory=dict)
    older: dict[tuple[Scope, str, str], tuple[str, ...]] = field(default_factory=dict)
    waiting: dict[WaitingKey, Usage] = field(default_factory=dict)

    def bind(self, scope: Scope, kind: str, returned: str, arns: tuple[str, ...]) -> None:
        key = (scope, kind, returned)
        if key not in self.newer and len(self.newer) >= BOUND_PER_GENERATION:
            self.older, self.newer = self.newer, {}
        self.newer[key] = arns

    def resources(self, scope: Scope, kind: str, ids: tuple[str, ...]) -> tuple[str, ...] | None:
        """The resources every one of ``ids`` stands for in ``scope``, or None while one is unknown."""
        found: list[str] = []
        for one in ids:
            arns = self.newer.get((scope, kind, one)) or self.older.get((scope, kind, one))
            if arns is None:
                return None
            found.extend(arns)
        return tuple(dict.fromkeys(found))

    def wait(self, key: WaitingKey, usage: Usage) -> None:
        """``usage.count`` calls (one record, or an Athena row of many) whose ids are not bound yet."""
        mine = self.waiting.get(key)
        if mine is None:
            self.waiting[key] = Usage(usage.count, usage.first_seen, usage.last_seen)
        else:
            mine.add(usage)

    @property
    def crowded(self) -> bool:
        return len(self.waiting) > MAX_WAITING

    def merge(self, other: Links) -> None:
        for bound in (other.older, other.newer):  # older first: the newest stay in the newer generation
            for (scope, kind, returned), arns in bound.items():
                self.bind(scope, kind, returned, arns)
        for key, usage in other.waiting.items():
            self.wait(key, usage)

    def settle(self, final: bool) -> Iterator[tuple[WaitingKey, tuple[str, ...] | None, Usage]]:
        """Takes out the waiting follow-ups whose ids are all bound now, with their resources; with
        ``final`` (or when too many wait) every one, None for those still unknown."""
        flush = final or self.crowded
        for key in list(self.waiting):
            arns = self.resources(key[2], key[3], key[4])
            if arns is not None or flush:
                yield key, arns, self.waiting.pop(key)
