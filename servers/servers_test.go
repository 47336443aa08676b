package servers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers"
)

var update = flag.Bool("update", false, "rewrite schema snapshots")

func host(t testing.TB, s *mcpkit.Server, mode config.Mode, workspaces ...string) *mcpkit.Host {
	t.Helper()
	cfg := config.Default()
	cfg.Mode = mode
	cfg.Tools.Toolsets = config.Toolsets // every tool: these tests cover them all
	cfg.Memory = filepath.Join(t.TempDir(), "memory.db")
	cfg.Terraform.Workspaces = workspaces
	store, err := memory.Open(context.Background(), cfg.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return mcpkit.NewHost(s, &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(slog.DiscardHandler)})
}

func connect(t testing.TB, h *mcpkit.Host) *client.Client {
	t.Helper()
	c, err := client.NewInProcessClient(h.MCPServer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	testenv.StartMCP(t, c)
	return c
}

func listTools(t testing.TB, c *client.Client) (*mcp.ListToolsResult, []byte) {
	t.Helper()
	res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return res, raw
}

func TestEveryToolSetsAllFourAnnotations(t *testing.T) {
	for _, s := range servers.All() {
		_, raw := listTools(t, connect(t, host(t, s, config.ModeApply)))
		var list struct {
			Tools []struct {
				Name        string         `json:"name"`
				Annotations map[string]any `json:"annotations"`
			} `json:"tools"`
		}
		json.Unmarshal(raw, &list)
		if len(list.Tools) != len(s.Tools) {
			t.Fatalf("%s: listed %d tools of %d", s.Name, len(list.Tools), len(s.Tools))
		}
		for _, tool := range list.Tools {
			for _, k := range []string{"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"} {
				if _, ok := tool.Annotations[k].(bool); !ok {
					t.Errorf("%s/%s: annotation %s not set", s.Name, tool.Name, k)
				}
			}
		}
	}
}

func TestToolsListIsUnder1KBPerTool(t *testing.T) {
	for _, s := range servers.All() {
		res, raw := listTools(t, connect(t, host(t, s, config.ModeApply)))
		per := len(raw) / len(res.Tools)
		t.Logf("%s: tools/list is %d bytes for %d tools (%d bytes per tool)", s.Name, len(raw), len(res.Tools), per)
		if per >= 1024 {
			t.Errorf("%s: %d bytes per tool; keep descriptions and schemas lean (< 1024)", s.Name, per)
		}
	}
}

func TestToolSchemaSnapshots(t *testing.T) {
	for _, s := range servers.All() {
		type snap struct {
			Name         string          `json:"name"`
			Description  string          `json:"description"`
			Annotations  map[string]bool `json:"annotations"`
			InputSchema  json.RawMessage `json:"inputSchema"`
			OutputSchema json.RawMessage `json:"outputSchema"`
		}
		var all []snap
		for _, tool := range s.Tools {
			a := tool.Annotations
			all = append(all, snap{tool.Name, tool.Description,
				map[string]bool{"readOnlyHint": *a.ReadOnly, "destructiveHint": *a.Destructive, "idempotentHint": *a.Idempotent, "openWorldHint": *a.OpenWorld},
				tool.InputSchema, tool.OutputSchema})
		}
		got, _ := json.MarshalIndent(all, "", "  ")
		var buf bytes.Buffer
		json.Indent(&buf, got, "", "  ")
		path := filepath.Join("testdata", "schemas", s.Name+".json")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, append(buf.Bytes(), '\n'), 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./servers -update to create it)", err)
		}
		if string(want) != buf.String()+"\n" {
			t.Errorf("%s: tool schemas changed; if intended, run go test ./servers -update and review the diff", s.Name)
		}
	}
}

func TestREADMEToolTablesAreFresh(t *testing.T) {
	path := filepath.Join(testenv.RepoRoot(t), "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := mcpkit.ReplaceToolDocs(string(b), servers.All())
	if err != nil {
		t.Fatal(err)
	}
	if want != string(b) {
		t.Fatal("README.md tool tables are stale; run `make docs`")
	}
}

// outputValidator checks structured results against the tool's declared
// output schema, as strict clients (the TypeScript SDK) do.
func outputValidator(t *testing.T, tool mcp.Tool) *jsonschema.Schema {
	t.Helper()
	raw, _ := json.Marshal(tool)
	var decoded map[string]any
	json.Unmarshal(raw, &decoded)
	c := jsonschema.NewCompiler()
	if err := c.AddResource("out.json", decoded["outputSchema"]); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("out.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInProcessMCPClient(t *testing.T) {
	ws := testenv.CopyWorkspace(t, "demo")
	s := servers.Lookup("deploy")
	c := connect(t, host(t, s, config.ModePlan, ws))
	res, _ := listTools(t, c)
	schemas := map[string]*jsonschema.Schema{}
	for _, tool := range res.Tools {
		schemas[tool.Name] = outputValidator(t, tool)
	}

	var mu sync.Mutex
	var progress []string
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == "notifications/progress" {
			mu.Lock()
			progress = append(progress, fmt.Sprint(n.Params.AdditionalFields["message"]))
			mu.Unlock()
		}
	})

	call := func(name string, args map[string]any, token any) *mcp.CallToolResult {
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = args
		if token != nil {
			req.Params.Meta = &mcp.Meta{ProgressToken: token}
		}
		r, err := c.CallTool(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if !r.IsError {
			if err := schemas[name].Validate(r.StructuredContent); err != nil {
				t.Fatalf("%s: structuredContent does not match the output schema: %v", name, err)
			}
		}
		return r
	}

	v := call("validate_deployment", map[string]any{"type": "terraform", "config_path": ws}, nil)
	if v.IsError || !strings.Contains(v.Content[0].(mcp.TextContent).Text, "valid") {
		t.Fatalf("validate_deployment: %+v", v)
	}
	p := call("apply_terraform", map[string]any{"workspace": ws}, "tok-1")
	if p.IsError {
		t.Fatalf("plan: %s", p.Content[0].(mcp.TextContent).Text)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(progress)
		mu.Unlock()
		if n >= 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	joined := strings.Join(progress, "\n")
	mu.Unlock()
	if !strings.Contains(joined, "terraform_data.network: Plan to create") {
		t.Fatalf("no per-resource progress notifications; got %q", joined)
	}
	bad := call("apply_terraform", map[string]any{"workspace": 42}, nil)
	if !bad.IsError || !strings.Contains(bad.Content[0].(mcp.TextContent).Text, `argument "workspace" must be a string`) {
		t.Fatalf("wrong-typed argument: %+v", bad)
	}
	g := call("gather_context", map[string]any{}, nil)
	if g.IsError {
		t.Fatalf("gather_context: %+v", g)
	}
}

// TestInspectorCLIOverStdio drives the built opsmcp-deploy binary with the
// official MCP Inspector's CLI mode.
func TestInspectorCLIOverStdio(t *testing.T) {
	bin := filepath.Join(testenv.Binaries(t), "opsmcp-deploy")
	ws := testenv.CopyWorkspace(t, "demo")
	mem := filepath.Join(t.TempDir(), "memory.db")
	// The workspace's directory is the config's: the server may read it.
	cfg := filepath.Join(filepath.Dir(ws), "opsmcp.yaml")
	os.WriteFile(cfg, []byte("read_paths: [.]\n"), 0o644)
	env := []string{"OPSMCP_MEMORY=" + mem, "OPSMCP_CONFIG=" + cfg}
	run := func(args ...string) []byte {
		return testenv.RunInspector(t, bin, env, args...)
	}
	names := testenv.InspectorToolNames(t, bin, env)
	if strings.Join(names, ",") != "apply_terraform,approve_plan,deploy_kubernetes,detect_drift,estimate_costs,gather_context,reject_plan,validate_deployment" {
		t.Fatalf("tools/list: %v", names)
	}
	out := run("--method", "tools/call", "--tool-name", "validate_deployment", "--tool-arg", "type=terraform", "--tool-arg", "config_path="+ws)
	var res struct {
		IsError           bool `json:"isError"`
		StructuredContent struct {
			Valid bool `json:"valid"`
		} `json:"structuredContent"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("tools/call output is not JSON: %v\n%s", err, out)
	}
	if res.IsError || !res.StructuredContent.Valid {
		t.Fatalf("validate_deployment over the Inspector: %s", out)
	}
}
