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
"""

from __future__ import annotations

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
class Group:
    """One group of an eks module block whose role is the one asked for."""

    path: str
    block: hcl.Block  # the module block
    kind: GroupKind
    key: str

    @property
    def where(self) -> str:
        return f'{self.path}: module.{self.block.labels[0]} {self.kind.input}["{self.key}"]'


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
    kind: GroupKind, key: str, group: dict[str, str], defaults: dict[str, str], role: str
) -> bool | None:
    """Whether the group's role is ``role``: True, False, or None when a setting it depends on is not a
    literal (a var, a local), so that the file cannot say."""
    name_expr = group.get("name")
    name = hcl.string_literal(name_expr) if name_expr is not None else key
    given = _setting(group, defaults, "iam_role_name")
    role_name = hcl.string_literal(given) if given is not None and given.strip() != "null" else None
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


def find(
    texts: dict[str, str], parsed: dict[str, list[hcl.Block]], role: str
) -> tuple[list[Group], list[str]]:
    """The groups of eks module blocks whose role is ``role``, and a line for each group whose role the
    file cannot name (its name is an expression)."""
    found: list[Group] = []
    unknown: list[str] = []
    for path, blocks in sorted(parsed.items()):
        text = texts[path]
        for block in blocks:
            if block.type != "module" or len(block.labels) != 1 or not _is_eks(text, block):
                continue
            for kind in KINDS:
                attr = hcl.find_attribute(text, block, kind.input)
                if attr is None or not attr.value(text).startswith("{"):
                    continue
                defaults_attr = hcl.find_attribute(text, block, kind.defaults)
                defaults = hcl_edit.object_values(defaults_attr.value(text)) if defaults_attr else {}
                for key, value in hcl_edit.object_values(attr.value(text)).items():
                    group = hcl_edit.object_values(value)
                    if not _creates(group, defaults):
                        continue
                    named = _names(kind, key, group, defaults, role)
                    where = f'{path}: module.{block.labels[0]} {kind.input}["{key}"]'
                    if named:
                        found.append(Group(path, block, kind, key))
                    elif named is None:
                        unknown.append(f"{where} (its role's name is an expression)")
    return found, unknown


def _entry(text: str, group: Group) -> hcl_edit.MapEntry:
    """The group's entry in the module's map, in ``text`` as it is now."""
    block = next(b for b in hcl.blocks(text) if b.type == "module" and b.labels == group.block.labels)
    attr = hcl.find_attribute(text, block, group.kind.input)
    assert attr is not None
    try:
        entries = hcl_edit.map_entries(text, attr.value_start)
    except GitOpsEditError as err:
        raise GitOpsEditError(f"{group.where}: {group.kind.input}: {err}; edit it by hand") from None
    return next(e for e in entries if e.key == group.key)


def policies(text: str, group: Group) -> str | None:
    """The group's own ``iam_role_additional_policies`` as written, None when it has none."""
    return hcl_edit.object_values(_value(text, group)).get(POLICIES)


def _value(text: str, group: Group) -> str:
    entry = _entry(text, group)
    return text[entry.value_start : entry.value_end]


def edit(
    text: str, group: Group, replaced: hcl_edit.Replaced, add: list[tuple[str, str]]
) -> hcl_edit.LiteralEdit:
    """The broad ARNs out of the group's own ``iam_role_additional_policies`` map and ``add`` in it; refused,
    naming why, where that map is not the group's to edit."""
    block = next(b for b in hcl.blocks(text) if b.type == "module" and b.labels == group.block.labels)
    entry = _entry(text, group)
    own = policies(text, group)
    if own is None:
        defaults_attr = hcl.find_attribute(text, block, group.kind.defaults)
        defaults = hcl_edit.object_values(defaults_attr.value(text)) if defaults_attr else {}
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
    if not own.startswith("{"):
        raise GitOpsEditError(
            f"{group.where}: {POLICIES} = {terraform_modules.brief(own)} is not a map literal (v18 of the "
            "module took a list, attached with a for_each over the ARNs, where the generated policy's ARN, "
            "known only after apply, cannot go): edit it by hand. Nothing was changed"
        )
    if "\n" not in text[entry.value_start : entry.value_end]:
        raise GitOpsEditError(
            f"{group.where} is written on one line; write it one setting a line, then run again"
        )
    inner = hcl_edit.map_entries(text, entry.value_start)
    policies_entry = next(e for e in inner if e.key == POLICIES)
    return hcl_edit.edit_map(text, policies_entry.value_start, replaced, add)


def _tokens(value: str) -> list[str]:
    """The entries' values of a map, or the items of a list, as written."""
    if value.startswith("{"):
        return list(hcl_edit.object_values(value).values())
    if value.startswith("["):
        return [i.text(value) for i in hcl.list_items(value, 0)]
    return [value]
