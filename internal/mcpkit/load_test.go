package mcpkit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// echoBody is a tools/call of echo in a protocol version's request format:
// 2025-11-25 plain; 2026-07-28 with the per-request _meta (SEP-2575) and
// the Mcp-Method/Mcp-Name headers (SEP-2243).
func echoBody(version string, id int) ([]byte, http.Header) {
	params := map[string]any{"name": "echo", "arguments": map[string]any{"text": "hello"}}
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"}}
	if version == mcp.ProtocolVersion20260728 {
		params["_meta"] = map[string]any{mcp.MetaKeyProtocolVersion: version,
			mcp.MetaKeyClientInfo: map[string]any{"name": "load", "version": "1"}, mcp.MetaKeyClientCapabilities: map[string]any{}}
		h.Set(mcp.HeaderProtocolVersion, version)
		h.Set(mcp.HeaderMethod, "tools/call")
		h.Set(mcp.HeaderName, "echo")
	} else {
		h.Set(mcp.HeaderProtocolVersion, version)
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
	return b, h
}

type loadResult struct {
	perSecond float64
	p50, p99  time.Duration
	errors    int64
}

// load sends n tools/call requests over keep-alive connections from conc
// workers (at most a minute) and measures each.
func load(b *testing.B, url, token, version string, conc, n int) loadResult {
	tr := &http.Transport{MaxIdleConns: conc, MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var next, errs atomic.Int64
	lat := make([][]time.Duration, conc)
	deadline := time.Now().Add(time.Minute)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			for i := int(next.Add(1)); i <= n && time.Now().Before(deadline); i = int(next.Add(1)) {
				body, hdr := echoBody(version, i)
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header = hdr
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !bytes.Contains(out, []byte("hello")) {
					if errs.Add(1) == 1 {
						b.Logf("%s: %d %s", url, resp.StatusCode, out)
					}
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		b.Fatalf("%s: no request succeeded", url)
	}
	return loadResult{perSecond: float64(len(all)) / elapsed.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100], errors: errs.Load()}
}

// wrkLoad drives url with wrk (a separate process, so the load generator
// does not share the server's Go runtime) at conc connections for 3 s.
func wrkLoad(b *testing.B, wrk, url, token, version string, conc int) loadResult {
	body, hdr := echoBody(version, 1)
	var script strings.Builder
	fmt.Fprintf(&script, "wrk.method = \"POST\"\nwrk.body = %q\n", body)
	for k, v := range hdr {
		fmt.Fprintf(&script, "wrk.headers[%q] = %q\n", k, v[0])
	}
	if token != "" {
		fmt.Fprintf(&script, "wrk.headers[\"Authorization\"] = %q\n", "Bearer "+token)
	}
	lua := filepath.Join(b.TempDir(), "echo.lua")
	os.WriteFile(lua, []byte(script.String()), 0o644)
	out, err := exec.Command(wrk, "-t", "1", "-c", strconv.Itoa(conc), "-d", "3s", "--latency", "-s", lua, url).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	var r loadResult
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.perSecond, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			r.p50, _ = time.ParseDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.p99, _ = time.ParseDuration(f[1])
		case strings.HasPrefix(strings.TrimSpace(line), "Non-2xx or 3xx responses:"):
			n, _ := strconv.Atoi(f[len(f)-1])
			r.errors += int64(n)
		case strings.HasPrefix(strings.TrimSpace(line), "Socket errors:"):
			r.errors++
		}
	}
	if r.perSecond == 0 {
		b.Fatalf("wrk printed no rate:\n%s", out)
	}
	return r
}

// bareEcho is a bare mcp-go streamable HTTP echo server (stateless, JSON
// responses): the protocol's own cost.
func bareEcho(b *testing.B) string {
	s := server.NewMCPServer("bare", "1", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("echo", mcp.WithString("text", mcp.Required())),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("text", "")), nil
		})
	srv := httptest.NewServer(server.NewStreamableHTTPServer(s, server.WithStateLess(true)))
	b.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// opsmcpEcho is the same tool behind the whole service: a static token,
// the rate limit (set high), metrics, logs, a memory store and the
// response cache (echo cached for a minute).
func opsmcpEcho(b *testing.B, token string) string {
	svc := opsmcpService(b, token)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx, mcpkit.ServeOptions{Addr: addr}) }()
	b.Cleanup(func() { cancel(); <-done })
	testenv.WaitListening(b, addr, func() string { return "" })
	return "http://" + addr + "/mcp"
}

