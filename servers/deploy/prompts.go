package deploy

// MCP prompts of the deploy server: review-plan and cost-of-change.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

var reviewPlanPrompt = mcpkit.Prompt{
	Name: "review-plan", Title: "Review a Terraform plan", Toolset: "terraform",
	Description: "A saved plan's changes, destroys, monthly cost change and policy verdicts, and what to check before anyone applies it.",
	Args:        []mcpkit.PromptArg{{Name: "plan_id", Description: "the plan_id apply_terraform returned", Required: true}},
	Render: func(ctx context.Context, c *mcpkit.Call, args map[string]string) (string, error) {
		p, err := visiblePlan(ctx, c, args["plan_id"])
		if err != nil {
			return "", err
		}
		var s planRecordSummary
		_ = json.Unmarshal(p.Summary, &s)
		var b strings.Builder
		fmt.Fprintf(&b, "Review Terraform plan %s before it is applied. Read it with the person; apply nothing until they say yes.\n\n", terraform.ShortPlanID(p.ID))
		b.WriteString(planText(p, time.Now()))
		b.WriteString("\n\nWhat to check:\n")
		for _, line := range planChecks(p, s, time.Now()) {
			b.WriteString("- " + line + "\n")
		}
		return b.String(), nil
	},
}

// planChecks are what a reviewer must look at in this plan, most serious
// first.
func planChecks(p *planrec.Plan, s planRecordSummary, now time.Time) []string {
	var out []string
	if err := Reviewable(p, now); err != nil {
		return []string{err.Error()}
	}
	for _, v := range s.Policy {
		if v.Kind == "deny" {
			out = append(out, fmt.Sprintf("Policy %s denies it: %s. It cannot be applied until the configuration or the policy changes.", v.ID(), v.Message))
		}
	}
	if len(s.Destroys) > 0 {
		out = append(out, fmt.Sprintf("%d resource(s) are destroyed or replaced (listed above): for each, is losing it (and its data: databases, buckets, volumes, DNS) intended, and is there a backup?", len(s.Destroys)))
	}
	if p.Destroy {
		out = append(out, "This is a destroy plan: everything it lists goes.")
	}
	if s.MonthlyCostChange != nil && cost.Dec(*s.MonthlyCostChange).Sign() > 0 {
		out = append(out, fmt.Sprintf("It adds %s a month: is that budgeted?", moneyChange(*s.MonthlyCostChange)))
	}
	for _, v := range s.Policy {
		if v.Kind == "warn" {
			out = append(out, fmt.Sprintf("Policy %s warns: %s", v.ID(), v.Message))
		}
	}
	if p.Dirty {
		out = append(out, "It was planned from uncommitted changes: the code it applies is in no commit yet.")
	}
	if len(p.Targets) > 0 {
		out = append(out, "It is targeted (-target): the rest of the configuration is neither checked nor applied.")
	}
	out = append(out, fmt.Sprintf("It must be applied before %s (then it expires and is planned again). To apply: the person confirms, then apply_terraform with plan_id %s and auto_approve: true (mode apply), or `opsmcp approve %s` from a terminal.",
		p.ExpiresAt.Format(time.RFC3339), p.ID, p.ID))
	return out
}

