package cli

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite golden files")

// opsmcp ci end to end: a Terraform workspace of real AWS resources planned
// by the real terraform and hashicorp/aws provider (moto as the API), and
// Kubernetes manifests: findings, the plan with its changes, the cost
// change and the pie chart, as the golden markdown; then posted as the
// sticky comment of a GitHub Actions pull request, created once and
// edited the second time.
func TestCIEndToEnd(t *testing.T) {
	moto := testenv.SharedMoto(t)
	moto.Reset(t)
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.CopyFS("infra", os.DirFS(filepath.Join(testenv.RepoRoot(t), "testdata", "workspaces", "aws-moto"))); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS("k8s", os.DirFS(filepath.Join(testenv.RepoRoot(t), "testdata", "cost", "manifests"))); err != nil {
		t.Fatal(err)
	}
	write(t, "infra/terraform.tfvars", "endpoint = \""+moto.URL+"\"\n")
	// Every terraform init (validation's too) installs from the image's mirror.
	write(t, "terraformrc", "provider_installation {\n  filesystem_mirror {\n    path = \""+testenv.TerraformAWSPluginDir(t)+"\"\n  }\n}\n")
	t.Setenv("TF_CLI_CONFIG_FILE", filepath.Join(dir, "terraformrc"))
	init := exec.Command(testenv.Terraform(t), "init", "-input=false", "-plugin-dir="+testenv.TerraformAWSPluginDir(t))
	init.Dir = "infra"
	if out, err := init.CombinedOutput(); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	stub := testenv.NewGitHubStub(t, "ghs_actions0123456789")
	write(t, "opsmcp.yaml", "memory: "+filepath.Join(dir, "memory.db")+"\nterraform:\n  workspaces: [infra]\n"+
		"cost:\n  region: us-east-1\n  price_cache: "+filepath.Join(dir, "prices.json")+"\ngithub:\n  base_url: "+stub.URL+"\n")
	t.Setenv("OPSMCP_CONFIG", filepath.Join(dir, "opsmcp.yaml"))

	code, out, errs := run(t, "ci", "--plan", "--cost", "infra", "k8s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	golden := filepath.Join(testenv.RepoRoot(t), "testdata", "ci", "report.md")
	if *update {
		os.MkdirAll(filepath.Dir(golden), 0o755)
		os.WriteFile(golden, []byte(out), 0o644)
	}
	want, _ := os.ReadFile(golden)
	if out != string(want) {
		t.Fatalf("report differs from %s (go test ./internal/cli -run TestCIEndToEnd -update):\n%s", golden, out)
	}

	// A path with nothing to price (a Dockerfile) is passed over by --cost,
	// not a failed step.
	write(t, "Dockerfile", "FROM alpine:3.20\nUSER 1000\nHEALTHCHECK CMD true\n")
	if code, out, errs := run(t, "ci", "--cost", "Dockerfile", "k8s"); code != 0 || strings.Contains(out+errs, "cost of Dockerfile") {
		t.Fatalf("--cost with a Dockerfile: exit %d\n%s\n%s", code, out, errs)
	}

	// --comment in a GitHub Actions pull request run.
	write(t, "event.json", `{"action":"synchronize","number":7,"pull_request":{"number":7}}`)
	t.Setenv("GITHUB_REPOSITORY", "acme/infra")
	t.Setenv("GITHUB_EVENT_PATH", filepath.Join(dir, "event.json"))
	t.Setenv("GITHUB_TOKEN", "ghs_actions0123456789")
	stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/user", Replies: []testenv.GitHubReply{{Status: 403, Body: map[string]any{"message": "Resource not accessible by integration"}}}})
	bot := map[string]any{"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
	stub.Route(&testenv.GitHubRoute{Method: "GET", Path: "/repos/acme/infra/issues/7/comments", Replies: []testenv.GitHubReply{
		{Status: 200, Body: []any{}},
		{Status: 200, Body: []any{map[string]any{"id": 99, "body": "<!-- opsmcp:sticky -->\n### opsmcp", "user": bot}}},
	}})
	created := stub.Route(&testenv.GitHubRoute{Method: "POST", Path: "/repos/acme/infra/issues/7/comments",
		Check: func(b map[string]any) string {
			if body, _ := b["body"].(string); !strings.HasPrefix(body, "<!-- opsmcp:sticky -->\n### opsmcp: validation, plan and cost") || !strings.Contains(body, "```mermaid") {
				return "not the report"
			}
			return ""
		},
		Replies: []testenv.GitHubReply{{Status: 201, Body: map[string]any{"id": 99, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-99"}}}})
	edited := stub.Route(&testenv.GitHubRoute{Method: "PATCH", Path: "/repos/acme/infra/issues/comments/99",
		Replies: []testenv.GitHubReply{{Status: 200, Body: map[string]any{"id": 99, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-99"}}}})
	for range 2 {
		if code, _, errs := run(t, "ci", "--comment", "--cost", "--sarif", "findings.sarif", "k8s"); code != 0 || !strings.Contains(errs, "issuecomment-99") {
			t.Fatalf("--comment: exit %d %s", code, errs)
		}
	}
	if created.Calls() != 1 || edited.Calls() != 1 {
		t.Errorf("sticky comment: created %d, edited %d", created.Calls(), edited.Calls())
	}
	if data, err := os.ReadFile("findings.sarif"); err != nil || !strings.Contains(string(data), `"version": "2.1.0"`) {
		t.Errorf("--sarif: %v", err)
	}

	// Warnings fail at --fail-on warning; usage errors are 2.
	if code, _, _ := run(t, "ci", "--fail-on", "warning", "k8s"); code != 1 {
		t.Errorf("--fail-on warning: exit %d", code)
	}
	for _, bad := range [][]string{{"ci", "--format", "html"}, {"ci", "--fail-on", "sometimes"}, {"ci", "missing-dir"}} {
		if code, _, _ := run(t, bad...); code != 2 {
			t.Errorf("%v: exit %d", bad, code)
		}
	}
}

// action.yml is valid YAML whose script passes only flags opsmcp ci has.
func TestActionUsesRealFlags(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Runs struct {
			Using string
			Steps []struct{ Run string }
		}
	}
	if err := yaml.Unmarshal(data, &action); err != nil || action.Runs.Using != "composite" {
		t.Fatalf("action.yml: %v %+v", err, action)
	}
	cmd := newCICmd(&globals{})
	flags := regexp.MustCompile(`\(?--([a-z-]+)`)
	n := 0
	for _, s := range action.Runs.Steps {
		if !strings.Contains(s.Run, "opsmcp") {
			continue
		}
		for _, m := range flags.FindAllStringSubmatch(s.Run, -1) {
			if cmd.Flags().Lookup(m[1]) == nil {
				t.Errorf("action.yml passes --%s, which opsmcp ci does not have", m[1])
			}
			n++
		}
	}
	if n < 5 {
		t.Errorf("only %d flags found in action.yml", n)
	}
}

// opsmcp ci judges each plan with gate.policies: the verdicts are in the
// report, and a deny fails the run as its apply would be refused.
func TestCIReportsPolicyVerdicts(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.CopyFS("infra", os.DirFS(filepath.Join(testenv.RepoRoot(t), "testdata", "workspaces", "basic"))); err != nil {
		t.Fatal(err)
	}
	write(t, "policies/no-new.rego", "package main\n\ndeny contains msg if {\n\tsome rc in input.resource_changes\n\t\"create\" in rc.change.actions\n\tmsg := sprintf(\"%s is new: this repository only changes what exists\", [rc.address])\n}\n")
	write(t, "opsmcp.yaml", "memory: "+filepath.Join(dir, "memory.db")+"\nterraform:\n  workspaces: [infra]\ngate:\n  policies: [policies]\n")
	t.Setenv("OPSMCP_CONFIG", filepath.Join(dir, "opsmcp.yaml"))
	code, out, errs := run(t, "ci", "--plan", "infra")
	if code != 1 || !strings.Contains(errs, "denied by policy: ") || !strings.Contains(out, ":no_entry: policy `policy/main.deny`: terraform_data.item[0] is new") ||
		!strings.Contains(out, "1 policy denial") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}
