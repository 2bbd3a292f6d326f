"""Replacements must be real: every way a format attaches a policy to a role is recognised, and a policy in
replaceManagedPolicies that is not found attached fails the edit naming what was seen (issue 10)."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}
REQUEST = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER,))


def crossplane_by_selector(group: str, version: str, selector_key: str, labels: str) -> str:
    return f"""\
apiVersion: {group}/{version}
kind: Role
metadata:
  name: payments-api
  labels:
    team: payments
    app: api
spec:
  forProvider: {{}}
---
apiVersion: {group}/{version}
kind: RolePolicyAttachment
metadata:
  name: broad
spec:
  forProvider:
    policyArn: {POWER}
    {selector_key}:
      matchLabels:
{labels}"""


@pytest.mark.parametrize(
    ("group", "version", "selector_key"),
    [
        ("iam.aws.upbound.io", "v1beta1", "roleSelector"),
        ("iam.aws.crossplane.io", "v1beta1", "roleNameSelector"),
    ],
)
def test_crossplane_attachment_by_role_selector_is_detached(
    group: str, version: str, selector_key: str
) -> None:
    """A RolePolicyAttachment selecting its role by labels was not recognised: the run succeeded, added the
    new policy and left PowerUserAccess attached while the title said "replaces PowerUserAccess"."""
    files = {"r.yaml": crossplane_by_selector(group, version, selector_key, "        team: payments\n")}
    result = edit_files("crossplane", files, REQUEST, "")
    assert result.detached == [POWER]
    text = result.changes["r.yaml"]
    assert text is not None and POWER not in text and "name: broad" not in text


def test_crossplane_selector_of_another_role_fails_naming_it() -> None:
    files = {
        "r.yaml": crossplane_by_selector("iam.aws.upbound.io", "v1beta1", "roleSelector", "        team: x\n")
    }
    with pytest.raises(GitOpsEditError) as err:
        edit_files("crossplane", files, REQUEST, "")
    message = str(err.value)
    assert f"replaceManagedPolicies: {POWER} not found attached to role 'payments-api'" in message
    assert "RolePolicyAttachment broad" in message and "roleSelector={'team': 'x'}" in message


ACK_OTHER = """\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
spec:
  name: payments-api
  policies:
  - arn:aws:iam::aws:policy/ReadOnlyAccess
"""

TF_OTHER = """\
resource "aws_iam_role" "r" {
  name = "payments-api"
}

resource "aws_iam_role_policy_attachment" "ro" {
  role       = aws_iam_role.r.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"""


@pytest.mark.parametrize(
    ("fmt", "files", "seen"),
    [
        ("ack", {"r.yaml": ACK_OTHER}, "spec.policies arn:aws:iam::aws:policy/ReadOnlyAccess"),
        (
            "terraform",
            {"main.tf": TF_OTHER},
            'aws_iam_role_policy_attachment.ro ("arn:aws:iam::aws:policy/ReadOnly',
        ),
    ],
)
def test_not_attached_fails_naming_what_was_seen(fmt: str, files: dict[str, str], seen: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        edit_files(fmt, files, REQUEST, "")
    assert "not found attached to role 'payments-api'" in str(err.value)
    assert seen in str(err.value)


def test_rerun_over_a_merged_replacement_is_not_an_error() -> None:
    """After the pull request is merged the broad policy is gone and ours is attached: nothing is claimed."""
    files = {"r.yaml": ACK_OTHER.replace("ReadOnlyAccess", "PowerUserAccess")}
    first = edit_files("ack", files, REQUEST, "")
    merged = {"r.yaml": first.changes["r.yaml"] or ""}
    again = edit_files("ack", merged, REQUEST, "")
    assert again.changes == {} and again.detached == []


def other_role(group: str, version: str, labels: str = "    team: payments\n", namespace: str = "") -> str:
    return (
        f"apiVersion: {group}/{version}\nkind: Role\nmetadata:\n  name: checkout-api\n{namespace}"
        f"  labels:\n{labels}spec:\n  forProvider: {{}}\n"
    )


def test_crossplane_selector_matching_several_roles_is_refused_naming_them() -> None:
    """QA B17: upjet's examples label every object alike (``testing.upbound.io/example-name: role``); an
    attachment whose selector matches two Roles was removed as if attached to the role asked for, while
    Crossplane may have resolved it to the other one, which then lost its policy."""
    role = crossplane_by_selector("iam.aws.upbound.io", "v1beta1", "roleSelector", "        team: payments\n")
    files = {"r.yaml": role, "other.yaml": other_role("iam.aws.upbound.io", "v1beta1")}
    with pytest.raises(GitOpsEditError) as err:
        edit_files("crossplane", files, REQUEST, "")
    assert str(err.value) == (
        f"r.yaml (document 2): RolePolicyAttachment broad ({POWER}) selects its role with "
        "roleSelector.matchLabels {'team': 'payments'}, which matches 2 Roles in the files: "
        "other.yaml (document 1): Role checkout-api, r.yaml (document 1): Role payments-api; Crossplane "
        "picks one of them at runtime, so policygen cannot tell that it attaches the policy to "
        "'payments-api', and removing it could detach another role's policy: give it roleRef (the Role's "
        "metadata.name) or labels only that Role has, and run again"
    )
    # labels only payments-api has: edited
    files["other.yaml"] = other_role("iam.aws.upbound.io", "v1beta1", "    team: checkout\n")
    assert edit_files("crossplane", files, REQUEST, "").detached == [POWER]


def test_crossplane_namespaced_selector_counts_roles_of_its_namespace_only() -> None:
    """A namespaced (iam.aws.m.upbound.io) attachment selects in its own namespace: a Role with the same
    labels in another namespace is not a candidate."""
    group = "iam.aws.m.upbound.io"
    role = (
        crossplane_by_selector(group, "v1beta1", "roleSelector", "        team: payments\n")
        .replace("  name: payments-api\n", "  name: payments-api\n  namespace: team-a\n")
        .replace("  name: broad\n", "  name: broad\n  namespace: team-a\n")
    )
    files = {"r.yaml": role, "other.yaml": other_role(group, "v1beta1", namespace="  namespace: team-b\n")}
    assert edit_files("crossplane", files, REQUEST, "").detached == [POWER]
    files["other.yaml"] = other_role(group, "v1beta1", namespace="  namespace: team-a\n")
    with pytest.raises(GitOpsEditError, match="matches 2 Roles in the files"):
        edit_files("crossplane", files, REQUEST, "")


def test_crossplane_selector_matching_several_roles_of_a_kept_policy_is_only_listed() -> None:
    """Not removed, the attachment is not refused: it is listed as seen, with the Roles it may attach."""
    role = crossplane_by_selector("iam.aws.upbound.io", "v1beta1", "roleSelector", "        team: payments\n")
    kept = role.replace(POWER, "arn:aws:iam::aws:policy/ReadOnlyAccess")
    files = {"r.yaml": kept, "other.yaml": other_role("iam.aws.upbound.io", "v1beta1")}
    with pytest.raises(GitOpsEditError) as err:
        edit_files("crossplane", files, REQUEST, "")
    assert (
        "RolePolicyAttachment broad (arn:aws:iam::aws:policy/ReadOnlyAccess) (roleSelector matches "
        "other.yaml (document 1): Role checkout-api, r.yaml (document 1): Role payments-api: Crossplane "
        "picks one)" in str(err.value)
    )
