package servers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// roundRobin is a load balancer without session affinity: request n goes
// to backend n mod len. It notes which backend served each tools/call.
type roundRobin struct {
	proxies []*httputil.ReverseProxy
	n       atomic.Int64
	mu      sync.Mutex
	served  map[string][]int // tool name → backend of each call, in order
}

func newRoundRobin(backends ...*served) *roundRobin {
	rr := &roundRobin{served: map[string][]int{}}
	for _, b := range backends {
		u := &url.URL{Scheme: "http", Host: b.addr}
		rr.proxies = append(rr.proxies, &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }})
	}
	return rr
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(rr.n.Add(1)-1) % len(rr.proxies)
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var msg struct {
		Method string `json:"method"`
		Params struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	if json.Unmarshal(body, &msg) == nil && msg.Method == "tools/call" {
		rr.mu.Lock()
		rr.served[msg.Params.Name] = append(rr.served[msg.Params.Name], i)
		rr.mu.Unlock()
	}
	rr.proxies[i].ServeHTTP(w, r)
}

func (rr *roundRobin) backends(tool string) []int {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.served[tool]
}

// Two stateless replicas share one PostgreSQL memory behind a load
// balancer that alternates every request between them: a client
// initializes on one and calls on the other, what one replica remembers
// the other recalls, a plan made through one is applied through the
// other, and both write one audit log. A third replica that does not share
// the state directory refuses that plan with the reason and leaves it
// usable.
func TestReplicasBehindALoadBalancer(t *testing.T) {
	ws := testenv.CopyWorkspace(t, "basic")
	pg := testenv.SharedPostgres(t).NewDatabase(t)
	cfg := fmt.Sprintf("mode: apply\nmemory: %s\nterraform:\n  workspaces: [%s]\ngate: {confirm: none} # replicas, not confirmation, are under test\nhttp:\n  rate_limit: {per_minute: 100000, burst: 1000}\n", pg, ws)
	const token = "ops-token-0123456789abcdef"
	shared := "XDG_STATE_HOME=" + t.TempDir() // one volume both replicas mount
	a := serveAll(t, cfg, "OPSMCP_HTTP_TOKENS=ops="+token, shared)
	b := serveAll(t, cfg, "OPSMCP_HTTP_TOKENS=ops="+token, shared)
	other := serveAll(t, cfg, "OPSMCP_HTTP_TOKENS=ops="+token) // its own state directory
	rr := newRoundRobin(a, b)
	lb := httptest.NewServer(rr)
	defer lb.Close()

	connect := func(base, server string) *client.Client {
		c := testenv.HTTPClient(t, base+"/"+server+"/mcp", token)
		if _, err := c.ListTools(context.Background(), mcp.ListToolsRequest{}); err != nil {
			t.Fatalf("tools/list %s: %v", server, err)
		}
		return c
	}
	call := func(c *client.Client, tool string, args map[string]any) map[string]any {
		t.Helper()
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = tool, args
		res, err := c.CallTool(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if res.IsError {
			t.Fatalf("%s: %v", tool, res.Content)
		}
		return res.StructuredContent.(map[string]any)
	}
	// differ checks that a tool's first two calls reached different replicas.
	differ := func(first, second string) {
		t.Helper()
		f, s := rr.backends(first), rr.backends(second)
		if len(f) == 0 || len(s) == 0 || f[0] == s[0] {
			t.Fatalf("%s went to %v and %s to %v: the balancer should have alternated", first, f, second, s)
		}
	}

	experts := connect(lb.URL, "experts")
	call(experts, "remember", map[string]any{"key": "replica-note", "text": "the canary pool drains at midnight"})
	got := call(experts, "recall", map[string]any{"query": "canary pool"})
	differ("remember", "recall")
	if !strings.Contains(fmt.Sprint(got), "drains at midnight") {
		t.Fatalf("the other replica did not recall the note: %v", got)
	}

	deploy := connect(lb.URL, "deploy")
	plan := call(deploy, "apply_terraform", map[string]any{"workspace": ws})
	planID := plan["plan_id"].(string)
	applied := call(deploy, "apply_terraform", map[string]any{"workspace": ws, "plan_id": planID, "auto_approve": true})
	if len(rr.backends("apply_terraform")) != 2 || rr.backends("apply_terraform")[0] == rr.backends("apply_terraform")[1] {
		t.Fatalf("plan and apply went to replicas %v: the balancer should have alternated", rr.backends("apply_terraform"))
	}
	if applied["applied"] != true {
		t.Fatalf("the plan made on one replica was not applied by the other: %v", applied)
	}

	// A replica with its own state directory has the plan's record but not
	// its file: it says so, and the plan stays usable where it was made.
	plan = call(deploy, "apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"name": "second"}})
	planID = plan["plan_id"].(string)
	lone := connect("http://"+other.addr, "deploy")
	req := mcp.CallToolRequest{}
	req.Params.Name = "apply_terraform"
	req.Params.Arguments = map[string]any{"workspace": ws, "plan_id": planID, "auto_approve": true, "variables": map[string]any{"name": "second"}}
	res, err := lone.CallTool(context.Background(), req)
	if err != nil || !res.IsError || !strings.Contains(fmt.Sprint(res.Content), "its plan file is not on this replica") {
		t.Fatalf("a replica without the plan file: %v %+v", err, res)
	}
	applied = call(deploy, "apply_terraform", map[string]any{"workspace": ws, "plan_id": planID, "auto_approve": true, "variables": map[string]any{"name": "second"}})
	if applied["applied"] != true {
		t.Fatalf("the refused plan was spoiled for the replicas that have it: %v", applied)
	}

	// Every replica wrote to the one audit log, as the principal.
	store, err := memory.Open(context.Background(), pg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	audit, err := store.ListAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	tools := map[string]int{}
	for _, r := range audit {
		if r.Principal != "ops" {
			t.Errorf("audit record %d has principal %q", r.Seq, r.Principal)
		}
		tools[r.Tool]++
	}
	if tools["remember"] != 1 || tools["apply_terraform"] != 5 {
		t.Fatalf("audit log: %v", tools)
	}
	if rep, err := memory.VerifyAudit(context.Background(), store); err != nil {
		t.Fatalf("the replicas' audit chain: %v %+v", err, rep)
	}
}
