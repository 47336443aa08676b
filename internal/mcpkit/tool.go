// Package mcpkit is what every opsmcp server shares: tools as values, policy,
// the middleware every call passes through (recovery, timing, redaction,
// audit, logs), progress, and the MCP transports. It knows no domain.
package mcpkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
)

// Annotations are MCP tool hints. All four must be set: mcp-go's defaults
// (destructive, open-world) are wrong for read tools, so nothing is implied.
type Annotations struct {
	ReadOnly    *bool
	Destructive *bool
	Idempotent  *bool
	OpenWorld   *bool
}

var (
	yes, no = true, false
	// Yes and No are for Annotations literals.
	Yes, No = &yes, &no
)

// Result is what a tool handler returns: structured output plus a short
// human summary (sent as the text content).
type Result interface {
	SummaryText() string
}

// Failer is implemented by results of operations that ran but did not
// succeed (a rollout that did not finish in time). The call is an error
// (isError, CLI exit 1) that still carries its structured result.
type Failer interface {
	Failed() bool
}

// AuditIDs is implemented by results that name what a call created or used
// (plan ids, operation ids); they go into the audit record.
type AuditIDs interface {
	AuditIDs() []string
}

// Scoped is implemented by inputs that name what they read or change (a
// workspace, namespace, repo...): the response cache keys reads by it, and
// a mutation invalidates the cached reads of its scope. "" means everything.
type Scoped interface {
	CacheScope() string
}

// Timeouter is implemented by inputs that carry their own timeout.
type Timeouter interface {
	CallTimeout() time.Duration
}

// Def is the static description of a tool.
type Def struct {
	Name        string
	Title       string
	Description string
	// Toolset is the group tools.toolsets turns on and off (one of
	// config.Toolsets, or config.ToolsetContext for gather_context).
	Toolset     string
	Annotations Annotations
	// Timeout bounds a call when the input does not set its own (default 2m).
	Timeout time.Duration
	// CacheTTL caches results of a read-only, idempotent tool for this long
	// (cache.ttl in opsmcp.yaml overrides it; 0 = not cached).
	CacheTTL time.Duration
	// Heavy calls (validation, estimates: whole files in memory, parsers)
	// wait for one of limits.heavy_calls slots of the process.
	Heavy bool
	// Effect is the most a call may do; required unless the tool is
	// read-only. The gate holds it to the mode.
	Effect Effect
}

// HeavyInput is implemented by inputs that make a call heavy or not
// (gather_context with a config_path validates it).
type HeavyInput interface {
	HeavyCall() bool
}

// Tool is a tool as a value: one definition feeds MCP registration, the CLI,
// policy filtering, generated docs and schema snapshots.
type Tool struct {
	Def
	InputSchema  json.RawMessage
	OutputSchema json.RawMessage
	decode       func(raw json.RawMessage) (any, error)
	run          func(ctx context.Context, c *Call, in any) (Result, error)
}

// ReadOnly reports whether the tool never changes anything.
func (t *Tool) ReadOnly() bool { return t.Annotations.ReadOnly != nil && *t.Annotations.ReadOnly }

// cacheable reports whether results may be served from the response cache.
func (t *Tool) cacheable() bool {
	return t.ReadOnly() && t.Annotations.Idempotent != nil && *t.Annotations.Idempotent
}

// NewTool makes a tool from a definition and a typed handler. Schemas come
// from In and Out. It panics on a definition error: that is a programming
// mistake caught by the first test that builds the server.
func NewTool[In any, Out Result](def Def, h func(ctx context.Context, c *Call, in In) (Out, error)) Tool {
	a := def.Annotations
	if def.Name == "" || def.Description == "" {
		panic("mcpkit: a tool needs a name and a description")
	}
	if def.Toolset != config.ToolsetContext && !slices.Contains(config.Toolsets, def.Toolset) {
		panic(fmt.Sprintf("mcpkit: tool %s must name its toolset (config.Toolsets)", def.Name))
	}
	if a.ReadOnly == nil || a.Destructive == nil || a.Idempotent == nil || a.OpenWorld == nil {
		panic(fmt.Sprintf("mcpkit: tool %s must set all four annotations", def.Name))
	}
	if !*a.ReadOnly && def.Effect == effectUnset {
		panic(fmt.Sprintf("mcpkit: tool %s changes things and must declare its Effect", def.Name))
	}
	if def.Timeout == 0 {
		def.Timeout = 2 * time.Minute
	}
	args := newArgDecoder[In]()
	return Tool{
		Def:          def,
		InputSchema:  SchemaOf[In](),
		OutputSchema: OutputSchemaOf[Out](),
		decode: func(raw json.RawMessage) (any, error) {
			in, err := args.decode(raw)
			if err != nil {
				return nil, &ArgError{err}
			}
			return in, nil
		},
		run: func(ctx context.Context, c *Call, input any) (Result, error) {
			in := input.(In)
			if t, ok := input.(Timeouter); ok && t.CallTimeout() > 0 {
				c.timeout = t.CallTimeout()
			}
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.timeout)
			defer cancel()
			out, err := h(ctx, c, in)
			if err != nil {
				if errors.Is(ctx.Err(), context.DeadlineExceeded) {
					return nil, fmt.Errorf("%s timed out after %s: %w", def.Name, c.timeout, err)
				}
				return nil, err
			}
			return out, nil
		},
	}
}

// CheckArgs decodes arguments as a call would, without running the tool:
// nil, or the ArgError a call would answer.
func (t *Tool) CheckArgs(raw json.RawMessage) error {
	_, err := t.decode(raw)
	return err
}

// ArgError marks a bad-arguments failure (usage error in the CLI).
type ArgError struct{ Err error }

func (e *ArgError) Error() string { return e.Err.Error() }
func (e *ArgError) Unwrap() error { return e.Err }
