"""Edits of HCL list and map literals that leave every other byte as it was.

A list or map of policy ARNs loses the entries of the broad policies and gains the generated policy's
expression: on one line it is rewritten on that line; written one entry per line, whole lines are deleted
and added at the entries' indentation, so comments and alignment elsewhere survive.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from policygen_operator.domain.gitops import hcl
from policygen_operator.domain.gitops.model import GitOpsEditError

# An expression -> the broad policy ARN it stands for (a literal, a template of the partition, a data
# source), or None to keep the entry.
Replaced = Callable[[str], str | None]

# The references besides a literal that may stand for a broad ARN, read alike in both syntaxes
# (``terraform.policy_arns``, ``terraform_json.resolving``): a data source's ARN, a local (or an attribute of
# an object local)
DATA_ARN = re.compile(r"data\.aws_iam_policy\.([A-Za-z_][\w-]*)\.arn")
LOCAL_REF = re.compile(r"local\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?")


def drop_unread_data_sources(
    before: Mapping[str, str],
    after: dict[str, str],
    replaced: Replaced,
    labels: Callable[[str], list[str]],
    remove: Callable[[str, str], str | None],
) -> list[str]:
    """Drops from ``after`` each ``data "aws_iam_policy"`` (``labels``: those of a file) that the edit left
    unread, and returns a note for each: it stands for a broad ARN, something in the module's files read it
    before the edit (``before``) and nothing does after (``after``), as ``hcl.reference`` reads a reference
    (a comment naming it counts, so a doubt keeps it). One the edit did not reach (unread before it too) is
    not its business. ``remove``: a file's text without the data source, None when it has none.

    Left behind, it is an unused declaration, which tflint's ``terraform_unused_declarations`` rule fails
    ("Disallow variables, data sources, and locals that are declared but never used"), and Terraform still
    reads the broad policy from IAM at every plan. The same rule for both syntaxes (``terraform.py``,
    ``terraform_json.py``), which say how a file lists and loses one."""
    unread: list[tuple[str, str]] = []  # each judged on the edit as it is, before any of them goes
    for label in dict.fromkeys(label for path in sorted(before) for label in labels(before[path])):
        address = f"data.aws_iam_policy.{label}"
        arn = replaced(f"{address}.arn")
        if arn is None:
            continue
        pattern = hcl.reference(address)
        if any(pattern.search(t) for t in before.values()) and not any(
            pattern.search(t) for t in after.values()
        ):
            unread.append((label, arn))
    notes: list[str] = []
    for label, arn in unread:
        for path in sorted(after):
            text = remove(after[path], label)
            if text is not None:
                after[path] = text
                notes.append(
                    f"{path}: removed data aws_iam_policy.{label} ({arn}), which nothing reads any more"
                )
    return notes


def comments_above(text: str, start: int) -> int:
    """Where the comment lines right above the line at ``start`` begin (``start`` when there are none): a
    comment written above a block, an assignment or a list item is about it, and goes with it, or it would
    read as one about what follows."""
    lines_before = text[:start].split("\n")[:-1]
    while lines_before and lines_before[-1].lstrip().startswith(("#", "//")):
        start -= len(lines_before.pop()) + 1
    return start


def remove_block(text: str, block: hcl.Block) -> str:
    """Removes a block with the comment lines right above it, and the blank line that separated it."""
    start = comments_above(text, block.start)
    before, after = text[:start], text[block.end :]
    if (before.endswith("\n\n") or not before) and after.startswith("\n"):
        after = after[1:]
    elif before.endswith("\n\n") and not after:
        before = before[:-1]
    return before + after


def named_policy(replace: tuple[str, ...], name: str | None) -> str | None:
    """The broad ARN a ``data "aws_iam_policy"`` that gives the policy's ``name`` (no ``arn``) stands for: an
    AWS managed policy is found by its name, which is its ARN's last part."""
    return next((arn for arn in replace if name and arn.rsplit("/", 1)[-1] == name), None)


@dataclass
class LiteralEdit:
    text: str
    removed: list[str]  # the replaced ARNs
    added: list[str]  # what was added ("EXPR" for a list, "KEY = EXPR" for a map)


