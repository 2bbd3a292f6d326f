"""Find the calls that hand a role to their service where neither AWS reference lists iam:PassRole.

The Service Authorization Reference's dependent actions (``sar-dependent-actions/pass_role.json``) and the
API references (``DOCUMENTED_PASS_ROLE`` in ``domain/iam/mapping/rules.py``) name the calls that need
``iam:PassRole`` for the role they give, but not all of them: about 250 mapped operations of botocore's
models take a role ARN for the service to use (``DataAccessRoleArn``, ``executionRoleArn``) and are listed
by neither. Without ``iam:PassRole`` on that role the generated policy breaks the call (AWS checks it when
the role is handed over; no CloudTrail record of it is written). Two kinds of evidence are read here, each
kept with the action it concerns so a reviewer can check it:

- **managed**: an AWS managed policy allows the action and allows ``iam:PassRole`` with the condition
  ``iam:PassedToService`` naming the action's own service (``AmazonKendraFullAccess``: ``iam:PassRole`` to
  ``kendra.amazonaws.com``, next to ``kendra:*``). AWS writes those statements for the calls of that service
  that pass roles.
- **sibling**: another call of the same namespace that passes its role (the reference's dependent actions,
  the API reference or iam-dataset's SDK table say so) takes a role parameter of the same name
  (``comprehend:StartEntitiesDetectionJob``'s ``DataAccessRoleArn``, so ``StartEventsDetectionJob``'s too).

Only operations whose input has a role parameter (one the mapper reads roles from: ``...Role``,
``...RoleArn(s)``, ``...Roles``)
and whose verb configures something the service will act with (Create, Update, Put, Start, Register, Run,
...) are kept: ``sts:AssumeRole``'s ``RoleArn`` is the caller's own target, ``GetClusterSessionCredentials``
reads credentials for a role it does not hand over.

Usage: ``.venv/bin/python operator/scripts/infer_pass_role.py POLICIES_DIR`` where ``POLICIES_DIR`` holds
one AWS managed policy per file as ``aws iam get-policy-version`` prints it (the ``policies/`` folder of
https://github.com/zoph-io/MAMIP). Writes ``operator/scripts/data/pass-role-inferred/pass_role.json`` and,
beside it, ``not_role_parameters.json`` (role-named parameters whose names are no IAM role's,
``not_roles``), which ``build_reference_data.py`` reads. Source, version and licence: that folder's SOURCE.md.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sdk_operations import mapped_operations  # a sibling module (scripts is not a package)

from policygen_operator.domain.iam.mapping.plans import PASS_ROLE, ROLE_PARAMETER_ENDINGS
from policygen_operator.domain.iam.mapping.rules import DOCUMENTED_PASS_ROLE
from policygen_operator.domain.iam.reference import Reference, load_reference

OUTPUT = Path(__file__).resolve().parent / "data" / "pass-role-inferred" / "pass_role.json"
NOT_ROLES = OUTPUT.with_name("not_role_parameters.json")
UNPROVEN = OUTPUT.with_name("pass_role_unproven.json")
MAX_DEPTH = 8  # as deep as plans.passed_roles reads
# verbs of the calls that hand the service a role to act with; not Get/List/Describe/Delete/Cancel/Assume
CONFIGURING = (
    "Activate",
    "Add",
    "Associate",
    "Copy",
    "Create",
    "Deploy",
    "Enable",
    "Import",
    "Modify",
    "Put",
    "Register",
    "Replace",
    "Restore",
    "Rotate",
    "Run",
    "Set",
    "Start",
    "Submit",
    "Test",
    "Update",
)
_PRINCIPAL = re.compile(r"^(?:[a-z0-9-]+\.)*?([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def managed_pass_role(policies_dir: Path) -> dict[str, tuple[str, set[str], list[str]]]:
    """``{policy name: (version, services it may pass roles to, the actions it allows)}`` for the AWS
    managed policies that allow ``iam:PassRole`` on the condition ``iam:PassedToService``; the services by
    the label before ``.amazonaws.com`` (``events.workmail.amazonaws.com`` -> ``workmail``)."""
    result: dict[str, tuple[str, set[str], list[str]]] = {}
    for path in sorted(policies_dir.iterdir()):
        text = path.read_text()
        if not text.strip():
            continue
        version = json.loads(text)["PolicyVersion"]
        actions: list[str] = []
        services: set[str] = set()
        for statement in _as_list(version["Document"]["Statement"]):
            if statement.get("Effect") != "Allow":
                continue
            allowed = [a.lower() for a in _as_list(statement.get("Action", []))]
            actions.extend(allowed)
            if not any(fnmatch.fnmatchcase("iam:passrole", a) for a in allowed):
                continue
            for condition in (statement.get("Condition") or {}).values():
                for key, values in condition.items():
                    if key.lower() != "iam:passedtoservice":
                        continue
                    for principal in _as_list(values):
                        match = _PRINCIPAL.match(str(principal).lower())
                        if match:
                            services.add(match.group(1))
        if services:
            result[path.name] = (version.get("VersionId", ""), services, actions)
    return result


_IAM_ROLE = re.compile(r"\b(?:IAM|ARN|Amazon Resource Name)\b")


def gives_a_role(name: str, member: Any) -> bool:
    """Whether a role-named input member holds an IAM role: a string or a list of strings, not an enum
    (WorkMail's user ``Role``: USER, RESOURCE, ...), named or typed as an ARN (``roleArn``, a ``RoleArn``
    shape) or documented as IAM or an ARN; not Grafana's ``keyRole`` ("Specifies the permission level of
    the key. Valid values: ADMIN|EDITOR|VIEWER")."""
    shape = member.member if member.type_name == "list" else member
    if shape.type_name != "string" or shape.enum:
        return False
    if name.lower().endswith(("arn", "arns")) or "arn" in shape.name.lower():
        return True
    return bool(_IAM_ROLE.search(member.documentation or "") or _IAM_ROLE.search(shape.documentation or ""))


