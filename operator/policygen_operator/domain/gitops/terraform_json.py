"""Terraform's JSON syntax (``*.tf.json``): a role and its broad attachments written as JSON.

"Terraform expects native syntax for files named with a .tf suffix, and JSON syntax for files named with
a .tf.json suffix" (Terraform language docs, "JSON Configuration Syntax"); CDK for Terraform synthesizes
``cdk.tf.json``, and generators write the same shape. The root object's properties are block types:
``"resource": {"aws_iam_role": {"ci": {"name": "ci-runner", ...}}}``, each level an object (or an array of
objects, which the docs allow for repeated blocks); a string in an argument is a template, so a reference
is ``"${aws_iam_role.ci.name}"`` and a literal ``${`` is written ``$${``; a ``"//"`` property is a comment.

The file is edited as text, like the native syntax: a small scanner gives each value's offsets, members and
items are removed or inserted where they are, and every other byte stays as it was. A role with ``count``
or ``for_each`` is not edited in this syntax (refused naming it).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from policygen_operator.domain.gitops import hcl, hcl_edit, terraform_modules
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError, same_json_text

SUFFIX = ".tf.json"
# what a "seen" line says of an expression policygen cannot read; the "not attached" error looks for it
NOT_LITERAL = "is not a literal"

_WS = re.compile(r"[ \t\r\n]*")
_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_DECODER = json.JSONDecoder()


def _scan_string(text: str, i: int) -> tuple[str, int]:
    """The string whose opening quote is at ``i``, decoded, and the offset just past it."""
    value, end = _DECODER.raw_decode(text, i)
    if not isinstance(value, str):
        raise ValueError(f"expected a string at offset {i}")
    return value, end


@dataclass
class Node:
    """A JSON value with its extent in the text: ``start`` at its first character, ``end`` just past it."""

    kind: str  # "object", "array", "string" or "literal"
    start: int
    end: int
    string: str = ""  # a string's decoded value
    members: list[tuple[str, int, Node]] = field(default_factory=list)  # (key, offset of its quote, value)
    items: list[Node] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        return next((value for name, _, value in self.members if name == key), None)

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of each member (key to value) or item."""
        if self.kind == "object":
            return [(at, value.end) for _, at, value in self.members]
        return [(item.start, item.end) for item in self.items]


def parse(text: str) -> Node:
    """The document's root value; a GitOpsEditError naming the line for text that is not JSON."""
    try:
        node, end = _value(text, _WS.match(text, 0).end())  # type: ignore[union-attr]
        if _WS.match(text, end).end() != len(text):  # type: ignore[union-attr]
            raise ValueError(f"content after the document at offset {end}")
    except (ValueError, IndexError) as err:
        raise GitOpsEditError(f"not JSON ({err})") from None
    return node


def _skip(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]


def _value(text: str, i: int) -> tuple[Node, int]:
    c = text[i]
    if c == '"':
        string, end = _scan_string(text, i)
        return Node("string", i, end, string=string), end
    if c in "{[":
        close = "}" if c == "{" else "]"
        node = Node("object" if c == "{" else "array", i, i)
        j = _skip(text, i + 1)
        if text[j] == close:
            node.end = j + 1
            return node, j + 1
        while True:
            if c == "{":
                if text[j] != '"':
                    raise ValueError(f"expected a key at offset {j}")
                key, k = _scan_string(text, j)
                k = _skip(text, k)
                if text[k] != ":":
                    raise ValueError(f"expected ':' at offset {k}")
                value, k = _value(text, _skip(text, k + 1))
                node.members.append((key, j, value))
            else:
                value, k = _value(text, j)
                node.items.append(value)
            k = _skip(text, k)
            if text[k] == ",":
                j = _skip(text, k + 1)
                continue
            if text[k] == close:
                node.end = k + 1
                return node, k + 1
            raise ValueError(f"expected ',' or {close!r} at offset {k}")
    literal = _LITERAL.match(text, i)
    if literal is None:
        raise ValueError(f"unexpected {c!r} at offset {i}")
    return Node("literal", i, literal.end()), literal.end()


def objects(node: Node | None) -> list[Node]:
    """An object, or each object of an array of objects (the JSON form of repeated blocks)."""
    if node is None:
        return []
    if node.kind == "object":
        return [node]
    return [item for item in node.items if item.kind == "object"] if node.kind == "array" else []


@dataclass(frozen=True)
class Resource:
    rtype: str
    label: str
    body: Node


def resources(root: Node) -> Iterator[Resource]:
    """Every ``resource`` block of the document, in order."""
    for by_type in objects(root.get("resource")):
        for rtype, _, by_label in by_type.members:
            for labelled in objects(by_label):
                for label, _, body in labelled.members:
                    for one in objects(body):
                        yield Resource(rtype, label, one)


def _string(node: Node | None) -> str | None:
    return node.string if node is not None and node.kind == "string" else None


def _raw(text: str, node: Node | None) -> str:
    """A value as written, for messages and for the expression readers the native syntax shares: a JSON
    string is a quoted template as HCL writes one."""
    return text[node.start : node.end] if node is not None else "?"


@dataclass(frozen=True)
class FoundRole:
    path: str
    label: str