func opsmcpService(b *testing.B, token string) *mcpkit.HTTPService {
	cached := mcpkit.NewTool(mcpkit.Def{Name: "echo", Description: "echo", Toolset: "terraform", CacheTTL: time.Minute,
		Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No}},
		func(ctx context.Context, c *mcpkit.Call, in echoIn) (echoOut, error) {
			return echoOut{Echo: in.Text}, nil
		})
	cfg := config.Default()
	cfg.HTTP.RateLimit = config.RateLimit{PerMinute: 100_000_000, Burst: 1_000_000}
	if err := cfg.HTTP.Check(); err != nil {
		b.Fatal(err)
	}
	b.Setenv("OPSMCP_HTTP_TOKENS", "load="+token)
	store, err := memory.Open(context.Background(), filepath.Join(b.TempDir(), "m.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	cache := mcpkit.NewCache(0)
	rt := &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(mcpkit.NewLogHandler(io.Discard, slog.LevelInfo)), Cache: cache, Metrics: mcpkit.NewMetrics(cache)}
	svc, err := mcpkit.NewHTTPService(rt, []*mcpkit.Server{{Name: "echo", Tools: []mcpkit.Tool{cached}}})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchmarkHTTPLoad: tools/call per second and latency of the service
// (authentication, rate limiting, metrics, logs, cache) against a bare
// mcp-go echo server in the same run, at concurrency 50 and sequentially,
// in both protocol versions' request formats. Loopback only, bounded in
// time (wrk: twelve 3 s runs) or count (the Go generator: 20,000 calls a
// run, each at most a minute).
func BenchmarkHTTPLoad(b *testing.B) {
	const token = "load-token-0123456789abcdef"
	bare, ours := bareEcho(b), opsmcpEcho(b, token)
	// wrk when it is installed (Debian's wrk), else the Go generator in
	// this process.
	wrk, _ := exec.LookPath("wrk")
	concurrent := func(url, token, v string) loadResult {
		if wrk != "" {
			return wrkLoad(b, wrk, url, token, v, 50)
		}
		return load(b, url, token, v, 50, 20000)
	}
	if wrk == "" {
		b.Log("wrk is not installed: the load generator shares this process")
	}
	for b.Loop() {
		for _, v := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
			tag := map[string]string{mcp.ProtocolVersion20251125: "v2025", mcp.ProtocolVersion20260728: "v2026"}[v]
			load(b, bare, "", v, 50, 2000) // warm both
			load(b, ours, token, v, 50, 2000)
			// Three rounds, bare and ours alternating, so that a noisy
			// neighbour on the machine weighs on both; each figure is the
			// median of its three.
			var rbs, ros []loadResult
			for range 3 {
				rbs = append(rbs, concurrent(bare, "", v))
				ros = append(ros, concurrent(ours, token, v))
			}
			rb, ro := medianOf(rbs), medianOf(ros)
			sb := load(b, bare, "", v, 1, 2000)
			so := load(b, ours, token, v, 1, 2000)
			if ro.errors+rb.errors > 0 {
				b.Fatalf("%s: %d errors (bare %d)", v, ro.errors, rb.errors)
			}
			b.ReportMetric(rb.perSecond, tag+"-bare-calls/s")
			b.ReportMetric(ro.perSecond, tag+"-opsmcp-calls/s")
			b.ReportMetric(ro.perSecond/rb.perSecond, tag+"-ratio")
			b.ReportMetric(float64(ro.p99.Microseconds())/1000, tag+"-opsmcp-c50-p99-ms")
			b.ReportMetric(float64(rb.p99.Microseconds())/1000, tag+"-bare-c50-p99-ms")
			b.ReportMetric(float64(so.p50.Microseconds())/1000, tag+"-opsmcp-seq-p50-ms")
			b.ReportMetric(float64(sb.p50.Microseconds())/1000, tag+"-bare-seq-p50-ms")
		}
	}
}

// medianOf is each figure's median over rs (errors: their sum).
func medianOf(rs []loadResult) loadResult {
	med := func(f func(loadResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	m := loadResult{perSecond: med(func(r loadResult) float64 { return r.perSecond }),
		p50: time.Duration(med(func(r loadResult) float64 { return float64(r.p50) })),
		p99: time.Duration(med(func(r loadResult) float64 { return float64(r.p99) }))}
	for _, r := range rs {
		m.errors += r.errors
	}
	return m
}

// serveHandler runs one tools/call through handler without a network, so
// the per-request cost (CPU, allocations) is measured without the noise of
// sockets and a load generator.
func serveHandler(b *testing.B, handler http.Handler, token, version string) {
	body, hdr := echoBody(version, 1)
	if token != "" {
		hdr.Set("Authorization", "Bearer "+token)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/mcp", bytes.NewReader(body))
		req.Header = hdr.Clone()
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte("hello")) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkHTTPHandlerPerCall: one tools/call's cost in the service's
// handler (authentication, rate limit, logs, metrics, cache hit) and in a
// bare mcp-go handler, per protocol version.
func BenchmarkHTTPHandlerPerCall(b *testing.B) {
	const token = "load-token-0123456789abcdef"
	bare := server.NewMCPServer("bare", "1", server.WithToolCapabilities(false))
	bare.AddTool(mcp.NewTool("echo", mcp.WithString("text", mcp.Required())),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("text", "")), nil
		})
	bareHandler := server.NewStreamableHTTPServer(bare, server.WithStateLess(true))
	svc := opsmcpService(b, token)
	for _, v := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		tag := map[string]string{mcp.ProtocolVersion20251125: "v2025", mcp.ProtocolVersion20260728: "v2026"}[v]
		b.Run(tag+"/bare", func(b *testing.B) { serveHandler(b, bareHandler, "", v) })
		b.Run(tag+"/opsmcp", func(b *testing.B) { serveHandler(b, svc.Handler(), token, v) })
	}
}
