package mcpkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"
)

// Prompt is an MCP prompt as a value: a slash command a client offers the
// person, rendered by the server from what it knows — its text gathered
// through the server's own read tools (so through the gate, the
// allowlists and redaction) and memory.
type Prompt struct {
	Name, Title, Description string
	// Toolset turns the prompt on and off with the tools it relies on.
	Toolset string
	Args    []PromptArg
	Render  func(ctx context.Context, c *Call, args map[string]string) (string, error)
}

// PromptArg is one argument of a prompt.
type PromptArg struct {
	Name, Description string
	Required          bool
}

// Resource is an MCP resource: a fixed URI, or a template whose {name}
// segments are parameters (opsmcp://plans/{plan_id}). Read returns text.
type Resource struct {
	URI, Name, Description, MIMEType string
	Toolset                          string
	// Listed says whether a fixed resource is listed now (a resource that
	// exists only once something happened); nil: always.
	Listed func(ctx context.Context, c *Call) bool
	Read   func(ctx context.Context, c *Call, params map[string]string) (string, error)
}

// Template reports whether the URI has parameters.
func (r *Resource) Template() bool { return strings.Contains(r.URI, "{") }

var templateParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// match returns the parameters of uri under the resource's template, or
// false when uri is not one of its resources. A parameter is one path
// segment.
func (r *Resource) match(uri string) (map[string]string, bool) {
	if !r.Template() {
		return nil, uri == r.URI
	}
	var pattern strings.Builder
	var names []string
	last := 0
	for _, loc := range templateParam.FindAllStringSubmatchIndex(r.URI, -1) {
		pattern.WriteString(regexp.QuoteMeta(r.URI[last:loc[0]]) + `([^/?#]+)`)
		names = append(names, r.URI[loc[2]:loc[3]])
		last = loc[1]
	}
	pattern.WriteString(regexp.QuoteMeta(r.URI[last:]))
	m := regexp.MustCompile("^" + pattern.String() + "$").FindStringSubmatch(uri)
	if m == nil {
		return nil, false
	}
	params := map[string]string{}
	for i, n := range names {
		params[n] = m[i+1]
	}
	return params, true
}

// maxReadBytes bounds a prompt's or resource's text: clients put it in a
// model's context whole.
const maxReadBytes = 256 << 10

// ErrNotFound is a resource or prompt the server does not have, or an
// object behind one that does not exist or the caller may not see.
var ErrNotFound = errors.New("not found")

// GetPrompt renders a prompt through the middleware every read passes:
// required arguments, timeout, panic recovery, redaction, size bound,
// logging, and audit over HTTP.
func (h *Host) GetPrompt(ctx context.Context, name string, args map[string]string) (string, error) {
	for i := range h.Server.Prompts {
		p := &h.Server.Prompts[i]
		if p.Name != name {
			continue
		}
		if err := toolsetOn(h.Runtime(), "prompt", name, p.Toolset); err != nil {
			return "", err
		}
		for _, a := range p.Args {
			if a.Required && strings.TrimSpace(args[a.Name]) == "" {
				return "", &ArgError{Err: fmt.Errorf("prompt %s needs the argument %s: %s", name, a.Name, a.Description)}
			}
		}
		raw, _ := json.Marshal(args)
		return h.read(ctx, "prompt/"+name, raw, func(ctx context.Context, c *Call) (string, error) { return p.Render(ctx, c, args) })
	}
	return "", fmt.Errorf("prompt %q: %w on server %s", name, ErrNotFound, h.Server.Name)
}

// ReadResource reads a resource (or a template's resource) by URI through
// the same middleware as GetPrompt.
func (h *Host) ReadResource(ctx context.Context, uri string) (string, *Resource, error) {
	for i := range h.Server.Resources {
		r := &h.Server.Resources[i]
		params, ok := r.match(uri)
		if !ok {
			continue
		}
		if err := toolsetOn(h.Runtime(), "resource", uri, r.Toolset); err != nil {
			return "", r, err
		}
		raw, _ := json.Marshal(map[string]string{"uri": uri})
		text, err := h.read(ctx, "resource/"+r.URI, raw, func(ctx context.Context, c *Call) (string, error) { return r.Read(ctx, c, params) })
		return text, r, err
	}
	return "", nil, fmt.Errorf("resource %q: %w on server %s", uri, ErrNotFound, h.Server.Name)
}

// read runs fn as a call of what (prompt/NAME, resource/URI).
func (h *Host) read(ctx context.Context, what string, args json.RawMessage, fn func(ctx context.Context, c *Call) (string, error)) (text string, err error) {
	start := time.Now()
	c := h.newCall(ctx, what, 2*time.Minute, nil)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	func() {
		defer func() {
			if r := recover(); r != nil {
				c.Log().Error("read panicked", "panic", c.Secrets.String(fmt.Sprint(r)), "stack", c.Secrets.String(string(debug.Stack())))
				text, err = "", fmt.Errorf("internal error in %s: %v (this is a bug; the server keeps running)", what, r)
			}
		}()
		text, err = fn(ctx, c)
	}()
	out := &Outcome{Duration: time.Since(start), Ran: true}
	if err != nil {
		out.IsError, out.Text = true, c.Secrets.String(err.Error())
		err = &readError{msg: out.Text, err: err}
	} else {
		text = truncateText(c.Secrets.String(text), maxReadBytes)
	}
	c.Log().Info("read", "duration_ms", float64(out.Duration.Microseconds())/1000, "outcome", map[bool]string{false: "ok", true: "error"}[out.IsError])
	if c.remote {
		h.audit(c, args, nil, out)
	}
	return text, err
}

// readError is a read's error with its message redacted; errors.Is still
// finds what it wraps (ErrNotFound).
type readError struct {
	msg string
	err error
}

func (e *readError) Error() string { return e.msg }
func (e *readError) Unwrap() error { return e.err }

// truncateText cuts text to max bytes on a rune boundary, saying so.
func truncateText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n… cut at %d KiB of %d KiB", max>>10, len(s)>>10)
}
