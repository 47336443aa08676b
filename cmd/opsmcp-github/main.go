// Command opsmcp-github serves the GitHub tools over stdio (or --http ADDR).
package main

import (
	"os"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers/github"
)

func main() { os.Exit(mcpkit.Main(github.New())) }
