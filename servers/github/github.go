// Package github is the opsmcp-github server: pull requests, checks,
// workflow runs and deployments, and (mode apply, allowlisted repos)
// comments, issues and deployments.
package github

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsmcp/opsmcp/internal/contract/githubctx"
	igh "github.com/opsmcp/opsmcp/internal/github"
	"github.com/opsmcp/opsmcp/internal/mcpkit"
)

// Name is the server's name in the CLI, .mcp.json and memory entries.
const Name = "github"

// New returns the github server.
func New() *mcpkit.Server {
	return &mcpkit.Server{
		Name: Name,
		Instructions: "GitHub for infrastructure work: pull requests with their infrastructure files, checks, workflow runs, " +
			"deployments and code search; in mode apply, comments (sticky), issues and deployments in the repos opsmcp.yaml allows. " +
			mcpkit.SafeWorkflow,
		Tools: []mcpkit.Tool{getPullRequest, listPullRequests, getCheckRuns, listWorkflowRuns, listDeployments, searchCode, gatherContext,
			commentPullRequest, createIssue, trackIssue, createDeployment, createDeploymentStatus},
	}
}

// client opens GitHub with the environment's token, which the redactor
// then masks everywhere.
func client(c *mcpkit.Call) (*igh.Client, error) {
	if t := igh.Token(); t != "" {
		c.Secrets.Add(t)
	}
	return igh.New(c.Runtime.Config.GitHub, igh.Options{})
}

// mutate opens GitHub for a change in an allowlisted repo (the gate has
// already held the call to the mode).
func mutate(c *mcpkit.Call, repo string) (*igh.Client, error) {
	cl, err := client(c)
	if err != nil {
		return nil, err
	}
	return cl, cl.CheckMutable(repo)
}

var (
	readOnly = mcpkit.Annotations{ReadOnly: mcpkit.Yes, Destructive: mcpkit.No, Idempotent: mcpkit.Yes, OpenWorld: mcpkit.Yes}
	writes   = mcpkit.Annotations{ReadOnly: mcpkit.No, Destructive: mcpkit.No, Idempotent: mcpkit.No, OpenWorld: mcpkit.Yes}
)

// RepoInput names a repository.
type RepoInput struct {
	Repo string `json:"repo" desc:"owner/name"`
}

// rateNote says when the rate limit is running low.
func rateNote(cl *igh.Client) string {
	if n := cl.LowRemaining(); n >= 0 {
		return fmt.Sprintf("GitHub rate limit: %d requests left", n)
	}
	return ""
}

// GetPullRequestInput is the input of get_pull_request.
type GetPullRequestInput struct {
	RepoInput
	Number int `json:"number" minimum:"1"`
}

// PullRequestResult is the result of get_pull_request.
type PullRequestResult struct {
	igh.PullRequest
	RateLimit string `json:"rate_limit,omitempty"`
}

func (r PullRequestResult) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s#%d %s (%s", r.Repo, r.Number, r.Title, r.State)
	if r.Draft {
		b.WriteString(", draft")
	}
	fmt.Fprintf(&b, ") %s → %s by %s; %d files, %d infrastructure", r.Head, r.Base, r.Author, len(r.Files), r.InfraFiles)
	for _, f := range r.Files {
		if f.Infra != "" {
			fmt.Fprintf(&b, "\n  %s %s (%s)", f.Status, f.Path, f.Infra)
		}
	}
	if r.RateLimit != "" {
		b.WriteString("\n" + r.RateLimit)
	}
	return b.String()
}

var getPullRequest = mcpkit.NewTool(mcpkit.Def{
	Name: "get_pull_request", Description: "A PR: SHAs, mergeability, changed files with infrastructure files flagged.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in GetPullRequestInput) (PullRequestResult, error) {
	cl, err := client(c)
	if err != nil {
		return PullRequestResult{}, err
	}
	pr, err := cl.PullRequest(ctx, in.Repo, in.Number, 3000)
	return PullRequestResult{PullRequest: pr, RateLimit: rateNote(cl)}, err
})

