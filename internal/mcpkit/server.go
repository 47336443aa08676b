package mcpkit

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/redact"
	"github.com/opsmcp/opsmcp/internal/telemetry"
	"github.com/opsmcp/opsmcp/internal/version"
)

// Version is the opsmcp version reported by every server.
var Version = version.Version

// SafeWorkflow is what every server's instructions teach an agent: how a
// change is made with a person, not around them.
const SafeWorkflow = "Work safely: read before you change (gather_context, then the read tools). To change anything, plan or " +
	"dry-run first, show the person exactly what will change (what is destroyed, the cost, the policy verdicts), wait for " +
	"their yes, then apply that exact plan, never a new one. When the gate holds a change (mode, approvals, a confirmation), " +
	"say what it needs; do not retry around it."

// Server is a named set of tools. A server package builds one; it does not
// know how it is served.
type Server struct {
	Name         string
	Instructions string
	Tools        []Tool
	Prompts      []Prompt
	Resources    []Resource
	// Ready are what the server needs to answer (for /readyz).
	Ready []ReadyCheck
	// Flags adds the server's own flags to its binary's (opsmcp-experts'
	// --mcp-config).
	Flags func(fs *flag.FlagSet)
}

// Runtime is what calls run with: policy, memory, logs, and who is calling.
type Runtime struct {
	Config    *config.Config
	Memory    memory.Store
	Log       *slog.Logger
	Principal string
	Cache     *Cache // shared by every host of the process; nil = no caching
	Metrics   *Metrics
	// Files replaces the read_paths rule for the CLI's own commands, which
	// read the paths named on their command line; nil for every server
	// and for `opsmcp call`.
	Files *fsguard.Guard
	// Credentials says whether a principal can still authenticate (the
	// HTTP service's tokens); nil where there are no credentials to lose.
	Credentials interface{ Holds(principal string) bool }
}

// Host is a server bound to a runtime: the tools its policy allows, and the
// middleware every call passes through. MCP and the CLI both call through it.
type Host struct {
	Server  *Server
	current atomic.Pointer[Runtime]
	byName  map[string]*Tool
	series  map[string]*toolSeries // nil values when the runtime has no metrics
}

// NewHost applies policy to a server's tools.
func NewHost(s *Server, rt *Runtime) *Host {
	h := &Host{Server: s, byName: map[string]*Tool{}, series: map[string]*toolSeries{}}
	if rt.Log == nil {
		rt.Log = slog.New(slog.DiscardHandler)
	}
	if rt.Principal == "" {
		rt.Principal = "local"
	}
	h.current.Store(rt)
	for i := range s.Tools {
		t := &s.Tools[i]
		h.byName[t.Name] = t
		h.series[t.Name] = rt.Metrics.forTool(s.Name, t.Name)
	}
	return h
}

// Tools lists the tools this policy allows, in definition order.
func (h *Host) Tools() []*Tool {
	rt := h.Runtime()
	var out []*Tool
	for i := range h.Server.Tools {
		if t := &h.Server.Tools[i]; allowed(rt, t) == nil {
			out = append(out, t)
		}
	}
	return out
}

// Runtime returns the runtime calls run with.
func (h *Host) Runtime() *Runtime { return h.current.Load() }

// SetRuntime makes rt the runtime of the calls that start from now on (a
// reloaded configuration); calls under way finish under theirs.
func (h *Host) SetRuntime(rt *Runtime) { h.current.Store(rt) }

// allowed says why policy hides a tool, or nil.
func allowed(rt *Runtime, t *Tool) error {
	p := rt.Config
	if p.Mode == config.ModeReadOnly && !t.ReadOnly() {
		return fmt.Errorf("tool %s changes things and mode is read-only; set mode: plan or apply in opsmcp.yaml (or OPSMCP_MODE)", t.Name)
	}
	if why := p.ToolDenied(t.Name); why != "" {
		return errors.New(why)
	}
	return nil
}

// offered says why an MCP client is not offered a tool although policy
// allows it: its toolset is off. Toolsets keep an agent's context small;
// they are no gate, so the CLI and opsmcp's own schedules (drift issues,
// ci comments) call through Host.Call whatever the toolsets.
func offered(rt *Runtime, t *Tool) error { return toolsetOn(rt, "tool", t.Name, t.Toolset) }

