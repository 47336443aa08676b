package experts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	orchestrator "github.com/opsmcp/opsmcp/internal/experts"
	"github.com/opsmcp/opsmcp/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedKubesim()
	os.Exit(code)
}

// stuckDeployment creates Deployment ns/web whose pods no node accepts.
func stuckDeployment(t *testing.T, k *testenv.Kubesim, ns string) {
	labels := map[string]string{"app": "web"}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}, Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"disk": "none-has-this"},
			Containers:   []corev1.Container{{Name: "web", Image: "nginx:1.27"}}}}}}
	if _, err := k.Clientset(t).AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func consult(t *testing.T, c *client.Client, args map[string]any) orchestrator.ConsultResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = "consult_experts", args
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.IsError {
		t.Fatalf("consult_experts: %v", res.Content)
	}
	var out orchestrator.ConsultResult
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The whole orchestrator end to end: opsmcp-experts over stdio reads a
// .mcp.json naming the real opsmcp-deploy and opsmcp-kube binaries and a
// server that hangs in gather_context; against kubesim with a stuck
// rollout and a workspace with a pending plan, the rules expert names
// both; the hanging server is reported after its timeout; a server killed
// between two consults is restarted once; an identical consult comes from
// memory; execute runs the agreed actions as a plan and a read.
func TestConsultEndToEnd(t *testing.T) {
	bins := testenv.Binaries(t)
	k := testenv.SharedKubesim(t)
	ns := k.Namespace(t)
	stuckDeployment(t, k, ns)
	ws := testenv.CopyWorkspace(t, "basic")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsmcp.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("mode: plan\nmemory: %s\nterraform:\n  workspaces: [%s]\nkubernetes:\n  kubeconfig: %s\n  namespaces: [%s]\n",
		filepath.Join(dir, "memory.db"), ws, k.Kubeconfig, ns)), 0o644)

	// A plan waiting to be applied.
	plan := exec.Command(filepath.Join(bins, "opsmcp"), "--config", cfg, "call", "deploy", "apply_terraform", "workspace="+ws, "--json")
	out, err := plan.CombinedOutput()
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	var planned struct {
		PlanID string `json:"plan_id"`
	}
	json.Unmarshal(out, &planned)
	if planned.PlanID == "" {
		t.Fatalf("no plan_id: %s", out)
	}

	// Deployment api, applied by opsmcp and rolled out, then changed behind
	// its back so that it no longer rolls out: drift from what memory holds.
	api := filepath.Join(dir, "api.yaml")
	os.WriteFile(api, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: api}}\n"+
		"  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: 'nginx:1.27'}]\n"), 0o644)
	deploy := exec.Command(filepath.Join(bins, "opsmcp"), "--config", cfg, "call", "deploy", "deploy_kubernetes", "--args",
		fmt.Sprintf(`{"manifests":[%q],"namespace":%q,"timeout_seconds":60}`, api, ns))
	deploy.Env = append(os.Environ(), "OPSMCP_MODE=apply")
	if out, err := deploy.CombinedOutput(); err != nil {
		t.Fatalf("deploy_kubernetes: %v\n%s", err, out)
	}
	cs := k.Clientset(t)
	live, err := cs.AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	live.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "none-has-this"}
	if _, err := cs.AppsV1().Deployments(ns).Update(context.Background(), live, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	hang := filepath.Join(dir, "hang")
	build := exec.Command("go", "build", "-o", hang, "./servers/experts/testdata/hang")
	build.Dir = testenv.RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	mcpJSON := filepath.Join(dir, ".mcp.json")
	os.WriteFile(mcpJSON, []byte(fmt.Sprintf(`{"mcpServers": {
  "opsmcp-deploy": {"command": %q, "args": ["--config", "${OPSMCP_TEST_CONFIG}"]},
  "opsmcp-kube": {"command": %q, "args": ["--config", "${OPSMCP_TEST_CONFIG}"]},
  "opsmcp-experts": {"command": %q},
  "hang": {"command": %q}
}}`, filepath.Join(bins, "opsmcp-deploy"), filepath.Join(bins, "opsmcp-kube"), filepath.Join(bins, "opsmcp-experts"), hang)), 0o644)

	c, err := client.NewStdioMCPClient(filepath.Join(bins, "opsmcp-experts"), append(os.Environ(), "OPSMCP_TEST_CONFIG="+cfg),
		"--config", cfg, "--mcp-config", mcpJSON)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		if st, ok := c.GetTransport().(*transport.Stdio); ok {
			buf := make([]byte, 4096)
			for {
				if _, err := st.Stderr().Read(buf); err != nil {
					return
				}
			}
		}
	}()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}

	q := "Is it safe to roll out web v2 to prod?"
	start := time.Now()
	first := consult(t, c, map[string]any{"question": q, "scope": map[string]any{"namespace": ns, "workspace": ws}})
	took := time.Since(start)
	if strings.Join(first.Servers.Answered, ",") != "deploy,kube" || first.Servers.Failed["hang"] != "no context within 5s" {
		t.Fatalf("servers: %+v", first.Servers)
	}
	if took < 5*time.Second || took > 30*time.Second {
		t.Errorf("the consult took %s with a server hanging for its 5s", took)
	}
	titles := []string{}
	for _, it := range first.Consensus.Items {
		titles = append(titles, it.Title)
	}
	all := strings.Join(titles, "\n")
	for _, want := range []string{"Deployment " + ns + "/web has not rolled out", "Review the pending plan " + planned.PlanID[:14] + " of " + ws,
		"Deployment " + ns + "/api has drifted from its last apply"} {
		if !strings.Contains(all, want) {
			t.Errorf("the rules expert did not say %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "/web has drifted") {
		t.Errorf("web was never applied by opsmcp, so it cannot have drifted:\n%s", all)
	}
	if first.Cached || !strings.HasPrefix(first.ContextDigest, "sha256:") || !strings.HasPrefix(first.Consensus.Assessments["rules"], "Not yet: 3 risks") {
		t.Errorf("first consult: cached %v, digest %q, assessment %q", first.Cached, first.ContextDigest, first.Consensus.Assessments["rules"])
	}

	// The same question again: answered from memory, at once.
	start = time.Now()
	again := consult(t, c, map[string]any{"question": "is it safe to roll out  web v2 to prod?", "scope": map[string]any{"namespace": ns, "workspace": ws}})
	if !again.Cached || again.ContextDigest != first.ContextDigest || time.Since(start) > 2*time.Second {
		t.Errorf("identical consult: cached %v after %s", again.Cached, time.Since(start))
	}

	// Kill the deploy server: the next consult restarts it and succeeds.
	if err := syscall.Kill(testenv.PIDOf(t, "opsmcp-deploy\x00--config\x00"+cfg), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	third := consult(t, c, map[string]any{"question": q, "scope": map[string]any{"namespace": ns, "workspace": ws}, "fresh": true, "execute": true})
	if third.Cached || strings.Join(third.Servers.Restarted, ",") != "deploy" || strings.Join(third.Servers.Answered, ",") != "deploy,kube" {
		t.Fatalf("after a kill: %+v", third.Servers)
	}
	// execute: the pending plan's action ran as a plan (a new plan_id,
	// nothing applied) and rollout_status as the read it is.
	ran := map[string]orchestrator.ActionRun{}
	for _, a := range third.Actions {
		ran[a.Tool] = a
	}
	if a := ran["apply_terraform"]; !a.Ran || !a.DryRun || a.IsError || !strings.Contains(a.Result, "p-") {
		t.Errorf("apply_terraform action: %+v", a)
	}
	if a := ran["rollout_status"]; !a.Ran || a.DryRun || !strings.Contains(a.Result, "web") {
		t.Errorf("rollout_status action: %+v", a)
	}
	state, _ := os.ReadFile(filepath.Join(ws, "terraform.tfstate"))
	if strings.Contains(string(state), `"terraform_data"`) {
		t.Errorf("a consult applied the workspace:\n%.300s", state)
	}
}
