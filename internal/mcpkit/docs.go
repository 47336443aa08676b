package mcpkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Markers delimit the generated tool tables in README.md.
const (
	DocsBegin = "<!-- BEGIN GENERATED TOOLS (make docs) -->"
	DocsEnd   = "<!-- END GENERATED TOOLS -->"
)

// ToolDocs renders the tool tables of the given servers as Markdown.
func ToolDocs(servers []*Server) string {
	var b strings.Builder
	for _, s := range servers {
		fmt.Fprintf(&b, "\n### opsmcp-%s\n\n", s.Name)
		b.WriteString("| Tool | Toolset | What it does | Arguments | read-only | destructive | idempotent | open-world |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|\n")
		for i := range s.Tools {
			t := &s.Tools[i]
			a := t.Annotations
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", t.Name, t.Toolset, escapeCell(t.Description),
				argsCell(t.InputSchema), yn(a.ReadOnly), yn(a.Destructive), yn(a.Idempotent), yn(a.OpenWorld))
		}
	}
	return b.String()
}

// ReplaceToolDocs returns doc with the section between the markers replaced.
func ReplaceToolDocs(doc string, servers []*Server) (string, error) {
	i := strings.Index(doc, DocsBegin)
	j := strings.Index(doc, DocsEnd)
	if i < 0 || j < i {
		return "", errors.New("README has no generated tools section (markers " + DocsBegin + " ... " + DocsEnd + ")")
	}
	return doc[:i+len(DocsBegin)] + "\n" + ToolDocs(servers) + "\n" + doc[j:], nil
}

func argsCell(schema json.RawMessage) string {
	var s struct {
		Properties map[string]struct {
			Type    string `json:"type"`
			Default any    `json:"default"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	_ = json.Unmarshal(schema, &s)
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	var parts []string
	for _, n := range names {
		p := s.Properties[n]
		part := fmt.Sprintf("`%s`", n)
		if req[n] {
			part += "*"
		}
		if p.Default != nil {
			part += fmt.Sprintf(" (%v)", p.Default)
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

func yn(b *bool) string {
	if b != nil && *b {
		return "yes"
	}
	return "no"
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