// toolsetOn says why a tool, prompt or resource is not offered: its
// toolset is off.
func toolsetOn(rt *Runtime, what, name, set string) error {
	if !rt.Config.Tools.ToolsetOn(set) {
		return fmt.Errorf("%s %s is in toolset %s, which is off; add it to tools.toolsets in opsmcp.yaml (or --toolsets)", what, name, set)
	}
	return nil
}

// Outcome is the redacted result of one call.
type Outcome struct {
	Structured json.RawMessage // the result as JSON, secrets masked; nil on error
	Text       string          // human summary, or the error sentence
	IsError    bool
	Usage      bool // the error is about the arguments
	Duration   time.Duration
	// Ran says whether the handler ran: false when policy, the gate or the
	// arguments stopped the call first; Effect is what the call it ran
	// may do (a change's plan form, when the gate ran that instead).
	Ran    bool
	Effect Effect
	// Confirm is set when the call waits for a person's confirmation: the
	// transport asks (MCP elicitation) and retries with the answer.
	Confirm *ConfirmRequest
	// IDs are what the call made or used (plan ids): its trace span and
	// audit record name them.
	IDs []string
}

// Decode unmarshals the structured result into v (also of a failed
// operation, which has one).
func (o *Outcome) Decode(v any) error {
	if o.Structured == nil {
		return errors.New(o.Text)
	}
	return json.Unmarshal(o.Structured, v)
}

// ProgressFunc receives progress of a long call.
type ProgressFunc func(done, total float64, message string)

// Call is a handler's view of the call it serves.
type Call struct {
	Server, Tool string
	Mode         config.Mode
	Principal    string
	Runtime      *Runtime
	Secrets      redact.Redactor
	// AsPlan: the mode allows no change, so the gate gave the handler the
	// plan form of the input (a dry run); the handler says so in its result.
	AsPlan bool
	// Decisions are who confirmed or approved the change the gate let
	// through, and how: the handler keeps them with what it did.
	Decisions []gate.Approval

	timeout   time.Duration
	progress  ProgressFunc
	requestID string
	remote    bool // over HTTP: audited, reads too
	host      *Host
	logOnce   sync.Once
	log       *slog.Logger
	filesOnce sync.Once
	files     *fsguard.Guard
}

// Files is the rule every path the call reads obeys: under read_paths,
// regular files and directories only, at most limits.max_input_bytes.
func (c *Call) Files() *fsguard.Guard {
	if c.Runtime.Files != nil {
		return c.Runtime.Files
	}
	// Built once a call: resolving the roots walks their links.
	c.filesOnce.Do(func() {
		cfg := c.Runtime.Config
		c.files = fsguard.Confined(cfg.ReadRoots(), cfg.Limits.MaxInputBytes)
	})
	return c.files
}

// Progress reports progress; a no-op when the client did not ask for it.
func (c *Call) Progress(done, total float64, message string) {
	if c.progress != nil {
		c.progress(done, total, c.Secrets.String(message))
	}
}

// WantsProgress reports whether anyone listens to Progress.
func (c *Call) WantsProgress() bool { return c.progress != nil }

// Log is the call's logger (JSON to stderr, secrets masked by the caller).
func (c *Call) Log() *slog.Logger {
	// Built on first use: a cached answer logs one line and needs no
	// logger of its own.
	c.logOnce.Do(func() { c.log = c.Runtime.Log.With(c.logAttrs()...) })
	return c.log
}

func (c *Call) logAttrs() []any {
	attrs := []any{"server", c.Server, "tool", c.Tool, "principal", c.Principal}
	if c.requestID != "" {
		attrs = append(attrs, "request_id", c.requestID)
	}
	return attrs
}

// Remember stores a memory entry for this call with its secrets masked.
func (c *Call) Remember(ctx context.Context, kind, scope, key string, data any, tags ...string) error {
	return c.RememberEntry(ctx, &memory.Entry{Kind: kind, Scope: scope, Key: key, Tags: tags}, data)
}

