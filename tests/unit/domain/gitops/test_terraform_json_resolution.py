"""Terraform's JSON syntax: broad ARNs given through a data source or a local, and the role's
``aws_iam_policy_attachment`` and ``aws_iam_role_policy_attachments_exclusive``, read as the native syntax
reads them.

CDK for Terraform synthesizes a ``DataAwsIamPolicy`` as ``"data": {"aws_iam_policy": {"LABEL": {"name":
"..."}}}`` referenced ``"${data.aws_iam_policy.LABEL.arn}"``, and a ``TerraformLocal`` as ``"locals":
{"NAME": ...}`` referenced ``"${local.NAME}"`` (HashiCorp's "JSON Configuration Syntax": ``locals`` is an
object of the local values, ``data`` nested as ``resource`` is). The AWS provider's
``aws_iam_policy_attachment`` (``name``, ``roles``, ``users``, ``groups``, ``policy_arn``) attaches one
policy to each principal it lists, exclusively across the account; its
``aws_iam_role_policy_attachments_exclusive`` (``role_name``, ``policy_arns``) detaches every policy it
does not list.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policygen_operator.domain.gitops import terraform
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.documents import RUNNER_REQUEST as REQUEST

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ROLE = "runner_IamRole_1A2B3C4D"
LABEL = f"{ROLE}_policygen"
REF = f"${{aws_iam_role.{ROLE}.name}}"


def _stack(resource: dict[str, Any], **top: Any) -> str:
    resource = {"aws_iam_role": {ROLE: {"name": "ci-runner", "assume_role_policy": "{}"}}, **resource}
    document = {"//": {"metadata": {"backend": "local", "stackName": "stack"}}, **top, "resource": resource}
    return json.dumps(document, indent=2)


@pytest.mark.parametrize(
    ("policy_arn", "top"),
    [
        (
            "${data.aws_iam_policy.power_ABCD1234.arn}",
            {"data": {"aws_iam_policy": {"power_ABCD1234": {"name": "PowerUserAccess"}}}},
        ),
        ("${data.aws_iam_policy.power.arn}", {"data": {"aws_iam_policy": {"power": {"arn": POWER}}}}),
        ("${local.power_arn}", {"locals": {"power_arn": POWER}}),
        ("${local.policies.power}", {"locals": {"policies": {"power": POWER, "read": READ_ONLY}}}),
        (
            "${local.power}",
            {
                "locals": {"power": "${data.aws_iam_policy.p.arn}"},
                "data": {"aws_iam_policy": {"p": {"name": "PowerUserAccess"}}},
            },
        ),
    ],
    ids=["data-name", "data-arn", "local", "local-attribute", "local-of-data"],
)
def test_a_broad_arn_through_a_data_source_or_a_local(policy_arn: str, top: dict[str, Any]) -> None:
    """Left attached before: the JSON path read literal ARNs only."""
    attachment = {"power_9C8D7E6F": {"policy_arn": policy_arn, "role": REF}}
    before = _stack({"aws_iam_role_policy_attachment": attachment}, **top)
    result = terraform.edit({"cdk.tf.json": before}, REQUEST)
    assert result.detached == [POWER]
    after = json.loads(result.changes["cdk.tf.json"] or "")
    assert list(after["resource"]["aws_iam_role_policy_attachment"]) == [LABEL]


def test_a_data_source_of_another_policy_is_kept() -> None:
    top = {"data": {"aws_iam_policy": {"read": {"name": "ReadOnlyAccess"}}}}
    attachment = {"read": {"policy_arn": "${data.aws_iam_policy.read.arn}", "role": REF}}
    result = terraform.edit(
        {"cdk.tf.json": _stack({"aws_iam_role_policy_attachment": attachment}, **top)}, REQUEST
    )
    assert result.detached == []


def test_a_policy_attachment_loses_the_role() -> None:
    """Not read before: the role's aws_iam_policy_attachment stayed, the broad policy attached."""
    attachment = {"power": {"name": "power", "roles": [REF, "deploy"], "policy_arn": POWER}}
    before = _stack({"aws_iam_policy_attachment": attachment})
    result = terraform.edit({"cdk.tf.json": before}, REQUEST)
    assert result.detached == [POWER]
    after = result.changes["cdk.tf.json"]
    assert after is not None
    assert json.loads(after)["resource"]["aws_iam_policy_attachment"]["power"]["roles"] == ["deploy"]
    # only the role's item went: every other line is as it was
    assert (
        after.split("\n")[: before.split("\n").index(f'          "{REF}",')]
        == before.split("\n")[: before.split("\n").index(f'          "{REF}",')]
    )


