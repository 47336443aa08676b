package mcpkit_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

func echoRequest() mcp.CallToolRequest {
	req := mcp.CallToolRequest{}
	req.Params.Name = "echo"
	req.Params.Arguments = map[string]any{"text": "hello"}
	return req
}

// BenchmarkReadToolMiddleware is a trivial read tool through the whole
// middleware stack (policy, decoding, timeout, recovery, redaction, timing,
// log line), called in-process as the CLI does (target: <= 50 µs).
func BenchmarkReadToolMiddleware(b *testing.B) {
	h, _, _ := newHostB(b, config.Default())
	ctx := context.Background()
	args := json.RawMessage(`{"text":"hello"}`)
	b.ReportAllocs()
	for b.Loop() {
		if out := h.Call(ctx, "echo", args, nil); out.IsError {
			b.Fatal(out.Text)
		}
	}
}

// BenchmarkBareMCPInProcess is mcp-go's in-process client against a bare
// mcp-go echo tool: the protocol's own cost, for comparison.
func BenchmarkBareMCPInProcess(b *testing.B) {
	s := server.NewMCPServer("bare", "1")
	s.AddTool(mcp.NewTool("echo", mcp.WithString("text", mcp.Required())),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("text", "")), nil
		})
	c, err := client.NewInProcessClient(s)
	if err != nil {
		b.Fatal(err)
	}
	testenv.StartMCP(b, c)
	defer c.Close()
	req := echoRequest()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := c.CallTool(context.Background(), req); err != nil || res.IsError {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkReadToolInProcess is the same tool through the whole stack with
// mcp-go's in-process MCP client.
func BenchmarkReadToolInProcess(b *testing.B) {
	cfg := config.Default()
	h, _, _ := newHostB(b, cfg)
	c, err := client.NewInProcessClient(h.MCPServer())
	if err != nil {
		b.Fatal(err)
	}
	testenv.StartMCP(b, c)
	defer c.Close()
	req := echoRequest()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := c.CallTool(ctx, req)
		if err != nil || res.IsError {
			b.Fatal(err, res)
		}
	}
}

func buildEcho(b *testing.B, name string) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", out, "./internal/mcpkit/testdata/"+name)
	cmd.Dir = testenv.RepoRoot(b)
	if o, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", name, err, o)
	}
	return out
}

// BenchmarkStdioRoundTrip measures sequential tools/call round trips over
// stdio against opsmcp's stack and a bare mcp-go echo server in the same
// run; it reports each median and their ratio (target: <= 1.5).
func BenchmarkStdioRoundTrip(b *testing.B) {
	bare := buildEcho(b, "echo-bare")
	ops := buildEcho(b, "echo-opsmcp")
	mem := filepath.Join(b.TempDir(), "m.db")
	median := func(bin string, env []string, n int) time.Duration {
		c, err := client.NewStdioMCPClient(bin, env)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		testenv.StartMCP(b, c)
		req := echoRequest()
		ctx := context.Background()
		for range 200 { // warm up
			c.CallTool(ctx, req)
		}
		d := make([]time.Duration, n)
		for i := range n {
			start := time.Now()
			res, err := c.CallTool(ctx, req)
			d[i] = time.Since(start)
			if err != nil || res.IsError {
				b.Fatal(err, res)
			}
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[n/2]
	}
	env := append(os.Environ(), "OPSMCP_MEMORY="+mem, "OPSMCP_CONFIG=")
	n := max(b.N, 2000)
	b.ResetTimer()
	pb := median(bare, os.Environ(), n)
	po := median(ops, env, n)
	b.StopTimer()
	b.ReportMetric(float64(pb.Microseconds()), "bare-p50-µs")
	b.ReportMetric(float64(po.Microseconds()), "opsmcp-p50-µs")
	b.ReportMetric(float64(po)/float64(pb), "ratio")
}

// BenchmarkCallTracing is a read call through the middleware with tracing
// off (no OTEL_* set: the global no-op tracer) and on (the SDK recording a
// span per call with its attributes into a batch processor whose exporter
// drops them): the cost tracing adds to a call. The provider is installed
// once per process, as opsmcp does (run with -count=1).
func BenchmarkCallTracing(b *testing.B) {
	h, _, _ := newHostB(b, config.Default())
	ctx := context.Background()
	args := json.RawMessage(`{"text":"hello"}`)
	run := func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if out := h.Call(ctx, "echo", args, nil); out.IsError {
				b.Fatal(out.Text)
			}
		}
	}
	b.Run("off", run)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	otel.SetTracerProvider(tp)
	defer func() { tp.Shutdown(ctx); otel.SetTracerProvider(noop.NewTracerProvider()) }()
	b.Run("on", run)
}
