// Package kube is the client-go layer servers/kube and servers/deploy share:
// connecting within the allowlists of opsmcp.yaml, clear errors, pod and
// workload summaries, rollout status, and server-side apply.
package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opsmcp/opsmcp/internal/telemetry"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/opsmcp/opsmcp/internal/config"
)

// InClusterContext names the context of the in-cluster service account.
const InClusterContext = "in-cluster"

// Cluster is a connection to one allowed kubeconfig context.
type Cluster struct {
	Context string
	// Namespace is the context's namespace, or "default".
	Namespace string
	Server    string
	User      string // the kubeconfig user, for error messages

	Rest *rest.Config
	// Typed clients of the two groups the tools read; everything else goes
	// through Dynamic. (The whole clientset would link ~100 more packages.)
	Core    corev1client.CoreV1Interface
	Apps    appsv1client.AppsV1Interface
	Dynamic dynamic.Interface
	Mapper  *restmapper.DeferredDiscoveryRESTMapper

	discovery discovery.CachedDiscoveryInterface
	policy    config.Kubernetes
}

var klogOnce sync.Once

// clusters caches connections by kubeconfig identity and context, so calls
// reuse their HTTP/2 connection and discovery.
var clusters sync.Map // key string -> *Cluster

// Connect returns the cluster of the named context ("" = the current one),
// refusing a context the allowlist does not name.
func Connect(policy config.Kubernetes, contextName string) (*Cluster, error) {
	// client-go logs through klog (API warnings, retries): into the process's
	// JSON log on stderr instead of klog's own text format.
	klogOnce.Do(func() { klog.SetSlogLogger(slog.Default()) })
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if policy.Kubeconfig != "" {
		rules.ExplicitPath = policy.Kubeconfig
	}
	key, files := kubeconfigIdentity(rules)
	if len(files) == 0 {
		if policy.Kubeconfig != "" {
			return nil, fmt.Errorf("kubeconfig %s (kubernetes.kubeconfig in opsmcp.yaml) does not exist", policy.Kubeconfig)
		}
		return connectInCluster(policy, contextName)
	}
	// Every call of every tool connects: when the same request was allowed
	// under the same policy and unchanged kubeconfig files, reuse it without
	// parsing the kubeconfig again.
	key += "|" + fmt.Sprintf("%+v", policy) // every key of kubernetes: decides what the cluster allows
	requested := key + "|asked:" + contextName
	if c, ok := clusters.Load(requested); ok {
		return c.(*Cluster), nil
	}
	raw, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig %s: %w", strings.Join(files, ":"), err)
	}
	current := raw.CurrentContext
	name := contextName
	if name == "" {
		name = current
	}
	if name == "" {
		return nil, fmt.Errorf("kubeconfig %s sets no current context; pass context or set one with kubectl config use-context", strings.Join(files, ":"))
	}
	if err := allowContext(policy, name, current); err != nil {
		return nil, err
	}
	kctx, ok := raw.Contexts[name]
	if !ok {
		return nil, fmt.Errorf("context %q is not in kubeconfig %s", name, strings.Join(files, ":"))
	}
	key += "|" + name
	if c, ok := clusters.Load(key); ok {
		clusters.Store(requested, c)
		return c.(*Cluster), nil
	}
	rc, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", name, err)
	}
	rc.Wrap(telemetry.Transport) // each API request a span of the call that made it
	ns := kctx.Namespace
	if ns == "" {
		ns = "default"
	}
	c, err := newCluster(rc, name, ns, kctx.AuthInfo, policy)
	if err != nil {
		return nil, err
	}
	actual, _ := clusters.LoadOrStore(key, c)
	clusters.Store(requested, actual)
	return actual.(*Cluster), nil
}

// kubeconfigIdentity names the kubeconfig files that exist and a key that
// changes when any of them changes.
func kubeconfigIdentity(rules *clientcmd.ClientConfigLoadingRules) (string, []string) {
	var b strings.Builder
	var files []string
	for _, f := range rules.GetLoadingPrecedence() {
		st, err := os.Stat(f)
		if err != nil {
			continue
		}
		files = append(files, f)
		fmt.Fprintf(&b, "%s:%d:%d;", f, st.Size(), st.ModTime().UnixNano())
	}
	return b.String(), files
}

