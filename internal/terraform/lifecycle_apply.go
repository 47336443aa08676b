package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/opsmcp/opsmcp/internal/telemetry"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
)

// ApplyRequest names the plan to apply and, for each input the caller
// gave again, what it must still be: nil Variables, VarFiles or Targets
// are not checked. VarFiles are resolved paths.
type ApplyRequest struct {
	Binary    *Binary
	PlanID    string
	Workspace string
	Variables map[string]any
	VarFiles  []string
	Targets   []string
	Destroy   bool
	// Progress hears of each resource applied, out of the plan's count.
	Progress func(done, total float64, message string)
}

// Applied is what an apply that ran did.
type Applied struct {
	Record *planrec.Plan
	// Outputs are the root outputs after the apply, sensitive ones masked
	// (Secrets holds their strings); OutputsErr says why they are missing.
	Outputs    map[string]any
	Secrets    []string
	OutputsErr error
}

// Apply applies exactly the saved plan, under the workspace lock, after
// checking that nothing it was made from changed. A plan is used once: it
// is marked used before terraform runs, so a failed or interrupted apply
// is never retried. Applied is nil when terraform did not run; with an
// error it ran and failed.
func (s *PlanStore) Apply(ctx context.Context, req ApplyRequest) (_ *Applied, err error) {
	ctx, end := telemetry.Span(ctx, "terraform apply")
	defer func() { end(err) }()
	id := ShortPlanID(req.PlanID)
	p, err := s.Get(ctx, req.PlanID)
	if err != nil {
		return nil, err
	}
	if p.Workspace != req.Workspace {
		return nil, fmt.Errorf("plan %s belongs to workspace %s, not %s", id, p.Workspace, req.Workspace)
	}
	unlock, err := LockWorkspace(s.LocksDir, req.Workspace, "apply of "+id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Re-read under the lock: another process may have applied it meanwhile.
	if p, err = s.Records.GetPlan(ctx, req.PlanID); err != nil {
		return nil, err
	}
	// The record names the file where the planning replica kept it; this
	// replica uses its own directory's copy.
	if p.PlanFile, err = s.LocalFile(p); err != nil {
		return nil, err
	}
	if err := checkPlan(p, req, time.Now()); err != nil {
		return nil, err
	}
	bin := req.Binary
	if bin.Version != p.TerraformVersion {
		return nil, fmt.Errorf("plan %s was made with %s %s but %s is now %s; plan again", id, bin.Name, p.TerraformVersion, bin.Path, bin.Version)
	}
	run, err := NewRunner(bin, req.Workspace)
	if err != nil {
		return nil, err
	}
	ok, err := s.Records.MarkPlanUsed(ctx, p.ID, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("plan %s was already applied; plan again", id)
	}
	defer os.Remove(p.PlanFile)
	res := &Applied{Record: p}
	if err := run.Apply(ctx, p.PlanFile, applyEvents(p, req.Progress)); err != nil {
		return res, err
	}
	// Outputs are read even if the caller gave up meanwhile: the apply is done.
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	outs, err := run.Outputs(octx)
	if err != nil {
		res.OutputsErr = err
	} else {
		res.Outputs, res.Secrets = MaskOutputs(outs)
	}
	return res, nil
}

// applyEvents counts the resources applied for progress, out of the
// plan's summary.
func applyEvents(p *planrec.Plan, progress func(done, total float64, message string)) func(Event) {
	if progress == nil {
		return nil
	}
	var s PlanSummary
	_ = json.Unmarshal(p.Summary, &s)
	total := float64(s.Add + s.Change + s.Destroy)
	done := 0.0
	return func(ev Event) {
		switch ev.Type {
		case "apply_start", "apply_progress":
			progress(done, total, ev.Message)
		case "apply_complete", "apply_errored":
			if done < total {
				done++
			}
			progress(done, total, ev.Message)
		}
	}
}

// PlanNotFoundError: no plan of that id (never made, or not visible).
type PlanNotFoundError struct{ ID string }

func (e *PlanNotFoundError) Error() string {
	return fmt.Sprintf("plan %s does not exist; plan again (apply_terraform without plan_id)", ShortPlanID(e.ID))
}

// Get is a plan's record, or a PlanNotFoundError.
func (s *PlanStore) Get(ctx context.Context, id string) (*planrec.Plan, error) {
	p, err := s.Records.GetPlan(ctx, id)
	if errors.Is(err, planrec.ErrNotFound) {
		return nil, &PlanNotFoundError{ID: id}
	}
	return p, err
}

// Spent refuses a plan that can no longer be applied: already applied, or
// expired.
func Spent(p *planrec.Plan, now time.Time) error {
	id := ShortPlanID(p.ID)
	if p.UsedAt != nil {
		return fmt.Errorf("plan %s was already applied at %s; plan again", id, p.UsedAt.Format(time.RFC3339))
	}
	if !now.Before(p.ExpiresAt) {
		return fmt.Errorf("plan %s expired at %s; plan again", id, p.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// checkPlan refuses a plan that is used, expired, altered, or made from
// different configuration or inputs than the ones in place now.
func checkPlan(p *planrec.Plan, req ApplyRequest, now time.Time) error {
	if err := Spent(p, now); err != nil {
		return err
	}
	id := ShortPlanID(p.ID)
	sum, err := HashFile(p.PlanFile)
	if err != nil {
		return fmt.Errorf("plan %s: its plan file is gone; plan again", id)
	}
	if "p-"+sum != p.ID {
		return fmt.Errorf("plan %s: the saved plan file was modified; plan again", id)
	}
	fp, err := FingerprintConfig(p.Workspace, p.VarFiles)
	if err != nil {
		return fmt.Errorf("%v; plan again", err)
	}
	if what := Changed(p.FileHashes, fp.Files); what != "" {
		return fmt.Errorf("%s after plan %s; plan again", what, id)
	}
	if req.Variables != nil && HashVariables(req.Variables) != p.VarsHash {
		return fmt.Errorf("variables differ from those of plan %s; plan again with the new variables", id)
	}
	if req.VarFiles != nil && !slices.Equal(req.VarFiles, p.VarFiles) {
		return fmt.Errorf("var_files differ from those of plan %s; plan again", id)
	}
	if req.Targets != nil && !slices.Equal(req.Targets, p.Targets) {
		return fmt.Errorf("target differs from that of plan %s; plan again", id)
	}
	if req.Destroy && !p.Destroy {
		return fmt.Errorf("plan %s is not a destroy plan; plan again with destroy: true", id)
	}
	return nil
}
