package validate_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/helmchart"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/internal/validate"
)

func findingsOf(rep *validate.Report, rule string) []validate.Finding {
	var out []validate.Finding
	for _, f := range rep.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// writeChart writes a chart named name under dir: its files by relative
// path, and a Chart.yaml unless files give one.
func writeChart(t *testing.T, dir, name string, files map[string]string) string {
	t.Helper()
	root := filepath.Join(dir, name)
	if _, ok := files["Chart.yaml"]; !ok {
		files["Chart.yaml"] = "apiVersion: v2\nname: " + name + "\nversion: 0.1.0\n"
	}
	for rel, body := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func runUnits(t *testing.T, paths []string, opts validate.Options) *validate.Report {
	t.Helper()
	if opts.Type == "" {
		opts.Type = "auto"
	}
	opts.Strict = true
	rep, err := validate.Run(context.Background(), paths, opts)
	if err != nil {
		t.Fatalf("%v: %v", paths, err)
	}
	return rep
}

// A directory walk validates each chart once, rendered as a whole: its
// templates are never read as YAML, findings name the template and the
// object it produced, and --values/--set/release/namespace are helm's.
func TestChartsAreRenderedAndValidatedAsAWhole(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "validate", "helm")
	rep := runUnits(t, []string{root}, validate.Options{})
	if len(findingsOf(rep, "yaml-syntax")) > 0 {
		t.Fatalf("templates were read as raw YAML:\n%s", validate.Text(rep, false))
	}
	charts := 0
	for _, e := range []string{"shop", "strict", "broken"} {
		if _, err := os.Stat(filepath.Join(root, e, "Chart.yaml")); err == nil {
			charts++
		}
	}
	if rep.Files < charts {
		t.Fatalf("want each of %d charts counted once, got %d files", charts, rep.Files)
	}
	mismatch := findingsOf(rep, "selector-mismatch")
	if len(mismatch) != 1 {
		t.Fatalf("broken chart: want one selector-mismatch:\n%s", validate.Text(rep, false))
	}
	f := mismatch[0]
	if f.File != filepath.Join(root, "broken", "templates", "deployment.yaml") || f.Resource != "Deployment/broken" || f.Line != 0 || !strings.Contains(f.Via, "helm chart") {
		t.Fatalf("the finding names the template and the object: %+v", f)
	}
	// The vendored subchart is rendered (Deployment, Service and the
	// cache's StatefulSet), and its claim mount is no error.
	if rep := runUnits(t, []string{filepath.Join(root, "shop")}, validate.Options{}); rep.Resources != 3 || rep.Errors != 0 {
		t.Fatalf("the vendored subchart must be rendered and valid: %d resources\n%s", rep.Resources, validate.Text(rep, false))
	}
	// Objects from charts have the release's namespace: no missing-namespace.
	if n := len(findingsOf(rep, "missing-namespace")); n > 0 {
		t.Fatalf("missing-namespace on chart objects: %d", n)
	}

	shop := filepath.Join(root, "shop")
	rep = runUnits(t, []string{shop}, validate.Options{Chart: validate.ChartOptions{
		ValuesFiles: []string{filepath.Join(shop, "ci", "bad-ingress-host.yaml")}, Set: []string{"image.tag=latest", "cache.enabled=false"},
		ReleaseName: "store", Namespace: "retail"}})
	if fs := findingsOf(rep, "invalid-ingress"); len(fs) != 1 || fs[0].Resource != "Ingress/store" || !strings.HasSuffix(fs[0].File, filepath.Join("templates", "ingress.yaml")) || !strings.Contains(fs[0].Via, "release store") {
		t.Fatalf("values file: want the Ingress host refused:\n%s", validate.Text(rep, false))
	}
	if len(findingsOf(rep, "latest-tag")) != 1 {
		t.Fatalf("--set image.tag=latest: want latest-tag:\n%s", validate.Text(rep, false))
	}
	if rep.Resources != 3 { // Deployment, Service, Ingress; no cache
		t.Fatalf("cache.enabled=false must leave the subchart out: %d resources", rep.Resources)
	}

	// The values schema: a violation is the chart's finding, nothing rendered.
	rep = runUnits(t, []string{filepath.Join(root, "strict")}, validate.Options{Chart: validate.ChartOptions{Set: []string{"replicaCount=0", "logLevel=loud"}}})
	if fs := findingsOf(rep, "helm-values-schema"); len(fs) != 1 || !strings.Contains(fs[0].Message, "replicaCount") || !strings.Contains(fs[0].Message, "logLevel") || rep.Resources != 0 || rep.Valid {
		t.Fatalf("values schema violation:\n%s", validate.Text(rep, false))
	}

	// Helm's own release name rule, and a namespace that is a DNS label.
	rep = runUnits(t, []string{shop}, validate.Options{Chart: validate.ChartOptions{ReleaseName: "Shop_Front", Namespace: "retail"}})
	if fs := findingsOf(rep, "helm-render"); len(fs) != 1 || !strings.Contains(fs[0].Message, `release name "Shop_Front"`) {
		t.Fatalf("a bad release name:\n%s", validate.Text(rep, false))
	}

	// A packaged chart renders like its directory.
	dir := t.TempDir()
	ch, err := helmchart.Load(fsguard.CommandLine(16<<20), filepath.Join(root, "broken"))
	if err != nil {
		t.Fatal(err)
	}
	tgz, err := chartutil.Save(ch, dir)
	if err != nil {
		t.Fatal(err)
	}
	rep = runUnits(t, []string{tgz}, validate.Options{})
	if fs := findingsOf(rep, "selector-mismatch"); len(fs) != 1 || fs[0].File != filepath.Join(tgz, "templates", "deployment.yaml") {
		t.Fatalf("packaged chart:\n%s", validate.Text(rep, false))
	}

	// A dependency that needs a download is reported, not fetched.
	needs := writeChart(t, dir, "needs", map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: needs\nversion: 0.1.0\ndependencies:\n  - name: postgresql\n    version: 15.5.0\n    repository: https://127.0.0.1:1/charts\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	rep = runUnits(t, []string{needs}, validate.Options{})
	if fs := findingsOf(rep, "helm-dependency"); len(fs) != 1 || !strings.Contains(fs[0].Message, "postgresql (https://127.0.0.1:1/charts, 15.5.0)") || !strings.Contains(fs[0].Hint, "helm dependency build") {
		t.Fatalf("missing dependency:\n%s", validate.Text(rep, false))
	}

	// A values schema that refers outside itself is neither fetched nor read.
	leaky := writeChart(t, dir, "leaky", map[string]string{
		"values.schema.json": `{"type":"object","properties":{"a":{"$ref":"file:///etc/hostname"},"b":{"$ref":"#/$defs/b"}},"$defs":{"b":{"type":"string"}}}`,
		"templates/cm.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	rep = runUnits(t, []string{leaky}, validate.Options{})
	if fs := findingsOf(rep, "helm-values-schema"); len(fs) != 1 || !strings.Contains(fs[0].Message, "file:///etc/hostname") || strings.Contains(fs[0].Message, "#/$defs/b") {
		t.Fatalf("a schema referring outside itself:\n%s", validate.Text(rep, false))
	}

	// A comment in a template suppresses on the object it renders.
	quiet := writeChart(t, dir, "quiet", map[string]string{
		"templates/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  # opsmcp:ignore host-network the agent reads the node's interfaces\n  hostNetwork: true\n  containers:\n    - name: a\n      image: busybox:1.36\n",
	})
	rep = runUnits(t, []string{quiet}, validate.Options{})
	if fs := findingsOf(rep, "host-network"); len(fs) != 1 || fs[0].Suppressed.Kind != validate.SuppressedByComment {
		t.Fatalf("a comment in a template:\n%+v", fs)
	}
}

// An overlay is built once, as a whole; findings name the source file and
// the overlay; a remote base is reported and not fetched; kustomize reads
// only what the path rule allows.
func TestKustomizationsAreBuiltAndValidated(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "validate", "kustomize", "shop")
	rep := runUnits(t, []string{root}, validate.Options{})
	if rep.Files != 3 {
		t.Fatalf("want base and two overlays, got %d inputs:\n%s", rep.Files, validate.Text(rep, false))
	}
	ports := findingsOf(rep, "invalid-port")
	if len(ports) == 0 {
		t.Fatalf("the prod patch breaks the Deployment:\n%s", validate.Text(rep, false))
	}
	for _, f := range ports {
		if f.Resource != "Deployment/shop-prod/shop" || f.File != filepath.Join(root, "base", "deployment.yaml") || f.Via != "kustomize "+filepath.Join(root, "overlays", "prod") {
			t.Fatalf("the finding names the object, its source file and the overlay: %+v", f)
		}
	}
	for _, f := range rep.Findings {
		if f.Severity == validate.SeverityError && !strings.Contains(f.Via, "prod") {
			t.Fatalf("only the prod overlay is broken: %+v", f)
		}
	}

	// Only the overlay's directory allowed: its base cannot be read.
	g := fsguard.Confined([]string{filepath.Join(root, "overlays")}, 16<<20)
	rep = runUnits(t, []string{filepath.Join(root, "overlays", "staging")}, validate.Options{Files: g})
	if fs := findingsOf(rep, "kustomize-build"); len(fs) != 1 || rep.Resources != 0 {
		t.Fatalf("a base outside the allowed paths must not be read:\n%s", validate.Text(rep, false))
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("resources:\n  - github.com/example/infra//apps/web?ref=v1.2.0\n"), 0o644)
	rep = runUnits(t, []string{dir}, validate.Options{})
	if fs := findingsOf(rep, "kustomize-remote"); len(fs) != 1 || !strings.Contains(fs[0].Message, "github.com/example/infra//apps/web?ref=v1.2.0") {
		t.Fatalf("remote base:\n%s", validate.Text(rep, false))
	}
}
