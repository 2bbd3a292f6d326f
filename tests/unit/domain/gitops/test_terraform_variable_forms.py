"""Broad policies given through an input variable in the forms the last session left unread: an attachment
per item of ``count = length(var.arns)`` reading ``var.arns[count.index]``, the ``policy_arns`` of
``aws_iam_role_policy_attachments_exclusive``, and a variable the edit leaves unread. A variable's value is
what the module's files say (``hcl.variable``: a definitions file's, else its default; Terraform language
docs, "Input Variables"); one they do not decide is refused naming it and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policygen_operator.domain.gitops import editor, terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER, RUNNER_REQUEST, RUNNER_ROLE, fmt_clean
from tests.unit.domain.gitops.test_terraform_variables import POLICIES, READ_ONLY

EXCLUSIVE = (
    '\nresource "aws_iam_role_policy_attachments_exclusive" "runner" {\n'
    "  role_name   = aws_iam_role.runner.name\n"
    "  policy_arns = var.policies\n"
    "}\n"
)


def test_the_policy_arns_of_an_exclusive_resource_from_a_variable_are_written_in_place(
    tmp_path: Path,
) -> None:
    """``policy_arns = var.policies`` is the variable's value: written in place without the broad ARN and
    with the generated policy, as the role's ``managed_policy_arns = var.policies`` is. Before, the run
    refused it as "not a list literal"."""
    other = EXCLUSIVE.replace('"runner"', '"deploy"').replace("aws_iam_role.runner", "aws_iam_role.deploy")
    deploy = 'resource "aws_iam_role" "deploy" {\n  name = "deploy"\n}\n'
    files = {"main.tf": RUNNER_ROLE + EXCLUSIVE + "\n" + deploy + other, "variables.tf": POLICIES}
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert (
        '\nresource "aws_iam_role_policy_attachments_exclusive" "runner" {\n'
        "  role_name = aws_iam_role.runner.name\n"
        "  policy_arns = [\n"
        f'    "{READ_ONLY}",\n'
        "    aws_iam_policy.runner_policygen.arn,\n"
        "  ]\n"
        "}\n"
    ) in text
    assert deploy + other in text and 'resource "aws_iam_role_policy_attachment" ' not in text
    assert set(result.changes) == {"main.tf"}  # the deploy role still reads the variable
    assert (
        "main.tf: policy_arns = var.policies replaced by the variable's value (its default in variables.tf)"
        in "\n".join(result.notes)
    )
    fmt_clean(text, tmp_path)


def test_the_policy_arns_of_an_exclusive_resource_from_a_variable_without_a_value_are_refused() -> None:
    files = {
        "main.tf": RUNNER_ROLE + EXCLUSIVE,
        "variables.tf": 'variable "policies" {\n  type = list(string)\n}\n',
    }
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, "")
    assert str(err.value).startswith(
        "main.tf: policy_arns = var.policies is not a list literal policygen can read: var.policies "
        "(declared in variables.tf): it has no default"
    )


COUNTED = (
    '\nresource "aws_iam_role_policy_attachment" "managed" {\n'
    "  count = length(var.arns)\n\n"
    "  role       = aws_iam_role.runner.name\n"
    "  policy_arn = var.arns[count.index]\n"
    "}\n"
)
ARNS = POLICIES.replace('"policies"', '"arns"')


def test_an_attachment_per_item_of_a_variable_loses_the_broad_item_of_its_default(tmp_path: Path) -> None:
    """``count = length(var.arns)`` with ``policy_arn = var.arns[count.index]``: the broad ARN leaves the
    variable's default, its value, which nothing else reads. Before, the attachment was named "not a
    literal" and the run refused."""
    files = {"main.tf": RUNNER_ROLE + COUNTED, "variables.tf": ARNS}
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes["variables.tf"] == ARNS.replace(f'    "{POWER}",\n', "")
    text = result.changes["main.tf"]
    assert text is not None and text.startswith(RUNNER_ROLE + COUNTED)
    assert (
        f"variables.tf: removed {POWER} from var.arns (its default in variables.tf), the count of resource "
        "aws_iam_role_policy_attachment.managed; the attachments of the items after it are replaced, as "
        "count numbers them by position"
    ) in result.notes
    fmt_clean(text, tmp_path)
    fmt_clean(result.changes["variables.tf"], tmp_path)


