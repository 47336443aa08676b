package experts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/gather"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// Defaults of a consult.
const (
	DefaultServerTimeout = 5 * time.Second
	DefaultBudget        = 15 * time.Second
	DefaultConsultTTL    = 10 * time.Minute
	// memoryHits is how many memory entries a prompt carries.
	memoryHits = 5
	// recentApplies is how many Kubernetes applies drift is judged against.
	recentApplies = 20
)

// Servers are the MCP servers a consult gathers context from and runs
// agreed actions on (internal/mcpclient's pool).
type Servers interface {
	Names() []string
	// GatherAll calls every server's gather_context with the scope keys
	// its tool takes, each within perServer and all within budget.
	GatherAll(ctx context.Context, scope map[string]any, perServer, budget time.Duration) gather.Gathered
	// Tool says whether a server has a tool and whether it is read-only.
	Tool(ctx context.Context, server, tool string) (readOnly, known bool)
	// CallText calls a tool and returns its text and whether it failed.
	CallText(ctx context.Context, server, tool string, args map[string]any) (text string, isError bool, err error)
}

// Orchestrator gathers context from every server and consults the experts.
// One lives as long as its server or command: the pool's connections are
// kept between consults.
type Orchestrator struct {
	Pool   Servers
	Models []Expert
	// Status is every configured model expert's, present or not.
	Status []ExpertStatus
	Memory memory.EntryStore
	Rules  RulesOptions
	// ServerTimeout bounds each server's gather_context, Budget all of them.
	ServerTimeout, Budget time.Duration
	// TTL is how long a consult answers an identical one from memory.
	TTL time.Duration
	Now func() time.Time
	// Visible says whether memory held under a scope may be shown (a
	// narrowing role's allowlists); nil shows everything.
	Visible func(scope string) bool
	// Audience names who may be answered from a stored consult: a consult
	// gathered under one role's view is not another's answer.
	Audience string
}

func (o *Orchestrator) visible(scope string) bool { return o.Visible == nil || o.Visible(scope) }

type kubeRollout struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Done      bool   `json:"done"`
}

// kubeApply is what memory holds of a deploy_kubernetes apply.
type kubeApply struct {
	OperationID string        `json:"operation_id"`
	At          time.Time     `json:"at"`
	Context     string        `json:"context"`
	Applied     bool          `json:"applied"`
	Rollouts    []kubeRollout `json:"rollouts"`
}

// ConsultRequest is one question.
type ConsultRequest struct {
	Question string            `json:"question"`
	Scope    map[string]string `json:"scope,omitempty"`
	// Execute runs the agreed actions, each as a plan or dry run.
	Execute bool `json:"execute,omitempty"`
	// Fresh ignores a stored answer to the same question.
	Fresh bool `json:"fresh,omitempty"`
}

// ServersReport says which servers gave context.
type ServersReport struct {
	Answered  []string          `json:"answered"`
	Failed    map[string]string `json:"failed,omitempty"`
	Restarted []string          `json:"restarted,omitempty"`
}

// ActionRun is an agreed action and what running it (as a plan or dry run)
// gave; Skipped says why it was not run.
type ActionRun struct {
	Action
	Item    string `json:"item"`
	Ran     bool   `json:"ran"`
	DryRun  bool   `json:"dry_run,omitempty"`
	IsError bool   `json:"is_error,omitempty"`
	Result  string `json:"result,omitempty"`
	Skipped string `json:"skipped,omitempty"`
}

// ConsultResult is a whole consult, as stored in memory.
type ConsultResult struct {
	Question      string            `json:"question"`
	Scope         map[string]string `json:"scope,omitempty"`
	ConsultedAt   time.Time         `json:"consulted_at"`
	Cached        bool              `json:"cached"`
	ContextDigest string            `json:"context_digest"`
	Servers       ServersReport     `json:"servers"`
	MemoryUsed    []int64           `json:"memory_used,omitempty"` // ids of the entries the prompt carried
	Answers       []ExpertAnswer    `json:"answers"`
	Consensus     Consensus         `json:"consensus"`
	Absent        []ExpertStatus    `json:"absent_experts,omitempty"`
	Actions       []ActionRun       `json:"actions,omitempty"`
}

