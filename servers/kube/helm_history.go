package kube

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsmcp/opsmcp/internal/helm"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// HelmHistoryInput is the input of helm_history.
type HelmHistoryInput struct {
	Release   string `json:"release" maxLength:"53"`
	Namespace string `json:"namespace,omitempty" desc:"default: the context's"`
	Limit     int    `json:"limit,omitempty" default:"20" minimum:"1" maximum:"256"`
	Context   string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in HelmHistoryInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// HelmHistoryResult is the result of helm_history.
type HelmHistoryResult struct {
	Context   string         `json:"context"`
	Namespace string         `json:"namespace"`
	Revisions []helm.Release `json:"revisions"`
}

func (r HelmHistoryResult) SummaryText() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REVISION\tUPDATED\tSTATUS\tCHART\tAPP VERSION\tDESCRIPTION")
	for _, rel := range r.Revisions {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", rel.Revision, rel.Updated, rel.Status, rel.Chart, rel.AppVersion, rel.Description)
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n")
}

var helmHistory = mcpkit.NewTool(mcpkit.Def{
	Name:        "helm_history",
	Toolset:     "helm",
	Title:       "Helm release history",
	Description: "helm history: a release's revisions, newest first, with status and description.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in HelmHistoryInput) (HelmHistoryResult, error) {
	h, cl, ns, err := helmClient(c, in.Context, in.Namespace)
	if err != nil {
		return HelmHistoryResult{}, err
	}
	revs, err := h.History(in.Release, in.Limit)
	if err != nil {
		return HelmHistoryResult{}, err
	}
	return HelmHistoryResult{Context: cl.Context, Namespace: ns, Revisions: revs}, nil
})