def find_roles(texts: dict[str, str], name: str) -> tuple[list[FoundRole], dict[str, str]]:
    """The ``aws_iam_role`` resources named ``name`` (a literal ``name``, or a ``name_prefix`` the provider
    completed), and the error of each file that is not JSON."""
    found: list[FoundRole] = []
    unparsed: dict[str, str] = {}
    roots: dict[str, Node] = {}
    for path, text in sorted(texts.items()):
        try:
            roots[path] = parse(text)
        except GitOpsEditError as err:
            unparsed[path] = str(err)
    scopes: dict[str, dict[str, str]] = {}
    for path, root in roots.items():
        directory = posixpath.dirname(path)
        if directory not in scopes:
            scopes[directory] = literal_locals(
                {p: r for p, r in roots.items() if posixpath.dirname(p) == directory}
            )
        for res in resources(root):
            if res.rtype != "aws_iam_role":
                continue
            literal = _name(res.body.get("name"), scopes[directory])
            prefix = _name(res.body.get("name_prefix"), scopes[directory])
            if literal == name or (prefix is not None and terraform_modules.completes(name, prefix)):
                found.append(FoundRole(path, res.label))
    return found, unparsed


# a template's interpolation or directive; "$${" and "%%{" are a literal "${" and "%{"
_TEMPLATE = re.compile(r"(?<![$%])[$%]\{")


def literal_locals(roots: dict[str, Node]) -> dict[str, str]:
    """``local.X`` -> its value, for each local of one module's JSON files set to a string literal (a string
    without a template sequence), as ``hcl.literal_locals`` reads the native syntax's: a local is assigned
    only in its module's own locals ("Local Values" in the Terraform language docs), whose JSON form is an
    object "whose property names are the names of the local values" ("JSON Configuration Syntax": locals).
    A local set twice (Terraform refuses the module) or to anything else gives nothing."""
    places: dict[str, list[Node]] = {}
    for _, root in sorted(roots.items()):
        for block in objects(root.get("locals")):
            for local, _, value in block.members:
                places.setdefault(local, []).append(value)
    return {
        f"local.{local}": _untemplate(values[0].string)
        for local, values in places.items()
        if len(values) == 1 and values[0].kind == "string" and not _TEMPLATE.search(values[0].string)
    }


def module_json(texts: dict[str, str], directory: str) -> dict[str, str]:
    """The JSON files of ``directory``'s module that are JSON (the run names one that is not where it
    matters)."""
    found = {}
    for path, text in texts.items():
        if path.endswith(SUFFIX) and posixpath.dirname(path) == directory:
            try:
                parse(text)
            except GitOpsEditError:
                continue
            found[path] = text
    return found


def module_locals(texts: dict[str, str], directory: str) -> tuple[dict[str, str], set[str]]:
    """The literal locals (``literal_locals``) of ``directory``'s JSON files, and the name of every local
    they set: a module mixing the syntaxes is one module, and a local set in both is one Terraform
    refuses. A file that is not JSON gives nothing (the run names it where it matters)."""
    roots = {path: parse(text) for path, text in module_json(texts, directory).items()}
    names = {
        local
        for root in roots.values()
        for block in objects(root.get("locals"))
        for local, _, _ in block.members
    }
    return literal_locals(roots), names


def _name(node: Node | None, scope: dict[str, str]) -> str | None:
    """A role's ``name``/``name_prefix``: a string without a template sequence, or a template of literal
    locals only (``"${local.team}-runner"``), read as the native syntax reads one (``terraform_modules.
    evaluate``); None for anything else."""
    value = _string(node)
    if value is None:
        return None
    if not _TEMPLATE.search(value):
        return _untemplate(value)
    if not scope or "$${" in value or "%%{" in value:
        return None
    return terraform_modules.evaluate(json.dumps(value, ensure_ascii=False), scope)


def resolving(texts: dict[str, str], replace: tuple[str, ...], base: hcl_edit.Replaced) -> hcl_edit.Replaced:
    """``base`` (a literal ARN, the ARN with its partition interpolated), and what the module's JSON files
    declare: ``"${data.aws_iam_policy.X.arn}"`` of a data source giving the ARN or the policy's name, and
    ``"${local.X}"`` (``local.X.ATTR`` of an object) whose value in a ``"locals"`` object is one of these, as
    the native syntax reads them (``terraform.policy_arns``); CDK for Terraform writes a DataAwsIamPolicy
    and a TerraformLocal so. ``texts`` are the files of one module (a local cannot be set from outside
    it). A local or data source they do not declare is ``base``'s to read: the native files' of a module
    mixing the syntaxes (``terraform.py`` passes its JSON files here)."""
    data: dict[str, tuple[str, Node]] = {}
    local_values: dict[str, tuple[str, Node]] = {}
    for path, text in sorted(texts.items()):
        root = parse(text)
        for by_type in objects(root.get("data")):
            for labelled in objects(by_type.get("aws_iam_policy")):
                for label, _, body in labelled.members:
                    for one in objects(body):
                        data.setdefault(label, (path, one))
        for block in objects(root.get("locals")):
            for name, _, value in block.members:
                local_values.setdefault(name, (path, value))

    def stands_for(expression: str, through: frozenset[str] = frozenset()) -> str | None:
        inner = hcl.unwrapped(expression)
        local = hcl_edit.LOCAL_REF.fullmatch(inner)
        if local is not None:
            if local.group(1) in through:
                return None
            if local.group(1) not in local_values:
                return base(expression)
            path, value = local_values[local.group(1)]
            attribute = value.get(local.group(2)) if local.group(2) is not None else value
            if attribute is None:
                return None
            return stands_for(_raw(texts[path], attribute), through | {local.group(1)})
        source = hcl_edit.DATA_ARN.fullmatch(inner)
        if source is None:
            return base(expression)
        if source.group(1) not in data:
            return base(expression)
        path, body = data[source.group(1)]
        if body.get("arn") is not None:
            return stands_for(_raw(texts[path], body.get("arn")), through)
        named = _string(body.get("name"))
        return hcl_edit.named_policy(replace, named)

    return stands_for