def test_an_attachment_per_item_of_a_variable_set_in_a_definitions_file(tmp_path: Path) -> None:
    """The value is the definitions file's: that is what loses the broad ARN, not the default."""
    element = COUNTED.replace("var.arns[count.index]", "element(var.arns, count.index)")
    files = {
        "main.tf": RUNNER_ROLE + element,
        "variables.tf": 'variable "arns" {\n  type    = list(string)\n  default = []\n}\n',
        "terraform.tfvars": f'region = "eu-west-1"\narns   = ["{READ_ONLY}", "{POWER}"]\n',
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes["terraform.tfvars"] == f'region = "eu-west-1"\narns   = ["{READ_ONLY}"]\n'
    assert "variables.tf" not in result.changes
    fmt_clean(result.changes["terraform.tfvars"], tmp_path)


@pytest.mark.parametrize(
    ("variables", "others", "why"),
    [
        (
            'variable "arns" {\n  type = list(string)\n}\n',
            {},
            "count over var.arns, which is not a literal: var.arns (declared in variables.tf): it has no "
            "default",
        ),
        (
            ARNS,
            {"outputs.tf": 'output "arns" {\n  value = var.arns\n}\n'},
            "count over var.arns, which is also read at outputs.tf:2: removing the broad ARN from its value "
            "would change that too",
        ),
        (
            ARNS,
            {"terraform.tfvars.json": f'{{"arns": ["{POWER}"]}}\n'},
            f'count over var.arns, which is ["{POWER}"] (set in terraform.tfvars.json): policygen edits a '
            "list of the native syntax (a default in a .tf file, terraform.tfvars, *.auto.tfvars, a .tfvars "
            "-var-file) only",
        ),
    ],
)
def test_an_attachment_per_item_of_a_variable_policygen_cannot_edit_is_refused_naming_why(
    variables: str, others: dict[str, str], why: str
) -> None:
    files = {"main.tf": RUNNER_ROLE + COUNTED, "variables.tf": variables, **others}
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, "")
    message = str(err.value)
    assert f"replaceManagedPolicies: {POWER} not found attached" in message
    assert "main.tf: aws_iam_role_policy_attachment.managed " + why in message, message


LIST_ROLE = (
    'resource "aws_iam_role" "runner" {\n'
    '  name                = "ci-runner"\n'
    "  managed_policy_arns = var.policies\n"
    "}\n"
)
REGION = 'variable "region" {\n  type = string\n}\n'


def test_a_variable_nothing_reads_any_more_goes_with_its_values(tmp_path: Path) -> None:
    """Written in place, ``var.policies`` is read by nothing: its declaration (and the comment above it)
    goes, and so does what the definitions file sets it to, which would otherwise be a value "for undeclared
    variable" that Terraform warns of; the other variable and its value stay, aligned as ``terraform fmt``
    wants."""
    variables = "# the runner's policies\n" + POLICIES + "\n" + REGION
    tfvars = f'region   = "eu-west-1"\n# broad for now\npolicies = ["{POWER}", "{READ_ONLY}"]\n'
    files = {"main.tf": LIST_ROLE, "variables.tf": variables, "terraform.tfvars": tfvars}
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert result.changes["variables.tf"] == REGION
    assert result.changes["terraform.tfvars"] == 'region = "eu-west-1"\n'
    assert [n for n in result.notes if "variable" in n] == [
        "main.tf: managed_policy_arns = var.policies replaced by the variable's value (set in "
        "terraform.tfvars)",
        'variables.tf: removed variable "policies", which nothing reads any more',
        "terraform.tfvars: removed the value of the removed variable policies",
    ]
    for text in result.changes.values():
        fmt_clean(text, tmp_path)


def test_a_variable_something_still_reads_is_kept_and_said() -> None:
    outputs = 'output "policies" {\n  value = var.policies\n}\n'
    files = {"main.tf": LIST_ROLE, "variables.tf": POLICIES, "outputs.tf": outputs}
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER] and set(result.changes) == {"main.tf"}
    assert "variables.tf: var.policies is left as it is: still read at outputs.tf:2" in result.notes


def test_what_a_variable_reads_of_itself_does_not_keep_it() -> None:
    """A ``validation`` condition on ``var.policies`` is the declaration's own: not a reader."""
    validated = POLICIES.replace(
        "  ]\n}\n",
        "  ]\n\n  validation {\n    condition     = length(var.policies) > 0\n"
        '    error_message = "At least one policy."\n  }\n}\n',
    )
    result = terraform.edit({"main.tf": LIST_ROLE, "variables.tf": validated}, RUNNER_REQUEST)
    assert result.changes["variables.tf"] is None


