package github

import (
	"context"
	"fmt"
	"sort"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// ReviewState is where the pull request of a commit stands: the gate's
// gate.github requirements read it at apply time.
type ReviewState struct {
	Number   int      `json:"number"`
	URL      string   `json:"url"`
	Approved []string `json:"approved_by"`
	// ChangesRequested are reviewers whose latest review asks for changes.
	ChangesRequested []string `json:"changes_requested_by"`
}

// NoPullRequestError: no open pull request has the commit as its head.
type NoPullRequestError struct{ Repo, SHA string }

func (e *NoPullRequestError) Error() string {
	return fmt.Sprintf("no open pull request of %s has commit %s as its head: the plan's commit must be a pull request's head", e.Repo, short(e.SHA))
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// PullRequestOf finds the open pull request whose head is sha and reads
// its reviews (each reviewer's latest counts).
func (c *Client) PullRequestOf(ctx context.Context, repo, sha string) (*ReviewState, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return nil, err
	}
	prs, _, err := c.GH.PullRequests.ListPullRequestsWithCommit(ctx, owner, name, sha, &gh.ListOptions{PerPage: 100})
	if err != nil {
		return nil, Explain(err, "pull requests of commit "+short(sha))
	}
	var pr *gh.PullRequest
	for _, p := range prs {
		if p.GetState() == "open" && p.GetHead().GetSHA() == sha {
			pr = p
			break
		}
	}
	if pr == nil {
		return nil, &NoPullRequestError{Repo: repo, SHA: sha}
	}
	st := &ReviewState{Number: pr.GetNumber(), URL: pr.GetHTMLURL(), Approved: []string{}, ChangesRequested: []string{}}
	reviews, err := Paginate(ctx, 1000, func(o gh.ListOptions) ([]*gh.PullRequestReview, *gh.Response, error) {
		return c.GH.PullRequests.ListReviews(ctx, owner, name, st.Number, &o)
	})
	if err != nil {
		return nil, Explain(err, fmt.Sprintf("reviews of %s#%d", repo, st.Number))
	}
	// Reviews come oldest first: a reviewer's latest approving or
	// requesting review decides (comments alone do not).
	latest := map[string]string{}
	for _, r := range reviews {
		switch s := r.GetState(); s {
		case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
			latest[r.GetUser().GetLogin()] = s
		}
	}
	for who, s := range latest {
		switch s {
		case "APPROVED":
			st.Approved = append(st.Approved, who)
		case "CHANGES_REQUESTED":
			st.ChangesRequested = append(st.ChangesRequested, who)
		}
	}
	sort.Strings(st.Approved)
	sort.Strings(st.ChangesRequested)
	return st, nil
}

// Green says whether every check run finished well and the combined
// status is success (or there are no statuses); otherwise why not.
func (k Checks) Green() (bool, string) {
	var pending, bad []string
	for _, r := range k.Runs {
		switch {
		case r.Status != "completed":
			pending = append(pending, r.Name)
		case failed(r.Conclusion):
			bad = append(bad, r.Name+" ("+r.Conclusion+")")
		}
	}
	switch {
	case len(bad) > 0:
		return false, "failing checks: " + strings.Join(bad, ", ")
	case len(pending) > 0:
		return false, "checks still running: " + strings.Join(pending, ", ")
	case k.CombinedStatus == "failure" || k.CombinedStatus == "error":
		return false, "the commit status is " + k.CombinedStatus
	case k.CombinedStatus == "pending" && k.Statuses > 0:
		return false, "commit statuses are pending"
	}
	return true, ""
}
