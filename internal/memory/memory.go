// Package memory is the persisted memory every opsmcp server and process
// shares: entries (what was done and seen), Terraform plan records, and the
// append-only, hash-chained audit log. Two backends implement Store: SQLite
// (the embedded default) and PostgreSQL (for a team service); they pass one
// shared test suite.
package memory

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
	"github.com/opsmcp/opsmcp/internal/redact"
)

// Kinds of entry.
const (
	KindOperation   = "operation"
	KindPlan        = "plan"
	KindObservation = "observation"
	KindConsult     = "consult"
	KindNote        = "note"
	// KindApproval is a person's decision on a change: a confirmation, an
	// approval or a rejection, bound to the change's id.
	KindApproval = "approval"
	// KindProposal is a change other than a saved plan waiting for
	// approvals.
	KindProposal = "proposal"
	// KindDrift is one drift check of a target (a workspace or a set of
	// Kubernetes objects).
	KindDrift = "drift"
)

// Kinds lists the valid entry kinds.
var Kinds = []string{KindOperation, KindPlan, KindObservation, KindConsult, KindNote, KindApproval, KindProposal, KindDrift}

// ErrNotFound is returned when a record does not exist: one value with
// planrec's, so a plan's absence reads the same through either package.
var ErrNotFound = planrec.ErrNotFound

// ErrPlanPending: a plan of the same id is saved and waiting to be applied.
var ErrPlanPending = planrec.ErrPending

// planUpsert replaces a used or expired plan record of the same id (the
// same plan bytes planned again), never a pending one.
const planUpsert = `ON CONFLICT(id) DO UPDATE SET workspace = excluded.workspace, data = excluded.data,
	created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL
	WHERE plans.used_at IS NOT NULL OR plans.expires_at <= excluded.created_at`

// Entry is one memory record. Scope names what it is about: a workspace,
// namespace, repo, account or project.
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

// Filter selects entries; empty fields match everything. Results are newest
// first. Expired entries are never returned.
type Filter struct {
	Server, Kind, Scope, Key string
	Tags                     []string  // entries carrying all of these
	Since, Until             time.Time // created_at in [Since, Until)
	Limit                    int       // page size; 0 = everything
	Cursor                   string    // from Page.Next, to continue a listing
}

// Page is one page of a listing.
type Page struct {
	Entries []Entry
	Next    string // "" when there is nothing more
}

// Hit is a search result.
type Hit struct {
	Entry
	Score float64 `json:"score"` // higher is better: relevance weighted by recency
}

// Plan is a saved Terraform plan's record (the plan lifecycle's contract).
type Plan = planrec.Plan

// PlanFilter selects plans. Newest first.
type PlanFilter = planrec.Filter

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

// Checkpoint stands for a pruned prefix of the audit log: the last pruned
// record's seq and hash, signed, so the records after it still verify.
type Checkpoint struct {
	ThroughSeq  int64     `json:"through_seq"`
	ThroughHash string    `json:"through_hash"`
	Pruned      int64     `json:"pruned"` // records pruned in all, up to here
	Time        time.Time `json:"time"`
	PublicKey   string    `json:"public_key"` // ed25519, hex
	Signature   string    `json:"signature"`  // ed25519 over SignedBytes, hex
}

// SignedBytes is what a checkpoint's signature covers.
func (c *Checkpoint) SignedBytes() []byte {
	return fmt.Appendf(nil, "opsmcp-audit-checkpoint\n%d\n%s\n%d\n%d\n", c.ThroughSeq, c.ThroughHash, c.Pruned, c.Time.UTC().UnixNano())
}

// Entries keeps memory entries.
type Entries interface {
	// Put stores an entry (secrets redacted) and sets its ID (and CreatedAt
	// if zero).
	Put(ctx context.Context, e *Entry) error
	Get(ctx context.Context, id int64) (*Entry, error)
	List(ctx context.Context, f Filter) (Page, error)
	Delete(ctx context.Context, id int64) error
	// PruneExpired deletes entries whose expiry is before now.
	PruneExpired(ctx context.Context, now time.Time) (int64, error)
}

// Searcher finds entries by their words.
type Searcher interface {
	// Search finds entries matching the words of query (any of them), ranked
	// by relevance and recency, among those f selects (Cursor is ignored).
	Search(ctx context.Context, query string, f Filter) ([]Hit, error)
}

// Audit is the append-only, hash-chained audit log.
type Audit interface {
	// AppendAudit chains and appends a record, setting Seq, PrevHash, Hash.
	AppendAudit(ctx context.Context, a *AuditRecord) error
	// ListAudit returns the newest records first; limit 0 = all.
	ListAudit(ctx context.Context, limit int) ([]AuditRecord, error)
	// WalkAudit calls fn for every record, oldest first.
	WalkAudit(ctx context.Context, fn func(AuditRecord) error) error
	// AuditCheckpoint returns the latest checkpoint, or nil.
	AuditCheckpoint(ctx context.Context) (*Checkpoint, error)
	// PruneAudit stores cp and deletes the records it covers, atomically.
	PruneAudit(ctx context.Context, cp *Checkpoint) (int64, error)
}

// EntryStore is what reads and writes entries needs: the entries and
// their search.
type EntryStore interface {
	Entries
	Searcher
}

// AuditStore is the audit log with the directory of its signing key.
type AuditStore interface {
	Audit
	Dir() string
}

