{{/* The name of every object: the release's, with the chart's name unless it holds it. */}}
{{- define "opsmcp.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "opsmcp.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "opsmcp.labels" -}}
{{ include "opsmcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "opsmcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "opsmcp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* opsmcp.yaml: the values' config, with http.allowed_hosts defaulting to the Service's names and the Ingress host. */}}
{{- define "opsmcp.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $http := default (dict) (get $config "http") -}}
{{- if not (hasKey $http "allowed_hosts") -}}
{{- $svc := include "opsmcp.fullname" . -}}
{{- $hosts := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) -}}
{{- if and .Values.ingress.enabled .Values.ingress.host -}}
{{- $hosts = append $hosts .Values.ingress.host -}}
{{- end -}}
{{- $_ := set $http "allowed_hosts" $hosts -}}
{{- end -}}
{{- $_ := set $config "http" $http -}}
{{- toYaml $config -}}
{{- end -}}
