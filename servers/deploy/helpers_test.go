package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// syncBuffer collects log lines written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	t     *testing.T
	ws    string
	cfg   *config.Config
	store memory.Store
	host  *mcpkit.Host
	logs  *syncBuffer
}

// newEnv copies a testdata workspace, allowlists it, and serves the deploy
// tools with memory in a temp dir.
func newEnv(t *testing.T, workspace string, mode config.Mode) *env {
	t.Helper()
	ws := testenv.CopyWorkspace(t, workspace)
	cfg := config.Default()
	cfg.Mode = mode
	cfg.Memory = filepath.Join(t.TempDir(), "memory.db")
	cfg.Terraform.Workspaces = []string{filepath.Dir(ws)}
	store, err := memory.Open(context.Background(), cfg.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logs := &syncBuffer{}
	rt := &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(mcpkit.NewLogHandler(logs, slog.LevelDebug)), Principal: "test", Cache: mcpkit.NewCache(0)}
	return &env{t: t, ws: ws, cfg: cfg, store: store, host: mcpkit.NewHost(deploy.New(), rt), logs: logs}
}

func (e *env) call(tool string, args map[string]any) *mcpkit.Outcome {
	e.t.Helper()
	return e.callCtx(context.Background(), tool, args, nil)
}

func (e *env) callCtx(ctx context.Context, tool string, args map[string]any, p mcpkit.ProgressFunc) *mcpkit.Outcome {
	e.t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.host.Call(ctx, tool, b, p)
}

func (e *env) mustOK(out *mcpkit.Outcome) map[string]any {
	e.t.Helper()
	if out.IsError {
		e.t.Fatalf("tool error: %s", out.Text)
	}
	var m map[string]any
	if err := out.Decode(&m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *env) mustFail(out *mcpkit.Outcome, want string) {
	e.t.Helper()
	if !out.IsError {
		e.t.Fatalf("expected an error containing %q, got success: %s", want, out.Text)
	}
	if !strings.Contains(out.Text, want) {
		e.t.Fatalf("error %q does not contain %q", out.Text, want)
	}
}

// plan plans the workspace and returns the plan_id.
func (e *env) plan(extra map[string]any) string {
	e.t.Helper()
	args := map[string]any{"workspace": e.ws}
	for k, v := range extra {
		args[k] = v
	}
	res := e.mustOK(e.call("apply_terraform", args))
	id, _ := res["plan_id"].(string)
	if !strings.HasPrefix(id, "p-") {
		e.t.Fatalf("plan_id %q", id)
	}
	return id
}

func (e *env) apply(id string) *mcpkit.Outcome {
	e.t.Helper()
	return e.call("apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true})
}

// everything returns every byte the tests can see leave the process.
func (e *env) everything(outs ...*mcpkit.Outcome) string {
	var b strings.Builder
	for _, o := range outs {
		b.Write(o.Structured)
		b.WriteString(o.Text)
	}
	b.WriteString(e.logs.String())
	entries, _ := e.store.List(context.Background(), memory.Filter{})
	j, _ := json.Marshal(entries.Entries)
	b.Write(j)
	audit, _ := e.store.ListAudit(context.Background(), 0)
	j, _ = json.Marshal(audit)
	b.Write(j)
	plans, _ := e.store.ListPlans(context.Background(), memory.PlanFilter{})
	j, _ = json.Marshal(plans)
	b.Write(j)
	return b.String()
}

var _ = time.Second
