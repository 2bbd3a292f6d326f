"""Node group and Fargate profile roles of the terraform-aws-modules/eks root module.

The module's ``eks_managed_node_groups``, ``self_managed_node_groups`` and ``fargate_profiles`` inputs are
maps of objects, one per group; each group's role is made by a submodule called with ``for_each`` over the
map (github.com/terraform-aws-modules/terraform-aws-eks, node_groups.tf, v19.0.0 to v21.19.0; Apache-2.0):

- its name is ``coalesce(var.iam_role_name, "${var.name}-eks-node-group")`` (``-node-group`` for a
  self-managed group, ``coalesce(var.iam_role_name, var.name, ...)`` for a Fargate profile), with the group's
  ``name`` defaulting to its key, and ``name_prefix = "${local.iam_role_name}-"`` unless
  ``iam_role_use_name_prefix = false`` (the submodules' main.tf);
- its extra managed policies are the group's ``iam_role_additional_policies``, a map of static keys to
  ARNs (``resource "aws_iam_role_policy_attachment" "additional" { for_each = { for k, v in
  var.iam_role_additional_policies : k => v if local.create_iam_role } }``): a value known only after
  apply is allowed, as the v19 upgrade guide writes it (``iam_role_additional_policies = { additional =
  aws_iam_policy.additional.arn }``, docs/UPGRADE-19.0.md), so the generated policy goes there under our
  key;
- up to v20, a group without its own setting takes the ``*_defaults`` input's (``try(each.value.X,
  var.eks_managed_node_group_defaults.X, default)``, and for the policies ``lookup(each.value,
  "iam_role_additional_policies", lookup(var.eks_managed_node_group_defaults, ...))``); v21 removed them.

Only the group's own map is edited: the defaults' map is written once for every group without its own,
and v18's list (``toset(compact(distinct(concat([...], var.iam_role_additional_policies))))``) is the
collection of a for_each that cannot take an ARN known only after apply.

The map of groups is read where the module block writes it or, as many root modules lay it out, in a
local of the block's directory (``eks_managed_node_groups = local.node_groups``) and through ``merge()``
of such maps (``merge(local.base, { gpu = {...} })``), where a group takes the entry of the last argument
that has its key (Terraform's merge: "more than one given map or object defines the same key or
attribute, then the one that is later in the argument sequence takes precedence"). A local cannot be set
from outside the module, so its literal is what Terraform uses. An argument that is no literal (a
variable, a conditional) may replace any group before it: such a group's role is not told.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from policygen_operator.domain.gitops import hcl, hcl_edit, terraform_modules
from policygen_operator.domain.gitops.model import GitOpsEditError


@dataclass(frozen=True)
class GroupKind:
    input: str  # the root module's map of groups
    defaults: str  # its defaults input (up to v20)
    role_name: str  # the submodule's default role name, ``{name}`` the group's name
    what: str  # for messages


KINDS = (
    GroupKind(
        "eks_managed_node_groups", "eks_managed_node_group_defaults", "{name}-eks-node-group", "node group"
    ),
    GroupKind(
        "self_managed_node_groups", "self_managed_node_group_defaults", "{name}-node-group", "node group"
    ),
    GroupKind("fargate_profiles", "fargate_profile_defaults", "{name}", "Fargate profile"),
)
POLICIES = "iam_role_additional_policies"
SOURCE = "terraform-aws-modules/eks/aws"


@dataclass(frozen=True)
class Place:
    """Where a map of groups is written: the module block's input (``local`` None) or a local of its
    directory set in ``path``, then the ``merge()`` arguments followed to the map literal (their indexes);
    ``via`` the locals read on the way, the last one holding the map."""

    path: str
    local: str | None
    args: tuple[int, ...] = ()
    via: tuple[str, ...] = ()
    # the input given as a variable (``eks_managed_node_groups = var.node_groups``): its groups are the
    # variable's value, which the edit writes in the block's place before editing it (``edit``'s caller)
    variable: str | None = None


@dataclass(frozen=True)
class Group:
    """One group of an eks module block whose role is the one asked for."""

    path: str
    block: hcl.Block  # the module block
    kind: GroupKind
    key: str
    place: Place | None = None  # where its map is written (None: the module's input itself)

    @property
    def where(self) -> str:
        at = f'{self.path}: module.{self.block.labels[0]} {self.kind.input}["{self.key}"]'
        if self.place is not None and self.place.local is not None:
            at += f" (in local.{self.place.local}, {self.place.path})"
        if self.place is not None and self.place.variable is not None:
            at += f" (in var.{self.place.variable})"
        return at


def _is_eks(text: str, block: hcl.Block) -> bool:
    """A call of the eks root module (the registry address, or its repository without a subpath)."""
    source = hcl.find_attribute(text, block, "source")
    literal = hcl.string_literal(source.value(text)) if source is not None else None
    if literal is None or "//modules/" in literal:
        return False
    base = literal.split("?", 1)[0].rstrip("/").removesuffix(".git")
    return base == SOURCE or base.endswith("/terraform-aws-eks")


def _setting(group: dict[str, str], defaults: dict[str, str], name: str) -> str | None:
    """The group's expression for ``name``, else the defaults' (``try(each.value.X, defaults.X, ...)``)."""
    return group.get(name, defaults.get(name))


def _names(
    kind: GroupKind,
    key: str,
    group: dict[str, str],
    defaults: dict[str, str],
    role: str,
    local_values: dict[str, str],
) -> bool | None:
    """Whether the group's role is ``role``: True, False, or None when a setting it depends on is not a
    literal (a var, a computed local), so that the file cannot say. ``local_values``: the literal locals of
    the module's directory (``hcl.literal_locals``), which name a group as a literal does."""

    def literal(expression: str) -> str | None:
        value = hcl.string_literal(expression)
        if value is None and local_values:
            value = terraform_modules.evaluate(expression, local_values)
        return value

    name_expr = group.get("name")
    name = literal(name_expr) if name_expr is not None else key
    given = _setting(group, defaults, "iam_role_name")
    role_name = literal(given) if given is not None and given.strip() != "null" else None
    if given is not None and given.strip() != "null" and role_name is None:
        return None
    if role_name is None:
        if name is None:
            return None
        role_name = kind.role_name.format(name=name)
    flag = (_setting(group, defaults, "iam_role_use_name_prefix") or "true").strip()
    exact = flag not in ("true", "null")
    prefixed = flag != "false"
    return (exact and role == role_name) or (prefixed and terraform_modules.completes(role, f"{role_name}-"))


