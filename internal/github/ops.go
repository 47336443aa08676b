package github

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// ChangedFile is a file a pull request changes, flagged when it is
// infrastructure (Terraform, Kubernetes YAML, Dockerfile, compose file).
type ChangedFile struct {
	Path      string `json:"path"`
	Status    string `json:"status"`
	Additions int    `json:"additions"`
	Deletions int    `json:"deletions"`
	// Infra is terraform, kubernetes, docker or compose; empty otherwise.
	Infra string `json:"infra,omitempty"`
}

// InfraKind classifies a path the way validate_deployment would read it.
func InfraKind(p string) string {
	base := strings.ToLower(path.Base(p))
	ext := path.Ext(base)
	switch {
	case ext == ".tf" || ext == ".tfvars" || strings.HasSuffix(base, ".tf.json") || strings.HasSuffix(base, ".tfvars.json"):
		return "terraform"
	case base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || strings.HasSuffix(base, ".dockerfile") || base == "containerfile":
		return "docker"
	case strings.HasPrefix(base, "compose.") || strings.HasPrefix(base, "docker-compose") && (ext == ".yml" || ext == ".yaml"):
		return "compose"
	case ext == ".yaml" || ext == ".yml":
		dir := strings.ToLower(p)
		for _, hint := range []string{"k8s/", "kubernetes/", "manifests/", "deploy/", "helm/", "kustomize/", "charts/", "overlays/", "base/"} {
			if strings.Contains(dir, hint) {
				return "kubernetes"
			}
		}
		if strings.Contains(base, "deployment") || strings.Contains(base, "service") || strings.Contains(base, "ingress") || base == "kustomization.yaml" {
			return "kubernetes"
		}
	}
	return ""
}

// PullRequest is a pull request's metadata and changed files.
type PullRequest struct {
	Repo           string        `json:"repo"`
	Number         int           `json:"number"`
	Title          string        `json:"title"`
	State          string        `json:"state"`
	Draft          bool          `json:"draft"`
	Author         string        `json:"author"`
	URL            string        `json:"url"`
	Base           string        `json:"base"`
	Head           string        `json:"head"`
	BaseSHA        string        `json:"base_sha"`
	HeadSHA        string        `json:"head_sha"`
	Mergeable      *bool         `json:"mergeable,omitempty"`
	MergeableState string        `json:"mergeable_state,omitempty"`
	Merged         bool          `json:"merged"`
	Labels         []string      `json:"labels,omitempty"`
	UpdatedAt      *time.Time    `json:"updated_at,omitempty"`
	Files          []ChangedFile `json:"files,omitempty"`
	InfraFiles     int           `json:"infra_files"`
}

func pullOf(repo string, p *gh.PullRequest) PullRequest {
	pr := PullRequest{Repo: repo, Number: p.GetNumber(), Title: p.GetTitle(), State: p.GetState(), Draft: p.GetDraft(), Author: p.GetUser().GetLogin(),
		URL: p.GetHTMLURL(), Base: p.GetBase().GetRef(), Head: p.GetHead().GetRef(), BaseSHA: p.GetBase().GetSHA(), HeadSHA: p.GetHead().GetSHA(),
		Mergeable: p.Mergeable, MergeableState: p.GetMergeableState(), Merged: p.GetMerged()}
	if p.UpdatedAt != nil {
		t := p.UpdatedAt.Time
		pr.UpdatedAt = &t
	}
	for _, l := range p.Labels {
		pr.Labels = append(pr.Labels, l.GetName())
	}
	return pr
}

// PullRequest reads a pull request and its changed files (up to maxFiles).
func (c *Client) PullRequest(ctx context.Context, repo string, number, maxFiles int) (PullRequest, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return PullRequest{}, err
	}
	p, _, err := c.GH.PullRequests.Get(ctx, owner, name, number)
	if err != nil {
		return PullRequest{}, Explain(err, fmt.Sprintf("pull request %s#%d", repo, number))
	}
	pr := pullOf(repo, p)
	files, err := Paginate(ctx, maxFiles, func(o gh.ListOptions) ([]*gh.CommitFile, *gh.Response, error) {
		return c.GH.PullRequests.ListFiles(ctx, owner, name, number, &o)
	})
	if err != nil {
		return pr, Explain(err, fmt.Sprintf("files of %s#%d", repo, number))
	}
	for _, f := range files {
		cf := ChangedFile{Path: f.GetFilename(), Status: f.GetStatus(), Additions: f.GetAdditions(), Deletions: f.GetDeletions(), Infra: InfraKind(f.GetFilename())}
		if cf.Infra != "" {
			pr.InfraFiles++
		}
		pr.Files = append(pr.Files, cf)
	}
	return pr, nil
}

