package validate

import (
	"fmt"
	"io"
	"strings"
)

// Text is the human report: one line per finding, then a summary line.
func Text(rep *Report, color bool) string {
	var b strings.Builder
	writeText(&b, rep, color)
	return b.String()
}

func writeText(w io.Writer, rep *Report, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	// One buffer reused per line: a report of any size is written without
	// being held in memory.
	var line []byte
	for _, f := range rep.Findings {
		if f.Suppressed.Kind != "" {
			continue // counted below; JSON and SARIF list them
		}
		line = append(line[:0], f.File...)
		if f.Line > 0 {
			line = fmt.Appendf(line, ":%d", f.Line)
			if f.Column > 0 {
				line = fmt.Appendf(line, ":%d", f.Column)
			}
		}
		sev := string(f.Severity)
		switch f.Severity {
		case SeverityError:
			sev = paint("31;1", sev)
		case SeverityWarning:
			sev = paint("33", sev)
		default:
			sev = paint("36", sev)
		}
		line = fmt.Appendf(line, ": %s [%s] %s", sev, f.Rule, f.Message)
		switch {
		case f.Resource != "" && f.Via != "":
			line = fmt.Appendf(line, " (%s, via %s)", f.Resource, f.Via)
		case f.Resource != "":
			line = fmt.Appendf(line, " (%s)", f.Resource)
		case f.Via != "":
			line = fmt.Appendf(line, " (via %s)", f.Via)
		}
		if f.Hint != "" {
			line = fmt.Appendf(line, "\n    hint: %s", f.Hint)
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	verdict := paint("32;1", "valid")
	if !rep.Valid {
		verdict = paint("31;1", "INVALID")
	}
	suppressed := ""
	if rep.Suppressed > 0 {
		suppressed = fmt.Sprintf(", %d suppressed", rep.Suppressed)
	}
	_, err := fmt.Fprintf(w, "%s: %d files, %d resources; %d errors, %d warnings, %d info%s\n", verdict, rep.Files, rep.Resources, rep.Errors, rep.Warnings, rep.Infos, suppressed)
	return err
}
