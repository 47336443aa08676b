package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NodeSummary is one node as get_nodes reports it: `kubectl get nodes -o
// wide` and the allocation part of `kubectl describe node`.
type NodeSummary struct {
	Name    string   `json:"name"`
	Ready   string   `json:"ready"` // True, False or Unknown
	Roles   []string `json:"roles,omitempty"`
	Age     string   `json:"age"`
	Kubelet string   `json:"kubelet_version"`
	// Problems are the conditions that are not as they should be
	// (Ready not True, any pressure True) with their messages.
	Problems      []string  `json:"problems,omitempty"`
	Unschedulable bool      `json:"unschedulable,omitempty"`
	Taints        []string  `json:"taints,omitempty"`
	Capacity      Resources `json:"capacity"`
	Allocatable   Resources `json:"allocatable"`
	// Pods scheduled on the node (not finished) and what they request.
	Pods      int       `json:"pods"`
	Requested Resources `json:"requested"`
}

// Resources are CPU in millicores, memory in bytes and a pod count.
type Resources struct {
	CPUMillis   int64 `json:"cpu_millis"`
	MemoryBytes int64 `json:"memory_bytes"`
	Pods        int64 `json:"pods,omitempty"`
}

func resourcesOf(l corev1.ResourceList) Resources {
	return Resources{CPUMillis: l.Cpu().MilliValue(), MemoryBytes: l.Memory().Value(), Pods: l.Pods().Value()}
}

// Percent is part of whole as kubectl describe node shows it ("42%").
func Percent(part, whole int64) string {
	if whole == 0 {
		return "-"
	}
	return fmt.Sprintf("%d%%", part*100/whole)
}

// CPU renders millicores as kubectl does ("250m", "2").
func CPU(millis int64) string { return resource.NewMilliQuantity(millis, resource.DecimalSI).String() }

// Memory renders bytes in Mi as kubectl top does.
func Memory(bytes int64) string { return fmt.Sprintf("%dMi", bytes/(1<<20)) }

// Nodes lists the nodes and, when pods may be listed cluster-wide, what
// their pods request; podsErr says why requests are missing.
func (c *Cluster) Nodes(ctx context.Context, labelSelector string) (nodes []NodeSummary, podsErr error, err error) {
	list, err := c.Core.Nodes().List(ctx, metav1.ListOptions{LabelSelector: labelSelector})
	if err != nil {
		return nil, nil, c.Explain(err, "list", "nodes", "")
	}
	now := time.Now()
	for i := range list.Items {
		nodes = append(nodes, summarizeNode(&list.Items[i], now))
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	byName := map[string]int{}
	for i, n := range nodes {
		byName[n.Name] = i
	}
	if !c.AllNamespaces() {
		return nodes, fmt.Errorf("pods per node are not summed: they span namespaces outside kubernetes.namespaces (set kubernetes.cluster_reads: true)"), nil
	}
	podsErr = c.eachPod(ctx, "", "status.phase!=Succeeded,status.phase!=Failed", func(p *corev1.Pod) {
		i, ok := byName[p.Spec.NodeName]
		if !ok {
			return
		}
		nodes[i].Pods++
		req := podRequests(p)
		nodes[i].Requested.CPUMillis += req.Cpu().MilliValue()
		nodes[i].Requested.MemoryBytes += req.Memory().Value()
	})
	return nodes, podsErr, nil
}

func summarizeNode(n *corev1.Node, now time.Time) NodeSummary {
	s := NodeSummary{Name: n.Name, Ready: "Unknown", Age: Age(n.CreationTimestamp.Time, now), Kubelet: n.Status.NodeInfo.KubeletVersion,
		Unschedulable: n.Spec.Unschedulable, Capacity: resourcesOf(n.Status.Capacity), Allocatable: resourcesOf(n.Status.Allocatable)}
	for label := range n.Labels {
		if role, ok := strings.CutPrefix(label, "node-role.kubernetes.io/"); ok && role != "" {
			s.Roles = append(s.Roles, role)
		}
	}
	sort.Strings(s.Roles)
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			s.Ready = string(c.Status)
			if c.Status != corev1.ConditionTrue {
				s.Problems = append(s.Problems, strings.TrimSuffix(fmt.Sprintf("Ready=%s: %s %s", c.Status, c.Reason, c.Message), " "))
			}
			continue
		}
		if c.Status == corev1.ConditionTrue {
			s.Problems = append(s.Problems, strings.TrimSuffix(fmt.Sprintf("%s: %s %s", c.Type, c.Reason, c.Message), " "))
		}
	}
	for _, t := range n.Spec.Taints {
		taint := t.Key
		if t.Value != "" {
			taint += "=" + t.Value
		}
		s.Taints = append(s.Taints, taint+":"+string(t.Effect))
	}
	return s
}

// podRequests is what a pod requests as the scheduler counts it: the sum
// of its containers, or an init container's if larger, plus overhead.
func podRequests(p *corev1.Pod) corev1.ResourceList {
	total := corev1.ResourceList{}
	for _, ct := range p.Spec.Containers {
		for name, q := range ct.Resources.Requests {
			sum := total[name]
			sum.Add(q)
			total[name] = sum
		}
	}
	for _, ct := range p.Spec.InitContainers {
		for name, q := range ct.Resources.Requests {
			if cur, ok := total[name]; !ok || q.Cmp(cur) > 0 {
				total[name] = q
			}
		}
	}
	for name, q := range p.Spec.Overhead {
		sum := total[name]
		sum.Add(q)
		total[name] = sum
	}
	return total
}

// eachPod pages through pods (all namespaces when ns is ""), 500 at a
// time, so memory stays bounded on large clusters.
func (c *Cluster) eachPod(ctx context.Context, ns, fieldSelector string, fn func(*corev1.Pod)) error {
	opts := metav1.ListOptions{FieldSelector: fieldSelector, Limit: 500}
	for {
		list, err := c.Core.Pods(ns).List(ctx, opts)
		if err != nil {
			return c.Explain(err, "list", "pods", ns)
		}
		for i := range list.Items {
			fn(&list.Items[i])
		}
		if list.Continue == "" {
			return nil
		}
		opts.Continue = list.Continue
	}
}
