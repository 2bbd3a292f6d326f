"""Status conditions as the Kubernetes API conventions describe them.

``lastTransitionTime`` moves only when ``status`` flips, so "since when has it been failing" stays
answerable; ``reason`` is one CamelCase word for scripts and ``message`` the sentence for people. ``Ready``
is the summary of the others, so users (and ``kubectl wait --for=condition=Ready``) need to read only it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from policygen_operator.services.reasons import Reason

READY = "Ready"
GENERATED = "Generated"
PUBLISHED = "Published"
PULL_REQUEST_OPENED = "PullRequestOpened"
# Whether the policy was built from every file and record of the window (False: files were skipped, or
# records could not be used; informational, it does not make Ready False by itself, but a replacing pull
# request waits for every file, or for allowIncomplete).
COMPLETE = "Complete"
ORDER = (READY, GENERATED, PUBLISHED, PULL_REQUEST_OPENED)

TRUE, FALSE, UNKNOWN = "True", "False", "Unknown"
_REASON = re.compile(r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")
MAX_MESSAGE = 32768


def as_status(value: bool | str) -> str:
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if value not in (TRUE, FALSE, UNKNOWN):
        raise ValueError(f"condition status must be True, False or Unknown, not {value!r}")
    return value


def _reason(reason: str) -> str:
    """Keep the API server's pattern for reasons even when an error class hands us something odd."""
    if _REASON.match(reason):
        return reason
    cleaned = re.sub(r"[^A-Za-z0-9_]", "", reason.title())
    return cleaned if cleaned and cleaned[0].isalpha() else str(Reason.ERROR)


class Conditions:
    """The conditions of one status, edited in place and written back as a whole list.

    Written as a whole because ``conditions`` is a map-list keyed by type: a merge patch replaces lists, so
    we send every condition each time, not just the changed ones.
    """

    def __init__(self, existing: Iterable[Mapping[str, Any]] | None, now: str, generation: int) -> None:
        self._by_type: dict[str, dict[str, Any]] = {c["type"]: dict(c) for c in existing or () if "type" in c}
        self._before = {t: c.get("status") for t, c in self._by_type.items()}
        self._now = now
        self._generation = generation

    def get(self, type_: str) -> Mapping[str, Any] | None:
        return self._by_type.get(type_)

    def status_of(self, type_: str) -> str | None:
        condition = self._by_type.get(type_)
        return None if condition is None else str(condition.get("status"))

    def set(self, type_: str, status: bool | str, reason: str, message: str) -> None:
        new_status = as_status(status)
        old = self._by_type.get(type_)
        transition = (
            self._now if old is None or old.get("status") != new_status else old["lastTransitionTime"]
        )
        self._by_type[type_] = {
            "type": type_,
            "status": new_status,
            "reason": _reason(str(reason)),  # a plain str in status, never the enum
            "message": message[:MAX_MESSAGE],
            "lastTransitionTime": transition,
            "observedGeneration": self._generation,
        }

    def remove(self, type_: str) -> None:
        self._by_type.pop(type_, None)

    def summarize(self, required: Sequence[str]) -> None:
        """Ready is True when every required condition is; otherwise it carries the first one that is not."""
        for type_ in required:
            condition = self._by_type.get(type_)
            if condition is None:
                self.set(READY, UNKNOWN, Reason.PENDING, f"{type_} has not been evaluated yet")
                return
            if condition["status"] != TRUE:
                self.set(READY, condition["status"], condition["reason"], condition["message"])
                return
        self.set(READY, TRUE, Reason.READY, self._ready_message(required))

    def _ready_message(self, required: Sequence[str]) -> str:
        parts = [self._by_type[t]["message"] for t in required if self._by_type[t].get("message")]
        return "; ".join(parts) or "up to date"

    def flipped(self, type_: str) -> bool:
        """Whether this reconcile changed the condition's status (the cue for posting an event)."""
        return self._before.get(type_) != self.status_of(type_)

    def as_list(self) -> list[dict[str, Any]]:
        known = [self._by_type[t] for t in ORDER if t in self._by_type]
        others = [c for t, c in sorted(self._by_type.items()) if t not in ORDER]
        return known + others
