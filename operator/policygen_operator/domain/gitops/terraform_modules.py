"""Roles defined through the terraform-aws-modules modules most EKS repositories use.

IRSA and Pod Identity roles are rarely plain ``aws_iam_role`` resources: they are ``module`` blocks of
terraform-aws-modules' ``iam`` collection or its ``eks-pod-identity`` module, which take the role's name
(or a prefix of it) and the ARNs of the policies to attach as inputs. Each shape below is the module's own
``variables.tf`` and ``main.tf`` (github.com/terraform-aws-modules/terraform-aws-iam at v5.60.0 and v6.5.0,
terraform-aws-eks-pod-identity at v2.8.1; Apache-2.0): which input names the role, whether the name is a
prefix (``name_prefix = "${var.name}-"`` when ``use_name_prefix``, true by default in the v6 modules and in
eks-pod-identity), and which input lists the policies, as a list or as a map of static keys.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from policygen_operator.domain.gitops import hcl, hcl_edit
from policygen_operator.domain.gitops.model import GitOpsEditError


@dataclass(frozen=True)
class ModuleShape:
    collection: str  # "iam" (terraform-aws-iam) or "eks-pod-identity"
    subpath: str  # the module's folder in the collection ("" for a collection that is one module)
    name: str  # the input holding the role's name
    name_prefix: str | None  # the input holding a name prefix (v5), or None
    prefixed_by_default: bool  # ``name`` is a prefix unless ``use_name_prefix = false`` (v6)
    policies: str  # the input holding the policy ARNs
    is_map: bool  # ``{key = arn}`` (map(string)) or ``[arn]`` (list(string))
    # (flag, input overriding the ARN, its default ARN): a bool input that attaches a managed policy
    flags: tuple[tuple[str, str, str], ...] = ()
    # the generated policy is attached by an aws_iam_role_policy_attachment of this module output (the
    # role's name) rather than through the policy input
    attach_by_output: str | None = None
    # a number input that must equal the length of the policy list (``count`` of the attachments)
    count: str | None = None
    # the first release where ``count`` defaults to null (the list's length); from v3.0.0 to before it, 0
    count_null_from: tuple[int, int, int] | None = None
    # ``count`` defaults to 0 in every release (terraform-aws-lambda's number_of_policies)
    count_always_zero: bool = False
    # the bool input that makes ``name`` a prefix (true by default when ``prefixed_by_default``)
    use_prefix: str = "use_name_prefix"
    # the names the module gives its role when ``name`` is not set, the first whose inputs (``{input}``)
    # are all literals in the block (a module renamed an input across majors: eks' cluster_name and name)
    default_names: tuple[str, ...] = ()
    # the input holding what the provider's suffix follows in a name prefix ("-" when not set)
    separator: str | None = None
    # the first major release of this shape; an older one is another module under the same path
    min_major: int | None = None
    # a bool input (default false) without which the module does not attach the policy list
    switch: str | None = None
    # (bool input, input): the input's one ARN is attached when the bool input is true
    single: tuple[str, str] | None = None
    # which of a module's roles this is, in the labels of what policygen adds ("" for a module of one role)
    role_key: str = ""
    # map inputs that attach policies too: the broad entries leave them, nothing is added
    also_maps: tuple[str, ...] = ()
    # the role's name is cloudposse/label/null's normalisation of ``name`` (Cloud Posse modules)
    null_label: bool = False
    # (bool input, its default, the value it needs): the module creates its role only when each input has
    # that value (``count = var.create_role ? 1 : 0`` on its aws_iam_role)
    creates: tuple[tuple[str, bool, bool], ...] = ()


# iam-assumable-role (v4.x and v5.x, e.g. v4.24.1 and v5.60.0 modules/iam-assumable-role/main.tf):
# resource "aws_iam_role_policy_attachment" "poweruser" { count = var.create_role &&
# var.attach_poweruser_policy ? 1 : 0, policy_arn = var.poweruser_role_policy_arn }, the same for admin and
# readonly; variables.tf gives the defaults below.
_ASSUMABLE_FLAGS = (
    ("attach_admin_policy", "admin_role_policy_arn", "arn:aws:iam::aws:policy/AdministratorAccess"),
    ("attach_poweruser_policy", "poweruser_role_policy_arn", "arn:aws:iam::aws:policy/PowerUserAccess"),
    ("attach_readonly_policy", "readonly_role_policy_arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
)


SHAPES = (
    # v5: role_name / role_name_prefix, role_policy_arns = map(string)
    ModuleShape(
        "iam",
        "modules/iam-role-for-service-accounts-eks",
        "role_name",
        "role_name_prefix",
        False,
        "role_policy_arns",
        True,
        creates=(("create_role", True, True),),
    ),
    # v5: custom_role_policy_arns = list(string); with OIDC: role_policy_arns = list(string)
    ModuleShape(
        "iam",
        "modules/iam-assumable-role",
        "role_name",
        "role_name_prefix",
        False,
        "custom_role_policy_arns",
        False,
        _ASSUMABLE_FLAGS,
        count="number_of_custom_role_policy_arns",
        count_null_from=(3, 6, 0),
        creates=(("create_role", False, True),),
    ),
    ModuleShape(
        "iam",
        "modules/iam-assumable-role-with-oidc",
        "role_name",
        "role_name_prefix",
        False,
        "role_policy_arns",
        False,
        count="number_of_role_policy_arns",
        count_null_from=(3, 5, 0),
        creates=(("create_role", False, True),),
    ),
    # v6: name (a prefix by default), policies = map(string)
    ModuleShape(
        "iam",
        "modules/iam-role-for-service-accounts",
        "name",
        None,
        True,
        "policies",
        True,
        creates=(("create", True, True),),
    ),
    ModuleShape(
        "iam", "modules/iam-role", "name", None, True, "policies", True, creates=(("create", True, True),)
    ),
    ModuleShape(
        "eks-pod-identity",
        "",
        "name",
        None,
        True,
        "additional_policy_arns",
        True,
        creates=(("create", True, True),),
    ),
    # terraform-aws-eks modules/karpenter, v20.0.0 to v21.19.0 (variables.tf, main.tf): the controller role
    # aws_iam_role.controller, name_prefix = "${var.iam_role_name}-" unless iam_role_use_name_prefix = false
    # (iam_role_name defaults to "KarpenterController"), and resource "aws_iam_role_policy_attachment"
    # "controller_additional" { for_each = { for k, v in var.iam_role_policies : k => v ... } }; the node
    # role aws_iam_role.node, named coalesce(var.node_iam_role_name, "Karpenter-${var.cluster_name}") (a
    # prefix unless node_iam_role_use_name_prefix = false), and "node_additional" over
    # var.node_iam_role_additional_policies. v19 named the controller irsa_name and the node role
    # iam_role_name: another module.
    ModuleShape(
        "eks",
        "modules/karpenter",
        "iam_role_name",
        None,
        True,
        "iam_role_policies",
        True,
        use_prefix="iam_role_use_name_prefix",
        default_names=("KarpenterController",),
        min_major=20,
        role_key="controller",
        creates=(("create", True, True), ("create_iam_role", True, True)),
    ),
    ModuleShape(
        "eks",
        "modules/karpenter",
        "node_iam_role_name",
        None,
        True,
        "node_iam_role_additional_policies",
        True,
        use_prefix="node_iam_role_use_name_prefix",
        default_names=("Karpenter-{cluster_name}",),
        min_major=20,
        role_key="node",
        creates=(("create", True, True), ("create_node_iam_role", True, True)),
    ),
    # terraform-aws-eks modules/capability, v21.13.0 (where it first appears) to v21.19.0 (main.tf,
    # variables.tf): an EKS Capability's role aws_iam_role.this, local.iam_role_name =
    # try(coalesce(var.iam_role_name, var.name), ""), name_prefix = "${local.iam_role_name}-" unless
    # iam_role_use_name_prefix = false, created when create and create_iam_role (both true by default);
    # resource "aws_iam_role_policy_attachment" "additional" { for_each = { for k, v in
    # var.iam_role_policies : k => v if local.create_iam_role } }, a map(string). Its example gives the
    # ACK capability AdministratorAccess there.
    ModuleShape(
        "eks",
        "modules/capability",
        "iam_role_name",
        None,
        True,
        "iam_role_policies",
        True,
        use_prefix="iam_role_use_name_prefix",
        default_names=("{name}",),
        min_major=21,
        creates=(("create", True, True), ("create_iam_role", True, True)),
    ),
    # terraform-aws-ec2-instance v4.2.0 (where iam_role_policies first appears) to v6.4.0 (main.tf,
    # variables.tf): the instance profile's role aws_iam_role.this, local.iam_role_name =
    # try(coalesce(var.iam_role_name, var.name), ""), a prefix unless iam_role_use_name_prefix = false,
    # created when create and create_iam_instance_profile (false by default); resource
    # "aws_iam_role_policy_attachment" "this" { for_each = { for k, v in var.iam_role_policies : k => v if
    # var.create && var.create_iam_instance_profile } }, a map(string).
    ModuleShape(
        "ec2-instance",
        "",
        "iam_role_name",
        None,
        True,
        "iam_role_policies",
        True,
        use_prefix="iam_role_use_name_prefix",
        default_names=("{name}",),
        min_major=4,
        creates=(("create", True, True), ("create_iam_instance_profile", False, True)),
    ),
    # terraform-aws-eks root module, v19.0.0 to v21.19.0 (main.tf, variables.tf): the cluster's role
    # aws_iam_role.this, named coalesce(var.iam_role_name, "${var.name}-cluster") (var.cluster_name up to
    # v20), name_prefix = "${local.iam_role_name}${var.prefix_separator}" unless iam_role_use_name_prefix =
    # false (prefix_separator "-" by default), created when create and create_iam_role (both true by
    # default), and resource "aws_iam_role_policy_attachment" "additional" { for_each = { for k, v in
    # var.iam_role_additional_policies : k => v if local.create_iam_role } }, a map(string) since v19 (v18's
    # list(string) went through toset(), which cannot take an ARN known only after apply). The node groups'
    # roles are terraform_eks.py's.
    ModuleShape(
        "eks",
        "",
        "iam_role_name",
        None,
        True,
        "iam_role_additional_policies",
        True,
        use_prefix="iam_role_use_name_prefix",
        default_names=("{name}-cluster", "{cluster_name}-cluster"),
        separator="prefix_separator",
        min_major=19,
        role_key="cluster",
        creates=(("create", True, True), ("create_iam_role", True, True)),
    ),
    # terraform-aws-lambda, v2.0.0 to v8.8.1 (iam.tf, variables.tf): role_name = coalesce(var.role_name,
    # var.function_name, "*"); resource "aws_iam_role_policy_attachment" "additional_one" { count =
    # local.create_role && var.attach_policy ? 1 : 0, policy_arn = var.policy } and "additional_many" {
    # count = local.create_role && var.attach_policies ? var.number_of_policies : 0, policy_arn =
    # var.policies[count.index] }, attach_policy, attach_policies and number_of_policies defaulting to
    # false, false and 0.
    ModuleShape(
        "lambda",
        "",
        "role_name",
        None,
        False,
        "policies",
        False,
        count="number_of_policies",
        count_always_zero=True,
        default_names=("{function_name}",),
        min_major=2,
        switch="attach_policies",
        single=("attach_policy", "policy"),
        creates=(
            ("create", True, True),
            ("create_function", True, True),
            ("create_role", True, True),
            ("create_layer", False, False),
        ),
    ),
    # cloudposse/terraform-aws-iam-role v0.x to v1.0.0 (main.tf): aws_iam_role.default named
    # var.use_fullname ? module.role_name.id : module.this.name, both cloudposse/label/null 0.25.0 outputs,
    # which with ``name`` the only label input are that name normalised (NULL_LABEL_NAME); resource
    # "aws_iam_role_policy_attachment" "managed" { for_each = ... var.managed_policy_arns (a set(string)
    # until v0.23.0; from v1.0.0 merged by index with managed_policy_arns_map) }. A for_each over a set
    # cannot take an ARN known only after apply, so the generated policy is attached beside the module, to
    # its ``name`` output, as for IRSA before v5.
    ModuleShape(
        "cloudposse-iam-role",
        "",
        "name",
        None,
        False,
        "managed_policy_arns",
        False,
        attach_by_output="name",
        also_maps=("managed_policy_arns_map",),
        null_label=True,
        creates=(("enabled", True, True),),
    ),
)

# cloudposse/label/null 0.25.0 (main.tf): a label is replace(value, regex_replace_chars, "") with the
# default "/[^-a-zA-Z0-9]/", then lower() (label_value_case "lower" by default); its id joins the labels
# given with "-". The inputs below change that (or add labels): with any of them, the name is composed.
_NULL_LABEL_INPUTS = (
    "context",
    "namespace",
    "tenant",
    "environment",
    "stage",
    "attributes",
    "delimiter",
    "label_order",
    "id_length_limit",
    "label_value_case",
    "regex_replace_chars",
)

# number_of_custom_role_policy_arns (iam-assumable-role) and number_of_role_policy_arns (-with-oidc), in every
# tag from v3.0.0 to v5.60.0 (the modules are gone in v6.0.0): v5.60.0 modules/iam-assumable-role/main.tf
# resource "aws_iam_role_policy_attachment" "custom" { count = var.create_role ?
# coalesce(var.number_of_custom_role_policy_arns, length(var.custom_role_policy_arns)) : 0, policy_arn =
# element(var.custom_role_policy_arns, count.index) } (-with-oidc: a local of the same coalesce,
# var.role_policy_arns[count.index]); the default is null since v3.6.0 (v3.5.0 for -with-oidc), 0 from v3.0.0
# until then (``count = var.create_role ? var.number_of_custom_role_policy_arns : 0``, v3.0.0 to v3.5.0
# modules/iam-assumable-role/{main,variables}.tf). Given, it must stay the list's length: larger, element()
# wraps and attaches an item twice (an index past the end fails with -with-oidc); smaller, the last items
# are not attached.

# iam-role-for-service-accounts-eks before v5.0.0 (tags v4.12.0 to v4.24.1 of
# github.com/terraform-aws-modules/terraform-aws-iam, modules/iam-role-for-service-accounts-eks/variables.tf
# and main.tf): variable "role_policy_arns" { type = list(string) }
# and resource "aws_iam_role_policy_attachment" "this" { for_each = toset([for arn in var.role_policy_arns :
# arn if var.create_role]) }. v5.0.0 made it map(string) ("Replace use of toset() for policy attachment",
# CHANGELOG 5.0.0). A for_each over an ARN known only after apply fails at plan, so the generated policy is
# attached beside the module, to its iam_role_name output; the list only loses the broad ARNs.
_IRSA_V4 = ModuleShape(
    "iam",
    "modules/iam-role-for-service-accounts-eks",
    "role_name",
    "role_name_prefix",
    False,
    "role_policy_arns",
    False,
    attach_by_output="iam_role_name",
    creates=(("create_role", True, True),),
)
_REF = re.compile(r"[?&]ref=v?(\d+)\.")
_REF_VERSION = re.compile(r"[?&]ref=v?(\d+)\.(\d+)\.(\d+)(?:&|$)")
_CONSTRAINT = re.compile(r"\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+){0,2})(?:-[\w.]+)?\s*")
Version = tuple[int, int, int]

# What the AWS provider appends to a name_prefix: a UTC timestamp to 1/10,000 s and an 8-hex-digit counter
# (terraform-plugin-sdk helper/id.PrefixedUniqueId), 26 characters.
_UNIQUE_SUFFIX = re.compile(r"\d{18}[0-9a-f]{8}")
_SUBPATH = re.compile(r"//(modules/[\w-]+)")


@dataclass(frozen=True)
class Instance:
    """The one instance of a module called with ``for_each`` or ``count`` whose role is the one asked for,
    told by evaluating the name input per instance (``name = "${each.key}-irsa"`` over a literal
    collection). ``index`` is how Terraform addresses it (``["team-a"]``, ``[1]``); ``scope`` what
    ``each.*``/``count.index`` stand for in it."""

    meta: str  # "for_each" or "count"
    key: str
    index: str
    keys: tuple[str, ...]  # every instance's key, in the collection's order
    scope: dict[str, str]


@dataclass(frozen=True)
class FoundModule:
    path: str
    block: hcl.Block
    shape: ModuleShape
    # the module's count input (shape.count) defaults to 0 in the version this block gets
    zero_count: bool = False
    pinned: str = ""  # how the block pins its version, for messages: 'version = "3.3.0"'
    instance: Instance | None = None  # the role is one instance of a module with for_each/count


# collection -> (registry address, repository name)
_COLLECTIONS = {
    "iam": ("terraform-aws-modules/iam/aws", "terraform-aws-iam"),
    "eks-pod-identity": ("terraform-aws-modules/eks-pod-identity/aws", "terraform-aws-eks-pod-identity"),
    "eks": ("terraform-aws-modules/eks/aws", "terraform-aws-eks"),
    "lambda": ("terraform-aws-modules/lambda/aws", "terraform-aws-lambda"),
    "ec2-instance": ("terraform-aws-modules/ec2-instance/aws", "terraform-aws-ec2-instance"),
    "cloudposse-iam-role": ("cloudposse/iam-role/aws", "cloudposse/terraform-aws-iam-role"),
}


def shape_of(source: str) -> ModuleShape | None:
    """The (first) shape of a module ``source``, if it is one above."""
    shapes = shapes_of(source)
    return shapes[0] if shapes else None


def shapes_of(source: str) -> list[ModuleShape]:
    """The shapes of a module ``source`` (registry address or git URL, any ``?ref=``), one per role it
    defines (Karpenter's controller and node roles)."""
    subpath_match = _SUBPATH.search(source)
    subpath = subpath_match.group(1) if subpath_match else ""
    base = source[: subpath_match.start()] if subpath_match else source.split("?", 1)[0]
    repository = base.rstrip("/").removesuffix(".git")
    collection = next(
        (c for c, (address, repo) in _COLLECTIONS.items() if address in base or repository.endswith(repo)),
        None,
    )
    return [s for s in SHAPES if s.collection == collection and s.subpath == subpath]


def _constraints(version: str) -> list[tuple[str, list[int]]] | None:
    """A module block's ``version`` as its comma-separated constraints, each an operator ("=" when none is
    written) and one to three numbers (a pre-release suffix dropped); None when a part is none. One reading
    for ``major_version`` and ``newest_allowed``, so that the two agree on what a constraint is.

    ``~> X`` with one number is ``>= X``: "~>: Allows only the rightmost version component to increment"
    (Terraform language docs, Version constraints), and with one number that is the major. Terraform
    reads a module's constraint with hashicorp/go-version (configs.VersionConstraint), whose
    constraintPessimistic compares only the segments before the last one written: none for ``~> 3``, so
    3.0.0 and every later release match."""
    found = []
    for part in version.split(","):
        match = _CONSTRAINT.fullmatch(part)
        if match is None:
            return None
        op, numbers = match.group(1) or "=", [int(n) for n in match.group(2).split(".")]
        found.append((">=" if op == "~>" and len(numbers) == 1 else op, numbers))
    return found


def major_version(source: str, version: str | None) -> int | None:
    """The module's major version if ``version`` (or ``?ref=`` of a git source) pins one: an exact version,
    ``~> X.Y`` (below X+1), ``>= X.Y, < X+1`` (or ``~> X, < X+1``); None when it allows several or is
    absent."""
    ref = _REF.search(source)
    if ref is not None:
        return int(ref.group(1))
    if version is None:
        return None
    constraints = _constraints(version)
    if constraints is None:
        return None
    majors: set[int] = set()
    lowest: int | None = None
    below: int | None = None
    for op, numbers in constraints:
        major, minor = numbers[0], numbers[1] if len(numbers) > 1 else None
        if op in ("=", "~>"):  # ~> X.Y or ~> X.Y.Z: below X+1 (_constraints made ~> X a >=)
            majors.add(major)
        elif op in (">=", ">"):
            lowest = major
        elif op == "<":
            below = major if minor in (None, 0) else major + 1
        elif op == "<=":
            below = major + 1
    if len(majors) == 1:
        return majors.pop()
    if not majors and lowest is not None and below == lowest + 1:
        return lowest
    return None


def newest_allowed(source: str, version: str | None) -> tuple[Version, bool] | None:
    """The upper bound of the releases ``version`` (or a git source's ``?ref=vX.Y.Z``) allows, and whether
    the bound itself is allowed; None when there is none. Terraform installs the newest release a module
    block allows (there is no lock file for modules), so this bound says which release that is: a ``~> 3.3.0``
    block gets the newest 3.3.x, a ``~> 3.0`` block the newest 3.x."""
    ref = _REF_VERSION.search(source)
    if ref is not None:
        return (int(ref.group(1)), int(ref.group(2)), int(ref.group(3))), True
    if version is None:
        return None
    constraints = _constraints(version)
    if constraints is None:
        return None
    bounds: list[tuple[Version, bool]] = []
    for op, numbers in constraints:
        padded = [*numbers, 0, 0]
        at: Version = padded[0], padded[1], padded[2]
        if op in ("=", "<="):
            bounds.append((at, True))
        elif op == "<":
            bounds.append((at, False))
        elif op == "~>" and len(numbers) == 3:
            bounds.append(((at[0], at[1] + 1, 0), False))
        elif op == "~>":  # ~> X.Y (~> X is a >=, no bound)
            bounds.append(((at[0] + 1, 0, 0), False))
    # the lowest bound wins; at the same version an excluded bound is the lower
    return min(bounds, key=lambda b: (b[0], b[1])) if bounds else None


def _zero_count(shape: ModuleShape, source: str, version: str | None) -> bool:
    """Whether the release this block gets is one where ``shape.count`` defaults to 0 (v3.0.0 up to
    ``count_null_from``)."""
    if shape.count_always_zero:
        return True
    newest = newest_allowed(source, version)
    if shape.count_null_from is None or newest is None:
        return False
    top, allowed = newest
    if allowed:
        return (3, 0, 0) <= top < shape.count_null_from
    return (3, 0, 0) < top <= shape.count_null_from


def versioned(shape: ModuleShape, source: str, version: str | None, current: str | None) -> ModuleShape:
    """The shape of this version of the module: SHAPES are v5's and v6's; an IRSA module pinned below v5
    (or, unpinned, whose ``role_policy_arns`` is a list) takes the v4 one."""
    if shape.subpath != _IRSA_V4.subpath or shape.collection != "iam":
        return shape
    major = major_version(source, version)
    if (major is not None and major < 5) or (major is None and (current or "").startswith("[")):
        return _IRSA_V4
    return shape


def find(
    texts: dict[str, str], parsed: dict[str, list[hcl.Block]], role: str
) -> tuple[list[FoundModule], list[str]]:
    """The module blocks that define ``role``, and a line for each other module of a known shape."""
    matches: list[FoundModule] = []
    others: list[str] = []
    scopes: dict[str, dict[str, str]] = {}
    for path, found in sorted(parsed.items()):
        directory = posixpath.dirname(path)
        for block in found:
            if block.type != "module" or len(block.labels) != 1:
                continue
            if directory not in scopes:
                scopes[directory] = hcl.literal_locals(texts, parsed, directory)
            source = _literal(texts[path], block, "source")
            version = _literal(texts[path], block, "version")
            for shape in shapes_of(source) if source is not None else []:
                assert source is not None
                major = major_version(source, version)
                if shape.min_major is not None and major is not None and major < shape.min_major:
                    others.append(
                        f"{path}: module.{block.labels[0]} [major version {major} of {source}: policygen "
                        f"edits this module from v{shape.min_major} on]"
                    )
                    break
                match = _match(texts[path], path, block, shape, source, version, role, scopes[directory])
                if match is not None:
                    matches.append(match)
                    break
                none = _creates_none(texts[path], block, shape)
                named = shown(texts[path], block, shape, scopes[directory])
                others.append(
                    f"{path}: module.{block.labels[0]} ({named})"
                    + _null_label_note(texts[path], block, shape)
                    + (f" [{none}: the module creates no role]" if none else "")
                )
    return matches, others


def _creates_none(text: str, block: hcl.Block, shape: ModuleShape) -> str:
    """``INPUT = VALUE`` of a literal input (or its default) with which the module creates no role: such a
    module names a role it does not create (iam-assumable-role creates one only with create_role = true),
    and editing its policy inputs would change nothing in AWS. An expression counts as creating."""
    for name, default, needed in shape.creates:
        attr = hcl.find_attribute(text, block, name)
        value = attr.value(text).strip() if attr is not None else ("true" if default else "false")
        if value == "null":
            value = "true" if default else "false"
        if value in ("true", "false") and (value == "true") != needed:
            return f"{name} = {value}" + ("" if attr is not None else " (its default)")
    return ""


def _match(
    text: str,
    path: str,
    block: hcl.Block,
    shape: ModuleShape,
    source: str,
    version: str | None,
    role: str,
    local_values: dict[str, str],
) -> FoundModule | None:
    """The module ``block`` of ``shape`` as the definition of ``role``, if it (or one instance of it) is.
    ``local_values`` are the literal locals of its directory (``hcl.literal_locals``): ``name = local.name``
    and ``"${local.name}-irsa"`` name the role as a literal does."""
    current = hcl.find_attribute(text, block, shape.policies)
    shape = versioned(shape, source, version, current.value(text).strip() if current else None)
    pinned = f'version = "{version}"' if version is not None else f'source = "{source}"'
    zero = _zero_count(shape, source, version)
    every = instances(text, block)
    if _creates_none(text, block, shape):
        return None
    if _names(text, block, shape, role, local_values):
        # one name for all instances: an instance only when there is one
        return FoundModule(path, block, shape, zero, pinned, every[0] if len(every) == 1 else None)
    named = [i for i in every if _names(text, block, shape, role, {**local_values, **i.scope})]
    if len(named) > 1:
        keys = ", ".join(i.index for i in named)
        raise GitOpsEditError(
            f"{path}: module.{block.labels[0]} has {named[0].meta}, and the roles of several of its "
            f"instances ({keys}) may be {role!r} (each is named from the prefix "
            f"{shown(text, block, shape)}): policygen cannot tell which one; edit it by hand"
        )
    return FoundModule(path, block, shape, zero, pinned, named[0]) if named else None


def supported_sources() -> list[str]:
    """The registry address of every module in SHAPES, for messages."""
    return list(
        dict.fromkeys(_COLLECTIONS[s.collection][0] + (f"//{s.subpath}" if s.subpath else "") for s in SHAPES)
    )


# the inputs that name the role in most role modules, terraform-aws-modules' and others'; modules whose
# ``name`` is something else's (an EC2 instance's, a node group's) name their role with ``iam_role_name``
_NAME_INPUTS = ("role_name", "iam_role_name", "name")


def unsupported(texts: dict[str, str], parsed: dict[str, list[hcl.Block]], role: str) -> list[str]:
    """Module blocks not of a shape above that set ``role_name``/``iam_role_name``/``name`` to ``role``:
    most likely the module defines the role (a third-party GitHub OIDC module, say), and the refusal should
    say so rather than that no role was seen. Also such a key of an object input (``external_secrets = {
    role_name = "..." }``): modules of several roles (eks-blueprints-addons) name each in its own object."""
    found = []
    for path, blocks in sorted(parsed.items()):
        for block in blocks:
            if block.type != "module" or len(block.labels) != 1:
                continue
            source = hcl.find_attribute(texts[path], block, "source")
            literal = hcl.string_literal(source.value(texts[path])) if source else None
            if literal is not None and shape_of(literal) is not None:
                continue
            named = next((n for n in _NAME_INPUTS if _literal(texts[path], block, n) == role), None)
            if named is None:
                named = _object_naming(texts[path], block, role)
            if named is not None:
                shown = source.value(texts[path]).strip() if source else "(not set)"
                found.append(f'{path}: module.{block.labels[0]} (source = {shown}) sets {named} = "{role}"')
    return found


def _object_naming(text: str, block: hcl.Block, role: str) -> str | None:
    """``INPUT.KEY`` of an object input whose name key (``_NAME_INPUTS``) is the literal ``role``."""
    for attr in hcl.attributes(text, block):
        if not attr.value(text).startswith("{"):
            continue
        strings = object_strings(text, attr.value_start)
        key = next((n for n in _NAME_INPUTS if strings.get(n) == role), None)
        if key is not None:
            return f"{attr.name}.{key}"
    return None


def _literal(text: str, block: hcl.Block, name: str, scope: dict[str, str] | None = None) -> str | None:
    """The input's value when it is a string literal or, given an instance's ``scope``, a template of
    ``each.key``/``each.value...``/``count.index`` that evaluates in it."""
    attr = hcl.find_attribute(text, block, name)
    if attr is None:
        return None
    return hcl.string_literal(attr.value(text)) if not scope else evaluate(attr.value(text), scope)


_INTERPOLATION = re.compile(r"\$\{~?\s*([^{}\"]*?)\s*~?\}")


def evaluate(expression: str, scope: dict[str, str]) -> str | None:
    """``each.key``, ``each.value.name`` or a string template whose interpolations are all such names, in
    one instance's ``scope``; None for anything else (a function call, a var, a directive)."""
    expression = expression.strip()
    if expression in scope:
        return scope[expression]
    if len(expression) < 2 or expression[0] != '"' or expression[-1] != '"' or "%{" in expression:
        return None
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        missing |= match.group(1) not in scope
        return scope.get(match.group(1), "")

    body = _INTERPOLATION.sub(value, expression[1:-1])
    if missing or "${" in body or "\\" in body or '"' in body:
        return None
    return body


def instances(text: str, block: hcl.Block) -> list[Instance]:
    """The instances of a module with ``count = N`` or ``for_each`` over a literal set of strings
    (``toset([...])``) or map (``{ key = ... }``), each with its ``scope``: ``count.index``; ``each.key``,
    ``each.value`` (a string) or ``each.value.ATTR`` (the string attributes of an object value). None for
    a block with neither, or whose collection is not such a literal."""
    count = hcl.find_attribute(text, block, "count")
    if count is not None:
        value = count.value(text).strip()
        if not re.fullmatch(r"\d+", value):
            return []
        keys = tuple(str(i) for i in range(int(value)))
        return [Instance("count", k, f"[{k}]", keys, {"count.index": k}) for k in keys]
    for_each = hcl.find_attribute(text, block, "for_each")
    if for_each is None:
        return []
    return for_each_instances(text, for_each.value_start, for_each.value(text))


def for_each_instances(text: str, start: int, value: str, as_set: bool = False) -> list[Instance]:
    """The instances of a ``for_each`` over ``value``, the expression at ``start`` of ``text``: a literal
    ``toset([...])`` of strings or map, or (``as_set``, the collection ``toset()`` took from a local) a
    literal list of strings."""
    toset = _TOSET.fullmatch(value)
    if toset is not None or (as_set and value.startswith("[")):
        at = start + toset.start(1) if toset is not None else start
        items = [hcl.string_literal(i.text(text)) for i in hcl.list_items(text, at)]
        if None in items:
            return []
        keys = tuple(dict.fromkeys(i for i in items if i is not None))
        return [Instance("for_each", k, f'["{k}"]', keys, {"each.key": k, "each.value": k}) for k in keys]
    if not value.startswith("{"):
        return []
    try:
        entries = hcl_edit.map_entries(text, start)
    except GitOpsEditError:
        return []
    keys = tuple(e.key for e in entries)
    found = []
    for entry in entries:
        scope = {"each.key": entry.key}
        item = text[entry.value_start : entry.value_end]
        literal = hcl.string_literal(item)
        if literal is not None:
            scope["each.value"] = literal
        elif item.startswith("{"):
            scope.update({f"each.value.{k}": v for k, v in object_strings(text, entry.value_start).items()})
        found.append(Instance("for_each", entry.key, f'["{entry.key}"]', keys, scope))
    return found


_TOSET = re.compile(r"toset\(\s*(\[)[^\0]*\]\s*\)", re.S)
_ONE_LINE_ENTRY = re.compile(r'\s*("[^"\n]*"|[A-Za-z_][\w-]*)\s*[=:]\s*("(?:[^"\\]|\\.)*")\s*')


def object_strings(text: str, open_: int) -> dict[str, str]:
    """The attributes of the object literal at ``open_`` whose values are string literals."""
    close = hcl.match_close(text, open_)
    if "\n" not in text[open_:close]:
        found = {}
        for part in text[open_ + 1 : close].split(","):
            match = _ONE_LINE_ENTRY.fullmatch(part)
            literal = hcl.string_literal(match.group(2)) if match else None
            if match and literal is not None:
                found[match.group(1).strip('"')] = literal
        return found
    try:
        entries = hcl_edit.map_entries(text, open_)
    except GitOpsEditError:
        return {}
    return {
        e.key: literal
        for e in entries
        if (literal := hcl.string_literal(text[e.value_start : e.value_end])) is not None
    }


def shown(text: str, block: hcl.Block, shape: ModuleShape, local_values: dict[str, str] | None = None) -> str:
    """``INPUT = VALUE`` of the input naming the module's role: its name, else its name prefix; a name made
    of the directory's literal ``local_values`` as the name it is."""
    attr = hcl.find_attribute(text, block, shape.name) or (
        hcl.find_attribute(text, block, shape.name_prefix) if shape.name_prefix else None
    )
    if attr is not None:
        value = evaluate(attr.value(text), local_values) if local_values else None
        return (
            f'{attr.name} = "{value}"' if value is not None else f"{attr.name} = {attr.value(text).strip()}"
        )
    default = _default_name(text, block, shape, {})
    return f'{shape.name} not set: "{default}"' if default is not None else f"{shape.name} = ?"


def _null_label_note(text: str, block: hcl.Block, shape: ModuleShape) -> str:
    """The role a Cloud Posse module's literal ``name`` alone gives, when null-label changes it."""
    literal = _literal(text, block, shape.name) if shape.null_label else None
    if literal is None or any(hcl.find_attribute(text, block, i) for i in _NULL_LABEL_INPUTS):
        return ""
    normalised = re.sub(r"[^-a-zA-Z0-9]", "", literal).lower()
    return f" [null-label makes that the role {normalised}]" if normalised != literal else ""


def _default_name(text: str, block: hcl.Block, shape: ModuleShape, scope: dict[str, str]) -> str | None:
    """The name the module gives its role when its name input is not set (``shape.default_names``), when
    the inputs that name is made of are literals here."""
    for template in shape.default_names:
        inputs = re.findall(r"\{(\w+)\}", template)
        values = {i: _literal(text, block, i, scope) for i in inputs}
        if all(v is not None for v in values.values()):
            return template.format(**values)
    return None


def _names(text: str, block: hcl.Block, shape: ModuleShape, role: str, scope: dict[str, str]) -> bool:
    """Whether the module's role (in the instance ``scope``, when given) is ``role``: its exact name, or a
    prefix the provider completed."""
    name = _literal(text, block, shape.name, scope)
    if name is None and hcl.find_attribute(text, block, shape.name) is None:
        name = _default_name(text, block, shape, scope)
    if shape.null_label and name is not None:
        if any(hcl.find_attribute(text, block, i) for i in _NULL_LABEL_INPUTS):
            return False  # composed: the refusal's hint explains (terraform._module_role)
        name = re.sub(r"[^-a-zA-Z0-9]", "", name).lower()
    if shape.prefixed_by_default:
        flag = hcl.find_attribute(text, block, shape.use_prefix)
        setting = flag.value(text).strip() if flag else "true"
        # null takes the input's default (true); an expression the file does not settle: either form
        exact = setting not in ("true", "null")
        prefixed = setting != "false"
        separator = _separator(text, block, shape)
        if name is None:
            return False
        return (exact and role == name) or (
            prefixed and separator is not None and completes(role, name + separator)
        )
    if name is not None:
        return role == name
    prefix = _literal(text, block, shape.name_prefix, scope) if shape.name_prefix else None
    return prefix is not None and completes(role, prefix)


def _separator(text: str, block: hcl.Block, shape: ModuleShape) -> str | None:
    """What the module writes between its name and the provider's suffix: "-", or the shape's separator
    input when the block sets it to a literal (None when it sets it to an expression)."""
    attr = hcl.find_attribute(text, block, shape.separator) if shape.separator else None
    if attr is None or attr.value(text).strip() == "null":
        return "-"
    return hcl.string_literal(attr.value(text))


def completes(role: str, prefix: str) -> bool:
    """Whether ``role`` is a name the AWS provider made of ``name_prefix = prefix``."""
    return role.startswith(prefix) and _UNIQUE_SUFFIX.fullmatch(role[len(prefix) :]) is not None


_AWS_PROVIDER = re.compile(r'(?:^|[{\s,])"?aws"?\s*=\s*(aws\.[A-Za-z_][\w-]*)')


def provider_of(text: str, block: hcl.Block) -> list[tuple[str, str]]:
    """``provider = aws.ALIAS`` for what we add beside a module called with
    ``providers = { aws = aws.ALIAS }`` (its role lives in that provider's account and Region); nothing for
    the default provider."""
    attr = hcl.find_attribute(text, block, "providers")
    match = _AWS_PROVIDER.search(attr.value(text)) if attr else None
    return [("provider", match.group(1))] if match else []


def flags_seen(text: str, block: hcl.Block, shape: ModuleShape) -> list[str]:
    """``attach_X_policy = ...`` inputs the module is given, for the "not attached" message."""
    return [
        f"{flag} = {attr.value(text).strip()}"
        for flag, _, _ in shape.flags
        if (attr := hcl.find_attribute(text, block, flag)) is not None
    ]


def edit_flags(text: str, found: FoundModule, replaced: hcl_edit.Replaced) -> hcl_edit.LiteralEdit:
    """``attach_poweruser_policy = true`` (and admin, readonly) attaches PowerUserAccess, or the ARN its
    override input gives: when that ARN is replaced the flag becomes ``false``."""
    block = next(b for b in hcl.blocks(text) if b.type == "module" and b.labels == found.block.labels)
    edits: list[tuple[int, int, str]] = []
    removed: list[str] = []
    for flag, override, default in found.shape.flags:
        attr = hcl.find_attribute(text, block, flag)
        if attr is None or attr.value(text).strip() == "false":
            continue
        given = hcl.find_attribute(text, block, override)
        arn = replaced(given.value(text) if given is not None else f'"{default}"')
        if arn is None:
            continue
        if attr.value(text).strip() != "true":
            raise GitOpsEditError(
                f"{found.path}: module.{block.labels[0]}: {flag} = {attr.value(text).strip()} (attaches "
                f"{arn}) must be a literal true or false in this file for policygen to turn it off; "
                "edit it by hand"
            )
        edits.append((attr.value_start, attr.value_end, "false"))
        removed.append(arn)
    return hcl_edit.LiteralEdit(hcl_edit.apply(text, edits), removed, [])


def edit_policies(
    text: str, found: FoundModule, replaced: hcl_edit.Replaced, add: list[tuple[str, str]]
) -> hcl_edit.LiteralEdit:
    """The module's policy input without the entries that stand for a replaced ARN and with ``add`` (key,
    expression): a map takes the keys, a list the expressions; an input the module lacks is added. The
    shape's ``count`` input, when given, follows the list's new length (``_keep_count``)."""
    before = _list_length(text, found)
    edited = _edit_policy_input(text, found, replaced, add)
    if found.shape.count is None or edited.text == text:
        return edited
    _check_count_covers(text, found, before)
    counted = _keep_count(edited.text, found, before, _list_length(edited.text, found))
    return hcl_edit.LiteralEdit(counted, edited.removed, edited.added)


def brief(value: str) -> str:
    """A value on one line and at most 80 characters, for a message: a for_each map runs to many lines."""
    one = " ".join(value.split())
    return one if len(one) <= 80 else one[:77] + "..."


def edit_single(
    text: str, found: FoundModule, replaced: hcl_edit.Replaced, add: list[tuple[str, str]]
) -> hcl_edit.LiteralEdit:
    """``attach_policy = true`` with ``policy = <broad ARN>`` (terraform-aws-lambda): the module attaches
    that one ARN, so the generated policy's ARN takes its place and the flag stays. Unchanged when the
    input is not a replaced ARN or the flag is a literal false (or absent: false by default)."""
    assert found.shape.single is not None
    flag, name = found.shape.single
    block = _module_block(text, found)
    where = f"{found.path}: module.{block.labels[0]}"
    attr = hcl.find_attribute(text, block, name)
    arn = replaced(attr.value(text)) if attr is not None else None
    switch = hcl.find_attribute(text, block, flag)
    setting = switch.value(text).strip() if switch is not None else "false"
    if attr is None or arn is None or setting in ("false", "null"):
        return hcl_edit.LiteralEdit(text, [], [])
    if setting != "true":
        raise GitOpsEditError(
            f"{where}: {flag} = {setting} (attaches {name} = {arn}) must be a literal true or false in this "
            "file for policygen to tell whether the policy is attached; edit it by hand"
        )
    if len(add) != 1:
        raise GitOpsEditError(
            f"{where}: {name} holds one ARN, and the generated policy is {len(add)} policies (split to fit "
            "IAM's size limit); edit it by hand"
        )
    expression = add[0][1]
    return hcl_edit.LiteralEdit(
        text[: attr.value_start] + expression + text[attr.value_end :], [arn], [expression]
    )


def single_holds(text: str, found: FoundModule, add: list[tuple[str, str]]) -> bool:
    """Whether the single input already attaches the generated policy (a second run)."""
    assert found.shape.single is not None
    flag, name = found.shape.single
    block = _module_block(text, found)
    attr, switch = hcl.find_attribute(text, block, name), hcl.find_attribute(text, block, flag)
    on = switch is not None and switch.value(text).strip() == "true"
    return on and attr is not None and attr.value(text).strip() in {expr for _, expr in add}


def list_attached(text: str, found: FoundModule) -> bool:
    """Whether the module attaches its policy list: always, or when its ``switch`` is a literal true. An
    expression in the switch while the list holds items fails: whether editing the list detaches anything
    the file does not say."""
    switch = found.shape.switch
    if switch is None:
        return True
    block = _module_block(text, found)
    attr = hcl.find_attribute(text, block, switch)
    setting = attr.value(text).strip() if attr is not None else "false"
    if setting in ("true", "false", "null"):
        return setting == "true"
    if _list_length(text, found):
        raise GitOpsEditError(
            f"{found.path}: module.{block.labels[0]}: {switch} = {setting} decides whether "
            f"{found.shape.policies} is attached and is not a literal true or false; edit it by hand"
        )
    return False


def edit_instance_policies(
    text: str, found: FoundModule, role: str, replaced: hcl_edit.Replaced, add: list[tuple[str, str]]
) -> hcl_edit.LiteralEdit:
    """The role is one instance of a module with several: only that instance's policies may change. They
    are its own when the policy input is ``each.value.ATTR`` of a literal ``for_each`` map, whose entry for
    the instance is then edited like the input itself; an input, flag or count input written once for all
    instances is refused, as its edit would give every instance's role this role's policy and take the
    broad one from all of them."""
    instance = found.instance
    assert instance is not None
    block = _module_block(text, found)
    shape = found.shape
    where = f"{found.path}: module.{block.labels[0]}"

    def shared(what: str) -> GitOpsEditError:
        return GitOpsEditError(
            f"{where} has {instance.meta} and role {role!r} is its instance {instance.index}, one of "
            f"{len(instance.keys)} ({', '.join(instance.keys)}); {what} is written once for all of them, so "
            "editing it would give every instance's role the policy generated for this one and remove the "
            "broad policy from all of them. Give each instance its own policies (a for_each map whose "
            f"entries hold them, read as {shape.policies} = each.value.ATTR) and run again, or edit it by "
            "hand. Nothing was changed"
        )

    attr = hcl.find_attribute(text, block, shape.policies)
    value = attr.value(text).strip() if attr is not None else ""
    own = re.fullmatch(r"each\.value\.([A-Za-z_][\w-]*)", value)
    flags = edit_flags(text, found, replaced)
    if flags.removed:
        flagged = [f for f, _, _ in shape.flags if hcl.find_attribute(text, block, f)]
        raise shared(", ".join(flagged))
    if own is None or instance.meta != "for_each":
        raise shared(f"{shape.policies} = {brief(value) if value else '(not set)'}")
    if shape.count is not None and (found.zero_count or hcl.find_attribute(text, block, shape.count)):
        raise GitOpsEditError(
            f"{where}: {shape.count} must follow the length of each instance's {shape.policies}, and it is "
            "written once for all instances of the module; edit it by hand"
        )
    for_each = hcl.find_attribute(text, block, "for_each")
    assert for_each is not None
    entry = next(e for e in hcl_edit.map_entries(text, for_each.value_start) if e.key == instance.key)
    inner = (
        next((e for e in hcl_edit.map_entries(text, entry.value_start) if e.key == own.group(1)), None)
        if text.startswith("{", entry.value_start) and "\n" in text[entry.value_start : entry.value_end]
        else None
    )
    opener = "{" if shape.is_map else "["
    if inner is None or not text.startswith(opener, inner.value_start):
        kind = "a map literal ({...})" if shape.is_map else "a list literal ([...])"
        raise GitOpsEditError(
            f"{where}: {shape.policies} = {brief(value)}, and the for_each entry {instance.key} does not "
            f"give {own.group(1)} as {kind} on lines of its own; edit it by hand"
        )
    try:
        if shape.is_map:
            return hcl_edit.edit_map(text, inner.value_start, replaced, add)
        return hcl_edit.edit_list(text, inner.value_start, replaced, [expr for _, expr in add])
    except GitOpsEditError as err:
        raise GitOpsEditError(f"{where}: for_each entry {instance.key}: {err}; edit it by hand") from None


def _module_block(text: str, found: FoundModule) -> hcl.Block:
    return next(b for b in hcl.blocks(text) if b.type == "module" and b.labels == found.block.labels)


def _list_length(text: str, found: FoundModule) -> int | None:
    """How many items the module's policy list has (0 when the input is absent); None if not a list."""
    attr = hcl.find_attribute(text, _module_block(text, found), found.shape.policies)
    if attr is None:
        return 0
    if found.shape.is_map or not text.startswith("[", attr.value_start):
        return None
    return len(hcl.list_items(text, attr.value_start))


def _check_count_covers(text: str, found: FoundModule, before: int | None) -> None:
    """The module attaches the first ``count`` items of its list: when that is fewer than the list holds,
    some listed policies are not the role's, and the new count an edit needs would attach them. Which of
    them the role should have is not for the run to decide."""
    assert found.shape.count is not None
    if before is None or before == 0:
        return
    block = _module_block(text, found)
    attr = hcl.find_attribute(text, block, found.shape.count)
    where = f"{found.path}: module.{block.labels[0]}: {found.shape.count}"
    what = (
        "policygen cannot tell which of them the role should have; set "
        f"{found.shape.count} to how many of them the module attaches (the list's length if all) and run "
        "again"
    )
    if attr is None and found.zero_count:
        until = ".".join(map(str, found.shape.count_null_from or ()))
        default = (
            "the module defaults it to 0"
            if found.shape.count_always_zero
            else f"the module's version ({found.pinned}) defaults it to 0 (terraform-aws-iam from v3.0.0 "
            f"until v{until})"
        )
        raise GitOpsEditError(
            f"{where} is not set, and {default}, so it attaches none of the {before} item(s) of "
            f"{found.shape.policies}: {what}"
        )
    value = attr.value(text).strip() if attr is not None else ""
    if re.fullmatch(r"\d+", value) and int(value) < before:
        raise GitOpsEditError(
            f"{where} = {value} attaches only the first {value} of the {before} item(s) of "
            f"{found.shape.policies}, the others are not attached: {what}"
        )


def _keep_count(text: str, found: FoundModule, before: int | None, after: int | None) -> str:
    """``number_of_custom_role_policy_arns = 2`` (a literal) becomes the list's new length; ``null`` is
    left (the module counts the list); an expression fails naming it when the length changes, as the run
    cannot know what it evaluates to. Not given where it defaults to 0 (v3.0.0 to v3.5.0), it is written
    after the list: the module would attach none of it."""
    assert found.shape.count is not None
    block = _module_block(text, found)
    attr = hcl.find_attribute(text, block, found.shape.count)
    if after is None:
        return text
    if attr is None:
        return _insert_count(text, block, found, after) if found.zero_count and after else text
    value = attr.value(text).strip()
    if value == "null" or value == str(after):
        return text
    if re.fullmatch(r"\d+", value):
        return text[: attr.value_start] + str(after) + text[attr.value_end :]
    if before == after:
        return text
    raise GitOpsEditError(
        f"{found.path}: module.{block.labels[0]}: {found.shape.count} = {value} is not a literal number, and "
        f"it must equal the length of {found.shape.policies}, which this edit changes from {before} to "
        f"{after}: write it as a literal number (or remove it: the module then counts the list) and run again"
    )


def _insert_count(text: str, block: hcl.Block, found: FoundModule, number: int) -> str:
    """``count_input = number`` on the line after the policy list, at its indentation."""
    assert found.shape.count is not None
    attr = hcl.find_attribute(text, block, found.shape.policies)
    assert attr is not None  # the edit just wrote it
    line = text[attr.line_start : attr.line_end]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return f"{text[: attr.line_end]}{indent}{found.shape.count} = {number}\n{text[attr.line_end :]}"


def _edit_policy_input(
    text: str, found: FoundModule, replaced: hcl_edit.Replaced, add: list[tuple[str, str]]
) -> hcl_edit.LiteralEdit:
    block = _module_block(text, found)
    shape = found.shape
    where = f"{found.path}: module.{block.labels[0]}"
    attr = hcl.find_attribute(text, block, shape.policies)
    if attr is None:
        return _insert_input(text, block, shape, add) if add else hcl_edit.LiteralEdit(text, [], [])
    opener = "{" if shape.is_map else "["
    if not text.startswith(opener, attr.value_start):
        kind = "a map literal ({...})" if shape.is_map else "a list literal ([...])"
        raise GitOpsEditError(f"{where}: {shape.policies} is not {kind}; edit it by hand")
    try:
        if shape.is_map:
            return hcl_edit.edit_map(text, attr.value_start, replaced, add)
        return hcl_edit.edit_list(text, attr.value_start, replaced, [expr for _, expr in add])
    except GitOpsEditError as err:
        raise GitOpsEditError(f"{where}: {shape.policies}: {err}; edit it by hand") from None


def _insert_input(
    text: str, block: hcl.Block, shape: ModuleShape, add: list[tuple[str, str]]
) -> hcl_edit.LiteralEdit:
    attrs = hcl.attributes(text, block)
    first = attrs[0].line_start if attrs else block.open
    indent = text[first : first + len(text[first:]) - len(text[first:].lstrip(" \t"))] if attrs else "  "
    if shape.is_map:
        entries = "".join(f"{indent}  {key} = {expr}\n" for key, expr in add)
        lines = f"\n{indent}{shape.policies} = {{\n{entries}{indent}}}\n"
        added = [f"{key} = {expr}" for key, expr in add]
    else:
        added = [expr for _, expr in add]
        lines = f"\n{indent}{shape.policies} = [{', '.join(added)}]\n"
    at = text.rfind("\n", 0, block.close) + 1
    return hcl_edit.LiteralEdit(text[:at] + lines + text[at:], [], added)
