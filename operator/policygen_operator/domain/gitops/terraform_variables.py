"""Input variables an edit left unread: their declaration goes, with what the module's definitions files
set them to, in both syntaxes.

An edit takes a broad policy from a variable's value (an attachment of ``var.policy_arn`` removed, a
``managed_policy_arns = var.policies`` written in place as its value, an attachment per item of a
variable's list left empty). A variable nothing reads any more is an unused declaration, which tflint's
``terraform_unused_declarations`` rule fails ("Disallow variables, data sources, and locals that are
declared but never used"), and it keeps the broad ARN in the module's files, where the next reader takes it
for attached. Its value in a definitions file would be one "for undeclared variable" once the declaration
goes, which Terraform warns of (Terraform language docs, "Input Variables", "Values for Undeclared
Variables"; a -var-file's is a warning too, checked with Terraform v1.11: "Value for undeclared variable ...
a value was found in file envs/prod.tfvars"; only a ``-var`` on the command line is an error), so it goes
too, from the files Terraform loads itself and from the module's -var-files (``hcl.var_files``). A
variable the module still reads is left as it is, and one a module of the repository passes a value to
(``module "x" { source = "./..." }``, Terraform language docs, "Module Sources", "Local Paths") is kept
whatever the module reads: removing it would fail that call ("An argument named ... is not expected
here")."""

from __future__ import annotations

import posixpath

from policygen_operator.domain.gitops import hcl, hcl_edit, terraform_json
from policygen_operator.domain.gitops.model import EditResult, GitOpsEditError


def _is_code(path: str) -> bool:
    return path.endswith((".tf", terraform_json.SUFFIX))


def _is_definitions(path: str) -> bool:
    """A file that sets variables: the ones Terraform loads itself (``hcl.definitions_order``) and any other
    ``.tfvars`` given with ``-var-file``."""
    return path.endswith((".tfvars", ".tfvars.json"))


def _declarations(path: str, text: str) -> dict[str, tuple[int, int]]:
    """Each variable a file declares -> the extent of its declaration (the block, or the JSON member), so
    that what it reads of itself (a ``validation`` condition on ``var.NAME``) is not counted as a reader."""
    found: dict[str, tuple[int, int]] = {}
    if path.endswith(".tf"):
        for block in hcl.blocks(text):
            if block.type == "variable" and len(block.labels) == 1:
                found[block.labels[0]] = (block.start, block.end)
        return found
    root = terraform_json.parse(text)
    held = root.get("variable") if root.kind == "object" else None
    for by_name in terraform_json.objects(held):
        for name, at, body in by_name.members:
            found.setdefault(name, (at, body.end))
    return found


def _readers(module: dict[str, str], name: str, declared: dict[str, dict[str, tuple[int, int]]]) -> list[str]:
    """Where the module's code reads ``var.NAME`` (path:line), outside its own declaration; as
    ``hcl.reference`` reads a reference, a comment naming it included (a doubt keeps the variable)."""
    pattern = hcl.reference(f"var.{name}")
    found: list[str] = []
    for path, text in sorted(module.items()):
        own = declared.get(path, {}).get(name)
        for match in pattern.finditer(text):
            if own is None or not own[0] <= match.start() < own[1]:
                found.append(f"{path}:{text.count(chr(10), 0, match.start()) + 1}")
    return found


def _drop_declaration(path: str, text: str, name: str) -> str:
    if path.endswith(".tf"):
        block = next(b for b in hcl.blocks(text) if b.type == "variable" and b.labels == (name,))
        return hcl_edit.remove_block(text, block)
    return _drop_json_member(text, ("variable",), name)


def _drop_json_member(text: str, within: tuple[str, ...], name: str) -> str:
    """``text`` without the member ``name`` of the root object (``within`` empty) or of the object(s) the
    root holds under ``within[0]``, and without that holder when it is left empty."""
    root = terraform_json.parse(text)
    if not within:
        index = [key for key, _, _ in root.members].index(name)
        return terraform_json.remove(text, root, index)
    held = root.get(within[0])
    for by_name in terraform_json.objects(held):
        keys = [key for key, _, _ in by_name.members]
        if name not in keys:
            continue
        if len(keys) == 1 and by_name is held:
            return terraform_json.remove(text, root, [key for key, _, _ in root.members].index(within[0]))
        return terraform_json.remove(text, by_name, keys.index(name))
    return text


def _drop_assignment(path: str, text: str, name: str) -> str | None:
    """``text`` without what the definitions file sets ``name`` to (every assignment of it, and the comment
    lines right above each, as a block goes); None when it sets no such variable."""
    if path.endswith(".json"):
        root = terraform_json.parse(text)
        if root.kind != "object" or root.get(name) is None:
            return None
        return _drop_json_member(text, (), name)
    assignment = hcl.native_assignments(text).get(name)
    if assignment is None:
        return None
    start = hcl_edit.comments_above(text, assignment.line_start)
    dropped = text[:start] + text[assignment.line_end :]
    return _drop_assignment(path, dropped, name) or dropped


