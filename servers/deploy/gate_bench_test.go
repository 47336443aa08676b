package deploy_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// BenchmarkGatePerApply is what the gate adds to an apply with two
// policies, a pull-request check (reviews and checks, from a GitHub stub
// on loopback) and one approval: reading the plan record, `terraform show
// -json` of the saved plan, both policies on it, three GitHub requests and
// the approvals in memory. The apply itself is not run.
func BenchmarkGatePerApply(b *testing.B) {
	p := newPREnv(b)
	p.pr(p.sha, []any{review("carol", "APPROVED")}, []any{run("plan", "completed", "success")}, "success")
	dir := b.TempDir()
	for _, f := range []string{"destroy.rego"} {
		body, _ := os.ReadFile(filepath.Join(testenv.RepoRoot(b), "testdata", "policies", "plan", f))
		os.WriteFile(filepath.Join(dir, f), body, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "tags.rego"), []byte("package tags\n\nwarn contains msg if {\n\tsome rc in input.resource_changes\n\tnot rc.change.after.tags\n\tmsg := sprintf(\"%s has no tags\", [rc.address])\n}\n"), 0o644)
	cfg := *p.cfg
	cfg.Gate.Policies = []string{dir}
	cfg.Gate.Approvals = 1
	cfg.Gate.Confirm = config.ConfirmNone
	host := testenv.NewHost(b, deploy.New(), &cfg)
	res := host.MustOK(host.Call("apply_terraform", map[string]any{"workspace": p.ws}))
	id := res["plan_id"].(string)
	if err := gate.Record(context.Background(), host.Store, p.ws, gate.Approval{ChangeID: id, Principal: "bob", Decision: gate.Approved, How: gate.ViaTool}); err != nil {
		b.Fatal(err)
	}
	args, _ := json.Marshal(map[string]any{"workspace": p.ws, "plan_id": id, "auto_approve": true})
	for b.Loop() {
		if ask, err := host.Host.CheckGate(context.Background(), "apply_terraform", args); err != nil || ask != nil {
			b.Fatalf("the gate: %v %v", ask, err)
		}
	}
}
