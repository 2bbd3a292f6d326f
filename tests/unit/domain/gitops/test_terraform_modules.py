"""Roles that terraform-aws-modules modules define (IRSA, assumable roles, Pod Identity).

The shapes are the modules' own inputs (terraform-aws-iam v5.60.0 and v6.5.0, terraform-aws-eks-pod-identity
v2.8.1): the role's name or name prefix, and the policy ARNs as a map or a list. The edit leaves every other
byte of the files as it was and a second run changes nothing.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}
# what the AWS provider appends to a name_prefix: 18 digits of UTC time and an 8-hex-digit counter
PREFIXED = "payments-api-20260412093015123400000001"


def request(role: str = "payments-api") -> EditRequest:
    return EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))


IRSA_V5 = """\
module "payments_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "~> 5.39"

  role_name = "payments-api"
  role_policy_arns = {
    power = "arn:aws:iam::aws:policy/PowerUserAccess" # to be narrowed
    s3    = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
  }

  oidc_providers = {
    main = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["payments:api"]
    }
  }
}
"""


def test_an_irsa_module_loses_the_broad_policy_and_gains_the_generated_one() -> None:
    result = terraform.edit({"iam.tf": IRSA_V5}, request())
    text = result.changes["iam.tf"]
    assert text is not None
    head, _, added = text.partition('\nresource "aws_iam_policy" "payments_irsa_policygen" {\n')
    assert head == IRSA_V5.replace(
        '    power = "arn:aws:iam::aws:policy/PowerUserAccess" # to be narrowed\n', ""
    ).replace(
        '    s3    = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"\n',
        # aligned as terraform fmt aligns the map's entries
        '    s3        = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"\n'
        "    policygen = aws_iam_policy.payments_irsa_policygen.arn\n",
    )
    assert '  name        = "payments-api-policygen"' in added and '"s3:GetObject"' in added
    assert result.detached == [POWER] and result.attachment_added
    assert result.role_location == "iam.tf (module payments_irsa)"
    again = terraform.edit({"iam.tf": text}, request())
    assert again.changes == {} and not again.attachment_added


V6_PREFIXED = """\
module "payments" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/iam-role-for-service-accounts?ref=v6.5.0"

  name = "payments-api"
  policies = { power = "arn:aws:iam::aws:policy/PowerUserAccess" }
}
"""


def test_a_v6_module_names_its_role_by_prefix_unless_told_otherwise() -> None:
    """``name_prefix = "${var.name}-"`` when ``use_name_prefix`` (true by default): the role is the name,
    a dash and the provider's 26 characters; with ``use_name_prefix = false`` it is the name itself."""
    result = terraform.edit({"main.tf": V6_PREFIXED}, request(PREFIXED))
    text = result.changes["main.tf"]
    assert text is not None
    assert "  policies = { policygen = aws_iam_policy.payments_policygen.arn }\n" in text
    assert result.detached == [POWER]
    with pytest.raises(
        GitOpsEditError, match=r"role modules seen: main.tf: module.payments \(name = \"payments-api\"\)"
    ):
        terraform.edit({"main.tf": V6_PREFIXED}, request("payments-api"))
    exact = V6_PREFIXED.replace(
        '  name = "payments-api"\n', '  name            = "payments-api"\n  use_name_prefix = false\n'
    )
    assert terraform.edit({"main.tf": exact}, request("payments-api")).detached == [POWER]
    with pytest.raises(GitOpsEditError):
        terraform.edit({"main.tf": exact}, request(PREFIXED))
    defaulted = exact.replace("use_name_prefix = false", "use_name_prefix = null")  # null: the default, true
    assert terraform.edit({"main.tf": defaulted}, request(PREFIXED)).detached == [POWER]


