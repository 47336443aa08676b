package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// TopPodsInput is the input of top_pods.
type TopPodsInput struct {
	Namespace     string `json:"namespace,omitempty" desc:"default: the context's"`
	LabelSelector string `json:"label_selector,omitempty" maxLength:"1024"`
	Containers    bool   `json:"containers,omitempty"`
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
}

func (r TopPodsResult) SummaryText() string {
	if r.NoMetrics != "" {
		return r.NoMetrics
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d pods in %s (context %s), by CPU\n", len(r.Pods), r.Namespace, r.Context)
	tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCPU(cores)\tMEMORY(bytes)")
	for i, p := range r.Pods {
		if i == textRows {
			break
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, kube.CPU(p.Usage.CPUMillis), kube.Memory(p.Usage.MemoryBytes))
		if len(p.Containers) > 0 {
			for _, ct := range p.Containers {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", ct.Name, kube.CPU(ct.Usage.CPUMillis), kube.Memory(ct.Usage.MemoryBytes))
			}
		}
	}
	tw.Flush()
	if len(r.Pods) > textRows {
		fmt.Fprintf(&b, "… and %d more pods (all are in the structured result; narrow with label_selector)\n", len(r.Pods)-textRows)
	}
	return strings.TrimRight(b.String(), "\n")
}

var topPods = mcpkit.NewTool(mcpkit.Def{
	Name:        "top_pods",
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
	res.Pods = pods
	return res, nil
})
