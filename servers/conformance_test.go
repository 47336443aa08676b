package servers_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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
	common, err := os.ReadFile(filepath.Join("testdata", "conformance-expected-failures.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range servers.All() {
		name := s.Name
		t.Run(name, func(t *testing.T) {
			addr := freeAddr(t)
			dir := t.TempDir()
			// A server with prompts (resources) passes the suite's listing
			// scenario; only the fixtures' own scenarios are expected to fail.
			var mustPass []string
			if len(s.Prompts) > 0 {
				mustPass = append(mustPass, "prompts-list")
			}
			if len(s.Resources) > 0 {
				mustPass = append(mustPass, "resources-list")
			}
			baseline := filepath.Join(dir, "expected-failures.yml")
			lines := strings.Split(string(common), "\n")
			lines = slices.DeleteFunc(lines, func(l string) bool { return slices.Contains(mustPass, strings.TrimPrefix(strings.TrimSpace(l), "- ")) })
			os.WriteFile(baseline, []byte(strings.Join(lines, "\n")), 0o644)
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
			for _, want := range append([]string{"server-initialize: 1 passed, 0 failed", "tools-list: 1 passed, 0 failed", "dns-rebinding-protection: 2 passed, 0 failed"},
				func() (w []string) {
					for _, m := range mustPass {
						w = append(w, m+": 1 passed, 0 failed")
					}
					return w
				}()...) {
				if !bytes.Contains(out, []byte(want)) {
					t.Fatalf("opsmcp-%s: the scenarios that apply did not all pass (%s):\n%s", name, want, tail(out, 4000))
				}
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
