"""Allowed (action, resource) usage -> the smallest correct identity policies.

Steps, each deterministic (docs/mapping.md has the rules with examples):
1. drop excluded actions (``exclude_actions``: names or IAM wildcards, without case);
2. per action, the ARNs it was used on; ``*`` absorbs everything else of that action;
3. compaction: more than ``compaction_threshold`` ARNs of one shape (same partition, service, region,
   account and resource type, e.g. the objects of one bucket) become patterns: their busiest folders as
   ``folder/*`` until few enough remain, else their longest common prefix plus ``*`` (cut at a ``/`` when
   the ARNs are paths). Never across accounts, never a bare ``*``, never an S3 pattern without a bucket
   name; each pattern is returned as a ``Compaction`` for the report;
4. statements: actions of one service with the same resource set share one statement; the Sid is the
   service plus a hash of the resource set, so adding an action or a statement elsewhere leaves it;
5. documents: statements in sorted order packed into documents of at most ``max_characters`` (IAM's
   6,144 for a managed policy, white space not counted); a statement too big alone is cut by resources.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, cast

from policygen_operator.domain.iam.arn import covers
from policygen_operator.domain.iam.canonical import policy_characters
from policygen_operator.domain.usage import Usage

try:  # the optional extension (``native/``): the same compaction, without a Python step per ARN
    from policygen_native import compact_resources
except ImportError:  # not built here
    compact_resources = None

POLICY_VERSION = "2012-10-17"
MANAGED_POLICY_MAX_CHARACTERS = 6144
# Past this many distinct ARNs of one shape an action's resources are compacted to a prefix wildcard.
# Ten keeps policies of services that touch a handful of named resources exact, and stops a job that
# writes thousands of S3 keys from listing them one by one.
DEFAULT_COMPACTION_THRESHOLD = 10

# ``arn.split_arn``'s six parts (the first "arn", the next two not empty, a resource not empty), the head up
# to the resource's first separator, in one match: this runs for every ARN of every policy, hundreds of
# thousands on a cluster's roles, where a split, a search and a join took twice as long
_SHAPE = re.compile(r"(arn:[^:]+:[^:]+:[^:]*:[^:]*:(?=.)(?:[^/:]*[/:])?)(.*)", re.DOTALL)


@dataclass(frozen=True)
class PolicyOptions:
    resource_level: bool = True
    exclude_actions: tuple[str, ...] = ()
    compaction_threshold: int = DEFAULT_COMPACTION_THRESHOLD
    max_characters: int = MANAGED_POLICY_MAX_CHARACTERS
    native: bool = True  # compaction by the extension where it is built (``compact``: the same sets)


@dataclass(frozen=True)
class Compaction:
    """A wildcard the policy writes in place of ARNs the calls used: it allows more than they touched."""

    pattern: str
    actions: tuple[str, ...]
    covered: int  # ARNs of the calls it stands for (per action, the largest)


def build_policies(
    allowed: Mapping[tuple[str, str], Usage], options: PolicyOptions | None = None
) -> list[dict[str, Any]]:
    """Policy documents granting exactly the allowed usage (compacted as documented); [] if none."""
    return build_policies_and_compactions(allowed, options)[0]


def build_policies_and_compactions(
    allowed: Iterable[tuple[str, str]], options: PolicyOptions | None = None
) -> tuple[list[dict[str, Any]], list[Compaction]]:
    """The documents, and the wildcards compaction wrote (each one a widening the report must name), from
    the (action, resource) pairs granted (a usage table's keys: how often and when do not count)."""
    per_action: dict[str, set[str]] = defaultdict(set)
    for action, resource in allowed:
        per_action[action].add(resource)
    return build_policies_per_action(per_action, options)


def build_policies_per_action(
    per_action: Mapping[str, set[str]], options: PolicyOptions | None = None
) -> tuple[list[dict[str, Any]], list[Compaction]]:
    """``build_policies_and_compactions`` of the resources granted per action (``UsageTable.
    resources_per_action``), which it does not change."""
    options = options or PolicyOptions()
    compacted, compactions = _resources_per_action(per_action, options)
    return _pack(_statements(compacted), options.max_characters), compactions


def excluded_by(patterns: Iterable[str]) -> Callable[[str], bool]:
    """Whether an action is one ``--exclude-action`` leaves out: a shell-style pattern (``s3:Get*``) matches
    it, letter case aside. The one test for the policy, the report's action lists and the folds alike."""
    lowered = tuple(pattern.lower() for pattern in patterns)
    return lambda action: any(fnmatchcase(action.lower(), pattern) for pattern in lowered)


def _resources_per_action(
    granted: Mapping[str, set[str]], options: PolicyOptions
) -> tuple[dict[str, set[str]], list[Compaction]]:
    is_excluded = excluded_by(options.exclude_actions)
    per_action: dict[str, set[str]] = {}
    widened: dict[str, dict[str, int]] = defaultdict(dict)  # pattern -> action -> ARNs it stands for
    for action, resources in granted.items():
        if not resources or is_excluded(action):
            continue
        if "*" in resources or not options.resource_level:
            per_action[action] = {"*"}
            continue
        stands_for: dict[str, int] = {}
        compacted = remove_covered(
            compact(resources, options.compaction_threshold, stands_for, native=options.native)
        )
        for pattern in compacted - resources:
            widened[pattern][action] = stands_for[pattern]
        per_action[action] = compacted
    compactions = [
        Compaction(pattern, tuple(sorted(counts)), max(counts.values()))
        for pattern, counts in sorted(widened.items())
    ]
    return per_action, compactions


def shape_of(arn: str) -> tuple[str, str] | None:
    """(everything up to the resource's first separator, the rest) — ARNs with the same first part are
    of one shape: ``arn:aws:s3:::bucket/`` for objects, ``arn:aws:dynamodb:r:a:table/`` for tables,
    ``arn:aws:sqs:r:a:`` for queues (whose resource part is a bare name)."""
    match = _SHAPE.match(arn)
    return None if match is None else cast(tuple[str, str], match.groups())


def compact(
    resources: Iterable[str], threshold: int, stands_for: dict[str, int] | None = None, *, native: bool = True
) -> set[str]:
    """At most ``threshold`` ARNs per shape; bigger groups collapse to ``prefix*`` (``_compact_tree``).
    ``stands_for`` gets, for each pattern written, how many of the ARNs it replaces: a pattern is a literal
    prefix and ``*`` (cut before any wildcard or escape), so counting is a prefix test on its own group.
    ``native``: by the extension where it is built (``compact_resources``, held to this code by
    ``tests/unit/domain/iam/test_policy.py``): ~1.5 us of Python per ARN were most of the CPU of building
    a cluster's policies."""
    if native and compact_resources is not None and threshold >= 0:
        listed = list(resources)
        replaced, patterns = compact_resources(listed, threshold)
        written = set(listed)  # the same strings: only the ARNs a pattern replaces go
        written.difference_update(listed[place] for place in replaced)
        written.update(pattern for pattern, _ in patterns)
        if stands_for is not None:
            stands_for.update(patterns)
        return written
    groups: dict[str, list[str]] = defaultdict(list)
    out: set[str] = set()
    shape = _SHAPE.match  # ``shape_of`` inlined: a cluster's policies take every ARN of its calls through it
    for arn in resources:
        match = shape(arn)
        if match is None:
            out.add(arn)
        else:
            head, rest = match.groups()
            groups[head].append(rest)
    for head, rests in groups.items():
        if len(rests) <= threshold or not compactable_head(head):
            out.update(head + rest for rest in rests)
        else:
            kept = _compact_tree(rests, threshold)
            out.update(head + rest for rest in kept)
            if stands_for is not None:
                patterns = set(kept) - set(rests)
                ordered = sorted(rests) if patterns else []
                for pattern in patterns:
                    stands_for[head + pattern] = _starting_with(ordered, pattern[:-1])
    return out


def _starting_with(ordered: list[str], prefix: str) -> int:
    """How many of the sorted ``ordered`` start with ``prefix``: they are one run of it, found by two binary
    searches (a pass over thousands of a bucket's keys per pattern was most of a cluster's policy time)."""
    low = bisect.bisect_left(ordered, prefix)
    return bisect.bisect_left(ordered, True, lo=low, key=lambda rest: not rest.startswith(prefix)) - low


# How many levels of folders compaction goes down where each branches (a leaf or a second folder beside
# a folder of more names than the threshold); a chain of single folders costs no level. An S3 key of
# 1,024 bytes can hold 512 levels, and a call per level (two frames with its dict comprehension) ended a
# policy's build at Python's recursion limit.
MAX_LEVELS = 100


def _compact_tree(rests: list[str], threshold: int, levels: int = 0) -> list[str]:
    """Compact path-like names at the deepest ``/`` level that keeps at most ``threshold`` of them.

    ``k``, ``k1`` and thirty ``logs/2024/N.txt`` with a threshold of 10 give ``k``, ``k1`` and
    ``logs/2024/*``: the busy folder collapses, its neighbours stay exact. When the compacted children of
    a level are still too many, its folders collapse to ``folder/*`` one at a time, the one holding the
    most entries first (ties by name), until the level fits: eleven secrets under nine top folders, three
    of them under ``prod/``, give ``prod/*`` and the eight others exact, not one pattern for every name.
    A folder collapses to its entries' common prefix: IAM names granted under any path (``role/*/NAME``,
    beside ``role/NAME``) whose names share ``stratus-red-team-`` give ``role/*/stratus-red-team-*``, not
    ``role/*/*``, every role that has a path. Only when even every folder collapsed is too many does the
    level become its common prefix plus ``*``. Past ``MAX_LEVELS`` levels that each branch below
    the threshold's size, a level is its common prefix plus ``*`` too (said as ``compacted``, like any
    pattern).
    """
    if len(rests) <= threshold:
        return rests
    chain = ""  # the folders every name is in, one inside the other: gone down without a call each
    while True:
        leaves: list[str] = []
        folders: dict[str, list[str]] = defaultdict(list)
        for rest in rests:
            cut = rest.find("/")
            if cut < 0:
                leaves.append(rest)
            else:
                folders[rest[: cut + 1]].append(rest[cut + 1 :])
        if leaves or len(folders) != 1 or threshold < 1:
            break  # (a threshold of 0 would collapse the single folder's one pattern at its parent)
        ((folder, rests),) = folders.items()
        chain += folder
    if len(leaves) + len(folders) > threshold or levels >= MAX_LEVELS:
        # what is left with every folder collapsed (the same end), or a level too deep to go further
        return [chain + _common_prefix(rests) + "*"]
    inside = {
        folder: children if len(children) <= threshold else _compact_tree(children, threshold, levels + 1)
        for folder, children in sorted(folders.items())
    }
    size = len(leaves) + sum(len(children) for children in inside.values())
    for folder in sorted(inside, key=lambda f: (-len(inside[f]), f)):
        if size <= threshold or len(inside[folder]) == 1:
            break  # a folder of one entry gains nothing from collapsing, and the rest are no bigger
        size -= len(inside[folder]) - 1
        inside[folder] = [_common_prefix(folders[folder]) + "*"]
    if size > threshold:
        return [chain + _common_prefix(rests) + "*"]
    return [chain + rest for rest in leaves] + [
        chain + folder + child for folder, children in inside.items() for child in children
    ]


def _common_prefix(values: list[str]) -> str:
    """Longest common prefix, never through a wildcard, and cut at the last ``/`` when the values are
    paths (S3 keys, IAM paths): ``logs/2024/a`` and ``logs/2024/b`` give ``logs/2024/``, not ``logs/2024/``
    plus a partial file name."""
    first, last = min(values), max(values)
    size, limit = 0, min(len(first), len(last))
    while size < limit and first[size] == last[size]:
        size += 1
    prefix = first[:size]
    for wildcard in ("*", "?", "$"):  # "$": never cut inside an escape such as ${*}
        if wildcard in prefix:
            prefix = prefix[: prefix.index(wildcard)]
    if "/" in "\0".join(values):
        prefix = prefix[: prefix.rfind("/") + 1]
    return prefix


def compactable_head(head: str) -> bool:
    """Never a pattern that could cross accounts: S3 bucket ARNs carry no account and bucket names are
    global, so buckets are never compacted (objects are, inside their bucket: ``bucket/...``)."""
    parts = head.split(":", 5)
    account = parts[4] if len(parts) > 4 else ""
    resource = parts[5] if len(parts) > 5 else ""
    return bool(account) or bool(resource)


def remove_covered(resources: set[str]) -> set[str]:
    """Drop ARNs that a wildcard in the same set already grants.

    Only ARNs of the wildcard's own shape (same partition, service, region, account and resource-type
    prefix) are compared, which keeps this linear in practice; a wildcard inside the shape itself
    (``arn:aws:sqs:*:...``) just removes nothing.
    """
    wildcards: dict[str, list[str]] = defaultdict(list)
    for resource in resources:
        if "*" in resource or "?" in resource:
            shape = shape_of(resource)
            if shape is not None:
                wildcards[shape[0]].append(resource)
    if not wildcards:
        return resources
    kept = set()
    for resource in resources:
        shape = shape_of(resource)
        candidates = wildcards.get(shape[0], ()) if shape is not None else ()
        if not any(w != resource and covers(w, resource) for w in candidates):
            kept.add(resource)
    return kept


def _camel(prefix: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", prefix) if part)


def _statements(per_action: dict[str, set[str]]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for action, resource_set in per_action.items():
        grouped[(action.split(":", 1)[0], tuple(sorted(resource_set)))].append(action)
    statements = []
    used: set[str] = set()
    for (service, resources), actions in sorted(grouped.items()):
        digest = hashlib.sha256("\n".join(resources).encode()).hexdigest()[:8].upper()
        sid = f"{_camel(service)}{digest}"
        ordinal = 2
        while sid in used:  # two resource sets of one service with the same 32-bit digest
            sid = f"{_camel(service)}{digest}{ordinal}"
            ordinal += 1
        used.add(sid)
        statements.append(
            {"Sid": sid, "Effect": "Allow", "Action": sorted(set(actions)), "Resource": list(resources)}
        )
    return statements


def _empty_size() -> int:
    return policy_characters({"Version": POLICY_VERSION, "Statement": []})


def _pack(statements: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Sequential packing in sorted order: services stay together and the result is deterministic."""
    base = _empty_size()
    documents: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = base
    for statement in statements:
        for piece in _fit(statement, limit - base):
            piece_size = policy_characters(piece) + (1 if current else 0)  # the comma between statements
            if current and size + piece_size > limit:
                documents.append(current)
                current, size = [], base
                piece_size -= 1
            current.append(piece)
            size += piece_size
    if current:
        documents.append(current)
    return [{"Version": POLICY_VERSION, "Statement": statements} for statements in documents]


def _fit(statement: dict[str, Any], room: int) -> list[dict[str, Any]]:
    """The statement, or its resources cut into consecutive pieces that each fit in an empty document.

    Each piece gets the Sid plus a letter-free ordinal suffix (``...P2``) so Sids stay unique.
    """
    if policy_characters(statement) <= room:
        return [statement]
    pieces: list[dict[str, Any]] = []
    resources: list[str] = statement["Resource"]
    # a piece's size: the statement's with no resource, then each resource's text and the comma before it
    # (compact JSON, as ``policy_characters`` counts), added up rather than the piece encoded again for
    # each resource it takes
    empty = policy_characters({**statement, "Sid": statement["Sid"] + "P99", "Resource": []})
    chunk: list[str] = []
    size = empty
    for resource in resources:
        added = policy_characters(resource) + (1 if chunk else 0)
        if chunk and size + added > room:
            pieces.append({**statement, "Resource": chunk})
            chunk, size, added = [], empty, added - 1
        chunk.append(resource)
        size += added
    pieces.append({**statement, "Resource": chunk})
    for index, piece in enumerate(pieces, 1):
        piece["Sid"] = f"{statement['Sid']}P{index}"
    return pieces
