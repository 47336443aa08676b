package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// The deploy server's prompts and resources, and the experts server's
// resources, through the MCP Inspector CLI against the built binaries
// (sharing the test's memory and plans): review-plan and the plan
// resource show a pending replacement with what to check; an applied plan
// reads as applied; opsmcp://drift/latest is listed only once a drift
// check ran; cost-of-change estimates the pending plan; the audit and a
// memory entry read from the experts server; what does not exist is an
// error.
func TestPromptsAndResourcesOverInspector(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	applied := e.plan(map[string]any{"variables": map[string]any{"size": 2}})
	e.MustOK(e.apply(applied))
	pending := e.plan(map[string]any{"variables": map[string]any{"name": "renamed", "size": 2}})

	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("memory: %s\nterraform:\n  workspaces: [%s]\n", e.Cfg.Memory, filepath.Dir(e.ws))), 0o644)
	env := []string{"OPSMCP_CONFIG=" + cfg}
	bins := testenv.Binaries(t)
	deployBin, expertsBin := filepath.Join(bins, "opsmcp-deploy"), filepath.Join(bins, "opsmcp-experts")
	run := func(bin string, args ...string) string { // compact JSON
		t.Helper()
		var b bytes.Buffer
		if err := json.Compact(&b, testenv.RunInspector(t, bin, env, args...)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	prompt := func(name string, args ...string) string {
		t.Helper()
		full := []string{"--method", "prompts/get", "--prompt-name", name}
		for _, a := range args {
			full = append(full, "--prompt-args", a)
		}
		var res struct {
			Messages []struct {
				Content struct{ Text string } `json:"content"`
			} `json:"messages"`
		}
		if err := json.Unmarshal([]byte(run(deployBin, full...)), &res); err != nil || len(res.Messages) != 1 {
			t.Fatalf("prompts/get %s: %v", name, err)
		}
		return res.Messages[0].Content.Text
	}
	read := func(bin, uri string) string {
		t.Helper()
		var res struct {
			Contents []struct{ URI, Text string } `json:"contents"`
		}
		if err := json.Unmarshal([]byte(run(bin, "--method", "resources/read", "--uri", uri)), &res); err != nil || len(res.Contents) != 1 || res.Contents[0].URI != uri {
			t.Fatalf("resources/read %s: %v %+v", uri, err, res)
		}
		return res.Contents[0].Text
	}
	contains := func(what, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, got)
			}
		}
	}

	contains("prompts/list", run(deployBin, "--method", "prompts/list"), `"name":"review-plan"`, `"name":"cost-of-change"`, `"name":"plan_id"`, `"required":true`)
	contains("resources/templates/list", run(deployBin, "--method", "resources/templates/list"), `"uriTemplate":"opsmcp://plans/{plan_id}"`)
	if list := run(deployBin, "--method", "resources/list"); strings.Contains(list, "drift/latest") {
		t.Errorf("drift is listed before any check:\n%s", list)
	}

	review := prompt("review-plan", "plan_id="+pending)
	contains("review-plan", review, "Review Terraform plan "+terraform.ShortPlanID(pending), "+2 ~0 -2", "destroyed or replaced: terraform_data.item[0]",
		"What to check:", "2 resource(s) are destroyed or replaced", "apply_terraform with plan_id "+pending+" and auto_approve: true")
	contains("opsmcp://plans (pending)", read(deployBin, "opsmcp://plans/"+pending), "apply_terraform on "+e.ws, "Status: pending, expires at", "Terraform ")
	contains("opsmcp://plans (applied)", read(deployBin, "opsmcp://plans/"+applied), "Status: applied at")
	if _, err := testenv.TryInspector(t, deployBin, env, "--method", "prompts/get", "--prompt-name", "review-plan", "--prompt-args", "plan_id=p-0000000000000000"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("review-plan of a plan that does not exist: %v", err)
	}
	contains("cost-of-change", prompt("cost-of-change", "target="+e.ws), "The pending plan "+terraform.ShortPlanID(pending), "What this change costs a month")
	contains("cost-of-change of a pull request", prompt("cost-of-change", "target=acme/infra#42"), "pull request acme/infra#42", "opsmcp ci --cost")

	e.MustOK(e.Call("detect_drift", nil))
	contains("resources/list after a drift check", run(deployBin, "--method", "resources/list"), `"uri":"opsmcp://drift/latest"`)
	contains("opsmcp://drift/latest", read(deployBin, "opsmcp://drift/latest"), "0 of 1 targets drifted", "terraform "+e.ws+": in sync")

	contains("opsmcp://audit/recent", read(expertsBin, "opsmcp://audit/recent"), "test deploy/apply_terraform", applied)
	page, err := e.Store.List(context.Background(), memory.Filter{Kind: memory.KindPlan, Key: pending})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("the plan's memory entry: %v %+v", err, page)
	}
	contains("opsmcp://memory/{id}", read(expertsBin, fmt.Sprintf("opsmcp://memory/%d", page.Entries[0].ID)), `"kind": "plan"`, pending)
	if _, err := testenv.TryInspector(t, expertsBin, env, "--method", "resources/read", "--uri", "opsmcp://memory/99999"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a memory entry that does not exist: %v", err)
	}
}
