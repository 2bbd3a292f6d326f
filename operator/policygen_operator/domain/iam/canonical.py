"""One spelling per policy: what we hash, compare, commit and count against IAM's size limit.

Two runs over the same activity must write byte-identical documents (pull requests show real changes
only), so keys are sorted, white space is dropped and the lists whose order IAM ignores (actions,
resources, condition values) are sorted and de-duplicated. Statement order is kept: the builder already
writes statements in a sorted order, and another tool's order is its author's choice. Whether a file needs
an edit is asked of ``same_policy``, which compares what IAM reads, statement order aside.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Statement members whose list values are sets to IAM.
SET_MEMBERS = frozenset({"Action", "NotAction", "Resource", "NotResource"})


def canonical(document: Any) -> Any:
    """The document with set-like lists sorted and de-duplicated (recursively, through Conditions)."""
    if isinstance(document, dict):
        out: dict[str, Any] = {}
        for key, value in document.items():
            if key in SET_MEMBERS and isinstance(value, list):
                out[key] = sorted(set(value), key=str) if all(isinstance(v, str) for v in value) else value
            elif key == "Condition" and isinstance(value, dict):
                out[key] = {op: _condition_block(block) for op, block in value.items()}
            elif key == "Principal" and isinstance(value, dict):
                out[key] = {k: _sorted_if_strings(v) for k, v in value.items()}
            else:
                out[key] = canonical(value)
        return out
    if isinstance(document, list):
        return [canonical(item) for item in document]
    return document


def _condition_block(block: Any) -> Any:
    if isinstance(block, dict):
        return {key: _sorted_if_strings(values) for key, values in block.items()}
    return block


def _sorted_if_strings(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(set(value))
    return value


def canonical_json(document: Any) -> str:
    """Sorted keys, no white space, set-like lists sorted; non-ASCII kept as is (IAM counts characters)."""
    return json.dumps(canonical(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def same_policy(first: Any, second: Any) -> bool:
    """Whether two documents say the same to IAM, for deciding that a file needs no edit.

    Wider than equal canonical JSON, which keeps each author's spelling: IAM evaluates the statements as a
    set (their order, or one statement written twice, changes nothing), reads a single ``Statement`` object
    as a list of one, and a single string in ``Action``, ``Resource``, a ``Principal`` or a condition as a
    list of one. A hand-edited file that only reorders or respells the generated policy is left alone.
    """
    return _semantic_json(first) == _semantic_json(second)


def _semantic_json(document: Any) -> str:
    if isinstance(document, dict) and "Statement" in document:
        statements = document["Statement"]
        listed = statements if isinstance(statements, list) else [statements]
        spelled = {_statement_json(statement) for statement in listed}
        document = {**document, "Statement": sorted(spelled)}
    return json.dumps(canonical(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _statement_json(statement: Any) -> str:
    if isinstance(statement, dict):
        statement = dict(statement)
        for key in SET_MEMBERS & statement.keys():
            statement[key] = _listed(statement[key])
        if isinstance(statement.get("Principal"), dict):
            statement["Principal"] = {k: _listed(v) for k, v in statement["Principal"].items()}
        if isinstance(statement.get("Condition"), dict):
            statement["Condition"] = {
                op: {k: _listed(v) for k, v in block.items()} if isinstance(block, dict) else block
                for op, block in statement["Condition"].items()
            }
    return canonical_json(statement)


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def policy_sha256(document: Any) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def policy_characters(document: Any) -> int:
    """The size IAM checks against its quotas (6,144 for a managed policy): characters without white space.

    We count the compact JSON, so white space inside string values (an S3 key with a space) is counted
    although IAM may not count it: we can only overestimate, and an overestimate splits a little early
    instead of failing at upload.
    """
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
