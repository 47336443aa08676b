package otlpcheck

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

type span struct{ service, name, traceID, parentID string }

// collector runs the Collector's OTLP receiver (HTTP) in this process and
// keeps every span it receives.
type collector struct {
	mu    sync.Mutex
	spans []span
	addr  string
}

func startCollector(t *testing.T) *collector {
	t.Helper()
	col := &collector{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	col.addr = l.Addr().String()
	l.Close()
	f := otlpreceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.HTTP.GetOrInsertDefault().ServerConfig.NetAddr.Endpoint = col.addr
	sink, err := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
		col.mu.Lock()
		defer col.mu.Unlock()
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			service, _ := rs.Resource().Attributes().Get("service.name")
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				ss := rs.ScopeSpans().At(j).Spans()
				for k := 0; k < ss.Len(); k++ {
					s := ss.At(k)
					for _, v := range s.Attributes().AsRaw() {
						if strings.Contains(fmtAny(v), "Is it safe to deploy web?") {
							t.Errorf("span %s carries an argument value", s.Name())
						}
					}
					parent := ""
					if !s.ParentSpanID().IsEmpty() {
						parent = s.ParentSpanID().String()
					}
					col.spans = append(col.spans, span{service: service.Str(), name: s.Name(), traceID: s.TraceID().String(), parentID: parent})
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.CreateTraces(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Shutdown(context.Background()) })
	return col
}

func fmtAny(v any) string { b, _ := json.Marshal(v); return string(b) }

func (c *collector) received() []span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]span(nil), c.spans...)
}

// buildOpsmcp builds the main module's binaries as make does.
func buildOpsmcp(t *testing.T) string {
	t.Helper()
	bins := t.TempDir()
	cmd := exec.Command("go", "build", "-tags", "kustomize_disable_go_plugin_support", "-o", bins+string(filepath.Separator), "./cmd/...")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/...: %v\n%s", err, out)
	}
	return bins
}

// `opsmcp consult`, with the experts server in its process, gathering from
// the deploy, kube, cloud and github servers as stdio processes, arrives at
// the Collector's OTLP receiver as one trace: the consult's call, a client
// span per server it asks, and each server's own span of its
// gather_context, joined through MCP's _meta.traceparent. So does the same
// consult asked of opsmcp-experts as a stdio server: five stdio servers,
// one trace. No span carries the question. Without OTEL_* set, nothing is
// exported.
func TestConsultIsOneTraceInTheCollector(t *testing.T) {
	col := startCollector(t)
	bins := buildOpsmcp(t)
	dir := t.TempDir()
	gathered := []string{"deploy", "kube", "cloud", "github"}
	mcpServers := map[string]any{}
	for _, name := range append(gathered, "experts") {
		mcpServers["opsmcp-"+name] = map[string]any{"command": filepath.Join(bins, "opsmcp-"+name)}
	}
	mcpJSON := filepath.Join(dir, ".mcp.json")
	b, _ := json.Marshal(map[string]any{"mcpServers": mcpServers})
	os.WriteFile(mcpJSON, b, 0o644)
	// Each consult its own memory: a consult reuses what a recent one gathered.
	consult := func(env ...string) {
		t.Helper()
		mem := filepath.Join(t.TempDir(), "memory.db")
		cmd := exec.Command(filepath.Join(bins, "opsmcp"), "consult", "--mcp-config", mcpJSON, "Is it safe to deploy web?")
		cmd.Env = append(os.Environ(), append([]string{"OPSMCP_MEMORY=" + mem, "OPSMCP_CONFIG=", "KUBECONFIG=" + filepath.Join(dir, "none"),
			"GITHUB_TOKEN=", "GH_TOKEN=", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}, env...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("opsmcp consult: %v\n%s", err, out)
		}
	}
	consult("OTEL_EXPORTER_OTLP_ENDPOINT=http://"+col.addr, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf")
	var spans []span
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		spans = col.received()
		seen := 0
		for _, s := range spans {
			if s.name == "tools/call gather_context" {
				seen++
			}
		}
		if seen == len(gathered) {
			break
		}
	}
	traces, services := map[string]bool{}, map[string]bool{}
	root := false
	for _, s := range spans {
		traces[s.traceID] = true
		services[s.service] = true
		if s.name == "tools/call consult_experts" && s.service == "opsmcp" && s.parentID == "" {
			root = true
		}
		if s.name == "tools/call gather_context" && s.parentID == "" {
			t.Errorf("%s's gather_context span has no parent: the trace context did not travel", s.service)
		}
	}
	if len(traces) != 1 || !root {
		t.Fatalf("want one trace rooted at the consult, got %d traces: %+v", len(traces), spans)
	}
	for _, name := range gathered {
		if !services["opsmcp-"+name] {
			t.Errorf("no span from opsmcp-%s in the trace: %v", name, services)
		}
	}
	t.Logf("one trace, %d spans from %d processes", len(spans), len(services))

	// The same consult asked of opsmcp-experts as a stdio server, as an MCP
	// client asks it: five stdio servers, one trace, rooted at experts.
	before := len(col.received())
	experts := client.NewClient(transport.NewStdio(filepath.Join(bins, "opsmcp-experts"), append(os.Environ(),
		"OTEL_EXPORTER_OTLP_ENDPOINT=http://"+col.addr, "OPSMCP_MEMORY="+filepath.Join(t.TempDir(), "memory.db"), "OPSMCP_CONFIG=",
		"KUBECONFIG="+filepath.Join(dir, "none"), "GITHUB_TOKEN=", "GH_TOKEN=", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"),
		"--mcp-config", mcpJSON))
	ctx := context.Background()
	if err := experts.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := experts.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = "consult_experts", map[string]any{"question": "Is it safe to deploy web?"}
	if res, err := experts.CallTool(ctx, req); err != nil || res.IsError {
		t.Fatalf("consult_experts over stdio: %v %+v", err, res)
	}
	experts.Close() // the server exits, flushing its spans; so do the servers it started
	var later []span
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if later = col.received()[before:]; len(later) >= 1+2*len(gathered) {
			break
		}
	}
	traces, services = map[string]bool{}, map[string]bool{}
	for _, s := range later {
		traces[s.traceID] = true
		services[s.service] = true
	}
	if len(traces) != 1 || len(services) != 5 {
		t.Fatalf("consult_experts on opsmcp-experts: want one trace over five stdio servers, got %d traces from %v: %+v", len(traces), services, later)
	}
	t.Logf("consult_experts over stdio: one trace, %d spans from %d stdio servers", len(later), len(services))

	before = len(col.received())
	consult()
	time.Sleep(500 * time.Millisecond)
	if got := col.received(); len(got) != before {
		t.Fatalf("spans exported without OTEL_* set: %+v", got[before:])
	}
}
