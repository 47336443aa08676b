package validate

import (
	"fmt"
	"io"
	"strings"
)

// Formats a report can be written in.
var Formats = []string{"text", "json", "sarif", "junit"}

// Write renders the report in format (color applies to text only).
func Write(w io.Writer, rep *Report, format string, color bool) error {
	switch format {
	case "", "text":
		return writeText(w, rep, color)
	case "json":
		return writeJSON(w, rep)
	case "sarif":
		return writeSARIF(w, rep)
	case "junit":
		return writeJUnit(w, rep)
	}
	return fmt.Errorf("format %q is not one of %s", format, strings.Join(Formats, ", "))
}
