package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// What the gate shows of an apply_terraform call before it applies: the
// saved plan's counts, what it destroys, its cost change and proposer.

// Change describes the plan an apply would apply (mcpkit.Changer).
func (in ApplyTerraformInput) Change(ctx context.Context, c *mcpkit.Call) (*gate.Change, error) {
	if !in.AutoApprove {
		return nil, fmt.Errorf("set auto_approve: true to apply plan %s, after the user has reviewed its changes", terraform.ShortPlanID(in.PlanID))
	}
	p, err := plans(c).Get(ctx, in.PlanID)
	if err == nil {
		// An applied or expired plan has nothing left to judge (its file
		// is gone): say so, as the apply itself would.
		err = terraform.Spent(p, time.Now())
	}
	if err != nil {
		return nil, err
	}
	ch := PlanChange(p)
	// The policies judge the saved plan again now: they or the plan may
	// have changed since it was planned.
	file, err := plans(c).LocalFile(p)
	if err != nil {
		return nil, err
	}
	var s planRecordSummary
	_ = json.Unmarshal(p.Summary, &s)
	vs, err := applyVerdicts(ctx, c, file, p.Workspace, s.MonthlyCostChange)
	if err != nil {
		return nil, fmt.Errorf("gate.policies could not judge plan %s, so it is not applied: %w", terraform.ShortPlanID(p.ID), err)
	}
	if len(c.Runtime.Config.Gate.Policies) > 0 {
		ch.Verdicts, ch.Denied, ch.Judged = verdictLines(vs), policy.Denied(vs), true
	}
	if why := prUnmet(ctx, c, p); why != "" {
		ch.Unmet = append(ch.Unmet, gate.Unmet{Requirement: "github", Reason: why})
	}
	return ch, nil
}

// verdictLines are verdicts as a person reads them.
func verdictLines(vs []policy.Verdict) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		line := v.Kind + " (" + v.ID() + "): " + v.Message
		if v.Subject != "" {
			line += " [" + v.Subject + "]"
		}
		out = append(out, line)
	}
	return out
}

// PlanChange is a saved plan as a person confirming or approving it sees it.
func PlanChange(p *planrec.Plan) *gate.Change {
	var s planRecordSummary
	_ = json.Unmarshal(p.Summary, &s)
	ch := &gate.Change{ID: p.ID, Saved: true, Tool: "apply_terraform", Scope: p.Workspace, Proposer: p.Proposer,
		Add: s.Add, Modify: s.Change, Destroy: s.Destroy, Destroys: s.Destroys, Verdicts: verdictLines(s.Policy), Denied: policy.Denied(s.Policy)}
	if s.MonthlyCostChange != nil {
		ch.MonthlyCostChange = moneyChange(*s.MonthlyCostChange) + "/month"
	}
	return ch
}

// Reviewable refuses a plan there is nothing left to decide on: applied
// or expired.
func Reviewable(p *planrec.Plan, now time.Time) error {
	id := terraform.ShortPlanID(p.ID)
	switch {
	case p.UsedAt != nil:
		return fmt.Errorf("plan %s was already applied at %s: there is nothing left to review", id, p.UsedAt.Format(time.RFC3339))
	case !now.Before(p.ExpiresAt):
		return fmt.Errorf("plan %s expired at %s: there is nothing left to review; its proposer plans again", id, p.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// moneyChange is a signed amount: "+$12.40", "-$3.00".
func moneyChange(c cost.Cents) string {
	d := cost.Dec(c)
	m := d.Money()
	if m[0] == '-' {
		return "-$" + m[1:]
	}
	return "+$" + m
}

// destroys are the addresses a plan destroys or replaces.
func destroys(plan *tfjson.Plan) []string {
	_, changes := terraform.Summarize(plan)
	var out []string
	for _, rc := range changes {
		if rc.Action == "delete" || rc.Action == "replace" {
			out = append(out, rc.Address)
		}
	}
	return out
}
