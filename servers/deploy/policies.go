package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/kube"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// gate.policies on plans: evaluated when planning (the verdicts are in the
// result and the record) and again when applying (a deny, or a policy
// that does not load or evaluate, blocks: fail closed).

// policies compiles gate.policies again only when a file changes.
var policies policy.Cache

// gatePolicies is gate.policies, compiled (nil when none).
func gatePolicies(c *mcpkit.Call) (*policy.Set, error) {
	if len(c.Runtime.Config.Gate.Policies) == 0 {
		return nil, nil
	}
	return policies.Load(c.Runtime.Config.Gate.Policies)
}

// policyData is what a plan's policies read under data.opsmcp.
func policyData(change *cost.Cents) map[string]any {
	if change == nil {
		return nil
	}
	f, _ := strconv.ParseFloat(cost.Dec(*change).String(), 64)
	return map[string]any{"cost": map[string]any{"monthly_cost_change": f}}
}

// evalPlan runs gate.policies on a plan's JSON.
func evalPlan(ctx context.Context, c *mcpkit.Call, raw []byte, change *cost.Cents) ([]policy.Verdict, error) {
	set, err := gatePolicies(c)
	if err != nil || set == nil {
		return nil, err
	}
	var input any
	if err := json.Unmarshal(raw, &input); err != nil {
		return nil, fmt.Errorf("the plan JSON: %w", err)
	}
	return set.Eval(ctx, input, policyData(change))
}

// objectVerdicts runs gate.policies on each manifest object as written,
// one object per input as conftest reads a manifest.
func objectVerdicts(ctx context.Context, c *mcpkit.Call, docs []kube.Document) ([]policy.Verdict, error) {
	set, err := gatePolicies(c)
	if err != nil || set == nil {
		return nil, err
	}
	var out []policy.Verdict
	for _, d := range docs {
		vs, err := set.Eval(ctx, d.Object.Object, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Source, err)
		}
		for i := range vs {
			vs[i].Subject = kube.Ref(d.Object.GetKind(), d.Object.GetName(), d.Object.GetNamespace())
		}
		out = append(out, vs...)
	}
	return out, nil
}

// failClosed is a policy that does not load or evaluate, as a deny, so a
// result shows why the change cannot be made.
func failClosed(vs []policy.Verdict, err error) []policy.Verdict {
	if err != nil {
		return []policy.Verdict{{Kind: policy.Deny, Package: "opsmcp", Rule: "policy_error", Message: err.Error()}}
	}
	return vs
}

// planVerdicts are the verdicts a new plan records; a policy that does not
// load or evaluate is recorded as a deny, so the plan shows why it cannot
// be applied.
func planVerdicts(ctx context.Context, c *mcpkit.Call, raw []byte, change *cost.Cents) []policy.Verdict {
	return failClosed(evalPlan(ctx, c, raw, change))
}

// applyVerdicts evaluates the saved plan again at apply time.
func applyVerdicts(ctx context.Context, c *mcpkit.Call, planFile, ws string, change *cost.Cents) ([]policy.Verdict, error) {
	if len(c.Runtime.Config.Gate.Policies) == 0 {
		return nil, nil
	}
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return nil, err
	}
	run, err := terraform.NewRunner(bin, ws)
	if err != nil {
		return nil, err
	}
	_, raw, err := run.ShowPlanJSON(ctx, planFile)
	if err != nil {
		return nil, err
	}
	return evalPlan(ctx, c, raw, change)
}
