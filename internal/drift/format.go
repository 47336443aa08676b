package drift

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Formats are the report's output formats.
var Formats = []string{"text", "markdown", "json"}

// Summary is the report in a few lines: totals, then each target that
// drifted or failed, and what drifted.
func Summary(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d in sync, %d drifted, %d errors", r.InSync, r.Drifted, r.Errors)
	for _, t := range r.Targets {
		switch t.Status {
		case Drifted:
			fmt.Fprintf(&b, "\n%s %s: drifted%s", t.Kind, t.Target, since(t.LastApply))
			for _, res := range t.Resources {
				fmt.Fprintf(&b, "\n  %s: %s", res.Address, what(res))
			}
		case Error:
			fmt.Fprintf(&b, "\n%s %s: error: %s", t.Kind, t.Target, t.Reason)
		}
	}
	return b.String()
}

func since(a *Apply) string {
	if a == nil {
		return ""
	}
	s := fmt.Sprintf(" since %s (%s", a.ID, a.At.UTC().Format(time.RFC3339))
	if a.By != "" {
		s += " by " + a.By
	}
	return s + ")"
}

func what(r Resource) string {
	if r.Change == Deleted {
		return "deleted outside opsmcp"
	}
	paths := make([]string, 0, len(r.Paths))
	for _, p := range r.Paths {
		if m := r.Managers[p]; m != "" {
			p += " (by " + m + ")"
		}
		paths = append(paths, p)
	}
	return "changed: " + strings.Join(paths, ", ")
}

// Write writes the report as text, markdown (a pull request comment or
// an issue's body) or json.
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "markdown":
		var b strings.Builder
		fmt.Fprintf(&b, "### Drift: %d in sync · %d drifted · %d errors\n", r.InSync, r.Drifted, r.Errors)
		if len(r.Targets) > 0 {
			b.WriteString("\n| Target | Status | Since | What |\n|---|---|---|---|\n")
		}
		for _, t := range r.Targets {
			sinceCell := "—"
			if t.LastApply != nil {
				sinceCell = "`" + t.LastApply.ID + "`"
			}
			switch t.Status {
			case InSync:
				fmt.Fprintf(&b, "| `%s` | in sync | %s | |\n", t.Target, sinceCell)
			case Error:
				fmt.Fprintf(&b, "| `%s` | **error** | %s | %s |\n", t.Target, sinceCell, cell(t.Reason))
			case Drifted:
				var items []string
				for _, res := range t.Resources {
					items = append(items, "`"+res.Address+"` "+what(res))
				}
				fmt.Fprintf(&b, "| `%s` | **drifted** | %s | %s |\n", t.Target, sinceCell, cell(strings.Join(items, "; ")))
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	case "text", "":
		_, err := io.WriteString(w, Summary(r)+"\n")
		return err
	}
	return fmt.Errorf("format %q is not one of %s", format, strings.Join(Formats, ", "))
}

func cell(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }
