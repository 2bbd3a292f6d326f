"""Terraform: ``aws_iam_role`` with ``managed_policy_arns`` or ``aws_iam_role_policy_attachment`` resources,
or a terraform-aws-modules role module (``terraform_modules.py``).

Adds an ``aws_iam_policy`` (the document in a heredoc) and attaches it the way the role already attaches
policies; removes the broad attachments. Everything else in the files stays byte-for-byte the same.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from policygen_operator.domain.gitops import (
    hcl,
    hcl_edit,
    terraform_eks,
    terraform_json,
    terraform_modules,
    terraform_variables,
)
from policygen_operator.domain.gitops.model import (
    EditRequest,
    EditResult,
    GitOpsEditError,
    same_json_text,
    tf_identifier,
)


@dataclass(frozen=True)
class _Found:
    path: str
    block: hcl.Block


def edit(files: dict[str, str], request: EditRequest, whole_module: bool = True) -> EditResult:
    """``whole_module``: ``files`` hold every file of the module edited (``path`` a folder), not one file
    of it, so that a variable nothing among them reads is read by nothing (``terraform_variables``)."""
    try:
        result = _edit(files, request, whole_module)
    except GitOpsEditError as err:
        grunt = _terragrunt(files, request)
        if not grunt:
            raise
        raise GitOpsEditError(f"{err}; {grunt}") from None
    # whatever the edit took a broad policy from, a variable it left unread goes (both syntaxes, every form)
    terraform_variables.drop_unread(files, result, whole_module)
    return result


_TERRAGRUNT_INPUTS = re.compile(r"^inputs[ \t]*=[ \t]*\{", re.M)


def _terragrunt(files: dict[str, str], request: EditRequest) -> str:
    """Terragrunt units whose ``inputs`` name the role: said when the run fails.

    A terragrunt.hcl calls a module (``terraform { source = "tfr:///terraform-aws-modules/iam/aws//modules/
    iam-assumable-role?version=5.30.0" }``) with ``inputs = { role_name = "...", custom_role_policy_arns =
    [...], attach_admin_policy = true }``: the role is there, but no .tf file holds it, and the generated
    policy would need an ``aws_iam_policy`` that Terragrunt's inputs cannot create. The run said only "no
    Terraform file (*.tf)" or "no aws_iam_role", leaving the user to guess why the unit was not read."""
    found = []
    for path, text in sorted(files.items()):
        if posixpath.basename(path) != "terragrunt.hcl" and not path.endswith(".terragrunt.hcl"):
            continue
        inputs = _TERRAGRUNT_INPUTS.search(text)
        if inputs is None:
            continue
        try:
            entries = hcl_edit.map_entries(text, inputs.end() - 1)
        except GitOpsEditError:
            continue
        names = [
            f"{e.key} = {text[e.value_start : e.value_end]}"
            for e in entries
            if e.key in _MODULE_NAME_INPUTS
            and (value := hcl.string_literal(text[e.value_start : e.value_end])) is not None
            and (
                value == request.role_name
                or (e.key.endswith("prefix") and terraform_modules.completes(request.role_name, value))
            )
        ]
        if names:
            found.append(f"{path} ({', '.join(names)}, source = {_terragrunt_source(text)})")
    if not found:
        return ""
    return (
        f"role {request.role_name!r} is given as Terragrunt inputs: {'; '.join(found)}. policygen edits "
        "Terraform code (.tf), not a Terragrunt unit's inputs, where no aws_iam_policy for the generated "
        "policy can be declared: replace the broad policy there by hand, or call the module from a .tf "
        "file policygen can edit"
    )


def _terragrunt_source(text: str) -> str:
    """The module a unit calls, as its ``terraform`` block writes it; not the first ``source =`` line of
    the file, which may be a provider's in a generate block's heredoc (``required_providers { aws = {
    source = "hashicorp/aws" } }``)."""
    try:
        blocks = hcl.blocks(text)
    except GitOpsEditError:
        return "?"
    for block in blocks:
        source = hcl.find_attribute(text, block, "source") if block.type == "terraform" else None
        if source is not None:
            return source.value(text).strip()
    return "?"


def _edit(files: dict[str, str], request: EditRequest, whole_module: bool = True) -> EditResult:
    texts = {p: t for p, t in files.items() if p.endswith(".tf")}
    json_texts = {p: t for p, t in files.items() if p.endswith(terraform_json.SUFFIX)}
    in_json, json_unparsed = terraform_json.find_roles(json_texts, request.role_name)
    if in_json:
        return _edit_json(texts, json_texts, in_json, request, files, whole_module)
    if not texts:
        in_json_files = (
            f", nor an aws_iam_role named {request.role_name!r} in its {len(json_texts)} "
            f"{terraform_json.SUFFIX} file(s)"
            + "".join(f"; {p}: {e}" for p, e in sorted(json_unparsed.items()))
            if json_texts
            else ""
        )
        raise GitOpsEditError(
            f"no Terraform file (*.tf) under the path{in_json_files}; looked at {len(files)} file(s)"
        )
    parsed, unparsed = _parse(texts)
    modules, module_others = terraform_modules.find(texts, parsed, request.role_name)
    groups, unnamed_groups = terraform_eks.find(texts, parsed, request.role_name, files)
    role = _find_role(
        texts,
        parsed,
        request.role_name,
        modules,
        module_others + unnamed_groups,
        unparsed,
        request.replace_arns,
        groups,
        json_texts,
    )
    if role is None and groups:
        group = groups[0]
        elsewhere = _unparsed_elsewhere(unparsed, group.path, f"module.{group.block.labels[0]}")
        elsewhere += _other_directories(texts, parsed, group.path, request.role_name)
        texts = _one_module(texts, group.path)
        variables = hcl.variables(files, posixpath.dirname(group.path))
        result = _edit_group(texts, _one_module(parsed, group.path), group, request, variables)
        result.seen += elsewhere
        return result
    if role is None:
        found = modules[0]
        elsewhere = _unparsed_elsewhere(unparsed, found.path, f"module.{found.block.labels[0]}")
        elsewhere += _other_directories(texts, parsed, found.path, request.role_name)
        texts, parsed = _one_module(texts, found.path), _one_module(parsed, found.path)
        result = _edit_module(texts, parsed, found, request)
        result.seen += elsewhere
        return result
    label = role.block.labels[1]
    _refuse_other_syntax(json_texts, role.path, f"aws_iam_role.{label}")
    result = EditResult(role_location=f"{role.path} (resource aws_iam_role.{label})")
    # A Terraform module is one directory: references resolve only there. Another directory (another
    # environment's root module, say) may hold a role and attachments with the very same labels.
    result.seen += _unparsed_elsewhere(unparsed, role.path, f"aws_iam_role.{label}")
    result.seen += _other_directories(texts, parsed, role.path, request.role_name)
    texts, parsed = _one_module(texts, role.path), _one_module(parsed, role.path)
    variables = hcl.variables(files, posixpath.dirname(role.path))
    policy_labels = _policy_labels(label, len(request.policies))
    role_refs = _role_refs(label, request.role_name)
    new_texts = dict(texts)
    # the module's definitions files (terraform.tfvars, ...) the edit changed: a variable's value lost a
    # broad ARN there (_edit_variable_count)
    definitions: dict[str, str] = {}
    keyed = _Keyed.of(texts[role.path], role.block, label)

    # the module's JSON files (a local's value written there), as the edit leaves them
    module_json = terraform_json.module_json(json_texts, posixpath.dirname(role.path))
    json_new = dict(module_json)

    arns_attr = hcl.find_attribute(texts[role.path], role.block, "managed_policy_arns")
    attachments = _attachments(texts, parsed, role_refs, variables)
    result.seen += [
        f"{path}: aws_iam_role_policy_attachment.{block.labels[1]} ({value.strip()})"
        for path, block, value in attachments
    ]
    if arns_attr is not None:
        result.seen.append(f"{role.path}: managed_policy_arns = {arns_attr.value(texts[role.path]).strip()}")
    replaced = terraform_json.resolving(
        module_json,
        request.replace_arns,
        policy_arns(texts, parsed, request.replace_arns, variables),
    )
    removed = [a for a in attachments if replaced(a[2])]
    # Remove whole blocks first, from the end of each file so that earlier offsets stay valid.
    for path in sorted({p for p, _, _ in removed}):
        for _, block, value in sorted((r for r in removed if r[0] == path), key=lambda r: -r[1].start):
            protected = _prevent_destroy(new_texts[path], block)
            new_texts[path] = hcl_edit.remove_block(new_texts[path], block)
            arn = replaced(value) or value
            result.detached.append(arn)
            result.notes.append(
                f"{path}: removed resource aws_iam_role_policy_attachment.{block.labels[1]} ({arn})"
                + (_PROTECTION_GOES if protected else "")
            )
            given = hcl.VAR_REF.fullmatch(hcl.unwrapped(value))
            if given is not None:
                where = f"aws_iam_role_policy_attachment.{block.labels[1]}"
                result.notes.append(terraform_json.variable_left(variables(given.group(1)), path, where, arn))
    for path, block, value in attachments:
        if replaced(value):
            continue  # removed whole above
        # read in the text the block was found in: the removals above moved the offsets of new_texts
        local = _local_collection(texts[path], block, value)
        counted = _variable_count(texts[path], block, value)
        if local is not None:
            pick = _picker(texts[path], block, role_refs)
            _edit_local_collection(
                new_texts,
                path,
                block,
                local,
                replaced,
                result,
                pick,
                False,
                whole_module,
                variables,
                json_new,
            )
        elif counted is not None:
            _edit_variable_count(
                files, new_texts, definitions, path, block, counted, replaced, result, whole_module
            )
        elif _EACH_ITEM.fullmatch(hcl.unwrapped(value)):
            pick = _picker(texts[path], block, role_refs)
            new_texts[path] = _edit_for_each(
                new_texts[path], block, replaced, result, path, pick, variables=variables
            )
        elif (named := hcl.VAR_REF.fullmatch(hcl.unwrapped(value))) is not None:
            # its value is what the module's files say it is, or the run is refused naming why not
            variable = variables(named.group(1))
            where = f"{path}: aws_iam_role_policy_attachment.{block.labels[1]} policy_arn = {value.strip()}"
            if variable.value is None:
                result.seen.append(f"{where} {NOT_LITERAL}: {variable.shown}: {variable.why}")
            else:
                result.seen.append(f"{where} is {variable.value} ({variable.source})")
        elif _VARIABLE.search(value):
            # a variable read in any other way (var.arns[0], var.m["k"], a function of it): its default
            # may be the broad ARN, but policygen reads no such expression; said, so that the "not
            # attached" error does not send the user to look for the attachment elsewhere
            result.seen.append(
                f"{path}: aws_iam_role_policy_attachment.{block.labels[1]} policy_arn = {value.strip()} "
                f"{NOT_LITERAL}: a variable's value is set by tfvars, -var or the module's caller, which "
                "policygen does not read"
            )
    result.seen += _unread_role_items(texts, parsed, replaced, variables)
    for path, block, value in _role_items(texts, parsed, role_refs, variables):
        # one policy attached to every role of the collection: the role's item leaves it
        result.seen.append(
            f"{path}: aws_iam_role_policy_attachment.{block.labels[1]} ({value.strip()}, per role of its "
            "for_each)"
        )
        if not replaced(value):
            continue
        pick = _picker(texts[path], block, role_refs)
        collection = _local_for_each(texts[path], block)
        if collection is not None:
            _edit_local_collection(
                new_texts,
                path,
                block,
                collection,
                replaced,
                result,
                pick,
                per_role=True,
                whole_module=whole_module,
                variables=variables,
                json_texts=json_new,
            )
        else:
            new_texts[path] = _edit_for_each(
                new_texts[path], block, replaced, result, path, pick, True, variables
            )
    for path, block in _blocks_of(new_texts, "aws_iam_policy_attachment"):
        new_texts[path] = _leave_policy_attachment(new_texts[path], block, role_refs, replaced, result, path)
    exclusive = [
        (path, block)
        for path, block in _blocks_of(new_texts, _EXCLUSIVE)
        if (attr := hcl.find_attribute(new_texts[path], block, "role_name"))
        and _is_ref(role_refs, attr.value(new_texts[path]))
    ]
    for path, block in exclusive:
        instance = _exclusive_index(new_texts[path], block, keyed, label)
        if instance is None:
            raise GitOpsEditError(
                f"{role.path}: aws_iam_role.{label} has {keyed.meta} and its policies are held by "
                f"{_EXCLUSIVE}.{block.labels[1]} ({path}), which names no one instance of it the way "
                f"policygen can pair with the new policy's (role_name = aws_iam_role.{label}[0].name, or "
                f"{keyed.index} with the role's own {keyed.meta} on the exclusive resource); edit it by hand"
            )
        wanted = [f"aws_iam_policy.{pl}{instance}.arn" for pl in policy_labels]
        _check_not_ignored(new_texts[path], block, "policy_arns", f"{path}: {_EXCLUSIVE}.{block.labels[1]}")
        new_texts[path] = _edit_exclusive(new_texts[path], block, replaced, wanted, result, path, variables)

    gone = _removed_resources(texts, new_texts)
    # managed_policy_arns and aws_iam_role_policy_attachments_exclusive are exclusive: with either present,
    # Terraform detaches any attachment made elsewhere, so the generated policy goes into that list rather
    # than into an attachment resource.
    use_list = arns_attr is not None or bool(exclusive)
    role_text = new_texts[role.path]
    role_block = next(
        b for b in hcl.blocks(role_text) if b.labels == role.block.labels and b.type == "resource"
    )
    if arns_attr is not None:
        _check_not_ignored(role_text, role_block, "managed_policy_arns", f"{role.path}: aws_iam_role.{label}")
        wanted = [f"aws_iam_policy.{pl}{keyed.index}.arn" for pl in policy_labels] if use_list else []
        from_local = terraform_json.LOCAL_LIST.fullmatch(hcl.unwrapped(arns_attr.value(texts[role.path])))
        if from_local is not None:
            both = {**new_texts, **json_new}
            name, reader = from_local.group(1), (role_block.start, role_block.end)
            _edit_arn_local(
                both, role.path, reader, label, name, replaced, wanted, result, variables, whole_module
            )
            new_texts.update({p: t for p, t in both.items() if p in new_texts})
            json_new.update({p: t for p, t in both.items() if p in json_new})
            role_text = new_texts[role.path]
        else:
            role_text = _edit_arn_list(role_text, role_block, replaced, wanted, result, role.path, variables)
    # The role's provider (an alias for another account or Region): the policy and the attachment must be
    # created where the role is.
    provider = hcl.find_attribute(texts[role.path], role.block, "provider")
    meta = keyed.lines() + ([("provider", provider.value(texts[role.path]).strip())] if provider else [])
    for index, document in enumerate(request.policies):
        policy_block = _policy_block(
            policy_labels[index], request.policy_name(index), request.description, document, meta
        )
        role_text = _upsert(
            role_text, new_texts, "aws_iam_policy", policy_labels[index], policy_block, role.path, result
        )
        if not use_list:
            attach = _attachment_block(policy_labels[index], keyed, meta)
            role_text = _upsert(
                role_text,
                new_texts,
                "aws_iam_role_policy_attachment",
                policy_labels[index],
                attach,
                role.path,
                result,
            )
    new_texts[role.path] = role_text
    if use_list:
        # what now attaches the policies: the role's own list, or the exclusive resource
        holders = [f"aws_iam_role.{label}"] if arns_attr is not None else []
        holders += [f"{_EXCLUSIVE}.{block.labels[1]}" for _, block in exclusive]
        same_type: str | None = None
    else:
        holders = [f"aws_iam_role_policy_attachment.{pl}" for pl in policy_labels]
        same_type = holders[0]
    for address, old_meta in gone.items():
        _repoint(new_texts, address, old_meta, holders, same_type, keyed.meta, result)
    _drop_unread_data(texts, new_texts, replaced, result)
    result.changes = _changes(texts, new_texts)
    result.changes.update(_changes({p: files[p] for p in definitions}, definitions))
    result.changes.update({p: t for p, t in json_new.items() if t != module_json[p]})
    return result


_T = TypeVar("_T")


def _policy_labels(owner: str, parts: int) -> list[str]:
    """The labels of the generated ``aws_iam_policy`` of each part, named after what they are for (the role,
    the module and its role key, the eks module and its group): the same labels on every run, so that a
    second run finds and updates the first's policies instead of adding more."""
    return [
        tf_identifier(f"{owner}_policygen" if i == 0 else f"{owner}_policygen_{i + 1}") for i in range(parts)
    ]


def _policy_keys(parts: int) -> list[str]:
    """The keys of the generated policies' ARNs in a module's map of policies, by the same rule."""
    return ["policygen" if i == 0 else f"policygen_{i + 1}" for i in range(parts)]


def _refuse_other_syntax(texts: dict[str, str], path: str, address: str) -> None:
    """A module is the .tf and .tf.json files of one directory (Terraform language docs, "JSON
    Configuration Syntax"): the role's attachments may be written in the syntax its own file does not use.
    policygen edits the role's syntax only, so a file of the other syntax beside it that refers to the role
    fails the run naming it, rather than leaving an attachment there unread."""
    folder = posixpath.dirname(path)
    pattern = hcl.reference(address)
    others = sorted(p for p, t in texts.items() if posixpath.dirname(p) == folder and pattern.search(t))
    if others:
        raise GitOpsEditError(
            f"{', '.join(others)} refer to {address} ({path}), and are in its directory, the same "
            "Terraform module, written in the other syntax (native .tf and JSON .tf.json): policygen edits "
            "one syntax per module; move the role's attachments into its own file's syntax, then run again. "
            "Nothing was changed"
        )


def _edit_json(
    texts: dict[str, str],
    json_texts: dict[str, str],
    roles: list[terraform_json.FoundRole],
    request: EditRequest,
    files: dict[str, str],
    whole_module: bool = True,
) -> EditResult:
    """A role written in Terraform's JSON syntax (``terraform_json.py``); defined again in a native file,
    or referred to from one in its directory, the run fails naming them."""
    places = [f"{r.path}: aws_iam_role.{r.label}" for r in roles]
    if texts:
        parsed, _ = _parse(texts)
        native = [
            f"{path}: aws_iam_role.{b.labels[1]}"
            for path, blocks in sorted(parsed.items())
            for b in blocks
            if b.type == "resource"
            and b.labels[:1] == ("aws_iam_role",)
            and len(b.labels) == 2
            and (attr := hcl.find_attribute(texts[path], b, "name")) is not None
            and _name_value(
                attr.value(texts[path]), _literal_locals(texts, parsed, posixpath.dirname(path), json_texts)
            )
            == request.role_name
        ]
        places += native
    if len(places) > 1:
        raise GitOpsEditError(
            f"role {request.role_name!r} is defined more than once: {', '.join(places)}; point path at one "
            "of them"
        )
    role = roles[0]
    _refuse_other_syntax(texts, role.path, f"aws_iam_role.{role.label}")
    policy_labels = _policy_labels(role.label, len(request.policies))
    variables = hcl.variables(files, posixpath.dirname(role.path))
    replaced = policy_arns({}, {}, request.replace_arns, variables)
    own_native = {p: t for p, t in texts.items() if posixpath.dirname(p) == posixpath.dirname(role.path)}

    def local_list(
        module: dict[str, str],
        reader: tuple[int, int],
        name: str,
        replaced: hcl_edit.Replaced,
        wanted: list[str],
        result: EditResult,
    ) -> None:
        """``"managed_policy_arns": "${local.X}"``: as a native role's (``_edit_arn_local``), the local
        in either syntax; an edited native file goes into the result's changes."""
        both = {**own_native, **module}
        refs = [w[2:-1] for w in wanted]  # "${aws_iam_policy.X.arn}" -> aws_iam_policy.X.arn
        _edit_arn_local(
            both, role.path, reader, role.label, name, replaced, refs, result, variables, whole_module
        )
        module.update({p: t for p, t in both.items() if p in module})
        result.changes.update({p: t for p, t in both.items() if p in own_native and t != own_native[p]})

    return terraform_json.edit(
        json_texts, role, request, replaced, _role_refs, policy_labels, variables, local_list
    )


def _role_refs(label: str, name: str) -> re.Pattern[str]:
    """What stands for the role in an attachment: its literal name, ``aws_iam_role.X.name``/``.id``, and
    for a role with ``count``/``for_each`` an instance of it (``[0]``, ``[count.index]``, ``[each.key]``)."""
    instance = r"(?:\[(?:\d+|count\.index|each\.key)\])?"
    literal = re.escape('"' + name + '"')
    return re.compile(rf"aws_iam_role\.{re.escape(label)}{instance}\.(?:name|id)|{literal}")


def _is_ref(refs: re.Pattern[str], expression: str) -> bool:
    return refs.fullmatch(hcl.unwrapped(expression)) is not None


@dataclass(frozen=True)
class _Keyed:
    """How the role's instances are keyed (its ``count`` or ``for_each``), so that what we add has the
    same instances: the same ``count`` or ``for_each`` expression, and ``[count.index]`` or ``[each.key]``
    to pair instance with instance. ``meta`` is None for a role without either."""

    meta: str | None
    expression: str
    role: str  # the role's name as the new attachment writes it

    @staticmethod
    def of(text: str, block: hcl.Block, label: str) -> _Keyed:
        count = hcl.find_attribute(text, block, "count")
        if count is not None:
            return _Keyed("count", count.value(text).strip(), f"aws_iam_role.{label}[count.index].name")
        for_each = hcl.find_attribute(text, block, "for_each")
        if for_each is not None:
            # the role's own expression, not ``aws_iam_role.X``: a role listing the policy in
            # managed_policy_arns would depend on it and the policy on the role (a cycle)
            return _Keyed("for_each", for_each.value(text).strip(), f"aws_iam_role.{label}[each.key].name")
        return _Keyed(None, "", f"aws_iam_role.{label}.name")

    @property
    def index(self) -> str:
        return {"count": "[count.index]", "for_each": "[each.key]"}.get(self.meta or "", "")

    def lines(self) -> Meta:
        return [(self.meta, self.expression)] if self.meta else []


NOT_LITERAL = terraform_json.NOT_LITERAL


def _changes(before: dict[str, str], after: dict[str, str]) -> dict[str, str | None]:
    """The files the edit changed, aligned as ``terraform fmt`` wants around the edits; one it left
    without any content is deleted, not left empty."""
    aligned = {p: hcl_edit.align(before[p], t) for p, t in after.items()}
    return {p: (t if t.strip() else None) for p, t in aligned.items() if t != before[p]}


def _parse(texts: dict[str, str]) -> tuple[dict[str, list[hcl.Block]], dict[str, str]]:
    """Each file's blocks (and their attributes, scanned once so that a later look cannot fail), and the
    scanner's error per file that does not parse. A wide ``path`` (a repository's root) takes in templates
    and half-written files of other modules; one of those must not stop the edit of a role elsewhere, so
    failures are kept per file and only count in the role's own directory (``_unparsed_elsewhere``)."""
    parsed: dict[str, list[hcl.Block]] = {}
    unparsed: dict[str, str] = {}
    for path, text in texts.items():
        try:
            found = hcl.blocks(text)
            for block in found:
                hcl.attributes(text, block)
        except GitOpsEditError as err:
            unparsed[path] = _with_line(text, str(err))
            continue
        parsed[path] = found
    return parsed, unparsed


def _with_line(text: str, message: str) -> str:
    """The scanner's "at offset N" as "at line L": a reviewer finds a line, not a character offset."""
    return re.sub(
        r"at offset (\d+)", lambda m: f"at line {text.count(chr(10), 0, int(m.group(1))) + 1}", message
    )


def _unparsed_elsewhere(unparsed: dict[str, str], path: str, what: str) -> list[str]:
    """Fails when a file of the role's directory does not parse: it is part of the module the edit
    changes (it may attach the broad policy, or hold our block of an earlier run), so editing around it
    could leave the policy attached or a duplicate. A file in another directory is another Terraform
    module: it is only listed (``seen``)."""
    folder = posixpath.dirname(path)
    here = sorted(p for p in unparsed if posixpath.dirname(p) == folder)
    if here:
        errors = "; ".join(f"{p}: {unparsed[p]}" for p in here)
        raise GitOpsEditError(
            f"{errors}: the file is in the directory of the role's {what} ({path}), the Terraform module "
            "policygen edits, and it cannot be parsed; fix it (or check it is valid HCL) and run again"
        )
    return [
        f"{p}: not parsed ({unparsed[p]}); in another directory, another Terraform module: not read"
        for p in sorted(unparsed)
    ]


def _one_module(files: dict[str, _T], path: str) -> dict[str, _T]:
    """The files of the Terraform module ``path`` belongs to: those of its directory (not its
    subdirectories, which are other modules)."""
    folder = posixpath.dirname(path)
    return {p: v for p, v in files.items() if posixpath.dirname(p) == folder}


def _other_directories(
    texts: dict[str, str], parsed: dict[str, list[hcl.Block]], path: str, name: str
) -> list[str]:
    """Attachments naming the role by its literal name in another directory than ``path``'s: another
    Terraform module, not edited, but said (the "not attached" error names them)."""
    folder = posixpath.dirname(path)
    others = {p: blocks for p, blocks in parsed.items() if posixpath.dirname(p) != folder}
    return [
        f"{p}: aws_iam_role_policy_attachment.{block.labels[1]} ({value.strip()}) is in another "
        "directory, another Terraform module: not edited"
        for p, block, value in _attachments(texts, others, re.compile(re.escape(f'"{name}"')))
    ]


def _find_role(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    name: str,
    modules: list[terraform_modules.FoundModule],
    module_others: list[str],
    unparsed: dict[str, str],
    replace: tuple[str, ...],
    groups: Sequence[terraform_eks.Group] = (),
    json_texts: dict[str, str] | None = None,
) -> _Found | None:
    """The ``aws_iam_role`` resource named ``name``, or None when one module block (or one group of an eks
    module's node groups) defines it instead. Not found, the files that could not be parsed are named: the
    role may be defined in one of them."""
    matches, others = [], []
    per_instance: list[str] = []
    instance_lines: set[str] = set()  # the "roles seen" lines of those roles, not said to be expressions
    scopes: dict[str, dict[str, str]] = {}
    for path, found in sorted(parsed.items()):
        for block in found:
            if block.type != "resource" or block.labels[:1] != ("aws_iam_role",) or len(block.labels) != 2:
                continue
            directory = posixpath.dirname(path)
            if directory not in scopes:
                scopes[directory] = _literal_locals(texts, parsed, directory, json_texts or {})
            attr = hcl.find_attribute(texts[path], block, "name")
            literal = _name_value(attr.value(texts[path]), scopes[directory]) if attr else None
            prefix = hcl.find_attribute(texts[path], block, "name_prefix") if attr is None else None
            prefix_literal = _name_value(prefix.value(texts[path]), scopes[directory]) if prefix else None
            if literal == name or (
                prefix_literal is not None and terraform_modules.completes(name, prefix_literal)
            ):
                matches.append(_Found(path, block))
            else:
                # a name made of literal locals is shown as the name it is, not as an expression
                shown = f"name = {attr.value(texts[path])}" if attr else "name = ?"
                if literal is not None:
                    shown = f'name = "{literal}"'
                if prefix is not None:
                    shown = f"name_prefix = {prefix.value(texts[path])}"
                    if prefix_literal is not None:
                        shown = f'name_prefix = "{prefix_literal}"'
                given = attr or prefix
                meta = hcl.find_attribute(texts[path], block, "for_each") or hcl.find_attribute(
                    texts[path], block, "count"
                )
                if given is not None and meta is not None and _PER_INSTANCE.search(given.value(texts[path])):
                    per_instance.append(
                        f"aws_iam_role.{block.labels[1]}'s {given.name} {given.value(texts[path]).strip()} "
                        f"is given per instance ({meta.name} = {meta.value(texts[path]).strip()})"
                    )
                    instance_lines.add(f"{path}: aws_iam_role.{block.labels[1]} ({shown})")
                others.append(f"{path}: aws_iam_role.{block.labels[1]} ({shown})")
    places = [f"{m.path}: aws_iam_role.{m.block.labels[1]}" for m in matches]
    places += [f"{m.path}: module.{m.block.labels[0]}" for m in modules]
    places += [g.where for g in groups]
    if not places:
        _refuse_one_instance(texts, parsed, name)
    if len(places) > 1:
        where = ", ".join(places)
        raise GitOpsEditError(f"role {name!r} is defined more than once: {where}; point path at one of them")
    if modules or groups:
        return None
    if not matches:
        by_module = terraform_modules.unsupported(texts, parsed, name)
        if by_module:
            raise GitOpsEditError(
                f"role {name!r} is defined by a module policygen does not edit: {'; '.join(by_module)}. "
                "policygen edits aws_iam_role resources and these role modules only: "
                f"{', '.join(terraform_modules.supported_sources())}; this module attaches policies through "
                "its own inputs, which policygen does not know: replace the broad policy by hand"
            )
        seen = "; roles seen: " + ", ".join(others) if others else "; no aws_iam_role resource seen"
        if module_others:
            seen += "; role modules seen: " + ", ".join(module_others)
        computed = [
            line for line in others + module_others if _computed_name(line) and line not in instance_lines
        ]
        hint = (
            f"; policygen matches only a name written as a literal string in the role's own file, and "
            f"{', '.join(_computed_name(line) for line in computed)} {'is' if len(computed) == 1 else 'are'} "
            "an expression (a var, local or module output is not evaluated: tfvars, workspaces and module "
            "inputs decide it): write the "
            "role's name as a literal there"
            if computed
            else ""
        )
        if per_instance:
            hint += (
                f"; {', '.join(per_instance)}: policygen does not edit one instance of a role resource with "
                "for_each or count (its attachments are written for every instance, and which instance is "
                "this role the files do not say): replace the broad policy of this instance by hand, or give "
                "the role a resource block of its own"
            )
        broad = _broad_attachments(texts, parsed, replace)
        if broad:
            hint += (
                "; the broad policies are attached here, to roles not named "
                f'"{name}" as a literal: ' + "; ".join(line for line, _ in broad) + "."
            )
        if any(computed for _, computed in broad):
            hint += (
                " policygen cannot tell whether a role whose name is an expression is this role: a name a "
                "naming module composes (cloudposse's null-label module.X.id, or its context given to a role "
                "module) is known only when Terraform evaluates it; write the role's name as a literal in "
                "its module block or aws_iam_role, or replace the broad policy by hand"
            )
        broken = (
            f"; {len(unparsed)} file(s) could not be parsed, the role may be defined there: "
            + "; ".join(f"{p}: {unparsed[p]}" for p in sorted(unparsed))
            if unparsed
            else ""
        )
        raise GitOpsEditError(
            f'no aws_iam_role with name = "{name}" in {len(texts)} Terraform file(s){seen} (nor a module '
            f"naming it among {', '.join(terraform_modules.supported_sources())}){hint}{broken}"
        )
    return matches[0]


def _literal_locals(
    texts: dict[str, str], parsed: dict[str, list[hcl.Block]], directory: str, json_texts: dict[str, str]
) -> dict[str, str]:
    """``hcl.literal_locals`` of the module's native files and of its JSON ones (``terraform_json.
    module_locals``): "Terraform expects native syntax for files named with a .tf suffix, and JSON syntax
    for files named with a .tf.json suffix" (Terraform language docs, "JSON Configuration Syntax"), the
    directory's files of both making one module. A local set in both syntaxes (Terraform refuses the
    module) gives nothing."""
    native = hcl.literal_locals(texts, parsed, directory)
    if not json_texts:
        return native
    from_json, json_names = terraform_json.module_locals(json_texts, directory)
    own = {p: b for p, b in parsed.items() if posixpath.dirname(p) == directory}
    native_names = set(hcl.locals_in(texts, own))
    twice = {f"local.{name}" for name in native_names & json_names}
    return {k: v for k, v in {**native, **from_json}.items() if k not in twice}


def _name_value(expression: str, scope: dict[str, str]) -> str | None:
    """A role's ``name``/``name_prefix``: a string literal, or ``local.X`` or a template of such locals
    whose values are literals (``scope``, ``_literal_locals``); None for anything else."""
    literal = hcl.string_literal(expression)
    if literal is not None or not scope:
        return literal
    return terraform_modules.evaluate(expression, scope)


def _refuse_one_instance(texts: dict[str, str], parsed: dict[str, list[hcl.Block]], name: str) -> None:
    """An ``aws_iam_role`` with ``for_each`` (or a literal ``count``) whose name, evaluated per instance
    (``each.key``, ``"${each.key}-runner"``, ``each.value.ATTR`` over a literal collection), is the role:
    refused saying so. Such a role's attachments are written once for every instance (``for_each =
    aws_iam_role.X``, ``role = aws_iam_role.X[each.key].name``): removing the broad policy from one
    instance means rewriting that collection, which policygen does not do. Before, the run said "no
    aws_iam_role" and advised writing the name as a literal, which it cannot be in such a block."""
    for path, found in sorted(parsed.items()):
        text = texts[path]
        for block in found:
            if block.type != "resource" or block.labels[:1] != ("aws_iam_role",) or len(block.labels) != 2:
                continue
            attr = hcl.find_attribute(text, block, "name")
            prefix = hcl.find_attribute(text, block, "name_prefix") if attr is None else None
            given = attr or prefix
            if given is None:
                continue
            for instance in terraform_modules.instances(text, block) or _local_instances(
                texts, parsed, path, block
            ):
                value = terraform_modules.evaluate(given.value(text), instance.scope)
                if value is None or not (
                    value == name if given is attr else terraform_modules.completes(name, value)
                ):
                    continue
                meta = hcl.find_attribute(text, block, instance.meta)
                collection = meta.value(text).strip() if meta else "?"
                raise GitOpsEditError(
                    f"role {name!r} is the instance {instance.index} of {path}: aws_iam_role."
                    f"{block.labels[1]} ({instance.meta} = {collection}; {given.name} = "
                    f"{given.value(text).strip()}): policygen does not edit one instance of a role "
                    f"resource with {instance.meta}, whose attachments are written for every instance; "
                    "replace the broad policy of this instance by hand, or give the role a resource block "
                    "of its own"
                )


# a name evaluated per instance of the block's for_each or count
_PER_INSTANCE = re.compile(r"\beach\.(?:key|value)\b|\bcount\.index\b")
_LOCAL_COLLECTION = re.compile(r"(toset\(\s*)?local\.([A-Za-z_][\w-]*)(?(1)\s*\))")


def _local_instances(
    texts: dict[str, str], parsed: dict[str, list[hcl.Block]], path: str, block: hcl.Block
) -> list[terraform_modules.Instance]:
    """The instances of a ``for_each = local.X`` (or ``toset(local.X)``) whose local is a literal map, or
    list of strings, set once in the block's directory: a locals map of roles is as common as a literal
    collection in the block, and names the same instances."""
    attr = hcl.find_attribute(texts[path], block, "for_each")
    match = _LOCAL_COLLECTION.fullmatch(attr.value(texts[path]).strip()) if attr else None
    if match is None:
        return []
    own = {p: b for p, b in parsed.items() if posixpath.dirname(p) == posixpath.dirname(path)}
    places = hcl.locals_in(texts, own).get(match.group(2), [])
    if len(places) != 1:
        return []
    where, local = places[0]
    value = local.value(texts[where])
    return terraform_modules.for_each_instances(
        texts[where], local.value_start, value, as_set=match.group(1) is not None
    )


_ARN_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|data\.aws_iam_policy\.[A-Za-z_][\w-]*\.arn|local\.[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)?'
)
_MODULE_REF = re.compile(r"\bmodule\.([A-Za-z_][\w-]*)")
_ROLE_REF = re.compile(r"^aws_iam_role\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?\.(?:name|id)$")
# the inputs a role module names its role with (terraform-aws-modules', cloudposse's iam-role, most others),
# the first one set being the role's: a module with ``iam_role_name`` (an EC2 instance's, a node group's)
# gives ``name`` to something else, which names the role only when ``iam_role_name`` is not set
_MODULE_NAME_INPUTS = ("role_name", "iam_role_name", "name", "role_name_prefix", "name_prefix")
# cloudposse/terraform-null-label's inputs (context.tf, copied into every Cloud Posse module), v0.25.0
_LABEL_INPUTS = (
    "context",
    "namespace",
    "tenant",
    "environment",
    "stage",
    "name",
    "attributes",
    "delimiter",
    "label_order",
    "id_length_limit",
    "label_value_case",
)


