package kubesim

// What a real cluster serves through the apiserver besides objects: the
// kubelet's container logs and resource metrics (kwok's kubelet endpoint,
// reached through pods/log and the nodes' proxy) and metrics.k8s.io
// (metrics-server, an aggregated API scraping that endpoint).

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
)

// components in start order; stopped in reverse.
var components = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "metrics-server"}

// MetricsPathAnnotation tells metrics-server where a node's kubelet
// serves /metrics/resource: kwok serves every node on one port, by name.
const MetricsPathAnnotation = "metrics.k8s.io/resource-metrics-path"

// writeProxyClient makes the client certificate the apiserver presents to
// the kubelet (kwok) and to aggregated APIs (metrics-server, which trusts
// the cluster CA through the extension-apiserver-authentication ConfigMap).
func (k *Cluster) writeProxyClient(ca *x509.Certificate, caKey *ecdsa.PrivateKey) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3),
		Subject:   pkix.Name{CommonName: "kube-apiserver-proxy", Organization: []string{"system:masters"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	files := map[string][]byte{
		"proxy-client.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"proxy-client.key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(k.Dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// apiServerAddonFlags connect the apiserver to the kubelet and to
// aggregated APIs.
func (k *Cluster) apiServerAddonFlags() []string {
	d := k.Dir
	return []string{
		"--proxy-client-cert-file=" + filepath.Join(d, "proxy-client.crt"), "--proxy-client-key-file=" + filepath.Join(d, "proxy-client.key"),
		"--kubelet-client-certificate=" + filepath.Join(d, "proxy-client.crt"), "--kubelet-client-key=" + filepath.Join(d, "proxy-client.key"),
		"--kubelet-preferred-address-types=InternalIP",
		// Aggregated APIs learn the real user from these headers, trusting
		// only the proxy client's certificate.
		"--requestheader-client-ca-file=" + filepath.Join(d, "ca.crt"), "--requestheader-allowed-names=kube-apiserver-proxy",
		"--requestheader-username-headers=X-Remote-User", "--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
	}
}

// kwokFlags serve the fake nodes' kubelet endpoint on loopback.
func (k *Cluster) kwokFlags() []string {
	port := strconv.Itoa(k.ports.kubelet)
	return []string{
		"--node-ip=127.0.0.1", "--node-port=" + port, "--server-address=127.0.0.1:" + port,
		"--tls-cert-file=" + filepath.Join(k.Dir, "apiserver.crt"), "--tls-private-key-file=" + filepath.Join(k.Dir, "apiserver.key"),
		"--enable-crds=Logs,ClusterLogs",
	}
}

// applyKwokCRDs creates the CRDs of what kwok reads from the apiserver
// (Logs, ClusterLogs) and waits until they are served.
func (k *Cluster) applyKwokCRDs(ctx context.Context) error {
	dyn, err := dynamic.NewForConfig(k.RestConfig())
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(k.bin, "kwok-crds.yaml"))
	if err != nil {
		return err
	}
	defer f.Close()
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	var names []string
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("kwok-crds.yaml: %w", err)
		}
		if obj == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if _, err := dyn.Resource(crds).Create(ctx, u, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating CRD %s: %w", u.GetName(), err)
		}
		names = append(names, u.GetName())
	}
	return k.waitCondition(ctx, dyn, crds, "", names, "Established")
}

// startMetricsServer runs metrics-server and registers it as
// v1beta1.metrics.k8s.io behind a Service of type ExternalName, as kwokctl
// does for a cluster without pod networking; it waits until the APIService
// is Available.
func (k *Cluster) startMetricsServer(ctx context.Context) error {
	d := k.Dir
	admin := filepath.Join(d, "admin.kubeconfig")
	if err := k.start("metrics-server", "--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(k.ports.metrics),
		"--kubeconfig="+admin, "--authentication-kubeconfig="+admin, "--authorization-kubeconfig="+admin,
		"--tls-cert-file="+filepath.Join(d, "apiserver.crt"), "--tls-private-key-file="+filepath.Join(d, "apiserver.key"),
		"--kubelet-insecure-tls", "--kubelet-use-node-status-port", "--kubelet-preferred-address-types=InternalIP",
		"--metric-resolution=10s", "--kubelet-request-timeout=5s"); err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(k.RestConfig())
	if err != nil {
		return err
	}
	svc := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": "metrics-server", "namespace": "kube-system"},
		"spec":     map[string]any{"type": "ExternalName", "externalName": "localhost", "ports": []any{map[string]any{"port": int64(k.ports.metrics)}}}}}
	if _, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "services"}).Namespace("kube-system").Create(ctx, svc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the metrics-server Service: %w", err)
	}
	// As metrics-server's own manifest: whoever may view may read metrics.
	reader := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
		"metadata": map[string]any{"name": "system:aggregated-metrics-reader", "labels": map[string]any{
			"rbac.authorization.k8s.io/aggregate-to-view": "true", "rbac.authorization.k8s.io/aggregate-to-edit": "true", "rbac.authorization.k8s.io/aggregate-to-admin": "true"}},
		"rules": []any{map[string]any{"apiGroups": []any{"metrics.k8s.io"}, "resources": []any{"pods", "nodes"}, "verbs": []any{"get", "list", "watch"}}}}}
	if _, err := dyn.Resource(schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}).Create(ctx, reader, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the metrics reader role: %w", err)
	}
	apiServices := schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
	as := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
		"metadata": map[string]any{"name": "v1beta1.metrics.k8s.io"},
		"spec": map[string]any{"group": "metrics.k8s.io", "version": "v1beta1", "insecureSkipTLSVerify": true,
			"groupPriorityMinimum": int64(100), "versionPriority": int64(100),
			"service": map[string]any{"namespace": "kube-system", "name": "metrics-server", "port": int64(k.ports.metrics)}}}}
	if _, err := dyn.Resource(apiServices).Create(ctx, as, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("registering metrics.k8s.io: %w", err)
	}
	return k.waitCondition(ctx, dyn, apiServices, "", []string{"v1beta1.metrics.k8s.io"}, "Available")
}