def test_a_policy_attachment_of_the_role_alone_goes_and_depends_on_follows() -> None:
    attachment = {"power": {"name": "power", "roles": [REF], "policy_arn": POWER}}
    queue = {"jobs": {"name": "jobs", "depends_on": ["aws_iam_policy_attachment.power"]}}
    before = _stack({"aws_iam_policy_attachment": attachment, "aws_sqs_queue": queue})
    result = terraform.edit({"cdk.tf.json": before}, REQUEST)
    assert result.detached == [POWER]
    after = json.loads(result.changes["cdk.tf.json"] or "")
    assert "aws_iam_policy_attachment" not in after["resource"]
    assert after["resource"]["aws_sqs_queue"]["jobs"]["depends_on"] == [
        f"aws_iam_role_policy_attachment.{LABEL}"
    ]


def test_a_policy_attachment_whose_roles_changes_are_ignored_is_refused() -> None:
    attachment = {
        "power": {
            "name": "power",
            "roles": [REF, "deploy"],
            "policy_arn": POWER,
            "lifecycle": {"ignore_changes": ["roles"]},
        }
    }
    with pytest.raises(GitOpsEditError, match="does not apply a change of its roles"):
        terraform.edit({"cdk.tf.json": _stack({"aws_iam_policy_attachment": attachment})}, REQUEST)


def test_the_exclusive_resource_takes_the_policy() -> None:
    """Not read before: the broad ARN stayed in policy_arns, and the attachment added beside it would be
    detached by the exclusive resource at the next apply."""
    exclusive = {"runner": {"role_name": REF, "policy_arns": [READ_ONLY, POWER]}}
    before = _stack({"aws_iam_role_policy_attachments_exclusive": exclusive})
    result = terraform.edit({"cdk.tf.json": before}, REQUEST)
    assert result.detached == [POWER] and result.attachment_added
    after = json.loads(result.changes["cdk.tf.json"] or "")
    held = after["resource"]["aws_iam_role_policy_attachments_exclusive"]["runner"]["policy_arns"]
    assert held == [READ_ONLY, f"${{aws_iam_policy.{LABEL}.arn}}"]
    assert "aws_iam_role_policy_attachment" not in after["resource"]
    again = terraform.edit({"cdk.tf.json": result.changes["cdk.tf.json"] or ""}, REQUEST)
    assert again.changes == {}


def test_an_exclusive_resource_with_for_each_is_refused() -> None:
    exclusive = {"runner": {"for_each": '${toset(["a"])}', "role_name": REF, "policy_arns": [POWER]}}
    with pytest.raises(GitOpsEditError, match="has for_each"):
        terraform.edit(
            {"cdk.tf.json": _stack({"aws_iam_role_policy_attachments_exclusive": exclusive})}, REQUEST
        )


# A data source that only the removed attachment read was left behind: tflint's terraform_unused_declarations
# ("Disallow variables, data sources, and locals that are declared but never used", terraform ruleset)
# fails a pull request on it, and Terraform still reads the broad policy at every plan.
DATA_FORMS = [{"name": "PowerUserAccess"}, {"arn": POWER}]


def _through_data(data: dict[str, Any], **top: Any) -> str:
    attachment = {"power_9C8D7E6F": {"policy_arn": "${data.aws_iam_policy.power.arn}", "role": REF}}
    return _stack({"aws_iam_role_policy_attachment": attachment}, **top, data=data)


