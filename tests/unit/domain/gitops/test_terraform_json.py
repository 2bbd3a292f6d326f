"""Terraform's JSON syntax (``*.tf.json``): the role's broad attachments are edited there, the file stays
JSON and every byte the edit does not touch stays as it was.

The layout is what CDK for Terraform synthesizes (``cdk.tf.json``: a ``"//"`` metadata property at the root
and in each resource, two-space indentation, references as ``"${aws_iam_role.X.name}"``), as in the
main.tf.json snapshots the code search finds for stacks synthesized that way (winglang's, with
``"aws_iam_role_policy_attachment": {"..._IamRolePolicyAttachment_...": {"//": {"metadata": {...}},
"policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "role":
"${aws_iam_role..._IamRole_....name}"}}``), with PowerUserAccess where the tests need a broad policy. The
syntax is HashiCorp's "JSON Configuration Syntax" (developer.hashicorp.com/terraform/language/syntax/json).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policygen_operator.domain.gitops import editor, terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def _synthesized(role_extra: dict[str, Any] | None = None, attachments: bool = True) -> str:
    role: dict[str, Any] = {
        "//": {"metadata": {"path": "stack/runner/IamRole", "uniqueId": "runner_IamRole_1A2B3C4D"}},
        "assume_role_policy": '{"Version":"2012-10-17","Statement":[]}',
        "name": "ci-runner",
    }
    role.update(role_extra or {})
    resource: dict[str, Any] = {"aws_iam_role": {"runner_IamRole_1A2B3C4D": role}}
    if attachments:
        resource["aws_iam_role_policy_attachment"] = {
            "runner_Basic_5E6F7A8B": {
                "//": {"metadata": {"path": "stack/runner/Basic", "uniqueId": "runner_Basic_5E6F7A8B"}},
                "policy_arn": BASIC,
                "role": "${aws_iam_role.runner_IamRole_1A2B3C4D.name}",
            },
            "runner_Power_9C8D7E6F": {
                "//": {"metadata": {"path": "stack/runner/Power", "uniqueId": "runner_Power_9C8D7E6F"}},
                "policy_arn": POWER,
                "role": "${aws_iam_role.runner_IamRole_1A2B3C4D.name}",
            },
        }
    document = {
        "//": {"metadata": {"backend": "local", "stackName": "stack", "version": "0.20.0"}},
        "provider": {"aws": [{"region": "us-east-1"}]},
        "resource": resource,
        "terraform": {"required_providers": {"aws": {"source": "aws", "version": "5.0.0"}}},
    }
    return json.dumps(document, indent=2)


def test_a_broad_attachment_goes_and_the_policy_is_attached() -> None:
    """Refused before: ``*.tf.json`` was not read ("no Terraform file (*.tf) under the path")."""
    before = _synthesized()
    result = editor.edit_files("terraform", {"stack/cdk.tf.json": before}, REQUEST, "stack")
    after = result.changes["stack/cdk.tf.json"]
    assert after is not None
    assert result.detached == [POWER] and result.attachment_added
    assert result.role_location == "stack/cdk.tf.json (resource aws_iam_role.runner_IamRole_1A2B3C4D)"
    parsed = json.loads(after)
    resources = parsed["resource"]
    attachments = resources["aws_iam_role_policy_attachment"]
    assert "runner_Power_9C8D7E6F" not in attachments and "runner_Basic_5E6F7A8B" in attachments
    label = "runner_IamRole_1A2B3C4D_policygen"
    assert attachments[label] == {
        "role": "${aws_iam_role.runner_IamRole_1A2B3C4D.name}",
        "policy_arn": f"${{aws_iam_policy.{label}.arn}}",
    }
    policy = resources["aws_iam_policy"][label]
    assert policy["name"] == "ci-runner-policygen"
    assert json.loads(policy["policy"]) == DOC


def test_the_rest_of_the_file_is_byte_identical() -> None:
    """Every line but the removed attachment's is still in the file, in order (what is added comes after
    the members it joins)."""
    before = _synthesized()
    after = terraform.edit({"cdk.tf.json": before}, REQUEST).changes["cdk.tf.json"]
    assert after is not None
    lines = before.split("\n")
    power = lines.index('      "runner_Power_9C8D7E6F": {')
    close = lines.index("      }", power)
    kept = lines[:power] + lines[close + 1 :]
    remaining = iter(after.split("\n"))
    assert all(any(line == other for other in remaining) for line in kept)


def test_managed_policy_arns_take_the_policy() -> None:
    before = _synthesized({"managed_policy_arns": [BASIC, POWER]}, attachments=False)
    result = terraform.edit({"cdk.tf.json": before}, REQUEST)
    after = result.changes["cdk.tf.json"]
    assert after is not None and result.detached == [POWER] and result.attachment_added
    resources = json.loads(after)["resource"]
    label = "runner_IamRole_1A2B3C4D_policygen"
    assert resources["aws_iam_role"]["runner_IamRole_1A2B3C4D"]["managed_policy_arns"] == [
        BASIC,
        f"${{aws_iam_policy.{label}.arn}}",
    ]
    assert "aws_iam_role_policy_attachment" not in resources  # the list is exclusive
    assert label in resources["aws_iam_policy"]


def test_a_second_run_changes_nothing() -> None:
    first = terraform.edit({"cdk.tf.json": _synthesized()}, REQUEST).changes["cdk.tf.json"]
    assert first is not None
    again = terraform.edit({"cdk.tf.json": first}, REQUEST)
    assert again.changes == {} and not again.attachment_added


def test_policy_variables_stay_literal() -> None:
    """A JSON-syntax string is a template: IAM's ``${aws:username}`` is written ``$${aws:username}``."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}
        ],
    }
    request = REQUEST.__class__(REQUEST.principal, (document,), REQUEST.replace_arns)
    after = terraform.edit({"cdk.tf.json": _synthesized()}, request).changes["cdk.tf.json"]
    assert after is not None
    policy = json.loads(after)["resource"]["aws_iam_policy"]["runner_IamRole_1A2B3C4D_policygen"]["policy"]
    assert "arn:aws:s3:::b/$${aws:username}/*" in policy


