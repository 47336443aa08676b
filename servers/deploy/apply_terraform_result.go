package deploy

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/deployctx"
	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// The result's parts are the lifecycle's and the contract's types.
type (
	PlanSummary    = deployctx.PlanSummary
	ResourceChange = terraform.ResourceChange
	OutputChange   = terraform.OutputChange
)

// ApplyTerraformResult is the result of apply_terraform.
type ApplyTerraformResult struct {
	Workspace      string           `json:"workspace"`
	Version        string           `json:"terraform_version"`
	Applied        bool             `json:"applied"`
	PlanID         string           `json:"plan_id"`
	ExpiresAt      *time.Time       `json:"expires_at,omitempty"`
	Summary        PlanSummary      `json:"summary"`
	Changes        []ResourceChange `json:"changes"`
	ChangesOmitted int              `json:"changes_omitted,omitempty"`
	OutputChanges  []OutputChange   `json:"output_changes,omitempty"`
	// Policy are the verdicts of gate.policies on the plan; a deny blocks
	// its apply.
	Policy    []policy.Verdict `json:"policy,omitempty"`
	Outputs   map[string]any   `json:"outputs,omitempty"`
	ApplyCall *ToolCall        `json:"apply_call,omitempty"`
	Note      string           `json:"note,omitempty"`
}

// ToolCall is an exact tool call a client can make next.
type ToolCall struct {
	Server    string         `json:"server"`
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
}

// maxChanges keeps results token-frugal on large plans; counts stay exact.
const maxChanges = 200

func (r ApplyTerraformResult) AuditIDs() []string { return []string{r.PlanID} }

func (r ApplyTerraformResult) SummaryText() string {
	var b strings.Builder
	s := r.Summary
	id := terraform.ShortPlanID(r.PlanID)
	if r.Applied {
		fmt.Fprintf(&b, "Applied plan %s in %s: %d added, %d changed, %d destroyed.", id, r.Workspace, s.Add, s.Change, s.Destroy)
	} else {
		fmt.Fprintf(&b, "Plan %s for %s: %d to add, %d to change, %d to destroy", id, r.Workspace, s.Add, s.Change, s.Destroy)
		if s.Replace > 0 {
			fmt.Fprintf(&b, " (%d replaced)", s.Replace)
		}
		b.WriteString(".")
	}
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "\n  %s %s", actionSymbol[c.Action], c.Address)
	}
	if r.ChangesOmitted > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", r.ChangesOmitted)
	}
	for _, v := range r.Policy {
		fmt.Fprintf(&b, "\nPolicy %s (%s): %s", v.Kind, v.ID(), v.Message)
	}
	if len(r.Outputs) > 0 {
		b.WriteString("\nOutputs:")
		for _, k := range slices.Sorted(maps.Keys(r.Outputs)) {
			v, _ := json.Marshal(r.Outputs[k])
			fmt.Fprintf(&b, "\n  %s = %s", k, v)
		}
	}
	if r.Note != "" {
		b.WriteString("\n" + r.Note)
	}
	return b.String()
}

var actionSymbol = map[string]string{"delete": "-", "replace": "-/+", "create": "+", "update": "~", "read": "<="}
