package experts

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Report is a consult as a person reads it: the agreed recommendations
// first with who supports them, each expert's assessment, the servers that
// gave no context, and the actions run.
func Report(r *ConsultResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Q: %s\n", r.Question)
	if len(r.Scope) > 0 {
		fmt.Fprintf(&b, "Scope: %s\n", scopeString(r.Scope))
	}
	when := r.ConsultedAt.Format("2006-01-02 15:04:05 UTC")
	if r.Cached {
		when += " (answered from memory)"
	}
	fmt.Fprintf(&b, "Consulted %s; context from %s", when, orNone(r.Servers.Answered))
	if len(r.Servers.Restarted) > 0 {
		fmt.Fprintf(&b, " (restarted: %s)", strings.Join(r.Servers.Restarted, ", "))
	}
	b.WriteString("\n")
	for _, s := range slices.Sorted(maps.Keys(r.Servers.Failed)) {
		fmt.Fprintf(&b, "  no context from %s: %s\n", s, r.Servers.Failed[s])
	}
	answered := 0
	for _, a := range r.Answers {
		if a.Err == "" {
			answered++
		}
	}
	fmt.Fprintf(&b, "\n%d recommendations from %d of %d experts:\n", len(r.Consensus.Items), answered, len(r.Answers))
	for i, it := range r.Consensus.Items {
		fmt.Fprintf(&b, "%d. [%s] %s — %s, support %.0f%% (%s), confidence %.2f\n", i+1, it.Severity, it.Title, it.Verdict,
			it.Support*100, strings.Join(it.Supporters, ", "), it.Confidence)
		for _, why := range it.Rationales {
			fmt.Fprintf(&b, "     %s\n", why)
		}
		if len(it.Dissenters) > 0 {
			fmt.Fprintf(&b, "     not proposed by: %s\n", strings.Join(it.Dissenters, ", "))
		}
		if a := it.Action; a != nil {
			fmt.Fprintf(&b, "     action: %s %s %s\n", a.Server, a.Tool, argsString(a.Arguments))
		}
	}
	b.WriteString("\nAssessments:\n")
	for _, name := range slices.Sorted(maps.Keys(r.Consensus.Assessments)) {
		fmt.Fprintf(&b, "  %s: %s\n", name, r.Consensus.Assessments[name])
	}
	for _, name := range slices.Sorted(maps.Keys(r.Consensus.Failed)) {
		fmt.Fprintf(&b, "  %s failed: %s\n", name, r.Consensus.Failed[name])
	}
	for _, st := range r.Absent {
		fmt.Fprintf(&b, "  %s (%s) not asked: %s\n", st.Name, st.Provider, st.Why)
	}
	if len(r.Actions) > 0 {
		b.WriteString("\nActions:\n")
		for _, a := range r.Actions {
			switch {
			case !a.Ran:
				fmt.Fprintf(&b, "  %s %s: not run, %s\n", a.Server, a.Tool, a.Skipped)
			default:
				how := "ran"
				if a.DryRun {
					how = "ran as a plan or dry run"
				}
				if a.IsError {
					how += ", failed"
				}
				fmt.Fprintf(&b, "  %s %s %s:\n    %s\n", a.Server, a.Tool, how, strings.ReplaceAll(strings.TrimSpace(a.Result), "\n", "\n    "))
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "no server"
	}
	return strings.Join(s, ", ")
}

func argsString(args map[string]any) string {
	keys := slices.Sorted(maps.Keys(args))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, args[k])
	}
	return strings.Join(parts, " ")
}
