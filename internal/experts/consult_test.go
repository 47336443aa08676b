package experts

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsmcp/opsmcp/internal/mcpclient"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// recorder is an in-process MCP server whose tools record the arguments
// they were called with.
type recorder struct {
	mu    sync.Mutex
	calls map[string][]map[string]any
}

func (r *recorder) server(name string, readOnly map[string]bool) func() *server.MCPServer {
	return func() *server.MCPServer {
		s := server.NewMCPServer(name, "1")
		for tool, ro := range readOnly {
			s.AddTool(mcp.NewTool(tool, mcp.WithReadOnlyHintAnnotation(ro), mcp.WithString("workspace"), mcp.WithString("namespace")),
				func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					r.mu.Lock()
					r.calls[name+"/"+tool] = append(r.calls[name+"/"+tool], req.GetArguments())
					r.mu.Unlock()
					return mcp.NewToolResultText(tool + " ran"), nil
				})
		}
		s.AddTool(mcp.NewTool("gather_context", mcp.WithReadOnlyHintAnnotation(true), mcp.WithString("workspace")),
			func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return mcp.NewToolResultStructuredOnly(map[string]any{"server": name}), nil
			})
		return s
	}
}

// Every agreed action of a consult with execute, through the real MCP
// client path: read tools run as they are, apply_terraform without plan_id
// and auto_approve (a plan), deploy_kubernetes with dry_run; a mutating
// tool with no dry-run form, a split item, an unknown server or tool are
// not run, and say why.
func TestConsultExecutesAgreedActionsAsDryRuns(t *testing.T) {
	rec := &recorder{calls: map[string][]map[string]any{}}
	pool := mcpclient.NewPool([]mcpclient.ServerSpec{
		{Name: "deploy", InProcess: rec.server("deploy", map[string]bool{"apply_terraform": false, "deploy_kubernetes": false})},
		{Name: "kube", InProcess: rec.server("kube", map[string]bool{"rollout_status": true, "scale_deployment": false})},
	})
	defer pool.Close()
	act := func(title, server, tool string, args map[string]any) string {
		b, _ := json.Marshal(Recommendation{Title: title, Severity: "high", Confidence: 0.9, Action: &Action{Server: server, Tool: tool, Arguments: args}})
		return string(b)
	}
	both := `{"assessment":"a","risks":[],"recommendations":[` +
		act("plan it", "deploy", "apply_terraform", map[string]any{"workspace": "/infra", "plan_id": "p-1", "auto_approve": true}) + "," +
		act("deploy it", "deploy", "deploy_kubernetes", map[string]any{"manifests": []string{"k8s/"}}) + "," +
		act("check it", "kube", "rollout_status", map[string]any{"name": "web"}) + "," +
		act("scale it", "kube", "scale_deployment", map[string]any{"name": "web", "replicas": 0}) + "," +
		act("ask github", "github", "get_check_runs", nil) + "," +
		act("no such tool", "kube", "delete_cluster", nil) + `]}`
	lone := `{"assessment":"b","risks":[],"recommendations":[` + act("roll back", "deploy", "apply_terraform", map[string]any{"workspace": "/other"}) + `]}`
	orc := &Orchestrator{Pool: pool, Models: []Expert{
		&scripted{name: "m1", replies: []string{both}}, &scripted{name: "m2", replies: []string{both}}, &scripted{name: "m3", replies: []string{lone}}}}
	res, err := orc.Consult(context.Background(), ConsultRequest{Question: "what now?", Execute: true})
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]ActionRun{}
	for _, a := range res.Actions {
		runs[a.Item] = a
	}
	if a := runs["plan it"]; !a.Ran || !a.DryRun || a.Result != "apply_terraform ran" {
		t.Errorf("plan it: %+v", a)
	}
	if got := rec.calls["deploy/apply_terraform"]; len(got) != 1 || got[0]["plan_id"] != nil || got[0]["auto_approve"] != nil || got[0]["workspace"] != "/infra" {
		t.Errorf("apply_terraform was called with %v", got)
	}
	if got := rec.calls["deploy/deploy_kubernetes"]; len(got) != 1 || got[0]["dry_run"] != true {
		t.Errorf("deploy_kubernetes was called with %v", got)
	}
	if a := runs["check it"]; !a.Ran || a.DryRun || len(rec.calls["kube/rollout_status"]) != 1 {
		t.Errorf("check it: %+v", a)
	}
	for item, why := range map[string]string{
		"scale it":     "it changes something and has no dry-run form: call it directly",
		"ask github":   `no server "github" among deploy, kube`,
		"no such tool": "kube has no tool delete_cluster",
		"roll back":    "not agreed (split)",
	} {
		if a := runs[item]; a.Ran || a.Skipped != why {
			t.Errorf("%s: %+v, want skipped %q", item, a, why)
		}
	}
	if len(rec.calls["kube/scale_deployment"]) != 0 || len(rec.calls["deploy/apply_terraform"]) != 1 {
		t.Errorf("calls: %v", rec.calls)
	}
}

// A consult is stored in memory; the same question (spacing and case
// aside) with the same scope is answered from there within the TTL without
// asking anyone; another scope, fresh, or an expired answer asks again.
func TestConsultIsAnsweredFromMemory(t *testing.T) {
	store, err := memory.Open(context.Background(), filepath.Join(t.TempDir(), "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec := &recorder{calls: map[string][]map[string]any{}}
	pool := mcpclient.NewPool([]mcpclient.ServerSpec{{Name: "deploy", InProcess: rec.server("deploy", nil)}})
	defer pool.Close()
	model := &scripted{name: "m", replies: []string{good}}
	orc := &Orchestrator{Pool: pool, Models: []Expert{model}, Memory: store, TTL: time.Minute}
	ask := func(q string, scope map[string]string, fresh bool) *ConsultResult {
		t.Helper()
		res, err := orc.Consult(context.Background(), ConsultRequest{Question: q, Scope: scope, Fresh: fresh})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	prod := map[string]string{"namespace": "prod"}
	first := ask("Is web v2 safe?", prod, false)
	if first.Cached || model.calls.Load() != 1 || first.Consensus.Items[0].Title == "" {
		t.Fatalf("first: %+v", first)
	}
	again := ask("  is WEB v2   safe?", prod, false)
	if !again.Cached || model.calls.Load() != 1 || again.ContextDigest != first.ContextDigest || !again.ConsultedAt.Equal(first.ConsultedAt) {
		t.Errorf("identical consult: cached %v, model asked %d times", again.Cached, model.calls.Load())
	}
	if r := ask("Is web v2 safe?", map[string]string{"namespace": "staging"}, false); r.Cached {
		t.Error("another scope was answered from memory")
	}
	if r := ask("Is web v2 safe?", prod, true); r.Cached {
		t.Error("fresh was answered from memory")
	}
	page, _ := store.List(context.Background(), memory.Filter{Kind: memory.KindConsult})
	if len(page.Entries) != 3 || page.Entries[0].Server != "experts" || page.Entries[0].Scope != "namespace=prod" {
		t.Errorf("stored consults: %+v", page.Entries)
	}
	// An answer past its TTL is not used.
	orc.Now = func() time.Time { return time.Now().Add(-2 * time.Minute) }
	ask("old question", nil, false)
	orc.Now = nil
	calls := model.calls.Load()
	if r := ask("old question", nil, false); r.Cached || model.calls.Load() != calls+1 {
		t.Error("an expired consult was answered from memory")
	}
}