def test_a_list_input_and_a_pod_identity_module() -> None:
    assumable = """\
module "ci" {
  source      = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  create_role = true
  role_name   = "payments-api"

  custom_role_policy_arns = [
    "arn:aws:iam::aws:policy/PowerUserAccess",
  ]
}
"""
    text = terraform.edit({"ci.tf": assumable}, request()).changes["ci.tf"]
    assert text is not None and text.startswith(
        assumable.replace(
            '    "arn:aws:iam::aws:policy/PowerUserAccess",\n', "    aws_iam_policy.ci_policygen.arn,\n"
        )
    )
    pod = """\
module "payments_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  name    = "payments-api"

  additional_policy_arns = {
    AmazonEKS_PowerUser = "arn:aws:iam::aws:policy/PowerUserAccess"
  }
}
"""
    result = terraform.edit({"pod.tf": pod}, request(PREFIXED))
    assert result.detached == [POWER]
    assert "    policygen = aws_iam_policy.payments_pod_identity_policygen.arn\n  }\n" in (
        result.changes["pod.tf"] or ""
    )


IRSA = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"


def test_a_module_without_the_input_gets_it() -> None:
    bare = f'module "x" {{\n  source    = "{IRSA}"\n  role_name = "payments-api"\n}}\n'
    no_broad = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), ())
    text = terraform.edit({"x.tf": bare}, no_broad).changes["x.tf"]
    assert text is not None and text.startswith(
        f'module "x" {{\n  source    = "{IRSA}"\n  role_name = "payments-api"\n\n'
        "  role_policy_arns = {\n    policygen = aws_iam_policy.x_policygen.arn\n  }\n}\n"
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {
                "a.tf": IRSA_V5.replace(
                    "role_policy_arns = {", "role_policy_arns = var.policies\n  unused = {"
                )
            },
            "a.tf: module.payments_irsa: role_policy_arns is not a map literal ({...}); edit it by hand",
        ),
        (
            {"a.tf": IRSA_V5, "b.tf": 'resource "aws_iam_role" "r" {\n  name = "payments-api"\n}\n'},
            "role 'payments-api' is defined more than once: b.tf: aws_iam_role.r, a.tf: module.payments_irsa",
        ),
        (
            {"a.tf": IRSA_V5.replace("terraform-aws-modules/iam/aws", "../modules/irsa")},
            "role 'payments-api' is defined by a module policygen does not edit: a.tf: module.payments_irsa "
            '(source = "../modules/irsa//modules/iam-role-for-service-accounts-eks") sets role_name = '
            '"payments-api".',
        ),
    ],
)
def test_what_cannot_be_edited_is_said(files: dict[str, str], message: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, request())
    assert message in str(err.value)


def test_a_role_resource_named_by_prefix() -> None:
    """``name_prefix`` on a plain ``aws_iam_role``: the provider completes it with its 26 characters."""
    role = (
        'resource "aws_iam_role" "api" {\n  name_prefix = "payments-api-"\n'
        '  managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]\n}\n'
    )
    result = terraform.edit({"main.tf": role}, request(PREFIXED))
    assert result.detached == [POWER] and result.role_location == "main.tf (resource aws_iam_role.api)"
    with pytest.raises(GitOpsEditError, match=r'aws_iam_role.api \(name_prefix = "payments-api-"\)'):
        terraform.edit({"main.tf": role}, request("payments-api-other"))


ASSUMABLE_FLAGGED = """\
module "dev" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version = "~> 4.5.0"

  create_role             = true
  role_name               = "payments-api"
  attach_poweruser_policy = true
  attach_readonly_policy  = true
}
"""


def test_an_attach_flag_of_iam_assumable_role_is_turned_off() -> None:
    """``attach_poweruser_policy = true`` is how iam-assumable-role (v4 and v5) attaches PowerUserAccess:
    the run was refused with "not found attached ... point path at the file(s) that attach it", while this
    block attaches it. The flag becomes false, the generated policy goes into custom_role_policy_arns, the
    other flags stay."""
    result = terraform.edit({"dev.tf": ASSUMABLE_FLAGGED}, request())
    text = result.changes["dev.tf"] or ""
    assert result.detached == [POWER] and result.attachment_added
    assert text.startswith(
        ASSUMABLE_FLAGGED.replace("poweruser_policy = true", "poweruser_policy = false").replace(
            "  attach_readonly_policy  = true\n",
            "  attach_readonly_policy  = true\n\n"
            "  custom_role_policy_arns = [aws_iam_policy.dev_policygen.arn]\n",
        )
    )
    assert terraform.edit({"dev.tf": text}, request()).changes == {}