def test_resources_written_as_arrays_of_objects() -> None:
    """The docs allow each level as an array of objects, the form of repeated blocks."""
    before = json.dumps(
        {
            "resource": [
                {"aws_iam_role": [{"runner": [{"name": "ci-runner"}]}]},
                {
                    "aws_iam_role_policy_attachment": [
                        {"power": [{"role": "${aws_iam_role.runner.name}", "policy_arn": POWER}]}
                    ]
                },
            ]
        },
        indent=2,
    )
    result = terraform.edit({"main.tf.json": before}, REQUEST)
    after = result.changes["main.tf.json"]
    assert after is not None and result.detached == [POWER]
    assert POWER not in after
    json.loads(after)


def test_a_role_with_count_is_refused() -> None:
    with pytest.raises(GitOpsEditError, match=r"has count \(2\)"):
        terraform.edit({"cdk.tf.json": _synthesized({"count": 2})}, REQUEST)


def test_a_role_attached_from_the_other_syntax_is_refused() -> None:
    """A module is every .tf and .tf.json file of its directory: an attachment in the other syntax would be
    left unread."""
    native = (
        'resource "aws_iam_role_policy_attachment" "power" {\n'
        "  role       = aws_iam_role.runner_IamRole_1A2B3C4D.name\n"
        f'  policy_arn = "{POWER}"\n'
        "}\n"
    )
    with pytest.raises(GitOpsEditError, match="policygen edits one syntax per module"):
        terraform.edit({"cdk.tf.json": _synthesized(attachments=False), "extra.tf": native}, REQUEST)
    role = 'resource "aws_iam_role" "runner" {\n  name = "ci-runner"\n}\n'
    attachment = json.dumps(
        {
            "resource": {
                "aws_iam_role_policy_attachment": {
                    "power": {"role": "${aws_iam_role.runner.name}", "policy_arn": POWER}
                }
            }
        }
    )
    with pytest.raises(GitOpsEditError, match="policygen edits one syntax per module"):
        terraform.edit({"main.tf": role, "extra.tf.json": attachment}, REQUEST)


def test_a_role_defined_in_both_syntaxes_is_refused() -> None:
    role = 'resource "aws_iam_role" "runner" {\n  name = "ci-runner"\n}\n'
    with pytest.raises(GitOpsEditError, match="defined more than once"):
        terraform.edit({"a/cdk.tf.json": _synthesized(), "b/main.tf": role}, REQUEST)


def test_a_file_on_one_line_stays_on_one_line() -> None:
    before = json.dumps(json.loads(_synthesized()))
    after = terraform.edit({"cdk.tf.json": before}, REQUEST).changes["cdk.tf.json"]
    assert after is not None and "\n" not in after
    resources = json.loads(after)["resource"]
    assert "runner_Power_9C8D7E6F" not in resources["aws_iam_role_policy_attachment"]
    assert "runner_IamRole_1A2B3C4D_policygen" in resources["aws_iam_policy"]


