"""A Helm chart's templates under the path: Go templates, YAML only once Helm renders them.

A chart (helm.sh/docs/topics/charts: ``Chart.yaml`` beside a ``templates/`` folder, values in
``values.yaml``) that defines an ACK Role or Crossplane attachments cannot be edited as a manifest: its
``{{ .Values.x }}`` actions are not YAML. The refusal said only "not parsed (while parsing a flow node)",
which reads as a broken file rather than a chart to change by hand.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError
from tests.unit.domain.gitops.documents import DOC, POWER

REQUEST = EditRequest("arn:aws:iam::123456789012:role/payments-api", (DOC,), (POWER,))

# the shape of a chart's ACK Role template (the role's name and its managed policies from the values)
TEMPLATE = """\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: {{ .Values.iam.roleName }}
  labels:
    {{- include "payments.labels" . | nindent 4 }}
spec:
  name: {{ .Values.iam.roleName }}
  policies:
  {{- range .Values.iam.managedPolicies }}
    - {{ . }}
  {{- end }}
"""
CHART = {
    "charts/payments/Chart.yaml": "apiVersion: v2\nname: payments\nversion: 0.3.1\n",
    "charts/payments/values.yaml": f"iam:\n  roleName: payments-api\n  managedPolicies:\n    - {POWER}\n",
    "charts/payments/templates/iam-role.yaml": TEMPLATE,
}


@pytest.mark.parametrize("fmt", ["ack", "crossplane"])
def test_a_charts_template_is_named_as_a_helm_template_to_change_by_hand(fmt: str) -> None:
    with pytest.raises(GitOpsEditError) as err:
        edit_files(fmt, CHART, REQUEST, "charts/payments")
    message = str(err.value)
    assert (
        "charts/payments/templates/iam-role.yaml: a template of the Helm chart charts/payments/Chart.yaml, "
        "YAML only once Helm renders it: not read (policygen edits manifests, not charts: change the "
        "chart's values or templates by hand)" in message
    ), message


def test_a_go_template_outside_a_chart_is_named_as_a_template() -> None:
    """The chart's folder is not under the path: the template is still named as one."""
    files = {"charts/payments/templates/iam-role.yaml": TEMPLATE}
    with pytest.raises(GitOpsEditError) as err:
        edit_files("ack", files, REQUEST, "charts/payments/templates")
    assert (
        "charts/payments/templates/iam-role.yaml: a Go template ({{ ... }}), YAML only once it is rendered: "
        "not read" in str(err.value)
    )
