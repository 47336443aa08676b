package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/helm"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// HelmStatusInput is the input of helm_status.
type HelmStatusInput struct {
	Release   string `json:"release" maxLength:"53"`
	Namespace string `json:"namespace,omitempty" desc:"default: the context's"`
	Context   string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in HelmStatusInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// HelmStatusResult is the result of helm_status.
type HelmStatusResult struct {
	Context string `json:"context"`
	helm.Status
}

func (r HelmStatusResult) SummaryText() string {
	var b strings.Builder
	rel := r.Release
	fmt.Fprintf(&b, "release %s in %s (context %s): revision %d %s, chart %s, updated %s", rel.Name, rel.Namespace, r.Context, rel.Revision, rel.Status, rel.Chart, rel.Updated)
	if rel.Description != "" {
		b.WriteString("\n" + rel.Description)
	}
	ready := 0
	for _, o := range r.Objects {
		if o.Ready {
			ready++
		}
	}
	fmt.Fprintf(&b, "\n%d of %d objects ready", ready, len(r.Objects))
	for _, o := range r.Objects {
		mark := "ready"
		if !o.Ready {
			mark = "NOT READY"
		}
		fmt.Fprintf(&b, "\n  %s %s: %s", o.Object, mark, o.State)
	}
	return b.String()
}

var helmStatus = mcpkit.NewTool(mcpkit.Def{
	Name:        "helm_status",
	Toolset:     "helm",
	Title:       "Helm release status",
	Description: "helm status: a release's latest revision and the readiness of each of its objects.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in HelmStatusInput) (HelmStatusResult, error) {
	h, cl, _, err := helmClient(c, in.Context, in.Namespace)
	if err != nil {
		return HelmStatusResult{}, err
	}
	st, err := h.Status(ctx, in.Release)
	if err != nil {
		return HelmStatusResult{}, err
	}
	return HelmStatusResult{Context: cl.Context, Status: *st}, nil
})
