package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Tools is the tools: section.
type Tools struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
	// Toolsets are the groups of tools listed and callable (Toolsets
	// names, "all", or "default"); unset means DefaultToolsets.
	Toolsets []string `json:"toolsets,omitempty"`
}

// Toolsets are the groups every tool belongs to, for tools.toolsets and
// --toolsets.
var Toolsets = []string{"terraform", "kubernetes", "helm", "validate", "cost", "aws", "gcp", "github", "memory", "experts"}

// DefaultToolsets keep an agent's context to what deployment work needs
// every day; Helm, cloud inventory and GitHub (the last two need
// credentials of their own) are asked for by name.
var DefaultToolsets = []string{"terraform", "kubernetes", "validate", "cost", "memory", "experts"}

// ToolsetContext is every server's gather_context: always on, since the
// orchestrator and an agent's first look read through it.
const ToolsetContext = "context"

// ParseToolsets checks and expands a list of toolsets: names of Toolsets,
// "all" and "default" (comma-separated entries are split, so a flag's
// value reads the same).
func ParseToolsets(list []string) ([]string, error) {
	var out []string
	add := func(names ...string) {
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	for _, entry := range list {
		for _, n := range strings.Split(entry, ",") {
			switch n = strings.TrimSpace(n); {
			case n == "all":
				add(Toolsets...)
			case n == "default":
				add(DefaultToolsets...)
			case slices.Contains(Toolsets, n):
				add(n)
			default:
				return nil, fmt.Errorf("toolset %q is not one of %s, all, default", n, strings.Join(Toolsets, ", "))
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("tools.toolsets is empty: name at least one toolset (or leave it out for the default set)")
	}
	return out, nil
}

// ToolsetOn reports whether tools of a toolset are listed and callable.
func (t Tools) ToolsetOn(name string) bool {
	if name == ToolsetContext {
		return true
	}
	if t.Toolsets == nil {
		return slices.Contains(DefaultToolsets, name)
	}
	return slices.Contains(t.Toolsets, name)
}

func (t *Tools) finish() error {
	if t.Toolsets == nil {
		return nil
	}
	sets, err := ParseToolsets(t.Toolsets)
	if err != nil {
		return fmt.Errorf("tools.toolsets: %w", err)
	}
	t.Toolsets = sets
	return nil
}

// Cache is the cache: section: the response cache of read-only tools.
type Cache struct {
	MaxEntries int                 `json:"max_entries,omitempty"` // per process; default 1024
	TTL        map[string]Duration `json:"ttl,omitempty"`         // per tool; "0s" turns caching off
}

func (c *Cache) finish() error {
	if c.MaxEntries < 0 {
		return errors.New("cache.max_entries must be positive")
	}
	return nil
}
