"""Roles that terraform-aws-eks' Karpenter module and terraform-aws-lambda define.

Karpenter (github.com/terraform-aws-modules/terraform-aws-eks modules/karpenter, v20.0.0 to v21.19.0,
Apache-2.0) defines two roles, each with its own policy map: the controller (iam_role_name, a prefix
"KarpenterController-" by default; iam_role_policies) and the nodes' (node_iam_role_name, by default
"Karpenter-<cluster_name>-" as a prefix; node_iam_role_additional_policies). The Lambda module
(github.com/terraform-aws-modules/terraform-aws-lambda v2.0.0 to v8.8.1, Apache-2.0) names its role
coalesce(role_name, function_name) and attaches ``policy`` when ``attach_policy`` is true and the first
``number_of_policies`` items of ``policies`` when ``attach_policies`` is true (iam.tf). The layouts are
the modules' own examples: examples/karpenter/main.tf at v21.19.0 and examples/complete/main.tf at v8.8.1.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER

# what the AWS provider appends to a name_prefix: 18 digits of UTC time and an 8-hex-digit counter
SUFFIX = "20260412093015123400000001"


def request(role: str) -> EditRequest:
    return EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))


# examples/karpenter/main.tf at v21.19.0, its names as literals (the example has local.name) and the
# broad policy given to each role
KARPENTER = f"""\
module "karpenter" {{
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "~> 21.0"

  cluster_name = "ex-karpenter"

  # Name needs to match role name passed to the EC2NodeClass
  node_iam_role_use_name_prefix   = false
  node_iam_role_name              = "ex-karpenter"
  create_pod_identity_association = true

  # Used to attach additional IAM policies to the Karpenter node IAM role
  node_iam_role_additional_policies = {{
    AmazonSSMManagedInstanceCore = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    power                        = "{POWER}"
  }}

  iam_role_policies = {{
    power = "{POWER}"
  }}

  tags = local.tags
}}
"""


def test_karpenters_node_role_loses_the_broad_policy_from_its_own_map() -> None:
    result = terraform.edit({"karpenter.tf": KARPENTER}, request("ex-karpenter"))
    text = result.changes["karpenter.tf"] or ""
    assert (
        "  node_iam_role_additional_policies = {\n"
        '    AmazonSSMManagedInstanceCore = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"\n'
        "    policygen                    = aws_iam_policy.karpenter_node_policygen.arn\n  }\n\n"
        f'  iam_role_policies = {{\n    power = "{POWER}"\n  }}\n' in text
    )
    assert (
        'resource "aws_iam_policy" "karpenter_node_policygen" {\n  name        = "ex-karpenter-policygen"'
        in text
    )
    assert result.detached == [POWER]
    assert terraform.edit({"karpenter.tf": text}, request("ex-karpenter")).changes == {}


def test_karpenters_controller_role_named_by_the_default_prefix_gets_its_own_policy() -> None:
    """iam_role_name is not set: the role is KarpenterController- and the provider's suffix. A run for the
    node role before it keeps its policy: each role's policy is labelled for the role."""
    nodes = terraform.edit({"karpenter.tf": KARPENTER}, request("ex-karpenter")).changes["karpenter.tf"] or ""
    controller = f"KarpenterController-{SUFFIX}"
    text = terraform.edit({"karpenter.tf": nodes}, request(controller)).changes["karpenter.tf"] or ""
    assert (
        "  iam_role_policies = {\n    policygen = aws_iam_policy.karpenter_controller_policygen.arn\n  }\n"
        in text
    )
    assert "    policygen                    = aws_iam_policy.karpenter_node_policygen.arn\n" in text
    assert text.count('resource "aws_iam_policy"') == 2


def test_karpenters_node_role_named_from_the_cluster_name() -> None:
    """node_iam_role_name not set: coalesce(var.node_iam_role_name, "Karpenter-${var.cluster_name}"), a
    prefix by default (main.tf)."""
    default = KARPENTER.replace(
        '  node_iam_role_use_name_prefix   = false\n  node_iam_role_name              = "ex-karpenter"\n', ""
    )
    result = terraform.edit({"karpenter.tf": default}, request(f"Karpenter-ex-karpenter-{SUFFIX}"))
    assert "    policygen                    = aws_iam_policy.karpenter_node_policygen.arn\n" in (
        result.changes["karpenter.tf"] or ""
    )
    with pytest.raises(GitOpsEditError, match="no aws_iam_role"):
        terraform.edit({"karpenter.tf": default}, request("Karpenter-ex-karpenter"))


