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
	plan.MustFail(plan.Call("comment_pull_request", map[string]any{"repo": "acme/infra", "number": 7, "body": "x"}), "comment_pull_request: this call changes things outside opsmcp and mode is plan; set mode: apply")
	plan.MustFail(plan.Call("create_deployment", map[string]any{"repo": "acme/infra", "ref": "main", "environment": "prod"}), "and mode is plan; set mode: apply")
}

func TestNoToken(t *testing.T) {
	h, _ := env(t, config.ModePlan)
	t.Setenv("GITHUB_TOKEN", "")
	h.MustFail(h.Call("list_pull_requests", map[string]any{"repo": "acme/infra"}), "no GitHub token: set GITHUB_TOKEN or GH_TOKEN")
}

// The other read tools and the deployment tools, each on GitHub's own
// response shapes, and gather_context built from them.
func TestReadAndDeploymentTools(t *testing.T) {
	h, stub := env(t, config.ModeApply)
	stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/pulls", Query: map[string]string{"state": "open", "sort": "updated", "direction": "desc"},
		Replies: []testenv.GitHubReply{{Status: 200, Body: []any{pull(7, "Bigger web nodes"), pull(9, "Docs typo")}}}})
	run := func(name, conclusion string) map[string]any {
		return map[string]any{"id": 1, "name": name, "status": "completed", "conclusion": conclusion, "html_url": "https://github.com/acme/infra/runs/1"}
	}
	stub.On("GET", "/repos/acme/infra/commits/main/check-runs", map[string]any{"total_count": 2, "check_runs": []any{run("validate", "success"), run("plan", "failure")}})
	stub.On("GET", "/repos/acme/infra/commits/main/status", map[string]any{"state": "failure", "total_count": 1, "statuses": []any{map[string]any{"state": "failure", "context": "ci/legacy"}}})
	stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/actions/workflows/ci.yml/runs", Query: map[string]string{"branch": "main", "status": "failure"},
		Replies: []testenv.GitHubReply{{Status: 200, Body: map[string]any{"total_count": 1, "workflow_runs": []any{map[string]any{"id": 55, "name": "CI", "head_branch": "main", "event": "push", "status": "completed", "conclusion": "failure", "head_sha": "abc1234", "html_url": "https://github.com/acme/infra/actions/runs/55"}}}}}})
	stub.On("GET", "/repos/acme/infra/deployments", []any{
		map[string]any{"id": 3, "environment": "prod", "ref": "main", "sha": "abc1234", "creator": user("alice", "User"), "created_at": "2026-11-21T10:00:00Z"},
		map[string]any{"id": 2, "environment": "prod", "ref": "v1", "sha": "0ld0ld0", "created_at": "2026-11-20T10:00:00Z"},
		map[string]any{"id": 1, "environment": "staging", "ref": "main", "sha": "abc1234", "created_at": "2026-11-19T10:00:00Z"},
	})
	for id, state := range map[int]string{3: "success", 2: "inactive", 1: "failure"} {
		stub.On("GET", fmt.Sprintf("/repos/acme/infra/deployments/%d/statuses", id), []any{map[string]any{"id": id * 10, "state": state, "environment_url": "https://prod.example.com"}})
	}
	stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/search/code", Query: map[string]string{"q": "aws_instance repo:acme/infra"},
		Replies: []testenv.GitHubReply{{Status: 200, Body: map[string]any{"total_count": 1, "items": []any{map[string]any{"name": "main.tf", "path": "infra/main.tf", "html_url": "https://github.com/acme/infra/blob/main/infra/main.tf", "repository": map[string]any{"full_name": "acme/infra"}}}}}}})
	stub.On("GET", "/repos/acme/infra", map[string]any{"full_name": "acme/infra", "default_branch": "main"})
	stub.On("GET", "/repos/acme/infra/pulls/7", pull(7, "Bigger web nodes"))
	stub.On("GET", "/repos/acme/infra/pulls/7/files", []any{map[string]any{"filename": "infra/main.tf", "status": "modified"}, map[string]any{"filename": "README.md", "status": "modified"}})
	stub.On("GET", "/repos/acme/infra/pulls/9", pull(9, "Docs typo"))
	stub.On("GET", "/repos/acme/infra/pulls/9/files", []any{map[string]any{"filename": "docs/index.md", "status": "modified"}})
	created := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/deployments",
		Check: func(b map[string]any) string {
			if b["ref"] != "main" || b["environment"] != "prod" {
				return "wrong ref or environment"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"id": 4, "ref": "main", "sha": "abc1234", "environment": "prod"}}}})
	status := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/deployments/4/statuses",
		Check: func(b map[string]any) string {
			if b["state"] != "success" || b["log_url"] != "https://ci.example.com/1" || b["environment_url"] != "https://prod.example.com" {
				return "wrong status"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"id": 40, "state": "success", "environment": "prod", "environment_url": "https://prod.example.com"}}}})
	issue := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues",
		Check: func(b map[string]any) string {
			if b["title"] != "Plan failed" || fmt.Sprint(b["labels"]) != "[infra]" {
				return "wrong issue"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"number": 12, "html_url": "https://github.com/acme/infra/issues/12"}}}})

	if prs := h.MustOK(h.Call("list_pull_requests", map[string]any{"repo": "acme/infra"})); len(prs["items"].([]any)) != 2 {
		t.Errorf("list_pull_requests: %v", prs)
	}
	checks := h.MustOK(h.Call("get_check_runs", map[string]any{"repo": "acme/infra", "ref": "main"}))
	if checks["combined_status"] != "failure" || checks["failing"] != float64(2) {
		t.Errorf("get_check_runs: %v", checks)
	}
	runs := h.MustOK(h.Call("list_workflow_runs", map[string]any{"repo": "acme/infra", "workflow": "ci.yml", "branch": "main", "status": "failure"}))
	if items := runs["items"].([]any); len(items) != 1 || items[0].(map[string]any)["conclusion"] != "failure" {
		t.Errorf("list_workflow_runs: %v", runs)
	}
	deps := h.MustOK(h.Call("list_deployments", map[string]any{"repo": "acme/infra"}))
	if items := deps["items"].([]any); len(items) != 3 || items[0].(map[string]any)["state"] != "success" {
		t.Errorf("list_deployments: %v", deps)
	}
	if hits := h.MustOK(h.Call("search_code", map[string]any{"query": "aws_instance", "repo": "acme/infra"})); len(hits["items"].([]any)) != 1 {
		t.Errorf("search_code: %v", hits)
	}
	ctxRes := h.MustOK(h.Call("gather_context", map[string]any{"repo": "acme/infra"}))
	var gc struct {
		DefaultBranch string `json:"default_branch"`
		InfraPRs      []struct {
			Number int
			Files  []struct{ Path string }
		} `json:"infra_pull_requests"`
		FailingChecks []struct{ Name string } `json:"failing_checks"`
		Deployments   []struct {
			ID          int64
			Environment string
			State       string
		} `json:"latest_deployments"`
	}
	b, _ := json.Marshal(ctxRes)
	json.Unmarshal(b, &gc)
	if gc.DefaultBranch != "main" || len(gc.InfraPRs) != 1 || gc.InfraPRs[0].Number != 7 || len(gc.InfraPRs[0].Files) != 1 ||
		len(gc.FailingChecks) != 1 || gc.FailingChecks[0].Name != "plan" || len(gc.Deployments) != 2 || gc.Deployments[0].ID != 3 || gc.Deployments[1].State != "failure" {
		t.Errorf("gather_context: %+v", gc)
	}
	// With pr, that pull request's failing checks too, at its head commit.
	stub.On("GET", "/repos/acme/infra/commits/h3h3h3h/check-runs", map[string]any{"total_count": 2, "check_runs": []any{run("validate", "success"), run("tfsec", "failure")}})
	stub.On("GET", "/repos/acme/infra/commits/h3h3h3h/status", map[string]any{"state": "success", "total_count": 0, "statuses": []any{}})
	withPR := h.MustOK(h.Call("gather_context", map[string]any{"repo": "acme/infra", "pr": 7}))
	pr, _ := withPR["pull_request"].(map[string]any)
	if pr == nil || pr["number"] != float64(7) || pr["head_sha"] != "h3h3h3h" || len(pr["failing_checks"].([]any)) != 1 ||
		pr["failing_checks"].([]any)[0].(map[string]any)["name"] != "tfsec" {
		t.Errorf("gather_context with pr: %v", withPR["pull_request"])
	}
	dep := h.MustOK(h.Call("create_deployment", map[string]any{"repo": "acme/infra", "ref": "main", "environment": "prod"}))
	st := h.MustOK(h.Call("create_deployment_status", map[string]any{"repo": "acme/infra", "deployment_id": dep["id"], "state": "success",
		"log_url": "https://ci.example.com/1", "environment_url": "https://prod.example.com"}))
	is := h.MustOK(h.Call("create_issue", map[string]any{"repo": "acme/infra", "title": "Plan failed", "labels": []string{"infra"}}))
	if dep["id"] != float64(4) || st["state"] != "success" || is["number"] != float64(12) || created.Calls() != 1 || status.Calls() != 1 || issue.Calls() != 1 {
		t.Errorf("deployment %v status %v issue %v", dep, st, is)
	}
}