@pytest.mark.parametrize("given", DATA_FORMS, ids=["by-name", "by-arn"])
def test_a_data_source_only_the_removed_attachment_read_goes(given: dict[str, Any]) -> None:
    """The data source goes, and every other byte is what the same edit writes when the attachment names
    the ARN itself (no data source)."""
    before = _through_data({"aws_iam_policy": {"power": given}})
    result = terraform.edit({"cdk.tf.json": before}, REQUEST)
    assert result.detached == [POWER]
    literal = {"power_9C8D7E6F": {"policy_arn": POWER, "role": REF}}
    plain = terraform.edit({"cdk.tf.json": _stack({"aws_iam_role_policy_attachment": literal})}, REQUEST)
    assert result.changes["cdk.tf.json"] == plain.changes["cdk.tf.json"]
    assert "cdk.tf.json: removed data aws_iam_policy.power" in "\n".join(result.notes)


def test_of_two_data_sources_only_the_one_nothing_reads_goes() -> None:
    data = {"aws_iam_policy": {"power": {"name": "PowerUserAccess"}, "read": {"name": "ReadOnlyAccess"}}}
    read = {"read": {"policy_arn": "${data.aws_iam_policy.read.arn}", "role": REF}}
    attachment = {"power_9C8D7E6F": {"policy_arn": "${data.aws_iam_policy.power.arn}", "role": REF}}
    before = _stack({"aws_iam_role_policy_attachment": {**attachment, **read}}, data=data)
    after = terraform.edit({"cdk.tf.json": before}, REQUEST).changes["cdk.tf.json"] or ""
    assert json.loads(after)["data"] == {"aws_iam_policy": {"read": {"name": "ReadOnlyAccess"}}}
    kept = before.split("\n")
    start = kept.index('      "power": {')
    assert after.split("\n")[: start - 1] == kept[: start - 1]  # the lines before it are as they were


@pytest.mark.parametrize(
    "reader",
    [
        {"locals": {"power": "${data.aws_iam_policy.power.arn}"}},
        {"output": {"power": {"value": "${data.aws_iam_policy.power.arn}"}}},
        {"resource": {"aws_sqs_queue": {"q": {"name": "q", "depends_on": ["data.aws_iam_policy.power"]}}}},
    ],
    ids=["local", "output", "depends_on"],
)
def test_a_data_source_something_else_reads_is_kept(reader: dict[str, Any]) -> None:
    data = {"aws_iam_policy": {"power": {"name": "PowerUserAccess"}}}
    other = json.dumps(reader, indent=2)
    result = terraform.edit({"cdk.tf.json": _through_data(data), "other.tf.json": other}, REQUEST)
    assert result.detached == [POWER]
    assert json.loads(result.changes["cdk.tf.json"] or "")["data"] == data
    assert "other.tf.json" not in result.changes


def test_a_data_source_nothing_read_before_the_edit_is_left_alone() -> None:
    """Not the edit's doing: only what the removed attachment read goes."""
    unused = {"aws_iam_policy": {"power": {"name": "PowerUserAccess"}}}
    literal = {"power_9C8D7E6F": {"policy_arn": POWER, "role": REF}}
    before = _stack({"aws_iam_role_policy_attachment": literal}, data=unused)
    after = terraform.edit({"cdk.tf.json": before}, REQUEST).changes["cdk.tf.json"] or ""
    assert json.loads(after)["data"] == unused


def test_a_file_of_the_data_source_alone_is_deleted() -> None:
    """As the native syntax deletes a file the edit leaves empty."""
    attachment = {"power_9C8D7E6F": {"policy_arn": "${data.aws_iam_policy.power.arn}", "role": REF}}
    data = json.dumps({"data": {"aws_iam_policy": {"power": {"name": "PowerUserAccess"}}}}, indent=2)
    files = {"cdk.tf.json": _stack({"aws_iam_role_policy_attachment": attachment}), "data.tf.json": data}
    result = terraform.edit(files, REQUEST)
    assert result.detached == [POWER] and result.changes["data.tf.json"] is None
    # the same for a file of the removed attachment alone (it was left as {"resource": {}})
    role = {"aws_iam_role": {ROLE: {"name": "ci-runner", "assume_role_policy": "{}"}}}
    alone = {"resource": {"aws_iam_role_policy_attachment": {"power": {"policy_arn": POWER, "role": REF}}}}
    files = {"cdk.tf.json": json.dumps({"resource": role}), "attach.tf.json": json.dumps(alone, indent=2)}
    result = terraform.edit(files, REQUEST)
    assert result.detached == [POWER] and result.changes["attach.tf.json"] is None
