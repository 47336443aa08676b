package experts_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers"
)

// remember, recall and forget on the shared memory: a note is found by its
// words (its secret masked everywhere), another kind or scope filters it
// out, forget deletes it once; bad input gets a clear error.
func TestRememberRecallForget(t *testing.T) {
	cfg := config.Default()
	h := testenv.NewHost(t, servers.Experts(""), cfg)
	const secret = "AKIAIOSFODNN7EXAMPLE"
	remembered := h.Call("remember", map[string]any{"key": "web-v2-rollout", "scope": "prod",
		"text": "web v2 rolled back: the canary failed readiness; key " + secret, "tags": []string{"rollout"}})
	note := h.MustOK(remembered)
	id := note["id"].(float64)
	if note["kind"] != "note" || id <= 0 {
		t.Fatalf("remember: %v", note)
	}
	h.MustOK(h.Call("remember", map[string]any{"key": "db-maintenance", "kind": "observation", "scope": "staging",
		"data": map[string]any{"window": "Sundays 02:00"}, "ttl": "72h"}))

	recalled := h.Call("recall", map[string]any{"query": "canary readiness"})
	hits := h.MustOK(recalled)["hits"].([]any)
	if len(hits) != 1 || hits[0].(map[string]any)["key"] != "web-v2-rollout" || !strings.Contains(fmt.Sprint(hits[0]), "canary failed readiness") {
		t.Fatalf("recall: %v", hits)
	}
	if strings.Contains(h.Everything(remembered, recalled), secret) {
		t.Error("the secret was stored or returned")
	}
	if got := h.MustOK(h.Call("recall", map[string]any{"query": "canary", "scope": "staging"}))["hits"].([]any); len(got) != 0 {
		t.Errorf("recall in another scope: %v", got)
	}
	if got := h.MustOK(h.Call("recall", map[string]any{"query": "sundays", "kind": "observation"}))["hits"].([]any); len(got) != 1 {
		t.Errorf("recall by kind: %v", got)
	}
	h.MustOK(h.Call("forget", map[string]any{"id": id}))
	if got := h.MustOK(h.Call("recall", map[string]any{"query": "canary"}))["hits"].([]any); len(got) != 0 {
		t.Errorf("forgotten entry recalled: %v", got)
	}
	h.MustFail(h.Call("forget", map[string]any{"id": id}), "no memory entry")
	h.MustFail(h.Call("remember", map[string]any{"key": "x"}), "nothing to remember")
	h.MustFail(h.Call("remember", map[string]any{"text": "x"}), `missing required argument "key"`)
	h.MustFail(h.Call("remember", map[string]any{"key": " ", "text": "x"}), "key is empty")
	h.MustFail(h.Call("remember", map[string]any{"key": "x", "text": "y", "ttl": "soon"}), `ttl "soon"`)
	h.MustFail(h.Call("remember", map[string]any{"key": "x", "text": "y", "kind": "plan"}), "expected one of")
	h.MustFail(h.Call("recall", map[string]any{"query": "x", "limit": 1000}), "over 100")
}
