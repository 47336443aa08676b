package kube_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/kube"
)

func (e *env) image(ns, name string) string {
	e.t.Helper()
	d, err := e.CS.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return d.Spec.Template.Spec.Containers[0].Image
}

func (e *env) replicaSets(ns string) []appsv1.ReplicaSet {
	e.t.Helper()
	list, err := e.CS.AppsV1().ReplicaSets(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return list.Items
}

// A bad image rolled out, then rollout_undo back to the working revision:
// the dry run names revisions and template paths and changes nothing,
// the real one restores the template (the old ReplicaSet takes over) and
// waits; rollout_restart makes a new ReplicaSet.
func TestRolloutUndoAndRestart(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	ctx := context.Background()
	e.deployment(ns, "web", 2, nil)
	e.MustOK(e.Call("rollout_status", map[string]any{"name": "web", "namespace": ns, "wait": true}))
	d, _ := e.CS.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	d.Spec.Template.Spec.Containers[0].Image = "nginx:does-not-exist"
	if _, err := e.CS.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.eventually(30*time.Second, "revision 2", func() bool { return len(e.replicaSets(ns)) == 2 })

	out := e.Call("rollout_undo", map[string]any{"name": "web", "namespace": ns, "dry_run": true})
	res := e.MustOK(out)
	if res["from_revision"].(float64) != 2 || res["to_revision"].(float64) != 1 || fmt.Sprint(res["changed"]) != "[spec.template.spec.containers[app].image]" {
		t.Fatalf("dry run: %v", res)
	}
	if e.image(ns, "web") != "nginx:does-not-exist" || !strings.Contains(out.Text, "server dry run: nothing changed") {
		t.Fatalf("the dry run changed the deployment or did not say so:\n%s", out.Text)
	}

	var progress int
	out = e.CallCtx(ctx, "rollout_undo", map[string]any{"name": "web", "namespace": ns, "wait": true}, func(done, total float64, msg string) { progress++ })
	res = e.MustOK(out)
	if e.image(ns, "web") != "nginx:1.27" || res["rollout"].(map[string]any)["done"] != true || progress == 0 {
		t.Fatalf("undo: %s (%d progress notifications)", out.Text, progress)
	}
	if n := len(e.replicaSets(ns)); n != 2 {
		t.Fatalf("%d ReplicaSets after undo; the old one should have taken over", n)
	}
	e.MustFail(e.Call("rollout_undo", map[string]any{"name": "web", "namespace": ns, "to_revision": 9}), "deployment/web has no revision 9 (its revisions: 2, 3)")
	res = e.MustOK(e.Call("rollout_undo", map[string]any{"name": "web", "namespace": ns, "to_revision": 3}))
	if !strings.Contains(res["skipped"].(string), "already is revision 3's") {
		t.Fatalf("undo to the current revision: %v", res)
	}

	res = e.MustOK(e.Call("rollout_restart", map[string]any{"name": "web", "namespace": ns, "wait": true}))
	if fmt.Sprint(res["changed"]) != "[spec.template.metadata.annotations.kubectl.kubernetes.io/restartedAt]" || len(e.replicaSets(ns)) != 3 {
		t.Fatalf("restart: %v (%d ReplicaSets)", res, len(e.replicaSets(ns)))
	}

	plan := newEnv(t, config.ModePlan, nil)
	out = plan.Call("rollout_restart", map[string]any{"name": "web", "namespace": ns})
	if plan.MustOK(out)["dry_run"] != true || len(e.replicaSets(ns)) != 3 {
		t.Fatalf("mode plan restarted: %s", out.Text)
	}

	d, _ = e.CS.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	d.Spec.Paused = true
	e.CS.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{})
	e.MustFail(e.Call("rollout_undo", map[string]any{"name": "web", "namespace": ns}), "the deployment is paused: resume it first")
	e.MustFail(e.Call("rollout_restart", map[string]any{"name": "web", "namespace": ns}), "the deployment is paused")

	restricted := newEnv(t, config.ModeApply, func(k *config.Kubernetes) {
		k.Contexts = []string{testenv.KubesimContext, testenv.KubesimRestrictedContext}
	})
	restricted.MustFail(restricted.Call("rollout_restart", map[string]any{"name": "web", "namespace": ns, "context": testenv.KubesimRestrictedContext}),
		`forbidden: user "restricted" (context kubesim-restricted) may not get deployments/web in namespace `+ns)
	fenced := newEnv(t, config.ModeApply, func(k *config.Kubernetes) { k.Namespaces = []string{"default"} })
	fenced.MustFail(fenced.Call("rollout_undo", map[string]any{"name": "web", "namespace": ns}), `namespace "`+ns+`" is not allowed`)
}

// A StatefulSet rolls back from its ControllerRevisions; every change
// passes the gate (here: a team's approval).
func TestRolloutUndoStatefulSetAndGate(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	ctx := context.Background()
	labels := map[string]string{"app": "db"}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](1),
		Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec("postgres:16")}}}
	if _, err := e.CS.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.MustOK(e.Call("rollout_status", map[string]any{"kind": "statefulset", "name": "db", "namespace": ns, "wait": true}))
	cur, _ := e.CS.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
	cur.Spec.Template.Spec.Containers[0].Image = "postgres:17"
	if _, err := e.CS.AppsV1().StatefulSets(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.eventually(30*time.Second, "two ControllerRevisions", func() bool {
		list, _ := e.CS.AppsV1().ControllerRevisions(ns).List(ctx, metav1.ListOptions{})
		return len(list.Items) == 2
	})

	cfg := e.K.Config(config.ModeApply)
	cfg.Gate.Approvals = 1
	gated := testenv.NewHost(t, kube.New(), cfg)
	gated.MustFail(gated.Call("rollout_undo", map[string]any{"kind": "statefulset", "name": "db", "namespace": ns}), "needs 1 approval(s)")

	res := e.MustOK(e.Call("rollout_undo", map[string]any{"kind": "statefulset", "name": "db", "namespace": ns, "wait": true}))
	got, _ := e.CS.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
	if got.Spec.Template.Spec.Containers[0].Image != "postgres:16" || res["to_revision"].(float64) != 1 || res["from_revision"].(float64) != 2 {
		t.Fatalf("statefulset undo: %v, image %s", res, got.Spec.Template.Spec.Containers[0].Image)
	}
}