def _broad_attachments(
    texts: dict[str, str], parsed: dict[str, list[hcl.Block]], replace: tuple[str, ...]
) -> list[tuple[str, bool]]:
    """Where the files attach a broad policy, each with the role it names as written and, when that name is
    an expression, where the expression comes from (and True): shown when the role asked for is not found.
    A role whose name a naming module composes (cloudposse's null-label ``module.label.id``, or a role
    module given only ``context = module.label.context``) was reported as "no aws_iam_role resource seen",
    naming neither the attachment of the broad policy nor why its role could not be told."""
    replaced = policy_arns(texts, parsed, replace)
    found = []
    for path, blocks in sorted(parsed.items()):
        text = texts[path]
        directory = posixpath.dirname(path)
        for block in blocks:
            # terraform {}, locals {} and provider blocks have no label to show, and are no attachment
            if not block.labels:
                continue
            kind = block.labels[0]
            what = f"{path}: {kind}.{block.labels[-1]}"
            if block.type == "module" and len(block.labels) == 1:
                inputs = [a for a in hcl.attributes(text, block) if a.name not in ("source", "version")]
                given = _arns_in(text, inputs, replaced)
                if given:
                    source = hcl.find_attribute(text, block, "source")
                    role, computed = _module_role(texts, parsed, directory, block)
                    shown = source.value(text).strip() if source else "?"
                    found.append(
                        (f"{path}: module.{kind} (source = {shown}) passes {given} {role}", computed)
                    )
                continue
            if block.type != "resource" or len(block.labels) != 2:
                continue
            if kind == "aws_iam_role":
                given = _arns_in(text, [hcl.find_attribute(text, block, "managed_policy_arns")], replaced)
                named = _role_named(texts, parsed, directory, f"aws_iam_role.{block.labels[1]}.name")
                if given:
                    found.append((f"{path}: {given} in managed_policy_arns of {named[0]}", named[1]))
                continue
            arn_inputs: tuple[str, ...] = ("policy_arn",)
            if kind in ("aws_iam_role_policy_attachment", _EXCLUSIVE):
                arn_inputs += ("policy_arns",)
                one = hcl.find_attribute(text, block, "role" if kind != _EXCLUSIVE else "role_name")
                roles = [one.value(text)] if one else []
            elif kind == "aws_iam_policy_attachment":
                roles = [i.text(text) for i in _items(text, hcl.find_attribute(text, block, "roles"))]
            else:
                continue
            given = _arns_in(text, [a for a in hcl.attributes(text, block) if a.name in arn_inputs], replaced)
            if given:
                each = [_role_named(texts, parsed, directory, r) for r in roles]
                to = "; ".join(n for n, _ in each) or "no role"
                found.append((f"{what} attaches {given} to {to}", any(c for _, c in each)))
    return found


