package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/opsmcp/opsmcp/internal/validate/kubeschema"
)

func init() {
	register(
		&Rule{ID: "yaml-syntax", Type: "kubernetes", Severity: SeverityError, Always: true, Summary: "The file is not valid YAML or JSON (or not UTF-8, or too large)."},
		&Rule{ID: "k8s-object", Type: "kubernetes", Severity: SeverityError, Always: true, Summary: "A document is not a Kubernetes object (apiVersion and kind)."},
		&Rule{ID: kubeschema.DuplicateKey, Type: "kubernetes", Severity: SeverityWarning, Summary: "A field is given twice in one object; kubectl silently keeps the last one."},
		&Rule{ID: kubeschema.UnknownField, Type: "kubernetes", Severity: SeverityError, Summary: "A field the kind's schema does not have (usually a typo); an error in strict mode, else a warning."},
		&Rule{ID: kubeschema.WrongType, Type: "kubernetes", Severity: SeverityError, Summary: "A value of the wrong type for its field."},
		&Rule{ID: kubeschema.Required, Type: "kubernetes", Severity: SeverityError, Summary: "A required field is missing."},
		&Rule{ID: kubeschema.NotInEnum, Type: "kubernetes", Severity: SeverityError, Summary: "A value outside the field's supported values."},
		&Rule{ID: kubeschema.BadFormat, Type: "kubernetes", Severity: SeverityError, Summary: "A value in the wrong format (quantity, base64, time)."},
		&Rule{ID: "empty-file", Type: "kubernetes", Severity: SeverityWarning, Summary: "A manifest file with no objects in it.", Rationale: "Usually a templating step produced nothing."},
		&Rule{ID: "unknown-kind", Type: "kubernetes", Severity: SeverityWarning, Summary: "A kind the embedded Kubernetes schemas do not have (a CRD): not schema-checked offline."},
		&Rule{ID: "removed-api", Type: "kubernetes", Severity: SeverityError, Summary: "An apiVersion the Kubernetes version no longer serves."},
	)
}

// kubeDoc is one Kubernetes object read from a file, with its nodes for
// positions and its value for checks.
type kubeDoc struct {
	file string
	node *yaml.Node // the object's mapping
	obj  map[string]any
	gvk  schema.GroupVersionKind
	// typed caches decodeAs results by type.
	typed map[reflect.Type]any
}

func (d *kubeDoc) name() string { s, _ := nested(d.obj, "metadata", "name").(string); return s }
func (d *kubeDoc) namespace() string {
	s, _ := nested(d.obj, "metadata", "namespace").(string)
	return s
}

// resource is Kind/namespace/name as findings name it.
func (d *kubeDoc) resource() string {
	if ns := d.namespace(); ns != "" {
		return d.gvk.Kind + "/" + ns + "/" + d.name()
	}
	return d.gvk.Kind + "/" + d.name()
}

// at locates a path (as kubeschema.JoinPath segments) in the document; a
// missing path points at its nearest existing parent.
func (d *kubeDoc) at(path []string) (int, int) {
	n := d.node
	for _, seg := range path {
		next := child(kubeschema.Resolve(n), seg)
		if next == nil {
			break
		}
		n = next
	}
	return n.Line, n.Column
}

func child(n *yaml.Node, seg string) *yaml.Node {
	if n == nil {
		return nil
	}
	if strings.HasPrefix(seg, "[") {
		i, err := strconv.Atoi(strings.Trim(seg, "[]"))
		if err != nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
			return nil
		}
		return n.Content[i]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == seg {
			// A key's problem is shown at its key, a value's at the key too
			// unless the value spans lines (then at the value).
			return n.Content[i+1]
		}
	}
	return nil
}

// parseKube reads every object of a YAML stream or JSON file and hands each
// to each as it is read, so that one document's tree at a time is held, not
// the whole file's. Syntax errors become findings with their line; parsing
// stops at the first one (the rest of a broken stream cannot be trusted).
func parseKube(file string, data []byte, add func(Finding), each func(*kubeDoc)) {
	if !utf8.Valid(data) {
		add(Finding{Rule: "yaml-syntax", Severity: SeverityError, File: file, Line: firstInvalidUTF8Line(data), Message: "the file is not valid UTF-8"})
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	objects := 0
	for i := 0; ; i++ {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			if i == 0 || objects == 0 {
				add(Finding{Rule: "empty-file", Severity: SeverityWarning, File: file, Line: 1, Message: "the file holds no Kubernetes objects"})
			}
			return
		}
		if err != nil {
			line := yamlErrorLine(err)
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			msg = strings.TrimPrefix(msg, fmt.Sprintf("line %d: ", line))
			add(Finding{Rule: "yaml-syntax", Severity: SeverityError, File: file, Line: max(line, 1), Message: msg})
			return
		}
		n := &root
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			n = n.Content[0]
		}
		n = kubeschema.Resolve(n)
		if n.Kind == yaml.ScalarNode && (kubeschema.ScalarKind(n) == "null" || n.Value == "") {
			continue // an empty document
		}
		if n.Kind != yaml.MappingNode {
			add(Finding{Rule: "k8s-object", Severity: SeverityError, File: file, Line: n.Line, Column: n.Column, Message: fmt.Sprintf("document %d is not an object", i+1)})
			continue
		}
		for _, d := range splitList(file, n, add) {
			objects++
			each(d)
		}
	}
}

