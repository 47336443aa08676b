package kube

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// ListDeploymentsInput is the input of list_deployments.
type ListDeploymentsInput struct {
	Namespace     string `json:"namespace,omitempty" desc:"default: the context's"`
	LabelSelector string `json:"label_selector,omitempty"`
	Context       string `json:"context,omitempty" desc:"default: current"`
}

// CacheScope is the namespace read.
func (in ListDeploymentsInput) CacheScope() string { return scope(in.Context, in.Namespace) }

// DeploymentSummary is one deployment's replica counts.
type DeploymentSummary struct {
	Name      string   `json:"name"`
	Desired   int32    `json:"desired"`
	Ready     int32    `json:"ready"`
	Updated   int32    `json:"updated"`
	Available int32    `json:"available"`
	Age       string   `json:"age"`
	Images    []string `json:"images"`
	Healthy   bool     `json:"healthy"` // every desired replica updated and available
}

// ListDeploymentsResult is the result of list_deployments.
type ListDeploymentsResult struct {
	Context     string              `json:"context"`
	Namespace   string              `json:"namespace"`
	Deployments []DeploymentSummary `json:"deployments"`
}

func (r ListDeploymentsResult) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d deployments in %s (context %s)", len(r.Deployments), r.Namespace, r.Context)
	if len(r.Deployments) == 0 {
		return b.String()
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREADY\tUP-TO-DATE\tAVAILABLE\tAGE\tIMAGES")
	for _, d := range r.Deployments {
		fmt.Fprintf(tw, "%s\t%d/%d\t%d\t%d\t%s\t%s\n", d.Name, d.Ready, d.Desired, d.Updated, d.Available, d.Age, strings.Join(d.Images, ","))
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n")
}

func summarizeDeployment(d *appsv1.Deployment, now time.Time) DeploymentSummary {
	s := DeploymentSummary{Name: d.Name, Desired: 1, Ready: d.Status.ReadyReplicas, Updated: d.Status.UpdatedReplicas,
		Available: d.Status.AvailableReplicas, Age: kube.Age(d.CreationTimestamp.Time, now), Images: []string{}}
	if d.Spec.Replicas != nil {
		s.Desired = *d.Spec.Replicas
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		s.Images = append(s.Images, c.Image)
	}
	s.Healthy = d.Status.ObservedGeneration >= d.Generation && s.Updated >= s.Desired && s.Available >= s.Desired && d.Status.Replicas == s.Desired
	return s
}

var listDeployments = mcpkit.NewTool(mcpkit.Def{
	Name:        "list_deployments",
	Toolset:     "kubernetes",
	Title:       "List deployments",
	Description: "Deployments of a namespace with desired, ready, updated and available replicas and their images.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Timeout:     time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in ListDeploymentsInput) (ListDeploymentsResult, error) {
	cl, ns, err := connect(c, in.Context, in.Namespace)
	if err != nil {
		return ListDeploymentsResult{}, err
	}
	res := ListDeploymentsResult{Context: cl.Context, Namespace: ns, Deployments: []DeploymentSummary{}}
	now := time.Now()
	opts := metav1.ListOptions{LabelSelector: in.LabelSelector, Limit: 500}
	for {
		list, err := cl.Apps.Deployments(ns).List(ctx, opts)
		if err != nil {
			return res, cl.Explain(err, "list", "deployments", ns)
		}
		for i := range list.Items {
			res.Deployments = append(res.Deployments, summarizeDeployment(&list.Items[i], now))
		}
		if opts.Continue = list.Continue; opts.Continue == "" {
			return res, nil
		}
	}
})
