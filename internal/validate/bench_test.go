package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// kubeconformSchemas writes strict JSON schemas in kubeconform's layout
// ({kind}-{group}-{version}.json) from the apiserver's own OpenAPI v2, as
// openapi2jsonschema --strict does: every object refuses unknown fields,
// int-or-string and quantities accept both forms.
func kubeconformSchemas(b *testing.B, k *testenv.Kubesim, dir string) {
	tr, err := rest.TransportFor(k.RestConfig())
	if err != nil {
		b.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Get(k.Server + "/openapi/v2")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		b.Fatal(err)
	}
	var fix func(v any) any
	fix = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			if f, _ := t["format"].(string); f == "int-or-string" {
				return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
			}
			out := map[string]any{}
			for k, x := range t {
				if k == "description" {
					continue
				}
				if k == "$ref" {
					out[k] = x
					continue
				}
				out[k] = fix(x)
			}
			if _, ok := out["properties"]; ok {
				if _, set := out["additionalProperties"]; !set {
					out["additionalProperties"] = false
				}
			}
			return out
		case []any:
			for i := range t {
				t[i] = fix(t[i])
			}
		}
		return v
	}
	defs := map[string]any{}
	for name, d := range doc.Definitions {
		switch name {
		case "io.k8s.apimachinery.pkg.api.resource.Quantity":
			defs[name] = map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
		case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
			defs[name] = map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
		default:
			defs[name] = fix(d)
		}
	}
	for name, d := range doc.Definitions {
		gvks, _ := d["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			m := g.(map[string]any)
			group, _ := m["group"].(string)
			suffix := "-" + m["version"].(string)
			if group != "" {
				suffix = "-" + strings.Split(group, ".")[0] + suffix
			}
			schema := map[string]any{"$ref": "#/definitions/" + name, "definitions": defs}
			data, _ := json.Marshal(schema)
			os.WriteFile(filepath.Join(dir, strings.ToLower(m["kind"].(string))+suffix+".json"), data, 0o644)
		}
	}
}

// tenThousand writes 10,000 resources (the corpus's valid manifests,
// repeated under new names) into 100 files.
func tenThousand(b *testing.B, dir string) int {
	corpus := filepath.Join(testenv.RepoRoot(b), "testdata", "validate", "kubernetes", "corpus")
	files, _ := filepath.Glob(filepath.Join(corpus, "v*.yaml"))
	sort.Strings(files)
	var docs []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if strings.Contains(string(data), "kind: List") || strings.Contains(string(data), "duplicate") {
			continue
		}
		for _, d := range strings.Split(string(data), "\n---\n") {
			if strings.Contains(d, "kind:") {
				docs = append(docs, strings.TrimSpace(d))
			}
		}
	}
	n := 0
	for f := 0; f < 100; f++ {
		var buf bytes.Buffer
		for i := 0; i < 100; i++ {
			d := docs[n%len(docs)]
			d = strings.Replace(d, "\n  name: ", fmt.Sprintf("\n  name: r%d-", n), 1)
			buf.WriteString(d + "\n---\n")
			n++
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.yaml", f)), buf.Bytes(), 0o644)
	}
	return n
}

