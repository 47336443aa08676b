// Package servers lists every opsmcp server, for the CLI, docs and init.
package servers

import (
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers/cloud"
	"github.com/opsmcp/opsmcp/servers/deploy"
	"github.com/opsmcp/opsmcp/servers/github"
	"github.com/opsmcp/opsmcp/servers/kube"
)

// All returns every server, in a stable order.
func All() []*mcpkit.Server {
	return []*mcpkit.Server{deploy.New(), kube.New(), cloud.New(), github.New()}
}

// Lookup returns the server with the given name, or nil.
func Lookup(name string) *mcpkit.Server {
	for _, s := range All() {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Names lists the server names.
func Names() []string {
	var n []string
	for _, s := range All() {
		n = append(n, s.Name)
	}
	return n
}
