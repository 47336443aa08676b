package kube_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/kubesim"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// setLogs gives a pod its containers' log text and waits until the
// apiserver serves it through pods/log.
func (e *env) setLogs(ns, pod string, logs ...kubesim.ContainerLog) {
	e.t.Helper()
	if err := e.K.SetLogs(context.Background(), ns, pod, logs...); err != nil {
		e.t.Fatal(err)
	}
	last := logs[0].Lines[len(logs[0].Lines)-1]
	e.eventually(30*time.Second, "the log of "+pod, func() bool {
		b, err := e.CS.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: logs[0].Container}).DoRaw(context.Background())
		return err == nil && strings.Contains(string(b), last)
	})
}

func (e *env) running(ns string, n int) {
	e.t.Helper()
	e.eventually(time.Minute, fmt.Sprintf("%d running pods", n), func() bool {
		list, err := e.CS.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{FieldSelector: "status.phase=Running"})
		return err == nil && len(list.Items) == n
	})
}

func logLines(res map[string]any, pod int) []string {
	var out []string
	for _, l := range res["pods"].([]any)[pod].(map[string]any)["lines"].([]any) {
		out = append(out, l.(string))
	}
	return out
}

// get_logs reads real log text through pods/log: tail, previous, grep and
// the byte cap; a Secret the pod references never shows its value in a
// result, log, memory entry or audit record, even when a container prints
// it.
func TestGetLogsOfAPod(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	ctx := context.Background()
	const password = "correct-horse-battery-staple-42"
	if _, err := e.CS.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"},
		StringData: map[string]string{"password": password}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.pod(ns, "api", map[string]string{"app": "api"}, func(p *corev1.Pod) {
		p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}}
	})
	e.running(ns, 1)
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("%03d INFO request served in %dms %s", i, i%17, strings.Repeat("x", 60)))
	}
	lines[250] = "250 ERROR cannot connect to db with password " + password
	lines[290] = "290 ERROR upstream timed out"
	e.setLogs(ns, "api", kubesim.ContainerLog{Container: "app", Lines: lines, Previous: []string{"panic: nil map write", "goroutine 1 [running]"}})

	first := e.Call("get_logs", map[string]any{"name": "api", "namespace": ns})
	out := first
	res := e.MustOK(out)
	got := logLines(res, 0)
	if len(got) != 200 || !strings.HasPrefix(got[199], "299 INFO") || !strings.HasPrefix(got[0], "100 INFO") {
		t.Fatalf("tail_lines 200: %d lines, from %q to %q", len(got), got[0], got[len(got)-1])
	}
	if !strings.Contains(out.Text, "250 ERROR cannot connect to db with password") || !strings.Contains(out.Text, "==> pod api, container app") {
		t.Fatalf("text:\n%.600s", out.Text)
	}

	out = e.Call("get_logs", map[string]any{"name": "pod/api", "namespace": ns, "grep": "ERROR|panic", "tail_lines": 1000})
	res = e.MustOK(out)
	if got := logLines(res, 0); len(got) != 2 || !strings.HasPrefix(got[1], "290 ERROR") {
		t.Fatalf("grep: %q", got)
	}
	if p := res["pods"].([]any)[0].(map[string]any); p["unmatched"].(float64) != 298 || !strings.Contains(out.Text, "298 others left out by grep") {
		t.Fatalf("grep counts: %v\n%s", p, out.Text)
	}

	res = e.MustOK(e.Call("get_logs", map[string]any{"name": "api", "namespace": ns, "previous": true}))
	if got := logLines(res, 0); len(got) != 2 || got[0] != "panic: nil map write" {
		t.Fatalf("previous: %q", got)
	}

	out = e.Call("get_logs", map[string]any{"name": "api", "namespace": ns, "tail_lines": 300, "max_bytes": 2048})
	res = e.MustOK(out)
	got = logLines(res, 0)
	cut := int(res["pods"].([]any)[0].(map[string]any)["cut"].(float64))
	size := 0
	for _, l := range got {
		size += len(l) + 1
	}
	if size > 2048 || cut+len(got) != 300 || !strings.HasPrefix(got[len(got)-1], "299 INFO") || !strings.Contains(out.Text, fmt.Sprintf("[%d older lines cut by max_bytes", cut)) {
		t.Fatalf("max_bytes 2048: %d lines (%d bytes), %d cut, last %q", len(got), size, cut, got[len(got)-1])
	}

	e.MustFail(e.Call("get_logs", map[string]any{"name": "api", "namespace": ns, "grep": "("}), "grep is not an RE2 expression")
	e.MustFail(e.Call("get_logs", map[string]any{"name": "api", "namespace": ns, "container": "sidecar"}), `pod api has no container "sidecar"; its containers are app`)
	e.MustFail(e.Call("get_logs", map[string]any{"name": "api", "namespace": ns, "max_bytes": 10 << 20}), `argument "max_bytes" is 1.048576e+07; it must be at most 1048576`)

	if all := e.Everything(first); strings.Contains(all, password) || !strings.Contains(all, "cannot connect to db with password (sensitive)") {
		t.Fatalf("the Secret's value is not masked everywhere:\n%.2000s", all)
	}
}

