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

// Memory masks every stored field, with secrets written as people write
// them: NAME_PASSWORD=..., camelCase keys, URL credentials, Basic auth.
func TestRememberMasksEveryField(t *testing.T) {
	h := testenv.NewHost(t, servers.Experts(""), config.Default())
	out := h.Call("remember", map[string]any{
		"key":   "DB_PASSWORD=hunter2hunter2",
		"scope": "postgres://admin:Sup3rS3cretPw@db.internal:5432/app",
		"tags":  []string{"awsSecretAccessKey:abcd1234wxyz"},
		"data":  map[string]any{"db_password": "Zm9vYmFyYmF6cXV4", "header": "Authorization: Basic dXNlcjpwYXNzd29yZA=="},
		"text":  "rotated the key ghp_R4nd0mT0k3nV4lu3xQ9zLmNpKs8Wt2Yv5Hj1 today",
	})
	h.MustOK(out)
	recalled := h.Call("recall", map[string]any{"query": "rotated"})
	all := h.Everything(out, recalled)
	for _, s := range []string{"hunter2hunter2", "Sup3rS3cretPw", "abcd1234wxyz", "Zm9vYmFyYmF6cXV4", "dXNlcjpwYXNzd29yZA==", "ghp_R4nd0mT0k3nV4lu3xQ9zLmNpKs8Wt2Yv5Hj1"} {
		if strings.Contains(all, s) {
			t.Errorf("%q is stored or shown in clear", s)
		}
	}
}