def _passes_listed(ref: Reference, plan: Any) -> bool:
    """Whether the reference, the API references or the table already pass the role (the inferred list
    itself left out, so running this again finds the same calls)."""
    groups = (plan.actions, *(v.actions for v in plan.variants))
    primaries = [a for group in groups for a in group if a.primary]
    return any(
        ref.listed_pass_role(a.action) or a.action.lower() in DOCUMENTED_PASS_ROLE for a in primaries
    ) or any(a.action == PASS_ROLE for group in groups for a in group)


def _role_parameters(shape: Any) -> list[str]:
    """The input members the mapper reads roles from (``plans.passed_roles``) that hold an IAM role."""
    return [
        name
        for name, member in shape.members.items()
        if name.lower().endswith(ROLE_PARAMETER_ENDINGS) and gives_a_role(name, member)
    ]


def infer(policies_dir: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``{action: [evidence, ...]}`` for the calls inferred to pass the role they name (see the module),
    and ``{action: [role parameter, ...]}`` for the candidates no evidence was found for: they hand their
    service a role, and whether AWS checks ``iam:PassRole`` on it no source here says (the mapper says so
    beside the call instead of granting it)."""
    ref = load_reference()
    candidates: list[tuple[str, str, list[str], set[str], tuple[str, ...]]] = []
    # role parameters of the actions the reference lists with iam:PassRole, per namespace
    listed: dict[str, dict[str, str]] = defaultdict(dict)
    for found in mapped_operations(ref, lambda shape: bool(_role_parameters(shape))):
        roles = _role_parameters(found.input_shape)
        if _passes_listed(ref, found.plan):
            for action in found.primaries:
                for role in roles:
                    listed[action.split(":")[0]].setdefault(role.lower(), action)
            continue
        if found.operation.startswith(CONFIGURING):
            metadata = found.metadata
            names = {found.service, metadata.get("endpointPrefix", ""), metadata.get("signingName", "")}
            namespaces = {a.split(":")[0] for a in found.primaries}
            candidates.append((found.service, found.operation, roles, names | namespaces, found.primaries))
    policies = managed_pass_role(policies_dir)
    evidence: dict[str, list[str]] = defaultdict(list)
    for service, operation, roles, names, actions in candidates:
        # the call's own action, not one it is also authorized by (UpdateAssociation's DescribeAssociation)
        for action in (a for a in actions if a.partition(":")[2].startswith(CONFIGURING)):
            namespace = action.split(":")[0]
            for role in roles:
                sibling = listed[namespace].get(role.lower())
                if sibling:
                    evidence[action].append(
                        f"{service} {operation} {role}: {sibling} takes {role} and passes it (the "
                        "reference's dependent actions, the API reference or the SDK table)"
                    )
            for name, (version, services, allowed) in policies.items():
                own = sorted(services & names)
                granted = any(fnmatch.fnmatchcase(action.lower(), a) for a in allowed if a != "*")
                if own and granted:
                    principals = ", ".join(f"{s}.amazonaws.com" for s in own)
                    evidence[action].append(
                        f"{service} {operation} {'/'.join(roles)}: AWS managed policy {name} ({version}) "
                        f"allows {action} and iam:PassRole to {principals}"
                    )
    unproven: dict[str, set[str]] = defaultdict(set)
    for *_, roles, _, actions in candidates:
        for action in (a for a in actions if a.partition(":")[2].startswith(CONFIGURING)):
            if action not in evidence:
                unproven[action].update(roles)
    return (
        {action: sorted(set(found)) for action, found in sorted(evidence.items())},
        {action: sorted(roles) for action, roles in sorted(unproven.items())},
    )


def _role_named_members(shape: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Every member, at any depth (up to the mapper's), whose name the mapper reads roles from."""
    if depth > MAX_DEPTH or shape is None:
        return
    if shape.type_name == "list":
        yield from _role_named_members(shape.member, depth + 1)
    elif shape.type_name == "structure":
        for name, member in shape.members.items():
            if name.lower().endswith(ROLE_PARAMETER_ENDINGS):
                yield name, member
            yield from _role_named_members(member, depth + 1)


_PROFILE = re.compile(r"(?i)\binstance profile\b")


def not_roles() -> dict[str, dict[str, str]]:
    """``{namespace: {lower-case member: kind}}``: role-named request members of the namespace's mapped
    calls whose name, when a value is not a role ARN, is no IAM role's name. ``"other"``: they hold
    something else than an IAM role (EMR's ``InstanceRole``: MASTER, CORE, TASK; QuickSight's
    ``UserRole``: READER, AUTHOR, ...; OpenSearch's SAML ``MasterBackendRole``), a string or strings each,
    and no IAM role in any other call of the namespace: not read as a role at all. ``"instance profile"``:
    documented as one (EMR's ``JobFlowRole``: "Also called instance profile and Amazon EC2 role"; Batch's
    ``instanceRole``): a name there is an instance profile's, whose role the request does not name."""
    ref = load_reference()
    other: dict[str, set[str]] = defaultdict(set)
    iam: dict[str, set[str]] = defaultdict(set)
    profiles: dict[str, set[str]] = defaultdict(set)
    for found in mapped_operations(ref, lambda shape: any(_role_named_members(shape))):
        members = list(_role_named_members(found.input_shape))
        for namespace in {a.split(":")[0] for a in found.primaries}:
            for name, member in members:
                shape = member.member if member.type_name == "list" else member
                if _PROFILE.search(member.documentation or ""):
                    profiles[namespace].add(name.lower())
                elif gives_a_role(name, member):
                    iam[namespace].add(name.lower())
                elif shape.type_name == "string":
                    other[namespace].add(name.lower())
    kinds: dict[str, dict[str, str]] = defaultdict(dict)
    for namespace, names in other.items():
        kinds[namespace].update((n, "other") for n in names - iam[namespace] - profiles[namespace])
    for namespace, names in profiles.items():
        kinds[namespace].update((n, "instance profile") for n in names)
    return {
        namespace: dict(sorted(kinds[namespace].items())) for namespace in sorted(kinds) if kinds[namespace]
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__, file=sys.stderr)
        return 2
    result, unproven = infer(Path(argv[0]))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, indent=1) + "\n")
    UNPROVEN.write_text(json.dumps(unproven, indent=1) + "\n")
    others = not_roles()
    NOT_ROLES.write_text(json.dumps(others, indent=1) + "\n")
    count = sum(len(names) for names in others.values())
    print(
        f"wrote {OUTPUT.name}: {len(result)} actions; {UNPROVEN.name}: {len(unproven)} actions; "
        f"{NOT_ROLES.name}: {count} members"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
