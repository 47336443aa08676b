package deploy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/redact"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// estimate is the part of estimate_costs' result the tests read.
type estimate struct {
	Input     string `json:"input"`
	Total     string `json:"total_monthly_cost"`
	Prior     string `json:"prior_monthly_cost"`
	Diff      string `json:"diff_monthly_cost"`
	Resources []struct {
		Address string `json:"address"`
		Action  string `json:"action"`
		Monthly string `json:"monthly_cost"`
		Prior   string `json:"prior_monthly_cost"`
		Diff    string `json:"diff_monthly_cost"`
	} `json:"resources"`
	Unresolved []string `json:"unresolved"`
	Unpriced   []struct {
		Address, Reason string
	} `json:"unpriced"`
}

func (e *env) estimate(args map[string]any) estimate {
	e.t.Helper()
	res := e.MustOK(e.Call("estimate_costs", args))
	var est estimate
	b, _ := json.Marshal(res)
	if err := json.Unmarshal(b, &est); err != nil {
		e.t.Fatal(err)
	}
	return est
}

// A plan made by the real terraform and hashicorp/aws provider against
// moto: two instances go from m5.large to m5.xlarge, a volume and an
// address stay. The same figures come from the plan_id apply_terraform
// returns, the saved plan file and its JSON; a destroy plan takes it all
// away. Every figure is worked by hand from the catalog.
func TestEstimateCostsOfARealPlan(t *testing.T) {
	moto := testenv.SharedMoto(t)
	e := newEnv(t, "aws-moto", config.ModePlan)
	tf := testenv.Terraform(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(tf, args...)
		cmd.Dir = e.ws
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	endpoint := "endpoint=" + moto.URL
	run("init", "-input=false", "-plugin-dir="+testenv.TerraformAWSPluginDir(t))
	// A saved plan given by path is shown in a scratch copy, with providers
	// from the mirror the server's configuration names.
	e.Cfg.Terraform.ProviderMirror = testenv.TerraformAWSPluginDir(t)
	run("apply", "-input=false", "-auto-approve", "-var", endpoint)

	// Before: 2 × (730 h × $0.096 + 8 GB gp2 root (as moto reports it) × $0.10) = 141.76;
	// gp3 100 GB × $0.08 = 8; public IPv4 730 h × $0.005 = 3.65. Total 153.41.
	// After: the instances at m5.xlarge, 730 × $0.192 = 140.16 + 0.80 each. Total 293.57.
	check := func(how string, est estimate) {
		t.Helper()
		if est.Input != "plan" || est.Total != "293.57" || est.Prior != "153.41" || est.Diff != "140.16" {
			t.Fatalf("%s: %+v", how, est)
		}
		for _, r := range est.Resources {
			switch r.Address {
			case "aws_instance.web[0]", "aws_instance.web[1]":
				if r.Action != "update" || r.Prior != "70.88" || r.Monthly != "140.96" || r.Diff != "70.08" {
					t.Errorf("%s: %+v", how, r)
				}
			case "aws_ebs_volume.data", "aws_eip.ip":
				if r.Action != "no-op" || r.Diff != "0.00" {
					t.Errorf("%s: %+v", how, r)
				}
			default:
				t.Errorf("%s: unexpected %+v", how, r)
			}
		}
	}
	id := e.plan(map[string]any{"variables": map[string]any{"endpoint": moto.URL, "web_type": "m5.xlarge"}})
	check("plan_id", e.estimate(map[string]any{"infrastructure": id}))
	// The plan record keeps the change, so gather_context reports it (and
	// the rules expert can weigh it) without showing the plan again.
	ctx := e.MustOK(e.Call("gather_context", map[string]any{"workspace": e.ws}))
	pending, _ := ctx["pending_plans"].([]any)
	if len(pending) != 1 || pending[0].(map[string]any)["monthly_cost_change"] != "140.16" {
		t.Errorf("gather_context pending plans: %v", pending)
	}

	run("plan", "-input=false", "-var", endpoint, "-var", "web_type=m5.xlarge", "-out=change.tfplan")
	check("saved plan", e.estimate(map[string]any{"infrastructure": filepath.Join(e.ws, "change.tfplan")}))
	show := exec.Command(tf, "show", "-json", "change.tfplan")
	show.Dir = e.ws
	data, err := show.Output() // stdout only: terraform warns on stderr
	if err != nil {
		t.Fatal(err)
	}
	planJSON := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(planJSON, data, 0o644); err != nil {
		t.Fatal(err)
	}
	check("plan JSON", e.estimate(map[string]any{"infrastructure": planJSON}))

	run("plan", "-input=false", "-destroy", "-var", endpoint, "-out=destroy.tfplan")
	gone := e.estimate(map[string]any{"infrastructure": filepath.Join(e.ws, "destroy.tfplan")})
	if gone.Total != "0.00" || gone.Prior != "153.41" || gone.Diff != "-153.41" || len(gone.Resources) != 4 {
		t.Fatalf("destroy: %+v", gone)
	}
	for _, r := range gone.Resources {
		if r.Action != "delete" || r.Monthly != "0.00" || !strings.HasPrefix(r.Diff, "-") {
			t.Errorf("destroy: %+v", r)
		}
	}
}

// The result reaches clients through its own AppendJSON (one buffer sized
// once for a large estimate): it must be what json.Marshal writes.
func TestEstimateCostsResultEncodesAsMarshal(t *testing.T) {
	in, err := cost.Load(nil, filepath.Join(testenv.RepoRoot(t), "testdata", "cost", "workspace"), nil)
	if err != nil {
		t.Fatal(err)
	}
	est, err := in.Estimate(cost.Options{IncludeDataTransfer: true})
	if err != nil || len(est.Resources) < 2 {
		t.Fatalf("%v: %d resources", err, len(est.Resources))
	}
	var res redact.JSONAppender = deploy.EstimateCostsResult{Input: in.Kind, Estimate: *est}
	got, err := res.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := json.Marshal(res); !bytes.Equal(got, want) {
		t.Fatalf("AppendJSON:\n%.400s\njson.Marshal:\n%.400s", got, want)
	}
}
