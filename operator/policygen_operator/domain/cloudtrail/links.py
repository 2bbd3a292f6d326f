"""Ids one call returned, and the calls that name their resource by them, kept across files and batches.

Athena's ``GetQueryResults`` names only the query's id; the workgroup it is authorized on is in the
``StartQueryExecution`` that returned that id, which may lie in another file, another worker's batch, or
after it in the order files are read. The scan binds each id to the resources of the call that made it
(``bind``) and names a follow-up's resources from them; a follow-up whose id is not bound yet waits
(``wait``) until the results are merged and settled, and one whose start the scan never saw keeps the
mapper's ``*`` and its finding.

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

# (principal, Pod Identity session or None, kind of id, the ids, the mapped event with * for them, and the
# (kind, id, action) the call itself returned, bound once it is settled)
WaitingKey = tuple[str, str | None, str, tuple[str, ...], Any, tuple[str, str, str] | None]


@dataclass
class Links:
    newer: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    older: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    waiting: dict[WaitingKey, Usage] = field(default_factory=dict)

    def bind(self, kind: str, returned: str, arns: tuple[str, ...]) -> None:
        key = (kind, returned)
        if key not in self.newer and len(self.newer) >= BOUND_PER_GENERATION:
            self.older, self.newer = self.newer, {}
        self.newer[key] = arns

    def resources(self, kind: str, ids: tuple[str, ...]) -> tuple[str, ...] | None:
        """The resources every one of ``ids`` stands for, or None while one of them is unknown."""
        found: list[str] = []
        for one in ids:
            arns = self.newer.get((kind, one)) or self.older.get((kind, one))
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
            for (kind, returned), arns in bound.items():
                self.bind(kind, returned, arns)
        for key, usage in other.waiting.items():
            self.wait(key, usage)

    def settle(self, final: bool) -> Iterator[tuple[WaitingKey, tuple[str, ...] | None, Usage]]:
        """Takes out the waiting follow-ups whose ids are all bound now, with their resources; with
        ``final`` (or when too many wait) every one, None for those still unknown."""
        flush = final or self.crowded
        for key in list(self.waiting):
            arns = self.resources(key[2], key[3])
            if arns is not None or flush:
                yield key, arns, self.waiting.pop(key)
