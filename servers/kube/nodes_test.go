package kube_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/opsmcp/opsmcp/internal/config"
)

// get_nodes shows readiness, roles, taints and what the pods on each node
// request against what it can allocate; a namespace allowlist does not
// sum other namespaces' pods.
func TestGetNodes(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	ctx := context.Background()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "kwok-gpu-0",
		Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
		Labels:      map[string]string{"type": "kwok", "node-role.kubernetes.io/gpu": ""}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "nvidia.com/gpu", Value: "true", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("32Gi"), corev1.ResourcePods: resource.MustParse("110")},
			Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("32Gi"), corev1.ResourcePods: resource.MustParse("110")}}}
	if _, err := e.CS.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.CS.CoreV1().Nodes().Delete(context.Background(), node.Name, metav1.DeleteOptions{}) })
	for _, name := range []string{"train-a", "train-b"} {
		e.pod(ns, name, nil, func(p *corev1.Pod) {
			p.Spec.NodeName = node.Name
			p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1500m"), corev1.ResourceMemory: resource.MustParse("4Gi")}
		})
	}
	e.running(ns, 2)

	out := e.Call("get_nodes", map[string]any{"label_selector": "node-role.kubernetes.io/gpu"})
	res := e.MustOK(out)
	nodes := res["nodes"].([]any)
	if len(nodes) != 1 {
		t.Fatalf("%d nodes", len(nodes))
	}
	n := nodes[0].(map[string]any)
	req := n["requested"].(map[string]any)
	if n["ready"] != "True" || n["pods"].(float64) != 2 || req["cpu_millis"].(float64) != 3000 || req["memory_bytes"].(float64) != 8<<30 {
		t.Fatalf("the node: %v", n)
	}
	for _, want := range []string{"kwok-gpu-0", "gpu", "3/8 (37%)", "8192Mi/32768Mi (25%)", "nvidia.com/gpu=true:NoSchedule"} {
		if !strings.Contains(out.Text, want) {
			t.Fatalf("text lacks %q:\n%s", want, out.Text)
		}
	}
	all := e.MustOK(e.Call("get_nodes", map[string]any{}))
	if all["count"].(float64) < 4 || all["not_ready"].(float64) != 0 {
		t.Fatalf("all nodes: %v", all["count"])
	}

	// Pages: every node once, in order, then the end.
	var names []string
	cont := ""
	for {
		args := map[string]any{"limit": 2}
		if cont != "" {
			args["continue"] = cont
		}
		out := e.Call("get_nodes", args)
		page := e.MustOK(out)
		for _, n := range page["nodes"].([]any) {
			names = append(names, n.(map[string]any)["name"].(string))
		}
		next, _ := page["continue"].(string)
		if next == "" {
			break
		}
		if !strings.Contains(out.Text, "more remain: pass continue") {
			t.Fatalf("a page does not say more remain:\n%s", out.Text)
		}
		cont = next
	}
	if len(names) != int(all["count"].(float64)) || !slices.IsSorted(names) {
		t.Fatalf("pages: %v", names)
	}
	e.MustFail(e.Call("get_nodes", map[string]any{"continue": "x"}), `continue "x" is not a token of this list`)

	fenced := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) { k.Namespaces = []string{ns} })
	out = fenced.Call("get_nodes", map[string]any{"label_selector": "node-role.kubernetes.io/gpu"})
	if res := fenced.MustOK(out); res["requests_note"] == nil || !strings.Contains(out.Text, "set kubernetes.cluster_reads: true") {
		t.Fatalf("an allowlist summed other namespaces' pods:\n%s", out.Text)
	}
	open := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) { k.Namespaces = []string{ns}; k.ClusterReads = true })
	if res := open.MustOK(open.Call("get_nodes", map[string]any{"label_selector": "node-role.kubernetes.io/gpu"})); res["requests_note"] != nil {
		t.Fatalf("cluster_reads: %v", res["requests_note"])
	}
}

// top_pods and top_nodes read real numbers from metrics-server, which
// scrapes the fake kubelet; without metrics.k8s.io they say so in a
// sentence.
func TestTopPodsAndNodes(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	e.pod(ns, "busy", nil, func(p *corev1.Pod) {
		p.Annotations = map[string]string{"kwok.x-k8s.io/usage-cpu": "750m", "kwok.x-k8s.io/usage-memory": "300Mi"}
	})
	e.pod(ns, "idle", nil, func(p *corev1.Pod) {
		p.Annotations = map[string]string{"kwok.x-k8s.io/usage-cpu": "5m", "kwok.x-k8s.io/usage-memory": "20Mi"}
	})
	e.running(ns, 2)
	var res map[string]any
	var text string
	e.eventually(90*time.Second, "metrics of both pods", func() bool {
		out := e.Call("top_pods", map[string]any{"namespace": ns, "containers": true})
		res, text = e.MustOK(out), out.Text
		return len(res["pods"].([]any)) == 2
	})
	busy := res["pods"].([]any)[0].(map[string]any)
	usage := busy["usage"].(map[string]any)
	if busy["name"] != "busy" || usage["memory_bytes"].(float64) != 300<<20 || usage["cpu_millis"].(float64) < 740 || usage["cpu_millis"].(float64) > 760 {
		t.Fatalf("busy: %v", busy)
	}
	if !strings.Contains(text, "300Mi") || !strings.Contains(text, "  app") {
		t.Fatalf("text:\n%s", text)
	}
	// A node's usage is its pods' (kwok's kubelet sums them): busy's node
	// uses at least busy's 750m.
	pod, err := e.CS.CoreV1().Pods(ns).Get(context.Background(), "busy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var node map[string]any
	e.eventually(60*time.Second, "the metrics of busy's node", func() bool {
		for _, n := range e.MustOK(e.Call("top_nodes", map[string]any{}))["nodes"].([]any) {
			if n.(map[string]any)["name"] == pod.Spec.NodeName {
				node = n.(map[string]any)
				return node["usage"].(map[string]any)["cpu_millis"].(float64) >= 740
			}
		}
		return false
	})
	if node["allocatable"].(map[string]any)["cpu_millis"].(float64) != 32000 {
		t.Fatalf("busy's node: %v", node)
	}

	// Without metrics-server's APIService, the group is not served.
	dyn, err := dynamic.NewForConfig(e.K.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	apiServices := dyn.Resource(schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"})
	ctx := context.Background()
	saved, err := apiServices.Get(ctx, "v1beta1.metrics.k8s.io", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := apiServices.Delete(ctx, saved.GetName(), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		saved.SetResourceVersion("")
		if _, err := apiServices.Create(context.Background(), saved, metav1.CreateOptions{}); err != nil {
			t.Error(err)
		}
	}()
	e.eventually(30*time.Second, "metrics.k8s.io gone", func() bool {
		out := e.Call("top_pods", map[string]any{"namespace": ns})
		return strings.Contains(out.Text, "serves no metrics.k8s.io API: metrics-server is not installed")
	})
	if out := e.Call("top_nodes", map[string]any{}); out.IsError || !strings.Contains(out.Text, "metrics-server is not installed") {
		t.Fatalf("top_nodes without metrics: %s", out.Text)
	}
}
