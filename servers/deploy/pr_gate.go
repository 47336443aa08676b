package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsmcp/opsmcp/internal/contract/planrec"
	"github.com/opsmcp/opsmcp/internal/github"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
	"github.com/opsmcp/opsmcp/internal/terraform"
)

// gate.github: an apply needs the pull request whose head is the commit
// the plan was made from approved (each reviewer's latest review counts,
// any changes requested block) and, with require_green_checks, its check
// runs and statuses green — read from GitHub at apply time.

// prUnmet says why the plan's pull request does not yet allow the apply,
// or "" when it does (or gate.github requires nothing).
func prUnmet(ctx context.Context, c *mcpkit.Call, p *planrec.Plan) string {
	g := c.Runtime.Config.Gate.GitHub
	if !g.RequireApprovedPR && !g.RequireGreenChecks {
		return ""
	}
	id := terraform.ShortPlanID(p.ID)
	switch {
	case p.Commit == "" || p.Repo == "":
		return fmt.Sprintf("plan %s was not made from a commit of a GitHub repository (the workspace has no git origin on GitHub), so no pull request can approve it", id)
	case p.Dirty:
		return fmt.Sprintf("plan %s was made from uncommitted changes: commit and push them, open a pull request, and plan again", id)
	}
	client, err := github.New(c.Runtime.Config.GitHub, github.Options{})
	if err != nil {
		return "the pull request cannot be read: " + err.Error()
	}
	st, err := client.PullRequestOf(ctx, p.Repo, p.Commit)
	if err != nil {
		return "the pull request cannot be read: " + err.Error()
	}
	pr := fmt.Sprintf("%s#%d", p.Repo, st.Number)
	if g.RequireApprovedPR {
		switch {
		case len(st.ChangesRequested) > 0:
			return fmt.Sprintf("%s has changes requested by %s", pr, strings.Join(st.ChangesRequested, ", "))
		case len(st.Approved) == 0:
			return fmt.Sprintf("%s is not approved yet", pr)
		}
	}
	if g.RequireGreenChecks {
		checks, err := client.Checks(ctx, p.Repo, p.Commit, 1000)
		if err != nil {
			return "the pull request's checks cannot be read: " + err.Error()
		}
		if ok, why := checks.Green(); !ok {
			return pr + ": " + why
		}
	}
	return ""
}
