package deploy_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

func stateResources(t *testing.T, ws string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ws, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Instances []any `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("state is not valid JSON: %v", err)
	}
	n := 0
	for _, r := range st.Resources {
		n += len(r.Instances)
	}
	return n
}

func TestPlanThenApplyByPlanID(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	out := e.Call("apply_terraform", map[string]any{"workspace": e.ws, "variables": map[string]any{"size": 3}})
	res := e.MustOK(out)
	id := res["plan_id"].(string)
	if len(id) != 2+64 {
		t.Fatalf("plan_id %q is not p-<sha256>", id)
	}
	if sum, _ := terraform.HashFile(filepath.Join(filepath.Dir(e.Cfg.Memory), "plans", id+".tfplan")); "p-"+sum != id {
		t.Fatalf("plan_id is not the sha256 of the saved plan file")
	}
	if res["applied"] != false {
		t.Fatalf("planning applied something: %v", res)
	}
	if s := res["summary"].(map[string]any); s["add"] != 3.0 || s["destroy"] != 0.0 {
		t.Fatalf("summary %v", s)
	}
	if res["terraform_version"] == "" || res["expires_at"] == nil {
		t.Fatalf("missing version or expiry: %v", res)
	}
	call := res["apply_call"].(map[string]any)["arguments"].(map[string]any)
	if call["plan_id"] != id || call["auto_approve"] != true {
		t.Fatalf("apply_call %v", call)
	}
	if _, err := os.Stat(filepath.Join(e.ws, "terraform.tfstate")); err == nil {
		t.Fatal("planning wrote state")
	}
	for _, f := range []string{"*.tfplan", "*.tfvars.json"} {
		if m, _ := filepath.Glob(filepath.Join(e.ws, f)); len(m) > 0 {
			t.Fatalf("plan left %v in the workspace", m)
		}
	}

	applied := e.MustOK(e.apply(id))
	if applied["applied"] != true {
		t.Fatalf("not applied: %v", applied)
	}
	if n := stateResources(t, e.ws); n != 3 {
		t.Fatalf("state holds %d instances, want 3", n)
	}
	outs := applied["outputs"].(map[string]any)
	if outs["token"] != "(sensitive)" || len(outs["names"].([]any)) != 3 {
		t.Fatalf("outputs %v", outs)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(e.Cfg.Memory), "plans", id+".tfplan")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("plan file not deleted after use: %v", err)
	}
	e.MustFail(e.apply(id), "already applied")

	// A destroy plan of the same workspace removes what was applied.
	d := e.plan(map[string]any{"destroy": true, "variables": map[string]any{"size": 3}})
	e.MustOK(e.apply(d))
	if n := stateResources(t, e.ws); n != 0 {
		t.Fatalf("after destroy state holds %d instances", n)
	}
}

func TestPlanListsDeletesAndReplacesFirst(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	e.MustOK(e.apply(e.plan(map[string]any{"variables": map[string]any{"size": 2}})))
	// Renaming replaces both items; shrinking deletes one.
	res := e.MustOK(e.Call("apply_terraform", map[string]any{"workspace": e.ws, "variables": map[string]any{"size": 1, "name": "x"}}))
	changes := res["changes"].([]any)
	first := changes[0].(map[string]any)
	if first["action"] != "delete" || first["address"] != "terraform_data.item[1]" {
		t.Fatalf("first change %v, want the delete", changes)
	}
	if second := changes[1].(map[string]any); second["action"] != "replace" {
		t.Fatalf("second change %v, want the replace", changes)
	}
	s := res["summary"].(map[string]any)
	if s["add"] != 1.0 || s["destroy"] != 2.0 || s["replace"] != 1.0 {
		t.Fatalf("summary %v", s)
	}
}

func TestApplyRefusedWhenAnythingChangedAfterPlan(t *testing.T) {
	t.Run("main.tf edited", func(t *testing.T) {
		e := newEnv(t, "basic", config.ModeApply)
		id := e.plan(nil)
		f := filepath.Join(e.ws, "main.tf")
		b, _ := os.ReadFile(f)
		os.WriteFile(f, append(b, []byte("\n# edited\n")...), 0o644)
		e.MustFail(e.apply(id), "main.tf changed after plan p-")
		if _, err := os.Stat(filepath.Join(e.ws, "terraform.tfstate")); err == nil {
			t.Fatal("a refused apply wrote state")
		}
	})
	t.Run("tf file added", func(t *testing.T) {
		e := newEnv(t, "basic", config.ModeApply)
		id := e.plan(nil)
		os.WriteFile(filepath.Join(e.ws, "extra.tf"), []byte("locals {}\n"), 0o644)
		e.MustFail(e.apply(id), "extra.tf was added")
	})
	t.Run("tfvars edited", func(t *testing.T) {
		e := newEnv(t, "basic", config.ModeApply)
		id := e.plan(map[string]any{"var_files": []string{"prod.tfvars"}})
		os.WriteFile(filepath.Join(e.ws, "prod.tfvars"), []byte("name = \"other\"\n"), 0o644)
		e.MustFail(e.apply(id), "prod.tfvars changed after plan")
	})
	t.Run("variables differ", func(t *testing.T) {
		e := newEnv(t, "basic", config.ModeApply)
		id := e.plan(map[string]any{"variables": map[string]any{"size": 2}})
		out := e.Call("apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true, "variables": map[string]any{"size": 5}})
		e.MustFail(out, "variables differ")
		// The same variables are accepted.
		out = e.Call("apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true, "variables": map[string]any{"size": 2}})
		e.MustOK(out)
	})
	t.Run("plan expired", func(t *testing.T) {
		e := newEnv(t, "basic", config.ModeApply)
		e.Cfg.Terraform.PlanTTL = config.Duration(50 * time.Millisecond)
		id := e.plan(nil)
		time.Sleep(100 * time.Millisecond)
		e.MustFail(e.apply(id), "expired")
	})
	t.Run("plan file tampered", func(t *testing.T) {
		e := newEnv(t, "basic", config.ModeApply)
		id := e.plan(nil)
		pf := filepath.Join(filepath.Dir(e.Cfg.Memory), "plans", id+".tfplan")
		f, _ := os.OpenFile(pf, os.O_APPEND|os.O_WRONLY, 0)
		f.Write([]byte("x"))
		f.Close()
		e.MustFail(e.apply(id), "saved plan file was modified")
	})
	t.Run("unknown plan", func(t *testing.T) {
		e := newEnv(t, "basic", config.ModeApply)
		e.MustFail(e.apply("p-0000"), "does not exist")
	})
}

func TestRefusalsAndBadInput(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	outside := testenv.CopyWorkspace(t, "basic") // another temp dir: not allowlisted
	link := filepath.Join(filepath.Dir(e.ws), "sneaky")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(e.ws, "main.tf")
	cases := []struct {
		name string
		args map[string]any
		want string
	}{
		{"outside allowlist", map[string]any{"workspace": outside}, "outside the allowed workspaces"},
		{"symlink out of allowlist", map[string]any{"workspace": link}, "resolves to " + outside},
		{"missing dir", map[string]any{"workspace": filepath.Join(e.ws, "nope")}, "does not exist"},
		{"file not dir", map[string]any{"workspace": file}, "is a file, not a directory"},
		{"wrong variable type", map[string]any{"workspace": e.ws, "variables": map[string]any{"size": "many"}}, "size"},
		{"missing workspace", map[string]any{}, `missing required argument "workspace"`},
		{"unknown argument", map[string]any{"workspace": e.ws, "workspaces": 1}, `unknown argument "workspaces"`},
		{"wrong type", map[string]any{"workspace": e.ws, "destroy": "yes"}, `argument "destroy" must be a boolean`},
		{"bad timeout", map[string]any{"workspace": e.ws, "timeout_seconds": 0}, "at least 1"},
		{"auto_approve missing", map[string]any{"workspace": e.ws, "plan_id": "p-1"}, "set auto_approve: true"},
		{"var file outside", map[string]any{"workspace": e.ws, "var_files": []string{filepath.Join(outside, "prod.tfvars")}}, "outside the allowed workspaces"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { e.MustFail(e.Call("apply_terraform", c.args), c.want) })
	}
	t.Run("mode plan refuses apply", func(t *testing.T) {
		p := newEnv(t, "basic", config.ModePlan)
		res := p.MustOK(p.Call("apply_terraform", map[string]any{"workspace": p.ws}))
		if !strings.Contains(res["note"].(string), "mode: apply") {
			t.Fatalf("plan result does not say how to enable apply: %v", res["note"])
		}
		p.MustFail(p.apply(res["plan_id"].(string)), "set mode: apply in opsmcp.yaml")
	})
	t.Run("mode read-only hides apply", func(t *testing.T) {
		r := newEnv(t, "basic", config.ModeReadOnly)
		for _, tool := range r.Host.Host.Tools() {
			if tool.Name == "apply_terraform" {
				t.Fatal("apply_terraform listed in read-only mode")
			}
		}
		r.MustFail(r.Call("apply_terraform", map[string]any{"workspace": r.ws}), "mode is read-only")
	})
}

func TestSensitiveValuesNeverLeak(t *testing.T) {
	const secret = "tok-Xy9-SECRET-4242-zz"
	e := newEnv(t, "basic", config.ModeApply)
	plan := e.Call("apply_terraform", map[string]any{"workspace": e.ws, "variables": map[string]any{"api_token": secret}})
	id := e.MustOK(plan)["plan_id"].(string)
	applied := e.apply(id)
	e.MustOK(applied)
	ctxOut := e.Call("gather_context", nil)
	all := e.Everything(plan, applied, ctxOut)
	if strings.Contains(all, secret) {
		t.Fatal("the sensitive value appears in a result, log line, memory entry or audit record")
	}
	if strings.Contains(all, "tok-DEFAULT-not-a-secret") {
		t.Fatal("a sensitive default leaked")
	}
	if !strings.Contains(all, "(sensitive)") {
		t.Fatal("expected the sensitive output to be shown as (sensitive)")
	}
}

func TestCancelledApplyInterruptsTerraform(t *testing.T) {
	e := newEnv(t, "slow", config.ModeApply)
	id := e.plan(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	var once bool
	done := make(chan struct{})
	var outText string
	var isErr bool
	go func() {
		defer close(done)
		out := e.CallCtx(ctx, "apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true},
			func(_, _ float64, msg string) {
				if strings.Contains(msg, "terraform_data.slow") && !once {
					once = true
					close(started)
				}
			})
		outText, isErr = out.Text, out.IsError
	}()
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		t.Fatal("apply never reached the slow resource")
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		t.Fatal("cancelled apply did not return")
	}
	if !isErr || !strings.Contains(outText, "interrupted") {
		t.Fatalf("want an interrupted error, got %v %q", isErr, outText)
	}
	stateResources(t, e.ws) // valid JSON
	unlock, err := terraform.LockWorkspace(filepath.Join(filepath.Dir(e.Cfg.Memory), "locks"), e.ws, "test")
	if err != nil {
		t.Fatalf("lock not released: %v", err)
	}
	unlock()
	e.MustFail(e.apply(id), "already applied")
}

func TestPlanInitialisesWhenTheWorkspaceNeedsIt(t *testing.T) {
	e := newEnv(t, "withmodule", config.ModeApply)
	res := e.MustOK(e.apply(e.plan(nil)))
	if res["outputs"].(map[string]any)["pet"] != "rex" {
		t.Fatalf("outputs %v", res["outputs"])
	}
	// The module's own files are part of the fingerprint.
	id := e.plan(map[string]any{"destroy": true})
	f := filepath.Join(e.ws, "modules", "pet", "main.tf")
	b, _ := os.ReadFile(f)
	os.WriteFile(f, append(b, []byte("\n# edited\n")...), 0o644)
	e.MustFail(e.apply(id), filepath.Join("modules", "pet", "main.tf")+" changed after plan")
}

func TestApplyTimeoutInterruptsTerraform(t *testing.T) {
	e := newEnv(t, "slow", config.ModeApply)
	id := e.plan(nil)
	start := time.Now()
	out := e.Call("apply_terraform", map[string]any{"workspace": e.ws, "plan_id": id, "auto_approve": true, "timeout_seconds": 2})
	e.MustFail(out, "timed out")
	if !strings.Contains(out.Text, "interrupted") {
		t.Fatalf("timeout error does not say terraform was interrupted: %s", out.Text)
	}
	if d := time.Since(start); d > 60*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	stateResources(t, e.ws)
}

func TestMissingTerraformBinary(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	e.Cfg.Terraform.Binary = "/nonexistent/terraform"
	e.MustFail(e.Call("apply_terraform", map[string]any{"workspace": e.ws}), `terraform binary "/nonexistent/terraform" (terraform.binary or OPSMCP_TERRAFORM) was not found`)
	e.Cfg.Terraform.Binary = ""
	t.Setenv("PATH", t.TempDir())
	e.MustFail(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws}), "neither terraform nor tofu was found on PATH")
}
