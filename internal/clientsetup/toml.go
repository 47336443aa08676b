package clientsetup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// ourTable matches the header of a table opsmcp writes into a TOML file
// ([mcp_servers.opsmcp-deploy], quoted or not, and its sub-tables).
var ourTable = regexp.MustCompile(`^\s*\[\s*mcp_servers\s*\.\s*"?opsmcp-[A-Za-z0-9_\-]+"?\s*(\.[^\]]*)?\]\s*(#.*)?$`)

var anyTable = regexp.MustCompile(`^\s*\[`)

const tomlMarker = "# opsmcp servers, written by `opsmcp init` (run it again to update them)"

// mergeTOML edits Codex's config.toml as text, since a TOML encoder would
// drop the user's comments and layout: opsmcp's own tables are taken out
// and written again at the end; the file is parsed before and after, so
// what is written is TOML with every server in it.
func mergeTOML(path string, existing []byte, key string, order []Server, entries map[string]entry) ([]byte, error) {
	var before map[string]any
	if err := toml.Unmarshal(existing, &before); err != nil {
		return nil, &FileError{path, "not TOML: " + err.Error()}
	}
	var kept []string
	skipping := false
	for _, line := range strings.Split(string(existing), "\n") {
		switch {
		case ourTable.MatchString(line):
			skipping = true
			continue
		case anyTable.MatchString(line):
			skipping = false
		case strings.TrimSpace(line) == tomlMarker:
			continue
		}
		if !skipping {
			kept = append(kept, line)
		}
	}
	var b bytes.Buffer
	b.WriteString(strings.TrimRight(strings.Join(kept, "\n"), "\n"))
	if b.Len() > 0 {
		b.WriteString("\n\n")
	}
	b.WriteString(tomlMarker + "\n")
	for i, s := range order {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[%s.%s]\n", key, s.Name)
		e := entries[s.Name]
		fmt.Fprintf(&b, "command = %s\n", tomlString(e.Command))
		args := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			args = append(args, tomlString(a))
		}
		fmt.Fprintf(&b, "args = [%s]\n", strings.Join(args, ", "))
	}
	var after map[string]any
	if err := toml.Unmarshal(b.Bytes(), &after); err != nil {
		// opsmcp's servers are defined elsewhere in another form (inline or dotted keys).
		return nil, &FileError{path, "opsmcp's servers cannot be added: " + err.Error()}
	}
	return b.Bytes(), nil
}

// tomlString quotes s as a TOML basic string: JSON's string escapes are
// TOML's (Go writes non-BMP characters as UTF-8, never as surrogates).
func tomlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
