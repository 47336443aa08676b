package deploy_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

type env struct {
	*testenv.Host
	t  testing.TB
	ws string
}

// newEnv copies a testdata workspace, allowlists it, and serves the deploy
// tools with memory in a temp dir.
func newEnv(t *testing.T, workspace string, mode config.Mode) *env {
	t.Helper()
	ws := testenv.CopyWorkspace(t, workspace)
	cfg := config.Default()
	cfg.Mode = mode
	cfg.Terraform.Workspaces = []string{filepath.Dir(ws)}
	return &env{Host: testenv.NewHost(t, deploy.New(), cfg), t: t, ws: ws}
}

// plan plans the workspace and returns the plan_id.
func (e *env) plan(extra map[string]any) string {
	e.t.Helper()
	args := map[string]any{"workspace": e.ws}
	for k, v := range extra {
		args[k] = v
	}
	res := e.MustOK(e.Call("apply_terraform", args))
	id, _ := res["plan_id"].(string)
	if !strings.HasPrefix(id, "p-") {
		e.t.Fatalf("plan_id %q", id)
	}
	return id
}

func (e *env) apply(id string) *mcpkit.Outcome {
	e.t.Helper()
	return e.Call("apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true})
}
