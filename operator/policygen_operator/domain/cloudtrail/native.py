"""The scan's optional native fast path (``native/``, the ``policygen_native`` extension, built by ``make``).

A matched record costs the Python scan ~15-25 us (a dict of the whole record, its checks, the mapper's
memo key, the usage entry), ten times what skipping it costs: a scan for every role of a cluster, whose
records are most of the logs, paid that for each. Most matched records repeat a call the scan has mapped
already (the mapper's memo hits three in four on the benchmark's logs). The extension reads each candidate
record's fields the mapper depends on (``EventMapper.memo_shape``: the same things ``plans.memo_key``
keys on, or more) and counts a record whose key it has seen by that earlier record's reading, per
principal, with its first and last ``eventTime``, or whose template (its key but for the tokens that look
like ids) has one (``templates.py``: most of the rest are calls on a resource seen for the first time);
every other record comes back to the Python scan whole and is read as before, and its reading is
registered under its key, its template derived the second time it is met (with other ids). So the
result is the Python scan's, record for record (``tests/unit/domain/cloudtrail/test_native_take.py``
compares both on every layout); without the extension (a machine with no Rust toolchain,
``ScanSpec.native`` off) the scan is the same, only slower.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from policygen_operator.domain.cloudtrail.principals import UNSESSIONED, PrincipalMatcher
from policygen_operator.domain.cloudtrail.templates import Rendered, Template, derive
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.usage import SESSION_RESOURCE, PrincipalUsage, Usage

if TYPE_CHECKING:  # scan.py imports this module
    from policygen_operator.domain.cloudtrail.scan import MappedEventLike, ScanResult

try:
    import policygen_native
except ImportError:  # not built here: the Python scan reads every record
    policygen_native = None

# Registered readings held at most (~7 MB at ~900 bytes each with their keys), so that memory stays flat
# however many distinct calls the logs hold (``NativeTake.after_file``).
MAX_READINGS = 8_192
# Rows of records counted by a template (a principal's calls with the same ids one row) held in the
# extension before they are added to the result (~15 MB at most): a scan of many one-off ids then holds
# them once, in the usage, and rows of repeated ids are still added once per many files
MAX_SLOT_ROWS = 131_072


def available() -> bool:
    return policygen_native is not None


def counter(native: bool) -> Callable[[bytes, bytes], int]:
    """The scan's count of a needle in a file (every file's records, by their start): the extension's
    ``count_of`` when it is built and asked for, else ``bytes.count``, the same count. CPython's search for
    ``{"eventVersion":`` ran at ~3 GB/s, a tenth of a one-principal scan's CPU. The function itself, not a
    wrapper: it is called once per file."""
    if native and policygen_native is not None:
        return policygen_native.count_of  # type: ignore[no-any-return]
    return bytes.count


def python_record_bounds(data: bytes, positions: list[int], needle: bytes) -> list[tuple[int, int]] | None:
    """The records around the principal search's offsets: for each offset in order, the last ``needle``
    (a record's start) before it and the first at or after it (-1: none, the record runs to the end); an
    offset inside the record just bounded is skipped, and None says an offset has no record start
    before it."""
    bounds: list[tuple[int, int]] = []
    end = 0
    for found in sorted(positions):
        if found < end or end < 0:
            continue  # in the record just bounded
        start = data.rfind(needle, 0, found)
        if start < 0:
            return None
        end = data.find(needle, found)
        bounds.append((start, end))
    return bounds


def python_record_chunks(
    data: bytes, positions: list[int], needle: bytes
) -> tuple[list[int], list[bytes]] | None:
    """The candidate records around the principal search's offsets (``python_record_bounds``): their starts
    and texts, each without the comma after it, or the last one without the file's closing ``]}``; None
    when an offset has no record start before it or a record does not end so (the caller then parses
    the whole file)."""
    bounds = python_record_bounds(data, positions, needle)
    if bounds is None:
        return None
    starts: list[int] = []
    chunks: list[bytes] = []
    for start, end in bounds:
        chunk = data[start:end].rstrip() if end >= 0 else data[start:].rstrip()
        if end >= 0 and chunk.endswith(b","):
            chunk = chunk[:-1]
        elif end < 0 and chunk.endswith(b"]}"):
            chunk = chunk[:-2].rstrip()
        else:
            return None
        starts.append(start)
        chunks.append(chunk)
    return starts, chunks


def chunks_finder(native: bool) -> Callable[[bytes, list[int], bytes], tuple[list[int], list[bytes]] | None]:
    """``python_record_chunks``, or the extension's ``record_chunks`` (the same) when it is built and asked
    for: the loop cost ~1.6 us per matched record, most of the records of a cluster-wide scan."""
    if native and policygen_native is not None:
        return policygen_native.record_chunks  # type: ignore[no-any-return]
    return python_record_chunks


# What ``drain`` counts the summed records of a principal's plain readings as: mapped, no notes (their
# uses came packed).
_PLAIN = Rendered("mapped", "", False, "", (), ())
# A drained principal index with this bit set numbers an EKS Pod Identity session of a role whose sessions
# are kept apart (``ScanSpec.split_sessions``): the extension counts the session's records for the role and
# tallies them for the session too, whose usage (``UsageSummary.session``: its ServiceAccount's once known)
# takes their actions as ``Scanner._take`` records them. ``native/src/lib.rs``, ``SESSION_FLAG``.
SESSION_FLAG = 1 << 31


def _plain(reading: MappedEventLike) -> bool:
    """A reading whose records add to their principal's count alone (``drain``): a mapped one without
    notes (an unmapped or ignored one is counted under its key, a note per principal)."""
    return reading.kind == "mapped" and not reading.notes


class NativeTake:
    """One scanner's native reader: principals by index, the readings registered, the extension's state."""

    def __init__(
        self,
        principals: list[str],
        matcher: PrincipalMatcher,
        apart: frozenset[str],
        window: Window,
        asked: tuple[frozenset[str], frozenset[str]],
        linked_keys: frozenset[str],
        memo_shape: Callable[[str, str], Any],
    ) -> None:
        assert policygen_native is not None
        self.principals = principals
        index = {arn: number for number, arn in enumerate(principals)}
        self._readings: list[MappedEventLike | Template] = []
        self.read_in_python = 0  # candidate records handed back (benchmarks/scan_principals.py prints it)
        self._sessions: list[tuple[str, str]] = []  # (role, session ARN) by the extension's number
        self._registered: set[int] = set()  # the key ids registered in the file being read
        self._take = policygen_native.Take(
            {arn: index[arn] for arn in matcher.users},
            {arn: index[arn] for arn in matcher.roles},
            {prefix for prefix, roles in matcher.session_keys.items() if roles is not UNSESSIONED},
            {prefix for prefix, roles in matcher.session_keys.items() if roles is UNSESSIONED},
            set(apart),
            set(linked_keys),
            window.start_iso,
            window.end_iso,
            set(asked[0]),
            set(asked[1]),
            memo_shape,
        )

    def scan(self, chunks: list[bytes]) -> list[tuple[int, int]]:
        """The chunks the Python scan may have to read, in order, each with the key id to ``register`` its
        reading under (-1: never registered); ``-2 - id`` for a later record of key ``id`` in this file, which
        it reads in its place only if that key was not registered by then (``waits``): so whatever such a
        record leaves (a bad record's warning) comes in the file's order, as without the extension."""
        self._registered.clear()
        back: list[tuple[int, int]] = self._take.scan(chunks)
        self.read_in_python += sum(1 for _, key_id in back if key_id >= -1)
        return back

    def scan_file(
        self, data: bytes, positions: list[int], needle: bytes
    ) -> tuple[int, tuple[int, list[tuple[int, int, int]]] | None]:
        """``scan`` of a file's candidates found, checked and read in ``data`` by the extension: the file's
        records (``needle`` counted, as ``counter`` counts them), and their number and (start, end, key id)
        of those the Python scan may have to read; None for the latter when it is not sure every candidate
        is one object simdjson reads, or ``record_chunks`` would find none (nothing read then)."""
        self._registered.clear()
        records, taken = self._take.scan_file(data, positions, needle)
        if taken is not None:
            self.read_in_python += sum(1 for _, _, key_id in taken[1] if key_id >= -1)
        return records, taken

    def waits(self, key_id: int) -> bool:
        """Whether a record ``scan`` gave this (negative) key id is counted by ``settle``: its key's first
        record was registered (else the Python scan reads it, and it counts as read in Python)."""
        waiting = -2 - key_id in self._registered
        if not waiting:
            self.read_in_python += 1
        return waiting

    def by_template(self, key_id: int) -> bool:
        """Whether the record ``scan`` gave this key id (>= 0) was counted by a template derived from an
        earlier record of this file (so not read in Python; its repeats in the file wait as on a
        registered key): a template met for the first time has most of its records in that file."""
        counted: bool = self._take.by_template(key_id)
        if counted:
            self._registered.add(key_id)
            self.read_in_python -= 1
        return counted

    def settle(self) -> None:
        """Counts the later records of each key registered in the file just read."""
        self._take.settle()

    def register(
        self,
        key_id: int,
        reading: MappedEventLike,
        record: dict[str, Any],
        map_record: Callable[[dict[str, Any]], MappedEventLike],
    ) -> None:
        """Registers ``record``'s reading under its key and, the second time its template is met, the
        template that stands for the records differing from it only in their ids (``templates.py``), if
        there is one."""
        self._readings.append(reading)
        self._registered.add(key_id)
        granted = list(reading.uses) if reading.kind == "mapped" else None
        self._take.register(key_id, len(self._readings) - 1, granted or None, reading.denied, _plain(reading))
        slots: list[str] | None = self._take.slots(key_id)
        if slots is None:
            return
        try:
            template = derive(slots, record, reading, map_record)
        except RecursionError:  # nested near Python's limit: mapped once, not copied level by level
            template = None
        if template is None:
            self._take.template(key_id, None)
            return
        self._readings.append(template)
        fixed = template.fixed
        uses = template.use_form if fixed.kind == "mapped" else ""
        self._take.template(key_id, len(self._readings) - 1, uses or None, fixed.denied, _plain(fixed))

    def after_file(self, result: ScanResult) -> None:
        """Adds the file's EKS Pod Identity sessions' starts the extension read (``Scanner._session_start``:
        their order against the file's other records does not matter, ``UsageSummary.own_session``), and
        bounds the readings kept: past ``MAX_READINGS``, those no record was counted by since the last
        time are forgotten (most are one-off calls, a new S3 key each), a quarter of the limit kept."""
        for role, session, account, pod in self._take.session_starts():
            result.summary.own_session(role, session, account, pod)
        if len(self._readings) >= MAX_READINGS:
            self.drain(result)  # the tallies name readings by their place in the list
            kept = self._take.forget(MAX_READINGS // 4)
            self._readings = [self._readings[entry] for entry in kept]
        elif self._take.slot_rows() >= MAX_SLOT_ROWS:
            self.drain(result)

    def drain(self, result: ScanResult) -> None:
        """Adds what the extension counted since the last drain to ``result``, as the Python scan counts a
        record (``ScanResult.count``, then each use's usage), ``count`` records at once: a reading or a
        template's is counted once per principal; the uses of a principal's records, those of templates
        as the extension rendered them for each distinct set of ids, come packed in one string, allowed
        and denied apart (``UsageTable.add_packed``: a worker's batch result carries it to the parent as
        it came). Uses are registered only with a mapped reading, whose count gives the principal's
        usage. A Pod Identity session's tallies (``SESSION_FLAG``) add no count, only the actions of its
        role's mapped records to the session's usage (packed on ``SESSION_RESOURCE`` by the extension)."""
        rows, groups, plain_counts, packs, outside, filtered_out, sessions = self._take.drain()
        result.records_outside_window += outside
        result.records_filtered_out += filtered_out
        self._sessions += [(self.principals[role], arn) for role, arn in sessions]
        readings = self._readings
        principals = self.principals
        sessions_seen: dict[int, PrincipalUsage] = {}  # a session's usage looked up once a drain
        for principal, entry, count, times in rows:
            held = cast("MappedEventLike", readings[entry])
            if principal & SESSION_FLAG:  # a session takes the uses of the role's mapped records
                if isinstance(held, Template):  # a session's template records are rows (no ids kept)
                    held = held.fixed
                if held.kind == "mapped":
                    usage = self._session(result, principal, sessions_seen)
                    if times is not None:
                        for action, _ in held.uses:
                            usage.add(action, SESSION_RESOURCE, Usage(count, *times), denied=held.denied)
                continue
            counted = result.count(principals[principal], held, count)
            if counted is not None and times is not None:  # uses the extension could not pack
                seen = Usage(count, *times)
                for action, resource in held.uses:
                    counted.add(action, resource, seen, denied=held.denied)
        for principal, entry, total in groups:
            result.count(principals[principal], cast(Template, readings[entry]).fixed, total)
        # a mapped reading without notes whose uses came packed adds to its principal's count alone: the
        # extension sums those per principal (``register``/``template`` tell it which), where a row each
        # was a Python step each (~370,000 rows and groups in the 500-principal set's drains)
        for principal, total in plain_counts:
            result.count(principals[principal], _PLAIN, total)
        for principal, denied, packed in packs:
            if principal & SESSION_FLAG:
                usage = self._session(result, principal, sessions_seen)
            else:
                usage = result.summary.principal(principals[principal])
            (usage.denied if denied else usage.allowed).add_packed(packed)

    def _session(self, result: ScanResult, number: int, seen: dict[int, PrincipalUsage]) -> PrincipalUsage:
        """Where the calls of the session the extension numbered so go (``UsageSummary.session``: made, as
        ``Scanner._take`` makes it, when a mapped record of it is counted), ``seen`` the ones looked up in
        this drain: a session has a row per reading, a pod's calls hundreds."""
        usage = seen.get(number)
        if usage is None:
            role, session = self._sessions[number & ~SESSION_FLAG]
            usage = seen[number] = result.summary.session(role, session)
        return usage