# --- text edits -------------------------------------------------------------------------------------


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def remove(text: str, container: Node, index: int) -> str:
    """``text`` without the ``index``-th member (or item) of ``container`` and the comma that went with it;
    whole lines when it was alone on its lines."""
    spans = container.spans()
    start, end = spans[index]
    if len(spans) == 1:
        return text[: container.start + 1] + text[container.end - 1 :]
    if index < len(spans) - 1:
        following = spans[index + 1][0]
        line, next_line = _line_start(text, start), _line_start(text, following)
        if line != next_line and not text[line:start].strip() and not text[next_line:following].strip():
            return text[:line] + text[next_line:]
        return text[:start] + text[following:]
    return text[: spans[index - 1][1]] + text[end:]


def _unit(text: str) -> str:
    """The file's indentation step (two spaces when it has none)."""
    match = re.search(r"^( +|\t+)\S", text, re.M)
    return match.group(1) if match else "  "


def _render(value: Any, indent: str, unit: str, multiline: bool) -> str:
    """``value`` as JSON written at ``indent`` (its first line not indented), as the file writes JSON."""
    if not multiline:
        return json.dumps(value, separators=(", ", ": "))
    lines = json.dumps(value, indent=len(unit) if unit.startswith(" ") else "\t").split("\n")
    return "\n".join([lines[0]] + [indent + line for line in lines[1:]])


def insert(text: str, container: Node, key: str | None, value: Any) -> str:
    """``text`` with ``"key": value`` (or, for an array, ``value``) appended to ``container``, indented as its
    other members are."""
    unit = _unit(text)
    spans = container.spans()
    member = "" if key is None else json.dumps(key) + ": "
    multiline = "\n" in text[container.start : container.end] or (not spans and "\n" in text)
    if spans:
        first, last_end = spans[0][0], spans[-1][1]
        if multiline:
            indent = text[_line_start(text, first) : first]
            rendered = member + _render(value, indent, unit, True)
            return text[:last_end] + ",\n" + indent + rendered + text[last_end:]
        return text[:last_end] + ", " + member + _render(value, "", unit, False) + text[last_end:]
    line = _line_start(text, container.start)
    outer = text[line : line + len(text[line:]) - len(text[line:].lstrip(" \t"))]
    if not multiline:
        return (
            text[: container.start + 1] + member + _render(value, "", unit, False) + text[container.end - 1 :]
        )
    indent = outer + unit
    rendered = member + _render(value, indent, unit, True)
    return text[: container.start + 1] + "\n" + indent + rendered + "\n" + outer + text[container.end - 1 :]


# --- the edit -----------------------------------------------------------------------------------------

RoleRefs = Callable[[str, str], re.Pattern[str]]
# "managed_policy_arns": "${local.X}": the local's list edited where the module sets it, in the module's
# files (edited in place), the reader's span in the role's file left out of its other readers
# (terraform._edit_arn_local)
LocalList = Callable[[dict[str, str], tuple[int, int], str, hcl_edit.Replaced, list[str], EditResult], None]
# a role's list given as a local (unwrapped: "${local.X}" is local.X), in both syntaxes
LOCAL_LIST = re.compile(r"local\.([A-Za-z_][\w-]*)")


def _template(document: dict[str, Any]) -> str:
    """The policy as a JSON-syntax string, a template: IAM's ``${aws:username}`` must stay literal."""
    return re.sub(r"([$%])\{", r"\1\1{", json.dumps(document, indent=2))


def _untemplate(value: str) -> str:
    return re.sub(r"([$%])\1\{", r"\1{", value)


def _find(root: Node, rtype: str, label: str) -> Resource | None:
    return next((r for r in resources(root) if r.rtype == rtype and r.label == label), None)


def _remove_resource(text: str, rtype: str, label: str, kind: str = "resource") -> str:
    """``text`` without the resource (or, ``kind`` "data", the data source), without its type's object when
    that is left empty, and without the ``kind`` member when that is left empty in its turn."""
    root = parse(text)
    held = root.get(kind)
    for by_type in objects(held):
        for type_index, (name, _, by_label) in enumerate(by_type.members):
            if name != rtype:
                continue
            for labelled in objects(by_label):
                for index, (key, _, _) in enumerate(labelled.members):
                    if key != label:
                        continue
                    if len(labelled.members) > 1 or labelled is not by_label:
                        return remove(text, labelled, index)
                    if len(by_type.members) == 1 and by_type is held:
                        return remove(text, root, [k for k, _, _ in root.members].index(kind))
                    return remove(text, by_type, type_index)
    raise GitOpsEditError(f"{kind} {rtype}.{label} not found")  # the caller found it in this text


def _data_sources(text: str) -> list[str]:
    """The labels of the ``data "aws_iam_policy"`` sources of a document."""
    return [
        label
        for by_type in objects(parse(text).get("data"))
        for labelled in objects(by_type.get("aws_iam_policy"))
        for label, _, _ in labelled.members
    ]


def _drop_unread_data(
    before: dict[str, str], after: dict[str, str], replaced: hcl_edit.Replaced, result: EditResult
) -> None:
    """The data sources of broad policies that only what the edit removed read (``hcl_edit.
    drop_unread_data_sources``, the rule of the native syntax too) go from ``after``."""

    def remove(text: str, label: str) -> str | None:
        has = label in _data_sources(text)
        return _remove_resource(text, "aws_iam_policy", label, kind="data") if has else None

    result.notes += hcl_edit.drop_unread_data_sources(before, after, replaced, _data_sources, remove)


def _add_resource(text: str, rtype: str, label: str, body: dict[str, Any]) -> str:
    root = parse(text)
    holders = objects(root.get("resource"))
    if not holders:
        return insert(text, root, "resource", {rtype: {label: body}})
    for by_type in holders:
        typed = objects(by_type.get(rtype))
        if typed:
            return insert(text, typed[-1], label, body)
    return insert(text, holders[-1], rtype, {label: body})