// PullRequests lists pull requests (state open, closed or all; base branch).
func (c *Client) PullRequests(ctx context.Context, repo, state, base string, limit int) ([]PullRequest, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return nil, err
	}
	if state == "" {
		state = "open"
	}
	list, err := Paginate(ctx, limit, func(o gh.ListOptions) ([]*gh.PullRequest, *gh.Response, error) {
		return c.GH.PullRequests.List(ctx, owner, name, &gh.PullRequestListOptions{State: state, Base: base, Sort: "updated", Direction: "desc", ListOptions: o})
	})
	if err != nil {
		return nil, Explain(err, "pull requests of "+repo)
	}
	out := make([]PullRequest, 0, len(list))
	for _, p := range list {
		out = append(out, pullOf(repo, p))
	}
	return out, nil
}

// CheckRun is one check run of a ref.
type CheckRun struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	Conclusion string `json:"conclusion,omitempty"`
	URL        string `json:"url,omitempty"`
}

// Checks is a ref's check runs and combined commit status.
type Checks struct {
	Ref            string `json:"ref"`
	CombinedStatus string `json:"combined_status"`
	// Statuses is how many commit statuses there are: with none, GitHub
	// calls the combined status pending.
	Statuses int        `json:"statuses"`
	Runs     []CheckRun `json:"check_runs"`
	Failing  int        `json:"failing"`
}

// failed reports a conclusion that fails a ref.
func failed(conclusion string) bool {
	switch conclusion {
	case "failure", "timed_out", "cancelled", "action_required", "startup_failure":
		return true
	}
	return false
}

// Checks reads a ref's check runs and combined status.
func (c *Client) Checks(ctx context.Context, repo, ref string, limit int) (Checks, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return Checks{}, err
	}
	out := Checks{Ref: ref, Runs: []CheckRun{}}
	runs, err := Paginate(ctx, limit, func(o gh.ListOptions) ([]*gh.CheckRun, *gh.Response, error) {
		res, resp, err := c.GH.Checks.ListCheckRunsForRef(ctx, owner, name, ref, &gh.ListCheckRunsOptions{ListOptions: o})
		if err != nil {
			return nil, resp, err
		}
		return res.CheckRuns, resp, nil
	})
	if err != nil {
		return out, Explain(err, "check runs of "+ref)
	}
	for _, r := range runs {
		cr := CheckRun{Name: r.GetName(), Status: r.GetStatus(), Conclusion: r.GetConclusion(), URL: r.GetHTMLURL()}
		if failed(cr.Conclusion) {
			out.Failing++
		}
		out.Runs = append(out.Runs, cr)
	}
	st, _, err := c.GH.Repositories.GetCombinedStatus(ctx, owner, name, ref, nil)
	if err != nil {
		return out, Explain(err, "combined status of "+ref)
	}
	out.CombinedStatus, out.Statuses = st.GetState(), st.GetTotalCount()
	if out.CombinedStatus == "failure" || out.CombinedStatus == "error" {
		for _, s := range st.Statuses {
			if s.GetState() == "failure" || s.GetState() == "error" {
				out.Failing++
			}
		}
	}
	return out, nil
}

