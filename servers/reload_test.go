package servers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// toolNames lists what a session is offered now.
func toolNames(t *testing.T, c *client.Client) []string {
	t.Helper()
	res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	return names
}

// offeredWithin polls the same session until apply_terraform is offered
// (or not) and returns how long the reload took to be seen.
func offeredWithin(t *testing.T, c *client.Client, want bool, since time.Time) time.Duration {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if slices.Contains(toolNames(t, c), "apply_terraform") == want {
			return time.Since(since)
		}
	}
	t.Fatalf("apply_terraform offered should be %v after the reload; it is not", want)
	return 0
}

// reloads reads the config/reload audit records, oldest first.
func reloads(t *testing.T, mem string) []memory.AuditRecord {
	t.Helper()
	store, err := memory.Open(context.Background(), mem)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	recs, _ := store.ListAudit(context.Background(), 0)
	var out []memory.AuditRecord
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Tool == "config/reload" {
			out = append(out, recs[i])
		}
	}
	return out
}

func waitReloads(t *testing.T, mem string, n int) []memory.AuditRecord {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if r := reloads(t, mem); len(r) >= n {
			return r
		}
	}
	t.Fatalf("fewer than %d config/reload audit records: %+v", n, reloads(t, mem))
	return nil
}

// checkReloadRecords: the valid reload names both policies' digests, the
// refused one the error and only the old.
func checkReloadRecords(t *testing.T, recs []memory.AuditRecord, trigger string) {
	t.Helper()
	args := func(r memory.AuditRecord) map[string]string {
		var m map[string]string
		json.Unmarshal(r.Args, &m)
		return m
	}
	a, b := args(recs[0]), args(recs[1])
	if recs[0].Outcome != "ok" || a["trigger"] != trigger || !strings.HasPrefix(a["old_policy"], "sha256:") || !strings.HasPrefix(a["new_policy"], "sha256:") || a["old_policy"] == a["new_policy"] {
		t.Errorf("the reload's audit record: %+v %s", recs[0], recs[0].Args)
	}
	if !strings.HasPrefix(recs[1].Outcome, "refused: ") || !strings.Contains(recs[1].Outcome, "yolo") || b["old_policy"] != a["new_policy"] || b["new_policy"] != "" {
		t.Errorf("the refused reload's audit record: %+v %s", recs[1], recs[1].Args)
	}
}

// A stdio server reloads opsmcp.yaml when the file changes: the same
// session is offered apply_terraform once the mode goes from read-only to
// plan, and calls it; an invalid file is refused (logged, audited), and
// the policy before it stays.
func TestReloadOverStdio(t *testing.T) {
	dir := t.TempDir()
	mem := filepath.Join(dir, "memory.db")
	cfg := filepath.Join(dir, "opsmcp.yaml")
	write := func(mode string) time.Time {
		os.WriteFile(cfg, []byte(fmt.Sprintf("mode: %s\nmemory: %s\n", mode, mem)), 0o644)
		return time.Now()
	}
	write("read-only")
	tr := transport.NewStdio(filepath.Join(testenv.Binaries(t), "opsmcp-deploy"), append(os.Environ(), "OPSMCP_CONFIG="), "--config", cfg)
	c := client.NewClient(tr)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	logs := &testenv.SyncBuffer{}
	go io.Copy(logs, tr.Stderr())
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = "2025-06-18"
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(toolNames(t, c), "apply_terraform") {
		t.Fatal("read-only offers apply_terraform")
	}
	took := offeredWithin(t, c, true, write("plan"))
	t.Logf("a changed opsmcp.yaml took effect in %s (file watch, 200 ms settle, reload)", took)
	if res := call(t, c, "apply_terraform", map[string]any{"workspace": dir}); !strings.Contains(text(res), "workspace") || strings.Contains(text(res), "mode is read-only") {
		t.Errorf("apply_terraform after the reload: %s", text(res))
	}
	write("yolo")
	recs := waitReloads(t, mem, 2)
	if !slices.Contains(toolNames(t, c), "apply_terraform") {
		t.Error("an invalid file changed the policy")
	}
	if !strings.Contains(logs.String(), `"msg":"config reload refused: the old policy stays"`) {
		t.Errorf("the refusal is not logged:\n%s", logs.String())
	}
	checkReloadRecords(t, recs, "file")
}

// An HTTP service reloads on SIGHUP: the same client is offered
// apply_terraform after the mode changes; an invalid file is refused.
func TestReloadOverHTTPOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	mem := filepath.Join(dir, "memory.db")
	srv := serveAll(t, fmt.Sprintf("mode: read-only\nmemory: %s\n", mem))
	c := testenv.HTTPClient(t, "http://"+srv.addr+"/deploy/mcp", "")
	if slices.Contains(toolNames(t, c), "apply_terraform") {
		t.Fatal("read-only offers apply_terraform")
	}
	os.WriteFile(srv.cfg, []byte(fmt.Sprintf("mode: plan\nmemory: %s\n", mem)), 0o644)
	time.Sleep(300 * time.Millisecond)
	if slices.Contains(toolNames(t, c), "apply_terraform") {
		t.Fatal("an HTTP service reloaded without SIGHUP")
	}
	start := time.Now()
	srv.cmd.Process.Signal(syscall.SIGHUP)
	t.Logf("SIGHUP to the new policy seen by the client: %s", offeredWithin(t, c, true, start))
	os.WriteFile(srv.cfg, []byte(fmt.Sprintf("mode: yolo\nmemory: %s\n", mem)), 0o644)
	srv.cmd.Process.Signal(syscall.SIGHUP)
	recs := waitReloads(t, mem, 2)
	if !slices.Contains(toolNames(t, c), "apply_terraform") {
		t.Error("an invalid file changed the policy")
	}
	checkReloadRecords(t, recs, "SIGHUP")
	if !strings.Contains(srv.logs.String(), "config reload refused") {
		t.Errorf("the refusal is not logged:\n%s", srv.logs.String())
	}
	// Where memory is needs a new process: refused too.
	os.WriteFile(srv.cfg, []byte(fmt.Sprintf("mode: apply\nmemory: %s\n", filepath.Join(dir, "other.db"))), 0o644)
	srv.cmd.Process.Signal(syscall.SIGHUP)
	if recs = waitReloads(t, mem, 3); !strings.Contains(recs[2].Outcome, "refused: memory moved from") {
		t.Errorf("a reload moving memory: %+v", recs[2])
	}
}
