package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/contract/deployctx"
	"github.com/opsmcp/opsmcp/internal/cost"
	"github.com/opsmcp/opsmcp/internal/fsguard"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/redact"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// ApplyTerraformInput is the input of apply_terraform.
type ApplyTerraformInput struct {
	Workspace      string         `json:"workspace"`
	Variables      map[string]any `json:"variables,omitempty"`
	VarFiles       []string       `json:"var_files,omitempty"`
	Target         []string       `json:"target,omitempty"` // resource addresses, as terraform -target
	Destroy        bool           `json:"destroy,omitempty"`
	PlanID         string         `json:"plan_id,omitempty" desc:"apply this saved plan"`
	AutoApprove    bool           `json:"auto_approve,omitempty"`
	TimeoutSeconds int            `json:"timeout_seconds,omitempty" default:"1800" minimum:"1"`
}

// CacheScope is the workspace: applying it invalidates cached reads of it.
func (in ApplyTerraformInput) CacheScope() string { return terraform.CanonicalPath(in.Workspace) }

// Effect: with plan_id it applies; without, it plans.
func (in ApplyTerraformInput) Effect() mcpkit.Effect {
	if in.PlanID != "" {
		return mcpkit.EffectChange
	}
	return mcpkit.EffectPlan
}

// CallTimeout bounds the call.
func (in ApplyTerraformInput) CallTimeout() time.Duration {
	return time.Duration(in.TimeoutSeconds) * time.Second
}

// PlanSummary counts planned changes (the contract's type).
type PlanSummary = deployctx.PlanSummary

// ResourceChange is one planned resource action.
type ResourceChange struct {
	Address string `json:"address"`
	Action  string `json:"action" enum:"delete|replace|create|update|read"`
}

// OutputChange is one planned root output change.
type OutputChange struct {
	Name   string `json:"name"`
	Action string `json:"action"`
	Value  any    `json:"value,omitempty"`
}

// ApplyTerraformResult is the result of apply_terraform.
type ApplyTerraformResult struct {
	Workspace      string           `json:"workspace"`
	Version        string           `json:"terraform_version"`
	Applied        bool             `json:"applied"`
	PlanID         string           `json:"plan_id"`
	ExpiresAt      *time.Time       `json:"expires_at,omitempty"`
	Summary        PlanSummary      `json:"summary"`
	Changes        []ResourceChange `json:"changes"`
	ChangesOmitted int              `json:"changes_omitted,omitempty"`
	OutputChanges  []OutputChange   `json:"output_changes,omitempty"`
	Outputs        map[string]any   `json:"outputs,omitempty"`
	ApplyCall      *ToolCall        `json:"apply_call,omitempty"`
	Note           string           `json:"note,omitempty"`
}

// ToolCall is an exact tool call a client can make next.
type ToolCall struct {
	Server    string         `json:"server"`
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
}

// maxChanges keeps results token-frugal on large plans; counts stay exact.
const maxChanges = 200

func (r ApplyTerraformResult) AuditIDs() []string { return []string{r.PlanID} }

func (r ApplyTerraformResult) SummaryText() string {
	var b strings.Builder
	s := r.Summary
	id := shortID(r.PlanID)
	if r.Applied {
		fmt.Fprintf(&b, "Applied plan %s in %s: %d added, %d changed, %d destroyed.", id, r.Workspace, s.Add, s.Change, s.Destroy)
	} else {
		fmt.Fprintf(&b, "Plan %s for %s: %d to add, %d to change, %d to destroy", id, r.Workspace, s.Add, s.Change, s.Destroy)
		if s.Replace > 0 {
			fmt.Fprintf(&b, " (%d replaced)", s.Replace)
		}
		b.WriteString(".")
	}
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "\n  %s %s", actionSymbol[c.Action], c.Address)
	}
	if r.ChangesOmitted > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", r.ChangesOmitted)
	}
	if len(r.Outputs) > 0 {
		names := make([]string, 0, len(r.Outputs))
		for k := range r.Outputs {
			names = append(names, k)
		}
		sort.Strings(names)
		b.WriteString("\nOutputs:")
		for _, k := range names {
			v, _ := json.Marshal(r.Outputs[k])
			fmt.Fprintf(&b, "\n  %s = %s", k, v)
		}
	}
	if r.Note != "" {
		b.WriteString("\n" + r.Note)
	}
	return b.String()
}

