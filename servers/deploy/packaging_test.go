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
// finding at all (the compose file with its required variables unset, as
// in a repository; the Helm chart with its default and a production-like
// values file), and the Kubernetes manifests (the chart rendered) deploy to
// a real control plane with deploy_kubernetes and roll out.
func TestPackagingValidatesAndDeploys(t *testing.T) {
	root := testenv.RepoRoot(t)
	e := newKubeEnv(t, config.ModeApply, nil)
	chart := filepath.Join(root, "deploy", "helm", "opsmcp")
	for _, args := range []map[string]any{
		{"config_path": filepath.Join(root, "deploy", "kubernetes")},
		{"config_path": filepath.Join(root, "deploy", "Dockerfile")},
		{"config_path": filepath.Join(root, "docker-compose.test.yml")},
		// The chart with its default values, and as a platform team would
		// install it (the Prometheus Operator's CRD in the cluster).
		{"config_path": chart},
		{"config_path": chart, "values_files": []string{filepath.Join(chart, "ci", "production-values.yaml")}, "namespace": "platform",
			"crds": []string{filepath.Join(root, "testdata", "crds")}},
	} {
		res := e.MustOK(e.Call("validate_deployment", args))
		if res["errors"] != float64(0) || res["warnings"] != float64(0) || res["infos"] != float64(0) || res["valid"] != true {
			t.Errorf("%v: %v", args, res["findings"])
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
	for _, kind := range []string{"poddisruptionbudget/opsmcp", "networkpolicy/opsmcp", "clusterrole/opsmcp-read", "serviceaccount/opsmcp", "configmap/opsmcp", "service/opsmcp", "namespace/opsmcp", "clusterrolebinding/opsmcp-read"} {
		if actions(res)[kind] != "created" {
			t.Errorf("%s: %q", kind, actions(res)[kind])
		}
	}
}
