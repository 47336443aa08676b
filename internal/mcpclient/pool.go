// Package mcpclient is the orchestrator's MCP client: a pool of
// connections to the servers of a .mcp.json (stdio, streamable HTTP or in
// process), kept for the orchestrator's life. It implements the servers
// internal/experts consults, so the domain code knows nothing of MCP.
package mcpclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/opsmcp/opsmcp/internal/telemetry"

	"github.com/opsmcp/opsmcp/internal/contract/gather"
)

// Pool keeps an MCP client connection to every server for the life of the
// orchestrator: stdio servers are started once, HTTP servers connected.
type Pool struct {
	specs []ServerSpec
	// ConnectTimeout bounds starting and initialising one server.
	ConnectTimeout time.Duration
	mu             sync.Mutex
	conns          map[string]*client.Client
	restarted      map[string]bool
	// params are the input properties of each server's tools, from
	// tools/list: a call carries only the scope keys its tool takes.
	params map[string]map[string]map[string]bool
	// readOnlyTools are each server's tools annotated read-only.
	readOnlyTools map[string]map[string]bool
}

// NewPool prepares connections; servers start on first use.
func NewPool(specs []ServerSpec) *Pool {
	return &Pool{specs: specs, ConnectTimeout: 10 * time.Second, conns: map[string]*client.Client{}, restarted: map[string]bool{},
		params: map[string]map[string]map[string]bool{}, readOnlyTools: map[string]map[string]bool{}}
}

// spec finds a server by name.
func (p *Pool) spec(name string) (ServerSpec, bool) {
	for _, s := range p.specs {
		if s.Name == name {
			return s, true
		}
	}
	return ServerSpec{}, false
}

// Names are the pool's servers' names.
func (p *Pool) Names() []string {
	var out []string
	for _, s := range p.specs {
		out = append(out, s.Name)
	}
	return out
}

// Tool says whether a server has a tool (connecting to learn) and
// whether it is annotated read-only.
func (p *Pool) Tool(ctx context.Context, server, tool string) (readOnly, known bool) {
	s, ok := p.spec(server)
	if !ok {
		return false, false
	}
	if _, err := p.get(ctx, s); err != nil {
		return false, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, known = p.params[s.Name][tool]
	return p.readOnlyTools[s.Name][tool], known
}

// Specs are the pool's servers.
func (p *Pool) Specs() []ServerSpec { return p.specs }

func (p *Pool) connect(ctx context.Context, s ServerSpec) (*client.Client, error) {
	var c *client.Client
	var err error
	if s.InProcess != nil {
		c, err = client.NewInProcessClient(s.InProcess())
		if err == nil {
			err = c.Start(ctx)
		}
	} else if s.URL != "" {
		c, err = client.NewStreamableHttpClient(s.URL, transport.WithHTTPHeaders(s.Headers))
		if err == nil {
			err = c.Start(ctx)
		}
	} else {
		env := os.Environ()
		for k, v := range s.Env {
			env = append(env, k+"="+v)
		}
		c, err = client.NewStdioMCPClient(s.Command, env, s.Args...)
		if err == nil {
			// A server's logs go to stderr: drain them, or a full pipe stops it.
			if st, ok := c.GetTransport().(*transport.Stdio); ok {
				go io.Copy(io.Discard, st.Stderr())
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", s.Name, err)
	}
	cctx, cancel := context.WithTimeout(ctx, p.ConnectTimeout)
	defer cancel()
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	req.Params.ClientInfo = mcp.Implementation{Name: "opsmcp-experts", Version: "1"}
	if _, err := c.Initialize(cctx, req); err != nil {
		c.Close()
		if cctx.Err() != nil {
			return nil, fmt.Errorf("%s did not initialise within %s", s.Name, p.ConnectTimeout)
		}
		return nil, fmt.Errorf("initialising %s: %w", s.Name, err)
	}
	tools, err := c.ListTools(cctx, mcp.ListToolsRequest{})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("listing the tools of %s: %w", s.Name, err)
	}
	params := map[string]map[string]bool{}
	readOnly := map[string]bool{}
	for _, t := range tools.Tools {
		readOnly[t.Name] = t.Annotations.ReadOnlyHint != nil && *t.Annotations.ReadOnlyHint
		params[t.Name] = map[string]bool{}
		for k := range t.InputSchema.Properties {
			params[t.Name][k] = true
		}
	}
	p.mu.Lock()
	p.params[s.Name] = params
	p.readOnlyTools[s.Name] = readOnly
	p.mu.Unlock()
	return c, nil
}

// argsFor keeps the scope keys a server's tool takes: a consult's scope
// names workspaces, namespaces and repos, and each server refuses
// arguments it does not know.
func (p *Pool) argsFor(server, tool string, scope map[string]any) map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]any{}
	for k, v := range scope {
		if p.params[server][tool][k] {
			out[k] = v
		}
	}
	return out
}

