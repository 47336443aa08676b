package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A bad file gets an error that says what is wrong and where.
func TestConfigErrorsAreClear(t *testing.T) {
	p := filepath.Join(t.TempDir(), "opsmcp.yaml")
	write(t, p, "mode: yolo\n")
	_, err := config.Load(p)
	if err == nil || !strings.Contains(err.Error(), `mode "yolo" is not one of read-only, plan, apply`) {
		t.Fatalf("bad mode: %v", err)
	}
	write(t, p, "terraform:\n  workspace: [x]\n")
	if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), `unknown field "workspace"`) {
		t.Fatalf("unknown key: %v", err)
	}
	write(t, p, "terraform:\n  plan_ttl: soon\n")
	if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), "duration") {
		t.Fatalf("bad ttl: %v", err)
	}
}

func TestExpertsConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "opsmcp.yaml")
	for body, want := range map[string]string{
		"experts:\n  - {name: rules, provider: openai, model: m}\n":                                        `the name "rules" is taken`,
		"experts:\n  - {name: a, provider: bard, model: m}\n":                                              `provider "bard" is not one of anthropic, openai, openai-compatible, ollama`,
		"experts:\n  - {name: a, provider: openai-compatible, model: m}\n":                                 "openai-compatible needs base_url",
		"experts:\n  - {name: a, provider: openai}\n":                                                      "experts[0] a has no model",
		"experts:\n  - {name: a, provider: openai, model: m, key: sk-in-the-file}\n":                       `unknown field "key"`,
		"experts:\n  - {name: a, provider: ollama, model: m, timeout: soon}\n":                             "duration",
		"experts:\n  - {name: a, provider: openai, model: m}\n  - {name: a, provider: openai, model: n}\n": `the name "a" is taken`,
	} {
		write(t, p, body)
		if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}

// http: is checked when loaded: a role may narrow the file's allowlists
// but never widen them, principals name roles that exist, and a JWT needs
// an issuer and an audience.
func TestHTTPConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "opsmcp.yaml")
	base := "terraform:\n  workspaces: [./infra]\nkubernetes:\n  namespaces: [prod, staging]\ngithub:\n  repos: [acme/infra]\n"
	for body, want := range map[string]string{
		"http:\n  roles:\n    r: {mode: plan, workspaces: [./other]}\n":                    "http.roles.r.workspaces: " + filepath.Join(dir, "other") + " is not within " + filepath.Join(dir, "infra"),
		"http:\n  roles:\n    r: {mode: plan, namespaces: [kube-system]}\n":                "http.roles.r.namespaces: kube-system is not within prod, staging",
		"http:\n  roles:\n    r: {mode: plan, repos: [acme/app]}\n":                        "http.roles.r.repos: acme/app is not within acme/infra",
		"http:\n  roles:\n    r: {mode: god}\n":                                            `http.roles.r: mode "god" is not one of read-only, plan, apply`,
		"http:\n  principals: {alice: admin}\n":                                            `http.principals.alice: role "admin" is not in http.roles`,
		"http:\n  auth:\n    jwt: {jwks_url: 'https://idp/jwks', issuer: 'https://idp'}\n": "http.auth.jwt needs audience",
		"http:\n  rate_limit: {per_minute: -1}\n":                                          "per_minute and burst must be positive",
		// A role only narrows: it may not lift the file's mode.
		"http:\n  roles:\n    r: {mode: apply}\n":                    "http.roles.r.mode: apply would exceed the file's mode plan",
		"http:\n  roles:\n    r: {mode: plan, read_paths: [/etc]}\n": "http.roles.r.read_paths: /etc is not within",
	} {
		write(t, p, base+body)
		if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
	write(t, p, "mode: apply\n"+base+"http:\n  roles:\n    ops: {mode: apply, workspaces: [./infra/prod], namespaces: [staging]}\n  principals: {ci: ops}\n")
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	ops := cfg.ForRole(cfg.HTTP.Roles["ops"])
	if ops.Mode != config.ModeApply || ops.Terraform.Workspaces[0] != filepath.Join(dir, "infra", "prod") || ops.Kubernetes.Namespaces[0] != "staging" ||
		ops.GitHub.Repos[0] != "acme/infra" || cfg.Kubernetes.Namespaces[1] != "staging" || cfg.HTTP.RateLimit.PerMinute != 100 {
		t.Errorf("role ops: %+v", ops)
	}
}
