"""A plain JSON policy file: the file is the policy, so its content is replaced.

Teams that keep ``iam/payments-api.json`` and attach it with some other tool review the new document
in place of the old one; the broad managed policies they list are only named in the description.
"""

from __future__ import annotations

import json
import posixpath
import re

from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError, same_json_text


def _is_policy(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and "Statement" in data


def find_policy_file(files: dict[str, str], path: str, role_name: str) -> str:
    """``path`` itself when it names a file; in a folder, ``<role>.json`` or the only policy file there."""
    if path in files:
        return path
    candidates = sorted(p for p in files if p.endswith(".json"))
    named = [p for p in candidates if posixpath.splitext(posixpath.basename(p))[0] == role_name]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise GitOpsEditError(f"more than one file named {role_name}.json under {path!r}: {', '.join(named)}")
    policies = [p for p in candidates if _is_policy(files[p])]
    if len(policies) == 1:
        return policies[0]
    if not policies:
        raise GitOpsEditError(
            f"no policy file for role {role_name!r} under {path!r}: expected {role_name}.json or a single "
            "JSON "
            f"file with a Statement ({len(candidates)} JSON file(s) seen)"
        )
    raise GitOpsEditError(
        f"several policy files under {path!r} and none named {role_name}.json: {', '.join(policies)}; "
        "point path at the file"
    )


def _indent(text: str) -> int:
    match = re.search(r"^( +)\S", text, re.M)
    return len(match.group(1)) if match else 2


def edit(files: dict[str, str], request: EditRequest, path: str) -> EditResult:
    target = find_policy_file(files, path, request.role_name)
    original = files[target]
    if not _is_policy(original):
        raise GitOpsEditError(f"{target} is not a JSON policy document (no Statement)")
    result = EditResult(role_location=target, previous_documents={target: json.loads(original)})
    indent = _indent(original)
    stem, ext = posixpath.splitext(target)
    for index, document in enumerate(request.policies):
        name = target if index == 0 else f"{stem}-{index + 1}{ext}"
        text = json.dumps(document, indent=indent) + "\n"
        if not same_json_text(files.get(name, ""), text):
            result.changes[name] = text
            verb = "replaced the content of" if name in files else "added"
            result.notes.append(f"{name}: {verb} the policy file" + (f" (part {index + 1})" if index else ""))
    return result
