package servers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// person answers elicitations as the test tells it and keeps what it was
// shown.
type person struct {
	mu     sync.Mutex
	answer mcp.ElicitationResponse
	asked  []string
}

func (p *person) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, req.Params.Message)
	return &mcp.ElicitationResult{ElicitationResponse: p.answer}, nil
}

// confirmEnv is opsmcp-deploy over stdio in mode apply with the default
// gate (confirm: elicit), on a copy of the basic workspace.
type confirmEnv struct {
	ws, cfg, mem string
}

func newConfirmEnv(t *testing.T) *confirmEnv {
	ws := testenv.CopyWorkspace(t, "basic")
	dir := t.TempDir()
	e := &confirmEnv{ws: ws, cfg: filepath.Join(dir, "opsmcp.yaml"), mem: filepath.Join(dir, "memory.db")}
	os.WriteFile(e.cfg, []byte(fmt.Sprintf("mode: apply\nmemory: %s\nterraform:\n  workspaces: [%s]\n", e.mem, filepath.Dir(ws))), 0o644)
	return e
}

// connect starts the server with a client that speaks protocol version
// and, with p, answers elicitations.
func (e *confirmEnv) connect(t *testing.T, version string, p *person) *client.Client {
	tr := transport.NewStdio(filepath.Join(testenv.Binaries(t), "opsmcp-deploy"), os.Environ(), "--config", e.cfg)
	var opts []client.ClientOption
	if p != nil {
		opts = append(opts, client.WithElicitationHandler(p))
	}
	c := client.NewClient(tr, opts...)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go drain(tr)
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = version
	init.Params.ClientInfo = mcp.Implementation{Name: "confirm-test", Version: "1"}
	if p != nil {
		init.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{}
	}
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	return c
}

func drain(tr *transport.Stdio) {
	buf := make([]byte, 4096)
	for {
		if _, err := tr.Stderr().Read(buf); err != nil {
			return
		}
	}
}

func call(t *testing.T, c *client.Client, tool string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = tool, args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return res
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// A person confirms every apply through MCP elicitation, in both protocol
// eras (2026-07-28's input requests and the server-initiated request
// before it): accept applies, decline and cancel apply nothing, a client
// that cannot ask is told to run opsmcp approve; each answer is audited.
func TestAPersonConfirmsEveryApply(t *testing.T) {
	for _, version := range []string{mcp.LATEST_PROTOCOL_VERSION, "2025-06-18"} {
		t.Run(version, func(t *testing.T) {
			e := newConfirmEnv(t)
			p := &person{}
			c := e.connect(t, version, p)
			plan := func(size int) string {
				res := call(t, c, "apply_terraform", map[string]any{"workspace": e.ws, "variables": map[string]any{"size": size}})
				if res.IsError {
					t.Fatalf("plan: %s", text(res))
				}
				return res.StructuredContent.(map[string]any)["plan_id"].(string)
			}
			apply := func(id string) *mcp.CallToolResult {
				return call(t, c, "apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true})
			}

			id := plan(2)
			p.answer = mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}
			if res := apply(id); !res.IsError || !strings.Contains(text(res), "was declined: nothing was changed") {
				t.Fatalf("declined: %s", text(res))
			}
			p.answer = mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionCancel}
			if res := apply(id); !res.IsError || !strings.Contains(text(res), "was cancelled: nothing was changed") {
				t.Fatalf("cancelled: %s", text(res))
			}
			p.answer = mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"apply": false}}
			if res := apply(id); !res.IsError || !strings.Contains(text(res), "declined") {
				t.Fatalf("accepted with no: %s", text(res))
			}
			if _, err := os.Stat(filepath.Join(e.ws, "terraform.tfstate")); err == nil {
				t.Fatal("something was applied without a yes")
			}
			p.answer = mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"apply": true}}
			res := apply(id)
			if res.IsError || res.StructuredContent.(map[string]any)["applied"] != true {
				t.Fatalf("accepted: %s", text(res))
			}
			p.mu.Lock()
			shown := p.asked[len(p.asked)-1]
			p.mu.Unlock()
			for _, want := range []string{"apply_terraform on " + e.ws, id, "+2 ~0 -0"} {
				if !strings.Contains(shown, want) {
					t.Errorf("the person was not shown %q:\n%s", want, shown)
				}
			}

			// A client without elicitation: the refusal names the command.
			id = plan(3)
			bare := e.connect(t, version, nil)
			res = call(t, bare, "apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true})
			if !res.IsError || !strings.Contains(text(res), "opsmcp approve "+id) {
				t.Fatalf("no elicitation: %s", text(res))
			}
			// The command it names: the plan is shown, n records nothing,
			// y lets the model's retry apply it.
			approve := func(answer string) (string, error) {
				cmd := exec.Command(filepath.Join(testenv.Binaries(t), "opsmcp"), "--config", e.cfg, "approve", id)
				cmd.Stdin = strings.NewReader(answer)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			if out, err := approve("n\n"); err == nil || !strings.Contains(out, "+1 ~0 -0") || !strings.Contains(out, "not confirmed") {
				t.Fatalf("approve, answered n: %v\n%s", err, out)
			}
			if res := call(t, bare, "apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true}); !res.IsError {
				t.Fatal("applied after a no at the terminal")
			}
			if out, err := approve("y\n"); err != nil || !strings.Contains(out, "Confirmed plan") {
				t.Fatalf("approve, answered y: %v\n%s", err, out)
			}
			res = call(t, bare, "apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true})
			if res.IsError || res.StructuredContent.(map[string]any)["applied"] != true {
				t.Fatalf("after opsmcp approve: %s", text(res))
			}

			store, err := memory.Open(context.Background(), e.mem)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			audit, _ := store.ListAudit(context.Background(), 0)
			var decisions []string
			for i := len(audit) - 1; i >= 0; i-- {
				if audit[i].Tool == "gate/confirm" {
					decisions = append(decisions, audit[i].Outcome)
				}
			}
			if got := strings.Join(decisions, ","); got != "declined,cancelled,declined,accepted,unavailable,declined,unavailable,accepted" {
				t.Errorf("audited decisions %s", got)
			}
			if rep, err := memory.VerifyAudit(context.Background(), store); err != nil || !rep.OK {
				t.Errorf("audit chain: %+v %v", rep, err)
			}
		})
	}
}

