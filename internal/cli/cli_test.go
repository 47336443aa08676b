package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, path, body string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInitWritesConfigAndNeverOverwrites(t *testing.T) {
	repo := t.TempDir()
	write(t, filepath.Join(repo, "infra", "main.tf"), "resource \"terraform_data\" \"a\" {}\n")
	write(t, filepath.Join(repo, "infra", "modules", "net", "main.tf"), "locals {}\n")
	write(t, filepath.Join(repo, "envs", "prod", "main.tf"), "locals {}\n")
	write(t, filepath.Join(repo, "k8s", "app.yaml"), "apiVersion: apps/v1\nkind: Deployment\n")
	write(t, filepath.Join(repo, "docs", "notes.yaml"), "title: not kubernetes\n")
	write(t, filepath.Join(repo, "Dockerfile"), "FROM scratch\n")

	code, out, errs := run(t, "init", repo)
	if code != 0 {
		t.Fatalf("init: %d %s", code, errs)
	}
	if !strings.Contains(out, "Found 2 Terraform workspaces, 1 Kubernetes manifests, 1 Dockerfiles") {
		t.Fatalf("init output: %s", out)
	}
	t.Setenv("OPSMCP_MODE", "")
	cfg, err := config.Load(filepath.Join(repo, "opsmcp.yaml"))
	if err != nil {
		t.Fatalf("the written opsmcp.yaml does not load: %v", err)
	}
	want := []string{filepath.Join(repo, "envs", "prod"), filepath.Join(repo, "infra")}
	if strings.Join(cfg.Terraform.Workspaces, ",") != strings.Join(want, ",") || cfg.Mode != config.ModePlan {
		t.Fatalf("config %+v", cfg)
	}
	var mcpJSON struct {
		MCPServers map[string]struct {
			Command string   `json:"command"`
			Args    []string `json:"args"`
		} `json:"mcpServers"`
	}
	b, _ := os.ReadFile(filepath.Join(repo, ".mcp.json"))
	if err := json.Unmarshal(b, &mcpJSON); err != nil {
		t.Fatal(err)
	}
	// Portable: nothing of this machine in a file a team commits.
	d, ok := mcpJSON.MCPServers["opsmcp-deploy"]
	if !ok || filepath.IsAbs(d.Command) || !strings.HasSuffix(strings.Join(d.Args, " "), "--config opsmcp.yaml") || strings.Contains(string(b), repo) {
		t.Fatalf(".mcp.json %s", b)
	}
	if !strings.Contains(out, "Claude Code asks you to approve") {
		t.Errorf("init does not say how project servers are approved:\n%s", out)
	}

	// Again: opsmcp.yaml is kept; the client file merged, the user's own
	// server kept, the old file backed up.
	write(t, filepath.Join(repo, "opsmcp.yaml"), "mode: apply\n")
	write(t, filepath.Join(repo, ".mcp.json"), `{"mcpServers": {"mine": {"command": "my-mcp"}}}`)
	code, out, errs = run(t, "init", repo)
	if code != 0 || !strings.Contains(out, "Kept "+filepath.Join(repo, "opsmcp.yaml")) {
		t.Fatalf("second init: %d %s %s", code, out, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(repo, "opsmcp.yaml")); string(b) != "mode: apply\n" {
		t.Fatal("init overwrote opsmcp.yaml without --force")
	}
	b, _ = os.ReadFile(filepath.Join(repo, ".mcp.json"))
	if !strings.Contains(string(b), `"mine"`) || !strings.Contains(string(b), `"opsmcp-kube"`) {
		t.Fatalf("merged .mcp.json: %s", b)
	}
	if bak, _ := os.ReadFile(filepath.Join(repo, ".mcp.json.bak")); string(bak) != `{"mcpServers": {"mine": {"command": "my-mcp"}}}` {
		t.Fatalf("backup: %q", bak)
	}
	// --absolute, printed, writes nothing.
	code, out, _ = run(t, "init", "--absolute", "--print", repo)
	if code != 0 || !strings.Contains(out, filepath.Join(repo, "opsmcp.yaml")) || !strings.Contains(out, `"mine"`) {
		t.Fatalf("--absolute --print: %d %s", code, out)
	}
	if b2, _ := os.ReadFile(filepath.Join(repo, ".mcp.json")); string(b2) != string(b) {
		t.Fatal("--print wrote the file")
	}
	if code, _, errs = run(t, "init", "--force", repo); code != 0 {
		t.Fatalf("init --force: %s", errs)
	}
	if b, _ := os.ReadFile(filepath.Join(repo, "opsmcp.yaml")); string(b) == "mode: apply\n" {
		t.Fatal("--force kept the old opsmcp.yaml")
	}
	// A client file opsmcp cannot read is left alone, with the reason.
	write(t, filepath.Join(repo, ".mcp.json"), `{"mcpServers": [}`)
	if code, _, errs = run(t, "init", repo); code != 1 || !strings.Contains(errs, "not JSON") || !strings.Contains(errs, "nothing was written") {
		t.Fatalf("broken .mcp.json: %d %s", code, errs)
	}
	if code, _, errs = run(t, "init", "--client", "emacs", repo); code != 2 || !strings.Contains(errs, "claude-code, claude-desktop, cursor, vscode, codex, gemini, windsurf, zed") {
		t.Fatalf("unknown client: %d %s", code, errs)
	}
}

func TestDemo(t *testing.T) {
	testenv.Terraform(t)
	code, out, errs := run(t, "demo")
	if code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{
		"[latest-tag] container \"web\" image has no fixed tag", "[run-as-non-root]", "[DL3007] FROM ubuntu:latest", // validation, with findings
		"per month for 5 resources",                                                                               // the AWS estimate
		"4 to add", "held: p-", "needs a person's confirmation (gate.confirm: elicit) and this client cannot ask", // the gate
		"Apply this change? [y/N] Confirmed plan p-", "Applied plan", "db_password = \"(sensitive)\"", "refused: plan", "was already applied at",
		"Policy warn (policy/main.warn): 3 app replicas planned", // a policy's verdict
		"memory holds 4 entries and 11 audit records", "gate/confirm by local",
		"11. consult", "context from deploy", "[medium] Review the pending plan p-", "consensus, support 100% (rules)", "action: deploy apply_terraform workspace="} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`\$[0-9,]+\.[0-9]{2} per month for 5 resources`).MatchString(out) {
		t.Errorf("no monthly figure in the estimate:\n%s", out)
	}
	if strings.Contains(out+errs, "demo-Sup3r-s3cret-pw") {
		t.Fatal("demo printed the sensitive password")
	}
}

