package kube_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/metrics"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/kubesim"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/kube"
)

func benchHost(b *testing.B, k *testenv.Kubesim, mode config.Mode) *mcpkit.Host {
	return mcpkit.NewHost(kube.New(), &mcpkit.Runtime{Config: k.Config(mode), Log: slog.New(slog.DiscardHandler)})
}

// BenchmarkGetPods1000 lists a namespace of 1,000 Running kwok pods with a
// raw client-go List (JSON, as client-go does by default) and with get_pods
// in-process and over stdio (the built opsmcp-kube and mcp-go's client),
// interleaved in one run. Target: get_pods median <= 2x the raw List, text
// result under 60 KB.
func BenchmarkGetPods1000(b *testing.B) {
	k := testenv.SharedKubesim(b)
	cs := k.Clientset(b)
	ns := k.Namespace(b)
	seedPods(b, cs, ns, 1000)

	raw, err := kubernetes.NewForConfig(k.RestConfig())
	if err != nil {
		b.Fatal(err)
	}
	h := benchHost(b, k, config.ModeReadOnly)
	args, _ := json.Marshal(map[string]any{"namespace": ns})

	bin := filepath.Join(testenv.Binaries(b), "opsmcp-kube")
	c, err := client.NewStdioMCPClient(bin, append(os.Environ(), "KUBECONFIG="+k.Kubeconfig, "OPSMCP_MODE=read-only",
		"OPSMCP_MEMORY="+filepath.Join(b.TempDir(), "m.db"), "OPSMCP_CONFIG="))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	testenv.StartMCP(b, c)
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_pods"
	req.Params.Arguments = map[string]any{"namespace": ns}

	var textBytes, stdioBytes int
	var rawD, toolD, stdioD []time.Duration
	n := max(b.N, 15)
	b.ResetTimer()
	for range n {
		start := time.Now()
		list, err := raw.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
		rawD = append(rawD, time.Since(start))
		if err != nil || len(list.Items) != 1000 {
			b.Fatal(err)
		}
		start = time.Now()
		out := h.Call(context.Background(), "get_pods", args, nil)
		toolD = append(toolD, time.Since(start))
		if out.IsError {
			b.Fatal(out.Text)
		}
		textBytes = len(out.Text)
		start = time.Now()
		res, err := c.CallTool(context.Background(), req)
		stdioD = append(stdioD, time.Since(start))
		if err != nil || res.IsError {
			b.Fatal(err, res)
		}
		stdioBytes = 0
		for _, ct := range res.Content {
			if t, ok := ct.(mcp.TextContent); ok {
				stdioBytes += len(t.Text)
			}
		}
	}
	b.StopTimer()
	r, t, s := testenv.Median(rawD), testenv.Median(toolD), testenv.Median(stdioD)
	b.ReportMetric(float64(r.Microseconds())/1000, "raw-list-p50-ms")
	b.ReportMetric(float64(t.Microseconds())/1000, "get_pods-p50-ms")
	b.ReportMetric(float64(s.Microseconds())/1000, "stdio-get_pods-p50-ms")
	b.ReportMetric(float64(t)/float64(r), "ratio")
	b.ReportMetric(float64(s)/float64(r), "stdio-ratio")
	b.ReportMetric(float64(textBytes)/1000, "text-KB")
	b.ReportMetric(float64(stdioBytes)/1000, "stdio-text-KB")
}

