package terraform_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/terraform"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// lifecycle is a plan store over a SQLite memory store and a copy of a
// testdata workspace, with the real terraform binary.
type lifecycle struct {
	t     *testing.T
	store *terraform.PlanStore
	bin   *terraform.Binary
	ws    string
}

func newLifecycle(t *testing.T, ttl time.Duration) *lifecycle {
	t.Helper()
	ws := testenv.CopyWorkspace(t, "basic")
	dir := t.TempDir()
	mem, err := memory.Open(context.Background(), filepath.Join(dir, "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	bin, err := terraform.Locate(context.Background(), testenv.Terraform(t))
	if err != nil {
		t.Fatal(err)
	}
	return &lifecycle{t: t, store: terraform.NewPlanStore(mem, dir, ttl), bin: bin, ws: ws}
}

func (l *lifecycle) plan(vars map[string]any) *terraform.Planned {
	l.t.Helper()
	p, err := l.store.Plan(context.Background(), terraform.PlanRequest{Binary: l.bin, Workspace: l.ws, Variables: vars})
	if err != nil {
		l.t.Fatal(err)
	}
	return p
}

func (l *lifecycle) apply(id string, vars map[string]any) (*terraform.Applied, error) {
	return l.store.Apply(context.Background(), terraform.ApplyRequest{Binary: l.bin, PlanID: id, Workspace: l.ws, Variables: vars})
}

func mustFail(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}

// A plan is saved as a file named by its hash and recorded; applying it
// runs exactly that file once, masks sensitive outputs and removes the
// file; the record says it was used.
func TestPlanStorePlansRecordsAndAppliesOnce(t *testing.T) {
	l := newLifecycle(t, time.Hour)
	p := l.plan(map[string]any{"size": 2, "api_token": "tok-lifecycle-secret"})
	rec := p.Record
	if !p.New || !strings.HasPrefix(rec.ID, "p-") || rec.Workspace != l.ws || rec.TerraformVersion != l.bin.Version {
		t.Fatalf("record %+v (new %v)", rec, p.New)
	}
	if sum, err := terraform.HashFile(filepath.Join(l.store.Dir, rec.ID+".tfplan")); err != nil || "p-"+sum != rec.ID {
		t.Fatalf("the plan file is not named by its sha256: %v", err)
	}
	if s, _ := terraform.Summarize(p.Plan); s.Add != 2 {
		t.Fatalf("summary %+v", s)
	}
	if left, _ := filepath.Glob(filepath.Join(l.store.Dir, ".*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}

	done, err := l.apply(rec.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if done.Outputs["token"] != "(sensitive)" || !slices.Contains(done.Secrets, "tok-lifecycle-secret") {
		t.Fatalf("outputs %v, secrets %v", done.Outputs, done.Secrets)
	}
	if names, _ := done.Outputs["names"].([]any); len(names) != 2 {
		t.Fatalf("outputs %v", done.Outputs)
	}
	if _, err := os.Stat(filepath.Join(l.store.Dir, rec.ID+".tfplan")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the applied plan's file is still there")
	}
	got, err := l.store.Records.GetPlan(context.Background(), rec.ID)
	if err != nil || got.UsedAt == nil {
		t.Fatalf("record after apply: %+v %v", got, err)
	}
	_, err = l.apply(rec.ID, nil)
	mustFail(t, err, "was already applied")
}

// Planning the same change again answers with the pending plan; a change
// of input is a new plan.
func TestPlanStoreSameChangeSamePlan(t *testing.T) {
	l := newLifecycle(t, time.Hour)
	first := l.plan(map[string]any{"size": 1})
	again := l.plan(map[string]any{"size": 1})
	if again.New || again.Record.ID != first.Record.ID {
		t.Fatalf("planned twice: %s (new %v) then %s", first.Record.ID, first.New, again.Record.ID)
	}
	other := l.plan(map[string]any{"size": 3})
	if !other.New || other.Record.ID == first.Record.ID {
		t.Fatal("a different change got the same plan")
	}
	pending, _ := l.store.Records.ListPlans(context.Background(), planrec.Filter{Workspace: l.ws, PendingOnly: true})
	if len(pending) != 2 {
		t.Fatalf("%d pending plans, want 2", len(pending))
	}
}

// Every tamper check refuses before terraform runs, and leaves the plan
// applicable once things are put back.
func TestPlanStoreRefusesWhatChanged(t *testing.T) {
	l := newLifecycle(t, time.Hour)
	id := l.plan(map[string]any{"size": 1}).Record.ID
	main := filepath.Join(l.ws, "main.tf")
	orig, _ := os.ReadFile(main)

	os.WriteFile(main, append(slices.Clone(orig), []byte("\nlocals {}\n")...), 0o644)
	_, err := l.apply(id, nil)
	mustFail(t, err, "main.tf changed after plan p-")
	os.WriteFile(main, orig, 0o644)

	_, err = l.apply(id, map[string]any{"size": 2})
	mustFail(t, err, "variables differ")

	_, err = l.store.Apply(context.Background(), terraform.ApplyRequest{Binary: l.bin, PlanID: id, Workspace: l.ws, Destroy: true})
	mustFail(t, err, "is not a destroy plan")

	_, err = l.store.Apply(context.Background(), terraform.ApplyRequest{Binary: l.bin, PlanID: id, Workspace: t.TempDir()})
	mustFail(t, err, "belongs to workspace")

	newer := *l.bin
	newer.Version = "99.0.0"
	_, err = l.store.Apply(context.Background(), terraform.ApplyRequest{Binary: &newer, PlanID: id, Workspace: l.ws})
	mustFail(t, err, "was made with")

	file := filepath.Join(l.store.Dir, id+".tfplan")
	plan, _ := os.ReadFile(file)
	os.WriteFile(file, append(slices.Clone(plan), 0), 0o600)
	_, err = l.apply(id, nil)
	mustFail(t, err, "the saved plan file was modified")
	os.WriteFile(file, plan, 0o600)

	_, err = l.apply("p-0000", nil)
	mustFail(t, err, "does not exist")

	if _, err := l.apply(id, map[string]any{"size": 1}); err != nil {
		t.Fatalf("the untouched plan: %v", err)
	}
}

func TestPlanStoreRefusesAnExpiredPlan(t *testing.T) {
	l := newLifecycle(t, time.Millisecond)
	id := l.plan(nil).Record.ID
	time.Sleep(5 * time.Millisecond)
	_, err := l.apply(id, nil)
	mustFail(t, err, "expired at")
}

// One plan or apply at a time per workspace, across processes.
func TestPlanStoreHoldsTheWorkspaceLock(t *testing.T) {
	l := newLifecycle(t, time.Hour)
	unlock, err := terraform.LockWorkspace(l.store.LocksDir, l.ws, "a test's apply")
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.store.Plan(context.Background(), terraform.PlanRequest{Binary: l.bin, Workspace: l.ws})
	if !errors.Is(err, terraform.ErrLocked) || !strings.Contains(err.Error(), "a test's apply") {
		t.Fatalf("plan under another's lock: %v", err)
	}
	unlock()
	l.plan(nil)
}

// failingRecords loses every save, as a database that went away would.
type failingRecords struct{ planrec.Records }

func (failingRecords) SavePlan(context.Context, *planrec.Plan) error {
	return errors.New("database is gone")
}

// A plan whose record cannot be saved leaves no file behind.
func TestPlanStoreLeavesNothingWhenTheRecordFails(t *testing.T) {
	l := newLifecycle(t, time.Hour)
	l.store.Records = failingRecords{l.store.Records}
	_, err := l.store.Plan(context.Background(), terraform.PlanRequest{Binary: l.bin, Workspace: l.ws})
	mustFail(t, err, "database is gone")
	if left, _ := os.ReadDir(l.store.Dir); len(left) > 0 {
		t.Fatalf("files left in the plans directory: %v", left)
	}
}

// A replica that does not share the plans directory says where the plan
// was made; one that does (or made it) finds the file.
func TestPlanStoreLocalFileOnAnotherReplica(t *testing.T) {
	l := newLifecycle(t, time.Hour)
	rec := l.plan(nil).Record
	if _, err := l.store.LocalFile(rec); err != nil {
		t.Fatal(err)
	}
	elsewhere := terraform.NewPlanStore(l.store.Records, t.TempDir(), time.Hour)
	_, err := elsewhere.LocalFile(rec)
	mustFail(t, err, "its plan file is not on this replica")
}
