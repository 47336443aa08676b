package mcpkit_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

type scopedIn struct {
	Scope string `json:"scope,omitempty"`
	Text  string `json:"text,omitempty"`
	Fail  bool   `json:"fail,omitempty"`
}

func (in scopedIn) CacheScope() string { return in.Scope }

type countOut struct {
	N int64 `json:"n"`
}

func (o countOut) SummaryText() string { return "" }

func cacheHost(t *testing.T, ttl time.Duration, maxEntries int, cfgTTL map[string]config.Duration) (*mcpkit.Host, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	read := mcpkit.NewTool(mcpkit.Def{Name: "read", Description: "read", Toolset: "terraform", CacheTTL: ttl,
		Annotations: mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.No}},
		func(ctx context.Context, c *mcpkit.Call, in scopedIn) (countOut, error) {
			n := calls.Add(1)
			if in.Fail {
				return countOut{}, errors.New("failed")
			}
			return countOut{N: n}, nil
		})
	write := mcpkit.NewTool(mcpkit.Def{Name: "write", Description: "write", Toolset: "terraform",
		Annotations: mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.No, Idempotent: mcpkit.No, OpenWorld: mcpkit.No}, Effect: mcpkit.EffectChange},
		func(ctx context.Context, c *mcpkit.Call, in scopedIn) (countOut, error) { return countOut{}, nil })
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.Cache.TTL = cfgTTL
	rt := &mcpkit.Runtime{Config: cfg, Log: slog.New(slog.DiscardHandler), Cache: mcpkit.NewCache(maxEntries)}
	return mcpkit.NewHost(&mcpkit.Server{Name: "c", Tools: []mcpkit.Tool{read, write}}, rt), &calls
}

func callN(t *testing.T, h *mcpkit.Host, tool, args string) int64 {
	t.Helper()
	out := h.Call(context.Background(), tool, json.RawMessage(args), nil)
	if out.IsError {
		return -1
	}
	var r countOut
	json.Unmarshal(out.Structured, &r)
	return r.N
}

func TestCacheHitAfterMiss(t *testing.T) {
	h, calls := cacheHost(t, time.Minute, 0, nil)
	a := callN(t, h, "read", `{"scope":"a","text":"x"}`)
	b := callN(t, h, "read", `{"text":"x","scope":"a"}`) // same arguments, other key order
	if a != 1 || b != 1 || calls.Load() != 1 {
		t.Fatalf("second call was not a hit: %d %d (handler ran %d times)", a, b, calls.Load())
	}
	// A default spelled out is the same input.
	if c := callN(t, h, "read", ` { "scope":"a", "text":"x", "fail":false }`); c != 1 || calls.Load() != 1 {
		t.Fatalf("a spelled-out default missed the cache: %d (handler ran %d times)", c, calls.Load())
	}
	if s := h.Runtime().Cache.Stats(); s.Requests != 3 || s.Hits != 2 {
		t.Fatalf("stats %+v", s)
	}
	callN(t, h, "read", `{"scope":"a","text":"y"}`) // other arguments: a miss
	if calls.Load() != 2 {
		t.Fatal("different arguments shared a cache entry")
	}
}

func TestCacheExpiry(t *testing.T) {
	h, calls := cacheHost(t, 50*time.Millisecond, 0, nil)
	callN(t, h, "read", `{"scope":"a"}`)
	callN(t, h, "read", `{"scope":"a"}`)
	time.Sleep(80 * time.Millisecond)
	callN(t, h, "read", `{"scope":"a"}`)
	if calls.Load() != 2 {
		t.Fatalf("handler ran %d times, want 2 (hit, then expired)", calls.Load())
	}
}

func TestCacheNoSharingAcrossScopes(t *testing.T) {
	h, calls := cacheHost(t, time.Minute, 0, nil)
	a := callN(t, h, "read", `{"scope":"a"}`)
	b := callN(t, h, "read", `{"scope":"b"}`)
	if a == b || calls.Load() != 2 {
		t.Fatalf("scopes shared a result: %d %d", a, b)
	}
}

func TestCacheInvalidatedByMutationOfItsScope(t *testing.T) {
	h, calls := cacheHost(t, time.Minute, 0, nil)
	callN(t, h, "read", `{"scope":"a"}`)
	callN(t, h, "read", `{"scope":"b"}`)
	callN(t, h, "read", `{}`) // spans every scope
	callN(t, h, "write", `{"scope":"a"}`)
	callN(t, h, "read", `{"scope":"a"}`) // invalidated
	callN(t, h, "read", `{"scope":"b"}`) // still cached
	callN(t, h, "read", `{}`)            // invalidated: it covered scope a
	if calls.Load() != 5 {
		t.Fatalf("handler ran %d times, want 5", calls.Load())
	}
}

func TestCacheSkipsErrorsHonoursConfigAndBound(t *testing.T) {
	h, calls := cacheHost(t, time.Minute, 2, nil)
	callN(t, h, "read", `{"fail":true}`)
	callN(t, h, "read", `{"fail":true}`)
	if calls.Load() != 2 {
		t.Fatal("an error result was cached")
	}
	calls.Store(0)
	for _, s := range []string{"a", "b", "c", "a"} { // bound 2: c evicts a
		callN(t, h, "read", `{"scope":"`+s+`"}`)
	}
	if calls.Load() != 4 || h.Runtime().Cache.Stats().Entries != 2 {
		t.Fatalf("LRU bound: %d calls, %+v", calls.Load(), h.Runtime().Cache.Stats())
	}
	off, calls := cacheHost(t, time.Minute, 0, map[string]config.Duration{"read": 0})
	callN(t, off, "read", `{}`)
	callN(t, off, "read", `{}`)
	if calls.Load() != 2 {
		t.Fatal("cache.ttl: read: 0s did not turn caching off")
	}
}