// track_issue keeps one issue per key: created when there is none of
// this token's (someone else's issue with the marker does not count),
// updated while open, closed with a comment when asked; in mode plan it
// changes nothing.
func TestTrackIssue(t *testing.T) {
	h, stub := env(t, config.ModeApply)
	key := "drift:terraform:/infra/prod"
	marker := "<!-- opsmcp:issue " + key + " -->"
	stub.On("GET", "/user", user("opsmcp-bot", "User"))
	theirs := map[string]any{"number": 3, "body": marker + "\ncopied", "user": user("mallory", "User"), "state": "open"}
	mine := map[string]any{"number": 9, "body": marker + "\nold", "user": user("opsmcp-bot", "User"), "state": "open", "html_url": "https://github.com/acme/infra/issues/9"}
	stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/issues", Query: map[string]string{"state": "open"},
		Replies: []testenv.GitHubReply{{Body: []any{theirs}}, {Body: []any{theirs, mine}}, {Body: []any{theirs, mine}}}})
	created := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues",
		Check: func(b map[string]any) string {
			if b["title"] != "Drift in /infra/prod" || !strings.HasPrefix(fmt.Sprint(b["body"]), marker+"\n") {
				return "wrong new issue"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"number": 9, "html_url": "https://github.com/acme/infra/issues/9"}}}})
	edited := stub.Route(&testenv.GitHubRoute{Method: "PATCH", Path: "/repos/acme/infra/issues/9",
		Replies: []testenv.GitHubReply{{Body: mine}}})
	comment := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues/9/comments",
		Check: func(b map[string]any) string {
			if b["body"] != "Back in sync." {
				return "wrong closing comment"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"id": 1}}}})
	args := map[string]any{"repo": "acme/infra", "key": key, "title": "Drift in /infra/prod", "body": "2 resources drifted", "open": true}
	if r := h.MustOK(h.Call("track_issue", args)); r["action"] != "created" || r["number"] != 9.0 {
		t.Fatalf("first: %v", r)
	}
	if r := h.MustOK(h.Call("track_issue", args)); r["action"] != "updated" {
		t.Fatalf("second: %v", r)
	}
	if r := h.MustOK(h.Call("track_issue", map[string]any{"repo": "acme/infra", "key": key, "open": false, "closing": "Back in sync."})); r["action"] != "closed" {
		t.Fatalf("closing: %v", r)
	}
	if created.Calls() != 1 || edited.Calls() != 2 || comment.Calls() != 1 {
		t.Errorf("created %d, edited %d, commented %d", created.Calls(), edited.Calls(), comment.Calls())
	}
	plan, _ := env(t, config.ModePlan)
	plan.MustFail(plan.Call("track_issue", args), "mode")
}