// splitList returns the object, or the items of a kind: List.
func splitList(file string, n *yaml.Node, add func(Finding)) []*kubeDoc {
	d := &kubeDoc{file: file, node: n}
	raw, ok := toValue(n)
	v, isMap := raw.(map[string]any)
	if !ok || !isMap {
		add(Finding{Rule: "k8s-object", Severity: SeverityError, File: file, Line: n.Line, Message: fmt.Sprintf("the document nests deeper than %d levels or expands (through aliases) to more than %d values", maxDepth, maxNodes)})
		return nil
	}
	d.obj = v
	apiVersion, _ := v["apiVersion"].(string)
	kind, _ := v["kind"].(string)
	switch {
	case apiVersion == "":
		add(Finding{Rule: "k8s-object", Severity: SeverityError, File: file, Line: n.Line, Message: "apiVersion is missing"})
		return nil
	case kind == "":
		add(Finding{Rule: "k8s-object", Severity: SeverityError, File: file, Line: n.Line, Message: "kind is missing"})
		return nil
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		add(Finding{Rule: "k8s-object", Severity: SeverityError, File: file, Line: n.Line, Message: fmt.Sprintf("apiVersion %q: %v", apiVersion, err)})
		return nil
	}
	d.gvk = gv.WithKind(kind)
	if strings.HasSuffix(kind, "List") && gv.Group == "" && gv.Version == "v1" {
		if items := child(n, "items"); items != nil && items.Kind == yaml.SequenceNode {
			var out []*kubeDoc
			for _, it := range items.Content {
				if it = kubeschema.Resolve(it); it.Kind == yaml.MappingNode {
					out = append(out, splitList(file, it, add)...)
				}
			}
			return out
		}
	}
	return []*kubeDoc{d}
}

// Bounds on converting one document: nesting depth, and nodes visited
// (aliases can make a small file expand exponentially: "billion laughs").
const (
	maxDepth = 100
	maxNodes = 1_000_000
)

type converter struct{ nodes int }

// toValue converts a node the way kubectl reads YAML (YAML 1.1 scalars);
// ok is false when the document nests deeper than maxDepth or expands to
// more than maxNodes nodes.
func toValue(n *yaml.Node) (v any, ok bool) {
	c := &converter{}
	v = c.value(n, 0)
	return v, c.nodes <= maxNodes
}

func (c *converter) value(n *yaml.Node, depth int) any {
	n = kubeschema.Resolve(n)
	if c.nodes++; n == nil || c.nodes > maxNodes {
		return nil
	}
	if depth > maxDepth {
		c.nodes = maxNodes + 1
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content) && c.nodes <= maxNodes; i += 2 {
			m[kubeschema.Resolve(n.Content[i]).Value] = c.value(n.Content[i+1], depth+1)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			if c.nodes > maxNodes {
				break
			}
			l = append(l, c.value(e, depth+1))
		}
		return l
	}
	switch kubeschema.ScalarKind(n) {
	case "null":
		return nil
	case "bool":
		switch n.Value {
		case "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
			return true
		}
		return false
	case "int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return i
		}
	case "float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	return n.Value
}

func nested(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func yamlErrorLine(err error) int {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return 0
	}
	// yaml.v3 errors read "yaml: line N: ...".
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if j > 0 {
			if n, err := strconv.Atoi(rest[:j]); err == nil {
				return n
			}
		}
	}
	return 0
}

func firstInvalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// kubeChecker validates the objects of one run (rules like "a Service
// selects no workload" look across files).
type kubeChecker struct {
	opts    Options
	catalog *kubeschema.Catalog
	crds    *crdSchemas // nil when the run knows no CRD
	add     func(Finding)
}

func (k *kubeChecker) finding(d *kubeDoc, rule string, path []string, msg, hint string) {
	r := registry[rule]
	if r == nil {
		panic("validate: unregistered rule " + rule)
	}
	if !k.opts.Rules.on(r) {
		return
	}
	sev := r.Severity
	if rule == kubeschema.UnknownField && !k.opts.Strict {
		sev = SeverityWarning
	}
	line, col := d.at(path)
	k.add(Finding{Rule: rule, Severity: sev, Message: msg, File: d.file, Line: line, Column: col, Resource: d.resource(), Hint: hint})
}

