"""Format ``cloudformation`` on templates as they are found in repositories, beyond the User Guide's
examples: a ``.template`` file in a folder, ``!Sub`` in its list form, a JSON template's escapes and tabs,
a comment at the end of the file, and a resource already under the logical id policygen writes."""

from __future__ import annotations

from pathlib import Path

from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.services.pullrequest import read_files
from tests.unit.domain.gitops.test_cloudformation_edit import ORDERS, POWER, request

SUB = "!Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess"


def test_a_template_file_in_a_folder_is_read(tmp_path: Path) -> None:
    """The AWS CloudFormation User Guide's sample templates are ``.template`` files, YAML or JSON; a
    ``path`` naming their folder read none of them (only a path naming the file itself did)."""
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "orders.template").write_text(ORDERS)
    files = read_files(tmp_path, "stacks")
    result = edit_files("cloudformation", files, request(POWER), "stacks")
    assert list(result.changes) == ["stacks/orders.template"] and result.detached == [POWER]


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