def _creates(group: dict[str, str], defaults: dict[str, str]) -> bool:
    """False when the group is given ``create = false`` or ``create_iam_role = false`` (no role)."""
    return all(
        (_setting(group, defaults, flag) or "true").strip() != "false"
        for flag in ("create", "create_iam_role")
    )


_LOCAL = re.compile(r"local\.([A-Za-z_][\w-]*)")
_MERGE = re.compile(r"merge\s*\(")
# a for expression building a map ({ for k, v in var.groups : "${var.prefix}-${k}" => v }): any keys
_FOR = re.compile(r"\{\s*for\s")
# a map of groups written as no literal policygen reads (a variable, a conditional, a for expression)
_UNREAD = None


def _locals(texts: dict[str, str], parsed: dict[str, list[hcl.Block]], folder: str) -> dict[str, list[str]]:
    """Each local of the ``locals`` blocks of the files in ``folder`` -> the files setting it."""
    mine = {p: blocks for p, blocks in parsed.items() if posixpath.dirname(p) == folder}
    return {name: [p for p, _ in places] for name, places in hcl.locals_in(texts, mine).items()}


def _local_value(text: str, name: str) -> tuple[int, int] | None:
    """Where the value of local ``name`` is in ``text`` (one of its files, as edited so far), None when not
    there."""
    places = hcl.locals_in({"": text}, {"": hcl.blocks(text)}).get(name)
    return (places[0][1].value_start, places[0][1].value_end) if places else None


