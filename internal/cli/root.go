// Package cli is the opsmcp command: the same tools as the MCP servers, run
// in-process under the same policy, plus set-up and diagnostics.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// exitError carries a process exit code out of a command.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(format string, a ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, a...)}
}

func failErr(format string, a ...any) error {
	return &exitError{code: 1, msg: fmt.Sprintf(format, a...)}
}

// globals are the flags every command shares.
type globals struct {
	configPath string
	stdout     io.Writer
	stderr     io.Writer
}

// Main runs the CLI and returns the exit code: 0 success, 1 failure,
// 2 usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "opsmcp",
		Short:         "Deployment operations over MCP: Terraform plan/apply, validation, memory",
		Version:       mcpkit.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.PersistentFlags().StringVar(&g.configPath, "config", "", "opsmcp.yaml (default $OPSMCP_CONFIG, else ./opsmcp.yaml, else built-in defaults)")
	root.AddCommand(newToolsCmd(g), newCallCmd(g), newServeCmd(g), newDoctorCmd(g), newInitCmd(g), newDemoCmd(g), newDocsCmd(g), newMemoryCmd(g), newValidateCmd(g), newCostCmd(g), newPricesCmd(g), newCICmd(g))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "opsmcp:", ee.msg)
		}
		return ee.code
	}
	// cobra's own errors (unknown command, wrong arg count) are usage errors.
	fmt.Fprintln(stderr, "opsmcp:", err)
	return 2
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