def test_not_json_is_named_when_no_role_is_found() -> None:
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"cdk.tf.json": '{"resource": {'}, REQUEST)
    assert "no Terraform file (*.tf) under the path, nor an aws_iam_role named 'ci-runner'" in str(err.value)
    assert "cdk.tf.json: not JSON" in str(err.value)


def _with(extra_resources: dict[str, Any], role_extra: dict[str, Any] | None = None) -> str:
    document = json.loads(_synthesized(role_extra))
    document["resource"].update(extra_resources)
    return json.dumps(document, indent=2)


# CDK for Terraform writes a construct's dependsOn as "depends_on": ["TYPE.LABEL"] (the Lambda function of a
# role waits for its attachments so that it starts with its permissions)
FUNCTION = {
    "aws_lambda_function": {
        "handler": {
            "depends_on": ["aws_iam_role_policy_attachment.runner_Power_9C8D7E6F"],
            "function_name": "handler",
            "role": "${aws_iam_role.runner_IamRole_1A2B3C4D.arn}",
        }
    }
}


def test_depends_on_a_removed_attachment_names_the_new_one() -> None:
    """Left as it was, Terraform fails on the removed address ("Reference to undeclared resource")."""
    result = terraform.edit({"cdk.tf.json": _with(FUNCTION)}, REQUEST)
    after = result.changes["cdk.tf.json"]
    assert after is not None
    function = json.loads(after)["resource"]["aws_lambda_function"]["handler"]
    assert function["depends_on"] == ["aws_iam_role_policy_attachment.runner_IamRole_1A2B3C4D_policygen"]
    assert (
        "cdk.tf.json: depends_on the removed aws_iam_role_policy_attachment.runner_Power_9C8D7E6F now names "
        "aws_iam_role_policy_attachment.runner_IamRole_1A2B3C4D_policygen" in result.notes
    )


def test_another_reference_to_a_removed_attachment_is_refused() -> None:
    output = {"output": {"power": {"value": "${aws_iam_role_policy_attachment.runner_Power_9C8D7E6F.id}"}}}
    document = json.loads(_synthesized())
    document.update(output)
    with pytest.raises(
        GitOpsEditError, match=r"cdk.tf.json:\d+ refers to aws_iam_role_policy_attachment.runner_Power"
    ):
        terraform.edit({"cdk.tf.json": json.dumps(document, indent=2)}, REQUEST)


def test_ignored_managed_policy_arns_are_refused() -> None:
    role = {"managed_policy_arns": [POWER], "lifecycle": {"ignore_changes": ["managed_policy_arns"]}}
    with pytest.raises(GitOpsEditError, match="has lifecycle ignore_changes"):
        terraform.edit({"cdk.tf.json": _synthesized(role, attachments=False)}, REQUEST)


def test_a_protected_attachment_is_said_to_lose_its_protection() -> None:
    document = json.loads(_synthesized())
    power = document["resource"]["aws_iam_role_policy_attachment"]["runner_Power_9C8D7E6F"]
    power["lifecycle"] = {"prevent_destroy": True}
    result = terraform.edit({"cdk.tf.json": json.dumps(document, indent=2)}, REQUEST)
    assert any("prevent_destroy true, which goes with the resource" in note for note in result.notes)


def test_a_file_of_the_roles_module_that_is_not_json_is_named() -> None:
    with pytest.raises(GitOpsEditError) as err:
        terraform.edit({"stack/cdk.tf.json": _synthesized(), "stack/extra.tf.json": '{"resource": '}, REQUEST)
    assert str(err.value).startswith("stack/extra.tf.json: not JSON (")
    assert "the Terraform module policygen edits" in str(err.value)


def test_a_role_with_inline_policies_keeps_them() -> None:
    """``inline_policy`` is a nested block of aws_iam_role, in JSON an array of objects: the role is found
    and edited past it, and its inline policies stay as they are (they are no managed policy to replace)."""
    inline = {"inline_policy": [{"name": "logs", "policy": '{"Version":"2012-10-17","Statement":[]}'}]}
    before = _synthesized({**inline, "managed_policy_arns": [POWER]}, attachments=False)
    result = terraform.edit({"cdk.tf.json": before}, REQUEST)
    after = result.changes["cdk.tf.json"]
    assert after is not None and result.detached == [POWER]
    role = json.loads(after)["resource"]["aws_iam_role"]["runner_IamRole_1A2B3C4D"]
    assert role["inline_policy"] == inline["inline_policy"]
    assert role["managed_policy_arns"] == ["${aws_iam_policy.runner_IamRole_1A2B3C4D_policygen.arn}"]
