"""Node group roles of the terraform-aws-modules/eks root module: the group's own
``iam_role_additional_policies`` loses the broad ARN and gains the generated policy's; what no single edit
of it can do is refused naming why.

The module block is the v21 upgrade guide's "After 21.x Example" (terraform-aws-eks docs/UPGRADE-21.0.md:
``eks_managed_node_groups = { efa = { ..., iam_role_additional_policies = { AmazonSSMManagedInstanceCore =
"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" } } }``), with PowerUserAccess beside SSM. The role
is the submodule's ``name_prefix = "${coalesce(var.iam_role_name, "${var.name}-eks-node-group")}-"``
completed by the AWS provider (modules/eks-managed-node-group/main.tf), the group's name its key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER, fmt_clean

SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
# what the provider's name_prefix appends: a UTC timestamp to 1/10,000 s and an 8-hex-digit counter
SUFFIX = "20250101120000000000000001"
EFA_ROLE = f"efa-eks-node-group-{SUFFIX}"


def _request(role: str) -> EditRequest:
    return EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))


EKS = f"""\
module "eks" {{
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  eks_managed_node_groups = {{
    efa = {{
      ami_type       = "AL2023_x86_64_NVIDIA"
      instance_types = ["p5e.48xlarge"]

      iam_role_additional_policies = {{
        AmazonSSMManagedInstanceCore = "{SSM}"
        PowerUserAccess              = "{POWER}"
      }}

      enable_efa_support = true
    }}

    general = {{
      instance_types = ["m6i.large"]

      iam_role_additional_policies = {{
        PowerUserAccess = "{POWER}"
      }}
    }}
  }}
}}
"""


def test_the_node_groups_own_map_is_edited(tmp_path: Path) -> None:
    """Refused before: "no aws_iam_role with name ..." (the eks root module was no known role module)."""
    result = terraform.edit({"main.tf": EKS}, _request(EFA_ROLE))
    text = result.changes["main.tf"]
    assert text is not None
    assert result.detached == [POWER] and result.attachment_added
    assert result.role_location == 'main.tf (module eks, eks_managed_node_groups["efa"])'
    efa = text.split("efa = {")[1].split("general = {")[0]
    assert f'        AmazonSSMManagedInstanceCore = "{SSM}"\n' in efa
    assert "        policygen                    = aws_iam_policy.eks_efa_policygen.arn\n" in efa
    assert "PowerUserAccess" not in efa
    # the other group's role keeps its policies
    assert f'        PowerUserAccess = "{POWER}"\n' in text.split("general = {")[1]
    assert 'resource "aws_iam_policy" "eks_efa_policygen" {' in text
    assert f'  name        = "{EFA_ROLE}-policygen"' in text
    fmt_clean(text, tmp_path)


def test_a_second_run_changes_nothing() -> None:
    first = terraform.edit({"main.tf": EKS}, _request(EFA_ROLE)).changes["main.tf"]
    assert first is not None
    again = terraform.edit({"main.tf": first}, _request(EFA_ROLE))
    assert again.changes == {} and not again.attachment_added


@pytest.mark.parametrize(
    ("settings", "role"),
    [
        ('      name = "gpu"\n', f"gpu-eks-node-group-{SUFFIX}"),
        ('      iam_role_name = "efa-nodes"\n', f"efa-nodes-{SUFFIX}"),
        (
            '      iam_role_name            = "efa-nodes"\n      iam_role_use_name_prefix = false\n',
            "efa-nodes",
        ),
    ],
    ids=["name", "iam_role_name", "exact-name"],
)
def test_the_role_is_named_as_the_submodule_names_it(settings: str, role: str) -> None:
    eks = EKS.replace('      ami_type       = "AL2023_x86_64_NVIDIA"\n', settings + '      ami_type = "x"\n')
    result = terraform.edit({"main.tf": eks}, _request(role))
    assert result.detached == [POWER]
    with pytest.raises(GitOpsEditError, match="no aws_iam_role"):
        terraform.edit({"main.tf": eks}, _request(EFA_ROLE))


@pytest.mark.parametrize(
    ("groups", "role"),
    [("self_managed_node_groups", f"efa-node-group-{SUFFIX}"), ("fargate_profiles", f"efa-{SUFFIX}")],
)
def test_self_managed_node_groups_and_fargate_profiles(groups: str, role: str) -> None:
    """modules/self-managed-node-group names its role "${var.name}-node-group", modules/fargate-profile
    coalesce(var.iam_role_name, var.name, "fargate-profile"), each a prefix by default (their main.tf)."""
    eks = EKS.replace("eks_managed_node_groups", groups)
    result = terraform.edit({"main.tf": eks}, _request(role))
    assert result.detached == [POWER]
    assert result.role_location == f'main.tf (module eks, {groups}["efa"])'


def test_a_group_without_a_role_of_its_own_is_not_the_role() -> None:
    eks = EKS.replace("      enable_efa_support = true\n", "      create_iam_role = false\n")
    with pytest.raises(GitOpsEditError, match="no aws_iam_role"):
        terraform.edit({"main.tf": eks}, _request(EFA_ROLE))


def test_the_defaults_map_is_refused() -> None:
    """Up to v20, a group without its own map takes eks_managed_node_group_defaults' (lookup(each.value,
    "iam_role_additional_policies", lookup(var.eks_managed_node_group_defaults, ...)), node_groups.tf):
    written once for every such group, so removing the broad policy there would change the others."""
    eks = (
        'module "eks" {\n  source  = "terraform-aws-modules/eks/aws"\n  version = "~> 20.0"\n\n'
        "  eks_managed_node_group_defaults = {\n"
        f'    iam_role_additional_policies = {{ PowerUserAccess = "{POWER}" }}\n'
        "  }\n\n"
        '  eks_managed_node_groups = {\n    efa = {\n      instance_types = ["m6i.large"]\n    }\n  }\n}\n'
    )
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": eks}, _request(EFA_ROLE))
    message = str(err.value)
    assert 'module.eks eks_managed_node_groups["efa"] takes iam_role_additional_policies from ' in message
    assert "eks_managed_node_group_defaults" in message and "Nothing was changed" in message


def test_a_v18_list_is_refused() -> None:
    """v18 took a list, attached with for_each over toset(...) of the ARNs, where an ARN known only after
    apply cannot go (modules/eks-managed-node-group/main.tf at v18.31.2)."""
    eks = EKS.replace(
        f'      iam_role_additional_policies = {{\n        AmazonSSMManagedInstanceCore = "{SSM}"\n'
        f'        PowerUserAccess              = "{POWER}"\n      }}\n',
        f'      iam_role_additional_policies = ["{SSM}", "{POWER}"]\n',
    )
    with pytest.raises(GitOpsEditError, match="is not a map literal"):
        terraform.edit({"main.tf": eks}, _request(EFA_ROLE))


def test_a_module_with_count_is_refused() -> None:
    eks = EKS.replace('  version = "~> 21.0"\n', '  version = "~> 21.0"\n  count   = 1\n')
    with pytest.raises(GitOpsEditError, match="has count = 1"):
        terraform.edit({"main.tf": eks}, _request(EFA_ROLE))


# The cluster's own role (terraform-aws-eks main.tf, v19.0.0 to v21.19.0): aws_iam_role.this named
# coalesce(var.iam_role_name, "${var.name}-cluster") (var.cluster_name up to v20), a prefix completed by the
# provider unless iam_role_use_name_prefix = false, with resource "aws_iam_role_policy_attachment"
# "additional" { for_each = { for k, v in var.iam_role_additional_policies : ... } }, the module block's
# top-level map (docs/UPGRADE-19.0.md: iam_role_additional_policies = { additional =
# aws_iam_policy.additional.arn }).
CLUSTER = f"""\
module "eks" {{
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "prod"
  kubernetes_version = "1.33"

