"""An ``aws_iam_role`` whose ``managed_policy_arns`` is a local, ``managed_policy_arns = local.policies``,
set in the module's ``locals`` to a literal list (or a ``concat()`` of one), in a ``.tf`` file or in a
``.tf.json`` file's ``locals`` object ("JSON Configuration Syntax": locals blocks). A local is assigned
only in its module's own locals ("Local Values" in the Terraform language docs), so the list the role
attaches is the one written there: the broad item leaves it and the generated policy joins it, the rest
of the file byte for byte, when nothing else in the module reads the local (the rule of ``for_each =
toset(local.X)``, ``test_terraform_shapes.py``). Before, the run was refused as "not a list literal"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER, RUNNER_REQUEST, fmt_clean

CLOUDWATCH = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ROLE = (
    'resource "aws_iam_role" "runner" {\n'
    '  name                = "ci-runner"\n'
    "  managed_policy_arns = local.policies\n"
    "}\n"
)
LOCALS = (
    "locals {\n"
    '  region = "eu-west-1"\n'
    "  policies = [\n"
    "    # AWS managed\n"
    f'    "{POWER}",\n'
    f'    "{CLOUDWATCH}", # the agent\n'
    "  ]\n"
    "}\n"
)


def test_a_local_list_of_the_role_loses_just_the_broad_item(tmp_path: Path) -> None:
    result = terraform.edit({"main.tf": ROLE, "locals.tf": LOCALS}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes["locals.tf"] == (
        "locals {\n"
        '  region = "eu-west-1"\n'
        "  policies = [\n"
        "    # AWS managed\n"
        f'    "{CLOUDWATCH}", # the agent\n'
        "    aws_iam_policy.runner_policygen.arn,\n"
        "  ]\n"
        "}\n"
    )
    main = result.changes["main.tf"]
    assert main is not None and main.startswith(ROLE + "\n")  # the role as it was, the policy after it
    assert 'resource "aws_iam_role_policy_attachment"' not in main  # the list attaches it (exclusive)
    assert f"locals.tf: removed {POWER} from local.policies (managed_policy_arns of aws_iam_role.runner)" in (
        result.notes
    )
    # a second run changes nothing
    again = terraform.edit({"main.tf": main, "locals.tf": result.changes["locals.tf"] or ""}, RUNNER_REQUEST)
    assert again.detached == [] and "locals.tf" not in again.changes
    fmt_clean(main, tmp_path)
    fmt_clean(result.changes["locals.tf"], tmp_path)


def test_the_local_in_the_role_file_loses_the_item_there() -> None:
    result = terraform.edit({"main.tf": LOCALS + "\n" + ROLE}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"] or ""
    assert text.startswith(
        "locals {\n"
        '  region = "eu-west-1"\n'
        "  policies = [\n"
        "    # AWS managed\n"
        f'    "{CLOUDWATCH}", # the agent\n'
        "    aws_iam_policy.runner_policygen.arn,\n"
        "  ]\n"
        "}\n\n" + ROLE
    )


def test_a_local_of_a_json_file_loses_just_the_broad_item() -> None:
    """The module's locals may be written in the JSON syntax beside the role's ``.tf`` file (one module,
    "JSON Configuration Syntax"): its array loses the item and takes the generated policy as a template
    of the reference (``"${aws_iam_policy.X.arn}"``), every other byte as it was."""
    locals_json = json.dumps({"locals": {"region": "eu-west-1", "policies": [POWER, CLOUDWATCH]}}, indent=2)
    result = terraform.edit({"main.tf": ROLE, "locals.tf.json": locals_json + "\n"}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    expected = {"region": "eu-west-1", "policies": [CLOUDWATCH, "${aws_iam_policy.runner_policygen.arn}"]}
    assert result.changes["locals.tf.json"] == json.dumps({"locals": expected}, indent=2) + "\n"
    assert (result.changes["main.tf"] or "").startswith(ROLE + "\n")


def test_a_concat_in_the_local_loses_just_the_literal_item() -> None:
    """``concat()`` in the local's value is edited as in the role's own argument
    (``test_terraform_variable_forms.py``): the literal list loses the broad item, the variable stays."""
    local = f'locals {{\n  policies = concat(["{POWER}", "{CLOUDWATCH}"], var.extra)\n}}\n'
    extra = f'variable "extra" {{\n  default = ["{READ_ONLY}"]\n}}\n'
    result = terraform.edit({"main.tf": ROLE, "locals.tf": local, "variables.tf": extra}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes["locals.tf"] == (
        f'locals {{\n  policies = concat(["{CLOUDWATCH}", aws_iam_policy.runner_policygen.arn], '
        "var.extra)\n}\n"
    )
    assert "variables.tf" not in result.changes


@pytest.mark.parametrize(
    ("more", "said"),
    [
        ('\noutput "policies" {\n  value = local.policies\n}\n', "which is also read at main.tf:7"),
        (
            '\nresource "aws_iam_role" "deploy" {\n  name                = "deploy"\n'
            "  managed_policy_arns = local.policies\n}\n",
            "which is also read at main.tf:8",
        ),
    ],
)
def test_a_local_read_elsewhere_is_refused_naming_where(more: str, said: str) -> None:
    """Another reader would lose the policy too: refused, nothing changed."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": ROLE + more, "locals.tf": LOCALS}, RUNNER_REQUEST)
    assert f"main.tf: managed_policy_arns of aws_iam_role.runner = local.policies, {said}" in str(err.value)


