// Package cli is the opsmcp command: the same tools as the MCP servers, run
// in-process under the same policy, plus set-up and diagnostics.
package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/opsmcp/opsmcp/internal/cli/clibase"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/telemetry"
	"github.com/opsmcp/opsmcp/internal/version"
)

// The shared pieces live in clibase so that opsmcp-validate can have them
// without linking the servers.
type globals = clibase.Globals

var (
	usageErr   = clibase.UsageErr
	failErr    = clibase.FailErr
	isTerminal = clibase.IsTerminal
)

// Main runs the CLI and returns the exit code: 0 success, 1 failure,
// 2 usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{Stdout: stdout, Stderr: stderr}
	root := clibase.AsRoot(&cobra.Command{
		Use:   "opsmcp",
		Short: "Deployment operations over MCP: Terraform plan/apply, validation, memory",
	}, g, version.Version)
	root.AddCommand(newToolsCmd(g), newCallCmd(g), newServeCmd(g), newDoctorCmd(g), newInitCmd(g), newDemoCmd(g), newDocsCmd(g), newMemoryCmd(g), newValidateCmd(g), newCostCmd(g), newPricesCmd(g), newDriftCmd(g), newCICmd(g), newConsultCmd(g), newReviewCmd(g, gate.Approved), newReviewCmd(g, gate.Rejected), newHookCmd(g), newPolicyCmd(g))
	shutdown, err := telemetry.Setup(ctx, "opsmcp")
	if err != nil {
		fmt.Fprintln(stderr, "opsmcp:", err)
		return 2
	}
	defer flushTraces(shutdown)
	return clibase.Execute(ctx, root, args, "opsmcp", stderr)
}

// flushTraces sends the spans still buffered before the process exits.
func flushTraces(shutdown func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = shutdown(ctx)
}