// BenchmarkKubernetes10k validates 10,000 resources with opsmcp (schema,
// the apiserver's checks and every rule) and with kubeconform 0.8.0 given
// strict schemas from the same apiserver, in the same run: resources per
// second and peak memory of each process.
func BenchmarkKubernetes10k(b *testing.B) {
	k := testenv.SharedKubesim(b)
	tmp := b.TempDir()
	schemas := filepath.Join(tmp, "schemas")
	os.MkdirAll(schemas, 0o755)
	kubeconformSchemas(b, k, schemas)
	corpus := filepath.Join(tmp, "corpus")
	os.MkdirAll(corpus, 0o755)
	n := tenThousand(b, corpus)

	kc := testenv.GoTool(b, "github.com/yannh/kubeconform/cmd/kubeconform", "v0.8.0", "kubeconform")
	ops := filepath.Join(testenv.Binaries(b), "opsmcp")
	loc := schemas + "/{{ .ResourceKind }}{{ .KindSuffix }}.json"
	var oursD, kc1D, kc2D time.Duration
	var oursRSS, kcRSS []int64
	b.ResetTimer()
	for range b.N {
		m := testenv.PeakRSS(b, ops, "validate", "--type", "kubernetes", "--format", "json", "--fail-on", "never", "--output", filepath.Join(tmp, "report.json"), corpus)
		oursD += m.Wall
		oursRSS = append(oursRSS, m.PeakRSS)
		m = testenv.PeakRSS(b, kc, "-strict", "-summary", "-n", "2", "-schema-location", loc, corpus)
		kc2D += m.Wall
		kcRSS = append(kcRSS, m.PeakRSS)
		m = testenv.PeakRSS(b, kc, "-strict", "-summary", "-n", "1", "-schema-location", loc, corpus)
		kc1D += m.Wall
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(n) * float64(b.N) / d.Seconds() }
	b.ReportMetric(per(oursD), "opsmcp-resources/s")
	b.ReportMetric(per(kc2D), "kubeconform-n2-resources/s")
	b.ReportMetric(per(kc1D), "kubeconform-n1-resources/s")
	mb := func(v []int64) (median, highest float64) {
		slices.Sort(v)
		return float64(v[len(v)/2]) / (1 << 20), float64(v[len(v)-1]) / (1 << 20)
	}
	med, top := mb(oursRSS)
	b.ReportMetric(med, "opsmcp-peak-MB-median")
	b.ReportMetric(top, "opsmcp-peak-MB-max")
	med, top = mb(kcRSS)
	b.ReportMetric(med, "kubeconform-peak-MB-median")
	b.ReportMetric(top, "kubeconform-peak-MB-max")
	data, _ := os.ReadFile(filepath.Join(tmp, "report.json"))
	var rep validate.Report
	if err := json.Unmarshal(data, &rep); err != nil || rep.Resources != n {
		b.Fatalf("opsmcp validated %d of %d resources: %v", rep.Resources, n, err)
	}
}

// BenchmarkKubernetes10kInProcess is validate.Run alone on the same 10,000
// resources (no process start, no report writing).
func BenchmarkKubernetes10kInProcess(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "corpus")
	os.MkdirAll(dir, 0o755)
	n := tenThousand(b, dir)
	b.ResetTimer()
	for b.Loop() {
		rep, err := validate.Run(context.Background(), []string{dir}, validate.Options{Type: "kubernetes", Strict: true})
		if err != nil || rep.Resources != n {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkDockerfile2000Lines validates a 2,000-line corpus of
// Dockerfiles (the rule examples, repeated).
func BenchmarkDockerfile2000Lines(b *testing.B) {
	examples, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(b), "testdata", "validate", "docker", "rules", "*", "*.Dockerfile"))
	dir := b.TempDir()
	lines := 0
	for i := 0; lines < 2000; i++ {
		data, _ := os.ReadFile(examples[i%len(examples)])
		lines += bytes.Count(data, []byte("\n"))
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("svc%03d.Dockerfile", i)), data, 0o644)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := validate.Run(context.Background(), []string{dir}, validate.Options{Type: "docker", Strict: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines), "lines")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/run")
}

// BenchmarkTerraform100Resources validates a configuration of 100
// resources: terraform init, validate -json, fmt -check and the rules.
func BenchmarkTerraform100Resources(b *testing.B) {
	testenv.Terraform(b)
	dir := filepath.Join(b.TempDir(), "ws")
	os.MkdirAll(dir, 0o755)
	var src strings.Builder
	src.WriteString("terraform {\n  required_version = \">= 1.5\"\n}\n\n")
	for i := range 100 {
		fmt.Fprintf(&src, "resource \"terraform_data\" \"r%03d\" {\n  input = \"value-%d\"\n}\n\n", i, i)
	}
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src.String()), 0o644)
	b.ResetTimer()
	for b.Loop() {
		rep, err := validate.Run(context.Background(), []string{dir}, validate.Options{Type: "terraform", Strict: true})
		if err != nil || rep.Errors != 0 {
			b.Fatalf("%v %+v", err, rep)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/run")
}