// WorkflowRun is one GitHub Actions run.
type WorkflowRun struct {
	ID         int64      `json:"id"`
	Workflow   string     `json:"workflow"`
	Branch     string     `json:"branch"`
	Event      string     `json:"event"`
	Status     string     `json:"status"`
	Conclusion string     `json:"conclusion,omitempty"`
	HeadSHA    string     `json:"head_sha"`
	URL        string     `json:"url"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
}

// WorkflowRuns lists Actions runs, optionally of one workflow (file name
// or id), branch and status.
func (c *Client) WorkflowRuns(ctx context.Context, repo, workflow, branch, status string, limit int) ([]WorkflowRun, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return nil, err
	}
	list, err := Paginate(ctx, limit, func(o gh.ListOptions) ([]*gh.WorkflowRun, *gh.Response, error) {
		opts := &gh.ListWorkflowRunsOptions{Branch: branch, Status: status, ListOptions: o}
		var res *gh.WorkflowRuns
		var resp *gh.Response
		var err error
		if workflow != "" {
			res, resp, err = c.GH.Actions.ListWorkflowRunsByFileName(ctx, owner, name, workflow, opts)
		} else {
			res, resp, err = c.GH.Actions.ListRepositoryWorkflowRuns(ctx, owner, name, opts)
		}
		if err != nil {
			return nil, resp, err
		}
		return res.WorkflowRuns, resp, nil
	})
	if err != nil {
		return nil, Explain(err, "workflow runs of "+repo)
	}
	out := make([]WorkflowRun, 0, len(list))
	for _, r := range list {
		wr := WorkflowRun{ID: r.GetID(), Workflow: r.GetName(), Branch: r.GetHeadBranch(), Event: r.GetEvent(), Status: r.GetStatus(),
			Conclusion: r.GetConclusion(), HeadSHA: r.GetHeadSHA(), URL: r.GetHTMLURL()}
		if r.CreatedAt != nil {
			t := r.CreatedAt.Time
			wr.CreatedAt = &t
		}
		out = append(out, wr)
	}
	return out, nil
}

// Deployment is a deployment and its latest status.
type Deployment struct {
	ID          int64      `json:"id"`
	Environment string     `json:"environment"`
	Ref         string     `json:"ref"`
	SHA         string     `json:"sha"`
	Creator     string     `json:"creator,omitempty"`
	CreatedAt   *time.Time `json:"created_at,omitempty"`
	State       string     `json:"state,omitempty"` // of the latest status
	StatusURL   string     `json:"environment_url,omitempty"`
}

// Deployments lists deployments (of one environment) with their latest
// status, newest first.
func (c *Client) Deployments(ctx context.Context, repo, environment string, limit int) ([]Deployment, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return nil, err
	}
	list, err := Paginate(ctx, limit, func(o gh.ListOptions) ([]*gh.Deployment, *gh.Response, error) {
		return c.GH.Repositories.ListDeployments(ctx, owner, name, &gh.DeploymentsListOptions{Environment: environment, ListOptions: o})
	})
	if err != nil {
		return nil, Explain(err, "deployments of "+repo)
	}
	out := make([]Deployment, 0, len(list))
	for _, d := range list {
		dep := Deployment{ID: d.GetID(), Environment: d.GetEnvironment(), Ref: d.GetRef(), SHA: d.GetSHA(), Creator: d.GetCreator().GetLogin()}
		if d.CreatedAt != nil {
			t := d.CreatedAt.Time
			dep.CreatedAt = &t
		}
		sts, _, err := c.GH.Repositories.ListDeploymentStatuses(ctx, owner, name, d.GetID(), &gh.ListOptions{PerPage: 1})
		if err != nil {
			return nil, Explain(err, fmt.Sprintf("statuses of deployment %d", d.GetID()))
		}
		if len(sts) > 0 {
			dep.State, dep.StatusURL = sts[0].GetState(), sts[0].GetEnvironmentURL()
		}
		out = append(out, dep)
	}
	return out, nil
}

// LatestPerEnvironment keeps each environment's newest deployment.
func LatestPerEnvironment(ds []Deployment) []Deployment {
	seen := map[string]bool{}
	var out []Deployment
	for _, d := range ds {
		if !seen[d.Environment] {
			seen[d.Environment] = true
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Environment < out[j].Environment })
	return out
}

// CodeHit is one search result.
type CodeHit struct {
	Repo string `json:"repo"`
	Path string `json:"path"`
	URL  string `json:"url"`
}

// SearchCode runs a code search (GitHub's query syntax; repo:owner/name
// is added when repo is given).
func (c *Client) SearchCode(ctx context.Context, query, repo string, limit int) ([]CodeHit, int, error) {
	if repo != "" {
		if _, _, err := SplitRepo(repo); err != nil {
			return nil, 0, err
		}
		query += " repo:" + repo
	}
	total := 0
	list, err := Paginate(ctx, limit, func(o gh.ListOptions) ([]*gh.CodeResult, *gh.Response, error) {
		res, resp, err := c.GH.Search.Code(ctx, query, &gh.SearchOptions{ListOptions: o})
		if err != nil {
			return nil, resp, err
		}
		total = res.GetTotal()
		return res.CodeResults, resp, nil
	})
	if err != nil {
		return nil, 0, Explain(err, "code search")
	}
	out := make([]CodeHit, 0, len(list))
	for _, r := range list {
		out = append(out, CodeHit{Repo: r.GetRepository().GetFullName(), Path: r.GetPath(), URL: r.GetHTMLURL()})
	}
	return out, total, nil
}
