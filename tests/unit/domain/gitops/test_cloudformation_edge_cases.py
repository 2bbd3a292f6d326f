"""Format ``cloudformation`` on templates as they are found in repositories, beyond the User Guide's
examples: a ``.template`` file in a folder, ``!Sub`` in its list form, a JSON template's escapes and tabs,
a comment at the end of the file, and a resource already under the logical id policygen writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import GitOpsEditError
from policygen_operator.services.pullrequest import read_files
from tests.unit.domain.gitops.test_cloudformation_edit import DOC, ORDERS, POWER, request

SUB = "!Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess"


def test_a_template_file_in_a_folder_is_read(tmp_path: Path) -> None:
    """The AWS CloudFormation User Guide's sample templates are ``.template`` files, YAML or JSON; a
    ``path`` naming their folder read none of them (only a path naming the file itself did)."""
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "orders.template").write_text(ORDERS)
    files = read_files(tmp_path, "stacks")
    result = edit_files("cloudformation", files, request(POWER), "stacks")
    assert list(result.changes) == ["stacks/orders.template"] and result.detached == [POWER]


def test_quoted_names_and_arns_are_literals() -> None:
    """``RoleName: 'order-processor'`` and a quoted ARN are as literal as unquoted ones (YAML 1.2, "Flow
    Scalar Styles"). The round trip keeps the quotes as str subclasses, which a check for exactly str took
    for an intrinsic function: the role was 'without a literal RoleName', the ARN not found."""
    text = ORDERS.replace("RoleName: order-processor", "RoleName: 'order-processor'").replace(
        SUB, '"arn:aws:iam::aws:policy/PowerUserAccess"'
    )
    result = edit_files("cloudformation", {"orders.yaml": text}, request(POWER), "")
    out = result.changes["orders.yaml"]
    assert result.detached == [POWER] and out is not None and "RoleName: 'order-processor'" in out


@pytest.mark.parametrize(
    "entry",
    [
        "!Sub ['arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess', {}]",
        "!Sub ['arn:${Part}:iam::aws:policy/${Name}', {Part: !Ref AWS::Partition, Name: PowerUserAccess}]",
        '{"Fn::Sub": ["arn:${P}:iam::aws:policy/PowerUserAccess", {"P": {"Ref": "AWS::Partition"}}]}',
    ],
)
def test_sub_in_its_list_form_is_read(entry: str) -> None:
    """Fn::Sub's second form, ``[String, {Var: Value}]`` (CloudFormation User Guide, Fn::Sub,
    "Declaration"): a variable whose value is a literal or the partition is read as the one form is."""
    text = ORDERS.replace(SUB, entry)
    result = edit_files("cloudformation", {"orders.yaml": text}, request(POWER), "")
    assert result.detached == [POWER]
    assert "PowerUserAccess" not in result.changes["orders.yaml"]


def test_a_variable_of_sub_that_is_a_parameter_is_not_guessed() -> None:
    text = ORDERS.replace(SUB, "!Sub ['arn:${AWS::Partition}:iam::aws:policy/${P}', {P: !Ref Policy}]")
    with pytest.raises(GitOpsEditError) as err:
        edit_files("cloudformation", {"orders.yaml": text}, request(POWER), "")
    assert "not found attached" in str(err.value)


def test_a_conditional_entry_is_said_to_be_one() -> None:
    """``!If [Cond, ARN, !Ref AWS::NoValue]`` (CloudFormation User Guide, Fn::If; "AWS::NoValue") attaches the
    broad policy when the condition holds: the refusal says the ARN is there under a condition, with the
    tags as the template writes them, not only that it was not found."""
    text = ORDERS.replace(SUB, "!If [IsProd, arn:aws:iam::aws:policy/PowerUserAccess, !Ref AWS::NoValue]")
    with pytest.raises(GitOpsEditError) as err:
        edit_files("cloudformation", {"orders.yaml": text}, request(POWER), "")
    message = str(err.value)
    assert "!If [IsProd, arn:aws:iam::aws:policy/PowerUserAccess, !Ref AWS::NoValue]" in message
    assert f"names {POWER} under a condition" in message


TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "Bestellungen \u00fcber SQS",
    "Resources": {
        "R": {
            "Type": "AWS::IAM::Role",
            "Properties": {"RoleName": "order-processor", "ManagedPolicyArns": [POWER]},
        }
    },
}


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(TEMPLATE, indent=2) + "\n",  # ASCII, \u00fc
        json.dumps(TEMPLATE, indent=2, ensure_ascii=False) + "\n",  # UTF-8, ü
        json.dumps(TEMPLATE, indent="\t") + "\n",
        json.dumps(TEMPLATE, indent=2).replace("\n", "\r\n") + "\r\n",
    ],
    ids=["escaped", "utf-8", "tabs", "crlf"],
)
def test_a_json_template_keeps_its_escapes_and_its_indentation(text: str) -> None:
    """Only the edited lines change: an escape (``\\u00fc``) stays one, a tab indentation stays tabs."""
    out = edit_files("cloudformation", {"t.json": text}, request(POWER), "").changes["t.json"]
    assert out is not None
    newline = "\r\n" if "\r\n" in text else "\n"
    # the first lines, up to "Resources": {, are not edited
    assert out.startswith(newline.join(text.split(newline)[:4]) + newline)
    indent = text.split(newline)[1][0]
    assert all(line.startswith(indent) for line in out.split(newline)[1:-2])
    assert "\n" not in out.replace("\r\n", "") if newline == "\r\n" else "\r" not in out


@pytest.mark.parametrize("name", ["t.json", "t.template", "t.yaml"])
def test_a_byte_order_mark_stays_and_json_stays_json(name: str) -> None:
    """Windows editors write a UTF-8 byte order mark (U+FEFF) first; ``json.loads`` refuses it, so such a
    JSON template was read as YAML and written back in YAML's flow style, no longer JSON; a YAML one lost
    its mark."""
    body = ORDERS if name.endswith(".yaml") else json.dumps(TEMPLATE, indent=2) + "\n"
    out = edit_files("cloudformation", {name: "\ufeff" + body}, request(POWER), "").changes[name]
    assert out is not None and out.startswith("\ufeff")
    if not name.endswith(".yaml"):
        assert json.loads(out[1:])["Resources"]["RPolicygen"]["Type"] == "AWS::IAM::ManagedPolicy"
        assert out[1:].startswith(body.split('"Resources"')[0])


def test_a_comment_at_the_end_of_the_template_stays_at_the_end() -> None:
    """ruamel keeps a comment after the last entry on the deepest last node; the resource inserted after
    the role put that comment in the middle of the file, above the new resource."""
    text = ORDERS.split("  Queue:\n")[0] + "# end of the orders template\n"
    out = edit_files("cloudformation", {"o.yaml": text}, request(POWER), "").changes["o.yaml"]
    assert out is not None and out.endswith("# end of the orders template\n")
    assert out.count("# end of the orders template") == 1
    assert "\n  OrdersRolePolicygen:\n" in out


def test_a_comment_heading_the_next_resource_stays_above_it_as_parts_come_and_go() -> None:
    text = ORDERS.replace("  Queue:\n", "  # the queue of new orders\n  Queue:\n").replace(
        "CloudWatchAgentServerPolicy\n", "CloudWatchAgentServerPolicy  # the agent's\n"
    )
    two = edit_files("cloudformation", {"o.yaml": text}, request(POWER, policies=(DOC, DOC)), "")
    one = edit_files("cloudformation", dict(two.changes), request(POWER), "")
    for out in (two.changes["o.yaml"], one.changes["o.yaml"]):
        assert out is not None and "\n  # the queue of new orders\n  Queue:\n" in out
        assert "CloudWatchAgentServerPolicy  # the agent's\n  OrdersRolePolicygen:\n" in out


@pytest.mark.parametrize(
    "existing",
    [
        "    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      ManagedPolicyName: audit\n"
        "      Roles: [!Ref AuditRole]\n      PolicyDocument: {}\n",
        "    Type: AWS::IAM::ManagedPolicy\n    Properties:\n",
    ],
    ids=["attached-to-another-role", "no-properties"],
)
def test_a_managed_policy_under_our_logical_id_not_attached_to_the_role_is_refused(existing: str) -> None:
    """Updating a managed policy that is not attached to the role, while its broad policy goes, left the
    role with neither; one without Properties failed on an AttributeError."""
    text = ORDERS.replace("  Queue:\n", f"  OrdersRolePolicygen:\n{existing}  Queue:\n")
    with pytest.raises(GitOpsEditError) as err:
        edit_files("cloudformation", {"o.yaml": text}, request(POWER), "")
    assert "OrdersRolePolicygen exists and is not attached to OrdersRole" in str(err.value)


def test_our_managed_policy_is_recognised_in_each_spelling_of_its_reference() -> None:
    for roles in ("[!Ref OrdersRole]", "\n        - Ref: OrdersRole", "[{Ref: OrdersRole}]"):
        existing = (
            "    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
            f"      Roles: {roles}\n      PolicyDocument: {{}}\n"
        )
        text = ORDERS.replace("  Queue:\n", f"  OrdersRolePolicygen:\n{existing}  Queue:\n")
        out = edit_files("cloudformation", {"o.yaml": text}, request(POWER), "").changes["o.yaml"]
        policy = YAML(typ="rt").load(out)["Resources"]["OrdersRolePolicygen"]
        assert policy["Properties"]["PolicyDocument"]["Statement"][0]["Action"] == ["sqs:SendMessage"]


def test_a_managed_policy_after_our_parts_that_is_not_attached_to_the_role_is_not_removed() -> None:
    """``OrdersRolePolicygen2`` of someone else's (attached to another role) is not a part of ours that the
    policy no longer has: removing it took that role's permissions away."""
    audit = (
        "  OrdersRolePolicygen2:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      Roles: [!Ref AuditRole]\n      PolicyDocument: {}\n"
    )
    text = ORDERS.replace("  Queue:\n", f"{audit}  Queue:\n")
    out = edit_files("cloudformation", {"o.yaml": text}, request(POWER), "").changes["o.yaml"]
    assert out is not None and audit in out and "\n  OrdersRolePolicygen:\n" in out


