package deploy_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// One real control plane for the package, started by the first test that
// needs it; its processes also die with the test binary.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedKubesim()
	testenv.StopSharedMoto()
	os.Exit(code)
}

func newKubeEnv(t *testing.T, mode config.Mode, edit func(*config.Kubernetes)) *testenv.KubeHost {
	t.Helper()
	return testenv.NewKubeHost(t, deploy.New(), mode, edit)
}

func manifest(name string) string {
	return filepath.Join(testenv.RepoRoot(nil), "testdata", "manifests", name)
}

// actions maps "kind/name" to the action deploy_kubernetes reported.
func actions(res map[string]any) map[string]string {
	out := map[string]string{}
	for _, o := range res["objects"].([]any) {
		m := o.(map[string]any)
		out[strings.ToLower(fmt.Sprint(m["kind"]))+"/"+fmt.Sprint(m["name"])] = fmt.Sprint(m["action"])
	}
	return out
}

func TestDeployKubernetesDryRunApplyAndRollout(t *testing.T) {
	plan := newKubeEnv(t, config.ModePlan, nil)
	ns := plan.Namespace()
	args := map[string]any{"manifests": []string{manifest("web")}, "namespace": ns}

	out := plan.Call("deploy_kubernetes", args)
	res := plan.MustOK(out)
	want := map[string]string{"configmap/web-config": "created", "deployment/web": "created", "service/web": "created"}
	if fmt.Sprint(actions(res)) != fmt.Sprint(want) || res["dry_run"] != true || !strings.Contains(out.Text, "mode is plan") {
		t.Fatalf("dry run:\n%s", out.Text)
	}
	if _, err := plan.CS.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a dry run created the deployment (err %v)", err)
	}

	apply := newKubeEnv(t, config.ModeApply, nil)
	var progress atomic.Int64
	out = apply.CallCtx(context.Background(), "deploy_kubernetes", args, func(done, total float64, msg string) { progress.Add(1) })
	res = apply.MustOK(out)
	if fmt.Sprint(actions(res)) != fmt.Sprint(want) || res["dry_run"] != false || res["rolled_out"] != true {
		t.Fatalf("apply:\n%s", out.Text)
	}
	ro := res["rollouts"].([]any)[0].(map[string]any)
	if ro["name"] != "web" || ro["done"] != true || ro["available"].(float64) != 3 {
		t.Fatalf("rollout: %v", ro)
	}
	if progress.Load() < 4 {
		t.Fatalf("%d progress notifications; want one per object and per rollout", progress.Load())
	}
	d, err := apply.CS.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil || d.Status.AvailableReplicas != 3 {
		t.Fatalf("deployment after apply: %v %+v", err, d.Status)
	}
	managed := false
	for _, f := range d.ManagedFields {
		managed = managed || (f.Manager == "opsmcp" && f.Operation == metav1.ManagedFieldsOperationApply)
	}
	if !managed {
		t.Fatalf("not applied server-side by field manager opsmcp: %+v", d.ManagedFields)
	}
	ops, _ := apply.Store.List(context.Background(), memory.Filter{Kind: memory.KindOperation, Tags: []string{"kubernetes"}})
	audit, _ := apply.Store.ListAudit(context.Background(), 0)
	if len(ops.Entries) != 1 || len(audit) != 1 || audit[0].Tool != "deploy_kubernetes" || len(audit[0].ResultIDs) != 1 || audit[0].ResultIDs[0] != res["operation_id"] {
		t.Fatalf("memory %+v, audit %+v", ops.Entries, audit)
	}

	// The second dry run finds nothing to do.
	res = plan.MustOK(plan.Call("deploy_kubernetes", args))
	for ref, a := range actions(res) {
		if a != "unchanged" {
			t.Fatalf("second dry run: %s %s (%v)", ref, a, res["objects"])
		}
	}

	// A changed image is "configured", naming the field.
	edited := strings.Replace(readFile(t, manifest("web/deployment.yaml")), "nginx:1.27", "nginx:1.28", 1)
	out = plan.Call("deploy_kubernetes", map[string]any{"manifests": []string{edited}, "namespace": ns})
	res = plan.MustOK(out)
	if actions(res)["deployment/web"] != "configured" || actions(res)["service/web"] != "unchanged" ||
		!strings.Contains(out.Text, "spec.template.spec.containers[web].image") {
		t.Fatalf("changed image:\n%s", out.Text)
	}
	// Applying it rolls out the new image.
	out = apply.Call("deploy_kubernetes", map[string]any{"manifests": []string{edited}, "namespace": ns, "timeout_seconds": 60})
	res = apply.MustOK(out)
	if res["rolled_out"] != true {
		t.Fatalf("second rollout:\n%s", out.Text)
	}
	d, _ = apply.CS.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if d.Spec.Template.Spec.Containers[0].Image != "nginx:1.28" || d.Status.UpdatedReplicas != 3 {
		t.Fatalf("after the second apply: %s, %d updated", d.Spec.Template.Spec.Containers[0].Image, d.Status.UpdatedReplicas)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDeployKubernetesRefusesTheWholeSet(t *testing.T) {
	e := newKubeEnv(t, config.ModeApply, func(k *config.Kubernetes) {})
	ns := e.Namespace()
	nothing := func(name string) {
		t.Helper()
		if _, err := e.CS.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("configmap %s exists after a refused request (err %v)", name, err)
		}
	}
	e.MustFail(e.Call("deploy_kubernetes", map[string]any{"manifests": []string{manifest("broken-second-document.yaml")}, "namespace": ns}),
		"broken-second-document.yaml#2 is not valid YAML")
	nothing("broken-set-first")

	good := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\ndata:\n  a: \"1\"\n"
	cases := []struct {
		doc, want string
	}{
		{"apiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n", "no resource type for kind Gizmo"},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: kube-system\n", `namespace "kube-system" is not allowed`},
		{"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n", "has no metadata.name"},
		{"kind: ConfigMap\nmetadata:\n  name: y\n", "apiVersion is missing"},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: z\n  name: z2\n", "not valid YAML"},
		// Passes parsing; the server's strict field validation refuses it in the dry run that precedes any write.
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typo\nspec:\n  replica: 2\n  selector: {matchLabels: {app: t}}\n  template:\n    metadata: {labels: {app: t}}\n    spec: {containers: [{name: c, image: i}]}\n", ".spec.replica: field not declared in schema"},
	}
	restricted := newKubeEnv(t, config.ModeApply, func(k *config.Kubernetes) { k.Namespaces = []string{ns} })
	for _, c := range cases {
		restricted.MustFail(restricted.Call("deploy_kubernetes", map[string]any{"manifests": []string{good, c.doc}, "namespace": ns}), c.want)
		nothing("first")
	}
	e.MustFail(e.Call("deploy_kubernetes", map[string]any{"manifests": []string{filepath.Join(t.TempDir(), "no-such-dir")}}), "does not exist")
	e.MustFail(e.Call("deploy_kubernetes", map[string]any{"manifests": []string{"/no/such/dir"}}), "is not allowed")
	e.MustFail(e.Call("deploy_kubernetes", map[string]any{"manifests": []string{}}), "manifests is empty")
	e.MustFail(e.Call("deploy_kubernetes", map[string]any{"manifests": []string{good, good}, "namespace": ns}), "give each object once")
}