def edit_list(text: str, open_: int, replaced: Replaced, add: list[str]) -> LiteralEdit:
    """The list literal whose ``[`` is at ``open_`` without the items that stand for a replaced ARN, with
    ``add``."""
    items = hcl.list_items(text, open_)
    present = {it.text(text).strip() for it in items}
    drop = [it for it in items if replaced(it.text(text))]
    new = [a for a in add if a not in present]
    removed = [replaced(it.text(text)) or "" for it in drop]
    if not drop and not new:
        return LiteralEdit(text, [], [])
    close = hcl.match_close(text, open_)
    if "\n" not in text[open_:close]:
        kept = [it.text(text) for it in items if it not in drop] + new
        return LiteralEdit(text[:open_] + "[" + ", ".join(kept) + "]" + text[close + 1 :], removed, new)
    return LiteralEdit(_edit_multiline_list(text, open_, close, items, drop, new), removed, new)


# concat(...) of literal lists and variables, its literal items edited where they are
_CONCAT_CALL = re.compile(r"concat\s*\(")


def edit_concat_literals(
    text: str,
    start: int,
    end: int,
    replaced: Replaced,
    wanted: list[str],
    variables: hcl.Variables | None,
) -> LiteralEdit | None:
    """The ``concat()`` at ``start:end`` with the broad items out of its literal list arguments and ``wanted``
    in the first of those, the rest of the text as it was: the pull request's diff is the items that
    change, as for a plain list, where ``terraform._flattened`` rewrites the whole expression. concat()
    "takes two or more lists and combines them into a single list" (Terraform language docs, "Functions":
    concat): the role gets the same policies either way. Only where every other argument is a variable
    whose value the module's files give and which holds no broad ARN (one that does is written out by
    ``_flattened``, the variable staying for its other readers); None otherwise, and when no literal holds
    a broad ARN. The role's argument or a local's value in the native syntax (``terraform._edit_arn_value``),
    and the expression of a JSON-syntax template (``terraform_json._concat_literals``)."""
    call = _CONCAT_CALL.match(text, start)
    if call is None or variables is None:
        return None
    paren = call.end() - 1
    if hcl.match_close(text, paren) != end - 1:
        return None
    literals: list[int] = []
    for item in hcl.list_items(text, paren):
        arg = item.text(text)
        given = hcl.VAR_REF.fullmatch(hcl.unwrapped(arg))
        if given is not None:
            value = variables(given.group(1)).value
            if value is None or not value.startswith("["):
                return None  # _flattened says why
            if any(replaced(i.text(value)) for i in hcl.list_items(value, 0)):
                return None
        elif arg.strip().startswith("[") and hcl.match_close(arg, arg.index("[")) == len(arg.rstrip()) - 1:
            literals.append(item.start + arg.index("["))
        else:
            return None  # another expression: what it holds is not in the text
    holding = [o for o in literals if any(replaced(i.text(text)) for i in hcl.list_items(text, o))]
    if not holding:
        # a second run: the generated policy is in a literal already, and nothing is to change
        present = {i.text(text).strip() for o in literals for i in hcl.list_items(text, o)}
        return LiteralEdit(text, [], []) if literals and set(wanted) <= present else None
    removed: list[str] = []
    added: list[str] = []
    for open_ in reversed(holding):  # the last first: the offsets of the earlier ones stay
        edited = edit_list(text, open_, replaced, wanted if open_ == holding[0] else [])
        text, removed, added = edited.text, edited.removed + removed, edited.added or added
    return LiteralEdit(text, removed, added)


