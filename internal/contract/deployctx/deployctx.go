// Package deployctx is the deploy server's contract with the others: its
// gather_context result, one exported type that the server returns and the
// rules expert reads. A renamed field is a compile error on both sides, not
// a silent empty value. It imports only the deploy server's own domain, so
// linking it costs no other server's dependencies.
package deployctx

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/driftctx"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// PlanSummary counts planned changes (the plan lifecycle's type).
type PlanSummary = terraform.PlanSummary

// PlanInfo describes one saved plan.
type PlanInfo struct {
	PlanID    string      `json:"plan_id"`
	Workspace string      `json:"workspace"`
	CreatedAt time.Time   `json:"created_at"`
	ExpiresAt time.Time   `json:"expires_at"`
	Summary   PlanSummary `json:"summary"`
	Destroy   bool        `json:"destroy,omitempty"`
	// MonthlyCostChange is the estimate of what applying the plan adds to
	// the monthly bill, made when it was planned.
	MonthlyCostChange *cost.Cents `json:"monthly_cost_change,omitempty"`
}

// ApplyInfo describes the last apply of a workspace.
type ApplyInfo struct {
	PlanID  string    `json:"plan_id"`
	At      time.Time `json:"at"`
	Applied bool      `json:"applied"`
	Error   string    `json:"error,omitempty"`
}

// WorkspaceInfo is what memory knows of one workspace.
type WorkspaceInfo struct {
	Path      string     `json:"path"`
	LastPlan  *PlanInfo  `json:"last_plan,omitempty"`
	LastApply *ApplyInfo `json:"last_apply,omitempty"`
}

// DeployContext is the deploy server's gather_context result.
type DeployContext struct {
	Mode         string          `json:"mode"`
	Workspaces   []WorkspaceInfo `json:"workspaces"`
	PendingPlans []PlanInfo      `json:"pending_plans"`
	// Validation is config_path's offline validation, when asked for.
	Validation *ValidationBrief `json:"validation,omitempty"`
	// Drift is the latest drift check of each target (scheduled, or by
	// opsmcp drift), newest first.
	Drift []DriftBrief `json:"drift,omitempty"`
}

// DriftBrief is a target's latest drift check.
type DriftBrief = driftctx.Brief

// ValidationBrief is a validation's verdict, counts and first errors.
type ValidationBrief struct {
	ConfigPath string             `json:"config_path"`
	Valid      bool               `json:"valid"`
	Errors     int                `json:"errors"`
	Warnings   int                `json:"warnings"`
	Findings   []validate.Finding `json:"findings"` // the errors, at most maxBriefFindings
}

func (r DeployContext) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Mode %s; %d workspaces; %d plans waiting to be applied.", r.Mode, len(r.Workspaces), len(r.PendingPlans))
	for _, d := range r.Drift {
		if d.Status == "drifted" {
			fmt.Fprintf(&b, "\n  drift: %s %s: %d drifted (%s) at %s", d.Kind, d.Target, d.Count, strings.Join(d.Resources, ", "), d.CheckedAt.Format(time.RFC3339))
		}
	}
	for _, w := range r.Workspaces {
		fmt.Fprintf(&b, "\n  %s", w.Path)
		if w.LastPlan != nil {
			s := w.LastPlan.Summary
			fmt.Fprintf(&b, " | last plan %s (+%d ~%d -%d) at %s", shortID(w.LastPlan.PlanID), s.Add, s.Change, s.Destroy, w.LastPlan.CreatedAt.Format(time.RFC3339))
		}
		if w.LastApply != nil {
			state := "applied"
			if !w.LastApply.Applied {
				state = "FAILED"
			}
			fmt.Fprintf(&b, " | last apply %s %s at %s", shortID(w.LastApply.PlanID), state, w.LastApply.At.Format(time.RFC3339))
		}
	}
	for _, p := range r.PendingPlans {
		fmt.Fprintf(&b, "\n  pending: %s in %s, expires %s", shortID(p.PlanID), p.Workspace, p.ExpiresAt.Format(time.RFC3339))
	}
	if v := r.Validation; v != nil {
		fmt.Fprintf(&b, "\n  validation of %s: %d errors, %d warnings", v.ConfigPath, v.Errors, v.Warnings)
	}
	return b.String()
}

// shortID is a plan id cut for reading: p- and 12 hex digits.
func shortID(id string) string {
	if len(id) > 14 {
		return id[:14] + "…"
	}
	return id
}