def edit(
    texts: dict[str, str],
    role: FoundRole,
    request: EditRequest,
    replaced: hcl_edit.Replaced,
    role_refs: RoleRefs,
    policy_labels: list[str],
    variables: hcl.Variables | None = None,
    local_list: LocalList | None = None,
) -> EditResult:
    """Removes the role's broad attachments (``aws_iam_role_policy_attachment`` resources of it, entries of
    its ``managed_policy_arns``) from the JSON files of its directory and adds the generated policy as an
    ``aws_iam_policy``, attached the way the role attaches policies (its exclusive list when it has one)."""
    folder = posixpath.dirname(role.path)
    texts = {p: t for p, t in texts.items() if posixpath.dirname(p) == folder}
    for path, text in sorted(texts.items()):
        # a file of the role's module that is not JSON may attach the broad policy: named, not skipped
        try:
            parse(text)
        except GitOpsEditError as err:
            raise GitOpsEditError(
                f"{path}: {err}: the file is in the directory of the role's aws_iam_role.{role.label} "
                f"({role.path}), the Terraform module policygen edits; fix it and run again"
            ) from None
    result = EditResult(role_location=f"{role.path} (resource aws_iam_role.{role.label})")
    replaced = resolving(texts, request.replace_arns, replaced)
    refs = role_refs(role.label, request.role_name)
    new = dict(texts)
    role_res = _find(parse(texts[role.path]), "aws_iam_role", role.label)
    assert role_res is not None
    _refuse_instances(texts[role.path], role.path, role_res)
    provider = _string(role_res.body.get("provider"))
    removed: list[str] = []  # addresses of the attachments removed
    # attachments of the role
    for path in sorted(texts):
        for res in list(resources(parse(texts[path]))):
            if res.rtype != "aws_iam_role_policy_attachment":
                continue
            role_value, arn_value = res.body.get("role"), res.body.get("policy_arn")
            if (
                role_value is None
                or arn_value is None
                or refs.fullmatch(hcl.unwrapped(_raw(texts[path], role_value))) is None
            ):
                continue
            arn_text = _raw(texts[path], arn_value)
            result.seen.append(f"{path}: aws_iam_role_policy_attachment.{res.label} ({arn_text})")
            arn = replaced(arn_text)
            through = hcl.VAR_REF.fullmatch(hcl.unwrapped(arn_text))
            if through is not None and variables is not None:
                found = variables(through.group(1))
                result.seen[-1] = result.seen[-1][:-1] + (
                    f", {found.value} ({found.source}))"
                    if found.value is not None
                    else f"; {NOT_LITERAL}: {found.shown}: {found.why})"
                )
                if arn is not None:
                    where = f"aws_iam_role_policy_attachment.{res.label}"
                    result.notes.append(variable_left(found, path, where, arn))
            if arn is None:
                continue
            _refuse_instances(texts[path], path, res)
            new[path] = _remove_resource(new[path], res.rtype, res.label)
            removed.append(f"{res.rtype}.{res.label}")
            result.detached.append(arn)
            protected = _lifecycle(res.body, "prevent_destroy")
            result.notes.append(
                f"{path}: removed resource aws_iam_role_policy_attachment.{res.label} ({arn})"
                + (
                    _PROTECTION_GOES
                    if protected is not None and _raw(texts[path], protected) == "true"
                    else ""
                )
            )
    for path in sorted(texts):
        labels = [r.label for r in resources(parse(new[path])) if r.rtype == _POLICY_ATTACHMENT]
        for label in labels:
            new[path] = _leave_policy_attachment(new[path], path, label, refs, replaced, result, removed)
    wanted = [f"${{aws_iam_policy.{label}.arn}}" for label in policy_labels]
    # the exclusive resources of the role: the generated policy goes into their list
    exclusive = [
        (path, res.label)
        for path in sorted(texts)
        for res in resources(parse(new[path]))
        if res.rtype == _EXCLUSIVE
        and (named := res.body.get("role_name")) is not None
        and refs.fullmatch(hcl.unwrapped(_raw(new[path], named))) is not None
    ]
    for path, label in exclusive:
        held = _find(parse(new[path]), _EXCLUSIVE, label)
        assert held is not None
        _refuse_instances(new[path], path, held)
        listed = held.body.get("policy_arns")
        result.seen.append(f"{path}: {_EXCLUSIVE}.{label} policy_arns = {_raw(new[path], listed)}")
        _check_not_ignored(new[path], path, held, "policy_arns")
        new[path] = _edit_list(
            new[path], path, _EXCLUSIVE, label, "policy_arns", replaced, wanted, result, variables
        )
    # the role's exclusive list
    text = new[role.path]
    current = _find(parse(text), "aws_iam_role", role.label)
    assert current is not None
    arns = current.body.get("managed_policy_arns")
    from_local = LOCAL_LIST.fullmatch(hcl.unwrapped(_raw(text, arns))) if arns is not None else None
    if arns is not None:
        result.seen.append(f"{role.path}: managed_policy_arns = {_raw(text, arns)}")
        _check_not_ignored(text, role.path, current, "managed_policy_arns")
    if from_local is not None and local_list is not None:
        new[role.path] = text
        local_list(new, (current.body.start, current.body.end), from_local.group(1), replaced, wanted, result)
        text = new[role.path]
    elif arns is not None:
        text = _edit_list(
            text,
            role.path,
            "aws_iam_role",
            role.label,
            "managed_policy_arns",
            replaced,
            wanted,
            result,
            variables,
        )
    # the generated policy, and its attachment when the role has no exclusive list
    meta = {"provider": provider} if provider is not None else {}
    for index, document in enumerate(request.policies):
        label = policy_labels[index]
        body: dict[str, Any] = {
            **meta,
            "name": request.policy_name(index),
            "description": request.description,
            "policy": _template(document),
        }
        text = _upsert_policy(text, new, role.path, label, body, document, result)
        if arns is None and not exclusive:
            attach = {
                **meta,
                "role": f"${{aws_iam_role.{role.label}.name}}",
                "policy_arn": f"${{aws_iam_policy.{label}.arn}}",
            }
            if not any(
                _find(parse(t), "aws_iam_role_policy_attachment", label) for t in [text, *new.values()]
            ):
                text = _add_resource(text, "aws_iam_role_policy_attachment", label, attach)
                result.notes.append(f"{role.path}: added resource aws_iam_role_policy_attachment.{label}")
                result.attachment_added = True
    new[role.path] = text
    # what attaches the policies now: the role's own list, an exclusive resource, or our attachment
    holder = (
        f"aws_iam_role.{role.label}"
        if arns is not None
        else f"{_EXCLUSIVE}.{exclusive[0][1]}"
        if exclusive
        else f"aws_iam_role_policy_attachment.{policy_labels[0]}"
    )
    for address in removed:
        _repoint(new, address, holder, result)
    _drop_unread_data(texts, new, replaced, result)
    for path, text in new.items():
        if text != texts[path]:
            root = parse(text)  # a broken edit fails here, never in the user's pipeline
            # a file the edit left without any member is deleted, as the native syntax deletes one left empty
            result.changes[path] = text if root.kind != "object" or root.members else None
    return result


