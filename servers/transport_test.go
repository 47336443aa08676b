package servers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// served is an `opsmcp serve --all --http` process on a free loopback
// port, killed when the test ends.
type served struct {
	addr string
	cfg  string // its opsmcp.yaml
	logs *testenv.SyncBuffer
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited; then err is its Wait
	err  error
}

// serveAll writes yaml as the process's opsmcp.yaml and starts it with its
// own state directory; env (KEY=VALUE) comes last and wins.
func serveAll(t testing.TB, yaml string, env ...string) *served {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &served{addr: freeAddr(t), cfg: cfg, logs: &testenv.SyncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(filepath.Join(testenv.Binaries(t), "opsmcp"), "--config", cfg, "serve", "--all", "--http", s.addr)
	s.cmd.Env = append(append(os.Environ(), "XDG_STATE_HOME="+dir, "CHECKPOINT_DISABLE=1"), env...)
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.done })
	testenv.WaitListening(t, s.addr, s.logs.String)
	return s
}

// TestStreamableHTTP serves the built binary with --http and talks to it
// with mcp-go's streamable HTTP client.
func TestStreamableHTTP(t *testing.T) {
	bin := filepath.Join(testenv.Binaries(t), "opsmcp-deploy")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--http", addr)
	cmd.Env = append(os.Environ(), "OPSMCP_MEMORY="+filepath.Join(t.TempDir(), "m.db"), "OPSMCP_CONFIG=")
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	testenv.WaitListening(t, addr, stderr.String)
	c := testenv.HTTPClient(t, "http://"+addr+"/mcp", "")
	ctx := context.Background()
	tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil || len(tools.Tools) != len(deploy.New().Tools) {
		t.Fatalf("tools/list over HTTP: %v, %d tools", err, len(tools.Tools))
	}
	call := mcp.CallToolRequest{}
	call.Params.Name = "gather_context"
	res, err := c.CallTool(ctx, call)
	if err != nil || res.IsError {
		t.Fatalf("gather_context over HTTP: %v %+v", err, res)
	}
}

func TestHTTPRefusesNonLoopbackAddress(t *testing.T) {
	bin := filepath.Join(testenv.Binaries(t), "opsmcp-deploy")
	out, err := exec.Command(bin, "--http", "0.0.0.0:18080").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "non-loopback") {
		t.Fatalf("want a refusal, got %v: %s", err, out)
	}
	out, err = exec.Command(filepath.Join(filepath.Dir(bin), "opsmcp"), "serve", "deploy", "--http", "192.0.2.1:80").CombinedOutput()
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "non-loopback address without authentication") {
		t.Fatalf("opsmcp serve: want a refusal, got %v: %s", err, out)
	}
}

// TestStdioStdoutIsProtocolOnly speaks raw JSON-RPC to the binary and checks
// that every stdout line is a JSON-RPC message and every stderr line a JSON
// log record.
func TestStdioStdoutIsProtocolOnly(t *testing.T) {
	bin := filepath.Join(testenv.Binaries(t), "opsmcp-deploy")
	ws := testenv.CopyWorkspace(t, "demo")
	cfg := filepath.Join(t.TempDir(), "opsmcp.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("memory: %s\nterraform:\n  workspaces: [%s]\n", filepath.Join(t.TempDir(), "m.db"), ws)), 0o644)
	cmd := exec.Command(bin, "--config", cfg)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	msgs := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"apply_terraform","arguments":{"workspace":"` + ws + `"},"_meta":{"progressToken":7}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"apply_terraform","arguments":{"workspace":"/etc"}}}`,
	}
	for _, m := range msgs {
		io.WriteString(stdin, m+"\n")
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	got := map[float64]bool{}
	progress := 0
	for len(got) < 3 && sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil || m["jsonrpc"] != "2.0" {
			t.Fatalf("stdout line is not JSON-RPC: %q", sc.Text())
		}
		if id, ok := m["id"].(float64); ok {
			got[id] = true
		}
		if m["method"] == "notifications/progress" {
			progress++
		}
	}
	stdin.Close()
	cmd.Wait()
	if len(got) != 3 || progress == 0 {
		t.Fatalf("responses %v, progress notifications %d", got, progress)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stderr line is not a JSON log record: %q", line)
		}
	}
	if !strings.Contains(stderr.String(), `"tool":"apply_terraform"`) {
		t.Fatalf("no call logged on stderr: %s", stderr.String())
	}
}

// A stdio server with --metrics-addr serves /metrics beside the protocol;
// a non-loopback metrics address is refused.
func TestStdioServerServesMetrics(t *testing.T) {
	bin := filepath.Join(testenv.Binaries(t), "opsmcp-deploy")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--metrics-addr", addr)
	cmd.Env = append(os.Environ(), "OPSMCP_MEMORY="+filepath.Join(t.TempDir(), "m.db"), "OPSMCP_CONFIG=")
	cmd.Dir = t.TempDir()
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	var body []byte
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no /metrics")
		}
	}
	if !strings.Contains(string(body), "opsmcp_build_info") || !strings.Contains(string(body), "mcp_cache_requests_total") {
		t.Errorf("/metrics:\n%.500s", body)
	}
	out, err := exec.Command(bin, "--metrics-addr", "0.0.0.0:19464").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !strings.Contains(string(out), "want a loopback HOST:PORT") {
		t.Errorf("non-loopback metrics address: %v %s", err, out)
	}
}