// The official TypeScript SDK's client with an elicitation handler: accept
// applies, decline and cancel do not; without the capability the refusal
// names opsmcp approve.
func TestTypeScriptSDKConfirmsApplies(t *testing.T) {
	node, env := testenv.NodeTool(t, "node")
	// ESM resolves packages from the script's directory: run it from
	// beside the installed SDK.
	src, _ := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "servers", "testdata", "ts-elicit.mjs"))
	script := filepath.Join(testenv.RepoRoot(t), ".cache", "npm", fmt.Sprintf("ts-elicit-%d.mjs", os.Getpid()))
	if err := os.WriteFile(script, src, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(script)
	for answer, want := range map[string]string{"accept": "applied", "decline": "was declined: nothing was changed",
		"cancel": "was cancelled: nothing was changed", "none": "in a terminal run `opsmcp approve p-"} {
		t.Run(answer, func(t *testing.T) {
			e := newConfirmEnv(t)
			cmd := exec.Command(node, script, filepath.Join(testenv.Binaries(t), "opsmcp-deploy"), e.cfg, e.ws, answer)
			cmd.Env = env
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, out)
			}
			var got struct {
				PlanID  string   `json:"plan_id"`
				IsError bool     `json:"is_error"`
				Applied bool     `json:"applied"`
				Text    string   `json:"text"`
				Shown   []string `json:"shown"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			switch answer {
			case "accept":
				if !got.Applied || got.IsError || len(got.Shown) != 1 || !strings.Contains(got.Shown[0], got.PlanID) {
					t.Fatalf("%+v", got)
				}
			default:
				if got.Applied || !got.IsError || !strings.Contains(got.Text, want) {
					t.Fatalf("want %q: %+v", want, got)
				}
			}
		})
	}
}

// A change that is not a plan, from a client that cannot ask: the refusal
// names the command, the terminal shows the change and a y lets the same
// call through.
func TestTerminalConfirmsAChangeThatIsNotAPlan(t *testing.T) {
	stub := testenv.NewGitHubStub(t, "ghp_terminal0123456789")
	stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues",
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"number": 3, "html_url": "https://github.com/acme/infra/issues/3"}}}})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("mode: apply\nmemory: %s\ntools:\n  toolsets: [default, github]\ngithub:\n  base_url: %s/\n  repos: [acme/infra]\n", filepath.Join(dir, "m.db"), stub.URL)), 0o644)
	t.Setenv("GITHUB_TOKEN", "ghp_terminal0123456789")
	tr := transport.NewStdio(filepath.Join(testenv.Binaries(t), "opsmcp-github"), os.Environ(), "--config", cfg)
	c := client.NewClient(tr)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go drain(tr)
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = "2025-06-18"
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	issue := map[string]any{"repo": "acme/infra", "title": "Rotate the keys"}
	res := call(t, c, "create_issue", issue)
	m := regexp.MustCompile("run `opsmcp approve (call-[0-9a-f]{24})`").FindStringSubmatch(text(res))
	if !res.IsError || m == nil {
		t.Fatalf("no elicitation: %s", text(res))
	}
	cmd := exec.Command(filepath.Join(testenv.Binaries(t), "opsmcp"), "--config", cfg, "approve", m[1])
	cmd.Stdin = strings.NewReader("y\n")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Rotate the keys") || !strings.Contains(string(out), "Confirmed change") {
		t.Fatalf("opsmcp approve: %v\n%s", err, out)
	}
	if res := call(t, c, "create_issue", issue); res.IsError {
		t.Fatalf("after the terminal's yes: %s", text(res))
	}
}
