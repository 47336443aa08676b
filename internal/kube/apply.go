package kube

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// FieldManager is the server-side apply field manager of every change.
const FieldManager = "opsmcp"

// Actions an apply reports per object, as kubectl does.
const (
	ActionCreated    = "created"
	ActionConfigured = "configured"
	ActionUnchanged  = "unchanged"
)

// Planned is a parsed object bound to its resource and namespace.
type Planned struct {
	Source    string
	Object    *unstructured.Unstructured
	GVK       schema.GroupVersionKind
	Resource  schema.GroupVersionResource
	Namespace string // "" when cluster-scoped
	// deferred: its kind comes from a CRD in the same request, so it can be
	// mapped (and dry-run) only once that CRD exists.
	deferred bool
}

// Ref is kind/name as kubectl prints it: deployment.apps/web.
func (p *Planned) Ref() string {
	kind := strings.ToLower(p.GVK.Kind)
	if p.GVK.Group != "" {
		kind += "." + p.GVK.Group
	}
	return kind + "/" + p.Object.GetName()
}

// ObjectResult is what happened to one object.
type ObjectResult struct {
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Namespace string   `json:"namespace,omitempty"`
	Action    string   `json:"action"`
	Changed   []string `json:"changed,omitempty"` // field paths that differ from the live object
	Note      string   `json:"note,omitempty"`
	Source    string   `json:"source"`
	// Digest is the object as the API server rendered it (server-owned
	// fields aside): what a change id binds to. Never a value in output.
	Digest string `json:"-"`
}

// Ref is an object as kubectl's users write it: "deployment/web -n prod".
func Ref(kind, name, namespace string) string {
	ref := strings.ToLower(kind) + "/" + name
	if namespace != "" {
		ref += " -n " + namespace
	}
	return ref
}

// Ref is the object's reference.
func (o ObjectResult) Ref() string { return Ref(o.Kind, o.Name, o.Namespace) }

// SecretValues returns the values of Secret objects (data, base64 and
// decoded, and stringData), for the caller's redactor.
func SecretValues(docs []Document) []string {
	var out []string
	for _, d := range docs {
		if d.Object.GetKind() != "Secret" {
			continue
		}
		data, _, _ := unstructured.NestedMap(d.Object.Object, "data")
		for _, v := range data {
			s := fmt.Sprint(v)
			out = append(out, s)
			if dec, err := base64.StdEncoding.DecodeString(s); err == nil && len(dec) > 0 {
				out = append(out, string(dec))
			}
		}
		sd, _, _ := unstructured.NestedMap(d.Object.Object, "stringData")
		for _, v := range sd {
			s := fmt.Sprint(v)
			out = append(out, s, base64.StdEncoding.EncodeToString([]byte(s)))
		}
	}
	return out
}

