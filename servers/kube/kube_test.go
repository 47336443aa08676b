package kube_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/opsmcp/opsmcp/internal/cli"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/kube"
)

func names(res map[string]any, key string) []string {
	var out []string
	items, _ := res[key].([]any)
	for _, it := range items {
		out = append(out, str(it.(map[string]any)["name"]))
	}
	return out
}

func TestGetPodsWithSelectorsAndReasons(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	for _, n := range []string{"a-1", "a-2"} {
		e.pod(ns, n, map[string]string{"app": "a"}, nil)
	}
	e.pod(ns, "b-1", map[string]string{"app": "b"}, func(p *corev1.Pod) {
		p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "PASSWORD", Value: "hunter2-literal"},
			{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}}}
	})
	e.pod(ns, "stuck", map[string]string{"app": "b"}, func(p *corev1.Pod) {
		p.Spec.NodeSelector = map[string]string{"disk": "nvme-that-no-node-has"}
	})
	e.eventually(30*time.Second, "3 pods Running", func() bool {
		l, _ := e.CS.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{FieldSelector: "status.phase=Running"})
		return l != nil && len(l.Items) == 3
	})
	e.eventually(30*time.Second, "stuck pod unschedulable", func() bool {
		p, _ := e.CS.CoreV1().Pods(ns).Get(context.Background(), "stuck", metav1.GetOptions{})
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Reason == "Unschedulable" {
				return true
			}
		}
		return false
	})

	out := e.Call("get_pods", map[string]any{"namespace": ns})
	res := e.MustOK(out)
	if res["count"].(float64) != 4 || res["not_ready"].(float64) != 1 {
		t.Fatalf("count/not_ready: %s", out.Text)
	}
	if strings.Contains(e.Everything(out), "hunter2") {
		t.Fatal("an env value leaked into get_pods output")
	}
	// The not-ready pod is listed first, with why.
	lines := strings.Split(out.Text, "\n")
	if !strings.HasPrefix(lines[2], "stuck ") || !strings.Contains(out.Text, "stuck: Unschedulable: ") || !strings.Contains(out.Text, "node affinity/selector") {
		t.Fatalf("text:\n%s", out.Text)
	}
	for _, p := range res["pods"].([]any) {
		m := p.(map[string]any)
		if m["name"] == "a-1" && (m["phase"] != "Running" || m["ready"] != "1/1" || !strings.HasPrefix(str(m["node"]), "kwok-node-")) {
			t.Fatalf("a-1: %v", m)
		}
	}

	res = e.MustOK(e.Call("get_pods", map[string]any{"namespace": ns, "label_selector": "app=a"}))
	if got := strings.Join(names(res, "pods"), ","); got != "a-1,a-2" {
		t.Fatalf("label_selector app=a: %s", got)
	}
	res = e.MustOK(e.Call("get_pods", map[string]any{"namespace": ns, "field_selector": "status.phase=Pending"}))
	if got := strings.Join(names(res, "pods"), ","); got != "stuck" {
		t.Fatalf("field_selector status.phase=Pending: %s", got)
	}
	res = e.MustOK(e.Call("get_pods", map[string]any{"namespace": ns, "label_selector": "app=b", "field_selector": "status.phase=Running"}))
	if got := strings.Join(names(res, "pods"), ","); got != "b-1" {
		t.Fatalf("both selectors: %s", got)
	}
	e.MustFail(e.Call("get_pods", map[string]any{"namespace": ns, "label_selector": "app in (a"}), "unable to parse")
	e.MustFail(e.Call("get_pods", map[string]any{"namespace": ns, "limit": -1}), "limit")
}

