package deploy

import (
	"context"
	"fmt"
	"time"

	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// approve_plan and reject_plan: a team member's review of another's saved
// plan, kept in the shared memory and bound to the plan id (gate.approvals).

// ReviewPlanInput is the input of approve_plan and reject_plan.
type ReviewPlanInput struct {
	PlanID string `json:"plan_id"`
	Reason string `json:"reason,omitempty" desc:"shown with the decision"`
}

// ReviewPlanResult is what the plan's review stands at.
type ReviewPlanResult struct {
	PlanID    string   `json:"plan_id"`
	Workspace string   `json:"workspace"`
	Decision  string   `json:"decision" enum:"approved|rejected"`
	Proposer  string   `json:"proposer,omitempty"`
	Approvers []string `json:"approvers"`
	Needed    int      `json:"approvals_needed"`
	Note      string   `json:"note"`
}

func (r ReviewPlanResult) AuditIDs() []string { return []string{r.PlanID} }

func (r ReviewPlanResult) SummaryText() string { return r.Note }

func reviewTool(name string, d gate.Decision, desc string) mcpkit.Tool {
	return mcpkit.NewTool(mcpkit.Def{
		Name:        name,
		Description: desc,
		Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
		// It records a decision in opsmcp's memory; nothing outside changes.
		Effect:  mcpkit.EffectPlan,
		Timeout: 30 * time.Second,
	}, func(ctx context.Context, c *mcpkit.Call, in ReviewPlanInput) (ReviewPlanResult, error) {
		return reviewPlan(ctx, c, in, d)
	})
}

var (
	approvePlan = reviewTool("approve_plan", gate.Approved, "Approve another principal's saved plan (gate.approvals); needs a role with approve: true.")
	rejectPlan  = reviewTool("reject_plan", gate.Rejected, "Reject another principal's saved plan: it cannot be applied; needs a role with approve: true.")
)

func reviewPlan(ctx context.Context, c *mcpkit.Call, in ReviewPlanInput, d gate.Decision) (ReviewPlanResult, error) {
	res := ReviewPlanResult{PlanID: in.PlanID, Decision: string(d), Approvers: []string{}, Needed: c.Runtime.Config.Gate.Approvals}
	id := terraform.ShortPlanID(in.PlanID)
	if r := c.Runtime.Config.Role; r == nil || !r.Approve {
		return res, fmt.Errorf("%s: your principal's role may not approve or reject plans (http.roles.NAME.approve in opsmcp.yaml); at a terminal a person confirms with opsmcp approve %s", c.Tool, in.PlanID)
	}
	p, err := plans(c).Get(ctx, in.PlanID)
	if err == nil && !c.Runtime.Config.ScopeVisible(p.Workspace) {
		err = &terraform.PlanNotFoundError{ID: in.PlanID} // another role's plan: as if there were none
	}
	if err != nil {
		return res, err
	}
	res.Workspace, res.Proposer = p.Workspace, p.Proposer
	if err := Reviewable(p, time.Now()); err != nil {
		return res, err
	}
	if p.Proposer == c.Principal {
		return res, fmt.Errorf("you (%s) proposed plan %s: nobody reviews their own change, another principal must %s it", c.Principal, id, map[gate.Decision]string{gate.Approved: "approve", gate.Rejected: "reject"}[d])
	}
	if err := gate.Record(ctx, c.Runtime.Memory, p.Workspace, gate.Approval{ChangeID: p.ID, Principal: c.Principal, Decision: d, How: gate.ViaTool, Reason: in.Reason}); err != nil {
		return res, err
	}
	list, err := gate.List(ctx, c.Runtime.Memory, p.ID)
	if err != nil {
		return res, err
	}
	by, verdict := gate.Approvers(list, p.ID, p.Proposer, res.Needed)
	res.Approvers = append(res.Approvers, by...)
	switch {
	case d == gate.Rejected:
		res.Note = fmt.Sprintf("Rejected plan %s for %s: it cannot be applied.", id, p.Workspace)
	case verdict == nil:
		res.Note = fmt.Sprintf("Approved plan %s for %s: %d of %d approvals; it may be applied.", id, p.Workspace, len(by), res.Needed)
	default:
		res.Note = fmt.Sprintf("Approved plan %s for %s: %d of %d approvals so far.", id, p.Workspace, len(by), res.Needed)
	}
	return res, nil
}
