"""The one value every scan reduces CloudTrail to: a mergeable usage summary.

A summary of one delivery file, of one core's half of the files, of yesterday's run or of an
Athena aggregate all have the same shape, so they merge associatively and commutatively
(counts add, first-seen takes the minimum, last-seen the maximum). The policy is a pure
function of a summary; nothing downstream needs the records themselves.
"""

from __future__ import annotations

from collections import Counter
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


@dataclass
class PrincipalUsage:
    """What one principal did: allowed calls by (action, resource), and what it was refused."""

    allowed: dict[ActionResource, Usage] = field(default_factory=dict)
    denied: dict[ActionResource, Usage] = field(default_factory=dict)

    def record(self, action: str, resource: str, event_time: str, *, denied: bool = False) -> None:
        table = self.denied if denied else self.allowed
        usage = table.get((action, resource))
        if usage is None:
            table[(action, resource)] = Usage(1, event_time, event_time)
        else:
            usage.see(event_time)

    def add(self, action: str, resource: str, usage: Usage, *, denied: bool = False) -> None:
        """``usage.count`` calls at once (an aggregate row), keeping ``usage`` itself unshared."""
        table = self.denied if denied else self.allowed
        existing = table.get((action, resource))
        if existing is None:
            table[(action, resource)] = Usage(usage.count, usage.first_seen, usage.last_seen)
        else:
            existing.add(usage)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as plain rows: a worker's batch result holds one entry per distinct (action, resource),
        and pickling each ``Usage`` as an object cost more than scanning the event that made it."""
        return (_principal_usage, (_rows(self.allowed), _rows(self.denied)))

    def merge(self, other: PrincipalUsage) -> None:
        for mine, theirs in ((self.allowed, other.allowed), (self.denied, other.denied)):
            for key, usage in theirs.items():
                existing = mine.get(key)
                if existing is None:
                    mine[key] = Usage(usage.count, usage.first_seen, usage.last_seen)
                else:
                    existing.add(usage)


Row = tuple[str, str, int, str, str]  # action, resource, count, first seen, last seen


def _rows(table: dict[ActionResource, Usage]) -> list[Row]:
    return [(a, r, u.count, u.first_seen, u.last_seen) for (a, r), u in table.items()]


def _principal_usage(allowed: list[Row], denied: list[Row]) -> PrincipalUsage:
    return PrincipalUsage(
        {(a, r): Usage(c, f, last) for a, r, c, f, last in allowed},
        {(a, r): Usage(c, f, last) for a, r, c, f, last in denied},
    )


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

        def table(entries: dict[ActionResource, Usage]) -> list[dict[str, Any]]:
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
            target[(row["action"], row["resource"])] = Usage(
                int(row["count"]), row["firstSeen"], row["lastSeen"]
            )
