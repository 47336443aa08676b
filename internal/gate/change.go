// Package gate is what a change needs besides the mode before it runs: a
// person's confirmation and a team's approvals, kept in the shared memory
// and bound to the change's id (a plan id), so a new plan needs new
// decisions and every replica sees them. It knows nothing of MCP: the kit's
// Host.Call asks it, and the CLI and the approve tools record in it.
package gate

import (
	"fmt"
	"strings"
)

// Change is what a person confirming or a team approving is shown, and
// what their decisions bind to.
type Change struct {
	// ID is the plan id or change id decisions bind to; "" binds them to
	// this one call (its tool and arguments).
	ID string `json:"id,omitempty"`
	// Saved: a saved plan's change, which reviewers find by its record;
	// another change is proposed when it waits for approvals.
	Saved bool `json:"saved,omitempty"`
	// Tool is the tool that makes the change.
	Tool string `json:"tool"`
	// Scope is the workspace or namespace changed.
	Scope    string `json:"scope,omitempty"`
	Proposer string `json:"proposer,omitempty"`
	// Add, Change and Destroy count resources as terraform's Plan line.
	Add, Modify, Destroy int
	// Destroys are the addresses destroyed or replaced.
	Destroys []string `json:"destroys,omitempty"`
	// MonthlyCostChange is the estimate, as text ("+$12.40/month").
	MonthlyCostChange string `json:"monthly_cost_change,omitempty"`
	// Verdicts are the policies' messages; Denied the deny messages, any
	// of which blocks the change.
	Verdicts []string `json:"verdicts,omitempty"`
	Denied   []string `json:"denied,omitempty"`
	// Judged: gate.policies judged the change now (a pass is on the
	// record too).
	Judged bool `json:"-"`
	// Unmet are other requirements the change does not meet yet (the
	// pull request of gate.github); any blocks it.
	Unmet []Unmet `json:"unmet,omitempty"`
	// Detail describes a change that is not a plan (the call's arguments).
	Detail string `json:"detail,omitempty"`
}

// Unmet is a requirement a change does not meet, and why.
type Unmet struct {
	Requirement string `json:"requirement"` // "github"
	Reason      string `json:"reason"`
}

// Text is the change as a person reads it before saying yes.
func (c *Change) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", c.Tool)
	if c.Scope != "" {
		fmt.Fprintf(&b, " on %s", c.Scope)
	}
	if c.ID != "" {
		fmt.Fprintf(&b, " (%s)", c.ID)
	}
	b.WriteString("\n")
	if c.Detail != "" {
		b.WriteString(c.Detail + "\n")
	} else {
		fmt.Fprintf(&b, "+%d ~%d -%d\n", c.Add, c.Modify, c.Destroy)
	}
	for _, d := range c.Destroys {
		fmt.Fprintf(&b, "  destroyed or replaced: %s\n", d)
	}
	if c.MonthlyCostChange != "" {
		fmt.Fprintf(&b, "Monthly cost change: %s\n", c.MonthlyCostChange)
	}
	for _, v := range c.Verdicts {
		fmt.Fprintf(&b, "Policy: %s\n", v)
	}
	if c.Proposer != "" {
		fmt.Fprintf(&b, "Proposed by %s\n", c.Proposer)
	}
	return strings.TrimRight(b.String(), "\n")
}

// PolicyOutcome is the policies' verdict on the change, as its audit
// record says it.
func (c *Change) PolicyOutcome() string {
	warnings := len(c.Verdicts) - len(c.Denied)
	switch {
	case len(c.Denied) > 0:
		return "denied: " + strings.Join(c.Denied, "; ")
	case warnings > 0:
		return fmt.Sprintf("passed with %d warning(s)", warnings)
	}
	return "passed"
}