def _maps(
    texts: dict[str, str],
    defined: dict[str, list[str]],
    text: str,
    span: tuple[int, int],
    place: Place,
) -> list[tuple[Place, int] | None]:
    """The map literals the expression at ``span`` is made of, in merge() order, each with its place and
    the offset of its ``{``; None for a part that is not one (it may hold any group)."""
    start, end = span
    expression = text[start:end].strip()
    if expression.startswith("{") and not _FOR.match(expression):
        return [(place, start)]
    local = _LOCAL.fullmatch(expression)
    if local is not None:
        name = local.group(1)
        files = defined.get(name, [])
        if len(files) != 1 or name in place.via:
            return [_UNREAD]
        at = _local_value(texts[files[0]], name)
        if at is None:
            return [_UNREAD]
        return _maps(texts, defined, texts[files[0]], at, Place(files[0], name, (), (*place.via, name)))
    merge = _MERGE.match(expression)
    if merge is not None and expression.endswith(")"):
        paren = start + merge.end() - 1
        if hcl.match_close(text, paren) == start + len(expression) - 1:
            found: list[tuple[Place, int] | None] = []
            for index, item in enumerate(hcl.list_items(text, paren)):
                if text.startswith("...", item.end - 3):
                    return [_UNREAD]  # expanded arguments: how many there are the file does not say
                inner = Place(place.path, place.local, (*place.args, index), place.via)
                found += _maps(texts, defined, text, (item.start, item.end), inner)
            return found
    return [_UNREAD]


def _groups(
    texts: dict[str, str],
    defined: dict[str, list[str]],
    path: str,
    attr: hcl.Attribute,
    given: hcl.Variable | None = None,
) -> dict[str, tuple[Place, str, bool]]:
    """Each group of a map input: key -> (where its entry is, its value, whether an argument after it that
    policygen cannot read may replace it). ``given``: the variable the input is, with a map as its value,
    whose groups are read as the ``*_defaults``' are (``_defaults``)."""
    found: dict[str, tuple[Place, str, bool]] = {}
    if given is not None and given.value is not None:
        place = Place(path, None, variable=given.name)
        return {key: (place, group, False) for key, group in hcl_edit.object_values(given.value).items()}
    span = (attr.value_start, attr.value_end)
    for part in _maps(texts, defined, texts[path], span, Place(path, None)):
        if part is _UNREAD:
            found = {key: (place, value, True) for key, (place, value, _) in found.items()}
            continue
        place, start = part
        text = texts[place.path]
        value = text[start : hcl.match_close(text, start) + 1]
        for key, group in hcl_edit.object_values(value).items():
            found[key] = (place, group, False)
    return found


def _defaults(
    texts: dict[str, str],
    defined: dict[str, list[str]],
    path: str,
    block: hcl.Block,
    kind: GroupKind,
    variables: hcl.Variables | None = None,
) -> tuple[dict[str, str], hcl.Variable | None]:
    """The settings of the block's ``*_defaults`` input, written in it, in a literal local of its
    directory (merge() of such objects read as merge() reads them), or given as a variable whose value the
    module's files give (``hcl.variable``: a definitions file's, else its default); and the variable when
    they do not give it (no default, a value that is no literal), whose settings are then unknown, not
    none. Another part that is not a literal gives nothing, as before."""
    attr = hcl.find_attribute(texts[path], block, kind.defaults)
    if attr is None:
        return {}, None
    given = hcl.VAR_REF.fullmatch(hcl.unwrapped(attr.value(texts[path])))
    if given is not None and variables is not None:
        found = variables(given.group(1))
        if found.value is None or not found.value.startswith("{"):
            return {}, found
        return hcl_edit.object_values(found.value), None
    settings: dict[str, str] = {}
    span = (attr.value_start, attr.value_end)
    for part in _maps(texts, defined, texts[path], span, Place(path, None)):
        if part is not _UNREAD:
            place, start = part
            text = texts[place.path]
            settings.update(hcl_edit.object_values(text[start : hcl.match_close(text, start) + 1]))
    return settings, None


# the settings of a group's role the defaults may give it (``_names``)
_NAMING = ("iam_role_name", "iam_role_use_name_prefix")


def _unknown_defaults(kind: GroupKind, found: hcl.Variable) -> str:
    value = f"its value {found.value} is not an object" if found.value is not None else found.why
    return f"{kind.defaults} = var.{found.name}, whose settings policygen cannot read: {found.shown}: {value}"