  iam_role_additional_policies = {{
    AmazonSSMManagedInstanceCore = "{SSM}"
    PowerUserAccess              = "{POWER}"
  }}

  eks_managed_node_groups = {{
    general = {{
      iam_role_additional_policies = {{
        PowerUserAccess = "{POWER}"
      }}
    }}
  }}
}}
"""


def test_the_clusters_own_role_is_edited_in_the_modules_map(tmp_path: Path) -> None:
    """Refused before: "no aws_iam_role with name ..." (the eks root module's own role was not known)."""
    result = terraform.edit({"main.tf": CLUSTER}, _request(f"prod-cluster-{SUFFIX}"))
    text = result.changes["main.tf"]
    assert text is not None
    assert result.detached == [POWER] and result.attachment_added
    assert result.role_location == "main.tf (module eks)"
    top = text.split("eks_managed_node_groups")[0]
    assert f'    AmazonSSMManagedInstanceCore = "{SSM}"\n' in top
    assert "    policygen                    = aws_iam_policy.eks_cluster_policygen.arn\n" in top
    assert "PowerUserAccess" not in top
    # the node group's role keeps its policy
    assert f'        PowerUserAccess = "{POWER}"\n' in text.split("eks_managed_node_groups")[1]
    assert 'resource "aws_iam_policy" "eks_cluster_policygen" {' in text
    fmt_clean(text, tmp_path)
    again = terraform.edit({"main.tf": text}, _request(f"prod-cluster-{SUFFIX}"))
    assert again.changes == {}


@pytest.mark.parametrize(
    ("settings", "role"),
    [
        ('  cluster_name = "prod"\n  version = "~> 20.0"\n', f"prod-cluster-{SUFFIX}"),
        ('  name = "prod"\n  iam_role_name = "prod-control-plane"\n', f"prod-control-plane-{SUFFIX}"),
        ('  name = "prod"\n  iam_role_use_name_prefix = false\n', "prod-cluster"),
        ('  name = "prod"\n  prefix_separator = "_"\n', f"prod-cluster_{SUFFIX}"),
    ],
    ids=["v20-cluster_name", "iam_role_name", "exact-name", "prefix_separator"],
)
def test_the_clusters_role_is_named_as_the_module_names_it(settings: str, role: str) -> None:
    eks = CLUSTER.replace('  name               = "prod"\n', settings)
    if "cluster_name" in settings:
        eks = eks.replace('  version = "~> 21.0"\n', "")
    result = terraform.edit({"main.tf": eks}, _request(role))
    assert result.detached == [POWER]


@pytest.mark.parametrize(
    "settings", ['  create_iam_role = false\n  iam_role_arn = "x"\n', "  create = false\n"]
)
def test_a_cluster_without_its_own_role_is_not_the_role(settings: str) -> None:
    eks = CLUSTER.replace('  kubernetes_version = "1.33"\n', settings)
    with pytest.raises(GitOpsEditError, match="no aws_iam_role"):
        terraform.edit({"main.tf": eks}, _request(f"prod-cluster-{SUFFIX}"))


def test_a_v18_cluster_list_is_not_edited() -> None:
    """v18 took a list(string), attached through toset(), where an ARN known after apply cannot go."""
    eks = CLUSTER.replace('version = "~> 21.0"', 'version = "~> 18.0"').replace(
        '  name               = "prod"\n', '  cluster_name = "prod"\n'
    )
    with pytest.raises(GitOpsEditError, match="from v19 on"):
        terraform.edit({"main.tf": eks}, _request(f"prod-cluster-{SUFFIX}"))


# Node groups given through a local of the module's directory: public root modules write
# `eks_managed_node_groups = local.node_groups` (or local.eks_managed_node_groups, a locals.tf beside
# main.tf) and `merge(local.base, { ... })`; Terraform's merge() takes a key from the last argument that
# has it.
GROUPS_LOCAL = f"""\
locals {{
  # the groups every environment has
  node_groups = {{
    gpu = {{
      instance_types = ["g5.xlarge"]

      iam_role_additional_policies = {{
        AmazonSSMManagedInstanceCore = "{SSM}"
        PowerUserAccess              = "{POWER}"
      }}
    }}
  }}
}}
"""
GPU_ROLE = f"gpu-eks-node-group-{SUFFIX}"


def _module(groups: str) -> str:
    return (
        'module "eks" {\n  source  = "terraform-aws-modules/eks/aws"\n  version = "~> 20.0"\n\n'
        f'  cluster_name = "prod"\n\n  eks_managed_node_groups = {groups}\n}}\n'
    )


@pytest.mark.parametrize(
    "groups",
    ["local.node_groups", "merge(local.node_groups, local.extra)", "merge(var.more, local.node_groups)"],
)
def test_node_groups_in_a_local_are_edited_there(groups: str, tmp_path: Path) -> None:
    """Refused before: "no aws_iam_role with name ..." (only a map written in the block was read)."""
    locals_tf = GROUPS_LOCAL.replace("locals {\n", "locals {\n  extra = {}\n")
    files = {"main.tf": _module(groups), "locals.tf": locals_tf}
    result = terraform.edit(files, _request(GPU_ROLE))
    assert result.detached == [POWER]
    assert result.changes["main.tf"] == files["main.tf"] + _policy_of(result.changes["main.tf"])
    edited = result.changes["locals.tf"]
    assert edited == locals_tf.replace(
        f'        PowerUserAccess              = "{POWER}"\n',
        "        policygen                    = aws_iam_policy.eks_gpu_policygen.arn\n",
    )
    assert edited is not None
    fmt_clean(edited, tmp_path)
    again = terraform.edit({**files, **result.changes}, _request(GPU_ROLE))  # type: ignore[dict-item]
    assert again.changes == {}


def _policy_of(text: str | None) -> str:
    assert text is not None
    return text[text.index('\nresource "aws_iam_policy"') :]


def test_a_group_written_in_merge_is_edited_in_its_argument() -> None:
    eks = _module(
        "merge(\n    local.node_groups,\n    {\n      gpu = {\n        iam_role_additional_policies = {\n"
        f'          PowerUserAccess = "{POWER}"\n        }}\n      }}\n    }},\n  )'
    )
    files = {"main.tf": eks, "locals.tf": GROUPS_LOCAL}
    result = terraform.edit(files, _request(GPU_ROLE))
    # the literal argument, the later one, wins: the local's group is replaced by it and is left as it is
    assert "locals.tf" not in result.changes
    text = result.changes["main.tf"]
    assert text is not None
    assert "          policygen = aws_iam_policy.eks_gpu_policygen.arn\n" in text
    assert POWER not in text


def test_a_group_a_later_unread_argument_may_replace_is_not_told() -> None:
    files = {"main.tf": _module("merge(local.node_groups, var.more)"), "locals.tf": GROUPS_LOCAL}
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, _request(GPU_ROLE))
    assert "a later argument of merge() that is not a literal map may replace it" in str(err.value)


