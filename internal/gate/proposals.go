package gate

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/opsmcp/opsmcp/internal/memory"
)

// A change that is not a saved plan (a Kubernetes change_id, a scale, a
// GitHub write) is proposed when it first waits for approvals: the
// proposal names it for the reviewers, bound to its id, and expires.

// Proposal is a change waiting for approvals.
type Proposal struct {
	Change    Change    `json:"change"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ErrNoProposal: no pending proposal of that id.
var ErrNoProposal = errors.New("no such proposal")

// Propose records a change waiting for approvals, once per id while it
// is pending.
func Propose(ctx context.Context, store memory.Entries, ch *Change, ttl time.Duration) error {
	if p, err := GetProposal(ctx, store, ch.ID); err == nil && time.Now().Before(p.ExpiresAt) {
		return nil
	}
	now := time.Now().UTC()
	data, _ := json.Marshal(Proposal{Change: *ch, CreatedAt: now, ExpiresAt: now.Add(ttl)})
	exp := now.Add(ttl)
	return store.Put(ctx, &memory.Entry{Server: server, Kind: memory.KindProposal, Scope: ch.Scope, Key: ch.ID, Data: data,
		Tags: []string{ch.Tool}, ExpiresAt: &exp})
}

// GetProposal is the newest proposal of a change id.
func GetProposal(ctx context.Context, store memory.Entries, id string) (*Proposal, error) {
	page, err := store.List(ctx, memory.Filter{Server: server, Kind: memory.KindProposal, Key: id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Entries) == 0 {
		return nil, ErrNoProposal
	}
	var p Proposal
	if err := json.Unmarshal(page.Entries[0].Data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Proposals are the pending proposals, newest first.
func Proposals(ctx context.Context, store memory.Entries, now time.Time) ([]Proposal, error) {
	page, err := store.List(ctx, memory.Filter{Server: server, Kind: memory.KindProposal, Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []Proposal
	seen := map[string]bool{}
	for _, e := range page.Entries {
		var p Proposal
		if json.Unmarshal(e.Data, &p) != nil || seen[p.Change.ID] || !now.Before(p.ExpiresAt) {
			continue
		}
		seen[p.Change.ID] = true
		out = append(out, p)
	}
	return out, nil
}