func TestGetPodsPagesALargeNamespace(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	seedPods(t, e.CS, ns, 1000)

	out := e.Call("get_pods", map[string]any{"namespace": ns})
	res := e.MustOK(out)
	if res["count"].(float64) != 1000 || len(res["pods"].([]any)) != 1000 || res["continue"] != nil {
		t.Fatalf("all pods: count %v, %d listed, continue %v", res["count"], len(res["pods"].([]any)), res["continue"])
	}
	if len(out.Text) > 60_000 {
		t.Fatalf("text result is %d bytes; the target is under 60 KB", len(out.Text))
	}
	seen := map[string]bool{}
	token := ""
	var pages []int
	for {
		args := map[string]any{"namespace": ns, "limit": 400}
		if token != "" {
			args["continue"] = token
		}
		res := e.MustOK(e.Call("get_pods", args))
		page := names(res, "pods")
		pages = append(pages, len(page))
		for _, n := range page {
			if seen[n] {
				t.Fatalf("pod %s listed on two pages", n)
			}
			seen[n] = true
		}
		token, _ = res["continue"].(string)
		if token == "" {
			break
		}
	}
	if len(seen) != 1000 || len(pages) != 3 || pages[0] != 400 || pages[1] != 400 || pages[2] != 200 {
		t.Fatalf("pages %v, %d distinct pods", pages, len(seen))
	}
}

func TestScaleDeployment(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	e.deployment(ns, "web", 3, nil)

	var mu sync.Mutex
	var progress []string
	p := func(done, total float64, msg string) { mu.Lock(); progress = append(progress, msg); mu.Unlock() }
	for _, step := range []struct{ from, to float64 }{{3, 5}, {5, 0}} {
		out := e.CallCtx(context.Background(), "scale_deployment", map[string]any{"name": "web", "namespace": ns, "replicas": step.to, "wait": true, "timeout_seconds": 60}, p)
		res := e.MustOK(out)
		ro, _ := res["rollout"].(map[string]any)
		if res["previous_replicas"].(float64) != step.from || res["replicas"].(float64) != step.to || ro["done"] != true || ro["available"].(float64) != step.to {
			t.Fatalf("scale %v → %v: %s", step.from, step.to, out.Text)
		}
		d, _ := e.CS.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
		if float64(*d.Spec.Replicas) != step.to || float64(d.Status.AvailableReplicas) != step.to {
			t.Fatalf("cluster after scale to %v: spec %d available %d", step.to, *d.Spec.Replicas, d.Status.AvailableReplicas)
		}
	}
	if len(progress) == 0 {
		t.Fatal("no progress notifications while waiting")
	}
	e.MustFail(e.Call("scale_deployment", map[string]any{"name": "web", "namespace": ns, "replicas": -1}), "replicas")
	e.MustFail(e.Call("scale_deployment", map[string]any{"name": "nope", "namespace": ns, "replicas": 1}), `"nope" not found`)

	plan := newEnv(t, config.ModePlan, nil)
	plan.MustFail(plan.Call("scale_deployment", map[string]any{"name": "web", "namespace": ns, "replicas": 2}), "scale_deployment: this call changes things outside opsmcp and mode is plan")
	ro := newEnv(t, config.ModeReadOnly, nil)
	ro.MustFail(ro.Call("scale_deployment", map[string]any{"name": "web", "namespace": ns, "replicas": 2}), "mode is read-only")
	d, _ := e.CS.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if *d.Spec.Replicas != 0 {
		t.Fatalf("a refused scale changed replicas to %d", *d.Spec.Replicas)
	}
	audit, _ := e.Store.ListAudit(context.Background(), 0)
	if len(audit) < 2 || audit[len(audit)-1].Tool != "scale_deployment" {
		t.Fatalf("scale calls are not audited: %+v", audit)
	}
}

// Scaling while another client keeps writing the deployment never fails.
func TestScaleUnderConcurrentWrites(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	e.deployment(ns, "busy", 1, nil)
	stop := make(chan struct{})
	writes := make(chan int, 1)
	go func() { writes <- conflictingWriter(e.CS, ns, "busy", stop) }()
	for i := range 20 {
		out := e.Call("scale_deployment", map[string]any{"name": "busy", "namespace": ns, "replicas": i%5 + 1})
		res := e.MustOK(out)
		if res["replicas"].(float64) != float64(i%5+1) {
			t.Fatalf("call %d: %s", i, out.Text)
		}
	}
	close(stop)
	if w := <-writes; w == 0 {
		t.Fatal("the concurrent writer never wrote; the test exercised nothing")
	}
	d, _ := e.CS.AppsV1().Deployments(ns).Get(context.Background(), "busy", metav1.GetOptions{})
	if *d.Spec.Replicas != 5 {
		t.Fatalf("replicas %d after the last scale to 5", *d.Spec.Replicas)
	}
}

