"""The streaming scan: bytes of CloudTrail files in, a small ``UsageSummary`` out.

Most records in a trail belong to principals nobody asked about, so the scan is shaped to spend almost
nothing on them: a file is inflated with ISA-L, a byte search drops files that cannot hold a wanted
principal, simdjson parses the rest without building Python objects, and per record only
``userIdentity.arn`` is read until a record is known to match. Only matched records become dicts and
reach the event mapper. One ``simdjson.Parser`` is reused per process; its documents die when it parses
again, so nothing parsed may outlive the function that parsed it.

Bad input never raises out of here: a file that cannot be read is named in ``skipped_files`` with the
reason, a matched record that lacks a field is counted in ``bad_records`` and named in ``warnings``.
"""

from __future__ import annotations

import base64
import itertools
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import orjson
import simdjson
from isal import igzip, igzip_lib

from policygen_operator.domain.cloudtrail.limits import DEFAULT_MAX_FILE_BYTES, describe_size
from policygen_operator.domain.cloudtrail.links import Links, Scope, WaitingKey, scope_of
from policygen_operator.domain.cloudtrail.native import NativeTake
from policygen_operator.domain.cloudtrail.native import available as native_available
from policygen_operator.domain.cloudtrail.native import chunks_finder as native_chunks_finder
from policygen_operator.domain.cloudtrail.native import counter as native_counter
from policygen_operator.domain.cloudtrail.podidentity import (
    POD_TAG,
    is_pod_identity_session,
    pod_identity_session,
    service_account_of,
)
from policygen_operator.domain.cloudtrail.principals import (
    FEW_PROBES,
    UNSESSIONED,
    Principal,
    PrincipalMatcher,
    Twin,
    Unsessioned,
    has_escaped_slash,
)
from policygen_operator.domain.cloudtrail.sniff import BOM, EXPORT_LINE, GZIP_MAGIC, HEAD_BYTES, not_logs
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.usage import (
    SESSION_RESOURCE,
    PrincipalUsage,
    Usage,
    UsageSummary,
    table_fold_at,
)

_DELIVERY_HEAD = re.compile(rb'^\s*\{\s*"Records"\s*:\s*\[')
_DELIVERY_TAIL = re.compile(rb"\]\s*\}$")
# CloudTrail's own delivery files are compact JSON whose records all start with this key.
_COMPACT_HEAD = b'{"Records":[{"eventVersion":'
_RECORD_START = b'{"eventVersion":'
# A record Kinesis Data Firehose could not deliver: the record it was given is base64 in rawData, so no
# principal's ARN shows in the text (``Scanner._scan_raw_data``). Its error output is such JSON objects, one
# a line, in every folder it writes: processing-failed/ (Firehose Developer Guide, "Handle failure in data
# transformation"), format-conversion-failed/ ("Handling errors for data format conversion"), and the
# documents an OpenSearch Service (elasticsearch-failed/, AmazonOpenSearchService-failed/: Firehose API
# Reference, ElasticsearchDestinationConfiguration and AmazonopensearchserviceDestinationConfiguration,
# S3BackupMode), Splunk (splunk-failed/) or HTTP endpoint (http-endpoint-failed/) destination did not take
# ("Handle data delivery failures": each destination's example error record, rawData beside esDocumentId,
# EventId or dataId). They are read by what they hold, whatever the folder's name. Such output holds those
# records alone: a text holding records in plain text ("eventVersion") is not searched for it, as the search
# cost more than ``may_occur_in`` over a document without the principal (3.8 MB: 1.4 ms against 0.6-0.9 ms).
_RAW_DATA = b'"rawData"'
# Keys every CloudTrail record has (CloudTrail User Guide, "CloudTrail record contents for management, data,
# and network activity events": eventVersion, eventSource), as they appear in any form read, a record quoted
# in a string (saved lookup-events output, a log event's message) too; ``_RAW_DATA`` hides records in base64.
# A file read without any of them holds no record: another tool's JSON (a package.json, an app's JSON
# Lines), said when nothing matched (``ScanResult.not_cloudtrail``). In a CloudTrail file the first key is
# found within its first record, so real logs pay for the search ~nothing; only other files are searched
# whole.
_CLOUDTRAIL_KEYS = (b"eventVersion", b"eventSource", _RAW_DATA)
MAX_NOT_CLOUDTRAIL_NAMES = 2  # files named in the message, the first by name
# Files larger than this that hold JSON Lines are streamed line by line instead of read whole.
STREAM_LINES_ABOVE = 32 * 1024 * 1024
MAX_WARNINGS = 200
MAX_OTHER_PATHS = 5  # issuer ARNs kept per requested role for the path hint
# Files a process searches for a requested principal's twin (``principals.Twin``) at most: each search is
# one more pass over a file where the principal matched nothing (~0.2-0.4 ms a delivery file, 20-40% of its
# scan), so a principal absent for a whole long scan pays it for these files only (~0.5 s a process).
MAX_TWIN_FILES = 1000
# eventTime strings shared by the usage entries of one scan (``Scanner._shared_time``); emptied when full
MAX_SHARED_TIMES = 4096
MAX_REASONS = 4  # distinct reasons kept per ignored call (authentication failures differ by error code)
# What simdjson raises for text it cannot read: ValueError for invalid JSON, RuntimeError for a document
# nested deeper than its limit (1024 levels). Both are bad input, never a reason to stop the scan.
BAD_JSON = (ValueError, RuntimeError)