def test_karpenter_before_v20_is_another_module() -> None:
    """v19 named the controller role irsa_name and the node role iam_role_name (variables.tf at v19.21.0)."""
    old = KARPENTER.replace('version = "~> 21.0"', 'version = "~> 19.21"')
    with pytest.raises(
        GitOpsEditError, match=r"major version 19 of .*karpenter: policygen edits this module from v20"
    ):
        terraform.edit({"karpenter.tf": old}, request("ex-karpenter"))


# examples/complete/main.tf at v8.8.1 (module "lambda_function"), with PowerUserAccess where the example
# attaches AWSXRayDaemonWriteAccess through ``policy``
LAMBDA = f"""\
module "lambda_function" {{
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 8.0"

  function_name = "my-lambda1"
  handler       = "index.lambda_handler"
  runtime       = "python3.12"

  role_path = "/tf-managed/"

  attach_policy = true
  policy        = "{POWER}"

  attach_policies    = true
  policies           = ["arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess"]
  number_of_policies = 1
}}
"""


def test_a_lambda_functions_one_policy_becomes_the_generated_one() -> None:
    """``policy`` is attached alone (additional_one): the generated policy's ARN takes its place."""
    result = terraform.edit({"lambda.tf": LAMBDA}, request("my-lambda1"))
    text = result.changes["lambda.tf"] or ""
    assert "  attach_policy = true\n  policy        = aws_iam_policy.lambda_function_policygen.arn\n" in text
    assert '  policies           = ["arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess"]\n' in text
    assert (
        'resource "aws_iam_policy" "lambda_function_policygen" {\n  name        = "my-lambda1-policygen"'
        in text
    )
    assert result.detached == [POWER]
    assert terraform.edit({"lambda.tf": text}, request("my-lambda1")).changes == {}
    named = LAMBDA.replace(
        '  runtime       = "python3.12"\n', '  runtime       = "python3.12"\n  role_name     = "fn-role"\n'
    )
    assert terraform.edit({"lambda.tf": named}, request("fn-role")).detached == [POWER]
    with pytest.raises(GitOpsEditError, match="no aws_iam_role"):
        terraform.edit({"lambda.tf": named}, request("my-lambda1"))


LISTED = (
    LAMBDA.replace(f'"{POWER}"', '"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"')
    .replace("policies           = [", f'policies           = ["{POWER}", ')
    .replace("number_of_policies = 1", "number_of_policies = 2")
)


def test_a_lambda_functions_policy_list_and_its_count() -> None:
    """additional_many attaches var.policies[count.index] for count.index below number_of_policies: the
    list and the number change together."""
    text = terraform.edit({"lambda.tf": LISTED}, request("my-lambda1")).changes["lambda.tf"] or ""
    assert (
        '  policies           = ["arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess", '
        "aws_iam_policy.lambda_function_policygen.arn]\n  number_of_policies = 2\n" in text
    )
    assert '  policy        = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"\n' in text
    missing = LISTED.replace("  number_of_policies = 2\n", "")
    with pytest.raises(
        GitOpsEditError, match="number_of_policies is not set, and the module defaults it to 0"
    ):
        terraform.edit({"lambda.tf": missing}, request("my-lambda1"))


@pytest.mark.parametrize("switch", ["", "  attach_policies    = false\n"])
def test_a_lambda_list_the_module_does_not_attach_is_refused(switch: str) -> None:
    """Without attach_policies = true the module attaches none of ``policies``: taking the broad ARN out
    of it would detach nothing, and the generated policy put there would not be attached."""
    files = {"lambda.tf": LISTED.replace("  attach_policies    = true\n", switch)}
    with pytest.raises(GitOpsEditError, match=r"attach_policies = .*: policies is not attached.*Nothing was"):
        edit_files("terraform", files, request("my-lambda1"), ".")


@pytest.mark.parametrize(
    ("text", "role", "setting"),
    [
        # Karpenter main.tf: aws_iam_role.node { count = local.create_node_iam_role ? 1 : 0 }, the nodes then
        # given node_iam_role_arn
        (
            KARPENTER.replace("  cluster_name", "  create_node_iam_role = false\n  cluster_name"),
            "ex-karpenter",
            "create_node_iam_role = false",
        ),
        # Lambda iam.tf: create_role = local.create && var.create_function && !var.create_layer &&
        # var.create_role
        (
            LAMBDA.replace("  function_name", "  create_role   = false\n  function_name"),
            "my-lambda1",
            "create_role = false",
        ),
    ],
)
def test_a_role_the_module_does_not_create_is_not_edited_there(text: str, role: str, setting: str) -> None:
    with pytest.raises(GitOpsEditError, match=rf"\[{setting}: the module creates no role\]"):
        terraform.edit({"main.tf": text}, request(role))
