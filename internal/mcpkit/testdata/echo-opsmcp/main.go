// The same echo tool served through opsmcp's whole stack (policy, argument
// decoding, redaction, logging, memory), for the stdio benchmark.
package main

import (
	"context"
	"os"

	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

type in struct {
	Text string `json:"text"`
}

type out struct {
	Echo string `json:"echo"`
}

func (o out) SummaryText() string { return o.Echo }

func main() {
	echo := mcpkit.NewTool(mcpkit.Def{Name: "echo", Description: "echo",
		Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No}},
		func(ctx context.Context, c *mcpkit.Call, i in) (out, error) { return out{Echo: i.Text}, nil })
	os.Exit(mcpkit.Main(&mcpkit.Server{Name: "echo", Tools: []mcpkit.Tool{echo}}))
}