var actionSymbol = map[string]string{"delete": "-", "replace": "-/+", "create": "+", "update": "~", "read": "<="}

func shortID(id string) string {
	if len(id) > 14 {
		return id[:14] + "…"
	}
	return id
}

var applyTerraform = mcpkit.NewTool(mcpkit.Def{
	Name: "apply_terraform",
	Description: "Plan (returns plan_id; applies nothing), or apply exactly that plan: plan_id, " +
		"auto_approve: true, mode apply; refused if anything changed.",
	Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.Yes, Idempotent: mcpkit.No, OpenWorld: mcpkit.Yes},
	Effect:      mcpkit.EffectChange,
}, func(ctx context.Context, c *mcpkit.Call, in ApplyTerraformInput) (ApplyTerraformResult, error) {
	ws, err := terraform.ResolveWorkspace(in.Workspace, c.Runtime.Config.Terraform.Workspaces)
	if err != nil {
		return ApplyTerraformResult{}, err
	}
	cfg := c.Runtime.Config
	wsFiles := fsguard.Confined(cfg.Terraform.Workspaces, cfg.Limits.MaxInputBytes)
	// Values of variables the configuration declares sensitive are masked
	// from here on: in errors of a plan that fails early, logs and audit.
	for _, name := range terraform.SensitiveVariables(wsFiles, ws) {
		if v, ok := in.Variables[name]; ok {
			addSecretValue(c, v)
		}
	}
	// The allowlist says which code may change infrastructure: a local
	// module from outside it may not, wherever the workspace is.
	mods, err := terraform.LocalModules(wsFiles, ws)
	if err != nil {
		return ApplyTerraformResult{}, err
	}
	for _, m := range mods {
		if !wsFiles.Allowed(m.Dir) {
			return ApplyTerraformResult{}, &terraform.ModuleOutsideError{Module: m, Where: "terraform.workspaces"}
		}
	}
	if !terraform.HasConfig(ws) {
		return ApplyTerraformResult{}, fmt.Errorf("workspace %s has no Terraform configuration (*.tf files)", in.Workspace)
	}
	if in.PlanID != "" {
		return applyPlan(ctx, c, ws, in)
	}
	return planWorkspace(ctx, c, ws, in)
})

// resolveVarFiles resolves var files relative to the workspace and checks
// them against the allowlist like the workspace itself; outside it the
// answer is the same whether the file exists or not.
func resolveVarFiles(c *mcpkit.Call, ws string, files []string) ([]string, error) {
	cfg := c.Runtime.Config
	g := fsguard.Confined(cfg.Terraform.Workspaces, cfg.Limits.MaxInputBytes)
	out := make([]string, 0, len(files))
	for _, f := range files {
		p := f
		if !filepath.IsAbs(p) {
			p = filepath.Join(ws, p)
		}
		real, st, err := g.Resolve(p)
		var outside *fsguard.NotAllowedError
		switch {
		case errors.As(err, &outside):
			return nil, fmt.Errorf("var file %s is outside the allowed workspaces (terraform.workspaces in opsmcp.yaml: %s)", f, strings.Join(cfg.Terraform.Workspaces, ", "))
		case errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("var file %s does not exist", f)
		case err != nil:
			return nil, fmt.Errorf("var file %s: %w", f, err)
		case st.IsDir():
			return nil, fmt.Errorf("var file %s is not a file", f)
		}
		out = append(out, real)
	}
	return out, nil
}