// ListPullRequestsInput is the input of list_pull_requests.
type ListPullRequestsInput struct {
	RepoInput
	State string `json:"state,omitempty" enum:"open|closed|all" default:"\"open\""`
	Base  string `json:"base,omitempty"`
	Limit int    `json:"limit,omitempty" minimum:"1" default:"30"`
}

// listResult is a list with its rate-limit note.
type listResult[T any] struct {
	Items     []T    `json:"items"`
	RateLimit string `json:"rate_limit,omitempty"`
	what      string
	line      func(T) string
}

func (r listResult[T]) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", len(r.Items), r.what)
	for _, it := range r.Items {
		b.WriteString("\n" + r.line(it))
	}
	if r.RateLimit != "" {
		b.WriteString("\n" + r.RateLimit)
	}
	return b.String()
}

func list[T any](cl *igh.Client, items []T, what string, line func(T) string) listResult[T] {
	if items == nil {
		items = []T{}
	}
	return listResult[T]{Items: items, RateLimit: rateNote(cl), what: what, line: line}
}

var listPullRequests = mcpkit.NewTool(mcpkit.Def{
	Name: "list_pull_requests", Description: "Pull requests of a repo, most recently updated first.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in ListPullRequestsInput) (listResult[igh.PullRequest], error) {
	cl, err := client(c)
	if err != nil {
		return listResult[igh.PullRequest]{}, err
	}
	prs, err := cl.PullRequests(ctx, in.Repo, in.State, in.Base, in.Limit)
	return list(cl, prs, "pull requests", func(p igh.PullRequest) string {
		return fmt.Sprintf("#%d %s (%s → %s, %s)", p.Number, p.Title, p.Head, p.Base, p.Author)
	}), err
})

// GetCheckRunsInput is the input of get_check_runs.
type GetCheckRunsInput struct {
	RepoInput
	Ref string `json:"ref" desc:"branch, tag or SHA"`
}

// ChecksResult is the result of get_check_runs.
type ChecksResult struct {
	igh.Checks
	RateLimit string `json:"rate_limit,omitempty"`
}

func (r ChecksResult) SummaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: combined status %s, %d check runs, %d failing", r.Ref, r.CombinedStatus, len(r.Runs), r.Failing)
	for _, cr := range r.Runs {
		fmt.Fprintf(&b, "\n  %s: %s %s", cr.Name, cr.Status, cr.Conclusion)
	}
	return b.String()
}

var getCheckRuns = mcpkit.NewTool(mcpkit.Def{
	Name: "get_check_runs", Description: "Check runs and combined status of a ref.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in GetCheckRunsInput) (ChecksResult, error) {
	cl, err := client(c)
	if err != nil {
		return ChecksResult{}, err
	}
	ch, err := cl.Checks(ctx, in.Repo, in.Ref, 300)
	return ChecksResult{Checks: ch, RateLimit: rateNote(cl)}, err
})

// ListWorkflowRunsInput is the input of list_workflow_runs.
type ListWorkflowRunsInput struct {
	RepoInput
	Workflow string `json:"workflow,omitempty" desc:"file name, e.g. ci.yml"`
	Branch   string `json:"branch,omitempty"`
	Status   string `json:"status,omitempty" desc:"e.g. failure, success, in_progress"`
	Limit    int    `json:"limit,omitempty" minimum:"1" default:"20"`
}

