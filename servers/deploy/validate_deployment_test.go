package deploy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

func TestValidateDeploymentTerraform(t *testing.T) {
	e := newEnv(t, "basic", config.ModePlan)
	res := e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws}))
	if res["valid"] != true || res["errors"] != 0.0 {
		t.Fatalf("basic workspace should be valid: %v", res)
	}

	// An undefined reference is an error with file and line.
	bad := filepath.Join(e.ws, "bad.tf")
	os.WriteFile(bad, []byte("output \"x\" {\n  value = var.nope\n}\n"), 0o644)
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws}))
	if res["valid"] != false || res["errors"] != 1.0 {
		t.Fatalf("want one error: %v", res)
	}
	d := res["findings"].([]any)[0].(map[string]any)
	if d["severity"] != "error" || d["rule"] != "terraform-validate" || d["file"] != bad || d["line"] != 2.0 {
		t.Fatalf("finding %v", d)
	}
	os.Remove(bad)

	// Unformatted: a warning, invalid when strict, valid when not.
	os.WriteFile(filepath.Join(e.ws, "ugly.tf"), []byte("locals {\nx=1\n}\n"), 0o644)
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws}))
	if res["valid"] != false || res["warnings"] != 1.0 {
		t.Fatalf("strict: %v", res)
	}
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": e.ws, "strict": false}))
	if res["valid"] != true {
		t.Fatalf("non-strict: %v", res)
	}
	if d := res["findings"].([]any)[0].(map[string]any); d["file"] != filepath.Join(e.ws, "ugly.tf") || d["rule"] != "terraform-fmt" {
		t.Fatalf("fmt finding %v", d)
	}
	// A file of the workspace validates its directory.
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": filepath.Join(e.ws, "main.tf"), "strict": false}))
	if res["valid"] != true || res["files"] != 1.0 {
		t.Fatalf("a .tf file: %v", res)
	}

	e.MustFail(e.Call("validate_deployment", map[string]any{"type": "ansible", "config_path": e.ws}), `expected one of: auto, kubernetes, helm, kustomize, docker, terraform`)
	e.MustFail(e.Call("validate_deployment", map[string]any{"type": "helm", "config_path": e.ws}), "holds no Helm chart")
	e.MustFail(e.Call("validate_deployment", map[string]any{"type": "terraform", "config_path": filepath.Join(e.ws, "nope")}), "does not exist")
	e.MustFail(e.Call("validate_deployment", map[string]any{"config_path": e.ws, "rules": map[string]any{"disable": []string{"no-such-rule"}}}), `unknown rule "no-such-rule"`)
}

func TestGatherContext(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	applied := e.plan(nil)
	e.MustOK(e.apply(applied))
	pending := e.plan(map[string]any{"variables": map[string]any{"size": 2}})
	res := e.MustOK(e.Call("gather_context", nil))
	plans := res["pending_plans"].([]any)
	if len(plans) != 1 || plans[0].(map[string]any)["plan_id"] != pending {
		t.Fatalf("pending plans %v, want only %s", plans, pending)
	}
	var found bool
	for _, w := range res["workspaces"].([]any) {
		w := w.(map[string]any)
		if w["path"] != e.ws {
			continue
		}
		found = true
		if w["last_apply"].(map[string]any)["plan_id"] != applied || w["last_plan"].(map[string]any)["plan_id"] != pending {
			t.Fatalf("workspace %v", w)
		}
	}
	if !found {
		t.Fatalf("workspace %s missing: %v", e.ws, res["workspaces"])
	}
	if _, ok := res["validation"]; ok {
		t.Errorf("validation without config_path: %v", res["validation"])
	}

	// With config_path, its offline validation: verdict, counts, first errors.
	bad := filepath.Join(testenv.RepoRoot(t), "testdata", "validate", "kubernetes", "corpus", "i06-selector-mismatch.yaml")
	v := e.MustOK(e.Call("gather_context", map[string]any{"config_path": bad}))["validation"].(map[string]any)
	findings := v["findings"].([]any)
	if v["valid"] != false || v["errors"].(float64) < 1 || len(findings) == 0 || findings[0].(map[string]any)["severity"] != "error" {
		t.Errorf("validation of %s: %v", bad, v)
	}
	e.MustFail(e.Call("gather_context", map[string]any{"config_path": filepath.Join(e.ws, "nope")}), "config_path: ")
}