def test_a_json_template_keeps_the_lines_the_edit_does_not_touch() -> None:
    """A UTF-8 template that also writes an escape (``\\u00fc`` beside a literal ``ü``, as hand edits and
    some generators mix them), a key set off by a space before its colon, and a one-line list: a dump of the
    whole template rewrote each of those lines though the edit touched none of them. Now the lines the edit
    leaves are the file's own, as in YAML templates; the edited ones are the dump's."""
    text = json.dumps(TEMPLATE, indent=2, ensure_ascii=False) + "\n"
    text = text.replace('"Bestellungen über SQS"', '"Bestellungen \\u00fcber SQS (\u00fc)"')
    text = text.replace('"AWSTemplateFormatVersion": ', '"AWSTemplateFormatVersion" : ')
    text = text.replace('"Resources": {', '"Metadata": {"Owners": ["team-a", "team-b"]},\n  "Resources": {')
    assert json.loads(text)["Description"] == "Bestellungen \u00fcber SQS (\u00fc)"
    out = edit_files("cloudformation", {"t.json": text}, request(POWER), "").changes["t.json"]
    assert out is not None
    for line in text.splitlines()[:5]:  # the version, the description, the metadata, "Resources": {
        assert line in out.splitlines(), line
    assert json.loads(out)["Description"] == json.loads(text)["Description"]
    assert POWER not in out