class _NotJson(Exception):
    """simdjson refused a document's text (``error``). Raised from the parse alone: a ValueError or
    RuntimeError (RecursionError among them) raised while the document's records are read and mapped is
    no sign of bad JSON, and caught with the parse it made a file of good records "not valid JSON", its
    records after that one lost."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


# What simdjson's ``at_pointer`` raises when the path is not there: KeyError for a missing key, TypeError
# when a step meets another type (an array where an object was expected), ValueError or IndexError for an
# index out of range or unusable; AttributeError when the record itself is not an object.
POINTER_MISSES = (KeyError, TypeError, ValueError, IndexError, AttributeError)
# Records that are no call and have no caller, by design: CloudTrail Insights events ("AwsCloudTrailInsight
# events do not use ... userIdentity", CloudTrail User Guide, record contents). They name callers' ARNs in
# their attributions, so a principal's search finds them; they are passed over, never bad records.
CALLERLESS_EVENT_TYPES = frozenset({"AwsCloudTrailInsight"})


class FileTooLarge(ValueError):
    """A file (or the gzip inside it) is larger than the scan may hold; the message says how large."""


def inflate(data: bytes, limit: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """Gunzip with ISA-L; raises EOFError when the stream is cut short, ``FileTooLarge`` past ``limit``.

    Never produces more than ``limit + 1`` bytes, so a gzip bomb (gigabytes of one byte in a few MB)
    costs at most the cap. The gzip trailer's ISIZE (output size mod 2**32) sizes the output buffer up
    front: without the hint the decompressor grows its buffer block by block and joins the blocks,
    which costs as much again as the inflating itself. A wrong ISIZE only costs speed (the rest is read
    on). Files of several gzip members, rare outside CloudTrail, are inflated member by member under the
    same cap.
    """
    parts: list[bytes] = []
    total = 0
    rest = data
    while True:
        inflater = igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
        room = limit + 1 - total
        hint = _size_hint(rest)
        out = inflater.decompress(rest, room if hint < 0 else min(hint, room))
        while not inflater.eof and not inflater.needs_input and len(out) < room:  # the hint was short
            out += inflater.decompress(b"", room - len(out))
        total += len(out)
        if total > limit:
            raise FileTooLarge(f"inflates past {describe_size(limit)} (the file size cap)")
        if not inflater.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        parts.append(out)
        rest = inflater.unused_data
        if not rest.strip(b"\0"):  # trailing zeros pad some gzip writers' output
            return parts[0] if len(parts) == 1 else b"".join(parts)
        if rest[:2] != GZIP_MAGIC:
            raise ValueError("data after the last gzip member is not gzip")


MAX_RATIO = 1100  # deflate expands at most ~1032x


def _size_hint(data: bytes) -> int:
    """ISIZE + 1 (so that the end-of-stream marker is read with room to spare), or -1 without a trailer."""
    if len(data) < 18:
        return -1
    return min(int.from_bytes(data[-4:], "little") + 1, len(data) * MAX_RATIO)


class MappedEventLike(Protocol):
    """What the scan reads of ``domain.iam.mapping.MappedEvent``."""

    @property
    def kind(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def denied(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def uses(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def notes(self) -> tuple[tuple[str, str, str], ...]: ...


class Mapper(Protocol):
    """The mapping of ``domain/iam``; the link methods name a follow-up's resources from the ids earlier
    calls returned (``domain/iam/mapping/links.py``, kept by ``links.Links``)."""

    def map(self, record: Mapping[str, Any]) -> MappedEventLike: ...

    # MappedEvent.key of the calls that return ids or name their resource by them (the rest skip the link
    # methods: one set lookup per record)
    @property
    def linked_keys(self) -> frozenset[str]: ...

    def returned_id(
        self, record: Mapping[str, Any], mapped: Any
    ) -> tuple[str, str, tuple[str, ...]] | None: ...

    def returned_key(self, record: Mapping[str, Any], mapped: Any) -> tuple[str, str, str] | None: ...

    def followed_ids(self, record: Mapping[str, Any], mapped: Any) -> tuple[str, tuple[str, ...]] | None: ...

    def linked(self, mapped: Any, arns: tuple[str, ...] | None) -> MappedEventLike: ...


def default_mapper() -> Mapper:
    """The IAM mapping of ``domain/iam``; imported late so worker processes load it once, when needed."""
    from policygen_operator.domain.iam.mapping import EventMapper

    return EventMapper()


_MAPPERS: dict[Callable[[], Mapper], Mapper] = {}


def cached_mapper(factory: Callable[[], Mapper]) -> Mapper:
    """One mapper per factory and process: building one loads the reference data (a few hundred ms).

    A process forked after this was called shares the parent's mapper instead of building its own.
    """
    mapper = _MAPPERS.get(factory)
    if mapper is None:
        mapper = _MAPPERS[factory] = factory()
    return mapper


@dataclass(frozen=True)
class ScanSpec:
    """Everything a worker process needs; picklable (``mapper_factory`` must be a module-level function)."""

    principals: tuple[Principal, ...]
    window: Window
    mapper_factory: Callable[[], Mapper] = default_mapper
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # larger files (inflated) are skipped and named
    # Roles whose EKS Pod Identity sessions are kept apart (usage per session, the sessions' AssumeRole
    # tags): what splits a shared role's usage per ServiceAccount (domain/cloudtrail/podidentity.py).
    split_sessions: frozenset[str] = frozenset()
    # --account / --region (a source's accountIds / regions): what a user asks for is records of those
    # accounts and Regions, not folders; a matched record whose recipientAccountId (the account whose trail
    # received it, the delivery folder's account) or awsRegion is another is passed over, whatever layout
    # it came in (a Firehose archive, a flat folder of several Regions). Empty: any. A record without the
    # field is kept: nothing says it is another's.
    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    # matched records whose reading is known counted by the native extension where it is built
    # (``native.py``); off, every record is read here (the tests compare the two)
    native: bool = True


@dataclass
class ScanResult:
    """A summary plus what only the report needs; merges like the summary does."""

    summary: UsageSummary = field(default_factory=UsageSummary)
    matched: Counter[str] = field(default_factory=Counter)  # events per requested principal
    unmapped: dict[str, Counter[str]] = field(default_factory=dict)  # per principal
    ignored: dict[str, Counter[str]] = field(default_factory=dict)  # per principal
    # per principal, the mapper's findings ((severity, code, message): an iam:PassRole left out, a name a
    # policy cannot write) with how many events gave each; at most MAX_WARNINGS distinct per principal, the
    # first in ``_note_order`` (``note``)
    notes: dict[str, Counter[tuple[str, str, str]]] = field(default_factory=dict)
    # per principal whose notes are full, the last kept one in ``_note_order`` (what a new note displaces)
    _last_note: dict[str, tuple[str, str, str]] = field(default_factory=dict, repr=False, compare=False)
    # why each ignored eventSource:eventName was ignored (needs no permission, console sign-in, service
    # event, authentication failed with its code): the report states them beside the count; at most
    # MAX_REASONS distinct reasons per call, so a call ignored for two reasons shows both
    ignored_reasons: dict[str, set[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    warnings_dropped: int = 0
    records_outside_window: int = 0
    records_filtered_out: int = 0  # matched, in the window, of an account or Region not asked for
    files_without_principal: int = 0  # read, but the byte pre-check ruled every record out
    # files read that hold no CloudTrail record key (``_CLOUDTRAIL_KEYS``), and the first names of them: a
    # folder of another tool's JSON matched nothing, and the message said only "N file(s) scanned"
    not_cloudtrail_files: int = 0
    not_cloudtrail: list[str] = field(default_factory=list)
    bytes_read: int = 0
    # requested role ARN -> issuer ARNs of sessions with the same account and role name but another
    # path: a role given without its path matches none of its own events, and this says which ARN would
    other_paths: dict[str, set[str]] = field(default_factory=dict)
    # requested ARN -> the principal of the other kind with its account and name whose records were found
    # (``principals.Twin``): a user ARN given for a role's sessions, or a role ARN for a user, matches nothing
    other_kinds: dict[str, set[str]] = field(default_factory=dict)
    # ids calls returned and the follow-ups that name their resources by them, not yet settled
    links: Links = field(default_factory=Links)
    # (userIdentity.arn without its session part, the requested role it was taken for or ""): records;
    # said once per ARN in the run's warnings (``unsessioned_warnings``), not once per record
    unsessioned: Counter[tuple[str, str]] = field(default_factory=Counter)

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
        else:
            self.warnings_dropped += 1

    def note(self, principal: str, note: tuple[str, str, str], count: int = 1) -> None:
        """Past ``MAX_WARNINGS`` distinct notes, a principal keeps the first ones in ``_note_order``, not the
        first ones to come: the same notes, with their whole counts, whatever order its records are counted
        in (the native reader counts its records after those read here, and workers' results merge in the
        order they finish). A note displaced once has that many before it and never comes back."""
        notes = self.notes.setdefault(principal, Counter())
        if note in notes or len(notes) < MAX_WARNINGS:
            notes[note] += count
            return
        last = self._last_note.get(principal)
        if last is None:
            last = self._last_note[principal] = max(notes, key=_note_order)
        if _note_order(note) < _note_order(last):
            del notes[last]
            notes[note] = count
            self._last_note[principal] = max(notes, key=_note_order)

    def other_path(self, issuer: str, candidates: list[str]) -> None:
        """A session of a same-name role that was not asked for (rare: costs a set lookup per record). The
        session ARN's prefix found the candidates; an issuer of another account or name (a record an
        exporter or an anonymiser rewrote in part) is no such role, and the hint would name the wrong one."""
        for arn in candidates:
            if not _same_role_elsewhere(arn, issuer):
                continue
            seen = self.other_paths.setdefault(arn, set())
            if len(seen) < MAX_OTHER_PATHS:
                seen.add(issuer)

    def map_record(
        self, mapper: Mapper, record: Mapping[str, Any], where: str, name: str
    ) -> MappedEventLike | None:
        """The mapper's reading of a record, or None, counted and named as a bad record, when its values
        nest too deeply to read: Python's recursion limit (~1000 levels) is below the parsers' (1024), and
        one hostile record must not stop the scan (for the file scan and Athena's rows alike)."""
        try:
            return mapper.map(record)
        except RecursionError:
            self.summary.bad_records += 1
            self.warn(f"skipped {where} of {name}: nested too deeply to read")
            return None

    def count(self, principal: str, mapped: MappedEventLike, events: int = 1) -> PrincipalUsage | None:
        """Counts ``events`` matched records of one meaning, for the file scan and Athena's rows alike.

        Returns the usage to record the actions in when the event is mapped, else None.
        """
        self.summary.events_matched += events
        self.matched[principal] += events
        if mapped.kind == "mapped":
            for note in mapped.notes:
                self.note(principal, note, events)
            return self.summary.principal(principal)
        if mapped.kind == "unmapped":
            self.summary.unmapped[mapped.key] += events
            self.unmapped.setdefault(principal, Counter())[mapped.key] += events
        else:
            self.summary.ignored[mapped.key] += events
            self.ignored.setdefault(principal, Counter())[mapped.key] += events
            self.add_ignored_reason(mapped.key, mapped.reason or "ignored")
        return None

    def link(
        self,
        mapper: Mapper,
        record: Mapping[str, Any],
        mapped: MappedEventLike,
        principal: str,
        session: str | None,
        usage: Usage,
    ) -> MappedEventLike | None:
        """A call that returned an id binds it; a follow-up is named from the ids bound, or waits (None:
        counted now, recorded when settled). For the file scan's records and Athena's rows alike."""
        links = self.links
        scope = scope_of(record)
        returned = mapper.returned_id(record, mapped)
        if returned is not None:
            links.bind(scope, *returned)
        followed = mapper.followed_ids(record, mapped)
        if followed is None:
            return mapped
        # a follow-up that returns an id too binds it once its own resources are known
        returns = mapper.returned_key(record, mapped) if returned is None else None
        arns = links.resources(scope, *followed)
        if arns is not None:
            linked = mapper.linked(mapped, arns)
            self._bind_linked(scope, returns, linked)
            return linked
        self.summary.events_matched += usage.count
        self.matched[principal] += usage.count
        links.wait((principal, session, scope, *followed, mapped, returns), usage)
        if links.crowded:
            self.settle_links(mapper, final=False)
        return None

    def settle_links(self, mapper: Mapper, *, final: bool) -> None:
        """Records the waiting follow-ups whose ids are bound now, again while settling one binds the id
        another waits for (a calculation in a session), then, when ``final``, all the rest: those whose start
        was never seen keep the mapper's ``*`` and its finding. The result does not depend on the order."""
        settled = True
        while settled:
            settled = False
            for waiting, arns, usage in self.links.settle(False):
                settled = True
                self._settle(mapper, waiting, arns, usage)
        if final:
            for waiting, arns, usage in self.links.settle(True):
                self._settle(mapper, waiting, arns, usage)

    def _settle(
        self, mapper: Mapper, waiting: WaitingKey, arns: tuple[str, ...] | None, usage: Usage
    ) -> None:
        principal, session, scope, _, _, mapped, returns = waiting
        event = mapper.linked(mapped, arns or None)
        self._bind_linked(scope, returns, event)
        for note in event.notes:
            self.note(principal, note, usage.count)
        role = self.summary.principal(principal)
        for action, resource in event.uses:
            role.add(action, resource, usage, denied=event.denied)
        if session is not None:
            by_action = self.summary.session(principal, session)
            for action, _ in event.uses:
                by_action.add(action, SESSION_RESOURCE, usage, denied=event.denied)

    def _bind_linked(
        self, scope: Scope, returns: tuple[str, str, str] | None, event: MappedEventLike
    ) -> None:
        if returns is None:
            return
        kind, returned, action = returns
        arns = tuple(resource for name, resource in event.uses if name == action and resource != "*")
        if arns:
            self.links.bind(scope, kind, returned, arns)

    def add_ignored_reason(self, key: str, reason: str) -> None:
        reasons = self.ignored_reasons.setdefault(key, set())
        if len(reasons) < MAX_REASONS:
            reasons.add(reason)

    def ignored_reason(self, key: str) -> str:
        """The reasons ``key`` was ignored for, in a fixed order (batching must not change a report)."""
        return "; ".join(sorted(self.ignored_reasons.get(key) or ("ignored",)))

    def not_cloudtrail_file(self, name: str) -> None:
        """A file read that holds no CloudTrail record; the first names in sorted order, so that the
        message does not depend on how the files were batched."""
        self.not_cloudtrail_files += 1
        self.not_cloudtrail = sorted([*self.not_cloudtrail, name])[:MAX_NOT_CLOUDTRAIL_NAMES]

    def skip_file(self, name: str, reason: str) -> None:
        self.summary.skipped_files[name] = reason
        self.warn(f"skipped {name}: {reason}")

    def merge(self, other: ScanResult) -> ScanResult:
        self.summary.merge(other.summary)
        self.matched.update(other.matched)
        for mine, theirs in ((self.unmapped, other.unmapped), (self.ignored, other.ignored)):
            for arn, counts in theirs.items():
                mine.setdefault(arn, Counter()).update(counts)
        for key, reasons in other.ignored_reasons.items():
            for reason in sorted(reasons):
                self.add_ignored_reason(key, reason)
        for arn, notes in other.notes.items():
            for note, count in notes.items():
                self.note(arn, note, count)
        room = MAX_WARNINGS - len(self.warnings)
        self.warnings.extend(other.warnings[:room])
        self.warnings_dropped += other.warnings_dropped + max(0, len(other.warnings) - room)
        self.records_outside_window += other.records_outside_window
        self.records_filtered_out += other.records_filtered_out
        self.files_without_principal += other.files_without_principal
        self.not_cloudtrail_files += other.not_cloudtrail_files
        self.not_cloudtrail = sorted(self.not_cloudtrail + other.not_cloudtrail)[:MAX_NOT_CLOUDTRAIL_NAMES]
        self.bytes_read += other.bytes_read
        for arn, issuers in other.other_paths.items():
            self.other_paths.setdefault(arn, set()).update(issuers)
        for arn, twins in other.other_kinds.items():
            self.other_kinds.setdefault(arn, set()).update(twins)
        self.unsessioned.update(other.unsessioned)
        self.links.merge(other.links)
        return self

    def unsessioned_record(self, identity: str, principal: str | None) -> None:
        """A record of a requested role's name whose session ARN lacks its session part (``UNSESSIONED``):
        matched as any session is, by its sessionIssuer, and counted to be said once."""
        if len(self.unsessioned) < MAX_WARNINGS or (identity, principal or "") in self.unsessioned:
            self.unsessioned[(identity, principal or "")] += 1

    def unsessioned_warnings(self) -> list[str]:
        """One sentence per session ARN seen without its session part, and what was made of its records."""
        out = []
        for (identity, principal), records in sorted(self.unsessioned.items()):
            taken = (
                f"taken as {principal}'s, the role its sessionIssuer names"
                if principal
                else "not taken: its sessionIssuer names no requested role (or it has none and several "
                "requested roles share the name)"
            )
            out.append(
                f"{records} record(s) with userIdentity.arn {identity}: a role session's ARN without the "
                "session name CloudTrail always writes (arn:...:assumed-role/ROLE/SESSION), so rewritten "
                f"after delivery (an exporter or anonymizer?); {taken}"
            )
        return out

    def path_hints(self) -> list[str]:
        """For each requested role that matched no event while a same-name role with another path did."""
        return [
            f"{arn} matched no event, but sessions of {', '.join(sorted(issuers))} (same account and role "
            "name, another path) did: a role's events are matched by its full ARN, path included"
            for arn, issuers in self._other_paths_met()
        ]

    def kind_hints(self) -> list[str]:
        """For each requested principal that matched no event while the principal of the other kind with its
        account and name did: a user ARN given where the calls are the role's sessions, or the other way."""
        hints = []
        for arn, twin in self._other_kinds_met():
            what = f"the IAM user {twin}" if ":user/" in twin else f"sessions of the IAM role {twin}"
            bare = ":user/" not in twin and twin.count("/") == 1  # a session without its issuer's ARN
            hints.append(
                f"{arn} matched no event, but {what} (same account and name, the other kind) did: give "
                "that ARN to --principal" + (" (with the role's path, if it has one)" if bare else "")
            )
        return hints

    def hinted(self) -> set[str]:
        """The requested principals ``path_hints`` or ``kind_hints`` speak of: a likelier reason for their
        empty result than a typo (``services.generation._near_misses`` leaves them alone)."""
        return {arn for arn, _ in self._other_paths_met()} | {arn for arn, _ in self._other_kinds_met()}

    def _other_paths_met(self) -> list[tuple[str, set[str]]]:
        return [
            (arn, issuers)
            for arn, issuers in sorted(self.other_paths.items())
            if issuers and not self.matched.get(arn)
        ]

    def _other_kinds_met(self) -> list[tuple[str, str]]:
        """(requested ARN, the first twin of the other kind that was not asked for too)."""
        met = []
        for arn, found in sorted(self.other_kinds.items()):
            twins = sorted(twin for twin in found if not self.matched.get(twin))  # not one asked for too
            if twins and not self.matched.get(arn):
                met.append((arn, twins[0]))
        return met


def new_result(principals: int) -> ScanResult:
    """An empty result of a scan for ``principals``, whose tables fold by each one's share of what a scan
    holds (``usage.table_fold_at``): the same in every worker and in the parent that merges them."""
    result = ScanResult()
    result.summary.table_fold_at = table_fold_at(principals)
    return result


class Scanner:
    """Scans files one after another into one ``ScanResult``; one per process (it owns the parser)."""

    def __init__(self, spec: ScanSpec, mapper: Mapper | None = None) -> None:
        self.spec = spec
        self.window = spec.window
        self.matcher = PrincipalMatcher(spec.principals, native=spec.native)
        self._mapper = mapper
        self.parser = simdjson.Parser()
        self.result = new_result(len(spec.principals))
        self.filtered = bool(spec.accounts or spec.regions)
        # the principals whose twin (``Twin``) is still looked for: one byte search per file where the
        # principal matched nothing, until it matches or its twin is found; with more principals than
        # FEW_PROBES, not at all (a search per principal would grow with them)
        few = len(spec.principals) <= FEW_PROBES
        self._twins = {p.arn: Twin(p) for p in spec.principals} if few else {}
        self._twin_files = MAX_TWIN_FILES
        self._times: dict[str, str] = {}
        self._native: NativeTake | None = None
        self._native_possible = spec.native and native_available()
        self._count = native_counter(spec.native)
        self._chunks = native_chunks_finder(spec.native)
        self._pending = -1  # the native key id of the record being read, whose reading it then registers

    @property
    def mapper(self) -> Mapper:
        """Built on the first matched record: a scan that matches nothing never loads the IAM data."""
        if self._mapper is None:
            self._mapper = cached_mapper(self.spec.mapper_factory)
        return self._mapper

    def counted(self) -> ScanResult:
        """The result so far with what the native reader counted in it (it adds its counts in one go, when
        asked: progress reports ask)."""
        if self._native is not None:
            self._native.drain(self.result)
        return self.result

    def take_result(self, *, final: bool = False) -> ScanResult:
        """The result so far; its follow-ups still waiting for an id stay waiting unless ``final`` (a
        worker's batch: another batch may hold the call that returned the id)."""
        result, self.result = self.counted(), new_result(len(self.spec.principals))
        if result.links.waiting:
            result.settle_links(self.mapper, final=final)
        return result

    # -- files ---------------------------------------------------------------------------------------

    def scan_item(self, name: str, item: str | bytes) -> None:
        """A work item: a local file's path, or a file's bytes (downloaded, or sent to a worker)."""
        if isinstance(item, bytes):
            self.scan_bytes(name, item)
        else:
            self.scan_path(item, name)

    def scan_path(self, path: str, name: str | None = None) -> None:
        """A local file; JSON Lines files too big to hold are streamed, other files past the cap skipped."""
        label = name or path
        limit = self.spec.max_file_bytes
        try:
            status = os.stat(path)
            if not stat.S_ISREG(status.st_mode):  # a FIFO or device would block or never end
                self.result.skip_file(label, f"not a regular file ({_file_kind(status.st_mode)})")
                return
            size = status.st_size
            if size > min(STREAM_LINES_ABOVE, limit) and (kind := self._line_kind(path)):
                self._scan_line_stream(label, path, kind)
                return
            if size > limit:
                self.result.skip_file(label, self._larger_than_cap())
                return
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            self.result.skip_file(label, f"unreadable: {error.strerror or error}")
            return
        if not self.scan_bytes(label, data) and self._too_large(label) and (kind := self._line_kind(path)):
            # JSON Lines (or an export) that inflate past the cap: read line by line instead of whole.
            del self.result.summary.skipped_files[label]
            self._scan_line_stream(label, path, kind)

    def _larger_than_cap(self) -> str:
        return f"larger than {describe_size(self.spec.max_file_bytes)} (the file size cap)"

    def _too_large(self, name: str) -> bool:
        return self.result.summary.skipped_files.get(name, "").startswith("inflates past")

    def scan_bytes(self, name: str, data: bytes) -> bool:
        """One file's bytes, gzip or not, in any of the formats read; False if it was skipped."""
        result = self.result
        result.bytes_read += len(data)
        events = result.summary.events_scanned
        if data[:2] == GZIP_MAGIC:
            try:
                data = inflate(data, self.spec.max_file_bytes)
            except FileTooLarge as error:
                result.skip_file(name, str(error))
                return False
            except EOFError:
                result.skip_file(name, "truncated gzip")
                return False
            except Exception as error:  # BadGzipFile, isal errors: corrupt data or checksum
                result.skip_file(name, f"corrupt gzip: {error}")
                return False
        elif len(data) > self.spec.max_file_bytes:
            result.skip_file(name, self._larger_than_cap())
            return False
        if data[:3] == BOM:
            data = data[3:]
        head = data[:64].lstrip()
        if not head:
            result.skip_file(name, "empty file")
            return False
        first = head[:1]
        if first == b"[":
            read = self._scan_document(name, data)
        elif first == b"{":
            if _DELIVERY_HEAD.match(data[:256]) or not self._is_lines(data):
                read = self._scan_document(name, data)
            else:
                self._scan_lines(name, data.split(b"\n"))
                read = True
        elif EXPORT_LINE.match(head):
            read = self._scan_export(name, data.split(b"\n"))
        else:
            result.skip_file(name, "not JSON (binary or text data)")
            return False
        if read:
            result.summary.files_scanned += 1
            if not any(key in data for key in _CLOUDTRAIL_KEYS):
                # its lines or objects were no events (JSON Lines count each line unparsed)
                result.summary.events_scanned = events
                result.not_cloudtrail_file(name)
            elif self._twins:
                self._look_for_twins(data)
        return read

    def _look_for_twins(self, data: bytes) -> None:
        """The twin of each requested principal not matched yet, in a file read (``Twin``); a principal
        that matched, or whose twin was found once, is not looked for again in this process, and none is
        after ``MAX_TWIN_FILES`` files searched."""
        twins = self._twins
        matched = self.counted().matched  # with what the native reader counted: a principal it alone saw
        for arn in [arn for arn in twins if matched.get(arn)]:
            del twins[arn]
        self._twin_files -= bool(twins)
        if self._twin_files < 0:
            twins.clear()
        for arn, twin in list(twins.items()):
            found = twin.find(data)
            if found is not None:
                self.result.other_kinds.setdefault(arn, set()).add(found)
                del twins[arn]

    # -- formats -------------------------------------------------------------------------------------

    def _is_lines(self, data: bytes) -> bool:
        """JSON Lines: the first line is a complete JSON object by itself and more content follows."""
        cut = data.find(b"\n")
        if cut < 0 or not data[cut:].strip():
            return False
        try:
            value = self.parser.parse(data[:cut])
        except BAD_JSON:
            return False
        is_object = isinstance(value, simdjson.Object)
        del value
        return is_object

    def _scan_export(self, name: str, lines: Iterable[bytes]) -> bool:
        """A log group exported to S3 (``EXPORT_LINE``): each message is read as a line of JSON Lines, one
        over several lines joined first (``_export_messages``). A line without the timestamp that continues
        no message (text added to the file) is a bad record; an export whose first message is not a JSON
        object is another log group's, refused whole rather than counted as one bad record a line."""
        messages = _export_messages(lines, self.spec.max_file_bytes)
        leading: list[bytes | None] = []  # up to the first line that is not blank
        for message in messages:
            leading.append(message)
            if message is None or message.strip():
                break
        if not leading or leading[-1] is None or leading[-1].lstrip()[:1] != b"{":
            self.result.skip_file(
                name,
                "a CloudWatch Logs export (a timestamp and a message a line) whose first message is not a "
                "JSON object, so not a trail's log group",
            )
            return False
        missing = "no timestamp before it (not a line of a CloudWatch Logs export)"
        self._scan_lines(name, itertools.chain(leading, messages), missing=missing)
        return True

    def _scan_document(self, name: str, data: bytes) -> bool:
        """A delivery file, a bare array or one record; False when the file had to be skipped."""
        result = self.result
        if not _closed(data):
            result.skip_file(name, "not valid JSON (truncated?)")
            return False
        if data.startswith(_COMPACT_HEAD) and self._scan_compact(name, data):
            return True
        if not self.matcher.may_occur_in(data):  # no wanted principal occurs, unless as base64 (rawData)
            events = _unparsed_events(data)
            if events or _RAW_DATA not in data:
                result.summary.events_scanned += events
                result.files_without_principal += 1
                return True
        try:
            problem = self._scan_text(name, data)
        except _NotJson as refused:
            pieces = self._concatenated(data)
            if pieces is None:
                result.skip_file(name, _unreadable_json(refused.error, data))
                return False
            self._scan_concatenated(name, pieces)
            return True
        if problem:
            result.skip_file(name, problem)
            return False
        return True

    def _scan_text(self, name: str, data: bytes, within: str = "") -> str:
        """One JSON document in any of the forms read (``_NotJson`` when simdjson refuses its text); returns
        why it is none of them, "" once read. ``within`` prefixes where its records are named."""
        try:
            document = self.parser.parse(data)
        except BAD_JSON as error:
            raise _NotJson(error) from error
        unit = f"{within} record" if within else "record"
        if isinstance(document, simdjson.Object):
            records = document.get("Records")
            if isinstance(records, simdjson.Array):
                self._scan_records(name, records, unit=unit)
            elif (
                document.get("eventName") is not None
                or document.get("eventVersion") is not None  # an Insights event has no eventName of its own
                or document.get("detail-type") is not None
                or document.get("rawData") is not None  # one record Firehose could not deliver
            ):
                self._scan_records(name, (document,), unit=unit)  # a single record, or one EventBridge event
            elif (found := _record_texts(document)) is not None:
                del records, document  # the parser is used again below
                event = f"{within} event" if within else "event"
                self._scan_lines(name, found[0], unit=event, missing=f"no {found[1]} text")
            else:
                return _not_records(document)
        elif isinstance(document, simdjson.Array):
            self._scan_records(name, document, unit=unit)
        else:
            return "JSON value is neither an object nor an array"
        return ""

    def _concatenated(self, data: bytes) -> list[bytes] | None:
        """The JSON objects of a file that holds them one after another with nothing between (``}{``):
        what Kinesis Data Firehose writes to S3 unless a delimiter is configured, the usual archive of an
        EventBridge rule's events and of a CloudWatch Logs subscription (whose gzip members inflate into
        one such text). Cut at each ``}{``, a piece that does not parse as an object is joined with the
        next (the ``}{`` was inside a string); None when the text is not such a sequence. The parsing
        done is bounded by a few times the file's size, whatever the input."""
        if b"}{" not in data:
            return None
        parts = data.strip().split(b"}{")
        last = len(parts) - 1
        budget = 4 * len(data)
        pieces: list[bytes] = []
        current = b""
        for index, part in enumerate(parts):
            current += (b"{" if index else b"") + part + (b"}" if index < last else b"")
            budget -= len(current)
            if budget < 0:
                return None
            try:
                value = self.parser.parse(current)
            except BAD_JSON:
                continue
            is_object = isinstance(value, simdjson.Object)
            del value
            if not is_object:
                return None
            pieces.append(current)
            current = b""
        return pieces if not current and len(pieces) > 1 else None

    def _scan_concatenated(self, name: str, pieces: list[bytes]) -> None:
        """Each object of ``_concatenated`` as a document of its own, named "document N" (from 1)."""
        may_occur_in = self.matcher.may_occur_in
        for number, piece in enumerate(pieces, start=1):
            if not may_occur_in(piece) and ((events := _unparsed_events(piece)) or _RAW_DATA not in piece):
                self.result.summary.events_scanned += events
                continue
            try:
                problem = self._scan_text(name, piece, f"document {number}")
            except _NotJson as refused:  # each piece parsed once already (``_concatenated``)
                problem = _unreadable_json(refused.error, piece)
            if problem:
                self._bad_record(name, f"document {number}", problem)

    def _scan_compact(self, name: str, data: bytes) -> bool:
        """CloudTrail's compact delivery files: parse only the records that contain a wanted needle.

        Each record starts with ``{"eventVersion":``, so the record around a probe's match is the slice
        between the record starts around it, and it is a candidate if it holds a probe. Every
        such slice must parse as one object; if one does not (the key also occurred nested, or the file
        is odd), returns False before using anything and the caller parses the whole file instead.
        Escaped slashes could hide a needle, so those files go that way too.
        """
        if has_escaped_slash(data) or not self.matcher.exact:
            return False
        positions = self.matcher.positions(data)
        native = self._native_take() if positions else None
        # the extension finds, checks and reads the candidates where they lie in ``data``, and only those
        # it hands back are sliced out; when it is not sure every one is an object simdjson reads (nothing
        # read then), they are all sliced out and simdjson decides
        records, taken = (
            native.scan_file(data, positions, _RECORD_START) if native is not None else (-1, None)
        )
        if taken is not None:
            candidates, back = taken
        else:
            found = self._checked_chunks(data, positions)
            if found is None:
                return False
            starts, chunks = found
            candidates = len(chunks)
            if native is None:
                for start, chunk in zip(starts, chunks, strict=True):
                    self._scan_dict(name, f"record at byte {start}", self._as_dict(chunk))
            else:  # a chunk is its file's bytes from its start on, cut at the end only
                back = [(starts[i], starts[i] + len(chunks[i]), key_id) for i, key_id in native.scan(chunks)]
        if native is not None:
            for start, end, key_id in back:
                if key_id < -1 and native.waits(key_id):
                    continue  # a repeat of a record mapped above: counted by ``settle``
                if key_id >= 0 and native.by_template(key_id):
                    continue  # its template was derived from a record above
                self._pending = key_id
                self._scan_dict(name, f"record at byte {start}", self._as_dict(data[start:end]))
            self._pending = -1
            native.settle()
            native.after_file(self.result)
        self.result.summary.events_scanned += records if records >= 0 else self._count(data, _RECORD_START)
        if not candidates:
            self.result.files_without_principal += 1
        return True

    def _checked_chunks(self, data: bytes, positions: list[int]) -> tuple[list[int], list[bytes]] | None:
        """The candidate records' starts and texts, None unless every one parses as an object (simdjson's
        check, ~0.6 us). Each is converted to a dict only while it is used: converting all of them first
        and keeping the dicts measured slower (fresh memory for every record) besides costing memory."""
        found = self._chunks(data, positions, _RECORD_START)
        if found is None:
            return None
        parse = self.parser.parse
        for chunk in found[1]:
            try:
                value = parse(chunk)
            except BAD_JSON:
                return None
            is_object = isinstance(value, simdjson.Object)
            del value
            if not is_object:
                return None
        return found

    def _native_take(self) -> NativeTake | None:
        """The native reader, made on the first candidates (it needs the mapper), where it can serve: built,
        asked for, and a mapper that says what it reads (``memo_shape``)."""
        if self._native is None and self._native_possible:
            mapper = self.mapper
            memo_shape = getattr(mapper, "memo_shape", None)
            if memo_shape is None:
                self._native_possible = False
                return None
            principals = [p.arn for p in self.spec.principals]
            self._native = NativeTake(
                principals,
                self.matcher,
                self.spec.split_sessions,
                self.window,
                (self.spec.accounts, self.spec.regions),
                mapper.linked_keys,
                memo_shape,
            )
        return self._native

    def _as_dict(self, chunk: bytes) -> dict[str, Any]:
        """A record simdjson accepted, as a dict: orjson builds it in one call (~3.6 us for a 1.5 KB record)
        where simdjson's parse + ``as_dict`` took ~6.4 us, the largest per-event cost when many principals
        are matched. The two agree on every text simdjson accepts but one: an integer past 64 bits, which
        simdjson refuses (so it never gets here) and orjson reads as a float; anything orjson refuses is
        converted by simdjson as before."""
        try:
            record = orjson.loads(chunk)
        except orjson.JSONDecodeError:
            return cast(simdjson.Object, self.parser.parse(chunk)).as_dict()
        return cast(dict[str, Any], record)

    def _scan_dict(self, name: str, where: str, record: dict[str, Any]) -> None:
        """One record already a dict (a compact file's candidate, the record text of an item of saved API
        output, an EventBridge event in it): the same checks as ``_scan_records``."""
        identity = record.get("userIdentity")
        if identity.__class__ is not dict:
            if identity is not None:
                return
            if (kind := record.get("detail-type")) is not None:  # an EventBridge rule's log group
                detail = self._eventbridge_detail(name, where, record, kind)
                if detail is not None:
                    self._scan_dict(name, where, detail)
            elif (raw := record.get("rawData")).__class__ is str:
                self._scan_raw_data(name, where, raw)
            elif record.get("eventType") not in CALLERLESS_EVENT_TYPES:
                self._bad_record(name, where, "no userIdentity")
            return
        arn = identity.get("arn")
        if arn.__class__ is not str:
            if self.spec.split_sessions and record.get("eventName") == "AssumeRole":
                self._session_start(record)  # EKS Pod Identity calls AssumeRole as an AWS service
            return
        principal = self.matcher.users.get(arn)
        if principal is None:
            candidates = self.matcher.session_keys.get(arn[: arn.rfind("/") + 1])
            if candidates is None:
                return
            principal = self._session_principal(arn, candidates, _issuer(identity))
            if principal is None:
                return
        self._take(name, where, record, principal, arn)

    def _session_principal(self, arn: str, candidates: list[str] | Unsessioned, issuer: object) -> str | None:
        """The requested role whose session ``arn`` is, of the ``candidates`` its prefix found in
        ``session_keys``, by the record's ``issuer`` (any value: only a string is an ARN). One place for
        both record loops, so that a cut session ARN (``UNSESSIONED``) is counted to be said, and a
        same-name role's session noted for ``path_hints``, whichever form the record came in."""
        issuer_arn = issuer if isinstance(issuer, str) else None
        cut = candidates is UNSESSIONED
        roles = self.matcher.unsessioned_candidates(arn) if cut else candidates
        if not isinstance(roles, list):  # a cut ARN of another role's name
            return None
        principal = self.matcher.match_issuer(issuer_arn, roles)
        if cut:
            self.result.unsessioned_record(arn, principal)
        if principal is None and issuer_arn is not None:
            self.result.other_path(issuer_arn, roles)
        return principal

    def _scan_event_text(self, name: str, where: str, text: bytes, field: str = "CloudTrailEvent") -> None:
        """An item of saved API output met outside its wrapper (``_RECORD_TEXTS``: ``jq -c '.Events[]'``,
        ``--query 'events[]'``): its ``field`` is the record, as JSON text. Parsed apart from the document
        being iterated (the shared parser holds that one)."""
        try:
            record = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            self._bad_record(name, where, f"{field} is not JSON ({error})")
            return
        if record.__class__ is not dict:
            self._bad_record(name, where, f"{field} is not a JSON object")
            return
        self._scan_dict(name, where, record)

    def _scan_records(
        self, name: str, records: Iterable[Any], *, first: int = 0, count: bool = True, unit: str = "record"
    ) -> None:
        """The hot loop: per record one pointer lookup unless it turns out to be a wanted principal's."""
        users = self.matcher.users
        sessions = self.matcher.session_keys
        index = first - 1
        for index, record in enumerate(records, start=first):
            try:
                identity = record.at_pointer("/userIdentity/arn")
            except POINTER_MISSES:
                if not isinstance(record, simdjson.Object):
                    self._bad_record(name, f"{unit} {index}", "no userIdentity")
                elif record.get("userIdentity") is None:  # an AWS service's has one, without an ARN
                    if (found := _item_text(record)) is not None:
                        self._scan_event_text(name, f"{unit} {index}", *found)
                    elif (kind := record.get("detail-type")) is not None:
                        detail = self._eventbridge_detail(name, f"{unit} {index}", record, kind)
                        if detail is not None:
                            self._scan_records(name, (detail,), first=index, count=False, unit=unit)
                    elif isinstance(raw := record.get("rawData"), str):
                        self._scan_raw_data(name, f"{unit} {index}", raw)
                    elif record.get("eventType") not in CALLERLESS_EVENT_TYPES:
                        self._bad_record(name, f"{unit} {index}", "no userIdentity")
                elif self.spec.split_sessions and record.get("eventName") == "AssumeRole":
                    self._session_start(record)  # EKS Pod Identity calls AssumeRole as an AWS service
                continue  # AWS services and other identities without an ARN
            if not isinstance(identity, str):
                continue
            principal = users.get(identity)
            if principal is None:
                candidates = sessions.get(identity[: identity.rfind("/") + 1])
                if candidates is None:
                    continue
                try:
                    issuer = record.at_pointer("/userIdentity/sessionContext/sessionIssuer/arn")
                except POINTER_MISSES:
                    issuer = None
                principal = self._session_principal(identity, candidates, issuer)
                if principal is None:
                    continue
            self._take(name, f"{unit} {index}", record, principal, identity)
        if count:
            self.result.summary.events_scanned += index + 1 - first

    def _scan_raw_data(self, name: str, where: str, text: str) -> None:
        """A record Kinesis Data Firehose could not deliver: the records it was given, base64 in rawData
        (``_RAW_DATA``). A stream fed by an EventBridge rule was given the event, one fed by a CloudWatch
        Logs subscription the gzip payload of logEvents (CloudWatch Logs User Guide, "Subscription
        filters"), a producer's the record, or several, one a line (JSON Lines put as one Firehose record):
        each is read as it would be in a file. The principal's ARN does not show in the base64 text, so the
        line is parsed whatever it names (the lines and documents that hold ``_RAW_DATA``); the records
        inside count as scanned beside their envelope's one, and as ``raw_data_records``."""
        where = f"{where} rawData"
        data = self._raw_bytes(name, where, text)
        if data is None:
            return
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            lines = _json_lines(data)
            if lines is None:
                self._bad_record(name, where, f"not JSON ({error})")
            else:
                self._scan_raw_lines(name, where, lines)
            return
        self._scan_raw_value(name, where, value)

    def _raw_bytes(self, name: str, where: str, text: str) -> bytes | None:
        """rawData decoded, and inflated when it is gzip; None once counted as a bad record."""
        try:
            data = base64.b64decode(text, validate=True)
        except ValueError:  # binascii.Error
            self._bad_record(name, where, "not base64")
            return None
        if data[:2] != GZIP_MAGIC:
            return data
        try:
            return inflate(data, self.spec.max_file_bytes)
        except FileTooLarge as error:
            self._bad_record(name, where, str(error))
        except Exception as error:  # EOFError, BadGzipFile, isal errors: cut short or corrupt
            self._bad_record(name, where, f"corrupt gzip: {error}")
        return None

    def _scan_raw_lines(self, name: str, where: str, lines: list[tuple[int, bytes]]) -> None:
        """The lines of a rawData that is JSON Lines (``_json_lines``, which leaves blank ones out, as JSON
        Lines' are), each a value of its own named by its line (from 1)."""
        self.result.summary.events_scanned += len(lines) - 1
        for number, line in lines:
            at = f"{where} line {number}"
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                self._bad_record(name, at, f"not JSON ({error})")
                continue
            self._scan_raw_value(name, at, value)

    def _scan_raw_value(self, name: str, where: str, value: Any) -> None:
        """One JSON value of rawData: a delivery file's Records, an array of records, a subscription's
        payload (each message a record), or one record or EventBridge event."""
        summary = self.result.summary
        items: list[Any] = value if isinstance(value, list) else [value]
        if isinstance(value, dict):
            if isinstance(value.get("Records"), list):
                items = value["Records"]
            elif isinstance(value.get("logEvents"), list):  # a subscription's payload: each message a record
                events = value["logEvents"]
                summary.events_scanned += len(events) - 1
                for number, event in enumerate(events):
                    message = event.get("message") if isinstance(event, dict) else None
                    if isinstance(message, str):
                        summary.raw_data_records += 1
                        self._scan_event_text(name, f"{where} event {number}", message.encode(), "message")
                    else:
                        self._bad_record(name, f"{where} event {number}", "no message text")
                return
        summary.events_scanned += len(items) - 1
        for number, item in enumerate(items):
            at = f"{where} record {number}" if len(items) > 1 else where
            if isinstance(item, dict):
                summary.raw_data_records += 1
                self._scan_dict(name, at, item)
            else:
                self._bad_record(name, at, "not a JSON object")

    def _eventbridge_detail(self, name: str, where: str, event: Any, kind: Any) -> Any:
        """An EventBridge event: CloudTrail puts each record on the default event bus as the ``detail`` of an
        event whose ``detail-type`` ends in "via CloudTrail" ("AWS API Call via CloudTrail", "AWS Service
        Event via CloudTrail", ...: EventBridge User Guide, "AWS service events delivered via AWS
        CloudTrail"), and rules archive them to S3 (Firehose), CloudWatch Logs or SIEMs in that form, one
        event a line or a file. The record is its ``detail``, read once: a detail that is an event again is
        no record (and hostile nesting must not recurse). Any other event (a GuardDuty finding, an EC2 state
        change) is no call, and said to be none. Returns the record to read (a simdjson object, or a dict
        when ``event`` is one), or None once the event is counted as a bad record."""
        detail = event.get("detail")
        if not isinstance(kind, str) or not kind.endswith(" via CloudTrail"):
            shown = repr(kind) if isinstance(kind, str) else "that is not a string"
            self._bad_record(name, where, f"an EventBridge event of detail-type {shown}, not a CloudTrail "
                             "record (those are 'AWS API Call via CloudTrail' and the like)")  # fmt: skip
        elif not isinstance(detail, simdjson.Object | dict) or detail.get("detail-type") is not None:
            self._bad_record(name, where, f"an EventBridge event ({kind}) whose detail is not a record")
        else:
            return detail
        return None

    def _scan_lines(
        self, name: str, lines: Iterable[bytes | None], unit: str = "line", missing: str = ""
    ) -> None:
        """One record per item: JSON Lines (numbered from 1), or the record texts of saved API output
        (``_record_texts``: None where an item has none, a bad record said as ``missing``)."""
        result = self.result
        parser = self.parser
        may_occur_in = self.matcher.may_occur_in
        count = 0
        # Firehose's error output (``_scan_raw_data``) is such records alone: the first line says whether
        # this is some, so other files' lines pay nothing more
        raw: bool | None = None
        for number, line in enumerate(lines, start=1):
            if line is None:
                count += 1
                self._bad_record(name, f"{unit} {number}", missing)
                continue
            if not line.strip():
                continue
            count += 1
            if raw is None:
                raw = _RAW_DATA in line
            if not may_occur_in(line) and not (raw and _RAW_DATA in line):
                continue
            try:
                record = parser.parse(line)
            except BAD_JSON as error:
                self._bad_record(name, f"{unit} {number}", _unreadable_json(error, line))
                continue
            self._scan_records(name, (record,), first=number, count=False, unit=unit)
            del record
        result.summary.events_scanned += count

    def _line_kind(self, path: str) -> str:
        """What can be read line by line: "lines" (JSON Lines), "export" (a CloudWatch Logs export), or ""."""
        try:
            with _open_inflated(path) as handle:
                head = handle.read(65536).removeprefix(BOM)
        except (OSError, EOFError):
            return ""
        start = head.lstrip()
        if EXPORT_LINE.match(start[:64]):
            return "export"
        lines = start[:1] == b"{" and not _DELIVERY_HEAD.match(head[:256]) and self._is_lines(head)
        return "lines" if lines else ""

    def _scan_line_stream(self, name: str, path: str, kind: str) -> None:
        """A file too large to hold, read line by line; one without a CloudTrail record key in its head
        (and no record matched) is another tool's, its lines no events (as in ``scan_bytes``)."""
        summary = self.result.summary
        events, matched = summary.events_scanned, summary.events_matched
        try:
            with _open_inflated(path) as handle:
                head = handle.read(HEAD_BYTES * 16)
                handle.seek(0)
                lines = _lines(handle, self.spec.max_file_bytes)
                if kind == "export":
                    if not self._scan_export(name, lines):
                        return
                else:
                    self._scan_lines(name, lines)
        except FileTooLarge as error:
            self.result.skip_file(name, f"{error} (records before it were used)")
            return
        except EOFError:
            self.result.skip_file(name, "truncated gzip (records before the cut were used)")
            return
        except OSError as error:
            self.result.skip_file(name, f"unreadable: {error}")
            return
        summary.files_scanned += 1
        if summary.events_matched == matched and not any(key in head for key in _CLOUDTRAIL_KEYS):
            summary.events_scanned = events
            self.result.not_cloudtrail_file(name)

    # -- records -------------------------------------------------------------------------------------

    def _session_start(self, record: Any) -> None:
        found = pod_identity_session(record if isinstance(record, dict) else record.as_dict())
        if found is not None and found[0] in self.spec.split_sessions:
            role, session, tags = found
            self.result.summary.own_session(role, session, service_account_of(tags), tags.get(POD_TAG, ""))

    def _take(self, name: str, where: str, record: Any, principal: str, identity: str = "") -> None:
        """A wanted principal's record (a dict, or a simdjson object converted once it is in the
        window): window check, mapping, usage."""
        result = self.result
        try:
            event_time = record["eventTime"]
        except KeyError:
            self._bad_record(name, where, _no_event_time(record), principal)
            return
        if event_time.__class__ is not str:
            self._bad_record(name, where, "eventTime is not a string", principal)
            return
        # A record of an account or Region left out (--account/--region) binds no id it returned, in the
        # window or just before it: the ids linked calls name (Athena's queries, sessions and notebooks,
        # CloudWatch Logs Insights queries: links.RETURNED_IDS) are of one Region of one account, so a
        # follow-up of an asked Region and account can only name one its own Region and account returned;
        # a binding from another could only put that other Region's ARN in the policy (of a call that
        # failed for want of the id).
        if not self.window.contains_time(event_time):
            result.records_outside_window += 1
            # it may have returned an id a call in the window names
            if record.get("responseElements") and not (self.filtered and self._not_asked(record)):
                self._bind_outside(record)
            return
        if self.filtered and self._not_asked(record):
            result.records_filtered_out += 1
            return
        as_dict: dict[str, Any] = record if record.__class__ is dict else record.as_dict()
        # matched by its identity, but a record naming it twice may end without one (``_which_field``)
        problem = shape_problem(as_dict) if as_dict.get("userIdentity") is not None else "no userIdentity"
        if problem:
            self._bad_record(name, where, problem, principal)
            return
        mapper = self.mapper
        mapped = result.map_record(mapper, as_dict, where, name)
        if mapped is None:
            return
        if self._pending >= 0 and self._native is not None:
            self._native.register(self._pending, mapped, as_dict, mapper.map)
        event_time = self._shared_time(event_time)
        if mapped.key in mapper.linked_keys:
            mapped = self._linked(as_dict, mapped, principal, identity, event_time)
            if mapped is None:
                return
        usage = result.count(principal, mapped)
        if usage is not None:
            for action, resource in mapped.uses:
                usage.record(action, resource, event_time, denied=mapped.denied)
            if principal in self.spec.split_sessions and is_pod_identity_session(identity):
                session = result.summary.session(principal, identity)
                for action, _ in mapped.uses:
                    session.record(action, SESSION_RESOURCE, event_time, denied=mapped.denied)

    def _shared_time(self, event_time: str) -> str:
        """One str object per distinct ``eventTime`` among recent records: a usage entry keeps the time of
        the record that made it and of the last one that moved it, and without this each was that record's
        own 20-character copy (69 bytes), though records of one second are many. Bounded by emptying the
        dict when full: records come about in time order, so the times it holds are the ones met next."""
        times = self._times
        shared = times.get(event_time)
        if shared is None:
            if len(times) >= MAX_SHARED_TIMES:
                times.clear()
            shared = times[event_time] = event_time
        return shared

    def _not_asked(self, record: Any) -> bool:
        """``not_asked`` of the spec's accounts and Regions; asked only of a wanted principal's records in
        the window, and of those outside it that returned something (``_bind_outside``), so other records
        never pay for it."""
        return not_asked(
            record.get("awsRegion"), record.get("recipientAccountId"), self.spec.accounts, self.spec.regions
        )

    def _bind_outside(self, record: Any) -> None:
        """A start just before the window (an Athena query started at 23:59:59 whose results are read after
        midnight): its id is bound, nothing is counted or granted for it."""
        as_dict: dict[str, Any] = record if record.__class__ is dict else record.as_dict()
        key = f"{as_dict.get('eventSource')}:{as_dict.get('eventName')}"
        mapper = self.mapper
        if key not in mapper.linked_keys or shape_problem(as_dict):
            return
        try:
            mapped = mapper.map(as_dict)
        except RecursionError:
            return
        returned = mapper.returned_id(as_dict, mapped)
        if returned is not None:
            self.result.links.bind(scope_of(as_dict), *returned)

    def _linked(
        self, record: dict[str, Any], mapped: MappedEventLike, principal: str, identity: str, event_time: str
    ) -> MappedEventLike | None:
        split = principal in self.spec.split_sessions and is_pod_identity_session(identity)
        usage = Usage(1, event_time, event_time)
        return self.result.link(self.mapper, record, mapped, principal, identity if split else None, usage)

    def _bad_record(self, name: str, where: str, why: str, principal: str | None = None) -> None:
        """``where``: "record N" (from 0) in files and arrays, "line N" in JSON Lines, or a byte offset;
        ``principal``: the requested principal whose record it is, when that is known."""
        self.result.summary.bad_records += 1
        if principal is not None:
            self.result.summary.bad_records_of[principal] += 1
        self.result.warn(f"skipped {where} of {name}: {why}")


_SEVERITY_ORDER = {"error": 0, "warning": 1}


def _note_order(note: tuple[str, str, str]) -> tuple[int, str, str]:
    """The order in which a principal's notes are kept past ``MAX_WARNINGS``: the more severe first."""
    return (_SEVERITY_ORDER.get(note[0], 2), note[1], note[2])


def not_asked(region: Any, account: Any, accounts: frozenset[str], regions: frozenset[str]) -> bool:
    """Whether a record whose ``awsRegion`` and ``recipientAccountId`` are these is of a Region or account
    left out (``ScanSpec.accounts``): the one test every source applies, the file scan to its records and
    Athena (``athena.summarize_rows``) to its rows' two columns, so that --account/--region keep the same
    records whichever source holds them. It takes the two values, not a record, so that a row is not made
    into one for it. A record without the field is kept: nothing says it is another's."""
    if regions and region.__class__ is str and region not in regions:
        return True
    return bool(accounts) and account.__class__ is str and account not in accounts


# What the mapper reads at the top of a record, and what each must be: it may then trust the types. A
# value of another type makes the record a bad record named with the field (a record is not guessed at).
_REQUIRED_TEXT = ("eventSource", "eventName")
_OPTIONAL_TEXT = ("eventType", "errorCode", "errorMessage", "awsRegion", "recipientAccountId")
_IDENTITY_TEXT = ("arn", "type", "accountId")


_TEXT = frozenset({str, type(None)})
_PARAMETERS = frozenset({dict, str, type(None)})
_LIST = frozenset({list, type(None)})


def shape_problem(record: dict[str, Any]) -> str:
    """Why the mapper cannot read this record ("" when it can), for matched records only: the usual record
    passes one chain of class checks (1.6 us a record on the benchmark's logs); only a record that fails
    it is walked field by field to say which field is wrong (that walk took 2.0 us for every record)."""
    get = record.get
    identity = get("userIdentity")
    if (
        get("eventSource").__class__ is str
        and get("eventName").__class__ is str
        and get("eventType").__class__ in _TEXT
        and get("errorCode").__class__ in _TEXT
        and get("errorMessage").__class__ in _TEXT
        and get("awsRegion").__class__ in _TEXT
        and get("recipientAccountId").__class__ in _TEXT
        and get("requestParameters").__class__ in _PARAMETERS
        and get("resources").__class__ in _LIST
        and (
            identity is None  # a record no caller is known of, read by a script (never a matched one)
            or (
                identity.__class__ is dict
                and identity.get("arn").__class__ in _TEXT
                and identity.get("type").__class__ in _TEXT
                and identity.get("accountId").__class__ in _TEXT
            )
        )
    ):
        return ""
    return _which_field(record)


def _which_field(record: dict[str, Any]) -> str:
    missing = [key for key in _REQUIRED_TEXT if record.get(key).__class__ is not str]
    if missing:
        return f"no {' or '.join(missing)}"
    for key in _OPTIONAL_TEXT:
        value = record.get(key)
        if value is not None and value.__class__ is not str:
            return f"{key} is {_json_type(value)}, not a string"
    identity = record.get("userIdentity")
    # a record naming it twice was matched by the first (simdjson's lookup of a document parsed whole)
    # and is read by the last (its dict's), which need not be an object
    if isinstance(identity, dict):
        for key in _IDENTITY_TEXT:
            value = identity.get(key)
            if value is not None and value.__class__ is not str:
                return f"userIdentity.{key} is {_json_type(value)}, not a string"
    elif identity is not None:
        return f"userIdentity is {_json_type(identity)}, not an object"
    params = record.get("requestParameters")
    if params is not None and params.__class__ is not dict and params.__class__ is not str:
        return f"requestParameters is {_json_type(params)}, not an object"
    resources = record.get("resources")
    if resources is not None and resources.__class__ is not list:
        return f"resources is {_json_type(resources)}, not an array"
    return ""


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else type(value).__name__


def _no_event_time(record: Any) -> str:
    """Logstash and Elastic exports rename CloudTrail's eventTime to ``@timestamp`` (public threat-hunting
    datasets are such exports): said, since that is the fix. Not read in its place: without the export's
    date filter it is when the record was indexed, not when the call was made."""
    if record.get("@timestamp") is not None:
        return "no eventTime (it has @timestamp, as Logstash and Elastic exports write it: rename it back)"
    return "no eventTime"


def _unparsed_events(data: bytes) -> int:
    """The records of a document passed over unparsed (no wanted principal occurs in it), counted by the
    key every record has; records quoted in a string, as saved lookup-events output holds them, escape
    their quotes."""
    return data.count(b'"eventVersion"') or data.count(b'\\"eventVersion\\"')


def _event_text(event: Any, field: str = "CloudTrailEvent") -> bytes | None:
    text = event.get(field) if isinstance(event, simdjson.Object) else None
    return text.encode() if isinstance(text, str) else None


# Saved API output whose items each hold one record as JSON text: (the items' key, the text's key).
# `aws cloudtrail lookup-events` (LookupEvents: Events[].CloudTrailEvent, CloudTrail API Reference, Event);
# a trail's CloudWatch Logs log group, where each log event's message is one record (CloudTrail User Guide,
# "Sending events to CloudWatch Logs"), read back with `aws logs filter-log-events` or `get-log-events`
# (events[].message: CloudWatch Logs API Reference, FilteredLogEvent and OutputLogEvent) or delivered by a
# subscription filter (logEvents[].message: CloudWatch Logs User Guide, "Subscription filters", the
# payload's example).
_RECORD_TEXTS = (("Events", "CloudTrailEvent"), ("events", "message"), ("logEvents", "message"))


_TEXT_KEYS = tuple(dict.fromkeys(key for _, key in _RECORD_TEXTS))


def _item_text(item: Any) -> tuple[bytes, str] | None:
    """The record text of one item of ``_RECORD_TEXTS`` met alone (a line of ``jq -c '.events[]'``), with
    its key; only asked of a record without userIdentity, so records never pay for it."""
    for key in _TEXT_KEYS:
        text = _event_text(item, key)
        if text is not None:
            return text, key
    return None


def _record_texts(document: Any) -> tuple[list[bytes | None], str] | None:
    """Each item's record text (None for an item without one) and the text's key, when ``document`` is
    saved API output of ``_RECORD_TEXTS``; the texts are copies, so the document may die."""
    for key, text in _RECORD_TEXTS:
        items = document.get(key)
        if isinstance(items, simdjson.Array):
            return [_event_text(item, text) for item in items], text
    return None


def _not_records(document: Any) -> str:
    """Why a JSON object is none of the forms read, with its first keys: what a user needs to see which
    export it is (a CloudTrail Lake query result, a SIEM's own envelope). A digest file (CloudTrail User
    Guide, "CloudTrail digest file structure"), which a folder's listing passes over by its name, is named
    as such when given under another."""
    if document.get("digestS3Object") is not None and document.get("logFiles") is not None:
        return "a CloudTrail digest file: it holds the hashes of log files, no calls"
    keys = [key if len(key) <= 40 else key[:37] + "..." for key in list(document.keys())[:6]]
    return (
        "JSON object without a Records array, nor a record, an EventBridge event, or saved lookup-events "
        f"or CloudWatch Logs output (its keys: {', '.join(keys) or 'none'})"
    )


def _issuer(identity: dict[str, Any]) -> str | None:
    """``userIdentity.sessionContext.sessionIssuer.arn`` when every step is there and it is a string."""
    context = identity.get("sessionContext")
    issuer = context.get("sessionIssuer") if context.__class__ is dict else None
    arn = issuer.get("arn") if issuer.__class__ is dict else None
    return arn if arn.__class__ is str else None


_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _same_role_elsewhere(arn: str, issuer: str) -> bool:
    """Whether ``issuer`` is a role of ``arn``'s partition, account and name (under another path)."""
    head, _, name = arn.rpartition("/")
    issuer_head, _, issuer_name = issuer.rpartition("/")
    prefix = head.partition(":role")[0]
    return name == issuer_name and issuer_head.partition(":role")[0] == prefix and issuer != arn


def _file_kind(mode: int) -> str:
    return _FILE_KINDS.get(stat.S_IFMT(mode), "a special file")


def _unreadable_json(error: Exception, text: bytes) -> str:
    """simdjson's error code (``TAPE_ERROR``, ``DEPTH_ERROR``, ...) said in words, with where the text
    goes wrong when orjson can say it (a missing comma at line 112 is what a user can fix; a tape error
    is not). Only on the failure path, so the second parse costs nothing on good input; and only for a
    text of delivery-file size, since orjson builds every value before the error (memory stays flat)."""
    code = str(error).split(":")[0]
    if code == "DEPTH_ERROR":
        return "not readable JSON: nested deeper than 1024 levels"
    if not isinstance(error, ValueError) or len(text) > _LOCATED_ERRORS_UP_TO:
        return f"not {'valid' if isinstance(error, ValueError) else 'readable'} JSON: {code}"
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as found:
        return f"not valid JSON: {found.msg} at line {found.lineno}, column {found.colno}"
    return f"not valid JSON: {code}"


_LOCATED_ERRORS_UP_TO = 16 * 1024 * 1024  # bytes: CloudTrail's delivery files are well under 1 MiB each


def _closed(data: bytes) -> bool:
    """Whether a document ends the way it began: a cut file is caught even where no record is parsed."""
    tail = data[-64:].rstrip()
    if _DELIVERY_HEAD.match(data[:256]):
        return _DELIVERY_TAIL.search(tail) is not None
    return tail.endswith(b"]" if data.lstrip()[:1] == b"[" else b"}")


def _json_lines(data: bytes) -> list[tuple[int, bytes]] | None:
    """The lines of a text that is not one JSON value, numbered from 1, blank ones left out, when it is
    JSON Lines: more than one line and the first a JSON value by itself; None otherwise (a record cut
    short over many lines is one bad record, not one a line)."""
    lines = [(number, line) for number, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
    if len(lines) < 2:
        return None
    try:
        orjson.loads(lines[0][1])
    except orjson.JSONDecodeError:
        return None
    return lines


def _export_messages(lines: Iterable[bytes], limit: int) -> Iterator[bytes | None]:
    """The message of each line of a CloudWatch Logs export, a message over several lines joined: lines
    without the timestamp that follow a message which is not yet a whole JSON value continue it (a record
    pretty-printed, a long line wrapped) and are joined to it as they are, line ends aside, so that a cut
    inside a string joins back. Such a line after a whole message (or before any, or past ``limit`` bytes
    of one) is none: None, a bad record. Each line joined yields a blank after its message, so that lines
    keep their numbers (blank lines stay blank, as JSON Lines' are)."""
    match = EXPORT_LINE.match
    held: bytes | None = None  # the message being read, yielded once the next one starts
    joined = 0  # lines joined to it or blank after it
    for line in lines:
        found = match(line)
        if found is not None:
            if held is not None:  # the usual line: its message, then this one's (no generator a line)
                yield held
                if joined:
                    yield from itertools.repeat(b"", joined)
            held, joined = line[found.end() :], 0
            continue
        blank = not line.strip()
        if held is not None and (blank or (len(held) + len(line) <= limit and not _whole(held))):
            if not blank:
                held = held.rstrip(b"\r\n") + line
            joined += 1
            continue
        if held is not None:
            yield from _with_blanks(held, joined)
            held, joined = None, 0
        yield line if blank else None
    if held is not None:
        yield from _with_blanks(held, joined)


def _with_blanks(message: bytes, lines: int) -> Iterator[bytes]:
    """A message, then a blank for each of the ``lines`` it took after its own."""
    yield message
    if lines:
        yield from itertools.repeat(b"", lines)


def _whole(message: bytes) -> bool:
    """Whether a message is a whole JSON object already (only asked when a line without the timestamp
    follows it, so that exports of one record a line never pay for it)."""
    if not message.rstrip().endswith(b"}"):
        return False
    try:
        orjson.loads(message)
    except orjson.JSONDecodeError:
        return False
    return True


def not_logs_file(path: str) -> str | None:
    """Why a file of a name not read as logs is passed over (``sniff.not_logs``), or None when it begins
    as logs, for the folder walk (``local.local_files``): only its head is read; a named pipe or device is
    never opened (it could block for ever), and an unreadable file is left to the scan, which names it
    with the reason."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "notLogFiles"
        with open(path, "rb") as handle:
            return not_logs(handle.read(HEAD_BYTES))
    except OSError:
        return None


def _open_inflated(path: str) -> Any:
    """A file opened for reading, through gzip when its first bytes are gzip's, whatever its name: Firehose
    names a GZIP object ``.gz`` but a copy or a custom extension need not (``sniff``)."""
    with open(path, "rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    return igzip.open(path, "rb") if compressed else open(path, "rb")


def _lines(handle: Any, limit: int) -> Iterator[bytes]:
    """Lines of a file, none held longer than ``limit`` bytes: a longer one raises ``FileTooLarge``."""
    number = 0
    while line := handle.readline(limit + 1):
        number += 1
        if len(line) > limit:
            raise FileTooLarge(f"line {number} is longer than {describe_size(limit)} (the file size cap)")
        yield line.removeprefix(BOM) if number == 1 else line


# -- worker-process entry points (module level so they pickle) -------------------------------------

_WORKER: Scanner | None = None


def worker_init(spec: ScanSpec, prepared: Scanner | None = None) -> None:
    """The worker's scanner: ``prepared`` when the parent scanned a first batch with it before forking
    (``engine._warmed``), so that its readings, templates and the mapper's memo come with it."""
    global _WORKER
    _WORKER = prepared if prepared is not None and prepared.spec == spec else Scanner(spec)


def worker_scan(items: list[tuple[str, str | bytes]]) -> ScanResult:
    """Scan a batch of ``(name, path or bytes)`` in a worker process and return its small result."""
    scanner = _WORKER
    if scanner is None:
        raise RuntimeError("worker_init was not called")
    for name, item in items:
        scanner.scan_item(name, item)
    return scanner.take_result()