// BenchmarkStartupToInitialize is the time from starting opsmcp-kube to
// its answer to initialize on stdout (target: <= 50 ms).
func BenchmarkStartupToInitialize(b *testing.B) {
	bin := filepath.Join(testenv.Binaries(b), "opsmcp-kube")
	env := append(os.Environ(), "OPSMCP_MEMORY="+filepath.Join(b.TempDir(), "m.db"), "OPSMCP_CONFIG=", "KUBECONFIG=/nonexistent")
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}` + "\n"
	var d []time.Duration
	n := max(b.N, 20)
	b.ResetTimer()
	for range n {
		cmd := exec.Command(bin)
		cmd.Env = env
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		stdin.Write([]byte(init))
		line, err := bufio.NewReader(stdout).ReadBytes('\n')
		d = append(d, time.Since(start))
		if err != nil || !json.Valid(line) {
			b.Fatalf("initialize: %v %s", err, line)
		}
		stdin.Close()
		cmd.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(testenv.Median(d).Microseconds())/1000, "start-to-initialize-p50-ms")
}

// throttleWaits records client-go's client-side rate limiter waits.
type throttleWaits struct {
	mu    sync.Mutex
	n     int
	worst time.Duration
}

func (w *throttleWaits) Observe(_ context.Context, _ string, _ url.URL, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n++
	w.worst = max(w.worst, d)
}

// BenchmarkScale20 calls scale_deployment 20 times back to back on one
// deployment while another writer keeps changing it (so updates conflict).
// Target: no failure, and no client-side throttling wait (every call well
// under client-go's default 5 requests/s pacing).
func BenchmarkScale20(b *testing.B) {
	k := testenv.SharedKubesim(b)
	cs := k.Clientset(b)
	ns := k.Namespace(b)
	labels := map[string]string{"app": "s"}
	one := int32(1)
	if _, err := cs.AppsV1().Deployments(ns).Create(context.Background(), deploymentOf("s", labels, one), metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	h := benchHost(b, k, config.ModeApply)
	// client-go reports how long each request waited for its rate limiter.
	waits := &throttleWaits{}
	metrics.Register(metrics.RegisterOpts{RateLimiterLatency: waits})
	var failures, calls atomic.Int64
	var worst time.Duration
	var all []time.Duration
	b.ResetTimer()
	for b.Loop() {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { conflictingWriter(cs, ns, "s", stop) })
		for i := range 20 {
			args, _ := json.Marshal(map[string]any{"name": "s", "namespace": ns, "replicas": i%5 + 1})
			start := time.Now()
			out := h.Call(context.Background(), "scale_deployment", args, nil)
			d := time.Since(start)
			all = append(all, d)
			worst = max(worst, d)
			calls.Add(1)
			if out.IsError {
				failures.Add(1)
				b.Logf("scale failed: %s", out.Text)
			}
		}
		close(stop)
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(failures.Load()), "failures")
	b.ReportMetric(float64(calls.Load()), "calls")
	b.ReportMetric(float64(testenv.Median(all).Microseconds())/1000, "p50-ms/call")
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms/call")
	waits.mu.Lock()
	b.ReportMetric(float64(waits.n), "rate-limited-requests")
	b.ReportMetric(float64(waits.worst.Microseconds())/1000, "max-throttle-wait-ms")
	waits.mu.Unlock()
}

// BenchmarkGetLogs50MB reads the last 200 lines of a container whose log
// is 50 MB, in-process (time, bytes) and as a one-shot `opsmcp call`
// (wall time including start-up, peak RSS): the kubelet tails the file and
// opsmcp keeps only what it returns, so neither grows with the log.
func BenchmarkGetLogs50MB(b *testing.B) {
	k := testenv.SharedKubesim(b)
	cs := k.Clientset(b)
	ns := k.Namespace(b)
	ctx := context.Background()
	for _, name := range []string{"chatty", "quiet"} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: podSpec("nginx:1.27")}
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	line := strings.Repeat("x", 60)
	lines := make([]string, 0, 50<<20/100)
	for i := range cap(lines) {
		lines = append(lines, fmt.Sprintf("%07d INFO GET /api/v1/items/%d 200 %s", i, i%977, line))
	}
	if err := k.SetLogs(ctx, ns, "chatty", kubesim.ContainerLog{Container: "app", Lines: lines}); err != nil {
		b.Fatal(err)
	}
	// The same call on a 200-line log is the baseline for memory.
	if err := k.SetLogs(ctx, ns, "quiet", kubesim.ContainerLog{Container: "app", Lines: lines[len(lines)-200:]}); err != nil {
		b.Fatal(err)
	}
	h := benchHost(b, k, config.ModeReadOnly)
	args, _ := json.Marshal(map[string]any{"name": "chatty", "namespace": ns, "tail_lines": 200})
	deadline := time.Now().Add(time.Minute)
	for {
		out := h.Call(ctx, "get_logs", args, nil)
		if !out.IsError && strings.Contains(out.Text, lines[len(lines)-1]) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("the log is not served: %s", out.Text)
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Setenv("KUBECONFIG", k.Kubeconfig)
	b.Setenv("OPSMCP_MODE", "read-only")
	b.Setenv("OPSMCP_CONFIG", "")
	b.Setenv("OPSMCP_MEMORY", filepath.Join(b.TempDir(), "m.db"))
	opsmcp := filepath.Join(testenv.Binaries(b), "opsmcp")
	var inproc, cli []time.Duration
	var textBytes int
	var rss, baseRSS int64
	n := max(b.N, 10)
	b.ResetTimer()
	for range n {
		start := time.Now()
		out := h.Call(ctx, "get_logs", args, nil)
		inproc = append(inproc, time.Since(start))
		if out.IsError {
			b.Fatal(out.Text)
		}
		textBytes = len(out.Text)
		m := testenv.PeakRSS(b, opsmcp, "call", "kube", "get_logs", "name=chatty", "namespace="+ns, "tail_lines=200")
		if m.ExitCode != 0 {
			b.Fatalf("opsmcp call: %s", m.Output)
		}
		cli = append(cli, m.Wall)
		rss = max(rss, m.PeakRSS)
		m = testenv.PeakRSS(b, opsmcp, "call", "kube", "get_logs", "name=quiet", "namespace="+ns, "tail_lines=200")
		if m.ExitCode != 0 {
			b.Fatalf("opsmcp call: %s", m.Output)
		}
		baseRSS = max(baseRSS, m.PeakRSS)
	}
	b.StopTimer()
	b.ReportMetric(float64(testenv.Median(inproc).Microseconds())/1000, "get_logs-p50-ms")
	b.ReportMetric(float64(testenv.Median(cli).Microseconds())/1000, "opsmcp-call-p50-ms")
	b.ReportMetric(float64(textBytes)/1000, "text-KB")
	b.ReportMetric(float64(rss)/(1<<20), "opsmcp-call-peak-RSS-MB")
	b.ReportMetric(float64(baseRSS)/(1<<20), "200-line-log-peak-RSS-MB")
}

// BenchmarkListPods1000VsKubernetesMCPServer lists a namespace of 1,000
// Running pods over stdio with opsmcp-kube's list_resources and with
// containers/kubernetes-mcp-server's resources_list and
// pods_list_in_namespace (npm package, `make tools`), interleaved in one
// run against the same kubesim: median time and text bytes of each.
func BenchmarkListPods1000VsKubernetesMCPServer(b *testing.B) {
	k := testenv.SharedKubesim(b)
	ns := k.Namespace(b)
	seedPods(b, k.Clientset(b), ns, 1000)

	ours, err := client.NewStdioMCPClient(filepath.Join(testenv.Binaries(b), "opsmcp-kube"), append(os.Environ(), "KUBECONFIG="+k.Kubeconfig,
		"OPSMCP_MODE=read-only", "OPSMCP_MEMORY="+filepath.Join(b.TempDir(), "m.db"), "OPSMCP_CONFIG="))
	if err != nil {
		b.Fatal(err)
	}
	defer ours.Close()
	testenv.StartMCP(b, ours)
	bin, env := testenv.NodeTool(b, "kubernetes-mcp-server")
	peer, err := client.NewStdioMCPClient(bin, append(env, "HOME="+b.TempDir()), "--kubeconfig", k.Kubeconfig, "--read-only", "--disable-multi-cluster")
	if err != nil {
		b.Fatal(err)
	}
	defer peer.Close()
	testenv.StartMCP(b, peer)

	type contender struct {
		name string
		c    *client.Client
		tool string
		args map[string]any
		d    []time.Duration
		text int
		all  int // the whole result: text and structured content
	}
	contenders := []*contender{
		{name: "opsmcp-list_resources", c: ours, tool: "list_resources", args: map[string]any{"kind": "pods", "namespace": ns, "limit": 1000}},
		{name: "kms-resources_list", c: peer, tool: "resources_list", args: map[string]any{"apiVersion": "v1", "kind": "Pod", "namespace": ns}},
		{name: "kms-pods_list_in_namespace", c: peer, tool: "pods_list_in_namespace", args: map[string]any{"namespace": ns}},
	}
	n := max(b.N, 15)
	b.ResetTimer()
	for range n {
		for _, ct := range contenders {
			req := mcp.CallToolRequest{}
			req.Params.Name, req.Params.Arguments = ct.tool, ct.args
			start := time.Now()
			res, err := ct.c.CallTool(context.Background(), req)
			ct.d = append(ct.d, time.Since(start))
			if err != nil || res.IsError {
				b.Fatalf("%s: %v %v", ct.name, err, res)
			}
			ct.text = 0
			for _, c := range res.Content {
				if t, ok := c.(mcp.TextContent); ok {
					ct.text += len(t.Text)
				}
			}
			// Our text shows 200 rows; the structured result has every pod.
			all, _ := json.Marshal(res)
			ct.all = len(all)
			if !strings.Contains(string(all), "web-0999") {
				b.Fatalf("%s did not list every pod", ct.name)
			}
		}
	}
	b.StopTimer()
	for _, ct := range contenders {
		b.ReportMetric(float64(testenv.Median(ct.d).Microseconds())/1000, ct.name+"-p50-ms")
		b.ReportMetric(float64(ct.text)/1000, ct.name+"-text-KB")
		b.ReportMetric(float64(ct.all)/1000, ct.name+"-result-KB")
	}
}
