package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// StickyMarker starts every sticky opsmcp comment: a later run finds its
// comment by it (and by its author) and edits it instead of adding another.
const StickyMarker = "<!-- opsmcp:sticky -->"

// Comment is a comment that was written.
type Comment struct {
	ID      int64  `json:"id"`
	URL     string `json:"url"`
	Updated bool   `json:"updated"` // an existing sticky comment was edited
}

// me is the login of the token's user, or "" for an integration token
// (GitHub Actions' GITHUB_TOKEN may not read /user).
func (c *Client) me(ctx context.Context) string {
	u, _, err := c.GH.Users.Get(ctx, "")
	if err != nil {
		return ""
	}
	return u.GetLogin()
}

// ownSticky reports whether a comment is a sticky comment this token wrote:
// it starts with the marker, and its author is the token's user (or, when
// that cannot be known, a bot, as GitHub Actions' token comments).
func ownSticky(cm *gh.IssueComment, me string) bool {
	if !strings.HasPrefix(cm.GetBody(), StickyMarker) {
		return false
	}
	if me != "" {
		return cm.GetUser().GetLogin() == me
	}
	return cm.GetUser().GetType() == "Bot"
}

// CommentPullRequest writes a comment on a pull request; sticky edits the
// previous sticky comment of this token instead of adding one.
func (c *Client) CommentPullRequest(ctx context.Context, repo string, number int, body string, sticky bool) (Comment, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return Comment{}, err
	}
	if err := c.CheckMutable(repo); err != nil {
		return Comment{}, err
	}
	if strings.TrimSpace(body) == "" {
		return Comment{}, fmt.Errorf("the comment body is empty")
	}
	if sticky {
		body = StickyMarker + "\n" + body
		me := c.me(ctx)
		comments, err := Paginate(ctx, 1000, func(o gh.ListOptions) ([]*gh.IssueComment, *gh.Response, error) {
			return c.GH.Issues.ListComments(ctx, owner, name, number, &gh.IssueListCommentsOptions{ListOptions: o})
		})
		if err != nil {
			return Comment{}, Explain(err, fmt.Sprintf("comments of %s#%d", repo, number))
		}
		for _, cm := range comments {
			if ownSticky(cm, me) {
				edited, _, err := c.GH.Issues.EditComment(ctx, owner, name, cm.GetID(), &gh.IssueComment{Body: gh.String(body)})
				if err != nil {
					return Comment{}, Explain(err, fmt.Sprintf("editing comment %d", cm.GetID()))
				}
				return Comment{ID: edited.GetID(), URL: edited.GetHTMLURL(), Updated: true}, nil
			}
		}
	}
	cm, _, err := c.GH.Issues.CreateComment(ctx, owner, name, number, &gh.IssueComment{Body: gh.String(body)})
	if err != nil {
		return Comment{}, Explain(err, fmt.Sprintf("commenting on %s#%d", repo, number))
	}
	return Comment{ID: cm.GetID(), URL: cm.GetHTMLURL()}, nil
}

// Issue is an issue that was created.
type Issue struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
}

// CreateIssue opens an issue.
func (c *Client) CreateIssue(ctx context.Context, repo, title, body string, labels []string) (Issue, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return Issue{}, err
	}
	if err := c.CheckMutable(repo); err != nil {
		return Issue{}, err
	}
	if strings.TrimSpace(title) == "" {
		return Issue{}, fmt.Errorf("the issue title is empty")
	}
	req := &gh.IssueRequest{Title: gh.String(title), Body: gh.String(body)}
	if len(labels) > 0 {
		req.Labels = &labels
	}
	is, _, err := c.GH.Issues.Create(ctx, owner, name, req)
	if err != nil {
		return Issue{}, Explain(err, "creating an issue in "+repo)
	}
	return Issue{Number: is.GetNumber(), URL: is.GetHTMLURL()}, nil
}

// NewDeployment asks for a deployment of ref to environment.
type NewDeployment struct {
	Ref         string `json:"ref"`
	Environment string `json:"environment"`
	Description string `json:"description,omitempty"`
	// RequiredContexts: nil requires every status check; [] none.
	RequiredContexts *[]string `json:"required_contexts,omitempty"`
	AutoMerge        bool      `json:"auto_merge,omitempty"`
}

// CreateDeployment creates a GitHub deployment.
func (c *Client) CreateDeployment(ctx context.Context, repo string, d NewDeployment) (Deployment, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return Deployment{}, err
	}
	if err := c.CheckMutable(repo); err != nil {
		return Deployment{}, err
	}
	if d.Ref == "" || d.Environment == "" {
		return Deployment{}, fmt.Errorf("a deployment needs a ref and an environment")
	}
	dep, _, err := c.GH.Repositories.CreateDeployment(ctx, owner, name, &gh.DeploymentRequest{Ref: gh.String(d.Ref), Environment: gh.String(d.Environment),
		Description: gh.String(d.Description), AutoMerge: gh.Bool(d.AutoMerge), RequiredContexts: d.RequiredContexts})
	if err != nil {
		return Deployment{}, Explain(err, fmt.Sprintf("creating a deployment of %s to %s", d.Ref, d.Environment))
	}
	return Deployment{ID: dep.GetID(), Environment: dep.GetEnvironment(), Ref: dep.GetRef(), SHA: dep.GetSHA()}, nil
}