def test_an_attach_flag_with_its_arn_overridden_or_not_literal() -> None:
    """``poweruser_role_policy_arn`` overrides what the flag attaches; a flag that is an expression is
    refused naming it (policygen cannot turn it off)."""
    other = ASSUMABLE_FLAGGED.replace(
        "  attach_readonly_policy  = true\n",
        '  poweruser_role_policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n',
    )
    with pytest.raises(GitOpsEditError, match=r"attach_poweruser_policy = true"):
        edit_files("terraform", {"dev.tf": other}, request(), "")
    variable = ASSUMABLE_FLAGGED.replace("attach_poweruser_policy = true", "attach_poweruser_policy = var.x")
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"dev.tf": variable}, request())
    assert "module.dev: attach_poweruser_policy = var.x (attaches " in str(err.value)
    assert "must be a literal true or false in this file" in str(err.value)


IRSA_V4 = """\
module "reports" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "VERSION"

  role_name        = "payments-api"
  role_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}
"""


@pytest.mark.parametrize("version", ["4.24", "~> 4.20", ">= 4.12, < 5.0", "4.20.1"])
def test_an_irsa_module_before_v5_takes_a_list_and_an_attachment_beside_it(version: str) -> None:
    """Before v5.0.0 ``role_policy_arns`` is ``list(string)`` attached with ``for_each = toset(...)``: the
    v5 map was written into it ("list of string required"), or a list refused as "not a map literal". An
    ARN known only after apply cannot key a for_each, so the generated policy is attached beside the
    module, to its ``iam_role_name`` output."""
    code = IRSA_V4.replace("VERSION", version)
    result = terraform.edit({"irsa.tf": code}, request())
    text = result.changes["irsa.tf"] or ""
    assert result.detached == [POWER] and result.attachment_added
    assert text.startswith(code.replace('["arn:aws:iam::aws:policy/PowerUserAccess"]', "[]"))
    assert (
        'resource "aws_iam_role_policy_attachment" "reports_policygen" {\n'
        "  role       = module.reports.iam_role_name\n"
        "  policy_arn = aws_iam_policy.reports_policygen.arn\n}\n" in text
    )
    assert terraform.edit({"irsa.tf": text}, request()).changes == {}


def test_a_v4_irsa_module_without_the_input_is_not_given_the_v5_map() -> None:
    bare = IRSA_V4.replace("VERSION", "4.20.1").replace(
        '  role_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]\n', ""
    )
    no_broad = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), ())
    text = terraform.edit({"irsa.tf": bare}, no_broad).changes["irsa.tf"] or ""
    assert "role_policy_arns" not in text and "  role       = module.reports.iam_role_name\n" in text
    v5 = terraform.edit({"irsa.tf": bare.replace("4.20.1", "5.39.1")}, no_broad).changes["irsa.tf"] or ""
    assert "  role_policy_arns = {\n    policygen = aws_iam_policy.reports_policygen.arn\n  }\n" in v5


def test_a_v4_irsa_module_pinned_by_a_one_number_pessimistic_constraint_is_not_given_the_v5_map() -> None:
    """``~> 4, < 5`` allows 4.0.0 up to v5 (``~> 4`` lets the major increment, Terraform language docs,
    Version constraints): v4's list input. Read as not pinning a major, the block without the input got
    v5's map, which v4's ``list(string)`` refuses."""
    bare = IRSA_V4.replace("VERSION", "~> 4, < 5").replace(
        '  role_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]\n', ""
    )
    no_broad = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), ())
    text = terraform.edit({"irsa.tf": bare}, no_broad).changes["irsa.tf"] or ""
    assert "role_policy_arns" not in text and "  role       = module.reports.iam_role_name\n" in text


