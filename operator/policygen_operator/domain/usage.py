"""The one value every scan reduces CloudTrail to: a mergeable usage summary.

A summary of one delivery file, of one core's half of the files, of yesterday's run or of an
Athena aggregate all have the same shape, so they merge associatively and commutatively
(counts add, first-seen takes the minimum, last-seen the maximum). The policy is a pure
function of a summary; nothing downstream needs the records themselves.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import ItemsView, Iterable, Iterator, Mapping, MutableMapping, Sequence, ValuesView
from dataclasses import dataclass, field
from typing import Any, cast

try:  # the optional extension (``native/``): many packed strings as one, without a Python step per row
    from policygen_native import merge_packed
except ImportError:  # not built here: each is added in Python
    merge_packed = None

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


# The resource of every call a Pod Identity session's usage holds (``UsageSummary.sessions``): one entry
# per action, as the role's policy would name none of them.
SESSION_RESOURCE = "*"

# Past this many distinct resources of one kind for one action (one bucket's objects, one Region's KMS keys:
# ``policy.shape_of``'s head), a table folds them (``HeadFold``). A role that writes a new S3 key on every
# call otherwise held one entry per call of the whole window, ~180 bytes each: memory grew with the log
# volume. Now it stays under about 1.5 MB per (principal, action, kind). A policy names at most
# ``DEFAULT_COMPACTION_THRESHOLD`` (10) ARNs of one kind anyway; what folding can lose against compacting the
# full set is depth (docs/mapping.md, "Folded during the scan").
FOLD_AT = 8_192

# Distinct calls a scan holds plain, shared by the principals it was asked for (``table_fold_at``): past
# its share, a table (one principal's allowed or refused calls) holds every kind with more than
# ``OVER_FOLD_AT`` resources folded, and a folded kind with more than ``OVER_FOLD_AT`` first folders as one
# span. ``FOLD_AT`` alone bounds a table by its actions and kinds, not by itself: the 300 roles of a
# 5M-event benchmark held ~4,600 resources each (1.39M entries, ~230 bytes apiece: the parent at 385 MB,
# 155 MB at 1M), and more with more logs. Kinds of up to ``OVER_FOLD_AT`` stay exact, so the policy's
# compaction (10 ARNs of a kind) still writes their patterns.
SCAN_HELD = 1 << 20
# A table's share never below this (many principals), nor above ``FOLD_AT`` (one principal: as before).
MIN_TABLE_FOLD_AT = 1_024
OVER_FOLD_AT = 64
# How many plain resources an action of a table past its share takes between two folds of it (or
# its size after the last fold, if more): a fold looks every held resource's kind up again.
OVER_FOLD_STEP = 256


@dataclass(slots=True)
class Span:
    """Folded resources: the lowest and the highest of their rests (their longest common prefix is that of
    the two), and the usage of them all. Min, max and ``Usage.add`` are associative and commutative, so
    spans merge in any order and batching to the same value."""

    low: str
    high: str
    usage: Usage

    def take(self, low: str, high: str, usage: Usage) -> None:
        if low < self.low:
            self.low = low
        if high > self.high:
            self.high = high
        self.usage.add(usage)

    def rest(self) -> str:
        """The rest the policy names: the one value, or a pattern of the common prefix of all of them, cut
        before any wildcard or ``${...}`` escape so the prefix stays literal text."""
        if self.low == self.high:
            return self.low
        size = 0
        limit = min(len(self.low), len(self.high))
        while size < limit and self.low[size] == self.high[size]:
            size += 1
        prefix = self.low[:size]
        for wildcard in ("*", "?", "$"):
            if wildcard in prefix:
                prefix = prefix[: prefix.index(wildcard)]
        return prefix + "*"


def table_fold_at(principals: int) -> int:
    """A table's share of ``SCAN_HELD`` in a scan for ``principals``: every table of the scan (each worker's
    and the merged one) folds by the same share, so the result depends only on the set of calls."""
    return max(MIN_TABLE_FOLD_AT, min(FOLD_AT, SCAN_HELD // max(1, principals)))


def _segment(rest: str) -> str:
    """The first folder of a rest (``uploads/`` of ``uploads/2026/a.json``), or the whole rest without one."""
    cut = rest.find("/")
    return rest if cut < 0 else rest[: cut + 1]


@dataclass(slots=True)
class HeadFold:
    """An action's resources of one head past ``FOLD_AT``: one ``Span`` per first folder of their rests, or,
    past ``FOLD_AT`` folders (flat keys), one ``Span`` for all.

    Which form a head ends in depends only on the whole set of its resources (more than ``FOLD_AT``
    distinct ones; more than ``FOLD_AT`` distinct first folders): a batch or file can only hold fewer of
    either than the whole scan, so however records are split and ordered, the result is the same. A
    folder's pattern still covers every resource a call used, and a first folder of one value stays exact.
    """

    by_segment: dict[str, Span] = field(default_factory=dict)
    whole: Span | None = None

    def take(self, rest_low: str, rest_high: str, usage: Usage, segment: str | None = None) -> None:
        if self.whole is not None:
            self.whole.take(rest_low, rest_high, usage)
            return
        key = _segment(rest_low) if segment is None else segment
        span = self.by_segment.get(key)
        if span is None:
            self.by_segment[key] = Span(
                rest_low, rest_high, Usage(usage.count, usage.first_seen, usage.last_seen)
            )
            if len(self.by_segment) > FOLD_AT:
                self._to_whole()
        else:
            span.take(rest_low, rest_high, usage)

    def join(self, other: HeadFold) -> None:
        if other.whole is not None:
            self._to_whole()
            if self.whole is None:  # nothing held yet
                usage = other.whole.usage
                self.whole = Span(
                    other.whole.low, other.whole.high, Usage(usage.count, usage.first_seen, usage.last_seen)
                )
            else:
                self.whole.take(other.whole.low, other.whole.high, other.whole.usage)
            return
        for segment, span in other.by_segment.items():
            self.take(span.low, span.high, span.usage, segment)

    def spans(self) -> Iterator[tuple[str | None, Span]]:
        if self.whole is not None:
            yield None, self.whole
        else:
            yield from self.by_segment.items()

    def _to_whole(self) -> None:
        if self.whole is not None:
            return
        spans = list(self.by_segment.values())
        self.by_segment = {}
        first = spans[0] if spans else None
        if first is None:
            return
        whole = Span(
            first.low, first.high, Usage(first.usage.count, first.usage.first_seen, first.usage.last_seen)
        )
        for span in spans[1:]:
            whole.take(span.low, span.high, span.usage)
        self.whole = whole


# A folded row, as pickled and saved: action, head, first folder (None: the whole head), low, high, usage.
FoldRow = tuple[str, str, str | None, str, str, int, str, str]

# ``UsageTable.add_packed``'s form of a principal's rows, as the native reader writes them
# (``native/src/lib.rs``, ``Take::drain``): columns joined by COLUMN_SEPARATOR, each column's items by
# ITEM_SEPARATOR. The first column names the actions; then five columns for each action in that order: how
# many of its rows are of one call each (they come first), the other rows' counts and last times, every
# row's first time, every row's resource. ``templates.derive`` keeps both separators out of every text it
# lets the reader fill in, and ids out of the actions; the reader packs no reading whose text holds one.
COLUMN_SEPARATOR = "\x1d"
ITEM_SEPARATOR = "\x1e"
# Packed rows a table holds before it adds them (characters, about 100 a row): they are added in one go when
# the table is read, merged or past this, so that what it holds stays bounded however many come.
PENDING_CHARS = 1 << 16


class UsageTable(MutableMapping[ActionResource, Usage]):
    """``(action, resource) -> Usage``, held as ``action -> resource -> Usage``, and a pair seen once as
    the bare time of that call.

    A many-principal scan keeps hundreds of thousands of entries. A key tuple per entry cost 56 bytes of
    the ~240 one took, and a principal uses few actions, so one dict per action costs far less. Most
    pairs are seen once (an S3 object read once; 80% of the benchmark's entries), and their ``Usage``
    (56 bytes) says nothing their time does not. Readers still see ``(action, resource)`` keys and
    ``Usage`` values; a once-seen pair's is made when read, so writes go through ``see``, ``add``,
    ``merge`` or assignment, never into a ``Usage`` read out. Iteration is grouped by action (insertion
    order within each), then the folded entries, which no output depends on: reports sort, and a policy
    is built from sets.

    An action's resources of one kind past ``FOLD_AT`` are held folded (``folds``, ``HeadFold``), and in a
    table past ``fold_at`` resources (``table_fold_at``) those of every kind past ``OVER_FOLD_AT``:
    readers see each fold's pattern as a resource. Writes never look a resource's kind up (that costs more
    than the write); an action's dict is folded when it grows past a limit (``_grown``), and every read
    settles the rest first (``_settle``). Both rules are monotone in the set of calls (a table past
    either limit only grows further past it), so what is read is the same whatever the order and
    batching of the writes.
    """

    __slots__ = (
        "_fold_at",
        "_limits",
        "_over",
        "_pending",
        "_pending_chars",
        "_settled",
        "_trigger",
        "by_action",
        "folds",
    )

    def __init__(
        self,
        entries: Mapping[ActionResource, Usage] | Iterable[tuple[ActionResource, Usage]] = (),
        *,
        fold_at: int | None = None,
    ) -> None:
        self.by_action: dict[str, dict[str, Entry]] = {}
        self.folds: dict[str, dict[str, HeadFold]] | None = None  # action -> head -> its fold
        self._limits: dict[str, int] | None = None  # action -> the size of its dict that folds it again
        # action -> the size of its dict when last folded: none of its resources came since
        self._settled: dict[str, int] = {}
        # past this many resources held plain, every kind past ``OVER_FOLD_AT`` is folded (``FOLD_AT``: one
        # principal's scan, a table read back). Never above ``FOLD_AT``: a table under it then holds no kind
        # past ``FOLD_AT``, so only a table past it (``_over``) is ever folded.
        self._fold_at = FOLD_AT if fold_at is None else min(fold_at, FOLD_AT)
        # past ``_fold_at`` resources, or holding a fold (``_become_over``): never undone
        self._over = False
        # an action's dict past this size is looked at by ``_grown`` (the least of the actions' limits)
        self._trigger = min(FOLD_AT, self._fold_at, OVER_FOLD_STEP)
        # packed rows not added yet (``add_packed``): a worker's batch result carries them as they came
        self._pending: list[str] = []
        self._pending_chars = 0
        pairs = entries.items() if isinstance(entries, Mapping) else entries
        for (action, resource), usage in pairs:
            self[(action, resource)] = usage

    def __getitem__(self, key: ActionResource) -> Usage:
        self._settle()
        action, resource = key
        entry = self.by_action.get(action, {}).get(resource)
        if entry is not None:
            return _usage(entry)
        usage = self._folded_of(action).get(resource) if self.folds else None
        if usage is None:
            raise KeyError(key)
        return usage

    def __setitem__(self, key: ActionResource, usage: Usage) -> None:
        """Kept as given (the caller may go on changing it). A pattern a fold names is replaced, not added
        to: its spans go, and the entry set reads back as set. A resource whose calls a fold holds already
        (one under a folded head) is added to: a fold cannot give back one resource's calls. No scan assigns;
        readers of saved summaries assign only to tables they fill (``put``)."""
        action, resource = key
        if self._pending:
            self._add_pending()  # a packed row of this pair must not be added to what replaces it
        if self.folds is not None and action in self.folds:
            self._settle()
            self._unfold(action, resource)
        by_resource = self.by_action.get(action)
        if by_resource is None:
            by_resource = self.by_action[action] = {}
        by_resource[resource] = usage
        if len(by_resource) > self._trigger:
            self._grown(action, by_resource)

    def __delitem__(self, key: ActionResource) -> None:
        """A pattern a fold names is deleted with its spans, as any key read out can be (``pop``, and
        ``clear``, which stops at the first ``KeyError``)."""
        self._settle()
        action, resource = key
        by_resource = self.by_action.get(action)
        if by_resource is not None and resource in by_resource:
            del by_resource[resource]
            self._settled[action] = len(by_resource)  # the rest was settled above
            if not by_resource:
                del self.by_action[action]
        elif not self._unfold(action, resource):
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        return self.get(key) is not None

    def __iter__(self) -> Iterator[ActionResource]:
        """The keys in ``_pairs``' order, without making a ``Usage`` of each bare time: a policy is built
        from the keys alone, of hundreds of thousands of calls on a cluster's roles."""
        self._settle()
        for action, by_resource in self.by_action.items():
            for resource in by_resource:
                yield action, resource
        for action in self.folds or {}:
            for resource in self._folded_of(action):
                yield action, resource

    def resources_per_action(self) -> dict[str, set[str]]:
        """The keys as action -> resources (folded patterns among them), a set per action made of its dict
        whole: a policy is built per action, and a fleet's 329,000 keys one by one through ``__iter__`` into
        a set of pairs, then grouped again by action, were 0.2 CPU s of its policies."""
        self._settle()
        grouped = {action: set(by_resource) for action, by_resource in self.by_action.items() if by_resource}
        for action in self.folds or {}:
            grouped.setdefault(action, set()).update(self._folded_of(action))
        return {action: resources for action, resources in grouped.items() if resources}

    def per_action(self) -> dict[str, tuple[int, str, str, list[str]]]:
        """Per action: calls, first and last seen, and the resources (unsorted), as summing ``items()`` would
        give them, by the action's dicts whole: a fleet's report reads 329,000 entries, and a Python step
        for each was 0.2 CPU s of it (most entries are bare times, counted by ``len``)."""
        self._settle()
        summed: dict[str, tuple[int, str, str, list[str]]] = {}
        for action, by_resource in self.by_action.items():
            if not by_resource:
                continue
            bare = [entry for entry in by_resource.values() if isinstance(entry, str)]
            held = [entry for entry in by_resource.values() if isinstance(entry, Usage)]
            firsts = [*bare, *(usage.first_seen for usage in held)]
            lasts = [*bare, *(usage.last_seen for usage in held)]
            count = len(bare) + sum(usage.count for usage in held)
            summed[action] = (count, min(firsts), max(lasts), list(by_resource))
        for action in self.folds or {}:
            for resource, usage in self._folded_of(action).items():
                count, first, last, resources = summed.get(action) or (
                    0,
                    usage.first_seen,
                    usage.last_seen,
                    [],
                )
                resources.append(resource)
                summed[action] = (
                    count + usage.count,
                    min(first, usage.first_seen),
                    max(last, usage.last_seen),
                    resources,
                )
        return summed

    def __len__(self) -> int:
        self._settle()
        folded = sum(len(self._folded_of(action)) for action in self.folds or {})
        return sum(map(len, self.by_action.values())) + folded

    def __bool__(self) -> bool:
        return any(self.by_action.values()) or bool(self.folds) or bool(self._pending)

    def get(self, key: ActionResource, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

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
        return (_plain_table, self.pickled())

    def pickled(self) -> tuple[PlainTable, list[FoldRow], list[str]]:
        """What a copy is made of (``_plain_table``): ``plain``, ``fold_rows`` and the packed rows not added
        yet, as they came. A worker's batch result is pickled so; adding its packed rows first, then
        pickling an entry each, cost the worker a Python step per entry and the parent another."""
        self._settle_folds()
        return self._plain(), self._fold_rows(), list(self._pending)

    def see(self, action: str, resource: str, event_time: str) -> None:
        """One call at ``event_time`` (the scan's hot path: one record's use)."""
        by_resource = self.by_action.get(action)
        if by_resource is None:
            self.by_action[action] = {resource: event_time}
            return
        entry = by_resource.get(resource)
        if entry is None:
            by_resource[resource] = event_time
            if len(by_resource) > self._trigger:
                self._grown(action, by_resource)
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
            if len(by_resource) > self._trigger:
                self._grown(action, by_resource)
        else:
            by_resource[resource] = _joined(entry, usage)

    def add_packed(self, packed: str) -> None:
        """A principal's calls the native reader counted, in one string (``COLUMN_SEPARATOR``), each row's
        use added as ``add`` would (``_add_rows``) when the table is next read or merged, or holds
        ``PENDING_CHARS``."""
        self._pending.append(packed)
        self._pending_chars += len(packed)
        if self._pending_chars > PENDING_CHARS:
            self._add_pending()

    def _add_pending(self) -> None:
        """The packed rows held, added: where the extension is built, several strings first made one
        (``merge_packed``: each call added up), so that a table given a string per Pod Identity session and
        drain (a ServiceAccount's) or per worker batch (a principal's in the parent: ``merge``) adds a call
        once, not once per string."""
        pending, self._pending, self._pending_chars = self._pending, [], 0
        if len(pending) > 1 and merge_packed is not None:
            merged = merge_packed(pending)
            if merged is not None:
                pending = [merged]
        for packed in pending:
            self._add_rows(packed)

    def _add_rows(self, packed: str) -> None:
        """One packed string (``native/src/lib.rs``, ``Take::drain``), each row's use ``add``ed. Inlined: a
        scan of a cluster's roles adds one per call on a new resource, most of its calls; the calls of an
        action made once on resources new to the table are one ``dict.update``. The reader packs a
        principal's rows of every template together, an action's once: a string per template was a
        Python step per template and batch (~6 us each, 128,000 in the benchmark's 500-principal scan)."""
        columns = packed.split(COLUMN_SEPARATOR)
        by_action = self.by_action
        intern = sys.intern
        for index, action in enumerate(columns[0].split(ITEM_SEPARATOR)):
            single_text, counts_text, lasts_text, firsts_text, resources_text = columns[
                5 * index + 1 : 5 * index + 6
            ]
            resources = resources_text.split(ITEM_SEPARATOR)
            firsts = firsts_text.split(ITEM_SEPARATOR)
            single = int(single_text)
            by_resource = by_action.get(action)
            if by_resource is None:
                by_resource = by_action[action] = {}
            if single:
                _add_once(by_resource, resources[:single], firsts[:single])
            if single < len(resources):
                counts = map(int, counts_text.split(ITEM_SEPARATOR))
                lasts = lasts_text.split(ITEM_SEPARATOR)
                for resource, count, first, last in zip(
                    resources[single:], counts, firsts[single:], lasts, strict=True
                ):
                    entry = by_resource.get(resource)
                    if entry is None:  # more than one call: a named resource, often every principal's
                        by_resource[intern(resource)] = Usage(count, first, last)
                    elif isinstance(entry, Usage):  # ``entry.add``, inlined: a call in every batch
                        entry.count += count
                        if first < entry.first_seen:
                            entry.first_seen = first
                        if last > entry.last_seen:
                            entry.last_seen = last
                    else:
                        by_resource[resource] = _joined(entry, Usage(count, first, last))
            if len(by_resource) > self._trigger:
                self._grown(action, by_resource)  # folds in place
        if not self._over:
            self._check_size()

    def merge(self, other: UsageTable) -> None:
        """``other``'s entries added in, each as ``add`` would (its ``Usage`` objects copied, so that the
        caller's stay unshared; a bare time is a string, shared as it is). Inlined: the parent of a scan
        on many cores merges every worker's batch so, one entry per distinct call of the batch, and with
        a call per entry this was a fifth of a scan's CPU where most calls name a resource once. Its packed
        rows are held as ``add_packed`` holds them: every table merged is merged from many small ones (a
        worker's batches, a ServiceAccount's sessions), whose rows are then added together."""
        for action, theirs in other.by_action.items():
            mine = self.by_action.get(action)
            if mine is None:
                mine = self.by_action[action] = {}
            limit = self._limit(action)
            for resource, entry in theirs.items():
                held = mine.get(resource)
                if held is None:
                    if isinstance(entry, Usage):
                        entry = _entry(entry.count, entry.first_seen, entry.last_seen)
                    mine[resource] = entry
                    if len(mine) > limit:
                        self._grown(action, mine)  # folds in place
                        limit = self._limit(action)
                else:
                    mine[resource] = _joined(held, _usage(entry))
        for action, heads in (other.folds or {}).items():
            for head, fold in heads.items():
                joined = self._fold_of(action, head)
                joined.join(fold)
                _bounded(joined)
        for packed in other._pending:
            self.add_packed(packed)
        if not self._over:
            self._check_size()

    def put(self, action: str, resource: str, count: int, first_seen: str, last_seen: str) -> None:
        """An entry read back (pickled rows, a saved summary), in place of any of that pair."""
        if self._pending:
            self._add_pending()
        by_resource = self.by_action.get(action)
        if by_resource is None:
            by_resource = self.by_action[action] = {}
        by_resource[resource] = _entry(count, first_seen, last_seen)
        if len(by_resource) > self._trigger:
            self._grown(action, by_resource)

    def put_folded(self, row: FoldRow) -> None:
        """A fold read back (``fold_rows``)."""
        action, head, segment, low, high, count, first_seen, last_seen = row
        fold, usage = self._fold_of(action, head), Usage(count, first_seen, last_seen)
        if segment is None:  # the span of the whole head
            fold.join(HeadFold(whole=Span(low, high, usage)))
        else:
            fold.take(low, high, usage, segment)
            _bounded(fold)

    def rows(self) -> list[Row]:
        """The entries not folded (``fold_rows`` has the others)."""
        self._settle()
        return [
            (action, resource, 1, e, e)
            if isinstance(e, str)
            else (action, resource, e.count, e.first_seen, e.last_seen)
            for action, by_resource in self.by_action.items()
            for resource, e in by_resource.items()
        ]

    def plain(self) -> PlainTable:
        """The entries not folded as plain dicts, a ``Usage`` as a tuple: how a worker's batch result is
        pickled. Most entries are a bare time (a call seen once), and a dict of strings pickles and loads
        without a Python step per entry; rows of each entry (``rows``) cost the parent a call per entry to
        read back, more than merging them."""
        self._settle()
        return self._plain()

    def _plain(self) -> PlainTable:
        return {
            action: {
                resource: e if isinstance(e, str) else (e.count, e.first_seen, e.last_seen)
                for resource, e in by_resource.items()
            }
            for action, by_resource in self.by_action.items()
            if by_resource
        }

    def fold_rows(self) -> list[FoldRow]:
        self._settle()
        return self._fold_rows()

    def _fold_rows(self) -> list[FoldRow]:
        return [
            (
                action,
                head,
                segment,
                span.low,
                span.high,
                span.usage.count,
                span.usage.first_seen,
                span.usage.last_seen,
            )
            for action, heads in (self.folds or {}).items()
            for head, fold in heads.items()
            for segment, span in fold.spans()
        ]

    def folded(self) -> list[tuple[str, str, Usage]]:
        """(action, pattern, usage) of each fold that names more than one resource: a wider grant than the
        calls used, which the report must say."""
        self._settle()
        out: list[tuple[str, str, Usage]] = []
        for action, heads in (self.folds or {}).items():
            wider = {
                head + span.rest()
                for head, fold in heads.items()
                for _, span in fold.spans()
                if span.low != span.high
            }
            out += [
                (action, pattern, usage)
                for pattern, usage in self._folded_of(action).items()
                if pattern in wider
            ]
        return out

    # -- folding --

    def _pairs(self) -> Iterator[tuple[ActionResource, Usage]]:
        self._settle()
        for action, by_resource in self.by_action.items():
            for resource, entry in by_resource.items():
                yield (action, resource), _usage(entry)
        for action in self.folds or {}:
            for resource, usage in self._folded_of(action).items():
                yield (action, resource), usage

    def _folded_of(self, action: str) -> dict[str, Usage]:
        """Each pattern an action's folds name, with the usage of every span it names: spans cut before an
        escape at the same place (first folders ``a${*}x/`` and ``a${?}y/`` are both ``a*``) are one key, as
        a mapping's keys must be, whose usage is the same whatever order their calls came in."""
        named: dict[str, Usage] = {}
        for head, fold in ((self.folds or {}).get(action) or {}).items():
            for _, span in fold.spans():
                pattern = head + span.rest()
                usage = named.get(pattern)
                if usage is None:
                    named[pattern] = Usage(span.usage.count, span.usage.first_seen, span.usage.last_seen)
                else:
                    usage.add(span.usage)
        return named

    def _unfold(self, action: str, pattern: str) -> bool:
        """Drops the spans of an action that name ``pattern``; whether there were any."""
        heads = (self.folds or {}).get(action)
        if not heads:
            return False
        dropped = False
        for head, fold in list(heads.items()):
            if not pattern.startswith(head):
                continue
            if fold.whole is not None and head + fold.whole.rest() == pattern:
                del heads[head]
                dropped = True
                continue
            named = [segment for segment, span in fold.by_segment.items() if head + span.rest() == pattern]
            for segment in named:
                del fold.by_segment[segment]
            if named:
                dropped = True
                if not fold.by_segment and fold.whole is None:
                    del heads[head]
        if not heads and self.folds is not None:
            del self.folds[action]
        return dropped

    def _fold_of(self, action: str, head: str) -> HeadFold:
        self._settled.pop(action, None)  # a fold joined or read back may take entries held plain
        if not self._over:
            self._become_over()  # a fold's resources are not counted: past either limit, folded at both
        if self.folds is None:
            self.folds = {}
        heads = self.folds.setdefault(action, {})
        fold = heads.get(head)
        if fold is None:
            fold = heads[head] = HeadFold()
        return fold

    def _grown(self, action: str, by_resource: dict[str, Entry]) -> None:
        """A write took an action's dict past ``_trigger``. Under its share, the table is counted each time
        an action has doubled (from ``OVER_FOLD_STEP``), so that it holds at most about twice its share
        before it folds whole (``_become_over``) however many actions it has; nothing is looked up while
        it is under (no kind can pass ``FOLD_AT`` then). Past it, an action is folded each time it has
        grown by its step (``OVER_FOLD_STEP``) or by its size after the last fold, whichever is more.
        Kinds too small to fold (60 buckets of 5,000 keys) stay, and looking every resource up again each
        step made a scan quadratic in them; doubling keeps the look-ups linear, and what is held at most
        twice what no fold could take."""
        if len(by_resource) <= self._limit(action):
            return
        if self._over:
            self._fold(action, by_resource)
            return
        self._check_size()  # folds every action when the table is past its share
        if not self._over:
            size = len(by_resource)
            if self._limits is None:
                self._limits = {}
            self._limits[action] = size + max(self._trigger, size)

    def _limit(self, action: str) -> int:
        """The size of an action's dict past which ``_grown`` looks at it (a loop of writes keeps it)."""
        limit = self._limits.get(action) if self._limits is not None else None
        return self._trigger if limit is None else limit

    def _check_size(self) -> None:
        """Past ``_fold_at`` resources held plain, the table is folded at the lower limits."""
        if sum(map(len, self.by_action.values())) > self._fold_at:
            self._become_over()
            for action, by_resource in self.by_action.items():
                if by_resource:
                    self._fold(action, by_resource)

    def _become_over(self) -> None:
        """From now on kinds past ``OVER_FOLD_AT`` are folded, and folds past ``OVER_FOLD_AT`` first folders
        held whole; every action is settled again by those limits, and each is looked at past its step."""
        self._over = True
        self._settled.clear()
        self._trigger = min(FOLD_AT, OVER_FOLD_STEP)
        self._limits = None
        for heads in (self.folds or {}).values():
            for fold in heads.values():
                _bounded(fold)

    def _settle(self) -> None:
        """Every packed row added, every head past its limit folded (``FOLD_AT``; ``OVER_FOLD_AT`` in a table
        past its share), and every resource of a folded head in its fold: what readers see then depends on
        the set of calls only, not on when the writes (or their folds) happened."""
        if self._pending:
            self._add_pending()
        self._settle_folds()

    def _settle_folds(self) -> None:
        if not self._over:
            self._check_size()
            return  # under its share a table folds nothing (``_fold_at``); past it, folded just now
        least = min(FOLD_AT, OVER_FOLD_AT)
        folds = self.folds
        for action, by_resource in self.by_action.items():
            if self._settled.get(action) == len(by_resource):
                continue  # no resource added since its last fold: a read looks no kind up again
            if len(by_resource) > least or (folds is not None and action in folds and by_resource):
                self._fold(action, by_resource)

    def _fold(self, action: str, by_resource: dict[str, Entry]) -> None:
        """The action's kinds past ``OVER_FOLD_AT`` (``FOLD_AT`` if less) folded, and its resources of
        kinds folded already moved into their folds; only a table past its share (``_over``) folds."""
        # imported here: policy.py imports this module (Usage)
        from policygen_operator.domain.iam.policy import compactable_head, shape_of

        folds = (self.folds or {}).get(action)
        least = min(FOLD_AT, OVER_FOLD_AT)
        by_head: dict[str, list[str]] = {}
        for resource in by_resource:
            shape = shape_of(resource)
            if shape is not None:
                by_head.setdefault(shape[0], []).append(resource)
        for head, resources in by_head.items():
            fold = folds.get(head) if folds is not None else None
            if fold is None:
                if len(resources) <= least or not compactable_head(head):
                    continue
                fold = self._fold_of(action, head)
            cut = len(head)
            for resource in resources:
                rest = resource[cut:]
                fold.take(rest, rest, _usage(by_resource.pop(resource)))
            _bounded(fold)
        if self._limits is None:
            self._limits = {}
        size = len(by_resource)
        self._limits[action] = size + max(self._trigger, size)
        self._settled[action] = size


def _bounded(fold: HeadFold) -> None:
    """A fold of a table past its ``_fold_at`` (every table holding a fold is one) held as one span past
    ``OVER_FOLD_AT`` first folders: flat names (KMS keys) are otherwise a span each, up to ``FOLD_AT``."""
    if fold.whole is None and len(fold.by_segment) > OVER_FOLD_AT:
        fold._to_whole()


def _add_once(by_resource: dict[str, Entry], resources: list[str], times: list[str]) -> None:
    """Calls made once each, on ``resources`` at ``times``, in one update: only the resources already held
    (or twice in ``resources``) take a Python step each; most calls of a cluster's roles are on a resource
    new to the table."""
    fresh: dict[str, Entry] = dict(zip(resources, times, strict=True))
    if len(fresh) < len(resources):  # a resource twice: counted one by one
        fresh = {}
        for resource, time in zip(resources, times, strict=True):
            held = fresh.get(resource)
            fresh[resource] = time if held is None else _joined(held, Usage(1, time, time))
    for resource in fresh.keys() & by_resource.keys():  # a set operation over the smaller of the two
        held, added = by_resource[resource], fresh[resource]
        if isinstance(held, Usage) and isinstance(added, str):  # ``held.see``, inlined
            held.count += 1
            if added < held.first_seen:
                held.first_seen = added
            if added > held.last_seen:
                held.last_seen = added
            fresh[resource] = held
        else:
            fresh[resource] = _joined(held, _usage(added))
    by_resource.update(fresh)


def _joined(held: Entry, usage: Usage) -> Usage:
    """``held`` and ``usage`` added, ``held``'s ``Usage`` in place (never ``usage``: it may be shared): the
    one join of an entry with more calls, for ``add``, ``merge`` and the packed rows alike."""
    if isinstance(held, str):
        joined = Usage(1, held, held)
        joined.add(usage)
        return joined
    held.add(usage)
    return held


def _entry(count: int, first_seen: str, last_seen: str) -> Entry:
    """The entry of a copy: the bare time when it says all (count 1, first the same as last)."""
    if count == 1 and first_seen == last_seen:
        return first_seen
    return Usage(count, first_seen, last_seen)


class _Items(ItemsView[ActionResource, Usage]):
    _mapping: UsageTable

    def __iter__(self) -> Iterator[tuple[ActionResource, Usage]]:
        return self._mapping._pairs()


class _Values(ValuesView[Usage]):
    _mapping: UsageTable

    def __iter__(self) -> Iterator[Usage]:
        for _, usage in self._mapping._pairs():
            yield usage


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
        return (_principal_usage, (self.allowed.pickled(), self.denied.pickled()))

    def merge(self, other: PrincipalUsage) -> None:
        self.allowed.merge(other.allowed)
        self.denied.merge(other.denied)


Row = tuple[str, str, int, str, str]  # action, resource, count, first seen, last seen


# action -> resource -> a bare time, or (count, first seen, last seen)
PlainTable = dict[str, dict[str, str | tuple[int, str, str]]]


def _plain_table(plain: PlainTable, folds: Sequence[FoldRow] = (), pending: Sequence[str] = ()) -> UsageTable:
    """A table read back from ``plain``, whose dicts it takes (they are the unpickled copies), with the packed
    rows ``pending`` still to add."""
    table = UsageTable()
    for row in folds:
        table.put_folded(row)
    for action, read in plain.items():
        by_resource = cast(dict[str, Entry], read)  # the same dict, its tuples made Usage below
        for resource, entry in read.items():
            if isinstance(entry, tuple):
                by_resource[resource] = Usage(*entry)
        table.by_action[action] = by_resource
        if len(by_resource) > table._trigger:
            table._grown(action, by_resource)
    if not table._over:
        table._check_size()
    for packed in pending:
        table.add_packed(packed)
    return table


def _principal_usage(
    allowed: tuple[PlainTable, Sequence[FoldRow], Sequence[str]],
    denied: tuple[PlainTable, Sequence[FoldRow], Sequence[str]],
) -> PrincipalUsage:
    return PrincipalUsage(_plain_table(*allowed), _plain_table(*denied))


@dataclass
class ServiceAccountUsage:
    """The calls of a split role's Pod Identity sessions whose AssumeRole named one ServiceAccount (by
    action, ``SESSION_RESOURCE``), and the sessions and pods they came from: what the split per
    ServiceAccount reports (``domain.rightsizing.split_by_service_account``)."""

    usage: PrincipalUsage = field(default_factory=PrincipalUsage)
    sessions: set[str] = field(default_factory=set)
    pods: set[str] = field(default_factory=set)

    def merge(self, other: ServiceAccountUsage) -> None:
        self.usage.merge(other.usage)
        self.sessions |= other.sessions
        self.pods |= other.pods


@dataclass
class UsageSummary:
    """Usage per principal ARN plus the counters a report and a status need.

    ``unmapped`` counts events we could not turn into IAM actions, keyed by ``eventSource:eventName``:
    we report them and never guess them into a policy. ``skipped_files`` maps a file name (or S3 URI)
    to why it was skipped.
    """

    principals: dict[str, PrincipalUsage] = field(default_factory=dict)
    # Only for the roles a scan was asked to split (EKS Pod Identity, domain/cloudtrail/podidentity.py),
    # what the split per ServiceAccount reads (``domain.rightsizing.split_by_service_account``): role ARN ->
    # "namespace/name" -> the calls of the sessions whose AssumeRole named that ServiceAccount; role ARN ->
    # session ARN -> the calls of a session whose AssumeRole is not known (yet); session ARN -> (role,
    # "namespace/name", pod) of each AssumeRole. Calls are held by action alone (``SESSION_RESOURCE``), and
    # a session's go to its ServiceAccount once its AssumeRole is known (``session``, ``own_session``):
    # a table pair per pod session, a resource per call, made such a scan's memory grow with its pods.
    service_accounts: dict[str, dict[str, ServiceAccountUsage]] = field(default_factory=dict)
    sessions: dict[str, dict[str, PrincipalUsage]] = field(default_factory=dict)
    session_owners: dict[str, tuple[str, str, str]] = field(default_factory=dict)
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
    # each new principal's tables fold past this many resources (``table_fold_at``: a scan's share per
    # principal); None: ``FOLD_AT``. Not merged nor saved: a scan sets it on every summary it fills.
    table_fold_at: int | None = field(default=None, compare=False)

    def principal(self, arn: str) -> PrincipalUsage:
        usage = self.principals.get(arn)
        if usage is None:
            usage = self.principals[arn] = self._new_usage()
        return usage

    def session(self, role: str, session: str) -> PrincipalUsage:
        """Where the calls of a Pod Identity session of ``role`` go: its ServiceAccount's usage once its
        AssumeRole is known, else the session's own until then."""
        owner = self.session_owners.get(session)
        if owner is not None:
            return self._owned(role, session, owner[1], owner[2]).usage
        by_session = self.sessions.setdefault(role, {})
        usage = by_session.get(session)
        if usage is None:
            usage = by_session[session] = self._new_usage()
        return usage

    def own_session(self, role: str, session: str, account: str, pod: str) -> None:
        """A Pod Identity session's AssumeRole, whose tags named ``account`` ("namespace/name") and ``pod``:
        the session's calls held so far go to that ServiceAccount, and its later ones (``session``)."""
        intern = sys.intern  # one string per role, ServiceAccount and pod however many sessions
        self.session_owners[session] = (intern(role), intern(account), intern(pod))
        pending = self.sessions.get(role)
        held = pending.pop(session, None) if pending else None
        if held is not None:  # a few actions on SESSION_RESOURCE: held to be added with the other sessions'
            self._owned(role, session, account, pod).usage.merge(held)
            if not pending:
                del self.sessions[role]

    def _owned(self, role: str, session: str, account: str, pod: str) -> ServiceAccountUsage:
        found = self._account(role, account)
        found.sessions.add(session)
        if pod:
            found.pods.add(pod)
        return found

    def _account(self, role: str, account: str) -> ServiceAccountUsage:
        by_account = self.service_accounts.setdefault(role, {})
        found = by_account.get(account)
        if found is None:
            found = by_account[account] = ServiceAccountUsage(self._new_usage())
        return found

    def _new_usage(self) -> PrincipalUsage:
        fold_at = self.table_fold_at
        return PrincipalUsage(UsageTable(fold_at=fold_at), UsageTable(fold_at=fold_at))

    def bad_records_for(self, principal: str) -> int:
        """The records that could not be used and may have held this principal's calls: its own and those
        of no known principal. A fleet's pull requests are held back by these (``services.status.
        incomplete_refusal``), not by another role's record that lacked a field."""
        return self.bad_records - sum(self.bad_records_of.values()) + self.bad_records_of.get(principal, 0)

    def merge(self, other: UsageSummary) -> UsageSummary:
        for arn, usage in other.principals.items():
            # a worker's batch: its packed rows held and added a few batches at once, made one string
            # first (``_add_pending``), so that a call made in every batch is added once per few: for
            # 500 principals of 1M events 6.09 -> 5.73 CPU s, of 5M 27.5 -> 23.3 s and 226 -> 203 MB
            self.principal(arn).merge(usage)
        for session, (role, account, pod) in other.session_owners.items():  # may own sessions held here
            self.own_session(role, session, account, pod)
        for role, by_account in other.service_accounts.items():
            for account, theirs in by_account.items():
                self._account(role, account).merge(theirs)
        for role, by_session in other.sessions.items():
            for session, usage in by_session.items():
                self.session(role, session).merge(usage)
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

        def table(entries: UsageTable) -> list[dict[str, Any]]:
            # sorted by (action, resource), then by the fold: two spans may name one pattern, and their
            # rows must not come in the order their calls did
            rows: list[tuple[tuple[str, ...], dict[str, Any]]] = [
                (
                    (action, resource),
                    {
                        "action": action,
                        "resource": resource,
                        "count": count,
                        "firstSeen": first,
                        "lastSeen": last,
                    },
                )
                for action, resource, count, first, last in entries.rows()
            ]
            for action, head, segment, low, high, count, first, last in entries.fold_rows():
                resource = head + Span(low, high, Usage(count, first, last)).rest()
                row = {
                    "action": action,
                    "resource": resource,
                    "count": count,
                    "firstSeen": first,
                    "lastSeen": last,
                }
                # what merging it again needs (``from_dict``): the fold, not only the pattern it names
                row["folded"] = {"head": head, "segment": segment, "low": low, "high": high}
                rows.append(
                    ((action, resource, head, "" if segment is None else "/" + segment, low, high), row)
                )
            return [row for _, row in sorted(rows, key=lambda pair: pair[0])]

        sessions = {
            "serviceAccounts": {
                role: {
                    account: {
                        "allowed": table(found.usage.allowed),
                        "denied": table(found.usage.denied),
                        "sessions": sorted(found.sessions),
                        "pods": sorted(found.pods),
                    }
                    for account, found in sorted(by_account.items())
                }
                for role, by_account in sorted(self.service_accounts.items())
            },
            "sessions": {
                role: {
                    session: {"allowed": table(u.allowed), "denied": table(u.denied)}
                    for session, u in sorted(by_session.items())
                }
                for role, by_session in sorted(self.sessions.items())
            },
            "sessionOwners": {
                session: {"role": role, "serviceAccount": account, "pod": pod}
                for session, (role, account, pod) in sorted(self.session_owners.items())
            },
        }
        return {
            "principals": {
                arn: {"allowed": table(p.allowed), "denied": table(p.denied)}
                for arn, p in sorted(self.principals.items())
            },
            **(sessions if self.sessions or self.session_owners or self.service_accounts else {}),
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
        for session, owner in data.get("sessionOwners", {}).items():
            summary.own_session(owner["role"], session, owner["serviceAccount"], owner["pod"])
        for role, by_account in data.get("serviceAccounts", {}).items():
            for account, saved in by_account.items():
                found = summary._account(role, account)
                _load(found.usage, saved)
                found.sessions.update(saved.get("sessions", ()))
                found.pods.update(saved.get("pods", ()))
        for role, by_session in data.get("sessions", {}).items():
            for session, tables in by_session.items():
                _load(summary.session(role, session), tables)
        return summary


def _load(principal: PrincipalUsage, tables: dict[str, Any]) -> None:
    for name, target in (("allowed", principal.allowed), ("denied", principal.denied)):
        for row in tables.get(name, []):
            count, first, last = int(row["count"]), row["firstSeen"], row["lastSeen"]
            if (fold := row.get("folded")) is not None:
                target.put_folded(
                    (
                        row["action"],
                        fold["head"],
                        fold["segment"],
                        fold["low"],
                        fold["high"],
                        count,
                        first,
                        last,
                    )
                )
            else:
                target.put(row["action"], row["resource"], count, first, last)