// RememberEntry stores e (its expiry and tags as given) with data, its
// secrets masked, as this call's server; e.ID is then the entry's id.
func (c *Call) RememberEntry(ctx context.Context, e *memory.Entry, data any) error {
	if c.Runtime.Memory == nil {
		return nil
	}
	v, err := c.Secrets.Any(data)
	if err != nil {
		return err
	}
	if e.Data, err = json.Marshal(v); err != nil {
		return err
	}
	e.Key, e.Scope = c.Secrets.String(e.Key), c.Secrets.String(e.Scope)
	for i, t := range e.Tags {
		e.Tags[i] = c.Secrets.String(t)
	}
	e.Server = c.Server
	return c.Runtime.Memory.Put(ctx, e)
}

// newCall is the call of a tool (or a prompt, a resource) by whoever ctx
// says is calling: over HTTP the authenticated principal, else the
// runtime's.
func (h *Host) newCall(ctx context.Context, name string, timeout time.Duration, progress ProgressFunc) *Call {
	principal, requestID := principalFrom(ctx)
	rt := h.Runtime()
	c := &Call{Server: h.Server.Name, Tool: name, Mode: rt.Config.Mode, Principal: principal,
		Runtime: rt, timeout: timeout, progress: progress, requestID: requestID, host: h,
		// Over HTTP every call is audited, reads too: a reader's probing
		// of paths and plan ids leaves a trail.
		remote: principal != ""}
	if principal == "" {
		c.Principal = rt.Principal
	}
	return c
}

// CallTool calls another tool of the same server as the same principal,
// through Host.Call: a prompt gathers what it shows under the gate, the
// allowlists and redaction every call passes.
func (c *Call) CallTool(ctx context.Context, name string, args any) *Outcome {
	raw, err := json.Marshal(args)
	if err != nil {
		return &Outcome{IsError: true, Text: err.Error()}
	}
	return c.host.Call(ctx, name, raw, nil)
}

// Call runs a tool through the middleware: policy, argument decoding,
// timeout, panic recovery, redaction, timing, logging and audit.
func (h *Host) Call(ctx context.Context, name string, args json.RawMessage, progress ProgressFunc) *Outcome {
	// A span per call: who, what and how it ended — never the arguments.
	ctx, span := telemetry.Tracer().Start(ctx, "tools/call "+name, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("mcp.method.name", "tools/call"), attribute.String("gen_ai.tool.name", name),
			attribute.String("opsmcp.server", h.Server.Name)))
	defer span.End()
	out := h.call(ctx, name, args, progress)
	if span.IsRecording() {
		principal, _ := principalFrom(ctx)
		if principal == "" {
			principal = h.Runtime().Principal
		}
		outcome := "ok"
		switch {
		case out.Confirm != nil:
			outcome = "awaiting confirmation"
		case out.Usage:
			outcome = "usage error"
		case out.IsError && !out.Ran:
			outcome = "refused"
		case out.IsError:
			outcome = "error"
		}
		span.SetAttributes(attribute.String("opsmcp.principal", principal), attribute.String("opsmcp.outcome", outcome))
		if len(out.IDs) > 0 {
			span.SetAttributes(attribute.StringSlice("opsmcp.ids", out.IDs))
		}
		if out.IsError {
			span.SetStatus(codes.Error, outcome)
		}
	}
	return out
}