func planWorkspace(ctx context.Context, c *mcpkit.Call, ws string, in ApplyTerraformInput) (ApplyTerraformResult, error) {
	varFiles, err := resolveVarFiles(c, ws, in.VarFiles)
	if err != nil {
		return ApplyTerraformResult{}, err
	}
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return ApplyTerraformResult{}, err
	}
	res := ApplyTerraformResult{Workspace: ws, Version: bin.Version}
	unlock, err := terraform.LockWorkspace(locksDir(c), ws, "plan")
	if err != nil {
		return res, err
	}
	defer unlock()
	run, err := terraform.NewRunner(bin, ws)
	if err != nil {
		return res, err
	}
	dir := plansDir(c)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, err
	}
	pruneExpiredPlanFiles(dir, time.Duration(c.Runtime.Config.Terraform.PlanTTL))
	tmp, err := tempFile(dir, ".tmp-*.tfplan", nil)
	if err != nil {
		return res, err
	}
	defer os.Remove(tmp)
	files := slices.Clone(varFiles)
	if len(in.Variables) > 0 {
		// Variables go through a file, not -var: JSON keeps every type exact.
		b, _ := json.Marshal(in.Variables)
		vf, err := tempFile(dir, ".vars-*.tfvars.json", b)
		if err != nil {
			return res, err
		}
		defer os.Remove(vf)
		files = append(files, vf)
	}
	before, err := terraform.FingerprintConfig(ws, varFiles)
	if err != nil {
		return res, err
	}
	steps := 0.0
	var on func(terraform.Event)
	if c.WantsProgress() {
		on = func(ev terraform.Event) {
			switch ev.Type {
			case "planned_change", "refresh_complete", "resource_drift", "change_summary":
				steps++
				c.Progress(steps, 0, ev.Message)
			}
		}
	}
	opts := terraform.PlanOptions{Out: tmp, VarFiles: files, Targets: in.Target, Destroy: in.Destroy}
	err = run.Plan(ctx, opts, on)
	if err != nil && ctx.Err() == nil && run.NeedsInit(ctx, err) {
		// Not initialised, or providers or modules changed since the last
		// init. Trying the plan first spares workspaces that need no init
		// (only built-in providers) an init on every call.
		c.Progress(steps, 0, "terraform init (configuration needs it)")
		if ierr := run.Init(ctx, true); ierr != nil {
			return res, ierr
		}
		if before, err = terraform.FingerprintConfig(ws, varFiles); err != nil {
			return res, err
		}
		err = run.Plan(ctx, opts, on)
	}
	if err != nil {
		return res, err
	}
	after, err := terraform.FingerprintConfig(ws, varFiles)
	if err != nil {
		return res, err
	}
	if what := terraform.Changed(before.Files, after.Files); what != "" {
		return res, fmt.Errorf("%s while terraform was planning; plan again", what)
	}
	plan, err := run.ShowPlan(ctx, tmp)
	if err != nil {
		return res, err
	}
	registerSensitive(c, plan)
	identity := planIdentity(after.Hash, terraform.HashVariables(in.Variables), varFiles, in.Target, in.Destroy, plan)
	now := time.Now().UTC()
	exp := now.Add(time.Duration(c.Runtime.Config.Terraform.PlanTTL))
	// Planned again, nothing changed: the pending plan is the answer (its
	// file stays; this one is dropped with the temporary file).
	prev := pendingPlan(ctx, c, ws, identity, now)
	var id, final string
	if prev != nil {
		id, final, exp = prev.ID, prev.PlanFile, prev.ExpiresAt
	} else {
		sum, err := terraform.HashFile(tmp)
		if err != nil {
			return res, err
		}
		id = "p-" + sum
		final = filepath.Join(dir, id+".tfplan")
		// The same bytes give the same id: a file of that name holds
		// exactly these bytes, so replacing it never changes what another
		// record points to.
		if err := os.Rename(tmp, final); err != nil {
			return res, err
		}
	}
	res.PlanID = id
	res.Summary, res.Changes = summarize(plan)
	if len(res.Changes) > maxChanges {
		res.ChangesOmitted = len(res.Changes) - maxChanges
		res.Changes = res.Changes[:maxChanges]
	}
	res.OutputChanges = outputChanges(plan)
	res.ExpiresAt = &exp
	args := map[string]any{"workspace": ws, "plan_id": id, "auto_approve": true}
	res.ApplyCall = &ToolCall{Server: Name, Tool: "apply_terraform", Arguments: args}
	switch {
	case res.Summary == (PlanSummary{}) && len(res.OutputChanges) == 0:
		res.Note = "No changes: the infrastructure matches the configuration."
	case c.Mode != config.ModeApply:
		res.Note = fmt.Sprintf("Nothing was applied. Mode is %s: to apply this plan set mode: apply in opsmcp.yaml (or OPSMCP_MODE=apply), then call apply_terraform with plan_id %s and auto_approve: true before %s.", c.Mode, id, exp.Format(time.RFC3339))
	default:
		res.Note = fmt.Sprintf("Nothing was applied. Review the changes, then call apply_terraform with plan_id %s and auto_approve: true before %s.", id, exp.Format(time.RFC3339))
	}
	sumJSON, _ := json.Marshal(planRecordSummary{PlanSummary: res.Summary, MonthlyCostChange: planCostChange(c, plan)})
	rec := &memory.Plan{
		ID: id, Workspace: ws, PlanFile: final, MadeOn: planHome(c), ConfigHash: after.Hash, FileHashes: after.Files,
		VarsHash: terraform.HashVariables(in.Variables), Identity: identity, VarFiles: varFiles, Targets: in.Target,
		TerraformVersion: bin.Version, Destroy: in.Destroy, Summary: sumJSON, CreatedAt: now, ExpiresAt: exp,
	}
	if prev != nil {
		return res, nil
	}
	if err := c.Runtime.Memory.SavePlan(ctx, rec); errors.Is(err, memory.ErrPlanPending) {
		return res, nil // the same plan, saved meanwhile by another call
	} else if err != nil {
		if _, gerr := c.Runtime.Memory.GetPlan(ctx, id); errors.Is(gerr, memory.ErrNotFound) {
			os.Remove(final) // no record points to it
		}
		return res, err
	}
	if err := c.Remember(ctx, memory.KindPlan, ws, id, map[string]any{
		"plan_id": id, "summary": res.Summary, "expires_at": exp, "terraform_version": bin.Version,
		"destroy": in.Destroy, "changes": len(res.Changes) + res.ChangesOmitted,
	}, "terraform"); err != nil {
		c.Log().Warn("plan not recorded in memory", "error", err.Error())
	}
	return res, nil
}

