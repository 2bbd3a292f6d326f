"""The pull-request title and description: what a reviewer needs to approve, or to roll back, the change."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from policygen_operator.domain.gitops import managed
from policygen_operator.domain.gitops.model import EditResult, role_name_from_principal
from policygen_operator.domain.iam.validate import Finding
from policygen_operator.domain.wording import counted

MARKER = (
    "<!-- policygen: generated pull request; edits to this description are overwritten on the next update -->"
)


@dataclass(frozen=True)
class PullRequestContext:
    """What a reviewer needs in the description, and what makes the branch name deterministic."""

    name: str  # e.g. the PolicyGeneration's namespace/name, or a CLI-chosen name
    principal: str
    policies: list[dict[str, Any]]
    window_start: str
    window_end: str
    events_scanned: int
    events_matched: int
    findings: list[Finding] = field(default_factory=list)
    denied_actions: list[str] = field(default_factory=list)
    # Rightsizing: what the role is granted (its IAM policies, expanded) and did not use in the window.
    unused_actions: list[str] = field(default_factory=list)
    # Files of the window that could not be read, by kind (AccessDenied, KMS, ...): the policy may miss
    # actions recorded only in them.
    files_skipped: dict[str, int] = field(default_factory=dict)
    # Records of the files read that could not be used (malformed, or a record of the role lacking a field
    # the policy needs: the report's badRecords): each may be a call of the role, so the reviewer is told,
    # as for skipped files.
    bad_records: int = 0


@dataclass(frozen=True)
class DescriptionInput:
    context: PullRequestContext
    replace_arns: tuple[str, ...]
    edit: EditResult


def code(text: object, *, cell: bool = False) -> str:
    """``text`` as one Markdown code span, whatever it holds.

    Resource names, actions and messages come from CloudTrail, that is from whoever made the calls: a
    backtick would close a plain span and a following ``<!--`` would hide the rest of the description
    from reviewers. The fence is one backtick longer than the longest run inside (CommonMark), line breaks
    become spaces, and in a table cell ``|`` is escaped (GitHub's tables split cells before code spans).
    """
    value = " ".join(str(text).split()) if str(text).strip() else str(text).replace("\n", " ")
    if cell:
        value = value.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith(("`", " ")) or value.endswith(("`", " ")) or not value else ""
    return f"{fence}{pad}{value}{pad}{fence}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|])")


def plain(text: object) -> str:
    """``text`` as literal Markdown text on one line: what could open code, emphasis, a link, a table cell
    or HTML (a ``<!--`` comment hides everything after it) is escaped; the rest reads as written."""
    value = " ".join(str(text).split()).replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def actions_by_service(policies: list[dict[str, Any]]) -> dict[str, tuple[list[str], list[str]]]:
    """service prefix -> (sorted actions, sorted resources) over every Allow statement of every part."""
    actions: dict[str, set[str]] = defaultdict(set)
    resources: dict[str, set[str]] = defaultdict(set)
    for policy in policies:
        statements = policy.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            if statement.get("Effect") != "Allow":
                continue
            for action in _as_list(statement.get("Action")):
                service = action.split(":", 1)[0].lower()
                actions[service].add(action)
                resources[service].update(_as_list(statement.get("Resource")))
    return {s: (sorted(actions[s]), sorted(resources[s])) for s in sorted(actions)}


def title(data: DescriptionInput) -> str:
    role = role_name_from_principal(data.context.principal)
    replaced = ", ".join(a.rsplit("/", 1)[-1] for a in data.replace_arns)
    return f"policygen: least-privilege policy for {role}" + (f" (replaces {replaced})" if replaced else "")


# GitHub refuses a pull-request body over 65,536 characters; GitLab's limit is higher. Leave room.
MAX_BODY = 60_000


def body(data: DescriptionInput) -> str:
    """The description; for very large policies the per-service table lists counts instead of every action."""
    return _fit(_body(data, compact=False), lambda: _body(data, compact=True))


def _fit(full: str, compact: Callable[[], str]) -> str:
    """``full`` if the forge takes it, else the compact text; past the limit even so, the text is cut with a
    visible notice (a reviewer must not read a cut description as the whole change) and the marker kept."""
    if len(full) <= MAX_BODY:
        return full
    text = compact()
    if len(text) <= MAX_BODY:
        return text
    notice = (
        f"\n\n**This description was cut at {MAX_BODY:,} characters (the forge's limit): the rest, "
        "including what this removes for the roles below this point, is not shown here: review the changed "
        "files themselves.**\n\n" + MARKER + "\n"
    )
    return text[: MAX_BODY - len(notice)] + notice


def _body(data: DescriptionInput, compact: bool) -> str:
    ctx = data.context
    role = role_name_from_principal(ctx.principal)
    out = [
        f"This pull request replaces broad managed policies of role `{role}` with a least-privilege policy "
        "that policygen generated from the role's CloudTrail activity.",
        "",
        *_role_lines(data, compact, "##"),
        "",
        *_rollback_section(data, role),
        "",
        MARKER,
    ]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class GroupMember:
    """One role of a grouped pull request: the file it edits and its own description input."""

    path: str
    data: DescriptionInput

    @property
    def role(self) -> str:
        return role_name_from_principal(self.data.context.principal)


@dataclass(frozen=True)
class GroupDescription:
    """A pull request that edits the files of every role of one namespace (Rightsizing, grouping
    ``namespace``): one reviewer sees the whole namespace's change at once."""

    namespace: str
    members: tuple[GroupMember, ...]


def group_title(group: GroupDescription) -> str:
    return (
        f"policygen: least-privilege policies for {len(group.members)} role(s) in namespace "
        f"{plain(group.namespace)}"
    )


def group_body(group: GroupDescription) -> str:
    """Every role's section of a per-role description, one after the other, under one summary table."""
    return _fit(_group_body(group, compact=False), lambda: _group_body(group, compact=True))


def _group_body(group: GroupDescription, compact: bool) -> str:
    out = [
        f"This pull request replaces the IAM policies of {len(group.members)} role(s) that the workloads of "
        f"namespace {code(group.namespace)} run as with least-privilege policies that policygen generated "
        "from one scan of their CloudTrail activity. Every role's file is edited in this one change.",
        "",
        "| Role | File | Generated actions | Unused actions |",
        "| --- | --- | --- | --- |",
    ]
    for member in group.members:
        generated = sum(len(a) for a, _ in actions_by_service(member.data.context.policies).values())
        out.append(
            f"| {code(member.role, cell=True)} | {code(member.path, cell=True)} | {generated} | "
            f"{len(member.data.context.unused_actions)} |"
        )
    for member in group.members:
        out += ["", f"## Role {code(member.role)}", "", f"- File: {code(member.path)}"]
        out += _role_lines(member.data, compact, "###")
    out += [
        "",
        "## How to roll back",
        "- Revert this pull request (`git revert` of its merge commit); the next sync restores every role's "
        "previous policies.",
    ]
    for member in group.members:
        out += _rollback_section(member.data, member.role, head=False)
    out += ["", MARKER]
    return "\n".join(out) + "\n"


def _role_lines(data: DescriptionInput, compact: bool, h: str) -> list[str]:
    """One role's facts and sections (``h`` is the heading level: ``##`` alone, ``###`` in a group)."""
    ctx = data.context
    by_service = actions_by_service(ctx.policies)
    n_actions = sum(len(a) for a, _ in by_service.values())
    out = [
        f"- Principal: {code(ctx.principal)}",
        f"- Window: {ctx.window_start} to {ctx.window_end}",
        f"- CloudTrail events: {ctx.events_scanned:,} scanned, {ctx.events_matched:,} by this principal",
        f"- Generated policy: {counted(n_actions, 'action')} in {counted(len(by_service), 'service')}, "
        f"{len(ctx.policies)} document(s)",
        f"- Role definition: {plain(data.edit.role_location)}",
        *_incomplete_lines(ctx),
        "",
        f"{h} Changes",
        *[f"- {plain(note)}" for note in data.edit.notes],
        "",
        f"{h} Actions by service",
        "| Service | Actions | Resources |",
        "| --- | --- | --- |",
    ]
    for service, (actions, resources) in by_service.items():
        if compact:
            out.append(f"| {plain(service)} | {len(actions)} actions | {len(resources)} resources |")
            continue
        out.append(
            f"| {plain(service)} | {', '.join(code(a, cell=True) for a in actions)} | "
            f"{', '.join(code(r, cell=True) for r in resources)} |"
        )
    if compact:
        out.append("")
        out.append("(The policy is too large to list every action here; see the files changed.)")
    out += ["", *_removed_section(data, by_service, h)]
    if ctx.unused_actions:
        out += ["", *_unused_section(ctx.unused_actions, compact, h)]
    out += ["", f"{h} Validation findings"]
    out += [f"- **{plain(f.severity)}** {code(f.code)}: {plain(f.message)}" for f in ctx.findings]
    if not ctx.findings:
        out.append("None.")
    out += ["", f"{h} Denied calls seen in the window"]
    if ctx.denied_actions:
        out.append("These calls were refused during the window; the generated policy does not grant them:")
        out += [f"- {code(a)}" for a in ctx.denied_actions]
    else:
        out.append("None.")
    return out


def _unused_section(unused: list[str], compact: bool, h: str = "##") -> list[str]:
    """Rightsizing's evidence: granted by the role's current IAM policies, never used in the window."""
    out = [
        f"{h} Granted but not used in the window",
        f"The role's current IAM policies grant {len(unused)} action(s) it did not use in the window "
        "(details in the rightsizing ConfigMap):",
    ]
    by_service: dict[str, list[str]] = defaultdict(list)
    for action in unused:
        by_service[action.split(":", 1)[0]].append(action)
    for service, actions in sorted(by_service.items()):
        if compact or len(actions) > 20:
            out.append(f"- {plain(service)}: {len(actions)} actions")
        else:
            out.append(f"- {plain(service)}: {', '.join(code(a) for a in actions)}")
    return out


def _incomplete_lines(ctx: PullRequestContext) -> list[str]:
    out: list[str] = []
    if ctx.files_skipped:
        kinds = ", ".join(f"{plain(k)} {n}" for k, n in sorted(ctx.files_skipped.items()))
        total = sum(ctx.files_skipped.values())
        out.append(
            f"- **Incomplete data:** {total} delivery file(s) of the window could not be read ({kinds}); "
            "actions recorded only in them are missing from this policy."
        )
    if ctx.bad_records:
        out.append(
            f"- **Incomplete data:** {ctx.bad_records} record(s) of the files read could not be used "
            "(malformed, or lacking a field the policy needs; the scan's report names each); an action "
            "recorded only in them is missing from this policy."
        )
    return out


def _removed_section(
    data: DescriptionInput, by_service: dict[str, tuple[list[str], list[str]]], h: str = "##"
) -> list[str]:
    out = [f"{h} What this removes"]
    generated = sorted({a for actions, _ in by_service.values() for a in actions})
    not_in_code = [a for a in data.replace_arns if a not in data.edit.detached]
    for path, previous in data.edit.previous_documents.items():
        out.append(f"- The previous content of {code(path)} allowed:")
        out += [
            f"  - {line}" for line in managed.describe(managed.ManagedPolicy(path, path, "", "", previous))
        ]
        out.append(f"  It is replaced by the {len(generated)} actions above, on the resources listed.")
    for arn in data.replace_arns:
        policy = managed.lookup(arn)
        if arn in not_in_code and data.edit.previous_documents:
            out.append(
                f"- `{arn}`: a policy file is not an attachment, so nothing was detached here; detach "
                "it where the role is defined if it is attached there."
            )
            continue
        if arn in not_in_code:
            out.append(f"- `{arn}` was not found attached in the code under the path; nothing was detached.")
            continue
        if policy is None:
            out.append(
                f"- `{arn}`: policygen does not ship this policy's document, so the removed access is not "
                "quantified; compare it with the actions above before merging."
            )
            continue
        out.append(f"- `{arn}` ({policy.version_id}, updated {policy.updated[:10]}) allowed:")
        out += [f"  - {line}" for line in managed.describe(policy)]
        out.append(
            f"  After this change the role keeps only the {len(generated)} actions above, on the resources "
            "listed; every other action this policy allowed is removed."
        )
    before = [p for arn in data.edit.detached if (p := managed.lookup(arn)) is not None]
    before += [managed.ManagedPolicy(k, k, "", "", v) for k, v in data.edit.previous_documents.items()]
    extra = [a for a in generated if not any(managed.allows(p, a) for p in before)]
    if before and extra:
        out.append("")
        out.append(
            "**Review:** these generated actions were *not* allowed by the policies replaced (the role "
            "must have had them from another policy; they are granted explicitly now):"
        )
        out += [f"- {code(a)}" for a in extra]
    return out


def _rollback_section(data: DescriptionInput, role: str, head: bool = True) -> list[str]:
    restores = (
        "the previous content of the policy file"
        if data.edit.previous_documents
        else "the previous attachments and deletes the generated policy"
    )
    out = [
        "## How to roll back",
        f"- Revert this pull request (`git revert` of its merge commit); the next sync restores {restores}.",
    ]
    if not head:
        out = []
    for arn in data.edit.detached:
        out.append(
            f"- Emergency stop-gap without a deploy: `aws iam attach-role-policy --role-name {role} "
            f"--policy-arn {arn}` (the next sync of the infrastructure code detaches it again)."
        )
    return out
