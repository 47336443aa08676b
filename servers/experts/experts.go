// Package experts is the opsmcp-experts server: one question answered from
// the live context of every other server by the built-in rules expert and
// the configured models, and the shared memory's remember/recall/forget.
package experts

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsmcp/opsmcp/internal/experts"
	"github.com/opsmcp/opsmcp/internal/mcpclient"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// Name is the server's name in the CLI, .mcp.json and memory entries.
const Name = "experts"

// Servers says which servers a consult gathers from: the --mcp-config
// file, else ./.mcp.json, else Defaults (the servers of this install,
// served in this process on the call's runtime).
type Servers struct {
	MCPConfig string
	Defaults  func(rt *mcpkit.Runtime) []mcpclient.ServerSpec
}

// Resolve reads the server list and drops the experts server itself (a
// consult that gathered from itself would never end).
func (s *Servers) Resolve(rt *mcpkit.Runtime) ([]mcpclient.ServerSpec, error) {
	path := s.MCPConfig
	if path == "" {
		if _, err := os.Stat(".mcp.json"); err == nil {
			path = ".mcp.json"
		}
	}
	var specs []mcpclient.ServerSpec
	if path != "" {
		var err error
		if specs, err = mcpclient.ReadMCPConfig(path); err != nil {
			return nil, err
		}
	} else if s.Defaults != nil {
		specs = s.Defaults(rt)
	}
	out := specs[:0]
	for _, sp := range specs {
		if sp.Name != Name {
			out = append(out, sp)
		}
	}
	if len(out) == 0 {
		return nil, mcpclient.ErrNoServers
	}
	return out, nil
}

// Orchestrators keeps one orchestrator per runtime, so that the pool's
// connections live as long as the process.
type Orchestrators struct {
	Servers *Servers
	mu      sync.Mutex
	byRT    map[*mcpkit.Runtime]*experts.Orchestrator
}

// For returns the runtime's orchestrator, building it on first use.
func (o *Orchestrators) For(rt *mcpkit.Runtime) (*experts.Orchestrator, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if orc := o.byRT[rt]; orc != nil {
		return orc, nil
	}
	specs, err := o.Servers.Resolve(rt)
	if err != nil {
		return nil, err
	}
	models, status := experts.ModelExperts(rt.Config.Experts, nil)
	orc := &experts.Orchestrator{Pool: mcpclient.NewPool(specs), Models: models, Status: status, Memory: rt.Memory,
		Rules:   experts.RulesOptions{CostIncrease: rt.Config.Cost.IncreaseThreshold},
		TTL:     time.Duration(rt.Config.Cache.TTL["consult_experts"]),
		Visible: rt.Config.ScopeVisible}
	if r := rt.Config.Role; r != nil {
		// A role's consults are answered from its own view only.
		b, _ := json.Marshal(r)
		orc.Audience = "role:" + string(b)
	}
	if o.byRT == nil {
		o.byRT = map[*mcpkit.Runtime]*experts.Orchestrator{}
	}
	o.byRT[rt] = orc
	return orc, nil
}

// New returns the experts server gathering from servers.
func New(servers *Servers) *mcpkit.Server {
	orcs := &Orchestrators{Servers: servers}
	return &mcpkit.Server{
		Name: Name,
		Instructions: "consult_experts answers a deployment question (\"is it safe to roll out web v2 to prod?\") from the live context of " +
			"every opsmcp server, by the built-in rules expert and the configured models, with their agreement and dissent; " +
			"proposed actions run only with execute, and then only as a plan or dry run. gather_context returns that context. " +
			"remember, recall and forget work on the memory every server shares; resources: opsmcp://audit/recent, opsmcp://memory/{id}. " +
			mcpkit.SafeWorkflow,
		Tools:     []mcpkit.Tool{consultTool(orcs), gatherTool(orcs), rememberTool, recallTool, forgetTool},
		Resources: []mcpkit.Resource{auditResource, memoryResource},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&servers.MCPConfig, "mcp-config", servers.MCPConfig, "the servers to gather from, in .mcp.json's format (default ./.mcp.json, else the servers of this install)")
		},
	}
}

// ConsultInput is the input of consult_experts.
type ConsultInput struct {
	Question string            `json:"question" desc:"e.g. is it safe to roll out web v2 to prod?"`
	Scope    map[string]string `json:"scope,omitempty" desc:"e.g. {workspace, namespace, repo}: passed to each server's gather_context that takes it"`
	Execute  bool              `json:"execute,omitempty" desc:"run the agreed actions, each as a plan or dry run"`
	Fresh    bool              `json:"fresh,omitempty" desc:"ask again even if memory holds an answer"`
}