var listWorkflowRuns = mcpkit.NewTool(mcpkit.Def{
	Name: "list_workflow_runs", Description: "GitHub Actions runs, by workflow, branch and status.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in ListWorkflowRunsInput) (listResult[igh.WorkflowRun], error) {
	cl, err := client(c)
	if err != nil {
		return listResult[igh.WorkflowRun]{}, err
	}
	runs, err := cl.WorkflowRuns(ctx, in.Repo, in.Workflow, in.Branch, in.Status, in.Limit)
	return list(cl, runs, "workflow runs", func(r igh.WorkflowRun) string {
		return fmt.Sprintf("%d %s on %s: %s %s", r.ID, r.Workflow, r.Branch, r.Status, r.Conclusion)
	}), err
})

// ListDeploymentsInput is the input of list_deployments.
type ListDeploymentsInput struct {
	RepoInput
	Environment string `json:"environment,omitempty"`
	Limit       int    `json:"limit,omitempty" minimum:"1" default:"20"`
}

var listDeployments = mcpkit.NewTool(mcpkit.Def{
	Name: "list_deployments", Description: "Deployments, per environment, with their latest status.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in ListDeploymentsInput) (listResult[igh.Deployment], error) {
	cl, err := client(c)
	if err != nil {
		return listResult[igh.Deployment]{}, err
	}
	ds, err := cl.Deployments(ctx, in.Repo, in.Environment, in.Limit)
	return list(cl, ds, "deployments", func(d igh.Deployment) string {
		return fmt.Sprintf("%d %s %s@%.7s: %s", d.ID, d.Environment, d.Ref, d.SHA, d.State)
	}), err
})

// SearchCodeInput is the input of search_code.
type SearchCodeInput struct {
	Query string `json:"query" desc:"GitHub code search syntax"`
	Repo  string `json:"repo,omitempty" desc:"owner/name"`
	Limit int    `json:"limit,omitempty" minimum:"1" default:"30"`
}

var searchCode = mcpkit.NewTool(mcpkit.Def{
	Name: "search_code", Description: "Search code (GitHub syntax), optionally in one repo.", Annotations: readOnly, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in SearchCodeInput) (listResult[igh.CodeHit], error) {
	cl, err := client(c)
	if err != nil {
		return listResult[igh.CodeHit]{}, err
	}
	hits, _, err := cl.SearchCode(ctx, in.Query, in.Repo, in.Limit)
	return list(cl, hits, "code results", func(h igh.CodeHit) string { return h.Repo + " " + h.Path }), err
})

// GatherContextInput is the input of gather_context.
type GatherContextInput struct {
	RepoInput
	PR int `json:"pr,omitempty" minimum:"1" desc:"also this pull request's failing checks"`
}

// The github server's gather_context contract (internal/contract).
type (
	RepoContext = githubctx.RepoContext
	PRChecks    = githubctx.PRChecks
)

// maxContextPRs bounds how many open PRs gather_context inspects.
const maxContextPRs = 30