def test_a_local_read_elsewhere_is_refused() -> None:
    """Another reader of the local (an output, another cluster's module) would change with it."""
    main = _module("local.node_groups") + '\noutput "groups" {\n  value = local.node_groups\n}\n'
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": main, "locals.tf": GROUPS_LOCAL}, _request(GPU_ROLE))
    message = str(err.value)
    assert "local.node_groups is read at main.tf:7, main.tf:11" in message
    assert "Nothing was changed" in message


def test_a_local_of_another_directory_is_not_read() -> None:
    """Another directory is another Terraform module: its locals are not this module's."""
    files = {"main.tf": _module("local.node_groups"), "other/locals.tf": GROUPS_LOCAL}
    with pytest.raises(GitOpsEditError, match="no aws_iam_role"):
        terraform.edit(files, _request(GPU_ROLE))


def test_defaults_in_a_local_name_the_group_and_keep_their_map() -> None:
    """v20's *_defaults given through a local are read as the group's settings: a group without its own
    iam_role_use_name_prefix takes the local's (the exact name), and a map taken from it is refused."""
    locals_tf = (
        "locals {\n  group_defaults = {\n    iam_role_use_name_prefix = false\n"
        f'    iam_role_additional_policies = {{\n      PowerUserAccess = "{POWER}"\n    }}\n  }}\n}}\n'
    )
    eks = EKS.replace(
        '  version = "~> 21.0"\n',
        '  version = "~> 20.0"\n\n  eks_managed_node_group_defaults = local.group_defaults\n',
    )
    result = terraform.edit({"main.tf": eks, "locals.tf": locals_tf}, _request("efa-eks-node-group"))
    assert result.detached == [POWER]
    with pytest.raises(GitOpsEditError, match="no aws_iam_role"):
        terraform.edit({"main.tf": eks, "locals.tf": locals_tf}, _request(EFA_ROLE))
    own = eks.replace(
        '      iam_role_additional_policies = {\n        PowerUserAccess = "' + POWER + '"\n      }\n', ""
    )
    with pytest.raises(
        GitOpsEditError, match="takes iam_role_additional_policies from eks_managed_node_group_defaults"
    ):
        terraform.edit({"main.tf": own, "locals.tf": locals_tf}, _request("general-eks-node-group"))


