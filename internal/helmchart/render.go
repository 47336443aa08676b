package helmchart

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
)

// RenderOptions are `helm template`'s: the release, the values, and the
// cluster the chart is rendered for.
type RenderOptions struct {
	ReleaseName string // default: the chart's name
	Namespace   string // default: "default"
	Values      map[string]any
	// KubeVersion is .Capabilities.KubeVersion ("v1.36.0"); "" is Helm's default.
	KubeVersion string
	// APIVersions are added to .Capabilities.APIVersions ("monitoring.coreos.com/v1").
	APIVersions []string
}

// Manifest is one rendered file: the template (or crds/ file) it came
// from, relative to the top chart ("templates/deployment.yaml",
// "charts/redis/templates/svc.yaml"), and the YAML it produced.
type Manifest struct {
	Template string
	Content  string
	CRD      bool // from a crds/ directory (installed before the templates)
}

// MissingDependencyError: Chart.yaml names dependencies that are not in
// charts/; helm would need to download them (helm dependency build).
type MissingDependencyError struct {
	Chart   string
	Missing []string // "redis (https://charts.bitnami.com/bitnami, 19.x)"
}

func (e *MissingDependencyError) Error() string {
	return fmt.Sprintf("chart %s needs %s, not vendored in charts/; opsmcp does not download charts: run `helm dependency build` and validate again",
		e.Chart, strings.Join(e.Missing, ", "))
}

// ValuesSchemaError: the values break the chart's values.schema.json (or
// a subchart's).
type ValuesSchemaError struct{ Detail string }

func (e *ValuesSchemaError) Error() string {
	return "the values do not meet values.schema.json: " + e.Detail
}

// TemplateError: a template failed to render; Detail is Helm's message,
// which names the template and line.
type TemplateError struct{ Detail string }

func (e *TemplateError) Error() string { return "the chart does not render: " + e.Detail }

// Render renders a loaded chart as `helm template` does: dependencies
// processed (conditions, tags, import-values), values coalesced and checked
// against the schemas, every template rendered; partials, NOTES.txt and
// empty output left out. Hooks and tests are kept (helm template shows
// them), and so are the charts' crds/ files.
func Render(ch *chart.Chart, o RenderOptions) ([]Manifest, error) {
	if err := checkDependencies(ch); err != nil {
		return nil, err
	}
	if o.ReleaseName == "" {
		o.ReleaseName = ch.Name()
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if err := chartutil.ValidateReleaseName(o.ReleaseName); err != nil {
		return nil, fmt.Errorf("release name %q: %w", o.ReleaseName, err)
	}
	if msgs := validation.IsDNS1123Label(o.Namespace); len(msgs) > 0 {
		return nil, fmt.Errorf("namespace %q: %s", o.Namespace, strings.Join(msgs, "; "))
	}
	vals := o.Values
	if vals == nil {
		vals = map[string]any{}
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, fmt.Errorf("chart %s: dependencies: %w", ch.Name(), err)
	}
	caps := common.DefaultCapabilities.Copy()
	if o.KubeVersion != "" {
		kv, err := common.ParseKubeVersion(o.KubeVersion)
		if err != nil {
			return nil, err
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(caps.APIVersions, o.APIVersions...)
	if kv := ch.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart %s requires kubeVersion %s, which Kubernetes %s is not", ch.Name(), kv, caps.KubeVersion.Version)
	}
	top, err := util.ToRenderValuesWithSchemaValidation(ch, vals, common.ReleaseOptions{
		Name: o.ReleaseName, Namespace: o.Namespace, IsInstall: true, Revision: 1,
	}, caps, true)
	if err != nil {
		return nil, err
	}
	if err := ExternalSchemaRefs(ch); err != nil {
		return nil, err
	}
	if v, ok := top["Values"].(common.Values); ok {
		if err := util.ValidateAgainstSchema(ch, v); err != nil {
			return nil, &ValuesSchemaError{Detail: strings.TrimSpace(err.Error())}
		}
	}
	files, err := engine.Render(ch, top)
	if err != nil {
		return nil, &TemplateError{Detail: err.Error()}
	}
	var out []Manifest
	for _, crd := range ch.CRDObjects() {
		out = append(out, Manifest{Template: relToTop(ch, crd.Filename), Content: string(crd.File.Data), CRD: true})
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || strings.HasSuffix(name, "NOTES.txt") || strings.TrimSpace(files[name]) == "" {
			continue
		}
		out = append(out, Manifest{Template: relToTop(ch, name), Content: files[name]})
	}
	return out, nil
}

// ExternalSchemaRefs refuses a values.schema.json (of the chart or a
// subchart) whose $ref points outside itself: Helm's validator would fetch
// an http(s) URL or read a file: path from anywhere on the machine, past
// the path rule. Only references within the document ("#/...") are read.
func ExternalSchemaRefs(ch *chart.Chart) error {
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if s, ok := e.(string); ok && (k == "$ref" || k == "$dynamicRef") && !strings.HasPrefix(s, "#") {
					refs = append(refs, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	var each func(c *chart.Chart)
	each = func(c *chart.Chart) {
		if len(c.Schema) > 0 {
			var doc any
			if json.Unmarshal(c.Schema, &doc) == nil {
				walk(doc)
			}
		}
		for _, sub := range c.Dependencies() {
			each(sub)
		}
	}
	each(ch)
	if len(refs) > 0 {
		slices.Sort(refs)
		return &ValuesSchemaError{Detail: fmt.Sprintf("it refers to %s outside itself, which opsmcp neither fetches nor reads; inline the referenced schema", strings.Join(slices.Compact(refs), ", "))}
	}
	return nil
}

// relToTop drops the top chart's name: "web/charts/redis/templates/x.yaml"
// becomes "charts/redis/templates/x.yaml", a path inside the chart.
func relToTop(ch *chart.Chart, name string) string {
	return strings.TrimPrefix(path.Clean(name), ch.Name()+"/")
}

// checkDependencies reports, for the chart and each vendored subchart,
// the dependencies Chart.yaml names that charts/ does not hold: helm
// install refuses such a chart whatever the dependencies' conditions.
func checkDependencies(ch *chart.Chart) error {
	var missing []string
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		for _, d := range c.Metadata.Dependencies {
			found := slices.ContainsFunc(c.Dependencies(), func(sub *chart.Chart) bool { return sub.Name() == d.Name })
			if !found {
				desc := d.Name
				if d.Repository != "" || d.Version != "" {
					desc += " (" + strings.Trim(d.Repository+", "+d.Version, ", ") + ")"
				}
				missing = append(missing, desc)
			}
		}
		for _, sub := range c.Dependencies() {
			walk(sub)
		}
	}
	walk(ch)
	if len(missing) > 0 {
		return &MissingDependencyError{Chart: ch.Name(), Missing: missing}
	}
	return nil
}
