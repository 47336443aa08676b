package deploy_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
	"github.com/opsmcp/opsmcp/servers/deploy"
)

// gate.policies judge every plan: the verdicts are in the plan's result, a
// warn lets it apply (and once applied, it is refused as applied), a deny blocks its apply (audited), and a policy that
// stops loading after the plan blocks too (fail closed).
func TestPoliciesGateEveryApply(t *testing.T) {
	ws := testenv.CopyWorkspace(t, "basic")
	dir := t.TempDir()
	for _, f := range []string{"destroy.rego", "destroy_test.rego"} {
		b, _ := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "testdata", "policies", "plan", f))
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	cfg := config.Default()
	cfg.Mode = config.ModeApply
	cfg.Terraform.Workspaces = []string{filepath.Dir(ws)}
	cfg.Gate.Policies = []string{dir}
	e := &env{Host: testenv.NewHost(t, deploy.New(), cfg), t: t, ws: ws}

	res := e.MustOK(e.Call("apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"size": 4}}))
	if b, _ := json.Marshal(res["policy"]); !strings.Contains(string(b), `"kind":"warn"`) || !strings.Contains(string(b), "4 resources are created at once") {
		t.Fatalf("the plan's verdicts: %s", b)
	}
	if out := e.MustOK(e.apply(res["plan_id"].(string))); out["applied"] != true {
		t.Fatalf("a warned plan: %v", out)
	}
	// Applied, its file is gone: applying it again says so, not that the
	// policies could not judge it.
	e.MustFail(e.apply(res["plan_id"].(string)), "was already applied at")

	res = e.MustOK(e.Call("apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"size": 1}}))
	id := res["plan_id"].(string)
	if b, _ := json.Marshal(res["policy"]); !strings.Contains(string(b), "terraform_data.item[3] would be destroyed") {
		t.Fatalf("the destroy plan's verdicts: %s", b)
	}
	audit, _ := e.Store.ListAudit(context.Background(), 0)
	if audit[1].Tool != "gate/policy" || audit[1].ResultIDs[0] != id || !strings.HasPrefix(audit[1].Outcome, "denied: ") {
		t.Fatalf("the plan's evaluation is not audited: %+v", audit[:2])
	}
	e.MustFail(e.apply(id), "is denied by policy (gate.policies): terraform_data.item[1] would be destroyed")
	audit, _ = e.Store.ListAudit(context.Background(), 0)
	if audit[0].Tool != "apply_terraform" || audit[1].Tool != "gate/policy" || audit[1].ResultIDs[0] != id || !strings.Contains(audit[1].Outcome, "is denied by policy") {
		t.Fatalf("the refusal is not audited: %+v", audit[:2])
	}

	res = e.MustOK(e.Call("apply_terraform", map[string]any{"workspace": ws, "variables": map[string]any{"size": 5}}))
	os.WriteFile(filepath.Join(dir, "broken.rego"), []byte("package main\n\ndeny contains msg if {\n"), 0o644)
	e.MustFail(e.apply(res["plan_id"].(string)), "gate.policies could not judge plan")
	e.MustFail(e.apply(res["plan_id"].(string)), "broken.rego:")
}

// validate_deployment reports gate.policies' verdicts as findings.
func TestValidateDeploymentRunsPolicies(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "policies")
	cfg := config.Default()
	cfg.Gate.Policies = []string{filepath.Join(root, "kubernetes")}
	cfg.ReadPaths = testenv.TestReadPaths(t)
	h := testenv.NewHost(t, deploy.New(), cfg)
	res := h.MustOK(h.Call("validate_deployment", map[string]any{"config_path": filepath.Join(root, "inputs", "web.yaml")}))
	b, _ := json.Marshal(res)
	for _, want := range []string{"policy/main.deny", "policy/kubernetes.labels.violation", "Deployment api has no team label"} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("validate_deployment does not report %q: %s", want, b)
		}
	}
}

// gate.policies judge every Kubernetes object as written: the dry run
// shows the verdicts with the object each is about, a deny blocks the
// apply (audited), and an object that only warns applies, its evaluation
// on the record.
func TestPoliciesGateKubernetesDeploys(t *testing.T) {
	k := testenv.SharedKubesim(t)
	cfg := k.Config(config.ModeApply)
	cfg.Gate.Policies = []string{filepath.Join(testenv.RepoRoot(t), "testdata", "policies", "kubernetes")}
	h := &testenv.KubeHost{Host: testenv.NewHost(t, deploy.New(), cfg), K: k, CS: k.Clientset(t)}
	ns := h.Namespace()

	dry := h.MustOK(h.Call("deploy_kubernetes", map[string]any{"manifests": []string{manifest("web")}, "namespace": ns, "dry_run": true}))
	b, _ := json.Marshal(dry["policy"])
	for _, want := range []string{`"message":"Deployment web must set runAsNonRoot","package":"main","rule":"deny","subject":"deployment/web"`, `"message":"ConfigMap web-config has no team label"`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("the dry run's verdicts lack %s: %s", want, b)
		}
	}
	h.MustFail(h.Call("deploy_kubernetes", map[string]any{"manifests": []string{manifest("web")}, "namespace": ns, "wait": false}),
		"is denied by policy (gate.policies): ConfigMap web-config has no team label")
	audit, _ := h.Store.ListAudit(context.Background(), 0)
	if audit[1].Tool != "gate/policy" || !strings.Contains(audit[1].Outcome, "Deployment web must set runAsNonRoot") {
		t.Fatalf("the refusal is not audited: %+v", audit[:2])
	}

	good := `apiVersion: v1
kind: ConfigMap
metadata: {name: tagged, labels: {team: payments}}
data: {image: "app:latest"}
`
	h.MustOK(h.Call("deploy_kubernetes", map[string]any{"manifests": []string{good}, "namespace": ns, "wait": false}))
	audit, _ = h.Store.ListAudit(context.Background(), 0)
	if audit[0].Tool != "deploy_kubernetes" || audit[0].Outcome != "ok" || audit[1].Tool != "gate/policy" || audit[1].Outcome != "passed" {
		t.Fatalf("the passing evaluation is not audited: %+v", audit[:2])
	}
}
