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
