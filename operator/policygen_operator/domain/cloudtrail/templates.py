"""Readings that stand for every record differing from a mapped one only in its ids (the native reader's
templates).

Most matched records the native reader could not count by an earlier reading are calls on a resource
seen for the first time: a new S3 key (``data/7/part-104233.parquet``), a KMS key or an instance of
another id. Each cost the Python scan ~30 us to read and map, and on a cluster's logs a quarter of all
records are such. The reader marks in each record's key the tokens that look like ids or numbers
(``slots``: a run of digits, or of 4-255 hex digits with a digit among them, inside a string:
``native/src/lib.rs``, ``slot_class``) and hands over their texts; here the record is mapped again
with each slot's text replaced by a made-up one of the same length and kind (digit for digit, hex
letter for hex letter of the same case), and where that text shows as a token in the reading, the
reading becomes a template: strings with the slot put back in.
A template is kept only if its slots are in the resources alone (a finding that names ids may list
them sorted) and it gives back the reading of the record itself and of a second made-up one exactly,
whose ids sort the other way round where they can, and, where three slots or more share their first
character's kind, of a third whose order is the first's rotated (so a mapping that reads an id's letters
or digits, or picks one by its order or rank, not just carries them, is caught where those texts tell it
apart); the reader then counts every later record of that template (the same key, the same length and
kind of each slot, whether it starts with a letter, the same slots equal to each other, exactly and but
for case) by it, with its own slots' texts. The case and the order rules came from reviews that fuzzed
records of every SDK method and mappings that read ids. What this rests on: the mapper turns ids into
ARNs by carrying their text, and reads only names, ARNs' shapes and which parameters are present to
choose actions; a mapping that chose by an id's digits in a way those texts do not show would be
misread. ``tests/unit/domain/cloudtrail/
test_native_take.py`` compares scans with and without the reader on records of every kind.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from policygen_operator.domain.usage import COLUMN_SEPARATOR, ITEM_SEPARATOR

_ATTEMPTS = 16
# what joins the uses a template fills in (NUL) and the rows of them the native reader packs (``usage.
# UsageTable.add_packed``): no text of a use may hold one
_JOINERS = ("\0", COLUMN_SEPARATOR, ITEM_SEPARATOR)


class Rendered(NamedTuple):
    """A template's reading for one record's slots (``scan.MappedEventLike``)."""

    kind: str
    key: str
    denied: bool
    reason: str
    uses: tuple[tuple[str, str], ...]
    notes: tuple[tuple[str, str, str], ...]


class Template(NamedTuple):
    """A reading whose slots are in its resources alone (a template is kept only so: ``derive``):
    ``fixed`` is the reading without uses, which the scan counts once for all the records of a principal,
    and ``use_form`` its uses as one format string (``{N}`` for slot N, the strings joined by NUL), so
    that filling them in is one call of ``str.format``: a scan of many one-off ids fills one per record."""

    fixed: Rendered
    use_form: str

    def uses_of(self, slots: list[str]) -> tuple[tuple[str, str], ...]:
        if not self.use_form:
            return ()
        texts = self.use_form.format(*slots).split("\0")
        return tuple(zip(texts[0::2], texts[1::2], strict=True))

    def render(self, slots: list[str]) -> Rendered:
        return self.fixed._replace(uses=self.uses_of(slots))


def derive(
    slots: list[str], record: Mapping[str, Any], reading: Any, map_record: Callable[[dict[str, Any]], Any]
) -> Template | None:
    """The template of ``record`` (mapped as ``reading``; ``slots`` the texts the native reader marked in
    its key, in order), or None when its reading is not its slots carried into its resources."""
    distinct = list(dict.fromkeys(slots))
    if len({text.lower() for text in distinct}) < len(distinct):
        return None  # two slots alike but for case: the mapper compares some names so
    first_of = {text: slots.index(text) for text in distinct}
    # every string the mapper may read and the reading's: a made-up text is found in none of them
    taken = [_strings([value for name, value in record.items() if name in _READ_FIELDS])]
    taken += _texts_of_reading(reading)
    tokens = set(_TOKEN.findall("\0".join(taken).lower()))
    rng = random.Random(len(slots) * 7919 + sum(map(len, slots)))
    # a third set, the first's order rotated, where three slots or more have first characters of one kind:
    # reversing the order leaves a middle one in place, so a reading that picks the middle id (or any by
    # its rank) agrees on the first two sets
    kinds = Counter(_alphabet(text[0]) for text in distinct)
    rotating = any(count >= 3 for count in kinds.values())
    # the later sets' room depends on the first's texts (its order, the texts it took): a first set that
    # leaves them no run of first characters is drawn again
    for _ in range(_ATTEMPTS):
        first = _made_up(distinct, tokens, rng)
        if first is None:
            return None
        second = _made_up(distinct, tokens, rng, reordering=(first, False))
        third = _made_up(distinct, tokens, rng, reordering=(first, True)) if rotating else None
        if second is not None and (third is not None or not rotating):
            break
    else:
        return None
    plans = _slot_plan(record, distinct)
    made_reading = map_record(_substituted(record, plans, first))
    fixed = Rendered(reading.kind, reading.key, reading.denied, reading.reason, (), tuple(reading.notes))
    if not _same(fixed, made_reading, uses=False):
        # what the scan counts changed with the ids: a finding or a reason that names ids may list several
        # in their sorted order, which a template cannot keep (such records, a name a policy cannot write
        # exactly, are keyed exactly)
        return None
    texts = [text for use in made_reading.uses for text in use]
    if any(joiner in text for text in texts for joiner in _JOINERS):
        return None  # the strings are joined by NUL, and the rows the reader fills in packed by the others
    sentinel = {made_up: f"{{{first_of[text]}}}" for text, made_up in first.items()}
    if any(piece in sentinel for action in texts[0::2] for piece in _TOKEN_SPLIT.split(action)[1::2]):
        return None  # an action that carries an id: the reader packs a template's actions once for its rows

    def form(text: str) -> str:
        pieces = _TOKEN_SPLIT.split(text)
        return "".join(
            sentinel.get(piece) or piece if index % 2 else piece.replace("{", "{{").replace("}", "}}")
            for index, piece in enumerate(pieces)
        )

    template = Template(fixed, "\0".join(map(form, texts)))
    if template.uses_of(slots) != tuple(reading.uses):
        return None
    for other in (second, third):
        if other is not None and not _same(
            template.render([other[text] for text in slots]), map_record(_substituted(record, plans, other))
        ):
            return None
    return template


def _same(rendered: Rendered, reading: Any, *, uses: bool = True) -> bool:
    return (
        rendered.kind == reading.kind
        and rendered.key == reading.key
        and rendered.denied == reading.denied
        and rendered.reason == reading.reason
        and (not uses or rendered.uses == tuple(reading.uses))
        and rendered.notes == tuple(reading.notes)
    )


_DIGITS = "0123456789"
_LOWER = "abcdef"
_UPPER = "ABCDEF"
# the native reader's tokens: runs of ASCII letters and digits (``KeyBuilder::slotted``)
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_TOKEN_SPLIT = re.compile(r"([A-Za-z0-9]+)")


def _alphabet(char: str) -> str:
    return _DIGITS if char in _DIGITS else _LOWER if char in _LOWER else _UPPER


def _made_up(
    distinct: list[str],
    tokens: set[str],
    rng: random.Random,
    reordering: tuple[dict[str, str], bool] | None = None,
) -> dict[str, str] | None:
    """For each slot's text another of the same length with a digit, a lower or an upper hex letter where
    it has one, no token of the record, its reading or the other made-up texts, even but for case (a
    slot of one digit has nine others: a record whose tokens take them all gets no template). With
    ``reordering``, the made-up texts of the first round and whether to rotate (else reverse) their order,
    the first characters are picked so that slots whose first characters are of one kind sort in that new
    order: a reading that orders or picks by an id's text then differs from the template, and the record
    gets none."""
    # a later round differs from the first slot by slot; it is mapped apart, so it may reuse another
    # slot's first-round text, which leaves a slot of one digit enough others
    first, rotate = reordering if reordering is not None else ({}, False)
    earlier = {text: made_up.lower() for text, made_up in first.items()}
    for _ in range(_ATTEMPTS * 4):
        firsts = _reordered_firsts(distinct, first, rotate, rng, tokens, earlier) if first else {}
        if firsts is None:
            return None  # no run of first characters leaves each slot of one character a text of its own
        replacement: dict[str, str] = {}
        used: set[str] = set()
        for text in distinct:
            # a one-character slot whose character this round fixed has that text alone: one try
            for _ in range(1 if len(text) == 1 and text in firsts else _ATTEMPTS):
                chars = rng.choices(_alphabet(text[0]), k=len(text)) if text.isdigit() else _chars(text, rng)
                if text in firsts:
                    chars[0] = firsts[text]
                made_up = "".join(chars)
                lowered = made_up.lower()
                if lowered not in tokens and lowered not in used and lowered != earlier.get(text):
                    break
            else:
                break  # this text's first character is taken by the record's tokens: other ones
            replacement[text] = made_up
            used.add(lowered)
        else:
            return replacement
    return None


def _chars(text: str, rng: random.Random) -> list[str]:
    return [rng.choice(_alphabet(char)) for char in text]


def _reordered_firsts(
    distinct: list[str],
    first: dict[str, str],
    rotate: bool,
    rng: random.Random,
    tokens: set[str],
    earlier: dict[str, str],
) -> dict[str, str] | None:
    """First characters for a later round: for the slots whose first characters are of one kind, a rising
    run of that kind's characters over them in their new order (their first-round order reversed, or
    rotated by one: the first round's least the greatest), drawn anew on each call among the runs that
    leave a slot of one character a text of its own (none of the record's tokens, not its first-round
    text): a fixed run, 9, 8, 7 ..., left such a slot a single text, which the record's own tokens often
    held (most of the benchmark's calls on new S3 keys got no template), and a run drawn blind found a
    fitting one for about half of them. None when no run fits; more slots of a kind than it has
    characters start on its lowest, as many as there are."""
    firsts: dict[str, str] = {}
    kinds: dict[str, list[str]] = {}
    for text in sorted(distinct, key=first.__getitem__):
        kinds.setdefault(_alphabet(text[0]), []).append(text)
    for alphabet, texts in kinds.items():
        rising = texts[1:] + texts[:1] if rotate else texts[::-1]
        if len(rising) > len(alphabet):
            start = len(alphabet) - len(rising)
            firsts.update((text, alphabet[max(0, start + place)]) for place, text in enumerate(rising))
            continue
        allowed = [
            [
                place
                for place, char in enumerate(alphabet)
                if len(text) > 1 or (char not in tokens and char != earlier.get(text))
            ]
            for text in rising
        ]
        # highest[i]: the highest place slot i can take with a rising run of the slots after it above it
        highest = [0] * len(rising)
        above = len(alphabet)
        for index in range(len(rising) - 1, -1, -1):
            fitting = [place for place in allowed[index] if place < above]
            if not fitting:
                return None
            highest[index] = above = fitting[-1]
        low = -1
        for index, text in enumerate(rising):
            ceiling = highest[index + 1] if index + 1 < len(rising) else len(alphabet)
            low = rng.choice([place for place in allowed[index] if low < place < ceiling])
            firsts[text] = alphabet[low]
    return firsts


# The fields the native reader keys on (``Take::key``): the mapper reads no other, so only these are
# substituted and searched for tokens (the rest of a record, its request id, user agent and TLS
# details, is most of its text)
_READ_FIELDS = frozenset(
    {
        "eventSource",
        "eventName",
        "eventType",
        "errorCode",
        "errorMessage",
        "awsRegion",
        "recipientAccountId",
        "resources",
        "userIdentity",
        "responseElements",
        "requestParameters",
    }
)


def _slot_plan(record: Mapping[str, Any], texts: list[str]) -> dict[str, Any]:
    """Where in the fields the reader keys on a string (a member's name or a value) holds a slot's text:
    per field, the plan of its value (``_plan_of``). Made once per derivation, used for each made-up set,
    so that only the strings that may change are searched for tokens and only their containers copied."""
    plans = {}
    for name, value in record.items():
        if name in _READ_FIELDS and (plan := _plan_of(value, texts)) is not None:
            plans[name] = plan
    return plans


def _plan_of(value: Any, texts: list[str]) -> Any:
    """None when nothing in ``value`` holds a slot's text; True for a string that does; for a dict, its
    members' (whether the name holds one, the value's plan) where either does; for a list, its items'
    plans by index where they hold one."""
    if value.__class__ is str:
        return True if any(text in value for text in texts) else None
    if value.__class__ is dict:
        members = {}
        for name, item in value.items():
            named = name.__class__ is str and any(text in name for text in texts)
            plan = _plan_of(item, texts)
            if named or plan is not None:
                members[name] = (named, plan)
        return members or None
    if value.__class__ is list:
        items = {
            index: plan for index, item in enumerate(value) if (plan := _plan_of(item, texts)) is not None
        }
        return items or None
    return None


def _substituted(
    record: Mapping[str, Any], plans: dict[str, Any], replacement: dict[str, str]
) -> dict[str, Any]:
    """The record with each slot's text replaced where it is a whole token of a string (a member's name
    or a value) of a field the reader keys on, as the reader found it (``plans``: where those strings
    are); numbers are left alone, as the reader leaves them. What holds no slot is shared, not copied
    (the mapper reads records, never changes them)."""

    def swap(match: re.Match[str]) -> str:
        token = match.group()
        return replacement.get(token, token)

    def substitute(value: Any, plan: Any) -> Any:
        if plan is True:
            return _TOKEN.sub(swap, value)
        if value.__class__ is dict:
            rebuilt = {}  # in the members' order, as the reader and a dict of the record have them
            for name, item in value.items():
                named, inner = plan.get(name, (False, None))
                rebuilt[_TOKEN.sub(swap, name) if named else name] = (
                    item if inner is None else substitute(item, inner)
                )
            return rebuilt
        return [substitute(item, plan[index]) if index in plan else item for index, item in enumerate(value)]

    return {
        name: substitute(value, plans[name]) if name in plans else value for name, value in record.items()
    }


def _strings(value: Any) -> str:
    """Every string of a record's fields (names and values), joined by NUL."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if item.__class__ is str:
            found.append(item)
        elif item.__class__ is dict:
            found.extend(name for name in item if name.__class__ is str)
            stack.extend(item.values())
        elif item.__class__ is list:
            stack.extend(item)
    return "\0".join(found)


def _texts_of_reading(reading: Any) -> list[str]:
    texts = [reading.key, reading.reason]
    texts.extend(text for use in reading.uses for text in use)
    texts.extend(text for note in reading.notes for text in note)
    return texts
