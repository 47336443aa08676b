package mcpkit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"os"
	"slices"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// MCPTool is the tool as MCP lists it.
func (t *Tool) MCPTool() mcp.Tool {
	return mcp.Tool{
		Name:            t.Name,
		Title:           t.Title,
		Description:     t.Description,
		RawInputSchema:  t.InputSchema,
		RawOutputSchema: t.OutputSchema,
		Annotations: mcp.ToolAnnotation{
			ReadOnlyHint:    t.Annotations.ReadOnly,
			DestructiveHint: t.Annotations.Destructive,
			IdempotentHint:  t.Annotations.Idempotent,
			OpenWorldHint:   t.Annotations.OpenWorld,
		},
	}
}

// MCPServer builds the mcp-go server for a host from the same values the
// CLI uses. Every tool is registered, so that a call to one the policy
// forbids reaches Host.Call and is refused with the reason (and audited);
// tools/list shows only the allowed ones.
func (h *Host) MCPServer() *server.MCPServer {
	hooks := &server.Hooks{}
	hooks.AddAfterListTools(func(_ context.Context, _ any, _ *mcp.ListToolsRequest, res *mcp.ListToolsResult) {
		res.Tools = slices.DeleteFunc(res.Tools, func(t mcp.Tool) bool {
			tool, ok := h.byName[t.Name]
			return !ok || h.offered(tool) != nil || h.allowed(tool) != nil
		})
	})
	s := server.NewMCPServer("opsmcp-"+h.Server.Name, Version,
		server.WithToolCapabilities(false),
		server.WithInstructions(h.Server.Instructions),
		server.WithLogging(),
		server.WithHooks(hooks),
	)
	for i := range h.Server.Tools {
		t := &h.Server.Tools[i]
		name := t.Name
		s.AddTool(t.MCPTool(), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if err := h.offered(t); err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			args, err := rawArgs(req)
			if err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			out := h.Call(withAsker(ctx, askerOf(ctx, req)), name, args, mcpProgress(ctx, req))
			if out.Confirm != nil {
				// Ask the person (SEP-2322 input request; mcp-go turns it
				// into elicitation/create for clients before 2026-07-28)
				// and come back with the answer.
				return server.NewInputRequestBuilder(out.Confirm.State).Elicit(confirmInputID, mcp.ElicitationParams{
					Mode: mcp.ElicitationModeForm, Message: out.Confirm.Message, RequestedSchema: out.Confirm.Schema,
				}).ToolResult(), nil
			}
			return out.MCPResult(), nil
		})
	}
	return s
}

// confirmInputID names the confirmation among a call's input requests.
const confirmInputID = "opsmcp-confirm"

// askerOf is what the client can be asked, and the answer this request
// carries back.
func askerOf(ctx context.Context, req mcp.CallToolRequest) *asker {
	a := &asker{can: clientCanElicit(ctx), state: req.Params.RequestState}
	if res := server.ElicitationResponse(req.Params.InputResponses, confirmInputID); res != nil {
		content, _ := res.Content.(map[string]any)
		a.answer = &Answer{Action: string(res.Action), Content: content}
	}
	return a
}

// clientCanElicit: the client declared elicitation, on this request
// (2026-07-28) or when it initialised its session.
func clientCanElicit(ctx context.Context) bool {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.ClientCapabilities != nil {
		return info.ClientCapabilities.Elicitation != nil
	}
	if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		return s.GetClientCapabilities().Elicitation != nil
	}
	return false
}

// MCPResult converts an outcome to the MCP wire result.
func (o *Outcome) MCPResult() *mcp.CallToolResult {
	if o.IsError && o.Structured == nil {
		return mcp.NewToolResultError(o.Text)
	}
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(o.Text)},
		StructuredContent: o.Structured,
		IsError:           o.IsError,
	}
}

func rawArgs(req mcp.CallToolRequest) (json.RawMessage, error) {
	if len(req.Params.RawArguments) > 0 {
		return req.Params.RawArguments, nil
	}
	if req.Params.Arguments == nil {
		return nil, nil
	}
	b, err := json.Marshal(req.Params.Arguments)
	if err != nil {
		return nil, errors.New("arguments must be a JSON object")
	}
	return b, nil
}

// mcpProgress sends notifications/progress when the client gave a token.
func mcpProgress(ctx context.Context, req mcp.CallToolRequest) ProgressFunc {
	if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
		return nil
	}
	token := req.Params.Meta.ProgressToken
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return nil
	}
	return func(done, total float64, message string) {
		params := map[string]any{"progressToken": token, "progress": done}
		if total > 0 {
			params["total"] = total
		}
		if message != "" {
			params["message"] = message
		}
		_ = srv.SendNotificationToClient(ctx, "notifications/progress", params)
	}
}

// ServeStdio serves the host over stdin/stdout until stdin closes or ctx
// ends. stdout carries only protocol messages.
func (h *Host) ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error {
	s := server.NewStdioServer(h.MCPServer())
	s.SetErrorLogger(log.New(os.Stderr, "opsmcp-"+h.Server.Name+": ", 0))
	err := s.Listen(ctx, in, out)
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// HTTPAddr is addr with an empty host made 127.0.0.1: the HTTP transport
// binds loopback unless told otherwise.
func HTTPAddr(addr string) string {
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}
