package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/opsmcp/opsmcp/internal/telemetry"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
)

// PlanRequest is what to plan. Workspace and VarFiles are resolved and
// allowed paths.
type PlanRequest struct {
	Binary    *Binary
	Workspace string
	Variables map[string]any
	VarFiles  []string
	Targets   []string
	Destroy   bool
	// Proposer is the principal planning: approvals must come from others.
	Proposer string
	// Repo, Commit and Dirty are the workspace's git origin, recorded.
	Repo, Commit string
	Dirty        bool
	// Progress, when set, hears of each step terraform reports and of an
	// init the configuration needs; unset, terraform's event stream is
	// skipped (faster on large plans).
	Progress func(done, total float64, message string)
	// OnSensitive receives every sensitive string as soon as the plan is
	// read, before anything is stored or returned.
	OnSensitive func(string)
	// RecordSummary is what the record keeps as its summary, given the
	// plan and its JSON as terraform prints it; the counts when nil.
	RecordSummary func(plan *tfjson.Plan, raw []byte, counts PlanSummary) any
}

// Planned is a saved plan.
type Planned struct {
	Record *planrec.Plan
	Plan   *tfjson.Plan
	// JSON is the plan exactly as `terraform show -json` prints it.
	JSON []byte
	// New is false when the workspace's pending plan of the same change
	// was the answer (nothing was saved).
	New bool
}

// Plan plans the workspace to a saved file under the workspace lock and
// records it. Planning the same change again returns the pending plan.
func (s *PlanStore) Plan(ctx context.Context, req PlanRequest) (_ *Planned, err error) {
	ctx, end := telemetry.Span(ctx, "terraform plan")
	defer func() { end(err) }()
	ws := req.Workspace
	unlock, err := LockWorkspace(s.LocksDir, ws, "plan")
	if err != nil {
		return nil, err
	}
	defer unlock()
	run, err := NewRunner(req.Binary, ws)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, err
	}
	s.pruneExpiredFiles()
	tmp, err := tempFile(s.Dir, ".tmp-*.tfplan", nil)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	files := slices.Clone(req.VarFiles)
	if len(req.Variables) > 0 {
		// Variables go through a file, not -var: JSON keeps every type exact.
		b, _ := json.Marshal(req.Variables)
		vf, err := tempFile(s.Dir, ".vars-*.tfvars.json", b)
		if err != nil {
			return nil, err
		}
		defer os.Remove(vf)
		files = append(files, vf)
	}
	after, err := planTo(ctx, run, req, planEvents(req.Progress), PlanOptions{Out: tmp, VarFiles: files, Targets: req.Targets, Destroy: req.Destroy})
	if err != nil {
		return nil, err
	}
	plan, raw, err := run.ShowPlanJSON(ctx, tmp)
	if err != nil {
		return nil, err
	}
	if req.OnSensitive != nil {
		for _, v := range SensitiveStrings(plan) {
			req.OnSensitive(v)
		}
	}
	varsHash := HashVariables(req.Variables)
	// The origin is part of the change: the same files planned from another
	// commit are another pull request's plan.
	identity := planIdentity(after.Hash+"\x00"+req.Repo+"\x00"+req.Commit+fmt.Sprint(req.Dirty), varsHash, req.VarFiles, req.Targets, req.Destroy, plan)
	now := time.Now().UTC()
	// Planned again, nothing changed: the pending plan is the answer (its
	// file stays; this one is dropped with the temporary file).
	if prev := s.pending(ctx, ws, identity, now); prev != nil {
		return &Planned{Record: prev, Plan: plan, JSON: raw}, nil
	}
	sum, err := HashFile(tmp)
	if err != nil {
		return nil, err
	}
	id := "p-" + sum
	final := filepath.Join(s.Dir, id+".tfplan")
	// The same bytes give the same id: a file of that name holds exactly
	// these bytes, so replacing it never changes what another record
	// points to.
	if err := os.Rename(tmp, final); err != nil {
		return nil, err
	}
	counts, _ := Summarize(plan)
	var summary any = counts
	if req.RecordSummary != nil {
		summary = req.RecordSummary(plan, raw, counts)
	}
	sumJSON, _ := json.Marshal(summary)
	rec := &planrec.Plan{
		ID: id, Workspace: ws, PlanFile: final, MadeOn: s.home(), Proposer: req.Proposer,
		Repo: req.Repo, Commit: req.Commit, Dirty: req.Dirty, ConfigHash: after.Hash, FileHashes: after.Files,
		VarsHash: varsHash, Identity: identity, VarFiles: req.VarFiles, Targets: req.Targets,
		TerraformVersion: req.Binary.Version, Destroy: req.Destroy, Summary: sumJSON, CreatedAt: now, ExpiresAt: now.Add(s.TTL),
	}
	if err := s.Records.SavePlan(ctx, rec); errors.Is(err, planrec.ErrPending) {
		return &Planned{Record: rec, Plan: plan, JSON: raw}, nil // the same plan, saved meanwhile by another call
	} else if err != nil {
		if _, gerr := s.Records.GetPlan(ctx, id); errors.Is(gerr, planrec.ErrNotFound) {
			os.Remove(final) // no record points to it
		}
		return nil, err
	}
	return &Planned{Record: rec, Plan: plan, JSON: raw, New: true}, nil
}

