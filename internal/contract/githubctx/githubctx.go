// Package githubctx is the github server's contract with the others: its
// gather_context result, one exported type that the server returns and the
// rules expert reads. A renamed field is a compile error on both sides, not
// a silent empty value. It imports only the github server's own domain, so
// linking it costs no other server's dependencies.
package githubctx

import (
	"fmt"
	"strings"

	igh "github.com/opsmcp/opsmcp/internal/github"
)

// PRChecks are a pull request's failing checks (at its head commit).
type PRChecks struct {
	Number        int            `json:"number"`
	Title         string         `json:"title"`
	HeadSHA       string         `json:"head_sha"`
	FailingChecks []igh.CheckRun `json:"failing_checks"`
}

// RepoContext is the github server's gather_context result.
type RepoContext struct {
	Repo          string            `json:"repo"`
	DefaultBranch string            `json:"default_branch"`
	InfraPRs      []igh.PullRequest `json:"infra_pull_requests"`
	FailingChecks []igh.CheckRun    `json:"failing_checks"`
	PullRequest   *PRChecks         `json:"pull_request,omitempty"` // when pr is given
	Deployments   []igh.Deployment  `json:"latest_deployments"`
	Errors        []string          `json:"errors,omitempty"`
}

func (r RepoContext) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d open PRs touch infrastructure; %d failing checks on %s", r.Repo, len(r.InfraPRs), len(r.FailingChecks), r.DefaultBranch)
	for _, p := range r.InfraPRs {
		fmt.Fprintf(&b, "\n  #%d %s (%d infrastructure files)", p.Number, p.Title, p.InfraFiles)
	}
	for _, cr := range r.FailingChecks {
		fmt.Fprintf(&b, "\n  failing: %s (%s)", cr.Name, cr.Conclusion)
	}
	for _, d := range r.Deployments {
		fmt.Fprintf(&b, "\n  %s: %s@%.7s %s", d.Environment, d.Ref, d.SHA, d.State)
	}
	for _, e := range r.Errors {
		b.WriteString("\n  not read: " + e)
	}
	return b.String()
}
