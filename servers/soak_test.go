package servers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

func rssOf(pid int) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkHTTPSoak50Sessions: opsmcp serve --all with authentication,
// 50 client sessions calling deploy's gather_context for 60 s (loopback,
// at most 5 million calls). Reports calls, errors and the server's RSS
// after a 10 s warm-up, at the end and at its highest.
func BenchmarkHTTPSoak50Sessions(b *testing.B) {
	dir := b.TempDir()
	const token = "soak-token-0123456789abcdef"
	srv := serveAll(b, fmt.Sprintf("memory: %s\nhttp:\n  rate_limit: {per_minute: 100000000, burst: 1000000}\n", filepath.Join(dir, "m.db")),
		"OPSMCP_HTTP_TOKENS=soak="+token)
	for b.Loop() {
		var calls, errs atomic.Int64
		stop := time.Now().Add(60 * time.Second)
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				c, err := client.NewStreamableHttpClient("http://"+srv.addr+"/deploy/mcp", transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
				if err != nil {
					errs.Add(1)
					return
				}
				defer c.Close()
				init := mcp.InitializeRequest{}
				init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
				if _, err := c.Initialize(context.Background(), init); err != nil {
					errs.Add(1)
					return
				}
				req := mcp.CallToolRequest{}
				req.Params.Name = "gather_context"
				for time.Now().Before(stop) && calls.Load() < 5_000_000 {
					res, err := c.CallTool(context.Background(), req)
					if err != nil || res.IsError {
						errs.Add(1)
						continue
					}
					calls.Add(1)
				}
			})
		}
		var warm, highest int64
		samples := time.NewTicker(time.Second)
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			defer samples.Stop()
			for now := range samples.C {
				if now.After(stop) {
					return
				}
				r := rssOf(srv.cmd.Process.Pid)
				highest = max(highest, r)
				if warm == 0 && now.After(stop.Add(-50*time.Second)) {
					warm = r
				}
			}
		}()
		wg.Wait()
		<-sampled
		end := rssOf(srv.cmd.Process.Pid)
		b.ReportMetric(float64(calls.Load())/60, "calls/s")
		b.ReportMetric(float64(errs.Load()), "errors")
		b.ReportMetric(float64(warm)/(1<<20), "rss-after-10s-MB")
		b.ReportMetric(float64(end)/(1<<20), "rss-at-60s-MB")
		b.ReportMetric(float64(highest)/(1<<20), "rss-highest-MB")
		if errs.Load() > 0 {
			b.Errorf("%d errors\n%s", errs.Load(), srv.logs.String())
		}
	}
}
