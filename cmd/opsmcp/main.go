// Command opsmcp is the opsmcp CLI: call tools, list them, serve, doctor,
// init and demo.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/opsmcp/opsmcp/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
