// Package kubesim starts and stops a real Kubernetes control plane (etcd,
// kube-apiserver, controller-manager, scheduler and kwok's fake nodes) on
// loopback, from the binaries tools/kubesim builds: for tests, for `make
// kubesim-up`, and for generating the embedded schemas.
package kubesim

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Cluster is a real Kubernetes control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler) with kwok running pods on fake
// nodes, all on loopback, built by tools/kubesim/build.sh.
type Cluster struct {
	Dir        string // holds the kubeconfig, keys, logs and etcd data
	Kubeconfig string // contexts: kubesim (admin, current) and kubesim-restricted
	Server     string // https://127.0.0.1:PORT
	// RestrictedUser may only read (ClusterRole view) in namespace default.
	RestrictedUser string

	bin      string
	detach   bool
	ports    struct{ etcd, peer, api, kubelet, metrics int }
	mu       sync.Mutex
	procs    map[string]*proc
	adminCfg *rest.Config
}

// Kubesim context names in the written kubeconfig.
const (
	Context           = "kubesim"
	RestrictedContext = "kubesim-restricted"
)

// Options says where and how to start a cluster.
type Options struct {
	Dir   string // empty: a new temp dir
	Nodes int    // fake nodes; 0 means 3
	// Detach starts the processes in their own session, outliving the
	// caller (make kubesim-up); otherwise they die with it.
	Detach bool
}

