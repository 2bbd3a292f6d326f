"""Read from botocore's API documentation whether a service's ``...Identifier`` parameters hold ids or names.

(And the parameters named by a resource type's bare noun: CloudTrail's ``EventDataStore``, "The ARN (or
the ID suffix of the ARN) of the event data store".)

AWS APIs name a resource by ``<Noun>Identifier`` (or a bare ``Identifier``) that takes "the name or the ARN"
in one service and "the unique identifier" in another, while the resource's ARN holds one of the two
(``graph/${ResourceId}``, ``telemetry-rule/${TelemetryRuleName}``). Without knowing which, the mapper
reads such a parameter only as an ARN, and a call that gives the id or name is granted on ``*``. The API
reference says which, in the text botocore ships with each member:

- **Id**: "The unique identifier of the Neptune Analytics graph", "The ID of the cluster", "The ARN or ID of
  the job", "The ARN or the UUID value of the channel", with no mention of a name;
- **Name**: "The identifier (name or ARN) of the telemetry rule", "Name or Amazon Resource Name (ARN) of the
  custom model", "The name of ...", with no mention of an id.

Kept per IAM namespace and lower-case member name when the operations of the namespace that have the
member document it one way only, and at least half of them document it (``{"neptune-graph":
{"graphidentifier": "Id"}}``: 20 say "The unique identifier of the Neptune Analytics graph", one "The
source graph identifier"); a member some call a name and others an id (RDS's ``DBInstanceIdentifier``) is
left out. The mapper reads a kept member's non-ARN value as the type's own variable only when the
variable is of the same kind (``...Id``/``ResourceId`` for Id, ``...Name`` for Name), so a name is never
written where the ARN holds an id.

Usage: ``.venv/bin/python operator/scripts/extract_identifier_kinds.py`` writes
``operator/scripts/data/identifier-kinds/identifier_kinds.json`` from the installed botocore (the version
``requirements.lock`` pins), which ``build_reference_data.py`` reads.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from sdk_operations import mapped_operations  # a sibling module (scripts is not a package)

from policygen_operator.domain.iam.reference import load_reference

OUTPUT = Path(__file__).resolve().parent / "data" / "identifier-kinds" / "identifier_kinds.json"
MEMBER = re.compile(r"(?i)identifier$")
# words too general to be one type's noun, whatever a type's key ends in
GENERIC = frozenset({"arn", "id", "identifier", "key", "name", "resource", "type", "value"})
_TAG = re.compile(r"<[^>]+>")
_NAME = re.compile(
    r"(?i)\bname or (?:the |its )?(?:ARN|Amazon Resource Name)"
    r"|\b(?:ARN|Amazon Resource Name)(?: \(ARN\))? or (?:the |its )?name\b"
    r"|^(?:the )?name of\b"
)
_ID = re.compile(r"\b(?:[Uu]nique identifier|[Uu]nique ID|ID|UUID)\b")


def kind_of(documentation: str) -> str | None:
    """``Id``, ``Name`` or None (neither, or both) for a member's documentation."""
    text = _TAG.sub("", documentation).strip()
    named = bool(_NAME.search(text))
    identified = bool(_ID.search(text)) and "name" not in text.lower()
    if named == identified:
        return None
    return "Name" if named else "Id"


def extract() -> dict[str, dict[str, str]]:
    ref = load_reference()
    seen: dict[tuple[str, str], list[str | None]] = defaultdict(list)
    for found in mapped_operations(ref, lambda shape: True):
        namespaces = {a.split(":")[0] for a in found.primaries}
        # the bare noun of one of the call's types, or an ending of it (CloudTrail's EventDataStore)
        nouns = {
            "".join(words[i:]).lower()
            for a in found.plan.actions
            if a.primary
            for t in a.types
            for words in ref.type_nouns(a.action.split(":")[0], t.key)
            for i in range(len(words))
        }
        shape = found.input_shape
        members = [
            m for m in shape.members if MEMBER.search(m) or (m.lower() in nouns and m.lower() not in GENERIC)
        ]
        for member in members:
            kind = kind_of(shape.members[member].documentation or "")
            for namespace in namespaces:
                seen[(namespace, member.lower())].append(kind)
    result: dict[str, dict[str, str]] = defaultdict(dict)
    for (namespace, member), kinds in sorted(seen.items()):
        documented = {k for k in kinds if k is not None}
        if len(documented) == 1 and 2 * kinds.count(None) <= len(kinds):
            result[namespace][member] = documented.pop()
    return dict(result)


def main(argv: list[str]) -> int:
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    result = extract()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT.name}: {sum(len(v) for v in result.values())} members of {len(result)} namespaces")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
