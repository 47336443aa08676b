package servers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"

	"github.com/opsmcp/opsmcp/internal/gate"
	"github.com/opsmcp/opsmcp/internal/memory"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// A team on the HTTP service, two replicas on one PostgreSQL: alice
// proposes on one replica, bob and dave approve at once on the other,
// alice's apply goes through only then; her own approval, a viewer's, an
// unknown plan's are refused with the reason; a rejection blocks.
func TestTeamApprovalsAcrossReplicas(t *testing.T) {
	ws := testenv.CopyWorkspace(t, "basic")
	pg := testenv.SharedPostgres(t).NewDatabase(t)
	cfg := fmt.Sprintf(`mode: apply
memory: %s
terraform:
  workspaces: [%s]
gate:
  confirm: none
  approvals: 2
http:
  rate_limit: {per_minute: 100000, burst: 1000}
  roles:
    ops: {mode: apply, approve: true}
    dev: {mode: apply}
    viewer: {mode: read-only}
  principals: {alice: ops, bob: ops, dave: ops, erin: dev, carol: viewer}
`, pg, ws)
	tokens := map[string]string{"alice": "alice-token-0123456789", "bob": "bob-token-0123456789ab", "dave": "dave-token-0123456789a",
		"erin": "erin-token-0123456789a", "carol": "carol-token-0123456789"}
	var list []string
	for p, tok := range tokens {
		list = append(list, p+"="+tok)
	}
	env := "OPSMCP_HTTP_TOKENS=" + strings.Join(list, ",")
	shared := "XDG_STATE_HOME=" + t.TempDir()
	a := serveAll(t, cfg, env, shared)
	b := serveAll(t, cfg, env, shared)
	as := func(s *served, who string) *client.Client {
		return testenv.HTTPClient(t, "http://"+s.addr+"/deploy/mcp", tokens[who])
	}
	result := func(c *client.Client, tool string, args map[string]any) (map[string]any, string) {
		t.Helper()
		res := call(t, c, tool, args)
		if res.IsError {
			return nil, text(res)
		}
		return res.StructuredContent.(map[string]any), ""
	}
	mustFail := func(c *client.Client, tool string, args map[string]any, want string) {
		t.Helper()
		if _, msg := result(c, tool, args); !strings.Contains(msg, want) {
			t.Fatalf("%s %v: got %q, want %q", tool, args, msg, want)
		}
	}

	alice := as(a, "alice")
	plan, msg := result(alice, "apply_terraform", map[string]any{"workspace": ws})
	if msg != "" {
		t.Fatal(msg)
	}
	id := plan["plan_id"].(string)
	applyArgs := map[string]any{"workspace": ws, "plan_id": id, "auto_approve": true}
	mustFail(alice, "apply_terraform", applyArgs, "needs 2 approval(s) from principals other than its proposer alice")
	mustFail(alice, "approve_plan", map[string]any{"plan_id": id}, "you (alice) proposed plan")
	mustFail(as(b, "erin"), "approve_plan", map[string]any{"plan_id": id}, "role may not approve")
	mustFail(as(b, "carol"), "approve_plan", map[string]any{"plan_id": id}, "mode is read-only")
	mustFail(as(b, "bob"), "approve_plan", map[string]any{"plan_id": "p-0000"}, "does not exist")

	// Two approvers at once, on the other replica: both kept, once each.
	var wg sync.WaitGroup
	for _, who := range []string{"bob", "dave"} {
		wg.Go(func() {
			if _, msg := result(as(b, who), "approve_plan", map[string]any{"plan_id": id}); msg != "" {
				t.Errorf("%s approves: %s", who, msg)
			}
		})
	}
	wg.Wait()
	if _, msg := result(as(b, "bob"), "approve_plan", map[string]any{"plan_id": id}); msg != "" {
		t.Fatalf("approving again: %s", msg)
	}
	// The replica that took the approvals goes away: they stand, in memory.
	b.cmd.Process.Kill()
	<-b.done
	applied, msg := result(alice, "apply_terraform", applyArgs)
	if msg != "" || applied["applied"] != true {
		t.Fatalf("the approved plan: %v %s", applied, msg)
	}

	// A rejection blocks whatever the approvals.
	plan, _ = result(alice, "apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"size": 2}})
	id2 := plan["plan_id"].(string)
	result(as(a, "bob"), "approve_plan", map[string]any{"plan_id": id2})
	// dave rejects from his terminal, through the service.
	reject := exec.Command(filepath.Join(testenv.Binaries(t), "opsmcp"), "reject", id2, "--server", "http://"+a.addr+"/deploy/mcp", "--yes", "--reason", "size 2 needs a capacity review")
	reject.Env = append(os.Environ(), "OPSMCP_TOKEN="+tokens["dave"], "OPSMCP_CONFIG=")
	if out, err := reject.CombinedOutput(); err != nil || !strings.Contains(string(out), "Rejected plan") {
		t.Fatalf("opsmcp reject --server: %v\n%s", err, out)
	}
	mustFail(alice, "apply_terraform", map[string]any{"workspace": ws, "plan_id": id2, "auto_approve": true}, "was rejected by dave: size 2 needs a capacity review")

	store, err := memory.Open(context.Background(), pg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	decisions, _ := gate.List(ctx, store, id)
	var who []string
	for _, d := range decisions {
		who = append(who, d.Principal+":"+string(d.Decision))
	}
	if len(who) != 2 || !strings.Contains(strings.Join(who, ","), "bob:approved") || !strings.Contains(strings.Join(who, ","), "dave:approved") {
		t.Fatalf("decisions kept: %v", who)
	}
	ops, _ := store.List(ctx, memory.Filter{Kind: memory.KindOperation, Key: id})
	if len(ops.Entries) != 1 {
		t.Fatalf("%d apply records", len(ops.Entries))
	}
	var op struct {
		ApprovedBy []gate.Approval `json:"approved_by"`
	}
	json.Unmarshal(ops.Entries[0].Data, &op)
	if len(op.ApprovedBy) != 2 {
		t.Fatalf("the apply's record does not list who approved: %s", ops.Entries[0].Data)
	}
	audit, _ := store.ListAudit(ctx, 0)
	refused := 0
	for _, r := range audit {
		if r.Tool == "gate/approvals" && strings.Contains(r.Outcome, "needs 2 approval(s)") && r.Principal == "alice" {
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d audited approval refusals, want 1", refused)
	}
}

// A change that is not a saved plan (here a GitHub write) waits for its
// approvals as a proposal bound to its exact arguments: a reviewer
// approves that id, and the proposer's retry (its arguments in another
// order) goes through; other arguments are another change.
func TestApprovalsOfAChangeThatIsNotAPlan(t *testing.T) {
	stub := testenv.NewGitHubStub(t, "ghp_approvals0123456789")
	stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues",
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"number": 12, "html_url": "https://github.com/acme/infra/issues/12"}}}})
	cfg := fmt.Sprintf(`mode: apply
memory: %s
github:
  base_url: %s/
  repos: [acme/infra]
tools:
  toolsets: [default, github]
gate:
  confirm: none
  approvals: 1
http:
  roles:
    ops: {mode: apply, approve: true}
  principals: {alice: ops, bob: ops}
`, filepath.Join(t.TempDir(), "memory.db"), stub.URL)
	tokens := map[string]string{"alice": "alice-change-token-0123", "bob": "bob-change-token-012345"}
	srv := serveAll(t, cfg, "OPSMCP_HTTP_TOKENS=alice="+tokens["alice"]+",bob="+tokens["bob"], "GITHUB_TOKEN=ghp_approvals0123456789")
	as := func(who, server string) *client.Client {
		return testenv.HTTPClient(t, "http://"+srv.addr+"/"+server+"/mcp", tokens[who])
	}
	issue := map[string]any{"repo": "acme/infra", "title": "Rotate the staging keys", "body": "before Friday"}
	res := call(t, as("alice", "github"), "create_issue", issue)
	id := regexp.MustCompile(`call-[0-9a-f]{24}`).FindString(text(res))
	if !res.IsError || id == "" || !strings.Contains(text(res), "needs 1 approval(s)") {
		t.Fatalf("the first call: %s", text(res))
	}
	if res := call(t, as("alice", "deploy"), "approve_plan", map[string]any{"plan_id": id}); !res.IsError || !strings.Contains(text(res), "you (alice) proposed change") {
		t.Fatalf("alice approves her own change: %s", text(res))
	}
	// The team's page lists it, and offers bob the decision.
	page := func(path string) string {
		req, _ := http.NewRequest("GET", "http://"+srv.addr+"/ui/data"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens["bob"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if list, one := page("/plans"), page("/plans/"+id); !strings.Contains(list, id) || !strings.Contains(one, "Rotate the staging keys") || !strings.Contains(one, `id="approve"`) {
		t.Fatalf("the page:\n%s\n%s", list, one)
	}
	if res := call(t, as("bob", "deploy"), "approve_plan", map[string]any{"plan_id": id}); res.IsError || !strings.Contains(text(res), "1 of 1 approvals; it may be applied") {
		t.Fatalf("bob approves: %s", text(res))
	}
	other := map[string]any{"repo": "acme/infra", "title": "Rotate the production keys", "body": "before Friday"}
	if res := call(t, as("alice", "github"), "create_issue", other); !res.IsError {
		t.Fatal("an unapproved change went through")
	}
	reordered := map[string]any{"body": "before Friday", "title": "Rotate the staging keys", "repo": "acme/infra"}
	if res := call(t, as("alice", "github"), "create_issue", reordered); res.IsError {
		t.Fatalf("the approved change: %s", text(res))
	}
}

// Revoking a token (a line removed from http.auth.tokens_file, read again
// without a restart) revokes what its principal proposed and approved: an
// approved plan of a departed proposer is not applied, and a departed
// approver's approval no longer counts.
func TestRevokedPrincipalsChangesAreNotApplied(t *testing.T) {
	ws := testenv.CopyWorkspace(t, "basic")
	dir := t.TempDir()
	tokensFile := filepath.Join(dir, "tokens")
	tokens := map[string]string{"alice": "alice-revoked-token-0123", "bob": "bob-revoked-token-012345", "zed": "zed-revoked-token-012345"}
	writeTokens := func(who ...string) {
		t.Helper()
		var lines []string
		for _, p := range who {
			lines = append(lines, p+"="+tokens[p])
		}
		if err := os.WriteFile(tokensFile, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeTokens("alice", "bob", "zed")
	cfg := fmt.Sprintf(`mode: apply
memory: %s
terraform:
  workspaces: [%s]
gate:
  confirm: none
  approvals: 1
http:
  auth: {tokens_file: %s}
  roles:
    ops: {mode: apply, approve: true}
  principals: {alice: ops, bob: ops, zed: ops}
`, filepath.Join(dir, "memory.db"), ws, tokensFile)
	srv := serveAll(t, cfg)
	as := func(who string) *client.Client {
		return testenv.HTTPClient(t, "http://"+srv.addr+"/deploy/mcp", tokens[who])
	}
	alice, bob := as("alice"), as("bob")
	planOf := func(c *client.Client, size int) string {
		t.Helper()
		res := call(t, c, "apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"size": size}})
		if res.IsError {
			t.Fatal(text(res))
		}
		return res.StructuredContent.(map[string]any)["plan_id"].(string)
	}
	byAlice, byBob := planOf(alice, 2), planOf(bob, 3)
	for id, approver := range map[string]*client.Client{byAlice: bob, byBob: as("zed")} {
		if res := call(t, approver, "approve_plan", map[string]any{"plan_id": id}); res.IsError {
			t.Fatal(text(res))
		}
	}
	writeTokens("bob")

	res := call(t, bob, "apply_terraform", map[string]any{"workspace": ws, "plan_id": byAlice, "auto_approve": true})
	if !res.IsError || !strings.Contains(text(res), "was proposed by alice, who no longer holds a credential") {
		t.Fatalf("applying the revoked proposer's plan: %s", text(res))
	}
	res = call(t, bob, "apply_terraform", map[string]any{"workspace": ws, "plan_id": byBob, "auto_approve": true})
	if !res.IsError || !strings.Contains(text(res), "needs 1 approval(s)") {
		t.Fatalf("applying with the revoked approver's approval: %s", text(res))
	}
	req, _ := http.NewRequest("POST", "http://"+srv.addr+"/deploy/mcp", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+tokens["alice"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("alice's revoked token: %s", resp.Status)
	}
	if _, err := os.Stat(filepath.Join(ws, "terraform.tfstate")); err == nil {
		t.Fatal("something was applied")
	}
}
