{{- define "policygen.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "policygen.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: policygen
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "policygen.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "policygen.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "policygen.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- /* The namespaces the operator watches, as a list: the admin's watchNamespaces, or the release's own namespace
when the admin listed none (and did not ask for every namespace with watchAllNamespaces). */ -}}
{{- define "policygen.watchNamespaces" -}}
{{- if and .Values.watchAllNamespaces .Values.watchNamespaces -}}
{{- fail "set either watchAllNamespaces=true or a watchNamespaces list, not both" -}}
{{- end -}}
{{- default (list .Release.Namespace) .Values.watchNamespaces | toJson -}}
{{- end -}}

{{- /* Where the operator may get Secrets: its own namespace (ClusterPolicyRepository credentials) and the namespaces
the admin lists in rbac.secretNamespaces (namespaced PolicyRepository credentials). Never cluster-wide. */ -}}
{{- define "policygen.secretNamespaces" -}}
{{- prepend .Values.rbac.secretNamespaces .Release.Namespace | uniq | toJson -}}
{{- end -}}
