package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// prEnv is a workspace committed in a git repository whose origin is
// acme/infra on GitHub (the stub), with gate.github requiring an approved
// pull request with green checks.
type prEnv struct {
	*env
	stub *testenv.GitHubStub
	sha  string
	cfg  *config.Config
}

func newPREnv(t testing.TB) *prEnv {
	ws := testenv.CopyWorkspace(t, "basic")
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", ws, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("remote", "add", "origin", "git@github.com:acme/infra.git")
	os.WriteFile(filepath.Join(ws, ".gitignore"), []byte(".terraform/\n*.tfstate*\n.terraform.lock.hcl\n"), 0o644)
	git("add", "-A")
	git("commit", "-q", "-m", "infra")
	stub := testenv.NewGitHubStub(t, "ghp_prgate0123456789")
	os.Setenv("GITHUB_TOKEN", "ghp_prgate0123456789")
	t.Cleanup(func() { os.Unsetenv("GITHUB_TOKEN") })
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.Terraform.Workspaces = []string{filepath.Dir(ws)}
	cfg.GitHub.BaseURL = stub.URL + "/"
	cfg.Gate.GitHub = config.GateGitHub{RequireApprovedPR: true, RequireGreenChecks: true}
	e := &env{Host: testenv.NewHost(t, deploy.New(), cfg), t: t, ws: ws}
	return &prEnv{env: e, stub: stub, sha: git("rev-parse", "HEAD"), cfg: cfg}
}

// pr stubs the open pull request #7 whose head is sha, its reviews, and
// the commit's check runs and status.
func (p *prEnv) pr(head string, reviews []any, runs []any, status string) {
	base := "/repos/acme/infra"
	p.stub.On("GET", base+"/commits/"+p.sha+"/pulls", []any{map[string]any{"number": 7, "state": "open", "html_url": "https://github.com/acme/infra/pull/7", "head": map[string]any{"sha": head}}})
	if head != p.sha {
		return
	}
	p.stub.On("GET", base+"/pulls/7/reviews", reviews)
	if len(reviews) > 0 && reviews[len(reviews)-1].(map[string]any)["state"] == "CHANGES_REQUESTED" {
		return
	}
	p.stub.On("GET", base+"/commits/"+p.sha+"/check-runs", map[string]any{"total_count": len(runs), "check_runs": runs})
	p.stub.On("GET", base+"/commits/"+p.sha+"/status", map[string]any{"state": status, "total_count": 1, "statuses": []any{}})
}

func review(who, state string) map[string]any {
	return map[string]any{"user": map[string]any{"login": who}, "state": state}
}

func run(name, status, conclusion string) map[string]any {
	return map[string]any{"name": name, "status": status, "conclusion": conclusion}
}

// Approved and green: the plan of the pull request's head applies.
func TestPRGateApprovedAndGreenApplies(t *testing.T) {
	p := newPREnv(t)
	p.pr(p.sha, []any{review("carol", "CHANGES_REQUESTED"), review("carol", "APPROVED"), review("dan", "COMMENTED")},
		[]any{run("terraform-plan", "completed", "success"), run("lint", "completed", "skipped")}, "success")
	id := p.plan(nil)
	if res := p.MustOK(p.apply(id)); res["applied"] != true {
		t.Fatalf("%v", res)
	}
}

// Changes requested (by a reviewer's latest review) block.
func TestPRGateChangesRequestedBlocks(t *testing.T) {
	p := newPREnv(t)
	p.pr(p.sha, []any{review("carol", "APPROVED"), review("erin", "APPROVED"), review("erin", "CHANGES_REQUESTED")}, nil, "")
	p.MustFail(p.apply(p.plan(nil)), "gate.github: acme/infra#7 has changes requested by erin; nothing was applied")
}

// Checks still running block.
func TestPRGatePendingChecksBlock(t *testing.T) {
	p := newPREnv(t)
	p.pr(p.sha, []any{review("carol", "APPROVED")}, []any{run("terraform-plan", "in_progress", "")}, "success")
	p.MustFail(p.apply(p.plan(nil)), "acme/infra#7: checks still running: terraform-plan")
}

// A pull request whose head is another commit does not approve this plan.
func TestPRGateAnotherHeadBlocks(t *testing.T) {
	p := newPREnv(t)
	p.pr(strings.Repeat("f", 40), nil, nil, "")
	p.MustFail(p.apply(p.plan(nil)), "no open pull request of acme/infra has commit "+p.sha[:12]+" as its head")
}

// Uncommitted changes and an unreachable GitHub are refused with the reason.
func TestPRGateDirtyOrUnreachableBlocks(t *testing.T) {
	p := newPREnv(t)
	os.WriteFile(filepath.Join(p.ws, "extra.tf"), []byte("locals {}\n"), 0o644)
	p.MustFail(p.apply(p.plan(nil)), "was made from uncommitted changes")
	os.Remove(filepath.Join(p.ws, "extra.tf"))
	p.stub.Close()
	p.MustFail(p.apply(p.plan(nil)), "the pull request cannot be read")
}
