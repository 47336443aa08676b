package config

import (
	"fmt"
	"strings"
)

// GitHub is the github: section.
type GitHub struct {
	// BaseURL is a GitHub Enterprise Server's URL; empty = github.com.
	BaseURL string `json:"base_url,omitempty"`
	// Repos (owner/name) mutating tools may change; empty = none.
	Repos []string `json:"repos,omitempty"`
}

// finish checks that every repo is owner/name.
func (g *GitHub) finish() error {
	for _, r := range g.Repos {
		if o, n, ok := strings.Cut(r, "/"); !ok || o == "" || n == "" || strings.Contains(n, "/") {
			return fmt.Errorf("github.repos: %q is not owner/name", r)
		}
	}
	return nil
}