def test_a_for_expression_after_the_group_may_replace_it() -> None:
    """merge({ for k, v in var.groups : ... }) builds any keys: a group before it is not told (a public
    module merges { for k, v in var.eks_managed_node_groups : "${var.cluster_name}-${k}" => v } so)."""
    groups = 'merge(local.node_groups, { for k, v in var.more : "prod-${k}" => v })'
    files = {"main.tf": _module(groups), "locals.tf": GROUPS_LOCAL}
    with pytest.raises(GitOpsEditError, match="a later argument of merge"):
        terraform.edit(files, _request(GPU_ROLE))


GROUP_DEFAULTS = (
    'variable "node_group_defaults" {\n'
    "  type = any\n"
    "  default = {\n"
    "    iam_role_use_name_prefix = false\n"
    "    iam_role_additional_policies = {\n"
    f'      PowerUserAccess = "{POWER}"\n'
    "    }\n"
    "  }\n"
    "}\n"
)
BY_VARIABLE = EKS.replace(
    '  version = "~> 21.0"\n',
    '  version = "~> 20.0"\n\n  eks_managed_node_group_defaults = var.node_group_defaults\n',
)


def test_defaults_given_as_a_variable_are_its_value(tmp_path: Path) -> None:
    """v20's *_defaults given as a variable were counted as none: the group's exact name (the defaults'
    iam_role_use_name_prefix = false) was not found, and the map a group takes from them not refused. Its
    value is its default, or what a definitions file of the module sets (Terraform language docs, "Input
    Variables")."""
    files = {"main.tf": BY_VARIABLE, "variables.tf": GROUP_DEFAULTS}
    result = terraform.edit(files, _request("efa-eks-node-group"))
    assert result.detached == [POWER] and set(result.changes) == {"main.tf"}
    fmt_clean(result.changes["main.tf"], tmp_path)
    with pytest.raises(GitOpsEditError, match="no aws_iam_role"):
        terraform.edit(files, _request(EFA_ROLE))
    own = BY_VARIABLE.replace(
        '      iam_role_additional_policies = {\n        PowerUserAccess = "' + POWER + '"\n      }\n', ""
    )
    with pytest.raises(
        GitOpsEditError, match="takes iam_role_additional_policies from eks_managed_node_group_defaults"
    ):
        terraform.edit({**files, "main.tf": own}, _request("general-eks-node-group"))
    # a definitions file sets another value: the prefix again
    tfvars = {"terraform.tfvars": "node_group_defaults = {\n  iam_role_use_name_prefix = true\n}\n"}
    assert terraform.edit({**files, **tfvars}, _request(EFA_ROLE)).detached == [POWER]