GITHUB_OIDC = """\
module "github-oidc" {
  source  = "terraform-module/github-oidc-provider/aws"
  version = "~> 2.2.1"

  role_name                 = "payments-api"
  oidc_role_attach_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}
"""


def test_a_role_an_unsupported_module_defines_is_refused_naming_the_module() -> None:
    """QA repro 14: a third-party module sets role_name to the role's name; the refusal said "no
    aws_iam_role resource seen", which sends the user looking for a missing file."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": GITHUB_OIDC}, request())
    message = str(err.value)
    assert message.startswith(
        "role 'payments-api' is defined by a module policygen does not edit: main.tf: module.github-oidc "
        '(source = "terraform-module/github-oidc-provider/aws") sets role_name = "payments-api". '
        "policygen edits aws_iam_role resources and these role modules only: "
        "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks, "
    )
    assert "terraform-aws-modules/eks-pod-identity/aws, " in message
    assert "terraform-aws-modules/lambda/aws, cloudposse/iam-role/aws;" in message


def test_an_unsupported_module_of_the_iam_collection_is_named_too() -> None:
    """A terraform-aws-modules submodule policygen has no shape for (iam-assumable-role-with-saml) is not
    one it edits either."""
    saml = GITHUB_OIDC.replace(
        "terraform-module/github-oidc-provider/aws",
        "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-saml",
    )
    with pytest.raises(GitOpsEditError, match=r"module\.github-oidc .*iam-assumable-role-with-saml"):
        terraform.edit({"main.tf": saml}, request())


def test_a_module_setting_the_same_name_does_not_hide_the_roles_resource() -> None:
    """Only when no aws_iam_role is found: a module with ``name = "payments-api"`` (a bucket, a service)
    next to the role's resource does not stop the edit."""
    role = (
        'resource "aws_iam_role" "payments" {\n  name = "payments-api"\n}\n\n'
        'resource "aws_iam_role_policy_attachment" "power" {\n'
        f'  role       = aws_iam_role.payments.name\n  policy_arn = "{POWER}"\n}}\n'
    )
    service = 'module "service" {\n  source = "./service"\n  name   = "payments-api"\n}\n'
    result = terraform.edit({"main.tf": role, "service.tf": service}, request())
    assert result.detached == [POWER]


ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
COUNTED = f"""\
module "ci" {{
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version = "~> 5.30"

  create_role                       = true
  role_name                         = "payments-api"
  number_of_custom_role_policy_arns = 3
  custom_role_policy_arns = [
    "{POWER}",
    "{ADMIN}",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
  ]
}}
"""


def two_broad() -> EditRequest:
    return EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER, ADMIN))


def test_number_of_custom_role_policy_arns_follows_the_list() -> None:
    """iam-assumable-role (v3.0.0 to v5.60.0) attaches ``element(custom_role_policy_arns, count.index)``
    ``number_of_custom_role_policy_arns`` times: left at 3 for a list of 2, element() wraps and the first
    ARN is attached twice (QA B15)."""
    result = terraform.edit({"ci.tf": COUNTED}, two_broad())
    text = result.changes["ci.tf"] or ""
    assert "  number_of_custom_role_policy_arns = 2\n" in text
    assert result.detached == [POWER, ADMIN]
    assert terraform.edit({"ci.tf": text}, two_broad()).changes == {}


def test_number_of_role_policy_arns_of_the_oidc_module_follows_the_list() -> None:
    """The same for iam-assumable-role-with-oidc's ``role_policy_arns[count.index]``, where a count past
    the list's end fails at plan; a one-for-one replacement keeps the number."""
    oidc = (
        COUNTED.replace("iam-assumable-role", "iam-assumable-role-with-oidc")
        .replace("number_of_custom_role_policy_arns", "number_of_role_policy_arns")
        .replace("custom_role_policy_arns = [", "role_policy_arns = [")
    )
    text = terraform.edit({"ci.tf": oidc}, two_broad()).changes["ci.tf"] or ""
    assert "  number_of_role_policy_arns = 2\n" in text
    text = terraform.edit({"ci.tf": oidc}, request()).changes["ci.tf"] or ""
    assert "  number_of_role_policy_arns = 3\n" in text