func TestRolloutStatus(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	e.deployment(ns, "web", 3, nil)
	var mu sync.Mutex
	progressed := 0
	out := e.CallCtx(context.Background(), "rollout_status", map[string]any{"name": "web", "namespace": ns, "wait": true, "timeout_seconds": 60},
		func(done, total float64, msg string) { mu.Lock(); progressed++; mu.Unlock() })
	res := e.MustOK(out)
	if res["done"] != true || res["updated"].(float64) != 3 || res["available"].(float64) != 3 {
		t.Fatalf("complete rollout: %s", out.Text)
	}
	if progressed == 0 {
		t.Fatal("no progress notifications while waiting")
	}

	// A new template that cannot be scheduled: the rollout is stuck.
	d, err := e.CS.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "nvme-that-no-node-has"}
	if _, err := e.CS.AppsV1().Deployments(ns).Update(context.Background(), d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out = e.Call("rollout_status", map[string]any{"name": "web", "namespace": ns, "wait": true, "timeout_seconds": 4})
	took := time.Since(start)
	res = e.MustFailWithResult(out, "NOT done when the wait timed out")
	if res["done"] != false || res["timed_out"] != true || !strings.Contains(out.Text, "Unschedulable") || !strings.Contains(out.Text, "node affinity/selector") {
		t.Fatalf("stuck rollout:\n%s", out.Text)
	}
	if took > 15*time.Second {
		t.Fatalf("a 4 s wait took %s", took)
	}
	// Without wait: one look, same verdict.
	res = e.MustOK(e.Call("rollout_status", map[string]any{"name": "web", "namespace": ns}))
	if res["done"] != false || res["timed_out"] == true {
		t.Fatalf("no-wait status of a stuck rollout: %v", res)
	}

	// Cancelling the call ends the wait at once.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start = time.Now()
	out = e.CallCtx(ctx, "rollout_status", map[string]any{"name": "web", "namespace": ns, "wait": true, "timeout_seconds": 120}, nil)
	if !out.IsError || !strings.Contains(out.Text, "canceled") || time.Since(start) > 5*time.Second {
		t.Fatalf("cancelled wait after %s: %s", time.Since(start), out.Text)
	}

	// Past its progress deadline the rollout has failed: waiting ends at once, with the reason.
	e.deployment(ns, "late", 1, func(d *appsv1.Deployment) {
		d.Spec.ProgressDeadlineSeconds = ptr.To(int32(1))
		d.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "nvme-that-no-node-has"}
	})
	start = time.Now()
	out = e.Call("rollout_status", map[string]any{"name": "late", "namespace": ns, "wait": true, "timeout_seconds": 60})
	res = e.MustFailWithResult(out, "FAILED")
	if res["done"] != false || res["timed_out"] == true || !strings.Contains(out.Text, "FAILED") ||
		!strings.Contains(out.Text, "ProgressDeadlineExceeded") || time.Since(start) > 30*time.Second {
		t.Fatalf("rollout past its progress deadline, after %s:\n%s", time.Since(start), out.Text)
	}

	e.MustFail(e.Call("rollout_status", map[string]any{"name": "web", "namespace": ns, "kind": "cronjob"}), "kind")
	e.MustFail(e.Call("rollout_status", map[string]any{"name": "nope", "namespace": ns}), `"nope" not found`)
}

