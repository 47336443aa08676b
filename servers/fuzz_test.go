package servers_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers"
)

// allTools is every tool of every server, in a stable order.
func allTools() []*mcpkit.Tool {
	var out []*mcpkit.Tool
	for _, s := range servers.All() {
		for i := range s.Tools {
			out = append(out, &s.Tools[i])
		}
	}
	return out
}

// FuzzToolArguments feeds any bytes to any tool's argument decoder: it
// accepts them or answers an ArgError, and never panics.
func FuzzToolArguments(f *testing.F) {
	tools := allTools()
	for i, t := range tools {
		f.Add(uint16(i), []byte(`{}`))
		f.Add(uint16(i), []byte(t.InputSchema))
	}
	for _, seed := range []string{`{"workspace":"/infra","variables":{"a":[1,{"b":null}]},"timeout_seconds":1e308}`,
		`{"manifests":["a",1]}`, `{"limit":-1,"namespace":"\u0000"}`, `[]`, `null`, `{"question":"` + strings.Repeat("x", 300) + `"}`,
		`{"repo":"a/b","number":1.5}`, `{"infrastructure":{"resources":[{"type":"aws_instance","values":{}}]}}`, `{"a":` + strings.Repeat("[", 500)} {
		f.Add(uint16(0), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, which uint16, args []byte) {
		tool := tools[int(which)%len(tools)]
		var ae *mcpkit.ArgError
		if err := tool.CheckArgs(args); err != nil && !errors.As(err, &ae) {
			t.Fatalf("%s: a decoding error that is not an argument error: %v", tool.Name, err)
		}
	})
}

// FuzzJSONRPC feeds any message to every server's MCP entry point, as a
// transport would: it answers (or ignores a notification) and never
// panics. Every tool is denied by policy, so a well-formed tools/call is
// refused after its arguments are read and runs nothing.
func FuzzJSONRPC(f *testing.F) {
	var names []string
	for _, t := range allTools() {
		names = append(names, t.Name)
	}
	cfg := config.Default()
	cfg.Tools.Deny = names
	rt := &mcpkit.Runtime{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	var hosts []*mcpkit.Host
	for _, s := range servers.All() {
		hosts = append(hosts, mcpkit.NewHost(s, rt))
	}
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"apply_terraform","arguments":{"workspace":"/"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"nope"}}`,
		`{"jsonrpc":"2.0","id":5,"method":"ping"}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":6,"method":"logging/setLevel","params":{"level":"debug"}}`,
		`{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"get_pods","arguments":"x"}}`,
		`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, `{`, ``,
	} {
		f.Add(uint8(0), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, which uint8, msg []byte) {
		s := hosts[int(which)%len(hosts)].MCPServer()
		s.HandleMessage(context.Background(), json.RawMessage(msg))
	})
}
