"""JSON policy files, principal parsing and names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policygen_operator.domain.gitops import jsonfile
from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import (
    EditRequest,
    GitOpsEditError,
    k8s_name,
    role_name_from_principal,
    tf_identifier,
)

DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
OLD = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
REQUEST = EditRequest("arn:aws:iam::123456789012:role/team/payments-api", (DOC, DOC), ())


def test_json_file_replaced_with_the_same_indentation_and_extra_parts_next_to_it() -> None:
    old = json.dumps(json.loads(OLD), indent=4) + "\n"
    result = jsonfile.edit({"p/payments-api.json": old, "p/x.json": OLD}, REQUEST, "p")
    assert result.changes == {
        "p/payments-api.json": json.dumps(DOC, indent=4) + "\n",
        "p/payments-api-2.json": json.dumps(DOC, indent=4) + "\n",
    }
    again = {**{"p/x.json": OLD}, **{k: v for k, v in result.changes.items() if v}}
    assert jsonfile.edit(again, REQUEST, "p").changes == {}


def test_a_policy_file_edited_by_hand_with_the_same_statements_in_another_order_is_left_alone() -> None:
    """Statement order means nothing to IAM: no commit, no pull request reordering a reviewer's file."""
    generated = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "S3", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
            {"Sid": "Sqs", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"},
        ],
    }
    by_hand = {**generated, "Statement": list(reversed(generated["Statement"]))}
    request = EditRequest(REQUEST.principal, (generated,), ())
    files = {"p/payments-api.json": json.dumps(by_hand, indent=2) + "\n"}
    assert jsonfile.edit(files, request, "p").changes == {}
    files["p/payments-api.json"] = files["p/payments-api.json"].replace(
        "sqs:SendMessage", "sqs:DeleteMessage"
    )
    assert list(jsonfile.edit(files, request, "p").changes) == ["p/payments-api.json"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"p/a.json": OLD, "p/b.json": OLD},
            "several policy files under 'p' and none named payments-api.json",
        ),
        ({"p/a.txt": "x"}, "no policy file for role 'payments-api' under 'p'"),
    ],
)
def test_json_errors(files: dict[str, str], message: str) -> None:
    with pytest.raises(GitOpsEditError, match=message):
        jsonfile.edit(files, REQUEST, "p")


@pytest.mark.parametrize(
    ("principal", "name"),
    [
        ("arn:aws:iam::123456789012:role/payments-api", "payments-api"),
        ("arn:aws:iam::123456789012:role/a/b/payments-api", "payments-api"),
        ("arn:aws-us-gov:sts::123456789012:assumed-role/payments-api/i-0abc", "payments-api"),
    ],
)
def test_role_names(principal: str, name: str) -> None:
    assert role_name_from_principal(principal) == name


def test_user_principals_are_refused() -> None:
    with pytest.raises(GitOpsEditError, match="only roles"):
        role_name_from_principal("arn:aws:iam::123456789012:user/alice")


def test_names() -> None:
    assert k8s_name("payments-api-policygen") == "payments-api-policygen"
    assert k8s_name("Payments_API").startswith("payments-api-") and len(k8s_name("Payments_API")) == 19
    assert tf_identifier("payments-api") == "payments_api" and tf_identifier("1x") == "r_1x"
    assert REQUEST.policy_name(1) == "payments-api-policygen-2"
    assert REQUEST.policy_arn(0) == "arn:aws:iam::123456789012:policy/payments-api-policygen"


def test_unknown_format_and_empty_policy() -> None:
    with pytest.raises(GitOpsEditError, match="format 'cdk'"):
        edit_files("cdk", {}, REQUEST, "")
    with pytest.raises(GitOpsEditError, match="no policy to write"):
        edit_files("json", {}, EditRequest(REQUEST.principal, (), ()), "")


# The trust policy the Amazon EKS User Guide has users write beside a role made with the CLI ("IAM roles for
# service accounts": cat >trust-relationship.json; aws iam create-role --assume-role-policy-document
# file://trust-relationship.json; aws iam attach-role-policy --policy-arn ...).
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowEksAuthToAssumeRoleForPodIdentity",
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    },
    indent=4,
)


def test_a_trust_policy_is_never_taken_for_the_roles_permissions() -> None:
    """The only JSON file with a Statement in the folder was the role's trust policy, and it was replaced
    by the generated permissions: the pull request removed who may assume the role. A statement naming a
    Principal cannot be in an identity-based policy (IAM User Guide, AWS JSON policy elements: Principal)."""
    with pytest.raises(GitOpsEditError) as err:
        jsonfile.edit({"iam/trust-relationship.json": TRUST}, REQUEST, "iam")
    assert str(err.value) == (
        "no policy file for role 'payments-api' under 'iam': expected payments-api.json or a single JSON "
        "file with a Statement that names no Principal (1 JSON file(s) seen; trust or resource-based "
        "policies, not the role's permissions: iam/trust-relationship.json)"
    )
    beside = jsonfile.edit(
        {"iam/trust-relationship.json": TRUST, "iam/permissions.json": OLD}, REQUEST, "iam"
    )
    assert sorted(beside.changes) == ["iam/permissions-2.json", "iam/permissions.json"]


@pytest.mark.parametrize("path", ["iam/trust-relationship.json", "iam/payments-api.json"])
def test_a_trust_policy_named_by_path_or_by_the_role_is_refused(path: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        jsonfile.edit({path: TRUST}, REQUEST, path if path.endswith("trust-relationship.json") else "iam")
    assert str(err.value) == (
        f"{path} is a role trust policy or another resource-based policy (a statement names a Principal, "
        "which an identity-based policy cannot): policygen writes the role's permissions, not who may assume "
        "it; point path at the role's permissions policy file"
    )


def test_a_path_naming_the_policy_file_reads_its_parts_beside_it(tmp_path: Path) -> None:
    """``path`` naming ``p/payments-api.json`` read that file alone, so its part ``-2.json`` already there was
    described as "added" by the next run (the review's finding); its parts are read with it, as a folder
    path reads them, and an unchanged part changes nothing."""
    from policygen_operator.services.pullrequest import read_files

    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "payments-api.json").write_text(json.dumps(DOC, indent=4) + "\n")
    (tmp_path / "p" / "payments-api-2.json").write_text(json.dumps(DOC, indent=4) + "\n")
    (tmp_path / "p" / "other.json").write_text(OLD)
    files = read_files(tmp_path, "p/payments-api.json")
    assert sorted(files) == ["p/payments-api-2.json", "p/payments-api.json"]
    assert edit_files("json", files, REQUEST, "p/payments-api.json").changes == {}
