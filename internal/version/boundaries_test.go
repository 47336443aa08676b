package version_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The layering a later import must not break: domain packages know nothing
// of MCP or of how they are served, and opsmcp-validate links only the
// validators. A failure names the offending dependency.
func TestBoundaries(t *testing.T) {
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	const mod = "github.com/opsmcp/opsmcp/"
	// internal/experts reaches the servers through an interface that
	// internal/mcpclient (the MCP client) implements.
	domain := []string{"experts", "policy", "gate", "hook", "terraform", "kube", "validate/...", "cost", "cloud", "github", "memory", "redact", "config", "fsguard", "version", "kubesim", "contract/..."}
	for _, d := range domain {
		for _, dep := range deps(mod + "internal/" + d) {
			if strings.HasPrefix(dep, "github.com/mark3labs/mcp-go") || dep == mod+"internal/mcpkit" || dep == mod+"internal/testenv" {
				t.Errorf("internal/%s depends on %s: domain packages know nothing of MCP, mcpkit or the test helpers", d, dep)
			}
		}
	}
	for _, dep := range deps(mod + "cmd/opsmcp-validate") {
		// (prometheus/client_golang is linked since custom resources are
		// checked with apiextensions-apiserver, whose k8s.io/apiserver
		// registers metrics through component-base; opsmcp's own metrics,
		// in mcpkit, stay out.)
		for _, banned := range []string{"modernc.org/sqlite", "github.com/jackc/pgx", "github.com/mark3labs/mcp-go", mod + "internal/mcpkit", mod + "internal/memory"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("opsmcp-validate links %s: it links only the validators", dep)
			}
		}
	}
}
