package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// SyncBuffer collects log lines written from several goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Host serves one server's tools in-process, as the MCP server and the CLI
// do, with memory in a temp dir and logs captured.
type Host struct {
	T     testing.TB
	Cfg   *config.Config
	Store memory.Store
	Host  *mcpkit.Host
	Logs  *SyncBuffer
}

// NewHost hosts s under cfg (its Memory is replaced by a temp SQLite file).
// A cfg without read_paths may read the repository's testdata and the
// tests' temporary directories, as a user's read_paths would name theirs.
func NewHost(t testing.TB, s *mcpkit.Server, cfg *config.Config) *Host {
	t.Helper()
	if cfg.ReadPaths == nil {
		cfg.ReadPaths = TestReadPaths(t)
	}
	if cfg.Tools.Toolsets == nil {
		cfg.Tools.Toolsets = config.Toolsets // a server's tests cover every tool it has
	}
	cfg.Memory = filepath.Join(t.TempDir(), "memory.db")
	store, err := memory.Open(context.Background(), cfg.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logs := &SyncBuffer{}
	rt := &mcpkit.Runtime{Config: cfg, Memory: store, Log: slog.New(mcpkit.NewLogHandler(logs, slog.LevelDebug)), Principal: "test", Cache: mcpkit.NewCache(0)}
	return &Host{T: t, Cfg: cfg, Store: store, Host: mcpkit.NewHost(s, rt), Logs: logs}
}

// Call calls a tool with args marshalled to JSON.
func (h *Host) Call(tool string, args map[string]any) *mcpkit.Outcome {
	h.T.Helper()
	return h.CallCtx(context.Background(), tool, args, nil)
}

// CallCtx calls a tool with a context and a progress listener.
func (h *Host) CallCtx(ctx context.Context, tool string, args map[string]any, p mcpkit.ProgressFunc) *mcpkit.Outcome {
	h.T.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		h.T.Fatal(err)
	}
	return h.Host.Call(ctx, tool, b, p)
}

// MustOK fails the test on a tool error and returns the structured result.
func (h *Host) MustOK(out *mcpkit.Outcome) map[string]any {
	h.T.Helper()
	if out.IsError {
		h.T.Fatalf("tool error: %s", out.Text)
	}
	var m map[string]any
	if err := out.Decode(&m); err != nil {
		h.T.Fatal(err)
	}
	return m
}

// MustFail fails the test unless the call failed with an error containing want.
func (h *Host) MustFail(out *mcpkit.Outcome, want string) {
	h.T.Helper()
	if !out.IsError {
		h.T.Fatalf("expected an error containing %q, got success: %s", want, out.Text)
	}
	if !strings.Contains(out.Text, want) {
		h.T.Fatalf("error %q does not contain %q", out.Text, want)
	}
}

// MustFailWithResult is MustFail for an operation that ran but did not
// succeed: it also carries its structured result, which it returns.
func (h *Host) MustFailWithResult(out *mcpkit.Outcome, want string) map[string]any {
	h.T.Helper()
	h.MustFail(out, want)
	var m map[string]any
	if err := out.Decode(&m); err != nil {
		h.T.Fatalf("a failed operation without its structured result: %v", err)
	}
	return m
}

// Everything returns every byte the tests can see leave the process:
// results, logs, memory entries, audit records and plan records.
func (h *Host) Everything(outs ...*mcpkit.Outcome) string {
	var b strings.Builder
	for _, o := range outs {
		b.Write(o.Structured)
		b.WriteString(o.Text)
	}
	b.WriteString(h.Logs.String())
	ctx := context.Background()
	entries, _ := h.Store.List(ctx, memory.Filter{})
	j, _ := json.Marshal(entries.Entries)
	b.Write(j)
	audit, _ := h.Store.ListAudit(ctx, 0)
	j, _ = json.Marshal(audit)
	b.Write(j)
	plans, _ := h.Store.ListPlans(ctx, memory.PlanFilter{})
	j, _ = json.Marshal(plans)
	b.Write(j)
	return b.String()
}

// TestReadPaths are the read_paths of a test's server: the repository and
// the temporary directory tests write their inputs in.
func TestReadPaths(t testing.TB) []string {
	return []string{RepoRoot(t), os.TempDir()}
}
