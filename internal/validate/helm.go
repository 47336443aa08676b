package validate

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/helmchart"
	"github.com/opsmcp/opsmcp/internal/validate/kubeschema"
)

func init() {
	registerType("helm", SeverityError,
		&Rule{ID: "helm-render", Always: true, Summary: "A Helm chart does not load or render (a template error, an incompatible kubeVersion).", Rationale: "helm install would fail the same way."},
		&Rule{ID: "helm-values-schema", Always: true, Summary: "The values break the chart's values.schema.json.", Rationale: "helm install refuses such values before rendering."},
		&Rule{ID: "helm-dependency", Always: true, Summary: "A dependency in Chart.yaml is not vendored in charts/; opsmcp does not download charts.", Rationale: "What is not rendered cannot be validated: run helm dependency build first."},
	)
}

// ChartOptions are helm template's flags for the charts a run finds.
type ChartOptions struct {
	ValuesFiles []string       `json:"values_files,omitempty"`
	Values      map[string]any `json:"values,omitempty"`
	Set         []string       `json:"set,omitempty"`
	ReleaseName string         `json:"release_name,omitempty"`
	Namespace   string         `json:"namespace,omitempty"`
}

// kubeSource is a Kubernetes file to check: on disk (data nil) or
// rendered by a chart or a kustomization (data in hand).
type kubeSource struct {
	file string
	data []byte
	// drop are rules that do not apply to rendered output: an empty
	// template is a disabled feature, and Helm gives objects the release's
	// namespace at install.
	drop []string
}

// shownAs is how a rendered source is named in findings.
type shownAs struct{ file, via string }

// kubeSources are the Kubernetes inputs of a run, and the names findings
// on rendered ones are reported under.
type kubeSources struct {
	files []kubeSource
	shown map[string]shownAs
}

// addRendered adds rendered YAML under a key of its own (two overlays
// render the same base file differently), shown as file via via.
func (k *kubeSources) addRendered(file, via string, data []byte, drop ...string) {
	if k.shown == nil {
		k.shown = map[string]shownAs{}
	}
	key := fmt.Sprintf("%s#%d", file, len(k.files))
	k.shown[key] = shownAs{file, via}
	k.files = append(k.files, kubeSource{file: key, data: data, drop: append(drop, "empty-file")})
}

// unitOf says whether dir is validated as a whole: "chart" for a Helm
// chart (Chart.yaml), "kustomize" for a kustomization.
func unitOf(g *fsguard.Guard, dir, typ string) string {
	exists := func(name string) bool {
		_, st, err := g.Resolve(filepath.Join(dir, name))
		return err == nil && st.Mode().IsRegular()
	}
	if (typ == "auto" || typ == "helm") && exists("Chart.yaml") {
		return "chart"
	}
	if typ == "auto" || typ == "kustomize" {
		for _, name := range kustomizationFiles {
			if exists(name) {
				return "kustomize"
			}
		}
	}
	return ""
}

// isPackagedChart: a .tgz named on the command line is a packaged chart.
func isPackagedChart(g *fsguard.Guard, path string) bool {
	if !strings.HasSuffix(path, ".tgz") && !strings.HasSuffix(path, ".tar.gz") {
		return false
	}
	head, _ := g.Peek(path, 2)
	return len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b
}

// renderChart renders a chart as helm template does and queues what it
// renders; a chart that cannot be rendered is a finding, not a failed run.
func renderChart(g *fsguard.Guard, path string, opts Options, kube *kubeSources, add func(Finding)) {
	o := opts.Chart
	via := "helm chart " + path
	fail := func(rule string, err error, hint string) {
		add(Finding{Rule: rule, Severity: SeverityError, File: path, Message: err.Error(), Via: via, Hint: hint})
	}
	ch, err := helmchart.Load(g, path)
	if err != nil {
		fail("helm-render", err, "")
		return
	}
	if o.ReleaseName != "" {
		via += " (release " + o.ReleaseName + ")"
	}
	vals, err := helmchart.Values(g, o.ValuesFiles, o.Values, o.Set)
	if err != nil {
		fail("helm-values-schema", err, "")
		return
	}
	cat, _ := kubeschema.Load()
	version := ""
	if cat != nil {
		version = cat.Version
	}
	manifests, err := helmchart.Render(ch, helmchart.RenderOptions{ReleaseName: o.ReleaseName, Namespace: o.Namespace, Values: vals, KubeVersion: version})
	var missing *helmchart.MissingDependencyError
	var schema *helmchart.ValuesSchemaError
	switch {
	case errors.As(err, &missing):
		fail("helm-dependency", err, "helm dependency build "+path)
		return
	case errors.As(err, &schema):
		fail("helm-values-schema", err, "")
		return
	case err != nil:
		fail("helm-render", err, "")
		return
	}
	for _, m := range manifests {
		kube.addRendered(filepath.Join(path, filepath.FromSlash(m.Template)), via, []byte(m.Content), "missing-namespace")
	}
}

// EnclosingUnit is the chart or kustomization a file belongs to (the
// nearest directory above it holding Chart.yaml or a kustomization), or
// "" when there is none: an edited template is validated by rendering
// its chart, not read as YAML.
func EnclosingUnit(g *fsguard.Guard, file string) string {
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		if unitOf(g, dir, "auto") != "" {
			return dir
		}
		if parent := filepath.Dir(dir); parent == dir {
			return ""
		}
	}
}
