// Command opsmcp-validate is `opsmcp validate` in a binary that links only
// the validators: what CI runs, at a third of opsmcp's start-up memory.
// opsmcp validate hands over to it when it sits beside opsmcp from the same
// build. --cluster needs opsmcp itself.
package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/opsmcp/opsmcp/internal/cli/clibase"
	"github.com/opsmcp/opsmcp/internal/cli/validatecmd"
	"github.com/opsmcp/opsmcp/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	g := &clibase.Globals{Stdout: os.Stdout, Stderr: os.Stderr}
	root := clibase.AsRoot(validatecmd.New(g, "opsmcp-validate PATH...", validatecmd.Hooks{}), g, version.Version)
	// Named as it was started: "opsmcp" when opsmcp validate handed over.
	code := clibase.Execute(ctx, root, os.Args[1:], filepath.Base(os.Args[0]), os.Stderr)
	stop()
	os.Exit(code)
}
