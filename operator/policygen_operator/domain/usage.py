"""The one value every scan reduces CloudTrail to: a mergeable usage summary.

A summary of one delivery file, of one core's half of the files, of yesterday's run or of an
Athena aggregate all have the same shape, so they merge associatively and commutatively
(counts add, first-seen takes the minimum, last-seen the maximum). The policy is a pure
function of a summary; nothing downstream needs the records themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import ItemsView, Iterable, Iterator, Mapping, MutableMapping, ValuesView
from dataclasses import dataclass, field
from typing import Any

# (action, resource ARN or "*")
ActionResource = tuple[str, str]


@dataclass(slots=True)
class Usage:
    """How often an (action, resource) pair was seen, and when first and last (ISO 8601 UTC strings).

    ISO 8601 strings in one fixed format (CloudTrail's ``eventTime``) compare correctly as text, so we
    keep them as text and avoid parsing a datetime for every record on the hot path.
    """

    count: int
    first_seen: str
    last_seen: str

    def add(self, other: Usage) -> None:
        self.count += other.count
        if other.first_seen < self.first_seen:
            self.first_seen = other.first_seen
        if other.last_seen > self.last_seen:
            self.last_seen = other.last_seen

    def see(self, event_time: str) -> None:
        self.count += 1
        if event_time < self.first_seen:
            self.first_seen = event_time
        if event_time > self.last_seen:
            self.last_seen = event_time


# An entry of a table: its Usage, or for a pair seen once only, that call's eventTime (Usage(1, t, t)).
Entry = Usage | str


def _usage(entry: Entry) -> Usage:
    return Usage(1, entry, entry) if isinstance(entry, str) else entry


class UsageTable(MutableMapping[ActionResource, Usage]):
    """``(action, resource) -> Usage``, held as ``action -> resource -> Usage``, and a pair seen once as
    the bare time of that call.

    A many-principal scan keeps hundreds of thousands of entries. A key tuple per entry cost 56 bytes of
    the ~240 one took, and a principal uses few actions, so one dict per action costs far less. Most
    pairs are seen once (an S3 object read once; 80% of the benchmark's entries), and their ``Usage``
    (56 bytes) says nothing their time does not. Readers still see ``(action, resource)`` keys and
    ``Usage`` values; a once-seen pair's is made when read, so writes go through ``see``, ``add``,
    ``merge`` or assignment, never into a ``Usage`` read out. Iteration is grouped by action (insertion
    order within each), which no output depends on: reports sort, and a policy is built from sets.
    """

    __slots__ = ("by_action",)

    def __init__(
        self, entries: Mapping[ActionResource, Usage] | Iterable[tuple[ActionResource, Usage]] = ()
    ) -> None:
        self.by_action: dict[str, dict[str, Entry]] = {}
        pairs = entries.items() if isinstance(entries, Mapping) else entries
        for (action, resource), usage in pairs:
            self[(action, resource)] = usage

    def __getitem__(self, key: ActionResource) -> Usage:
        action, resource = key
        return _usage(self.by_action[action][resource])

    def __setitem__(self, key: ActionResource, usage: Usage) -> None:
        """Kept as given (the caller may go on changing it)."""
        action, resource = key
        by_resource = self.by_action.get(action)
        if by_resource is None:
            by_resource = self.by_action[action] = {}
        by_resource[resource] = usage

    def __delitem__(self, key: ActionResource) -> None:
        action, resource = key
        by_resource = self.by_action[action]
        del by_resource[resource]
        if not by_resource:
            del self.by_action[action]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        by_resource = self.by_action.get(key[0])
        return by_resource is not None and key[1] in by_resource

    def __iter__(self) -> Iterator[ActionResource]:
        for action, by_resource in self.by_action.items():
            for resource in by_resource:
                yield action, resource

    def __len__(self) -> int:
        return sum(map(len, self.by_action.values()))

    def __bool__(self) -> bool:
        return bool(self.by_action)

    def get(self, key: ActionResource, default: Any = None) -> Any:
        by_resource = self.by_action.get(key[0])
        if by_resource is None:
            return default
        entry = by_resource.get(key[1])
        return default if entry is None else _usage(entry)

    def items(self) -> ItemsView[ActionResource, Usage]:
        return _Items(self)

    def values(self) -> ValuesView[Usage]:
        return _Values(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"UsageTable({dict(self.items())!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rows_table, (self.rows(),))

    def see(self, action: str, resource: str, event_time: str) -> None:
        """One call at ``event_time`` (the scan's hot path: one record's use)."""
        by_resource = self.by_action.get(action)
        if by_resource is None:
            self.by_action[action] = {resource: event_time}
            return
        entry = by_resource.get(resource)
        if entry is None:
            by_resource[resource] = event_time
        elif isinstance(entry, str):
            # the second call: as Usage.see would have it, from Usage(1, entry, entry)
            if event_time < entry:
                by_resource[resource] = Usage(2, event_time, entry)
            elif event_time > entry:
                by_resource[resource] = Usage(2, entry, event_time)
            else:
                by_resource[resource] = Usage(2, entry, entry)
        else:
            entry.see(event_time)

    def add(self, action: str, resource: str, usage: Usage) -> None:
        """``usage`` added in, never kept itself (the caller's stays unshared)."""
        by_resource = self.by_action.get(action)
        if by_resource is None:
            by_resource = self.by_action[action] = {}
        entry = by_resource.get(resource)
        if entry is None:
            by_resource[resource] = _entry(usage.count, usage.first_seen, usage.last_seen)
        elif isinstance(entry, str):
            mine = by_resource[resource] = Usage(1, entry, entry)
            mine.add(usage)
        else:
            entry.add(usage)

    def merge(self, other: UsageTable) -> None:
        for action, theirs in other.by_action.items():
            for resource, entry in theirs.items():
                self.add(action, resource, _usage(entry))

    def put(self, action: str, resource: str, count: int, first_seen: str, last_seen: str) -> None:
        """An entry read back (pickled rows, a saved summary), in place of any of that pair."""
        by_resource = self.by_action.get(action)
        if by_resource is None:
            by_resource = self.by_action[action] = {}
        by_resource[resource] = _entry(count, first_seen, last_seen)

    def rows(self) -> list[Row]:
        return [
            (action, resource, 1, e, e)
            if isinstance(e, str)
            else (action, resource, e.count, e.first_seen, e.last_seen)
            for action, by_resource in self.by_action.items()
            for resource, e in by_resource.items()
        ]


def _entry(count: int, first_seen: str, last_seen: str) -> Entry:
    """The entry of a copy: the bare time when it says all (count 1, first the same as last)."""
    if count == 1 and first_seen == last_seen:
        return first_seen
    return Usage(count, first_seen, last_seen)


class _Items(ItemsView[ActionResource, Usage]):
    _mapping: UsageTable

    def __iter__(self) -> Iterator[tuple[ActionResource, Usage]]:
        for action, by_resource in self._mapping.by_action.items():
            for resource, entry in by_resource.items():
                yield (action, resource), _usage(entry)


class _Values(ValuesView[Usage]):
    _mapping: UsageTable

    def __iter__(self) -> Iterator[Usage]:
        for by_resource in self._mapping.by_action.values():
            for entry in by_resource.values():
                yield _usage(entry)


def _table(entries: Mapping[ActionResource, Usage] | None = None) -> UsageTable:
    return entries if isinstance(entries, UsageTable) else UsageTable(entries or ())


@dataclass
class PrincipalUsage:
    """What one principal did: allowed calls by (action, resource), and what it was refused."""

    allowed: UsageTable = field(default_factory=UsageTable)
    denied: UsageTable = field(default_factory=UsageTable)

    def __post_init__(self) -> None:
        # a plain dict given (tests, older callers) is held in the table layout all the same
        self.allowed = _table(self.allowed)
        self.denied = _table(self.denied)

    def record(self, action: str, resource: str, event_time: str, *, denied: bool = False) -> None:
        (self.denied if denied else self.allowed).see(action, resource, event_time)

    def add(self, action: str, resource: str, usage: Usage, *, denied: bool = False) -> None:
        """``usage.count`` calls at once (an aggregate row), keeping ``usage`` itself unshared."""
        (self.denied if denied else self.allowed).add(action, resource, usage)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as plain rows: a worker's batch result holds one entry per distinct (action, resource),
        and pickling each ``Usage`` as an object cost more than scanning the event that made it."""
        return (_principal_usage, (self.allowed.rows(), self.denied.rows()))

    def merge(self, other: PrincipalUsage) -> None:
        self.allowed.merge(other.allowed)
        self.denied.merge(other.denied)


Row = tuple[str, str, int, str, str]  # action, resource, count, first seen, last seen


def _rows_table(rows: list[Row]) -> UsageTable:
    table = UsageTable()
    for action, resource, count, first, last in rows:
        table.put(action, resource, count, first, last)
    return table


def _principal_usage(allowed: list[Row], denied: list[Row]) -> PrincipalUsage:
    return PrincipalUsage(_rows_table(allowed), _rows_table(denied))


@dataclass
class UsageSummary:
    """Usage per principal ARN plus the counters a report and a status need.

    ``unmapped`` counts events we could not turn into IAM actions, keyed by ``eventSource:eventName``:
    we report them and never guess them into a policy. ``skipped_files`` maps a file name (or S3 URI)
    to why it was skipped.
    """

    principals: dict[str, PrincipalUsage] = field(default_factory=dict)
    # Only for the roles a scan was asked to split (EKS Pod Identity, domain/cloudtrail/podidentity.py):
    # role ARN -> session ARN -> that session's usage, and session ARN -> the tags of its AssumeRole.
    sessions: dict[str, dict[str, PrincipalUsage]] = field(default_factory=dict)
    session_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    unmapped: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    skipped_files: dict[str, str] = field(default_factory=dict)
    bad_records: int = 0
    # Of ``bad_records``, those of a requested principal (a matched record lacking a field the mapping reads),
    # by principal: they can only have held that principal's calls. The rest (malformed records, records
    # without an identity) could have been anyone's, so they count for every principal (``bad_records_for``).
    bad_records_of: Counter[str] = field(default_factory=Counter)
    # records read out of the base64 rawData of a Kinesis Data Firehose stream's error output (records it
    # could not transform or deliver: ``domain.cloudtrail.scan.Scanner._scan_raw_data``), which the
    # stream's archive lacks: said apart so that a run over such output says it was one
    raw_data_records: int = 0
    files_scanned: int = 0
    events_scanned: int = 0
    events_matched: int = 0

    def principal(self, arn: str) -> PrincipalUsage:
        usage = self.principals.get(arn)
        if usage is None:
            usage = self.principals[arn] = PrincipalUsage()
        return usage

    def session(self, role: str, session: str) -> PrincipalUsage:
        by_session = self.sessions.setdefault(role, {})
        usage = by_session.get(session)
        if usage is None:
            usage = by_session[session] = PrincipalUsage()
        return usage

    def bad_records_for(self, principal: str) -> int:
        """The records that could not be used and may have held this principal's calls: its own and those
        of no known principal. A fleet's pull requests are held back by these (``services.status.
        incomplete_refusal``), not by another role's record that lacked a field."""
        return self.bad_records - sum(self.bad_records_of.values()) + self.bad_records_of.get(principal, 0)

    def merge(self, other: UsageSummary) -> UsageSummary:
        for arn, usage in other.principals.items():
            self.principal(arn).merge(usage)
        for role, by_session in other.sessions.items():
            for session, usage in by_session.items():
                self.session(role, session).merge(usage)
        self.session_tags.update(other.session_tags)
        self.unmapped.update(other.unmapped)
        self.ignored.update(other.ignored)
        self.skipped_files.update(other.skipped_files)
        self.bad_records += other.bad_records
        self.bad_records_of.update(other.bad_records_of)
        self.raw_data_records += other.raw_data_records
        self.files_scanned += other.files_scanned
        self.events_scanned += other.events_scanned
        self.events_matched += other.events_matched
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, stable in order, for reports and for keeping a summary between runs."""

        def table(entries: Mapping[ActionResource, Usage]) -> list[dict[str, Any]]:
            return [
                {
                    "action": action,
                    "resource": resource,
                    "count": usage.count,
                    "firstSeen": usage.first_seen,
                    "lastSeen": usage.last_seen,
                }
                for (action, resource), usage in sorted(entries.items())
            ]

        sessions = {
            "sessions": {
                role: {
                    session: {"allowed": table(u.allowed), "denied": table(u.denied)}
                    for session, u in sorted(by_session.items())
                }
                for role, by_session in sorted(self.sessions.items())
            },
            "sessionTags": dict(sorted(self.session_tags.items())),
        }
        return {
            "principals": {
                arn: {"allowed": table(p.allowed), "denied": table(p.denied)}
                for arn, p in sorted(self.principals.items())
            },
            **(sessions if self.sessions or self.session_tags else {}),
            "unmapped": dict(sorted(self.unmapped.items())),
            "ignored": dict(sorted(self.ignored.items())),
            "skippedFiles": dict(sorted(self.skipped_files.items())),
            "badRecords": self.bad_records,
            **({"badRecordsOf": dict(sorted(self.bad_records_of.items()))} if self.bad_records_of else {}),
            "rawDataRecords": self.raw_data_records,
            "filesScanned": self.files_scanned,
            "eventsScanned": self.events_scanned,
            "eventsMatched": self.events_matched,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UsageSummary:
        summary = cls(
            unmapped=Counter(data.get("unmapped", {})),
            ignored=Counter(data.get("ignored", {})),
            skipped_files=dict(data.get("skippedFiles", {})),
            bad_records=int(data.get("badRecords", 0)),
            bad_records_of=Counter({k: int(v) for k, v in data.get("badRecordsOf", {}).items()}),
            raw_data_records=int(data.get("rawDataRecords", 0)),
            files_scanned=int(data.get("filesScanned", 0)),
            events_scanned=int(data.get("eventsScanned", 0)),
            events_matched=int(data.get("eventsMatched", 0)),
        )
        for arn, tables in data.get("principals", {}).items():
            _load(summary.principal(arn), tables)
        for role, by_session in data.get("sessions", {}).items():
            for session, tables in by_session.items():
                _load(summary.session(role, session), tables)
        summary.session_tags = {k: dict(v) for k, v in data.get("sessionTags", {}).items()}
        return summary


def _load(principal: PrincipalUsage, tables: dict[str, Any]) -> None:
    for name, target in (("allowed", principal.allowed), ("denied", principal.denied)):
        for row in tables.get(name, []):
            target.put(row["action"], row["resource"], int(row["count"]), row["firstSeen"], row["lastSeen"])
