package servers_test

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers"
)

// collector is an OTLP/HTTP traces endpoint (POST /v1/traces, protobuf:
// the wire format every OTLP exporter and the Collector speak) in the test
// process; it keeps every span it receives.
type collector struct {
	mu    sync.Mutex
	spans []received
	addr  string
}

type received struct {
	service, name, traceID, parentID string
	attrs                            map[string]string
}

func startCollector(t *testing.T) *collector {
	t.Helper()
	col := &collector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "not an OTLP/HTTP protobuf trace export", http.StatusBadRequest)
			return
		}
		col.mu.Lock()
		for _, rs := range req.ResourceSpans {
			service := ""
			for _, a := range rs.Resource.Attributes {
				if a.Key == "service.name" {
					service = a.Value.GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					attrs := map[string]string{}
					for _, a := range s.Attributes {
						attrs[a.Key] = a.Value.String()
					}
					col.spans = append(col.spans, received{service: service, name: s.Name, traceID: hex.EncodeToString(s.TraceId),
						parentID: hex.EncodeToString(s.ParentSpanId), attrs: attrs})
				}
			}
		}
		col.mu.Unlock()
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	col.addr = strings.TrimPrefix(srv.URL, "http://")
	return col
}

func (c *collector) received() []received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]received(nil), c.spans...)
}

// One `opsmcp consult` over the five servers, each its own stdio process,
// arrives at an OTLP endpoint as one trace: the consult's call, a
// client span per server it gathers from, and each server's own span of
// its gather_context, joined through MCP's _meta.traceparent. No span
// carries an argument value. Without OTEL_* set, nothing is exported.
func TestConsultIsOneTraceAcrossStdioServers(t *testing.T) {
	col := startCollector(t)
	bins := testenv.Binaries(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(cfg, []byte("memory: "+filepath.Join(dir, "memory.db")+"\n"), 0o644)
	mcpServers := map[string]any{}
	for _, name := range servers.Names() {
		mcpServers["opsmcp-"+name] = map[string]any{"command": filepath.Join(bins, "opsmcp-"+name), "args": []string{"--config", cfg}}
	}
	mcpJSON := filepath.Join(dir, ".mcp.json")
	b, _ := json.Marshal(map[string]any{"mcpServers": mcpServers})
	os.WriteFile(mcpJSON, b, 0o644)
	otel := []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + col.addr, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", "OTEL_BSP_SCHEDULE_DELAY=100",
		"KUBECONFIG=" + filepath.Join(dir, "none"), "GITHUB_TOKEN=", "GH_TOKEN=", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}

	// Each consult its own memory: a consult reuses the context a recent
	// one gathered, and this one must gather.
	consult := func(env []string) {
		t.Helper()
		cfg := filepath.Join(t.TempDir(), "opsmcp.yaml")
		os.WriteFile(cfg, []byte("memory: "+filepath.Join(filepath.Dir(cfg), "memory.db")+"\n"), 0o644)
		cmd := exec.Command(filepath.Join(bins, "opsmcp"), "--config", cfg, "consult", "--mcp-config", mcpJSON, "Is it safe to deploy web?")
		cmd.Env = append(os.Environ(), env...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("opsmcp consult: %v\n%s", err, out)
		}
	}
	consult(otel)
	var spans []received
	want := map[string]bool{}
	for _, name := range servers.Names() {
		want["opsmcp-"+name] = true
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		spans = col.received()
		seen := map[string]bool{}
		for _, s := range spans {
			if s.name == "tools/call gather_context" {
				seen[s.service] = true
			}
		}
		if len(seen) == len(want)-1 { // every server but experts, whose consult_experts gathers
			break
		}
	}
	traces := map[string]bool{}
	services := map[string]bool{}
	var root *received
	for i, s := range spans {
		traces[s.traceID] = true
		services[s.service] = true
		if s.name == "tools/call consult_experts" {
			root = &spans[i]
		}
		if s.name == "tools/call gather_context" && s.parentID == "" {
			t.Errorf("%s's gather_context span has no parent: the trace context did not travel", s.service)
		}
		for k, v := range s.attrs {
			if strings.Contains(v, "Is it safe to deploy web?") {
				t.Errorf("span %s carries an argument value in %s", s.name, k)
			}
		}
	}
	if len(traces) != 1 || root == nil || root.service != "opsmcp" {
		t.Fatalf("want one trace rooted at the consult, got %d traces (root %+v): %+v", len(traces), root, spans)
	}
	for name := range want {
		if name != "opsmcp-experts" && !services[name] {
			t.Errorf("no span from %s in the trace: %v", name, services)
		}
	}
	t.Logf("one trace, %d spans from %d processes", len(spans), len(services))

	// Without OTEL_* nothing is exported.
	before := len(col.received())
	consult(nil)
	time.Sleep(500 * time.Millisecond)
	if got := col.received(); len(got) != before {
		t.Fatalf("spans exported without OTEL_* set: %+v", got[before:])
	}
}