# "lifecycle { prevent_destroy = true }" on a block removed from the configuration does not stop its
# destruction (Terraform language docs, "The lifecycle Meta-Argument"), as in the native syntax
_PROTECTION_GOES = (
    "; it had lifecycle prevent_destroy true, which goes with the resource: Terraform then destroys it, so "
    "review that this protection may go"
)


def _lifecycle(body: Node, name: str) -> Node | None:
    return next((o.get(name) for o in objects(body.get("lifecycle")) if o.get(name) is not None), None)


def _check_not_ignored(text: str, path: str, res: Resource, member: str) -> None:
    """A resource whose ``member`` (the role's ``managed_policy_arns``, an exclusive resource's
    ``policy_arns``, a policy attachment's ``roles``) changes Terraform ignores: the edit would change
    nothing in AWS."""
    ignored = _lifecycle(res.body, "ignore_changes")
    if ignored is None:
        return
    names = [_string(item) for item in ignored.items] if ignored.kind == "array" else [_string(ignored)]
    if any(n in ("all", member) for n in names):
        raise GitOpsEditError(
            f"{path}: {res.rtype}.{res.label} has lifecycle ignore_changes {_raw(text, ignored)}: "
            f"Terraform does not apply a change of its {member}, so this edit would leave the "
            "broad policy attached in AWS. Remove it from ignore_changes in a change of its own (or replace "
            "the policy by hand), then run again. Nothing was changed"
        )


# "Resource for maintaining exclusive management of managed IAM policies assigned to an AWS IAM role"
# (the AWS provider's aws_iam_role_policy_attachments_exclusive: role_name, policy_arns), and
# aws_iam_policy_attachment, which attaches one policy to each role, user and group it lists, exclusively
# across the account (the provider's docs): as terraform.py reads them in the native syntax
_EXCLUSIVE = "aws_iam_role_policy_attachments_exclusive"
_POLICY_ATTACHMENT = "aws_iam_policy_attachment"


def _edit_list(
    text: str,
    path: str,
    rtype: str,
    label: str,
    member: str,
    replaced: hcl_edit.Replaced,
    wanted: list[str],
    result: EditResult,
    variables: hcl.Variables | None = None,
) -> str:
    """The list ``member`` of a resource without its broad items and with ``wanted``. A list given as a
    variable (``"${var.policies}"``) is written in its place as its value (``_variable_in_place``)."""

    def listed_now(text: str) -> Node | None:
        current = _find(parse(text), rtype, label)
        assert current is not None
        return current.body.get(member)

    owner = f"{member} of {rtype}.{label}"
    return edit_list_value(text, path, owner, listed_now, replaced, wanted, result, variables)


def edit_list_value(
    text: str,
    path: str,
    owner: str,
    listed_now: Callable[[str], Node | None],
    replaced: hcl_edit.Replaced,
    wanted: list[str],
    result: EditResult,
    variables: hcl.Variables | None = None,
) -> str:
    """The list ``listed_now`` finds in ``text`` (a resource's, or a local's: ``terraform._edit_arn_local``)
    without its broad items and with ``wanted``: an array, a variable (``"${var.policies}"``, written in its
    place as its value, ``_variable_in_place``), or a ``"${concat(...)}"``, its literal items edited where
    they are (``_concat_literals``) or else written out as the list it makes (``_concat_in_place``)."""
    given = listed_now(text)
    named = hcl.VAR_REF.fullmatch(hcl.unwrapped(_raw(text, given))) if given is not None else None
    if given is not None and named is not None and variables is not None:
        text = _variable_in_place(text, path, owner, given, variables(named.group(1)), result)
    elif given is not None and variables is not None:
        in_place = _concat_literals(text, path, owner, given, replaced, wanted, variables, result)
        if in_place is not None:
            return in_place
        text = _concat_in_place(text, path, owner, given, variables, result)
    return edit_array(text, path, owner, listed_now, replaced, wanted, result)


