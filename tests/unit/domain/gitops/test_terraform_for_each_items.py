"""Attachments with ``for_each`` whose items are objects (``policy_arn = each.value.policy_arn``), read by
key (``policy_arn = each.key``), or naming their role per item, and ``aws_iam_policy_attachment`` with
``for_each``: the role's broad items leave the collection where that is the one right edit, and the edit
is refused naming why where it is not.

Terraform's documentation of for_each (developer.hashicorp.com/terraform/language/meta-arguments/for_each)
gives a map of objects read as ``each.value.ATTR`` (``for_each = { a_group = { name = "a", ... } }``,
``name = each.value.name``), and "each.key: The map key (or set member) corresponding to this instance".
The EKS cluster role below is a public repository's (an eks cluster module's main.tf found with the code
search, "attachment-01" = { name = ..., policy_arn = ... } with roles = [aws_iam_role.cluster-role.name]),
its managed policies swapped for PowerUserAccess where the test needs a broad one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policygen_operator.domain.gitops import editor, terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER, RUNNER_ROLE, fmt_clean
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST

SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
DEPLOY_ROLE = '\nresource "aws_iam_role" "deploy" {\n  name = "deploy"\n}\n'

OBJECTS = f"""\
resource "aws_iam_role_policy_attachment" "managed" {{
  for_each = {{
    power = {{ name = "power", policy_arn = "{POWER}" }}
    ssm   = {{ name = "ssm", policy_arn = "{SSM}" }}
  }}

  role       = aws_iam_role.runner.name
  policy_arn = each.value.policy_arn
}}
"""

EKS_SHAPE = f"""\
resource "aws_iam_policy_attachment" "attachments" {{
  for_each = {{
    "attachment-01" = {{ name = "PowerUserAccessAttachment", policy_arn = "{POWER}" }}
    "attachment-02" = {{ name = "SSMAttachment", policy_arn = "{SSM}" }}
  }}

  roles      = [aws_iam_role.runner.name]
  name       = each.value.name
  policy_arn = each.value.policy_arn
}}
"""


def test_a_map_of_objects_loses_the_broad_entry(tmp_path: Path) -> None:
    """``policy_arn = each.value.policy_arn`` over a literal map of objects: refused before as "not found
    attached" (the edit read each.value and each.key only)."""
    result = terraform.edit({"main.tf": RUNNER_ROLE + "\n" + OBJECTS}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None
    assert result.detached == [POWER]
    assert f'policy_arn = "{POWER}"' not in text
    # the run of aligned keys loses its longest, as terraform fmt aligns it
    assert f'    ssm = {{ name = "ssm", policy_arn = "{SSM}" }}\n' in text
    assert "policy_arn = each.value.policy_arn" in text
    assert 'resource "aws_iam_role_policy_attachment" "runner_policygen"' in text
    assert "main.tf: removed arn:aws:iam::aws:policy/PowerUserAccess from the for_each of resource " in (
        "\n".join(result.notes)
    )
    fmt_clean(text, tmp_path)


def test_a_map_of_objects_written_one_attribute_a_line() -> None:
    objects = OBJECTS.replace(
        f'    power = {{ name = "power", policy_arn = "{POWER}" }}\n',
        f'    power = {{\n      name       = "power"\n      policy_arn = "{POWER}"\n    }}\n',
    )
    result = terraform.edit({"main.tf": RUNNER_ROLE + "\n" + objects}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None and result.detached == [POWER]
    assert "power" not in text.split("for_each")[1].split("role ")[0]


def test_only_the_roles_entries_leave_a_map_naming_a_role_per_entry(tmp_path: Path) -> None:
    """``role = each.value.role``: one block attaches the policies of several roles; the other role's
    PowerUserAccess entry stays (removing it would detach that role's policy)."""
    per_role = f"""\
resource "aws_iam_role_policy_attachment" "managed" {{
  for_each = {{
    runner_power = {{ role = aws_iam_role.runner.name, policy_arn = "{POWER}" }}
    deploy_power = {{ role = aws_iam_role.deploy.name, policy_arn = "{POWER}" }}
  }}

  role       = each.value.role
  policy_arn = each.value.policy_arn
}}
"""
    result = terraform.edit({"main.tf": RUNNER_ROLE + DEPLOY_ROLE + "\n" + per_role}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None and result.detached == [POWER]
    assert "runner_power" not in text
    assert f'    deploy_power = {{ role = aws_iam_role.deploy.name, policy_arn = "{POWER}" }}\n' in text
    fmt_clean(text, tmp_path)


def test_a_map_read_by_its_keys() -> None:
    """``policy_arn = each.key`` over a map keyed by ARN: the entry whose key is the broad ARN goes (the
    edit compared the entries' values, so the attachment stayed and the run was refused)."""
    by_key = (
        'resource "aws_iam_role_policy_attachment" "managed" {\n'
        f'  for_each   = {{ "{POWER}" = "power", "{SSM}" = "ssm" }}\n'
        "  role       = aws_iam_role.runner.name\n"
        "  policy_arn = each.key\n"
        "}\n"
    )
    result = terraform.edit({"main.tf": RUNNER_ROLE + "\n" + by_key}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None and result.detached == [POWER]
    assert f'for_each   = {{ "{SSM}" = "ssm" }}' in text


def test_a_local_map_of_objects() -> None:
    local = (
        "locals {\n  managed = {\n"
        f'    power = {{ policy_arn = "{POWER}" }}\n'
        f'    ssm   = {{ policy_arn = "{SSM}" }}\n'
        "  }\n}\n\n"
        'resource "aws_iam_role_policy_attachment" "managed" {\n'
        "  for_each   = local.managed\n"
        "  role       = aws_iam_role.runner.name\n"
        "  policy_arn = each.value.policy_arn\n"
        "}\n"
    )
    result = terraform.edit({"main.tf": RUNNER_ROLE + "\n" + local}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None and result.detached == [POWER]
    assert "power" not in text.split("locals")[1].split("resource")[0]


def test_a_policy_attachment_with_for_each_loses_the_broad_item(tmp_path: Path) -> None:
    """``aws_iam_policy_attachment`` with for_each over a map of objects, listing the role alone: the item
    leaves the map. Before, the attachment was only named ("each.value.policy_arn") and the run refused
    as "not found attached"."""
    result = terraform.edit({"main.tf": RUNNER_ROLE + "\n" + EKS_SHAPE}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None and result.detached == [POWER]
    assert "attachment-01" not in text and '"attachment-02" = {' in text
    assert "main.tf: removed arn:aws:iam::aws:policy/PowerUserAccess from the for_each of resource " in (
        "\n".join(result.notes)
    )
    fmt_clean(text, tmp_path)


def test_a_policy_attachment_with_for_each_and_a_set_left_empty_goes() -> None:
    one = (
        'resource "aws_iam_policy_attachment" "power" {\n'
        f'  for_each   = toset(["{POWER}"])\n'
        '  name       = "power"\n'
        "  roles      = [aws_iam_role.runner.name]\n"
        "  policy_arn = each.value\n"
        "}\n"
    )
    result = terraform.edit({"main.tf": RUNNER_ROLE + "\n" + one}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None and result.detached == [POWER]
    assert "aws_iam_policy_attachment" not in text


@pytest.mark.parametrize(
    ("principals", "named"),
    [
        ("  roles      = [aws_iam_role.runner.name, aws_iam_role.deploy.name]\n", "aws_iam_role.deploy.name"),
        ('  roles      = [aws_iam_role.runner.name]\n  users      = ["alice"]\n', 'users ["alice"]'),
    ],
)
def test_a_policy_attachment_with_for_each_shared_with_others_is_refused(principals: str, named: str) -> None:
    shared = EKS_SHAPE.replace("  roles      = [aws_iam_role.runner.name]\n", principals)
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"main.tf": RUNNER_ROLE + DEPLOY_ROLE + "\n" + shared}, REQUEST)
    message = str(err.value)
    assert "aws_iam_policy_attachment.attachments attaches each policy of its for_each" in message
    assert f"{POWER} among them" in message and f"also to {named}" in message
    assert "Nothing was changed" in message


def test_a_map_naming_a_role_per_entry_on_one_line() -> None:
    one_line = (
        'resource "aws_iam_role_policy_attachment" "managed" {\n'
        f'  for_each   = {{ a = {{ role = "ci-runner", arn = "{POWER}" }}, '
        f'b = {{ role = "deploy", arn = "{POWER}" }} }}\n'
        "  role       = each.value.role\n"
        "  policy_arn = each.value.arn\n"
        "}\n"
    )
    result = terraform.edit({"main.tf": RUNNER_ROLE + DEPLOY_ROLE + "\n" + one_line}, REQUEST)
    text = result.changes["main.tf"]
    assert text is not None and result.detached == [POWER]
    assert f'  for_each   = {{ b = {{ role = "deploy", arn = "{POWER}" }} }}\n' in text


def test_a_local_concat_of_the_for_each_loses_just_its_literal_item() -> None:
    """``for_each = toset(local.arns)`` with ``arns = concat([...], var.extra)`` in the module's locals: the
    broad item leaves the literal list, the rest of the expression as written, as a concat() in a role's
    ``managed_policy_arns`` is edited (concat "takes two or more lists and combines them into a single
    list", Terraform language docs, "Functions": concat; the variable's value here holds no broad ARN).
    Before, the run was refused as "not a literal list or map"."""
    local = f'locals {{\n  arns = concat(["{POWER}", "{SSM}"], var.extra)\n}}\n\n'
    attachment = (
        'resource "aws_iam_role_policy_attachment" "each" {\n'
        "  for_each   = toset(local.arns)\n"
        "  role       = aws_iam_role.runner.name\n"
        "  policy_arn = each.value\n"
        "}\n"
    )
    extra = 'variable "extra" {\n  default = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]\n}\n'
    files = {"main.tf": local + RUNNER_ROLE + "\n" + attachment, "variables.tf": extra}
    result = terraform.edit(files, REQUEST)
    assert result.detached == [POWER]
    text = result.changes["main.tf"]
    assert text is not None
    assert text.startswith(f'locals {{\n  arns = concat(["{SSM}"], var.extra)\n}}\n\n' + RUNNER_ROLE + "\n")
    assert attachment in text and "variables.tf" not in result.changes
    # the broad ARN in the variable too: not edited in place, named
    power_too = extra.replace("ReadOnlyAccess", "PowerUserAccess")
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", {**files, "variables.tf": power_too}, REQUEST, "")
    assert (
        "main.tf: aws_iam_role_policy_attachment.each for_each over local.arns, whose value is not a literal "
        "list or map in the module's locals: a concat() is edited only where its broad ARNs are all in its "
        "literal lists" in str(err.value)
    )


EACH_OF_LOCAL = (
    'resource "aws_iam_role_policy_attachment" "each" {\n'
    "  for_each   = toset(local.arns)\n"
    "  role       = aws_iam_role.runner.name\n"
    "  policy_arn = each.value\n"
    "}\n"
)


def test_a_for_each_over_a_local_of_a_json_file_loses_the_broad_item() -> None:
    """The module's locals written in the JSON syntax beside the attachment's ``.tf`` file (one module,
    "JSON Configuration Syntax": locals blocks): the array loses the broad item as a ``.tf`` local's list
    does, every other byte as it was, and the attachment goes when it is left empty. Before, the local was
    not found ("not a literal list or map")."""
    main = RUNNER_ROLE + "\n" + EACH_OF_LOCAL
    locals_json = json.dumps({"locals": {"arns": [POWER, SSM], "team": "ci"}}, indent=2) + "\n"
    result = terraform.edit({"main.tf": main, "locals.tf.json": locals_json}, REQUEST)
    assert result.detached == [POWER]
    assert (
        result.changes["locals.tf.json"]
        == json.dumps({"locals": {"arns": [SSM], "team": "ci"}}, indent=2) + "\n"
    )
    assert EACH_OF_LOCAL in (result.changes["main.tf"] or "")
    assert (
        f"locals.tf.json: removed {POWER} from local.arns, the for_each of resource "
        "aws_iam_role_policy_attachment.each"
    ) in result.notes
    # left empty: the attachment goes
    alone = json.dumps({"locals": {"arns": [POWER]}}, indent=2) + "\n"
    emptied = terraform.edit({"main.tf": main, "locals.tf.json": alone}, REQUEST)
    assert emptied.changes["locals.tf.json"] == json.dumps({"locals": {"arns": []}}, indent=2) + "\n"
    assert 'resource "aws_iam_role_policy_attachment" "each"' not in (emptied.changes["main.tf"] or "")


def test_a_for_each_over_a_json_local_read_elsewhere_is_named() -> None:
    main = RUNNER_ROLE + "\n" + EACH_OF_LOCAL
    locals_json = json.dumps(
        {"locals": {"arns": [POWER]}, "output": {"arns": {"value": "${local.arns}"}}}, indent=2
    )
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", {"main.tf": main, "locals.tf.json": locals_json}, REQUEST, "")
    assert (
        "main.tf: aws_iam_role_policy_attachment.each for_each over local.arns, which is also read at "
        "locals.tf.json:9" in str(err.value)
    )
    # a JSON local that is neither an array nor an object (a concat() template) is named, not edited
    managed = json.dumps({"locals": {"arns": f'${{concat(["{POWER}"], var.extra)}}'}}, indent=2)
    by_map = main.replace("toset(local.arns)", "local.arns")
    with pytest.raises(GitOpsEditError) as err:
        editor.edit_files("terraform", {"main.tf": by_map, "locals.tf.json": managed}, REQUEST, "")
    assert (
        "main.tf: aws_iam_role_policy_attachment.each for_each over local.arns, whose value in "
        "locals.tf.json is not a literal array or object" in str(err.value)
    )


def for_each_of_map(read: str) -> str:
    return (
        'resource "aws_iam_role_policy_attachment" "each" {\n'
        "  for_each   = local.managed\n"
        "  role       = aws_iam_role.runner.name\n"
        f"  policy_arn = {read}\n"
        "}\n"
    )


def locals_json(managed: object) -> str:
    return json.dumps({"locals": {"managed": managed, "team": "ci"}}, indent=2) + "\n"


@pytest.mark.parametrize(
    ("read", "managed", "left"),
    [
        ("each.value", {"power": POWER, "ssm": SSM}, {"ssm": SSM}),
        (
            "each.value.policy_arn",
            {"power": {"name": "power", "policy_arn": POWER}, "ssm": {"name": "ssm", "policy_arn": SSM}},
            {"ssm": {"name": "ssm", "policy_arn": SSM}},
        ),
        ("each.key", {POWER: "power", SSM: "ssm"}, {SSM: "ssm"}),
    ],
)
def test_a_for_each_over_a_json_local_map_loses_the_broad_entry(
    read: str, managed: object, left: object
) -> None:
    """A map local written in the JSON syntax (an object, "JSON Configuration Syntax": locals blocks) read
    by ``for_each = local.X`` as the ``.tf`` map local is (``test_a_local_map_of_objects``): the entry of
    the broad ARN (its value, an attribute of its object value, or its key) leaves the object, every other
    byte as it was. Before, the local was named ("not a literal array")."""
    main = RUNNER_ROLE + "\n" + for_each_of_map(read)
    result = terraform.edit({"main.tf": main, "locals.tf.json": locals_json(managed)}, REQUEST)
    assert result.detached == [POWER]
    assert result.changes["locals.tf.json"] == locals_json(left)
    assert "main.tf" not in result.changes or for_each_of_map(read) in (result.changes["main.tf"] or "")
    assert (
        f"locals.tf.json: removed {POWER} from local.managed, the for_each of resource "
        "aws_iam_role_policy_attachment.each"
    ) in result.notes


def test_a_for_each_over_a_json_local_map_left_empty_takes_the_attachment() -> None:
    main = RUNNER_ROLE + "\n" + for_each_of_map("each.value")
    result = terraform.edit({"main.tf": main, "locals.tf.json": locals_json({"power": POWER})}, REQUEST)
    assert result.changes["locals.tf.json"] == locals_json({})
    assert 'resource "aws_iam_role_policy_attachment" "each"' not in (result.changes["main.tf"] or "")
