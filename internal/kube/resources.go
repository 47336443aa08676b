package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/restmapper"
)

// Resource is a type as the cluster serves it, found from what kubectl
// accepts: kind, plural, short name or resource.group.
type Resource struct {
	GVR        schema.GroupVersionResource
	Kind       string
	Namespaced bool
}

// String is the type as kubectl names it: "deployments.apps".
func (r Resource) String() string { return r.GVR.GroupResource().String() }

// ResourceOf resolves name through discovery (cached; refreshed once when
// the name is not found, as kubectl does, so a CRD created since is seen).
func (c *Cluster) ResourceOf(name string) (Resource, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return Resource{}, errors.New("kind is empty: give a kind, plural, short name or resource.group (deploy, svc, ingresses.networking.k8s.io)")
	}
	r, err := c.resourceOf(name)
	if meta.IsNoMatchError(err) {
		c.Mapper.Reset()
		r, err = c.resourceOf(name)
	}
	if err != nil {
		if meta.IsNoMatchError(err) {
			return Resource{}, fmt.Errorf("the cluster of context %s has no resource type %q (not a kind, plural, short name or resource.group it serves)", c.Context, name)
		}
		return Resource{}, c.Explain(err, "resolve", "kind "+name, "")
	}
	return r, nil
}

func (c *Cluster) resourceOf(name string) (Resource, error) {
	expander := restmapper.NewShortcutExpander(c.Mapper, c.discovery, func(string) {})
	gvr, err := expander.ResourceFor(schema.ParseGroupResource(name).WithVersion(""))
	if err != nil {
		return Resource{}, err
	}
	gvk, err := c.Mapper.KindFor(gvr)
	if err != nil {
		return Resource{}, err
	}
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return Resource{}, err
	}
	return Resource{GVR: m.Resource, Kind: gvk.Kind, Namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace}, nil
}

// ListRequest is what ListTable lists.
type ListRequest struct {
	Resource      Resource
	Namespace     string // "" = every namespace (namespaced kinds)
	LabelSelector string
	FieldSelector string
	Limit         int64
	Continue      string
}

// Table is a list as `kubectl get` prints it: the API server's own
// columns (a CRD's printer columns included) and one row per object.
type Table struct {
	Columns  []string   `json:"columns"`
	Rows     [][]string `json:"rows"`
	Continue string     `json:"continue,omitempty"`
	// Remaining is the server's estimate of objects after this page.
	Remaining *int64 `json:"remaining,omitempty"`
}

// ListTable lists objects in the server's Table format (as=Table), the
// columns kubectl shows without -o wide.
func (c *Cluster) ListTable(ctx context.Context, req ListRequest) (*Table, error) {
	r := req.Resource
	path := []string{"/apis", r.GVR.Group, r.GVR.Version}
	if r.GVR.Group == "" {
		path = []string{"/api", r.GVR.Version}
	}
	if r.Namespaced && req.Namespace != "" {
		path = append(path, "namespaces", req.Namespace)
	}
	path = append(path, r.GVR.Resource)
	include := "None"
	if r.Namespaced && req.Namespace == "" {
		include = "Metadata" // for the NAMESPACE column
	}
	q := c.discovery.RESTClient().Get().AbsPath(path...).
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").
		Param("includeObject", include)
	if req.LabelSelector != "" {
		q = q.Param("labelSelector", req.LabelSelector)
	}
	if req.FieldSelector != "" {
		q = q.Param("fieldSelector", req.FieldSelector)
	}
	if req.Limit > 0 {
		q = q.Param("limit", fmt.Sprint(req.Limit))
	}
	if req.Continue != "" {
		q = q.Param("continue", req.Continue)
	}
	raw, err := q.Do(ctx).Raw()
	if err != nil {
		return nil, c.Explain(err, "list", r.String(), req.Namespace)
	}
	var t metav1.Table
	if err := json.Unmarshal(raw, &t); err != nil || t.Kind != "Table" {
		return nil, fmt.Errorf("the API server did not answer the list of %s as a Table (as=Table): %v", r, err)
	}
	out := &Table{Continue: t.Continue, Remaining: t.RemainingItemCount, Rows: [][]string{}}
	var keep []int
	if include == "Metadata" {
		out.Columns = append(out.Columns, "NAMESPACE")
	}
	for i, col := range t.ColumnDefinitions {
		if col.Priority == 0 {
			keep = append(keep, i)
			out.Columns = append(out.Columns, strings.ToUpper(col.Name))
		}
	}
	for _, row := range t.Rows {
		var cells []string
		if include == "Metadata" {
			var m metav1.PartialObjectMetadata
			_ = json.Unmarshal(row.Object.Raw, &m)
			cells = append(cells, m.Namespace)
		}
		for _, i := range keep {
			if i < len(row.Cells) {
				cells = append(cells, cell(row.Cells[i]))
			}
		}
		out.Rows = append(out.Rows, cells)
	}
	return out, nil
}

// cell prints a Table cell as kubectl does.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "<none>"
	case string:
		if x == "" {
			return "<none>"
		}
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
		return fmt.Sprint(x)
	}
	return fmt.Sprint(v)
}

// CRDs lists the cluster's CustomResourceDefinitions (every page), for
// validating custom resources against the schemas the cluster serves.
func (c *Cluster) CRDs(ctx context.Context) ([]map[string]any, error) {
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	var out []map[string]any
	opts := metav1.ListOptions{Limit: 250}
	for {
		list, err := c.Dynamic.Resource(gvr).List(ctx, opts)
		if err != nil {
			return nil, c.Explain(err, "list", "customresourcedefinitions", "")
		}
		for _, it := range list.Items {
			out = append(out, it.Object)
		}
		if opts.Continue = list.GetContinue(); opts.Continue == "" {
			return out, nil
		}
	}
}