def _arns_in(text: str, inputs: Sequence[hcl.Attribute | None], replaced: hcl_edit.Replaced) -> str:
    """The broad ARNs the values of ``inputs`` stand for, wherever they are in them (a list, a map, a
    string), as one text ("" for none)."""
    tokens = [t for a in inputs if a is not None for t in _ARN_TOKEN.findall(a.value(text))]
    return ", ".join(dict.fromkeys(a for t in tokens if (a := replaced(t))))


def _items(text: str, attr: hcl.Attribute | None) -> list[hcl.ListItem]:
    if attr is None or not attr.value(text).startswith("["):
        return []
    return hcl.list_items(text, attr.value_start)


def _role_named(
    texts: dict[str, str], parsed: dict[str, list[hcl.Block]], directory: str, expr: str
) -> tuple[str, bool]:
    """How an attachment's ``role`` names its role, followed to the ``aws_iam_role`` of its directory, and
    whether that name is an expression."""
    expr = hcl.unwrapped(expr)
    match = _ROLE_REF.match(expr)
    if match is None:
        return f"role = {expr}{_origin(texts, parsed, directory, expr)}", hcl.string_literal(expr) is None
    for path, blocks in parsed.items():
        for block in blocks:
            if posixpath.dirname(path) == directory and block.labels == ("aws_iam_role", match.group(1)):
                attr = hcl.find_attribute(texts[path], block, "name") or hcl.find_attribute(
                    texts[path], block, "name_prefix"
                )
                if attr is None:
                    return f"aws_iam_role.{match.group(1)}, whose name Terraform generates", True
                value = attr.value(texts[path]).strip()
                named = _name_value(value, hcl.literal_locals(texts, parsed, directory))
                if named is not None:
                    return f'aws_iam_role.{match.group(1)}, whose {attr.name} = "{named}"', False
                origin = _origin(texts, parsed, directory, value)
                return f"aws_iam_role.{match.group(1)}, whose {attr.name} = {value}{origin}", bool(origin)
    return f"{expr} (no such role in its directory)", True


def _module_role(
    texts: dict[str, str], parsed: dict[str, list[hcl.Block]], directory: str, block: hcl.Block
) -> tuple[str, bool]:
    """How a module block names the role it defines, and whether that name is only known when Terraform
    evaluates it. Cloud Posse's modules (their context.tf) compose every name with null-label from the label
    inputs, ``context`` (another label's) and ``namespace``/``stage``/``name``...: ``name = "app"`` with
    ``namespace = "eg"`` and ``stage = "prod"`` is the role eg-prod-app (terraform-aws-iam-role's README),
    so such a module's ``name`` is not the role's name."""
    text = texts[next(p for p, b in parsed.items() if block in b)]

    def shown(attrs: list[hcl.Attribute]) -> str:
        return "; ".join(
            f"{a.name} = {a.value(text).strip()}{_origin(texts, parsed, directory, a.value(text).strip())}"
            for a in attrs
        )

    attrs = hcl.attributes(text, block)
    labels = [a for a in attrs if a.name in _LABEL_INPUTS]
    if any(a.name != "name" for a in labels):
        return (
            "to the role it defines, whose name the module composes from its label inputs (a null-label "
            f"id: {shown(labels)})",
            True,
        )
    for name in _MODULE_NAME_INPUTS:
        attr = hcl.find_attribute(text, block, name)
        named = _name_value(attr.value(text), hcl.literal_locals(texts, parsed, directory)) if attr else None
        if attr is not None and named is not None:
            return f'to the role it defines, whose {attr.name} = "{named}"', False
        if attr is not None:
            origin = _origin(texts, parsed, directory, attr.value(text).strip())
            return f"to the role it defines, whose {shown([attr])}", bool(origin)
    inputs = f"{', '.join(_MODULE_NAME_INPUTS[:-1])} or {_MODULE_NAME_INPUTS[-1]}"
    return f"to the role it defines, whose name it composes itself (no {inputs} input)", True


def _origin(texts: dict[str, str], parsed: dict[str, list[hcl.Block]], directory: str, expr: str) -> str:
    """Where an expression's value comes from: ``module.label`` is cloudposse/label/null, say; "" for a
    literal."""
    if hcl.string_literal(expr) is not None:
        return ""
    sources = []
    for label in dict.fromkeys(_MODULE_REF.findall(expr)):
        source = next(
            (
                attr.value(texts[path]).strip()
                for path, blocks in parsed.items()
                if posixpath.dirname(path) == directory
                for block in blocks
                if block.type == "module"
                and block.labels == (label,)
                and (attr := hcl.find_attribute(texts[path], block, "source"))
            ),
            "not in this directory",
        )
        sources.append(f"module.{label}, source = {source}")
    return f" (an output of {'; '.join(sources)})" if sources else " (an expression)"


def _computed_name(seen: str) -> str:
    """``aws_iam_role.x's name var.x`` for a "seen" line whose name is an expression, else ""."""
    match = re.search(r": ((?:aws_iam_role|module)\.[\w-]+) \((\w+) = (.+)\)$", seen)
    if match is None or match.group(3) == "?" or hcl.string_literal(match.group(3)) is not None:
        return ""
    return f"{match.group(1)}'s {match.group(2)} {match.group(3)}"