def drop_unread(files: dict[str, str], result: EditResult, whole_module: bool = True) -> None:
    """Removes from ``result.changes`` each variable the edit left unread in a module it changed: its
    declaration and its values in the module's definitions files, each said in a note. One the edit read
    less but something still reads, or one a module of the repository calls with a value, is kept, and the
    note says what keeps it. A file left with nothing is deleted, as the edit deletes one. With
    ``whole_module`` false (the pull request's ``path`` names one file), the module's other files were not
    read and may read it: kept, and said."""
    changed = result.changes
    folders = sorted({posixpath.dirname(p) for p in changed if _is_code(p)})
    for folder in folders:
        before = {p: t for p, t in files.items() if posixpath.dirname(p) == folder and _is_code(p)}
        after = {
            p: t
            for p in sorted(
                {*before, *(c for c in changed if posixpath.dirname(c) == folder and _is_code(c))}
            )
            if (t := changed[p] if p in changed else before[p]) is not None
        }
        # a variable the edit took a reader from, by a count of its references: the files are parsed
        # only when there is one (a module of thousands of blocks reads no variable the edit reached)
        read = dict.fromkeys(n for p in sorted(before) for n in hcl.VAR_REF.findall(before[p]))
        lost = [
            n
            for n in read
            if sum(len(hcl.reference(f"var.{n}").findall(t)) for t in before.values())
            > sum(len(hcl.reference(f"var.{n}").findall(t)) for t in after.values())
        ]
        if not lost:
            continue
        try:
            declared_before = {p: _declarations(p, t) for p, t in before.items()}
            declared_after = {p: _declarations(p, t) for p, t in after.items()}
        except (GitOpsEditError, ValueError):
            continue  # a file of the module the edit did not parse: its variables are not judged
        names = [
            n
            for n in dict.fromkeys(n for p in sorted(declared_before) for n in declared_before[p])
            if n in lost
        ]
        calls = [f"module.{call.label} ({call.path})" for call in hcl.module_calls(files, folder)]
        for name in names:
            read_before = _readers(before, name, declared_before)
            read_after = _readers(after, name, declared_after)
            if len(read_after) >= len(read_before):
                continue  # the edit did not take a reader away
            where = next(p for p in sorted(declared_before) if name in declared_before[p])
            if read_after:
                result.notes.append(
                    f"{where}: var.{name} is left as it is: still read at {', '.join(read_after)}"
                )
                continue
            if not whole_module:
                result.notes.append(
                    f"{where}: var.{name} is read by nothing in the files read, but path names one file and "
                    "the module's other files were not read: remove it (and its definitions) by hand if "
                    "nothing there reads it"
                )
                continue
            if calls:
                result.notes.append(
                    f"{where}: var.{name} is left as it is, though nothing in the module reads it any more: "
                    f"{', '.join(calls)} calls the module, and a value it passes would fail without the "
                    "declaration; remove it there and here by hand"
                )
                continue
            _drop(files, folder, name, result)


def _drop(files: dict[str, str], folder: str, name: str, result: EditResult) -> None:
    """The declaration of ``name`` and its values go from the module's files as the edit left them."""
    changed = result.changes
    # the module's -var-files too (``hcl.var_files``: its subfolders' among them), each an environment's
    # values, where a value left for the removed variable is a warning at each plan
    ours = {*(p for p in files if posixpath.dirname(p) == folder), *hcl.var_files(files, folder)}
    current = {p: t for p, t in files.items() if p in ours}
    for path, text in changed.items():
        if path in ours or posixpath.dirname(path) == folder:
            if text is None:
                current.pop(path, None)
            else:
                current[path] = text
    for path in sorted(p for p in current if _is_code(p)):
        if name in _declarations(path, current[path]):
            changed[path] = _left(path, files.get(path, ""), _drop_declaration(path, current[path], name))
            result.notes.append(f'{path}: removed variable "{name}", which nothing reads any more')
    named = set(hcl.var_files(files, folder))  # a pipeline names them: emptied, never removed (``_left``)
    for path in sorted(p for p in current if _is_definitions(p)):
        try:
            dropped = _drop_assignment(path, current[path], name)
        except (GitOpsEditError, ValueError):
            continue
        if dropped is not None:
            changed[path] = _left(path, files.get(path, ""), dropped, kept=path in named)
            result.notes.append(f"{path}: removed the value of the removed variable {name}")


def _left(path: str, before: str, text: str, kept: bool = False) -> str | None:
    """What the file is after the removal: aligned as ``terraform fmt`` wants (native syntax), None when
    nothing is left in it, unless ``kept``: a -var-file is named on a command line, and a plan naming one
    that is gone fails ("Failed to read variables file: Given variables file ... does not exist",
    Terraform's internal/command/meta_vars.go), where an empty one sets nothing (a JSON one the empty
    object it must be)."""
    if path.endswith(".json"):
        root = terraform_json.parse(text)
        return None if root.kind == "object" and not root.members and not kept else text
    aligned = hcl_edit.align(before, text) if before else text
    if aligned.strip():
        return aligned
    return "" if kept else None