func TestStatefulSetAndDaemonSetRollouts(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	labels := map[string]string{"app": "db"}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec("postgres:17")}
	two := int32(2)
	if _, err := e.CS.AppsV1().StatefulSets(ns).Create(context.Background(), &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: appsv1.StatefulSetSpec{Replicas: &two, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CS.AppsV1().DaemonSets(ns).Create(context.Background(), &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent"},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}}, Spec: podSpec("agent:1")}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for kind, name := range map[string]string{"statefulset": "db", "daemonset": "agent"} {
		out := e.Call("rollout_status", map[string]any{"name": name, "namespace": ns, "kind": kind, "wait": true, "timeout_seconds": 60})
		res := e.MustOK(out)
		if res["done"] != true {
			t.Fatalf("%s: %s", kind, out.Text)
		}
		if kind == "daemonset" && res["desired"].(float64) != 3 {
			t.Fatalf("daemonset on 3 fake nodes: %s", out.Text)
		}
	}
}

func TestListDeploymentsEventsAndGatherContext(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	e.deployment(ns, "ok", 2, nil)
	e.deployment(ns, "stuck", 1, func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "nvme-that-no-node-has"}
	})
	e.available(ns, "ok", 2)
	e.eventually(30*time.Second, "a FailedScheduling event", func() bool {
		l, _ := e.CS.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{FieldSelector: "reason=FailedScheduling"})
		return l != nil && len(l.Items) > 0
	})
	out := e.Call("list_deployments", map[string]any{"namespace": ns})
	res := e.MustOK(out)
	deps := res["deployments"].([]any)
	if len(deps) != 2 {
		t.Fatalf("list_deployments: %s", out.Text)
	}
	for _, d := range deps {
		m := d.(map[string]any)
		if (m["name"] == "ok") != (m["healthy"] == true) {
			t.Fatalf("healthy: %v", m)
		}
	}
	if !strings.Contains(out.Text, "ok    2/2") && !strings.Contains(out.Text, "ok 2/2") {
		t.Fatalf("list_deployments text:\n%s", out.Text)
	}

	out = e.Call("get_events", map[string]any{"namespace": ns})
	res = e.MustOK(out)
	evs := res["events"].([]any)
	if len(evs) == 0 || evs[0].(map[string]any)["type"] != "Warning" || res["warnings"].(float64) < 1 {
		t.Fatalf("warnings come first:\n%s", out.Text)
	}
	res = e.MustOK(e.Call("get_events", map[string]any{"namespace": ns, "object": "deployment/ok"}))
	for _, ev := range res["events"].([]any) {
		if o := ev.(map[string]any)["object"]; o != "Deployment/ok" {
			t.Fatalf("object filter let through %v", o)
		}
	}
	if len(res["events"].([]any)) == 0 {
		t.Fatal("no events for Deployment/ok (ScalingReplicaSet expected)")
	}
	e.MustFail(e.Call("get_events", map[string]any{"namespace": ns, "object": "/x"}), "Kind/name")

	only := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) { k.Namespaces = []string{ns} })
	out = only.Call("gather_context", map[string]any{})
	var ctxRes kube.KubeContext
	if err := out.Decode(&ctxRes); err != nil {
		t.Fatal(err)
	}
	if len(ctxRes.Unhealthy) != 1 || ctxRes.Unhealthy[0].Name != "stuck" || ctxRes.NotReadyCount != 1 ||
		len(ctxRes.RecentWarnings) == 0 || ctxRes.ServerVersion != "v1.36.3" {
		t.Fatalf("gather_context:\n%s", out.Text)
	}
}

