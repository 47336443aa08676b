package kube_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}, color: {type: string}}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Internal, type: string, jsonPath: .spec.color, priority: 1}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
`

func (e *env) apply(dyn dynamic.Interface, gvr schema.GroupVersionResource, ns, doc string) {
	e.t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
		e.t.Fatal(err)
	}
	if _, err := dyn.Resource(gvr).Namespace(ns).Create(context.Background(), &unstructured.Unstructured{Object: obj}, metav1.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

// list_resources lists any kind by short name, plural or resource.group
// with the columns kubectl get prints, a CRD's printer columns included,
// in pages.
func TestListResources(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	for i := range 3 {
		e.pod(ns, fmt.Sprintf("p%d", i), map[string]string{"app": "list"}, nil)
	}
	e.running(ns, 3)
	out := e.Call("list_resources", map[string]any{"kind": "po", "namespace": ns})
	res := e.MustOK(out)
	if fmt.Sprint(res["columns"]) != "[NAME READY STATUS RESTARTS AGE]" || res["count"].(float64) != 3 || res["resource"] != "pods" {
		t.Fatalf("pods: %v\n%s", res, out.Text)
	}
	if !regexp.MustCompile(`\np1 +1/1 +Running +0 `).MatchString(out.Text) {
		t.Fatalf("text:\n%s", out.Text)
	}
	page := e.MustOK(e.Call("list_resources", map[string]any{"kind": "pods", "namespace": ns, "limit": 2}))
	if page["count"].(float64) != 2 || page["continue"] == nil || page["remaining"].(float64) != 1 {
		t.Fatalf("page 1: %v", page)
	}
	page = e.MustOK(e.Call("list_resources", map[string]any{"kind": "pods", "namespace": ns, "limit": 2, "continue": page["continue"]}))
	if page["count"].(float64) != 1 || page["continue"] != nil {
		t.Fatalf("page 2: %v", page)
	}

	// A CRD created after discovery was cached is found by a refresh.
	dyn, err := dynamic.NewForConfig(e.K.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	e.apply(dyn, crds, "", widgetCRD)
	t.Cleanup(func() { dyn.Resource(crds).Delete(context.Background(), "widgets.example.com", metav1.DeleteOptions{}) })
	widgets := schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}
	e.eventually(30e9, "the Widget CRD served", func() bool {
		_, err := dyn.Resource(widgets).Namespace(ns).List(context.Background(), metav1.ListOptions{})
		return err == nil
	})
	e.apply(dyn, widgets, ns, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: sprocket}\nspec: {size: 7, color: teal}\n")
	for _, kind := range []string{"wd", "widgets.example.com", "Widget"} {
		out := e.Call("list_resources", map[string]any{"kind": kind, "namespace": ns})
		res := e.MustOK(out)
		if fmt.Sprint(res["columns"]) != "[NAME SIZE COLOR AGE]" || fmt.Sprint(res["rows"].([]any)[0].([]any)[:3]) != "[sprocket 7 teal]" {
			t.Fatalf("%s: %v", kind, res)
		}
	}
	e.MustFail(e.Call("list_resources", map[string]any{"kind": "gizmos", "namespace": ns}), `has no resource type "gizmos"`)

	all := e.MustOK(e.Call("list_resources", map[string]any{"kind": "wd", "all_namespaces": true}))
	if fmt.Sprint(all["columns"]) != "[NAMESPACE NAME SIZE COLOR AGE]" || all["rows"].([]any)[0].([]any)[0] != ns {
		t.Fatalf("all namespaces: %v", all)
	}

	fenced := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) { k.Namespaces = []string{ns} })
	if res := fenced.MustOK(fenced.Call("list_resources", map[string]any{"kind": "nodes"})); res["count"].(float64) < 3 {
		t.Fatalf("nodes under an allowlist: %v", res)
	}
	fenced.MustFail(fenced.Call("list_resources", map[string]any{"kind": "clusterroles"}), "ClusterRole is cluster-scoped, and kubernetes.namespaces in opsmcp.yaml limits reads to "+ns)
	fenced.MustFail(fenced.Call("list_resources", map[string]any{"kind": "pods", "namespace": "kube-system"}), `namespace "kube-system" is not allowed`)
	fenced.MustFail(fenced.Call("list_resources", map[string]any{"kind": "pods", "all_namespaces": true}), "all_namespaces: kubernetes.namespaces in opsmcp.yaml allows only "+ns)
	wide := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) { k.Namespaces = []string{ns}; k.ClusterReads = true })
	wide.MustOK(wide.Call("list_resources", map[string]any{"kind": "clusterroles", "limit": 5}))

	restricted := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) {
		k.Contexts = []string{testenv.KubesimContext, testenv.KubesimRestrictedContext}
	})
	restricted.MustFail(restricted.Call("list_resources", map[string]any{"kind": "cm", "namespace": ns, "context": testenv.KubesimRestrictedContext}),
		`forbidden: user "restricted" (context kubesim-restricted) may not list configmaps in namespace `+ns)
	restricted.MustFail(restricted.Call("get_resource", map[string]any{"kind": "cm", "name": "x", "namespace": ns, "context": testenv.KubesimRestrictedContext}),
		`forbidden: user "restricted" (context kubesim-restricted) may not get configmaps/x in namespace `+ns)
}

// get_resource returns the object without managedFields or the
// last-applied copy, env values and Secret data masked, with conditions,
// its owner chain and its events.
func TestGetResource(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	ctx := context.Background()
	const value = "s3cret-value-never-shown-0042"
	if _, err := e.CS.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "api-key"},
		Data: map[string][]byte{"key": []byte(value)}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.deployment(ns, "web", 1, func(d *appsv1.Deployment) {
		d.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"spec":{"password":"` + value + `"}}`}
		d.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "DB_PASSWORD", Value: "literal-" + value}}
	})
	e.running(ns, 1)

	out := e.Call("get_resource", map[string]any{"kind": "deploy", "name": "web", "namespace": ns})
	res := e.MustOK(out)
	obj := res["object"].(map[string]any)
	meta := obj["metadata"].(map[string]any)
	if meta["managedFields"] != nil || meta["annotations"] != nil && meta["annotations"].(map[string]any)["kubectl.kubernetes.io/last-applied-configuration"] != nil {
		t.Fatalf("noise left in: %v", meta)
	}
	if !strings.Contains(out.Text, "Available=") || !strings.Contains(out.Text, "kind: Deployment") {
		t.Fatalf("text:\n%s", out.Text)
	}
	pods, _ := e.CS.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	out = e.Call("get_resource", map[string]any{"kind": "pod", "name": pods.Items[0].Name, "namespace": ns})
	res = e.MustOK(out)
	if owners := fmt.Sprint(res["owners"]); !strings.HasPrefix(owners, "[ReplicaSet/web-") || !strings.HasSuffix(owners, " Deployment/web]") {
		t.Fatalf("owner chain: %s", owners)
	}
	if !strings.Contains(out.Text, "Scheduled") {
		t.Fatalf("events missing:\n%s", out.Text)
	}
	secret := e.Call("get_resource", map[string]any{"kind": "secret", "name": "api-key", "namespace": ns})
	if data := e.MustOK(secret)["object"].(map[string]any)["data"]; fmt.Sprint(data) != "map[key:(29 bytes)]" {
		t.Fatalf("secret data: %v", data)
	}
	if all := e.Everything(secret, out); strings.Contains(all, value) {
		t.Fatal("a secret value left the process")
	}
	dep := e.Call("get_resource", map[string]any{"kind": "deployments.apps", "name": "web", "namespace": ns})
	if strings.Contains(e.Everything(dep), value) || !strings.Contains(dep.Text, "value: (sensitive)") {
		t.Fatalf("env values:\n%s", dep.Text)
	}
	e.MustFail(e.Call("get_resource", map[string]any{"kind": "deploy", "name": "nope", "namespace": ns}), `deployments.apps "nope" not found`)
}

