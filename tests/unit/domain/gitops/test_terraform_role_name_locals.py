"""A role named with a template of the module's literal locals (``name = "${local.name}-sigv4-client"``).

Most aws-ia and terraform-aws-modules layouts name resources from a ``locals { name = "..." }`` block:
github.com/aws-ia/terraform-aws-eks-blueprints patterns/vpc-lattice/cross-cluster-pod-communication/
environment/main.tf names its pod role ``"${local.name}-sigv4-client"`` with ``local.name = "vpc-lattice"``.
A local cannot be set from outside its module ("Local Values" in the Terraform language docs: a local is
assigned in the module's own locals blocks only), so a local whose value is a string literal gives the
role's name as surely as the literal would; tfvars, workspaces and callers cannot change it.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER


def request(role: str = "vpc-lattice-sigv4-client") -> EditRequest:
    return EditRequest(f"arn:aws:iam::123456789012:role/{role}", (DOC,), (POWER,))


LOCALS = 'locals {\n  name   = "vpc-lattice"\n  region = "us-west-2"\n}\n'

# environment/main.tf, its pod role and an attachment of a broad policy added beside its own two
ROLE = f"""\
resource "aws_iam_role" "vpc_lattice_role" {{
  name               = "${{local.name}}-sigv4-client"
  description        = "IAM role for aws-sigv4-client VPC Lattice access"
  assume_role_policy = data.aws_iam_policy_document.eks_assume.json
}}

resource "aws_iam_role_policy_attachment" "vpc_lattice_invoke_access" {{
  role       = aws_iam_role.vpc_lattice_role.name
  policy_arn = "arn:aws:iam::aws:policy/VPCLatticeServicesInvokeAccess"
}}

resource "aws_iam_role_policy_attachment" "power_user" {{
  role       = aws_iam_role.vpc_lattice_role.name
  policy_arn = "{POWER}"
}}
"""


def test_a_role_named_from_a_literal_local_is_found_and_edited() -> None:
    result = terraform.edit({"env/main.tf": LOCALS + "\n" + ROLE}, request())
    text = result.changes["env/main.tf"] or ""
    assert result.detached == [POWER]
    assert 'resource "aws_iam_role_policy_attachment" "power_user"' not in text
    assert "VPCLatticeServicesInvokeAccess" in text
    assert '  name        = "vpc-lattice-sigv4-client-policygen"\n' in text
    assert terraform.edit({"env/main.tf": text}, request()).changes == {}


def test_the_locals_may_be_in_another_file_of_the_module() -> None:
    files = {"env/locals.tf": LOCALS, "env/iam.tf": ROLE}
    assert terraform.edit(files, request()).detached == [POWER]


def test_a_local_of_another_directory_does_not_name_the_role() -> None:
    """Another module's locals are not this module's: the name is not known."""
    files = {"shared/locals.tf": LOCALS, "env/iam.tf": ROLE}
    with pytest.raises(GitOpsEditError, match=r"is an expression"):
        terraform.edit(files, request())


def test_a_computed_local_does_not_name_the_role() -> None:
    """terraform-aws-modules' examples name things ``"ex-${basename(path.cwd)}"``: known only to Terraform."""
    computed = LOCALS.replace('"vpc-lattice"', '"ex-${basename(path.cwd)}"')
    with pytest.raises(GitOpsEditError, match=r"is an expression"):
        terraform.edit({"env/main.tf": computed + "\n" + ROLE}, request("ex-env-sigv4-client"))


def test_another_role_named_from_literal_locals_is_shown_by_its_name_not_as_an_expression() -> None:
    """Asked for another role, the refusal names this one by the name its locals make: not an expression
    to write as a literal."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"env/main.tf": LOCALS + "\n" + ROLE}, request("payments-api"))
    message = str(err.value)
    assert 'aws_iam_role.vpc_lattice_role (name = "vpc-lattice-sigv4-client")' in message
    assert (
        f'attaches {POWER} to aws_iam_role.vpc_lattice_role, whose name = "vpc-lattice-sigv4-client"'
        in message
    )
    assert "expression" not in message


def test_a_role_named_from_literal_locals_and_one_in_the_json_syntax_are_the_same_role_twice() -> None:
    """The JSON syntax's role of the same name (a CDK for Terraform stack beside the module) makes the
    name ambiguous, whether the native role writes it as a literal or through its locals."""
    synthesized = (
        '{"resource": {"aws_iam_role": {"lattice": {"name": "vpc-lattice-sigv4-client"}},'
        ' "aws_iam_role_policy_attachment": {"power": {"role": "${aws_iam_role.lattice.name}",'
        f' "policy_arn": "{POWER}"}}}}}}}}'
    )
    files = {"cdk/cdk.tf.json": synthesized, "env/main.tf": LOCALS + "\n" + ROLE}
    with pytest.raises(GitOpsEditError, match="defined more than once"):
        terraform.edit(files, request())
