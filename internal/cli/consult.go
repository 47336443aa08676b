package cli

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers"
	"github.com/opsmcp/opsmcp/servers/experts"
)

type consultOptions struct {
	scope          map[string]string
	execute, fresh bool
	json           bool
	mcpConfig      string
}

func newConsultCmd(g *globals) *cobra.Command {
	o := &consultOptions{}
	cmd := &cobra.Command{
		Use:   "consult QUESTION",
		Short: "Ask the experts a question, answered from the live context of every server",
		Long: "Gathers every server's context in parallel (the servers of --mcp-config, else ./.mcp.json, else\n" +
			"this install's, run in-process), asks the rules expert and the configured models, and prints\n" +
			"their merged recommendations with agreement and dissent. Actions run only with --execute, and then\n" +
			"only as a plan or dry run. Exit 0 when the consult completed, 1 when it failed, 2 on a usage error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(args[0]) == "" {
				return usageErr("the question is empty")
			}
			raw, _ := json.Marshal(experts.ConsultInput{Question: args[0], Scope: o.scope, Execute: o.execute, Fresh: o.fresh})
			rt, err := mcpkit.Bootstrap(cmd.Context(), g.ConfigPath, g.Stderr, slog.LevelWarn)
			if err != nil {
				return failErr("%v", err)
			}
			defer rt.Close()
			out := mcpkit.NewHost(servers.Experts(o.mcpConfig), rt).Call(cmd.Context(), "consult_experts", raw, nil)
			if out.IsError {
				if out.Usage {
					return usageErr("%s", out.Text)
				}
				return failErr("%s", out.Text)
			}
			if o.json {
				fmt.Fprintln(g.Stdout, string(out.Structured))
				return nil
			}
			fmt.Fprintln(g.Stdout, out.Text)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringToStringVar(&o.scope, "scope", nil, "what the question is about, as key=value: workspace=./infra,namespace=prod,repo=org/app")
	f.BoolVar(&o.execute, "execute", false, "run the agreed actions, each as a plan or dry run")
	f.BoolVar(&o.fresh, "fresh", false, "ask again even when memory holds an answer to the same question")
	f.BoolVar(&o.json, "json", false, "print the whole consult as JSON")
	f.StringVar(&o.mcpConfig, "mcp-config", "", "the servers to gather from, in .mcp.json's format (default ./.mcp.json, else this install's)")
	return cmd
}