def find(
    texts: dict[str, str],
    parsed: dict[str, list[hcl.Block]],
    role: str,
    files: dict[str, str] | None = None,
) -> tuple[list[Group], list[str]]:
    """The groups of eks module blocks whose role is ``role``, and a line for each group whose role the
    file cannot name (its name is an expression, a merge() argument may replace it, or it takes its name
    from defaults given as a variable whose value the module's files do not give). ``files``: all the
    files read, the definitions files (.tfvars) among them."""
    found: list[Group] = []
    unknown: list[str] = []
    for path, blocks in sorted(parsed.items()):
        text = texts[path]
        defined = _locals(texts, parsed, posixpath.dirname(path))
        local_values = hcl.literal_locals(texts, parsed, posixpath.dirname(path))
        variables = hcl.variables(files, posixpath.dirname(path)) if files is not None else None
        for block in blocks:
            if block.type != "module" or len(block.labels) != 1 or not _is_eks(text, block):
                continue
            for kind in KINDS:
                attr = hcl.find_attribute(text, block, kind.input)
                if attr is None:
                    continue
                defaults, unread = _defaults(texts, defined, path, block, kind, variables)
                through = hcl.VAR_REF.fullmatch(hcl.unwrapped(attr.value(text)))
                given = variables(through.group(1)) if through is not None and variables is not None else None
                if given is not None and (given.value is None or not given.value.startswith("{")):
                    value = (
                        f"its value {terraform_modules.brief(given.value)} is not a map"
                        if given.value is not None
                        else given.why
                    )
                    unknown.append(
                        f"{path}: module.{block.labels[0]} {kind.input} = var.{given.name}, whose groups "
                        f"policygen cannot read: {given.shown}: {value}"
                    )
                    continue
                for key, (place, value, replaceable) in _groups(texts, defined, path, attr, given).items():
                    group = hcl_edit.object_values(value)
                    if not _creates(group, defaults):
                        continue
                    named = _names(kind, key, group, defaults, role, local_values)
                    one = Group(
                        path, block, kind, key, place if place.local or place.args or place.variable else None
                    )
                    if unread is not None and not all(s in group for s in _NAMING):
                        unknown.append(
                            f"{one.where} (its role's name may come from {_unknown_defaults(kind, unread)})"
                        )
                    elif named and replaceable:
                        unknown.append(
                            f"{one.where} (a later argument of merge() that is not a literal map may "
                            "replace it)"
                        )
                    elif named:
                        found.append(one)
                    elif named is None:
                        unknown.append(f"{one.where} (its role's name is an expression)")
    return found, unknown


def _map_start(texts: dict[str, str], group: Group) -> int:
    """The offset of the ``{`` of the map literal holding the group's entry, in its file as it is now."""
    place = group.place or Place(group.path, None)
    text = texts[place.path]
    if place.local is None:
        block = next(b for b in hcl.blocks(text) if b.type == "module" and b.labels == group.block.labels)
        attr = hcl.find_attribute(text, block, group.kind.input)
        assert attr is not None
        start = attr.value_start
    else:
        at = _local_value(text, place.local)
        assert at is not None
        start = at[0]
    for index in place.args:
        merge = _MERGE.match(text, start)
        assert merge is not None
        start = hcl.list_items(text, merge.end() - 1)[index].start
    return start


def _entry(texts: dict[str, str], group: Group) -> hcl_edit.MapEntry:
    """The group's entry in the map holding it, in the texts as they are now."""
    place = group.place or Place(group.path, None)
    try:
        entries = hcl_edit.map_entries(texts[place.path], _map_start(texts, group))
    except GitOpsEditError as err:
        raise GitOpsEditError(f"{group.where}: {group.kind.input}: {err}; edit it by hand") from None
    return next(e for e in entries if e.key == group.key)


def policies(texts: dict[str, str], group: Group) -> str | None:
    """The group's own ``iam_role_additional_policies`` as written, None when it has none."""
    return hcl_edit.object_values(_value(texts, group)).get(POLICIES)


def policies_at(texts: dict[str, str], group: Group) -> tuple[str, int, int] | None:
    """Where the group's own ``iam_role_additional_policies`` is written: its file and the offsets of its
    expression; None when it has none, or its entry is not one setting a line (``edit`` says why)."""
    place = group.place or Place(group.path, None)
    entry = _entry(texts, group)
    try:
        inner = hcl_edit.map_entries(texts[place.path], entry.value_start)
    except GitOpsEditError:
        return None
    found = next((e for e in inner if e.key == POLICIES), None)
    return (place.path, found.value_start, found.value_end) if found is not None else None


def _value(texts: dict[str, str], group: Group) -> str:
    entry = _entry(texts, group)
    return texts[(group.place or Place(group.path, None)).path][entry.value_start : entry.value_end]