def test_number_of_custom_role_policy_arns_as_an_expression_is_refused_naming_it() -> None:
    """An expression the run cannot evaluate: the new length cannot be checked against it. ``null`` (the
    module counts the list) is left as it is."""
    computed = COUNTED.replace("= 3", "= length(local.ci_policies)")
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"ci.tf": computed}, two_broad())
    assert str(err.value) == (
        "ci.tf: module.ci: number_of_custom_role_policy_arns = length(local.ci_policies) is not a literal "
        "number, and it must equal the length of custom_role_policy_arns, which this edit changes from 3 to "
        "2: write it as a literal number (or remove it: the module then counts the list) and run again"
    )
    nulled = COUNTED.replace("= 3", "= null")
    text = terraform.edit({"ci.tf": nulled}, two_broad()).changes["ci.tf"] or ""
    assert "number_of_custom_role_policy_arns = null\n" in text


def test_number_of_custom_role_policy_arns_counts_the_input_added_for_a_flag() -> None:
    """A flag turned off and the generated policy added as a new custom_role_policy_arns: 0 becomes 1."""
    flagged = ASSUMABLE_FLAGGED.replace(
        "  create_role ", "  number_of_custom_role_policy_arns = 0\n  create_role "
    )
    text = terraform.edit({"dev.tf": flagged}, request()).changes["dev.tf"] or ""
    assert "number_of_custom_role_policy_arns = 1\n" in text
    assert "custom_role_policy_arns = [aws_iam_policy.dev_policygen.arn]" in text


def test_replacing_the_only_item_of_a_list_keeps_its_comma_style() -> None:
    """QA B14 (patrickmestebeld/psider-iac): the only item, written without a trailing comma, was replaced
    by ``aws_iam_policy.X.arn,``: a style change in a line the reviewer has to look at."""
    bare = """\
module "ci" {
  source      = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  create_role = true
  role_name   = "payments-api"

  custom_role_policy_arns = [
    "arn:aws:iam::aws:policy/PowerUserAccess"
  ]
}
"""
    text = terraform.edit({"ci.tf": bare}, request()).changes["ci.tf"] or ""
    item = '    "arn:aws:iam::aws:policy/PowerUserAccess"\n'
    assert text.startswith(bare.replace(item, "    aws_iam_policy.ci_policygen.arn\n"))
    with_second = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC, DOC), (POWER,))
    text = terraform.edit({"ci.tf": bare}, with_second).changes["ci.tf"] or ""
    assert (
        "  custom_role_policy_arns = [\n"
        "    aws_iam_policy.ci_policygen.arn,\n"
        "    aws_iam_policy.ci_policygen_2.arn\n"
        "  ]\n" in text
    )


# v5.60.0 modules/iam-assumable-role: variable "create_role" { default = false } and resource "aws_iam_role"
# "this" { count = var.create_role ? 1 : 0 }; iam-role-for-service-accounts-eks: create_role, default true;
# v6.5.0 modules/iam-role: create, default true
NO_ROLE = [
    (
        'module "ci" {\n  source    = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"\n'
        f'  role_name = "payments-api"\n  custom_role_policy_arns = ["{POWER}"]\n}}\n',
        "create_role = false (its default)",
    ),
    (
        'module "ci" {\n'
        '  source      = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n'
        '  create_role = false\n  role_name   = "payments-api"\n'
        f'  role_policy_arns = {{ power = "{POWER}" }}\n}}\n',
        "create_role = false",
    ),
    (
        'module "ci" {\n  source          = "terraform-aws-modules/iam/aws//modules/iam-role"\n'
        '  create          = false\n  name            = "payments-api"\n  use_name_prefix = false\n'
        f'  policies = {{ power = "{POWER}" }}\n}}\n',
        "create = false",
    ),
]


