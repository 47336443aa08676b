package github_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/github"
)

const token = "ghp_0123456789abcdefghijABCDEFGHIJ012345"

func env(t *testing.T, mode config.Mode) (*testenv.Host, *testenv.GitHubStub) {
	t.Helper()
	t.Setenv("GITHUB_TOKEN", token)
	t.Setenv("GH_TOKEN", "")
	stub := testenv.NewGitHubStub(t, token)
	cfg := config.Default()
	cfg.Mode = mode
	cfg.GitHub = config.GitHub{BaseURL: stub.URL, Repos: []string{"acme/infra"}}
	return testenv.NewHost(t, github.New(), cfg), stub
}

func user(login, typ string) map[string]any {
	return map[string]any{"login": login, "id": 1, "type": typ, "site_admin": false}
}

func pull(n int, title string) map[string]any {
	return map[string]any{"number": n, "title": title, "state": "open", "draft": false, "user": user("alice", "User"),
		"html_url": fmt.Sprintf("https://github.com/acme/infra/pull/%d", n), "mergeable": true, "mergeable_state": "clean", "merged": false,
		"base": map[string]any{"ref": "main", "sha": "b0b0b0b"}, "head": map[string]any{"ref": "feature", "sha": "h3h3h3h"},
		"labels": []any{map[string]any{"name": "infra"}}, "updated_at": "2026-11-20T10:00:00Z"}
}

// A pull request's files come in 3 pages; the infrastructure ones are
// flagged; a low rate limit is reported; the token appears nowhere.
func TestGetPullRequest(t *testing.T) {
	h, stub := env(t, config.ModePlan)
	stub.On("GET", "/repos/acme/infra/pulls/7", pull(7, "Bigger web nodes"))
	files := [][]string{{"infra/main.tf", "infra/prod.tfvars", "README.md"}, {"k8s/web/deployment.yaml", "src/app.go"}, {"Dockerfile", "compose.yaml"}}
	for i, page := range files {
		var body []any
		for _, f := range page {
			body = append(body, map[string]any{"filename": f, "status": "modified", "additions": 3, "deletions": 1, "changes": 4})
		}
		hdr := stub.Link("/repos/acme/infra/pulls/7/files", i+1, len(files))
		hdr["X-RateLimit-Remaining"] = strconv.Itoa(50 - i)
		stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/pulls/7/files", Query: map[string]string{"page": strconv.Itoa(i + 1), "per_page": "100"},
			Replies: []testenv.GitHubReply{{Status: 200, Header: hdr, Body: body}}})
	}
	out := h.Call("get_pull_request", map[string]any{"repo": "acme/infra", "number": 7})
	res := h.MustOK(out)
	var pr struct {
		HeadSHA    string `json:"head_sha"`
		Mergeable  bool   `json:"mergeable"`
		InfraFiles int    `json:"infra_files"`
		Files      []struct{ Path, Infra string }
		RateLimit  string `json:"rate_limit"`
	}
	b, _ := json.Marshal(res)
	json.Unmarshal(b, &pr)
	want := map[string]string{"infra/main.tf": "terraform", "infra/prod.tfvars": "terraform", "README.md": "", "k8s/web/deployment.yaml": "kubernetes",
		"src/app.go": "", "Dockerfile": "docker", "compose.yaml": "compose"}
	if len(pr.Files) != 7 || pr.InfraFiles != 5 || pr.HeadSHA != "h3h3h3h" || !pr.Mergeable || pr.RateLimit != "GitHub rate limit: 48 requests left" {
		t.Fatalf("pr: %+v", pr)
	}
	for _, f := range pr.Files {
		if want[f.Path] != f.Infra {
			t.Errorf("%s flagged %q, want %q", f.Path, f.Infra, want[f.Path])
		}
	}
	if strings.Contains(string(out.Structured)+out.Text, token) {
		t.Error("the token leaked")
	}
}

