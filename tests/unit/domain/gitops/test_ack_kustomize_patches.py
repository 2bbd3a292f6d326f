"""An ACK Role whose policies a Kustomize overlay patches.

A common layout (base/role.yaml, overlays/prod/kustomization.yaml with ``patches: - path:
role-policies.yaml``) gives one environment other managed policies with a patch: a Role document with the
same ``metadata.name`` and no ``spec.name`` (the CRD requires it of a whole Role, so such a document is a
patch). Kustomize applies a patch of a custom resource as a JSON merge patch, which replaces a list whole
(RFC 7386 "JSON Merge Patch"; "Update API Objects in Place Using kubectl patch" in the Kubernetes docs:
strategic merge patch is not supported for custom resources). A broad ARN in the patch's
``spec.policies`` is what that environment attaches: an edit of the base alone leaves it there and does not
give the environment the generated policy.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops import ack
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.documents import POWER
from tests.unit.domain.gitops.kustomize_layouts import CLOUDWATCH, REQUEST

# aws-controllers-k8s/iam-controller test/e2e/resources/role_simple.yaml, named and given policies
BASE = f"""\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
  namespace: payments
spec:
  name: payments-api
  assumeRolePolicyDocument: '{{}}'
  policies:
    - {CLOUDWATCH}
"""
PATCH = f"""\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
  namespace: payments
spec:
  policies:
    - {POWER}
    - {CLOUDWATCH}
"""


def test_a_broad_policy_only_an_overlays_patch_attaches_is_named_in_the_refusal() -> None:
    files = {"base/role.yaml": BASE, "overlays/prod/role-policies.yaml": PATCH}
    with pytest.raises(GitOpsEditError) as err:
        ack.edit(files, REQUEST)
    message = str(err.value)
    assert message.startswith(
        "overlays/prod/role-policies.yaml (document 1): a patch of Role payments-api (no spec.name: a "
        f"Kustomize overlay's) lists {POWER} in spec.policies, which replaces the Role's list where the "
        "overlay is applied: policygen does not edit patches"
    ), message


def test_a_broad_policy_in_both_the_base_and_a_patch_is_refused() -> None:
    """Editing the base alone would claim the replacement while the overlay keeps the broad policy."""
    base = BASE.replace(f"    - {CLOUDWATCH}\n", f"    - {POWER}\n    - {CLOUDWATCH}\n")
    files = {"base/role.yaml": base, "overlays/prod/role-policies.yaml": PATCH}
    with pytest.raises(GitOpsEditError, match=r"overlays/prod/role-policies.yaml \(document 1\): a patch"):
        ack.edit(files, REQUEST)


def test_a_patch_without_the_broad_policy_does_not_stop_the_edit() -> None:
    base = BASE.replace(f"    - {CLOUDWATCH}\n", f"    - {POWER}\n    - {CLOUDWATCH}\n")
    patch = PATCH.replace(f"    - {POWER}\n", "")
    result = ack.edit({"base/role.yaml": base, "overlays/prod/role-policies.yaml": patch}, REQUEST)
    assert result.detached == [POWER]
    assert "overlays/prod/role-policies.yaml" not in result.changes


def test_a_role_of_another_namespace_is_no_patch_of_this_one() -> None:
    base = BASE.replace(f"    - {CLOUDWATCH}\n", f"    - {POWER}\n    - {CLOUDWATCH}\n")
    other = PATCH.replace("namespace: payments", "namespace: billing")
    result = ack.edit({"base/role.yaml": base, "other/role.yaml": other}, REQUEST)
    assert result.detached == [POWER]