def test_defaults_given_as_a_variable_without_a_value_are_refused_naming_it() -> None:
    """No default and no definitions file: -var, TF_VAR_ or the caller gives the defaults, which may name
    the role or give it the policies: refused naming the variable and why, not counted as none."""
    files = {"main.tf": BY_VARIABLE, "variables.tf": 'variable "node_group_defaults" {\n  type = any\n}\n'}
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, _request(EFA_ROLE))
    why = (
        "eks_managed_node_group_defaults = var.node_group_defaults, whose settings policygen cannot read: "
        "var.node_group_defaults (declared in variables.tf): it has no default and no definitions file"
    )
    assert f'module.eks eks_managed_node_groups["efa"] (its role\'s name may come from {why}' in str(
        err.value
    )
    # a group naming its role itself, without a map of its own: the defaults may give it one
    named = BY_VARIABLE.replace(
        '      iam_role_additional_policies = {\n        PowerUserAccess = "' + POWER + '"\n      }\n',
        '      iam_role_name            = "general"\n      iam_role_use_name_prefix = false\n',
    )
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({**files, "main.tf": named}, _request("general"))
    message = str(err.value)
    assert message.startswith(
        f'main.tf: module.eks eks_managed_node_groups["general"] has no iam_role_additional_policies of its '
        f"own, and may take it from {why}"
    )
    assert message.endswith("Nothing was changed")