func TestDeployKubernetesRBACForbidden(t *testing.T) {
	e := newKubeEnv(t, config.ModeApply, func(k *config.Kubernetes) {
		k.Contexts = []string{testenv.KubesimContext, testenv.KubesimRestrictedContext}
	})
	out := e.Call("deploy_kubernetes", map[string]any{"manifests": []string{manifest("web")}, "namespace": "default", "context": testenv.KubesimRestrictedContext})
	e.MustFail(out, `forbidden: user "restricted" (context kubesim-restricted) may not apply (patch) configmaps/web-config in namespace default`)
	if _, err := e.CS.CoreV1().ConfigMaps("default").Get(context.Background(), "web-config", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a forbidden deploy left web-config behind (err %v)", err)
	}
}

func TestDeployKubernetesNeverShowsSecretData(t *testing.T) {
	e := newKubeEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	args := map[string]any{"manifests": []string{manifest("secret.yaml")}, "namespace": ns}
	first := e.Call("deploy_kubernetes", args)
	e.MustOK(first)
	s, err := e.CS.CoreV1().Secrets(ns).Get(context.Background(), "db-credentials", metav1.GetOptions{})
	if err != nil || string(s.Data["password"]) != "correct-horse-battery-staple-42" || string(s.Data["api_key"]) != "sk-live-dont-leak-me-99" {
		t.Fatalf("secret not applied: %v", err)
	}
	changed := strings.Replace(readFile(t, manifest("secret.yaml")), "correct-horse-battery-staple-42", "new-password-value-77", 1)
	second := e.Call("deploy_kubernetes", map[string]any{"manifests": []string{changed}, "namespace": ns})
	res := e.MustOK(second)
	if actions(res)["secret/db-credentials"] != "configured" || !strings.Contains(second.Text, "data.password") {
		t.Fatalf("changed secret:\n%s", second.Text)
	}
	// Inline YAML carrying the secret is masked in the audit record too.
	all := e.Everything(first, second)
	for _, v := range []string{"correct-horse-battery-staple-42", "new-password-value-77", "sk-live-dont-leak-me-99",
		"c2stbGl2ZS1kb250LWxlYWstbWUtOTk=", base64.StdEncoding.EncodeToString([]byte("new-password-value-77"))} {
		if strings.Contains(all, v) {
			t.Fatalf("secret value %q appears in output, logs, memory or audit", v)
		}
	}
}