// planText is a saved plan as a person reads it: what it changes, what it
// destroys, what it costs, what the policies said, and where it came from.
func planText(p *planrec.Plan, now time.Time) string {
	var b strings.Builder
	b.WriteString(PlanChange(p).Text())
	status := "pending"
	switch {
	case p.UsedAt != nil:
		status = "applied at " + p.UsedAt.Format(time.RFC3339)
	case !now.Before(p.ExpiresAt):
		status = "expired at " + p.ExpiresAt.Format(time.RFC3339)
	default:
		status += ", expires at " + p.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(&b, "\nStatus: %s\nPlanned: %s with Terraform %s", status, p.CreatedAt.Format(time.RFC3339), p.TerraformVersion)
	if p.Commit != "" {
		fmt.Fprintf(&b, "\nFrom: %s at %s", p.Repo, p.Commit)
		if p.Dirty {
			b.WriteString(" (with uncommitted changes)")
		}
	}
	if len(p.Targets) > 0 {
		fmt.Fprintf(&b, "\nTargets: %s", strings.Join(p.Targets, ", "))
	}
	if len(p.VarFiles) > 0 {
		fmt.Fprintf(&b, "\nVariable files: %s", strings.Join(p.VarFiles, ", "))
	}
	var s planRecordSummary
	if json.Unmarshal(p.Summary, &s) == nil && s.MonthlyCostChange == nil {
		b.WriteString("\nMonthly cost change: not estimated")
	}
	return b.String()
}

// visiblePlan is a plan record the caller may see: a plan of a workspace
// outside its role is not found, like one that does not exist.
func visiblePlan(ctx context.Context, c *mcpkit.Call, id string) (*planrec.Plan, error) {
	p, err := PlanStore(c.Runtime.Config, c.Runtime.Memory).Get(ctx, strings.TrimSpace(id))
	var missing *terraform.PlanNotFoundError
	if errors.As(err, &missing) || (err == nil && !c.Runtime.Config.ScopeVisible(p.Workspace)) {
		return nil, fmt.Errorf("plan %q: %w", id, mcpkit.ErrNotFound)
	}
	return p, err
}

// pullRequestRef is owner/repo#123 or a pull request's URL.
var pullRequestRef = regexp.MustCompile(`^(?:https://[^/]+/)?([\w.-]+/[\w.-]+)(?:#|/pull/)(\d+)$`)

var costOfChangePrompt = mcpkit.Prompt{
	Name: "cost-of-change", Title: "What a change costs", Toolset: "cost",
	Description: "The monthly cost a workspace's pending plan adds (else the workspace as it is), line by line; for a pull request, how to get its cost change.",
	Args:        []mcpkit.PromptArg{{Name: "target", Description: "a Terraform workspace (path) or a pull request (owner/repo#123)", Required: true}},
	Render: func(ctx context.Context, c *mcpkit.Call, args map[string]string) (string, error) {
		target := strings.TrimSpace(args["target"])
		if m := pullRequestRef.FindStringSubmatch(target); m != nil {
			return fmt.Sprintf("Estimate what pull request %s#%s changes in monthly cost.\n\n"+
				"- Read it with the github server's get_pull_request (repo %s, number %s): its infrastructure files are flagged.\n"+
				"- Its cost change is the head's estimate against the base's: `opsmcp ci --cost` computes it in the pull request's CI "+
				"(checked out at both commits) and posts it as a sticky comment; in a local checkout, estimate_costs on each changed workspace at each commit gives the same.\n"+
				"- Report the total change per month, the resources that drive it, and every assumption the estimate states (usage, prices not found).",
				m[1], m[2], m[1], m[2]), nil
		}
		ws, err := terraform.ResolveWorkspace(target, c.Runtime.Config.Terraform.Workspaces)
		if err != nil {
			return "", err
		}
		pending, err := c.Runtime.Memory.ListPlans(ctx, planrec.Filter{Workspace: ws, PendingOnly: true})
		if err != nil {
			return "", err
		}
		var b strings.Builder
		infra, what := ws, fmt.Sprintf("Workspace %s has no pending plan: this is what it costs as configured. Plan it with apply_terraform to see what a change adds.", ws)
		if len(pending) > 0 {
			infra = pending[0].ID
			what = fmt.Sprintf("The pending plan %s of %s (planned %s): the cost it adds is the difference below.", terraform.ShortPlanID(pending[0].ID), ws, pending[0].CreatedAt.Format(time.RFC3339))
		}
		out := c.CallTool(ctx, "estimate_costs", map[string]any{"infrastructure": infra})
		if out.IsError {
			return "", errors.New(out.Text)
		}
		fmt.Fprintf(&b, "What this change costs a month. %s\n\n%s\n\nExplain the total and the largest lines, and say which figures rest on assumptions (usage not given, prices not found).", what, out.Text)
		return b.String(), nil
	},
}
