package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers"
)

func newServeCmd(g *globals) *cobra.Command {
	var httpAddr string
	cmd := &cobra.Command{
		Use:   "serve SERVER",
		Short: "Serve one server over stdio (default) or streamable HTTP",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			srv := servers.Lookup(args[0])
			if srv == nil {
				return usageErr("unknown server %q; servers: %s", args[0], strings.Join(servers.Names(), ", "))
			}
			if httpAddr != "" {
				if err := mcpkit.CheckLoopback(httpAddr); err != nil {
					return usageErr("%v", err)
				}
			}
			if err := mcpkit.Serve(srv, g.ConfigPath, httpAddr); err != nil {
				return failErr("%v", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&httpAddr, "http", "", "serve streamable HTTP at /mcp on this loopback address, e.g. 127.0.0.1:8080")
	return cmd
}
