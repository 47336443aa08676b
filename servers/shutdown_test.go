package servers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// A rolling restart: SIGTERM reaches opsmcp serve --all while a terraform
// apply runs through it and read calls keep arriving. The apply finishes
// and is recorded; every call that was answered was answered in full; the
// process exits 0 once the last call is done, and the memory holds every
// entry the answered calls wrote.
func TestGracefulShutdownFinishesCallsInFlight(t *testing.T) {
	ws := testenv.CopyWorkspace(t, "slow")
	dir := t.TempDir()
	const token = "ops-token-0123456789abcdef"
	srv := serveAll(t, fmt.Sprintf("mode: apply\nmemory: %s\nterraform:\n  workspaces: [%s]\ngate: {confirm: none}\nhttp:\n  rate_limit: {per_minute: 100000, burst: 1000}\n  shutdown_grace: 2m\n",
		filepath.Join(dir, "memory.db"), ws), "OPSMCP_HTTP_TOKENS=ops="+token)
	connect := func() *client.Client { return testenv.HTTPClient(t, "http://"+srv.addr+"/deploy/mcp", token) }
	call := func(c *client.Client, tool string, args map[string]any) (*mcp.CallToolResult, error) {
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = tool, args
		return c.CallTool(context.Background(), req)
	}
	c := connect()
	res, err := call(c, "apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"seconds": 4}})
	if err != nil || res.IsError {
		t.Fatalf("plan: %v %v", err, res)
	}
	planID := res.StructuredContent.(map[string]any)["plan_id"].(string)

	applied := make(chan *mcp.CallToolResult, 1)
	go func() {
		res, err := call(c, "apply_terraform", map[string]any{"workspace": ws, "plan_id": planID, "auto_approve": true})
		if err != nil {
			t.Errorf("the apply in flight was cut: %v", err)
		}
		applied <- res
	}()
	// Readers keep calling until the server stops accepting.
	var answered, refused atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			rc := connect()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := call(rc, "gather_context", nil)
				switch {
				case err != nil:
					refused.Add(1)
					time.Sleep(20 * time.Millisecond)
				case res.IsError || !strings.Contains(fmt.Sprint(res.StructuredContent), "pending_plans"):
					t.Errorf("an answered call is incomplete: %+v", res)
				default:
					answered.Add(1)
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond) // the apply is in terraform's sleep
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var res2 *mcp.CallToolResult
	select {
	case res2 = <-applied:
	case <-time.After(60 * time.Second):
		t.Fatal("the apply did not finish after SIGTERM")
	}
	close(stop)
	wg.Wait()
	if res2 == nil || res2.IsError || res2.StructuredContent.(map[string]any)["applied"] != true {
		t.Fatalf("the apply in flight: %+v", res2)
	}
	select {
	case <-srv.done:
		if srv.err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", srv.err, srv.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the process did not exit after its last call")
	}
	if answered.Load() == 0 {
		t.Error("no read call was answered")
	}
	store, err := memory.Open(context.Background(), filepath.Join(dir, "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ops, _ := store.List(context.Background(), memory.Filter{Kind: memory.KindOperation, Key: planID})
	all, _ := store.ListAudit(context.Background(), 0)
	// Reads over HTTP are audited too; the changes are the plan and apply.
	var audit []memory.AuditRecord
	for _, r := range all {
		if r.Tool == "apply_terraform" {
			audit = append(audit, r)
		}
	}
	if len(ops.Entries) != 1 || len(audit) != 2 || audit[0].Outcome != "ok" {
		b, _ := json.Marshal(audit)
		t.Fatalf("memory after the restart: %d operations, audit %s", len(ops.Entries), b)
	}
	t.Logf("%d read calls answered during shutdown, %d refused once it began", answered.Load(), refused.Load())
}
