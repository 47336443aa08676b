// Package servers lists every opsmcp server, for the CLI, docs and init.
package servers

import (
	"github.com/opsmcp/opsmcp/internal/mcpclient"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers/cloud"
	"github.com/opsmcp/opsmcp/servers/deploy"
	"github.com/opsmcp/opsmcp/servers/experts"
	"github.com/opsmcp/opsmcp/servers/github"
	"github.com/opsmcp/opsmcp/servers/kube"
)

// All returns every server, in a stable order.
func All() []*mcpkit.Server {
	return append(Gatherable(), Experts(""))
}

// Gatherable are the servers whose gather_context a consult reads.
func Gatherable() []*mcpkit.Server {
	return []*mcpkit.Server{deploy.New(), kube.New(), cloud.New(), github.New()}
}

// Experts is the experts server gathering from mcpConfig (a .mcp.json),
// else ./.mcp.json, else the servers of this install in its own process.
func Experts(mcpConfig string) *mcpkit.Server {
	return experts.New(&experts.Servers{MCPConfig: mcpConfig, Defaults: InProcess})
}

// InProcess are the gatherable servers served inside this process on rt,
// as a consult's servers when no .mcp.json names others.
func InProcess(rt *mcpkit.Runtime) []mcpclient.ServerSpec {
	var specs []mcpclient.ServerSpec
	for _, s := range Gatherable() {
		host := mcpkit.NewHost(s, rt)
		specs = append(specs, mcpclient.ServerSpec{Name: s.Name, InProcess: host.MCPServer})
	}
	return specs
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
