// Package driftctx is the drift brief the deploy and kube servers'
// gather_context results share (their contracts embed it) and the rules
// expert reads, and how both read it from memory.
package driftctx

import (
	"context"
	"encoding/json"
	"time"

	"github.com/opsmcp/opsmcp/internal/memory"
)

// Brief is a target's latest drift check.
type Brief struct {
	Kind      string    `json:"kind"`   // terraform | kubernetes
	Target    string    `json:"target"` // workspace, manifests, or "context operation"
	Status    string    `json:"status"` // in_sync | drifted | error
	CheckedAt time.Time `json:"checked_at"`
	// Resources are the addresses that drifted (the first few), Count how many.
	Resources []string `json:"resources,omitempty"`
	Count     int      `json:"count,omitempty"`
	Reason    string   `json:"reason,omitempty"`
}

// MaxResources bounds the addresses a brief names.
const MaxResources = 5

// Latest reads the newest drift check of each target from memory (kind
// drift, as the deploy server stores them): of one kind ("" every kind),
// under scope ("" every one), the targets visible says may be shown.
func Latest(ctx context.Context, store memory.Store, kind, scope string, visible func(string) bool) ([]Brief, error) {
	f := memory.Filter{Kind: memory.KindDrift, Scope: scope, Limit: 500}
	if kind != "" {
		f.Tags = []string{kind}
	}
	page, err := store.List(ctx, f)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Brief
	for _, e := range page.Entries { // newest first
		if seen[e.Scope] || (visible != nil && !visible(e.Scope)) {
			continue
		}
		seen[e.Scope] = true
		var t struct {
			Kind, Target, Status, Reason string
			Resources                    []struct{ Address string }
		}
		if json.Unmarshal(e.Data, &t) != nil {
			continue
		}
		b := Brief{Kind: t.Kind, Target: t.Target, Status: t.Status, CheckedAt: e.CreatedAt, Count: len(t.Resources), Reason: t.Reason}
		for i, r := range t.Resources {
			if i == MaxResources {
				break
			}
			b.Resources = append(b.Resources, r.Address)
		}
		out = append(out, b)
	}
	return out, nil
}