func (h *Host) call(ctx context.Context, name string, args json.RawMessage, progress ProgressFunc) *Outcome {
	start := time.Now()
	t, ok := h.byName[name]
	if !ok {
		return &Outcome{IsError: true, Usage: true, Text: fmt.Sprintf("unknown tool %q on server %s", name, h.Server.Name)}
	}
	c := h.newCall(ctx, name, t.Timeout, progress)
	remote := c.remote

	var res Result
	var ran bool
	var scope, cacheKey string
	var ttl time.Duration
	rt := c.Runtime
	err := allowed(rt, t)
	errorType := "tool"
	if err != nil {
		errorType = "policy"
	}
	var in any
	if err == nil {
		in, err = t.decode(args)
	}
	if err == nil {
		// The one gate: what the call may do against the mode, before
		// any handler runs.
		if in, c.AsPlan, err = gateCall(rt, t, in); err != nil {
			errorType = "policy"
		}
	}
	if err == nil && !c.AsPlan && t.effectOf(in) == EffectChange && rt.Config.Gate.Gated(name) {
		// What a change needs besides the mode: approvals, a person's yes.
		var ask *ConfirmRequest
		if ask, err = h.requirements(ctx, c, in, args); ask != nil {
			return &Outcome{Confirm: ask, Duration: time.Since(start)}
		}
		if err != nil {
			errorType = "policy"
		}
	}
	if err == nil {
		if s, ok := in.(Scoped); ok {
			scope = s.CacheScope()
		}
		if ttl = cacheTTL(rt, t); ttl > 0 {
			cacheKey = cacheKeyOf(h.Server.Name, name, c.Principal, in, scope)
			if hit, ok := rt.Cache.get(cacheKey); ok {
				hit.Duration = time.Since(start)
				rt.Log.Info("tool call", append(c.logAttrs(), "duration_ms", float64(hit.Duration.Microseconds())/1000, "outcome", "ok", "cache", "hit")...)
				h.series[name].observe(hit, "")
				if remote {
					h.audit(c, args, nil, hit)
				}
				return hit
			}
		}
		res, err = h.safeRun(ctx, t, c, in)
		ran = true
	}
	out := &Outcome{Duration: time.Since(start), Ran: ran}
	if ran {
		out.Effect = t.effectOf(in)
	}
	if err != nil {
		out.IsError = true
		out.Text = c.Secrets.String(err.Error())
		var ae *ArgError
		out.Usage = errors.As(err, &ae)
		if out.Usage {
			errorType = "usage"
		}
	} else {
		b, merr := c.Secrets.Marshal(res)
		if merr != nil {
			out.IsError, out.Text = true, "internal error: result cannot be encoded: "+merr.Error()
		} else {
			out.Structured = b
			out.Text = c.Secrets.String(res.SummaryText())
			if ids, ok := res.(AuditIDs); ok {
				out.IDs = ids.AuditIDs()
			}
			if f, ok := res.(Failer); ok && f.Failed() {
				out.IsError = true
			}
		}
	}
	status := "ok"
	if out.IsError {
		status = "error"
	}
	attrs := []any{"duration_ms", float64(out.Duration.Microseconds()) / 1000, "outcome", status}
	if out.IsError {
		attrs = append(attrs, "error", out.Text)
	}
	c.Log().Info("tool call", attrs...)
	h.series[name].observe(out, errorType)
	switch {
	case !t.ReadOnly():
		rt.Cache.invalidate(scope)
		h.audit(c, args, res, out)
	case remote:
		h.audit(c, args, res, out)
	}
	if t.ReadOnly() && cacheKey != "" && !out.IsError {
		rt.Cache.put(cacheKey, scope, out, ttl)
	}
	return out
}

func (h *Host) safeRun(ctx context.Context, t *Tool, c *Call, in any) (res Result, err error) {
	if t.heavy(in) {
		release, err := acquireHeavy(ctx, c.Runtime.Config.Limits.HeavyCalls)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	defer func() {
		if r := recover(); r != nil {
			c.Log().Error("tool panicked", "panic", c.Secrets.String(fmt.Sprint(r)), "stack", c.Secrets.String(string(debug.Stack())))
			res, err = nil, fmt.Errorf("internal error in %s: %v (this is a bug; the server keeps running)", t.Name, r)
		}
	}()
	return t.run(ctx, c, in)
}

func (h *Host) audit(c *Call, args json.RawMessage, res Result, out *Outcome) {
	if c.Runtime.Memory == nil {
		return
	}
	rec := &memory.AuditRecord{
		Principal: c.Principal, Server: c.Server, Tool: c.Tool,
		Args: c.Secrets.JSON(orEmpty(args)), Outcome: "ok", DurationMS: out.Duration.Milliseconds(),
	}
	if out.IsError {
		rec.Outcome = out.Text
	}
	if ids, ok := res.(AuditIDs); ok && res != nil {
		rec.ResultIDs = ids.AuditIDs()
	}
	// The audit write must survive the caller's cancellation.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Runtime.Memory.AppendAudit(ctx, rec); err != nil {
		c.Log().Error("audit record not written", "error", err.Error())
	}
}

func orEmpty(b json.RawMessage) json.RawMessage {
	if len(strings.TrimSpace(string(b))) == 0 {
		return json.RawMessage("{}")
	}
	return b
}