def is_concat(value: str) -> bool:
    """Whether a JSON value as written is a string that is one interpolation of a ``concat()``."""
    try:
        decoded = json.loads(value)
    except ValueError:
        return False
    return isinstance(decoded, str) and _CONCAT.fullmatch(decoded.strip()) is not None


def _concat_literals(
    text: str,
    path: str,
    owner: str,
    given: Node,
    replaced: hcl_edit.Replaced,
    wanted: list[str],
    variables: hcl.Variables,
    result: EditResult,
) -> str | None:
    """``text`` with ``"${concat([\"arn:...\"], var.extra)}"`` losing the broad items of its literal lists
    and taking ``wanted`` in the first, the rest of the string as written, where the native syntax edits its
    concat() so (``hcl_edit.edit_concat_literals``): a string of this syntax is a template ("JSON
    Configuration Syntax": Expression Mapping), and one that is a single interpolation is the expression
    the native syntax writes. The string is encoded again as the file encodes it (``\\uXXXX`` escapes or
    not). None where that edit does not apply: ``_concat_in_place`` writes the list out."""
    whole = _CONCAT.fullmatch(given.string) if given.kind == "string" else None
    if whole is None:
        return None
    # inside the expression a reference is written bare: "${aws_iam_policy.X.arn}" is aws_iam_policy.X.arn
    native = [w[2:-1] if w.startswith("${") and w.endswith("}") else json.dumps(w) for w in wanted]
    edited = hcl_edit.edit_concat_literals(
        given.string, whole.start(1), whole.end(1), replaced, native, variables
    )
    if edited is None:
        return None
    ascii_only = json.dumps(given.string, ensure_ascii=False) != _raw(text, given)
    record(result, edited, path, owner)
    return text[: given.start] + json.dumps(edited.text, ensure_ascii=ascii_only) + text[given.end :]


def record(result: EditResult, edited: hcl_edit.LiteralEdit, path: str, owner: str) -> None:
    """What an edit of a list or map of policy ARNs removed (detached) and added (attached), as notes: in
    both syntaxes (``terraform.py`` too)."""
    for arn in edited.removed:
        result.detached.append(arn)
        result.notes.append(f"{path}: removed {arn} from {owner}")
    for entry in edited.added:
        result.notes.append(f"{path}: added {entry} to {owner}")
        result.attachment_added = True


def edit_array(
    text: str,
    path: str,
    owner: str,
    listed_now: Callable[[str], Node | None],
    replaced: hcl_edit.Replaced,
    wanted: list[str],
    result: EditResult,
) -> str:
    """``text`` with the array ``listed_now`` finds in it (read again after each change) without its broad
    items and with ``wanted``, one item at a time so that every other byte stays: a resource's list, or a
    local's (``terraform._edit_arn_local``)."""

    def array(text: str) -> Node:
        listed = listed_now(text)
        if listed is None or listed.kind != "array":
            raise GitOpsEditError(f"{path}: {owner} is not a list; edit it by hand")
        return listed

    text, removed = drop_items(text, array, replaced)
    for arn in removed:
        result.detached.append(arn)
        result.notes.append(f"{path}: removed {arn} from {owner}")
    for reference in wanted:
        listed = array(text)
        if reference not in [_string(item) for item in listed.items]:
            text = insert(text, listed, None, reference)
            result.notes.append(f"{path}: added {reference} to {owner}")
            result.attachment_added = True
    return text


def drop_items(
    text: str, listed_now: Callable[[str], Node], replaced: hcl_edit.Replaced
) -> tuple[str, list[str]]:
    """``text`` without the items of the array ``listed_now`` finds in it that stand for a replaced ARN,
    removed one at a time (``remove``) so that every other byte stays, and those ARNs."""
    removed: list[str] = []
    while True:
        listed = listed_now(text)
        index = next((i for i, item in enumerate(listed.items) if replaced(_raw(text, item))), None)
        if index is None:
            return text, removed
        arn = replaced(_raw(text, listed.items[index]))
        assert arn is not None
        text = remove(text, listed, index)
        removed.append(arn)


def drop_members(
    text: str, object_now: Callable[[str], Node], arn: Callable[[str, str], str | None]
) -> tuple[str, list[str]]:
    """``drop_items`` for an object (a map local a ``for_each`` reads, "JSON Configuration Syntax": an
    object is a map): without the members that stand for a replaced ARN (``arn`` of the key and the
    value as an expression, ``hcl_expression``; ``hcl_edit.entry_arn``, as a native map's entries), removed
    one at a time so that every other byte stays, and those ARNs."""
    removed: list[str] = []
    while True:
        members = object_now(text)
        found = [
            (index, stands)
            for index, (key, _, value) in enumerate(members.members)
            if (stands := arn(key, hcl_expression(text, value))) is not None
        ]
        if not found:
            return text, removed
        text = remove(text, members, found[0][0])
        removed.append(found[0][1])


def hcl_expression(text: str, node: Node) -> str:
    """A JSON value as the native syntax's expression readers take it: a string or literal as written
    (``_raw``), an object as an object literal on one line (``{ "name" = "x", "policy_arn" = "arn:..." }``,
    which ``hcl_edit.object_values`` reads), an array as a list of such."""
    if node.kind == "object":
        pairs = (f"{json.dumps(key)} = {hcl_expression(text, value)}" for key, _, value in node.members)
        return "{ " + ", ".join(pairs) + " }"
    if node.kind == "array":
        return "[" + ", ".join(hcl_expression(text, item) for item in node.items) + "]"
    return _raw(text, node)


def local_value(text: str, name: str) -> Node | None:
    """The value a JSON file's ``locals`` object sets ``name`` to ("JSON Configuration Syntax": locals
    blocks), None when it sets none."""
    return next(
        (
            value
            for block in objects(parse(text).get("locals"))
            for local, _, value in block.members
            if local == name
        ),
        None,
    )


