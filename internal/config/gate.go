package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Gate is the gate: section: what a change needs besides the mode — a
// person's confirmation, a team's approvals, policies, a reviewed pull
// request.
type Gate struct {
	// Confirm is how a person confirms each change at the moment of apply:
	// elicit (default: MCP elicitation, or `opsmcp approve` where the
	// client cannot ask) or none.
	Confirm string `json:"confirm,omitempty"`
	// Approvals is how many principals other than the proposer, whose role
	// may approve, must approve a change (the team service).
	Approvals int `json:"approvals,omitempty"`
	// Policies are Rego files or directories every plan is checked against.
	Policies []string   `json:"policies,omitempty"`
	GitHub   GateGitHub `json:"github"`
	// Tools are the tools whose changes need confirmation and approval;
	// empty: every tool that changes something.
	Tools []string `json:"tools,omitempty"`
}

// GateGitHub is gate.github: the pull request a plan was made from.
type GateGitHub struct {
	RequireApprovedPR  bool `json:"require_approved_pr,omitempty"`
	RequireGreenChecks bool `json:"require_green_checks,omitempty"`
}

// Gate.Confirm values.
const (
	ConfirmElicit = "elicit"
	ConfirmNone   = "none"
)

func (g *Gate) finish(base string) error {
	switch g.Confirm {
	case "":
		g.Confirm = ConfirmElicit
	case ConfirmElicit, ConfirmNone:
	default:
		return fmt.Errorf("gate.confirm is %q: use elicit or none", g.Confirm)
	}
	if g.Approvals < 0 {
		return errors.New("gate.approvals must be 0 or more")
	}
	for i, p := range g.Policies {
		if strings.TrimSpace(p) == "" {
			return errors.New("gate.policies has an empty entry")
		}
		g.Policies[i] = resolve(base, p)
	}
	return nil
}

// Gated says whether a tool's changes pass the gate's requirements.
func (g *Gate) Gated(tool string) bool {
	return len(g.Tools) == 0 || slices.Contains(g.Tools, tool)
}

// Requirements say, in a line each, what the gate requires of a change,
// and warn when nothing but the model stands between it and production.
func (g *Gate) Requirements() (in []string, warning string) {
	if g.Confirm == ConfirmElicit {
		in = append(in, "a person confirms each change (MCP elicitation, or opsmcp approve PLAN_ID)")
	}
	if g.Approvals > 0 {
		in = append(in, fmt.Sprintf("%d approval(s) from principals other than the proposer whose role may approve", g.Approvals))
	}
	if len(g.Policies) > 0 {
		in = append(in, "policies: "+strings.Join(g.Policies, ", "))
	}
	if g.GitHub.RequireApprovedPR {
		in = append(in, "an approved pull request for the plan's commit")
	}
	if g.GitHub.RequireGreenChecks {
		in = append(in, "green checks on that pull request")
	}
	if g.Confirm == ConfirmNone && g.Approvals == 0 {
		warning = "gate.confirm is none and gate.approvals is 0: the model approves its own changes"
	}
	return in, warning
}
