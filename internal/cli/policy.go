package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/policy"
)

func newPolicyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Policies as code (Rego): run their own tests",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "test DIR...",
		Short: "Run the policies' Rego tests (test_ rules), as opa test does",
		Long:  "Run the policies' Rego tests (test_ rules), as opa test does. Exit 0 when every test passes, 1 otherwise, 2 on a usage error.",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := policy.Test(cmd.Context(), args)
			if err != nil {
				return failErr("%v", err)
			}
			failed := 0
			for _, r := range res {
				state := "PASS"
				switch {
				case r.Skipped:
					state = "SKIP"
				case !r.Passed:
					state, failed = "FAIL", failed+1
				}
				fmt.Fprintf(g.Stdout, "%s %s:%d %s.%s", state, r.File, r.Line, r.Package, r.Name)
				if r.Error != "" {
					fmt.Fprintf(g.Stdout, ": %s", strings.TrimSpace(r.Error))
				}
				fmt.Fprintln(g.Stdout)
			}
			fmt.Fprintf(g.Stdout, "%d tests, %d failed\n", len(res), failed)
			if failed > 0 {
				return failErr("%d of %d policy tests failed", failed, len(res))
			}
			return nil
		},
	})
	return cmd
}
