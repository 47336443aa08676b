package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// apply_terraform adapts tool input to the plan lifecycle of
// internal/terraform and its answers back to a result.

// ApplyTerraformInput is the input of apply_terraform.
type ApplyTerraformInput struct {
	Workspace      string         `json:"workspace"`
	Variables      map[string]any `json:"variables,omitempty"`
	VarFiles       []string       `json:"var_files,omitempty"`
	Target         []string       `json:"target,omitempty"` // resource addresses, as terraform -target
	Destroy        bool           `json:"destroy,omitempty"`
	PlanID         string         `json:"plan_id,omitempty" desc:"apply this saved plan"`
	AutoApprove    bool           `json:"auto_approve,omitempty"`
	TimeoutSeconds int            `json:"timeout_seconds,omitempty" default:"1800" minimum:"1"`
}

// CacheScope is the workspace: applying it invalidates cached reads of it.
func (in ApplyTerraformInput) CacheScope() string { return terraform.CanonicalPath(in.Workspace) }

// Effect: with plan_id it applies; without, it plans.
func (in ApplyTerraformInput) Effect() mcpkit.Effect {
	if in.PlanID != "" {
		return mcpkit.EffectChange
	}
	return mcpkit.EffectPlan
}

// CallTimeout bounds the call.
func (in ApplyTerraformInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds) * time.Second
}

var applyTerraform = mcpkit.NewTool(mcpkit.Def{
	Name:        "apply_terraform",
	Toolset:     "terraform",
	Description: "Plan (returns plan_id, applies nothing), or apply that exact plan: plan_id, auto_approve: true, mode apply.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.No, OpenWorld: mcpkit.Yes},
	Effect:      mcpkit.EffectChange,
}, func(ctx context.Context, c *mcpkit.Call, in ApplyTerraformInput) (ApplyTerraformResult, error) {
	ws, err := terraform.ResolveWorkspace(in.Workspace, c.Runtime.Config.Terraform.Workspaces)
	if err != nil {
		return ApplyTerraformResult{}, err
	}
	cfg := c.Runtime.Config
	wsFiles := fsguard.Confined(cfg.Terraform.Workspaces, cfg.Limits.MaxInputBytes)
	// Values of variables the configuration declares sensitive are masked
	// from here on: in errors of a plan that fails early, logs and audit.
	for _, name := range terraform.SensitiveVariables(wsFiles, ws) {
		if v, ok := in.Variables[name]; ok {
			c.Secrets.Add(terraform.SecretStrings(v)...)
		}
	}
	if err := terraform.CheckModules(wsFiles, ws); err != nil {
		return ApplyTerraformResult{}, err
	}
	if !terraform.HasConfig(ws) {
		return ApplyTerraformResult{}, fmt.Errorf("workspace %s has no Terraform configuration (*.tf files)", in.Workspace)
	}
	if in.PlanID != "" {
		return applyPlan(ctx, c, ws, in)
	}
	return planWorkspace(ctx, c, ws, in)
})

func resolveVarFiles(c *mcpkit.Call, ws string, files []string) ([]string, error) {
	cfg := c.Runtime.Config
	return terraform.ResolveVarFiles(cfg.Terraform.Workspaces, cfg.Limits.MaxInputBytes, ws, files)
}

// progress is the call's progress listener, or nil when nobody listens.
func progress(c *mcpkit.Call) func(done, total float64, message string) {
	if !c.WantsProgress() {
		return nil
	}
	return c.Progress
}