func connectInCluster(policy config.Kubernetes, contextName string) (*Cluster, error) {
	rc, err := rest.InClusterConfig()
	if err != nil {
		return nil, errors.New("no kubeconfig found (kubernetes.kubeconfig in opsmcp.yaml, $KUBECONFIG, ~/.kube/config) and not running in a cluster")
	}
	if err := allowContext(policy, orDefault(contextName, InClusterContext), InClusterContext); err != nil {
		return nil, err
	}
	ns := "default"
	if b, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace"); err == nil {
		ns = strings.TrimSpace(string(b))
	}
	key := "in-cluster|" + fmt.Sprintf("%+v", policy)
	if c, ok := clusters.Load(key); ok {
		return c.(*Cluster), nil
	}
	c, err := newCluster(rc, InClusterContext, ns, "service account", policy)
	if err != nil {
		return nil, err
	}
	actual, _ := clusters.LoadOrStore(key, c)
	return actual.(*Cluster), nil
}

func allowContext(policy config.Kubernetes, name, current string) error {
	if len(policy.Contexts) == 0 {
		if name != current {
			return fmt.Errorf("context %q is not allowed: kubernetes.contexts in opsmcp.yaml is empty, which allows only the current context %q", name, current)
		}
		return nil
	}
	if !slices.Contains(policy.Contexts, name) {
		return fmt.Errorf("context %q is not allowed: kubernetes.contexts in opsmcp.yaml allows %s", name, strings.Join(policy.Contexts, ", "))
	}
	return nil
}

func newCluster(rc *rest.Config, name, ns, user string, policy config.Kubernetes) (*Cluster, error) {
	rc = rest.CopyConfig(rc)
	// Tools make a handful of requests per call; client-go's default limit
	// (5/s) would make back-to-back calls wait. The server's priority and
	// fairness still protects the apiserver.
	rc.QPS, rc.Burst = 200, 400
	rc.UserAgent = "opsmcp"
	// Typed reads use protobuf: about half the bytes and decode time of JSON.
	typed := rest.CopyConfig(rc)
	typed.ContentType = "application/vnd.kubernetes.protobuf"
	typed.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	core, err := corev1client.NewForConfig(typed)
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", name, err)
	}
	apps, err := appsv1client.NewForConfig(typed)
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", name, err)
	}
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", name, err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", name, err)
	}
	cached := memory.NewMemCacheClient(dc)
	return &Cluster{Context: name, Namespace: ns, Server: rc.Host, User: user, Rest: rc, Core: core, Apps: apps, Dynamic: dyn,
		Mapper: restmapper.NewDeferredDiscoveryRESTMapper(cached), discovery: cached, policy: policy}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ResolveNamespace is ns, or the context's namespace when empty, checked
// against the allowlist.
func (c *Cluster) ResolveNamespace(ns string) (string, error) {
	ns = orDefault(ns, c.Namespace)
	return ns, c.AllowNamespace(ns)
}

// AllowNamespace refuses a namespace outside kubernetes.namespaces.
func (c *Cluster) AllowNamespace(ns string) error {
	if len(c.policy.Namespaces) == 0 || slices.Contains(c.policy.Namespaces, ns) {
		return nil
	}
	return fmt.Errorf("namespace %q is not allowed: kubernetes.namespaces in opsmcp.yaml allows %s", ns, strings.Join(c.policy.Namespaces, ", "))
}

// clusterKinds are the cluster-scoped kinds a namespace allowlist may
// still read: what a namespaced workload's reader needs to judge it.
var clusterKinds = map[string]bool{"Node": true, "Namespace": true, "StorageClass": true, "PriorityClass": true, "CustomResourceDefinition": true}

