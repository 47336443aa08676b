// Command opsmcp-kube serves the Kubernetes tools over stdio (or --http ADDR).
package main

import (
	"os"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers/kube"
)

func main() { os.Exit(mcpkit.Main(kube.New())) }