// get returns a server's connection, starting it when there is none.
func (p *Pool) get(ctx context.Context, s ServerSpec) (*client.Client, error) {
	p.mu.Lock()
	c := p.conns[s.Name]
	p.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := p.connect(ctx, s)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.conns[s.Name] = c
	p.mu.Unlock()
	return c, nil
}

// drop forgets a broken connection.
func (p *Pool) drop(name string) {
	p.mu.Lock()
	if c := p.conns[name]; c != nil {
		c.Close()
		delete(p.conns, name)
	}
	p.mu.Unlock()
}

// Call calls a tool of a server. When the connection broke (a stdio
// server that crashed) the server is restarted once in the pool's life
// and the call retried; restarted says so.
func (p *Pool) Call(ctx context.Context, s ServerSpec, tool string, args map[string]any) (res *mcp.CallToolResult, restarted bool, err error) {
	ctx, span := telemetry.Tracer().Start(ctx, "tools/call "+s.Name+"/"+tool, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("mcp.method.name", "tools/call"), attribute.String("gen_ai.tool.name", tool), attribute.String("opsmcp.server", s.Name)))
	defer func() {
		if err != nil || (res != nil && res.IsError) {
			span.SetStatus(codes.Error, "tool call failed")
		}
		span.End()
	}()
	c, err := p.get(ctx, s)
	if err != nil {
		return nil, false, err
	}
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = tool, args
	// The server's span of this call joins the caller's trace.
	meta := map[string]any{}
	telemetry.Inject(ctx, meta)
	if len(meta) > 0 {
		req.Params.Meta = &mcp.Meta{AdditionalFields: meta}
	}
	res, err = c.CallTool(ctx, req)
	if err == nil || ctx.Err() != nil {
		return res, false, err
	}
	p.mu.Lock()
	again := !p.restarted[s.Name]
	p.restarted[s.Name] = true
	p.mu.Unlock()
	if !again {
		return nil, false, err
	}
	p.drop(s.Name)
	if c, err = p.get(ctx, s); err != nil {
		return nil, true, fmt.Errorf("restarting %s: %w", s.Name, err)
	}
	res, err = c.CallTool(ctx, req)
	return res, true, err
}

// CallText calls a server's tool and returns its text content and
// whether the tool reported an error.
func (p *Pool) CallText(ctx context.Context, server, tool string, args map[string]any) (text string, isError bool, err error) {
	s, ok := p.spec(server)
	if !ok {
		return "", false, fmt.Errorf("no server %q among %s", server, strings.Join(p.Names(), ", "))
	}
	res, _, err := p.Call(ctx, s, tool, args)
	if err != nil {
		return "", false, err
	}
	return textOf(res), res.IsError, nil
}

// Close stops every server.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, c := range p.conns {
		c.Close()
		delete(p.conns, name)
	}
}

// GatherAll calls every server's gather_context in parallel with the
// question's scope, each within perServer and all within the budget, and
// keeps going with what answered: a server that failed or was too slow is
// named with why.
func (p *Pool) GatherAll(ctx context.Context, scope map[string]any, perServer, budget time.Duration) gather.Gathered {
	g := gather.Gathered{Results: map[string]json.RawMessage{}, Errors: map[string]string{}}
	bctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range p.specs {
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(bctx, perServer)
			defer cancel()
			res, restarted, err := p.gather(sctx, s, scope)
			mu.Lock()
			defer mu.Unlock()
			if restarted {
				g.Restarted = append(g.Restarted, s.Name)
			}
			switch {
			case err != nil && sctx.Err() != nil:
				g.Errors[s.Name] = fmt.Sprintf("no context within %s", min(perServer, budget))
				// A hung call leaves the connection unusable: start afresh next time.
				go p.drop(s.Name)
			case err != nil:
				g.Errors[s.Name] = err.Error()
			case res.IsError:
				g.Errors[s.Name] = strings.TrimSpace(textOf(res))
			case res.StructuredContent != nil:
				b, err := json.Marshal(res.StructuredContent)
				if err != nil {
					g.Errors[s.Name] = err.Error()
					return
				}
				g.Results[s.Name] = b
			default:
				b, _ := json.Marshal(map[string]string{"text": textOf(res)})
				g.Results[s.Name] = b
			}
		})
	}
	wg.Wait()
	sort.Strings(g.Restarted)
	return g
}

// gather calls gather_context with the scope keys it takes (known once
// the server is connected).
func (p *Pool) gather(ctx context.Context, s ServerSpec, scope map[string]any) (*mcp.CallToolResult, bool, error) {
	if _, err := p.get(ctx, s); err != nil {
		return nil, false, err
	}
	return p.Call(ctx, s, "gather_context", p.argsFor(s.Name, "gather_context", scope))
}

func textOf(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// ErrNoServers is returned when a consult has no server to ask.
var ErrNoServers = errors.New("no MCP servers: give --mcp-config FILE or add a .mcp.json")