func TestPolicyAndRBAC(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	// Empty contexts allowlist: only the current context.
	e.MustFail(e.Call("get_pods", map[string]any{"context": testenv.KubesimRestrictedContext}), `context "kubesim-restricted" is not allowed`)
	e.MustFail(e.Call("get_pods", map[string]any{"context": "elsewhere"}), `context "elsewhere" is not allowed`)

	limited := newEnv(t, config.ModeApply, func(k *config.Kubernetes) {
		k.Contexts = []string{testenv.KubesimContext, testenv.KubesimRestrictedContext}
		k.Namespaces = []string{"default", ns}
	})
	limited.MustFail(limited.Call("get_pods", map[string]any{"namespace": "kube-system"}), `namespace "kube-system" is not allowed`)
	limited.MustFail(limited.Call("scale_deployment", map[string]any{"namespace": "kube-system", "name": "x", "replicas": 1}), `namespace "kube-system" is not allowed`)
	limited.MustOK(limited.Call("get_pods", map[string]any{"namespace": ns}))

	// The restricted user may read default but nothing else.
	limited.MustOK(limited.Call("get_pods", map[string]any{"context": testenv.KubesimRestrictedContext}))
	out := limited.Call("get_pods", map[string]any{"context": testenv.KubesimRestrictedContext, "namespace": ns})
	limited.MustFail(out, `forbidden: user "restricted" (context kubesim-restricted) may not list pods in namespace `+ns)
	e.deployment("default", "rbac-web", 1, nil)
	t.Cleanup(func() {
		e.CS.AppsV1().Deployments("default").Delete(context.Background(), "rbac-web", metav1.DeleteOptions{})
	})
	out = limited.Call("scale_deployment", map[string]any{"context": testenv.KubesimRestrictedContext, "namespace": "default", "name": "rbac-web", "replicas": 2})
	limited.MustFail(out, `forbidden: user "restricted" (context kubesim-restricted) may not scale deployments/rbac-web in namespace default`)
}

func TestAPIServerStoppedMidCall(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	e.deployment(ns, "web", 1, func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "nvme-that-no-node-has"}
	})
	e.MustOK(e.Call("get_pods", map[string]any{"namespace": ns}))
	// A waiting call is cut off by the apiserver going away: it ends with
	// an error or a timed-out result within its timeout, never hangs.
	done := make(chan *testenvOutcome, 1)
	start := time.Now()
	go func() {
		out := e.Call("rollout_status", map[string]any{"name": "web", "namespace": ns, "wait": true, "timeout_seconds": 8})
		done <- &testenvOutcome{out.IsError, out.Text, time.Since(start)}
	}()
	time.Sleep(time.Second)
	e.K.StopAPIServer()
	select {
	case o := <-done:
		if o.took > 25*time.Second {
			t.Fatalf("rollout_status took %s after the apiserver stopped: %s", o.took, o.text)
		}
		if !o.isError && !strings.Contains(o.text, "NOT done") {
			t.Fatalf("rollout_status with the apiserver gone: %s", o.text)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("rollout_status hangs after the apiserver stopped")
	}
	start = time.Now()
	out := e.Call("get_pods", map[string]any{"namespace": ns})
	e.MustFail(out, "cannot reach the Kubernetes API")
	if time.Since(start) > 30*time.Second {
		t.Fatalf("get_pods took %s to fail", time.Since(start))
	}
	if err := e.K.StartAPIServer(); err != nil {
		t.Fatal(err)
	}
	if err := e.K.WaitReady(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	e.MustOK(e.Call("get_pods", map[string]any{"namespace": ns}))
}

type testenvOutcome struct {
	isError bool
	text    string
	took    time.Duration
}

// doctor reaches the cluster; `opsmcp call` exits 1 for a rollout that
// did not finish, after printing its full report (as kubectl rollout status).
func TestCLIAgainstTheCluster(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	e.deployment(ns, "stuck", 1, func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "nvme-that-no-node-has"}
	})
	e.deployment(ns, "fine", 1, nil)
	t.Setenv("KUBECONFIG", e.K.Kubeconfig)
	t.Setenv("OPSMCP_CONFIG", "")
	t.Setenv("OPSMCP_MEMORY", filepath.Join(t.TempDir(), "m.db"))
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), args, &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := run("doctor")
	if !strings.Contains(out, "context kubesim at "+e.K.Server+", Kubernetes v1.36.3") {
		t.Fatalf("doctor (exit %d):\n%s%s", code, out, errs)
	}
	code, out, errs = run("call", "kube", "rollout_status", "name=stuck", "namespace="+ns, "wait=true", "timeout_seconds=2")
	if code != 1 || !strings.Contains(out, "NOT done when the wait timed out") || !strings.Contains(errs, "did not succeed") {
		t.Fatalf("stuck rollout: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	code, out, errs = run("call", "kube", "rollout_status", "name=fine", "namespace="+ns, "wait=true", "timeout_seconds=60", "--json")
	if code != 0 || !strings.Contains(out, `"done": true`) {
		t.Fatalf("finished rollout: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}
