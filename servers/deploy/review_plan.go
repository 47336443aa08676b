package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// approve_plan and reject_plan: a team member's review of another's saved
// plan, kept in the shared memory and bound to the plan id (gate.approvals).

// ReviewPlanInput is the input of approve_plan and reject_plan.
type ReviewPlanInput struct {
	PlanID string `json:"plan_id" desc:"a plan or change id"`
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
		Toolset:     "terraform",
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
	approvePlan = reviewTool("approve_plan", gate.Approved, "Approve another principal's saved plan (gate.approvals); needs approve: true.")
	rejectPlan  = reviewTool("reject_plan", gate.Rejected, "Reject another principal's saved plan; needs approve: true.")
)

func reviewPlan(ctx context.Context, c *mcpkit.Call, in ReviewPlanInput, d gate.Decision) (ReviewPlanResult, error) {
	res := ReviewPlanResult{PlanID: in.PlanID, Decision: string(d), Approvers: []string{}, Needed: c.Runtime.Config.Gate.Approvals}
	id := "plan " + terraform.ShortPlanID(in.PlanID)
	if !strings.HasPrefix(in.PlanID, "p-") {
		id = "change " + terraform.ShortPlanID(in.PlanID)
	}
	if r := c.Runtime.Config.Role; r == nil || !r.Approve {
		return res, fmt.Errorf("%s: your principal's role may not approve or reject plans (http.roles.NAME.approve in opsmcp.yaml); at a terminal a person confirms with opsmcp approve %s", c.Tool, in.PlanID)
	}
	scope, proposer, err := reviewable(ctx, c, in.PlanID)
	if err != nil {
		return res, err
	}
	res.Workspace, res.Proposer = scope, proposer
	if proposer == c.Principal {
		return res, fmt.Errorf("you (%s) proposed %s: nobody reviews their own change, another principal must %s it", c.Principal, id, map[gate.Decision]string{gate.Approved: "approve", gate.Rejected: "reject"}[d])
	}
	if err := gate.Record(ctx, c.Runtime.Memory, scope, gate.Approval{ChangeID: in.PlanID, Principal: c.Principal, Decision: d, How: gate.ViaTool, Reason: in.Reason}); err != nil {
		return res, err
	}
	list, err := gate.List(ctx, c.Runtime.Memory, in.PlanID)
	if err != nil {
		return res, err
	}
	by, verdict := gate.Approvers(list, in.PlanID, proposer, res.Needed)
	res.Approvers = append(res.Approvers, by...)
	switch {
	case d == gate.Rejected:
		res.Note = fmt.Sprintf("Rejected %s for %s: it cannot be applied.", id, scope)
	case verdict == nil:
		res.Note = fmt.Sprintf("Approved %s for %s: %d of %d approvals; it may be applied.", id, scope, len(by), res.Needed)
	default:
		res.Note = fmt.Sprintf("Approved %s for %s: %d of %d approvals so far.", id, scope, len(by), res.Needed)
	}
	return res, nil
}

// reviewable finds what a review is about: a saved plan this role may see
// and may still decide on, else a pending proposal of another change.
func reviewable(ctx context.Context, c *mcpkit.Call, id string) (scope, proposer string, err error) {
	p, err := plans(c).Get(ctx, id)
	if err == nil && !c.Runtime.Config.ScopeVisible(p.Workspace) {
		err = &terraform.PlanNotFoundError{ID: id} // another role's plan: as if there were none
	}
	var missing *terraform.PlanNotFoundError
	if errors.As(err, &missing) {
		prop, perr := gate.GetProposal(ctx, c.Runtime.Memory, id)
		if perr != nil || !time.Now().Before(prop.ExpiresAt) || !c.Runtime.Config.ScopeVisible(prop.Change.Scope) {
			return "", "", err
		}
		return prop.Change.Scope, prop.Change.Proposer, nil
	}
	if err != nil {
		return "", "", err
	}
	if err := Reviewable(p, time.Now()); err != nil {
		return "", "", err
	}
	return p.Workspace, p.Proposer, nil
}
