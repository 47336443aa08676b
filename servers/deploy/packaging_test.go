package deploy_test

import (
	"context"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// What we ship to run opsmcp as a service passes our own validators with no
// error and no warning (the compose file with its required variables
// unset, as in a repository), and the Kubernetes manifests deploy to a real
// control plane with deploy_kubernetes and roll out.
func TestPackagingValidatesAndDeploys(t *testing.T) {
	root := testenv.RepoRoot(t)
	e := newKubeEnv(t, config.ModeApply, nil)
	for _, path := range []string{filepath.Join(root, "deploy", "kubernetes"), filepath.Join(root, "deploy", "Dockerfile"), filepath.Join(root, "docker-compose.test.yml")} {
		res := e.MustOK(e.Call("validate_deployment", map[string]any{"config_path": path}))
		if res["errors"] != float64(0) || res["warnings"] != float64(0) || res["valid"] != true {
			t.Errorf("%s: %v", path, res["findings"])
		}
	}
	out := e.Call("deploy_kubernetes", map[string]any{"manifests": []string{filepath.Join(root, "deploy", "kubernetes")}, "timeout_seconds": 120})
	res := e.MustOK(out)
	if res["rolled_out"] != true {
		t.Fatalf("deploy/kubernetes did not roll out:\n%s", out.Text)
	}
	d, err := e.CS.AppsV1().Deployments("opsmcp").Get(context.Background(), "opsmcp", metav1.GetOptions{})
	if err != nil || d.Status.AvailableReplicas != 2 {
		t.Fatalf("deployment opsmcp/opsmcp: %v %+v", err, d.Status)
	}
	for _, kind := range []string{"poddisruptionbudget/opsmcp", "horizontalpodautoscaler/opsmcp", "networkpolicy/opsmcp", "clusterrole/opsmcp-read", "serviceaccount/opsmcp", "configmap/opsmcp-config", "service/opsmcp", "namespace/opsmcp", "clusterrolebinding/opsmcp-read"} {
		if actions(res)[kind] != "created" {
			t.Errorf("%s: %q", kind, actions(res)[kind])
		}
	}
}