// AllowClusterRead refuses a cluster-scoped kind a namespace allowlist
// does not let through (kubernetes.cluster_reads).
func (c *Cluster) AllowClusterRead(kind string) error {
	if len(c.policy.Namespaces) == 0 || c.policy.ClusterReads || clusterKinds[kind] {
		return nil
	}
	return fmt.Errorf("%s is cluster-scoped, and kubernetes.namespaces in opsmcp.yaml limits reads to %s: set kubernetes.cluster_reads: true to read it",
		kind, strings.Join(c.policy.Namespaces, ", "))
}

// AllNamespaces says whether reads may span every namespace (no
// allowlist, or kubernetes.cluster_reads).
func (c *Cluster) AllNamespaces() bool { return len(c.policy.Namespaces) == 0 || c.policy.ClusterReads }

// Discovery is the cluster's cached discovery, shared with what else
// talks to the cluster (Helm).
func (c *Cluster) Discovery() discovery.CachedDiscoveryInterface { return c.discovery }

// Namespaces is the allowlist, or nil when every namespace is allowed.
func (c *Cluster) Namespaces() []string { return c.policy.Namespaces }

// Explain turns an API error into a sentence naming what was attempted:
// RBAC refusals name verb, resource and namespace; unreachable servers name
// the server and context.
func (c *Cluster) Explain(err error, verb, resource, ns string) error {
	if err == nil {
		return nil
	}
	where := "cluster-wide"
	if ns != "" {
		where = "in namespace " + ns
	}
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("forbidden: user %q (context %s) may not %s %s %s; RBAC grants no such permission (%s)",
			c.User, c.Context, verb, resource, where, apierrors.ReasonForError(err))
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("unauthorized: the API server at %s rejected the credentials of context %s", c.Server, c.Context)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s: %v", strings.TrimSuffix(verb+" "+resource, " "), err)
	case meta.IsNoMatchError(err):
		return fmt.Errorf("the cluster has no resource type for %s: %v", resource, err)
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) {
		return fmt.Errorf("cannot reach the Kubernetes API at %s (context %s) to %s %s: %v", c.Server, c.Context, verb, resource, err)
	}
	return fmt.Errorf("%s %s %s: %w", verb, resource, where, err)
}

// Age renders the time since t the way kubectl's AGE column does.
func Age(t, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t))
}

// ServerVersion is the API server's gitVersion (v1.36.3), bounded by ctx
// (discovery's own ServerVersion takes no context and could hang).
func (c *Cluster) ServerVersion(ctx context.Context) (string, error) {
	raw, err := c.discovery.RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return "", c.Explain(err, "get", "version", "")
	}
	var v version.Info
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fmt.Errorf("the API server at %s answered /version with something else: %v", c.Server, err)
	}
	return v.GitVersion, nil
}

// mapping is the REST mapping of a kind. Discovery is cached per process,
// so a kind it does not know (a CRD created since) gets one refresh.
func (c *Cluster) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		c.Mapper.Reset()
		m, err = c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	return m, err
}

// KindOf resolves what kubectl accepts for a type (deploy, pods, Pod,
// statefulset.apps) to its Kind through the cluster's discovery, short
// names included.
func (c *Cluster) KindOf(name string) (string, error) {
	expander := restmapper.NewShortcutExpander(c.Mapper, c.discovery, func(string) {})
	gvk, err := expander.KindFor(schema.ParseGroupResource(strings.ToLower(name)).WithVersion(""))
	if err != nil {
		return "", c.Explain(err, "resolve", "kind "+name, "")
	}
	return gvk.Kind, nil
}

// Ready says whether the configured Kubernetes API answers (a /readyz
// check); configured is false when there is no kubeconfig and no in-cluster
// service account, so a server without Kubernetes is still ready.
func Ready(ctx context.Context, cfg *config.Config) (configured bool, err error) {
	policy := cfg.Kubernetes
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if policy.Kubeconfig != "" {
		rules.ExplicitPath = policy.Kubeconfig
	}
	if _, files := kubeconfigIdentity(rules); len(files) == 0 && policy.Kubeconfig == "" && os.Getenv("KUBERNETES_SERVICE_HOST") == "" {
		return false, nil
	}
	cl, err := Connect(policy, "")
	if err != nil {
		return true, err
	}
	_, err = cl.ServerVersion(ctx)
	return true, err
}
