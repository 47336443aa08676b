package kube_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// opsmcp's own chart, installed on kubesim with the Helm library (the
// kube server's helm_upgrade): its objects are there as the chart says
// (two replicas, non-root, read-only root filesystem, probes on /healthz
// and /readyz, Secrets by reference, a PodDisruptionBudget and a
// NetworkPolicy); an upgrade that changes opsmcp.yaml rolls the pods and
// keeps at least one replica available throughout.
func TestOpsmcpChartInstallsAndRollsWithoutDowntime(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	ctx := context.Background()
	for name, key := range map[string]string{"opsmcp-tokens": "tokens", "opsmcp-memory": "url"} {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, StringData: map[string]string{key: "set-by-the-team"}}
		if _, err := e.CS.CoreV1().Secrets(ns).Create(ctx, s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	chart := filepath.Join(testenv.RepoRoot(t), "deploy", "helm", "opsmcp")
	install := map[string]any{"release": "team", "chart": chart, "namespace": ns, "timeout_seconds": 120}
	res := e.MustOK(e.Call("helm_upgrade", install))
	if rel := res["release"].(map[string]any); rel["status"] != "deployed" || rel["chart"] != "opsmcp-0.1.0" {
		t.Fatalf("install: %v", res)
	}
	d, err := e.CS.AppsV1().Deployments(ns).Get(ctx, "team-opsmcp", metav1.GetOptions{})
	if err != nil || *d.Spec.Replicas != 2 || d.Status.AvailableReplicas != 2 {
		t.Fatalf("deployment: %v %+v", err, d.Status)
	}
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if !*pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault ||
		!*c.SecurityContext.ReadOnlyRootFilesystem || *c.SecurityContext.AllowPrivilegeEscalation ||
		c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" ||
		c.Env[0].ValueFrom.SecretKeyRef.Name != "opsmcp-tokens" || c.Env[1].ValueFrom.SecretKeyRef.Name != "opsmcp-memory" || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("the pod template: %+v", pod)
	}
	if pdb, err := e.CS.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "team-opsmcp", metav1.GetOptions{}); err != nil || pdb.Spec.MinAvailable.IntValue() != 1 {
		t.Errorf("pdb: %v", err)
	}
	if _, err := e.CS.NetworkingV1().NetworkPolicies(ns).Get(ctx, "team-opsmcp", metav1.GetOptions{}); err != nil {
		t.Errorf("networkpolicy: %v", err)
	}
	cm, err := e.CS.CoreV1().ConfigMaps(ns).Get(ctx, "team-opsmcp", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(t.TempDir(), "opsmcp.yaml")
	os.WriteFile(cfgFile, []byte(cm.Data["opsmcp.yaml"]), 0o644)
	if _, err := config.Load(cfgFile); err != nil {
		t.Errorf("the chart's opsmcp.yaml does not load: %v\n%s", err, cm.Data["opsmcp.yaml"])
	}

	// Watch the Deployment through the upgrade: its available replicas
	// never drop below one.
	w, err := e.CS.AppsV1().Deployments(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=team-opsmcp"})
	if err != nil {
		t.Fatal(err)
	}
	var minAvailable, seen atomic.Int32
	minAvailable.Store(2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			if d, ok := ev.Object.(*appsv1.Deployment); ok && ev.Type == watch.Modified {
				seen.Add(1)
				if d.Status.AvailableReplicas < minAvailable.Load() {
					minAvailable.Store(d.Status.AvailableReplicas)
				}
			}
		}
	}()
	upgrade := map[string]any{"release": "team", "chart": chart, "namespace": ns, "timeout_seconds": 120, "values": map[string]any{"config": map[string]any{"mode": "read-only"}}}
	res = e.MustOK(e.Call("helm_upgrade", upgrade))
	time.Sleep(500 * time.Millisecond)
	w.Stop()
	<-done
	after, _ := e.CS.AppsV1().Deployments(ns).Get(ctx, "team-opsmcp", metav1.GetOptions{})
	if res["release"].(map[string]any)["revision"] != 2.0 || after.Spec.Template.Annotations["checksum/config"] == d.Spec.Template.Annotations["checksum/config"] {
		t.Fatalf("the upgrade did not change the pods' config: %v", res)
	}
	if after.Status.UpdatedReplicas != 2 || after.Status.AvailableReplicas != 2 || seen.Load() == 0 {
		t.Errorf("the rollout: %+v (%d watch events)", after.Status, seen.Load())
	}
	if minAvailable.Load() < 1 {
		t.Errorf("the rolling upgrade left %d replicas available", minAvailable.Load())
	}
}
