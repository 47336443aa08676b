package servers_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers"
)

// opsmcp init's files, read by the clients themselves. Claude Code and
// Gemini CLI start every server from the project's portable file
// (commands by name on PATH, the config relative to the project) and
// report it connected; Codex reads its config.toml with the user's own
// settings and server kept. The project is set up as a person would:
// Claude Code's project servers approved in the user's settings (before
// that, pending approval), Gemini's folder trusted.
func TestInitFilesTheClientsRead(t *testing.T) {
	bins := testenv.Binaries(t)
	project, home := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(project, "opsmcp.yaml"), []byte("memory: "+filepath.Join(project, "memory.db")+"\n"), 0o644)
	init := func(client string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(bins, "opsmcp"), "init", "--client", client, project)
		cmd.Env = append(os.Environ(), "HOME="+home, "PATH="+bins+string(os.PathListSeparator)+os.Getenv("PATH"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("opsmcp init --client %s: %v\n%s", client, err, out)
		}
	}
	client := func(name string, args ...string) string {
		t.Helper()
		bin, env := testenv.NodeTool(t, name)
		cmd := exec.Command(bin, args...)
		cmd.Dir = project
		cmd.Env = append(env, "HOME="+home, "PATH="+bins+string(os.PathListSeparator)+os.Getenv("PATH"),
			"DISABLE_TELEMETRY=1", "DISABLE_AUTOUPDATER=1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "GEMINI_CLI_NO_RELAUNCH=true")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	connected := func(t *testing.T, who, out string) {
		t.Helper()
		for _, name := range servers.Names() {
			if line := lineWith(out, "opsmcp-"+name+":"); !strings.Contains(line, "Connected") {
				t.Errorf("%s: opsmcp-%s is not connected:\n%s", who, name, out)
			}
		}
	}

	t.Run("claude-code", func(t *testing.T) {
		init("claude-code")
		// Not approved yet: Claude Code asks first, as init says.
		if out := client("claude", "mcp", "list"); !strings.Contains(lineWith(out, "opsmcp-deploy:"), "Pending approval") {
			t.Fatalf("a project server ran unapproved:\n%s", out)
		}
		var approve []string
		for _, name := range servers.Names() {
			approve = append(approve, "opsmcp-"+name)
		}
		settings, _ := json.Marshal(map[string]any{"enabledMcpjsonServers": approve})
		os.MkdirAll(filepath.Join(home, ".claude"), 0o755)
		os.WriteFile(filepath.Join(home, ".claude", "settings.json"), settings, 0o644)
		connected(t, "claude mcp list", client("claude", "mcp", "list"))
	})
	t.Run("gemini", func(t *testing.T) {
		os.MkdirAll(filepath.Join(project, ".gemini"), 0o755)
		os.WriteFile(filepath.Join(project, ".gemini", "settings.json"), []byte("{\n  // the team's own settings\n  \"general\": {\"vimMode\": true}\n}\n"), 0o644)
		init("gemini")
		os.MkdirAll(filepath.Join(home, ".gemini"), 0o755)
		trusted, _ := json.Marshal(map[string]string{project: "TRUST_FOLDER"})
		os.WriteFile(filepath.Join(home, ".gemini", "trustedFolders.json"), trusted, 0o644)
		out := client("gemini", "mcp", "list")
		connected(t, "gemini mcp list", strings.ReplaceAll(out, "✓ ", ""))
		if b, _ := os.ReadFile(filepath.Join(project, ".gemini", "settings.json")); !strings.Contains(string(b), "the team's own settings") {
			t.Errorf("the settings' comment is lost:\n%s", b)
		}
	})
	t.Run("codex", func(t *testing.T) {
		os.MkdirAll(filepath.Join(home, ".codex"), 0o755)
		os.WriteFile(filepath.Join(home, ".codex", "config.toml"), []byte("model = \"o3\"\n\n[mcp_servers.docs]\ncommand = \"docs-mcp\"\n"), 0o644)
		init("codex")
		var got struct {
			Transport struct {
				Command string
				Args    []string
			}
		}
		out := client("codex", "mcp", "get", "opsmcp-deploy", "--json")
		if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &got); err != nil {
			t.Fatalf("codex mcp get: %v\n%s", err, out)
		}
		if real, _ := filepath.EvalSymlinks(filepath.Join(bins, "opsmcp-deploy")); got.Transport.Command != real || strings.Join(got.Transport.Args, " ") != "--config "+filepath.Join(project, "opsmcp.yaml") {
			t.Errorf("codex reads opsmcp-deploy as %+v", got.Transport)
		}
		if list := client("codex", "mcp", "list"); !strings.Contains(list, "docs-mcp") || !strings.Contains(list, "opsmcp-kube") {
			t.Errorf("codex mcp list:\n%s", list)
		}
	})
}
