package deploy_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// 3. Planning the same change twice returns the same pending plan, and
// both answers stay usable: the file is not deleted by the second save.
func TestSecurityPlanningTwiceKeepsThePlan(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	first := e.plan(nil)
	// Terraform writes the time into a plan file: a second later the bytes
	// differ, and it is still the same plan.
	time.Sleep(1100 * time.Millisecond)
	second := e.plan(nil)
	if first != second {
		t.Fatalf("identical plans got different ids %s and %s", first, second)
	}
	ctx := context.Background()
	plans, _ := e.Store.ListPlans(ctx, memory.PlanFilter{})
	if len(plans) != 1 {
		t.Fatalf("%d plan records, want 1", len(plans))
	}
	gc := e.MustOK(e.Call("gather_context", map[string]any{}))
	if b, _ := json.Marshal(gc); !strings.Contains(string(b), first) {
		t.Fatalf("gather_context does not list the pending plan: %s", b)
	}
	if res := e.MustOK(e.apply(second)); res["applied"] != true {
		t.Fatalf("apply: %v", res)
	}
	// Planned again after the apply: a new plan (the state changed).
	if third := e.plan(nil); third == first {
		t.Fatal("a used plan id was handed out again")
	}
}

// 4. A sensitive variable's value is masked even when the plan fails
// before terraform shows it: it is known from the declaration.
func TestSecuritySensitiveVariableOfAFailedPlan(t *testing.T) {
	e := newEnv(t, "basic", config.ModePlan)
	os.WriteFile(filepath.Join(e.ws, "broken.tf"), []byte(`variable "blob" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.blob) < 3
    error_message = "too long"
  }
}
`), 0o644)
	const value = "zq7-Unguessable-Value-4491"
	out := e.Call("apply_terraform", map[string]any{"workspace": e.ws, "variables": map[string]any{"blob": value}})
	if !out.IsError {
		t.Fatalf("the plan should fail: %s", out.Text)
	}
	if all := e.Everything(out); strings.Contains(all, value) {
		t.Fatal("the sensitive variable's value is in a result, log, memory or audit record")
	}
	audit, _ := e.Store.ListAudit(context.Background(), 0)
	if len(audit) == 0 || !strings.Contains(string(audit[len(audit)-1].Args), "(sensitive)") {
		t.Fatalf("the failed plan's audit record: %+v", audit)
	}
}

// 11. A local module from outside terraform.workspaces is refused, named
// with where it resolves, before terraform runs.
func TestSecurityModuleOutsideTheAllowlistIsRefused(t *testing.T) {
	e := newEnv(t, "withmodule", config.ModeApply)
	outside := filepath.Join(t.TempDir(), "outside")
	os.MkdirAll(outside, 0o755)
	os.WriteFile(filepath.Join(outside, "main.tf"), []byte("resource \"terraform_data\" \"x\" {}\n"), 0o644)
	e.Cfg.Terraform.Workspaces = []string{e.ws}
	rel, _ := filepath.Rel(e.ws, outside)
	os.WriteFile(filepath.Join(e.ws, "evil.tf"), []byte("module \"evil\" {\n  source = \""+filepath.ToSlash(rel)+"\"\n}\n"), 0o644)
	e.MustFail(e.Call("apply_terraform", map[string]any{"workspace": e.ws}), "module.evil (source \""+filepath.ToSlash(rel)+"\") resolves to "+outside+", which is outside terraform.workspaces")
	plans, _ := e.Store.ListPlans(context.Background(), memory.PlanFilter{})
	if len(plans) != 0 {
		t.Fatal("a plan was made")
	}
}

// 8. Errors name keys, paths and positions, never values read from a file.
func TestSecurityErrorsDoNotEchoFileValues(t *testing.T) {
	e := newEnv(t, "basic", config.ModePlan)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	cases := map[string]map[string]any{
		"ReplicaSecret-804": {"infrastructure": write("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: ReplicaSecret-804\n")},
		"PodSecret-17":      {"infrastructure": write("pod.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: PodSecret-17\n")},
		"UsageSecret-55":    {"infrastructure": map[string]any{"resources": []any{}}, "usage": write("usage.yml", "resource_usage:\n  aws_instance.web:\n    monthly_hours: UsageSecret-55\n")},
		"ShadowLine-3":      {"infrastructure": map[string]any{"resources": []any{}}, "usage": write("shadow", "list:*:ShadowLine-3:0:99999:7:::\n")},
	}
	// Validation findings name the field, not what it holds.
	bad := write("bad.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: \"LabelSecret 9!\"}}\nspec:\n  replicas: \"ReplicaSecret-805\"\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      restartPolicy: RestartSecret\n      containers: [{name: web, image: \"nginx:1.27\"}]\n")
	out := e.Call("validate_deployment", map[string]any{"config_path": bad})
	if all := e.Everything(out); strings.Contains(all, "ReplicaSecret-805") || strings.Contains(all, "LabelSecret") || strings.Contains(all, "RestartSecret") {
		t.Errorf("validation echoes values: %s", out.Text)
	}
	if !strings.Contains(out.Text, "spec.replicas") {
		t.Errorf("validation does not name the field: %s", out.Text)
	}
	for value, args := range cases {
		out := e.Call("estimate_costs", args)
		if !out.IsError {
			t.Errorf("%v: want an error, got %s", args, out.Text)
			continue
		}
		if all := e.Everything(out); strings.Contains(all, value) {
			t.Errorf("the value %q read from a file is echoed: %s", value, out.Text)
		}
	}
}
