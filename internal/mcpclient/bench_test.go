package mcpclient

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedKubesim()
	os.Exit(code)
}

// BenchmarkGather4Warm gathers from four warm servers over stdio — deploy,
// kube (on kubesim), cloud and github (on a GitHub stub) — and reports the
// p95 of a whole gathering (no model time). Target: 50 ms.
func BenchmarkGather4Warm(b *testing.B) {
	bin := testenv.Binaries(b)
	k := testenv.SharedKubesim(b)
	dir := b.TempDir()
	stub := testenv.NewGitHubStub(b, "ghp_bench")
	stub.On("GET", "/repos/acme/infra", map[string]any{"full_name": "acme/infra", "default_branch": "main"})
	stub.On("GET", "/repos/acme/infra/pulls", []any{})
	stub.On("GET", "/repos/acme/infra/commits/main/check-runs", map[string]any{"total_count": 0, "check_runs": []any{}})
	stub.On("GET", "/repos/acme/infra/commits/main/status", map[string]any{"state": "success", "statuses": []any{}})
	stub.On("GET", "/repos/acme/infra/deployments", []any{})
	cfg := filepath.Join(dir, "opsmcp.yaml")
	// The response cache off: every gathering reaches terraform's store,
	// the apiserver and GitHub.
	os.WriteFile(cfg, []byte("memory: "+filepath.Join(dir, "memory.db")+"\ngithub:\n  base_url: "+stub.URL+"\ncache:\n  ttl: {gather_context: 0s}\n"), 0o644)
	env := map[string]string{"KUBECONFIG": k.Kubeconfig, "GITHUB_TOKEN": "ghp_bench"}
	var specs []ServerSpec
	for _, s := range []string{"deploy", "kube", "cloud", "github"} {
		specs = append(specs, ServerSpec{Name: s, Command: filepath.Join(bin, "opsmcp-"+s), Args: []string{"--config", cfg}, Env: env})
	}
	p := NewPool(specs)
	defer p.Close()
	scope := map[string]any{"repo": "acme/infra"}
	for range 5 {
		if g := p.GatherAll(context.Background(), scope, 5*time.Second, 10*time.Second); len(g.Errors) > 0 {
			b.Fatalf("warm-up: %v", g.Errors)
		}
	}
	var d []time.Duration
	for b.Loop() {
		start := time.Now()
		g := p.GatherAll(context.Background(), scope, 5*time.Second, 10*time.Second)
		d = append(d, time.Since(start))
		if len(g.Results) != 4 {
			b.Fatalf("%v", g.Errors)
		}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
}