// A secondary rate limit (403 with Retry-After) and a used-up primary
// limit (X-RateLimit-Remaining 0 until a reset) are waited out and the
// request retried.
func TestRateLimitsAreWaitedOut(t *testing.T) {
	h, stub := env(t, config.ModePlan)
	secondary := stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/pulls/8", Replies: []testenv.GitHubReply{
		{Status: 403, Header: map[string]string{"Retry-After": "1"}, Body: map[string]any{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}},
		{Status: 200, Body: pull(8, "Add a bucket")},
	}})
	reset := strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)
	primary := stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/pulls/8/files", Query: map[string]string{"page": "1"}, Replies: []testenv.GitHubReply{
		{Status: 403, Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Limit": "5000", "X-RateLimit-Reset": reset}, Body: map[string]any{"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}},
		{Status: 200, Header: map[string]string{"X-RateLimit-Remaining": "4999"}, Body: []any{map[string]any{"filename": "s3.tf", "status": "added"}}},
	}})
	start := time.Now()
	res := h.MustOK(h.Call("get_pull_request", map[string]any{"repo": "acme/infra", "number": 8}))
	if res["infra_files"] != float64(1) || secondary.Calls() != 2 || primary.Calls() != 2 {
		t.Fatalf("%v; calls %d %d", res, secondary.Calls(), primary.Calls())
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("the limits were not waited out: %v", d)
	}
}

// comment_pull_request with sticky: the first run creates the comment,
// the second edits the same one; a person's comment quoting the marker is
// left alone. Mode plan and repos outside github.repos are refused before
// any request.
func TestStickyComment(t *testing.T) {
	h, stub := env(t, config.ModeApply)
	stub.On("GET", "/user", user("opsmcp-bot", "Bot"))
	foreign := map[string]any{"id": 11, "body": "<!-- opsmcp:sticky -->\nI copied the bot's comment", "user": user("alice", "User"), "html_url": "https://github.com/acme/infra/pull/7#issuecomment-11"}
	list := stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/issues/7/comments", Replies: []testenv.GitHubReply{
		{Status: 200, Body: []any{foreign}},
		{Status: 200, Body: []any{foreign, map[string]any{"id": 12, "body": "<!-- opsmcp:sticky -->\nfirst", "user": user("opsmcp-bot", "Bot")}}},
	}})
	create := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues/7/comments",
		Check: func(b map[string]any) string {
			if b["body"] != "<!-- opsmcp:sticky -->\nfirst" {
				return "body is not the marker and the text"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"id": 12, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-12"}}}})
	edit := stub.Route(&testenv.GitHubRoute{Method: "PATCH", Path: "/repos/acme/infra/issues/comments/12",
		Check: func(b map[string]any) string {
			if b["body"] != "<!-- opsmcp:sticky -->\nsecond" {
				return "edit body wrong"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 200, Body: map[string]any{"id": 12, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-12"}}}})

	first := h.MustOK(h.Call("comment_pull_request", map[string]any{"repo": "acme/infra", "number": 7, "body": "first", "sticky": true}))
	second := h.MustOK(h.Call("comment_pull_request", map[string]any{"repo": "acme/infra", "number": 7, "body": "second", "sticky": true}))
	if first["updated"] != false || second["updated"] != true || first["id"] != second["id"] || create.Calls() != 1 || edit.Calls() != 1 || list.Calls() != 2 {
		t.Fatalf("first %v second %v; create %d edit %d", first, second, create.Calls(), edit.Calls())
	}
	h.MustFail(h.Call("comment_pull_request", map[string]any{"repo": "acme/other", "number": 1, "body": "x"}), "repo acme/other may not be changed (github.repos: acme/infra)")
	h.MustFail(h.Call("create_issue", map[string]any{"repo": "evil/repo", "title": "x"}), "may not be changed")

	plan, _ := env(t, config.ModePlan)
	plan.MustFail(plan.Call("comment_pull_request", map[string]any{"repo": "acme/infra", "number": 7, "body": "x"}), "commenting is disabled in mode plan; set mode: apply")
	plan.MustFail(plan.Call("create_deployment", map[string]any{"repo": "acme/infra", "ref": "main", "environment": "prod"}), "disabled in mode plan")
}

func TestNoToken(t *testing.T) {
	h, _ := env(t, config.ModePlan)
	t.Setenv("GITHUB_TOKEN", "")
	h.MustFail(h.Call("list_pull_requests", map[string]any{"repo": "acme/infra"}), "no GitHub token: set GITHUB_TOKEN or GH_TOKEN")
}
