package servers_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers"
)

// Claude Code itself (`claude mcp list`, offline, no login) starts every
// stdio server and reports it connected. It exits 0 whatever it finds, so
// its lines are read; a server that cannot start shows as failed, proving
// the check can fail.
func TestClaudeCodeConnectsEveryServer(t *testing.T) {
	claude, env := testenv.NodeTool(t, "claude")
	bins := testenv.Binaries(t)
	home, dir := t.TempDir(), t.TempDir()
	env = append(env, "HOME="+home, "DISABLE_TELEMETRY=1", "DISABLE_AUTOUPDATER=1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(claude, args...)
		cmd.Env, cmd.Dir = env, dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("claude %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	for _, name := range servers.Names() {
		run("mcp", "add", "-s", "user", "opsmcp-"+name, "-e", "OPSMCP_MEMORY="+filepath.Join(dir, "memory.db"), "-e", "OPSMCP_CONFIG=", "--", filepath.Join(bins, "opsmcp-"+name))
	}
	run("mcp", "add", "-s", "user", "not-installed", "--", filepath.Join(dir, "no-such-server"))
	out := run("mcp", "list")
	for _, name := range servers.Names() {
		line := lineWith(out, "opsmcp-"+name+":")
		if !strings.Contains(line, "Connected") || strings.Contains(line, "Failed") {
			t.Errorf("claude mcp list: opsmcp-%s is not connected:\n%s", name, out)
		}
	}
	if !strings.Contains(lineWith(out, "not-installed:"), "Failed to connect") {
		t.Errorf("a server that cannot start is not reported failed:\n%s", out)
	}
}

func lineWith(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return l
		}
	}
	return ""
}