func TestConfigErrorsAreClear(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "opsmcp.yaml")
	write(t, p, "mode: yolo\n")
	code, out, _ := run(t, "--config", p, "doctor")
	if code != 1 || !strings.Contains(out, "FAIL  config") || !strings.Contains(out, "yolo") {
		t.Fatalf("doctor with a bad mode: %d %s", code, out)
	}
}

func TestEnvOverridesAndDoctorNeverPrintsSecrets(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "opsmcp.yaml")
	write(t, p, "mode: plan\nmemory: ./state/m.db\nterraform:\n  workspaces: [./infra]\n")
	t.Setenv("OPSMCP_MODE", "read-only")
	t.Setenv("OPSMCP_MEMORY", filepath.Join(dir, "other.db"))
	t.Setenv("GITHUB_TOKEN", "ghp_supersecretvalue123456789012345678901")
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mode != config.ModeReadOnly || cfg.Memory != filepath.Join(dir, "other.db") || cfg.Terraform.Workspaces[0] != filepath.Join(dir, "infra") {
		t.Fatalf("%+v", cfg)
	}
	t.Setenv("OPSMCP_CONFIG", p)
	t.Setenv("KUBECONFIG", filepath.Join(dir, "no-kubeconfig"))
	code, out, errs := run(t, "doctor")
	if code != 0 {
		t.Fatalf("doctor: %d %s %s", code, out, errs)
	}
	if strings.Contains(out+errs, "supersecret") || !strings.Contains(out, "GITHUB_TOKEN") || !strings.Contains(out, "mode read-only") {
		t.Fatalf("doctor output: %s", out)
	}
	// read-only mode: the CLI refuses the mutating tool like the server hides it.
	code, _, errs = run(t, "call", "deploy", "apply_terraform", "workspace="+dir)
	if code != 1 || !strings.Contains(errs, "mode is read-only") {
		t.Fatalf("read-only call: %d %s", code, errs)
	}
}