// schemaCheck validates one object against its kind's schema.
func (k *kubeChecker) schemaCheck(d *kubeDoc) bool {
	s := k.catalog.For(d.gvk)
	if s == nil {
		if versions := k.catalog.Known(d.gvk.GroupKind()); len(versions) > 0 {
			k.finding(d, "removed-api", []string{"apiVersion"}, fmt.Sprintf("%s %s is not served by Kubernetes %s", d.gvk.GroupVersion(), d.gvk.Kind, k.catalog.Version),
				fmt.Sprintf("use apiVersion %s", schema.GroupVersion{Group: d.gvk.Group, Version: versions[0]}))
			return false
		}
		if replacement, ok := removedAPIs[d.gvk.GroupVersion().String()+"/"+d.gvk.Kind]; ok {
			k.finding(d, "removed-api", []string{"apiVersion"}, fmt.Sprintf("%s %s was removed from Kubernetes", d.gvk.GroupVersion(), d.gvk.Kind), "use "+replacement)
			return false
		}
		if v := k.crds.For(d.gvk); v != nil {
			k.crdCheck(d, v)
			return false
		}
		if served := k.crds.served(d.gvk.GroupKind()); len(served) > 0 {
			k.finding(d, "removed-api", []string{"apiVersion"}, fmt.Sprintf("the CRD of %s serves version(s) %s, not %s", d.gvk.GroupKind(), strings.Join(served, ", "), d.gvk.Version),
				fmt.Sprintf("use apiVersion %s", schema.GroupVersion{Group: d.gvk.Group, Version: served[len(served)-1]}))
			return false
		}
		k.finding(d, "unknown-kind", []string{"kind"}, fmt.Sprintf("%s %s has no schema in Kubernetes %s and no CRD was given for it; it is not schema-checked", d.gvk.GroupVersion(), d.gvk.Kind, k.catalog.Version),
			"give its CustomResourceDefinition: --crds DIR (or validate.crds in opsmcp.yaml), include it in the validated files, or --cluster to read the cluster's")
		return false
	}
	v := kubeschema.Validator{Strict: k.opts.Strict}
	ok := true
	for _, p := range v.Validate(s, d.node) {
		f := k.placed(d, p)
		if !k.opts.Rules.on(registry[p.Kind]) {
			continue
		}
		k.add(f)
		if f.Severity == SeverityError {
			ok = false
		}
	}
	return ok
}

func (k *kubeChecker) placed(d *kubeDoc, p kubeschema.Problem) Finding {
	sev := registry[p.Kind].Severity
	if p.Kind == kubeschema.UnknownField && !k.opts.Strict {
		sev = SeverityWarning
	}
	return Finding{Rule: p.Kind, Severity: sev, Message: p.Message, File: d.file, Line: p.Line, Column: p.Column, Resource: d.resource()}
}

// removedAPIs are apiVersions no longer served, with their replacement.
var removedAPIs = map[string]string{
	"extensions/v1beta1/Deployment":                                       "apps/v1",
	"extensions/v1beta1/DaemonSet":                                        "apps/v1",
	"extensions/v1beta1/ReplicaSet":                                       "apps/v1",
	"extensions/v1beta1/Ingress":                                          "networking.k8s.io/v1",
	"extensions/v1beta1/NetworkPolicy":                                    "networking.k8s.io/v1",
	"extensions/v1beta1/PodSecurityPolicy":                                "Pod Security admission (namespace labels)",
	"apps/v1beta1/Deployment":                                             "apps/v1",
	"apps/v1beta2/Deployment":                                             "apps/v1",
	"apps/v1beta1/StatefulSet":                                            "apps/v1",
	"apps/v1beta2/StatefulSet":                                            "apps/v1",
	"apps/v1beta2/DaemonSet":                                              "apps/v1",
	"apps/v1beta2/ReplicaSet":                                             "apps/v1",
	"networking.k8s.io/v1beta1/Ingress":                                   "networking.k8s.io/v1",
	"networking.k8s.io/v1beta1/IngressClass":                              "networking.k8s.io/v1",
	"batch/v1beta1/CronJob":                                               "batch/v1",
	"policy/v1beta1/PodDisruptionBudget":                                  "policy/v1",
	"policy/v1beta1/PodSecurityPolicy":                                    "Pod Security admission (namespace labels)",
	"autoscaling/v2beta1/HorizontalPodAutoscaler":                         "autoscaling/v2",
	"autoscaling/v2beta2/HorizontalPodAutoscaler":                         "autoscaling/v2",
	"rbac.authorization.k8s.io/v1beta1/Role":                              "rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1/ClusterRole":                       "rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1/RoleBinding":                       "rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1/ClusterRoleBinding":                "rbac.authorization.k8s.io/v1",
	"apiextensions.k8s.io/v1beta1/CustomResourceDefinition":               "apiextensions.k8s.io/v1",
	"admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration": "admissionregistration.k8s.io/v1",
	"admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration":   "admissionregistration.k8s.io/v1",
	"storage.k8s.io/v1beta1/CSIDriver":                                    "storage.k8s.io/v1",
	"storage.k8s.io/v1beta1/StorageClass":                                 "storage.k8s.io/v1",
	"scheduling.k8s.io/v1beta1/PriorityClass":                             "scheduling.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta3/FlowSchema":                     "flowcontrol.apiserver.k8s.io/v1",
}
