package kube

import (
	"context"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// NoMetricsError: the cluster serves no metrics.k8s.io (metrics-server is
// not installed) or it does not answer; Reason says which in one sentence.
type NoMetricsError struct{ Reason string }

func (e *NoMetricsError) Error() string { return e.Reason }

// PodUsage is one pod's CPU and memory as metrics-server measured them.
type PodUsage struct {
	Name       string           `json:"name"`
	Namespace  string           `json:"namespace,omitempty"`
	Usage      Resources        `json:"usage"`
	Containers []ContainerUsage `json:"containers,omitempty"`
}

// ContainerUsage is one container's share.
type ContainerUsage struct {
	Name  string    `json:"name"`
	Usage Resources `json:"usage"`
}

// NodeUsage is one node's CPU and memory use against what it can allocate.
type NodeUsage struct {
	Name        string    `json:"name"`
	Usage       Resources `json:"usage"`
	Allocatable Resources `json:"allocatable"`
}

var (
	podMetrics  = schema.GroupVersionResource{Group: "metrics.k8s.io", Version: "v1beta1", Resource: "pods"}
	nodeMetrics = schema.GroupVersionResource{Group: "metrics.k8s.io", Version: "v1beta1", Resource: "nodes"}
)

// TopPods is `kubectl top pods`: the namespace's pods by CPU, highest first.
func (c *Cluster) TopPods(ctx context.Context, ns, labelSelector string) ([]PodUsage, error) {
	list, err := c.Dynamic.Resource(podMetrics).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: labelSelector})
	if err != nil {
		return nil, c.metricsError(err, "pods", ns)
	}
	out := make([]PodUsage, 0, len(list.Items))
	for _, item := range list.Items {
		p := PodUsage{Name: item.GetName(), Namespace: item.GetNamespace()}
		cts, _, _ := unstructured.NestedSlice(item.Object, "containers")
		for _, ct := range cts {
			m, _ := ct.(map[string]any)
			u := usageOf(m)
			name, _ := m["name"].(string)
			p.Containers = append(p.Containers, ContainerUsage{Name: name, Usage: u})
			p.Usage.CPUMillis += u.CPUMillis
			p.Usage.MemoryBytes += u.MemoryBytes
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return busier(out[i].Usage, out[j].Usage, out[i].Name, out[j].Name) })
	return out, nil
}

// busier orders by CPU, highest first, then by name.
func busier(a, b Resources, aName, bName string) bool {
	if a.CPUMillis != b.CPUMillis {
		return a.CPUMillis > b.CPUMillis
	}
	return aName < bName
}

// TopNodes is `kubectl top nodes`, by CPU, highest first.
func (c *Cluster) TopNodes(ctx context.Context, labelSelector string) ([]NodeUsage, error) {
	list, err := c.Dynamic.Resource(nodeMetrics).List(ctx, metav1.ListOptions{LabelSelector: labelSelector})
	if err != nil {
		return nil, c.metricsError(err, "nodes", "")
	}
	nodes, err := c.Core.Nodes().List(ctx, metav1.ListOptions{LabelSelector: labelSelector})
	if err != nil {
		return nil, c.Explain(err, "list", "nodes", "")
	}
	alloc := map[string]Resources{}
	for _, n := range nodes.Items {
		alloc[n.Name] = resourcesOf(n.Status.Allocatable)
	}
	out := make([]NodeUsage, 0, len(list.Items))
	for _, item := range list.Items {
		u, _, _ := unstructured.NestedMap(item.Object)
		out = append(out, NodeUsage{Name: item.GetName(), Usage: usageOf(u), Allocatable: alloc[item.GetName()]})
	}
	sort.SliceStable(out, func(i, j int) bool { return busier(out[i].Usage, out[j].Usage, out[i].Name, out[j].Name) })
	return out, nil
}

// usageOf reads {"usage": {"cpu": "250m", "memory": "64Mi"}}.
func usageOf(m map[string]any) Resources {
	usage, _ := m["usage"].(map[string]any)
	var r Resources
	if s, ok := usage["cpu"].(string); ok {
		if q, err := resource.ParseQuantity(s); err == nil {
			r.CPUMillis = q.MilliValue()
		}
	}
	if s, ok := usage["memory"].(string); ok {
		if q, err := resource.ParseQuantity(s); err == nil {
			r.MemoryBytes = q.Value()
		}
	}
	return r
}

// metricsError tells a cluster without metrics-server (the group is not
// served, or its APIService does not answer) from other failures.
func (c *Cluster) metricsError(err error, resource, ns string) error {
	switch {
	case apierrors.IsNotFound(err):
		return &NoMetricsError{Reason: fmt.Sprintf("the cluster of context %s serves no metrics.k8s.io API: metrics-server is not installed, so there is no CPU or memory usage to show", c.Context)}
	case apierrors.IsServiceUnavailable(err):
		return &NoMetricsError{Reason: fmt.Sprintf("metrics.k8s.io is registered in context %s but does not answer (is metrics-server running?): %v", c.Context, err)}
	}
	return c.Explain(err, "list", resource+".metrics.k8s.io", ns)
}
