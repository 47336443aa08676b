package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// GetNodesInput is the input of get_nodes.
type GetNodesInput struct {
	LabelSelector string `json:"label_selector,omitempty" maxLength:"1024"`
	Limit         int    `json:"limit,omitempty" default:"500" minimum:"1" maximum:"5000"`
	Continue      string `json:"continue,omitempty"`
	Context       string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope: nodes are the cluster's.
func (in GetNodesInput) CacheScope() string { return scope(in.Context, "") }

// GetNodesResult is the result of get_nodes.
type GetNodesResult struct {
	Context string             `json:"context"`
	Count   int                `json:"count"`
	NotOK   int                `json:"not_ready"`
	Nodes   []kube.NodeSummary `json:"nodes"`
	// RequestsNote says why requested CPU and memory are not summed.
	RequestsNote string `json:"requests_note,omitempty"`
	Continue     string `json:"continue,omitempty"`
}

func (r GetNodesResult) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d nodes in context %s, %d not ready%s\n", r.Count, r.Context, r.NotOK, moreRemain(r.Continue))
	writeTable(&b, []string{"NAME", "READY", "ROLES", "AGE", "VERSION", "PODS", "CPU REQ", "MEM REQ", "TAINTS"}, len(r.Nodes), func(i int) []string {
		n := r.Nodes[i]
		roles := strings.Join(n.Roles, ",")
		if roles == "" {
			roles = "<none>"
		}
		cpu, mem := "-", "-"
		if r.RequestsNote == "" {
			cpu = fmt.Sprintf("%s/%s (%s)", kube.CPU(n.Requested.CPUMillis), kube.CPU(n.Allocatable.CPUMillis), kube.Percent(n.Requested.CPUMillis, n.Allocatable.CPUMillis))
			mem = fmt.Sprintf("%s/%s (%s)", kube.Memory(n.Requested.MemoryBytes), kube.Memory(n.Allocatable.MemoryBytes), kube.Percent(n.Requested.MemoryBytes, n.Allocatable.MemoryBytes))
		}
		status := n.Ready
		if n.Unschedulable {
			status += ",SchedulingDisabled"
		}
		return []string{n.Name, status, roles, n.Age, n.Kubelet, fmt.Sprint(n.Pods), cpu, mem, strings.Join(n.Taints, ",")}
	}, "nodes", "label_selector")
	for _, n := range r.Nodes {
		for _, p := range n.Problems {
			fmt.Fprintf(&b, "%s: %s\n", n.Name, p)
		}
	}
	if r.RequestsNote != "" {
		b.WriteString(r.RequestsNote + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

var getNodes = mcpkit.NewTool(mcpkit.Def{
	Name:        "get_nodes",
	Toolset:     "kubernetes",
	Title:       "Get nodes",
	Description: "Nodes: readiness, problems, taints, kubelet version, pods and requests vs allocatable.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in GetNodesInput) (GetNodesResult, error) {
	cl, err := kube.Connect(c.Runtime.Config.Kubernetes, in.Context)
	if err != nil {
		return GetNodesResult{}, err
	}
	nodes, podsErr, err := cl.Nodes(ctx, in.LabelSelector)
	if err != nil {
		return GetNodesResult{}, err
	}
	res := GetNodesResult{Context: cl.Context}
	if res.Nodes, res.Continue, err = pageOf(nodes, in.Limit, in.Continue); err != nil {
		return GetNodesResult{}, &mcpkit.ArgError{Err: err}
	}
	res.Count = len(res.Nodes)
	if podsErr != nil {
		res.RequestsNote = podsErr.Error()
	}
	for _, n := range res.Nodes {
		if n.Ready != "True" {
			res.NotOK++
		}
	}
	return res, nil
})