var gatherContext = mcpkit.NewTool(mcpkit.Def{
	Name: "gather_context", Description: "Open PRs touching infrastructure, failing default-branch checks, latest deployment per environment.",
	Toolset:     "context",
	Annotations: readOnly, Timeout: 2 * time.Minute,
}, func(ctx context.Context, c *mcpkit.Call, in GatherContextInput) (RepoContext, error) {
	cl, err := client(c)
	if err != nil {
		return RepoContext{}, err
	}
	owner, name, err := igh.SplitRepo(in.Repo)
	if err != nil {
		return RepoContext{}, err
	}
	res := RepoContext{Repo: in.Repo, InfraPRs: []igh.PullRequest{}, FailingChecks: []igh.CheckRun{}, Deployments: []igh.Deployment{}}
	repo, _, err := cl.GH.Repositories.Get(ctx, owner, name)
	if err != nil {
		return res, igh.Explain(err, "repository "+in.Repo)
	}
	res.DefaultBranch = repo.GetDefaultBranch()
	prs, err := cl.PullRequests(ctx, in.Repo, "open", "", maxContextPRs)
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
	} else {
		for _, p := range prs {
			full, err := cl.PullRequest(ctx, in.Repo, p.Number, 300)
			if err != nil {
				res.Errors = append(res.Errors, err.Error())
				continue
			}
			if full.InfraFiles > 0 {
				full.Files = slices.DeleteFunc(full.Files, func(f igh.ChangedFile) bool { return f.Infra == "" })
				res.InfraPRs = append(res.InfraPRs, full)
			}
		}
	}
	if ch, err := cl.Checks(ctx, in.Repo, res.DefaultBranch, 300); err != nil {
		res.Errors = append(res.Errors, err.Error())
	} else {
		res.FailingChecks = failing(ch.Runs)
	}
	if in.PR > 0 {
		i := slices.IndexFunc(prs, func(p igh.PullRequest) bool { return p.Number == in.PR })
		var pr igh.PullRequest
		if i >= 0 {
			pr = prs[i]
		} else if pr, err = cl.PullRequest(ctx, in.Repo, in.PR, 1); err != nil {
			return res, err
		}
		res.PullRequest = &PRChecks{Number: pr.Number, Title: pr.Title, HeadSHA: pr.HeadSHA, FailingChecks: []igh.CheckRun{}}
		if ch, err := cl.Checks(ctx, in.Repo, pr.HeadSHA, 300); err != nil {
			res.Errors = append(res.Errors, err.Error())
		} else {
			res.PullRequest.FailingChecks = failing(ch.Runs)
		}
	}
	if ds, err := cl.Deployments(ctx, in.Repo, "", 100); err != nil {
		res.Errors = append(res.Errors, err.Error())
	} else {
		res.Deployments = igh.LatestPerEnvironment(ds)
	}
	return res, nil
})

// failing keeps the check runs that did not pass.
func failing(runs []igh.CheckRun) []igh.CheckRun {
	out := []igh.CheckRun{}
	for _, r := range runs {
		if r.Conclusion == "failure" || r.Conclusion == "timed_out" || r.Conclusion == "cancelled" || r.Conclusion == "action_required" {
			out = append(out, r)
		}
	}
	return out
}

// CommentPullRequestInput is the input of comment_pull_request.
type CommentPullRequestInput struct {
	RepoInput
	Number int    `json:"number" minimum:"1"`
	Body   string `json:"body" desc:"markdown"`
	Sticky bool   `json:"sticky,omitempty" desc:"edit this token's previous sticky comment"`
}

// CommentResult is the result of comment_pull_request.
type CommentResult struct {
	igh.Comment
}

func (r CommentResult) SummaryText() string {
	if r.Updated {
		return "updated comment " + r.URL
	}
	return "commented " + r.URL
}

func (r CommentResult) AuditIDs() []string { return []string{fmt.Sprint(r.ID)} }

var commentPullRequest = mcpkit.NewTool(mcpkit.Def{
	Name: "comment_pull_request", Description: "Comment on a PR (mode apply); sticky edits the previous opsmcp comment.", Annotations: writes, Effect: mcpkit.EffectChange, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in CommentPullRequestInput) (CommentResult, error) {
	cl, err := mutate(c, in.Repo)
	if err != nil {
		return CommentResult{}, err
	}
	cm, err := cl.CommentPullRequest(ctx, in.Repo, in.Number, in.Body, in.Sticky)
	return CommentResult{cm}, err
})

// CreateIssueInput is the input of create_issue.
type CreateIssueInput struct {
	RepoInput
	Title  string   `json:"title"`
	Body   string   `json:"body,omitempty"`
	Labels []string `json:"labels,omitempty"`
}

// IssueResult is the result of create_issue.
type IssueResult struct{ igh.Issue }

func (r IssueResult) SummaryText() string { return fmt.Sprintf("opened #%d %s", r.Number, r.URL) }

