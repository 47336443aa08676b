package cli

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/drift"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/github"
)

// After a scheduled check, a drifted target gets its issue (through
// track_issue, so through the gate) and a target back in sync closes its
// own; a target that could not be checked leaves its issue alone.
func TestDriftIssues(t *testing.T) {
	const token = "ghp_0123456789abcdefghijABCDEFGHIJ012345"
	t.Setenv("GITHUB_TOKEN", token)
	t.Setenv("GH_TOKEN", "")
	stub := testenv.NewGitHubStub(t, token)
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.GitHub = config.GitHub{BaseURL: stub.URL, Repos: []string{"acme/infra"}}
	cfg.Drift.GitHubIssue = "acme/infra"
	h := testenv.NewHost(t, github.New(), cfg)
	rt := &mcpkit.Runtime{Config: cfg, Memory: h.Store, Log: slog.New(slog.DiscardHandler), Principal: "drift-schedule", Cache: mcpkit.NewCache(0)}

	me := map[string]any{"login": "opsmcp-bot", "id": 1, "type": "User"}
	stub.On("GET", "/user", me)
	open := map[string]any{"number": 5, "state": "open", "user": me, "body": "<!-- opsmcp:issue drift:terraform:/infra/dev -->\nold"}
	stub.On("GET", "/repos/acme/infra/issues", []any{open})
	created := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues",
		Check: func(b map[string]any) string {
			if b["title"] != "Drift: /infra/prod" || !strings.Contains(b["body"].(string), "`aws_s3_bucket.logs` changed: tags.owner") {
				return "wrong issue"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"number": 6}}}})
	commented := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues/5/comments", Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"id": 1}}}})
	closed := stub.Route(&testenv.GitHubRoute{Method: "PATCH", Path: "/repos/acme/infra/issues/5",
		Check: func(b map[string]any) string {
			if b["state"] != "closed" {
				return "not closed"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Body: open}}})

	rep := &drift.Report{}
	rep.Add(drift.Of("terraform", "/infra/prod", []drift.Resource{{Address: "aws_s3_bucket.logs", Change: drift.Changed, Paths: []string{"tags.owner"}}}))
	rep.Add(drift.Of("terraform", "/infra/dev", nil))
	rep.Add(drift.Target{Kind: "terraform", Target: "/infra/stage", Status: drift.Error, Reason: "skipped"})
	driftIssues(context.Background(), rt, rep)
	if created.Calls() != 1 || commented.Calls() != 1 || closed.Calls() != 1 {
		t.Errorf("created %d, commented %d, closed %d", created.Calls(), commented.Calls(), closed.Calls())
	}
}