def test_a_variable_of_a_module_the_repository_calls_is_kept() -> None:
    """A ``module`` block calling the module by its local path may pass the variable a value: without the
    declaration, that call fails ("An argument named ... is not expected here")."""
    caller = 'module "runner" {\n  source = "./modules/runner"\n}\n'
    files = {
        "main.tf": caller,
        "modules/runner/main.tf": LIST_ROLE,
        "modules/runner/variables.tf": POLICIES,
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER] and set(result.changes) == {"modules/runner/main.tf"}
    assert (
        "modules/runner/variables.tf: var.policies is left as it is, though nothing in the module reads it "
        "any more: module.runner "
        "(main.tf) calls the module"
    ) in "\n".join(result.notes)


def test_an_attachment_per_item_of_a_variable_left_empty_goes_with_the_variable(tmp_path: Path) -> None:
    files = {
        "main.tf": RUNNER_ROLE + COUNTED,
        "variables.tf": 'variable "arns" {\n  type = list(string)\n}\n',
        "prod.auto.tfvars": f'arns = ["{POWER}"]\n',
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None and 'resource "aws_iam_role_policy_attachment" "managed"' not in text
    assert result.changes["variables.tf"] is None and result.changes["prod.auto.tfvars"] is None
    assert "main.tf: removed resource aws_iam_role_policy_attachment.managed (var.arns was left empty)" in (
        result.notes
    )
    fmt_clean(text, tmp_path)


def test_the_json_syntax_drops_a_variable_and_its_json_value() -> None:
    module = (
        "{\n"
        '  "resource": {\n'
        '    "aws_iam_role": {"runner": {"name": "ci-runner", "managed_policy_arns": "${var.policies}"}}\n'
        "  },\n"
        '  "variable": {\n'
        '    "policies": {"type": "list(string)"},\n'
        '    "region": {"type": "string"}\n'
        "  }\n"
        "}\n"
    )
    files = {
        "main.tf.json": module,
        "terraform.tfvars.json": f'{{\n  "policies": ["{POWER}", "{READ_ONLY}"]\n}}\n',
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf.json"]
    assert text is not None and json.loads(text)["variable"] == {"region": {"type": "string"}}
    assert result.changes["terraform.tfvars.json"] is None


def test_the_comments_of_a_default_copied_in_place_are_the_kept_items(tmp_path: Path) -> None:
    """A default's list brings its comments along: the one right above the broad ARN is about it and goes
    with it; one heading a group that stays, and a trailing one of a kept item, stay."""
    variables = (
        'variable "policies" {\n'
        "  type = list(string)\n"
        "  default = [\n"
        "    # full access, to be replaced\n"
        f'    "{POWER}",\n'
        "    # AWS managed, read only\n"
        f'    "{READ_ONLY}", # the console\n'
        '    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",\n'
        "  ]\n"
        "}\n"
    )
    result = terraform.edit({"main.tf": LIST_ROLE, "variables.tf": variables}, RUNNER_REQUEST)
    text = result.changes["main.tf"]
    assert text is not None
    assert (
        "  managed_policy_arns = [\n"
        "    # AWS managed, read only\n"
        f'    "{READ_ONLY}", # the console\n'
        '    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",\n'
        "    aws_iam_policy.runner_policygen.arn,\n"
        "  ]\n"
    ) in text
    fmt_clean(text, tmp_path)
    # a comment heading a group that the broad ARN opens stays with the group
    grouped = variables.replace("    # full access, to be replaced\n", "    # AWS managed\n").replace(
        "    # AWS managed, read only\n", ""
    )
    kept = terraform.edit({"main.tf": LIST_ROLE, "variables.tf": grouped}, RUNNER_REQUEST)
    assert f'  managed_policy_arns = [\n    # AWS managed\n    "{READ_ONLY}", # the console\n' in (
        kept.changes["main.tf"] or ""
    )


def test_a_variable_a_module_block_of_the_repository_sets_is_the_callers() -> None:
    """A module called by a ``module`` block of the repository takes the variable's value from that call
    (Terraform language docs, "Input Variables": "the module's caller"), not from its default: the default
    is not what Terraform attaches, and the caller's value is one call's of maybe several. Before, the
    default was read as the value and the attachment removed."""
    attachment = (
        '\nresource "aws_iam_role_policy_attachment" "power" {\n'
        "  role       = aws_iam_role.runner.name\n"
        "  policy_arn = var.policy_arn\n"
        "}\n"
    )
    caller = f'module "runner" {{\n  source     = "./modules/runner"\n  policy_arn = "{READ_ONLY}"\n}}\n'
    files = {
        "main.tf": caller,
        "modules/runner/main.tf": RUNNER_ROLE + attachment,
        "modules/runner/variables.tf": f'variable "policy_arn" {{\n  default = "{POWER}"\n}}\n',
    }
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, "")
    assert (
        "modules/runner/main.tf: aws_iam_role_policy_attachment.power policy_arn = var.policy_arn is not a "
        "literal: var.policy_arn (set by module.runner in main.tf): module.runner in main.tf calls the "
        f'module with policy_arn = "{READ_ONLY}": the value is the caller\'s'
    ) in str(err.value)
    # a call that does not set it: the default is the value
    files["main.tf"] = 'module "runner" {\n  source = "./modules/runner"\n}\n'
    assert terraform.edit(files, RUNNER_REQUEST).detached == [POWER]


def test_a_module_call_in_the_json_syntax_is_a_caller_too() -> None:
    """A ``module`` block of a ``.tf.json`` file ("JSON Configuration Syntax": ``"module": {"runner":
    {"source": ...}}``) calls the module as a native one does. Before, only ``.tf`` calls were read: the
    default was taken for the value the call sets, and a variable the call passes was removed, which fails
    the call ("An argument named ... is not expected here")."""
    attachment = (
        '\nresource "aws_iam_role_policy_attachment" "power" {\n'
        "  role       = aws_iam_role.runner.name\n"
        "  policy_arn = var.policy_arn\n"
        "}\n"
    )
    caller = {"module": {"runner": {"source": "./modules/runner", "policy_arn": READ_ONLY}}}
    files = {
        "main.tf.json": json.dumps(caller, indent=2) + "\n",
        "modules/runner/main.tf": RUNNER_ROLE + attachment,
        "modules/runner/variables.tf": f'variable "policy_arn" {{\n  default = "{POWER}"\n}}\n',
    }
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, "")
    assert (
        "var.policy_arn (set by module.runner in main.tf.json): module.runner in main.tf.json calls the "
        f'module with policy_arn = "{READ_ONLY}": the value is the caller\'s'
    ) in str(err.value)
    # a call that does not set it: the default is the value, and the declaration stays for the call
    files["main.tf.json"] = json.dumps({"module": {"runner": {"source": "./modules/runner"}}}) + "\n"
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    assert "modules/runner/variables.tf" not in result.changes
    assert any("module.runner (main.tf.json) calls the module" in note for note in result.notes)


