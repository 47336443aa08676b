package github

import (
	"context"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// A secondary limit without Retry-After is waited out (GitHub: at least a
// minute; shortened here) and retried; a 403 that is not a rate limit is
// returned at once.
func TestSecondaryLimitWithoutRetryAfter(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "ghp_t")
	stub := testenv.NewGitHubStub(t, "ghp_t")
	limited := stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/pulls/1", Replies: []testenv.GitHubReply{
		{Status: 403, Body: map[string]any{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}},
		{Status: 200, Body: map[string]any{"number": 1, "title": "t"}},
	}})
	denied := stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/pulls/2", Replies: []testenv.GitHubReply{
		{Status: 403, Body: map[string]any{"message": "Resource not accessible by integration"}},
	}})
	c, err := New(config.GitHub{BaseURL: stub.URL}, Options{SecondaryWait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, _, err := c.GH.PullRequests.Get(context.Background(), "acme", "infra", 1); err != nil || limited.Calls() != 2 || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("secondary limit: %v, %d calls in %v", err, limited.Calls(), time.Since(start))
	}
	_, _, err = c.GH.PullRequests.Get(context.Background(), "acme", "infra", 2)
	if err == nil || denied.Calls() != 1 {
		t.Fatalf("403: %v after %d calls", err, denied.Calls())
	}
	if msg := Explain(err, "pull request").Error(); msg != "pull request: the token may not do this (403): Resource not accessible by integration" {
		t.Errorf("%q", msg)
	}
}

// GH_TOKEN (the gh CLI's variable) works when GITHUB_TOKEN is not set;
// GITHUB_TOKEN wins when both are.
func TestTokenFromGHToken(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GH_TOKEN", "gho_cli")
	stub := testenv.NewGitHubStub(t, "gho_cli")
	stub.On("GET", "/repos/acme/infra/pulls/3", map[string]any{"number": 3})
	c, err := New(config.GitHub{BaseURL: stub.URL}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GH.PullRequests.Get(context.Background(), "acme", "infra", 3); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_TOKEN", "ghp_actions")
	if Token() != "ghp_actions" {
		t.Errorf("GITHUB_TOKEN should win: %q", Token())
	}
}