GROUPS_VARIABLE = EKS.replace(
    "  eks_managed_node_groups = {", "  eks_managed_node_groups = var.node_groups\n}\n\nX {"
)


def test_the_groups_given_as_a_variable_are_its_value_written_in_place(tmp_path: Path) -> None:
    """``eks_managed_node_groups = var.node_groups``: the groups are the variable's value (its default, or
    what a definitions file of the module sets; Terraform language docs, "Input Variables"), read as the
    ``*_defaults`` are. The value is written in the block's place and the group's map edited there; the
    variable, read by nothing any more, goes. Before, no group was found ("no aws_iam_role")."""
    module, groups = GROUPS_VARIABLE.split("\nX {")
    # the same groups as the variable's default, at the indentation of a variable block's attribute
    variables = 'variable "node_groups" {\n  type = any\n  default = {' + groups.removesuffix("}\n") + "}\n"
    result = terraform.edit({"main.tf": module, "variables.tf": variables}, _request(EFA_ROLE))
    assert result.detached == [POWER]
    assert result.role_location == 'main.tf (module eks, eks_managed_node_groups["efa"])'
    text = result.changes["main.tf"]
    assert text is not None and "var.node_groups" not in text
    efa = text.split("efa = {")[1].split("general = {")[0]
    assert "        policygen                    = aws_iam_policy.eks_efa_policygen.arn\n" in efa
    assert "PowerUserAccess" not in efa
    assert f'        PowerUserAccess = "{POWER}"\n' in text.split("general = {")[1]
    assert result.changes["variables.tf"] is None
    fmt_clean(text, tmp_path)


def test_the_groups_given_as_a_variable_without_a_value_are_named() -> None:
    module = GROUPS_VARIABLE.split("\nX {")[0]
    files = {"main.tf": module, "variables.tf": 'variable "node_groups" {\n  type = any\n}\n'}
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, _request(EFA_ROLE))
    assert (
        "main.tf: module.eks eks_managed_node_groups = var.node_groups, whose groups policygen cannot read: "
        "var.node_groups (declared in variables.tf): it has no default"
    ) in str(err.value)


def test_groups_given_as_a_variable_that_is_no_map_are_named_on_one_line() -> None:
    """The value is shown as every other message shows one (``terraform_modules.brief``: one line, at most
    80 characters), not as the whole list its default spans."""
    module = GROUPS_VARIABLE.split("\nX {")[0]
    items = "".join(f'    "group-{i}",\n' for i in range(20))
    files = {
        "main.tf": module,
        "variables.tf": f'variable "node_groups" {{\n  type = any\n  default = [\n{items}  ]\n}}\n',
    }
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, _request(EFA_ROLE))
    message = str(err.value)
    assert 'var.node_groups (its default in variables.tf): its value [ "group-0", "group-1",' in message
    assert "is not a map" in message and '"group-19"' not in message and "\n    " not in message