def variable_left(found: hcl.Variable, path: str, where: str, arn: str) -> str:
    """The note of an attachment removed because its variable's value is a broad ARN, in both syntaxes
    (``terraform.py`` too); what becomes of the variable is said by ``terraform_variables.drop_unread``
    (removed when nothing reads it any more, else left for what does)."""
    return f"{path}: {where} took {arn} from var.{found.name} ({found.source})"


def variable_written(found: hcl.Variable, path: str, reference: str) -> str:
    """The note of a reference to a variable written in place as its value (``reference``: the attribute
    as it was written), in both syntaxes (``terraform.py`` too); what becomes of the variable is said by
    ``terraform_variables.drop_unread``."""
    return f"{path}: {reference} replaced by the variable's value ({found.source})"


def _variable_in_place(
    text: str, path: str, owner: str, given: Node, found: hcl.Variable, result: EditResult
) -> str:
    """``text`` with the reference to a variable replaced by its value, a list of strings, written as the
    file writes JSON, so that the edit edits it as if written there; the variable is left as it is, for
    whatever else reads it (as in the native syntax). Refused naming the variable and why when the
    module's files do not give its value."""
    items = _list_of(text, path, owner, given, found)
    result.notes.append(variable_written(found, path, f"{owner} = {_raw(text, given)}"))
    # a string of this syntax is a template: a literal ${ is written $${
    escaped = [_escaped(item) for item in items]
    return _written(text, given, escaped, "\n" in found.value.strip() if found.value else False)


def _list_of(text: str, path: str, owner: str, given: Node, found: hcl.Variable) -> list[str]:
    """The strings of a list variable's value, or the run refused naming the variable and why: one refusal
    for a variable written in place and for a concat() argument, so that both say the same of it."""
    items = _strings(found.value) if found.value is not None else None
    if items is None:
        why = found.why if found.value is None else f"its value {found.value} is not a list of strings"
        raise GitOpsEditError(
            f"{path}: {owner} = {_raw(text, given)} is not a list policygen can read: {found.shown}: {why}. "
            "Write the list in the module's files (a default, terraform.tfvars) or edit it by hand. Nothing "
            "was changed"
        )
    return items


def _escaped(item: str) -> str:
    """A string as a JSON-syntax template writes it: a literal ``${`` (``%{``) is ``$${`` (``%%{``)."""
    return re.sub(r"([$%])\{", r"\1\1{", item)


def _written(text: str, given: Node, items: list[str], multiline: bool) -> str:
    """``text`` with the value ``given`` replaced by the array of ``items``, indented as the file indents
    JSON, so that the edit that follows finds the list as if it had been written there."""
    line = _line_start(text, given.start)
    indent = text[line : line + len(text[line:]) - len(text[line:].lstrip(" \t"))]
    return text[: given.start] + _render(items, indent, _unit(text), multiline) + text[given.end :]


# "${concat(...)}": one interpolation of a concat() call (CDK for Terraform's Fn.concat)
_CONCAT = re.compile(r"\$\{\s*(concat\s*\((?s:.*)\))\s*\}")
# a reference written as an item of concat()'s literal list (aws_iam_policy.extra.arn, module.x.arns[0])
_REFERENCE = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])+")


def _concat_in_place(
    text: str, path: str, owner: str, given: Node, variables: hcl.Variables, result: EditResult
) -> str:
    """``text`` with ``"${concat(var.base, [...])}"`` written as the one list concat() makes, when it reads
    a variable and each argument is a variable whose value the module's files give or a literal list of
    strings and references: the edit then edits that list as if written there, as the native syntax does
    (``terraform._flattened``). concat() "takes two or more lists and combines them into a single list", in
    argument order (Terraform language docs, "Functions": concat); a reference item stays an interpolation
    (``"${aws_iam_policy.extra.arn}"``), a string item a string. ``text`` as it is for any other value,
    refused naming the variable and why when its value is not given or not a list of strings."""
    try:
        value = json.loads(_raw(text, given))
    except ValueError:
        return text
    whole = _CONCAT.fullmatch(value.strip()) if isinstance(value, str) else None
    if whole is None:
        return text
    expression = whole.group(1)
    paren = expression.index("(")
    if hcl.match_close(expression, paren) != len(expression) - 1:
        return text
    # each argument: a variable's name, or the literal list's items as written; any other expression's
    # value is not in the text, whatever the variables hold, so it is found before a variable is refused
    arguments: list[str | list[str]] = []
    for argument in hcl.list_items(expression, paren):
        part = argument.text(expression).strip()
        named = hcl.VAR_REF.fullmatch(part)
        if named is not None:
            arguments.append(named.group(1))
        elif part.startswith("[") and hcl.match_close(part, 0) == len(part) - 1:
            written: list[str] = []
            for item in hcl.list_items(part, 0):
                one = item.text(part).strip()
                literal = hcl.string_literal(one)
                if literal is not None:
                    written.append(literal)  # no $ in it (string_literal): nothing to escape
                elif _REFERENCE.fullmatch(one):
                    written.append(f"${{{one}}}")
                else:
                    return text  # another expression: its value is not in the text
            arguments.append(written)
        else:
            return text
    if all(isinstance(a, list) for a in arguments):
        return text
    items: list[str] = []
    read: list[hcl.Variable] = []
    for given_as in arguments:
        if isinstance(given_as, list):
            items += given_as
            continue
        found = variables(given_as)
        items += [_escaped(item) for item in _list_of(text, path, owner, given, found)]
        read.append(found)
    result.notes.append(
        f"{path}: {owner} = {terraform_modules.brief(_raw(text, given))} written as the list it makes, with "
        f"the value of {', '.join(f'var.{v.name} ({v.source})' for v in read)}"
    )
    return _written(text, given, items, any("\n" in (v.value or "").strip() for v in read))


