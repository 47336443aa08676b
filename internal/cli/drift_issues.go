package cli

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/opsmcp/opsmcp/internal/drift"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/servers/github"
)

// driftIssues keeps drift.github_issue's issues after each scheduled
// check, through the github server's track_issue (and so through the
// gate: mode apply, the repo allowlisted): one issue per drifted target,
// kept up to date, closed when the target is back in sync.
func driftIssues(ctx context.Context, rt *mcpkit.Runtime, rep *drift.Report) {
	repo := rt.Config.Drift.GitHubIssue
	if repo == "" {
		return
	}
	host := mcpkit.NewHost(github.New(), rt)
	for _, t := range rep.Targets {
		if t.Status == drift.Error {
			continue // not known either way: the issue stays as it is
		}
		var body strings.Builder
		one := drift.Report{Targets: []drift.Target{t}, Drifted: 1}
		_ = drift.Write(&body, &one, "markdown")
		args, _ := json.Marshal(map[string]any{"repo": repo, "key": "drift:" + t.Kind + ":" + t.Target, "open": t.Status == drift.Drifted,
			"title": "Drift: " + t.Target, "body": body.String(), "closing": "Back in sync: the latest drift check finds nothing changed outside opsmcp."})
		if out := host.Call(ctx, "track_issue", args, nil); out.IsError {
			rt.Log.Warn("drift issue not kept", "target", t.Target, "error", out.Text)
		}
	}
}
