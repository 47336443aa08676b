package kube_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/kube"
)

// One real control plane for the package; its processes also die with the
// test binary if a test panics.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedKubesim()
	os.Exit(code)
}

type env struct {
	*testenv.KubeHost
	t *testing.T
}

// newEnv serves the kube tools against the shared kubesim in mode, after
// edit (if any) adjusts the kubernetes: policy.
func newEnv(t *testing.T, mode config.Mode, edit func(*config.Kubernetes)) *env {
	t.Helper()
	return &env{KubeHost: testenv.NewKubeHost(t, kube.New(), mode, edit), t: t}
}

// eventually polls cond (test-side setup only; the tools themselves watch).
func (e *env) eventually(within time.Duration, what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func podSpec(image string) corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}}
}

// pod creates a pod; node pins it (bypassing the scheduler) when not "".
func (e *env) pod(ns, name string, labels map[string]string, mutate func(*corev1.Pod)) {
	e.t.Helper()
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}, Spec: podSpec("nginx:1.27")}
	if mutate != nil {
		mutate(p)
	}
	if _, err := e.CS.CoreV1().Pods(ns).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

// seedPods creates n running pods, spread over the fake nodes, with 16
// concurrent creates, and waits until kwok reports them all Running.
func seedPods(t testing.TB, cs kubernetes.Interface, ns string, n int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	work := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range work {
				p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%04d", i), Namespace: ns,
					Labels: map[string]string{"app": "web", "shard": fmt.Sprint(i % 4)}},
					Spec: podSpec("nginx:1.27")}
				p.Spec.NodeName = fmt.Sprintf("kwok-node-%d", i%3)
				if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{FieldSelector: "status.phase=Running"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d pods Running after 3 minutes", len(list.Items), n)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// deploymentOf is a deployment of replicas nginx pods.
func deploymentOf(name string, labels map[string]string, replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec("nginx:1.27")}}}
}

// deployment creates a deployment of replicas pods.
func (e *env) deployment(ns, name string, replicas int32, mutate func(*appsv1.Deployment)) {
	e.t.Helper()
	d := deploymentOf(name, map[string]string{"app": name}, replicas)
	if mutate != nil {
		mutate(d)
	}
	if _, err := e.CS.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

// available waits until n of a deployment's replicas are available.
func (e *env) available(ns, name string, n int32) {
	e.t.Helper()
	e.eventually(30*time.Second, fmt.Sprintf("%d replicas of %s available", n, name), func() bool {
		d, _ := e.CS.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
		return d != nil && d.Status.AvailableReplicas == n
	})
}

// conflictingWriter keeps updating a deployment's annotations (read, then
// update with that resourceVersion) until stop, so concurrent updates of
// the deployment conflict.
func conflictingWriter(cs kubernetes.Interface, ns, name string, stop <-chan struct{}) int {
	writes := 0
	for i := 0; ; i++ {
		select {
		case <-stop:
			return writes
		default:
		}
		d, err := cs.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			continue
		}
		if d.Annotations == nil {
			d.Annotations = map[string]string{}
		}
		d.Annotations["bench/tick"] = fmt.Sprint(i)
		if _, err := cs.AppsV1().Deployments(ns).Update(context.Background(), d, metav1.UpdateOptions{}); err == nil {
			writes++
		}
	}
}

func str(v any) string { return fmt.Sprint(v) }
