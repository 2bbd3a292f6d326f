"""What the Kustomize patch tests share: the edit they ask for (PowerUserAccess off role payments-api), the
policy kept beside it, the two base Roles overlays patch, and an overlay's head and a patch's target."""

from __future__ import annotations

from policygen_operator.domain.gitops.model import EditRequest
from tests.unit.domain.gitops.documents import DOC, POWER

REQUEST = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER,))
CLOUDWATCH = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"

# aws-controllers-k8s/iam-controller test/e2e/resources/role_simple.yaml, named and given policies
ACK_BASE = f"""\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: payments-api
  namespace: payments
spec:
  name: payments-api
  assumeRolePolicyDocument: '{{}}'
  policies:
    - {POWER}
    - {CLOUDWATCH}
"""

# crossplane-contrib/provider-upjet-aws examples/iam/cluster/v1beta1/role.yaml, named and given policies
CROSSPLANE_BASE = f"""\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  name: payments-api
spec:
  forProvider:
    assumeRolePolicy: '{{}}'
    managedPolicyArns:
      - {POWER}
      - {CLOUDWATCH}
"""

OVERLAY = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n"
TARGET = "    target:\n      kind: Role\n      name: payments-api\n"
