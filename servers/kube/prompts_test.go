package kube_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsmcp/opsmcp/internal/config"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

// The kube server's prompts, through the MCP Inspector CLI against the
// built binary (sharing the test's memory): prompts/list names them with
// their arguments; diagnose-rollout brings a workload's rollout status,
// events, logs and the scale made a moment ago through opsmcp;
// incident-summary the namespace's changes, warnings and workloads; a
// prompt without its required argument is an error that says so.
func TestPromptsOverInspector(t *testing.T) {
	e := newEnv(t, config.ModeApply, nil)
	ns := e.Namespace()
	e.deployment(ns, "web", 1, nil)
	if out := e.Call("scale_deployment", map[string]any{"name": "web", "namespace": ns, "replicas": 2, "wait": true, "timeout_seconds": 60}); out.IsError {
		t.Fatal(out.Text)
	}
	e.available(ns, "web", 2)
	bin := filepath.Join(testenv.Binaries(t), "opsmcp-kube")
	env := []string{"KUBECONFIG=" + e.K.Kubeconfig, "OPSMCP_MEMORY=" + e.Cfg.Memory}

	var list struct {
		Prompts []struct {
			Name      string `json:"name"`
			Arguments []struct {
				Name     string `json:"name"`
				Required bool   `json:"required"`
			} `json:"arguments"`
		} `json:"prompts"`
	}
	if err := json.Unmarshal(testenv.RunInspector(t, bin, env, "--method", "prompts/list"), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Prompts) != 2 || list.Prompts[0].Name != "diagnose-rollout" || !list.Prompts[0].Arguments[0].Required || list.Prompts[1].Name != "incident-summary" {
		t.Fatalf("prompts/list: %+v", list)
	}

	text := func(out []byte) string {
		var res struct {
			Messages []struct {
				Role    string                `json:"role"`
				Content struct{ Text string } `json:"content"`
			} `json:"messages"`
		}
		if err := json.Unmarshal(out, &res); err != nil || len(res.Messages) != 1 || res.Messages[0].Role != "user" {
			t.Fatalf("prompts/get: %v %s", err, out)
		}
		return res.Messages[0].Content.Text
	}
	diag := text(testenv.RunInspector(t, bin, env, "--method", "prompts/get", "--prompt-name", "diagnose-rollout",
		"--prompt-args", "workload=deployment/web", "--prompt-args", "namespace="+ns))
	for _, want := range []string{"Diagnose why deployment/web in namespace " + ns, "## Rollout status", "deployment/web in " + ns + ": rolled out (2/2 updated", "## Events", "## Recent logs",
		"## Recent changes", "scale_deployment by test (ok): namespace=" + ns + " name=web replicas=2"} {
		if !strings.Contains(diag, want) {
			t.Errorf("diagnose-rollout lacks %q:\n%s", want, diag)
		}
	}
	inc := text(testenv.RunInspector(t, bin, env, "--method", "prompts/get", "--prompt-name", "incident-summary", "--prompt-args", "namespace="+ns, "--prompt-args", "hours=1"))
	for _, want := range []string{"namespace " + ns + " over the last 1 hours", "scale_deployment by test", "## Warnings", "## Workloads", "web"} {
		if !strings.Contains(inc, want) {
			t.Errorf("incident-summary lacks %q:\n%s", want, inc)
		}
	}
	if other := text(testenv.RunInspector(t, bin, env, "--method", "prompts/get", "--prompt-name", "incident-summary", "--prompt-args", "namespace=default")); strings.Contains(other, "scale_deployment") {
		t.Errorf("another namespace's summary shows this one's change:\n%s", other)
	}
	if _, err := testenv.TryInspector(t, bin, env, "--method", "prompts/get", "--prompt-name", "diagnose-rollout"); err == nil || !strings.Contains(err.Error(), "needs the argument workload") {
		t.Errorf("a prompt without its argument: %v", err)
	}
}
