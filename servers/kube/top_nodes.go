package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// TopNodesInput is the input of top_nodes.
type TopNodesInput struct {
	LabelSelector string `json:"label_selector,omitempty" maxLength:"1024"`
	Limit         int    `json:"limit,omitempty" default:"500" minimum:"1" maximum:"5000"`
	Continue      string `json:"continue,omitempty"`
	Context       string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope: nodes are the cluster's.
func (in TopNodesInput) CacheScope() string { return scope(in.Context, "") }

// TopNodesResult is the result of top_nodes.
type TopNodesResult struct {
	Context string           `json:"context"`
	Nodes   []kube.NodeUsage `json:"nodes"`
	// NoMetrics says why there are none (metrics-server not installed).
	NoMetrics string `json:"no_metrics,omitempty"`
	Continue  string `json:"continue,omitempty"`
}

func (r TopNodesResult) SummaryText() string {
	if r.NoMetrics != "" {
		return r.NoMetrics
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d nodes in context %s, by CPU%s\n", len(r.Nodes), r.Context, moreRemain(r.Continue))
	writeTable(&b, []string{"NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"}, len(r.Nodes), func(i int) []string {
		n := r.Nodes[i]
		return []string{n.Name, kube.CPU(n.Usage.CPUMillis), kube.Percent(n.Usage.CPUMillis, n.Allocatable.CPUMillis),
			kube.Memory(n.Usage.MemoryBytes), kube.Percent(n.Usage.MemoryBytes, n.Allocatable.MemoryBytes)}
	}, "nodes", "label_selector")
	return strings.TrimRight(b.String(), "\n")
}

var topNodes = mcpkit.NewTool(mcpkit.Def{
	Name:        "top_nodes",
	Toolset:     "kubernetes",
	Title:       "Top nodes",
	Description: "kubectl top nodes: CPU and memory from metrics-server.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in TopNodesInput) (TopNodesResult, error) {
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, in.Context)
	if err != nil {
		return TopNodesResult{}, err
	}
	res := TopNodesResult{Context: cl.Context, Nodes: []kube.NodeUsage{}}
	nodes, err := cl.TopNodes(ctx, in.LabelSelector)
	var none *kube.NoMetricsError
	if errors.As(err, &none) {
		res.NoMetrics = none.Reason
		return res, nil
	}
	if err != nil {
		return TopNodesResult{}, err
	}
	if res.Nodes, res.Continue, err = pageOf(nodes, in.Limit, in.Continue); err != nil {
		return TopNodesResult{}, &mcpkit.ArgError{Err: err}
	}
	return res, nil
})
