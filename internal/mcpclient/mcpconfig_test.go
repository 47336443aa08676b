package mcpclient

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Claude Code's .mcp.json, with ${VAR} expansion; "opsmcp-kube" goes by
// kube, the name its context and actions carry.
func TestReadMCPConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, ".mcp.json")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("OPSMCP_BIN", "/opt/opsmcp/bin")
	t.Setenv("TEAM_TOKEN", "s3cret")
	specs, err := ReadMCPConfig(write(`{"mcpServers": {
		"opsmcp-kube": {"command": "${OPSMCP_BIN}/opsmcp-kube", "args": ["--config", "${CONFIG:-./opsmcp.yaml}"], "env": {"KUBECONFIG": "${KUBECONFIG:-}"}},
		"team": {"type": "http", "url": "https://mcp.example.com/deploy/mcp", "headers": {"Authorization": "Bearer ${TEAM_TOKEN}"}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 || specs[0].Name != "kube" || specs[0].Command != "/opt/opsmcp/bin/opsmcp-kube" || specs[0].Args[1] != "./opsmcp.yaml" ||
		specs[0].Env["KUBECONFIG"] != "" || specs[1].URL != "https://mcp.example.com/deploy/mcp" || specs[1].Headers["Authorization"] != "Bearer s3cret" {
		t.Errorf("%+v", specs)
	}
	for body, want := range map[string]string{
		`{"mcpServers": {"x": {"command": "${NOPE_NOT_SET}/x"}}}`:    "server x: ${NOPE_NOT_SET} is not set",
		`{"mcpServers": {"x": {}}}`:                                  "server x has neither a command nor a url",
		`{"mcpServers": {"x": {"command": "a", "url": "http://b"}}}`: "both a command and a url",
		`{"mcpServers": {}}`:                                         "has no mcpServers",
		`{"mcpServers": `:                                            "unexpected end of JSON",
		`{"mcpServers": {"deploy": {"command": "a"}, "opsmcp-deploy": {"command": "b"}}}`: "are both deploy",
	} {
		if _, err := ReadMCPConfig(write(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}
