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

// TopPodsInput is the input of top_pods.
type TopPodsInput struct {
	Namespace     string `json:"namespace,omitempty" desc:"default: the context's"`
	LabelSelector string `json:"label_selector,omitempty" maxLength:"1024"`
	Containers    bool   `json:"containers,omitempty"`
	Limit         int    `json:"limit,omitempty" default:"500" minimum:"1" maximum:"5000"`
	Continue      string `json:"continue,omitempty"`
	Context       string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in TopPodsInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// TopPodsResult is the result of top_pods.
type TopPodsResult struct {
	Context   string          `json:"context"`
	Namespace string          `json:"namespace"`
	Pods      []kube.PodUsage `json:"pods"`
	// NoMetrics says why there are none (metrics-server not installed).
	NoMetrics string `json:"no_metrics,omitempty"`
	Continue  string `json:"continue,omitempty"`
}

func (r TopPodsResult) SummaryText() string {
	if r.NoMetrics != "" {
		return r.NoMetrics
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d pods in %s (context %s), by CPU%s\n", len(r.Pods), r.Namespace, r.Context, moreRemain(r.Continue))
	var rows [][]string
	for _, p := range r.Pods {
		rows = append(rows, []string{p.Name, kube.CPU(p.Usage.CPUMillis), kube.Memory(p.Usage.MemoryBytes)})
		for _, ct := range p.Containers {
			rows = append(rows, []string{"  " + ct.Name, kube.CPU(ct.Usage.CPUMillis), kube.Memory(ct.Usage.MemoryBytes)})
		}
	}
	writeTable(&b, []string{"NAME", "CPU(cores)", "MEMORY(bytes)"}, len(rows), func(i int) []string { return rows[i] }, "rows", "label_selector")
	return strings.TrimRight(b.String(), "\n")
}

var topPods = mcpkit.NewTool(mcpkit.Def{
	Name:        "top_pods",
	Toolset:     "kubernetes",
	Title:       "Top pods",
	Description: "kubectl top pods: CPU and memory from metrics-server.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in TopPodsInput) (TopPodsResult, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return TopPodsResult{}, err
	}
	res := TopPodsResult{Context: cl.Context, Namespace: ns, Pods: []kube.PodUsage{}}
	pods, err := cl.TopPods(ctx, ns, in.LabelSelector)
	var none *kube.NoMetricsError
	if errors.As(err, &none) {
		res.NoMetrics = none.Reason
		return res, nil
	}
	if err != nil {
		return TopPodsResult{}, err
	}
	for i := range pods {
		pods[i].Namespace = ""
		if !in.Containers {
			pods[i].Containers = nil
		}
	}
	if res.Pods, res.Continue, err = pageOf(pods, in.Limit, in.Continue); err != nil {
		return TopPodsResult{}, &mcpkit.ArgError{Err: err}
	}
	return res, nil
})
