package testenv

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/kubesim"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// Kubesim is a kubesim cluster with what tests ask of it: clientsets that
// fail the test, fresh namespaces, a configuration pointing at it.
type Kubesim struct{ *kubesim.Cluster }

// KubesimOptions says where and how to start a cluster.
type KubesimOptions = kubesim.Options

// Kubesim context names in the written kubeconfig.
const (
	KubesimContext           = kubesim.Context
	KubesimRestrictedContext = kubesim.RestrictedContext
)

// StartKubesim starts a cluster (kubesim.Start).
func StartKubesim(ctx context.Context, root string, opts KubesimOptions) (*Kubesim, error) {
	c, err := kubesim.Start(ctx, root, opts)
	if err != nil {
		return nil, err
	}
	return &Kubesim{c}, nil
}

// FreePort returns a loopback TCP port nobody listens on right now.
func FreePort() (int, error) { return kubesim.FreePort() }

// Clientset is an admin clientset.
func (k *Kubesim) Clientset(t testing.TB) *kubernetes.Clientset {
	t.Helper()
	cs, err := kubernetes.NewForConfig(k.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

var sharedKube shared[*Kubesim]

// SharedKubesim starts one cluster per test process on first use; TestMain
// calls StopSharedKubesim after m.Run. The processes also die with the test
// process if it panics.
func SharedKubesim(t testing.TB) *Kubesim {
	t.Helper()
	return sharedKube.get(t, func() (*Kubesim, error) {
		return StartKubesim(context.Background(), RepoRoot(t), KubesimOptions{})
	})
}

// StopSharedKubesim stops the cluster SharedKubesim started, if any.
func StopSharedKubesim() {
	if sharedKube.v != nil {
		sharedKube.v.Stop()
	}
}

// Config is the default configuration in mode, its kubernetes: section
// pointing at this cluster.
func (k *Kubesim) Config(mode config.Mode) *config.Config {
	cfg := config.Default()
	cfg.Mode = mode
	cfg.Kubernetes.Kubeconfig = k.Kubeconfig
	return cfg
}

var nsSeq atomic.Int64

// Namespace creates a fresh namespace named after the test and waits for
// its default service account (pods cannot be created before it exists).
func (k *Kubesim) Namespace(t testing.TB) string {
	t.Helper()
	base := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	name := fmt.Sprintf("t%d-%s", nsSeq.Add(1), base)
	name = strings.Trim(name[:min(60, len(name))], "-")
	cs := k.Clientset(t)
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := cs.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			return name
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespace %s has no default service account after 30s", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// KubeHost is a Host whose kubernetes: policy points at the shared kubesim
// cluster, with an admin clientset for setting up and checking the cluster.
type KubeHost struct {
	*Host
	K  *Kubesim
	CS kubernetes.Interface
}

// NewKubeHost serves s against the shared kubesim in mode, after edit (if
// any) adjusts the kubernetes: policy.
func NewKubeHost(t testing.TB, s *mcpkit.Server, mode config.Mode, edit func(*config.Kubernetes)) *KubeHost {
	t.Helper()
	k := SharedKubesim(t)
	cfg := k.Config(mode)
	if edit != nil {
		edit(&cfg.Kubernetes)
	}
	return &KubeHost{Host: NewHost(t, s, cfg), K: k, CS: k.Clientset(t)}
}

// Namespace creates a fresh namespace for the test.
func (h *KubeHost) Namespace() string { return h.K.Namespace(h.T) }