@pytest.mark.parametrize(
    "value",
    ["var.policies", 'split(",", var.csv)', "[for p in var.names : p]"],
)
def test_a_computed_local_is_refused_naming_it(value: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(
            {"main.tf": ROLE, "locals.tf": f"locals {{\n  policies = {value}\n}}\n"}, RUNNER_REQUEST
        )
    assert (
        "main.tf: managed_policy_arns of aws_iam_role.runner = local.policies, whose value is not a literal "
        "list in the module's locals" in str(err.value)
    )


def test_one_file_of_the_module_leaves_the_local_alone() -> None:
    """``path`` naming one file: the module's other files, not read, may read the local."""
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": LOCALS + "\n" + ROLE}, RUNNER_REQUEST, whole_module=False)
    assert (
        "main.tf: managed_policy_arns of aws_iam_role.runner = local.policies: path names one file, and the "
        "module's other files, not read, may read the local too" in str(err.value)
    )


def _json_role(extra: dict[str, object] | None = None) -> str:
    """The role in the JSON syntax, as CDK for Terraform writes a TerraformLocal's reference."""
    resource = {"aws_iam_role": {"runner": {"name": "ci-runner", "managed_policy_arns": "${local.policies}"}}}
    return json.dumps({"resource": resource, **(extra or {})}, indent=2) + "\n"


def test_a_json_role_reading_a_json_local_loses_just_the_broad_item() -> None:
    locals_json = json.dumps({"locals": {"policies": [POWER, CLOUDWATCH]}}, indent=2) + "\n"
    result = terraform.edit({"main.tf.json": _json_role(), "locals.tf.json": locals_json}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    expected = {"policies": [CLOUDWATCH, "${aws_iam_policy.runner_policygen.arn}"]}
    assert result.changes["locals.tf.json"] == json.dumps({"locals": expected}, indent=2) + "\n"
    after = json.loads(result.changes["main.tf.json"] or "")
    assert after["resource"]["aws_iam_role"]["runner"]["managed_policy_arns"] == "${local.policies}"
    assert "aws_iam_role_policy_attachment" not in after["resource"]  # the list attaches it (exclusive)
    # the local in the role's own file
    own = _json_role({"locals": {"policies": [POWER, CLOUDWATCH]}})
    alone = terraform.edit({"main.tf.json": own}, RUNNER_REQUEST)
    assert alone.detached == [POWER]
    assert json.loads(alone.changes["main.tf.json"] or "")["locals"] == expected


def test_a_json_role_reading_a_local_read_elsewhere_is_refused() -> None:
    locals_json = json.dumps({"locals": {"policies": [POWER]}}, indent=2) + "\n"
    read = _json_role({"output": {"policies": {"value": "${local.policies}"}}})
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf.json": read, "locals.tf.json": locals_json}, RUNNER_REQUEST)
    assert (
        "main.tf.json: managed_policy_arns of aws_iam_role.runner = local.policies, which is also read at "
        "main.tf.json:12"
    ) in str(err.value)


def test_a_json_role_reading_a_local_of_a_tf_file_loses_the_item_there() -> None:
    """One module mixes the syntaxes ("JSON Configuration Syntax"): the local's ``.tf`` list is edited as
    for a native role."""
    result = terraform.edit({"main.tf.json": _json_role(), "locals.tf": LOCALS}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes["locals.tf"] == LOCALS.replace(f'    "{POWER}",\n', "").replace(
        "  ]\n", "    aws_iam_policy.runner_policygen.arn,\n  ]\n"
    )


def test_a_role_with_count_reading_a_local_is_refused() -> None:
    """Each instance's list would name its own policy (``aws_iam_policy.X[count.index].arn``), which a local
    cannot: "count.index" is known in the block that has count only ("The count Meta-Argument")."""
    role = ROLE.replace(
        'resource "aws_iam_role" "runner" {\n', 'resource "aws_iam_role" "runner" {\n  count = 1\n'
    )
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": role, "locals.tf": LOCALS}, RUNNER_REQUEST)
    assert (
        "main.tf: managed_policy_arns of aws_iam_role.runner = local.policies: the role has count, and each "
        "instance's policy (aws_iam_policy.runner_policygen[count.index].arn) cannot be named in a local"
    ) in str(err.value)
