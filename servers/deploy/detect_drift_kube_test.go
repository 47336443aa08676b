package deploy_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
	kubeserver "github.com/opsmcp/opsmcp/servers/kube"
)

const driftManifests = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  MODE: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - {name: GREETING, value: not-kept-in-memory}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 1
  maxReplicas: 5
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
`

// Objects deploy_kubernetes applied, changed on a real control plane by
// other field managers: an image edited (kubectl-edit), replicas scaled by
// hand, a ConfigMap deleted — and replicas an HPA owns changed too, which
// is not drift. detect_drift finds the set in memory, dry-runs it again,
// and names each changed path with the manager that owns it now; given the
// manifests, it checks them the same way.
func TestDetectDriftKubernetes(t *testing.T) {
	e := newKubeEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(driftManifests), 0o644)
	e.MustOK(e.Call("deploy_kubernetes", map[string]any{"manifests": []string{dir}, "namespace": ns, "wait": false}))

	res := e.MustOK(e.Call("detect_drift", nil))
	if res["in_sync"] != 1.0 || res["drifted"] != 0.0 || res["errors"] != 0.0 {
		t.Fatalf("just applied: %v", res)
	}

	ctx := context.Background()
	deps := e.CS.AppsV1().Deployments(ns)
	// As kubectl edit, kubectl scale and the HPA controller write: patches
	// under their own field managers (controllers update these objects
	// too, so a read-then-update would race them).
	patch := func(name, manager, body string) {
		t.Helper()
		if _, err := deps.Patch(ctx, name, types.StrategicMergePatchType, []byte(body), metav1.PatchOptions{FieldManager: manager}); err != nil {
			t.Fatal(err)
		}
	}
	patch("web", "kubectl-edit", `{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}`)
	patch("web", "kubectl-scale", `{"spec":{"replicas":4}}`)
	patch("api", "horizontal-pod-autoscaler", `{"spec":{"replicas":4}}`)
	if err := e.CS.CoreV1().ConfigMaps(ns).Delete(ctx, "settings", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	for _, args := range []map[string]any{nil, {"manifests": []string{dir}, "namespace": ns}} {
		res = e.MustOK(e.Call("detect_drift", args))
		if res["drifted"] != 1.0 {
			t.Fatalf("%v: %v", args, res)
		}
		tg := res["targets"].([]any)[0].(map[string]any)
		got := map[string]string{}
		for _, r := range tg["resources"].([]any) {
			m := r.(map[string]any)
			got[fmt.Sprint(m["address"])] = fmt.Sprint(m["change"], " ", m["paths"], " ", m["managers"])
		}
		want := map[string]string{
			"configmap/settings -n " + ns: "deleted <nil> <nil>",
			"deployment/web -n " + ns:     "changed [spec.replicas spec.template.spec.containers[web].image] map[spec.replicas:kubectl-scale spec.template.spec.containers[web].image:kubectl-edit]",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v:\n got %v\nwant %v", args, got, want)
		}
		if args == nil && (tg["last_apply"] == nil || !strings.HasPrefix(fmt.Sprint(tg["last_apply"].(map[string]any)["plan_id"]), "k-")) {
			t.Errorf("a recorded set names its apply: %v", tg)
		}
	}
	// Memory keeps the objects for the next check, but not env values.
	ops, _ := e.Store.List(ctx, memory.Filter{Kind: memory.KindOperation, Tags: []string{"kubernetes"}})
	if len(ops.Entries) != 1 || strings.Contains(string(ops.Entries[0].Data), "not-kept-in-memory") || !strings.Contains(string(ops.Entries[0].Data), "GREETING") {
		t.Errorf("recorded objects: %+v", ops.Entries)
	}
	// Drift detection changed nothing.
	if web, _ := deps.Get(ctx, "web", metav1.GetOptions{}); web.Spec.Template.Spec.Containers[0].Image != "nginx:1.28" {
		t.Error("the dry run changed the live object")
	}
}

// BenchmarkDetectDrift500Objects is detect_drift of a recorded set of 500
// ConfigMaps on a real control plane, 5 of them edited by hand: a get and
// a dry-run apply per object.
func BenchmarkDetectDrift500Objects(b *testing.B) {
	e := testenv.NewKubeHost(b, deploy.New(), config.ModeApply, nil)
	ns := e.Namespace()
	var docs strings.Builder
	for i := range 500 {
		fmt.Fprintf(&docs, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\ndata:\n  k: v\n---\n", i)
	}
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "cms.yaml"), []byte(docs.String()), 0o644)
	e.MustOK(e.Call("deploy_kubernetes", map[string]any{"manifests": []string{dir}, "namespace": ns, "wait": false}))
	ctx := context.Background()
	for i := range 5 {
		cm, _ := e.CS.CoreV1().ConfigMaps(ns).Get(ctx, fmt.Sprintf("c%d", i), metav1.GetOptions{})
		cm.Data["k"] = "edited"
		if _, err := e.CS.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		res := e.MustOK(e.Call("detect_drift", map[string]any{}))
		if res["drifted"] != 1.0 || len(res["targets"].([]any)[0].(map[string]any)["resources"].([]any)) != 5 {
			b.Fatalf("%v", res)
		}
	}
}

// A Helm release opsmcp installed (the kube server's helm_upgrade, its
// record in memory) is checked against its deployed revision's manifest,
// read from Helm's storage: an image edited by hand is drift, named with
// the manager that owns it now.
func TestDetectDriftHelmRelease(t *testing.T) {
	k := testenv.NewKubeHost(t, kubeserver.New(), config.ModeApply, nil)
	ns := k.Namespace()
	chart := filepath.Join(testenv.RepoRoot(t), "testdata", "charts", "web")
	k.MustOK(k.Call("helm_upgrade", map[string]any{"release": "shop", "chart": chart, "namespace": ns}))
	ops, err := k.Store.List(context.Background(), memory.Filter{Server: "kube", Kind: memory.KindOperation, Tags: []string{"helm"}})
	if err != nil || len(ops.Entries) != 1 {
		t.Fatalf("helm record: %v %+v", err, ops.Entries)
	}
	e := newKubeEnv(t, config.ModeApply, nil)
	rec := ops.Entries[0]
	rec.ID = 0
	if err := e.Store.Put(context.Background(), &rec); err != nil {
		t.Fatal(err)
	}
	res := e.MustOK(e.Call("detect_drift", nil))
	if res["in_sync"] != 1.0 || res["drifted"] != 0.0 {
		t.Fatalf("just installed: %v", res)
	}
	ctx := context.Background()
	if _, err := e.CS.AppsV1().Deployments(ns).Patch(ctx, "shop", types.StrategicMergePatchType,
		[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:hotfix"}]}}}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	res = e.MustOK(e.Call("detect_drift", nil))
	tg := res["targets"].([]any)[0].(map[string]any)
	got := fmt.Sprint(tg["resources"])
	if res["drifted"] != 1.0 || tg["target"] != "helm "+ns+"/shop (kubesim)" || !strings.Contains(got, "deployment/shop") || !strings.Contains(got, "image:kubectl-edit") {
		t.Errorf("%v", res)
	}
}