def test_a_concat_of_a_variable_is_written_as_the_list_it_makes(tmp_path: Path) -> None:
    """``managed_policy_arns = concat(var.base, [...])`` with the broad ARN in the variable: the list concat()
    makes, the variable's items then the literal's (Terraform language docs, "Functions": concat), written
    in its place and edited there. Before, refused as "not a list literal"."""
    role = LIST_ROLE.replace("var.policies", "concat(var.policies, [aws_iam_policy.extra.arn])")
    result = terraform.edit({"main.tf": role, "variables.tf": POLICIES}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert (
        "  managed_policy_arns = [\n"
        f'    "{READ_ONLY}",\n'
        "    aws_iam_policy.extra.arn,\n"
        "    aws_iam_policy.runner_policygen.arn,\n"
        "  ]\n"
    ) in text
    assert result.changes["variables.tf"] is None  # nothing reads it any more
    fmt_clean(text, tmp_path)
    # the exclusive resource's list alike, on one line where everything was
    exclusive = EXCLUSIVE.replace("var.policies", f'concat(var.policies, ["{READ_ONLY}"])')
    variables = f'variable "policies" {{\n  default = ["{POWER}"]\n}}\n'
    edited = terraform.edit({"main.tf": RUNNER_ROLE + exclusive, "variables.tf": variables}, RUNNER_REQUEST)
    assert f'  policy_arns = ["{READ_ONLY}", aws_iam_policy.runner_policygen.arn]\n' in (
        edited.changes["main.tf"] or ""
    )


def test_a_concat_of_a_variable_without_a_value_is_refused_naming_it() -> None:
    role = LIST_ROLE.replace("var.policies", f'concat(var.policies, ["{READ_ONLY}"])')
    files = {"main.tf": role, "variables.tf": 'variable "policies" {\n  type = list(string)\n}\n'}
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, RUNNER_REQUEST)
    assert str(err.value).startswith(
        f'main.tf: managed_policy_arns = concat(var.policies, ["{READ_ONLY}"]) is not a list policygen can '
        "read: var.policies (declared in variables.tf): it has no default"
    )


