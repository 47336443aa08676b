package mcpclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/server"
)

// ServerSpec is one server of a .mcp.json: a command to start over stdio,
// or a URL of a streamable HTTP server.
type ServerSpec struct {
	Name    string            `json:"-"`
	Command string            `json:"command,omitempty"`
	Args    []string          `json:"args,omitempty"`
	Env     map[string]string `json:"env,omitempty"`
	URL     string            `json:"url,omitempty"`
	Type    string            `json:"type,omitempty"` // stdio, http (Claude Code writes these)
	Headers map[string]string `json:"headers,omitempty"`
	// InProcess serves the server inside this process (the servers of this
	// install, when their binaries are not beside it).
	InProcess func() *server.MCPServer `json:"-"`
}

// ServerName is the name a server goes by in gathered context and
// actions: .mcp.json's "opsmcp-deploy" is "deploy".
func ServerName(mcpName string) string { return strings.TrimPrefix(mcpName, "opsmcp-") }

// varRef is ${VAR} or ${VAR:-default}, as Claude Code expands them.
var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expand replaces ${VAR} and ${VAR:-default}; a variable that is unset
// and has no default is an error naming it.
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	var missing []string
	out := varRef.ReplaceAllStringFunc(s, func(m string) string {
		parts := varRef.FindStringSubmatch(m)
		if v, ok := lookup(parts[1]); ok {
			return v
		}
		if parts[2] != "" {
			return parts[3]
		}
		missing = append(missing, parts[1])
		return m
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("${%s} is not set", strings.Join(missing, "}, ${"))
	}
	return out, nil
}

// ReadMCPConfig reads the .mcp.json format Claude Code uses
// ({"mcpServers": {"name": {command, args, env} | {url}}}), expanding
// ${VAR} and ${VAR:-default} in commands, arguments, env values, URLs and
// headers from the environment. Servers come back sorted by name.
func ReadMCPConfig(path string) ([]ServerSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		MCPServers map[string]ServerSpec `json:"mcpServers"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.MCPServers) == 0 {
		return nil, fmt.Errorf("%s has no mcpServers", path)
	}
	var out []ServerSpec
	seen := map[string]string{}
	for name, s := range doc.MCPServers {
		s.Name = ServerName(name)
		if other, dup := seen[s.Name]; dup {
			return nil, fmt.Errorf("%s: servers %s and %s are both %s", path, other, name, s.Name)
		}
		seen[s.Name] = name
		var errs []error
		ex := func(v string) string {
			r, err := expand(v, os.LookupEnv)
			if err != nil {
				errs = append(errs, err)
			}
			return r
		}
		s.Command, s.URL = ex(s.Command), ex(s.URL)
		for i := range s.Args {
			s.Args[i] = ex(s.Args[i])
		}
		for k, v := range s.Env {
			s.Env[k] = ex(v)
		}
		for k, v := range s.Headers {
			s.Headers[k] = ex(v)
		}
		switch {
		case len(errs) > 0:
			return nil, fmt.Errorf("%s: server %s: %w", path, name, errors.Join(errs...))
		case s.Command == "" && s.URL == "":
			return nil, fmt.Errorf("%s: server %s has neither a command nor a url", path, name)
		case s.Command != "" && s.URL != "":
			return nil, fmt.Errorf("%s: server %s has both a command and a url", path, name)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