// planIdentity is what makes two plans the same change: the configuration,
// the inputs, and what terraform plans, but not when it planned.
func planIdentity(config, vars string, varFiles, targets []string, destroy bool, plan *tfjson.Plan) string {
	p := *plan
	p.Timestamp = ""
	b, _ := json.Marshal(&p)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%q\x00%q\x00%t\x00", config, vars, varFiles, targets, destroy)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// pendingPlan is the workspace's pending plan of that identity whose file
// this replica has, or nil.
func pendingPlan(ctx context.Context, c *mcpkit.Call, ws, identity string, now time.Time) *memory.Plan {
	plans, err := c.Runtime.Memory.ListPlans(ctx, memory.PlanFilter{Workspace: ws})
	if err != nil {
		return nil
	}
	for i := range plans {
		p := &plans[i]
		if p.Identity != identity || p.UsedAt != nil || !now.Before(p.ExpiresAt) {
			continue
		}
		if file, err := localPlanFile(c, p); err == nil {
			if _, err := os.Stat(file); err == nil {
				p.PlanFile = file
				return p
			}
		}
	}
	return nil
}

func applyPlan(ctx context.Context, c *mcpkit.Call, ws string, in ApplyTerraformInput) (ApplyTerraformResult, error) {
	res := ApplyTerraformResult{Workspace: ws, PlanID: in.PlanID}
	if !in.AutoApprove {
		return res, fmt.Errorf("set auto_approve: true to apply plan %s, after the user has reviewed its changes", shortID(in.PlanID))
	}
	store := c.Runtime.Memory
	p, err := store.GetPlan(ctx, in.PlanID)
	if errors.Is(err, memory.ErrNotFound) {
		return res, fmt.Errorf("plan %s does not exist; plan again (apply_terraform without plan_id)", shortID(in.PlanID))
	}
	if err != nil {
		return res, err
	}
	if p.Workspace != ws {
		return res, fmt.Errorf("plan %s belongs to workspace %s, not %s", shortID(p.ID), p.Workspace, ws)
	}
	unlock, err := terraform.LockWorkspace(locksDir(c), ws, "apply of "+shortID(p.ID))
	if err != nil {
		return res, err
	}
	defer unlock()
	// Re-read under the lock: another process may have applied it meanwhile.
	if p, err = store.GetPlan(ctx, in.PlanID); err != nil {
		return res, err
	}
	// The record names the file where the planning replica kept it; this
	// replica uses its own state directory's copy.
	if p.PlanFile, err = localPlanFile(c, p); err != nil {
		return res, err
	}
	if err := checkPlan(c, p, in, time.Now()); err != nil {
		return res, err
	}
	bin, err := terraform.Locate(ctx, c.Runtime.Config.Terraform.Binary)
	if err != nil {
		return res, err
	}
	res.Version = bin.Version
	if bin.Version != p.TerraformVersion {
		return res, fmt.Errorf("plan %s was made with %s %s but %s is now %s; plan again", shortID(p.ID), bin.Name, p.TerraformVersion, bin.Path, bin.Version)
	}
	run, err := terraform.NewRunner(bin, ws)
	if err != nil {
		return res, err
	}
	// Use the plan before running it: a failed or interrupted apply leaves
	// a stale plan that must never be retried.
	ok, err := store.MarkPlanUsed(ctx, p.ID, time.Now().UTC())
	if err != nil {
		return res, err
	}
	if !ok {
		return res, fmt.Errorf("plan %s was already applied; plan again", shortID(p.ID))
	}
	defer os.Remove(p.PlanFile)
	_ = json.Unmarshal(p.Summary, &res.Summary)
	total := float64(res.Summary.Add + res.Summary.Change + res.Summary.Destroy)
	done := 0.0
	applyErr := run.Apply(ctx, p.PlanFile, func(ev terraform.Event) {
		switch ev.Type {
		case "apply_start", "apply_progress":
			c.Progress(done, total, ev.Message)
		case "apply_complete", "apply_errored":
			if done < total {
				done++
			}
			c.Progress(done, total, ev.Message)
		}
	})
	op := map[string]any{"plan_id": p.ID, "summary": res.Summary, "applied": applyErr == nil, "terraform_version": bin.Version}
	if applyErr != nil {
		op["error"] = applyErr.Error()
		rememberApply(c, ws, p.ID, op)
		return res, applyErr
	}
	res.Applied = true
	// Outputs are read even if the caller gave up meanwhile: the apply is done.
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	outs, err := run.Outputs(octx)
	if err != nil {
		res.Note = "Applied, but outputs could not be read: " + err.Error()
	} else {
		res.Outputs = redactOutputs(c, outs)
	}
	op["outputs"] = res.Outputs
	rememberApply(c, ws, p.ID, op)
	return res, nil
}

func rememberApply(c *mcpkit.Call, ws, id string, op map[string]any) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Remember(ctx, memory.KindOperation, ws, id, op, "terraform", "apply"); err != nil {
		c.Log().Warn("apply not recorded in memory", "error", err.Error())
	}
}