def _edit_multiline_list(
    text: str, open_: int, close: int, items: list[hcl.ListItem], drop: list[hcl.ListItem], add: list[str]
) -> str:
    """One item per line: delete the lines of dropped items, add lines after the last kept item."""
    kept = [it for it in items if it not in drop]
    if items:
        indent = text[text.rfind("\n", 0, items[0].start) + 1 : items[0].start]
    else:
        indent = text[text.rfind("\n", 0, close) + 1 : close] + "  "
    trailing = not items or text.startswith(",", items[-1].end)
    edits: list[tuple[int, int, str]] = []
    if add:
        lines = [f"{indent}{a}," for a in add]
        if kept:
            anchor = kept[-1]
            insert_at = text.find("\n", anchor.end) + 1
            if not text.startswith(",", anchor.end):
                edits.append((anchor.end, anchor.end, ","))
            if not trailing:
                lines[-1] = lines[-1][:-1]
        else:
            insert_at = text.find("\n", open_) + 1
            # every item replaced: the new last line ends as the old last item did (its comma or none)
            if not trailing:
                lines[-1] = lines[-1][:-1]
        edits.append((insert_at, insert_at, "".join(line + "\n" for line in lines)))
    for it in drop:
        start = text.rfind("\n", 0, it.start) + 1
        if _own_comments(text, it, items, drop):
            start = comments_above(text, start)
        edits.append((max(start, open_ + 1), text.find("\n", it.end) + 1, ""))
    return apply(text, edits)


def _own_comments(text: str, item: hcl.ListItem, items: list[hcl.ListItem], drop: list[hcl.ListItem]) -> bool:
    """Whether the comment lines right above a dropped item are its own, and go with it: unless a kept item
    follows it on the next line (past the lines of items dropped with it), in which case they head a group
    of items (``# AWS managed``) that stays. Left, a comment about a broad policy ("# full access, for the
    deploy") would read as one about the next item; a list copied from a variable's default
    (``_variable_in_place``) brings its comments along."""
    if _under_an_entry(text, text.rfind("\n", 0, item.start) + 1):
        return True
    following = [it for it in items if it.start > item.start]
    line_end = text.find("\n", item.end)
    for it in following:
        if "\n" in text[line_end + 1 : it.start]:
            return True  # a comment or a blank line before the next item: the group ends here
        if it not in drop:
            return False
        line_end = text.find("\n", it.end)
    return True


def _under_an_entry(text: str, line_start: int) -> bool:
    """Whether the comment lines right above the line at ``line_start`` begin right under another entry's
    line: then they are about the line they are above, not the head of a group of entries (which follows
    the opening bracket or a blank line)."""
    top = comments_above(text, line_start)
    if top == line_start or top == 0:
        return False
    above = text[text.rfind("\n", 0, top - 1) + 1 : top - 1].strip()
    return bool(above) and not above.endswith(("[", "{", "("))


def _own_map_comments(text: str, entry: MapEntry, entries: list[MapEntry], drop: list[MapEntry]) -> bool:
    """``_own_comments`` for a map's entries: the comment lines right above a dropped entry go with it,
    unless they head a group that a kept entry continues on the next line."""
    if _under_an_entry(text, entry.line_start):
        return True
    line_end = entry.line_end
    for other in (e for e in entries if e.line_start > entry.line_start):
        if text[line_end : other.line_start].strip() or "\n" in text[line_end : other.line_start]:
            return True  # a comment or a blank line before the next entry: the group ends here
        if other not in drop:
            return False
        line_end = other.line_end
    return True


def _width(text: str, start: int) -> int:
    return len(text[start:]) - len(text[start:].lstrip(" \t"))


def apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replaces ``text[start:end]`` by each replacement; the spans must not overlap."""
    for start, end, replacement in sorted(edits, key=lambda e: (-e[0], -e[1])):
        text = text[:start] + replacement + text[end:]
    return text


_KEY = re.compile(r"[ \t]*(\"[^\"\n]*\"|[A-Za-z_][\w-]*)[ \t]*[=:][ \t]*")


@dataclass(frozen=True)
class MapEntry:
    key: str  # unquoted
    line_start: int
    value_start: int
    value_end: int  # before a trailing comma or comment
    line_end: int  # just past the newline


def map_entries(text: str, open_: int) -> list[MapEntry]:
    """The ``key = value`` entries of the map literal whose ``{`` is at ``open_``, one per line."""
    close = hcl.match_close(text, open_)
    first = text.find("\n", open_, close)
    if first < 0:
        raise GitOpsEditError("the map is written on one line")
    entries: list[MapEntry] = []
    i = first + 1
    while i < close:
        match = _KEY.match(text, i)
        line_end = text.find("\n", i, close) + 1 or close
        stripped = text[i:line_end].strip()
        if match is None or match.end() > close:
            if stripped and not stripped.startswith(("#", "//")):
                raise GitOpsEditError(f"{stripped[:60]!r} is not a `key = value` line")
            i = line_end
            continue
        end = hcl.value_end(text, match.end(), close)
        value_end = match.end() + len(text[match.end() : end].rstrip(", \t"))
        line_end = text.find("\n", end, close) + 1 or close
        entries.append(MapEntry(match.group(1).strip('"'), i, match.end(), value_end, line_end))
        i = line_end
    return entries


# (key, value) of a map entry -> the expression that stands for its policy ARN (None: it names none)
Pick = Callable[[str, str], str | None]


def entry_arn(replaced: Replaced, pick: Pick | None = None) -> Callable[[str, str], str | None]:
    """The replaced ARN a map entry (key, value expression) stands for: its value's, or that of what
    ``pick`` reads of it (its key, an attribute of an object value); None for none. A native map literal
    (``edit_map``) and a JSON local's object (``terraform_json.drop_members``) alike."""

    def arn(key: str, value: str) -> str | None:
        expression = pick(key, value) if pick is not None else value
        return replaced(expression) if expression is not None else None

    return arn


def edit_map(
    text: str, open_: int, replaced: Replaced, add: list[tuple[str, str]], pick: Pick | None = None
) -> LiteralEdit:
    """The map literal whose ``{`` is at ``open_`` without the entries whose ARN (the value, or what
    ``pick`` reads of the entry: its key, an attribute of an object value) stands for a replaced ARN, with
    ``add`` (key, expression) set: a key already there gets the new expression."""

    arn = entry_arn(replaced, pick)
    close = hcl.match_close(text, open_)
    if "\n" not in text[open_:close]:
        return _edit_inline_map(text, open_, close, arn, add)
    entries = map_entries(text, open_)
    values = {e.key: text[e.value_start : e.value_end] for e in entries}
    drop = [e for e in entries if arn(e.key, values[e.key])]
    new = [(k, v) for k, v in add if values.get(k) != v]
    if entries:
        indent = text[entries[0].line_start : entries[0].line_start + _width(text, entries[0].line_start)]
    else:
        indent = text[text.rfind("\n", 0, close) + 1 : close] + "  "
    edits = [
        (
            comments_above(text, e.line_start) if _own_map_comments(text, e, entries, drop) else e.line_start,
            e.line_end,
            "",
        )
        for e in drop
    ]
    for key, expr in new:
        existing = next((e for e in entries if e.key == key), None)
        if existing is not None:
            edits.append((existing.value_start, existing.value_end, expr))
        else:
            at = text.rfind("\n", 0, close) + 1
            edits.append((at, at, f"{indent}{key} = {expr}\n"))
    removed = [arn(e.key, values[e.key]) or "" for e in drop]
    return LiteralEdit(apply(text, edits), removed, [f"{k} = {v}" for k, v in new])


def _edit_inline_map(
    text: str, open_: int, close: int, arn: Callable[[str, str], str | None], add: list[tuple[str, str]]
) -> LiteralEdit:
    pairs = [(key, value.strip()) for key, value in _inline_pairs(text, open_)]
    removed = [arn(k.strip('"'), v) or "" for k, v in pairs if arn(k.strip('"'), v)]
    kept = [(k, v) for k, v in pairs if not arn(k.strip('"'), v)]
    present = {k.strip('"'): v for k, v in kept}
    new = [(k, v) for k, v in add if present.get(k) != v]
    if not removed and not new:
        return LiteralEdit(text, [], [])
    kept = [(k, v) for k, v in kept if k.strip('"') not in {n for n, _ in new}] + new
    inner = ", ".join(f"{k} = {v}" for k, v in kept)
    return LiteralEdit(
        text[:open_] + "{ " + inner + " }" + text[close + 1 :], removed, [f"{k} = {v}" for k, v in new]
    )


def _inline_pairs(text: str, open_: int) -> list[tuple[str, str]]:
    """(key as written, value) of the map or object literal on one line whose ``{`` is at ``open_``: split
    at the commas outside brackets and strings, so an object value (``{ name = "x", arn = "y" }``) is one
    value."""
    pairs: list[tuple[str, str]] = []
    for item in hcl.list_items(text, open_):
        part = item.text(text)
        match = re.fullmatch(r"(\"[^\"]*\"|[A-Za-z_][\w-]*)\s*[=:]\s*(.+)", part, re.S)
        if match is None:
            raise GitOpsEditError(f"{part[:60]!r} is not `key = value`")
        pairs.append((match.group(1), match.group(2)))
    return pairs


def object_values(value: str) -> dict[str, str]:
    """Attribute -> expression of an object literal (``{ name = "x", policy_arn = "arn:..." }``, on one
    line or one attribute per line); empty for any other expression."""
    value = value.strip()
    if not value.startswith("{"):
        return {}
    try:
        close = hcl.match_close(value, 0)
        if "\n" in value[:close]:
            return {e.key: value[e.value_start : e.value_end] for e in map_entries(value, 0)}
        return {key.strip('"'): expression.strip() for key, expression in _inline_pairs(value, 0)}
    except GitOpsEditError:
        return {}


def align(before: str, after: str) -> str:
    """``after`` with the ``=`` of the attributes around each edited line aligned as ``terraform fmt``
    aligns them, and their trailing comments after them.

    An edit that adds ``managed_policy_arns = [...]`` next to ``name               = ...``, or removes
    the longest key of a map, left the neighbours aligned for the old longest key: ``terraform fmt
    -check`` in the team's pipeline then fails on the pull request. hclwrite (``format.go``,
    ``formatCells``) aligns runs of consecutive lines that are each a whole ``name = value``: one space
    after the longest name; a blank line, a comment line, a block or a value that opens a bracket ends
    the run. Trailing comments of consecutive lines are aligned one space after the longest code. Only
    the runs holding an edited line or a line either side of one (a removed line, or one whose value now
    opens a bracket, changes its neighbours' runs) are touched, so code the edit did not reach keeps its
    layout even where it is not formatted.
    """
    if before == after:
        return after
    old, new = before.split("\n"), after.split("\n")
    touched: set[int] = set()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            # the lines either side too: a removed line, or a value that now opens a bracket (a variable
            # written in place as a list), ends or joins the run of its neighbours
            touched.update(range(max(j1 - 1, 0), j2 + 1))
    lines = hcl.format_lines(after)
    # a physical line -> the formatter's line holding it (a heredoc's lines are one)
    starts = [0] + [i + 1 for i, c in enumerate(after) if c == "\n"]
    firsts = [line.start for line in lines]
    edited = {bisect.bisect_right(firsts, starts[p]) - 1 for p in touched if p < len(starts)}
    edits: list[tuple[int, int, str]] = []
    for run in _runs(lines, lambda line: line.equals is not None):
        if edited.isdisjoint(run):
            continue
        leads = {n: after[lines[n].start : lines[n].equals].rstrip(" \t") for n in run}
        width = max(len(lead) for lead in leads.values())
        for n in run:
            line = lines[n]
            assert line.equals is not None
            edits.append((line.start + len(leads[n]), line.equals, " " * (width - len(leads[n]) + 1)))
    return _align_comments(apply(after, edits), edited)


def _align_comments(text: str, edited: set[int]) -> str:
    lines = hcl.format_lines(text)
    edits: list[tuple[int, int, str]] = []
    for run in _runs(lines, lambda line: line.comment is not None):
        if edited.isdisjoint(run) or any("\n" in text[lines[n].start : lines[n].end] for n in run):
            continue
        codes = {n: text[lines[n].start : lines[n].comment].rstrip(" \t") for n in run}
        width = max(len(code) for code in codes.values())
        for n in run:
            comment = lines[n].comment
            assert comment is not None
            edits.append((lines[n].start + len(codes[n]), comment, " " * (width - len(codes[n]) + 1)))
    return apply(text, edits)


def _runs(lines: list[hcl.Line], member: Callable[[hcl.Line], bool]) -> list[list[int]]:
    """The runs of consecutive lines that are ``member``, by index."""
    runs: list[list[int]] = []
    current: list[int] = []
    for n, line in enumerate(lines):
        if member(line):
            current.append(n)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs
