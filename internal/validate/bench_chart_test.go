package validate_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// chartOf500 writes a chart whose templates render 500 objects: 125
// services, each a Deployment, Service, ConfigMap and
// PodDisruptionBudget, from a range over the values.
func chartOf500(b *testing.B, dir string) {
	os.MkdirAll(filepath.Join(dir, "templates"), 0o755)
	os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: fleet\nversion: 1.0.0\n"), 0o644)
	var vals strings.Builder
	vals.WriteString("services:\n")
	for i := range 125 {
		fmt.Fprintf(&vals, "  - name: svc%03d\n    image: registry.example.com/svc%03d:1.%d.0\n    port: %d\n", i, i, i, 8000+i)
	}
	os.WriteFile(filepath.Join(dir, "values.yaml"), []byte(vals.String()), 0o644)
	tmpl := `{{- range .Values.services }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  labels: {app: {{ .name }}}
spec:
  replicas: 2
  selector:
    matchLabels: {app: {{ .name }}}
  template:
    metadata:
      labels: {app: {{ .name }}}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: app
          image: {{ .image }}
          ports: [{name: http, containerPort: {{ .port }}}]
          envFrom: [{configMapRef: {name: {{ .name }}-config}}]
          readinessProbe: {httpGet: {path: /ready, port: http}}
          livenessProbe: {httpGet: {path: /live, port: http}}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
spec:
  selector: {app: {{ .name }}}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}-config
data:
  PORT: {{ .port | quote }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: {{ .name }}}
{{- end }}
`
	os.WriteFile(filepath.Join(dir, "templates", "fleet.yaml"), []byte(tmpl), 0o644)
}

// BenchmarkChart500Objects validates a chart that renders 500 objects:
// opsmcp (render in-process, schema, the apiserver's checks and every
// rule) against `helm template | kubeconform -strict` with helm v4.2.4
// built from the module proxy and schemas from the same apiserver, in the
// same run: median wall time and peak memory of each.
func BenchmarkChart500Objects(b *testing.B) {
	k := testenv.SharedKubesim(b)
	tmp := b.TempDir()
	schemas := filepath.Join(tmp, "schemas")
	os.MkdirAll(schemas, 0o755)
	kubeconformSchemas(b, k, schemas)
	chart := filepath.Join(tmp, "fleet")
	chartOf500(b, chart)
	kc := testenv.GoTool(b, "github.com/yannh/kubeconform/cmd/kubeconform", "v0.8.0", "kubeconform")
	helm := testenv.GoTool(b, "helm.sh/helm/v4/cmd/helm", "v4.2.4", "helm")
	ops := filepath.Join(testenv.Binaries(b), "opsmcp-validate")
	loc := schemas + "/{{ .ResourceKind }}{{ .KindSuffix }}.json"
	pipeline := fmt.Sprintf("%s template %s | %s -strict -summary -schema-location '%s' -", helm, chart, kc, loc)
	var ours, theirs []time.Duration
	var oursRSS, theirsRSS []int64
	report := filepath.Join(tmp, "report.json")
	b.ResetTimer()
	for range max(b.N, 5) {
		m := testenv.PeakRSS(b, ops, "--format", "json", "--fail-on", "never", "--output", report, chart)
		ours, oursRSS = append(ours, m.Wall), append(oursRSS, m.PeakRSS)
		m = testenv.PeakRSS(b, "/bin/sh", "-c", pipeline)
		theirs, theirsRSS = append(theirs, m.Wall), append(theirsRSS, m.PeakRSS)
	}
	b.StopTimer()
	b.ReportMetric(float64(testenv.Median(ours).Microseconds())/1000, "opsmcp-ms")
	b.ReportMetric(float64(testenv.Median(theirs).Microseconds())/1000, "helm-template|kubeconform-ms")
	b.ReportMetric(float64(testenv.Median(ours))/float64(testenv.Median(theirs)), "ratio")
	b.ReportMetric(float64(testenv.Median(oursRSS))/(1<<20), "opsmcp-peak-MB")
	b.ReportMetric(float64(testenv.Median(theirsRSS))/(1<<20), "pipeline-peak-MB")
	data, _ := os.ReadFile(report)
	var rep validate.Report
	if err := json.Unmarshal(data, &rep); err != nil || rep.Resources != 500 || rep.Errors != 0 {
		b.Fatalf("opsmcp: %d resources, %d errors: %v", rep.Resources, rep.Errors, err)
	}
}
