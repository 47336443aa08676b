package kube

// Drift: what a server-side dry-run re-apply of objects opsmcp applied
// would take back from the live ones, and which field manager owns each
// of those fields now.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// ObjectDrift is one object that is no longer what was applied: deleted,
// or with fields changed (Paths) by other field managers (Managers: path
// → the manager that owns it now).
type ObjectDrift struct {
	Kind      string            `json:"kind"`
	Name      string            `json:"name"`
	Namespace string            `json:"namespace,omitempty"`
	Deleted   bool              `json:"deleted,omitempty"`
	Paths     []string          `json:"paths,omitempty"`
	Managers  map[string]string `json:"managers,omitempty"`
}

// Ref is the object's reference.
func (o ObjectDrift) Ref() string { return Ref(o.Kind, o.Name, o.Namespace) }

var hpaResource = schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}

// Drift compares each planned object with the live one: a server-side
// dry-run apply as opsmcp (forced, so fields another manager took are
// taken back in the dry run) shows what re-applying would change. Fields
// controllers own by design are not drift: status, and spec.replicas of
// a workload a HorizontalPodAutoscaler scales. A Secret's data is never
// compared, nor, for recorded objects (Recordable), literal env values:
// memory never holds them. Nothing persists.
func (c *Cluster) Drift(ctx context.Context, plan []*Planned, recorded bool) ([]ObjectDrift, error) {
	scaled := map[string]map[string]bool{} // namespace → "Kind/name" an HPA scales
	var out []ObjectDrift
	for _, p := range plan {
		d := ObjectDrift{Kind: p.GVK.Kind, Name: p.Object.GetName(), Namespace: p.Namespace}
		ri := c.resource(p)
		live, err := ri.Get(ctx, d.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			d.Deleted = true
			out = append(out, d)
			continue
		}
		if err != nil {
			return nil, c.Explain(err, "get", p.Resource.Resource+"/"+d.Name, p.Namespace)
		}
		obj := p.Object.DeepCopy()
		secret := p.GVK.Group == "" && p.GVK.Kind == "Secret"
		if secret {
			delete(obj.Object, "data")
			delete(obj.Object, "stringData")
		}
		body, err := json.Marshal(obj.Object)
		if err != nil {
			return nil, err
		}
		force := true
		after, err := ri.Patch(ctx, d.Name, types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: FieldManager, Force: &force, DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			return nil, c.applyError(err, p)
		}
		hpa, err := c.scaledBy(ctx, scaled, p.Namespace)
		if err != nil {
			return nil, err
		}
		for _, path := range ChangedPaths(live.Object, after.Object) {
			switch {
			case secret && (strings.HasPrefix(path, "data.") || strings.HasPrefix(path, "stringData.")):
			case recorded && envValue(path):
			case path == "spec.replicas" && hpa[p.GVK.Kind+"/"+d.Name]:
			default:
				d.Paths = append(d.Paths, path)
			}
		}
		if len(d.Paths) == 0 {
			continue
		}
		d.Managers = map[string]string{}
		for _, path := range d.Paths {
			if m := ownerOf(live.Object, path); m != "" {
				d.Managers[path] = m
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// scaledBy lists what HorizontalPodAutoscalers in a namespace scale, once
// per namespace.
func (c *Cluster) scaledBy(ctx context.Context, cache map[string]map[string]bool, ns string) (map[string]bool, error) {
	if m, ok := cache[ns]; ok || ns == "" {
		return m, nil
	}
	m := map[string]bool{}
	list, err := c.Dynamic.Resource(hpaResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err) {
		return nil, c.Explain(err, "list", "horizontalpodautoscalers", ns)
	}
	if list != nil {
		for _, h := range list.Items {
			ref, _ := h.Object["spec"].(map[string]any)["scaleTargetRef"].(map[string]any)
			m[fmt.Sprint(ref["kind"])+"/"+fmt.Sprint(ref["name"])] = true
		}
	}
	cache[ns] = m
	return m, nil
}

// ownerOf is the field manager, other than opsmcp, whose managed fields
// hold path (as ChangedPaths writes it) in the live object.
func ownerOf(live map[string]any, path string) string {
	meta, _ := live["metadata"].(map[string]any)
	entries, _ := meta["managedFields"].([]any)
	var owners []string
	for _, e := range entries {
		m, _ := e.(map[string]any)
		manager, _ := m["manager"].(string)
		fields, _ := m["fieldsV1"].(map[string]any)
		if manager == "" || manager == FieldManager || fields == nil {
			continue
		}
		if holds(fields, live, path) {
			owners = append(owners, manager)
		}
	}
	slices.Sort(owners)
	return strings.Join(slices.Compact(owners), ", ")
}

// holds walks a fieldsV1 set along path, guided by the object (whose map
// keys may hold dots, and whose list items ChangedPaths names by name or
// index).
func holds(fields map[string]any, obj any, path string) bool {
	for path != "" {
		switch o := obj.(type) {
		case map[string]any:
			key := ""
			for k := range o { // the longest key that starts the path
				if (path == k || strings.HasPrefix(path, k+".") || strings.HasPrefix(path, k+"[")) && len(k) > len(key) {
					key = k
				}
			}
			if key == "" {
				return false
			}
			next, ok := fields["f:"+key].(map[string]any)
			if !ok {
				return false
			}
			fields, obj, path = next, o[key], strings.TrimPrefix(strings.TrimPrefix(path, key), ".")
		case []any:
			if !strings.HasPrefix(path, "[") {
				return false
			}
			end := strings.Index(path, "]")
			if end < 0 {
				return false
			}
			item := path[1:end]
			var found map[string]any
			var elem any
			for i, x := range o {
				if itemKey(x, i) != item {
					continue
				}
				elem = x
				for k, v := range fields {
					if (strings.HasPrefix(k, "k:") && strings.Contains(k, fmt.Sprintf("%q", item))) || k == fmt.Sprintf("i:%d", i) {
						found, _ = v.(map[string]any)
					}
				}
			}
			if found == nil {
				return false
			}
			fields, obj, path = found, elem, strings.TrimPrefix(path[end+1:], ".")
		default:
			return false
		}
	}
	return true
}

// Recordable is each planned object as memory keeps it for drift checks:
// with its namespace, without a Secret's values and without the literal
// values of containers' env (tokens are written there too).
func Recordable(plan []*Planned) []map[string]any {
	out := make([]map[string]any, 0, len(plan))
	for _, p := range plan {
		o := p.Object.DeepCopy()
		if p.Namespace != "" {
			o.SetNamespace(p.Namespace)
		}
		if p.GVK.Group == "" && p.GVK.Kind == "Secret" {
			delete(o.Object, "data")
			delete(o.Object, "stringData")
		}
		dropEnvValues(o.Object)
		out = append(out, o.Object)
	}
	return out
}

// dropEnvValues removes the value of every env entry under v.
func dropEnvValues(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if env, ok := x.([]any); ok && k == "env" {
				for _, e := range env {
					if m, ok := e.(map[string]any); ok {
						delete(m, "value")
					}
				}
				continue
			}
			dropEnvValues(x)
		}
	case []any:
		for _, x := range t {
			dropEnvValues(x)
		}
	}
}

// envValue reports whether a path (as ChangedPaths writes it) is an env
// entry's literal value.
func envValue(path string) bool {
	return strings.HasSuffix(path, "].value") && strings.Contains(path, ".env[")
}

// RecordedDocuments turns recorded objects back into documents.
func RecordedDocuments(objs []map[string]any, source string) []Document {
	out := make([]Document, 0, len(objs))
	for i, o := range objs {
		out = append(out, Document{Source: fmt.Sprintf("%s#%d", source, i+1), Object: &unstructured.Unstructured{Object: o}})
	}
	return out
}

// ReleaseManifest is the manifest a Helm release's deployed revision
// applied, read from Helm's own storage (the release's Secret, labelled
// owner=helm), so drift checks need no Helm client.
func (c *Cluster) ReleaseManifest(ctx context.Context, namespace, name string) (manifest string, revision int, err error) {
	list, err := c.Core.Secrets(namespace).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm,status=deployed,name=" + name})
	if err != nil {
		return "", 0, c.Explain(err, "list", "secrets", namespace)
	}
	var newest []byte
	for _, s := range list.Items {
		v, _ := strconv.Atoi(s.Labels["version"])
		if v > revision {
			revision, newest = v, s.Data["release"]
		}
	}
	if newest == nil {
		return "", 0, fmt.Errorf("helm release %s in %s has no deployed revision", name, namespace)
	}
	// Helm stores the release as base64 of gzipped JSON.
	raw, err := base64.StdEncoding.DecodeString(string(newest))
	if err != nil {
		return "", 0, fmt.Errorf("helm release %s: %v", name, err)
	}
	if len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return "", 0, fmt.Errorf("helm release %s: %v", name, err)
		}
		if raw, err = io.ReadAll(io.LimitReader(zr, 64<<20)); err != nil {
			return "", 0, fmt.Errorf("helm release %s: %v", name, err)
		}
	}
	var rel struct {
		Manifest string `json:"manifest"`
	}
	if err := json.Unmarshal(raw, &rel); err != nil {
		return "", 0, fmt.Errorf("helm release %s: %v", name, err)
	}
	return rel.Manifest, revision, nil
}
