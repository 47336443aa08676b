// Command opsmcp-experts serves the orchestrator over stdio (or --http
// ADDR): consult_experts, gather_context of every server, and memory.
package main

import (
	"os"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers"
)

func main() { os.Exit(mcpkit.Main(servers.Experts(""))) }