// Gather is every server's context for a scope, with relevant memory
// entries under "memory" when the question finds any.
func (o *Orchestrator) Gather(ctx context.Context, question string, scope map[string]string) (Gathered, []int64) {
	args := map[string]any{}
	for k, v := range scope {
		args[k] = v
	}
	g := o.Pool.GatherAll(ctx, args, or(o.ServerTimeout, DefaultServerTimeout), or(o.Budget, DefaultBudget))
	var ids []int64
	if o.Memory == nil {
		return g, ids
	}
	type brief struct {
		ID        int64           `json:"id"`
		Server    string          `json:"server"`
		Kind      string          `json:"kind"`
		Scope     string          `json:"scope"`
		Key       string          `json:"key"`
		CreatedAt time.Time       `json:"created_at"`
		Data      json.RawMessage `json:"data"`
	}
	mem := map[string]any{}
	if strings.TrimSpace(question) != "" {
		if hits, err := o.Memory.Search(ctx, question+" "+strings.Join(slices.Sorted(maps.Values(scope)), " "), memory.Filter{Limit: memoryHits}); err == nil {
			var list []brief
			for _, h := range hits {
				if h.Kind == memory.KindConsult || !o.visible(h.Scope) {
					continue // earlier answers are not evidence; other roles' scopes are not shown
				}
				list = append(list, brief{h.ID, h.Server, h.Kind, h.Scope, h.Key, h.CreatedAt, h.Data})
				ids = append(ids, h.ID)
			}
			if len(list) > 0 {
				mem["entries"] = list
			}
		}
	}
	// What opsmcp last applied to Kubernetes, to hold the live state to:
	// a workload that rolled out then and is unhealthy now has drifted.
	if page, err := o.Memory.List(ctx, memory.Filter{Kind: memory.KindOperation, Tags: []string{"kubernetes"}, Limit: recentApplies}); err == nil {
		var applies []kubeApply
		for _, e := range page.Entries {
			var op kubeApply
			if json.Unmarshal(e.Data, &op) == nil {
				op.OperationID, op.At = e.Key, e.CreatedAt
				op.Rollouts = slices.DeleteFunc(op.Rollouts, func(r kubeRollout) bool { return !o.visible(r.Namespace) })
				applies = append(applies, op)
			}
		}
		if len(applies) > 0 {
			mem["kubernetes_applies"] = applies
		}
	}
	if len(mem) > 0 {
		b, _ := json.Marshal(mem)
		g.Results["memory"] = b
	}
	return g, ids
}

