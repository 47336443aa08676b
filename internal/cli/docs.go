package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers"
)

func newDocsCmd(g *globals) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:    "docs [README.md]",
		Short:  "Regenerate the tool tables in README.md from the tool definitions",
		Hidden: true,
		Args:   cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "README.md"
			if len(args) == 1 {
				path = args[0]
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return failErr("%v", err)
			}
			out, err := mcpkit.ReplaceToolDocs(string(b), servers.All())
			if err != nil {
				return failErr("%s: %v", path, err)
			}
			if check {
				if out != string(b) {
					return failErr("%s: the tool tables are stale; run `make docs`", path)
				}
				return nil
			}
			return os.WriteFile(path, []byte(out), 0o644)
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "fail if the tables are stale instead of writing them")
	return cmd
}
