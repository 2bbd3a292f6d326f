"""Map the CloudTrail records AWS publishes as examples in its service guides, and say how each maps.

The archived documentation sources on GitHub (``github.com/awsdocs/<guide>``, CC-BY-SA 4.0; the Markdown
was removed from the tip of each repository when it was archived, so the last commit that still has it is
read) hold several hundred example log entries, each written from a real call. They are the nearest thing
to real logs a public corpus has: real parameter spellings (Pinpoint's ``application-id``), real event
sources (``metering-marketplace``), real response ids. This script finds every JSON block with an
``eventSource`` and an ``eventName`` in the Markdown of the clones it is given, maps each distinct record
with a fresh mapper, and counts them as: granted on named resources only ("exact"), named with a finding
("noted"), ``*`` with a finding ("star"), ignored, unmapped, or unreadable. Lambda and EventBridge payloads
the guides also show (``aws:s3``, ``aws:dynamodb`` event sources) land in unmapped, as they should.

The clones are not part of this repository (fetch them with ``git clone --mirror``); the counts of a run
are recorded in the notes of the issue that used them.

Usage: ``.venv/bin/python operator/scripts/documented_records.py [--list KIND]... GIT_DIR ...`` (KIND one
of exact, noted, star, ignored, unmapped, unreadable)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

from policygen_operator.domain.cloudtrail.scan import shape_problem
from policygen_operator.domain.iam.mapping import EventMapper

KINDS = ("exact", "noted", "star", "ignored", "unmapped", "unreadable")


def content_commit(git_dir: str) -> tuple[str, list[str]] | None:
    """The newest commit whose Markdown still mentions ``eventSource``, and those files."""
    candidates = _git(git_dir, "log", "--format=%H", "-n", "3").split()
    for folder in ("doc_source", "doc-source"):
        last = _git(git_dir, "log", "--format=%H", "-1", "--", folder).split()
        candidates += [last[0], f"{last[0]}~1"] if last else []
    for commit in candidates:
        files = _git(git_dir, "grep", "-l", "eventSource", commit, "--", "*.md").split()
        if files:
            return _git(git_dir, "rev-parse", commit).strip(), [f.split(":", 1)[1] for f in files]
    return None


def _git(git_dir: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True).stdout


def json_blocks(text: str) -> Iterator[str]:
    """Every balanced ``{...}`` that mentions an event source or name (strings and escapes respected)."""
    start = text.find("{")
    while start >= 0:
        depth, at, quoted, escaped = 0, start, False, False
        while at < len(text):
            char = text[at]
            if quoted:
                escaped, quoted = (False, quoted) if escaped else (char == "\\", char != '"')
            elif char == '"':
                quoted = True
            elif char in "{}":
                depth += 1 if char == "{" else -1
                if depth == 0:
                    break
            at += 1
        block = text[start : at + 1]
        if '"eventSource"' in block or '"eventName"' in block:
            yield block
            start = text.find("{", at + 1)
        else:
            start = text.find("{", start + 1)


def records_in(value: Any) -> Iterator[dict[str, Any]]:
    """Records in a parsed block: one record, a ``Records`` file, LookupEvents output, an EventBridge
    event's ``detail``."""
    if isinstance(value, list):
        for item in value:
            yield from records_in(item)
    elif isinstance(value, dict):
        if isinstance(value.get("Records"), list):
            yield from records_in(value["Records"])
        elif "eventName" in value and "eventSource" in value:
            yield value
        elif isinstance(value.get("CloudTrailEvent"), str):
            try:
                yield from records_in(json.loads(value["CloudTrailEvent"]))
            except ValueError:
                return
        elif isinstance(value.get("detail"), dict):
            yield from records_in(value["detail"])
        elif isinstance(value.get("Events"), list):
            yield from records_in(value["Events"])


_ELLIPSIS = re.compile(r"^\s*\.\.\.\s*,?\s*$", re.M)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def parsed(block: str) -> Any:
    """A documentation block as JSON, after dropping ``...`` lines and trailing commas; None if it is not."""
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", _ELLIPSIS.sub("", block)))
    except ValueError:
        return None


def classify(mapper: EventMapper, record: dict[str, Any]) -> tuple[str, str]:
    problem = shape_problem(record)
    if problem:
        return "unreadable", problem
    event = mapper.map(record)
    if event.kind != "mapped":
        return event.kind, event.reason
    granted = ", ".join(f"{action} on {resource}" for action, resource in event.uses)
    if event.reason:
        return "star", granted
    return ("noted" if event.notes else "exact"), granted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dirs", nargs="+", metavar="GIT_DIR", help="bare clones of awsdocs guides")
    parser.add_argument(
        "--list",
        action="append",
        choices=KINDS,
        default=[],
        metavar="KIND",
        help="print the records of a kind",
    )
    args = parser.parse_args(argv)
    mapper = EventMapper()
    seen: set[str] = set()
    counts: Counter[str] = Counter()
    blocks = unparsed = 0
    for git_dir in args.git_dirs:
        found = content_commit(git_dir)
        if found is None:
            continue
        commit, files = found
        for path in files:
            text = _git(git_dir, "show", f"{commit}:{path}")
            for block in json_blocks(text):
                blocks += 1
                value = parsed(block)
                if value is None:
                    unparsed += 1
                    continue
                for record in records_in(value):
                    key = json.dumps(record, sort_keys=True)
                    if key in seen:
                        continue
                    seen.add(key)
                    kind, detail = classify(mapper, record)
                    counts[kind] += 1
                    if kind in args.list:
                        where = f"{git_dir.rstrip('/').split('/')[-2]} {path} @ {commit[:8]}"
                        print(f"{kind}: {record.get('eventSource')}:{record.get('eventName')} [{where}]")
                        print(f"    {detail}")
    total = sum(counts.values())
    print(f"{total} distinct records from {blocks} JSON blocks ({unparsed} blocks not JSON)")
    for kind in KINDS:
        print(f"  {kind}: {counts[kind]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