// A workload's logs are its pods', newest first, each labelled; a pod of
// several containers needs container; the restricted user gets the RBAC
// sentence, and a namespace outside the allowlist is refused before any
// request.
func TestGetLogsOfAWorkload(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	e.deployment(ns, "web", 2, nil)
	e.running(ns, 2)
	pods, err := e.CS.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		e.setLogs(ns, p.Name, kubesim.ContainerLog{Container: "app", Lines: []string{"started " + p.Name, "listening on :8080"}})
	}
	out := e.Call("get_logs", map[string]any{"name": "deployment/web", "namespace": ns})
	res := e.MustOK(out)
	if n := len(res["pods"].([]any)); n != 2 {
		t.Fatalf("%d pods", n)
	}
	for i := range 2 {
		p := res["pods"].([]any)[i].(map[string]any)
		if got := logLines(res, i); got[0] != "started "+p["pod"].(string) || !strings.Contains(out.Text, "==> pod "+p["pod"].(string)) {
			t.Fatalf("pod %d: %v\n%s", i, p, out.Text)
		}
	}
	// deploy is kubectl's short name.
	e.MustOK(e.Call("get_logs", map[string]any{"name": "deploy/web", "namespace": ns}))

	e.pod(ns, "two", nil, func(p *corev1.Pod) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "proxy", Image: "envoy:1.31"})
	})
	e.MustFail(e.Call("get_logs", map[string]any{"name": "two", "namespace": ns}), "pod two has 2 containers (app, proxy): say which with container")
	e.MustFail(e.Call("get_logs", map[string]any{"name": "configmap/x", "namespace": ns}), "logs of a ConfigMap")

	restricted := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) {
		k.Contexts = []string{testenv.KubesimContext, testenv.KubesimRestrictedContext}
	})
	restricted.MustFail(restricted.Call("get_logs", map[string]any{"name": "deployment/web", "namespace": ns, "context": testenv.KubesimRestrictedContext}),
		`forbidden: user "restricted" (context kubesim-restricted) may not get deployments/web in namespace `+ns)

	fenced := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) { k.Namespaces = []string{"default"} })
	fenced.MustFail(fenced.Call("get_logs", map[string]any{"name": "deployment/web", "namespace": ns}), `namespace "`+ns+`" is not allowed`)
}

// gather_context shows the last lines a crash-looping container printed
// before it crashed.
func TestGatherContextShowsCrashLogs(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	ctx := context.Background()
	e.pod(ns, "crashy", nil, nil)
	e.running(ns, 1)
	e.setLogs(ns, "crashy", kubesim.ContainerLog{Container: "app", Lines: []string{"starting again"},
		Previous: []string{"loading config", "panic: config key db.url is missing"}})
	p, err := e.CS.CoreV1().Pods(ns).Get(ctx, "crashy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.Status.ContainerStatuses[0].Ready = false
	p.Status.ContainerStatuses[0].RestartCount = 6
	p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 5m0s restarting failed container"}}
	if _, err := e.CS.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	scoped := newEnv(t, config.ModeReadOnly, func(k *config.Kubernetes) { k.Namespaces = []string{ns} })
	var out string
	scoped.eventually(30*time.Second, "the crash in gather_context", func() bool {
		o := scoped.Call("gather_context", map[string]any{})
		out = o.Text
		return strings.Contains(out, "panic: config key db.url is missing")
	})
	if !strings.Contains(out, "last lines of crash-looping "+ns+"/crashy container app") {
		t.Fatalf("gather_context:\n%s", out)
	}
}