// planTo runs terraform plan, with an init first when the configuration
// needs one, and returns the configuration's fingerprint, refusing a plan
// of files that changed while terraform read them.
func planTo(ctx context.Context, run *Runner, req PlanRequest, on func(Event), opts PlanOptions) (*Fingerprint, error) {
	before, err := FingerprintConfig(req.Workspace, req.VarFiles)
	if err != nil {
		return nil, err
	}
	err = run.Plan(ctx, opts, on)
	if err != nil && ctx.Err() == nil && run.NeedsInit(ctx, err) {
		// Not initialised, or providers or modules changed since the last
		// init. Trying the plan first spares workspaces that need no init
		// (only built-in providers) an init on every call.
		if req.Progress != nil {
			req.Progress(0, 0, "terraform init (configuration needs it)")
		}
		if ierr := run.Init(ctx, true); ierr != nil {
			return nil, ierr
		}
		if before, err = FingerprintConfig(req.Workspace, req.VarFiles); err != nil {
			return nil, err
		}
		err = run.Plan(ctx, opts, on)
	}
	if err != nil {
		return nil, err
	}
	after, err := FingerprintConfig(req.Workspace, req.VarFiles)
	if err != nil {
		return nil, err
	}
	if what := Changed(before.Files, after.Files); what != "" {
		return nil, fmt.Errorf("%s while terraform was planning; plan again", what)
	}
	return after, nil
}

// planEvents counts the steps of a plan for progress; nil without a
// listener.
func planEvents(progress func(done, total float64, message string)) func(Event) {
	if progress == nil {
		return nil
	}
	steps := 0.0
	return func(ev Event) {
		switch ev.Type {
		case "planned_change", "refresh_complete", "resource_drift", "change_summary":
			steps++
			progress(steps, 0, ev.Message)
		}
	}
}

// pending is the workspace's pending plan of that identity whose file
// this process has, or nil.
func (s *PlanStore) pending(ctx context.Context, ws, identity string, now time.Time) *planrec.Plan {
	plans, err := s.Records.ListPlans(ctx, planrec.Filter{Workspace: ws})
	if err != nil {
		return nil
	}
	for i := range plans {
		p := &plans[i]
		if p.Identity != identity || !p.Pending(now) {
			continue
		}
		if file, err := s.LocalFile(p); err == nil {
			if _, err := os.Stat(file); err == nil {
				p.PlanFile = file
				return p
			}
		}
	}
	return nil
}