// checkPlan refuses a plan that is used, expired, altered, or made from
// different configuration or inputs than the ones in place now.
func checkPlan(c *mcpkit.Call, p *memory.Plan, in ApplyTerraformInput, now time.Time) error {
	id := shortID(p.ID)
	if p.UsedAt != nil {
		return fmt.Errorf("plan %s was already applied at %s; plan again", id, p.UsedAt.Format(time.RFC3339))
	}
	if !now.Before(p.ExpiresAt) {
		return fmt.Errorf("plan %s expired at %s; plan again", id, p.ExpiresAt.Format(time.RFC3339))
	}
	sum, err := terraform.HashFile(p.PlanFile)
	if err != nil {
		return fmt.Errorf("plan %s: its plan file is gone; plan again", id)
	}
	if "p-"+sum != p.ID {
		return fmt.Errorf("plan %s: the saved plan file was modified; plan again", id)
	}
	fp, err := terraform.FingerprintConfig(p.Workspace, p.VarFiles)
	if err != nil {
		return fmt.Errorf("%v; plan again", err)
	}
	if what := terraform.Changed(p.FileHashes, fp.Files); what != "" {
		return fmt.Errorf("%s after plan %s; plan again", what, id)
	}
	if in.Variables != nil && terraform.HashVariables(in.Variables) != p.VarsHash {
		return fmt.Errorf("variables differ from those of plan %s; plan again with the new variables", id)
	}
	if in.VarFiles != nil {
		vf, err := resolveVarFiles(c, p.Workspace, in.VarFiles)
		if err != nil {
			return err
		}
		if !slices.Equal(vf, p.VarFiles) {
			return fmt.Errorf("var_files differ from those of plan %s; plan again", id)
		}
	}
	if in.Target != nil && !slices.Equal(in.Target, p.Targets) {
		return fmt.Errorf("target differs from that of plan %s; plan again", id)
	}
	if in.Destroy && !p.Destroy {
		return fmt.Errorf("plan %s is not a destroy plan; plan again with destroy: true", id)
	}
	return nil
}