func TestDeployKubernetesNamespacesAndCRDsFirst(t *testing.T) {
	e := newKubeEnv(t, config.ModeApply, nil)
	suffix := fmt.Sprint(time.Now().UnixNano() % 100000)
	ns := "crd-" + suffix
	group := "g" + suffix + ".example.com"
	docs := []string{
		fmt.Sprintf("apiVersion: %s/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: %s\nspec:\n  size: 3\n", group, ns),
		fmt.Sprintf(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.%[1]s
spec:
  group: %[1]s
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`, group),
		fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", ns),
	}
	plan := newKubeEnv(t, config.ModePlan, nil)
	out := plan.Call("deploy_kubernetes", map[string]any{"manifests": docs})
	res := plan.MustOK(out)
	objs := res["objects"].([]any)
	if objs[0].(map[string]any)["kind"] != "Namespace" || objs[1].(map[string]any)["kind"] != "CustomResourceDefinition" || !strings.Contains(out.Text, "not dry-run") {
		t.Fatalf("dry run order:\n%s", out.Text)
	}
	out = e.Call("deploy_kubernetes", map[string]any{"manifests": docs})
	res = e.MustOK(out)
	if a := actions(res); a["namespace/"+ns] != "created" || a["widget/w1"] != "created" {
		t.Fatalf("apply:\n%s", out.Text)
	}
	dyn, err := dynamic.NewForConfig(e.K.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	w, err := dyn.Resource(schema.GroupVersionResource{Group: group, Version: "v1", Resource: "widgets"}).Namespace(ns).Get(context.Background(), "w1", metav1.GetOptions{})
	if err != nil || fmt.Sprint(w.Object["spec"]) != "map[size:3]" {
		t.Fatalf("widget: %v %v", err, w)
	}
}

func TestDeployKubernetesReportsAStuckRollout(t *testing.T) {
	e := newKubeEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	stuck := strings.Replace(readFile(t, manifest("web/deployment.yaml")), "      containers:", "      nodeSelector:\n        disk: nvme-that-no-node-has\n      containers:", 1)
	start := time.Now()
	out := e.Call("deploy_kubernetes", map[string]any{"manifests": []string{stuck}, "namespace": ns, "timeout_seconds": 4})
	res := e.MustFailWithResult(out, "not every workload rolled out")
	if res["rolled_out"] != false || !strings.Contains(out.Text, "Unschedulable") || time.Since(start) > 20*time.Second {
		t.Fatalf("stuck rollout after %s:\n%s", time.Since(start), out.Text)
	}
	res = e.MustOK(e.Call("deploy_kubernetes", map[string]any{"manifests": []string{stuck}, "namespace": ns, "wait": false}))
	if res["rollouts"] != nil || res["rolled_out"] != true {
		t.Fatalf("wait: false still waited: %v", res)
	}
}

// A dry run names its change; applying with that change_id applies when
// the server renders the same objects (a Service's allocated IPs aside),
// and refuses when anything differs.
func TestDeployKubernetesChangeID(t *testing.T) {
	h := newKubeEnv(t, config.ModeApply, nil)
	ns := h.Namespace()
	args := map[string]any{"manifests": []string{manifest("web")}, "namespace": ns, "dry_run": true}
	first := h.MustOK(h.Call("deploy_kubernetes", args))
	again := h.MustOK(h.Call("deploy_kubernetes", args))
	id, _ := first["change_id"].(string)
	if !strings.HasPrefix(id, "c-") || again["change_id"] != id {
		t.Fatalf("two dry runs of the same manifests: %v and %v", first["change_id"], again["change_id"])
	}
	// The same manifests with one value changed: another change.
	dir := t.TempDir()
	for _, e := range must(os.ReadDir(manifest("web"))) {
		b, _ := os.ReadFile(filepath.Join(manifest("web"), e.Name()))
		os.WriteFile(filepath.Join(dir, e.Name()), []byte(strings.Replace(string(b), "replicas: 3", "replicas: 4", 1)), 0o644)
	}
	h.MustFail(h.Call("deploy_kubernetes", map[string]any{"manifests": []string{dir}, "namespace": ns, "change_id": id, "wait": false}),
		"differ from change "+id+": nothing was applied")
	res := h.MustOK(h.Call("deploy_kubernetes", map[string]any{"manifests": []string{manifest("web")}, "namespace": ns, "change_id": id, "wait": false}))
	if res["change_id"] != id || actions(res)["deployment/web"] != "created" {
		t.Fatalf("applied with its change_id: %v", res)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
