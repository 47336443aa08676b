package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// GetPodsInput is the input of get_pods.
type GetPodsInput struct {
	Namespace     string `json:"namespace,omitempty" desc:"default: the context's"`
	LabelSelector string `json:"label_selector,omitempty" desc:"e.g. app=web,tier!=cache"`
	FieldSelector string `json:"field_selector,omitempty" desc:"e.g. status.phase=Pending, spec.nodeName=n1"`
	Limit         int64  `json:"limit,omitempty" minimum:"0" desc:"at most this many pods; 0 = all"`
	Continue      string `json:"continue,omitempty" desc:"continue token of a previous limited call"`
	Context       string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in GetPodsInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// GetPodsResult is the result of get_pods.
type GetPodsResult struct {
	Context   string            `json:"context"`
	Namespace string            `json:"namespace"`
	Count     int               `json:"count"`
	NotReady  int               `json:"not_ready"`
	Pods      []kube.PodSummary `json:"pods"`
	Continue  string            `json:"continue,omitempty"`
}

// textRows bounds the table in the text result; the structured result has
// every pod. Not-ready pods come first, so they are always shown.
const textRows = 200

func (r GetPodsResult) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d pods in %s (context %s), %d not ready", r.Count, r.Namespace, r.Context, r.NotReady)
	if r.Continue != "" {
		b.WriteString("; more remain (pass continue)")
	}
	if r.Count == 0 {
		return b.String()
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\tNODE")
	pods := make([]kube.PodSummary, len(r.Pods))
	copy(pods, r.Pods)
	sort.SliceStable(pods, func(i, j int) bool { return !pods[i].IsReady() && pods[j].IsReady() })
	for i, p := range pods {
		if i == textRows {
			break
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", p.Name, p.Ready, p.Status(), p.Restarts, p.Age, p.Node)
	}
	tw.Flush()
	if len(pods) > textRows {
		fmt.Fprintf(&b, "… and %d more ready pods (all are in the structured result; narrow with label_selector, field_selector or limit)\n", len(pods)-textRows)
	}
	for _, p := range pods {
		if p.IsReady() {
			break
		}
		for _, why := range p.Reasons {
			fmt.Fprintf(&b, "%s: %s\n", p.Name, why)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

var getPods = mcpkit.NewTool(mcpkit.Def{
	Name:        "get_pods",
	Toolset:     "kubernetes",
	Title:       "Get pods",
	Description: "Pods of a namespace: phase, ready containers, restarts, age, node, and why containers are not ready.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in GetPodsInput) (GetPodsResult, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return GetPodsResult{}, err
	}
	page, err := cl.ListPods(ctx, ns, metav1.ListOptions{LabelSelector: in.LabelSelector, FieldSelector: in.FieldSelector, Continue: in.Continue}, in.Limit)
	if err != nil {
		return GetPodsResult{}, err
	}
	res := GetPodsResult{Context: cl.Context, Namespace: ns, Count: len(page.Pods), Pods: page.Pods, Continue: page.Continue}
	for _, p := range page.Pods {
		if !p.IsReady() {
			res.NotReady++
		}
	}
	return res, nil
})
