package servers_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers"
)

// The official MCP conformance suite (server mode, Node 22) against every
// server's streamable HTTP endpoint. It fails on any scenario that fails
// and is not in testdata/conformance-expected-failures.yml, and on any
// listed there that passes (a stale entry).
func TestConformanceSuite(t *testing.T) {
	suite, env := testenv.NodeTool(t, "conformance")
	bins := testenv.Binaries(t)
	baseline, _ := filepath.Abs(filepath.Join("testdata", "conformance-expected-failures.yml"))
	for _, name := range servers.Names() {
		t.Run(name, func(t *testing.T) {
			addr := freeAddr(t)
			dir := t.TempDir()
			// The suite sends its scenarios back to back: more than the
			// default rate limit allows one principal.
			cfg := filepath.Join(dir, "opsmcp.yaml")
			os.WriteFile(cfg, []byte("http:\n  rate_limit: {per_minute: 100000, burst: 1000}\n"), 0o644)
			srv := exec.Command(filepath.Join(bins, "opsmcp-"+name), "--http", addr, "--config", cfg)
			srv.Env = append(os.Environ(), "OPSMCP_MEMORY="+filepath.Join(dir, "m.db"), "OPSMCP_HTTP_TOKENS=")
			srv.Dir = dir
			var logs bytes.Buffer
			srv.Stderr = &logs
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { srv.Process.Kill(); srv.Wait() }()
			testenv.WaitListening(t, addr, logs.String)
			run := exec.Command(suite, "server", "--url", "http://"+addr+"/mcp", "--expected-failures", baseline, "-o", filepath.Join(dir, "results"))
			run.Env = env
			run.Dir = dir
			out, err := run.CombinedOutput()
			if err != nil {
				t.Fatalf("conformance suite against opsmcp-%s: %v\n%s", name, err, tail(out, 4000))
			}
			if !bytes.Contains(out, []byte("server-initialize: 1 passed, 0 failed")) || !bytes.Contains(out, []byte("tools-list: 1 passed, 0 failed")) ||
				!bytes.Contains(out, []byte("dns-rebinding-protection: 2 passed, 0 failed")) {
				t.Fatalf("opsmcp-%s: the scenarios that apply did not all pass:\n%s", name, tail(out, 4000))
			}
		})
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