// Plan maps every document to its resource and namespace, refusing the
// whole set on an unknown kind or a namespace outside the allowlist.
// Namespaces come first, then CRDs, then the rest in the given order.
func (c *Cluster) Plan(docs []Document, defaultNS string) ([]*Planned, error) {
	if defaultNS == "" {
		defaultNS = c.Namespace
	}
	crdKinds := map[schema.GroupKind]string{} // kinds defined by CRDs in this request -> scope
	for _, d := range docs {
		if d.Object.GetKind() == "CustomResourceDefinition" && strings.HasPrefix(d.Object.GetAPIVersion(), "apiextensions.k8s.io/") {
			group, _, _ := unstructured.NestedString(d.Object.Object, "spec", "group")
			kind, _, _ := unstructured.NestedString(d.Object.Object, "spec", "names", "kind")
			scope, _, _ := unstructured.NestedString(d.Object.Object, "spec", "scope")
			crdKinds[schema.GroupKind{Group: group, Kind: kind}] = scope
		}
	}
	var out []*Planned
	seen := map[string]string{}
	for _, d := range docs {
		gvk := d.Object.GroupVersionKind()
		p := &Planned{Source: d.Source, Object: d.Object.DeepCopy(), GVK: gvk}
		namespaced := false
		mapping, err := c.mapping(gvk)
		switch {
		case err == nil:
			p.Resource = mapping.Resource
			namespaced = mapping.Scope.Name() == meta.RESTScopeNameNamespace
		case meta.IsNoMatchError(err):
			scope, ok := crdKinds[gvk.GroupKind()]
			if !ok {
				return nil, fmt.Errorf("manifest %s: the cluster has no resource type for kind %s in %s (no REST mapping); is a CRD missing?", d.Source, gvk.Kind, gvk.GroupVersion())
			}
			p.deferred = true
			namespaced = scope != "Cluster"
		default:
			return nil, c.Explain(err, "discover", gvk.Kind, "")
		}
		if namespaced {
			p.Namespace = orDefault(d.Object.GetNamespace(), defaultNS)
			p.Object.SetNamespace(p.Namespace)
			if err := c.AllowNamespace(p.Namespace); err != nil {
				return nil, fmt.Errorf("manifest %s (%s): %v", d.Source, p.Ref(), err)
			}
		} else {
			p.Object.SetNamespace("")
			if gvk.GroupKind() == (schema.GroupKind{Kind: "Namespace"}) {
				if err := c.AllowNamespace(p.Object.GetName()); err != nil {
					return nil, fmt.Errorf("manifest %s (%s): %v", d.Source, p.Ref(), err)
				}
			}
		}
		key := p.Ref() + "@" + p.Namespace
		if prev, ok := seen[key]; ok {
			return nil, fmt.Errorf("manifest %s: %s in %q is also in %s; give each object once", d.Source, p.Ref(), p.Namespace, prev)
		}
		seen[key] = d.Source
		out = append(out, p)
	}
	rank := func(p *Planned) int {
		switch p.GVK.GroupKind() {
		case schema.GroupKind{Kind: "Namespace"}:
			return 0
		case schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:
			return 1
		}
		return 2
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out, nil
}

func (c *Cluster) resource(p *Planned) dynamic.ResourceInterface {
	if p.Namespace == "" {
		return c.Dynamic.Resource(p.Resource)
	}
	return c.Dynamic.Resource(p.Resource).Namespace(p.Namespace)
}

// applyOne server-side applies one object (dryRun: nothing persists) and
// reports created / configured / unchanged with the changed field paths.
func (c *Cluster) applyOne(ctx context.Context, p *Planned, dryRun bool, manager string) (ObjectResult, error) {
	res := ObjectResult{Kind: p.GVK.Kind, Name: p.Object.GetName(), Namespace: p.Namespace, Source: p.Source}
	ri := c.resource(p)
	live, err := ri.Get(ctx, p.Object.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		live, err = nil, nil
	}
	if err != nil {
		return res, c.Explain(err, "get", p.Resource.Resource+"/"+p.Object.GetName(), p.Namespace)
	}
	body, err := json.Marshal(p.Object.Object)
	if err != nil {
		return res, err
	}
	opts := metav1.PatchOptions{FieldManager: manager, FieldValidation: "Strict"}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	after, err := ri.Patch(ctx, p.Object.GetName(), types.ApplyPatchType, body, opts)
	if err != nil {
		return res, c.applyError(err, p)
	}
	res.Digest = renderedDigest(after.Object)
	switch {
	case live == nil:
		res.Action = ActionCreated
	default:
		res.Changed = ChangedPaths(live.Object, after.Object)
		res.Action = ActionUnchanged
		if len(res.Changed) > 0 {
			res.Action = ActionConfigured
		}
	}
	return res, nil
}

func (c *Cluster) applyError(err error, p *Planned) error {
	what := p.Resource.Resource + "/" + p.Object.GetName()
	switch {
	case apierrors.IsConflict(err):
		return fmt.Errorf("%s (%s): another field manager owns fields this apply changes: %v", p.Source, p.Ref(), err)
	case apierrors.IsForbidden(err), apierrors.IsUnauthorized(err), apierrors.IsNotFound(err):
	default:
		var status apierrors.APIStatus
		if errors.As(err, &status) {
			return fmt.Errorf("%s (%s) was refused by the API server (%s): %v", p.Source, p.Ref(), apierrors.ReasonForError(err), err)
		}
	}
	return c.Explain(err, "apply (patch)", what, p.Namespace)
}

// ApplyOptions says how Apply runs.
type ApplyOptions struct {
	DryRun bool
	// Progress is told about each object as it is applied.
	Progress func(done, total int, r ObjectResult)
	// Expect, when set, judges the dry run before a real apply: its error
	// stops the apply before anything is written.
	Expect func(dry []ObjectResult) error
	// FieldManager applies as another manager than opsmcp (a Helm
	// release's objects are helm's).
	FieldManager string
}

// Apply applies the planned objects in order. A real apply is preceded by
// a server-side dry run of everything that can be dry-run, so validation,
// admission and RBAC refusals stop it before anything is written.
func (c *Cluster) Apply(ctx context.Context, plan []*Planned, opts ApplyOptions) ([]ObjectResult, error) {
	manager := cmp.Or(opts.FieldManager, FieldManager)
	results, err := c.applyAll(ctx, plan, true, nil, manager)
	if err != nil && !opts.DryRun {
		return nil, fmt.Errorf("nothing was applied: the server-side dry run refused the request: %w", err)
	}
	if err != nil || opts.DryRun {
		return results, err
	}
	if opts.Expect != nil {
		if err := opts.Expect(results); err != nil {
			return nil, err
		}
	}
	return c.applyAll(ctx, plan, false, opts.Progress, manager)
}

func (c *Cluster) applyAll(ctx context.Context, plan []*Planned, dryRun bool, progress func(int, int, ObjectResult), manager string) ([]ObjectResult, error) {
	results := make([]ObjectResult, 0, len(plan))
	newNamespaces := map[string]bool{}
	crdsApplied := false
	for i, p := range plan {
		if p.deferred {
			if dryRun {
				results = append(results, ObjectResult{Kind: p.GVK.Kind, Name: p.Object.GetName(), Namespace: p.Namespace, Source: p.Source,
					Action: ActionCreated, Note: "its CustomResourceDefinition is created by this request; not dry-run"})
				continue
			}
			if crdsApplied {
				if err := c.waitCRDs(ctx, plan); err != nil {
					return results, err
				}
				crdsApplied = false
			}
			mapping, err := c.mapping(p.GVK)
			if err != nil {
				return results, fmt.Errorf("manifest %s: %s has no REST mapping even after its CRD was applied: %v", p.Source, p.Ref(), err)
			}
			p.Resource, p.deferred = mapping.Resource, false
		}
		if dryRun && p.Namespace != "" && newNamespaces[p.Namespace] {
			results = append(results, ObjectResult{Kind: p.GVK.Kind, Name: p.Object.GetName(), Namespace: p.Namespace, Source: p.Source,
				Action: ActionCreated, Note: "its namespace is created by this request; not dry-run"})
			continue
		}
		r, err := c.applyOne(ctx, p, dryRun, manager)
		if err != nil {
			return results, err
		}
		if p.GVK.Kind == "Namespace" && p.GVK.Group == "" && r.Action == ActionCreated {
			newNamespaces[p.Object.GetName()] = true
		}
		if p.GVK.Kind == "CustomResourceDefinition" && !dryRun {
			crdsApplied = true
		}
		results = append(results, r)
		if progress != nil {
			progress(i+1, len(plan), r)
		}
	}
	return results, nil
}

// waitCRDs waits until every CRD of the plan is Established, then forgets
// cached discovery so their kinds map.
func (c *Cluster) waitCRDs(ctx context.Context, plan []*Planned) error {
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range plan {
		if p.GVK.Kind != "CustomResourceDefinition" {
			continue
		}
		for {
			crd, err := c.Dynamic.Resource(gvr).Get(ctx, p.Object.GetName(), metav1.GetOptions{})
			if err != nil {
				return c.Explain(err, "get", "customresourcedefinitions/"+p.Object.GetName(), "")
			}
			if established(crd) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("CustomResourceDefinition %s is not Established after 30s", p.Object.GetName())
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	c.Mapper.Reset()
	return nil
}

func established(crd *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, cond := range conds {
		m, _ := cond.(map[string]any)
		if m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}

// DryRunCreate asks the API server whether it would create obj (a server
// dry run with strict field validation), returning its refusal or nil. A
// namespaced object without a namespace goes to the context's namespace.
func (c *Cluster) DryRunCreate(ctx context.Context, obj map[string]any) error {
	u := &unstructured.Unstructured{Object: obj}
	gvk := u.GroupVersionKind()
	mapping, err := c.mapping(gvk)
	if err != nil {
		return c.Explain(err, "map", gvk.Kind, "")
	}
	ri := c.Dynamic.Resource(mapping.Resource)
	ns := ""
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = orDefault(u.GetNamespace(), c.Namespace)
		if err := c.AllowNamespace(ns); err != nil {
			return err
		}
		u = u.DeepCopy()
		u.SetNamespace(ns)
		_, err = ri.Namespace(ns).Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
	} else {
		_, err = ri.Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
	}
	if err != nil && (apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err)) {
		return c.Explain(err, "create (dry run)", mapping.Resource.Resource, ns)
	}
	return err
}