// Binaries builds the control plane once per version (5-7 minutes
// cold, then cached) and returns the directory holding the binaries.
func Binaries(root string) (string, error) {
	cmd := exec.Command("bash", filepath.Join(root, "tools", "kubesim", "build.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building kubesim (tools/kubesim/build.sh): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Start starts a cluster and returns when the apiserver is ready,
// every fake node is Ready, and namespace default has its service account.
func Start(ctx context.Context, root string, opts Options) (_ *Cluster, err error) {
	bin, err := Binaries(root)
	if err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "opsmcp-kubesim-"); err != nil {
			return nil, err
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// A directory reused after kubesim-down starts from an empty etcd.
	if err := os.RemoveAll(filepath.Join(dir, "etcd")); err != nil {
		return nil, err
	}
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	k := &Cluster{Dir: dir, bin: bin, detach: opts.Detach, procs: map[string]*proc{},
		Kubeconfig: filepath.Join(dir, "kubeconfig"), RestrictedUser: "restricted"}
	defer func() {
		if err != nil {
			k.Stop()
		}
	}()
	for _, p := range []*int{&k.ports.etcd, &k.ports.peer, &k.ports.api, &k.ports.kubelet, &k.ports.metrics} {
		if *p, err = FreePort(); err != nil {
			return nil, err
		}
	}
	k.Server = fmt.Sprintf("https://127.0.0.1:%d", k.ports.api)
	if err := k.writeCredentials(); err != nil {
		return nil, err
	}
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", k.ports.etcd)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", k.ports.peer)
	if err := k.start("etcd", "--name=kubesim", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=kubesim="+peerURL, "--unsafe-no-fsync=true", "--log-level=warn"); err != nil {
		return nil, err
	}
	if err := k.StartAPIServer(); err != nil {
		return nil, err
	}
	if err := k.WaitReady(ctx, time.Minute); err != nil {
		return nil, err
	}
	admin := filepath.Join(dir, "admin.kubeconfig")
	if err := k.start("kube-controller-manager", "--kubeconfig="+admin,
		"--controllers=deployment,replicaset,statefulset,daemonset,serviceaccount,nodelifecycle,namespace,garbagecollector,clusterrole-aggregation",
		"--service-account-private-key-file="+filepath.Join(dir, "sa.key"),
		"--root-ca-file="+filepath.Join(dir, "ca.crt"),
		"--leader-elect=false", "--secure-port=0", "--kube-api-qps=500", "--kube-api-burst=1000"); err != nil {
		return nil, err
	}
	if err := k.start("kube-scheduler", "--kubeconfig="+admin, "--leader-elect=false", "--secure-port=0",
		"--kube-api-qps=500", "--kube-api-burst=1000"); err != nil {
		return nil, err
	}
	if err := k.applyKwokCRDs(ctx); err != nil {
		return nil, err
	}
	if err := k.start("kwok", append([]string{"--kubeconfig=" + admin, "--manage-all-nodes=true",
		"--config=" + filepath.Join(bin, "kwok-config.yaml"), "--cidr=10.0.0.0/16",
		"--node-lease-duration-seconds=40"}, k.kwokFlags()...)...); err != nil {
		return nil, err
	}
	if err := k.seed(ctx, opts.Nodes); err != nil {
		return nil, err
	}
	if err := k.startMetricsServer(ctx); err != nil {
		return nil, err
	}
	if opts.Detach {
		return k, k.writePIDs()
	}
	return k, nil
}

// RestConfig is the admin client configuration (no client-side rate limit).
func (k *Cluster) RestConfig() *rest.Config {
	c := rest.CopyConfig(k.adminCfg)
	c.QPS, c.Burst = -1, 0
	return c
}

// StartAPIServer starts kube-apiserver (again, after StopAPIServer) on the
// cluster's port; it does not wait for readiness (see WaitReady).
func (k *Cluster) StartAPIServer() error {
	d := k.Dir
	return k.start("kube-apiserver", append(k.apiServerAddonFlags(),
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", k.ports.etcd),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+strconv.Itoa(k.ports.api),
		"--cert-dir="+filepath.Join(d, "certs"),
		"--tls-cert-file="+filepath.Join(d, "apiserver.crt"), "--tls-private-key-file="+filepath.Join(d, "apiserver.key"),
		"--client-ca-file="+filepath.Join(d, "ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+filepath.Join(d, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(d, "sa.key"),
		"--token-auth-file="+filepath.Join(d, "tokens.csv"),
		"--authorization-mode=RBAC", "--service-cluster-ip-range=10.96.0.0/16",
		"--allow-privileged=true", "--profiling=false", "--endpoint-reconciler-type=none")...)
}

// StopAPIServer kills kube-apiserver only (for fault tests).
func (k *Cluster) StopAPIServer() { k.stop("kube-apiserver") }

// WaitReady waits until /readyz answers 200.
func (k *Cluster) WaitReady(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	rc := k.RestConfig()
	tr, err := rest.TransportFor(rc)
	if err != nil {
		return err
	}
	hc := &http.Client{Transport: tr, Timeout: 2 * time.Second}
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, k.Server+"/readyz", nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/readyz: %s", resp.Status)
		}
		last = err
		if k.exited("kube-apiserver") || k.exited("etcd") {
			return fmt.Errorf("kube-apiserver did not start: %v\n%s", last, k.Logs())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready within %s: %v\n%s", within, last, k.Logs())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Logs is the tail of every component's log, for failure messages.
func (k *Cluster) Logs() string {
	var b strings.Builder
	for _, name := range components {
		data, err := os.ReadFile(filepath.Join(k.Dir, name+".log"))
		if err != nil {
			continue
		}
		if len(data) > 3000 {
			data = data[len(data)-3000:]
		}
		fmt.Fprintf(&b, "--- %s.log (tail)\n%s\n", name, data)
	}
	return b.String()
}

// Stop kills every process of the cluster and, unless it was started
// detached into a caller's directory, removes its files.
func (k *Cluster) Stop() {
	for _, name := range slices.Backward(components) {
		k.stop(name)
	}
	if !k.detach {
		os.RemoveAll(k.Dir)
	}
}

// writeCredentials makes a CA and serving certificate for 127.0.0.1, the
// service-account RSA key pair, the token file (admin in system:masters and
// a restricted user), and kubeconfigs.
func (k *Cluster) writeCredentials() error {
	d := k.Dir
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubesim-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	if err := k.writeProxyClient(caCert, caKey); err != nil {
		return err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	srvKeyDER, _ := x509.MarshalECPrivateKey(srvKey)
	saPub, _ := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	adminToken, restrictedToken := rand.Text(), rand.Text()
	files := map[string][]byte{
		"ca.crt":        caPEM,
		"apiserver.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		"apiserver.key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: srvKeyDER}),
		"sa.key":        pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)}),
		"sa.pub":        pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPub}),
		"tokens.csv": fmt.Appendf(nil, "%s,admin,admin,\"system:masters\"\n%s,%s,%s\n",
			adminToken, restrictedToken, k.RestrictedUser, k.RestrictedUser),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(d, name), data, 0o600); err != nil {
			return err
		}
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubesim"] = &clientcmdapi.Cluster{Server: k.Server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: adminToken}
	cfg.AuthInfos[k.RestrictedUser] = &clientcmdapi.AuthInfo{Token: restrictedToken}
	cfg.Contexts[Context] = &clientcmdapi.Context{Cluster: "kubesim", AuthInfo: "admin", Namespace: "default"}
	cfg.Contexts[RestrictedContext] = &clientcmdapi.Context{Cluster: "kubesim", AuthInfo: k.RestrictedUser, Namespace: "default"}
	cfg.CurrentContext = Context
	if err := clientcmd.WriteToFile(*cfg, k.Kubeconfig); err != nil {
		return err
	}
	// The components' kubeconfig: admin only.
	delete(cfg.Contexts, RestrictedContext)
	delete(cfg.AuthInfos, k.RestrictedUser)
	if err := clientcmd.WriteToFile(*cfg, filepath.Join(d, "admin.kubeconfig")); err != nil {
		return err
	}
	k.adminCfg = &rest.Config{Host: k.Server, BearerToken: adminToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: caPEM}}
	return nil
}