def _edit_module(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    found: terraform_modules.FoundModule,
    request: EditRequest,
) -> EditResult:
    """A role a terraform-aws-modules module defines: the generated policy as an ``aws_iam_policy`` beside
    it, its ARN in the module's policy input, the broad ARNs out of that input."""
    label = found.block.labels[0]
    shape = found.shape
    instance = found.instance
    # one instance of several: its own policy, named for its key so that another instance's run adds its own
    own = f"{label}_{instance.key}" if instance is not None and len(instance.keys) > 1 else label
    own += f"_{shape.role_key}" if shape.role_key else ""
    result = EditResult(
        role_location=f"{found.path} (module {label}{instance.index if instance is not None else ''})"
    )
    policy_labels = _policy_labels(own, len(request.policies))
    keys = _policy_keys(len(request.policies))
    new_texts = dict(texts)
    text = texts[found.path]
    attr = hcl.find_attribute(text, found.block, shape.policies)
    result.seen.append(
        f"{found.path}: module.{label} {shape.policies} = {attr.value(text).strip() if attr else '(not set)'}"
    )
    flags = terraform_modules.flags_seen(text, found.block, shape)
    result.seen += [f"{found.path}: module.{label} {flag}" for flag in flags]
    # A module with count (and one role, e.g. count = var.enabled ? 1 : 0): the policy gets the same count,
    # and the module's instance takes its instance. One role of several instances: its own policy, no count.
    count = hcl.find_attribute(text, found.block, "count") if instance is None else None
    _check_one_role(text, found, request.role_name)
    index = "[count.index]" if count is not None else ""
    add = [(key, f"aws_iam_policy.{pl}{index}.arn") for key, pl in zip(keys, policy_labels, strict=True)]
    if shape.attach_by_output:
        add = []  # attached by a resource beside the module (terraform_modules._IRSA_V4)
    replaced = policy_arns(texts, parsed, request.replace_arns)
    if instance is not None and len(instance.keys) > 1:
        edited = terraform_modules.edit_instance_policies(text, found, request.role_name, replaced, add)
        owner = f"{shape.policies} of module.{label}{instance.index} (its for_each entry)"
    else:
        flagged = terraform_modules.edit_flags(text, found, replaced)
        for arn in flagged.removed:
            result.detached.append(arn)
            result.notes.append(f"{found.path}: module.{label} no longer attaches {arn} (attach_ flag false)")
        if shape.single is not None:
            single = terraform_modules.edit_single(flagged.text, found, replaced, add)
            terraform_json.record(result, single, found.path, f"{shape.single[1]} of module.{label}")
            if single.added or terraform_modules.single_holds(flagged.text, found, add):
                add = []  # the generated policy is attached through the single input
            flagged = single
        if terraform_modules.list_attached(flagged.text, found):
            edited = terraform_modules.edit_policies(flagged.text, found, replaced, add)
        elif add:
            # a list the module does not attach: its broad ARNs detach nothing, and the generated policy
            # would not be attached there
            switch = hcl.find_attribute(text, found.block, shape.switch or "")
            setting = switch.value(text).strip() if switch else "(not set: false)"
            where = f"{found.path}: module.{label}"
            through = (
                f" nor through {shape.single[1]} (with {shape.single[0]} = true)" if shape.single else ""
            )
            raise GitOpsEditError(
                f"{where}: {shape.switch} = {setting}: {shape.policies} is not attached, and the module "
                f"attaches none of {', '.join(request.replace_arns)}{through}, where policygen would put "
                "the generated policy in its place. Nothing was changed"
            )
        else:
            edited = hcl_edit.LiteralEdit(flagged.text, [], [])
        owner = f"{shape.policies} of module.{label}"
    terraform_json.record(result, edited, found.path, owner)
    text = edited.text
    for also in shape.also_maps:
        if instance is not None and len(instance.keys) > 1:
            block = next(b for b in hcl.blocks(text) if b.type == "module" and b.labels == found.block.labels)
            attr = hcl.find_attribute(text, block, also)
            if attr is not None and any(replaced(t) for t in _ARN_TOKEN.findall(attr.value(text))):
                raise GitOpsEditError(
                    f"{found.path}: module.{label} has {instance.meta} and role {request.role_name!r} is its "
                    f"instance {instance.index}; {also} is written once for all its instances, so removing "
                    "the broad policy there would remove it from every instance's role: edit it by hand. "
                    "Nothing was changed"
                )
            continue
        text = _edit_also_map(text, found, also, replaced, result)
    meta = [("count", count.value(texts[found.path]).strip())] if count is not None else []
    meta += terraform_modules.provider_of(texts[found.path], found.block)
    module_index = instance.index if instance is not None else index
    for part, document in enumerate(request.policies):
        policy_block = _policy_block(
            policy_labels[part], request.policy_name(part), request.description, document, meta
        )
        text = _upsert(
            text, new_texts, "aws_iam_policy", policy_labels[part], policy_block, found.path, result
        )
        if shape.attach_by_output:
            attach = (
                f'resource "aws_iam_role_policy_attachment" "{policy_labels[part]}" {{\n'
                + _meta_lines(meta)
                + f"  role       = module.{label}{module_index}.{shape.attach_by_output}\n"
                f"  policy_arn = aws_iam_policy.{policy_labels[part]}{index}.arn\n"
                "}\n"
            )
            rtype = "aws_iam_role_policy_attachment"
            text = _upsert(text, new_texts, rtype, policy_labels[part], attach, found.path, result)
    new_texts[found.path] = text
    _drop_unread_data(texts, new_texts, replaced, result)
    result.changes = _changes(texts, new_texts)
    return result


def _edit_group(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    group: terraform_eks.Group,
    request: EditRequest,
    variables: hcl.Variables,
) -> EditResult:
    """A node group's (or Fargate profile's) role of the eks module: the generated policy as an
    ``aws_iam_policy`` beside the module, its ARN in the group's ``iam_role_additional_policies``, the broad
    ARNs out of it."""
    label = group.block.labels[0]
    before = texts
    result = EditResult(role_location=f'{group.path} (module {label}, {group.kind.input}["{group.key}"])')
    if group.place is not None and group.place.variable is not None:
        # the groups are the variable's value: written in the block's place, the group is edited there
        # (the variable is left to whatever else reads it; terraform_variables drops it when nothing does)
        block = next(b for b in hcl.blocks(texts[group.path]) if b.type == "module" and b.labels == (label,))
        attr = hcl.find_attribute(texts[group.path], block, group.kind.input)
        assert attr is not None
        found = variables(group.place.variable)
        written = _variable_in_place(texts[group.path], attr, found, "{", result, group.path)
        texts = {**texts, group.path: written}
        parsed = {**parsed, group.path: hcl.blocks(written)}
        block = next(b for b in parsed[group.path] if b.type == "module" and b.labels == (label,))
        group = dataclasses.replace(group, block=block, place=None)
    text = texts[group.path]
    for repeat in ("count", "for_each"):
        attr = hcl.find_attribute(text, group.block, repeat)
        if attr is not None:
            raise GitOpsEditError(
                f"{group.where}: module.{label} has {repeat} = "
                f"{terraform_modules.brief(attr.value(text))}: the generated policy would need an instance "
                "per module instance, which policygen does not write for a node group; replace the broad "
                "policy by hand. Nothing was changed"
            )
    policy_labels = _policy_labels(f"{label}_{group.key}", len(request.policies))
    keys = _policy_keys(len(request.policies))
    replaced = policy_arns(texts, parsed, request.replace_arns, variables)
    at = terraform_eks.policies_at(texts, group)
    literal = (
        _merge_literal(texts[at[0]], at[1], at[2], replaced, keys, variables) if at is not None else None
    )
    if at is not None and literal is None:
        # merge(var.extra, {...}): the map it makes, written in its place
        owner = f'{terraform_eks.POLICIES} of {group.kind.input}["{group.key}"] (module.{label})'
        flat = _flattened(texts[at[0]], at[1], at[2], variables, result, at[0], owner)
        if flat is not None:
            texts = {**texts, at[0]: flat}
            parsed = {**parsed, at[0]: hcl.blocks(flat)}
            block = next(b for b in parsed[group.path] if b.type == "module" and b.labels == (label,))
            group = dataclasses.replace(group, block=block)
    own = terraform_eks.policies(texts, group)
    result.seen.append(f"{group.where} {terraform_eks.POLICIES} = {own.strip() if own else '(not set)'}")
    add = [(key, f"aws_iam_policy.{pl}.arn") for key, pl in zip(keys, policy_labels, strict=True)]
    holder, edited = terraform_eks.edit(texts, group, replaced, add, variables, literal)
    terraform_json.record(
        result,
        edited,
        holder,
        f'{terraform_eks.POLICIES} of {group.kind.input}["{group.key}"] (module.{label})',
    )
    new_texts = dict(texts)
    new_texts[holder] = edited.text
    text = new_texts[group.path]
    meta = terraform_modules.provider_of(texts[group.path], group.block)
    for part, document in enumerate(request.policies):
        policy_block = _policy_block(
            policy_labels[part], request.policy_name(part), request.description, document, meta
        )
        text = _upsert(
            text, new_texts, "aws_iam_policy", policy_labels[part], policy_block, group.path, result
        )
    new_texts[group.path] = text
    _drop_unread_data(before, new_texts, replaced, result)
    result.changes = _changes(before, new_texts)
    return result


def _edit_also_map(
    text: str,
    found: terraform_modules.FoundModule,
    name: str,
    replaced: hcl_edit.Replaced,
    result: EditResult,
) -> str:
    """A second map input of policies the module attaches (cloudposse's managed_policy_arns_map): its
    broad entries go; the generated policy is attached by the shape's own way."""
    block = next(b for b in hcl.blocks(text) if b.type == "module" and b.labels == found.block.labels)
    attr = hcl.find_attribute(text, block, name)
    if attr is None:
        return text
    where = f"{found.path}: module.{block.labels[0]}"
    if not text.startswith("{", attr.value_start):
        if any(replaced(t) for t in _ARN_TOKEN.findall(attr.value(text))):
            raise GitOpsEditError(f"{where}: {name} is not a map literal ({{...}}); edit it by hand")
        return text
    try:
        edited = hcl_edit.edit_map(text, attr.value_start, replaced, [])
    except GitOpsEditError as err:
        raise GitOpsEditError(f"{where}: {name}: {err}; edit it by hand") from None
    terraform_json.record(result, edited, found.path, f"{name} of module.{block.labels[0]}")
    return edited.text


def _check_one_role(text: str, found: terraform_modules.FoundModule, role: str) -> None:
    """A module with for_each, or a literal count above 1, whose name input is the same in every instance
    (a literal): which instance's role is the one asked for the file cannot say (they differ only by the
    provider's prefix suffix, or could not all exist), and one policy per instance would repeat its IAM
    name (EntityAlreadyExists at apply)."""
    if found.instance is not None:
        return
    label = found.block.labels[0]
    for_each = hcl.find_attribute(text, found.block, "for_each")
    count = hcl.find_attribute(text, found.block, "count")
    several = count is not None and re.fullmatch(r"\d+", count.value(text).strip()) is not None
    several = several and count is not None and int(count.value(text).strip()) > 1
    if for_each is None and not several:
        return
    meta = for_each or count
    assert meta is not None
    written = terraform_modules.brief(meta.value(text))
    raise GitOpsEditError(
        f"{found.path}: module.{label} has {meta.name} = {written}, and its role name "
        f"({terraform_modules.shown(text, found.block, found.shape)}) is the same in each instance, so "
        f"policygen cannot tell which instance's role is {role!r}: it tells instances apart by a name "
        "written with each.key, each.value or count.index over a literal toset([...]), map or count. Edit it "
        "by hand. Nothing was changed"
    )


def _attachments(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    role_refs: re.Pattern[str],
    variables: hcl.Variables | None = None,
) -> list[tuple[str, hcl.Block, str]]:
    """(path, block, policy_arn expression) of every role policy attachment of the role."""
    found = []
    for path, blocks in sorted(parsed.items()):
        for block in blocks:
            if block.type != "resource" or block.labels[:1] != ("aws_iam_role_policy_attachment",):
                continue
            role_attr = hcl.find_attribute(texts[path], block, "role")
            arn_attr = hcl.find_attribute(texts[path], block, "policy_arn")
            if role_attr is None or arn_attr is None:
                continue
            text = texts[path]
            per_item = _EACH_ITEM.fullmatch(hcl.unwrapped(arn_attr.value(text))) is not None
            if _is_ref(role_refs, role_attr.value(text)) or (
                per_item and _per_item_role(texts, parsed, path, block, role_refs, variables)
            ):
                found.append((path, block, arn_attr.value(text)))
    return found


def _per_item_role(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    path: str,
    block: hcl.Block,
    role_refs: re.Pattern[str],
    variables: hcl.Variables | None = None,
) -> bool:
    """A block whose role comes from the items of its literal ``for_each`` collection (``role =
    each.value.role`` over a map, ``role = each.value`` over a set of names), one of which names the role:
    one block attaching the policies of several roles, of which only the role's items are its
    attachments."""
    text = texts[path]
    role_attr = hcl.find_attribute(text, block, "role")
    role = _EACH_ITEM.fullmatch(hcl.unwrapped(role_attr.value(text))) if role_attr else None
    entries = _for_each_entries(texts, parsed, path, block, variables) if role is not None else None
    return role is not None and any(
        (named := _item(role, key, value)) is not None and _is_ref(role_refs, named)
        for key, value in entries or []
    )


def _role_items(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    role_refs: re.Pattern[str],
    variables: hcl.Variables | None = None,
) -> list[tuple[str, hcl.Block, str]]:
    """(path, block, policy_arn expression) of the attachments of one policy to each role of their
    ``for_each`` (``for_each = toset(["ci", "deploy"])``, ``role = each.value``), one of which is the role:
    that item's instance is the role's attachment, the others are other roles'."""
    return [
        (path, block, arn.value(texts[path]))
        for path, blocks in sorted(parsed.items())
        for block in blocks
        if block.type == "resource"
        and block.labels[:1] == ("aws_iam_role_policy_attachment",)
        and (arn := hcl.find_attribute(texts[path], block, "policy_arn")) is not None
        and _EACH_ITEM.fullmatch(hcl.unwrapped(arn.value(texts[path]))) is None
        and "each." not in arn.value(texts[path])
        and _per_item_role(texts, parsed, path, block, role_refs, variables)
    ]


def _unread_role_items(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    replaced: hcl_edit.Replaced,
    variables: hcl.Variables | None = None,
) -> list[str]:
    """Attachments of a broad policy to each role of a ``for_each`` policygen cannot read (``toset(var.
    roles)``, a for expression): the role may be one of them, which the "not attached" error then names
    rather than "no attachment at all"."""
    found = []
    for path, blocks in sorted(parsed.items()):
        text = texts[path]
        for block in blocks:
            if block.type != "resource" or block.labels[:1] != ("aws_iam_role_policy_attachment",):
                continue
            role = hcl.find_attribute(text, block, "role")
            arn = hcl.find_attribute(text, block, "policy_arn")
            for_each = hcl.find_attribute(text, block, "for_each")
            if role is None or arn is None or for_each is None:
                continue
            broad = replaced(arn.value(text))
            per_item = _EACH_ITEM.fullmatch(hcl.unwrapped(role.value(text))) is not None
            given = _VAR_FOR_EACH.fullmatch(for_each.value(text).strip())
            variable = variables(given.group(1) or given.group(2)) if given and variables else None
            if broad and per_item and variable is not None and variable.value is not None:
                # read: said with its value, so that a role not among them is seen not to be
                found.append(
                    f"{path}: aws_iam_role_policy_attachment.{block.labels[1]} attaches {broad} to each "
                    f"role of for_each = {for_each.value(text).strip()}, var.{variable.name} being "
                    f"{terraform_modules.brief(variable.value)} ({variable.source})"
                )
            elif broad and per_item and _for_each_entries(texts, parsed, path, block, variables) is None:
                found.append(
                    f"{path}: aws_iam_role_policy_attachment.{block.labels[1]} attaches {broad} to each "
                    f"role of for_each = {terraform_modules.brief(for_each.value(text))}, which "
                    f"{NOT_LITERAL} list or map in this module: policygen cannot tell whether the role "
                    "is one of them" + _unknown_variable(for_each.value(text), variables)
                )
    return found


_LOCAL_FOR_EACH = re.compile(r"toset\(\s*local\.([A-Za-z_][\w-]*)\s*\)|local\.([A-Za-z_][\w-]*)")
# for_each = toset(var.X) (a list) or var.X (a map): the value the module's files give it (hcl.variable)
_VAR_FOR_EACH = re.compile(r"toset\(\s*var\.([A-Za-z_][\w-]*)\s*\)|var\.([A-Za-z_][\w-]*)")