@pytest.mark.parametrize(("module", "shown"), NO_ROLE)
def test_a_module_that_creates_no_role_is_not_the_roles(module: str, shown: str) -> None:
    """Its inputs attach nothing: editing them would detach nothing in AWS. Before, a module naming the
    role was edited whether or not it creates it (iam-assumable-role only with create_role = true)."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"ci.tf": module}, request())
    assert f"[{shown}: the module creates no role]" in str(err.value)


# github.com/terraform-aws-modules/terraform-aws-eks tests/eks-managed-node-group/main.tf at v21.19.0: the
# standalone node group submodule (module "eks_managed_node_group"), its role named with iam_role_name
# (modules/eks-managed-node-group/main.tf: coalesce(var.iam_role_name, var.name)) and given a broad policy
STANDALONE_NODE_GROUP = f"""\
module "eks_managed_node_group" {{
  source  = "terraform-aws-modules/eks/aws//modules/eks-managed-node-group"
  version = "~> 21.0"

  name         = "separate-eks-mng"
  cluster_name = module.eks.cluster_name

  iam_role_name            = "platform-nodes"
  iam_role_use_name_prefix = false
  iam_role_additional_policies = {{
    admin = "{POWER}"
  }}
}}
"""


def test_a_module_naming_the_role_with_iam_role_name_is_refused_naming_that_input() -> None:
    """Many modules (terraform-aws-modules' node group, EC2 instance and EKS submodules) name their role
    with ``iam_role_name``, their ``name`` being the instance's or node group's. The refusal said the
    module had no name input and that ``name = "separate-eks-mng"``'s role was an expression to write as a
    literal, though the role's name was written as one."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": STANDALONE_NODE_GROUP}, request("platform-nodes"))
    assert str(err.value).startswith(
        "role 'platform-nodes' is defined by a module policygen does not edit: main.tf: "
        "module.eks_managed_node_group (source = "
        '"terraform-aws-modules/eks/aws//modules/eks-managed-node-group") '
        'sets iam_role_name = "platform-nodes". '
    )


def test_a_module_whose_iam_role_name_is_another_role_names_it_in_the_broad_attachments() -> None:
    """The role asked for is not this module's: the broad attachment is listed with the name the module
    gives its role, ``iam_role_name`` rather than the node group's ``name``, and no expression is claimed."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": STANDALONE_NODE_GROUP}, request("payments-api"))
    message = str(err.value)
    assert f'passes {POWER} to the role it defines, whose iam_role_name = "platform-nodes"' in message, (
        message
    )
    assert "is an expression" not in message


# github.com/aws-ia/terraform-aws-eks-blueprints-addons tests/complete/main.tf: one module block, a role
# per add-on named in the add-on's object (main.tf: role_name = try(var.external_secrets.role_name,
# "external-secrets"), role_policies = lookup(var.external_secrets, "role_policies", {})), here given a
# broad policy
ADDONS = f"""\
module "eks_blueprints_addons" {{
  source  = "aws-ia/eks-blueprints-addons/aws"
  version = "~> 1.16"

  cluster_name      = module.eks.cluster_name
  oidc_provider_arn = module.eks.oidc_provider_arn

  enable_external_secrets = true
  external_secrets = {{
    role_name            = "external-secrets-prod"
    role_name_use_prefix = false
    role_policies = {{
      power = "{POWER}"
    }}
  }}
}}
"""


def test_a_role_named_in_an_object_input_of_an_unsupported_module_is_refused_naming_it() -> None:
    """The add-ons module names each add-on's role in that add-on's object: the refusal named no module
    and said the module composed the name itself, advising to write it as a literal, which it was."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": ADDONS}, request("external-secrets-prod"))
    assert str(err.value).startswith(
        "role 'external-secrets-prod' is defined by a module policygen does not edit: main.tf: "
        'module.eks_blueprints_addons (source = "aws-ia/eks-blueprints-addons/aws") sets '
        'external_secrets.role_name = "external-secrets-prod". '
    ), str(err.value)
