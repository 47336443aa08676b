package validate

import (
	"fmt"
	"slices"
	"strings"
)

// Rule is a check with an id users can enable or disable. Schema and
// apiserver checks are rules too, so every finding names one.
type Rule struct {
	ID       string
	Type     string // kubernetes, docker, compose, terraform
	Severity Severity
	Summary  string
	// Rationale says why the rule exists (generated into the docs).
	Rationale string
	// Off rules run only when enabled.
	Off bool
	// Always rules cannot be disabled: without them a broken file would
	// pass (a syntax error, a document that is no object).
	Always bool
}

var registry = map[string]*Rule{}

func register(rules ...*Rule) {
	for _, r := range rules {
		if _, dup := registry[r.ID]; dup {
			panic("validate: rule registered twice: " + r.ID)
		}
		registry[r.ID] = r
	}
}

// registerType registers rules of one type; a rule without a severity gets def.
func registerType(typ string, def Severity, rules ...*Rule) {
	for _, r := range rules {
		r.Type = typ
		if r.Severity == "" {
			r.Severity = def
		}
		register(r)
	}
}

// Rules lists every rule, sorted by id.
func Rules() []*Rule {
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// RuleSet is which rules run.
type RuleSet struct {
	Enable  []string `json:"enable,omitempty"`
	Disable []string `json:"disable,omitempty"`
}

// UnknownRuleError names a rule id no validator has (a usage error).
type UnknownRuleError struct{ ID string }

func (e *UnknownRuleError) Error() string {
	return fmt.Sprintf("unknown rule %q (opsmcp validate --list-rules lists them)", e.ID)
}

// check refuses unknown rule ids, naming them.
func (s RuleSet) check() error {
	for _, id := range append(slices.Clone(s.Enable), s.Disable...) {
		if _, ok := registry[id]; !ok {
			return &UnknownRuleError{ID: id}
		}
	}
	for _, id := range s.Disable {
		if registry[id].Always {
			return fmt.Errorf("rule %q cannot be disabled: a file that fails it cannot be checked at all", id)
		}
	}
	return nil
}

func (s RuleSet) on(r *Rule) bool {
	if slices.Contains(s.Disable, r.ID) {
		return false
	}
	return !r.Off || slices.Contains(s.Enable, r.ID)
}
