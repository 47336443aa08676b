// Package gather is what a gathering of context returns: every server's
// gather_context result, by server name, and why a server could not
// answer. The MCP client pool (internal/mcpclient) fills it in; the
// orchestrator and its rules expert (internal/experts) read it.
package gather

import "encoding/json"

// Gathered is every server's gather_context result, by server name
// (deploy, kube, cloud, github), and why a server could not answer.
type Gathered struct {
	Results map[string]json.RawMessage `json:"results"`
	Errors  map[string]string          `json:"errors,omitempty"`
	// Restarted are servers whose process was restarted to answer.
	Restarted []string `json:"restarted,omitempty"`
}
