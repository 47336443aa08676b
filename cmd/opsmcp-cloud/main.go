// Command opsmcp-cloud serves the AWS and Google Cloud tools over stdio (or --http ADDR).
package main

import (
	"os"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers/cloud"
)

func main() { os.Exit(mcpkit.Main(cloud.New())) }
