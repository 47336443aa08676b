package deploy_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
)

func TestValidateDeploymentTerraform(t *testing.T) {
	e := newEnv(t, "basic", config.ModePlan)
	res := e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws}))
	if res["valid"] != true || res["error_count"] != 0.0 {
		t.Fatalf("basic workspace should be valid: %v", res)
	}

	// An undefined reference is an error with file and line.
	bad := filepath.Join(e.ws, "bad.tf")
	os.WriteFile(bad, []byte("output \"x\" {\n  value = var.nope\n}\n"), 0o644)
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws}))
	if res["valid"] != false || res["error_count"] != 1.0 {
		t.Fatalf("want one error: %v", res)
	}
	d := res["diagnostics"].([]any)[0].(map[string]any)
	if d["severity"] != "error" || d["file"] != "bad.tf" || d["line"] != 2.0 {
		t.Fatalf("diagnostic %v", d)
	}
	os.Remove(bad)

	// Unformatted: a warning, invalid when strict, valid when not.
	os.WriteFile(filepath.Join(e.ws, "ugly.tf"), []byte("locals {\nx=1\n}\n"), 0o644)
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws}))
	if res["valid"] != false || res["warning_count"] != 1.0 {
		t.Fatalf("strict: %v", res)
	}
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws, "strict": false}))
	if res["valid"] != true {
		t.Fatalf("non-strict: %v", res)
	}
	if d := res["diagnostics"].([]any)[0].(map[string]any); d["file"] != "ugly.tf" {
		t.Fatalf("fmt diagnostic %v", d)
	}

	e.MustFail(e.Call("validate_deployment", map[string]any{"type": "kubernetes", "config_path": e.ws}), `expected one of: terraform`)
	e.MustFail(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": filepath.Join(e.ws, "nope")}), "does not exist")
	e.MustFail(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": filepath.Join(e.ws, "main.tf")}), "is a file")
}

func TestGatherContext(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	applied := e.plan(nil)
	e.MustOK(e.apply(applied))
	pending := e.plan(map[string]any{"variables": map[string]any{"size": 2}})
	res := e.MustOK(e.Call("gather_context", nil))
	plans := res["pending_plans"].([]any)
	if len(plans) != 1 || plans[0].(map[string]any)["plan_id"] != pending {
		t.Fatalf("pending plans %v, want only %s", plans, pending)
	}
	var found bool
	for _, w := range res["workspaces"].([]any) {
		w := w.(map[string]any)
		if w["path"] != e.ws {
			continue
		}
		found = true
		if w["last_apply"].(map[string]any)["plan_id"] != applied || w["last_plan"].(map[string]any)["plan_id"] != pending {
			t.Fatalf("workspace %v", w)
		}
	}
	if !found {
		t.Fatalf("workspace %s missing: %v", e.ws, res["workspaces"])
	}
}

func TestGatherContextIsCachedUntilTheWorkspaceChanges(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	first := e.MustOK(e.Call("gather_context", map[string]any{"workspace": e.ws}))
	if len(first["pending_plans"].([]any)) != 0 {
		t.Fatal("pending plans before any plan")
	}
	e.Call("gather_context", map[string]any{"workspace": e.ws})
	if s := e.Host.Host.Runtime().Cache.Stats(); s.Hits != 1 {
		t.Fatalf("second gather_context was not served from the cache: %+v", s)
	}
	id := e.plan(nil) // a mutating call on the workspace invalidates it
	res := e.MustOK(e.Call("gather_context", map[string]any{"workspace": e.ws}))
	if p := res["pending_plans"].([]any); len(p) != 1 || p[0].(map[string]any)["plan_id"] != id {
		t.Fatalf("stale context after a plan: %v", res)
	}
}
