package deploy_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// driftWorkspace writes a workspace of tools/tfdrift objects kept in
// objects, and serves the deploy tools with terraform installing that
// provider from its mirror.
func driftWorkspace(t *testing.T) (*env, string) {
	t.Helper()
	cli, _ := testenv.DriftProvider(t)
	t.Setenv("TF_CLI_CONFIG_FILE", cli)
	root, objects := t.TempDir(), t.TempDir()
	ws := filepath.Join(root, "objects")
	os.MkdirAll(ws, 0o755)
	tf := testenv.DriftConfig(objects) + `
resource "drifttest_object" "web" {
  name    = "web"
  content = "v1"
  labels  = { owner = "platform" }
}
resource "drifttest_object" "queue" {
  name    = "queue"
  content = "v1"
}
`
	os.WriteFile(filepath.Join(ws, "main.tf"), []byte(tf), 0o644)
	real, _ := filepath.EvalSymlinks(ws)
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.Terraform.Workspaces = []string{filepath.Dir(real)}
	return &env{Host: testenv.NewHost(t, deploy.New(), cfg), t: t, ws: real}, objects
}

// detect_drift names what changed outside Terraform since the apply
// opsmcp recorded (plan id, when, by whom), finds every allowed workspace
// on its own, and skips a workspace being applied instead of waiting.
func TestDetectDrift(t *testing.T) {
	e, objects := driftWorkspace(t)
	id := e.plan(nil)
	e.MustOK(e.apply(id))

	res := e.MustOK(e.Call("detect_drift", nil))
	if res["in_sync"] != 1.0 || res["drifted"] != 0.0 {
		t.Fatalf("just applied: %v", res)
	}
	os.WriteFile(filepath.Join(objects, "web.json"), []byte(`{"content":"v2 by hand","labels":{"owner":"platform"}}`), 0o644)
	os.Remove(filepath.Join(objects, "queue.json"))
	res = e.MustOK(e.Call("detect_drift", map[string]any{"workspaces": []any{e.ws}}))
	targets := res["targets"].([]any)
	tg := targets[0].(map[string]any)
	if res["drifted"] != 1.0 || tg["status"] != "drifted" || tg["target"] != e.ws {
		t.Fatalf("drift: %v", res)
	}
	last := tg["last_apply"].(map[string]any)
	if last["plan_id"] != id || last["by"] != "test" || last["at"] == "" {
		t.Errorf("last apply: %v", last)
	}
	got := fmt.Sprint(tg["resources"])
	for _, want := range []string{"drifttest_object.web", "changed", "[content]", "drifttest_object.queue", "deleted"} {
		if !strings.Contains(got, want) {
			t.Errorf("resources %s lack %q", got, want)
		}
	}

	unlock, err := terraform.LockWorkspace(deploy.PlanStore(e.Cfg, e.Store).LocksDir, e.ws, "apply")
	if err != nil {
		t.Fatal(err)
	}
	res = e.MustOK(e.Call("detect_drift", nil))
	tg = res["targets"].([]any)[0].(map[string]any)
	if res["errors"] != 1.0 || !strings.Contains(fmt.Sprint(tg["reason"]), "skipped") || !strings.Contains(fmt.Sprint(tg["reason"]), "apply by pid") {
		t.Errorf("a workspace being applied: %v", res)
	}
	unlock()

	// Too many paths are refused, saying the bound.
	many := make([]any, 51)
	for i := range many {
		many[i] = e.ws
	}
	e.MustFail(e.Call("detect_drift", map[string]any{"workspaces": many}), "at most 50")
	// A workspace outside terraform.workspaces is an error target, not read.
	res = e.MustOK(e.Call("detect_drift", map[string]any{"workspaces": []any{"/etc"}}))
	tg = res["targets"].([]any)[0].(map[string]any)
	if tg["status"] != "error" || !strings.Contains(fmt.Sprint(tg["reason"]), "workspace /etc") {
		t.Errorf("outside the workspaces: %v", res)
	}
}

// opsmcp serve's schedule checks at once and then every interval: each
// target's result is stored in memory (kind drift) and the gauges say
// how many resources drifted and when the check ran.
func TestDriftSchedule(t *testing.T) {
	e, objects := driftWorkspace(t)
	testenv.ApplyWorkspace(t, e.ws)
	os.Remove(filepath.Join(objects, "queue.json"))
	rt := &mcpkit.Runtime{Config: e.Cfg, Memory: e.Store, Log: slog.New(slog.DiscardHandler), Principal: "scheduler", Cache: mcpkit.NewCache(0)}
	rt.Metrics = mcpkit.NewMetrics(rt.Cache)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); deploy.DriftSchedule(time.Hour, nil)(ctx, rt) }()
	var entries []memory.Entry
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && len(entries) == 0; time.Sleep(100 * time.Millisecond) {
		page, _ := e.Store.List(context.Background(), memory.Filter{Kind: memory.KindDrift})
		entries = page.Entries
	}
	cancel()
	<-done
	if len(entries) != 1 || entries[0].Scope != e.ws || entries[0].Key != "drifted" || !strings.Contains(string(entries[0].Data), "drifttest_object.queue") {
		t.Fatalf("memory: %+v", entries)
	}
	// gather_context names the latest drift of each target.
	gc := e.MustOK(e.Call("gather_context", nil))
	if d := fmt.Sprint(gc["drift"]); !strings.Contains(d, "status:drifted") || !strings.Contains(d, "drifttest_object.queue") || !strings.Contains(d, e.ws) {
		t.Errorf("gather_context drift: %v", gc["drift"])
	}
	rec := httptest.NewRecorder()
	rt.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if !strings.Contains(body, `opsmcp_drift_resources{kind="terraform",target="`+e.ws+`"} 1`) || !strings.Contains(body, "opsmcp_drift_last_run_timestamp_seconds ") {
		t.Errorf("metrics:\n%s", body)
	}
}