def _for_each_entries(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    path: str,
    block: hcl.Block,
    variables: hcl.Variables | None = None,
) -> list[tuple[str, str]] | None:
    """(key, value) of each instance of a block's ``for_each``: a map or ``toset([...])`` written in the
    block, or the literal map or list of the local of its directory it names (``local.X``,
    ``toset(local.X)``; a local cannot be set from outside the module, so its literal is what Terraform
    iterates); a set's member is its key and its value. None when the collection is no such literal."""
    text = texts[path]
    for_each = hcl.find_attribute(text, block, "for_each")
    if for_each is None:
        return None
    value = for_each.value(text).strip()
    local = _LOCAL_FOR_EACH.fullmatch(value)
    if local is not None:
        folder = posixpath.dirname(path)
        mine = {p: b for p, b in parsed.items() if posixpath.dirname(p) == folder}
        defined = hcl.locals_in(texts, mine).get(local.group(1) or local.group(2), [])
        if len(defined) != 1:
            return None
        value = defined[0][1].value(texts[defined[0][0]]).strip()
    given = _VAR_FOR_EACH.fullmatch(value)
    if given is not None:
        found = variables(given.group(1) or given.group(2)) if variables is not None else None
        if found is None or found.value is None:
            return None
        value = found.value if given.group(1) is None else f"toset({found.value})"
    if value.startswith("{"):
        return list(hcl_edit.object_values(value).items())
    toset = _TOSET.match(value)
    if toset is None and not value.startswith("["):
        return None
    items = hcl.list_items(value, toset.end() - 1 if toset else 0)
    return [(hcl.string_literal(i.text(value)) or i.text(value), i.text(value)) for i in items]


_ATTACHMENT_TYPES = ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment")


def _meta(text: str, block: hcl.Block) -> str | None:
    """Which of ``count`` and ``for_each`` a block has (None: neither), i.e. how its instances are keyed."""
    return next((m for m in ("count", "for_each") if hcl.find_attribute(text, block, m)), None)


def _removed_resources(before: dict[str, str], after: dict[str, str]) -> dict[str, str | None]:
    """The attachment resources the edit removed: address -> their ``count``/``for_each`` (``_meta``)."""
    kept = {f"{b.labels[0]}.{b.labels[1]}" for t in _ATTACHMENT_TYPES for _, b in _blocks_of(after, t)}
    return {
        f"{b.labels[0]}.{b.labels[1]}": _meta(before[path], b)
        for rtype in _ATTACHMENT_TYPES
        for path, b in _blocks_of(before, rtype)
        if f"{b.labels[0]}.{b.labels[1]}" not in kept
    }


def _repoint(
    texts: dict[str, str],
    address: str,
    meta: str | None,
    holders: list[str],
    same_type: str | None,
    new_meta: str | None,
    result: EditResult,
) -> None:
    """References to a removed attachment resource elsewhere in the module would leave it invalid
    ("Reference to undeclared resource"). In ``depends_on`` the removed resource gives way to what attaches
    the policies now (``holders``); any other reference (an output of its ``id``, ``replace_triggered_by``)
    is repointed to ``same_type``, the new attachment of the same resource type, whose attributes are the
    same, when its instances are keyed the same way (``meta`` and ``new_meta``). A ``moved`` block into it
    is left (``_moved_to``). Anything else (another type, an ``import`` block, an instance key of a
    ``for_each``) fails naming the reference."""
    pattern = hcl.reference(address, r"(\[[^\]\n]*\])?")
    for path in sorted(texts):
        text = texts[path]
        left = 0  # references left as they are, before the next one: later edits do not move them
        while True:
            found = (m for m in pattern.finditer(text) if not _in_comment(text, m.start()))
            match = next((m for i, m in enumerate(found) if i == left), None)
            if match is None:
                break
            if _moved_to(text, match):
                left += 1
                result.notes.append(
                    f"{path}: a moved block leads to the removed {address}: left as it is, so Terraform "
                    "moves the attachment in its state there and destroys it (the policy is detached)"
                )
                continue
            text = _repoint_one(text, path, match, address, meta, holders, same_type, new_meta)
        if text != texts[path]:
            result.notes.append(
                f"{path}: references to the removed {address} now point at {', '.join(holders)}"
            )
            texts[path] = text


def _moved_to(text: str, match: re.Match[str]) -> bool:
    """Whether ``match`` is the ``to`` of a ``moved`` block. Such a block stays valid when its target
    leaves the configuration, and is then what detaches the policy: Terraform moves the state's object to
    the target and plans its destruction, "because ... was moved to ..., which is not in configuration"
    (Terraform 1.11 plan of a moved block whose ``to`` is declared nowhere)."""
    block = next((b for b in hcl.blocks(text) if b.start <= match.start() < b.end), None)
    if block is None or block.type != "moved":
        return False
    attr = hcl.find_attribute(text, block, "to")
    return attr is not None and attr.value_start <= match.start() < attr.value_end


def _repoint_one(
    text: str,
    path: str,
    match: re.Match[str],
    address: str,
    meta: str | None,
    holders: list[str],
    same_type: str | None,
    new_meta: str | None,
) -> str:
    block = next(b for b in hcl.blocks(text) if b.start <= match.start() < b.end)
    attr = next(
        (a for a in hcl.attributes(text, block) if a.value_start <= match.start() < a.value_end), None
    )
    declarative = block.type in ("moved", "import", "removed")
    if not declarative and attr is not None and attr.name == "depends_on":
        if text.startswith("[", attr.value_start):
            stale = re.compile(re.escape(address) + r"(\[[^\]\n]*\])?")
            return hcl_edit.edit_list(
                text,
                attr.value_start,
                lambda item: item.strip() if stale.fullmatch(item.strip()) else None,
                holders,
            ).text
    elif (
        not declarative
        and same_type is not None
        and address.startswith("aws_iam_role_policy_attachment.")
        and meta == new_meta
        and (match.group(1) is None or meta != "for_each")
    ):
        return text[: match.start()] + same_type + text[match.start() + len(address) :]
    where = " ".join([block.type, *(f'"{lab}"' for lab in block.labels)])
    shown = f"{attr.name} = {attr.value(text).strip()}" if attr is not None else match.group(0)
    if block.type == "import":
        # Without its target, terraform plan fails: "Configuration for import target does not exist".
        # Dropped too, an attachment not yet imported would stay attached and unmanaged.
        raise GitOpsEditError(
            f"{path}: an import block imports {address} ({shown}), which this edit removes, and terraform "
            "plan fails on an import whose target is not in the configuration; whether it has been "
            "imported yet policygen cannot tell: once it is in the state (the import applied), remove the "
            "import block and run again"
        )
    raise GitOpsEditError(
        f"{path}: {where} refers to {address} ({shown}), which this edit removes; policygen repoints "
        "depends_on and references to an attachment of the same type only, this one cannot be "
        "repointed: edit it by hand (or remove the reference) and run again"
    )


def _in_comment(text: str, offset: int) -> bool:
    return any(start <= offset < end for start, end in hcl.comment_spans(text))


def _read_elsewhere(texts: dict[str, str], name: str, path: str, reader: tuple[int, int]) -> list[str]:
    """Where (``path:line``) the module's files read ``name`` (``local.x``, ``var.x``) outside the
    ``reader`` span (a block, a JSON resource) of ``path``: a value edited for that reader must not change
    under another. A comment naming it is no reader (native syntax only: the JSON syntax has no comments,
    and ``//`` in a string is none)."""
    return [
        f"{p}:{text.count(chr(10), 0, m.start()) + 1}"
        for p, text in sorted(texts.items())
        for m in hcl.reference(name).finditer(text)
        if not (p == path and reader[0] <= m.start() < reader[1])
        and not (p.endswith(".tf") and _in_comment(text, m.start()))
    ]


def _data_sources(text: str) -> list[hcl.Block]:
    """The ``data "aws_iam_policy"`` blocks of a file."""
    return [
        b
        for b in hcl.blocks(text)
        if b.type == "data" and b.labels[:1] == ("aws_iam_policy",) and len(b.labels) == 2
    ]


def _drop_unread_data(
    before: dict[str, str], after: dict[str, str], replaced: hcl_edit.Replaced, result: EditResult
) -> None:
    """The data sources of broad policies that only what the edit removed read (``hcl_edit.
    drop_unread_data_sources``, the rule of the JSON syntax too) go from ``after``, with the comment lines
    above them, as a removed attachment goes."""

    def labels(text: str) -> list[str]:
        return [b.labels[1] for b in _data_sources(text)]

    def remove(text: str, label: str) -> str | None:
        block = next((b for b in _data_sources(text) if b.labels[1] == label), None)
        return None if block is None else hcl_edit.remove_block(text, block)

    result.notes += hcl_edit.drop_unread_data_sources(before, after, replaced, labels, remove)


def _edit_arn_list(
    text: str,
    block: hcl.Block,
    replaced: hcl_edit.Replaced,
    wanted: list[str],
    result: EditResult,
    path: str,
    variables: hcl.Variables | None = None,
) -> str:
    attr = hcl.find_attribute(text, block, "managed_policy_arns")
    assert attr is not None
    given = hcl.VAR_REF.fullmatch(hcl.unwrapped(attr.value(text)))
    if given is not None and variables is not None:
        text = _variable_in_place(text, attr, variables(given.group(1)), "[", result, path)
    owner = f"managed_policy_arns of aws_iam_role.{block.labels[1]}"
    return _edit_arn_value(
        text, attr.value_start, attr.value_end, replaced, wanted, result, path, owner, attr.name, variables
    )


def _edit_arn_value(
    text: str,
    start: int,
    end: int,
    replaced: hcl_edit.Replaced,
    wanted: list[str],
    result: EditResult,
    path: str,
    owner: str,
    named: str,
    variables: hcl.Variables | None,
) -> str:
    """The list of ARNs at ``start:end`` (a literal, or a ``concat()`` of literals and variables) without
    its broad items and with ``wanted``: the role's ``managed_policy_arns``, or the local it reads
    (``_edit_arn_local``). ``named``: the expression as the messages name it."""
    edited = hcl_edit.edit_concat_literals(text, start, end, replaced, wanted, variables)
    if edited is not None:
        terraform_json.record(result, edited, path, owner)
        return edited.text
    text = _flattened(text, start, end, variables, result, path, named) or text
    if not text.startswith("[", start):
        raise GitOpsEditError(f"{path}: {owner} is not a list literal; edit it by hand")
    edited = hcl_edit.edit_list(text, start, replaced, wanted)
    terraform_json.record(result, edited, path, owner)
    return edited.text


def _arn_list_value(value: str) -> bool:
    """A local's value the role's list is read from: a literal list, or a ``concat()`` as the role's own
    argument may be (``_edit_arn_value``)."""
    if value.startswith("["):
        return _literal_collection(value)
    if value.startswith('"'):  # a JSON file's local: a string is a template ("JSON Configuration Syntax")
        return terraform_json.is_concat(value)
    call = _CALL.match(value)
    return call is not None and call.group(1) == "concat"


def _edit_arn_local(
    texts: dict[str, str],
    path: str,
    reader: tuple[int, int],
    label: str,
    name: str,
    replaced: hcl_edit.Replaced,
    wanted: list[str],
    result: EditResult,
    variables: hcl.Variables | None,
    whole_module: bool,
) -> None:
    """``managed_policy_arns = local.X``: the broad ARNs leave the list the module's locals set (a ``.tf``
    locals block, or a ``.tf.json`` file's ``locals`` object among ``texts``), which takes ``wanted``, every
    other byte as it was. A local is assigned only in its module's own locals ("Local Values" in the
    Terraform language docs), so that list is the one the role attaches. Refused, naming the local and why,
    where ``_own_local`` does not allow the edit (read elsewhere too, computed, path naming one file). The
    role (``reader``, ``aws_iam_role.{label}`` in ``path``) may be in either syntax, as may the local:
    ``wanted`` are native references, written ``"${...}"`` in a JSON file."""
    owner = f"managed_policy_arns of aws_iam_role.{label}"
    per_instance = next((w for w in wanted if _PER_INSTANCE.search(w)), None)
    if per_instance is not None:
        # count.index and each.key are known in the block that has count or for_each only ("The count
        # Meta-Argument", "The for_each Meta-Argument"): a local cannot name an instance's policy
        meta = "count" if "count.index" in per_instance else "for_each"
        raise GitOpsEditError(
            f"{path}: {owner} = local.{name}: the role has {meta}, and each instance's policy "
            f"({per_instance}) cannot be named in a local. Write the list in the role, or edit it by hand. "
            "Nothing was changed"
        )
    place = _own_local(
        texts, name, path, reader, whole_module, "list", "role a literal list", _arn_list_value
    )
    if isinstance(place, str):
        raise GitOpsEditError(
            f"{path}: {owner} = local.{name}{place}. Write the list in the role, or edit it by hand. Nothing "
            "was changed"
        )
    where = f"local.{name} ({owner})"
    text = texts[place.path]
    if place.path.endswith(terraform_json.SUFFIX):
        texts[place.path] = terraform_json.edit_list_value(
            text,
            place.path,
            where,
            lambda now: terraform_json.local_value(now, name),
            replaced,
            [f"${{{w}}}" for w in wanted],
            result,
            variables,
        )
    else:
        texts[place.path] = _edit_arn_value(
            text,
            place.start,
            place.end,
            replaced,
            wanted,
            result,
            place.path,
            where,
            f"local.{name}",
            variables,
        )


def _variable_in_place(
    text: str,
    attr: hcl.Attribute,
    found: hcl.Variable,
    opens: str,
    result: EditResult,
    path: str,
    around: tuple[str, str] = ("", ""),
) -> str:
    """``text`` with the attribute's reference to a variable replaced by the variable's value, a literal
    list (``opens`` "[") or map ("{") that the edit then edits as if written there. The variable itself
    is left as it is: something else may read it (another role, a module), and a default or a tfvars
    value another resource reads must not change under it. Refused, naming the variable and why, when the
    module's files do not decide its value."""
    written = attr.value(text).strip()
    if found.value is None or not found.value.startswith(opens):
        why = (
            found.why
            if found.value is None
            else f"its value {terraform_modules.brief(found.value)} is not one"
        )
        kind = "list" if opens == "[" else "map"
        raise GitOpsEditError(
            f"{path}: {attr.name} = {written} is not a {kind} literal policygen can read: {found.shown}: "
            f"{why}. Write the {kind} in the module's files (a default, terraform.tfvars) or edit it by "
            "hand. Nothing was changed"
        )
    line_start = text.rfind("\n", 0, attr.value_start) + 1
    indent = text[line_start : line_start + len(text[line_start:]) - len(text[line_start:].lstrip(" \t"))]
    result.notes.append(terraform_json.variable_written(found, path, f"{attr.name} = {written}"))
    value = around[0] + hcl.reindented(found.value, indent) + around[1]
    return text[: attr.value_start] + value + text[attr.value_end :]


# concat(var.base, [...]) of a list of ARNs, merge(var.extra, {...}) of a map of them
_CALL = re.compile(r"(concat|merge)\s*\(")


