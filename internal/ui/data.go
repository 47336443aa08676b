package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/policy"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// data serves the fragments of one role's principals.
type data struct {
	rt     *mcpkit.Runtime
	deploy *mcpkit.Host
	mux    *http.ServeMux
}

func newData(rt *mcpkit.Runtime) *data {
	d := &data{rt: rt, deploy: mcpkit.NewHost(deploy.New(), rt), mux: http.NewServeMux()}
	d.mux.HandleFunc("GET /ui/data/plans", d.plans)
	d.mux.HandleFunc("GET /ui/data/plans/{id}", d.plan)
	d.mux.HandleFunc("POST /ui/data/plans/{id}/{decision}", d.decide)
	d.mux.HandleFunc("GET /ui/data/audit", d.audit)
	d.mux.HandleFunc("GET /ui/data/activity", d.activity)
	return d
}

func (d *data) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.mux.ServeHTTP(w, r) }

func render(w http.ResponseWriter, name string, v any) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, v); err != nil {
		http.Error(w, "rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

// planView is a plan as the pages show it.
type planView struct {
	ID, Short, Age, Expires string
	Repo, Commit            string
	Dirty                   bool
	Change                  *gate.Change
	Approvals               string
	Decisions               []gate.Approval
	Verdicts                []policy.Verdict
	// The full view's parts.
	MayDecide      bool
	WhyNot, Notice string
	Resources      []resourceView
	ShowErr        string
	Cost           []costLine
	CostErr        string
}

type resourceView struct {
	Action, Address string
	Paths           []string
}

type costLine struct{ Address, Action, Monthly, Diff string }

func (d *data) view(ctx context.Context, p *planrec.Plan, now time.Time) planView {
	v := planView{ID: p.ID, Short: terraform.ShortPlanID(p.ID), Age: ago(now.Sub(p.CreatedAt)),
		Expires: p.ExpiresAt.Format(time.RFC3339), Repo: p.Repo, Dirty: p.Dirty, Change: deploy.PlanChange(p)}
	if p.Commit != "" {
		v.Commit = p.Commit[:min(12, len(p.Commit))]
	}
	var rec struct {
		Policy []policy.Verdict `json:"policy"`
	}
	_ = json.Unmarshal(p.Summary, &rec)
	v.Verdicts = rec.Policy
	need := d.rt.Config.Gate.Approvals
	v.Decisions, _ = gate.List(ctx, d.rt.Memory, p.ID)
	by, err := gate.Approvers(v.Decisions, p.ID, p.Proposer, need)
	switch err.(type) {
	case *gate.RejectedError:
		v.Approvals = "rejected"
	default:
		v.Approvals = fmt.Sprintf("%d of %d", len(by), need)
		if len(by) > 0 {
			v.Approvals += " (" + strings.Join(by, ", ") + ")"
		}
	}
	return v
}

// pending are the plans waiting, visible to this role.
func (d *data) pending(ctx context.Context) ([]planrec.Plan, error) {
	plans, err := d.rt.Memory.ListPlans(ctx, planrec.Filter{PendingOnly: true})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(plans, func(p planrec.Plan) bool { return !d.rt.Config.ScopeVisible(p.Workspace) }), nil
}

func (d *data) plans(w http.ResponseWriter, r *http.Request) {
	plans, err := d.pending(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	now := time.Now()
	var views []planView
	for i := range plans {
		views = append(views, d.view(r.Context(), &plans[i], now))
	}
	props, err := gate.Proposals(r.Context(), d.rt.Memory, now)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for i := range props {
		if d.rt.Config.ScopeVisible(props[i].Change.Scope) {
			views = append(views, d.proposalView(r.Context(), &props[i], now))
		}
	}
	render(w, "plans", map[string]any{"Plans": views})
}

// get is a plan this role may see, or 404.
func (d *data) get(w http.ResponseWriter, r *http.Request) *planrec.Plan {
	p, err := d.rt.Memory.GetPlan(r.Context(), r.PathValue("id"))
	if err != nil || !d.rt.Config.ScopeVisible(p.Workspace) {
		http.Error(w, "no such plan", http.StatusNotFound)
		return nil
	}
	return p
}

func (d *data) plan(w http.ResponseWriter, r *http.Request) {
	if d.proposal(w, r, "") {
		return
	}
	p := d.get(w, r)
	if p == nil {
		return
	}
	d.full(w, r, p, "")
}

// proposalView is a change other than a plan, waiting for approvals.
func (d *data) proposalView(ctx context.Context, p *gate.Proposal, now time.Time) planView {
	ch := p.Change
	v := planView{ID: ch.ID, Short: terraform.ShortPlanID(ch.ID), Age: ago(now.Sub(p.CreatedAt)), Expires: p.ExpiresAt.Format(time.RFC3339), Change: &ch}
	need := d.rt.Config.Gate.Approvals
	v.Decisions, _ = gate.List(ctx, d.rt.Memory, ch.ID)
	by, err := gate.Approvers(v.Decisions, ch.ID, ch.Proposer, need)
	if _, rejected := err.(*gate.RejectedError); rejected {
		v.Approvals = "rejected"
	} else {
		v.Approvals = fmt.Sprintf("%d of %d", len(by), need)
	}
	return v
}

// proposal shows a proposed change when the id names one; false when it
// does not.
func (d *data) proposal(w http.ResponseWriter, r *http.Request, notice string) bool {
	p, err := gate.GetProposal(r.Context(), d.rt.Memory, r.PathValue("id"))
	if err != nil || !d.rt.Config.ScopeVisible(p.Change.Scope) {
		return false
	}
	v := d.proposalView(r.Context(), p, time.Now())
	v.Notice = notice
	role, who := d.rt.Config.Role, mcpkit.PrincipalFrom(r.Context())
	switch {
	case role == nil || !role.Approve:
		v.WhyNot = "Your role may not approve or reject changes (http.roles.NAME.approve)."
	case p.Change.Proposer == who:
		v.WhyNot = "You proposed this change: another principal decides on it."
	default:
		v.MayDecide = true
	}
	render(w, "proposal", v)
	return true
}

func (d *data) full(w http.ResponseWriter, r *http.Request, p *planrec.Plan, notice string) {
	ctx := r.Context()
	v := d.view(ctx, p, time.Now())
	v.Notice = notice
	who := mcpkit.PrincipalFrom(ctx)
	role := d.rt.Config.Role
	switch {
	case role == nil || !role.Approve:
		v.WhyNot = "Your role may not approve or reject plans (http.roles.NAME.approve)."
	case p.Proposer == who:
		v.WhyNot = "You proposed this plan: another principal decides on it."
	case deploy.Reviewable(p, time.Now()) != nil:
		v.WhyNot = deploy.Reviewable(p, time.Now()).Error()
	default:
		v.MayDecide = true
	}
	v.Resources, v.ShowErr = d.resources(ctx, p)
	v.Cost, v.CostErr = d.cost(ctx, p)
	render(w, "plan", v)
}

// resources reads the saved plan: every resource change, destroys first,
// with the attribute paths that change (never their values).
func (d *data) resources(ctx context.Context, p *planrec.Plan) ([]resourceView, string) {
	file, err := deploy.PlanStore(d.rt.Config, d.rt.Memory).LocalFile(p)
	if err != nil {
		return nil, err.Error()
	}
	bin, err := terraform.Locate(ctx, d.rt.Config.Terraform.Binary)
	if err != nil {
		return nil, err.Error()
	}
	run, err := terraform.NewRunner(bin, p.Workspace)
	if err != nil {
		return nil, err.Error()
	}
	plan, err := run.ShowPlan(ctx, file)
	if err != nil {
		return nil, err.Error()
	}
	_, changes := terraform.Summarize(plan)
	paths := map[string][]string{}
	for _, rc := range plan.ResourceChanges {
		if rc.Change != nil {
			paths[rc.Address] = changedKeys(rc.Change.Before, rc.Change.After)
		}
	}
	out := make([]resourceView, 0, len(changes))
	for _, c := range changes {
		out = append(out, resourceView{Action: c.Action, Address: c.Address, Paths: paths[c.Address]})
	}
	return out, ""
}

// changedKeys are the top-level attributes whose values differ.
func changedKeys(before, after any) []string {
	b, _ := before.(map[string]any)
	a, _ := after.(map[string]any)
	var out []string
	seen := map[string]bool{}
	for _, m := range []map[string]any{b, a} {
		for k := range m {
			if seen[k] {
				continue
			}
			seen[k] = true
			x, _ := json.Marshal(b[k])
			y, _ := json.Marshal(a[k])
			if !bytes.Equal(x, y) {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// cost asks estimate_costs, as any client would.
func (d *data) cost(ctx context.Context, p *planrec.Plan) ([]costLine, string) {
	args, _ := json.Marshal(map[string]any{"infrastructure": p.ID})
	out := d.deploy.Call(ctx, "estimate_costs", args, nil)
	if out.IsError {
		return nil, "No cost estimate: " + out.Text
	}
	var est deploy.EstimateCostsResult
	if err := out.Decode(&est); err != nil {
		return nil, err.Error()
	}
	var lines []costLine
	for _, rc := range est.Resources {
		l := costLine{Address: rc.Address, Action: rc.Action, Monthly: "$" + cost.Dec(rc.MonthlyCost).Money()}
		if rc.DiffMonthlyCost != nil {
			l.Diff = "$" + cost.Dec(*rc.DiffMonthlyCost).Money()
		}
		lines = append(lines, l)
	}
	return lines, ""
}

// decide records an approval or rejection through the tool, then shows
// the plan again.
func (d *data) decide(w http.ResponseWriter, r *http.Request) {
	tool := map[string]string{"approve": "approve_plan", "reject": "reject_plan"}[r.PathValue("decision")]
	if tool == "" {
		http.Error(w, "no such decision", http.StatusNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	args, _ := json.Marshal(map[string]any{"plan_id": r.PathValue("id"), "reason": r.PostForm.Get("reason")})
	out := d.deploy.Call(r.Context(), tool, args, nil)
	if out.IsError {
		http.Error(w, out.Text, http.StatusForbidden)
		return
	}
	if d.proposal(w, r, out.Text) {
		return
	}
	p := d.get(w, r)
	if p == nil {
		return
	}
	d.full(w, r, p, out.Text)
}

type auditView struct {
	Seq                           int64
	Time, Principal, Server, Tool string
	Outcome                       string
	ResultIDs                     []string
}

// maxAuditRows bounds one page of the trail.
const maxAuditRows = 200

func (d *data) audit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	principal, tool, outcome := q.Get("principal"), q.Get("tool"), q.Get("outcome")
	v := map[string]any{"Principal": principal, "Tool": tool, "Outcome": outcome}
	rep, err := memory.VerifyAudit(ctx, d.rt.Memory)
	switch {
	case err != nil:
		v["Chain"] = "The chain could not be verified: " + err.Error()
	case rep.OK:
		v["Chain"], v["Verified"] = fmt.Sprintf("The chain of %d records verifies.", rep.Records), true
	default:
		v["Chain"] = "The chain does not verify: " + rep.Problem
	}
	recs, err := d.rt.Memory.ListAudit(ctx, 0)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var rows []auditView
	for _, a := range recs {
		if (principal != "" && !strings.Contains(a.Principal, principal)) || (tool != "" && !strings.Contains(a.Tool, tool)) ||
			(outcome != "" && !strings.Contains(a.Outcome, outcome)) {
			continue
		}
		if len(rows) < maxAuditRows {
			rows = append(rows, auditView{Seq: a.Seq, Time: a.Time.UTC().Format(time.RFC3339), Principal: a.Principal, Server: a.Server,
				Tool: a.Tool, Outcome: a.Outcome, ResultIDs: a.ResultIDs})
		}
	}
	v["Records"], v["Shown"], v["Total"] = rows, len(rows), len(recs)
	render(w, "audit", v)
}

type entryView struct{ When, Scope, Key, What string }

func (d *data) activity(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	list := func(kind string) []entryView {
		page, err := d.rt.Memory.List(ctx, memory.Filter{Kind: kind, Limit: 50})
		if err != nil {
			return nil
		}
		var out []entryView
		for _, e := range page.Entries {
			if !d.rt.Config.ScopeVisible(e.Scope) {
				continue
			}
			what := string(e.Data)
			if len(what) > 300 {
				what = what[:300] + "…"
			}
			out = append(out, entryView{When: e.CreatedAt.UTC().Format(time.RFC3339), Scope: e.Scope, Key: e.Key, What: what})
		}
		return out
	}
	render(w, "activity", map[string]any{"Applies": list(memory.KindOperation), "Drift": list(memory.KindDrift), "Observations": list(memory.KindObservation), "Consults": list(memory.KindConsult)})
}
