// Package clibase is what every opsmcp command shares without linking any
// server: the global flags, exit-coded errors and the exit-code mapping, so
// that a small binary such as opsmcp-validate behaves exactly like the
// opsmcp command it stands in for.
package clibase

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Globals are the flags every command shares.
type Globals struct {
	ConfigPath string
	Stdout     io.Writer
	Stderr     io.Writer
}

// ExitError carries a process exit code out of a command.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// UsageErr is exit code 2: the command line is wrong.
func UsageErr(format string, a ...any) error {
	return &ExitError{Code: 2, Msg: fmt.Sprintf(format, a...)}
}

// FailErr is exit code 1: the command ran and failed (or found what
// --fail-on asks to fail on).
func FailErr(format string, a ...any) error {
	return &ExitError{Code: 1, Msg: fmt.Sprintf(format, a...)}
}

// AsRoot makes cmd a root command: it reports its own errors through
// Execute, its flag errors are usage errors, and it has --config and
// --version.
func AsRoot(cmd *cobra.Command, g *Globals, version string) *cobra.Command {
	cmd.Version = version
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetOut(g.Stdout)
	cmd.SetErr(g.Stderr)
	cmd.PersistentFlags().StringVar(&g.ConfigPath, "config", "", "opsmcp.yaml (default $OPSMCP_CONFIG, else ./opsmcp.yaml, else built-in defaults)")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return UsageErr("%v", err) })
	return cmd
}

// Execute runs root on args and returns the exit code: 0 success,
// 1 failure, 2 usage error. Messages go to stderr prefixed with prog.
func Execute(ctx context.Context, root *cobra.Command, args []string, prog string, stderr io.Writer) int {
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Msg != "" {
			fmt.Fprintln(stderr, prog+":", ee.Msg)
		}
		return ee.Code
	}
	// cobra's own errors (unknown command, wrong arg count) are usage errors.
	fmt.Fprintln(stderr, prog+":", err)
	return 2
}

// IsTerminal reports whether w is a terminal (for colour and live progress).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