// ConsultOutput is the result of consult_experts.
type ConsultOutput struct{ experts.ConsultResult }

func (r ConsultOutput) SummaryText() string { return experts.Report(&r.ConsultResult) }

func consultTool(orcs *Orchestrators) mcpkit.Tool {
	return mcpkit.NewTool(mcpkit.Def{
		Name:        "consult_experts",
		Toolset:     "experts",
		Description: "Answer a question from every server's live context by the rules expert and the configured models; ranked recommendations with agreement.",
		Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.No, Idempotent: mcpkit.No, OpenWorld: mcpkit.Yes},
		// It records the consult; the actions it executes pass their own
		// servers' gates, and run only as plans or dry runs.
		Effect:  mcpkit.EffectPlan,
		Timeout: 5 * time.Minute,
	}, func(ctx context.Context, c *mcpkit.Call, in ConsultInput) (ConsultOutput, error) {
		orc, err := orcs.For(c.Runtime)
		if err != nil {
			return ConsultOutput{}, err
		}
		res, err := orc.Consult(ctx, experts.ConsultRequest{Question: in.Question, Scope: in.Scope, Execute: in.Execute, Fresh: in.Fresh})
		if err != nil {
			return ConsultOutput{}, err
		}
		return ConsultOutput{*res}, nil
	})
}

// GatherInput is the input of gather_context.
type GatherInput struct {
	Scope map[string]string `json:"scope,omitempty" desc:"passed to each server's gather_context that takes it"`
}

// GatherOutput is every server's context.
type GatherOutput struct{ experts.Gathered }

func (r GatherOutput) SummaryText() string {
	var names []string
	for s := range r.Results {
		names = append(names, s)
	}
	sort.Strings(names)
	out := fmt.Sprintf("Context from %d servers: %s.", len(names), strings.Join(names, ", "))
	for _, s := range slices.Sorted(maps.Keys(r.Errors)) {
		out += fmt.Sprintf("\n  %s: %s", s, r.Errors[s])
	}
	return out
}

func gatherTool(orcs *Orchestrators) mcpkit.Tool {
	return mcpkit.NewTool(mcpkit.Def{
		Name:        "gather_context",
		Toolset:     "context",
		Description: "Every server's gather_context at once, in parallel, with which servers failed and why.",
		Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.Yes},
		Timeout:     time.Minute,
	}, func(ctx context.Context, c *mcpkit.Call, in GatherInput) (GatherOutput, error) {
		orc, err := orcs.For(c.Runtime)
		if err != nil {
			return GatherOutput{}, err
		}
		g, _ := orc.Gather(ctx, "", in.Scope)
		return GatherOutput{g}, nil
	})
}

// RememberInput is the input of remember.
type RememberInput struct {
	Kind  string          `json:"kind,omitempty" enum:"note|observation|operation" default:"\"note\""`
	Scope string          `json:"scope,omitempty" desc:"what it is about: a workspace, namespace, repo or account"`
	Key   string          `json:"key" desc:"a short name, e.g. web-v2-rollout"`
	Text  string          `json:"text,omitempty" desc:"what to remember, in words"`
	Data  json.RawMessage `json:"data,omitempty" desc:"or as JSON"`
	Tags  []string        `json:"tags,omitempty"`
	TTL   string          `json:"ttl,omitempty" desc:"forget after this long, e.g. 72h"`
}

