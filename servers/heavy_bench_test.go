package servers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// BenchmarkHTTPEightMaxSizeCalls: opsmcp serve --all over HTTP, eight
// concurrent calls each given a file of limits.max_input_bytes (16 MiB of
// Kubernetes manifests): four estimate_costs and four
// validate_deployment. Reports the server's RSS before and its highest
// during the calls (sampled every 10 ms), and how long they took.
func BenchmarkHTTPEightMaxSizeCalls(b *testing.B) {
	dir := b.TempDir()
	const token = "heavy-token-0123456789abcdef"
	doc := "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-%d\n  namespace: prod\nspec:\n  replicas: 2\n" +
		"  selector: {matchLabels: {app: web-%d}}\n  template:\n    metadata: {labels: {app: web-%d}}\n    spec:\n" +
		"      containers:\n      - name: web\n        image: nginx:1.27.3\n        resources: {requests: {cpu: 250m, memory: 256Mi}}\n"
	var sb strings.Builder
	for i := 0; sb.Len() < 16<<20-1024; i++ {
		fmt.Fprintf(&sb, doc, i, i, i)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	srv := serveAll(b, fmt.Sprintf("memory: %s\nread_paths: [%s]\nhttp:\n  rate_limit: {per_minute: 100000, burst: 1000}\n", filepath.Join(dir, "m.db"), dir),
		"OPSMCP_HTTP_TOKENS=heavy="+token)
	pid := srv.cmd.Process.Pid
	for b.Loop() {
		before := rssOf(pid)
		var peak atomic.Int64
		done := make(chan struct{})
		go func() {
			for {
				if r := rssOf(pid); r > peak.Load() {
					peak.Store(r)
				}
				select {
				case <-done:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		var wg sync.WaitGroup
		var failed atomic.Int64
		for i := range 8 {
			tool, args := "estimate_costs", map[string]any{"infrastructure": big}
			if i%2 == 1 {
				tool, args = "validate_deployment", map[string]any{"config_path": big, "type": "kubernetes"}
			}
			c := testenv.HTTPClient(b, "http://"+srv.addr+"/deploy/mcp", token)
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				defer cancel()
				res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: tool, Arguments: args}})
				if err != nil || res.IsError {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		close(done)
		if failed.Load() > 0 {
			b.Fatalf("%d of 8 calls failed\n%s", failed.Load(), srv.logs.String())
		}
		b.ReportMetric(float64(before)/(1<<20), "rss-before-MB")
		b.ReportMetric(float64(peak.Load())/(1<<20), "rss-peak-MB")
		b.ReportMetric(time.Since(start).Seconds(), "s-for-8-calls")
	}
}