def test_an_attachment_per_item_of_a_variable_is_not_edited_from_one_file_of_the_module() -> None:
    """A path naming one .tf file: the module's other files were not read and may read the variable, whose
    value must not change under them; named, with what to do."""
    files = {"main.tf": RUNNER_ROLE + COUNTED + "\n" + ARNS}
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, "main.tf")
    assert ("main.tf: aws_iam_role_policy_attachment.managed count over var.arns, which is ") in str(
        err.value
    )
    assert "path names one file, and the module's other files, not read, may read the variable" in str(
        err.value
    )
    assert editor.edit_files("terraform", files, RUNNER_REQUEST, "").detached == [POWER]


CLOUDWATCH = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"


def test_a_concat_whose_literal_holds_the_broad_arn_loses_just_that_item(tmp_path: Path) -> None:
    """``concat(["...PowerUserAccess", ...], var.extra)`` with the broad ARN in the literal argument and not
    in the variable: the literal's item goes and the generated policy joins that literal, the rest of the
    expression (its layout, comments, the variable) byte for byte, as for a plain list. concat()'s list
    holds the items of every argument (Terraform language docs, "Functions": concat), so the attachments are
    the same as had the whole list been written out, which is what the edit did before: a pull request
    rewriting the whole expression for one item."""
    role = (
        'resource "aws_iam_role" "runner" {\n'
        '  name = "ci-runner"\n'
        "  managed_policy_arns = concat(\n"
        "    [\n"
        "      # AWS managed\n"
        f'      "{POWER}",\n'
        f'      "{CLOUDWATCH}", # the agent\n'
        "    ],\n"
        "    var.extra, # per environment\n"
        "  )\n"
        "}\n"
    )
    extra = f'variable "extra" {{\n  default = ["{READ_ONLY}"]\n}}\n'
    result = terraform.edit({"main.tf": role, "variables.tf": extra}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert text.startswith(
        'resource "aws_iam_role" "runner" {\n'
        '  name = "ci-runner"\n'
        "  managed_policy_arns = concat(\n"
        "    [\n"
        "      # AWS managed\n"
        f'      "{CLOUDWATCH}", # the agent\n'
        "      aws_iam_policy.runner_policygen.arn,\n"
        "    ],\n"
        "    var.extra, # per environment\n"
        "  )\n"
        "}\n"
    )
    assert "variables.tf" not in result.changes  # still read
    again = terraform.edit({"main.tf": text, "variables.tf": extra}, RUNNER_REQUEST)
    assert again.changes == {}  # a second run leaves the expression as it is
    fmt_clean(text, tmp_path)
    # on one line, and the exclusive resource's policy_arns alike
    one_line = f'concat(["{POWER}", "{CLOUDWATCH}"], var.extra)'
    exclusive = EXCLUSIVE.replace("var.policies", one_line)
    edited = terraform.edit({"main.tf": RUNNER_ROLE + exclusive, "variables.tf": extra}, RUNNER_REQUEST)
    assert edited.detached == [POWER]
    assert f'  policy_arns = concat(["{CLOUDWATCH}", aws_iam_policy.runner_policygen.arn], var.extra)\n' in (
        edited.changes["main.tf"] or ""
    )


def test_a_concat_with_the_broad_arn_in_its_variable_too_is_still_written_as_its_list() -> None:
    """The variable's item cannot go without writing the list out (the variable stays for its other readers):
    the list concat() makes is written in place, as before."""
    role = LIST_ROLE.replace("var.policies", f'concat(["{CLOUDWATCH}", "{POWER}"], var.policies)')
    result = terraform.edit({"main.tf": role, "variables.tf": POLICIES}, RUNNER_REQUEST)
    assert result.detached == [POWER, POWER]
    assert (
        "  managed_policy_arns = [\n"
        f'    "{CLOUDWATCH}",\n'
        f'    "{READ_ONLY}",\n'
        "    aws_iam_policy.runner_policygen.arn,\n"
        "  ]\n"
    ) in (result.changes["main.tf"] or "")