var createIssue = mcpkit.NewTool(mcpkit.Def{
	Name: "create_issue", Description: "Open an issue (mode apply).", Annotations: writes, Effect: mcpkit.EffectChange, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in CreateIssueInput) (IssueResult, error) {
	cl, err := mutate(c, in.Repo)
	if err != nil {
		return IssueResult{}, err
	}
	is, err := cl.CreateIssue(ctx, in.Repo, in.Title, in.Body, in.Labels)
	return IssueResult{is}, err
})

// TrackIssueInput is the input of track_issue.
type TrackIssueInput struct {
	RepoInput
	Key     string `json:"key" desc:"one issue per key"`
	Title   string `json:"title,omitempty"`
	Body    string `json:"body,omitempty"`
	Open    bool   `json:"open"`
	Closing string `json:"closing,omitempty" desc:"comment when closed"`
}

// TrackIssueResult is the result of track_issue.
type TrackIssueResult struct{ igh.TrackedIssue }

func (r TrackIssueResult) SummaryText() string {
	if r.Action == "none" {
		return "no open issue for the key: nothing to do"
	}
	return fmt.Sprintf("%s #%d %s", r.Action, r.Number, r.URL)
}

var trackIssue = mcpkit.NewTool(mcpkit.Def{
	Name: "track_issue", Description: "Keep one issue per key (mode apply): open or update it, or close it (open: false).", Annotations: writes, Effect: mcpkit.EffectChange, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in TrackIssueInput) (TrackIssueResult, error) {
	cl, err := mutate(c, in.Repo)
	if err != nil {
		return TrackIssueResult{}, err
	}
	is, err := cl.TrackIssue(ctx, in.Repo, in.Key, in.Title, in.Body, in.Closing, in.Open)
	return TrackIssueResult{is}, err
})

// CreateDeploymentInput is the input of create_deployment.
type CreateDeploymentInput struct {
	RepoInput
	igh.NewDeployment
}

// DeploymentResult is the result of the deployment tools.
type DeploymentResult struct{ igh.Deployment }

func (r DeploymentResult) SummaryText() string {
	return strings.TrimSpace(fmt.Sprintf("deployment %d of %s to %s %s", r.ID, r.Ref, r.Environment, r.State))
}

func (r DeploymentResult) AuditIDs() []string { return []string{fmt.Sprint(r.ID)} }

var createDeployment = mcpkit.NewTool(mcpkit.Def{
	Name: "create_deployment", Description: "Create a GitHub deployment of a ref to an environment (mode apply).", Annotations: writes, Effect: mcpkit.EffectChange, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in CreateDeploymentInput) (DeploymentResult, error) {
	cl, err := mutate(c, in.Repo)
	if err != nil {
		return DeploymentResult{}, err
	}
	d, err := cl.CreateDeployment(ctx, in.Repo, in.NewDeployment)
	return DeploymentResult{d}, err
})

// CreateDeploymentStatusInput is the input of create_deployment_status.
type CreateDeploymentStatusInput struct {
	RepoInput
	DeploymentID   int64  `json:"deployment_id" minimum:"1"`
	State          string `json:"state" enum:"error|failure|inactive|in_progress|queued|pending|success"`
	Description    string `json:"description,omitempty"`
	LogURL         string `json:"log_url,omitempty"`
	EnvironmentURL string `json:"environment_url,omitempty"`
}

var createDeploymentStatus = mcpkit.NewTool(mcpkit.Def{
	Name: "create_deployment_status", Description: "Record a deployment's state, log and environment URLs (mode apply).", Annotations: writes, Effect: mcpkit.EffectChange, Timeout: time.Minute,
	Toolset: "github",
}, func(ctx context.Context, c *mcpkit.Call, in CreateDeploymentStatusInput) (DeploymentResult, error) {
	cl, err := mutate(c, in.Repo)
	if err != nil {
		return DeploymentResult{}, err
	}
	d, err := cl.CreateDeploymentStatus(ctx, in.Repo, in.DeploymentID, in.State, in.Description, in.LogURL, in.EnvironmentURL)
	return DeploymentResult{d}, err
})
