// Command hang is an MCP server whose gather_context never answers: the
// orchestrator must report it after its timeout and go on.
package main

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	s := server.NewMCPServer("hang", "1")
	s.AddTool(mcp.NewTool("gather_context", mcp.WithDescription("never answers")),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})
	server.ServeStdio(s)
}
