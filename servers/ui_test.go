package servers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// browser is Debian's chromium driven by chromedp, headless.
func browser(t testing.TB) (context.Context, context.CancelFunc) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed; make test installs it (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	return ctx, func() { cancelT(); cancelC(); cancelA() }
}

// artifacts is where the page's screenshots are kept.
func artifacts(t *testing.T) string {
	dir := os.Getenv("OPSMCP_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(testenv.RepoRoot(t), ".cache", "artifacts")
	}
	dir = filepath.Join(dir, "ui")
	os.MkdirAll(dir, 0o755)
	return dir
}

// The team's page in a real browser: alice proposes through MCP; bob opens
// /ui/, signs in with his token, sees the plan waiting, opens it, approves
// it, and alice's apply goes through; alice's own page of her plan has no
// Approve button; carol, a viewer, sees no buttons. The page sets a strict
// CSP and loads nothing from elsewhere. Screenshots of each page are kept.
func TestTeamPageInChromium(t *testing.T) {
	ws := testenv.CopyWorkspace(t, "basic")
	cfg := fmt.Sprintf(`mode: apply
memory: %s
terraform:
  workspaces: [%s]
gate:
  confirm: none
  approvals: 1
http:
  roles:
    ops: {mode: apply, approve: true}
    viewer: {mode: read-only}
  principals: {alice: ops, bob: ops, carol: viewer}
`, filepath.Join(t.TempDir(), "memory.db"), ws)
	tokens := map[string]string{"alice": "alice-ui-token-0123456789", "bob": "bob-ui-token-0123456789ab", "carol": "carol-ui-token-0123456789"}
	srv := serveAll(t, cfg, "OPSMCP_HTTP_TOKENS=alice="+tokens["alice"]+",bob="+tokens["bob"]+",carol="+tokens["carol"])
	base := "http://" + srv.addr

	alice := testenv.HTTPClient(t, base+"/deploy/mcp", tokens["alice"])
	callTool := func(c *client.Client, args map[string]any) *mcp.CallToolResult {
		return call(t, c, "apply_terraform", args)
	}
	plan := callTool(alice, map[string]any{"workspace": ws, "variables": map[string]any{"size": 2}})
	id := plan.StructuredContent.(map[string]any)["plan_id"].(string)
	if res := callTool(alice, map[string]any{"workspace": ws, "plan_id": id, "auto_approve": true}); !res.IsError {
		t.Fatal("applied without an approval")
	}

	// The team page lists drift checks: alice checks the workspace.
	if res := call(t, alice, "detect_drift", map[string]any{"workspaces": []any{ws}}); res.IsError {
		t.Fatalf("detect_drift: %+v", res.Content)
	}
	req, _ := http.NewRequest("GET", base+"/ui/data/activity", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["carol"])
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "<h2>Drift</h2>") || !strings.Contains(string(body), ws) || !strings.Contains(string(body), "in_sync") {
			t.Fatalf("activity page (%d):\n%s", resp.StatusCode, body)
		}
	}

	resp, err := http.Get(base + "/ui/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := resp.Header.Get("Content-Security-Policy"); !strings.Contains(c, "default-src 'none'") || !strings.Contains(c, "script-src 'self'") {
		t.Fatalf("CSP %q", c)
	}
	if resp, _ := http.Get(base + "/ui/data/plans"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the data without a token: %d", resp.StatusCode)
	}

	shots := artifacts(t)
	shot := func(ctx context.Context, name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	do := func(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	link := chromedp.CSS(`a[href="#/plans/` + id + `"]`)
	signIn := func(ctx context.Context, who string) {
		t.Helper()
		do(ctx, who+" signs in",
			chromedp.Navigate(base+"/ui/"),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), tokens[who]),
			chromedp.Click(chromedp.CSS("#signin button")),
			chromedp.WaitVisible(link),
		)
	}

	// bob approves.
	ctx, cancel := browser(t)
	defer cancel()
	signIn(ctx, "bob")
	list := text(ctx, "#page")
	shot(ctx, "1-waiting")
	do(ctx, "bob opens the plan", chromedp.Click(link), chromedp.WaitVisible(chromedp.ID("approve")))
	detail := text(ctx, "#page")
	shot(ctx, "2-plan-bob")
	do(ctx, "bob approves", chromedp.Click(chromedp.ID("approve")), chromedp.WaitVisible(chromedp.CSS("p.ok")))
	after := text(ctx, "#page")
	shot(ctx, "3-approved")
	// On a phone: nothing wider than the screen but the tables, which scroll.
	do(ctx, "a phone's viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile))
	shot(ctx, "3-approved-phone")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || wide {
		t.Errorf("the page is wider than a phone's screen (%v)", err)
	}
	do(ctx, "back to the desktop", chromedp.EmulateReset())
	for _, want := range []string{"alice", "+2 ~0 -0", "0 of 1"} {
		if !strings.Contains(list, want) {
			t.Errorf("the waiting list does not show %q:\n%s", want, list)
		}
	}
	for _, want := range []string{"terraform_data.item[0]", "create", "Approvals: 0 of 1"} {
		if !strings.Contains(detail, want) {
			t.Errorf("the plan page does not show %q:\n%s", want, detail)
		}
	}
	if !strings.Contains(after, "1 of 1 approvals; it may be applied") || !strings.Contains(after, "bob approved (tool)") {
		t.Errorf("after approving:\n%s", after)
	}
	if res := callTool(alice, map[string]any{"workspace": ws, "plan_id": id, "auto_approve": true}); res.IsError {
		t.Fatalf("the approved plan: %v", res.Content)
	}

	// alice's own plan, and carol the viewer: no buttons, the reason.
	plan = callTool(alice, map[string]any{"workspace": ws, "variables": map[string]any{"size": 3}})
	id = plan.StructuredContent.(map[string]any)["plan_id"].(string)
	link = chromedp.CSS(`a[href="#/plans/` + id + `"]`)
	for _, who := range []string{"alice", "carol"} {
		ctx, cancel := browser(t)
		signIn(ctx, who)
		do(ctx, who+" opens the plan", chromedp.Click(link), chromedp.WaitVisible(chromedp.ID("why-not")))
		why := text(ctx, "#why-not")
		buttons, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#approve, #reject").length`))
		shot(ctx, "4-plan-"+who)
		cancel()
		want := map[string]string{"alice": "You proposed this plan", "carol": "Your role may not approve"}[who]
		if err != nil || buttons != 0 || !strings.Contains(why, want) {
			t.Errorf("%s sees %d buttons and %q (%v)", who, buttons, why, err)
		}
	}

	// The audit trail verifies, and names the approval.
	ctx, cancel = browser(t)
	defer cancel()
	signIn(ctx, "carol")
	do(ctx, "the audit page", chromedp.Click(chromedp.CSS(`a[href="#/audit"]`)), chromedp.WaitVisible(chromedp.ID("chain")))
	chain, trail := text(ctx, "#chain"), text(ctx, "#page")
	shot(ctx, "5-audit")
	if !strings.Contains(chain, "verifies") || !strings.Contains(trail, "approve_plan") {
		t.Errorf("the audit page: %s\n%s", chain, trail)
	}
	t.Logf("screenshots in %s", shots)
}