def _strings(value: str) -> list[str] | None:
    """The strings of a list literal (JSON, or the native syntax's), None for any other value."""
    try:
        parsed = json.loads(value)
    except ValueError:
        if not value.strip().startswith("["):
            return None
        texts = [item.text(value) for item in hcl.list_items(value.strip(), 0)]
        strings = [hcl.string_literal(t) for t in texts]
        return [s for s in strings if s is not None] if None not in strings else None
    if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
        return parsed
    return None


def _leave_policy_attachment(
    text: str,
    path: str,
    label: str,
    refs: re.Pattern[str],
    replaced: hcl_edit.Replaced,
    result: EditResult,
    removed: list[str],
) -> str:
    """An ``aws_iam_policy_attachment`` of a broad policy listing the role loses it from ``roles``, and goes
    when it lists no one else."""
    res = _find(parse(text), _POLICY_ATTACHMENT, label)
    assert res is not None
    roles = res.body.get("roles")
    if roles is None or roles.kind != "array":
        return text
    ours = [i for i, item in enumerate(roles.items) if refs.fullmatch(hcl.unwrapped(_raw(text, item)))]
    if not ours:
        return text
    arn_node = res.body.get("policy_arn")
    where = f"{_POLICY_ATTACHMENT}.{label}"
    result.seen.append(f"{path}: {where} ({_raw(text, arn_node)})")
    arn = replaced(_raw(text, arn_node)) if arn_node is not None else None
    if arn is None:
        return text
    _refuse_instances(text, path, res)
    others = [_raw(text, item) for i, item in enumerate(roles.items) if i not in ours]
    others += [
        f"{name} {_raw(text, given)}"
        for name in ("users", "groups")
        if (given := res.body.get(name)) is not None and not (given.kind == "array" and not given.items)
    ]
    result.detached.append(arn)
    if not others:
        protected = _lifecycle(res.body, "prevent_destroy")
        result.notes.append(
            f"{path}: removed resource {where} ({arn}; it attached the policy to nothing else)"
            + (_PROTECTION_GOES if protected is not None and _raw(text, protected) == "true" else "")
        )
        removed.append(where)
        return _remove_resource(text, _POLICY_ATTACHMENT, label)
    _check_not_ignored(text, path, res, "roles")
    for index in reversed(ours):
        current = _find(parse(text), _POLICY_ATTACHMENT, label)
        assert current is not None
        listed = current.body.get("roles")
        assert listed is not None
        text = remove(text, listed, index)
    result.notes.append(f"{path}: removed the role from resource {where} ({arn})")
    return text


def _repoint(texts: dict[str, str], address: str, holder: str, result: EditResult) -> None:
    """A ``depends_on`` naming a removed attachment names what attaches the policies now (else Terraform
    fails: "Reference to undeclared resource"); any other reference to it fails the run naming it."""
    pattern = hcl.reference(address)
    for path in sorted(texts):
        text = texts[path]
        while True:
            item = next(
                (i for i in _depends_on(parse(text)) if i.kind == "string" and i.string == address), None
            )
            if item is None:
                break
            text = text[: item.start] + json.dumps(holder) + text[item.end :]
        if text != texts[path]:
            result.notes.append(f"{path}: depends_on the removed {address} now names {holder}")
            texts[path] = text
        left = pattern.search(text)
        if left is not None:
            line = text.count("\n", 0, left.start()) + 1
            raise GitOpsEditError(
                f"{path}:{line} refers to {address}, which this edit removes; policygen repoints depends_on "
                "only: edit it by hand (or remove the reference) and run again. Nothing was changed"
            )


def _depends_on(node: Node) -> Iterator[Node]:
    """Every item of a ``depends_on`` array in the document."""
    for key, _, value in node.members:
        if key == "depends_on" and value.kind == "array":
            yield from value.items
        yield from _depends_on(value)
    for item in node.items:
        yield from _depends_on(item)


def _refuse_instances(text: str, path: str, res: Resource) -> None:
    """A resource with ``count`` or ``for_each``: its instances are not edited in this syntax."""
    for repeat in ("count", "for_each"):
        given = res.body.get(repeat)
        if given is not None:
            raise GitOpsEditError(
                f"{path}: {res.rtype}.{res.label} has {repeat} ({_raw(text, given)}): policygen does not "
                "edit the instances of a resource in Terraform's JSON syntax; replace the broad policy by "
                "hand. Nothing was changed"
            )


def _upsert_policy(
    text: str,
    texts: dict[str, str],
    role_path: str,
    label: str,
    body: dict[str, Any],
    document: dict[str, Any],
    result: EditResult,
) -> str:
    """Our policy of an earlier run is kept when it holds the same document, replaced otherwise; else added
    to the role's file."""
    for path in sorted(texts):
        current_text = text if path == role_path else texts[path]
        existing = _find(parse(current_text), "aws_iam_policy", label)
        if existing is None:
            continue
        written = _string(existing.body.get("policy"))
        if written is not None and same_json_text(_untemplate(written), json.dumps(document)):
            return text
        updated = _remove_resource(current_text, "aws_iam_policy", label)
        updated = _add_resource(updated, "aws_iam_policy", label, body)
        result.notes.append(f"{path}: updated resource aws_iam_policy.{label}")
        if path == role_path:
            return updated
        texts[path] = updated
        return text
    result.notes.append(f"{role_path}: added resource aws_iam_policy.{label}")
    return _add_resource(text, "aws_iam_policy", label, body)
