package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/servers"
)

type toolInfo struct {
	Server       string          `json:"server"`
	Name         string          `json:"name"`
	Toolset      string          `json:"toolset"`
	Description  string          `json:"description"`
	ReadOnly     bool            `json:"readOnlyHint"`
	Destructive  bool            `json:"destructiveHint"`
	Idempotent   bool            `json:"idempotentHint"`
	OpenWorld    bool            `json:"openWorldHint"`
	InputSchema  json.RawMessage `json:"inputSchema"`
	OutputSchema json.RawMessage `json:"outputSchema"`
}

func newToolsCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tools",
		Short: "List every tool of every server with its annotations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var list []toolInfo
			for _, s := range servers.All() {
				for i := range s.Tools {
					t := &s.Tools[i]
					a := t.Annotations
					list = append(list, toolInfo{Server: s.Name, Name: t.Name, Toolset: t.Toolset, Description: t.Description,
						ReadOnly: *a.ReadOnly, Destructive: *a.Destructive, Idempotent: *a.Idempotent, OpenWorld: *a.OpenWorld,
						InputSchema: t.InputSchema, OutputSchema: t.OutputSchema})
				}
			}
			if asJSON {
				return printJSON(g.Stdout, list)
			}
			tw := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SERVER\tTOOL\tTOOLSET\tREAD-ONLY\tDESTRUCTIVE\tIDEMPOTENT\tOPEN-WORLD\tDESCRIPTION")
			for _, t := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Server, t.Name, t.Toolset, yesNo(t.ReadOnly), yesNo(t.Destructive),
					yesNo(t.Idempotent), yesNo(t.OpenWorld), t.Description)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON, with input and output schemas")
	return cmd
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