func TestGatherContextIsCachedUntilTheWorkspaceChanges(t *testing.T) {
	e := newEnv(t, "basic", config.ModeApply)
	first := e.MustOK(e.Call("gather_context", map[string]any{"workspace": e.ws}))
	if len(first["pending_plans"].([]any)) != 0 {
		t.Fatal("pending plans before any plan")
	}
	e.Call("gather_context", map[string]any{"workspace": e.ws})
	if s := e.Host.Host.Runtime().Cache.Stats(); s.Hits != 1 {
		t.Fatalf("second gather_context was not served from the cache: %+v", s)
	}
	id := e.plan(nil) // a mutating call on the workspace invalidates it
	res := e.MustOK(e.Call("gather_context", map[string]any{"workspace": e.ws}))
	if p := res["pending_plans"].([]any); len(p) != 1 || p[0].(map[string]any)["plan_id"] != id {
		t.Fatalf("stale context after a plan: %v", res)
	}
}

// validate_deployment on a directory of manifests and a Dockerfile (type
// auto): findings with rule, line and resource; strict decides validity.
func TestValidateDeploymentKubernetesAndDocker(t *testing.T) {
	e := newEnv(t, "basic", config.ModePlan)
	dir := t.TempDir()
	os.CopyFS(filepath.Join(dir, "k8s"), os.DirFS(filepath.Join(testenv.RepoRoot(t), "testdata", "manifests", "web")))
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM debian\nWORKDIR app\n"), 0o644)
	res := e.MustOK(e.Call("validate_deployment", map[string]any{"config_path": dir}))
	if res["valid"] != false || res["errors"] != 1.0 || res["resources"] != 3.0 || res["files"] != 3.0 {
		t.Fatalf("auto on a mixed directory: %v", res)
	}
	rules := map[string]bool{}
	for _, f := range res["findings"].([]any) {
		m := f.(map[string]any)
		rules[m["rule"].(string)] = true
		if m["rule"] == "DL3000" && (m["line"] != 2.0 || m["severity"] != "error") {
			t.Fatalf("DL3000 finding: %v", m)
		}
		if m["rule"] == "missing-readiness-probe" && m["resource"] != "Deployment/web" {
			t.Fatalf("resource of a Kubernetes finding: %v", m)
		}
	}
	for _, want := range []string{"DL3000", "DL3006", "missing-readiness-probe", "missing-pdb"} {
		if !rules[want] {
			t.Fatalf("no %s finding: %v", want, rules)
		}
	}
	// Only the Kubernetes manifests, not strict: their warnings do not make them invalid.
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"type": "kubernetes", "config_path": filepath.Join(dir, "k8s"), "strict": false}))
	if res["valid"] != true || res["errors"] != 0.0 {
		t.Fatalf("kubernetes only, not strict: %v", res)
	}
}

// validate_deployment takes what opsmcp validate takes for charts and
// custom resources: values, values files, set, release, namespace, crds.
func TestValidateDeploymentChartsAndCustomResources(t *testing.T) {
	e := newEnv(t, "basic", config.ModePlan)
	dir := t.TempDir()
	src := filepath.Join(testenv.RepoRoot(t), "testdata", "validate")
	os.CopyFS(filepath.Join(dir, "shop"), os.DirFS(filepath.Join(src, "helm", "shop")))
	os.CopyFS(filepath.Join(dir, "crds"), os.DirFS(filepath.Join(src, "crds", "definitions")))
	os.CopyFS(filepath.Join(dir, "crs"), os.DirFS(filepath.Join(src, "crds", "resources")))
	res := e.MustOK(e.Call("validate_deployment", map[string]any{"config_path": filepath.Join(dir, "shop"),
		"values": map[string]any{"ingress": map[string]any{"enabled": true}}, "values_files": []string{filepath.Join(dir, "shop", "ci", "bad-ingress-host.yaml")},
		"set": []string{"image.tag=latest"}, "release_name": "store", "namespace": "retail"}))
	rules := map[string]string{}
	for _, f := range res["findings"].([]any) {
		m := f.(map[string]any)
		rules[m["rule"].(string)], _ = m["resource"].(string)
	}
	if rules["invalid-ingress"] != "Ingress/store" || rules["latest-tag"] != "Deployment/store" {
		t.Fatalf("chart inputs: %v", res)
	}
	res = e.MustOK(e.Call("validate_deployment", map[string]any{"config_path": filepath.Join(dir, "crs", "i-widget-cel.yaml"), "crds": []string{filepath.Join(dir, "crds")}}))
	if res["errors"] != 1.0 || res["findings"].([]any)[0].(map[string]any)["rule"] != "crd-rule" {
		t.Fatalf("crds: %v", res)
	}
	// A CRD directory outside read_paths is refused like any path.
	out := e.Call("validate_deployment", map[string]any{"config_path": filepath.Join(dir, "crs", "i-widget-cel.yaml"), "crds": []string{"/etc"}})
	if !out.IsError || !strings.Contains(out.Text, "crds: ") || !strings.Contains(out.Text, "/etc") {
		t.Fatalf("crds outside read_paths: %+v", out)
	}
}