// EntryRef names a stored entry.
type EntryRef struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Key       string     `json:"key"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (r EntryRef) SummaryText() string {
	return fmt.Sprintf("Remembered %s %q as entry %d.", r.Kind, r.Key, r.ID)
}

var rememberTool = mcpkit.NewTool(mcpkit.Def{
	Name:        "remember",
	Toolset:     "memory",
	Description: "Store a note or observation in the memory every opsmcp server shares (secrets are masked).",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.No, Idempotent: mcpkit.No, OpenWorld: mcpkit.No},
	Effect:      mcpkit.EffectPlan, // opsmcp's own memory only
}, func(ctx context.Context, c *mcpkit.Call, in RememberInput) (EntryRef, error) {
	if c.Runtime.Memory == nil {
		return EntryRef{}, errors.New("no memory store is configured")
	}
	if strings.TrimSpace(in.Key) == "" {
		return EntryRef{}, errors.New("key is empty: give a short name for what to remember")
	}
	if in.Text == "" && len(in.Data) == 0 {
		return EntryRef{}, errors.New("nothing to remember: give text or data")
	}
	kind := in.Kind
	if kind == "" {
		kind = memory.KindNote
	}
	var data any = map[string]string{"text": in.Text}
	if len(in.Data) > 0 {
		if err := json.Unmarshal(in.Data, &data); err != nil {
			return EntryRef{}, fmt.Errorf("data is not JSON: %v", err)
		}
		if in.Text != "" {
			data = map[string]any{"text": in.Text, "data": data}
		}
	}
	e := &memory.Entry{Kind: kind, Scope: in.Scope, Key: in.Key, Tags: in.Tags}
	if in.TTL != "" {
		d, err := time.ParseDuration(in.TTL)
		if err != nil || d <= 0 {
			return EntryRef{}, fmt.Errorf("ttl %q: want a duration such as 72h", in.TTL)
		}
		exp := time.Now().Add(d)
		e.ExpiresAt = &exp
	}
	if err := c.RememberEntry(ctx, e, data); err != nil {
		return EntryRef{}, err
	}
	return EntryRef{ID: e.ID, Kind: kind, Key: in.Key, ExpiresAt: e.ExpiresAt}, nil
})

// RecallInput is the input of recall.
type RecallInput struct {
	Query  string `json:"query" desc:"words to search for"`
	Kind   string `json:"kind,omitempty" enum:"|operation|plan|observation|consult|note"`
	Scope  string `json:"scope,omitempty"`
	Server string `json:"server,omitempty"`
	Limit  int    `json:"limit,omitempty" desc:"default 10, at most 100"`
}

// RecallOutput is the entries found, best first.
type RecallOutput struct {
	Hits []memory.Hit `json:"hits"`
}

func (r RecallOutput) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d entries", len(r.Hits))
	for _, h := range r.Hits {
		fmt.Fprintf(&b, "\n  #%d %s/%s %s %s (%s)", h.ID, h.Server, h.Kind, h.Scope, h.Key, h.CreatedAt.UTC().Format(time.RFC3339))
	}
	return b.String()
}

var recallTool = mcpkit.NewTool(mcpkit.Def{
	Name:        "recall",
	Toolset:     "memory",
	Description: "Search the shared memory: what was planned, applied, observed, consulted or noted, best match first.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
}, func(ctx context.Context, c *mcpkit.Call, in RecallInput) (RecallOutput, error) {
	if c.Runtime.Memory == nil {
		return RecallOutput{}, errors.New("no memory store is configured")
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 10
	}
	if limit > 100 {
		return RecallOutput{}, fmt.Errorf("limit %d is over 100", limit)
	}
	// Over-fetch: hits of scopes the principal's role may not see are
	// dropped after the search.
	hits, err := c.Runtime.Memory.Search(ctx, in.Query, memory.Filter{Kind: in.Kind, Scope: in.Scope, Server: in.Server, Limit: limit * 4})
	if err != nil {
		return RecallOutput{}, err
	}
	hits = slices.DeleteFunc(hits, func(h memory.Hit) bool { return !c.Runtime.Config.ScopeVisible(h.Scope) })
	hits = hits[:min(len(hits), limit)]
	if hits == nil {
		hits = []memory.Hit{}
	}
	return RecallOutput{Hits: hits}, nil
})

// ForgetInput is the input of forget.
type ForgetInput struct {
	ID int64 `json:"id" desc:"the entry's id, from recall or remember"`
}

// Forgotten is the result of forget.
type Forgotten struct {
	ID int64 `json:"id"`
}

func (r Forgotten) SummaryText() string { return fmt.Sprintf("Forgot entry %d.", r.ID) }

var forgetTool = mcpkit.NewTool(mcpkit.Def{
	Name:        "forget",
	Toolset:     "memory",
	Description: "Delete one entry from the shared memory by id (audit records are never deleted).",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No},
	Effect:      mcpkit.EffectPlan, // opsmcp's own memory only
}, func(ctx context.Context, c *mcpkit.Call, in ForgetInput) (Forgotten, error) {
	if c.Runtime.Memory == nil {
		return Forgotten{}, errors.New("no memory store is configured")
	}
	if err := c.Runtime.Memory.Delete(ctx, in.ID); err != nil {
		if errors.Is(err, memory.ErrNotFound) {
			return Forgotten{}, fmt.Errorf("no memory entry %d", in.ID)
		}
		return Forgotten{}, err
	}
	return Forgotten(in), nil
})