// seed creates the fake nodes and the restricted user's binding, then waits
// until the nodes are Ready and namespace default has its service account.
func (k *Cluster) seed(ctx context.Context, nodes int) error {
	cs, err := kubernetes.NewForConfig(k.RestConfig())
	if err != nil {
		return err
	}
	for i := range nodes {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("kwok-node-%d", i),
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0",
				MetricsPathAnnotation: fmt.Sprintf("/metrics/nodes/kwok-node-%d/metrics/resource", i)},
			Labels: map[string]string{"type": "kwok", "kubernetes.io/hostname": fmt.Sprintf("kwok-node-%d", i), "kubernetes.io/os": "linux"},
		}, Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("32"), corev1.ResourceMemory: resource.MustParse("256Gi"), corev1.ResourcePods: resource.MustParse("2000")},
			Capacity:    corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("32"), corev1.ResourceMemory: resource.MustParse("256Gi"), corev1.ResourcePods: resource.MustParse("2000")},
		}}
		if _, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating fake node: %w", err)
		}
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "restricted-view", Namespace: "default"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: k.RestrictedUser, APIGroup: rbacv1.GroupName}},
		RoleRef:  rbacv1.RoleRef{Kind: "ClusterRole", Name: "view", APIGroup: rbacv1.GroupName}}
	if _, err := cs.RbacV1().RoleBindings("default").Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating the restricted user's binding: %w", err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		err := k.ready(ctx, cs, nodes)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster not ready within a minute: %v\n%s", err, k.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (k *Cluster) ready(ctx context.Context, cs kubernetes.Interface, nodes int) error {
	list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	ready := 0
	for _, n := range list.Items {
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	if ready < nodes {
		return fmt.Errorf("%d of %d fake nodes Ready", ready, nodes)
	}
	if _, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{}); err != nil {
		return fmt.Errorf("service account default/default: %w", err)
	}
	return nil
}

// PIDs lists the running components' process ids by name.
func (k *Cluster) PIDs() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]int{}
	for name, p := range k.procs {
		out[name] = p.cmd.Process.Pid
	}
	return out
}

// writePIDs records a detached cluster's processes for StopKubesimDir.
func (k *Cluster) writePIDs() error {
	var b strings.Builder
	for name, pid := range k.PIDs() {
		fmt.Fprintf(&b, "%s %d\n", name, pid)
	}
	return os.WriteFile(filepath.Join(k.Dir, "kubesim.pids"), []byte(b.String()), 0o600)
}

// StopDir stops every process of a detached cluster started in dir.
func StopDir(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "kubesim.pids"))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no kubesim cluster was started in %s (no kubesim.pids)", dir)
	}
	if err != nil {
		return err
	}
	var pids []int
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		if pid, err := strconv.Atoi(f[1]); err == nil && isKubesim(pid) {
			pids = append(pids, pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return os.Remove(filepath.Join(dir, "kubesim.pids"))
}

// isKubesim guards against killing an unrelated process that reused a pid
// of a cluster that is long gone.
func isKubesim(pid int) bool {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	return err == nil && strings.Contains(exe, "kubesim")
}

// alive is false for a gone or zombie process (a reparented zombie may
// never be reaped in a container whose init does not reap).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// ServerVersion is the apiserver's gitVersion.
func (k *Cluster) ServerVersion() (string, error) {
	cs, err := kubernetes.NewForConfig(k.RestConfig())
	if err != nil {
		return "", err
	}
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		return "", err
	}
	return v.GitVersion, nil
}
