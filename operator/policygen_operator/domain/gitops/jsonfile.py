"""A plain JSON policy file: the file is the policy, so its content is replaced.

Teams that keep ``iam/payments-api.json`` and attach it with some other tool review the new document
in place of the old one; the broad managed policies they list are only named in the description.

Only an identity-based policy is the role's permissions: a document whose statements name a ``Principal``
(or ``NotPrincipal``) is the role's trust policy or a resource's policy, which an identity-based policy
cannot be ("You cannot use the Principal element in an identity-based policy", IAM User Guide, AWS JSON
policy elements: Principal). The CLI way of making a role keeps exactly such a file beside it
(``aws iam create-role --assume-role-policy-document file://trust-relationship.json`` and a managed policy
attached by ARN, Amazon EKS User Guide, IAM roles for service accounts): taken for "the only policy file
there", it was replaced by the generated permissions, so the role's trust would have gone.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError, same_json_text


def _policy(text: str) -> dict[str, Any] | None:
    """The file's document when it is a policy (an object with a Statement), parsed once for every check."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "Statement" in data else None


def _names_principal(policy: dict[str, Any]) -> bool:
    """A policy with a statement naming a Principal or NotPrincipal: a trust or resource-based policy."""
    statements = policy["Statement"]
    listed = statements if isinstance(statements, list) else [statements]
    return any(isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s) for s in listed)


def _not_permissions(path: str) -> str:
    return (
        f"{path} is a role trust policy or another resource-based policy (a statement names a Principal, "
        "which an identity-based policy cannot): policygen writes the role's permissions, not who may "
        "assume it; point path at the role's permissions policy file"
    )


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
    parsed = {p: policy for p in candidates if (policy := _policy(files[p])) is not None}
    trust = [p for p, policy in parsed.items() if _names_principal(policy)]
    policies = [p for p in parsed if p not in trust]
    if len(policies) == 1:
        return policies[0]
    if not policies:
        raise GitOpsEditError(
            f"no policy file for role {role_name!r} under {path!r}: expected {role_name}.json or a single "
            "JSON file with a Statement that names no Principal "
            f"({len(candidates)} JSON file(s) seen"
            + (
                f"; trust or resource-based policies, not the role's permissions: {', '.join(trust)}"
                if trust
                else ""
            )
            + ")"
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
    previous = _policy(original)
    if previous is None:
        raise GitOpsEditError(f"{target} is not a JSON policy document (no Statement)")
    if _names_principal(previous):
        raise GitOpsEditError(_not_permissions(target))
    result = EditResult(role_location=target, previous_documents={target: previous})
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
