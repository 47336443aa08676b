// Package validate checks deployment configuration — Kubernetes manifests,
// Dockerfiles and compose files, Terraform — and reports findings as values
// that validate_deployment, `opsmcp validate` and the report formats share.
package validate

import (
	"cmp"
	"slices"
)

// Severity of a finding.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// AtLeast reports whether s is as severe as min or more.
func (s Severity) AtLeast(min Severity) bool { return s.rank() <= min.rank() }

// Finding is one problem, where it is, and how to fix it.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Resource string   `json:"resource,omitempty"` // Kind/namespace/name, or a Terraform address
	Hint     string   `json:"hint,omitempty"`
	// Via names what produced the object from the file: "helm chart
	// charts/web (release web)", "kustomize overlays/prod".
	Via string `json:"via,omitempty"`
	// Suppressed, when set, says who decided the finding does not count
	// and why; it stays in the report but out of the counts.
	Suppressed Suppression `json:"suppressed,omitzero"`
}

// Report is the result of a validation run.
type Report struct {
	Valid     bool `json:"valid"`
	Errors    int  `json:"errors"`
	Warnings  int  `json:"warnings"`
	Infos     int  `json:"infos"`
	Files     int  `json:"files"`
	Resources int  `json:"resources"`
	// Suppressed counts findings an annotation, a comment or the baseline
	// suppressed (they are in Findings, not in the other counts).
	Suppressed int       `json:"suppressed"`
	Findings   []Finding `json:"findings"`

	strict bool // as finished; ApplyBaseline counts again under it
}

// ApplyBaseline suppresses the findings b holds (the CLI's
// --write-baseline, applied to the run that wrote it) and counts again.
func (r *Report) ApplyBaseline(b *Baseline, unsuppressible []string) {
	b.apply(r, unsuppressible)
	r.finish(r.strict)
}

// finish sorts the findings (file, line, column, rule, message: the same
// input gives byte-identical output), counts them and decides validity:
// no errors, and with strict no warnings either.
func (r *Report) finish(strict bool) {
	slices.SortFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message), cmp.Compare(a.Resource, b.Resource))
	})
	r.Findings = slices.Compact(r.Findings)
	r.Errors, r.Warnings, r.Infos, r.Suppressed = 0, 0, 0, 0
	for _, f := range r.Findings {
		if f.Suppressed.Kind != "" {
			r.Suppressed++
			continue
		}
		switch f.Severity {
		case SeverityError:
			r.Errors++
		case SeverityWarning:
			r.Warnings++
		default:
			r.Infos++
		}
	}
	r.strict = strict
	r.Valid = r.Errors == 0 && (!strict || r.Warnings == 0)
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
}

// Worst is the most severe finding's severity, or "" when there is none.
func (r *Report) Worst() Severity {
	switch {
	case r.Errors > 0:
		return SeverityError
	case r.Warnings > 0:
		return SeverityWarning
	case r.Infos > 0:
		return SeverityInfo
	}
	return ""
}