def _flattened(
    text: str,
    start: int,
    end: int,
    variables: hcl.Variables | None,
    result: EditResult,
    path: str,
    owner: str,
) -> str | None:
    """``text`` with the ``concat()`` (``merge()``) at ``start:end`` written as the one list (map) literal it
    makes, when it reads a variable and each argument is a literal or a variable whose value the module's
    files give: the edit then edits that literal as if written there. concat() "takes two or more lists and
    combines them into a single list", in argument order; merge() takes maps, and where "more than one given
    map or object defines the same key or attribute, then the one that is later in the argument sequence
    takes precedence" (Terraform language docs, "Functions": concat, merge). The variable is left as it is
    (``terraform_variables`` drops it when nothing reads it any more). None for any other expression, or
    one with an item written on several lines; refused, naming the variable and why, when its value is not
    given or not a list (map)."""
    expression = text[start:end]
    call = _CALL.match(expression)
    if call is None or variables is None:
        return None
    paren = start + call.end() - 1
    if hcl.match_close(text, paren) != end - 1:
        return None
    opens, kind = ("[", "list") if call.group(1) == "concat" else ("{", "map")
    parts: list[str] = []
    read: list[hcl.Variable] = []
    for item in hcl.list_items(text, paren):
        arg = item.text(text).strip()
        given = hcl.VAR_REF.fullmatch(hcl.unwrapped(arg))
        if given is not None:
            found = variables(given.group(1))
            if found.value is None or not found.value.startswith(opens):
                why = (
                    found.why if found.value is None else f"its value {terraform_modules.brief(found.value)}"
                )
                raise GitOpsEditError(
                    f"{path}: {owner} = {terraform_modules.brief(expression)} is not a {kind} policygen can "
                    f"read: {found.shown}: {why}{'' if found.value is None else f' is not a {kind}'}. Write "
                    f"the {kind} in the module's files (a default, terraform.tfvars) or edit it by hand. "
                    "Nothing was changed"
                )
            parts.append(found.value)
            read.append(found)
        elif arg.startswith(opens) and hcl.match_close(arg, 0) == len(arg) - 1:
            parts.append(arg)
        else:
            return None  # another expression: its value is not in the text
    if not read:
        return None
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start : line_start + len(text[line_start:]) - len(text[line_start:].lstrip(" \t"))]
    if opens == "[":
        items = [i.text(part) for part in parts for i in hcl.list_items(part, 0)]
        if any("\n" in i for i in items):
            return None
        if "\n" in expression or any("\n" in part for part in parts):
            literal = "[\n" + "".join(f"{indent}  {i},\n" for i in items) + indent + "]"
        else:
            literal = "[" + ", ".join(items) + "]"
    else:
        merged: dict[str, str] = {}
        for part in parts:
            merged.update(hcl_edit.object_values(part))  # a later argument's key takes precedence
        if any("\n" in v for v in merged.values()):
            return None
        keys = {k: k if re.fullmatch(r"[A-Za-z_][\w-]*", k) else json.dumps(k) for k in merged}
        literal = "{\n" + "".join(f"{indent}  {keys[k]} = {v}\n" for k, v in merged.items()) + indent + "}"
    result.notes.append(
        f"{path}: {owner} = {terraform_modules.brief(expression)} written as the {kind} it makes, with the "
        f"value of {', '.join(f'var.{v.name} ({v.source})' for v in read)}"
    )
    return text[:start] + literal + text[end:]


def _merge_literal(
    text: str,
    start: int,
    end: int,
    replaced: hcl_edit.Replaced,
    keys: list[str],
    variables: hcl.Variables | None,
) -> int | None:
    """The offset of the ``{`` of the literal map argument of the ``merge()`` at ``start:end`` that the edit
    takes the broad entries out of and the generated policy's ``keys`` into, the rest of the expression as
    written (``_edit_concat_literals`` for merge()). merge() gives "the one that is later in the argument
    sequence" precedence for a key set twice (Terraform language docs, "Functions": merge), so only where
    that changes nothing: one literal holds every broad entry, no other argument sets a key it loses or
    gains, and every other argument is a literal or a variable whose value the module's files give and which
    holds no broad ARN. None otherwise (``_flattened`` writes the map out)."""
    call = _CALL.match(text, start)
    if call is None or call.group(1) != "merge" or variables is None:
        return None
    paren = call.end() - 1
    if hcl.match_close(text, paren) != end - 1:
        return None
    maps: list[tuple[int | None, dict[str, str]]] = []  # the literal's offset (None: a variable), entries
    for item in hcl.list_items(text, paren):
        arg = item.text(text)
        given = hcl.VAR_REF.fullmatch(hcl.unwrapped(arg))
        if given is not None:
            value = variables(given.group(1)).value
            if value is None or not value.startswith("{"):
                return None  # _flattened says why
            maps.append((None, hcl_edit.object_values(value)))
        elif arg.startswith("{") and hcl.match_close(arg, 0) == len(arg) - 1:
            maps.append((item.start, hcl_edit.object_values(arg)))
        else:
            return None
    holding = [i for i, (_, entries) in enumerate(maps) if any(replaced(v) for v in entries.values())]
    if not holding:
        # a second run: the literal that took the generated policy is the one (nothing to change in it)
        holding = [i for i, (at, entries) in enumerate(maps) if at is not None and set(keys) <= set(entries)]
    if len(holding) != 1 or maps[holding[0]][0] is None:
        return None
    offset, own = maps[holding[0]]
    changed = set(keys) | {k for k, v in own.items() if replaced(v)}
    if any(changed & set(entries) for i, (_, entries) in enumerate(maps) if i != holding[0]):
        return None
    return offset


def _unknown_variable(expression: str, variables: hcl.Variables | None) -> str:
    """Why a collection read from a variable (``toset(var.X)``) is not read: said in the message."""
    given = _VAR_FOR_EACH.fullmatch(expression.strip())
    if given is None or variables is None:
        return ""
    found = variables(given.group(1) or given.group(2))
    return f" ({found.shown}: {found.why})" if found.value is None else ""


# what an attachment with for_each reads of each item: its key, its value, or an attribute of an object
# value ("each.value is the map element value for the current instance", Terraform language docs, "The
# for_each Meta-Argument": for_each = { a_group = { ... } } read as each.value.ATTR)
_EACH_ITEM = re.compile(r"each\.key|each\.value(?:\.([A-Za-z_][\w-]*))?")
_TOSET = re.compile(r"toset\(\s*\[")


def _item(read: re.Match[str], key: str, value: str) -> str | None:
    """The expression ``read`` (an ``_EACH_ITEM`` match) stands for in the map entry ``key = value``: the key
    as a string, the value, or the value's attribute (None when the value is no object holding it)."""
    if read.group(0) == "each.key":
        return json.dumps(key)
    if read.group(1) is None:
        return value
    return hcl_edit.object_values(value).get(read.group(1))


def _picker(text: str, block: hcl.Block, role_refs: re.Pattern[str]) -> hcl_edit.Pick:
    """How an attachment with for_each reads the policy of each map entry (``policy_arn = each.value``,
    ``each.key`` or ``each.value.ATTR``, or one ``policy_arn`` for every entry), and, when its role is read
    from the entries too, only the entries of this role: removing another role's entry would detach that
    role's policy."""
    arn_attr = hcl.find_attribute(text, block, "policy_arn")
    arn = _EACH_ITEM.fullmatch(hcl.unwrapped(arn_attr.value(text))) if arn_attr else None
    role_attr = hcl.find_attribute(text, block, "role")
    role = _EACH_ITEM.fullmatch(hcl.unwrapped(role_attr.value(text))) if role_attr else None

    # one policy for every item, the role read per item: the role's item stands for that policy
    fixed = arn_attr.value(text) if arn_attr is not None and arn is None and role is not None else None

    def pick(key: str, value: str) -> str | None:
        if arn is None and fixed is None:
            return None
        if role is not None:
            named = _item(role, key, value)
            if named is None or not _is_ref(role_refs, named):
                return None
        return _item(arn, key, value) if arn is not None else fixed

    return pick


def _in_set(pick: hcl_edit.Pick, replaced: hcl_edit.Replaced) -> hcl_edit.Replaced:
    """What a set's item stands for: "each.key: The map key (or set member) corresponding to this
    instance", and each.value the same member for a set (Terraform language docs, "The for_each
    Meta-Argument"); an attribute of a string is none."""

    def stands_for(item: str) -> str | None:
        read = pick(hcl.string_literal(item) or item, item)
        return replaced(read) if read is not None else None

    return stands_for


def _edit_for_each(
    text: str,
    block: hcl.Block,
    replaced: hcl_edit.Replaced,
    result: EditResult,
    path: str,
    pick: hcl_edit.Pick,
    per_role: bool = False,
    variables: hcl.Variables | None = None,
) -> str:
    """An attachment per item of ``for_each = toset([...])`` (or of a map, whose entries ``pick`` reads):
    the broad ARNs leave the collection, and the block goes when nothing is left in it. A collection
    read from a variable (``toset(var.X)``) is written in its place when the edit removes from it
    (``_variable_in_place``)."""
    current = next(b for b in hcl.blocks(text) if b.type == "resource" and b.labels == block.labels)
    attr = hcl.find_attribute(text, current, "for_each")
    if attr is None:
        return text
    value = attr.value(text)
    toset = _TOSET.match(value)
    where = f"{block.labels[0]}.{block.labels[1]}"
    given = _VAR_FOR_EACH.fullmatch(value.strip())
    if given is not None and variables is not None:
        found = variables(given.group(1) or given.group(2))
        if found.value is None:
            result.seen.append(
                f"{path}: {where} for_each = {value.strip()} {NOT_LITERAL}: {found.shown}: {found.why}"
            )
            return text
        opens = "[" if given.group(1) is not None else "{"
        probe = EditResult()
        around = ("toset(", ")") if given.group(1) is not None else ("", "")
        written = _variable_in_place(text, attr, found, opens, probe, path, around)
        if _edit_for_each(written, block, replaced, EditResult(), path, pick, per_role) == written:
            return text
        result.notes += probe.notes
        return _edit_for_each(written, block, replaced, result, path, pick, per_role)
    if toset is not None:
        edited = hcl_edit.edit_list(text, attr.value_start + toset.end() - 1, _in_set(pick, replaced), [])
    elif value.startswith("{"):
        try:
            edited = hcl_edit.edit_map(text, attr.value_start, replaced, [], pick)
        except GitOpsEditError as err:
            raise GitOpsEditError(
                f"{path}: the for_each of resource {where}: {err}; edit it by hand"
            ) from None
    else:
        # a variable or a computed collection: not edited, and the "not attached" error says why
        result.seen.append(
            f"{path}: {where} for_each = {value.strip()} {NOT_LITERAL}: the collection must be a literal "
            "list or map in this file for policygen to edit it"
        )
        return text
    for arn in edited.removed:
        result.detached.append(arn)
        what = f"the role's item (attaching {arn})" if per_role else arn
        result.notes.append(f"{path}: removed {what} from the for_each of resource {where}")
    after = next(b for b in hcl.blocks(edited.text) if b.type == "resource" and b.labels == block.labels)
    left = hcl.find_attribute(edited.text, after, "for_each")
    assert left is not None
    remaining = left.value(edited.text)
    if edited.removed and re.fullmatch(r"(toset\(\s*)?[\[{]\s*[\]}]\s*\)?", remaining):
        result.notes.append(
            f"{path}: removed resource {where} (its for_each was left empty)"
            + (_PROTECTION_GOES if _prevent_destroy(edited.text, after) else "")
        )
        return hcl_edit.remove_block(edited.text, after)
    if edited.removed and _prevent_destroy(text, current):
        raise GitOpsEditError(
            f"{path}: resource {where} attaches {', '.join(edited.removed)} per item of its for_each and has "
            "lifecycle { prevent_destroy = true }: removing the item destroys that instance while the block "
            "stays, and Terraform rejects any plan that would, so the policy would stay attached. Remove "
            "prevent_destroy from that block in a change of its own (or detach the policy by hand), then run "
            "again. Nothing was changed"
        )
    return edited.text


# for_each = toset(local.X) (a list) or local.X (a map) with policy_arn = each.value; count = length(local.X)
# with policy_arn = local.X[count.index] or element(local.X, count.index)
_LOCAL_COUNT = re.compile(r"length\(\s*local\.([A-Za-z_][\w-]*)\s*\)")
_LOCAL_ITEM = re.compile(
    r"local\.([A-Za-z_][\w-]*)\[\s*count\.index\s*\]|element\(\s*local\.([A-Za-z_][\w-]*)\s*,\s*count\.index\s*\)"
)


@dataclass(frozen=True)
class _LocalCollection:
    name: str
    meta: str  # "for_each" or "count"


def _local_for_each(text: str, block: hcl.Block) -> _LocalCollection | None:
    """The local a block's ``for_each`` iterates (``local.X``, ``toset(local.X)``), read as
    ``_for_each_entries`` reads it, so that the collection found and the one edited are the same."""
    for_each = hcl.find_attribute(text, block, "for_each")
    match = _LOCAL_FOR_EACH.fullmatch(for_each.value(text).strip()) if for_each is not None else None
    return _LocalCollection(match.group(1) or match.group(2), "for_each") if match else None


def _local_collection(text: str, block: hcl.Block, value: str) -> _LocalCollection | None:
    """The local an attachment takes its policies from, one instance per item: ``for_each =
    toset(local.X)`` with ``policy_arn = each.value``, or ``count = length(local.X)`` with ``policy_arn =
    local.X[count.index]`` (a list of ARNs in a locals block, the layout of many modules' role.tf and
    locals.tf)."""
    value = hcl.unwrapped(value)
    if hcl.find_attribute(text, block, "for_each") is not None and _EACH_ITEM.fullmatch(value):
        return _local_for_each(text, block)
    count = hcl.find_attribute(text, block, "count")
    item = _LOCAL_ITEM.fullmatch(value)
    if count is None or item is None:
        return None
    counted = _LOCAL_COUNT.fullmatch(count.value(text).strip())
    name = item.group(1) or item.group(2)
    return _LocalCollection(name, "count") if counted and counted.group(1) == name else None


@dataclass(frozen=True)
class _LocalPlace:
    """Where the module sets a local: the file, and the extent of the value in it."""

    path: str
    start: int
    end: int


def _local_places(texts: dict[str, str], name: str) -> list[_LocalPlace]:
    """Each place the module's files (``.tf``, and ``.tf.json`` where ``texts`` hold them: "JSON
    Configuration Syntax", locals blocks) set ``local.{name}``: Terraform refuses a module that sets one
    twice, and an edit of it requires the one."""
    native = {p: t for p, t in texts.items() if p.endswith(".tf")}
    found = [
        _LocalPlace(p, attr.value_start, attr.value_end)
        for p, attr in hcl.locals_in(native, {p: hcl.blocks(t) for p, t in native.items()}).get(name, [])
    ]
    for path, text in sorted(texts.items()):
        if path.endswith(terraform_json.SUFFIX):
            root = terraform_json.parse(text)
            found += [
                _LocalPlace(path, value.start, value.end)
                for block in terraform_json.objects(root.get("locals"))
                for local, _, value in block.members
                if local == name
            ]
    return found


def _literal_collection(value: str) -> bool:
    """A list or map written out (``[...]``, ``{...}``), not a ``for`` expression's."""
    return value.startswith(("[", "{")) and re.match(r"[\[{]\s*for\s", value) is None


def _collection(value: str) -> bool:
    """A local an attachment's ``for_each`` or ``count`` reads: a literal list or map, or a ``concat()`` of
    lists (``_arn_list_value``)."""
    return _literal_collection(value) or _arn_list_value(value)


def _own_local(
    texts: dict[str, str],
    name: str,
    path: str,
    reader: tuple[int, int],
    whole_module: bool,
    kind: str,
    own: str,
    readable: Callable[[str], bool] = _literal_collection,
) -> _LocalPlace | str:
    """The one place the module sets ``local.{name}``, which ``reader`` of ``path`` reads and the edit is to
    change, or why it may not be changed, said after the local's name. Only a local that nothing else in
    the module reads is edited: another attachment, role or module reading it would lose the policy too.
    With ``whole_module`` false (path names one file) the module's other files were not read and may
    read the local (locals are shared by every file of a module): named, not edited, as for a variable
    (``_edit_variable_count``). The rule of an attachment's ``for_each`` over a local and of a role's
    ``managed_policy_arns = local.X`` alike."""
    places = _local_places(texts, name)
    if len(places) != 1 or not readable(texts[places[0].path][places[0].start : places[0].end]):
        return (
            f", whose value {NOT_LITERAL} {kind} in the module's locals: policygen edits the broad ARNs out "
            "of such a literal only"
        )
    elsewhere = _read_elsewhere(texts, f"local.{name}", path, reader)
    if elsewhere:
        return (
            f", which is also read at {', '.join(elsewhere)}: removing the broad ARN from it would change "
            f"that too; give this {own} of its own"
        )
    if not whole_module:
        return (
            ": path names one file, and the module's other files, not read, may read the local too: point "
            "path at the module's directory"
        )
    return places[0]