// waitCondition waits up to a minute until each named object has condition
// cond True.
func (k *Cluster) waitCondition(ctx context.Context, dyn dynamic.Interface, gvr schema.GroupVersionResource, ns string, names []string, cond string) error {
	deadline := time.Now().Add(time.Minute)
	for _, name := range names {
		for {
			u, err := dyn.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
			if err == nil && hasCondition(u, cond) {
				break
			}
			if time.Now().After(deadline) || k.anyExited() {
				return fmt.Errorf("%s %s not %s within a minute (%v)\n%s", gvr.Resource, name, cond, err, k.Logs())
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

func hasCondition(u *unstructured.Unstructured, cond string) bool {
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range list {
		m, _ := c.(map[string]any)
		if m["type"] == cond && m["status"] == "True" {
			return true
		}
	}
	return false
}

// anyExited: a component started so far has died.
func (k *Cluster) anyExited() bool {
	for name := range k.PIDs() {
		if k.exited(name) {
			return true
		}
	}
	return false
}

// ContainerLog is what a fake container printed: its current and previous
// instance's lines, as the kubelet would serve them.
type ContainerLog struct {
	Container       string
	Lines, Previous []string
	// At stamps the last line; earlier lines are a second apart before it.
	At time.Time
}

// SetLogs gives a pod's containers their log text: CRI-format files under
// the cluster's directory and the kwok Logs object that points at them, so
// pods/log serves them through the apiserver. Setting them again replaces
// them.
func (k *Cluster) SetLogs(ctx context.Context, ns, pod string, logs ...ContainerLog) error {
	dir := filepath.Join(k.Dir, "logs", ns, pod)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var entries []any
	for _, l := range logs {
		if l.At.IsZero() {
			l.At = time.Now()
		}
		current, previous := filepath.Join(dir, l.Container+".log"), filepath.Join(dir, l.Container+".previous.log")
		for file, lines := range map[string][]string{current: l.Lines, previous: l.Previous} {
			if err := writeCRILog(file, lines, l.At); err != nil {
				return err
			}
		}
		entries = append(entries, map[string]any{"containers": []any{l.Container}, "logsFile": current, "previousLogsFile": previous})
	}
	dyn, err := dynamic.NewForConfig(k.RestConfig())
	if err != nil {
		return err
	}
	gvr := schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "logs"}
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs",
		"metadata": map[string]any{"name": pod, "namespace": ns}, "spec": map[string]any{"logs": entries}}}
	old, err := dyn.Resource(gvr).Namespace(ns).Get(ctx, pod, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		_, err = dyn.Resource(gvr).Namespace(ns).Create(ctx, obj, metav1.CreateOptions{})
	case err == nil:
		obj.SetResourceVersion(old.GetResourceVersion())
		_, err = dyn.Resource(gvr).Namespace(ns).Update(ctx, obj, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("kwok Logs %s/%s: %w", ns, pod, err)
	}
	return nil
}

// writeCRILog writes lines in the CRI log format the kubelet reads
// ("<RFC3339Nano> stdout F <line>"), a second apart, ending at end.
func writeCRILog(file string, lines []string, end time.Time) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i, line := range lines {
		at := end.Add(-time.Duration(len(lines)-1-i) * time.Second).UTC()
		fmt.Fprintf(w, "%s stdout F %s\n", at.Format(time.RFC3339Nano), line)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
