package clientsetup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tailscale/hujson"
)

// FileError is a client file opsmcp cannot merge into: not the format the
// client reads, or its servers key holding something else than servers.
type FileError struct {
	Path, Reason string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s: %s; nothing was written (fix the file, or move it away and run init again)", e.Path, e.Reason)
}

// Merge returns the client's file with opsmcp's servers in it: each
// replaced or added, opsmcp servers no longer offered removed, and the
// rest of the file — other servers, settings, comments, order — as it
// was. existing is empty for a new file.
func (c Client) Merge(path string, existing []byte, servers []Server) ([]byte, error) {
	entries := map[string]entry{}
	for _, s := range servers {
		entries[s.Name] = c.format.entry(s)
	}
	if c.format.toml {
		return mergeTOML(path, existing, c.format.key, sortedNames(servers), entries)
	}
	return mergeJSON(path, existing, c.format.key, sortedNames(servers), entries)
}

// mergeJSON edits a JSON file — JSON with comments and trailing commas
// too, as VS Code, Zed and Gemini CLI read theirs — in place with RFC 6902
// patches, so nothing else in it changes, comments included; new members
// are indented as the file's own.
func mergeJSON(path string, existing []byte, key string, order []Server, entries map[string]entry) ([]byte, error) {
	if len(bytes.TrimSpace(existing)) == 0 {
		b, err := json.MarshalIndent(map[string]any{key: entries}, "", "  ")
		return append(b, '\n'), err
	}
	root, err := hujson.Parse(existing)
	if err != nil {
		return nil, &FileError{path, "not JSON: " + err.Error()}
	}
	if _, ok := root.Value.(*hujson.Object); !ok {
		return nil, &FileError{path, "not a JSON object"}
	}
	unit := indentUnit(existing)
	ptr := "/" + pointerEscape(key)
	var ops []map[string]any
	servers := root.Find(ptr)
	created := servers == nil
	if created {
		ops = append(ops, map[string]any{"op": "add", "path": ptr, "value": map[string]any{}})
	} else if obj, ok := servers.Value.(*hujson.Object); !ok {
		return nil, &FileError{path, fmt.Sprintf("%q is not an object of servers", key)}
	} else {
		removeRetired(obj, entries)
	}
	for _, s := range order {
		ops = append(ops, map[string]any{"op": "add", "path": ptr + "/" + pointerEscape(s.Name), "value": entries[s.Name]})
	}
	patch, err := json.Marshal(ops)
	if err != nil {
		return nil, err
	}
	if err := root.Patch(patch); err != nil {
		return nil, &FileError{path, err.Error()}
	}
	// Lay out what was added as the file lays out its own members.
	top := root.Value.(*hujson.Object)
	for i := range top.Members {
		m := &top.Members[i]
		if memberName(*m) != key {
			continue
		}
		if created {
			m.Name.BeforeExtra = onLine(m.Name.BeforeExtra, unit)
			top.AfterExtra = onLine(top.AfterExtra, "")
		}
		obj := m.Value.Value.(*hujson.Object)
		for j := range obj.Members {
			om := &obj.Members[j]
			n := memberName(*om)
			if _, added := entries[n]; !added {
				continue
			}
			om.Name.BeforeExtra = onLine(om.Name.BeforeExtra, unit+unit)
			om.Value.BeforeExtra = hujson.Extra(" ")
			b, _ := json.MarshalIndent(entries[n], unit+unit, unit)
			v, err := hujson.Parse(b)
			if err != nil {
				return nil, err
			}
			om.Value.Value = v.Value
		}
		obj.AfterExtra = onLine(obj.AfterExtra, unit)
	}
	out := root.Pack()
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	return out, nil
}

// removeRetired takes out opsmcp servers no longer offered. A comment
// before one is the previous line's (a trailing comment after its comma):
// it moves to what follows, so no comment of the user's is lost.
func removeRetired(obj *hujson.Object, entries map[string]entry) {
	var kept []hujson.ObjectMember
	var carried hujson.Extra
	for _, m := range obj.Members {
		name := memberName(m)
		if _, offered := entries[name]; ours(name) && !offered {
			if comment := bytes.TrimRight(m.Name.BeforeExtra, " \t\n"); len(bytes.TrimSpace(comment)) > 0 {
				carried = append(carried, comment...)
			}
			continue
		}
		if len(carried) > 0 {
			m.Name.BeforeExtra = append(carried, m.Name.BeforeExtra...)
			carried = nil
		}
		kept = append(kept, m)
	}
	if len(carried) > 0 {
		obj.AfterExtra = append(carried, obj.AfterExtra...)
	}
	obj.Members = kept
}

// memberName is an object member's name, unquoted.
func memberName(m hujson.ObjectMember) string {
	var name string
	if lit, ok := m.Name.Value.(hujson.Literal); ok {
		json.Unmarshal(lit, &name)
	}
	return name
}

// onLine lays out what comes before a member or a closing brace: its own
// line at indent, after any comment the user wrote there.
func onLine(e hujson.Extra, indent string) hujson.Extra {
	comment := bytes.TrimRight(e, " \t\r\n")
	if len(bytes.TrimSpace(comment)) == 0 {
		comment = nil
	}
	return append(append(hujson.Extra(nil), comment...), "\n"+indent...)
}

// indentUnit is the file's indentation: the leading whitespace of its
// first indented line, two spaces when it has none.
func indentUnit(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed != "" && len(trimmed) < len(line) {
			return line[:len(line)-len(trimmed)]
		}
	}
	return "  "
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