// Consult answers a question: from memory when the same question with the
// same scope and experts was answered within the TTL, else by gathering
// context and asking every expert (the rules expert always) in parallel,
// merging their answers, running agreed actions when asked, and storing
// the whole in memory.
func (o *Orchestrator) Consult(ctx context.Context, req ConsultRequest) (*ConsultResult, error) {
	if strings.TrimSpace(req.Question) == "" {
		return nil, fmt.Errorf("the question is empty")
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	key := o.consultKey(req)
	if o.Memory != nil && !req.Fresh && !req.Execute {
		page, err := o.Memory.List(ctx, memory.Filter{Kind: memory.KindConsult, Key: key, Limit: 1})
		if err == nil && len(page.Entries) > 0 {
			var prev ConsultResult
			if json.Unmarshal(page.Entries[0].Data, &prev) == nil {
				prev.Cached = true
				return &prev, nil
			}
		}
	}
	g, ids := o.Gather(ctx, req.Question, req.Scope)
	res := &ConsultResult{Question: req.Question, Scope: req.Scope, ConsultedAt: now().UTC(), ContextDigest: digest(g), MemoryUsed: ids,
		Servers: ServersReport{Failed: g.Errors, Restarted: g.Restarted}}
	for s := range g.Results {
		if s != "memory" {
			res.Servers.Answered = append(res.Servers.Answered, s)
		}
	}
	sort.Strings(res.Servers.Answered)
	experts := append([]Expert{RulesExpert{Question: req.Question, Gathered: g, Options: o.Rules}}, o.Models...)
	res.Answers = AskAll(ctx, experts, Prompt{Question: req.Question, Scope: req.Scope, Gathered: g})
	res.Consensus = Merge(res.Answers)
	for _, st := range o.Status {
		if !st.Present {
			res.Absent = append(res.Absent, st)
		}
	}
	if req.Execute {
		res.Actions = o.runActions(ctx, res.Consensus)
	}
	if o.Memory != nil {
		data, err := json.Marshal(res)
		if err == nil {
			exp := now().Add(or(o.TTL, DefaultConsultTTL))
			err = o.Memory.Put(ctx, &memory.Entry{Server: "experts", Kind: memory.KindConsult, Scope: scopeString(req.Scope), Key: key,
				Data: data, Tags: []string{"consult"}, ExpiresAt: &exp})
		}
		if err != nil {
			return nil, fmt.Errorf("storing the consult in memory: %w", err)
		}
	}
	return res, nil
}

// consultKey identifies a consult: the question (case and spacing
// folded), the scope and the experts asked.
func (o *Orchestrator) consultKey(req ConsultRequest) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00rules", strings.Join(strings.Fields(strings.ToLower(req.Question)), " "), scopeString(req.Scope), o.Audience)
	for _, m := range o.Models {
		fmt.Fprintf(h, "\x00%s:%v", m.Name(), m.Weight())
	}
	return "consult:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// digest is the sha256 of the gathered context, so a stored consult says
// exactly what it was answered from.
func digest(g Gathered) string {
	b, _ := json.Marshal(g) // encoding/json sorts map keys
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func scopeString(scope map[string]string) string {
	keys := slices.Sorted(maps.Keys(scope))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + scope[k]
	}
	return strings.Join(parts, ",")
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// dryRunForms are the mutating tools that have a plan or dry-run form, and
// how to ask for it. Other mutating tools are never run by a consult.
var dryRunForms = map[string]func(args map[string]any) map[string]any{
	"deploy/apply_terraform": func(args map[string]any) map[string]any {
		out := copyArgs(args)
		delete(out, "plan_id")
		delete(out, "auto_approve")
		return out
	},
	"deploy/deploy_kubernetes": func(args map[string]any) map[string]any {
		out := copyArgs(args)
		out["dry_run"] = true
		return out
	},
}

func copyArgs(args map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range args {
		out[k] = v
	}
	return out
}

// runActions runs the action of every agreed item on its server, through
// that server's policy as any call: read-only tools as they are, mutating
// ones only in their plan or dry-run form. Split items are not run.
func (o *Orchestrator) runActions(ctx context.Context, c Consensus) []ActionRun {
	var runs []ActionRun
	seen := map[string]bool{}
	for _, it := range c.Items {
		if it.Action == nil || seen[it.Action.key()] {
			continue
		}
		seen[it.Action.key()] = true
		run := ActionRun{Action: *it.Action, Item: it.Title}
		server := it.Action.Server
		switch {
		case it.Verdict != "consensus":
			run.Skipped = "not agreed (split)"
		case !slices.Contains(o.Pool.Names(), server):
			run.Skipped = fmt.Sprintf("no server %q among %s", server, strings.Join(o.Pool.Names(), ", "))
		}
		if run.Skipped != "" {
			runs = append(runs, run)
			continue
		}
		args := it.Action.Arguments
		readOnly, known := o.Pool.Tool(ctx, server, it.Action.Tool)
		if !known {
			run.Skipped = fmt.Sprintf("%s has no tool %s", server, it.Action.Tool)
			runs = append(runs, run)
			continue
		}
		if !readOnly {
			form, ok := dryRunForms[server+"/"+it.Action.Tool]
			if !ok {
				run.Skipped = "it changes something and has no dry-run form: call it directly"
				runs = append(runs, run)
				continue
			}
			args, run.DryRun = form(args), true
		}
		text, isError, err := o.Pool.CallText(ctx, server, it.Action.Tool, args)
		run.Ran = true
		switch {
		case err != nil:
			run.IsError, run.Result = true, err.Error()
		default:
			run.IsError, run.Result = isError, text
		}
		runs = append(runs, run)
	}
	return runs
}