def _read_elsewhere(texts: dict[str, str], group: Group) -> list[str]:
    """Where else the module's files read a local the group's map is taken through: editing the local
    would change what those read too (another cluster's node groups, say)."""
    place = group.place
    if place is None or not place.via:
        return []
    folder = posixpath.dirname(group.path)
    found = []
    for name in place.via:
        pattern = hcl.reference(f"local.{name}")
        reads = [
            f"{path}:{text.count(chr(10), 0, m.start()) + 1}"
            for path, text in sorted(texts.items())
            if posixpath.dirname(path) == folder
            for m in pattern.finditer(text)
            if not any(a <= m.start() < b for a, b in hcl.comment_spans(text))
        ]
        if len(reads) > 1:
            found.append(f"local.{name} is read at {', '.join(reads)}")
    return found


def edit(
    texts: dict[str, str],
    group: Group,
    replaced: hcl_edit.Replaced,
    add: list[tuple[str, str]],
    variables: hcl.Variables | None = None,
    literal: int | None = None,
) -> tuple[str, hcl_edit.LiteralEdit]:
    """The broad ARNs out of the group's own ``iam_role_additional_policies`` map and ``add`` in it, and
    the file that map is in; refused, naming why, where that map is not the group's to edit. ``literal``:
    the offset of the map to edit where the value is a ``merge()`` edited in its literal argument
    (``terraform._merge_literal``)."""
    text = texts[group.path]
    block = next(b for b in hcl.blocks(text) if b.type == "module" and b.labels == group.block.labels)
    place = group.place or Place(group.path, None)
    entry = _entry(texts, group)
    own = policies(texts, group)
    if own is None:
        folder = posixpath.dirname(group.path)
        mine = {p: hcl.blocks(t) for p, t in texts.items() if posixpath.dirname(p) == folder}
        defaults, unread = _defaults(
            texts, _locals(texts, mine, folder), group.path, block, group.kind, variables
        )
        if unread is not None:
            raise GitOpsEditError(
                f"{group.where} has no {POLICIES} of its own, and may take it from "
                f"{_unknown_defaults(group.kind, unread)}. Give this {group.kind.what} its own {POLICIES}, "
                "or the variable a value in the module's files, then run again. Nothing was changed"
            )
        shared = defaults.get(POLICIES)
        if shared is not None and any(replaced(t) for t in _tokens(shared)):
            raise GitOpsEditError(
                f"{group.where} takes {POLICIES} from {group.kind.defaults}, written once for every "
                f"{group.kind.what} without its own: removing the broad policy there would change the others "
                f"too. Give this {group.kind.what} its own {POLICIES} (the defaults' entries it keeps), then "
                "run again. Nothing was changed"
            )
        raise GitOpsEditError(
            f"{group.where} has no {POLICIES}, where the module attaches the policies it is given: the broad "
            "policy is not attached through it. Nothing was changed"
        )
    if not own.startswith("{") and literal is None:
        raise GitOpsEditError(
            f"{group.where}: {POLICIES} = {terraform_modules.brief(own)} is not a map literal (v18 of the "
            "module took a list, attached with a for_each over the ARNs, where the generated policy's ARN, "
            "known only after apply, cannot go): edit it by hand. Nothing was changed"
        )
    holder = texts[place.path]
    if "\n" not in holder[entry.value_start : entry.value_end]:
        raise GitOpsEditError(
            f"{group.where} is written on one line; write it one setting a line, then run again"
        )
    elsewhere = _read_elsewhere(texts, group)
    if elsewhere:
        raise GitOpsEditError(
            f"{group.where}: {'; '.join(elsewhere)}: editing the group there would change what the other "
            "readers get too. Give this module a map of its own, then run again. Nothing was changed"
        )
    inner = hcl_edit.map_entries(holder, entry.value_start)
    policies_entry = next(e for e in inner if e.key == POLICIES)
    at = policies_entry.value_start if literal is None else literal
    return place.path, hcl_edit.edit_map(holder, at, replaced, add)


def _tokens(value: str) -> list[str]:
    """The entries' values of a map, or the items of a list, as written."""
    if value.startswith("{"):
        return list(hcl_edit.object_values(value).values())
    if value.startswith("["):
        return [i.text(value) for i in hcl.list_items(value, 0)]
    return [value]
