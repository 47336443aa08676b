package servers_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers"
)

// Toolsets: every tool is in one; the default set lists less than every
// set (the figures are logged: tools/list, compact JSON, per server); an
// MCP client is neither offered nor can call a tool of a set that is off,
// and is told how to turn it on; gather_context is always listed.
func TestToolsets(t *testing.T) {
	var all, def int
	for _, s := range servers.All() {
		_, rawAll := listTools(t, connect(t, host(t, s, config.ModeApply)))
		res, rawDef := listTools(t, connect(t, withToolsets(t, s, nil)))
		t.Logf("%s: tools/list %d bytes (%d tools) with every toolset, %d bytes (%d tools) with the default set", s.Name, len(rawAll), len(s.Tools), len(rawDef), len(res.Tools))
		all, def = all+len(rawAll), def+len(rawDef)
		var names []string
		for _, tool := range res.Tools {
			names = append(names, tool.Name)
		}
		if !slices.Contains(names, "gather_context") {
			t.Errorf("%s: gather_context is not listed in the default set: %v", s.Name, names)
		}
		for _, tool := range s.Tools {
			listed := slices.Contains(names, tool.Name)
			if want := slices.Contains(config.DefaultToolsets, tool.Toolset) || tool.Toolset == config.ToolsetContext; listed != want {
				t.Errorf("%s/%s (toolset %s): listed %v in the default set", s.Name, tool.Name, tool.Toolset, listed)
			}
		}
	}
	t.Logf("every server: %d bytes with every toolset, %d bytes with the default set (%.0f%%)", all, def, 100*float64(def)/float64(all))
	if def >= all {
		t.Errorf("the default set is not smaller: %d of %d bytes", def, all)
	}

	c := connect(t, withToolsets(t, servers.Lookup("cloud"), []string{"cost"}))
	req := mcp.CallToolRequest{}
	req.Params.Name = "aws_whoami"
	res, err := c.CallTool(context.Background(), req)
	if err != nil || !res.IsError || !strings.Contains(text(res), "tool aws_whoami is in toolset aws, which is off; add it to tools.toolsets") {
		t.Fatalf("a tool of a set that is off: %v %+v", err, res)
	}
}

// withToolsets is a host in mode apply with only these toolsets (nil: the
// default set).
func withToolsets(t *testing.T, s *mcpkit.Server, sets []string) *mcpkit.Host {
	rt := host(t, s, config.ModeApply).Runtime()
	rt.Config.Tools.Toolsets = sets
	return mcpkit.NewHost(s, rt)
}

// --toolsets on a server binary, over stdio, seen by the MCP Inspector
// CLI: it lists what the flag names, and a name it does not know is a
// usage error that says which there are.
func TestToolsetsFlag(t *testing.T) {
	bin := filepath.Join(testenv.Binaries(t), "opsmcp-cloud")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(cfg, []byte("memory: "+filepath.Join(dir, "m.db")+"\n"), 0o644)
	env := []string{"OPSMCP_CONFIG=" + cfg}
	out := testenv.RunInspector(t, bin, env, "--method", "tools/list")
	var list struct {
		Tools []struct{ Name string } `json:"tools"`
	}
	names := func() string {
		json.Unmarshal(out, &list)
		var n []string
		for _, tool := range list.Tools {
			n = append(n, tool.Name)
		}
		slices.Sort(n)
		return strings.Join(n, " ")
	}
	if got := names(); got != "gather_context get_prices" {
		t.Errorf("opsmcp-cloud, default set: %s", got)
	}
	// The Inspector runs a command without arguments of its own here.
	wrapper := filepath.Join(dir, "cloud-aws-gcp")
	os.WriteFile(wrapper, []byte("#!/bin/sh\nexec "+bin+" --toolsets aws,gcp \"$@\"\n"), 0o755)
	out = testenv.RunInspector(t, wrapper, env, "--method", "tools/list")
	if got := names(); !strings.Contains(got, "aws_whoami") || !strings.Contains(got, "gcp_list_buckets") || strings.Contains(got, "get_prices") {
		t.Errorf("opsmcp-cloud --toolsets aws,gcp: %s", got)
	}
	cmd := exec.Command(bin, "--toolsets", "aws,clouds")
	b, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(b), `toolset "clouds" is not one of terraform, kubernetes, helm`) {
		t.Errorf("--toolsets clouds: exit %d %v\n%s", code, err, b)
	}
}