func planWorkspace(ctx context.Context, c *mcpkit.Call, ws string, in ApplyTerraformInput) (ApplyTerraformResult, error) {
	varFiles, err := resolveVarFiles(c, ws, in.VarFiles)
	if err != nil {
		return ApplyTerraformResult{}, err
	}
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return ApplyTerraformResult{}, err
	}
	res := ApplyTerraformResult{Workspace: ws, Version: bin.Version}
	var origin gate.Origin
	if g := c.Runtime.Config.Gate.GitHub; g.RequireApprovedPR || g.RequireGreenChecks {
		origin = gate.OriginOf(ctx, ws)
	}
	planned, err := plans(c).Plan(ctx, terraform.PlanRequest{
		Binary: bin, Workspace: ws, Variables: in.Variables, VarFiles: varFiles, Targets: in.Target, Destroy: in.Destroy,
		Proposer: c.Principal, Repo: origin.Repo, Commit: origin.Commit, Dirty: origin.Dirty,
		Progress:    progress(c),
		OnSensitive: func(s string) { c.Secrets.Add(s) },
		RecordSummary: func(plan *tfjson.Plan, raw []byte, s terraform.PlanSummary) any {
			rec := planRecordSummary{PlanSummary: s, MonthlyCostChange: planCostChange(c, plan), Destroys: destroys(plan)}
			rec.Policy = planVerdicts(ctx, c, raw, rec.MonthlyCostChange)
			return rec
		},
	})
	if err != nil {
		return res, err
	}
	rec := planned.Record
	id, exp := rec.ID, rec.ExpiresAt
	res.PlanID, res.ExpiresAt = id, &exp
	res.Summary, res.Changes = terraform.Summarize(planned.Plan)
	if len(res.Changes) > maxChanges {
		res.ChangesOmitted = len(res.Changes) - maxChanges
		res.Changes = res.Changes[:maxChanges]
	}
	res.OutputChanges = terraform.OutputChanges(planned.Plan)
	var recorded planRecordSummary
	_ = json.Unmarshal(planned.Record.Summary, &recorded)
	res.Policy = recorded.Policy
	if planned.New && len(c.Runtime.Config.Gate.Policies) > 0 {
		ch := &gate.Change{ID: planned.Record.ID, Tool: "apply_terraform", Scope: ws, Verdicts: verdictLines(res.Policy), Denied: policy.Denied(res.Policy)}
		c.AuditDecision("gate/policy", ch, ch.PolicyOutcome())
	}
	args := map[string]any{"workspace": ws, "plan_id": id, "auto_approve": true}
	res.ApplyCall = &ToolCall{Server: Name, Tool: "apply_terraform", Arguments: args}
	switch {
	case res.Summary == (PlanSummary{}) && len(res.OutputChanges) == 0:
		res.Note = "No changes: the infrastructure matches the configuration."
	case c.Mode != config.ModeApply:
		res.Note = fmt.Sprintf("Nothing was applied. Mode is %s: to apply this plan set mode: apply in opsmcp.yaml (or OPSMCP_MODE=apply), then call apply_terraform with plan_id %s and auto_approve: true before %s.", c.Mode, id, exp.Format(time.RFC3339))
	default:
		res.Note = fmt.Sprintf("Nothing was applied. Review the changes, then call apply_terraform with plan_id %s and auto_approve: true before %s.", id, exp.Format(time.RFC3339))
	}
	if !planned.New {
		return res, nil
	}
	if err := c.Remember(ctx, memory.KindPlan, ws, id, map[string]any{
		"plan_id": id, "summary": res.Summary, "expires_at": exp, "terraform_version": bin.Version,
		"destroy": in.Destroy, "changes": len(res.Changes) + res.ChangesOmitted,
	}, "terraform"); err != nil {
		c.Log().Warn("plan not recorded in memory", "error", err.Error())
	}
	return res, nil
}

func applyPlan(ctx context.Context, c *mcpkit.Call, ws string, in ApplyTerraformInput) (ApplyTerraformResult, error) {
	res := ApplyTerraformResult{Workspace: ws, PlanID: in.PlanID}
	if !in.AutoApprove {
		return res, fmt.Errorf("set auto_approve: true to apply plan %s, after the user has reviewed its changes", terraform.ShortPlanID(in.PlanID))
	}
	varFiles, err := resolveVarFiles(c, ws, in.VarFiles)
	if err != nil {
		return res, err
	}
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return res, err
	}
	res.Version = bin.Version
	applied, applyErr := plans(c).Apply(ctx, terraform.ApplyRequest{
		Binary: bin, PlanID: in.PlanID, Workspace: ws,
		Variables: in.Variables, VarFiles: varFiles, Targets: in.Target, Destroy: in.Destroy,
		Progress: c.Progress,
	})
	if applied == nil {
		return res, applyErr
	}
	_ = json.Unmarshal(applied.Record.Summary, &res.Summary)
	op := map[string]any{"plan_id": in.PlanID, "summary": res.Summary, "applied": applyErr == nil, "terraform_version": bin.Version, "by": c.Principal}
	if len(c.Decisions) > 0 {
		op["approved_by"] = c.Decisions // who confirmed or approved, and how
	}
	if applyErr != nil {
		op["error"] = applyErr.Error()
		rememberApply(c, ws, in.PlanID, op)
		return res, applyErr
	}
	res.Applied = true
	c.Secrets.Add(applied.Secrets...)
	if applied.OutputsErr != nil {
		res.Note = "Applied, but outputs could not be read: " + applied.OutputsErr.Error()
	} else {
		res.Outputs = applied.Outputs
	}
	op["outputs"] = res.Outputs
	rememberApply(c, ws, in.PlanID, op)
	return res, nil
}

func rememberApply(c *mcpkit.Call, ws, id string, op map[string]any) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Remember(ctx, memory.KindOperation, ws, id, op, "terraform", "apply"); err != nil {
		c.Log().Warn("apply not recorded in memory", "error", err.Error())
	}
}