def test_a_merge_of_a_variable_is_written_as_the_map_it_makes(tmp_path: Path) -> None:
    """``iam_role_additional_policies = merge(var.extra, {...})`` with the broad ARN in the variable: the map
    merge() makes (a later argument's key taking precedence; Terraform language docs, "Functions": merge),
    written in its place and edited there. Before, refused as "not a map literal"."""
    merged = EKS.replace(
        "      iam_role_additional_policies = {\n"
        f'        AmazonSSMManagedInstanceCore = "{SSM}"\n'
        f'        PowerUserAccess              = "{POWER}"\n'
        "      }\n",
        "      iam_role_additional_policies = merge(var.extra, {\n"
        f'        AmazonSSMManagedInstanceCore = "{SSM}"\n'
        "      })\n",
    )
    variables = (
        'variable "extra" {\n  type = map(string)\n  default = {\n'
        f'    PowerUserAccess              = "{POWER}"\n'
        '    AmazonSSMManagedInstanceCore = "overridden"\n'
        "  }\n}\n"
    )
    result = terraform.edit({"main.tf": merged, "variables.tf": variables}, _request(EFA_ROLE))
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert (
        "      iam_role_additional_policies = {\n"
        f'        AmazonSSMManagedInstanceCore = "{SSM}"\n'
        "        policygen                    = aws_iam_policy.eks_efa_policygen.arn\n"
        "      }\n"
    ) in text
    assert result.changes["variables.tf"] is None
    fmt_clean(text, tmp_path)


def test_a_groups_role_named_from_literal_locals_is_found() -> None:
    """``iam_role_name = "${local.name}-efa"`` with ``local.name`` a literal of the module's directory (the
    naming the terraform-aws-eks tests use, ``local.name`` there being computed) names the group's role as
    the literal would: a local is set only in its module ("Local Values" in the Terraform language docs)."""
    text = EKS.replace(
        '      ami_type       = "AL2023_x86_64_NVIDIA"\n',
        '      ami_type       = "AL2023_x86_64_NVIDIA"\n      iam_role_name  = "${local.name}-efa"\n',
    )
    files = {"eks/locals.tf": 'locals {\n  name = "prod"\n}\n', "eks/main.tf": text}
    result = terraform.edit(files, _request(f"prod-efa-{SUFFIX}"))
    assert result.detached == [POWER]
    assert "PowerUserAccess = " in (result.changes["eks/main.tf"] or "")  # the general group keeps its own


def test_a_merge_whose_literal_holds_the_broad_arn_loses_just_that_entry(tmp_path: Path) -> None:
    """``merge(var.extra, {...})`` with the broad ARN in the literal map and not in the variable: the entry
    goes and the generated policy joins that map, the rest of the expression as written (the pull request's
    diff is the entries that change, as for a plain map). merge() gives the later argument's key precedence
    (Terraform language docs, "Functions": merge): the literal is the last argument, so what it holds is what
    the group gets. Before, the whole map merge() makes was written out in its place."""
    merged = EKS.replace(
        "      iam_role_additional_policies = {\n"
        f'        AmazonSSMManagedInstanceCore = "{SSM}"\n'
        f'        PowerUserAccess              = "{POWER}"\n'
        "      }\n",
        "      iam_role_additional_policies = merge(\n"
        "        var.extra, # per environment\n"
        "        {\n"
        f'          AmazonSSMManagedInstanceCore = "{SSM}"\n'
        f'          PowerUserAccess              = "{POWER}"\n'
        "        },\n"
        "      )\n",
    )
    variables = f'variable "extra" {{\n  type = map(string)\n  default = {{\n    Agent = "{SSM}"\n  }}\n}}\n'
    result = terraform.edit({"main.tf": merged, "variables.tf": variables}, _request(EFA_ROLE))
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert (
        "      iam_role_additional_policies = merge(\n"
        "        var.extra, # per environment\n"
        "        {\n"
        f'          AmazonSSMManagedInstanceCore = "{SSM}"\n'
        "          policygen                    = aws_iam_policy.eks_efa_policygen.arn\n"
        "        },\n"
        "      )\n"
    ) in text
    assert "variables.tf" not in result.changes
    again = terraform.edit({"main.tf": text, "variables.tf": variables}, _request(EFA_ROLE))
    assert again.changes == {}  # a second run leaves the expression as it is
    fmt_clean(text, tmp_path)
    # a later argument that sets the generated policy's key would hide it: written out as before
    later = merged.replace("        },\n      )\n", "        },\n        var.extra,\n      )\n")
    clash = variables.replace("Agent", "policygen")
    result = terraform.edit({"main.tf": later, "variables.tf": clash}, _request(EFA_ROLE))
    assert "      iam_role_additional_policies = {\n" in (result.changes["main.tf"] or "")
