"""ACK and Crossplane edits: round-trip YAML that keeps comments and untouched documents byte-for-byte."""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import ack, crossplane
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}
REQUEST = EditRequest("arn:aws:sts::123456789012:assumed-role/payments-api/session-1", (DOC,), (POWER,))

ACK = """\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
spec:
  name: payments-api
  policies:
  - arn:aws:iam::aws:policy/PowerUserAccess   # the only one
---
# unrelated, kept as is:   odd   spacing
apiVersion: v1
kind: ConfigMap
metadata: {name: x}
"""


def test_ack_removes_the_arn_adds_a_ref_and_a_policy_and_keeps_the_rest() -> None:
    result = ack.edit({"r.yaml": ACK}, REQUEST)
    text = result.changes["r.yaml"]
    assert text is not None
    assert text.startswith(
        "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata:\n  name: payments-api\nspec:\n"
        "  name: payments-api\n  policyRefs:\n  - from:\n      name: payments-api-policygen\n---\n"
        "# unrelated, kept as is:   odd   spacing\napiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: x}\n---\n"
        "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Policy\n"
    )
    assert result.detached == [POWER]
    assert ack.edit({"r.yaml": text}, REQUEST).changes == {}


def test_ack_updates_an_existing_policy_object_in_another_file() -> None:
    first = ack.edit({"r.yaml": ACK}, REQUEST).changes["r.yaml"]
    assert first is not None
    policy_doc = "---\n" + first.split("\n---\n", 2)[2]
    files = {"r.yaml": first.replace(policy_doc, "\n").rstrip("\n") + "\n", "policy.yaml": policy_doc[4:]}
    doc2 = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"}],
    }
    result = ack.edit(files, EditRequest(REQUEST.principal, (doc2,), (POWER,)))
    assert list(result.changes) == ["policy.yaml"]
    assert '"sqs:SendMessage"' in (result.changes["policy.yaml"] or "")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"r.yaml": ACK.replace("name: payments-api\n  policies", "name: other\n  policies")},
            "no ACK Role (iam.services.k8s.aws) with spec.name = 'payments-api' in 1 YAML file(s) "
            "under the path; "
            "other roles seen: other in r.yaml (document 1)",
        ),
        (
            {"a.yaml": ACK, "b.yaml": ACK},
            "role 'payments-api' is defined more than once: a.yaml (document 1), b.yaml (document 1)",
        ),
        ({"a.yaml": "key: [unclosed\n"}, "a.yaml: not parsed"),
    ],
)
def test_ack_errors(files: dict[str, str], message: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        ack.edit(files, REQUEST)
    assert message in str(err.value)


UPBOUND = """\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  name: payments-api
spec:
  forProvider:
    managedPolicyArns:
      - arn:aws:iam::aws:policy/PowerUserAccess
      - arn:aws:iam::aws:policy/ReadOnlyAccess
"""

UPBOUND_ATTACHED = """\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  name: payments-api-k8s
  annotations:
    crossplane.io/external-name: payments-api
spec:
  forProvider: {}
---
apiVersion: iam.aws.upbound.io/v1beta1
kind: RolePolicyAttachment
metadata:
  name: broad
spec:
  forProvider:
    policyArn: arn:aws:iam::aws:policy/PowerUserAccess
    roleRef:
      name: payments-api-k8s
"""


def test_upbound_managed_policy_arns_get_the_new_policy_arn() -> None:
    result = crossplane.edit({"r.yaml": UPBOUND}, REQUEST)
    text = result.changes["r.yaml"]
    assert text is not None
    assert (
        "    managedPolicyArns:\n      - arn:aws:iam::aws:policy/ReadOnlyAccess\n"
        "      - arn:aws:iam::123456789012:policy/payments-api-policygen\n"
    ) in text
    assert "kind: RolePolicyAttachment" not in text  # managedPolicyArns is exclusive
    assert "crossplane.io/external-name: payments-api-policygen" in text
    assert "    policy: |\n" in text


def test_upbound_attachment_by_external_name_and_role_ref() -> None:
    result = crossplane.edit({"r.yaml": UPBOUND_ATTACHED}, REQUEST)
    text = result.changes["r.yaml"]
    assert text is not None
    assert "name: broad" not in text and POWER not in text
    assert "    roleRef:\n      name: payments-api-k8s\n" in text
    assert "    policyArnRef:\n      name: payments-api-policygen\n" in text
    assert crossplane.edit({"r.yaml": text}, REQUEST).changes == {}


NAMESPACED = """\
apiVersion: iam.aws.m.upbound.io/v1beta1
kind: Role
metadata:
  name: payments-api
  namespace: payments
spec:
  forProvider: {}
  providerConfigRef:
    kind: ProviderConfig
    name: team-payments
---
apiVersion: iam.aws.m.upbound.io/v1beta1
kind: RolePolicyAttachment
metadata:
  name: broad
  namespace: payments
spec:
  forProvider:
    policyArn: arn:aws:iam::aws:policy/PowerUserAccess
    roleRef:
      name: payments-api
---
apiVersion: iam.aws.m.upbound.io/v1beta1
kind: RolePolicyAttachment
metadata:
  name: broad
  namespace: billing
spec:
  forProvider:
    policyArn: arn:aws:iam::aws:policy/PowerUserAccess
    roleRef:
      name: payments-api
"""


def test_crossplane_v2_namespaced_upbound_objects() -> None:
    """Crossplane v2's namespaced group (``iam.aws.m.upbound.io``): the new objects go in the role's
    namespace with its provider config, and an attachment in another namespace (its ``roleRef`` means a
    role there) is left alone."""
    result = crossplane.edit({"r.yaml": NAMESPACED}, REQUEST)
    text = result.changes["r.yaml"]
    assert text is not None
    assert result.detached == [POWER]
    assert "  name: broad\n  namespace: payments\n" not in text
    assert "  name: broad\n  namespace: billing\n" in text  # another namespace's role
    assert (
        "apiVersion: iam.aws.m.upbound.io/v1beta1\nkind: RolePolicyAttachment\nmetadata:\n"
        "  name: payments-api-policygen\n  namespace: payments\n"
    ) in text
    assert "apiVersion: iam.aws.m.upbound.io/v1beta1\nkind: Policy\n" in text
    assert (
        "  providerConfigRef:\n    kind: ProviderConfig\n    name: team-payments\n"
        in text.split("kind: Policy")[1]
    )
    assert crossplane.edit({"r.yaml": text}, REQUEST).changes == {}


def test_crossplane_role_not_found_lists_unparsed_files() -> None:
    with pytest.raises(
        GitOpsEditError,
        match=r"no Crossplane Role .* 'payments-api' in 2 YAML file\(s\).*"
        r"t.yaml: not parsed",
    ):
        # a Go template is named as one (test_helm_templates.py)
        crossplane.edit({"r.yaml": "a: 1\n", "t.yaml": "a: [\n"}, REQUEST)


def test_split_policy_gets_one_object_and_reference_per_part() -> None:
    request = EditRequest(REQUEST.principal, (DOC, DOC), (POWER,))
    text = ack.edit({"r.yaml": ACK}, request).changes["r.yaml"]
    assert text is not None
    assert "      name: payments-api-policygen\n  - from:\n      name: payments-api-policygen-2\n" in text
    assert text.count("kind: Policy\n") == 2 and "  name: payments-api-policygen-2\n" in text
