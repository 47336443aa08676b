package config

import (
	"fmt"
	"slices"
	"strings"
)

// Expert is one entry of the experts: section.
type Expert struct {
	Name string `json:"name"`
	// Provider is anthropic, openai, openai-compatible or ollama.
	Provider string `json:"provider"`
	Model    string `json:"model"`
	// BaseURL replaces the provider's API address (required for
	// openai-compatible; ollama defaults to $OLLAMA_HOST, else 127.0.0.1:11434).
	BaseURL string `json:"base_url,omitempty"`
	// APIKeyEnv names the variable holding the key (default ANTHROPIC_API_KEY,
	// OPENAI_API_KEY); the key itself is never in the file.
	APIKeyEnv string   `json:"api_key_env,omitempty"`
	Weight    float64  `json:"weight,omitempty"`  // default 1
	Timeout   Duration `json:"timeout,omitempty"` // default 60s
}

// ExpertProviders are the provider names experts: accepts.
var ExpertProviders = []string{"anthropic", "openai", "openai-compatible", "ollama"}

// checkExperts: every expert is named once, with a known provider and a
// model.
func checkExperts(experts []Expert) error {
	names := map[string]bool{"rules": true}
	for i, e := range experts {
		switch {
		case e.Name == "":
			return fmt.Errorf("experts[%d] has no name", i)
		case names[e.Name]:
			return fmt.Errorf("experts[%d]: the name %q is taken (rules is the built-in expert)", i, e.Name)
		case !slices.Contains(ExpertProviders, e.Provider):
			return fmt.Errorf("experts[%d] %s: provider %q is not one of %s", i, e.Name, e.Provider, strings.Join(ExpertProviders, ", "))
		case e.Model == "":
			return fmt.Errorf("experts[%d] %s has no model", i, e.Name)
		case e.Provider == "openai-compatible" && e.BaseURL == "":
			return fmt.Errorf("experts[%d] %s: openai-compatible needs base_url (the server's /v1 address)", i, e.Name)
		case e.Weight < 0:
			return fmt.Errorf("experts[%d] %s: weight must not be negative", i, e.Name)
		}
		names[e.Name] = true
	}
	return nil
}