// summarize counts actions and lists changed resources, deletes and
// replaces first so the dangerous part is read first.
func summarize(p *tfjson.Plan) (PlanSummary, []ResourceChange) {
	var s PlanSummary
	changes := []ResourceChange{}
	for _, rc := range p.ResourceChanges {
		if rc.Change == nil {
			continue
		}
		a := rc.Change.Actions
		var action string
		switch {
		case a.Replace():
			action = "replace"
			s.Add++
			s.Destroy++
			s.Replace++
		case a.Create():
			action = "create"
			s.Add++
		case a.Update():
			action = "update"
			s.Change++
		case a.Delete():
			action = "delete"
			s.Destroy++
		case a.Read():
			action = "read"
		default:
			continue
		}
		changes = append(changes, ResourceChange{Address: rc.Address, Action: action})
	}
	order := map[string]int{"delete": 0, "replace": 1, "create": 2, "update": 3, "read": 4}
	sort.SliceStable(changes, func(i, j int) bool {
		if order[changes[i].Action] != order[changes[j].Action] {
			return order[changes[i].Action] < order[changes[j].Action]
		}
		return changes[i].Address < changes[j].Address
	})
	return s, changes
}

func outputChanges(p *tfjson.Plan) []OutputChange {
	var out []OutputChange
	for name, ch := range p.OutputChanges {
		if ch == nil || ch.Actions.NoOp() {
			continue
		}
		oc := OutputChange{Name: name, Action: string(ch.Actions[len(ch.Actions)-1])}
		switch {
		case isTrue(ch.AfterSensitive) || isTrue(ch.BeforeSensitive):
			oc.Value = redact.Mask
		case isTrue(ch.AfterUnknown):
			oc.Value = "(known after apply)"
		default:
			oc.Value = ch.After
		}
		out = append(out, oc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// tempFile creates a private (0600) file in dir holding data and returns
// its path.
func tempFile(dir, pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		os.Remove(f.Name())
		return "", werr
	}
	return f.Name(), nil
}

// pruneExpiredPlanFiles removes plan files older than the TTL: an unapplied
// plan holds sensitive values and must not linger.
func pruneExpiredPlanFiles(dir string, ttl time.Duration) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-ttl - time.Minute)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// planRecordSummary is the summary a plan record keeps: the counts, and the
// monthly cost change estimated when it was planned (gather_context reports
// it without showing the plan again).
type planRecordSummary struct {
	PlanSummary
	MonthlyCostChange *cost.Cents `json:"monthly_cost_change,omitempty"`
}

// planCostChange estimates what applying a plan adds to the monthly cost;
// nil when it cannot (the plan is recorded all the same).
func planCostChange(c *mcpkit.Call, plan *tfjson.Plan) *cost.Cents {
	opts, err := CostOptions(c.Files(), c.Runtime.Config.Cost)
	if err != nil {
		return nil
	}
	in := cost.LoadPlan(plan)
	est, err := in.Estimate(opts)
	if err != nil || est.DiffMonthlyCost == nil {
		c.Log().Debug("no cost estimate for the plan", "error", fmt.Sprint(err))
		return nil
	}
	return est.DiffMonthlyCost
}
