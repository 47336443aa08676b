package mcpclient

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// The real server binaries over stdio: every gather_context in parallel;
// a command that does not exist and a server that never answers are
// reported, and the rest still comes back; a server killed between two
// gatherings is restarted once and answers.
func TestGatherFromRealServers(t *testing.T) {
	bin := testenv.Binaries(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	if err := os.WriteFile(cfg, []byte("memory: "+filepath.Join(dir, "memory.db")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	specs := []ServerSpec{
		{Name: "deploy", Command: filepath.Join(bin, "opsmcp-deploy"), Args: []string{"--config", cfg}},
		{Name: "cloud", Command: filepath.Join(bin, "opsmcp-cloud"), Args: []string{"--config", cfg}},
		{Name: "missing", Command: filepath.Join(dir, "no-such-server")},
		{Name: "silent", Command: "sleep", Args: []string{"60"}},
	}
	p := NewPool(specs)
	p.ConnectTimeout = time.Second
	defer p.Close()
	// A scope with keys only some servers take (deploy's gather_context
	// takes workspace; none takes repo).
	scope := map[string]any{"workspace": dir, "repo": "acme/infra"}
	g := p.GatherAll(context.Background(), scope, 5*time.Second, 10*time.Second)
	if len(g.Results) != 2 || g.Results["deploy"] == nil || g.Results["cloud"] == nil {
		t.Fatalf("results %v, errors %v", g.Results, g.Errors)
	}
	if !strings.Contains(g.Errors["missing"], "no-such-server") || g.Errors["silent"] != "silent did not initialise within 1s" {
		t.Errorf("errors: %q", g.Errors)
	}
	if !strings.Contains(string(g.Results["deploy"]), `"pending_plans"`) {
		t.Errorf("deploy context: %s", g.Results["deploy"])
	}

	// Kill the deploy server: the next gathering restarts it once.
	if err := syscall.Kill(testenv.PIDOf(t, "opsmcp-deploy\x00--config\x00"+cfg), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	g = p.GatherAll(context.Background(), map[string]any{}, 5*time.Second, 10*time.Second)
	if g.Results["deploy"] == nil || strings.Join(g.Restarted, ",") != "deploy" {
		t.Errorf("after a kill: results %v errors %v restarted %v", g.Results, g.Errors, g.Restarted)
	}
}
