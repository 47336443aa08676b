package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// ListResourcesInput is the input of list_resources.
type ListResourcesInput struct {
	Kind          string `json:"kind" maxLength:"253" desc:"kind, plural, short name or resource.group"`
	Namespace     string `json:"namespace,omitempty" desc:"default: the context's"`
	AllNamespaces bool   `json:"all_namespaces,omitempty" desc:"every namespace"`
	LabelSelector string `json:"label_selector,omitempty" maxLength:"1024"`
	FieldSelector string `json:"field_selector,omitempty" maxLength:"1024"`
	Limit         int64  `json:"limit,omitempty" default:"500" minimum:"1" maximum:"5000"`
	Continue      string `json:"continue,omitempty" `
	Context       string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in ListResourcesInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// ListResourcesResult is the result of list_resources.
type ListResourcesResult struct {
	Context   string `json:"context"`
	Resource  string `json:"resource"`
	Namespace string `json:"namespace,omitempty"`
	Count     int    `json:"count"`
	kube.Table
}

func (r ListResourcesResult) SummaryText() string {
	var b strings.Builder
	where := "cluster-wide"
	if r.Namespace != "" {
		where = "in " + r.Namespace
	}
	fmt.Fprintf(&b, "%d %s %s (context %s)", r.Count, r.Resource, where, r.Context)
	if r.Continue != "" {
		more := ""
		if r.Remaining != nil {
			more = fmt.Sprintf(" (%d)", *r.Remaining)
		}
		fmt.Fprintf(&b, "; more remain%s: pass continue", more)
	}
	if r.Count == 0 {
		return b.String()
	}
	b.WriteString("\n")
	writeTable(&b, r.Columns, len(r.Rows), func(i int) []string { return r.Rows[i] }, "rows", "label_selector, field_selector or limit")
	return strings.TrimRight(b.String(), "\n")
}

var listResources = mcpkit.NewTool(mcpkit.Def{
	Name:        "list_resources",
	Toolset:     "kubernetes",
	Title:       "List resources",
	Description: "Any kind (CRDs too) with the columns kubectl get shows; selectors, pages.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in ListResourcesInput) (ListResourcesResult, error) {
	cl, r, ns, err := resolveResource(c, in.Context, in.Kind, in.Namespace, in.AllNamespaces)
	if err != nil {
		return ListResourcesResult{}, err
	}
	t, err := cl.ListTable(ctx, kube.ListRequest{Resource: r, Namespace: ns, LabelSelector: in.LabelSelector, FieldSelector: in.FieldSelector,
		Limit: in.Limit, Continue: in.Continue})
	if err != nil {
		return ListResourcesResult{}, err
	}
	return ListResourcesResult{Context: cl.Context, Resource: r.String(), Namespace: ns, Count: len(t.Rows), Table: *t}, nil
})

// resolveResource connects, resolves the kind, and checks the namespace
// (namespaced kinds) or the cluster-scoped read (others) against the
// allowlists before any request for objects.
func resolveResource(c *mcpkit.Call, context, kind, namespace string, all bool) (*kube.Cluster, kube.Resource, string, error) {
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, context)
	if err != nil {
		return nil, kube.Resource{}, "", err
	}
	if !all && namespace != "" {
		// A namespace outside the allowlist is refused before discovery.
		if err := cl.AllowNamespace(namespace); err != nil {
			return nil, kube.Resource{}, "", err
		}
	}
	r, err := cl.ResourceOf(kind)
	if err != nil {
		return nil, kube.Resource{}, "", err
	}
	if !r.Namespaced {
		return cl, r, "", cl.AllowClusterRead(r.Kind)
	}
	if all {
		if !cl.AllNamespaces() {
			return nil, kube.Resource{}, "", &mcpkit.ArgError{Err: fmt.Errorf("all_namespaces: kubernetes.namespaces in opsmcp.yaml allows only %s", strings.Join(cl.Namespaces(), ", "))}
		}
		return cl, r, "", nil
	}
	ns, err := cl.ResolveNamespace(namespace)
	return cl, r, ns, err
}