// doctor names every expert a consult would ask, and why a configured one
// would not be; a key's value never appears.
func TestDoctorListsExperts(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "opsmcp.yaml")
	write(t, p, "memory: "+filepath.Join(dir, "m.db")+"\nexperts:\n"+
		"  - {name: claude, provider: anthropic, model: claude-sonnet-4-5}\n"+
		"  - {name: gpt, provider: openai, model: gpt-5, api_key_env: TEAM_OPENAI_KEY, weight: 2}\n"+
		"  - {name: local, provider: ollama, model: llama3.3, base_url: 'http://127.0.0.1:11434'}\n")
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-api03-doctor-secret-value-0123456789")
	t.Setenv("TEAM_OPENAI_KEY", "")
	t.Setenv("KUBECONFIG", filepath.Join(dir, "none"))
	code, out, errs := run(t, "--config", p, "doctor")
	if code != 0 {
		t.Fatalf("doctor: %d %s %s", code, out, errs)
	}
	for _, want := range []string{"expert rules", "built in, always asked", "expert claude", "anthropic claude-sonnet-4-5: present",
		"expert gpt", "not asked, $TEAM_OPENAI_KEY is not set", "expert local", "ollama llama3.3 at http://127.0.0.1:11434: present"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errs, "doctor-secret") {
		t.Fatal("doctor printed a key")
	}
}

// doctor says what a change needs besides the mode, and warns when the
// model would approve its own changes.
func TestDoctorSaysWhatTheGateRequires(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "opsmcp.yaml")
	write(t, p, "mode: apply\nmemory: "+filepath.Join(dir, "m.db")+"\ngate:\n  approvals: 2\n")
	t.Setenv("KUBECONFIG", filepath.Join(dir, "no-kubeconfig"))
	_, out, _ := run(t, "--config", p, "doctor")
	if !strings.Contains(out, "a person confirms each change") || !strings.Contains(out, "2 approval(s)") || strings.Contains(out, "WARNING") {
		t.Fatalf("doctor with the default gate and approvals: %s", out)
	}
	write(t, p, "mode: apply\nmemory: "+filepath.Join(dir, "m.db")+"\ngate: {confirm: none}\n")
	_, out, _ = run(t, "--config", p, "doctor")
	if !strings.Contains(out, "gate WARNING") || !strings.Contains(out, "the model approves its own changes") {
		t.Fatalf("doctor with confirm none and no approvals: %s", out)
	}
	write(t, p, "gate: {confirm: maybe}\n")
	if code, out, _ := run(t, "--config", p, "doctor"); code != 1 || !strings.Contains(out, `gate.confirm is "maybe": use elicit or none`) {
		t.Fatalf("a bad gate.confirm: %d %s", code, out)
	}
}

// opsmcp validate --policy reports the policies' verdicts as findings
// named policy/<package>.<rule>; opsmcp policy test runs their tests and
// fails when one does.
func TestValidatePolicyAndPolicyTest(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "policies")
	code, out, errs := run(t, "validate", "--format", "json", "--fail-on", "error", "--policy", filepath.Join(root, "kubernetes"), filepath.Join(root, "inputs", "web.yaml"))
	if code != 1 || !strings.Contains(out, `"rule": "policy/main.deny"`) || !strings.Contains(out, `"rule": "policy/kubernetes.labels.violation"`) ||
		!strings.Contains(out, `"rule": "policy/main.warn"`) || !strings.Contains(out, "Deployment web must set runAsNonRoot") {
		t.Fatalf("validate --policy: %d %s %s", code, out, errs)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "broken.rego"), "package main\n\ndeny contains msg if {\n")
	if code, _, errs := run(t, "validate", "--policy", dir, filepath.Join(root, "inputs", "web.yaml")); code != 1 || !strings.Contains(errs, "broken.rego:") {
		t.Fatalf("a broken policy: %d %s", code, errs)
	}
	if code, out, _ := run(t, "policy", "test", filepath.Join(root, "plan")); code != 0 || !strings.Contains(out, "2 tests, 0 failed") {
		t.Fatalf("policy test: %d %s", code, out)
	}
	write(t, filepath.Join(dir, "broken.rego"), "package main\n\ntest_no if {\n\tfalse\n}\n")
	if code, out, _ := run(t, "policy", "test", dir); code != 1 || !strings.Contains(out, "FAIL") {
		t.Fatalf("a failing policy test: %d %s", code, out)
	}
}
