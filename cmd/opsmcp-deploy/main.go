// Command opsmcp-deploy serves the deploy tools over stdio (or --http ADDR).
package main

import (
	"os"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

func main() { os.Exit(mcpkit.Main(deploy.New())) }