def _edit_local_collection(
    texts: dict[str, str],
    path: str,
    block: hcl.Block,
    local: _LocalCollection,
    replaced: hcl_edit.Replaced,
    result: EditResult,
    pick: hcl_edit.Pick,
    per_role: bool = False,
    whole_module: bool = True,
    variables: hcl.Variables | None = None,
    json_texts: dict[str, str] | None = None,
) -> None:
    """The broad ARNs leave the local's literal list (or map, or the literal lists of a ``concat()``, as in a
    role's ``managed_policy_arns``: ``hcl_edit.edit_concat_literals``), and the attachment goes when it is
    left empty; only a local ``_own_local`` allows. Before, such an attachment was left attached and the
    run refused as "not found attached", advising to point path elsewhere. ``json_texts``: the module's
    ``.tf.json`` files, whose ``locals`` objects may set the local ("JSON Configuration Syntax": locals
    blocks; one module mixes the syntaxes), its array then edited there (in place); an object is named."""
    json_texts = {} if json_texts is None else json_texts
    where = f"aws_iam_role_policy_attachment.{block.labels[1]}"
    # read in the texts as edited so far: an earlier removal in the same file moved the offsets
    current = next(b for b in hcl.blocks(texts[path]) if b.type == "resource" and b.labels == block.labels)
    own = "attachment a literal collection"
    both = {**texts, **json_texts}
    place = _own_local(
        both, local.name, path, (current.start, current.end), whole_module, "list or map", own, _collection
    )
    if isinstance(place, str):
        result.seen.append(f"{path}: {where} {local.meta} over local.{local.name}{place}")
        return
    local_path = place.path
    text = both[local_path]
    value = text[place.start : place.end]
    chosen = _in_set(pick, replaced) if local.meta == "for_each" else replaced
    if local_path in json_texts:
        if not value.startswith(("[", "{")):
            result.seen.append(
                f"{path}: {where} {local.meta} over local.{local.name}, whose value in {local_path} "
                f"{NOT_LITERAL} array or object: policygen edits the broad ARNs out of a JSON local's array "
                "or object only"
            )
            return

        def collection(now: str) -> terraform_json.Node:
            found = terraform_json.local_value(now, local.name)
            assert found is not None
            return found

        if value.startswith("["):
            after, dropped = terraform_json.drop_items(text, collection, chosen)
        else:  # a map: its entries read as a native map literal's are (edit_map, below)
            stands_for = hcl_edit.entry_arn(replaced, pick if local.meta == "for_each" else None)
            after, dropped = terraform_json.drop_members(text, collection, stands_for)
        edited = hcl_edit.LiteralEdit(after, dropped, [])
    elif _CALL.match(value):
        in_place = hcl_edit.edit_concat_literals(text, place.start, place.end, chosen, [], variables)
        if in_place is None:
            said = f"{path}: {where} {local.meta} over local.{local.name}"
            result.seen.append(
                f"{said}, whose value {NOT_LITERAL} list or map in the module's locals: a concat() is edited "
                "only where its broad ARNs are all in its literal lists and its other arguments are "
                "variables whose values the module's files give"
            )
            return
        edited = in_place
    elif value.startswith("[") and local.meta == "for_each":
        edited = hcl_edit.edit_list(text, place.start, _in_set(pick, replaced), [])
    elif value.startswith("["):
        edited = hcl_edit.edit_list(text, place.start, replaced, [])
    else:
        edited = hcl_edit.edit_map(
            text, place.start, replaced, [], pick if local.meta == "for_each" else None
        )
    if not edited.removed:
        return
    if _prevent_destroy(texts[path], current):
        raise GitOpsEditError(
            f"{path}: resource {where} attaches {', '.join(edited.removed)} per item of local.{local.name} "
            "and has lifecycle { prevent_destroy = true }: removing the item destroys that instance while "
            "the block stays, and Terraform rejects any plan that would, so the policy would stay attached. "
            "Remove prevent_destroy from that block in a change of its own (or detach the policy by hand), "
            "then run again. Nothing was changed"
        )
    (json_texts if local_path in json_texts else texts)[local_path] = edited.text
    shift = (
        "; the attachments of the items after it are replaced, as count numbers them by position"
        if local.meta == "count"
        else ""
    )
    for arn in edited.removed:
        result.detached.append(arn)
        what = f"the role's item (attaching {arn})" if per_role else arn
        result.notes.append(
            f"{local_path}: removed {what} from local.{local.name}, the {local.meta} of resource "
            f"{where}{shift}"
        )
    left = _local_places({local_path: edited.text}, local.name)[0]
    if re.fullmatch(r"[\[{]\s*[\]}]", edited.text[left.start : left.end].strip()):
        current = next(
            b for b in hcl.blocks(texts[path]) if b.type == "resource" and b.labels == block.labels
        )
        texts[path] = hcl_edit.remove_block(texts[path], current)
        result.notes.append(f"{path}: removed resource {where} (local.{local.name} was left empty)")


# count = length(var.X) with policy_arn = var.X[count.index] or element(var.X, count.index)
_VAR_COUNT = re.compile(r"length\(\s*var\.([A-Za-z_][\w-]*)\s*\)")
_VAR_ITEM = re.compile(
    r"var\.([A-Za-z_][\w-]*)\[\s*count\.index\s*\]|element\(\s*var\.([A-Za-z_][\w-]*)\s*,\s*count\.index\s*\)"
)


def _variable_count(text: str, block: hcl.Block, value: str) -> str | None:
    """The variable an attachment takes its policies from, one instance per item: ``count =
    length(var.X)`` with ``policy_arn = var.X[count.index]`` (or ``element(var.X, count.index)``), as
    ``_local_collection`` reads a local."""
    count = hcl.find_attribute(text, block, "count")
    item = _VAR_ITEM.fullmatch(hcl.unwrapped(value))
    if count is None or item is None:
        return None
    counted = _VAR_COUNT.fullmatch(count.value(text).strip())
    name = item.group(1) or item.group(2)
    return name if counted and counted.group(1) == name else None


def _edit_variable_count(
    files: dict[str, str],
    texts: dict[str, str],
    definitions: dict[str, str],
    path: str,
    block: hcl.Block,
    name: str,
    replaced: hcl_edit.Replaced,
    result: EditResult,
    whole_module: bool = True,
) -> None:
    """The broad ARNs leave the list that is the variable's value where the module's files write it (the
    definitions file that sets it, else its default; ``hcl.variable``), and in each -var-file that sets it
    (``hcl.var_files``: an environment each, each list losing the broad ARN alike, whatever else it holds),
    and the attachment goes when every one is left empty. As for a local (``_edit_local_collection``),
    only a variable nothing else in the module reads is edited: a value another resource reads must not
    change under it. Anything else is said (the "not attached" error names it) and nothing is edited: a
    value the module's files do not give (-var, TF_VAR_, the module's caller), one not a list, one written
    in JSON, and any when the files are one file of the module (``whole_module`` false), whose other files
    may read it."""
    where = f"aws_iam_role_policy_attachment.{block.labels[1]}"
    folder = posixpath.dirname(path)
    current_files = {**files, **texts, **definitions}
    found = hcl.variable(current_files, folder, name)
    about = f"{path}: {where} count over var.{name}, which"
    places = found.places or ((found.place,) if found.place is not None else ())
    if not places:
        result.seen.append(f"{about} {NOT_LITERAL}: {found.shown}: {found.why}")
        return
    for place in places:
        if not place.value.startswith("[") or place.span is None:
            result.seen.append(
                f"{about} is {terraform_modules.brief(place.value)} ({place.source}): policygen edits a list "
                "of the native syntax (a default in a .tf file, terraform.tfvars, *.auto.tfvars, a .tfvars "
                "-var-file) only"
            )
            return
    shown = f"{terraform_modules.brief(places[0].value)} ({places[0].source})"
    current = next(b for b in hcl.blocks(texts[path]) if b.type == "resource" and b.labels == block.labels)
    module = {
        p: t
        for p, t in sorted(current_files.items())
        if posixpath.dirname(p) == folder and p.endswith((".tf", terraform_json.SUFFIX))
    }
    elsewhere = _read_elsewhere(module, f"var.{name}", path, (current.start, current.end))
    if elsewhere:
        result.seen.append(
            f"{about} is also read at {', '.join(elsewhere)}: removing the broad ARN from its value would "
            "change that too; give this attachment a list of its own"
        )
        return
    if not whole_module:
        result.seen.append(
            f"{about} is {shown}: path names one file, and the module's other files, not read, may read the "
            "variable too: point path at the module's directory"
        )
        return
    edits = [
        (place, hcl_edit.edit_list(current_files[place.path], place.span[0], replaced, []))
        for place in places
        if place.span is not None
    ]
    removed = list(dict.fromkeys(arn for _, edited in edits for arn in edited.removed))
    if not removed:
        result.seen.append(f"{about} is {shown}")
        return
    if _prevent_destroy(texts[path], current):
        raise GitOpsEditError(
            f"{path}: resource {where} attaches {', '.join(removed)} per item of var.{name} and has "
            "lifecycle { prevent_destroy = true }: removing the item destroys that instance while the block "
            "stays, and Terraform rejects any plan that would, so the policy would stay attached. Remove "
            "prevent_destroy from that block in a change of its own (or detach the policy by hand), then run "
            "again. Nothing was changed"
        )
    result.detached += removed
    for place, edited in edits:
        if not edited.removed:
            continue
        (texts if place.path in texts else definitions)[place.path] = edited.text
        for arn in edited.removed:
            result.notes.append(
                f"{place.path}: removed {arn} from var.{name} ({place.source}), the count of resource "
                f"{where}; the attachments of the items after it are replaced, as count numbers them by "
                "position"
            )
    left = hcl.variable({**current_files, **{p.path: e.text for p, e in edits}}, folder, name)
    values = [p.value for p in left.places] or [left.value or ""]
    if all(re.fullmatch(r"\[\s*\]", value.strip()) for value in values):
        texts[path] = hcl_edit.remove_block(texts[path], current)
        result.notes.append(f"{path}: removed resource {where} (var.{name} was left empty)")


# "Resource for maintaining exclusive management of managed IAM policies assigned to an AWS IAM role ...
# removal of managed IAM policies which are not explicitly configured" (the AWS provider's
# aws_iam_role_policy_attachments_exclusive: role_name, policy_arns), the successor of managed_policy_arns
_EXCLUSIVE = "aws_iam_role_policy_attachments_exclusive"


def _blocks_of(texts: dict[str, str], rtype: str) -> list[tuple[str, hcl.Block]]:
    """Every ``resource "rtype"`` block, by file; offsets as of ``texts`` now."""
    return [
        (path, block)
        for path in sorted(texts)
        for block in hcl.blocks(texts[path])
        if block.type == "resource" and block.labels[:1] == (rtype,) and len(block.labels) == 2
    ]


def _exclusive_index(text: str, block: hcl.Block, keyed: _Keyed, label: str) -> str | None:
    """The instance key of the new policy that an exclusive resource of a keyed role lists: the one its
    ``role_name`` names, ``[0]`` for ``aws_iam_role.X[0].name``, or ``[count.index]``/``[each.key]`` when
    it has the role's own ``count``/``for_each`` (one exclusive resource per role instance). "" for a role
    without instances; None when the pairing is not one of these (a literal name, another expression)."""
    if keyed.meta is None:
        return ""
    attr = hcl.find_attribute(text, block, "role_name")
    value = hcl.unwrapped(attr.value(text)) if attr is not None else ""
    match = re.fullmatch(
        rf"aws_iam_role\.{re.escape(label)}\[(\d+|count\.index|each\.key)\]\.(?:name|id)", value
    )
    if match is None:
        return None
    own = hcl.find_attribute(text, block, keyed.meta)
    same = own is not None and own.value(text).strip() == keyed.expression
    if match.group(1) == keyed.index[1:-1]:
        return keyed.index if same else None
    is_literal = match.group(1).isdigit() and keyed.meta == "count"
    return f"[{match.group(1)}]" if is_literal and _meta(text, block) is None else None


def _edit_exclusive(
    text: str,
    block: hcl.Block,
    replaced: hcl_edit.Replaced,
    wanted: list[str],
    result: EditResult,
    path: str,
    variables: hcl.Variables | None = None,
) -> str:
    """The exclusive list without the broad ARNs and with ``wanted``. A list given as a variable
    (``policy_arns = var.policies``) is written in its place as its value (``_variable_in_place``), as the
    role's ``managed_policy_arns`` is."""
    where = f"{_EXCLUSIVE}.{block.labels[1]}"
    current = next(b for b in hcl.blocks(text) if b.type == "resource" and b.labels == block.labels)
    attr = hcl.find_attribute(text, current, "policy_arns")
    given = hcl.VAR_REF.fullmatch(hcl.unwrapped(attr.value(text))) if attr is not None else None
    if attr is not None and given is not None and variables is not None:
        result.seen.append(f"{path}: {where} policy_arns = {attr.value(text).strip()}")
        text = _variable_in_place(text, attr, variables(given.group(1)), "[", result, path)
        current = next(b for b in hcl.blocks(text) if b.type == "resource" and b.labels == block.labels)
        attr = hcl.find_attribute(text, current, "policy_arns")
    in_place = (
        hcl_edit.edit_concat_literals(text, attr.value_start, attr.value_end, replaced, wanted, variables)
        if attr
        else None
    )
    if in_place is not None:
        result.seen.append(f"{path}: {where} policy_arns = {attr.value(text).strip() if attr else ''}")
        terraform_json.record(result, in_place, path, f"policy_arns of resource {where}")
        return in_place.text
    flat = (
        _flattened(text, attr.value_start, attr.value_end, variables, result, path, "policy_arns")
        if attr
        else None
    )
    if flat is not None:
        text = flat
        current = next(b for b in hcl.blocks(text) if b.type == "resource" and b.labels == block.labels)
        attr = hcl.find_attribute(text, current, "policy_arns")
    if attr is None or not text.startswith("[", attr.value_start):
        raise GitOpsEditError(
            f"{path}: policy_arns of resource {where} is not a list literal; edit it by hand"
        )
    result.seen.append(f"{path}: {where} policy_arns = {attr.value(text).strip()}")
    edited = hcl_edit.edit_list(text, attr.value_start, replaced, wanted)
    terraform_json.record(result, edited, path, f"policy_arns of resource {where}")
    return edited.text


