package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/testenv"
)

// opsmcp drift on a workspace a person applied: in sync (exit 0), then
// with an object edited outside Terraform, exit 2 with --exit-code and 0
// without, the report as markdown and json; a workspace that cannot be
// planned is exit 1; a bad format a usage error.
func TestDriftCommand(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "infra")
	objects := testenv.DriftWorkspace(t, ws, `
resource "drifttest_object" "site" {
  name    = "site"
  content = "v1"
}
`)
	cfg := filepath.Join(dir, "opsmcp.yaml")
	write(t, cfg, "memory: "+filepath.Join(dir, "memory.db")+"\nterraform:\n  workspaces: ["+ws+"]\n")
	t.Setenv("OPSMCP_CONFIG", cfg)

	if code, out, errs := run(t, "drift", "--exit-code"); code != 0 || !strings.Contains(out, "1 in sync, 0 drifted, 0 errors") {
		t.Fatalf("in sync: exit %d %q %q", code, out, errs)
	}
	write(t, filepath.Join(objects, "site.json"), `{"content":"hotfix"}`)
	code, out, errs := run(t, "drift", "--exit-code", "--format", "markdown", ws)
	if code != 2 || !strings.Contains(out, "| **drifted** |") || !strings.Contains(out, "`drifttest_object.site` changed: content") {
		t.Fatalf("drifted: exit %d %q %q", code, out, errs)
	}
	if code, _, _ := run(t, "drift", ws); code != 0 {
		t.Errorf("without --exit-code a drift is exit %d", code)
	}
	code, out, _ = run(t, "drift", "--format", "json", ws)
	var rep struct {
		Drifted int `json:"drifted"`
		Targets []struct {
			Resources []struct {
				Address string   `json:"address"`
				Paths   []string `json:"paths"`
			} `json:"resources"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Drifted != 1 || rep.Targets[0].Resources[0].Paths[0] != "content" {
		t.Errorf("json: exit %d %v %s", code, err, out)
	}
	os.WriteFile(filepath.Join(ws, "broken.tf"), []byte("resource {"), 0o644)
	if code, out, _ := run(t, "drift", "--exit-code", ws); code != 1 || !strings.Contains(out, "error") {
		t.Errorf("broken workspace: exit %d %q", code, out)
	}
	// A path without *.tf is manifests, checked on Kubernetes: with no
	// cluster configured, an error target that says why.
	k8s := filepath.Join(dir, "k8s")
	write(t, filepath.Join(k8s, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	t.Setenv("KUBECONFIG", filepath.Join(dir, "no-kubeconfig"))
	if code, out, _ := run(t, "drift", "--format", "json", k8s); code != 1 || !strings.Contains(out, `"kind": "kubernetes"`) || !strings.Contains(out, `"status": "error"`) {
		t.Errorf("manifests without a cluster: exit %d %s", code, out)
	}
	if code, _, _ := run(t, "drift", "--format", "yaml"); code != 2 {
		t.Errorf("--format yaml: exit %d", code)
	}
}
