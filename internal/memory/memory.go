// Package memory is the persisted memory every opsmcp server and process
// shares: entries (what was done and seen), Terraform plan records, and the
// append-only audit log.
package memory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kinds of entry.
const (
	KindOperation   = "operation"
	KindPlan        = "plan"
	KindObservation = "observation"
	KindConsult     = "consult"
	KindNote        = "note"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// Entry is one memory record.
type Entry struct {
	ID        int64           `json:"id"`
	Server    string          `json:"server"`
	Kind      string          `json:"kind"`
	Scope     string          `json:"scope"`
	Key       string          `json:"key"`
	Data      json.RawMessage `json:"data"`
	Tags      []string        `json:"tags,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	ExpiresAt *time.Time      `json:"expires_at,omitempty"`
}

// Filter selects entries; empty fields match everything. Newest first.
type Filter struct {
	Server, Kind, Scope, Key string
	Limit                    int // 0 = no limit
}

// Plan is a saved Terraform plan waiting to be applied.
type Plan struct {
	ID               string            `json:"plan_id"`
	Workspace        string            `json:"workspace"`
	PlanFile         string            `json:"plan_file"`
	ConfigHash       string            `json:"config_hash"`
	FileHashes       map[string]string `json:"file_hashes"`
	VarsHash         string            `json:"vars_hash"`
	VarFiles         []string          `json:"var_files,omitempty"`
	Targets          []string          `json:"targets,omitempty"`
	TerraformVersion string            `json:"terraform_version"`
	Destroy          bool              `json:"destroy"`
	Summary          json.RawMessage   `json:"summary"`
	CreatedAt        time.Time         `json:"created_at"`
	ExpiresAt        time.Time         `json:"expires_at"`
	UsedAt           *time.Time        `json:"used_at,omitempty"`
}

// PlanFilter selects plans. Newest first.
type PlanFilter struct {
	Workspace   string
	PendingOnly bool      // unused and unexpired at Now
	Now         time.Time // for PendingOnly; zero = time.Now()
}

// AuditRecord is one entry of the append-only, hash-chained audit log.
type AuditRecord struct {
	Seq        int64           `json:"seq"`
	Time       time.Time       `json:"time"`
	Principal  string          `json:"principal"`
	Server     string          `json:"server"`
	Tool       string          `json:"tool"`
	Args       json.RawMessage `json:"args"`
	Outcome    string          `json:"outcome"` // "ok" or the error message
	DurationMS int64           `json:"duration_ms"`
	ResultIDs  []string        `json:"result_ids,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// ChainHash is the hash of a record given its predecessor's hash: it covers
// every field but Seq and Hash, so editing any of them breaks the chain.
func (a *AuditRecord) ChainHash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n%s\n%s\n%s\n%s\n%s\n%d\n%s\n",
		a.PrevHash, a.Time.UTC().UnixNano(), a.Principal, a.Server, a.Tool,
		string(a.Args), a.Outcome, a.DurationMS, strings.Join(a.ResultIDs, ","))
	return hex.EncodeToString(h.Sum(nil))
}

// Store is the memory backend.
type Store interface {
	// Put stores an entry (secrets redacted) and sets its ID and CreatedAt.
	Put(ctx context.Context, e *Entry) error
	// List returns entries matching f, newest first, skipping expired ones.
	List(ctx context.Context, f Filter) ([]Entry, error)

	SavePlan(ctx context.Context, p *Plan) error
	GetPlan(ctx context.Context, id string) (*Plan, error)
	// MarkPlanUsed sets UsedAt if it is unset; false if it was already used.
	MarkPlanUsed(ctx context.Context, id string, at time.Time) (bool, error)
	ListPlans(ctx context.Context, f PlanFilter) ([]Plan, error)

	// AppendAudit chains and appends a record, setting Seq, PrevHash, Hash.
	AppendAudit(ctx context.Context, a *AuditRecord) error
	ListAudit(ctx context.Context, limit int) ([]AuditRecord, error)

	// Dir is a private directory beside the store for files (plan files, locks).
	Dir() string
	// Location describes where the store is, without credentials.
	Location() string
	Close() error
}

// MaxEntryData is the largest entry data accepted.
const MaxEntryData = 256 << 10

func checkEntry(e *Entry) error {
	switch {
	case e.Server == "":
		return errors.New("memory entry needs a server")
	case e.Kind == "":
		return errors.New("memory entry needs a kind")
	case len(e.Data) > MaxEntryData:
		return fmt.Errorf("memory entry data is %d bytes; the limit is %d", len(e.Data), MaxEntryData)
	case len(e.Data) > 0 && !json.Valid(e.Data):
		return errors.New("memory entry data is not valid JSON")
	}
	return nil
}