def _leave_policy_attachment(
    text: str,
    block: hcl.Block,
    role_refs: re.Pattern[str],
    replaced: hcl_edit.Replaced,
    result: EditResult,
    path: str,
) -> str:
    """``aws_iam_policy_attachment`` attaches one policy to every role, user and group it lists, exclusively
    across the account: a broad policy's loses the role (and the block goes when it lists nothing else)."""
    where = f"aws_iam_policy_attachment.{block.labels[1]}"
    current = next(b for b in hcl.blocks(text) if b.type == "resource" and b.labels == block.labels)
    arn_attr = hcl.find_attribute(text, current, "policy_arn")
    roles = hcl.find_attribute(text, current, "roles")
    arn = replaced(arn_attr.value(text)) if arn_attr else None
    if roles is None or not text.startswith("[", roles.value_start):
        return text
    items = [item.text(text).strip() for item in hcl.list_items(text, roles.value_start)]
    ours = {item for item in items if _is_ref(role_refs, item)}
    if not ours and any(_EACH_ITEM.fullmatch(hcl.unwrapped(i)) for i in items):
        return _leave_role_items(text, current, items, role_refs, replaced, result, path)
    if not ours:
        return text
    result.seen.append(f"{path}: {where} ({arn_attr.value(text).strip() if arn_attr else '?'})")
    if arn is None and arn_attr is not None and _EACH_ITEM.fullmatch(hcl.unwrapped(arn_attr.value(text))):
        return _leave_per_item(text, current, roles, ours, role_refs, replaced, result, path)
    if arn is None:
        # one attachment listing the role whose policy_arn is not a broad ARN policygen can read (a
        # variable): named in the "not attached" error, which said "no attachment at all"
        return text
    edited = hcl_edit.edit_list(
        text, roles.value_start, lambda item: item.strip() if item.strip() in ours else None, []
    )
    result.detached.append(arn)
    result.notes.append(f"{path}: removed the role from resource {where} ({arn})")
    after = next(b for b in hcl.blocks(edited.text) if b.type == "resource" and b.labels == block.labels)
    others = _principals(edited.text, after, ("roles", "users", "groups"))
    if not others:
        result.notes.append(
            f"{path}: removed resource {where} (it attached the policy to nothing else)"
            + (_PROTECTION_GOES if _prevent_destroy(edited.text, after) else "")
        )
        return hcl_edit.remove_block(edited.text, after)
    _check_not_ignored(text, current, "roles", f"{path}: {where}")
    return edited.text


def _principals(text: str, block: hcl.Block, names: tuple[str, ...]) -> list[hcl.Attribute]:
    """The attributes of ``names`` an ``aws_iam_policy_attachment`` sets to anything but ``[]``: the
    principals it attaches its policy to, each of which an edit of the block detaches it from as well."""
    return [
        a
        for name in names
        if (a := hcl.find_attribute(text, block, name)) is not None
        and re.sub(r"\s", "", a.value(text)) != "[]"
    ]


def _leave_role_items(
    text: str,
    block: hcl.Block,
    items: list[str],
    role_refs: re.Pattern[str],
    replaced: hcl_edit.Replaced,
    result: EditResult,
    path: str,
) -> str:
    """An ``aws_iam_policy_attachment`` with ``for_each`` whose ``roles`` reads each item's role (``roles =
    [each.value.role]``, ``policy_arn = each.value.policy_arn``, or one ``policy_arn`` for a set of roles
    read as ``[each.value]``): the items naming the role, of a broad policy, leave the collection when
    the role is all their instance attaches the policy to. An instance attaching it to other principals
    too (another item of ``roles``, ``users``, ``groups``) is refused naming them: removing the item would
    detach the policy from them as well."""
    where = f"aws_iam_policy_attachment.{block.labels[1]}"
    for_each = hcl.find_attribute(text, block, "for_each")
    arn_attr = hcl.find_attribute(text, block, "policy_arn")
    if for_each is None or arn_attr is None:
        return text
    if not for_each.value(text).startswith(("{", "toset(")):
        result.seen.append(
            f"{path}: {where} roles = [{', '.join(items)}] over for_each = "
            f"{terraform_modules.brief(for_each.value(text))} {NOT_LITERAL}: the collection must be a "
            "literal list or map in this file for policygen to edit it"
        )
        return text
    reads = [m for i in items if (m := _EACH_ITEM.fullmatch(hcl.unwrapped(i))) is not None]
    fixed = [i for i in items if _EACH_ITEM.fullmatch(hcl.unwrapped(i)) is None]
    arn_read = _EACH_ITEM.fullmatch(hcl.unwrapped(arn_attr.value(text)))
    if arn_read is None and "each." in arn_attr.value(text):
        return text
    others: list[str] = []
    fixed_arn = arn_attr.value(text)

    def pick(key: str, value: str) -> str | None:
        named = [n for r in reads if (n := _item(r, key, value)) is not None]
        if not any(_is_ref(role_refs, n) for n in named):
            return None
        arn = _item(arn_read, key, value) if arn_read is not None else fixed_arn
        if arn is not None and replaced(arn):
            others.extend(f'{n} (item "{key}")' for n in named if not _is_ref(role_refs, n))
        return arn

    probe = EditResult()
    if _edit_for_each(text, block, replaced, probe, path, pick) == text:
        return text
    result.seen.append(f"{path}: {where} (roles = [{', '.join(items)}], per item of its for_each)")
    others += fixed + [
        f"{a.name} {a.value(text).strip()}" for a in _principals(text, block, ("users", "groups"))
    ]
    if others:
        raise GitOpsEditError(
            f"{path}: resource {where} attaches {', '.join(dict.fromkeys(probe.detached))} per item of its "
            f"for_each to the role and also to {', '.join(dict.fromkeys(others))}: removing the role's item "
            "would detach it from those too, and the roles of an item are not edited one by one. Give the "
            "role an attachment of its own (or detach the policy by hand), then run again. Nothing was "
            "changed"
        )
    return _edit_for_each(text, block, replaced, result, path, pick, per_role=True)


def _leave_per_item(
    text: str,
    block: hcl.Block,
    roles: hcl.Attribute,
    ours: set[str],
    role_refs: re.Pattern[str],
    replaced: hcl_edit.Replaced,
    result: EditResult,
    path: str,
) -> str:
    """An ``aws_iam_policy_attachment`` with ``for_each``, one instance per policy of its collection
    (``policy_arn = each.value.policy_arn`` over a literal map, the shape an EKS cluster role's attachments
    often take), each attaching its policy to every principal of ``roles``, ``users`` and ``groups``: the
    broad items leave the collection when the role is all it attaches them to. Listing other principals,
    no single edit is right (removing the item detaches it from them, removing the role from ``roles``
    detaches every item's policy from the role), so it is refused naming them."""
    where = f"aws_iam_policy_attachment.{block.labels[1]}"
    for_each = hcl.find_attribute(text, block, "for_each")
    if for_each is None or not for_each.value(text).startswith(("{", "toset(")):
        if for_each is not None:
            result.seen.append(
                f"{path}: {where} for_each = {for_each.value(text).strip()} {NOT_LITERAL}: the collection "
                "must be a literal list or map in this file for policygen to edit it"
            )
        return text
    pick = _picker(text, block, role_refs)
    probe = EditResult()
    if _edit_for_each(text, block, replaced, probe, path, pick) == text:
        return text
    items = [i.text(text).strip() for i in hcl.list_items(text, roles.value_start)]
    others = [i for i in items if i not in ours]
    others += [f"{a.name} {a.value(text).strip()}" for a in _principals(text, block, ("users", "groups"))]
    if others:
        raise GitOpsEditError(
            f"{path}: resource {where} attaches each policy of its for_each ({', '.join(probe.detached)} "
            f"among them) to the role and also to {', '.join(others)}: removing the item would detach it "
            "from those too, and removing the role from roles would detach every item's policy from the "
            "role, so no one edit removes only the role's broad attachment. Give the role an attachment of "
            "its own (or detach the policy by hand), then run again. Nothing was changed"
        )
    return _edit_for_each(text, block, replaced, result, path, pick)


# Terraform's lifecycle meta-argument (Terraform language docs, "The lifecycle Meta-Argument"): its settings
# take literal values only. prevent_destroy "will cause Terraform to reject with an error any plan that
# would destroy the infrastructure object", but "does not prevent the remote object from being destroyed if
# the resource block were removed from configuration entirely"; ignore_changes lists attributes (or `all`)
# whose changes in the configuration Terraform does not apply.
_PROTECTION_GOES = (
    "; it had lifecycle { prevent_destroy = true }, which goes with the block: Terraform then destroys it, "
    "as its documentation says, so review that this protection may go"
)


def _lifecycle_value(text: str, block: hcl.Block, name: str) -> str | None:
    for inner in hcl.blocks(text, block.open + 1, block.close):
        if inner.type == "lifecycle":
            attr = hcl.find_attribute(text, inner, name)
            if attr is not None:
                return attr.value(text).strip()
    return None


def _prevent_destroy(text: str, block: hcl.Block) -> bool:
    return _lifecycle_value(text, block, "prevent_destroy") == "true"


def _check_not_ignored(text: str, block: hcl.Block, attribute: str, where: str) -> None:
    """Refuses to edit an attribute whose changes Terraform ignores: the edit would change nothing in AWS
    (the broad policy would stay, and the generated one would not be attached)."""
    value = _lifecycle_value(text, block, "ignore_changes")
    if value is None:
        return
    if hcl.unwrapped(value).strip('"') == "all" or re.search(rf'(?<![\w.])"?{attribute}\b', value):
        raise GitOpsEditError(
            f"{where} has lifecycle {{ ignore_changes = {value} }}: Terraform does not apply a change of "
            f"its {attribute}, so this edit would leave the broad policy attached in AWS. Remove {attribute} "
            "from ignore_changes in a change of its own (or replace the policy by hand), then run again. "
            "Nothing was changed"
        )


def policy_arns(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    replace: tuple[str, ...],
    variables: hcl.Variables | None = None,
) -> hcl_edit.Replaced:
    """Which of the broad ARNs an expression stands for: the literal ARN; the ARN with its partition
    interpolated (``"arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess"``, as code
    written for every partition does); ``data.aws_iam_policy.X.arn`` of a data source that gives that ARN or
    that policy's name; ``local.X`` (or ``local.X.ATTR`` of an object) whose value in the module's locals
    is one of these. A local cannot be set from outside the module (unlike a variable, which tfvars and
    callers decide), so its literal is what Terraform uses: ``policy_arn = local.power_user_arn`` was left
    attached, and the run refused as "not found attached". ``var.X`` stands for what its value in the
    module's files (``hcl.variable``: a tfvars file's, else its default) stands for; one whose value they
    do not give stands for none, and the attachment is named with the reason."""
    data: dict[str, tuple[str, hcl.Block]] = {
        block.labels[1]: (path, block)
        for path, blocks in parsed.items()
        for block in blocks
        if block.type == "data" and block.labels[:1] == ("aws_iam_policy",) and len(block.labels) == 2
    }
    local_values = {name: places[0] for name, places in hcl.locals_in(texts, parsed).items()}

    def stands_for(expression: str, through: frozenset[str] = frozenset()) -> str | None:
        expression = hcl.unwrapped(expression)
        variable = hcl.VAR_REF.fullmatch(expression)
        if variable is not None and variables is not None:
            value = variables(variable.group(1)).value
            return stands_for(value, through) if value is not None else None
        local = hcl_edit.LOCAL_REF.fullmatch(expression)
        if local is not None:
            if local.group(1) not in local_values or local.group(1) in through:
                return None
            path, attr = local_values[local.group(1)]
            value = attr.value(texts[path])
            if local.group(2) is None:
                return stands_for(value, through | {local.group(1)})
            if not value.startswith("{"):
                return None
            literal = terraform_modules.object_strings(texts[path], attr.value_start).get(local.group(2))
            return literal if literal in replace else None
        literal = hcl.string_literal(expression)
        if literal is not None:
            return literal if literal in replace else None
        templated = _PARTITION_TEMPLATE.fullmatch(expression)
        if templated is not None:
            return next((arn for arn in replace if arn.split(":", 2)[2:] == [templated.group(1)]), None)
        source = hcl_edit.DATA_ARN.fullmatch(expression)
        if source is None or source.group(1) not in data:
            return None
        path, block = data[source.group(1)]
        given = hcl.find_attribute(texts[path], block, "arn")
        if given is not None:
            return stands_for(given.value(texts[path]))
        name = hcl.find_attribute(texts[path], block, "name")
        named = hcl.string_literal(name.value(texts[path])) if name else None
        return hcl_edit.named_policy(replace, named)

    return stands_for


_PARTITION_TEMPLATE = re.compile(r'"arn:\$\{[^}"]+\}:((?:[^"\\$%]|\\.)*)"')
_VARIABLE = re.compile(r"\bvar\.[A-Za-z_]")


def _upsert(
    role_text: str,
    texts: dict[str, str],
    rtype: str,
    label: str,
    block_text: str,
    role_path: str,
    result: EditResult,
) -> str:
    """Replaces our own block wherever it is (a second run), or appends it to the role's file."""
    for path in sorted(texts):
        current = role_text if path == role_path else texts[path]
        for block in hcl.blocks(current):
            if block.type == "resource" and block.labels == (rtype, label):
                if _same_block(current[block.start : block.end], block_text):
                    return role_text
                updated = current[: block.start] + block_text + current[block.end :]
                result.notes.append(f"{path}: updated resource {rtype}.{label}")
                if path == role_path:
                    return updated
                texts[path] = updated
                return role_text
    result.notes.append(f"{role_path}: added resource {rtype}.{label}")
    result.attachment_added |= rtype == "aws_iam_role_policy_attachment"
    if role_text and not role_text.endswith("\n"):
        role_text += "\n"
    return role_text + ("\n" if role_text else "") + block_text


_HEREDOC = re.compile(r"<<-EOT\n(.*?)\n[ \t]*EOT", re.S)


def _same_block(old: str, new: str) -> bool:
    """The same block, its policy heredoc compared as a document (``same_json_text``), the rest as text."""
    if old.rstrip("\n") == new.rstrip("\n"):
        return True
    old_doc, new_doc = _HEREDOC.search(old), _HEREDOC.search(new)
    if old_doc is None or new_doc is None:
        return False
    if _HEREDOC.sub("EOT", old).rstrip("\n") != _HEREDOC.sub("EOT", new).rstrip("\n"):
        return False
    literal = [re.sub(r"([$%])\1\{", r"\1{", m.group(1)) for m in (old_doc, new_doc)]
    return same_json_text(*literal)


Meta = list[tuple[str, str]]  # meta-arguments of the blocks we add (provider, count, ...), in order


def _meta_lines(meta: Meta) -> str:
    """The meta-arguments as the first lines of a block, aligned as ``terraform fmt`` does, then a blank."""
    width = max((len(name) for name, _ in meta), default=0)
    return "".join(f"  {name.ljust(width)} = {value}\n" for name, value in meta) + ("\n" if meta else "")


def _policy_block(label: str, name: str, description: str, document: dict[str, object], meta: Meta) -> str:
    body = json.dumps(document, indent=2)
    # ${ and %{ start templates inside a heredoc; IAM policy variables like ${aws:username} must stay literal.
    body = re.sub(r"([$%])\{", r"\1\1{", body)
    body = "\n".join("    " + line for line in body.split("\n"))
    return (
        f'resource "aws_iam_policy" "{label}" {{\n' + _meta_lines(meta) + f'  name        = "{name}"\n'
        f'  description = "{description}"\n'
        f"  policy      = <<-EOT\n{body}\n  EOT\n"
        "}\n"
    )


def _attachment_block(policy_label: str, keyed: _Keyed, meta: Meta) -> str:
    return (
        f'resource "aws_iam_role_policy_attachment" "{policy_label}" {{\n'
        + _meta_lines(meta)
        + f"  role       = {keyed.role}\n"
        f"  policy_arn = aws_iam_policy.{policy_label}{keyed.index}.arn\n"
        "}\n"
    )
