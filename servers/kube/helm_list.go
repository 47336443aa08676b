package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/helm"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// HelmListInput is the input of helm_list.
type HelmListInput struct {
	Namespace     string `json:"namespace,omitempty" desc:"default: the context's"`
	AllNamespaces bool   `json:"all_namespaces,omitempty"`
	LabelSelector string `json:"label_selector,omitempty" maxLength:"1024"`
	Limit         int    `json:"limit,omitempty" default:"500" minimum:"1" maximum:"5000"`
	Continue      string `json:"continue,omitempty"`
	Context       string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in HelmListInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// HelmListResult is the result of helm_list.
type HelmListResult struct {
	Context   string         `json:"context"`
	Namespace string         `json:"namespace,omitempty"`
	Releases  []helm.Release `json:"releases"`
	Continue  string         `json:"continue,omitempty"`
}

func (r HelmListResult) SummaryText() string {
	var b strings.Builder
	where := "every namespace"
	if r.Namespace != "" {
		where = r.Namespace
	}
	fmt.Fprintf(&b, "%d releases in %s (context %s)%s", len(r.Releases), where, r.Context, moreRemain(r.Continue))
	if len(r.Releases) == 0 {
		return b.String()
	}
	b.WriteString("\n")
	writeTable(&b, []string{"NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"}, len(r.Releases), func(i int) []string {
		rel := r.Releases[i]
		return []string{rel.Name, rel.Namespace, fmt.Sprint(rel.Revision), rel.Updated, rel.Status, rel.Chart, rel.AppVersion}
	}, "releases", "label_selector")
	return strings.TrimRight(b.String(), "\n")
}

var helmList = mcpkit.NewTool(mcpkit.Def{
	Name:        "helm_list",
	Toolset:     "helm",
	Title:       "List Helm releases",
	Description: "helm list: releases with status, chart, app version, revision and update time.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in HelmListInput) (HelmListResult, error) {
	cl, ns, err := helmNamespace(c, in.Context, in.Namespace, in.AllNamespaces)
	if err != nil {
		return HelmListResult{}, err
	}
	h, err := helm.New(cl, ns)
	if err != nil {
		return HelmListResult{}, err
	}
	rels, err := h.List(in.LabelSelector)
	if err != nil {
		return HelmListResult{}, err
	}
	res := HelmListResult{Context: cl.Context, Namespace: ns}
	if res.Releases, res.Continue, err = pageOf(rels, in.Limit, in.Continue); err != nil {
		return HelmListResult{}, &mcpkit.ArgError{Err: err}
	}
	return res, nil
})

// helmNamespace connects and resolves the namespace of a Helm call ("" for
// every namespace, only without an allowlist).
func helmNamespace(c *mcpkit.Call, context, namespace string, all bool) (*kube.Cluster, string, error) {
	if !all {
		return connect(c, context, namespace)
	}
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, context)
	if err != nil {
		return nil, "", err
	}
	if !cl.AllNamespaces() {
		return nil, "", &mcpkit.ArgError{Err: fmt.Errorf("all_namespaces: kubernetes.namespaces in opsmcp.yaml allows only %s", strings.Join(cl.Namespaces(), ", "))}
	}
	return cl, "", nil
}

// helmClient connects to one release's namespace.
func helmClient(c *mcpkit.Call, context, namespace string) (*helm.Client, *kube.Cluster, string, error) {
	cl, ns, err := connect(c, context, namespace)
	if err != nil {
		return nil, nil, "", err
	}
	h, err := helm.New(cl, ns)
	return h, cl, ns, err
}
