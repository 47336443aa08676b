package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/cli/clibase"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers"
)

type callOptions struct {
	server, tool string
	argsJSON     string
	pairs        []string
	asJSON       bool
}

func newCallCmd(g *globals) *cobra.Command {
	o := &callOptions{}
	cmd := &cobra.Command{
		Use:   "call SERVER TOOL [key=value ...]",
		Short: "Run a tool in-process under the same policy as the MCP server",
		Long: "Run a tool in-process under the same policy as the MCP server.\n" +
			"Arguments come from --args (a JSON object) and key=value pairs; a value is taken as JSON\n" +
			"(true, 3, [\"a\"]) unless the tool expects a string. Exit 0 on success, 1 on a tool error,\n" +
			"2 on a usage error.",
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.server, o.tool, o.pairs = args[0], args[1], args[2:]
			return runCall(cmd.Context(), g, o)
		},
	}
	cmd.Flags().StringVar(&o.argsJSON, "args", "", "tool arguments as a JSON object")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the structured result as JSON on stdout")
	return cmd
}

func runCall(ctx context.Context, g *globals, o *callOptions) error {
	srv := servers.Lookup(o.server)
	if srv == nil {
		return usageErr("unknown server %q; servers: %s", o.server, strings.Join(servers.Names(), ", "))
	}
	var tool *mcpkit.Tool
	for i := range srv.Tools {
		if srv.Tools[i].Name == o.tool {
			tool = &srv.Tools[i]
		}
	}
	if tool == nil {
		var names []string
		for _, t := range srv.Tools {
			names = append(names, t.Name)
		}
		return usageErr("server %s has no tool %q; tools: %s", o.server, o.tool, strings.Join(names, ", "))
	}
	args, err := buildArgs(tool, o.argsJSON, o.pairs)
	if err != nil {
		return usageErr("%v", err)
	}
	rt, err := mcpkit.Bootstrap(ctx, g.ConfigPath, g.Stderr, slog.LevelWarn)
	if err != nil {
		return failErr("%v", err)
	}
	defer rt.Close()
	h := mcpkit.NewHost(srv, rt)
	var progress mcpkit.ProgressFunc
	if isTerminal(g.Stderr) {
		progress = terminalProgress(g.Stderr)
	}
	out := h.Call(ctx, o.tool, args, progress)
	if out.IsError && out.Structured == nil {
		if out.Usage {
			return usageErr("%s", out.Text)
		}
		return failErr("%s", out.Text)
	}
	if o.asJSON {
		if err := clibase.WriteIndented(g.Stdout, out.Structured); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(g.Stdout, out.Text)
	}
	if out.IsError {
		// The operation ran and reported in full above, but did not succeed.
		return failErr("%s: the operation did not succeed", o.tool)
	}
	return nil
}

// buildArgs merges --args and key=value pairs into one JSON object.
func buildArgs(t *mcpkit.Tool, argsJSON string, pairs []string) (json.RawMessage, error) {
	args := map[string]any{}
	if strings.TrimSpace(argsJSON) != "" {
		if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
			return nil, fmt.Errorf("--args must be a JSON object: %v", err)
		}
	}
	var schema struct {
		Properties map[string]struct {
			Type string `json:"type"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(t.InputSchema, &schema)
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("argument %q is not key=value", p)
		}
		if schema.Properties[k].Type == "string" {
			args[k] = v
			continue
		}
		var parsed any
		if err := json.Unmarshal([]byte(v), &parsed); err != nil {
			parsed = v // the tool says what type it wanted
		}
		args[k] = parsed
	}
	return json.Marshal(args)
}

// terminalProgress prints each progress step on its own line on stderr.
func terminalProgress(w io.Writer) mcpkit.ProgressFunc {
	return func(done, total float64, msg string) {
		if msg == "" {
			return
		}
		if total > 0 {
			fmt.Fprintf(w, "  [%d/%d] %s\n", int(done), int(total), msg)
			return
		}
		fmt.Fprintf(w, "  … %s\n", msg)
	}
}
