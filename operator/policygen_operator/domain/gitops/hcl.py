"""A small brace-aware scanner for HCL: finds blocks and attributes by offset, never re-serialises.

Terraform files are edited as text so that everything we do not touch stays byte-for-byte the same
(formatting, comments, alignment). The scanner only has to know what can hide a brace: strings with
``${ }`` / ``%{ }`` templates, heredocs, and the three comment styles.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from policygen_operator.domain.gitops.model import GitOpsEditError

_OPEN = {"{": "}", "[": "]", "(": ")"}
_CLOSE = set(_OPEN.values())
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][\w-]*)[ \t]*\r?\n")
_BLOCK_HEADER = re.compile(r"([A-Za-z_][\w-]*)((?:[ \t]+(?:\"[^\"\n]*\"|[A-Za-z_][\w-]*))*)[ \t]*\{")
_ATTRIBUTE = re.compile(r"[ \t]*([A-Za-z_][\w-]*)[ \t]*=(?!=)[ \t]*")


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    start: int  # start of the line holding the header
    open: int  # offset of "{"
    close: int  # offset of the matching "}"
    end: int  # just past the closing line's newline

    def body(self, text: str) -> str:
        return text[self.open + 1 : self.close]


@dataclass(frozen=True)
class Attribute:
    name: str
    line_start: int
    value_start: int
    value_end: int  # end of the value (before a trailing comment and the newline)
    line_end: int  # just past the newline

    def value(self, text: str) -> str:
        return text[self.value_start : self.value_end]


def _skip_string(text: str, i: int) -> int:
    """``text[i]`` is a double quote; returns the offset just past the closing quote."""
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
        elif c == '"':
            return j + 1
        elif text.startswith(("$${", "%%{"), j):
            j += 3
        elif c in "$%" and text.startswith("{", j + 1):
            j = match_close(text, j + 1) + 1
        elif c == "\n":
            break
        else:
            j += 1
    raise GitOpsEditError(f"unterminated string at offset {i}")


def _skip_heredoc(text: str, i: int) -> int | None:
    match = _HEREDOC.match(text, i)
    if not match:
        return None
    terminator = re.compile(r"^[ \t]*" + re.escape(match.group(2)) + r"[ \t]*\r?$", re.M)
    end = terminator.search(text, match.end())
    if not end:
        raise GitOpsEditError(f"unterminated heredoc <<{match.group(2)} at offset {i}")
    return end.end()


def _skip_opaque(text: str, i: int) -> int | None:
    """If a string, heredoc or comment starts at ``i``, the offset just past it; otherwise None."""
    c = text[i]
    if c == '"':
        return _skip_string(text, i)
    if c == "#" or text.startswith("//", i):
        newline = text.find("\n", i)
        return len(text) if newline < 0 else newline
    if text.startswith("/*", i):
        close = text.find("*/", i + 2)
        if close < 0:
            raise GitOpsEditError(f"unterminated comment at offset {i}")
        return close + 2
    if text.startswith("<<", i):
        return _skip_heredoc(text, i)
    return None


_OPAQUE_START = re.compile(r"[\"#/<]")


def locals_in(
    texts: dict[str, str], parsed: dict[str, list[Block]]
) -> dict[str, list[tuple[str, Attribute]]]:
    """Each local of the files' ``locals`` blocks -> where it is set, in path order. Terraform refuses a
    local set twice in one module, so the first is the one read (``terraform.policy_arns``, the eks
    module's groups), and an edit of the local's literal requires it to be the only one
    (``terraform._edit_local_collection``, ``terraform_eks``)."""
    found: dict[str, list[tuple[str, Attribute]]] = {}
    for path, blocks in sorted(parsed.items()):
        for block in blocks:
            if block.type == "locals" and not block.labels:
                for attr in attributes(texts[path], block):
                    found.setdefault(attr.name, []).append((path, attr))
    return found


def literal_locals(texts: dict[str, str], parsed: dict[str, list[Block]], directory: str) -> dict[str, str]:
    """``local.X`` -> its value, for each local of ``directory``'s module set to a string literal: a role
    named ``"${local.name}-sigv4-client"`` (eks-blueprints' layout) is named as surely as by the literal,
    since a local is assigned only in its module's own ``locals`` blocks ("Local Values" in the Terraform
    language docs), never by tfvars, a workspace or a caller. A local set twice (Terraform refuses the
    module) or to anything but a literal gives nothing."""
    own = {p: blocks for p, blocks in parsed.items() if posixpath.dirname(p) == directory}
    scope = {}
    for name, places in locals_in(texts, own).items():
        value = string_literal(places[0][1].value(texts[places[0][0]])) if len(places) == 1 else None
        if value is not None:
            scope[f"local.{name}"] = value
    return scope


def reference(address: str, suffix: str = "") -> re.Pattern[str]:
    """``address`` (``aws_iam_role.ci``, ``local.groups``) where a module's text refers to it, and not
    inside another name: neither one it begins (``aws_iam_role.ci-old``, ``local.groups_gpu``) nor one it
    ends (``data.aws_iam_role.ci``, ``module.x.local.groups``). The one reading of every check that asks
    whether something else reads an address (an attachment about to be removed, the role, a local about to
    be edited); ``suffix`` is matched after it (an instance key)."""
    return re.compile(rf"(?<![\w.-]){re.escape(address)}(?![\w-]){suffix}")


def comment_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every comment of ``text``: what looks like code there is not."""
    spans: list[tuple[int, int]] = []
    j = 0
    while (found := _OPAQUE_START.search(text, j)) is not None:
        k = found.start()
        skipped = _skip_opaque(text, k)
        if skipped is None:
            j = k + 1
            continue
        if text[k] in "#/":
            spans.append((k, skipped))
        j = skipped
    return spans


# Characters that can open a bracket, a string, a comment or a heredoc: everything else is skipped by regex.
_INTERESTING = re.compile(r"[{}\[\]()\"#/<]")
# ... and, at the top level, an identifier at the start of a line (a block header candidate).
_TOP_TOKEN = re.compile(r"[{\[(\"#/<]|^[ \t]*[A-Za-z_]", re.M)


def match_close(text: str, i: int) -> int:
    """``text[i]`` opens a bracket; returns the offset of the one that closes it."""
    stack = [_OPEN[text[i]]]
    j = i + 1
    while True:
        found = _INTERESTING.search(text, j)
        if found is None:
            raise GitOpsEditError(f"unclosed {text[i]!r} at offset {i}")
        k = found.start()
        skipped = _skip_opaque(text, k)
        if skipped is not None:
            j = skipped
            continue
        c = text[k]
        if c in _OPEN:
            stack.append(_OPEN[c])
        elif c in _CLOSE:
            if c != stack.pop():
                raise GitOpsEditError(f"unbalanced {c!r} at offset {k}")
            if not stack:
                return k
        j = k + 1


def _step(text: str, i: int) -> int:
    """Past the token at ``i``: a whole string, heredoc, comment or bracketed group, else one character."""
    skipped = _skip_opaque(text, i)
    if skipped is not None:
        return skipped
    return match_close(text, i) + 1 if text[i] in _OPEN else i + 1


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def _line_end(text: str, i: int) -> int:
    newline = text.find("\n", i)
    return len(text) if newline < 0 else newline + 1


def blocks(text: str, start: int = 0, stop: int | None = None) -> list[Block]:
    """Blocks at the top nesting level of ``text[start:stop]`` (a file, or a block's body)."""
    found: list[Block] = []
    stop = len(text) if stop is None else stop
    j = start
    while j < stop:
        token = _TOP_TOKEN.search(text, j, stop)
        if token is None:
            break
        k = token.start()
        c = text[k]
        if c.isalpha() or c in " \t_":
            header = _BLOCK_HEADER.match(text, token.end() - 1)
            if header is None or header.end() > stop:
                j = token.end()
                continue
            labels = tuple(
                lab.strip('"') for lab in re.findall(r"\"[^\"\n]*\"|[A-Za-z_][\w-]*", header.group(2))
            )
            open_ = header.end() - 1
            close = match_close(text, open_)
            found.append(
                Block(header.group(1), labels, _line_start(text, k), open_, close, _line_end(text, close))
            )
            j = close + 1
            continue
        j = _step(text, k)
    return found


def attributes(text: str, block: Block) -> list[Attribute]:
    """Attributes (``name = value``) directly inside ``block``, with the extent of each value.

    ``block`` must have been found in ``text``: one found in the text before an edit names offsets of
    another text, and a scan of it past the end of a shorter text made no progress (``_line_end`` of the
    end is the end, still before the stale ``close``), so the run hung. A block whose braces are not at its
    offsets is refused, and every step moves forward, so no block can make the scan loop."""
    if not (block.open < block.close < len(text) and text[block.open] == "{" and text[block.close] == "}"):
        raise ValueError(
            f"block {block.type} {' '.join(block.labels)} ({{ at {block.open}, }} at {block.close}) is not "
            f"a block of this text ({len(text)} characters): its offsets come from another text"
        )
    found: list[Attribute] = []
    i = block.open + 1
    i = _line_end(text, i)
    while i < block.close:
        match = _ATTRIBUTE.match(text, i)
        if not match or match.end() > block.close:
            nested = _BLOCK_HEADER.match(text, i + (len(text[i:]) - len(text[i:].lstrip(" \t"))))
            i = max(i + 1, _line_end(text, match_close(text, nested.end() - 1) if nested else i))
            continue
        value_start = match.end()
        end = value_end(text, value_start, block.close)
        line_end = max(i + 1, _line_end(text, end))
        found.append(Attribute(match.group(1), i, value_start, end, line_end))
        i = line_end
    return found


def value_end(text: str, start: int, stop: int) -> int:
    """The end of an expression starting at ``start``: the first newline outside brackets."""
    j = start
    while j < stop:
        if text[j] == "#" or text.startswith(("//", "/*"), j):
            return start + len(text[start:j].rstrip(" \t"))
        if text[j] == "\n":
            return start + len(text[start:j].rstrip(" \t\r"))
        j = _step(text, j)
    return start + len(text[start:stop].rstrip())


def find_attribute(text: str, block: Block, name: str) -> Attribute | None:
    return next((a for a in attributes(text, block) if a.name == name), None)


def string_literal(value: str) -> str | None:
    """The content of a plain quoted string without templates, or None for any other expression."""
    match = re.fullmatch(r"\"((?:[^\"\\$%]|\\.)*)\"", value.strip())
    return match.group(1).encode().decode("unicode_escape") if match else None


_ONE_INTERPOLATION = re.compile(r'"\$\{\s*([^"${}]+?)\s*\}"')


def unwrapped(value: str) -> str:
    """A template that is exactly one interpolation (``"${aws_iam_role.app.name}"``, how Terraform 0.11
    wrote every reference, still common and left alone by ``terraform fmt``) as the expression it
    interpolates; any other value stripped."""
    match = _ONE_INTERPOLATION.fullmatch(value.strip())
    return match.group(1) if match else value.strip()


@dataclass(frozen=True)
class ListItem:
    start: int
    end: int  # after the item, before its comma

    def text(self, text: str) -> str:
        return text[self.start : self.end]


def list_items(text: str, open_: int) -> list[ListItem]:
    """Items of the list literal whose ``[`` is at ``open_``, comments between them skipped."""
    close = match_close(text, open_)
    items: list[ListItem] = []
    j = open_ + 1
    while j < close:
        c = text[j]
        if c.isspace() or c == ",":
            j += 1
        elif c == "#" or text.startswith(("//", "/*"), j):
            j = _skip_opaque(text, j) or j + 1
        else:
            end = _item_end(text, j, close)
            items.append(ListItem(j, end))
            j = max(end, j + 1)
    return items


def _item_end(text: str, start: int, close: int) -> int:
    """An item ends at the first comma, comment or the list's close outside brackets, strings and heredocs."""
    j = start
    while j < close:
        c = text[j]
        if c == "#" or text.startswith(("//", "/*"), j) or c == ",":
            break
        j = _step(text, j)
    return start + len(text[start:j].rstrip())


@dataclass(frozen=True)
class Line:
    """One line as ``terraform fmt`` sees it (hclwrite's ``formatLine``): a heredoc or a block comment
    belongs to the line it starts on. ``equals`` is the offset of its attribute's ``=`` when the line is
    a whole ``name = value`` (the brackets after the ``=`` balance, up to a heredoc): only such lines are
    aligned with each other. ``comment`` is the offset of a trailing comment after code."""

    start: int
    end: int  # the offset of its newline, or len(text)
    equals: int | None
    comment: int | None


def format_lines(text: str) -> list[Line]:
    """The lines of ``text`` (a file that parses) as hclwrite's formatter splits them."""
    found: list[Line] = []
    i = 0
    while i < len(text):
        j, equals, net, counting, comment, code = i, None, 0, True, None, False
        while j < len(text) and text[j] != "\n":
            c = text[j]
            if c in " \t\r":
                j += 1
                continue
            skipped = _skip_opaque(text, j)
            if skipped is not None:
                if c in "#/":
                    comment = j if code else None
                else:
                    if c == "<":  # a heredoc: hclwrite stops counting brackets at its opening
                        counting = equals is None
                    code, comment = True, None
                j = skipped
                continue
            if c == "=" and equals is None and code:
                pair = text[j - 1 : j + 2]
                if not (pair[1:] in ("==", "=>") or pair[0] in "!<>="):
                    equals = j
            elif equals is not None and counting:
                net += (c in _OPEN) - (c in _CLOSE)
            code, comment = True, None
            j += 1
        found.append(Line(i, j, equals if equals is not None and net == 0 else None, comment))
        i = j + 1
    return found


# A reference to an input variable of the module (``var.policy_arn``).
VAR_REF = re.compile(r"var\.([A-Za-z_][\w-]*)")
_TEMPLATE = re.compile(r"(?<![$%])[$%]\{")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_KEY_SEPARATOR = re.compile(r"[ \t]*(?:=(?![=>])|:)")


def is_literal(value: str) -> bool:
    """Whether an expression is a constant: strings without templates, numbers, ``true``/``false``/``null``
    and lists or objects of them. A reference, a function call, an operator, a conditional, a ``for``
    expression or a template is not: its value is not what the text says."""
    i = 0
    while i < len(value):
        c = value[i]
        if c in " \t\r\n,[]{}":
            i += 1
        elif c == '"':
            end = _skip_string(value, i)
            if _TEMPLATE.search(value, i + 1, end - 1):
                return False
            i = end
        elif c == "#" or value.startswith(("//", "/*"), i):
            i = _skip_opaque(value, i) or i + 1
        elif (number := _NUMBER.match(value, i)) is not None:
            i = number.end()
        elif (word := _WORD.match(value, i)) is not None:
            key = _KEY_SEPARATOR.match(value, word.end()) is not None
            if word.group() not in ("true", "false", "null") and not key:
                return False
            i = word.end()
        elif c in "=:":
            i += 1
        else:
            return False
    return True


@dataclass(frozen=True)
class Variable:
    """What a module's files say of one of its input variables: its value as an HCL expression (a literal)
    and where it comes from, or None and why the files do not decide it."""

    name: str
    value: str | None
    source: str
    why: str = ""
    # where the value is written: the file and the offsets of the expression in it, when it is a default of
    # a native ``variable`` block or a native definitions file's assignment (None in the JSON syntax)
    path: str = ""
    span: tuple[int, int] | None = None
    # each place that gives the value in some environment when -var-files set it (``var_files``): the
    # module's own value when it has one, then each -var-file's; there even when they differ (value None),
    # for an edit that is right in each place alike (a count's list losing the broad ARN in each)
    places: tuple[Place, ...] = ()
    # how the module's own files decide it: "default" (its variable block's), "set" (a definitions file),
    # "unset" (declared without either), "caller" (a module call gives it), "undeclared", or "" (refused:
    # a file that cannot be read, a value that is not a literal)
    state: str = ""

    @property
    def shown(self) -> str:
        return f"var.{self.name} ({self.source})"

    @property
    def place(self) -> Place | None:
        """Where its value is written, as one environment's ``Place`` (None without a value)."""
        if self.value is None:
            return None
        return Place(self.path, self.value, self.span, self.source, default=self.state == "default")


@dataclass(frozen=True)
class Place:
    """Where one environment's value of a variable is written: the file, the value, the offsets of the
    expression (a native file's; None in the JSON syntax) and how it is said (``Variable.source``)."""

    path: str
    value: str
    span: tuple[int, int] | None
    source: str
    default: bool = False  # a variable block's default, not a definitions file's assignment

    @property
    def said(self) -> str:
        value = " ".join(self.value.split())
        return f"{self.source} is {value}" if self.default else f"{self.path} sets {value}"


def definitions_order(path: str) -> tuple[int, str] | None:
    """Where a file of definitions comes in Terraform's order of precedence, later taking precedence
    (Terraform language docs, "Input Variables", "Variable Definition Precedence": terraform.tfvars, then
    terraform.tfvars.json, then the *.auto.tfvars and *.auto.tfvars.json files in lexical order of their
    names); None for any other file."""
    base = path.rsplit("/", 1)[-1]
    if base == "terraform.tfvars":
        return (0, base)
    if base == "terraform.tfvars.json":
        return (1, base)
    if base.endswith((".auto.tfvars", ".auto.tfvars.json")):
        return (2, base)
    return None


def _under(folder: str, parent: str) -> bool:
    return folder != parent and (parent == "" or folder.startswith(parent + "/"))


def var_files(files: dict[str, str], folder: str) -> list[str]:
    """The variable definitions files of the root module in ``folder`` that Terraform loads only when a
    command names them (``terraform plan -var-file=envs/prod.tfvars``; Terraform language docs, "Input
    Variables", "Variable Definitions (.tfvars) Files": a file ending in .tfvars or .tfvars.json): those of
    the module's directory that ``definitions_order`` does not load, and every one of its subfolders (a
    ``terraform.tfvars`` there is loaded only by -var-file, the automatic loading being the working
    directory's), except under a subfolder holding .tf or .tf.json files, which is another module and has
    files of its own. A file of another directory is not counted: which module a pipeline passes it to is
    not in the repository."""
    modules = {posixpath.dirname(p) for p in files if p.endswith((".tf", ".tf.json"))}
    inner = [m for m in modules if _under(m, folder)]
    found: list[str] = []
    for path in sorted(files):
        if not path.endswith((".tfvars", ".tfvars.json")):
            continue
        where = posixpath.dirname(path)
        if where == folder:
            if definitions_order(path) is None:
                found.append(path)
        elif _under(where, folder) and not any(where == m or _under(where, m) for m in inner):
            found.append(path)
    return found


def _normal(value: str) -> str:
    """A literal without its layout (spaces, line breaks, comments, trailing commas), to tell whether two
    files give the same value; two spellings of one value left apart only make a refusal, never an edit.
    A string is one token, so that a comma before a bracket inside it (``"a,]"``) is not taken for layout."""
    kept: list[str] = []
    i = 0
    while i < len(value):
        c = value[i]
        if c == '"':
            end = _skip_string(value, i)
            kept.append(value[i:end])
            i = end
        elif c == "#" or value.startswith(("//", "/*"), i):
            i = _skip_opaque(value, i) or i + 1
        elif c in " \t\r\n":
            i += 1
        else:
            kept.append(c)
            i += 1
    after = [*kept[1:], ""]
    return "".join(t for t, n in zip(kept, after, strict=True) if not (t == "," and n in ("]", "}")))


def _json_value(value: object) -> str:
    """A JSON value as the HCL expression that is the same value (a JSON array or object is HCL too)."""
    return json.dumps(value)


_WRAP = "tfvars {\n"


def native_assignments(text: str) -> dict[str, Attribute]:
    """``name = value`` lines at the top of a native definitions file (``terraform.tfvars``), at their
    offsets in ``text``; the last one of a name when it is set twice."""
    wrapped = _WRAP + text + "\n}\n"
    block = blocks(wrapped)[0]
    shift = len(_WRAP)
    return {
        a.name: Attribute(
            a.name,
            a.line_start - shift,
            a.value_start - shift,
            a.value_end - shift,
            min(a.line_end - shift, len(text)),
        )
        for a in attributes(wrapped, block)
    }


def _json_declarations(text: str, kind: str = "variable") -> dict[str, dict[str, object]]:
    """The ``variable`` (``kind``) blocks of a JSON-syntax file: name -> its body (Terraform language docs,
    "JSON Configuration Syntax": a block type's property holds an object, or an array of them)."""
    root = json.loads(text)
    found: dict[str, dict[str, object]] = {}
    held = root.get(kind) if isinstance(root, dict) else None
    for by_name in held if isinstance(held, list) else [held]:
        if not isinstance(by_name, dict):
            continue
        for name, body in by_name.items():
            for one in body if isinstance(body, list) else [body]:
                if isinstance(one, dict):
                    found.setdefault(name, one)
    return found


_UNSET = "it has no default and no definitions file of the module"


def variable(
    files: dict[str, str], folder: str, name: str, calls: list[ModuleCall] | None = None
) -> Variable:
    """``var.NAME`` of the module in ``folder`` in every environment: ``_module_variable`` (the module's
    files without -var-file), and each of the module's -var-files (``var_files``) that sets it, a file
    being one environment (``terraform plan -var-file=envs/prod.tfvars``; "Variable Definition
    Precedence": a -var-file's value wins over the files Terraform loads itself and over the default).

    A plan without -var-file, or with one that does not set the variable, takes the module's own value: it
    counts as one environment too whenever the module gives one. The value is the one value every
    environment has; when they differ it is None, naming each file and its value (``places`` keeps them,
    for an edit that can be made in each): an edit made for one value would be right in one environment
    only."""
    own = _module_variable(files, folder, name, calls)
    if own.state in ("undeclared", "caller"):
        return own
    setting: list[Place] = []
    for path in var_files(files, folder):
        try:
            assigned = _assigned(files, path, name)
        except (GitOpsEditError, ValueError):
            return Variable(name, None, path, f"{path}, a -var-file of the module, cannot be read")
        if assigned is not None:
            setting.append(Place(path, *assigned, f"set in {path}"))
    if not setting:
        return own
    for place in setting:
        if not is_literal(place.value):
            return Variable(
                name, None, place.source, f"{place.path} sets it to {place.value}, which is not a literal"
            )
    if own.value is None and own.state != "unset":
        return own  # the module's own value is there but not read: refused as it is
    places = ([own.place] if own.place is not None else []) + setting
    if len({_normal(p.value) for p in places}) > 1:
        return Variable(
            name,
            None,
            "differs per -var-file",
            "; ".join(p.said for p in places) + ": each -var-file is an environment (and a plan without one "
            "takes the module's own value), and one edit for one value would be right in one of them only; "
            "make them agree, or edit each by hand",
            places=tuple(places),
        )
    first = places[0]
    source = first.source if len(places) == 1 else "; ".join(p.source for p in places)
    state = "default" if first.default and len(places) == 1 else "set"
    return Variable(
        name, first.value, source, path=first.path, span=first.span, places=tuple(places), state=state
    )


def _assigned(files: dict[str, str], path: str, name: str) -> tuple[str, tuple[int, int] | None] | None:
    """The value a definitions file (native or JSON) gives ``name``, as an HCL expression, and its offsets
    (a native file's; None in JSON), or None when it sets none. Raises what the parsers raise."""
    if path.endswith(".json"):
        values = json.loads(files[path])
        return (_json_value(values[name]), None) if isinstance(values, dict) and name in values else None
    given = native_assignments(files[path]).get(name)
    if given is None:
        return None
    return given.value(files[path]).strip(), (given.value_start, given.value_end)


def _module_variable(
    files: dict[str, str], folder: str, name: str, calls: list[ModuleCall] | None = None
) -> Variable:
    """``var.NAME`` of the module in ``folder``: the value the module's definitions files set last, else the
    ``default`` of its ``variable`` block (native ``.tf`` or JSON ``.tf.json``).

    Terraform takes a variable's value from ``-var``, ``-var-file``, ``TF_VAR_NAME``, the definitions files
    or the module's caller, and uses the default only when none sets it (Terraform language docs, "Input
    Variables"). The files of the module directory are what the repository shows: a variable with no
    default that none of them sets, or set to what is not a literal, is given its value somewhere
    policygen does not see, so its value is None with the reason. So is one that a ``module`` block of the
    repository calling the module (``module_calls``, or ``calls`` when the caller has them) sets: the
    caller's value, not the module's own."""
    declared: tuple[str, str | None] | None = None
    default_span: tuple[int, int] | None = None
    for path in sorted(files):
        if posixpath.dirname(path) != folder:
            continue
        text = files[path]
        try:
            if path.endswith(".tf"):
                for block in blocks(text):
                    if block.type == "variable" and block.labels == (name,):
                        given = find_attribute(text, block, "default")
                        declared = (path, given.value(text).strip() if given is not None else None)
                        default_span = (given.value_start, given.value_end) if given is not None else None
            elif path.endswith(".tf.json"):
                body = _json_declarations(text).get(name)
                if body is not None:
                    declared = (path, _json_value(body["default"]) if "default" in body else None)
        except (GitOpsEditError, ValueError):
            continue
        if declared is not None:
            break
    if declared is None:
        return Variable(
            name,
            None,
            "not declared",
            "no variable block of the module's files read declares it",
            state="undeclared",
        )
    where, default = declared
    setting = [
        call for call in (module_calls(files, folder) if calls is None else calls) if name in call.arguments
    ]
    if setting:
        call = setting[0]
        caller = f"module.{call.label} in {call.path}"
        return Variable(
            name,
            None,
            f"set by {caller}",
            f"{caller} calls the module with {name} = {call.arguments[name]}: the value is the "
            "caller's, one call's of as many as call the module, not the module's own; edit it there or by "
            "hand",
            state="caller",
        )
    set_by: tuple[str, str] | None = None
    set_span: tuple[int, int] | None = None
    definitions = sorted(
        (order, path)
        for path in files
        if posixpath.dirname(path) == folder and (order := definitions_order(path)) is not None
    )
    for _, path in definitions:
        try:
            assigned = _assigned(files, path, name)
        except (GitOpsEditError, ValueError):
            return Variable(name, None, path, f"{path}, a definitions file of the module, cannot be read")
        if assigned is not None:
            set_by, set_span = (path, assigned[0]), assigned[1]
    if set_by is not None:
        path, value = set_by
        if not is_literal(value):
            return Variable(
                name, None, f"set in {path}", f"{path} sets it to {value}, which is not a literal"
            )
        return Variable(name, value, f"set in {path}", path=path, span=set_span, state="set")
    if default is None:
        return Variable(
            name,
            None,
            f"declared in {where}",
            f"{_UNSET} (terraform.tfvars, *.auto.tfvars, a -var-file) sets it: -var, TF_VAR_{name} or the "
            "module's caller gives its value, which policygen does not see",
            state="unset",
        )
    if not is_literal(default):
        return Variable(name, None, f"declared in {where}", f"its default {default} is not a literal")
    return Variable(name, default, f"its default in {where}", path=where, span=default_span, state="default")


@dataclass(frozen=True)
class ModuleCall:
    """A ``module`` block of the repository that calls a module by a local path: its file, its label and
    the arguments it passes (name -> the value as an HCL expression; a JSON value is one too)."""

    path: str
    label: str
    arguments: dict[str, str]


def module_calls(files: dict[str, str], folder: str) -> list[ModuleCall]:
    """The ``module`` blocks of the repository's files, native and JSON (``.tf.json``: Terraform language
    docs, "JSON Configuration Syntax"), that call the module in ``folder`` by a local path (``source =
    "./modules/runner"``; "Module Sources", "Local Paths": a local path begins with ``./`` or ``../``). A
    file that cannot be parsed is passed over."""
    found: list[ModuleCall] = []
    here = posixpath.normpath(folder or ".")
    for path, text in sorted(files.items()):
        try:
            if path.endswith(".tf"):
                called = [
                    ModuleCall(
                        path,
                        block.labels[0],
                        {a.name: a.value(text).strip() for a in attributes(text, block)},
                    )
                    for block in blocks(text)
                    if block.type == "module" and len(block.labels) == 1
                ]
            elif path.endswith(".tf.json"):
                called = [
                    ModuleCall(path, label, {key: _json_value(value) for key, value in body.items()})
                    for label, body in _json_declarations(text, "module").items()
                ]
            else:
                continue
        except (GitOpsEditError, ValueError):
            continue
        for call in called:
            source = string_literal(call.arguments.get("source", ""))
            if source is None or not source.startswith(("./", "../")):
                continue
            if posixpath.normpath(posixpath.join(posixpath.dirname(path), source)) == here:
                found.append(call)
    return found


# var.NAME -> what the module's files say of it (``variable``, bound to one module's directory)
Variables = Callable[[str], Variable]


def variables(files: dict[str, str], folder: str) -> Variables:
    """``variable`` for the module in ``folder``, each variable read once."""
    cache: dict[str, Variable] = {}
    calls: list[ModuleCall] | None = None

    def lookup(name: str) -> Variable:
        nonlocal calls
        if name not in cache:
            if calls is None:  # every Terraform file of the repository scanned once, not once a variable
                calls = module_calls(files, folder)
            cache[name] = variable(files, folder, name, calls)
        return cache[name]

    return lookup


def reindented(value: str, indent: str) -> str:
    """A literal written elsewhere (a variable's default, with its own indentation) as an attribute at
    ``indent`` takes it: each line after the first moved from the indentation of its last line (the closing
    bracket's) to ``indent``, as ``terraform fmt`` lays a value out under its attribute."""
    lines = value.strip().split("\n")
    if len(lines) == 1:
        return lines[0]
    base = lines[-1][: len(lines[-1]) - len(lines[-1].lstrip(" \t"))]
    moved = [
        indent + line[len(base) :] if line.startswith(base) and line.strip() else line for line in lines[1:]
    ]
    return "\n".join([lines[0], *moved])
