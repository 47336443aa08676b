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
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsmcp/opsmcp/internal/telemetry"
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
			rt := h.Runtime()
			return !ok || offered(rt, tool) != nil || allowed(rt, tool) != nil
		})
	})
	opts := []server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithInstructions(h.Server.Instructions),
		server.WithLogging(),
		server.WithHooks(hooks),
	}
	if len(h.Server.Prompts) > 0 {
		opts = append(opts, server.WithPromptCapabilities(false))
	}
	if len(h.Server.Resources) > 0 {
		opts = append(opts, server.WithResourceCapabilities(false, false))
	}
	h.promptHooks(hooks)
	s := server.NewMCPServer("opsmcp-"+h.Server.Name, Version, opts...)
	h.addPromptsAndResources(s)
	for i := range h.Server.Tools {
		t := &h.Server.Tools[i]
		name := t.Name
		s.AddTool(t.MCPTool(), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if err := offered(h.Runtime(), t); err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			if m := req.Params.Meta; m != nil {
				// The caller's trace (a consult's): this call's span is its child.
				ctx = telemetry.Extract(ctx, m.AdditionalFields)
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

// promptHooks keep prompts and resources of toolsets that are off out of
// the lists, and a resource that does not exist yet (drift before any
// detection).
func (h *Host) promptHooks(hooks *server.Hooks) {
	on := func(set string) bool { return h.Runtime().Config.Tools.ToolsetOn(set) }
	hooks.AddAfterListPrompts(func(_ context.Context, _ any, _ *mcp.ListPromptsRequest, res *mcp.ListPromptsResult) {
		res.Prompts = slices.DeleteFunc(res.Prompts, func(p mcp.Prompt) bool {
			i := slices.IndexFunc(h.Server.Prompts, func(q Prompt) bool { return q.Name == p.Name })
			return i < 0 || !on(h.Server.Prompts[i].Toolset)
		})
	})
	hooks.AddAfterListResources(func(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
		res.Resources = slices.DeleteFunc(res.Resources, func(r mcp.Resource) bool {
			i := slices.IndexFunc(h.Server.Resources, func(q Resource) bool { return q.URI == r.URI })
			if i < 0 || !on(h.Server.Resources[i].Toolset) {
				return true
			}
			listed := h.Server.Resources[i].Listed
			return listed != nil && !listed(ctx, h.newCall(ctx, "resources/list", time.Minute, nil))
		})
	})
	hooks.AddAfterListResourceTemplates(func(_ context.Context, _ any, _ *mcp.ListResourceTemplatesRequest, res *mcp.ListResourceTemplatesResult) {
		res.ResourceTemplates = slices.DeleteFunc(res.ResourceTemplates, func(t mcp.ResourceTemplate) bool {
			i := slices.IndexFunc(h.Server.Resources, func(q Resource) bool { return q.URI == t.URITemplate.Raw() })
			return i < 0 || !on(h.Server.Resources[i].Toolset)
		})
	})
}

// addPromptsAndResources registers the server's prompts, resources and
// resource templates; each request goes through GetPrompt or
// ReadResource.
func (h *Host) addPromptsAndResources(s *server.MCPServer) {
	for _, p := range h.Server.Prompts {
		opts := []mcp.PromptOption{mcp.WithPromptDescription(p.Description)}
		for _, a := range p.Args {
			aopts := []mcp.ArgumentOption{mcp.ArgumentDescription(a.Description)}
			if a.Required {
				aopts = append(aopts, mcp.RequiredArgument())
			}
			opts = append(opts, mcp.WithArgument(a.Name, aopts...))
		}
		prompt := mcp.NewPrompt(p.Name, opts...)
		prompt.Title = p.Title
		name, desc := p.Name, p.Description
		s.AddPrompt(prompt, func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			text, err := h.GetPrompt(ctx, name, req.Params.Arguments)
			if err != nil {
				return nil, err
			}
			return mcp.NewGetPromptResult(desc, []mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text))}), nil
		})
	}
	for i := range h.Server.Resources {
		r := &h.Server.Resources[i]
		read := func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			text, res, err := h.ReadResource(ctx, req.Params.URI)
			if err != nil {
				return nil, err
			}
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: res.MIMEType, Text: text}}, nil
		}
		if r.Template() {
			s.AddResourceTemplate(mcp.NewResourceTemplate(r.URI, r.Name, mcp.WithTemplateDescription(r.Description), mcp.WithTemplateMIMEType(r.MIMEType)), read)
			continue
		}
		s.AddResource(mcp.NewResource(r.URI, r.Name, mcp.WithResourceDescription(r.Description), mcp.WithMIMEType(r.MIMEType)), read)
	}
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