// Every new kube tool gives the restricted user the RBAC sentence, and
// refuses a namespace outside the allowlist before any request.
func TestNewToolsRefuseWithTheReason(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"get_logs", map[string]any{"name": "web"}},
		{"list_resources", map[string]any{"kind": "pods"}},
		{"get_resource", map[string]any{"kind": "pods", "name": "web"}},
		{"top_pods", map[string]any{}},
		{"rollout_restart", map[string]any{"name": "web"}},
		{"rollout_undo", map[string]any{"name": "web"}},
		{"helm_list", map[string]any{}},
		{"helm_status", map[string]any{"release": "web"}},
		{"helm_history", map[string]any{"release": "web"}},
		{"helm_values", map[string]any{"release": "web"}},
		{"helm_upgrade", map[string]any{"release": "web", "chart": webChart()}},
		{"helm_rollback", map[string]any{"release": "web"}},
		{"get_nodes", nil},
		{"top_nodes", nil},
	}
	restricted := newEnv(t, config.ModeApply, func(k *config.Kubernetes) {
		k.Contexts = []string{testenv.KubesimContext, testenv.KubesimRestrictedContext}
	})
	fenced := newEnv(t, config.ModeApply, func(k *config.Kubernetes) { k.Namespaces = []string{"default"} })
	for _, c := range calls {
		args := map[string]any{"context": testenv.KubesimRestrictedContext}
		for k, v := range c.args {
			args[k] = v
		}
		if c.args != nil {
			args["namespace"] = ns
		}
		restricted.MustFail(restricted.Call(c.tool, args), `forbidden: user "restricted" (context kubesim-restricted) may not`)
		if c.args != nil {
			delete(args, "context")
			fenced.MustFail(fenced.Call(c.tool, args), `namespace "`+ns+`" is not allowed`)
		}
	}
}
