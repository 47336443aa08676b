package kube_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// TestInspectorCLIOverStdio drives the built opsmcp-kube binary with the
// official MCP Inspector's CLI mode against kubesim.
func TestInspectorCLIOverStdio(t *testing.T) {
	e := newEnv(t, config.ModeReadOnly, nil)
	ns := e.Namespace()
	e.deployment(ns, "web", 2, nil)
	e.available(ns, "web", 2)
	bin := filepath.Join(testenv.Binaries(t), "opsmcp-kube")
	env := []string{"KUBECONFIG=" + e.K.Kubeconfig, "OPSMCP_MEMORY=" + filepath.Join(t.TempDir(), "memory.db"), "OPSMCP_MODE=read-only"}
	names := testenv.InspectorToolNames(t, bin, env)
	// Read-only mode hides the tools that change (scale, rollout); the
	// default toolsets leave Helm out.
	if strings.Join(names, ",") != "gather_context,get_events,get_logs,get_nodes,get_pods,get_resource,list_deployments,list_resources,rollout_status,top_nodes,top_pods" {
		t.Fatalf("tools/list: %v", names)
	}
	out := testenv.RunInspector(t, bin, env, "--method", "tools/call", "--tool-name", "get_pods", "--tool-arg", "namespace="+ns)
	var res struct {
		IsError           bool `json:"isError"`
		StructuredContent struct {
			Count int `json:"count"`
			Pods  []struct {
				Name  string `json:"name"`
				Phase string `json:"phase"`
			} `json:"pods"`
		} `json:"structuredContent"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("tools/call output is not JSON: %v\n%s", err, out)
	}
	if res.IsError || res.StructuredContent.Count != 2 || res.StructuredContent.Pods[0].Phase != "Running" ||
		!strings.HasPrefix(res.StructuredContent.Pods[0].Name, "web-") {
		t.Fatalf("get_pods over the Inspector: %s", out)
	}
}
