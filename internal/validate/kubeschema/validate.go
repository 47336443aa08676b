package kubeschema

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Problem kinds, as finding rule ids.
const (
	UnknownField = "schema-unknown-field"
	WrongType    = "schema-type"
	Required     = "schema-required"
	NotInEnum    = "schema-enum"
	BadFormat    = "schema-format"
	DuplicateKey = "duplicate-key"
)

// Problem is one schema violation at a node.
type Problem struct {
	Kind    string
	Path    string
	Line    int
	Column  int
	Message string
}

// ScalarKind is how kubectl's YAML reading (YAML 1.1, through
// sigs.k8s.io/yaml) types a scalar: null, bool, int, float or string.
func ScalarKind(n *yaml.Node) string {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return "string"
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!bool":
		return "bool"
	case "!!int":
		return "int"
	case "!!float":
		return "float"
	case "!!str":
		// YAML 1.1 booleans that YAML 1.2 (yaml.v3) reads as strings.
		switch n.Value {
		case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF":
			return "bool"
		}
	}
	return "string"
}

// Validator walks a document against a schema.
type Validator struct {
	Strict   bool // unknown fields are errors (the apiserver's fieldValidation=Strict)
	problems []Problem
	budget   int // nodes left to visit: bounds alias expansion
}

// Validate checks the document node n (a mapping) against s.
func (v *Validator) Validate(s *Schema, n *yaml.Node) []Problem {
	v.problems = nil
	v.budget = 1_000_000
	v.walk(s, n, nil, false)
	return v.problems
}

func (v *Validator) add(kind string, n *yaml.Node, path []string, format string, a ...any) {
	v.problems = append(v.problems, Problem{Kind: kind, Path: JoinPath(path), Line: n.Line, Column: n.Column, Message: fmt.Sprintf(format, a...)})
}

// JoinPath renders a path as the apiserver does: spec.containers[0].image.
func JoinPath(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if strings.HasPrefix(p, "[") {
			b.WriteString(p)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// Resolve follows aliases.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func (v *Validator) walk(s *Schema, n *yaml.Node, path []string, inStatus bool) {
	if v.budget--; v.budget < 0 {
		if v.budget == -1 {
			v.add(WrongType, n, path, "the document is too large or expands too many aliases to validate")
		}
		return
	}
	n = Resolve(n)
	if n == nil || s == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && ScalarKind(n) == "null" {
		return // null is "unset" to the apiserver
	}
	if s.PreserveUnknown && s.Type == "" {
		return
	}
	switch {
	case s.Quantity:
		v.quantity(n, path)
		return
	case s.IntOrString:
		if n.Kind != yaml.ScalarNode || (ScalarKind(n) != "int" && ScalarKind(n) != "string") {
			v.add(WrongType, n, path, "%s: must be an integer or a string", JoinPath(path))
		}
		return
	}
	switch s.Type {
	case "object":
		if n.Kind != yaml.MappingNode {
			v.add(WrongType, n, path, "%s: must be an object, got %s", orRoot(path), describe(n))
			return
		}
		v.object(s, n, path, inStatus)
	case "array":
		if n.Kind != yaml.SequenceNode {
			v.add(WrongType, n, path, "%s: must be a list, got %s", JoinPath(path), describe(n))
			return
		}
		for i, item := range n.Content {
			v.walk(s.Items, item, append(path, "["+strconv.Itoa(i)+"]"), inStatus)
		}
	case "string":
		if n.Kind != yaml.ScalarNode || ScalarKind(n) != "string" {
			v.add(WrongType, n, path, "%s: must be a string, got %s (quote it)", JoinPath(path), describe(n))
			return
		}
		v.stringFormat(s, n, path)
	case "integer":
		if n.Kind != yaml.ScalarNode || ScalarKind(n) != "int" {
			v.add(WrongType, n, path, "%s: must be an integer, got %s", JoinPath(path), describe(n))
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil {
			v.add(WrongType, n, path, "%s: %q is not a 64-bit integer", JoinPath(path), n.Value)
		} else if s.Format == "int32" && (i < math.MinInt32 || i > math.MaxInt32) {
			v.add(WrongType, n, path, "%s: %d does not fit a 32-bit integer", JoinPath(path), i)
		}
	case "number":
		if k := ScalarKind(n); n.Kind != yaml.ScalarNode || (k != "int" && k != "float") {
			v.add(WrongType, n, path, "%s: must be a number, got %s", JoinPath(path), describe(n))
		}
	case "boolean":
		if n.Kind != yaml.ScalarNode || ScalarKind(n) != "bool" {
			v.add(WrongType, n, path, "%s: must be true or false, got %s", JoinPath(path), describe(n))
		}
	}
}

func orRoot(path []string) string {
	if len(path) == 0 {
		return "the document"
	}
	return JoinPath(path)
}

func (v *Validator) object(s *Schema, n *yaml.Node, path []string, inStatus bool) {
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := Resolve(n.Content[i]), n.Content[i+1]
		key := k.Value
		if seen[key] {
			v.add(DuplicateKey, k, path, "%s: field %q is given twice", orRoot(path), key)
			continue
		}
		seen[key] = true
		child := append(slices.Clip(path), key)
		if p, ok := s.Properties[key]; ok {
			v.walk(p, val, child, inStatus || (len(path) == 0 && key == "status"))
			continue
		}
		if s.Additional != nil {
			v.walk(s.Additional, val, child, inStatus)
			continue
		}
		if s.PreserveUnknown {
			continue
		}
		if v.Strict {
			v.add(UnknownField, k, path, "%s: unknown field %q", orRoot(path), key)
		}
	}
	if inStatus {
		return
	}
	for _, r := range s.Required {
		if !seen[r] || isNull(lookup(n, r)) {
			v.add(Required, n, path, "%s: required field %q is missing", orRoot(path), r)
		}
	}
}

func lookup(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return Resolve(n.Content[i+1])
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && ScalarKind(n) == "null")
}

func (v *Validator) stringFormat(s *Schema, n *yaml.Node, path []string) {
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, n.Value) {
		v.add(NotInEnum, n, path, "%s: unsupported value; supported values: %s", JoinPath(path), strings.Join(quoteAll(s.Enum), ", "))
	}
	switch s.Format {
	case "byte":
		if _, err := base64.StdEncoding.DecodeString(n.Value); err != nil {
			v.add(BadFormat, n, path, "%s: not valid base64 (use stringData for plain text)", JoinPath(path))
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339, n.Value); err != nil {
			v.add(BadFormat, n, path, "%s: not an RFC 3339 time", JoinPath(path))
		}
	}
}

func (v *Validator) quantity(n *yaml.Node, path []string) {
	k := ScalarKind(n)
	if n.Kind != yaml.ScalarNode || (k != "string" && k != "int" && k != "float") {
		v.add(WrongType, n, path, "%s: must be a quantity such as 500m or 1Gi, got %s", JoinPath(path), describe(n))
		return
	}
	if _, err := resource.ParseQuantity(n.Value); err != nil {
		v.add(BadFormat, n, path, "%s: %q is not a quantity (such as 500m, 2, 1Gi)", JoinPath(path), n.Value)
	}
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strconv.Quote(x)
	}
	return out
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	}
	// The kind, never the value: a finding may not echo what a file holds.
	switch ScalarKind(n) {
	case "bool":
		return "a boolean"
	case "int", "float":
		return "a number"
	case "null":
		return "null"
	}
	return "a string"
}
