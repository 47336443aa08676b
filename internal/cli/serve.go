package cli

import (
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/ui"
	"github.com/opsmcp/opsmcp/servers"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

func newServeCmd(g *globals) *cobra.Command {
	var o mcpkit.ServeOptions
	var all bool
	var driftInterval time.Duration
	cmd := &cobra.Command{
		Use:   "serve SERVER | --all --http ADDR",
		Short: "Serve one server over stdio (default) or streamable HTTP, or every server over HTTP",
		Long: "Serve one server over stdio, or over streamable HTTP at /mcp with --http. With --all, every server\n" +
			"in one process at /deploy/mcp, /kube/mcp, /cloud/mcp, /github/mcp and /experts/mcp. Beyond loopback,\n" +
			"HTTP needs http.auth in opsmcp.yaml (tokens or JWT).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var list []*mcpkit.Server
			switch {
			case all && len(args) > 0:
				return usageErr("give a server or --all, not both")
			case all && o.Addr == "":
				return usageErr("--all serves over HTTP: give --http ADDR")
			case all:
				list = servers.All()
			case len(args) == 0:
				return usageErr("give a server (%s) or --all", strings.Join(servers.Names(), ", "))
			default:
				srv := servers.Lookup(args[0])
				if srv == nil {
					return usageErr("unknown server %q; servers: %s", args[0], strings.Join(servers.Names(), ", "))
				}
				list = []*mcpkit.Server{srv}
			}
			if o.Addr != "" {
				o.Pages = ui.Pages() // the team's page at /ui/
			}
			if driftInterval < 0 || (driftInterval > 0 && driftInterval < config.MinDriftInterval) {
				return usageErr("--drift-interval %s: at least %s", driftInterval, config.MinDriftInterval)
			}
			if slices.ContainsFunc(list, func(s *mcpkit.Server) bool { return s.Name == deploy.Name }) {
				o.Background = deploy.DriftSchedule(driftInterval, driftIssues) // drift.interval when the flag is not given
			}
			if err := mcpkit.Serve(list, g.ConfigPath, o); err != nil {
				return failErr("%v", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&all, "all", false, "serve every server, each at /NAME/mcp")
	f.StringVar(&o.Addr, "http", "", "serve streamable HTTP on this address, e.g. 127.0.0.1:8080")
	f.StringVar(&o.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM)")
	f.StringVar(&o.TLSKey, "tls-key", "", "the certificate's private key (PEM)")
	f.StringSliceVar(&o.Toolsets, "toolsets", nil, mcpkit.ToolsetsUsage)
	f.DurationVar(&driftInterval, "drift-interval", 0, "with the deploy server, check drift this often (default drift.interval; 0: never)")
	return cmd
}
