// Package ci is the report of `opsmcp ci`: validation findings, Terraform
// plans and the cost they change, as one markdown document for a sticky
// pull-request comment (or JSON).
package ci

import (
	"fmt"
	"sort"
	"strings"

	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/validate"
)

// Change is one planned resource action.
type Change struct {
	Address string `json:"address"`
	Action  string `json:"action"`
}

// Plan is one workspace's plan (never applied).
type Plan struct {
	Workspace string   `json:"workspace"`
	PlanID    string   `json:"plan_id,omitempty"`
	Add       int      `json:"add"`
	Change    int      `json:"change"`
	Destroy   int      `json:"destroy"`
	Replace   int      `json:"replace"`
	Changes   []Change `json:"changes"`
	// Policy are gate.policies' verdicts on the plan; a deny blocks its apply.
	Policy []policy.Verdict `json:"policy,omitempty"`
	Error  string           `json:"error,omitempty"`
}

// Report is everything `opsmcp ci` found.
type Report struct {
	Validation *validate.Report `json:"validation"`
	Plans      []Plan           `json:"plans,omitempty"`
	// Cost is the estimate of every planned workspace (or, without plans,
	// of the workspaces and manifests as written).
	Cost *cost.Estimate `json:"cost,omitempty"`
	// Errors are steps that could not run (a plan that failed...).
	Errors []string `json:"errors,omitempty"`
}

// title heads the report.
const title = "### opsmcp: validation, plan and cost"

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Summary is the one line: "2 errors · 3 to add, 1 to destroy · +$143.20/month".
func (r *Report) Summary() string {
	var parts []string
	if v := r.Validation; v != nil {
		switch {
		case v.Errors == 0 && v.Warnings == 0:
			parts = append(parts, "valid")
		case v.Errors == 0:
			parts = append(parts, plural(v.Warnings, "warning", "warnings"))
		default:
			p := plural(v.Errors, "error", "errors")
			if v.Warnings > 0 {
				p += ", " + plural(v.Warnings, "warning", "warnings")
			}
			parts = append(parts, p)
		}
	}
	if n := len(r.Denied()); n > 0 {
		parts = append(parts, plural(n, "policy denial", "policy denials"))
	}
	if len(r.Plans) > 0 {
		var add, change, destroy int
		for _, p := range r.Plans {
			add, change, destroy = add+p.Add+p.Replace, change+p.Change, destroy+p.Destroy+p.Replace
		}
		if add+change+destroy == 0 {
			parts = append(parts, "no changes")
		} else {
			var pp []string
			if add > 0 {
				pp = append(pp, fmt.Sprintf("%d to add", add))
			}
			if change > 0 {
				pp = append(pp, fmt.Sprintf("%d to change", change))
			}
			if destroy > 0 {
				pp = append(pp, fmt.Sprintf("%d to destroy", destroy))
			}
			parts = append(parts, strings.Join(pp, ", "))
		}
	}
	if c := r.Cost; c != nil {
		if c.DiffMonthlyCost != nil {
			parts = append(parts, cost.Signed(cost.Dec(*c.DiffMonthlyCost))+"/month")
		} else {
			parts = append(parts, "$"+cost.Dec(c.TotalMonthlyCost).Money()+"/month")
		}
	}
	if len(r.Errors) > 0 {
		parts = append(parts, plural(len(r.Errors), "step failed", "steps failed"))
	}
	return strings.Join(parts, " · ")
}

// actionOrder puts destroys first: they are what a reviewer must see.
var actionOrder = map[string]int{"delete": 0, "replace": 1, "create": 2, "update": 3, "read": 4}

// Denied are the plans' policy denials: what would block their apply.
func (r *Report) Denied() []string {
	var out []string
	for _, p := range r.Plans {
		for _, m := range policy.Denied(p.Policy) {
			out = append(out, p.Workspace+": "+m)
		}
	}
	return out
}

// Markdown is the report as a pull-request comment.
func (r *Report) Markdown() string {
	var b strings.Builder
	b.WriteString(title + "\n\n**" + r.Summary() + "**\n")
	for _, e := range r.Errors {
		b.WriteString("\n> :x: " + e + "\n")
	}
	if v := r.Validation; v != nil && len(v.Findings) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>Findings (%d)</summary>\n\n| Severity | Rule | Where | Message |\n|---|---|---|---|\n", len(v.Findings))
		for _, f := range v.Findings {
			where := f.File
			if f.Line > 0 {
				where += fmt.Sprintf(":%d", f.Line)
			}
			msg := f.Message
			if f.Hint != "" {
				msg += " — " + f.Hint
			}
			fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", f.Severity, f.Rule, where, cell(msg))
		}
		b.WriteString("\n</details>\n")
	}
	for _, p := range r.Plans {
		fmt.Fprintf(&b, "\n<details><summary>Plan of <code>%s</code>: %d to add, %d to change, %d to destroy, %d to replace</summary>\n\n", p.Workspace, p.Add, p.Change, p.Destroy, p.Replace)
		if p.Error != "" {
			b.WriteString(":x: " + cell(p.Error) + "\n")
		}
		for _, v := range p.Policy {
			mark := ":warning:"
			if v.Kind == policy.Deny {
				mark = ":no_entry:"
			}
			fmt.Fprintf(&b, "%s policy `%s`: %s\n\n", mark, v.ID(), cell(v.Message))
		}
		changes := append([]Change(nil), p.Changes...)
		sort.SliceStable(changes, func(i, j int) bool { return actionOrder[changes[i].Action] < actionOrder[changes[j].Action] })
		if len(changes) > 0 {
			b.WriteString("| Action | Resource |\n|---|---|\n")
			for _, c := range changes {
				fmt.Fprintf(&b, "| %s | `%s` |\n", c.Action, c.Address)
			}
		}
		b.WriteString("\n</details>\n")
	}
	if c := r.Cost; c != nil && len(c.Resources) > 0 {
		b.WriteString("\n<details><summary>Cost per resource</summary>\n\n")
		b.WriteString(cost.Markdown(c))
		if pie := Pie(c); pie != "" {
			b.WriteString("\n" + pie)
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

func cell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

// Pie is a Mermaid pie chart of the planned monthly cost by service.
func Pie(est *cost.Estimate) string {
	by := map[string]cost.Dec{}
	for _, r := range est.Resources {
		m := cost.Dec(r.MonthlyCost)
		if m.Sign() > 0 {
			s := cost.ServiceOf(r.Type)
			by[s] = by[s].Add(m)
		}
	}
	if len(by) == 0 {
		return ""
	}
	names := make([]string, 0, len(by))
	for s := range by {
		names = append(names, s)
	}
	sort.Slice(names, func(i, j int) bool {
		if c := by[names[i]].Cmp(by[names[j]]); c != 0 {
			return c > 0
		}
		return names[i] < names[j]
	})
	var b strings.Builder
	b.WriteString("```mermaid\npie showData title Planned monthly cost by service (USD)\n")
	for _, s := range names {
		fmt.Fprintf(&b, "    %q : %s\n", s, by[s].Money())
	}
	b.WriteString("```\n")
	return b.String()
}
