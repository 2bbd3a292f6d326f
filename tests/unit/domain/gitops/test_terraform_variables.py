"""Broad policies given through an input variable: ``policy_arn = var.policy_arn``, ``managed_policy_arns =
var.policies`` and ``for_each = toset(var.roles)``, whose value is the variable's ``default`` unless a
definitions file of the module sets it (Terraform language docs, "Input Variables": terraform.tfvars,
terraform.tfvars.json, then *.auto.tfvars and *.auto.tfvars.json in lexical order, later ones taking
precedence; -var and TF_VAR_ are not in the repository). Before, each was named as "not a literal" and the
run refused, whatever the default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policygen_operator.domain.gitops import editor, hcl, terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from policygen_operator.services.pullrequest import read_files
from tests.unit.domain.gitops.documents import (
    POWER,
    RUNNER_REQUEST,
    RUNNER_ROLE,
    fmt_clean,
)

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ATTACHMENT = (
    '\nresource "aws_iam_role_policy_attachment" "power" {\n'
    "  role       = aws_iam_role.runner.name\n"
    "  policy_arn = var.policy_arn\n"
    "}\n"
)


def declared(default: str | None, name: str = "policy_arn") -> str:
    body = f"  type    = string\n  default = {default}\n" if default is not None else "  type = string\n"
    return f'variable "{name}" {{\n{body}}}\n'


def test_an_attachment_of_a_variable_whose_default_is_the_broad_arn_goes(tmp_path: Path) -> None:
    variables = declared(f'"{POWER}"')
    result = terraform.edit({"main.tf": RUNNER_ROLE + ATTACHMENT, "variables.tf": variables}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None and 'aws_iam_role_policy_attachment" "power"' not in text
    assert text.startswith(RUNNER_ROLE + '\nresource "aws_iam_policy" "runner_policygen"')
    assert result.changes["variables.tf"] is None  # nothing reads the variable any more: it goes
    assert [
        f"main.tf: aws_iam_role_policy_attachment.power took {POWER} from var.policy_arn (its default in "
        "variables.tf)",
        'variables.tf: removed variable "policy_arn", which nothing reads any more',
    ] == [n for n in result.notes if "policy_arn" in n and "removed resource" not in n]
    fmt_clean(text, tmp_path)


@pytest.mark.parametrize(
    ("default", "definitions", "broad", "source"),
    [
        # a definitions file sets it: its value, not the default
        (f'"{READ_ONLY}"', {"terraform.tfvars": f'policy_arn = "{POWER}"\n'}, True, ""),
        (
            f'"{POWER}"',
            {"terraform.tfvars": f'policy_arn = "{READ_ONLY}"\n'},
            False,
            "set in terraform.tfvars",
        ),
        (f'"{READ_ONLY}"', {"terraform.tfvars.json": f'{{"policy_arn": "{POWER}"}}\n'}, True, ""),
        (f'"{READ_ONLY}"', {"prod.auto.tfvars": f'policy_arn = "{POWER}"\n'}, True, ""),
        # later ones take precedence: terraform.tfvars, terraform.tfvars.json, *.auto.tfvars by name
        (
            f'"{READ_ONLY}"',
            {
                "terraform.tfvars": f'policy_arn = "{READ_ONLY}"\n',
                "a.auto.tfvars.json": f'{{"policy_arn": "{READ_ONLY}"}}',
                "b.auto.tfvars": f'policy_arn = "{POWER}"\n',
            },
            True,
            "",
        ),
        (
            f'"{POWER}"',
            {
                "terraform.tfvars.json": f'{{"policy_arn": "{POWER}"}}',
                "x.auto.tfvars": f'policy_arn = "{READ_ONLY}"\n',
            },
            False,
            "set in x.auto.tfvars",
        ),
        # another module's directory's definitions are its own (a subfolder holding no .tf file is the
        # module's: its .tfvars are -var-files, test_terraform_var_files.py)
        (
            f'"{READ_ONLY}"',
            {"other/main.tf": "", "other/terraform.tfvars": f'policy_arn = "{POWER}"\n'},
            False,
            "its default in variables.tf",
        ),
        # no definitions file sets it (another variable): the default
        (f'"{POWER}"', {"terraform.tfvars": 'region = "eu-west-1"\n'}, True, ""),
    ],
)
def test_a_definitions_file_of_the_module_sets_the_value(
    default: str, definitions: dict[str, str], broad: bool, source: str, tmp_path: Path
) -> None:
    files = {"main.tf": RUNNER_ROLE + ATTACHMENT, "variables.tf": declared(default), **definitions}
    result = terraform.edit(files, RUNNER_REQUEST)
    text = result.changes["main.tf"]
    assert result.detached == ([POWER] if broad else [])
    assert ('aws_iam_role_policy_attachment" "power"' not in (text or "")) is broad
    # the variable nothing reads any more goes, with what the module's definitions files set it to
    setting = {p for p, t in definitions.items() if "/" not in p and "policy_arn" in t}
    assert set(result.changes) == ({"main.tf", "variables.tf", *setting} if broad else {"main.tf"})
    for path in setting if broad else []:
        assert "policy_arn" not in (result.changes[path] or "")
    if not broad:  # kept: its value read and said, not called "not a literal"
        assert [line for line in result.seen if "policy_arn = var.policy_arn" in line] == [
            f"main.tf: aws_iam_role_policy_attachment.power policy_arn = var.policy_arn is "
            f'"{READ_ONLY}" ({source})'
        ]
    fmt_clean(text, tmp_path)


def test_a_variable_another_role_reads_too_is_left_to_it(tmp_path: Path) -> None:
    """Only the role's attachment goes: the other role's, reading the same variable, keeps it, and the
    default it reads is not rewritten."""
    other = ATTACHMENT.replace('"power"', '"deploy_power"').replace(
        "aws_iam_role.runner", "aws_iam_role.deploy"
    )
    deploy = 'resource "aws_iam_role" "deploy" {\n  name = "deploy"\n}\n'
    files = {
        "main.tf": RUNNER_ROLE + ATTACHMENT + "\n" + deploy + other,
        "variables.tf": declared(f'"{POWER}"'),
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER] and set(result.changes) == {"main.tf"}
    text = result.changes["main.tf"]
    assert text is not None and deploy + other in text and ATTACHMENT not in text
    fmt_clean(text, tmp_path)


def test_a_variable_declared_in_the_json_syntax(tmp_path: Path) -> None:
    variables = f'{{\n  "variable": {{\n    "policy_arn": {{\n      "default": "{POWER}"\n    }}\n  }}\n}}\n'
    result = terraform.edit(
        {"main.tf": RUNNER_ROLE + ATTACHMENT, "variables.tf.json": variables}, RUNNER_REQUEST
    )
    assert result.detached == [POWER]
    fmt_clean(result.changes["main.tf"], tmp_path)


@pytest.mark.parametrize(
    ("variables", "definitions", "why"),
    [
        (
            declared(None),
            {},
            "var.policy_arn (declared in variables.tf): it has no default and no definitions file of the "
            "module (terraform.tfvars, *.auto.tfvars, a -var-file) sets it: -var, TF_VAR_policy_arn or the "
            "module's caller gives its value, which policygen does not see",
        ),
        (
            declared(None),
            {"terraform.tfvars": "policy_arn = <<EOT\nx\nEOT\n"},
            "var.policy_arn (set in terraform.tfvars): terraform.tfvars sets it to <<EOT\nx\nEOT, which is "
            "not a literal",
        ),
        ("", {}, "var.policy_arn (not declared): no variable block of the module's files read declares it"),
    ],
)
def test_a_variable_whose_value_the_module_does_not_give_is_refused_naming_why(
    variables: str, definitions: dict[str, str], why: str
) -> None:
    files = {"main.tf": RUNNER_ROLE + ATTACHMENT, "variables.tf": variables, **definitions}
    assert why in not_a_literal(files)


def not_a_literal(files: dict[str, str]) -> str:
    """The refusal of the attachment's removal, from ``NOT_READ`` on: why its variable's value is not read."""
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, "")
    message = str(err.value)
    assert f"replaceManagedPolicies: {POWER} not found attached" in message
    assert NOT_READ in message, message
    return message[message.index(NOT_READ) :]


NOT_READ = "main.tf: aws_iam_role_policy_attachment.power policy_arn = var.policy_arn is not a literal: "


LIST_ROLE = (
    'resource "aws_iam_role" "runner" {\n'
    '  name                = "ci-runner"\n'
    "  managed_policy_arns = var.policies\n"
    "}\n"
)
POLICIES = (
    'variable "policies" {\n'
    "  type = list(string)\n"
    "  default = [\n"
    f'    "{POWER}",\n'
    f'    "{READ_ONLY}",\n'
    "  ]\n"
    "}\n"
)


def test_managed_policy_arns_from_a_variable_is_written_in_place(tmp_path: Path) -> None:
    """The role's list is the variable's value without the broad ARN and with the generated policy; the
    variable is not rewritten (another role reads it here), and that role keeps it."""
    other = LIST_ROLE.replace('"runner"', '"deploy"').replace('"ci-runner"', '"deploy"')
    files = {"main.tf": LIST_ROLE + "\n" + other, "variables.tf": POLICIES}
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert (
        'resource "aws_iam_role" "runner" {\n'
        '  name = "ci-runner"\n'
        "  managed_policy_arns = [\n"
        f'    "{READ_ONLY}",\n'
        "    aws_iam_policy.runner_policygen.arn,\n"
        "  ]\n"
        "}\n"
    ) in text
    assert other in text and set(result.changes) == {"main.tf"}
    fmt_clean(text, tmp_path)


def test_managed_policy_arns_from_a_variable_of_a_tfvars_file(tmp_path: Path) -> None:
    files = {
        "main.tf": LIST_ROLE,
        "variables.tf": POLICIES,
        "terraform.tfvars": f'policies = ["{READ_ONLY}", "{POWER}"]\n',
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert f'  managed_policy_arns = ["{READ_ONLY}", aws_iam_policy.runner_policygen.arn]\n' in text
    fmt_clean(text, tmp_path)


def test_managed_policy_arns_from_a_variable_without_a_value_is_refused() -> None:
    files = {"main.tf": LIST_ROLE, "variables.tf": 'variable "policies" {\n  type = list(string)\n}\n'}
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit(files, RUNNER_REQUEST)
    message = str(err.value)
    assert message.startswith(
        "main.tf: managed_policy_arns = var.policies is not a list literal policygen can read: var.policies "
        "(declared in variables.tf): it has no default"
    )
    assert message.endswith("Nothing was changed")


SET_OF_ROLES = (
    '\nresource "aws_iam_role_policy_attachment" "power_users" {\n'
    "  for_each = toset(var.power_roles)\n\n"
    "  role       = each.value\n"
    f'  policy_arn = "{POWER}"\n'
    "}\n"
)
ROLES = 'variable "power_roles" {\n  type    = list(string)\n  default = ["ci-runner", "deploy"]\n}\n'


def test_a_for_each_over_a_variable_loses_the_role(tmp_path: Path) -> None:
    files = {"main.tf": RUNNER_ROLE + SET_OF_ROLES, "variables.tf": ROLES}
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None and '  for_each = toset(["deploy"])\n' in text
    assert result.changes["variables.tf"] is None  # written in place: nothing reads it any more
    fmt_clean(text, tmp_path)


def test_a_for_each_over_a_variable_of_other_roles_is_kept() -> None:
    files = {
        "main.tf": RUNNER_ROLE + SET_OF_ROLES,
        "variables.tf": ROLES,
        "terraform.tfvars": 'power_roles = ["deploy"]\n',
    }
    result = terraform.edit(files, RUNNER_REQUEST)
    assert result.detached == []
    assert "toset(var.power_roles)" in (result.changes["main.tf"] or "")
    assert result.seen == [
        f"main.tf: aws_iam_role_policy_attachment.power_users attaches {POWER} to each role of for_each = "
        'toset(var.power_roles), var.power_roles being ["deploy"] (set in terraform.tfvars)'
    ]


def test_a_for_each_over_a_variable_without_a_value_is_named() -> None:
    files = {"main.tf": RUNNER_ROLE + SET_OF_ROLES, "variables.tf": 'variable "power_roles" {}\n'}
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", files, RUNNER_REQUEST, "")
    assert (
        "toset(var.power_roles), which is not a literal list or map in this module: policygen cannot tell "
        "whether the role is one of them (var.power_roles (declared in variables.tf): it has no default"
    ) in str(err.value)


def test_a_for_each_of_policies_from_a_variable(tmp_path: Path) -> None:
    block = (
        '\nresource "aws_iam_role_policy_attachment" "managed" {\n'
        "  for_each = toset(var.policies)\n\n"
        "  role       = aws_iam_role.runner.name\n"
        "  policy_arn = each.value\n"
        "}\n"
    )
    result = terraform.edit({"main.tf": RUNNER_ROLE + block, "variables.tf": POLICIES}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None and f'  for_each = toset([\n    "{READ_ONLY}",\n  ])\n' in text
    fmt_clean(text, tmp_path)


def test_a_for_each_over_a_map_variable(tmp_path: Path) -> None:
    block = (
        '\nresource "aws_iam_role_policy_attachment" "managed" {\n'
        "  for_each = var.policies\n\n"
        "  role       = aws_iam_role.runner.name\n"
        "  policy_arn = each.value\n"
        "}\n"
    )
    variables = (
        'variable "policies" {\n  type = map(string)\n  default = {\n'
        f'    power = "{POWER}"\n    ro    = "{READ_ONLY}"\n  }}\n}}\n'
    )
    result = terraform.edit({"main.tf": RUNNER_ROLE + block, "variables.tf": variables}, RUNNER_REQUEST)
    assert result.detached == [POWER] and result.changes["variables.tf"] is None
    text = result.changes["main.tf"]
    assert text is not None and f'  for_each = {{\n    ro = "{READ_ONLY}"\n  }}\n' in text
    fmt_clean(text, tmp_path)


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ('"a"', True),
        ('["a", 1, -2.5e3, true, null]', True),
        ('{ a = "x", "b" : [1] }', True),
        ('"50%"', True),
        ('"${x}"', False),
        ("var.x", False),
        ('lower("A")', False),
        ("[for x in y : x]", False),
        ("true ? 1 : 2", False),
        ("1 + 2", False),
    ],
)
def test_what_is_a_literal(value: str, literal: bool) -> None:
    assert hcl.is_literal(value) is literal


@pytest.mark.parametrize("path", ["live", "live/main.tf"])
def test_the_definitions_files_are_read_from_the_repository(path: str, tmp_path: Path) -> None:
    """The pull request reads the files under ``path``: the .tfvars files were not among them (only .tf
    and .json), so the default would have been taken for the value; a ``path`` naming one .tf file gets
    the definitions files of its directory too, and only those."""
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "main.tf").write_text(RUNNER_ROLE + ATTACHMENT + "\n" + declared(f'"{READ_ONLY}"'))
    (tmp_path / "live" / "terraform.tfvars").write_text(f'policy_arn = "{POWER}"\n')
    (tmp_path / "live" / "notes.txt").write_text("not Terraform\n")
    files = read_files(tmp_path, path)
    assert sorted(files) == ["live/main.tf", "live/terraform.tfvars"]
    result = editor.edit_files("terraform", files, RUNNER_REQUEST, path)
    if path == "live":
        # the variable nothing reads any more goes, and the definitions file's value of it with it
        assert set(result.changes) == {"live/main.tf", "live/terraform.tfvars"}
        assert result.changes["live/terraform.tfvars"] is None
        assert 'variable "policy_arn"' not in (result.changes["live/main.tf"] or "")
    else:
        # one file named: the module's other files, not read, may read it; kept, and said
        assert set(result.changes) == {"live/main.tf"}
        assert 'variable "policy_arn"' in (result.changes["live/main.tf"] or "")
        assert any("path names one file" in n for n in result.notes)
    assert result.detached == [POWER]


def _json_module(policy_arn: str, variable: dict[str, object], managed: str | None = None) -> str:
    """A role and its attachment as CDK for Terraform synthesizes them, with a TerraformVariable
    (``"variable": {"policy_arn": {"default": ..., "type": "string"}}``, read as ``"${var.policy_arn}"``)."""
    role: dict[str, str] = {"name": "ci-runner"}
    if managed is not None:
        role["managed_policy_arns"] = managed
    resource: dict[str, object] = {"aws_iam_role": {"runner": role}}
    if policy_arn:
        resource["aws_iam_role_policy_attachment"] = {
            "power": {"policy_arn": policy_arn, "role": "${aws_iam_role.runner.name}"}
        }
    return json.dumps({"resource": resource, "variable": variable}, indent=2) + "\n"


def test_the_json_syntax_reads_a_variable_as_the_native_one() -> None:
    module = _json_module("${var.policy_arn}", {"policy_arn": {"default": POWER, "type": "string"}})
    result = terraform.edit({"main.tf.json": module}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf.json"]
    assert text is not None and "aws_iam_role_policy_attachment" in text  # ours
    assert '"power"' not in text and "variable" not in json.loads(text)  # nothing reads it any more
    # kept: a definitions file of the module sets another value
    kept = terraform.edit(
        {"main.tf.json": module, "terraform.tfvars.json": json.dumps({"policy_arn": READ_ONLY})},
        RUNNER_REQUEST,
    )
    assert kept.detached == []
    assert (
        f'main.tf.json: aws_iam_role_policy_attachment.power ("${{var.policy_arn}}", "{READ_ONLY}" (set in '
        "terraform.tfvars.json))"
    ) in kept.seen


def test_the_json_syntax_refuses_a_variable_without_a_value_naming_why() -> None:
    module = _json_module("${var.policy_arn}", {"policy_arn": {"type": "string"}})
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", {"main.tf.json": module}, RUNNER_REQUEST, "")
    assert (
        'main.tf.json: aws_iam_role_policy_attachment.power ("${var.policy_arn}"; is not a literal: '
        "var.policy_arn (declared in main.tf.json): it has no default"
    ) in str(err.value)


def _managed_after(module: str) -> list[str]:
    """The role's managed_policy_arns once the broad ARN is detached from the JSON-syntax ``module``, whose
    variable, written in place, nothing reads any more and which goes."""
    result = terraform.edit({"main.tf.json": module}, RUNNER_REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf.json"]
    assert text is not None
    document = json.loads(text)
    assert "variable" not in document
    managed: list[str] = document["resource"]["aws_iam_role"]["runner"]["managed_policy_arns"]
    return managed


def test_the_json_syntax_writes_a_list_variable_in_place() -> None:
    module = _json_module(
        "",
        {"policies": {"default": [POWER, READ_ONLY], "type": "list(string)"}},
        "${var.policies}",
    )
    assert _managed_after(module) == [READ_ONLY, "${aws_iam_policy.runner_policygen.arn}"]
    no_value = _json_module("", {"policies": {"type": "list(string)"}}, "${var.policies}")
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf.json": no_value}, RUNNER_REQUEST)
    assert str(err.value).startswith(
        'main.tf.json: managed_policy_arns of aws_iam_role.runner = "${var.policies}" is not a list '
        "policygen can read: var.policies (declared in main.tf.json): it has no default"
    )


def test_the_json_syntax_writes_a_concat_of_a_variable_as_the_list_it_makes() -> None:
    """``"managed_policy_arns": "${concat(var.policies, [...])}"`` (how CDK for Terraform writes
    ``Fn.concat``): the list concat() makes, the variable's items then the literal's (Terraform language
    docs, "Functions": concat), written in place as a JSON array and edited there, as the native syntax
    does; a reference among the items stays an interpolation. Before, refused as "not a list"."""
    managed = '${concat(var.policies, [aws_iam_policy.extra.arn, "' + READ_ONLY + '"])}'
    module = _json_module("", {"policies": {"default": [POWER], "type": "list(string)"}}, managed)
    assert _managed_after(module) == [
        "${aws_iam_policy.extra.arn}",
        READ_ONLY,
        "${aws_iam_policy.runner_policygen.arn}",
    ]
    no_value = _json_module("", {"policies": {"type": "list(string)"}}, managed)
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf.json": no_value}, RUNNER_REQUEST)
    written = json.dumps(managed)  # the value as the file writes it, its quotes escaped
    assert str(err.value).startswith(
        f"main.tf.json: managed_policy_arns of aws_iam_role.runner = {written} is not a list policygen can "
        "read: var.policies (declared in main.tf.json): it has no default"
    )


@pytest.mark.parametrize(
    "managed", ["${concat(var.policies, local.extra)}", "${concat(local.extra, var.policies)}"]
)
def test_a_json_concat_with_an_argument_not_written_out_is_refused_alike_in_any_order(managed: str) -> None:
    """``local.extra``'s value is not in the text whatever the variable holds: the refusal says the value
    is not a list policygen reads, not that the variable wants a value (giving it one would change
    nothing), whichever argument comes first."""
    module = _json_module("", {"policies": {"type": "list(string)"}}, managed)
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf.json": module}, RUNNER_REQUEST)
    assert str(err.value).startswith(
        "main.tf.json: managed_policy_arns of aws_iam_role.runner is not a list; edit it by hand"
    ), str(err.value)
