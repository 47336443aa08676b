// Package planrec is the record of a saved Terraform plan: the contract
// between the plan lifecycle (internal/terraform), which makes and checks
// records, and the stores that keep them (internal/memory), so replicas
// sharing one database share plan records. It imports nothing of either.
package planrec

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrPending: a plan of the same id is saved and waiting to be applied.
var ErrPending = errors.New("the same plan is already saved and pending")

// Plan is a saved Terraform plan waiting to be applied.
type Plan struct {
	ID        string `json:"plan_id"`
	Workspace string `json:"workspace"`
	PlanFile  string `json:"plan_file"`
	MadeOn    string `json:"made_on,omitempty"` // host:plans dir of the process that planned
	// Proposer is the principal that planned: approvals must come from
	// others.
	Proposer string `json:"proposer,omitempty"`
	// Repo, Commit and Dirty are the git origin the plan was made from
	// (gate.github: the pull request of that commit must approve it).
	Repo       string            `json:"repo,omitempty"`
	Commit     string            `json:"commit,omitempty"`
	Dirty      bool              `json:"dirty,omitempty"`
	ConfigHash string            `json:"config_hash"`
	FileHashes map[string]string `json:"file_hashes"`
	VarsHash   string            `json:"vars_hash"`
	// Identity is what makes two plans the same change whatever the time
	// they were made (the plan file's bytes hold that time).
	Identity         string          `json:"identity,omitempty"`
	VarFiles         []string        `json:"var_files,omitempty"`
	Targets          []string        `json:"targets,omitempty"`
	TerraformVersion string          `json:"terraform_version"`
	Destroy          bool            `json:"destroy"`
	Summary          json.RawMessage `json:"summary"`
	CreatedAt        time.Time       `json:"created_at"`
	ExpiresAt        time.Time       `json:"expires_at"`
	UsedAt           *time.Time      `json:"used_at,omitempty"`
}

// Pending says whether the plan may still be applied at now.
func (p *Plan) Pending(now time.Time) bool { return p.UsedAt == nil && now.Before(p.ExpiresAt) }

// Filter selects plans. Newest first.
type Filter struct {
	Workspace   string
	PendingOnly bool      // unused and unexpired at Now
	Now         time.Time // for PendingOnly; zero = time.Now()
}

// Records keeps plan records.
type Records interface {
	// SavePlan stores a plan record; a used or expired record of the same
	// id (the same plan bytes) is replaced, a pending one is not
	// (ErrPending).
	SavePlan(ctx context.Context, p *Plan) error
	// GetPlan returns the record, or ErrNotFound.
	GetPlan(ctx context.Context, id string) (*Plan, error)
	// MarkPlanUsed sets UsedAt if it is unset; false if it was already used.
	MarkPlanUsed(ctx context.Context, id string, at time.Time) (bool, error)
	ListPlans(ctx context.Context, f Filter) ([]Plan, error)
}
