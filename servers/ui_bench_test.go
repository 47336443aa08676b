package servers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
	"github.com/opsmcp/opsmcp/internal/memory"
)

// BenchmarkTeamPageFirstRender is the time from signing in to the page
// shown in Chromium, for the waiting list with 100 pending plans and for
// the audit trail with 10,000 records (its chain verified on each view).
func BenchmarkTeamPageFirstRender(b *testing.B) {
	dir := b.TempDir()
	mem := filepath.Join(dir, "memory.db")
	store, err := memory.Open(context.Background(), mem)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC()
	for i := range 100 {
		sum, _ := json.Marshal(map[string]any{"add": i % 7, "change": i % 3, "destroy": i % 2, "replace": 0})
		if err := store.SavePlan(ctx, &planrec.Plan{ID: fmt.Sprintf("p-%064d", i), Workspace: fmt.Sprintf("/srv/infra/ws-%02d", i), Proposer: "alice",
			Summary: sum, CreatedAt: now, ExpiresAt: now.Add(time.Hour), TerraformVersion: "1.9.0"}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 10000 {
		if err := store.AppendAudit(ctx, &memory.AuditRecord{Time: now, Principal: "alice", Server: "deploy", Tool: "apply_terraform",
			Args: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), Outcome: "ok"}); err != nil {
			b.Fatal(err)
		}
	}
	store.Close()
	cfg := fmt.Sprintf("memory: %s\nhttp:\n  rate_limit: {per_minute: 100000, burst: 1000}\n  roles:\n    ops: {mode: plan, approve: true}\n  principals: {bob: ops}\n", mem)
	srv := serveAll(b, cfg, "OPSMCP_HTTP_TOKENS=bob=bob-bench-token-0123456789")
	bctx, cancel := browser(b)
	defer cancel()
	base := "http://" + srv.addr + "/ui/"
	if err := chromedp.Do(bctx, chromedp.Navigate(base), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), "bob-bench-token-0123456789"), chromedp.Click(chromedp.CSS("#signin button")),
		chromedp.WaitVisible(chromedp.CSS("table"))); err != nil {
		b.Fatal(err)
	}
	var plans, audit time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		if err := chromedp.Do(bctx, chromedp.Navigate(base+"#/plans"), chromedp.WaitVisible(chromedp.CSS(`a[href="#/plans/p-`+fmt.Sprintf("%064d", 99)+`"]`))); err != nil {
			b.Fatal(err)
		}
		plans += time.Since(start)
		start = time.Now()
		if err := chromedp.Do(bctx, chromedp.Navigate(base+"#/audit"), chromedp.WaitVisible(chromedp.ID("chain"))); err != nil {
			b.Fatal(err)
		}
		audit += time.Since(start)
		n++
	}
	b.ReportMetric(float64(plans.Milliseconds())/float64(n), "plans-100-ms")
	b.ReportMetric(float64(audit.Milliseconds())/float64(n), "audit-10k-ms")
}