// DeploymentStates are the states a deployment status may have.
var DeploymentStates = []string{"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}

// CreateDeploymentStatus records a deployment's state.
func (c *Client) CreateDeploymentStatus(ctx context.Context, repo string, id int64, state, description, logURL, envURL string) (Deployment, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return Deployment{}, err
	}
	if err := c.CheckMutable(repo); err != nil {
		return Deployment{}, err
	}
	st, _, err := c.GH.Repositories.CreateDeploymentStatus(ctx, owner, name, id, &gh.DeploymentStatusRequest{State: gh.String(state),
		Description: gh.String(description), LogURL: gh.String(logURL), EnvironmentURL: gh.String(envURL)})
	if err != nil {
		return Deployment{}, Explain(err, fmt.Sprintf("status of deployment %d", id))
	}
	return Deployment{ID: id, Environment: st.GetEnvironment(), State: st.GetState(), StatusURL: st.GetEnvironmentURL()}, nil
}

// IssueMarker marks the issue opsmcp keeps for a key (a drifted target):
// found again by it, and by its author, so a key never gets a second one.
func IssueMarker(key string) string { return "<!-- opsmcp:issue " + key + " -->" }

// TrackedIssue is what TrackIssue did: created, updated, closed or none.
type TrackedIssue struct {
	Number int    `json:"number,omitempty"`
	URL    string `json:"url,omitempty"`
	Action string `json:"action"`
}

// TrackIssue keeps one issue per key: with open, it creates the key's
// issue or updates the open one's title and body; without, it closes the
// open one (with a comment saying why) or does nothing.
func (c *Client) TrackIssue(ctx context.Context, repo, key, title, body, closing string, open bool) (TrackedIssue, error) {
	owner, name, err := SplitRepo(repo)
	if err != nil {
		return TrackedIssue{}, err
	}
	if err := c.CheckMutable(repo); err != nil {
		return TrackedIssue{}, err
	}
	if strings.TrimSpace(key) == "" || strings.Contains(key, "-->") {
		return TrackedIssue{}, fmt.Errorf("the issue key %q is empty or not allowed", key)
	}
	marker := IssueMarker(key)
	me := c.me(ctx)
	issues, err := Paginate(ctx, 1000, func(o gh.ListOptions) ([]*gh.Issue, *gh.Response, error) {
		return c.GH.Issues.ListByRepo(ctx, owner, name, &gh.IssueListByRepoOptions{State: "open", ListOptions: o})
	})
	if err != nil {
		return TrackedIssue{}, Explain(err, "issues of "+repo)
	}
	var mine *gh.Issue
	for _, is := range issues {
		author := is.GetUser()
		if is.PullRequestLinks == nil && strings.Contains(is.GetBody(), marker) && ((me != "" && author.GetLogin() == me) || (me == "" && author.GetType() == "Bot")) {
			mine = is
			break
		}
	}
	body = marker + "\n" + body
	switch {
	case open && mine == nil:
		if strings.TrimSpace(title) == "" {
			return TrackedIssue{}, fmt.Errorf("the issue title is empty")
		}
		is, _, err := c.GH.Issues.Create(ctx, owner, name, &gh.IssueRequest{Title: gh.String(title), Body: gh.String(body)})
		if err != nil {
			return TrackedIssue{}, Explain(err, "creating an issue in "+repo)
		}
		return TrackedIssue{Number: is.GetNumber(), URL: is.GetHTMLURL(), Action: "created"}, nil
	case open:
		is, _, err := c.GH.Issues.Edit(ctx, owner, name, mine.GetNumber(), &gh.IssueRequest{Title: gh.String(title), Body: gh.String(body)})
		if err != nil {
			return TrackedIssue{}, Explain(err, fmt.Sprintf("updating %s#%d", repo, mine.GetNumber()))
		}
		return TrackedIssue{Number: is.GetNumber(), URL: is.GetHTMLURL(), Action: "updated"}, nil
	case mine != nil:
		if closing != "" {
			if _, _, err := c.GH.Issues.CreateComment(ctx, owner, name, mine.GetNumber(), &gh.IssueComment{Body: gh.String(closing)}); err != nil {
				return TrackedIssue{}, Explain(err, fmt.Sprintf("commenting on %s#%d", repo, mine.GetNumber()))
			}
		}
		is, _, err := c.GH.Issues.Edit(ctx, owner, name, mine.GetNumber(), &gh.IssueRequest{State: gh.String("closed")})
		if err != nil {
			return TrackedIssue{}, Explain(err, fmt.Sprintf("closing %s#%d", repo, mine.GetNumber()))
		}
		return TrackedIssue{Number: is.GetNumber(), URL: is.GetHTMLURL(), Action: "closed"}, nil
	}
	return TrackedIssue{Action: "none"}, nil
}