// Store is a memory backend: what each caller needs is one of the
// interfaces it is made of; a process opens one Store and hands out those.
type Store interface {
	Entries
	Searcher
	planrec.Records
	Audit
	// Dir is a private local directory for files (keys; plan files and
	// locks by default, see terraform.PlanStore).
	Dir() string
	// Location describes where the store is, without credentials.
	Location() string
	Close() error
}

// Options tune a store.
type Options struct {
	// MaxEntryBytes refuses entries whose data is larger (default 256 KiB).
	MaxEntryBytes int
	// Dir overrides the local directory for files (default: beside a SQLite
	// file, or the opsmcp state directory for PostgreSQL).
	Dir string
}

// DefaultMaxEntryBytes is the default entry data limit.
const DefaultMaxEntryBytes = 256 << 10

// Open opens the store at location: a postgres:// URL, or a SQLite file
// path (created if missing). Migrations run on open.
func Open(ctx context.Context, location string, opts ...Options) (Store, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.MaxEntryBytes <= 0 {
		o.MaxEntryBytes = DefaultMaxEntryBytes
	}
	if strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://") {
		return openPostgres(ctx, location, o)
	}
	return openSQLite(ctx, location, o)
}

// storeRedactor masks credentials in everything stored.
var storeRedactor redact.Redactor

// prepareEntry checks and normalises an entry before it is stored.
func prepareEntry(e *Entry, max int) error {
	if len(e.Data) == 0 {
		e.Data = json.RawMessage("null")
	}
	// Every stored field is masked, not only data: a key, scope or tag is
	// shown by list and search as readily.
	e.Key, e.Scope = storeRedactor.String(e.Key), storeRedactor.String(e.Scope)
	for i, t := range e.Tags {
		e.Tags[i] = storeRedactor.String(t)
	}
	switch {
	case e.Server == "":
		return errors.New("memory entry needs a server")
	case !slices.Contains(Kinds, e.Kind):
		return fmt.Errorf("memory entry kind %q is not one of %s", e.Kind, strings.Join(Kinds, ", "))
	case len(e.Data) > max:
		return fmt.Errorf("memory entry data is %d bytes; the limit is %d (memory_max_entry_bytes)", len(e.Data), max)
	case !json.Valid(e.Data):
		return errors.New("memory entry data is not valid JSON")
	}
	for _, t := range e.Tags {
		if strings.TrimSpace(t) == "" || strings.Contains(t, ",") {
			return fmt.Errorf("memory entry tag %q: tags are non-empty words without commas", t)
		}
	}
	b, err := storeRedactor.Marshal(json.RawMessage(e.Data))
	if err != nil {
		return err
	}
	e.Data = b
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return nil
}

// prepareAudit normalises an audit record and masks credentials in it.
func prepareAudit(a *AuditRecord) {
	if len(a.Args) == 0 {
		a.Args = json.RawMessage("{}")
	}
	if b, err := storeRedactor.Marshal(a.Args); err == nil {
		a.Args = b
	}
	a.Outcome = storeRedactor.String(a.Outcome)
	if a.Time.IsZero() {
		a.Time = time.Now()
	}
	a.Time = a.Time.UTC()
}

// searchText is what full-text search indexes for an entry: its scope, key,
// tags and the string values in its data. Server and kind are filters, and
// JSON keys repeat in every entry of a kind; indexing them would make the
// commonest words match most of the store and say nothing of relevance.
func searchText(e *Entry) string {
	parts := []string{e.Scope, e.Key}
	parts = append(parts, e.Tags...)
	var v any
	if json.Unmarshal(e.Data, &v) == nil {
		parts = appendStrings(parts, v)
	}
	return strings.Join(parts, " ")
}

func appendStrings(dst []string, v any) []string {
	switch t := v.(type) {
	case string:
		dst = append(dst, t)
	case map[string]any:
		for _, x := range t {
			dst = appendStrings(dst, x)
		}
	case []any:
		for _, x := range t {
			dst = appendStrings(dst, x)
		}
	}
	return dst
}

// searchTerms splits a query into plain words: anything else is dropped, so
// no query can be an injection into FTS5 or tsquery syntax.
func searchTerms(q string) []string {
	var terms []string
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127)
	}) {
		if !slices.Contains(terms, w) {
			terms = append(terms, w)
		}
	}
	if len(terms) > 32 {
		terms = terms[:32]
	}
	return terms
}

// recencyHalfLife is how fast search prefers newer entries: an entry this
// old scores half of an equally relevant new one.
const recencyHalfLife = 30 * 24 * time.Hour

func encodeCursor(e Entry) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%d", e.CreatedAt.UnixNano(), e.ID))
}

func decodeCursor(c string) (created, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		a, bb, ok := strings.Cut(string(b), ":")
		if ok {
			created, err1 := strconv.ParseInt(a, 10, 64)
			id, err2 := strconv.ParseInt(bb, 10, 64)
			if err1 == nil && err2 == nil {
				return created, id, nil
			}
		}
	}
	return 0, 0, errors.New("invalid cursor; pass the value of a previous page's next cursor")
}

// page trims one extra row fetched to learn whether there is a next page.
func page(entries []Entry, limit int) Page {
	p := Page{Entries: entries}
	if limit > 0 && len(entries) > limit {
		p.Entries = entries[:limit]
		p.Next = encodeCursor(p.Entries[limit-1])
	}
	return p
}
